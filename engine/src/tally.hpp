// Counts and sums over the results, shared by the writers that summarise them: the workbook's
// 汇总 and 资金 sheets (workbook.cpp) and the report (report.cpp). Each is computed once here from
// the engine's own columns; nothing is evaluated again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "jixiao/engine/results.hpp"

namespace jixiao::engine::tally {

/// The rows of one group (or of all rows).
struct Group {
  std::string name;
  std::int64_t order = 0;  ///< a label's place in its domain; the first row's place otherwise
  std::size_t rows = 0;
  std::vector<std::vector<std::size_t>> band_counts;  ///< per grade/alert symbol, per label
  std::vector<Int128> score_sums;                     ///< per root score: raw
  std::vector<std::size_t> score_rows;                ///< per root score: rows with a score
  std::vector<Int128> fund_sums;                      ///< per fund: fen
  std::vector<std::size_t> members;                   ///< the group's rows, when kept (Summary::keep_rows)
};

/// Counts per grade and alert label, mean root scores and money per fund, over groups of rows.
class Summary {
 public:
  Summary(const dsl::CheckedPolicy& p, const EvalResult& r, const ResultTable& table);

  [[nodiscard]] Group empty(std::string name) const;
  void add(Group& g, std::size_t row) const;

  /// The mean of a group's score `s`, exactly, rounded half away from zero to the policy's
  /// precision; empty when no row has the score.
  [[nodiscard]] std::string mean(const Group& g, std::size_t s) const;

  [[nodiscard]] const dsl::Domain& domain(std::size_t symbol) const { return p_.domains[p_.symbols[symbol].type.domain]; }
  /// The grade and alert symbols, in declaration order.
  [[nodiscard]] const std::vector<std::size_t>& bands() const { return bands_; }
  /// The table's columns that hold a root's score.
  [[nodiscard]] const std::vector<std::size_t>& scores() const { return scores_; }

  /// Every shown row in one group named `name`.
  [[nodiscard]] Group all(std::string name) const;
  /// The shown rows grouped by the value of the table's column `column` (an extra column for
  /// `group_by`): labels in their domain's order, other values in order of first appearance.
  /// `keep_rows`: each group lists its rows.
  [[nodiscard]] std::vector<Group> groups(dsl::SymbolId group_by, std::size_t column, bool keep_rows = false) const;

 private:
  const dsl::CheckedPolicy& p_;
  const EvalResult& r_;
  const ResultTable& table_;
  std::vector<std::size_t> bands_;
  std::vector<std::size_t> scores_;
};

/// What one track paid per group split: fen and rows receiving money, parallel to `splits`.
struct SplitTally {
  std::vector<std::int64_t> paid;
  std::vector<std::size_t> recipients;
};
SplitTally split_tally(const TrackResult& t);

/// The rows a track considered (eligible, and within the top N), over all its splits.
std::size_t eligible_rows(const TrackResult& t);

/// The shown rows with money from fund `f`.
std::size_t receiving_rows(const FundResult& f, const std::vector<std::size_t>& rows);

/// The shown rows on which rule `rc` fired.
std::size_t fired_rows(const RuleColumn& rc, const std::vector<std::size_t>& rows);

/// Fill and text colours (0xRRGGBB) of an alert's label: red, orange, yellow, blue and green by
/// their English or Chinese names; none for any other label.
struct Colours {
  std::uint32_t fill;
  std::uint32_t text;
};
std::optional<Colours> alert_colours(const std::string& label);

/// A param's value for people: money in 元 with thousands separators, 是/否, a table as
/// `key：value；...`.
std::string param_value(const dsl::ParamValue& v);

/// Where `--param` changed param `i` (`--param 资金池=5000万元`), or 方案中的值.
std::string param_source(const dsl::CheckedPolicy& p, std::size_t i, const std::vector<dsl::ParamOverride>& overrides);

}  // namespace jixiao::engine::tally
