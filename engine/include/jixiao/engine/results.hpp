// Writing results: the per-community table (CSV or JSON) and the terminal summary.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/json_writer.hpp"
#include "jixiao/dsl/message.hpp"
#include "jixiao/engine/dataset.hpp"
#include "jixiao/engine/evaluator.hpp"

namespace jixiao::engine {

/// The formats of the results: CSV and JSON (write_results), and an Excel workbook (make_workbook in
/// workbook.hpp, which write_results does not write).
enum class ResultFormat { kCsv, kJson, kXlsx };

/// The results as one document: for each row, the key, every declared output (a fund expands
/// to one column per track and its total; an alert adds its deadline and action), every grade,
/// alert and fund the outputs did not list, and `触发规则` (the rules that fired, with Chinese
/// markers and the vetoes' reasons). Rows stay in input order; the same inputs always give the
/// same bytes. CSV is RFC 4180 with a header row and CRLF-free LF line ends; scores keep the
/// policy's precision, money is 元 with 2 decimals, any other number column has as many decimals
/// in every row as its longest value needs; a missing optional input and an indicator that
/// dropped out (`missing reweight`) are empty cells (JSON: null). See docs/data-formats.md.
std::string format_results(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result,
                           ResultFormat format);

/// The same bytes as format_results, handed to `emit` piece by piece in order (so that a large
/// result need not be held whole): blocks of rows are formatted by up to `threads` threads at
/// once. The bytes do not depend on `threads`.
void write_results(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result, ResultFormat format,
                   std::size_t threads, const std::function<void(std::string_view)>& emit);

/// What a column of the results holds, for writers that give each cell a type (the workbook).
enum class ResultColumnKind {
  kScore,   ///< an indicator's score, with the policy's precision
  kMoney,   ///< 元 with 2 decimals (money inputs and lets, fund tracks and totals)
  kNumber,  ///< any other number, with `places` decimals in every row
  kBool,    ///< 是 / 否
  kGrade,   ///< a grade's label
  kAlert,   ///< an alert's label
  kText,    ///< labels, texts, keys, deadlines, actions
  kList,    ///< list items joined by `;`
  kReasons, ///< 触发规则
};

/// One column of the results: its header, what it holds and, for numbers, its decimals.
struct ResultColumnInfo {
  std::string name;
  ResultColumnKind kind = ResultColumnKind::kText;
  int places = 0;                         ///< decimals of every cell (numbers, scores, money)
  dsl::SymbolId symbol = dsl::kNoSymbol;  ///< the symbol it shows (kNoSymbol for 触发规则)
};

/// The results' columns and cells as the CSV results have them, for other writers: the same
/// columns in the same order, each cell the same text (unquoted; lists joined by `;`), computed
/// once by the code that writes the CSV. `extra` symbols (inputs, grades, alerts, labels) get
/// columns after the results' own, for grouping; they are not part of the results.
class ResultTable {
 public:
  ResultTable(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result,
              const std::vector<dsl::SymbolId>& extra = {});
  ~ResultTable();
  ResultTable(const ResultTable&) = delete;
  ResultTable& operator=(const ResultTable&) = delete;

  /// The results' columns, then one per `extra` symbol.
  [[nodiscard]] const std::vector<ResultColumnInfo>& columns() const;
  /// How many of columns() are the results' own.
  [[nodiscard]] std::size_t shown() const;
  /// The rows shown, in order (EvalResult::selected).
  [[nodiscard]] const std::vector<std::size_t>& rows() const;
  /// True when column `c` has no value on data row `row` (an empty cell).
  [[nodiscard]] bool missing(std::size_t c, std::size_t row) const;
  /// Appends the text of column `c` on data row `row` to `out`: the CSV's cell, unquoted.
  void cell(std::size_t c, std::size_t row, std::string& out) const;
  /// True when a veto fired on data row `row`.
  [[nodiscard]] bool vetoed(std::size_t row) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The symbols whose values the results and the summary show, in the results' column order: the
/// key, the period, the declared outputs (or the indicator roots), then every grade, alert and
/// fund not listed. Enough for EvalOptions::keep when only the results are wanted.
std::vector<dsl::SymbolId> result_symbols(const dsl::CheckedPolicy& policy);

/// The human summary: counts per grade and per alert, vetoes that fired, and each pool beside
/// what was paid out of it, in `lang`.
std::string format_summary(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result, Lang lang);

/// Name of the reasons column.
inline constexpr std::string_view kReasonsColumn = "触发规则";
/// The column of each row's segment (docs/language.md §13), after the key (and period), when the
/// policy has segments.
inline constexpr std::string_view kSegmentColumn = "分类";

/// The stable English code of a kind of rule (JSON `kind`, `jixiao test` coverage): `veto`,
/// `deduct`, `bonus`, `cap`, `missing`.
std::string_view rule_kind_code(RuleColumn::Kind kind);

/// The Chinese marker of a kind of rule in the reasons column: 否决, 扣分, 加分, 封顶, 缺项.
std::string_view rule_kind_marker(RuleColumn::Kind kind);

/// One entry of the reasons column: a rule that fired, and for a veto its reason text.
struct ReasonEntry {
  RuleColumn::Kind kind = RuleColumn::Kind::kVeto;
  std::string name;
  std::optional<std::string> reason;

  friend bool operator==(const ReasonEntry&, const ReasonEntry&) = default;
};

/// The entry as the reasons column of CSV results writes it: `否决:负面清单否决（触及负面清单）`,
/// `扣分:投诉扣分`. In the reason text a backslash is written `\\`, a `;` `\;`, a line feed `\n` and
/// a carriage return `\r`, so that entries split at every other `;` and a row stays one line.
std::string reason_entry_text(const ReasonEntry& entry);

/// The same, unescaped: what JSON results carry as the entry's `text`.
std::string reason_entry_display(const ReasonEntry& entry);

/// The entry of each rule of `result.rules`, parallel to it: its kind and name, and for a veto
/// its reason text.
std::vector<ReasonEntry> reason_entries(const dsl::CheckedPolicy& policy, const EvalResult& result);

/// Writes an entry as JSON results carry it: `{"kind", "name", "text", "reason"}` (`kind` the
/// English code, `text` the Chinese entry, `reason` a veto's text or null).
void write_reason_json(JsonWriter& w, const ReasonEntry& entry);

/// The entries of a reasons cell as written (split at each `;` not escaped), still escaped.
std::vector<std::string> split_reasons(std::string_view cell);

/// Reads one entry back (reason_entry_text's inverse). Also accepted, for texts people type: the
/// English code for the marker (`veto:负面清单否决`), a full-width colon, and ASCII parentheses
/// around the reason. Nothing when it is not an entry.
std::optional<ReasonEntry> parse_reason_entry(std::string_view text);

}  // namespace jixiao::engine
