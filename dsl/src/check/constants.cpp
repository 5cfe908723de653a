// Constants outside the range where they mean something: a value the policy writes out (or a
// param, after --param) that would silently invert or void a rule. A negative deduction cap adds
// points, a negative weight cannot be split, `clamp(x, 80, 20)` is always 20: each is an error
// here, before any data is read. Runs after the command-line overrides, so it sees the values the
// evaluation would use. The list of what is checked, and why, is docs/language.md §14.
#include <string>
#include <vector>

#include "checker.hpp"
#include "jixiao/dsl/decimal.hpp"

namespace jixiao::dsl::check_detail {
namespace {

using ast::ExprId;

constexpr std::int64_t kOne = decimal::kOne;

class ConstantChecker {
 public:
  ConstantChecker(const CheckedPolicy& p, const ConstantOf& constant, DiagnosticSink& sink)
      : p_(p), m_(p.module), constant_(constant), sink_(sink) {}

  void run() {
    // The indicators of the policy's trees (a module's trees that were not imported have none).
    std::vector<std::uint32_t> nodes(m_.roots.begin(), m_.roots.end());
    for (std::size_t k = 0; k < nodes.size(); ++k) {
      for (const std::uint32_t c : m_.nodes[nodes[k]].children) nodes.push_back(c);
    }
    for (const std::uint32_t i : nodes) {
      const ast::IndicatorNode& n = m_.nodes[i];
      if (n.parent == ast::IndicatorNode::kNoNode && p_.nodes[i].full <= 0) {
        error(DiagCode::bad_range, n.weight.span.valid() ? n.weight.span : n.name.span,
              msg::con_full_marks(n.name.name, decimal::to_string(p_.nodes[i].full)), msg::con_hint_full_marks(n.name.name));
      }
      if (ast::present(n.formula) && n.children.empty()) leaf_formula(n, p_.nodes[i]);
      for (const ast::Adjust& a : n.adjusts) adjust(a);
      node_cap(n, n.deductions_max, true);
      node_cap(n, n.bonuses_max, false);
      walk(n.formula);
      for (const ast::Adjust& a : n.adjusts) {
        for (const ExprId e : {a.amount, a.per, a.when, a.max}) walk(e);
      }
      walk(n.deductions_max);
      walk(n.bonuses_max);
    }
    for (const ast::LetDecl& l : m_.lets) walk(l.value);
    for (const ast::VetoDecl& v : m_.vetoes) walk(v.when);
    for (const ast::BandDecl& b : m_.bands) walk(b.of);
    for (const ast::FundDecl& f : m_.funds) {
      pool_table(f);
      for (const ast::Track& t : f.tracks) {
        const Message what = msg::con_what_track(f.name.name + "." + t.name.name);
        if (t.mode == ast::TrackMode::kSplitBy) weight(t.by, what);
        if (t.mode == ast::TrackMode::kTop) weight(t.proportional, what);
        for (const ExprId e : {t.by, t.proportional, t.when}) walk(e);
      }
    }
  }

 private:
  void error(DiagCode code, Span span, Message message, Message hint) {
    sink_.report(diagnose(code, span, std::move(message), std::move(hint)));
  }

  bool typed(ExprId e) const {
    const TypeKind k = p_.type(e).kind;
    return k == TypeKind::kNumber || k == TypeKind::kMoney;
  }

  std::string text(ExprId e, std::int64_t v) const {
    return p_.type(e).kind == TypeKind::kMoney ? decimal::format_yuan(v) + "元" : decimal::to_string(v);
  }

  // A constant as the message shows it: its value, and the param it comes from.
  Message shown(ExprId e) const {
    const std::string out = text(e, *value(e));
    if (std::holds_alternative<ast::NameRef>(m_.expr(e))) {
      const SymbolId s = p_.ref(e);
      if (s != kNoSymbol && p_.symbol(s).kind == SymbolKind::kParam) {
        return p_.params[p_.symbol(s).index].overridden ? msg::con_value_param_cli(out, p_.symbol(s).name)
                                                        : msg::con_value_param(out, p_.symbol(s).name);
      }
    }
    return msg::con_value(out);
  }

  std::optional<std::int64_t> value(ExprId e) const {
    if (!ast::present(e) || !typed(e)) return std::nullopt;
    return constant_(e);
  }

