# The warnings every jixiao target is built with; -Werror when JIXIAO_WERROR is ON (CI).
add_library(jixiao_warnings INTERFACE)
target_compile_options(jixiao_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wnull-dereference
  -Wimplicit-fallthrough)
# GCC 12 at -O3 reports a false -Wrestrict inside libstdc++'s string concatenation
# (https://gcc.gnu.org/bugzilla/show_bug.cgi?id=105329); it is not about our code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(jixiao_warnings INTERFACE -Wno-restrict)
endif()
if(JIXIAO_WERROR)
  target_compile_options(jixiao_warnings INTERFACE -Werror)
endif()
