// `jixiao diff`: the semantic difference between two checked (merged) policies, and its impact on
// the results of the same data evaluated under both.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/message.hpp"
#include "jixiao/engine/dataset.hpp"
#include "jixiao/engine/evaluator.hpp"

namespace jixiao::engine {

enum class ChangeKind { kAdded, kRemoved, kMoved, kChanged };

class ChangePatch;  // engine/src/diff/patch.hpp

/// A band whose interval changed (or that was added or removed), for telling on which rows the
/// change matters: only where the banded value lies in one interval and not in the other.
struct BandEdit {
  std::string decl;                          ///< the grade or alert, e.g. "预警"
  std::optional<ast::Interval> before;       ///< absent when the band (or its interval) is new
  std::optional<ast::Interval> after;        ///< absent when the band (or its interval) is gone
};

/// One difference between the old and the new policy. Things are identified by name or path,
/// never by position; every text is canonical (`dsl::unparse`), so layout is never a change.
struct RuleChange {
  std::string section;  ///< "policy", "inputs", "params", "sets", "lets", "indicators", "vetoes",
                        ///< "grades", "alerts", "funds", "output"
  ChangeKind kind = ChangeKind::kChanged;
  /// kChanged: what changed ("weight", "full marks", "formula", "band", "coef", "value", ...);
  /// kAdded/kRemoved: what was added or removed ("indicator", "band", "track", "deduct", ...);
  /// kMoved: "indicator".
  std::string aspect;
  std::string target;  ///< "总分.创新", "预警.红", "奖补.绩效"; for kMoved the old path
  std::string before;  ///< canonical old text (kMoved: the old path); empty when there is none
  std::string after;   ///< canonical new text (kMoved: the new path); empty when there is none
  /// Symbols (by name) whose values the change can alter directly, in each policy; their
  /// dependents (CheckedPolicy::deps, transitively) are what the change reaches.
  std::vector<std::string> old_symbols;
  std::vector<std::string> new_symbols;
  bool derived = false;   ///< a consequence of other changes (full marks of a sibling): shown, never a cause
  bool cosmetic = false;  ///< alters no value (a deadline, a text, the output columns): never a cause
  std::optional<BandEdit> band;
  /// Makes this change, alone, in a copy of the old policy's merged module (compute_impact: what
  /// the change does by itself). Empty when a change of its kind is not made alone: one that
  /// changes what the data is read as (key, period, roll-up, inputs), the shape of a tree (an
  /// indicator added, removed or moved, sub-indicators for a formula), or the order of labels.
  std::function<void(ChangePatch&)> apply;
  /// Changes that are only made together, never one without the others, share a unit: the weights
  /// of the children of one indicator, the intervals of one grade or alert, the shares (and tracks)
  /// of one fund. Empty: a unit of its own.
  std::string unit;
};

/// The changes, grouped by section in a fixed order, and within a section in the new policy's
/// declaration order (removed things in the old one's).
struct PolicyDiff {
  std::vector<RuleChange> changes;
  /// Whether anything but derived changes differs; the policies are equal otherwise.
  [[nodiscard]] bool equal() const;
};

/// Compares two checked policies (each merged: imports and overrides applied, params after
/// command-line overrides).
PolicyDiff diff_policies(const dsl::CheckedPolicy& old_policy, const dsl::CheckedPolicy& new_policy);

/// The files and policies compared, for headings.
struct DiffLabels {
  std::string old_file;
  std::string new_file;
  std::string old_policy;  ///< "名称 版本"
  std::string new_policy;
};

/// The changes for people, in `lang`: a heading, then one aligned line per change under its
/// section, `aspect  target  old → new` (canonical texts are policy text, the same in every language).
std::string format_diff_text(const PolicyDiff& diff, const DiffLabels& labels, Lang lang);

/// The changes for tools: `{"version":1,"old":{...},"new":{...},"equal":...,"changes":[...]}`,
/// with stable English codes whatever the language of the run.
std::string format_diff_json(const PolicyDiff& diff, const DiffLabels& labels);

/// One policy's side of an impact comparison. All three must outlive the Impact.
struct ImpactSide {
  const dsl::CheckedPolicy* policy = nullptr;
  const Dataset* data = nullptr;
  const EvalResult* result = nullptr;
};

/// What a compared output is.
enum class OutputKind { kScore, kGrade, kAlert, kVetoes, kMoney };

/// One compared output: a tree's total, a grade, an alert, the vetoes that fired, one fund track
/// or a fund's total. Outputs present in only one policy are not compared, except fund tracks
/// and funds, whose missing side pays 0.
struct ComparedOutput {
  std::string name;  ///< "总分", "等级", "预警", "vetoes", "奖补.绩效", "奖补"
  OutputKind kind = OutputKind::kScore;
  int old_places = 2;  ///< kScore: the precision of each policy
  int new_places = 2;
};

/// A part of a change of money: what some changes move.
struct MoneyPart {
  std::vector<std::size_t> changes;  ///< indices into PolicyDiff::changes (one unit); empty: the rest
  std::int64_t fen = 0;
};

/// One output of one community, old and new.
struct OutputValue {
  std::int64_t before = 0;  ///< kScore raw, kMoney fen, otherwise unused
  std::int64_t after = 0;
  std::string before_text;  ///< kGrade/kAlert label; kVetoes the fired vetoes joined by ";"
  std::string after_text;
  bool changed = false;
  /// Indices into PolicyDiff::changes, in that order: the changes whose units (RuleChange::unit),
  /// each made alone in the old policy, change this output; with `jointly`, none does, and these
  /// are the changes that reach it, which change it together.
  std::vector<std::size_t> causes;
  bool jointly = false;
  /// The changes that reach this output but were not made alone (Impact::unmade): what they did
  /// is not known.
  std::vector<std::size_t> unknown;
  /// kMoney, with the causes made alone: what each cause's unit alone moves (fen), in the order of
  /// `causes`, then the rest (`changes` empty: jointly, or from the `unknown` ones) when it is not
  /// 0. The parts add up to after − before exactly.
  std::vector<MoneyPart> parts;
};

/// A community whose results differ.
struct CommunityImpact {
  std::string key;
  std::vector<OutputValue> values;  ///< parallel to Impact::outputs
};

/// Moves of one grade or alert across the compared communities.
struct LabelMoves {
  std::string name;
  OutputKind kind = OutputKind::kGrade;
  std::size_t up = 0;         ///< grades: to a better grade; alerts: to a more severe colour
  std::size_t down = 0;       ///< grades: to a worse grade; alerts: to a less severe colour
  std::size_t other = 0;      ///< to a label the new policy orders differently or lacks
  std::size_t unchanged = 0;
};

/// Money of one track (or a fund's total) on both sides.
struct MoneyMoved {
  std::string name;             ///< "奖补.绩效", or "奖补" for the fund's total
  std::int64_t old_total = 0;   ///< fen paid out under the old policy
  std::int64_t new_total = 0;
  std::int64_t abs_changes = 0; ///< sum over communities of |new − old| (fen); moved = abs_changes / 2
  std::size_t gainers = 0;      ///< communities paid more, and how much more in all (fen)
  std::int64_t gained = 0;
  std::size_t losers = 0;       ///< communities paid less, and how much less in all (fen)
  std::int64_t lost = 0;
};

/// Why a unit of changes was not made alone.
enum class UnmadeWhy {
  kKind,      ///< a change of its kind is not made alone (RuleChange::apply is empty)
  kCheck,     ///< the old policy with only these changes does not check (or has a dependency cycle)
  kEvaluate,  ///< it cannot be evaluated on the old policy's data (an error, or a roll-up's `sub_` value it lacks)
};

struct UnmadeUnit {
  std::vector<std::size_t> changes;  ///< indices into PolicyDiff::changes
  UnmadeWhy why = UnmadeWhy::kKind;
};

struct Impact {
  std::string data_path;
  std::string key_name;            ///< the new policy's key column, e.g. "社区编码" (empty without one)
  std::string period;              ///< the evaluated period, when the data has periods
  std::vector<ComparedOutput> outputs;
  std::size_t compared = 0;        ///< communities evaluated under both policies
  std::size_t only_old = 0;        ///< keys only the old evaluation reported
  std::size_t only_new = 0;
  std::vector<CommunityImpact> communities;  ///< the changed ones, in the new data's order
  std::vector<LabelMoves> moves;
  std::vector<MoneyMoved> money;
  /// With a Reevaluation: the units of changes that could have changed a value but were not made alone.
  std::vector<UnmadeUnit> unmade;
};

/// What compute_impact needs to evaluate the old policy with some of the changes made.
struct Reevaluation {
  const SourceSet* sources = nullptr;      ///< where both policies were read from
  std::vector<dsl::ParamOverride> params;  ///< the old policy's `--param` overrides
  Dataset* data = nullptr;                 ///< the old side's data (its text pool may grow)
  EvalOptions options;                     ///< as the old side was evaluated
};

/// Compares the results of the same data under the old and the new policy, community by
/// community (matched by key). Never a cause: derived and cosmetic changes, and a change whose
/// directly altered symbols have the same values on every row under both policies. The other
/// changes are grouped into units (RuleChange::unit); with `rerun`, each unit is made alone in the
/// old policy, which is evaluated again on the old data (once per unit), and an output's causes are
/// the units that alone change it (money split by cause); when none does, the changes that reach it
/// cause it jointly. Without `rerun`, or for a unit that cannot be made alone, an output's causes
/// are the changes whose effect reaches it through the dependency graph of either policy (a band
/// change only on the rows whose banded value, old or new, lies in the old interval or the new one
/// but not both, and downstream only when that holds on some row).
Impact compute_impact(const PolicyDiff& diff, const ImpactSide& old_side, const ImpactSide& new_side,
                      const Reevaluation* rerun = nullptr);

/// The impact for people: the changed communities with each changed output `old → new`, its delta
/// and the changes that reach it; then grade and alert moves and the money moved per track, in `lang`.
std::string format_impact_text(const PolicyDiff& diff, const Impact& impact, Lang lang);

/// One CSV row per changed community: the key (headed by the key column's name), then `NAME.调整前`,
/// `NAME.调整后` (and `NAME.增减`, unsigned when positive, for scores and money) for every compared
/// output (the vetoes as `否决`), then `规则变化` (the causes of all its changes in Chinese, joined
/// by "；"). Chinese whatever the language of the run, like the results of `eval` (docs/diff.md).
std::string format_impact_csv(const PolicyDiff& diff, const Impact& impact);

/// The rule changes and the impact as one JSON document.
std::string format_impact_json(const PolicyDiff& diff, const DiffLabels& labels, const Impact& impact);

/// `target aspect old → new` (or `target added`, ...) in `lang`: how a change is named as a cause.
std::string cause_text(const RuleChange& change, Lang lang);

}  // namespace jixiao::engine