  // The constants `e` can take as its value: `e` itself, or the branches of an `if`, the entries of
  // a `coef` or `bands`, and what `fill` puts in place of a missing value, followed down, and
  // through a product or quotient whose other side is never below 0 (which keeps their sign).
  void outcomes(ExprId root, std::vector<ExprId>& out) const {
    std::vector<ExprId> stack{root};  // (no recursion: a policy may nest deeply)
    while (!stack.empty()) {
      const ExprId e = stack.back();
      stack.pop_back();
      if (!ast::present(e) || !typed(e)) continue;
      if (value(e)) {
        out.push_back(e);
        continue;
      }
      const ast::Expr& x = m_.expr(e);
      auto follow = [&](ExprId c) { stack.push_back(c); };
      if (const auto* i = std::get_if<ast::If>(&x)) {
        follow(i->else_expr);
        follow(i->then_expr);
      } else if (const auto* c = std::get_if<ast::Coef>(&x)) {
        follow(c->otherwise);
        for (auto it = c->entries.rbegin(); it != c->entries.rend(); ++it) follow(it->value);
      } else if (const auto* b = std::get_if<ast::Bands>(&x)) {
        for (auto it = b->entries.rbegin(); it != b->entries.rend(); ++it) follow(it->value);
      } else if (const auto* call = std::get_if<ast::Call>(&x); call != nullptr && p_.builtin(e) == Builtin::kFill && call->args.size() == 2) {
        follow(call->args[1]);
        follow(call->args[0]);
      } else if (const auto* bin = std::get_if<ast::Binary>(&x); bin != nullptr && bin->op == ast::BinaryOp::kMul) {
        if (never_negative(bin->lhs)) follow(bin->rhs);
        if (never_negative(bin->rhs)) follow(bin->lhs);
      } else if (bin != nullptr && bin->op == ast::BinaryOp::kDiv && never_negative(bin->rhs)) {
        follow(bin->lhs);
      }
    }
  }

  bool never_negative(ExprId e) const {
    const NumRange r = p_.range(e);
    return typed(e) && !r.lo_inf && r.lo >= 0;
  }

  // The first constant `e` can take that is below 0 (or, with `or_zero`, 0 or below).
  std::optional<ExprId> below_zero(ExprId e, bool or_zero) const {
    std::vector<ExprId> out;
    outcomes(e, out);
    for (const ExprId o : out) {
      const std::int64_t v = *value(o);
      if (v < 0 || (or_zero && v == 0)) return o;
    }
    return std::nullopt;
  }

  // True when the value of `e` is never above 0 whatever the row (its computed range).
  bool never_positive(ExprId e) const {
    const NumRange r = p_.range(e);
    return typed(e) && !r.hi_inf && r.hi <= 0;
  }

  // ---- indicators ----

  // A leaf whose formula can only give values outside [0, full marks] is always clamped: it scores
  // 0 or full marks whatever the data says.
  void leaf_formula(const ast::IndicatorNode& n, const NodeInfo& info) {
    if (!typed(n.formula)) return;
    const auto node = static_cast<std::uint32_t>(&n - m_.nodes.data());
    const std::int64_t top = p_.leaf_top(node);
    const NumRange r = p_.range(n.formula);
    const std::string unit = info.points ? "分" : "";
    if (!r.lo_inf && r.lo > top) {
      const std::string lo = decimal::to_string(r.lo);
      error(DiagCode::bad_range, m_.span(n.formula),
            info.points ? msg::con_formula_above_full(n.name.name, lo, decimal::to_string(top))
                        : msg::con_formula_above_100(n.name.name, lo),
            info.points ? msg::con_hint_formula_points(decimal::to_string(top)) : msg::con_hint_formula_percent());
    } else if (!r.hi_inf && r.hi < 0) {
      error(DiagCode::bad_range, m_.span(n.formula), msg::con_formula_below_zero(n.name.name, decimal::to_string(r.hi) + unit),
            msg::con_hint_formula_below_zero());
    } else if (p_.leaf_can_exceed(node)) {
      // It can give more than its top on some rows: cut there without a word, unless said.
      const std::string path = p_.symbol(info.symbol).name;
      const Message range = r.lo_inf ? msg::trp_range_any()
                            : r.hi_inf ? msg::trp_range_unbounded(decimal::to_string(r.lo))
                                       : msg::trp_range(decimal::to_string(r.lo), decimal::to_string(r.hi));
      sink_.report(diagnose(DiagCode::score_clamped, m_.span(n.formula),
                            info.points ? msg::trp_score_clamped_points(path, range, decimal::to_string(top))
                                        : msg::trp_score_clamped_percent(path, range),
                            info.points ? msg::trp_hint_score_clamped_points(decimal::to_string(top), path)
                                        : msg::trp_hint_score_clamped_percent(path)));
    }
  }

