# Tests `baseline_matches_engine` and `baseline_newcomer_matches_engine`: a hand-written baseline
# (bench/baseline_3x.cpp for the 3+X example, bench/baseline_newcomer.cpp for
# bench/policies/3x-newcomer.jx; neither shares code with jixiao) and `jixiao eval` write
# byte-identical results for the same generated data, and jixiao's are the same with 1, 2 and 3
# threads (20,000 rows are 5 chunks of 4,096, so every thread has rows to evaluate).
#
# Run as: cmake -DGEN=... -DJIXIAO=... -DBASELINE=... -DPOLICY=... -DWORK_DIR=... [-DNEWCOMER=ON]
#         -P baseline_matches_engine.cmake
# (NEWCOMER: the data in the layout of the newcomer's policy, `jixiao_gen_3x --newcomer`).
foreach(var GEN JIXIAO BASELINE POLICY WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "baseline_matches_engine: -D${var}=... is required")
  endif()
endforeach()

set(rows 20000)
set(seed 7)
file(MAKE_DIRECTORY "${WORK_DIR}")
set(data "${WORK_DIR}/data.csv")
set(engine_out "${WORK_DIR}/jixiao.csv")
set(baseline_out "${WORK_DIR}/baseline.csv")
file(REMOVE "${engine_out}" "${baseline_out}")

# Runs a command and stops the test with its output if it fails.
function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (exit ${rc}):\n${out}${err}")
  endif()
endfunction()

# 基础额度 to the fen: 基础额度 × coef(等级) then has fractions of a fen on most rows, which both
# must keep (a fund weight is exact, docs/language.md §10).
set(layout)
if(NEWCOMER)
  set(layout --newcomer)
endif()
run_step("jixiao_gen_3x" "${GEN}" --rows ${rows} --seed ${seed} --fen-amounts ${layout} --out "${data}")
run_step("jixiao eval" "${JIXIAO}" eval "${POLICY}" --data "${data}" --out "${engine_out}" --threads 1)
run_step("the baseline" "${BASELINE}" --data "${data}" --out "${baseline_out}")

execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${engine_out}" "${baseline_out}" RESULT_VARIABLE differ)
if(NOT differ EQUAL 0)
  message(FATAL_ERROR "the baseline's results differ from jixiao's (${rows} rows, seed ${seed}):\n"
                      "  ${engine_out}\n  ${baseline_out}")
endif()
foreach(threads 2 3)
  set(threaded_out "${WORK_DIR}/jixiao-${threads}.csv")
  file(REMOVE "${threaded_out}")
  run_step("jixiao eval --threads ${threads}" "${JIXIAO}" eval "${POLICY}" --data "${data}" --out "${threaded_out}" --threads ${threads})
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${engine_out}" "${threaded_out}" RESULT_VARIABLE differ)
  if(NOT differ EQUAL 0)
    message(FATAL_ERROR "jixiao's results with ${threads} threads differ from those with 1:\n  ${engine_out}\n  ${threaded_out}")
  endif()
endforeach()
# Equal but empty (or truncated) files would prove nothing: there is a header and a line per row.
file(READ "${engine_out}" content)
string(REGEX MATCHALL "\n" line_ends "${content}")
list(LENGTH line_ends lines)
math(EXPR expected "${rows} + 1")
if(NOT lines EQUAL expected)
  message(FATAL_ERROR "the results have ${lines} lines, expected ${expected}")
endif()
message(STATUS "baseline and jixiao (1, 2 and 3 threads) agree byte for byte on ${rows} rows (seed ${seed})")
