// The typed AST of one policy file: an arena of expressions indexed by ExprId, and plain
// declaration structs. The checker never mutates it; it writes side tables keyed by id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "jixiao/dsl/keywords.hpp"
#include "jixiao/dsl/source.hpp"

namespace jixiao::ast {

/// Index of an expression in Module::exprs.
enum class ExprId : std::uint32_t {};
inline constexpr ExprId kNoExpr{0xFFFFFFFFu};
inline bool present(ExprId id) { return id != kNoExpr; }

/// A name as written, with its span.
struct Ident {
  std::string name;
  Span span;
};

/// A band or table label: an identifier (`A`, `红`) or a quoted string (`"5A"`).
struct Label {
  std::string text;
  bool quoted = false;
  Span span;
};

/// The unit suffix of a number literal.
enum class Unit { kNone, kPercent, kPoints };

/// A number with an optional `%` or `分`. `raw` is the value as written at scale 10^6 (so `40%`
/// has raw 40'000'000; the checker turns it into the share 0.4).
struct NumberLit {
  std::int64_t raw = 0;
  Unit unit = Unit::kNone;
};
/// A money literal (`1亿元`, `5000万元`, `12.5元`), exactly in fen.
/// The value of a number literal: `40%` is the share 0.4 (rounded half away from zero to 6
/// decimal places), `10分` and `10` are 10.
std::int64_t literal_value(const NumberLit& n);

struct MoneyLit {
  std::int64_t fen = 0;
};
struct StringLit {
  std::string value;
};
struct BoolLit {
  bool value = false;
};
/// `a` or `总分.创新层`: a dotted path of names.
struct NameRef {
  std::vector<Ident> parts;
};

enum class UnaryOp { kNeg, kNot };
struct Unary {
  UnaryOp op;
  ExprId operand;
};

enum class BinaryOp {
  kAdd, kSub, kMul, kDiv,
  kEq, kNe, kLt, kLe, kGt, kGe,
  kAnd, kOr,
  kIn, kNotIn, kAnyIn, kAllIn,
};
struct Binary {
  BinaryOp op;
  ExprId lhs;
  ExprId rhs;
  Span op_span;
};

struct If {
  ExprId cond;
  ExprId then_expr;
  ExprId else_expr;
};

struct NamedArg {
  Ident name;
  ExprId value;
};
/// `f(a, b, name: c)`; arguments may be pairs (`60 -> 0`).
struct Call {
  Ident callee;
  std::vector<ExprId> args;
  std::vector<NamedArg> named;
};
/// `a -> b`, only meaningful as an argument of interpolate().
struct Pair {
  ExprId from;
  ExprId to;
};
/// `{ "a", "b" }`.
struct SetLit {
  std::vector<ExprId> items;
};
struct TableEntry {
  Label key;
  ExprId value;
};
/// `{ "城东街道": 300万元, ... }` (a param table keyed by text).
struct TableLit {
  std::vector<TableEntry> entries;
};
/// `coef(等级) { A 0.90, B 0.65, else 0 }`.
struct Coef {
  ExprId subject;
  std::vector<TableEntry> entries;
  ExprId otherwise = kNoExpr;
};

/// `[lo, hi)` and friends; an infinite end is written `inf` or `∞`.
struct Interval {
  std::int64_t lo = 0;  ///< raw (scale 10^6)
  std::int64_t hi = 0;
  bool lo_closed = true;
  bool hi_closed = true;
  bool lo_inf = false;
  bool hi_inf = false;
  Span span;

