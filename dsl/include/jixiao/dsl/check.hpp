// The checker: names, types, weights, bands, funds and vetoes of a parsed policy, without data.
// It never mutates the AST; it produces a CheckedPolicy (the AST plus side tables keyed by id),
// which is the only thing the engine accepts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/dsl/functions.hpp"
#include "jixiao/dsl/source.hpp"

namespace jixiao::dsl {

enum class TypeKind : std::uint8_t {
  kError,     ///< already reported; suppresses follow-on errors
  kNumber,    ///< exact decimal (scores, counts, percentages, coefficients)
  kMoney,     ///< whole fen
  kBool,
  kText,
  kTextList,
  kNumberList,  ///< list<number>, list<score>: only read whole by avg, min, max, sum, size, trimmed_mean
  kLabel,     ///< one label of a Domain (grades, alerts, one_of inputs)
  kSet,       ///< a set of texts
  kTable,     ///< a param table: text → number or money
  kFund,      ///< a fund: only usable in `output`
  kPair,      ///< `a -> b` inside interpolate()
};

struct Type {
  TypeKind kind = TypeKind::kError;
  std::uint32_t domain = 0;              ///< kLabel: index into CheckedPolicy::domains
  TypeKind value = TypeKind::kError;     ///< kTable: the type of its values
  friend bool operator==(const Type&, const Type&) = default;
};

/// Static range of a number (raw, scale 10^6) or money (fen) value; an infinite end is unbounded.
struct NumRange {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  bool lo_inf = true;
  bool hi_inf = true;
  static NumRange exact(std::int64_t v) { return {v, v, false, false}; }
  static NumRange between(std::int64_t a, std::int64_t b) { return {a, b, false, false}; }
  static NumRange unbounded() { return {}; }
  /// Whether v lies in the range (both ends closed).
  [[nodiscard]] bool contains(std::int64_t v) const { return (lo_inf || v >= lo) && (hi_inf || v <= hi); }
};

/// The labels of a grade, an alert or a one_of input. For grades the first label is the best;
/// for alerts the first is the most severe; one_of options keep their written order.
struct Domain {
  std::string name;
  std::vector<std::string> labels;
};

enum class SymbolId : std::uint32_t {};
inline constexpr SymbolId kNoSymbol{0xFFFFFFFFu};

enum class SymbolKind { kKey, kInput, kParam, kSet, kLet, kIndicator, kVeto, kGrade, kAlert, kFund };

/// Everything a name can refer to. `index` indexes the matching Module vector (inputs, params,
/// sets, lets, nodes, vetoes, bands, funds); for kKey it is 0 (the key) or 1 (the period column).
struct Symbol {
  SymbolKind kind = SymbolKind::kInput;
  std::string name;  ///< as referenced: `总分.创新层` for tree nodes
  std::uint32_t index = 0;
  std::uint32_t order = 0;  ///< declaration order, the planner's tie-break
  Span span;
  Type type;
  NumRange range;
};

/// `from` reads what `to` produces; `where` is the span that says so.
struct Dep {
  SymbolId to = kNoSymbol;
  Span where;
};

/// What the checker worked out about one indicator node.
struct NodeInfo {
  SymbolId symbol = kNoSymbol;
  std::int64_t full = 0;     ///< full marks in points of the root (raw), e.g. 15 for 设施覆盖率
  bool points = false;       ///< weighted in 分 (its formula gives points) rather than in %
};

/// A param's value after command-line overrides: number (raw), money (fen), text, bool or table.
struct ParamValue {
  Type type;
  std::int64_t number = 0;
  std::string text;
  bool boolean = false;
  std::map<std::string, std::int64_t> table;  ///< key → raw or fen
  bool overridden = false;
};

/// A veto's effect with its target resolved.
struct ResolvedEffect {
  ast::EffectKind kind = ast::EffectKind::kGradeForce;
  std::uint32_t target = 0;  ///< index into Module::bands (grade/alert) or Module::funds
  bool all_funds = false;    ///< kFundZero without a named fund
  std::uint32_t label = 0;   ///< index into the target's Domain
  std::int64_t steps = 0;
};

/// A checked policy: the AST it owns plus side tables. Built only by check().
struct CheckedPolicy {
  ast::Module module;
  std::vector<Symbol> symbols;
  std::vector<std::vector<Dep>> deps;  ///< per symbol
  std::vector<Type> expr_type;          ///< per ExprId
  std::vector<NumRange> expr_range;     ///< per ExprId (numbers and money)
  std::vector<SymbolId> expr_ref;       ///< per ExprId: the symbol a NameRef names
  std::vector<Builtin> expr_builtin;    ///< per ExprId: the builtin a Call calls (kNoBuiltin if rejected)
  std::vector<Domain> domains;
  std::vector<NodeInfo> nodes;          ///< parallel to module.nodes
  std::vector<ParamValue> params;       ///< parallel to module.params
  std::vector<std::vector<ResolvedEffect>> veto_effects;  ///< parallel to module.vetoes
  std::vector<std::uint32_t> band_domain;  ///< parallel to module.bands: its Domain
  std::vector<std::uint32_t> input_domain; ///< parallel to module.inputs (one_of only)
  /// Parallel to module.funds: the pool in fen when it is one constant amount (after overrides).
  std::vector<std::optional<std::int64_t>> fund_pool;
  SymbolId key = kNoSymbol;
  SymbolId period = kNoSymbol;  ///< the period column (a kKey symbol with index 1), when declared
  int precision = 2;

