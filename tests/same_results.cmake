# Two policies that must mean the same (an example and its Chinese-keyword version) give
# byte-identical results on the same data: `jixiao eval` of each, then the files compared.
#   cmake -DJIXIAO=... -DDIR=<example dir> -DA=policy.jx -DB=policy-zh.jx -DDATA=data/x.csv -DWORK_DIR=... -P same_results.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
foreach(which A B)
  execute_process(
    COMMAND "${JIXIAO}" eval "${${which}}" --data "${DATA}" --out "${WORK_DIR}/${which}.csv"
    WORKING_DIRECTORY "${DIR}"
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "jixiao eval ${${which}} failed (${rc}):\n${out}${err}")
  endif()
endforeach()
execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK_DIR}/A.csv" "${WORK_DIR}/B.csv" RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  message(FATAL_ERROR "${A} and ${B} give different results on ${DATA} (see ${WORK_DIR})")
endif()
message(STATUS "${A} and ${B}: identical results")