  /// Whether x (raw, or fen) lies in the interval: the one definition of membership, for the
  /// evaluator's bands and `bands()`, explain, diff and the checker's tiling.
  [[nodiscard]] bool contains(std::int64_t x) const { return !starts_after(x) && !ends_before(x); }
  /// Whether x lies below the lower end (or on it, when it is open).
  [[nodiscard]] bool starts_after(std::int64_t x) const { return !lo_inf && (x < lo || (x == lo && !lo_closed)); }
  /// Whether x lies above the upper end (or on it, when it is open).
  [[nodiscard]] bool ends_before(std::int64_t x) const { return !hi_inf && (x > hi || (x == hi && !hi_closed)); }
  /// Whether no value lies in the interval: `[60, 50]`, `(60, 60]`.
  [[nodiscard]] bool empty() const { return !lo_inf && !hi_inf && (lo > hi || (lo == hi && !(lo_closed && hi_closed))); }
};
struct BandsEntry {
  Interval interval;
  ExprId value;
};
/// `bands(x) { [0, 60) 0, [60, 80) 5, [80, 100] 10 }`.
struct Bands {
  ExprId subject;
  std::vector<BandsEntry> entries;
};

using Expr = std::variant<NumberLit, MoneyLit, StringLit, BoolLit, NameRef, Unary, Binary, If,
                          Call, Pair, SetLit, TableLit, Coef, Bands>;

/// Calls f with each direct sub-expression of x that is present, in source order (a `coef`'s
/// `otherwise` last). Literals, names, sets and tables have none. With a mutable `x`, f gets each
/// id by reference (to re-point it).
template <typename X, typename F>
  requires std::is_same_v<std::remove_const_t<X>, Expr>
void for_each_child(X& x, F&& f) {
  std::visit(
      [&](auto& n) {
        using N = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<N, Unary>) {
          f(n.operand);
        } else if constexpr (std::is_same_v<N, Binary>) {
          f(n.lhs);
          f(n.rhs);
        } else if constexpr (std::is_same_v<N, If>) {
          f(n.cond);
          f(n.then_expr);
          f(n.else_expr);
        } else if constexpr (std::is_same_v<N, Call>) {
          for (auto& a : n.args) f(a);
          for (auto& a : n.named) f(a.value);
        } else if constexpr (std::is_same_v<N, Pair>) {
          f(n.from);
          f(n.to);
        } else if constexpr (std::is_same_v<N, Coef>) {
          f(n.subject);
          for (auto& e : n.entries) f(e.value);
          if (present(n.otherwise)) f(n.otherwise);
        } else if constexpr (std::is_same_v<N, Bands>) {
          f(n.subject);
          for (auto& e : n.entries) f(e.value);
        }
      },
      x);
}

/// The binary operations down the left of `e`, innermost first: `a + b - c` is `(a + b) - c`, so
/// for it this is [a + b, (a + b) - c]; the innermost one's `lhs` (`a`) is the chain's first
/// operand. Empty when `e` is not a binary operation. A sum of n terms nests n - 1 deep to the
/// left, however flat it is written: passes walk such a chain with a loop over this list instead
/// of recursing once per term (docs/language.md, Limits).
std::vector<ExprId> left_chain(const std::vector<Expr>& exprs, ExprId e);

/// Like for_each_child, but a chain of binary operations down the left counts as one node: f gets
/// the chain's first operand, then each right operand, in source order (the operations in between
/// are skipped). A walk that recurses through it recurses once per level of nesting, not per term.
template <typename F>
void for_each_operand(const std::vector<Expr>& exprs, ExprId e, F&& f) {
  const Expr& x = exprs[static_cast<std::uint32_t>(e)];
  if (!std::holds_alternative<Binary>(x)) return for_each_child(x, f);
  const std::vector<ExprId> chain = left_chain(exprs, e);
  f(std::get<Binary>(exprs[static_cast<std::uint32_t>(chain.front())]).lhs);
  for (const ExprId b : chain) f(std::get<Binary>(exprs[static_cast<std::uint32_t>(b)]).rhs);
}

// ---- declarations ----

struct Deadline {
  std::int64_t count = 0;
  bool workdays = false;
  Span span;
};

struct PolicyDecl {
  std::string name;
  std::string version;
  std::optional<std::string> extends;  ///< the base policy (`"std/3x"`, `"base.jx"`)
  Span extends_span;
  Span span;
};

/// `import 负面清单, 负面清单否决 from "std/negative-list"`.
struct ImportDecl {
  std::vector<Ident> names;
  std::string from;
  Span from_span;
  Span span;
};


struct SubjectDecl {
  Ident subject;
  Ident key;
  std::optional<Ident> period;  ///< the column naming each row's period, when data has several
  Span span;
};

/// `rollup 年度 { "Q1", "Q2", "Q3", "Q4" } [missing reweight]`: the policy is evaluated per coarse
/// period (`2024`), each made of the data's periods that are its text followed by one of `parts`
/// (`2024Q1` ... `2024Q4`).
struct RollupDecl {
  Ident name;                  ///< the coarse period, as the results name it
  ExprId parts;                ///< a SetLit of the sub-periods, in their order
  /// With the table form `{ "-01": "Q1", ... }`: for each sub-period, the expression written as
  /// its coarse period's suffix (a StringLit; the checker says so); empty for the list form, where
  /// a period's coarse period is what precedes its sub-period.
  std::vector<ExprId> groups;
  bool skip_missing = false;   ///< `missing reweight`: a missing sub-period is not counted
  Span missing_span;
  Span span;
};

enum class InputKind { kScore, kNumber, kPercent, kCount, kMoney, kText, kOneOf, kTextList, kBool, kNumberList, kScoreList };