  // A deduction or bonus: its points, `per` and `max` are above 0.
  void adjust(const ast::Adjust& a) {
    const bool deduct = a.kind == ast::AdjustKind::kDeduct;
    const Message what = deduct ? msg::con_what_deduction(a.name.name) : msg::con_what_bonus(a.name.name);
    const Message does = deduct ? msg::con_verb_deducts() : msg::con_verb_adds();
    if (const auto o = below_zero(a.amount, false)) {
      const Message verb = deduct ? msg::con_verb_deduct() : msg::con_verb_add();
      error(DiagCode::bad_range, m_.span(*o),
            *o == a.amount ? msg::con_amount_negative(what, shown(*o), verb) : msg::con_amount_negative_where(what, shown(*o), verb),
            deduct ? msg::con_hint_amount_deduct() : msg::con_hint_amount_bonus());
    } else if (never_positive(a.amount)) {
      error(DiagCode::bad_range, m_.span(a.amount), msg::con_amount_never_positive(what),
            deduct ? msg::con_hint_give_points_deduct(a.name.name) : msg::con_hint_give_points_bonus(a.name.name));
    }
    if (const auto o = below_zero(a.per, true)) {
      error(DiagCode::bad_range, m_.span(*o), msg::con_per_value(what, shown(*o), does), msg::con_hint_per());
    } else if (ast::present(a.per) && never_positive(a.per)) {
      error(DiagCode::bad_range, m_.span(a.per), msg::con_per_never_positive(what, does), msg::con_hint_per());
    }
    cap(a.max, what, deduct, msg::par_kw_max());
  }

  // `deductions max` and `bonuses max` of an indicator.
  void node_cap(const ast::IndicatorNode& n, ExprId e, bool deduct) {
    cap(e, deduct ? msg::con_what_deductions_of(n.name.name) : msg::con_what_bonuses_of(n.name.name), deduct,
        deduct ? msg::par_kw_deductions_max() : msg::par_kw_bonuses_max());
  }

  // A cap limits what is deducted or added: above 0. A negative cap would turn a deduction into a
  // bonus (and a bonus into a deduction) on every row; a cap of 0 voids the rule.
  void cap(ExprId e, const Message& what, bool deduct, const Message& keyword) {
    if (!ast::present(e)) return;
    const auto o = below_zero(e, true);
    if (!o && !never_positive(e)) return;
    const ExprId at = o ? *o : e;
    const auto v = value(at);
    if (v && *v < 0) {
      const std::string written = text(at, *v);
      const std::string positive = text(at, -*v);
      error(DiagCode::bad_range, m_.span(at),
            deduct ? msg::con_cap_negative_deduct(what, shown(at), keyword, written, positive)
                   : msg::con_cap_negative_bonus(what, shown(at), keyword, written, positive),
            deduct ? msg::con_hint_cap_write_deduct(keyword, positive) : msg::con_hint_cap_write_bonus(keyword, positive));
    } else {
      Message message = v ? (deduct ? msg::con_cap_value_deduct(what, shown(at)) : msg::con_cap_value_bonus(what, shown(at)))
                          : (deduct ? msg::con_cap_never_positive_deduct(what) : msg::con_cap_never_positive_bonus(what));
      error(DiagCode::bad_range, m_.span(at), std::move(message),
            deduct ? msg::con_hint_cap_remove_deduct() : msg::con_hint_cap_remove_bonus());
    }
  }

  // ---- funds ----

  // A weight is 0 or more on every row, and above 0 on some.
  void weight(ExprId e, const Message& what) {
    if (!ast::present(e) || !typed(e)) return;
    if (const auto o = below_zero(e, false)) {
      error(DiagCode::bad_range, m_.span(*o),
            *o == e ? msg::con_weight_negative(what, shown(*o)) : msg::con_weight_negative_where(what, shown(*o)),
            msg::con_hint_weight_zero());
      return;
    }
    if (never_positive(e)) {
      error(DiagCode::bad_range, m_.span(e), msg::con_weight_never_positive(what), msg::con_hint_weight_positive());
    }
  }

