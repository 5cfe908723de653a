// How `jixiao eval` writes its results: the format (CSV, JSON or an Excel workbook, by `--format`
// or the extension of `--out`), CSV for Excel (`--bom`, `--out-encoding`) and the workbook's
// groups (`--group-by`). See docs/data-formats.md, "Results for Excel".
#pragma once

#include <optional>
#include <string>

#include "args.hpp"
#include "jixiao/dsl/check.hpp"
#include "jixiao/engine/encoding.hpp"
#include "jixiao/engine/results.hpp"

namespace jixiao::cli {

/// The options of eval that decide the bytes of its results (besides the evaluation itself).
struct ResultOptions {
  engine::ResultFormat format = engine::ResultFormat::kCsv;
  bool bom = false;                                         ///< CSV: a UTF-8 byte order mark first
  engine::Encoding out_encoding = engine::Encoding::kUtf8;  ///< CSV: kUtf8 or kGb18030
  std::optional<std::string> group_by;                      ///< a workbook: 汇总 per value of this column
};

/// `--format`, `--bom`, `--out-encoding` and `--group-by` of `jixiao eval`, checked against each
/// other and against `--out` (nullopt: stdout). Throws UsageError for a value that is not one of
/// them, a workbook to stdout, a format the extension of `--out` contradicts, and an option the
/// format does not use.
ResultOptions result_options(const ParsedArgs& args, const std::optional<std::string>& out);

/// The name of a format as `--format` and audit records write it: `csv`, `json` or `xlsx`.
std::string_view format_word(engine::ResultFormat format);
/// The format a word names, or nullopt.
std::optional<engine::ResultFormat> format_from_word(std::string_view word);

/// The symbol `--group-by NAME` groups by: an input of the policy, or a grade, alert or label
/// among the results, holding texts, labels or yes/no. Throws UsageError for a name the policy
/// does not have (with the closest as a hint) or a column of numbers or lists.
dsl::SymbolId group_column(const dsl::CheckedPolicy& policy, const std::string& name);

}  // namespace jixiao::cli
