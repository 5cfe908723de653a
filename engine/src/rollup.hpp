// Roll-ups (`rollup 年度 { "Q1", "Q2", "Q3", "Q4" }`): the loaded rows, one per subject and
// sub-period, become one row per subject and coarse period (docs/language.md, "Roll-ups").
#pragma once

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/engine/dataset.hpp"

namespace jixiao::engine::detail {

/// Replaces `data`'s rows by one row per subject and coarse period: the period column holds the
/// coarse period, each input the value of its sub-period (`only "Q4"`) or the value common to the
/// sub-periods, and `data.sub_values` the value of every `sub_mean(x)`, ... call. Reports each
/// period that is no sub-period, each missing sub-period (unless `missing reweight`), each value
/// given `only` in a sub-period that is absent or given elsewhere, and each input read once per
/// coarse period whose sub-periods differ. Returns false iff it reported an error.
bool roll_up(const dsl::CheckedPolicy& policy, Dataset& data, DiagnosticSink& sink);

}  // namespace jixiao::engine::detail
