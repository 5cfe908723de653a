// The checker's calls of built-in functions: arguments, named arguments, types and ranges
// (ratio, interpolate, history, sub-periods, peers, presence, trimmed_mean, shortfall, ...).
#include <algorithm>
#include <string>
#include <utility>

#include "checker_class.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/edit_distance.hpp"
#include "jixiao/dsl/functions.hpp"
#include "jixiao/dsl/unparse.hpp"

namespace jixiao::dsl::check_detail {

Type Checker::call_error(ExprId e, Message message, std::string_view usage) {
  error(DiagCode::bad_arguments, m_.span(e), std::move(message), msg::chk_hint_write(usage));
  return set_type(e, T(TypeKind::kError));
}

// Visits the bare-word value of a named argument such as `better: lower`; returns the word.
std::optional<std::string> Checker::word_arg(const ast::NamedArg& a) {
  if (const auto* ref = std::get_if<ast::NameRef>(&m_.expr(a.value)); ref && ref->parts.size() == 1) {
    visited_[static_cast<std::uint32_t>(a.value)] = true;
    return ref->parts.front().name;
  }
  return std::nullopt;
}

Type Checker::visit_node(ExprId e, const ast::Call& c) {
  const std::string& name = c.callee.name;
  const BuiltinInfo* fn = find_builtin(name);
  if (fn == nullptr) {
    for (const ExprId a : c.args) visit(a);
    for (const auto& a : c.named) visit(a.value);
    std::vector<std::string> names;
    for (const BuiltinInfo& f : kBuiltins) names.emplace_back(f.name);
    const auto best = closest_name(name, names);
    error(DiagCode::unknown_function, c.callee.span, msg::chk_unknown_function(name),
          best ? msg::did_you_mean(*best) : msg::chk_hint_functions_are(backticked_list(names)));
    return set_type(e, T(TypeKind::kError));
  }
  p_.expr_builtin[static_cast<std::uint32_t>(e)] = fn->id;
  const Builtin f = fn->id;
  switch (fn->kind) {
    case BuiltinKind::kHistory: return history(e, c, *fn);
    case BuiltinKind::kPeer: return peers(e, c, *fn);
    case BuiltinKind::kMissing: return presence(e, c, *fn);
    case BuiltinKind::kSubPeriod: return sub_periods(e, c, *fn);
    case BuiltinKind::kScalar: case BuiltinKind::kScoring: case BuiltinKind::kList: break;
  }
  if (f == Builtin::kRatio) return ratio(e, c, *fn);
  if (f == Builtin::kTrimmedMean) return trimmed_mean(e, c, *fn);
  if (f == Builtin::kInterpolate) return interpolate(e, c, *fn);
  if (f == Builtin::kShortfall || f == Builtin::kExcess) return shortfall(e, c, *fn);

  std::vector<Type> args;
  bool error_seen = false;
  for (const ExprId a : c.args) {
    args.push_back(visit(a));
    error_seen = error_seen || is_err(args.back());
  }
  for (const auto& a : c.named) {
    visit(a.value);
    error(DiagCode::bad_arguments, a.name.span, msg::chk_no_named_arg(name, a.name.name), msg::chk_hint_write(fn->usage));
    error_seen = true;
  }
  if (error_seen) return set_type(e, T(TypeKind::kError));
  auto range_of = [&](std::size_t i) { return p_.range(c.args[i]); };
  // One list of numbers: avg, min, max, sum and size aggregate its items.
  if (args.size() == 1 && args[0].kind == TypeKind::kNumberList &&
      (f == Builtin::kAvg || f == Builtin::kMin || f == Builtin::kMax || f == Builtin::kSum || f == Builtin::kSize)) {
    const NumRange item = range_of(0);
    NumRange r = item;
    if (f == Builtin::kSum) r = NumRange{item.lo_inf || item.lo >= 0 ? 0 : item.lo, 0, item.lo_inf, true};
    if (f == Builtin::kSize) r = list_size(c.args[0]);
    return set_type(e, T(TypeKind::kNumber), r);
  }
  auto all_numeric = [&](bool money_ok) -> std::optional<TypeKind> {
    if (args.empty()) return std::nullopt;
    const TypeKind k = args[0].kind;
    if (k != TypeKind::kNumber && !(money_ok && k == TypeKind::kMoney)) return std::nullopt;
    for (const Type& t : args) {
      if (t.kind != k) return std::nullopt;
    }
    return k;
  };
  if (f == Builtin::kMin || f == Builtin::kMax || f == Builtin::kSum) {
    const auto k = all_numeric(true);
    if (!k || args.empty()) return call_error(e, msg::chk_call_same_kind(name), fn->usage);
    NumRange r = range_of(0);
    for (std::size_t i = 1; i < args.size(); ++i) {
      r = f == Builtin::kMin ? range_min(r, range_of(i)) : f == Builtin::kMax ? range_max(r, range_of(i)) : range_add(r, range_of(i));
    }
    return set_type(e, T(*k), r);
  }
  if (f == Builtin::kAvg) {
    const auto k = all_numeric(false);
    if (!k) return call_error(e, msg::chk_call_avg(), fn->usage);
    NumRange r = range_of(0);
    for (std::size_t i = 1; i < args.size(); ++i) r = range_union(r, range_of(i));
    return set_type(e, T(*k), r);
  }
  if (f == Builtin::kClamp) {
    const auto k = all_numeric(true);
    if (!k || args.size() != 3) return call_error(e, msg::chk_call_clamp(), fn->usage);
    return set_type(e, T(*k), range_min(range_max(range_of(0), range_of(1)), range_of(2)));
  }
  if (f == Builtin::kAbs || f == Builtin::kFloor || f == Builtin::kCeil) {
    const auto k = all_numeric(f == Builtin::kAbs);
    if (!k || args.size() != 1) return call_error(e, msg::chk_call_one_number(name), fn->usage);
    NumRange r = range_of(0);
    if (f == Builtin::kAbs) r = range_max(range_max(r, range_neg(r)), NumRange::exact(0));
    if (f == Builtin::kFloor) r = range_sub(r, NumRange::between(0, kOne));
    if (f == Builtin::kCeil) r = range_add(r, NumRange::between(0, kOne));
    return set_type(e, T(*k), r);
  }
  if (f == Builtin::kRound) {
    if (args.size() != 2 || !is_num(args[0]) || !is_num(args[1])) return call_error(e, msg::chk_call_round(), fn->usage);
    const auto* places = std::get_if<ast::NumberLit>(&m_.expr(c.args[1]));
    if (places == nullptr || places->raw % kOne != 0 || places->raw < 0 || places->raw > 6 * kOne) {
      error(DiagCode::bad_arguments, m_.span(c.args[1]), msg::chk_round_places(), msg::chk_hint_write_eg("round(x, 2)"));
      return set_type(e, T(TypeKind::kError));
    }
    return set_type(e, T(TypeKind::kNumber), range_add(range_of(0), NumRange::between(-kOne, kOne)));
  }
  if (f == Builtin::kCount) {
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (args[i].kind != TypeKind::kBool) {
        error(DiagCode::bad_arguments, m_.span(c.args[i]), msg::chk_count_conditions(tn(args[i])),
              msg::chk_hint_count_conditions());
        return set_type(e, T(TypeKind::kError));
      }
    }
    if (args.empty()) return call_error(e, msg::chk_count_empty(), fn->usage);
    return set_type(e, T(TypeKind::kNumber), NumRange::between(0, static_cast<std::int64_t>(args.size()) * kOne));
  }
  if (f == Builtin::kCountIn) {
    if (args.size() != 2 || args[0].kind != TypeKind::kTextList || args[1].kind != TypeKind::kSet) {
      return call_error(e, msg::chk_call_count_in(), fn->usage);
    }
    return set_type(e, T(TypeKind::kNumber), NumRange{0, 0, false, true});
  }
  if (f == Builtin::kSize) {
    if (args.size() != 1 || args[0].kind != TypeKind::kTextList) return call_error(e, msg::chk_call_size(), fn->usage);
    return set_type(e, T(TypeKind::kNumber), list_size(c.args[0]));
  }
  return call_error(e, msg::chk_call_unchecked(name), fn->usage);
}