/// `lo..hi` in an input type; raw values (for money: 元 at scale 10^6 as written).
struct RangeSpec {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  Span span;
};

struct InputDecl {
  Ident name;
  InputKind kind = InputKind::kNumber;
  Span type_span;
  std::optional<RangeSpec> range;
  std::optional<RangeSpec> size;  ///< lists: how many items a cell holds (`size 5..15`)
  std::vector<Label> options;  ///< one_of
  bool optional = false;       ///< an empty cell means "not available" (N/A)
  /// `only "Q4"`: in a rolled-up policy, the value is given in that sub-period only.
  std::optional<std::string> only;
  Span only_span;
  std::uint32_t order = 0;     ///< position among all declarations
  Span block;                  ///< the whole `input { ... }` block it is declared in
};

struct ParamDecl {
  Ident name;
  ExprId value;
  std::uint32_t order = 0;
};
struct SetDecl {
  Ident name;
  ExprId value;
  std::uint32_t order = 0;
};
struct LetDecl {
  Ident name;
  ExprId value;
  std::uint32_t order = 0;
};

enum class WeightKind { kNone, kPercent, kPoints, kOther };
struct Weight {
  WeightKind kind = WeightKind::kNone;
  std::int64_t raw = 0;  ///< as written (15% → 15, 10分 → 10), scale 10^6
  Span span;
};

enum class AdjustKind { kDeduct, kBonus };
/// `deduct 投诉扣分 0.5 per 有效投诉次数 when ... max 10` (or `bonus ...`).
struct Adjust {
  AdjustKind kind = AdjustKind::kDeduct;
  Ident name;
  ExprId amount = kNoExpr;
  ExprId per = kNoExpr;
  ExprId when = kNoExpr;
  ExprId max = kNoExpr;
  Span span;
};

/// What a scored indicator is worth when its formula reads an optional input that is missing.
enum class MissingRule { kNone, kZero, kPeerAverage, kReweight };

/// One node of an indicator tree. Roots have parent == kNoNode.
struct IndicatorNode {
  static constexpr std::uint32_t kNoNode = 0xFFFFFFFFu;
  Ident name;
  Weight weight;
  ExprId formula = kNoExpr;
  MissingRule missing = MissingRule::kNone;
  Span missing_span;
  std::vector<std::uint32_t> children;
  std::vector<Adjust> adjusts;
  ExprId deductions_max = kNoExpr;
  ExprId bonuses_max = kNoExpr;
  std::uint32_t parent = kNoNode;
  std::uint32_t order = 0;
  bool detached = false;  ///< removed by a variant, or the holder of an `add`: not part of any tree
  /// The segment (index into Module::segments) whose tree this node belongs to, once the linker has
  /// built one tree per segment; kNoNode for the trees of a policy without segments.
  std::uint32_t segment = kNoNode;
  Span span;
};

enum class EffectKind { kGradeForce, kGradeCap, kGradeDown, kAlert, kFundZero };
struct VetoEffect {
  EffectKind kind = EffectKind::kGradeForce;
  std::optional<Ident> target;  ///< the grade, alert or fund declaration, when named
  Label label;                  ///< grade or alert label
  std::int64_t steps = 0;       ///< kGradeDown
  Span span;
};

struct VetoDecl {
  Ident name;
  ExprId when = kNoExpr;
  std::vector<VetoEffect> effects;
  std::optional<std::string> reason;
  Span reason_span;
  std::uint32_t order = 0;
  Span span;
};

struct Band {
  Label label;
  Interval interval;
  bool has_interval = true;  ///< false: a label only veto effects can give
  std::optional<Deadline> deadline;
  std::optional<std::string> text;
  Span span;
};

enum class BandKind { kGrade, kAlert };
struct BandDecl {
  BandKind kind = BandKind::kGrade;
  Ident name;
  ExprId of = kNoExpr;
  std::vector<Band> bands;
  std::uint32_t order = 0;
  Span span;
};

enum class TrackMode { kSplitBy, kEqually, kTop };
/// `top p% of all` counts every row of the group, `of eligible` (the default) only the eligible ones.
enum class TopBase { kUnwritten, kEligible, kAll };
/// `top p% rounded up` takes ceil(base × p%), `rounded down` (the default) floor, at least one.
enum class TopRounding { kUnwritten, kDown, kUp };
struct Track {
  Ident name;
  Weight share;
  TrackMode mode = TrackMode::kSplitBy;
  ExprId by = kNoExpr;            ///< kSplitBy: weight; kTop: ranking value
  std::int64_t top_raw = 0;       ///< kTop: n (or n% when top_percent), raw
  bool top_percent = false;
  Span top_span;
  TopBase top_base = TopBase::kUnwritten;              ///< kTop with %: what p% counts
  TopRounding top_rounding = TopRounding::kUnwritten;  ///< kTop with %: how a fraction of a row counts
  Span top_option_span;                                ///< `of all`, `rounded up`, ... as written
  ExprId proportional = kNoExpr;  ///< kTop: weight among the top; kNoExpr → equal shares
  ExprId when = kNoExpr;          ///< eligibility
  Span span;
};

