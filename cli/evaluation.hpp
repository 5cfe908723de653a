// The eval pipeline as one function, shared by `eval` and `verify`: policy → data → evaluation →
// formatted results.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "jixiao/engine/dataset.hpp"
#include "jixiao/engine/encoding.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "jixiao/engine/results.hpp"

namespace jixiao::cli {

/// Everything that determines the results of an evaluation.
struct EvalRequest {
  std::string policy;
  std::string data;
  std::vector<dsl::ParamOverride> params;
  engine::Encoding encoding = engine::Encoding::kAuto;
  std::optional<std::string> columns;  ///< a TOML column map
  std::optional<std::string> sheet;            ///< `--sheet`: an Excel workbook's sheet
  std::optional<std::uint32_t> header_row;     ///< `--header-row`: the row of its header
  std::string period;                  ///< empty: the latest
  bool all_periods = false;
  engine::ResultFormat format = engine::ResultFormat::kCsv;
  bool bom = false;                                         ///< CSV: a UTF-8 byte order mark first
  engine::Encoding out_encoding = engine::Encoding::kUtf8;  ///< CSV: kUtf8, or kGb18030
  std::optional<std::string> group_by;                      ///< a workbook's 汇总 groups by this column
  std::size_t threads = 1;  ///< evaluation threads (results do not depend on it)
  bool hash_data = false;   ///< compute EvalOutcome::data_sha256 (for an audit record; always for a workbook)
  /// Load the inputs only the programs read narrow (engine::LoadOptions::narrow; never for
  /// explanations): the results are the same bytes either way.
  bool narrow_inputs = true;
  /// The symbols whose columns the caller reads (EvalOptions::keep), given the policy and the
  /// resolved group column; empty: the results' (engine::result_symbols) and the group column.
  std::function<std::vector<dsl::SymbolId>(const dsl::CheckedPolicy&, dsl::SymbolId)> keep;
  /// Set for explanations of some rows (`jixiao report --id`): given the loaded data, the rows to
  /// explain, or nullopt when one cannot be found (reported). Every column is then kept and what
  /// `jixiao explain` shows (engine::explain_trace) is recorded on those rows.
  std::function<std::optional<std::vector<std::size_t>>(const dsl::CheckedPolicy&, const engine::Dataset&)> explain_rows;
};

/// How long each phase took, in milliseconds (`jixiao eval --stats`).
struct PhaseTimes {
  double check = 0;     ///< parse, resolve imports, check, plan, compile
  double load = 0;      ///< read, decode and parse the data
  double evaluate = 0;  ///< every value over every row
  double allocate = 0;  ///< the fund splits
  double format = 0;    ///< the results as text
  double write = 0;     ///< writing them (to the file or stdout), interleaved with formatting
};

/// What an evaluation produced, with the raw inputs it read (for audit records).
struct EvalOutcome {
  std::unique_ptr<LoadedPolicy> loaded;
  std::optional<engine::Executable> program;  ///< compiled right after the check, before the data is read
  std::optional<engine::Dataset> data;
  std::optional<engine::EvalResult> result;
  std::string result_sha256; ///< of the results' bytes, once write_outcome hashed them
  std::string data_sha256;   ///< of the data file as read, when EvalRequest::hash_data
  std::string columns_bytes; ///< the column map as read, when there is one
  bool columns_read = false; ///< columns_bytes holds it
  dsl::SymbolId group_by = dsl::kNoSymbol;  ///< EvalRequest::group_by resolved
  PhaseTimes times;
};

/// Runs the pipeline up to the results (not formatted) into `out`. Problems are reported to the
/// session and false returned; what was done before them stays in `out` (`verify` hashes the
/// files that were read). A `--period` the data does not have, and a `--group-by` column the
/// policy does not have, throw UsageError. `phase` is told
/// what is starting (for progress lines).
bool run_evaluation(Session& s, const EvalRequest& request, EvalOutcome& out,
                    const std::function<void(const Message&)>& phase);

/// The row of `key` in the evaluated period (`period`, or the latest when empty), or nullopt after
/// reporting `unknown-key` (with the closest key, or the periods that have it, as a hint).
std::optional<std::size_t> find_key_row(Session& s, const dsl::CheckedPolicy& policy, const engine::Dataset& data,
                                        const std::string& key, const std::string& period);

/// The default for `--threads`: the cores the machine has (at least 1, at most 64).
std::size_t default_threads();

/// Checks `--period PERIOD` against the periods of the data; throws UsageError when the data has
/// no periods (`policies`: the message says "a policy", for `diff`) or not this one.
void check_period_flag(const std::string& period, const std::vector<std::string>& periods, bool policies = false);

/// Formats the outcome's results in the request's format and hands them to `emit` piece by piece
/// (engine::write_results; a workbook whole, engine::make_workbook), hashing them into
/// `outcome.result_sha256` when `hash`: CSV with a byte order mark first (`bom`) or converted to
/// GB18030 (`out_encoding`), exactly the bytes emitted. Sets the format and write times (the time
/// spent in `emit` is the write). Throws engine::WorkbookError when a workbook cannot be made.
void write_outcome(const EvalRequest& request, EvalOutcome& outcome, bool hash,
                   const std::function<void(std::string_view)>& emit);

}  // namespace jixiao::cli
