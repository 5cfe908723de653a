# The warnings every jixiao target is built with; -Werror when JIXIAO_WERROR is ON (CI).
add_library(jixiao_warnings INTERFACE)
target_compile_options(jixiao_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wnull-dereference
  -Wimplicit-fallthrough)
if(JIXIAO_WERROR)
  target_compile_options(jixiao_warnings INTERFACE -Werror)
endif()