// How many items the list `e` can hold: its input's `size lo..hi` when declared, else 0 or more.
NumRange Checker::list_size(ExprId e) const {
  const SymbolId s = p_.ref(e);
  if (s != kNoSymbol && p_.symbol(s).kind == SymbolKind::kInput) {
    const std::optional<ast::RangeSpec>& size = m_.inputs[p_.symbol(s).index].size;
    if (size && size->lo >= 0 && size->lo <= size->hi) return NumRange::between(size->lo, size->hi);
  }
  return NumRange{0, 0, false, true};
}

// ratio(x, target: T, cap: C, better: higher|lower); the target may also be the 2nd argument.
Type Checker::ratio(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
  std::optional<ExprId> x;
  std::optional<ExprId> target;
  std::optional<ExprId> cap;
  std::optional<ExprId> at_zero;
  bool lower = false;
  bool ok = true;
  if (!c.args.empty()) x = c.args[0];
  if (c.args.size() >= 2) target = c.args[1];
  if (c.args.size() > 2) ok = false;
  for (const auto& a : c.named) {
    const std::optional<NamedArg> arg = named_arg(a.name.name);
    if (arg == NamedArg::kTarget && !target) {
      target = a.value;
    } else if (arg == NamedArg::kCap) {
      cap = a.value;
    } else if (arg == NamedArg::kBetter) {
      const auto w = word_arg(a);
      if (!w || (*w != "higher" && *w != "lower")) {
        error(DiagCode::bad_arguments, m_.span(a.value), msg::chk_better_word(), msg::chk_hint_better_word());
        ok = false;
      }
      lower = w == "lower";
    } else if (arg == NamedArg::kAtZero) {
      at_zero = a.value;
    } else {
      error(DiagCode::bad_arguments, a.name.span, msg::chk_no_named_arg("ratio", a.name.name), msg::chk_hint_write(fn.usage));
      ok = false;
    }
  }
  if (!x || !target) return call_error(e, msg::chk_ratio_args(), fn.usage);
  if (at_zero && !lower) {
    error(DiagCode::bad_arguments, m_.span(*at_zero), msg::trp_at_zero_needs_lower(), msg::trp_hint_at_zero_needs_lower());
    ok = false;
  }
  for (const auto& arg : {x, target, cap, at_zero}) {
    if (!arg) continue;
    const Type t = visit(*arg);
    if (!is_err(t) && !is_num(t)) {
      error(DiagCode::type_mismatch, m_.span(*arg), msg::chk_takes_numbers("ratio", tn(t)));
      ok = false;
    }
  }
  if (!ok) return set_type(e, T(TypeKind::kError));
  NumRange r = NumRange::between(0, kHundred);
  if (cap) {
    const NumRange limit = p_.range(*cap);
    r = NumRange{0, limit.hi_inf ? 0 : std::max<std::int64_t>(0, limit.hi), false, limit.hi_inf};
  }
  // Lower is better: x of 0 or below has no quotient and scores full marks (the cap), unless
  // `at_zero:` says what it scores. Where x can be 0, that choice is the author's to write.
  const NumRange xr = p_.range(*x);
  if (at_zero) {
    r = range_union(r, p_.range(*at_zero));
  } else if (lower && (xr.lo_inf || xr.lo <= 0)) {
    const Message can = xr.lo_inf    ? msg::trp_range_any()
                        : xr.hi_inf ? msg::trp_range_unbounded(decimal::to_string(xr.lo))
                                    : msg::trp_range(decimal::to_string(xr.lo), decimal::to_string(xr.hi));
    const std::string full = cap ? unparse(m_, *cap) : "100";
    sink_.report(diagnose(DiagCode::ratio_at_zero, m_.span(e), msg::trp_ratio_at_zero(full, unparse(m_, *x), can),
                    msg::trp_hint_ratio_at_zero(full)));
  }
  return set_type(e, T(TypeKind::kNumber), r);
}

