# `jixiao report` on every example (each must succeed and write every section), and the same bytes
# twice. Run by ctest as `report.examples`: cmake -DJIXIAO=... -DSOURCE=... -DWORK_DIR=... -P examples.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
# policy;data pairs, relative to examples/
set(cases
  "3x/policy.jx|3x/data/communities.csv"
  "3x/policy-zh.jx|3x/data/communities.csv"
  "chaoyang/policy.jx|chaoyang/data/communities.csv"
  "chaoyang/policy-zh.jx|chaoyang/data/communities.csv"
  "jinniu/policy.jx|jinniu/data/communities.csv"
  "longgang/policy.jx|longgang/data/lawyers.csv"
  "nanjing-jianye/policy.jx|nanjing-jianye/data/communities.csv"
  "pudong/policy.jx|pudong/data/communities.csv"
  "urban-rural/urban.jx|urban-rural/data/urban.csv"
  "urban-rural/rural.jx|urban-rural/data/rural.csv"
  "urban-rural-one-table/policy.jx|urban-rural-one-table/data/communities.csv"
  "urban-rural-one-table/policy-zh.jx|urban-rural-one-table/data/communities.csv"
  "wuhou/policy.jx|wuhou/data/communities.csv"
  "wuhou/policy-zh.jx|wuhou/data/communities.csv"
  "yuhang/policy.jx|yuhang/data/communities.csv"
  "入门/policy.jx|入门/data/社区数据.csv")
# Every policy of examples/ is in the list (a new example must be added here).
file(GLOB_RECURSE policies RELATIVE "${SOURCE}/examples" "${SOURCE}/examples/*.jx")
foreach(p IN LISTS policies)
  if(p STREQUAL "urban-rural/base.jx")
    continue()
  endif()
  string(FIND "${cases}" "${p}|" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "examples/${p} has no case in tests/report/examples.cmake")
  endif()
endforeach()
set(sections "一、概要" "二、等级分布与分数分布" "三、预警" "四、资金" "五、否决与扣分" "六、排名" "七、政策说明")
set(n 0)
foreach(c IN LISTS cases)
  string(REPLACE "|" ";" pair "${c}")
  list(GET pair 0 policy)
  list(GET pair 1 data)
  math(EXPR n "${n} + 1")
  set(out "${WORK_DIR}/report-${n}.html")
  execute_process(COMMAND "${JIXIAO}" report "${SOURCE}/examples/${policy}" --data "${SOURCE}/examples/${data}" --out "${out}" -q
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "jixiao report examples/${policy} exited ${rc}:\n${err}")
  endif()
  file(READ "${out}" html)
  foreach(s IN LISTS sections)
    string(FIND "${html}" "<h2>${s}</h2>" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "the report of examples/${policy} has no section ${s}")
    endif()
  endforeach()
endforeach()
# The 3+X example with groups and a sheet, twice: the same bytes.
foreach(i 1 2)
  execute_process(COMMAND "${JIXIAO}" report "${SOURCE}/examples/3x/policy.jx" --data "${SOURCE}/examples/3x/data/communities.csv"
    --out "${WORK_DIR}/again-${i}.html" --group-by 所属街道 --id 330110001001 -q RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "jixiao report --group-by --id exited ${rc}:\n${err}")
  endif()
endforeach()
file(SHA256 "${WORK_DIR}/again-1.html" a)
file(SHA256 "${WORK_DIR}/again-2.html" b)
if(NOT a STREQUAL b)
  message(FATAL_ERROR "two runs of the same report gave different bytes")
endif()
# Bounded: grouped by the key, 200 groups are cut to the first 40 with the count of the others.
execute_process(COMMAND "${JIXIAO}" report "${SOURCE}/examples/3x/policy.jx" --data "${SOURCE}/examples/3x/data/communities.csv"
  --out "${WORK_DIR}/by-key.html" --group-by 社区编码 -q RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "jixiao report --group-by 社区编码 exited ${rc}:\n${err}")
endif()
file(READ "${WORK_DIR}/by-key.html" html)
string(FIND "${html}" "另有 160 组未列出" at)
if(at EQUAL -1)
  message(FATAL_ERROR "grouped by the key, the report does not say that 160 groups were left out")
endif()
# Escaped: the names of the small golden policy hold <, & and quotes; none appears raw in the HTML.
set(small "${SOURCE}/tests/golden/cli/_report")
execute_process(COMMAND "${JIXIAO}" report "${small}/policy.jx" --data "${small}/data.csv" --out "${WORK_DIR}/small.html"
  --group-by 街道 --id S10 --title "</title><script>x</script>" -q RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "jixiao report of the small policy exited ${rc}:\n${err}")
endif()
file(READ "${WORK_DIR}/small.html" html)
foreach(raw "<script" "虚报<数据>" "东街<一>" "<严重>" "3日内整改 <立即>" "报告测试<方案>")
  string(FIND "${html}" "${raw}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "the report holds `${raw}` unescaped")
  endif()
endforeach()
string(FIND "${html}" "&lt;/title&gt;&lt;script&gt;" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the title is not in the report, escaped")
endif()
message(STATUS "${n} example reports written, each with every section; the same bytes twice")
