// The checker's funds (weights, tracks, pools) and the values of constant expressions.
#include <string>

#include "checker_class.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/keywords.hpp"

namespace jixiao::dsl::check_detail {

void Checker::fund(SymbolId id) {
  const ast::FundDecl& f = m_.funds[sym(id).index];
  sym(id).type = T(TypeKind::kFund);
  const Type pool = visit(f.pool);
  if (ast::present(f.per_group)) {
    const Type g = visit(f.per_group);
    if (!is_err(g) && g.kind != TypeKind::kText && g.kind != TypeKind::kLabel) {
      error(DiagCode::type_mismatch, m_.span(f.per_group), msg::chk_fund_per_type(f.name.name, tn(g)),
            msg::chk_hint_fund_per());
    }
    const bool ok = is_err(pool) || is_money(pool) || (pool.kind == TypeKind::kTable && pool.value == TypeKind::kMoney);
    if (!ok) {
      error(DiagCode::type_mismatch, m_.span(f.pool), msg::chk_pool_not_money(f.name.name, tn(pool)),
            msg::chk_hint_pool_table_per());
    }
  } else {
    if (!is_err(pool) && !is_money(pool)) {
      error(DiagCode::type_mismatch, m_.span(f.pool), msg::chk_pool_not_money(f.name.name, tn(pool)),
            pool.kind == TypeKind::kTable ? msg::chk_hint_pool_table_needs_per() : msg::chk_hint_pool_amount());
    } else if (is_money(pool) && !constant_expr(f.pool)) {
      error(DiagCode::not_constant, m_.span(f.pool), msg::chk_pool_varies(f.name.name), msg::chk_hint_pool_varies());
    }
  }
  std::int64_t shares = 0;
  std::string list;
  std::unordered_map<std::string, Span> names;
  for (const ast::Track& t : f.tracks) {
    if (auto it = names.find(t.name.name); it != names.end()) {
      error_with_note(DiagCode::duplicate_name, t.name.span, msg::chk_two_tracks(f.name.name, t.name.name),
                      msg::chk_hint_track_names(), it->second, msg::chk_note_first_here());
    }
    names.emplace(t.name.name, t.name.span);
    if (t.share.kind != ast::WeightKind::kPercent) {
      error(DiagCode::weight_not_share, t.share.span, msg::chk_track_share_not_percent(t.name.name, weight_text(t.share)),
            msg::chk_hint_track_share());
    } else {
      shares += t.share.raw;
      list += (list.empty() ? "" : " + ") + std::string("`") + t.name.name + "` " + weight_text(t.share);
    }
    track(f, t);
  }
  if (f.tracks.empty()) {
    error(DiagCode::track_shares_sum, f.name.span, msg::chk_no_tracks(f.name.name), msg::chk_hint_no_tracks());
  } else if (shares != kHundred && !list.empty()) {
    error(DiagCode::track_shares_sum, f.name.span, msg::chk_track_shares_sum(f.name.name, pct(shares)),
          msg::chk_hint_tracks_are(list));
  }
  if (f.ties.empty()) {
    error(DiagCode::missing_ties, f.name.span, msg::chk_missing_ties(f.name.name),
          msg::chk_hint_missing_ties(m_.subject ? m_.subject->key.name : std::string("社区编码")));
  }
  for (const ast::TieKey& k : f.ties) {
    const Type t = visit(k.key);
    if (!is_err(t) && t.kind != TypeKind::kNumber && t.kind != TypeKind::kMoney && t.kind != TypeKind::kText &&
        t.kind != TypeKind::kLabel) {
      error(DiagCode::type_mismatch, m_.span(k.key), msg::chk_cannot_order_by(tn(t)), msg::chk_hint_order_by());
    }
  }
}

void Checker::track(const ast::FundDecl& f, const ast::Track& t) {
  const Message what = msg::chk_what_track(f.name.name + "." + t.name.name);
  if (ast::present(t.by)) {
    const Type by = visit(t.by);
    if (!is_err(by) && !is_num(by) && !is_money(by)) {
      const bool top = t.mode == ast::TrackMode::kTop;
      error(DiagCode::type_mismatch, m_.span(t.by),
            top ? msg::chk_track_ranks_by(what, tn(by)) : msg::chk_track_splits_by(what, tn(by)),
            top ? msg::chk_hint_rank_by() : msg::chk_hint_split_by());
    }
  }
  if (t.mode == ast::TrackMode::kTop) {
    if (t.top_raw <= 0 || (t.top_percent && t.top_raw > kHundred) ||
        (!t.top_percent && t.top_raw % kOne != 0)) {
      error(DiagCode::bad_arguments, t.top_span,
            msg::chk_track_top(what, decimal::to_string(t.top_raw) + (t.top_percent ? "%" : "")), msg::chk_hint_track_top());
    }
    if (!t.top_percent && t.top_option_span.valid()) {
      // `of all`, `rounded up`: how a share becomes a number of rows; a number of rows has none.
      const KwId option = t.top_base == ast::TopBase::kAll        ? KwId::kw_of_all
                          : t.top_base == ast::TopBase::kEligible ? KwId::kw_of_eligible
                          : t.top_rounding == ast::TopRounding::kUp ? KwId::kw_rounded_up
                                                                    : KwId::kw_rounded_down;
      const std::string written(keyword_info(option).english);
      error(DiagCode::bad_arguments, t.top_option_span, msg::trp_top_option_not_percent(what, written),
            msg::trp_hint_top_option(written));
    }
    if (ast::present(t.proportional)) {
      const Type pt = visit(t.proportional);
      if (!is_err(pt) && !is_num(pt) && !is_money(pt)) {
        error(DiagCode::type_mismatch, m_.span(t.proportional), msg::chk_track_proportional(what, tn(pt)));
      }
    }
  }
  if (ast::present(t.when)) {
    const Type w = visit(t.when);
    if (!is_err(w) && w.kind != TypeKind::kBool) {
      error(DiagCode::type_mismatch, m_.span(t.when), msg::chk_condition_not_bool(what, tn(w)));
    }
  }
}

// True when `e` refers to params and literals only.
bool Checker::constant_expr(ExprId e) {
  std::vector<ExprId> todo{e};
  while (!todo.empty()) {
    const ExprId id = todo.back();
    todo.pop_back();
    const ast::Expr& x = m_.expr(id);
    if (std::holds_alternative<ast::NameRef>(x)) {
      const SymbolId s = p_.ref(id);
      if (s != kNoSymbol && sym(s).kind != SymbolKind::kParam) return false;
    } else if (const auto* u = std::get_if<ast::Unary>(&x)) {
      todo.push_back(u->operand);
    } else if (const auto* b = std::get_if<ast::Binary>(&x)) {
      todo.push_back(b->lhs);
      todo.push_back(b->rhs);
    } else if (!std::holds_alternative<ast::NumberLit>(x) && !std::holds_alternative<ast::MoneyLit>(x)) {
      return false;
    }
  }
  return true;
}

// The amount of every fund whose pool is a constant (a literal, a param, or arithmetic of
// them), after --param overrides.
void Checker::fund_pools() {
  p_.fund_pool.assign(m_.funds.size(), std::nullopt);
  for (std::size_t i = 0; i < m_.funds.size(); ++i) {
    const ExprId pool = m_.funds[i].pool;
    if (!is_money(p_.type(pool)) || !constant_expr(pool)) continue;
    p_.fund_pool[i] = const_value(pool);
    if (!p_.fund_pool[i]) {
      error(DiagCode::arithmetic_overflow, m_.span(pool), msg::chk_pool_inexact(m_.funds[i].name.name),
            msg::chk_hint_pool_inexact());
    } else if (*p_.fund_pool[i] < 0) {
      error(DiagCode::bad_arguments, m_.span(pool),
            msg::chk_pool_negative(m_.funds[i].name.name, decimal::format_yuan(*p_.fund_pool[i])),
            msg::chk_hint_pool_negative());
    }
  }
}

// The value of a constant number or money expression, with the language's rounding; nullopt on
// overflow or division by zero.
std::optional<std::int64_t> Checker::const_value(ExprId e) {
  const ast::Expr& x = m_.expr(e);
  if (const auto* n = std::get_if<ast::NumberLit>(&x)) return ast::literal_value(*n);
  if (const auto* money = std::get_if<ast::MoneyLit>(&x)) return money->fen;
  if (std::holds_alternative<ast::NameRef>(x)) return p_.params[sym(p_.ref(e)).index].number;
  if (const auto* u = std::get_if<ast::Unary>(&x)) {
    const auto v = const_value(u->operand);
    std::int64_t out = 0;
    if (!v || !decimal::sub(0, *v, out)) return std::nullopt;
    return out;
  }
  if (!std::holds_alternative<ast::Binary>(x)) return std::nullopt;
  // `a + b + c ...` nests down the left: computed from the innermost operation out, in a loop.
  const std::vector<ExprId> chain = ast::left_chain(m_.exprs, e);
  auto value = const_value(std::get<ast::Binary>(m_.expr(chain.front())).lhs);
  for (const ExprId op : chain) {
    if (!value) return std::nullopt;
    value = const_binary(std::get<ast::Binary>(m_.expr(op)), *value);
  }
  return value;
}

// The value of the constant operation `b` whose left operand is `l`.
std::optional<std::int64_t> Checker::const_binary(const ast::Binary& b, std::int64_t l) {
  const auto r = const_value(b.rhs);
  if (!r) return std::nullopt;
  const bool lm = is_money(p_.type(b.lhs));
  const bool rm = is_money(p_.type(b.rhs));
  std::int64_t out = 0;
  bool ok = false;
  switch (b.op) {
    case ast::BinaryOp::kAdd: ok = decimal::add(l, *r, out); break;
    case ast::BinaryOp::kSub: ok = decimal::sub(l, *r, out); break;
    case ast::BinaryOp::kMul:
      ok = lm ? decimal::money_mul(l, *r, out) : rm ? decimal::money_mul(*r, l, out) : decimal::mul(l, *r, out);
      break;
    case ast::BinaryOp::kDiv:
      if (*r == 0) return std::nullopt;
      ok = lm && rm ? decimal::money_ratio(l, *r, out) : lm ? decimal::money_div(l, *r, out) : decimal::div(l, *r, out);
      break;
    default: return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace jixiao::dsl::check_detail