Type Checker::interpolate(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
  if (!c.named.empty() || c.args.size() < 3) {
    for (const ExprId a : c.args) visited_[static_cast<std::uint32_t>(a)] = true;
    return call_error(e, msg::chk_interpolate_args(), fn.usage);
  }
  const Type x = visit(c.args[0]);
  bool ok = !is_err(x);
  if (ok && !is_num(x)) {
    error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_interpolate_number(tn(x)));
    ok = false;
  }
  std::optional<std::int64_t> previous;
  NumRange r;
  bool first = true;
  for (std::size_t i = 1; i < c.args.size(); ++i) {
    visited_[static_cast<std::uint32_t>(c.args[i])] = true;
    const auto* pair = std::get_if<ast::Pair>(&m_.expr(c.args[i]));
    if (pair == nullptr) {
      error(DiagCode::bad_arguments, m_.span(c.args[i]), msg::chk_interpolate_point(),
            msg::chk_hint_write_eg("interpolate(x, 60 -> 0, 100 -> 100)"));
      ok = false;
      continue;
    }
    visit(pair->from);
    visit(pair->to);
    const auto* from = std::get_if<ast::NumberLit>(&m_.expr(pair->from));
    const auto* to = std::get_if<ast::NumberLit>(&m_.expr(pair->to));
    if (from == nullptr || to == nullptr) {
      error(DiagCode::not_constant, m_.span(c.args[i]), msg::chk_interpolate_literal(), msg::chk_hint_write_eg("60 -> 0"));
      ok = false;
      continue;
    }
    const std::int64_t fx = ast::literal_value(*from);
    if (previous && fx <= *previous) {
      error(DiagCode::bad_arguments, m_.span(pair->from),
            msg::chk_interpolate_rise(decimal::to_string(fx), decimal::to_string(*previous)),
            msg::chk_hint_interpolate_rise());
      ok = false;
    }
    previous = fx;
    const NumRange yr = NumRange::exact(ast::literal_value(*to));
    r = first ? yr : range_union(r, yr);
    first = false;
  }
  if (!ok) return set_type(e, T(TypeKind::kError));
  return set_type(e, T(TypeKind::kNumber), r);
}