  [[nodiscard]] const Symbol& symbol(SymbolId id) const { return symbols[static_cast<std::uint32_t>(id)]; }
  [[nodiscard]] Type type(ast::ExprId id) const { return expr_type[static_cast<std::uint32_t>(id)]; }
  [[nodiscard]] NumRange range(ast::ExprId id) const { return expr_range[static_cast<std::uint32_t>(id)]; }
  [[nodiscard]] SymbolId ref(ast::ExprId id) const { return expr_ref[static_cast<std::uint32_t>(id)]; }
  [[nodiscard]] Builtin builtin(ast::ExprId id) const { return expr_builtin[static_cast<std::uint32_t>(id)]; }
  /// Whether `id` is a call of a function over other rows (history or peers).
  [[nodiscard]] bool reads_other_rows(ast::ExprId id) const { return dsl::reads_other_rows(builtin(id)); }
  /// The symbol of a top-level name, or kNoSymbol.
  [[nodiscard]] SymbolId find(std::string_view name) const;
  /// The most a leaf's formula may give before it is clamped: its full marks for a `分` item, 100
  /// for a `%` item.
  [[nodiscard]] std::int64_t leaf_top(std::uint32_t node) const;
  /// Whether the formula of leaf `node` can give more than leaf_top (its computed range): `check`
  /// warns (`score-clamped`) and the evaluation shows each row it cuts (`封顶:路径`).
  [[nodiscard]] bool leaf_can_exceed(std::uint32_t node) const;
};

/// `--param NAME=VALUE` (or `NAME.KEY=VALUE` for one entry of a table) from the command line.
struct ParamOverride {
  std::string name;
  std::string value;
};

struct CheckOptions {
  std::vector<ParamOverride> params;
  /// For editors (`jixiao lsp`): return the policy even when errors were reported, with its tables
  /// as far as checking got (types of what could not be checked are kError). Never given to the engine.
  bool keep_on_error = false;
};

/// Checks `module`. Reports every finding to `sink` (the checker goes on after errors to report as
/// many as it can). Returns nullopt iff at least one error was reported (unless keep_on_error). Dependency cycles are not
/// checked here: the planner finds them (engine/planner.hpp).
std::optional<CheckedPolicy> check(const SourceSet& sources, ast::Module module,
                                   const CheckOptions& options, DiagnosticSink& sink);

/// The optional inputs (indices into Module::inputs) whose missing values reach `e`: read directly
/// or through lets, but not inside `present(...)` or `fill(...)`. Sorted, without repeats.
std::vector<std::uint32_t> optional_inputs(const CheckedPolicy& policy, ast::ExprId e);

/// The word for a kind of symbol in messages: "input", "let", "indicator", ...
std::string kind_name(SymbolKind kind);
/// The word for a symbol as a catalogue message (msg::kind_input, ...), for messages and labels in
/// either language; the period column (the second key symbol) is msg::kind_period.
Message kind_message(const Symbol& symbol);

/// Human-readable name of a type, for messages: "number", "money", "text", ...
std::string type_name(const Type& t, const std::vector<Domain>& domains);

}  // namespace jixiao::dsl
