// `jixiao report`: the results of an evaluation as one self-contained HTML file in Chinese, to print
// on A4 and sign (docs/report.md): the summary, grade and score distributions, alerts per group,
// money, vetoes and deductions, the ranking, the policy as a reader needs it, and a sheet per
// community asked for. Charts are inline SVG written here; no script, font or style is fetched.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/engine/dataset.hpp"
#include "jixiao/engine/evaluator.hpp"

namespace jixiao::engine {

/// What the report says about the run beside the results.
struct ReportInfo {
  std::string title;        ///< `--title`; empty: the policy's name followed by 结果报告
  std::string data_name;    ///< the data file's name, without its directory
  std::string data_sha256;  ///< of the data file's bytes as read
  std::vector<dsl::ParamOverride> overrides;  ///< `--param` as given
  dsl::SymbolId group_by = dsl::kNoSymbol;    ///< `--group-by`: alerts, money and means per group
  /// `--id`: the rows (of result.selected) that get a sheet each, in the order asked. The result
  /// must then come from evaluate() with trace = explain_trace(policy), these rows traced
  /// (EvalOptions::trace_rows) and no `keep`.
  std::vector<std::size_t> sheets;
};

/// Lists in the report stop after this many entries, followed by how many were left out.
inline constexpr std::size_t kReportListLimit = 50;
/// Charts and tables per group show at most this many groups.
inline constexpr std::size_t kReportGroupLimit = 40;

/// The symbols the report reads beyond result_symbols(): the indicators one level below each root
/// (the sheets' layers), the fund tie keys (the ranking) and the group column. For EvalOptions::keep.
std::vector<dsl::SymbolId> report_symbols(const dsl::CheckedPolicy& policy, dsl::SymbolId group_by);

/// The report's bytes (UTF-8 HTML). Always Chinese; the same inputs give the same bytes (no date,
/// no random id; nothing depends on the machine or the thread count). Every text from the policy or
/// the data is HTML-escaped. Its size is bounded whatever the rows (lists are cut, the histogram is
/// binned).
std::string make_report(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result,
                        const ReportInfo& info);

}  // namespace jixiao::engine
