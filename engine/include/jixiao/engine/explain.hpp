// `jixiao explain`: the derivation of one row's result for an auditor — every indicator with what
// its formula read, clamping, deductions and caps; lets; vetoes; grades and alerts; every fund split.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/engine/dataset.hpp"
#include "jixiao/engine/evaluator.hpp"

namespace jixiao::engine {

/// The expressions whose per-row values an explanation shows (leaf formulas, deduction amounts and
/// caps, banded values, fund weights and conditions, and the function calls, `coef`s, `bands` and
/// `if` conditions inside them and inside lets and vetoes). Pass them as `trace` to the evaluate()
/// whose result explain_row() reads.
std::vector<ast::ExprId> explain_trace(const dsl::CheckedPolicy& policy);

enum class ExplainFormat { kText, kJson };

/// The derivation of `row` (one of result.selected) from `result`, which must come from
/// evaluate() over `data` with trace = explain_trace(policy) and the row in
/// EvalOptions::trace_rows. Every number shown is the engine's own: the scores, amounts, labels
/// and fen `jixiao eval` reports, and the steps between them (clamping, scaling, rounding, caps,
/// reweighting, veto effects, each share's whole fen and remainder) as the engine recorded them
/// on the row (EvalResult::trace); nothing is computed again.
///
/// Text is for people: Chinese names as written, money in 元, weights in %, scores in 分.
/// JSON is one document with the same structure, every number written as exact decimal text.
std::string explain_row(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result,
                        std::size_t row, ExplainFormat format);

}  // namespace jixiao::engine