// prev(x, default: v), avg_prev(x, n, default: v), streak(cond): values of earlier periods of
// the same subject. They need `period` in the subject declaration.
Type Checker::history(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
  const std::string& name = c.callee.name;
  const bool want_n = fn.id == Builtin::kAvgPrev;
  bool ok = c.args.size() == (want_n ? 2u : 1u);
  Type x = ok ? visit(c.args[0]) : T(TypeKind::kError);
  if (want_n && ok) {
    visit(c.args[1]);
    const auto* lit = std::get_if<ast::NumberLit>(&m_.expr(c.args[1]));
    if (lit == nullptr || ast::literal_value(*lit) < kOne || ast::literal_value(*lit) % kOne != 0 ||
        ast::literal_value(*lit) > 100 * kOne) {
      error(DiagCode::bad_arguments, m_.span(c.args[1]), msg::chk_avg_prev_periods(), msg::chk_hint_avg_prev_periods());
      ok = false;
    }
  }
  if (!ok) {
    for (const ExprId a : c.args) visit(a);
    for (const auto& a : c.named) visit(a.value);
    return c.args.empty() || c.args.size() > 2 ? call_error(e, msg::chk_takes_one_value(name), fn.usage) : set_type(e, T(TypeKind::kError));
  }
  if (is_err(x)) {
    for (const auto& a : c.named) visit(a.value);
    return set_type(e, x);
  }
  if (p_.period == kNoSymbol) {
    error(DiagCode::bad_arguments, c.callee.span, msg::chk_no_periods(name), msg::chk_hint_no_periods());
    return set_type(e, T(TypeKind::kError));
  }
  Type result = x;
  NumRange range = p_.range(c.args[0]);
  if (fn.id == Builtin::kStreak) {
    if (x.kind != TypeKind::kBool) {
      error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_streak_condition(tn(x)), msg::chk_hint_streak_condition());
      return set_type(e, T(TypeKind::kError));
    }
    result = T(TypeKind::kNumber);
    range = NumRange{kOne, 0, false, true};
  } else if (fn.id == Builtin::kAvgPrev && !is_num(x)) {
    error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_avg_prev_numbers(tn(x)));
    return set_type(e, T(TypeKind::kError));
  } else if (x.kind == TypeKind::kTextList || x.kind == TypeKind::kNumberList || x.kind == TypeKind::kSet ||
             x.kind == TypeKind::kTable) {
    error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_prev_single(tn(x)));
    return set_type(e, T(TypeKind::kError));
  }
  for (const auto& a : c.named) {
    const Type t = visit(a.value);
    if (!fn.accepts_named(a.name.name)) {
      error(DiagCode::bad_arguments, a.name.span, msg::chk_no_named_arg(name, a.name.name), msg::chk_hint_write(fn.usage));
      continue;
    }
    if (!constant_expr(a.value) && !std::holds_alternative<ast::StringLit>(m_.expr(a.value)) &&
        !std::holds_alternative<ast::BoolLit>(m_.expr(a.value))) {
      error(DiagCode::not_constant, m_.span(a.value), msg::chk_default_literal(name), msg::chk_hint_write_eg("default: 0"));
    } else if (!is_err(t) && !(t == x) && !(x.kind == TypeKind::kLabel && t.kind == TypeKind::kText)) {
      error(DiagCode::type_mismatch, m_.span(a.value), msg::chk_default_type(tn(t), name, tn(x)));
    } else if (x.kind == TypeKind::kLabel && t.kind == TypeKind::kText) {
      check_label_literal(a.value, x);
    } else if (is_num(t) || is_money(t)) {
      range = range_union(range, p_.range(a.value));
    }
  }
  return set_type(e, result, range);
}

