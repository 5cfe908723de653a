// The built-in functions of the policy language: their names and how a call is written. The checker
// types each call (check.cpp); `jixiao lsp` shows the same list in completion, hover and signature
// help (docs/editor.md).
#pragma once

#include <string_view>

namespace jixiao::dsl {

struct FunctionInfo {
  std::string_view name;
  std::string_view usage;  ///< a call as it is written, e.g. `clamp(x, lo, hi)`
};

inline constexpr FunctionInfo kFunctions[] = {
    {"min", "min(a, b, ...)"},
    {"max", "max(a, b, ...)"},
    {"clamp", "clamp(x, lo, hi)"},
    {"abs", "abs(x)"},
    {"round", "round(x, places)"},
    {"floor", "floor(x)"},
    {"ceil", "ceil(x)"},
    {"sum", "sum(a, b, ...)"},
    {"avg", "avg(a, b, ...)"},
    {"count", "count(condition, condition, ...)"},
    {"ratio", "ratio(x, target: 50, cap: 100, better: higher)"},
    {"interpolate", "interpolate(x, 60 -> 0, 100 -> 100)"},
    {"shortfall", "shortfall(x, 80, step: 1, partial: prorata)"},
    {"excess", "excess(x, 80, step: 1, partial: prorata)"},
    {"count_in", "count_in(list, set)"},
    {"size", "size(list)"},
    {"trimmed_mean", "trimmed_mean(评分列表, trim: 1, above: 5)"},
    {"prev", "prev(总分, default: 0)"},
    {"avg_prev", "avg_prev(总分, 3)"},
    {"streak", "streak(等级 == \"D\")"},
    {"rank", "rank(总分, within: 所属街道, order: desc, ties: shared)"},
    {"percentile", "percentile(总分, within: 所属街道, ties: shared)"},
    {"peer_avg", "peer_avg(总分, within: 所属街道)"},
    {"present", "present(居民评分)"},
    {"fill", "fill(居民评分, 0)"},
    {"sub_mean", "sub_mean(季度得分)"},
    {"sub_min", "sub_min(季度得分)"},
    {"sub_max", "sub_max(季度得分)"},
    {"sub_sum", "sub_sum(服务次数)"},
    {"sub_count", "sub_count(季度得分)"},
    {"sub_at", "sub_at(季度得分, \"Q4\")"},
};

}  // namespace jixiao::dsl
