# jixiao_check_sources(<dir> <listed sources...>): fails the configure step when a .cpp file
# under <dir> is not in the explicit source list, or a listed file does not exist. This keeps
# explicit source lists honest without globbing them into the build.
function(jixiao_check_sources dir)
  file(GLOB_RECURSE found RELATIVE "${dir}" CONFIGURE_DEPENDS "${dir}/*.cpp")
  set(listed ${ARGN})
  foreach(f IN LISTS found)
    if(NOT f IN_LIST listed)
      message(FATAL_ERROR "${dir}/${f} exists but is not in the source list of its CMakeLists.txt")
    endif()
  endforeach()
  foreach(f IN LISTS listed)
    if(NOT EXISTS "${dir}/${f}")
      message(FATAL_ERROR "${dir}/${f} is listed but does not exist")
    endif()
  endforeach()
endfunction()