// sub_mean(x), sub_min(x), sub_max(x), sub_sum(x), sub_count(x), sub_at(x, "Q4"): in a rolled-up
// policy, an input's values in the sub-periods of the row's coarse period (the data's rows).
Type Checker::sub_periods(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
  const std::string& name = c.callee.name;
  const std::size_t want = fn.min_args;
  for (const auto& a : c.named) visit(a.value);
  if (c.args.size() != want || !c.named.empty()) {
    for (const ExprId a : c.args) visit(a);
    return call_error(e, want == 1 ? msg::chk_takes_one_value(name) : msg::chk_sub_at_args(), fn.usage);
  }
  const Type x = visit(c.args[0]);
  if (want == 2) visit(c.args[1]);
  if (is_err(x)) return set_type(e, x);
  if (!m_.rollup) {
    error(DiagCode::bad_rollup, c.callee.span, msg::chk_sub_without_rollup(name), msg::chk_hint_rollup());
    return set_type(e, T(TypeKind::kError));
  }
  const SymbolId s = std::holds_alternative<ast::NameRef>(m_.expr(c.args[0])) ? p_.ref(c.args[0]) : kNoSymbol;
  if (s == kNoSymbol || p_.symbol(s).kind != SymbolKind::kInput || m_.inputs[p_.symbol(s).index].only) {
    error(DiagCode::bad_arguments, m_.span(c.args[0]), msg::chk_sub_needs_input(name, expr_text(c.args[0])), msg::chk_hint_sub_needs_input());
    return set_type(e, T(TypeKind::kError));
  }
  const std::size_t n = std::get<ast::SetLit>(m_.expr(m_.rollup->parts)).items.size();
  if (fn.id == Builtin::kSubCount) return set_type(e, T(TypeKind::kNumber), NumRange::between(0, static_cast<std::int64_t>(n) * kOne));
  if (fn.id == Builtin::kSubAt) {
    if (!m_.rollup->groups.empty()) {
      error(DiagCode::bad_rollup, c.callee.span, msg::chk_sub_at_with_groups(), msg::chk_hint_only_with_groups());
      return set_type(e, T(TypeKind::kError));
    }
    if (x.kind == TypeKind::kTextList || x.kind == TypeKind::kNumberList) {
      error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_sub_at_single(tn(x)));
      return set_type(e, T(TypeKind::kError));
    }
    const auto* part = std::get_if<ast::StringLit>(&m_.expr(c.args[1]));
    bool listed = false;
    for (const ExprId item : std::get<ast::SetLit>(m_.expr(m_.rollup->parts)).items) {
      listed = listed || (part != nullptr && std::get<ast::StringLit>(m_.expr(item)).value == part->value);
    }
    if (!listed) {
      error(DiagCode::bad_arguments, m_.span(c.args[1]), msg::chk_sub_at_part(expr_text(c.args[1])), msg::chk_hint_sub_at_part());
      return set_type(e, T(TypeKind::kError));
    }
    return set_type(e, x, p_.range(c.args[0]));
  }
  const bool money_ok = fn.id != Builtin::kSubMean;
  if (!is_num(x) && !(money_ok && is_money(x))) {
    const Message hint = x.kind == TypeKind::kTextList || x.kind == TypeKind::kNumberList ? msg::chk_hint_sub_list()
                         : is_money(x)                                                     ? msg::chk_hint_sub_mean_money()
                                                                                           : msg::chk_hint_sub_other(expr_text(c.args[0]));
    error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_sub_numbers(name, tn(x)), hint);
    return set_type(e, T(TypeKind::kError));
  }
  NumRange r = p_.range(c.args[0]);
  if (fn.id == Builtin::kSubSum) r = range_mul(NumRange::between(0, static_cast<std::int64_t>(n) * kOne), r, kOne);
  return set_type(e, x, r);
}

