// Writing results: the per-community table (CSV or JSON) and the terminal summary.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/engine/dataset.hpp"
#include "jixiao/engine/evaluator.hpp"

namespace jixiao::engine {

enum class ResultFormat { kCsv, kJson };

/// The results as one document: for each row, the key, every declared output (a fund expands
/// to one column per track and its total; an alert adds its deadline and action), every grade,
/// alert and fund the outputs did not list, and `触发规则` (the rules that fired). Rows stay in
/// input order; the same inputs always give the same bytes. CSV is RFC 4180 with a header row
/// and CRLF-free LF line ends; scores keep the policy's precision, money is 元 with 2 decimals.
std::string format_results(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result,
                           ResultFormat format);

/// The same bytes as format_results, handed to `emit` piece by piece in order (so that a large
/// result need not be held whole): blocks of rows are formatted by up to `threads` threads at
/// once. The bytes do not depend on `threads`.
void write_results(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result, ResultFormat format,
                   std::size_t threads, const std::function<void(std::string_view)>& emit);

/// The symbols whose values the results and the summary show, in the results' column order: the
/// key, the period, the declared outputs (or the indicator roots), then every grade, alert and
/// fund not listed. Enough for EvalOptions::keep when only the results are wanted.
std::vector<dsl::SymbolId> result_symbols(const dsl::CheckedPolicy& policy);

/// The human summary: counts per grade and per alert, vetoes that fired, and each pool beside
/// what was paid out of it.
std::string format_summary(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result);

/// Name of the reasons column.
inline constexpr std::string_view kReasonsColumn = "触发规则";

}  // namespace jixiao::engine
