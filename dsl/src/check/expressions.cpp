// The checker's expressions: the type and static range of literals, names, operators,
// comparisons, `if`, sets, tables, coefficients and bands.
#include <set>
#include <string>
#include <utility>

#include "checker_class.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/decl_text.hpp"

namespace jixiao::dsl::check_detail {

Type Checker::set_type(ExprId e, Type t, NumRange r) {
  p_.expr_type[static_cast<std::uint32_t>(e)] = t;
  p_.expr_range[static_cast<std::uint32_t>(e)] = r;
  return t;
}

Type Checker::visit(ExprId e) {
  if (visited_[static_cast<std::uint32_t>(e)]) return p_.type(e);
  // `a + b + c ...` nests down the left: type its inner operations first, innermost first, so
  // that each finds its left operand typed and the recursion stays one level deep.
  if (const auto* b = std::get_if<ast::Binary>(&m_.expr(e));
      b != nullptr && !visited_[static_cast<std::uint32_t>(b->lhs)] && std::holds_alternative<ast::Binary>(m_.expr(b->lhs))) {
    for (const ExprId inner : ast::left_chain(m_.exprs, b->lhs)) visit(inner);
  }
  visited_[static_cast<std::uint32_t>(e)] = true;
  return std::visit([&](const auto& node) { return visit_node(e, node); }, m_.expr(e));
}

Type Checker::visit_node(ExprId e, const ast::NumberLit& n) {
  return set_type(e, T(TypeKind::kNumber), NumRange::exact(ast::literal_value(n)));
}

Type Checker::visit_node(ExprId e, const ast::NameRef& ref) {
  const SymbolId id = resolve(ref, e);
  if (id == kNoSymbol) return set_type(e, T(TypeKind::kError));
  p_.expr_ref[static_cast<std::uint32_t>(e)] = id;
  used_[static_cast<std::uint32_t>(id)] = true;
  add_dep(id, m_.span(e));
  if (state_[static_cast<std::uint32_t>(id)] == 0 && !on_cycle_with_current(id)) ensure(id);
  const Symbol& s = sym(id);
  const bool unfinished = state_[static_cast<std::uint32_t>(id)] != 2;  // on a cycle with this one
  if (unfinished && s.kind == SymbolKind::kLet) {
    // A cycle through lets: the planner reports it; type it as invalid to stay quiet here.
    return set_type(e, T(TypeKind::kError));
  }
  Type t = s.type;
  NumRange r = s.range;
  if (s.kind == SymbolKind::kIndicator && unfinished) {
    t = T(TypeKind::kNumber);
    r = NumRange::between(0, p_.nodes[s.index].full);
  }
  if (s.kind == SymbolKind::kFund && current_ != kNoSymbol) {
    error(DiagCode::type_mismatch, m_.span(e), msg::chk_fund_in_formula(s.name), msg::chk_hint_fund_in_formula());
    return set_type(e, T(TypeKind::kError));
  }
  if (s.kind == SymbolKind::kIndicator && !segment_read(id, e)) return set_type(e, T(TypeKind::kError));
  return set_type(e, t, r);
}

Type Checker::visit_node(ExprId e, const ast::Unary& u) {
  const Type t = visit(u.operand);
  if (is_err(t)) return set_type(e, t);
  if (u.op == ast::UnaryOp::kNot) {
    if (t.kind != TypeKind::kBool) {
      error(DiagCode::type_mismatch, m_.span(u.operand), msg::chk_not_needs_condition(tn(t)));
      return set_type(e, T(TypeKind::kError));
    }
    return set_type(e, t);
  }
  if (!is_num(t) && !is_money(t)) {
    error(DiagCode::type_mismatch, m_.span(u.operand), msg::chk_cannot_negate(tn(t)));
    return set_type(e, T(TypeKind::kError));
  }
  return set_type(e, t, range_neg(p_.range(u.operand)));
}

Type Checker::visit_node(ExprId e, const ast::Binary& b) {
  using B = ast::BinaryOp;
  const Type l = visit(b.lhs);
  const Type r = visit(b.rhs);
  if (is_err(l) || is_err(r)) {
    const bool logical = b.op >= B::kEq;
    return set_type(e, logical ? T(TypeKind::kBool) : T(TypeKind::kError));
  }
  const NumRange lr = p_.range(b.lhs);
  const NumRange rr = p_.range(b.rhs);
  switch (b.op) {
    case B::kAdd:
    case B::kSub: {
      if ((is_num(l) && is_num(r)) || (is_money(l) && is_money(r))) {
        return set_type(e, l, b.op == B::kAdd ? range_add(lr, rr) : range_sub(lr, rr));
      }
      return mismatch(e, b, l, r, b.op == B::kAdd ? msg::chk_verb_add() : msg::chk_verb_subtract(),
                      (is_money(l) || is_money(r)) && (is_num(l) || is_num(r))
                          ? std::optional<Message>(msg::chk_hint_money_scores())
                          : std::nullopt);
    }
    case B::kMul: {
      if (is_num(l) && is_num(r)) return set_type(e, l, range_mul(lr, rr, kOne));
      if (is_money(l) && is_num(r)) return set_type(e, l, range_mul(lr, rr, kOne));
      if (is_num(l) && is_money(r)) return set_type(e, r, range_mul(lr, rr, kOne));
      return mismatch(e, b, l, r, msg::chk_verb_multiply(),
                      is_money(l) && is_money(r) ? std::optional<Message>(msg::chk_hint_money_times_money())
                                                 : std::nullopt);
    }
    case B::kDiv: {
      if (is_num(l) && is_num(r)) return set_type(e, l, range_div(lr, rr, kOne));
      if (is_money(l) && is_num(r)) return set_type(e, l, range_div(lr, rr, kOne));
      if (is_money(l) && is_money(r)) return set_type(e, T(TypeKind::kNumber), range_div(lr, rr, kOne));
      return mismatch(e, b, l, r, msg::chk_verb_divide(),
                      is_num(l) && is_money(r) ? std::optional<Message>(msg::chk_hint_number_by_money())
                                               : std::nullopt);
    }
    case B::kAnd:
    case B::kOr:
      if (l.kind == TypeKind::kBool && r.kind == TypeKind::kBool) return set_type(e, l);
      return mismatch(e, b, l, r, b.op == B::kAnd ? msg::chk_verb_and() : msg::chk_verb_or(), msg::chk_hint_and_or());
    case B::kEq:
    case B::kNe:
    case B::kLt:
    case B::kLe:
    case B::kGt:
    case B::kGe:
      return compare(e, b, l, r);
    case B::kIn:
    case B::kNotIn:
      return membership(e, b, l, r, false);
    case B::kAnyIn:
    case B::kAllIn:
      return membership(e, b, l, r, true);
  }
  return set_type(e, T(TypeKind::kError));
}

Type Checker::mismatch(ExprId e, const ast::Binary& b, const Type& l, const Type& r, Message verb,
                       std::optional<Message> hint) {
  error(DiagCode::type_mismatch, b.op_span, msg::chk_mismatch(std::move(verb), tn(l), operand(b.lhs), tn(r), operand(b.rhs)),
        std::move(hint));
  return set_type(e, T(TypeKind::kError));
}

// Checks that a text literal compared with a label names one of its labels.
void Checker::check_label_literal(ExprId lit, const Type& label_type) {
  const auto& s = std::get<ast::StringLit>(m_.expr(lit));
  std::uint32_t index = 0;
  resolve_label(ast::Label{s.value, true, m_.span(lit)}, label_type.domain, index);
}

Type Checker::compare(ExprId e, const ast::Binary& b, const Type& l, const Type& r) {
  using B = ast::BinaryOp;
  const bool ordering = b.op != B::kEq && b.op != B::kNe;
  const Type boolean = T(TypeKind::kBool);
  if ((is_num(l) && is_num(r)) || (is_money(l) && is_money(r))) return set_type(e, boolean);
  if (!ordering) {
    if (l.kind == TypeKind::kText && r.kind == TypeKind::kText) return set_type(e, boolean);
    if (l.kind == TypeKind::kBool && r.kind == TypeKind::kBool) return set_type(e, boolean);
    if (l.kind == TypeKind::kLabel && r.kind == TypeKind::kLabel && l.domain == r.domain) return set_type(e, boolean);
    if (l.kind == TypeKind::kLabel && r.kind == TypeKind::kText && is_string_lit(b.rhs)) {
      check_label_literal(b.rhs, l);
      return set_type(e, boolean);
    }
    if (r.kind == TypeKind::kLabel && l.kind == TypeKind::kText && is_string_lit(b.lhs)) {
      check_label_literal(b.lhs, r);
      return set_type(e, boolean);
    }
  }
  std::optional<Message> hint;
  if ((is_money(l) && is_num(r)) || (is_num(l) && is_money(r))) {
    hint = msg::chk_hint_compare_money();
  } else if (ordering && (l.kind == TypeKind::kLabel || r.kind == TypeKind::kLabel)) {
    hint = msg::chk_hint_labels_no_order();
  } else if (l.kind == TypeKind::kLabel || r.kind == TypeKind::kLabel) {
    hint = msg::chk_hint_compare_label();
  }
  return mismatch(e, b, l, r, msg::chk_verb_compare(), hint);
}

Type Checker::membership(ExprId e, const ast::Binary& b, const Type& l, const Type& r, bool list) {
  const Type boolean = T(TypeKind::kBool);
  if (r.kind != TypeKind::kSet) {
    return mismatch(e, b, l, r, msg::chk_verb_membership(), msg::chk_hint_set_right());
  }
  if (list) {
    if (l.kind != TypeKind::kTextList) {
      return mismatch(e, b, l, r, msg::chk_verb_test(), msg::chk_hint_any_all_in());
    }
    return set_type(e, boolean);
  }
  if (l.kind == TypeKind::kText) return set_type(e, boolean);
  if (l.kind == TypeKind::kLabel) {
    for (const ExprId item : set_items(b.rhs)) check_label_literal(item, l);
    return set_type(e, boolean);
  }
  return mismatch(e, b, l, r, msg::chk_verb_membership(),
                  l.kind == TypeKind::kTextList ? std::optional<Message>(msg::chk_hint_list_in()) : std::nullopt);
}

// The string literals of a set literal or of the set a name refers to.
std::vector<ExprId> Checker::set_items(ExprId e) const {
  if (const auto* s = std::get_if<ast::SetLit>(&m_.expr(e))) return s->items;
  if (std::holds_alternative<ast::NameRef>(m_.expr(e))) {
    const SymbolId id = p_.ref(e);
    if (id != kNoSymbol && p_.symbol(id).kind == SymbolKind::kSet) return set_items(m_.sets[p_.symbol(id).index].value);
  }
  return {};
}

Type Checker::visit_node(ExprId e, const ast::If& i) {
  const Type c = visit(i.cond);
  const Type a = visit(i.then_expr);
  const Type b = visit(i.else_expr);
  if (!is_err(c) && c.kind != TypeKind::kBool) {
    error(DiagCode::type_mismatch, m_.span(i.cond), msg::chk_condition_not_bool(msg::chk_what_name("if"), tn(c)));
  }
  if (is_err(a) || is_err(b)) return set_type(e, T(TypeKind::kError));
  if (a.kind == TypeKind::kTextList || a.kind == TypeKind::kNumberList || a.kind == TypeKind::kSet ||
      a.kind == TypeKind::kTable) {
    error(DiagCode::type_mismatch, m_.span(e), msg::chk_if_not_single(tn(a)), msg::chk_hint_if_not_single());
    return set_type(e, T(TypeKind::kError));
  }
  if (!(a == b)) {
    error(DiagCode::type_mismatch, m_.span(e), msg::chk_if_branches(tn(a), operand(i.then_expr), tn(b), operand(i.else_expr)),
          msg::chk_hint_if_branches());
    return set_type(e, T(TypeKind::kError));
  }
  return set_type(e, a, range_union(p_.range(i.then_expr), p_.range(i.else_expr)));
}

Type Checker::visit_node(ExprId e, const ast::Pair& pr) {
  visit(pr.from);
  visit(pr.to);
  error(DiagCode::bad_arguments, m_.span(e), msg::chk_pair_outside());
  return set_type(e, T(TypeKind::kError));
}

Type Checker::visit_node(ExprId e, const ast::SetLit& s) {
  std::set<std::string> seen;
  for (const ExprId item : s.items) {
    visit(item);
    const auto& value = std::get<ast::StringLit>(m_.expr(item)).value;
    if (!seen.insert(value).second) {
      error(DiagCode::duplicate_name, m_.span(item), msg::chk_set_twice(value), msg::chk_hint_set_once());
    }
  }
  return set_type(e, T(TypeKind::kSet));
}

Type Checker::visit_node(ExprId e, const ast::TableLit& t) {
  TypeKind value = TypeKind::kError;
  std::set<std::string> seen;
  for (const auto& entry : t.entries) {
    const Type vt = visit(entry.value);
    if (!seen.insert(entry.key.text).second) {
      error(DiagCode::duplicate_name, entry.key.span, msg::chk_table_twice(entry.key.text), msg::chk_hint_table_once());
    }
    if (is_err(vt)) continue;
    if (!is_num(vt) && !is_money(vt)) {
      error(DiagCode::type_mismatch, m_.span(entry.value), msg::chk_table_value(tn(vt)));
      continue;
    }
    if (value == TypeKind::kError) {
      value = vt.kind;
    } else if (value != vt.kind) {
      error(DiagCode::type_mismatch, m_.span(entry.value), msg::chk_table_mixed(), msg::chk_hint_same_unit());
    }
  }
  return set_type(e, Type{TypeKind::kTable, 0, value});
}

Type Checker::visit_node(ExprId e, const ast::Coef& c) {
  const Type subject = visit(c.subject);
  TypeKind value = TypeKind::kError;
  NumRange range;
  bool first = true;
  auto add_value = [&](ExprId v) {
    const Type vt = visit(v);
    if (is_err(vt)) return;
    if (!is_num(vt) && !is_money(vt)) {
      error(DiagCode::type_mismatch, m_.span(v), msg::chk_coef_value(tn(vt)));
      return;
    }
    if (value == TypeKind::kError) value = vt.kind;
    if (value != vt.kind) {
      error(DiagCode::type_mismatch, m_.span(v), msg::chk_table_mixed(), msg::chk_hint_same_unit());
      return;
    }
    range = first ? p_.range(v) : range_union(range, p_.range(v));
    first = false;
  };
  for (const auto& entry : c.entries) add_value(entry.value);
  if (ast::present(c.otherwise)) add_value(c.otherwise);
  if (is_err(subject)) return set_type(e, T(TypeKind::kError));
  std::set<std::string> seen;
  for (const auto& entry : c.entries) {
    if (!seen.insert(entry.key.text).second) {
      error(DiagCode::duplicate_name, entry.key.span, msg::chk_listed_twice(entry.key.text), msg::chk_hint_label_once());
    }
  }
  if (subject.kind == TypeKind::kLabel) {
    for (const auto& entry : c.entries) {
      std::uint32_t index = 0;
      resolve_label(entry.key, subject.domain, index);
    }
    if (!ast::present(c.otherwise)) {
      std::string missing;
      for (const auto& label : p_.domains[subject.domain].labels) {
        if (!seen.count(label)) missing += (missing.empty() ? "`" : ", `") + label + "`";
      }
      if (!missing.empty()) {
        error(DiagCode::missing_label, m_.span(e), msg::chk_coef_missing(missing), msg::chk_hint_coef_missing());
      }
    }
  } else if (subject.kind == TypeKind::kText) {
    if (!ast::present(c.otherwise)) {
      error(DiagCode::missing_label, m_.span(e), msg::chk_coef_needs_else(tn(subject)), msg::chk_hint_coef_else());
    }
  } else {
    error(DiagCode::type_mismatch, m_.span(c.subject), msg::chk_coef_subject(tn(subject)), msg::chk_hint_coef_subject());
    return set_type(e, T(TypeKind::kError));
  }
  if (value == TypeKind::kError) return set_type(e, T(TypeKind::kError));
  return set_type(e, T(value), range);
}

Type Checker::visit_node(ExprId e, const ast::Bands& b) {
  const Type subject = visit(b.subject);
  TypeKind value = TypeKind::kError;
  NumRange range;
  bool first = true;
  for (const auto& entry : b.entries) {
    const Type vt = visit(entry.value);
    if (is_err(vt)) continue;
    if (!is_num(vt) && !is_money(vt)) {
      error(DiagCode::type_mismatch, m_.span(entry.value), msg::chk_band_value(tn(vt)));
      continue;
    }
    if (value == TypeKind::kError) value = vt.kind;
    range = first ? p_.range(entry.value) : range_union(range, p_.range(entry.value));
    first = false;
  }
  if (is_err(subject)) return set_type(e, T(TypeKind::kError));
  if (!is_num(subject)) {
    error(DiagCode::type_mismatch, m_.span(b.subject), msg::chk_bands_subject(tn(subject)), msg::chk_hint_bands_subject());
    return set_type(e, T(TypeKind::kError));
  }
  std::vector<BandRef> refs;
  for (const auto& entry : b.entries) {
    refs.push_back({entry.interval, std::string(expr_text(b.subject)) + " " + interval_text(entry.interval, kInfinity), entry.interval.span});
  }
  if (b.entries.empty()) {
    error(DiagCode::band_gap, m_.span(e), msg::bands_empty(), msg::hint_bands_empty());
  } else {
    check_tiling(std::move(refs), p_.range(b.subject), msg::band_owner_bands(expr_text(b.subject)), sink_);
  }
  if (value == TypeKind::kError) return set_type(e, T(TypeKind::kError));
  return set_type(e, T(value), range);
}

}  // namespace jixiao::dsl::check_detail