struct TieKey {
  ExprId key = kNoExpr;  ///< a NameRef
  bool descending = false;
};

struct FundDecl {
  Ident name;
  ExprId pool = kNoExpr;
  ExprId per_group = kNoExpr;
  std::vector<Track> tracks;
  std::vector<TieKey> ties;
  std::optional<Span> rounding;  ///< `rounding fen` (the only rounding), when written
  std::uint32_t order = 0;
  Span span;
};

enum class OverrideKind { kWeight, kFormula, kCoef, kBand };
/// `override PATH weight 25%` / `= formula` / `coef { ... }` / `[lo, hi) deadline ... "text"`.
struct OverrideDecl {
  NameRef target;
  OverrideKind kind = OverrideKind::kWeight;
  Weight weight;
  ExprId formula = kNoExpr;
  std::vector<TableEntry> coef_entries;
  ExprId coef_else = kNoExpr;
  std::optional<Interval> interval;
  std::optional<Deadline> deadline;
  std::optional<std::string> text;
  Span span;
};

/// `remove PATH`.
struct RemoveDecl {
  NameRef target;
  Span span;
};

/// `add PATH { ... }`: sub-indicators, deductions and bonuses added to an existing indicator. The
/// items are held by `holder`, a node of Module::nodes that is not a root.
struct AddDecl {
  NameRef target;
  std::uint32_t holder = 0;
  Span span;
};

/// `segment 农村 when 城乡类型 == "农村" { override ... remove ... add ... }`: the rows where the
/// condition holds are scored with the policy's trees changed by these edits (docs/language.md §13).
struct SegmentDecl {
  Ident name;
  ExprId when = kNoExpr;
  std::vector<OverrideDecl> overrides;
  std::vector<RemoveDecl> removes;
  std::vector<AddDecl> adds;
  Span span;
};

struct OutputDecl {
  std::vector<ExprId> items;  ///< NameRefs
  Span span;
};

struct PrecisionDecl {
  int places = 2;
  Span span;
};

/// A `#` comment: its span runs from `#` to the end of its line, without the line break.
struct Comment {
  Span span;
};

/// One parsed policy file. Owns its expressions; refers to its SourceFile by id only, so the
/// SourceSet must outlive every use of spans.
struct Module {
  SourceId source = kNoSource;
  std::vector<Expr> exprs;
  std::vector<Span> expr_spans;

  std::optional<PolicyDecl> policy;
  std::optional<SubjectDecl> subject;
  std::optional<RollupDecl> rollup;
  std::vector<InputDecl> inputs;
  std::vector<ParamDecl> params;
  std::vector<SetDecl> sets;
  std::vector<LetDecl> lets;
  std::vector<IndicatorNode> nodes;  ///< all tree nodes; roots listed in `roots`
  std::vector<std::uint32_t> roots;
  std::vector<VetoDecl> vetoes;
  std::vector<BandDecl> bands;  ///< grades and alerts
  std::vector<FundDecl> funds;
  std::optional<OutputDecl> output;
  std::optional<PrecisionDecl> precision;
  std::vector<ImportDecl> imports;
  std::vector<OverrideDecl> overrides;
  std::vector<RemoveDecl> removes;
  std::vector<AddDecl> adds;
  std::vector<SegmentDecl> segments;
  std::vector<Comment> comments;  ///< every comment of the file, in order (kept by `jixiao fmt`)
  /// Every keyword as written, in source order: which spelling, English or Chinese (`jixiao fmt`
  /// keeps it). A phrase's English spelling is recorded at its first word.
  std::vector<jixiao::dsl::KeywordUse> keywords;

  ExprId add(Expr e, Span span) {
    exprs.push_back(std::move(e));
    expr_spans.push_back(span);
    return ExprId{static_cast<std::uint32_t>(exprs.size() - 1)};
  }
  [[nodiscard]] const Expr& expr(ExprId id) const { return exprs[static_cast<std::uint32_t>(id)]; }
  [[nodiscard]] Span span(ExprId id) const { return expr_spans[static_cast<std::uint32_t>(id)]; }
};

/// Text of a dotted path: "总分.创新层".
std::string path_text(const NameRef& ref);

}  // namespace jixiao::ast