  // A per-group pool table (a param, after --param): every group's pool is 0 or more.
  void pool_table(const ast::FundDecl& f) {
    if (!ast::present(f.pool) || !std::holds_alternative<ast::NameRef>(m_.expr(f.pool))) return;
    const SymbolId s = p_.ref(f.pool);
    if (s == kNoSymbol || p_.symbol(s).kind != SymbolKind::kParam) return;
    const ParamValue& v = p_.params[p_.symbol(s).index];
    if (v.type.kind != TypeKind::kTable) return;
    for (const auto& [group, fen] : v.table) {
      if (fen >= 0) continue;
      error(DiagCode::bad_arguments, m_.span(f.pool),
            msg::con_pool_negative(group, f.name.name, p_.symbol(s).name, decimal::format_yuan(fen)),
            msg::con_hint_pool_negative());
    }
  }

  // ---- functions, wherever they are called ----

  void walk(ExprId root) {
    if (!ast::present(root)) return;
    std::vector<ExprId> stack{root};
    while (!stack.empty()) {
      const ExprId e = stack.back();
      stack.pop_back();
      const ast::Expr& x = m_.expr(e);
      if (const auto* c = std::get_if<ast::Call>(&x)) call(e, *c);
      if (const auto* b = std::get_if<ast::Binary>(&x)) {
        using B = ast::BinaryOp;
        if (b->op == B::kEq || b->op == B::kNe || b->op == B::kLt || b->op == B::kLe || b->op == B::kGt || b->op == B::kGe) {
          percent_against_share({b->lhs, b->rhs});
        }
        if (b->op == B::kDiv && value(b->rhs) == std::optional<std::int64_t>(0)) {
          error(DiagCode::division_by_zero, m_.span(b->rhs), msg::con_division_by(shown(b->rhs)), msg::con_hint_division());
        }
      }
      ast::for_each_child(x, [&](ExprId child) { stack.push_back(child); });
    }
  }

  const ast::NamedArg* named(const ast::Call& c, NamedArg arg) const {
    for (const ast::NamedArg& a : c.named) {
      if (named_arg(a.name.name) == arg) return &a;
    }
    return nullptr;
  }

  // ---- a percent input (0 to 100) against a share (`80%` is 0.8) ----

  // True when `e` reads a `percent` input: its value is from 0 to 100.
  bool percent_input(ExprId e) const {
    if (!std::holds_alternative<ast::NameRef>(m_.expr(e))) return false;
    const SymbolId s = p_.ref(e);
    return s != kNoSymbol && p_.symbol(s).kind == SymbolKind::kInput && m_.inputs[p_.symbol(s).index].kind == ast::InputKind::kPercent;
  }

  // True when `e` is a share written with `%` (`80%` is 0.8), or a param declared as one.
  bool share(ExprId e) const {
    const ast::Expr* x = &m_.expr(e);
    if (std::holds_alternative<ast::NameRef>(*x)) {
      const SymbolId s = p_.ref(e);
      if (s == kNoSymbol || p_.symbol(s).kind != SymbolKind::kParam) return false;
      x = &m_.expr(m_.params[p_.symbol(s).index].value);
    }
    const auto* n = std::get_if<ast::NumberLit>(x);
    return n != nullptr && n->unit == ast::Unit::kPercent;
  }

  // `覆盖率 >= 80%` compares a percent (85) with a share (0.8): true for nearly every row. An
  // error where a percent input meets a share in a comparison or a function that compares them.
  void percent_against_share(const std::vector<ExprId>& operands) {
    for (const ExprId a : operands) {
      if (!percent_input(a)) continue;
      for (const ExprId b : operands) {
        if (b == a || !share(b)) continue;
        const std::string& name = p_.symbol(p_.ref(a)).name;
        const std::int64_t v = value(b).value_or(0);
        const std::string points = decimal::to_string(v * 100);
        const std::string share_text = decimal::to_string(v);
        if (std::holds_alternative<ast::NameRef>(m_.expr(b))) {
          const std::string& param = p_.symbol(p_.ref(b)).name;
          error(DiagCode::type_mismatch, m_.span(b), msg::con_percent_vs_param(name, param, points, share_text),
                msg::con_hint_param_plain(param, points));
        } else {
          error(DiagCode::type_mismatch, m_.span(b), msg::con_percent_vs_share(name, points, share_text),
                msg::con_hint_percent_plain(points));
        }
        return;
      }
    }
  }