// rank(x, within: g, order: desc|asc, ties: key|shared|NAME), percentile(x, within: g, ties: ...),
// peer_avg(x, within: g): each row against the rows of its period (and group).
Type Checker::peers(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
  const std::string& name = c.callee.name;
  if (c.args.size() != 1) {
    for (const ExprId a : c.args) visit(a);
    for (const auto& a : c.named) visit(a.value);
    return call_error(e, msg::chk_takes_one_value(name), fn.usage);
  }
  const Type x = visit(c.args[0]);
  bool ok = !is_err(x);
  if (ok && !is_num(x) && !is_money(x)) {
    error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_peers_numbers(name, tn(x)));
    ok = false;
  }
  for (const auto& a : c.named) {
    const std::optional<NamedArg> arg = fn.accepts_named(a.name.name) ? named_arg(a.name.name) : std::nullopt;
    if (arg == NamedArg::kWithin) {
      const Type g = visit(a.value);
      if (!is_err(g) && g.kind != TypeKind::kText && g.kind != TypeKind::kLabel) {
        error(DiagCode::type_mismatch, m_.span(a.value), msg::chk_within_type(tn(g)), msg::chk_hint_write_eg("within: 所属街道"));
        ok = false;
      }
    } else if (arg == NamedArg::kTies) {
      // `ties: key` (the default: equal values in the order of the subject key), `ties: shared`
      // (equal values share the best place, 并列), or `ties: NAME` (equal values in the order of
      // another value of the row, then the key).
      const auto w = word_arg(a);
      if (w && (*w == "key" || *w == "shared")) continue;
      if (w) visited_[static_cast<std::uint32_t>(a.value)] = false;
      const Type t = visit(a.value);
      if (!is_err(t) && !is_num(t) && !is_money(t) && t.kind != TypeKind::kText) {
        error(DiagCode::type_mismatch, m_.span(a.value), msg::chk_ties_type(tn(t)), msg::chk_hint_ties_type());
        ok = false;
      }
    } else if (arg == NamedArg::kOrder) {
      const auto w = word_arg(a);
      if (!w || (*w != "desc" && *w != "asc")) {
        error(DiagCode::bad_arguments, m_.span(a.value), msg::chk_order_word(), msg::chk_hint_order_word());
        ok = false;
      }
    } else {
      visit(a.value);
      error(DiagCode::bad_arguments, a.name.span, msg::chk_no_named_arg(name, a.name.name), msg::chk_hint_write(fn.usage));
      ok = false;
    }
  }
  if (!ok) return set_type(e, T(TypeKind::kError));
  if (fn.id == Builtin::kPeerAvg) return set_type(e, x, p_.range(c.args[0]));
  if (fn.id == Builtin::kPercentile) return set_type(e, T(TypeKind::kNumber), NumRange::between(0, kHundred));
  return set_type(e, T(TypeKind::kNumber), NumRange{kOne, 0, false, true});
}

