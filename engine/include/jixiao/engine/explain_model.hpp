// The model of `jixiao explain`: the derivation of one row as plain structs, built once from what
// the engine recorded on the row (EvalResult::trace) and its results (explain_model), and read by
// every renderer: the text and JSON of `jixiao explain` and the per-community sheets of `jixiao
// report`. Nothing here computes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/engine/dataset.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "jixiao/engine/results.hpp"

namespace jixiao::engine::explain {

/// A value as shown: its kind decides the unit in text and the JSON type.
struct Val {
  enum class Kind { kNumber, kScore, kPercent, kMoney, kBool, kText, kList, kNumberList, kSet, kMissing };
  Kind kind = Kind::kNumber;
  std::int64_t raw = 0;  ///< number (raw), score (raw), percent (raw), money (fen), bool (0/1)
  /// A value inside a fund weight, exactly: first ÷ second (fen when money); `raw` is it rounded.
  std::optional<std::pair<Int128, Int128>> exact;
  std::string text;
  std::vector<std::string> items;  ///< lists (number lists as decimal text)
};

struct Read {
  std::string name;
  Val value;
};

/// A periods' value a history function used.
struct HistoryItem {
  std::string period;
  Val value;
};

/// The value of a sub-expression (a function call, `coef`, `bands`), with what history it used.
struct Detail {
  std::string expr;
  Val value;
  std::string note;
  std::vector<HistoryItem> history;
  /// How the engine rounded operations of it (the value is not exact): 1 to 6 decimals, 2 money to
  /// the fen, 3 both; 0 exact.
  int rounded = 0;
};

/// An expression with its value on the row, the names it read and its inner values.
struct Formula {
  std::string text;
  Val value;
  int rounded = 0;  ///< as Detail::rounded
  std::vector<Read> reads;
  std::vector<Detail> details;
};

struct Adjustment {
  bool bonus = false;
  std::string name;
  Formula amount;
  std::optional<Formula> per;
  std::optional<Formula> when;
  std::optional<std::int64_t> product;  ///< amount × per, at 6 decimals (with `per`)
  std::int64_t computed = 0;  ///< amount (× per), 0 when the condition fails, never below 0
  std::optional<std::int64_t> cap;
  bool capped = false;
  std::int64_t applied = 0;
};

/// The total of one node's deductions (or bonuses) and its `deductions max` (or `bonuses max`).
struct Total {
  std::int64_t total = 0;
  std::optional<std::int64_t> cap;
  bool capped = false;
  std::int64_t applied = 0;
};

struct Node {
  std::string name;
  std::string path;
  int depth = 0;
  std::string weight;  ///< as written ("40%", "30分"); empty for a root
  std::int64_t full = 0;
  bool points = false;
  bool leaf = false;
  std::optional<Formula> formula;
  bool missing = false;
  std::string missing_rule;  ///< "zero", "peer_average", "reweight"
  std::vector<std::string> missing_inputs;
  int clamp = 0;  ///< -1 raised to 0, +1 lowered to the maximum
  std::int64_t clamp_limit = 0;
  std::int64_t clamped = 0;
  std::int64_t unrounded = 0;  ///< the leaf's points before rounding to the precision
  std::vector<Node> children;
  std::int64_t sum = 0;
  bool reweighted = false;
  std::int64_t absent_full = 0;
  std::int64_t reweight_scaled = 0;  ///< sum × full ÷ (full − absent_full) at 6 decimals, before rounding
  bool absent = false;  ///< dropped out of its parent (`missing reweight`)
  std::int64_t base = 0;  ///< before deductions and bonuses
  bool adjusted = false;
  std::vector<Adjustment> adjustments;
  Total deductions;
  Total bonuses;
  bool floored = false;  ///< the deductions took more than `base`: the result is 0 (+ bonuses)
  std::int64_t combined = 0;  ///< base − deductions (at least 0) + bonuses, before rounding to the precision
  std::int64_t score = 0;
};

struct LetStep {
  std::string name;
  Formula formula;
  bool missing = false;
};

struct EffectInfo {
  std::string kind;    ///< "grade", "grade_at_most", "grade_down", "alert", "fund_zero"
  std::string target;  ///< the grade, alert or fund; empty for every fund
  std::string label;
  std::int64_t steps = 0;
  std::string text;
};

struct VetoStep {
  std::string name;
  Formula condition;
  bool fired = false;
  std::string reason;
  std::vector<EffectInfo> effects;
};

struct BandEffect {
  std::string veto;
  std::string effect;
  std::string before;
  std::string after;
};

struct BandStep {
  std::string name;
  bool alert = false;
  Formula of;
  bool found = false;
  std::string band;
  std::string interval;
  std::vector<BandEffect> effects;
  std::string label;
  std::vector<std::string> changed_by;
  std::string deadline;
  std::string text;
};

struct TrackStep {
  std::string name;
  std::string share;
  ast::TrackMode mode = ast::TrackMode::kSplitBy;
  std::string top;  ///< "2" or "10%"
  std::optional<Formula> when;
  std::vector<std::string> excluded_by;
  bool eligible = false;
  std::optional<Formula> rank;  ///< top N: the ranking value
  bool in_top = false;
  std::optional<Val> lowest_in_top;  ///< the lowest ranking value that made the top N
  std::optional<Formula> weight;  ///< split by, or proportional to (top N)
  bool money_weight = false;
  bool has_split = false;
  std::int64_t pool = 0;  ///< the track's part of the row's group pool (fen)
  bool in_split = false;
  Int128 w = 0;                ///< the row's weight: w ÷ denominator (fen when money)
  Int128 denominator = 1;
  Int128 total_weight = 0;
  std::size_t recipients = 0;
  Int128 numerator = 0;  ///< pool × w (fen × weight)
  Int128 whole = 0;      ///< floor(pool × w / W): whole fen
  Int128 remainder = 0;  ///< pool × w mod W
  std::int64_t leftover = 0;  ///< fen left after every recipient's whole fen, paid by remainders
  bool extra = false;
  std::int64_t amount = 0;
};

struct FundStep {
  std::string name;
  std::string pool_expr;
  std::string per_expr;
  std::string group;
  std::int64_t group_pool = 0;
  std::int64_t fund_pool = 0;
  std::vector<TrackStep> tracks;
  std::int64_t total = 0;
};

struct Explanation {
  std::string policy;
  std::string version;
  std::string subject;
  std::string key_column;
  std::string key;
  std::size_t row = 0;
  std::uint32_t shown_row = 1;  ///< the row as messages number it (Dataset::shown_row)
  std::string period;
  std::string first_period;
  int precision = 2;
  std::string segment;       ///< the row's segment (docs/language.md §13), empty without segments
  std::string segment_when;  ///< its condition, as written
  std::vector<Node> trees;   ///< with segments, the trees of the row's segment
  std::vector<LetStep> lets;
  std::vector<VetoStep> vetoes;
  std::vector<BandStep> bands;
  std::vector<FundStep> funds;
  bool has_rules = false;             ///< the policy has rules that can fire
  std::vector<ReasonEntry> reasons;  ///< the rules that fired: the row's `触发规则`
};

/// The derivation of `row` (one of result.selected) from `result`, which must come from evaluate()
/// over `data` with trace = explain_trace(policy) and the row in EvalOptions::trace_rows
/// (explain.hpp); std::logic_error when the row was not traced.
Explanation explain_model(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result, std::size_t row);

/// The explanation as `jixiao explain` prints it (text for people, in Chinese).
std::string explain_text(const Explanation& x);

/// The explanation as one JSON document (`jixiao explain --format json`).
std::string explain_json(const Explanation& x);

}  // namespace jixiao::engine::explain
