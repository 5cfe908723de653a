// Internal: the Checker class. check.cpp runs its passes; its members are defined by concern in
// the files each section below names.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "checker.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/edit_distance.hpp"

namespace jixiao::dsl::check_detail {

// type_name, in the chosen language.
Message type_message(const Type& t, const std::vector<Domain>& domains);

using ast::ExprId;

inline constexpr std::int64_t kOne = decimal::kOne;
inline constexpr std::int64_t kHundred = 100 * kOne;

inline Type T(TypeKind k) { return Type{k, 0, TypeKind::kError}; }

inline bool is_num(const Type& t) { return t.kind == TypeKind::kNumber; }
inline bool is_money(const Type& t) { return t.kind == TypeKind::kMoney; }
inline bool is_err(const Type& t) { return t.kind == TypeKind::kError; }

inline std::string pct(std::int64_t raw) { return decimal::to_string(raw) + "%"; }

class Checker {
 public:
  Checker(const SourceSet& sources, CheckedPolicy& p, const CheckOptions& options, DiagnosticSink& sink)
      : sources_(sources), p_(p), m_(p.module), options_(options), sink_(sink) {}

  void run();

 private:
  // ---- reporting (check.cpp) ----

  void error(DiagCode code, Span span, Message message, std::optional<Message> hint = {});
  void error_with_note(DiagCode code, Span span, Message message, std::optional<Message> hint, Span note_span,
                       Message note);
  Message tn(const Type& t) const { return type_message(t, p_.domains); }
  std::string_view span_text(Span s) const;
  std::string expr_text(ExprId e) const;

  // ---- declarations, symbols and names (symbols.cpp) ----

  void header();
  SymbolId add_symbol(SymbolKind kind, std::string name, std::uint32_t index, std::uint32_t order, Span span,
                      bool top_level);
  void declare();
  void declare_node(std::uint32_t index, const std::string& prefix);
  void declare_rule_names();
  std::uint32_t add_domain(std::string name, const std::vector<ast::Label>& labels,
                           const MessageDef<msg::Text>& listed_twice);
  void domains();
  void add_dep(SymbolId to, Span where);
  Symbol& sym(SymbolId id) { return p_.symbols[static_cast<std::uint32_t>(id)]; }
  void ensure(SymbolId id);
  void input(Symbol& s);
  void param(Symbol& s);
  void overrides();
  void bad_override(const ParamOverride& o, Message expected);
  SymbolId resolve(const ast::NameRef& ref, ExprId e);
  SymbolId lookup(const ast::NameRef& ref) const;
  bool on_cycle_with_current(SymbolId id) const;
  void unknown_name(const ast::Ident& name, ExprId e);

  // ---- indicator trees: weights, full marks, formulas and adjustments (trees.cpp) ----

  std::string node_path(std::uint32_t index) const;
  void structure(std::uint32_t root);
  std::string weight_text(const ast::Weight& w) const { return std::string(span_text(w.span)); }
  void weights_error(const ast::IndicatorNode& n, Message message, const std::string& kids);
  void structure_node(std::uint32_t index, std::int64_t full);
  void indicator(SymbolId id);
  void indicator_node(SymbolId id, std::uint32_t index);
  void number_expr(ExprId e, Message what);
  NumRange adjust(const ast::Adjust& a, const std::string& node);

  // ---- vetoes, grades and alerts (rules.cpp) ----

  void veto(SymbolId id);
  bool resolve_label(const ast::Label& label, std::uint32_t domain, std::uint32_t& out);
  bool resolve_band_target(const ast::VetoEffect& e, bool grade, ResolvedEffect& r);
  bool resolve_fund_target(const ast::VetoEffect& e, ResolvedEffect& r);
  void link_effect(SymbolId target, Span where);
  std::optional<Message> candidates_hint(const std::string& name, SymbolKind kind);
  void band_decl(SymbolId id);

  // ---- funds and constant values (funds.cpp) ----

  void fund(SymbolId id);
  void track(const ast::FundDecl& f, const ast::Track& t);
  bool constant_expr(ExprId e);
  void fund_pools();
  std::optional<std::int64_t> const_value(ExprId e);
  std::optional<std::int64_t> const_binary(const ast::Binary& b, std::int64_t l);

  // ---- roll-up and segments (segments.cpp) ----

  bool segment_read(SymbolId id, ExprId e);
  void segments();
  std::vector<std::uint32_t> unguarded_optional(ExprId e, int depth = 0) const;
  void names_in(ExprId e, std::vector<ExprId>& out) const;
  void rollup();