  void call(ExprId e, const ast::Call& c) {
    if (!typed(e)) return;
    const Builtin f = p_.builtin(e);
    if (f == Builtin::kRatio || f == Builtin::kShortfall || f == Builtin::kExcess || f == Builtin::kClamp || f == Builtin::kMin ||
        f == Builtin::kMax) {
      std::vector<ExprId> operands(c.args.begin(), c.args.end());
      if (const ast::NamedArg* t = named(c, NamedArg::kTarget)) operands.push_back(t->value);
      percent_against_share(operands);
    }
    if (f == Builtin::kClamp && c.args.size() == 3) {
      const auto lo = value(c.args[1]);
      const auto hi = value(c.args[2]);
      if (lo && hi && *lo > *hi) {
        error(DiagCode::bad_arguments, m_.span(e), msg::con_clamp_reversed(shown(c.args[1]), shown(c.args[2]), text(c.args[2], *hi)),
              msg::con_hint_clamp(text(c.args[2], *hi), text(c.args[1], *lo)));
      }
    }
    if (f == Builtin::kRatio) {
      const ast::NamedArg* t = named(c, NamedArg::kTarget);
      const ExprId target = c.args.size() > 1 ? c.args[1] : t ? t->value : ast::kNoExpr;
      if (const auto v = value(target); v && *v <= 0) {
        error(DiagCode::bad_arguments, m_.span(target), msg::con_ratio_target(shown(target)), msg::con_hint_ratio_target());
      } else if (ast::present(target) && never_positive(target)) {
        error(DiagCode::bad_arguments, m_.span(target), msg::con_ratio_target_never_positive(), msg::con_hint_ratio_target());
      }
      if (const ast::NamedArg* cap = named(c, NamedArg::kCap)) {
        if (const auto v = value(cap->value); v && *v <= 0) {
          error(DiagCode::bad_arguments, m_.span(cap->value), msg::con_ratio_cap(shown(cap->value)), msg::con_hint_ratio_cap());
        }
      }
    }
    if (f == Builtin::kTrimmedMean) {
      const ast::NamedArg* trim = named(c, NamedArg::kTrim);
      const ast::NamedArg* above = named(c, NamedArg::kAbove);
      const std::int64_t t = trim ? value(trim->value).value_or(-1) : kOne;  // -1: not checked here
      const std::int64_t a = above ? value(above->value).value_or(-1) : -1;
      if (t == 0) {
        error(DiagCode::bad_arguments, m_.span(trim->value), msg::con_trim_zero(), msg::con_hint_trim_zero());
      } else if (t > 0 && a >= 0 && a < 2 * t) {
        error(DiagCode::bad_arguments, m_.span(above->value),
              msg::con_trim_too_short(decimal::to_string(a), decimal::to_string(t), decimal::to_string(a + kOne),
                                      decimal::to_string(2 * t)),
              msg::con_hint_trim_too_short(decimal::to_string(2 * t)));
      }
    }
  }

  const CheckedPolicy& p_;
  const ast::Module& m_;
  const ConstantOf& constant_;
  DiagnosticSink& sink_;
};

}  // namespace

void check_constants(const CheckedPolicy& policy, const ConstantOf& constant, DiagnosticSink& sink) {
  ConstantChecker(policy, constant, sink).run();
}

}  // namespace jixiao::dsl::check_detail

namespace jixiao::dsl {

std::int64_t CheckedPolicy::leaf_top(std::uint32_t node) const {
  return nodes[node].points ? nodes[node].full : 100 * decimal::kOne;
}

bool CheckedPolicy::leaf_can_exceed(std::uint32_t node) const {
  const ast::IndicatorNode& n = module.nodes[node];
  if (!n.children.empty() || !ast::present(n.formula)) return false;
  const TypeKind k = type(n.formula).kind;
  if (k != TypeKind::kNumber && k != TypeKind::kMoney) return false;
  const NumRange r = range(n.formula);
  // Full marks of 0 or below are an error of their own (`bad-range`), not a clamp to warn of.
  return leaf_top(node) > 0 && (r.hi_inf || r.hi > leaf_top(node));
}

}  // namespace jixiao::dsl