// present(x): whether x has a value on the row; fill(x, v): x, or v where x is missing.
Type Checker::presence(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
  const bool present = fn.id == Builtin::kPresent;
  const std::size_t want = fn.min_args;
  for (const auto& a : c.named) visit(a.value);
  if (c.args.size() != want || !c.named.empty()) {
    for (const ExprId a : c.args) visit(a);
    return call_error(e, present ? msg::chk_takes_one_value("present") : msg::chk_fill_args(), fn.usage);
  }
  const Type x = visit(c.args[0]);
  if (is_err(x)) return set_type(e, x);
  if (present) return set_type(e, T(TypeKind::kBool));
  const Type v = visit(c.args[1]);
  if (!constant_expr(c.args[1]) && !std::holds_alternative<ast::StringLit>(m_.expr(c.args[1])) &&
      !std::holds_alternative<ast::BoolLit>(m_.expr(c.args[1]))) {
    error(DiagCode::not_constant, m_.span(c.args[1]), msg::chk_fill_literal(), msg::chk_hint_write_eg("fill(居民评分, 0)"));
    return set_type(e, T(TypeKind::kError));
  }
  if (!is_err(v) && !(v == x)) {
    error(DiagCode::type_mismatch, m_.span(c.args[1]), msg::chk_fill_type(tn(v), tn(x)), msg::chk_hint_fill_type());
    return set_type(e, T(TypeKind::kError));
  }
  return set_type(e, x, range_union(p_.range(c.args[0]), p_.range(c.args[1])));
}

// trimmed_mean(L, trim: n, above: m): the mean of a list of numbers without its n highest and
// n lowest items when it has more than m items (m defaults to 2n).
Type Checker::trimmed_mean(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
  bool ok = c.args.size() == 1;
  if (ok) {
    const Type t = visit(c.args[0]);
    if (is_err(t)) return set_type(e, T(TypeKind::kError));
    if (t.kind != TypeKind::kNumberList) {
      error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_trimmed_mean_list(tn(t)), msg::chk_hint_trimmed_mean_list());
      return set_type(e, T(TypeKind::kError));
    }
  }
  for (const auto& a : c.named) {
    const Type t = visit(a.value);
    const auto* lit = std::get_if<ast::NumberLit>(&m_.expr(a.value));
    const bool whole = is_num(t) && lit != nullptr && ast::literal_value(*lit) >= 0 && ast::literal_value(*lit) % kOne == 0;
    if (!fn.accepts_named(a.name.name) || !whole) {
      error(DiagCode::bad_arguments, a.name.span, msg::chk_trimmed_mean_named(), msg::chk_hint_write(fn.usage));
      ok = false;
    }
  }
  if (!ok) return c.args.size() == 1 ? set_type(e, T(TypeKind::kError)) : call_error(e, msg::chk_trimmed_mean_args(), fn.usage);
  return set_type(e, T(TypeKind::kNumber), p_.range(c.args[0]));
}

// shortfall(x, threshold, step: s, partial: prorata|floor|ceil) and excess(...)
Type Checker::shortfall(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
  bool ok = c.args.size() == 2;
  for (const ExprId a : c.args) {
    const Type t = visit(a);
    if (!is_err(t) && !is_num(t)) {
      error(DiagCode::type_mismatch, m_.span(a), msg::chk_takes_numbers(c.callee.name, tn(t)));
      ok = false;
    }
    if (is_err(t)) ok = false;
  }
  for (const auto& a : c.named) {
    const std::optional<NamedArg> arg = named_arg(a.name.name);
    if (arg == NamedArg::kStep) {
      const Type t = visit(a.value);
      const auto* lit = std::get_if<ast::NumberLit>(&m_.expr(a.value));
      if (!is_num(t) || lit == nullptr || ast::literal_value(*lit) <= 0) {
        error(DiagCode::bad_arguments, m_.span(a.value), msg::chk_step_word(), msg::chk_hint_write_eg("step: 1"));
        ok = false;
      }
    } else if (arg == NamedArg::kPartial) {
      const auto w = word_arg(a);
      if (!w || (*w != "prorata" && *w != "floor" && *w != "ceil")) {
        error(DiagCode::bad_arguments, m_.span(a.value), msg::chk_partial_word(), msg::chk_hint_partial_word());
        ok = false;
      }
    } else {
      error(DiagCode::bad_arguments, a.name.span, msg::chk_no_named_arg(c.callee.name, a.name.name),
            msg::chk_hint_write(fn.usage));
      ok = false;
    }
  }
  if (c.args.size() != 2) return call_error(e, msg::chk_shortfall_args(c.callee.name), fn.usage);
  if (!ok) return set_type(e, T(TypeKind::kError));
  return set_type(e, T(TypeKind::kNumber), NumRange{0, 0, false, true});
}

}  // namespace jixiao::dsl::check_detail