  // ---- missing values, outputs and unused declarations (usage.cpp) ----

  void outputs();
  void unused();
  void missing_values();

  // ---- expressions (expressions.cpp) ----

  Type set_type(ExprId e, Type t, NumRange r = NumRange::unbounded());
  Type visit(ExprId e);
  Type visit_node(ExprId e, const ast::NumberLit& n);
  Type visit_node(ExprId e, const ast::MoneyLit& n) { return set_type(e, T(TypeKind::kMoney), NumRange::exact(n.fen)); }
  Type visit_node(ExprId e, const ast::StringLit&) { return set_type(e, T(TypeKind::kText)); }
  Type visit_node(ExprId e, const ast::BoolLit&) { return set_type(e, T(TypeKind::kBool)); }
  Type visit_node(ExprId e, const ast::NameRef& ref);
  Type visit_node(ExprId e, const ast::Unary& u);
  std::string operand(ExprId e) const { return "`" + expr_text(e) + "`"; }
  Type visit_node(ExprId e, const ast::Binary& b);
  Type mismatch(ExprId e, const ast::Binary& b, const Type& l, const Type& r, Message verb,
                std::optional<Message> hint);
  bool is_string_lit(ExprId e) const { return std::holds_alternative<ast::StringLit>(m_.expr(e)); }
  void check_label_literal(ExprId lit, const Type& label_type);
  Type compare(ExprId e, const ast::Binary& b, const Type& l, const Type& r);
  Type membership(ExprId e, const ast::Binary& b, const Type& l, const Type& r, bool list);
  std::vector<ExprId> set_items(ExprId e) const;
  Type visit_node(ExprId e, const ast::If& i);
  Type visit_node(ExprId e, const ast::Pair& pr);
  Type visit_node(ExprId e, const ast::SetLit& s);
  Type visit_node(ExprId e, const ast::TableLit& t);
  Type visit_node(ExprId e, const ast::Coef& c);
  Type visit_node(ExprId e, const ast::Bands& b);

  // ---- calls (calls.cpp) ----

  Type call_error(ExprId e, Message message, std::string_view usage);
  std::optional<std::string> word_arg(const ast::NamedArg& a);
  Type visit_node(ExprId e, const ast::Call& c);
  NumRange list_size(ExprId e) const;
  Type ratio(ExprId e, const ast::Call& c, const BuiltinInfo& fn);
  Type interpolate(ExprId e, const ast::Call& c, const BuiltinInfo& fn);
  Type history(ExprId e, const ast::Call& c, const BuiltinInfo& fn);
  Type sub_periods(ExprId e, const ast::Call& c, const BuiltinInfo& fn);
  Type peers(ExprId e, const ast::Call& c, const BuiltinInfo& fn);
  Type presence(ExprId e, const ast::Call& c, const BuiltinInfo& fn);
  Type trimmed_mean(ExprId e, const ast::Call& c, const BuiltinInfo& fn);
  Type shortfall(ExprId e, const ast::Call& c, const BuiltinInfo& fn);

  const SourceSet& sources_;
  CheckedPolicy& p_;
  ast::Module& m_;
  const CheckOptions& options_;
  DiagnosticSink& sink_;
  std::unordered_map<std::string, SymbolId> top_;
  std::unordered_map<std::string, SymbolId> paths_;
  /// By indicator symbol of segmented trees: the segments whose trees have its path.
  std::unordered_map<SymbolId, std::vector<std::uint32_t>> path_segments_;
  std::set<std::uint32_t> reported_peer_;  ///< `missing peer_average` in segments' trees, by offset: once each
  std::unordered_map<std::uint32_t, NumRange> node_range_;  ///< by node of a segment's tree: its own range
  static constexpr std::uint32_t kNoNode = ast::IndicatorNode::kNoNode;
  static constexpr std::size_t kMaxSegments = 62;  ///< a row's segments are counted in the bits of a number
  static constexpr std::uint32_t kAnySegment = kNoNode - 1;  ///< `output`: any path may be shown
  std::uint32_t reader_segment_ = kNoNode;  ///< the segment of the tree whose node is being checked
  std::unordered_map<std::string, std::vector<std::string>> leaf_paths_;
  std::vector<int> state_;
  std::vector<bool> used_;
  std::vector<bool> visited_;
  CheckOrder order_;
  std::vector<std::string> names_;  ///< every top-level name, sorted: the "did you mean" candidates
  Suggester suggester_;
  SymbolId current_ = kNoSymbol;
  std::size_t errors_at_start_ = 0;
};

}  // namespace jixiao::dsl::check_detail
