// The checker's indicator trees: weights and full marks of every level, and each indicator's
// formula, range and adjustments (deductions and bonuses with their caps).
#include <algorithm>
#include <string>
#include <utility>

#include "checker_class.hpp"
#include "jixiao/dsl/decimal.hpp"

namespace jixiao::dsl::check_detail {

std::string Checker::node_path(std::uint32_t index) const {
  const ast::IndicatorNode& n = m_.nodes[index];
  if (n.parent == ast::IndicatorNode::kNoNode) return n.name.name;
  return node_path(n.parent) + "." + n.name.name;
}

void Checker::structure(std::uint32_t root) {
  const ast::IndicatorNode& r = m_.nodes[root];
  std::int64_t full = kHundred;
  if (r.weight.kind == ast::WeightKind::kPoints) {
    full = r.weight.raw;
  } else if (r.weight.kind != ast::WeightKind::kNone) {
    error(DiagCode::weight_not_share, r.weight.span, msg::chk_root_not_points(weight_text(r.weight)),
          msg::chk_hint_root_points(r.name.name));
  }
  p_.nodes[root].points = true;
  structure_node(root, full);
}

// A level whose weights do not add up. When a variant set some of them (their spans are in
// another file than the level's), a note points at each such line.
void Checker::weights_error(const ast::IndicatorNode& n, Message message, const std::string& kids) {
  Diagnostic d = diagnose(DiagCode::weights_sum, n.name.span, std::move(message), msg::chk_hint_subindicators_are(kids));
  // A weight another file sets, or the node's segment.
  const auto edited = [&](Span w) {
    if (w.source != n.name.span.source) return true;
    if (n.segment == kNoNode) return false;
    const Span seg = m_.segments[n.segment].span;
    return w.source == seg.source && w.begin >= seg.begin && w.end <= seg.end;
  };
  if (n.segment != kNoNode) {
    d.notes.push_back(Note{m_.segments[n.segment].name.span, msg::seg_note_tree_of(m_.segments[n.segment].name.name)});
  }
  // Where the weight of `x` is set: by a variant (another file), or by the node's segment.
  const auto note_sets = [&](const ast::IndicatorNode& x) {
    d.notes.push_back(Note{x.weight.span, x.weight.span.source != n.name.span.source
                                              ? msg::chk_note_variant_sets(x.name.name, weight_text(x.weight))
                                              : msg::seg_note_sets(x.name.name, weight_text(x.weight), m_.segments[n.segment].name.name)});
  };
  if (n.weight.kind != ast::WeightKind::kNone && edited(n.weight.span)) note_sets(n);
  for (const std::uint32_t c : n.children) {
    if (edited(m_.nodes[c].weight.span)) note_sets(m_.nodes[c]);
  }
  sink_.report(std::move(d));
}

// `full` is the node's full marks in points of the root, or -1 when an invalid level above
// leaves it unknown (its checks that need it are skipped rather than reported twice).
void Checker::structure_node(std::uint32_t index, std::int64_t full) {
  const ast::IndicatorNode& n = m_.nodes[index];
  p_.nodes[index].full = std::max<std::int64_t>(full, 0);
  const std::string path = node_path(index);
  if (n.children.empty()) {
    if (!ast::present(n.formula)) {
      error(DiagCode::bad_indicator, n.name.span, msg::chk_no_formula(path), msg::chk_hint_no_formula(n.name.name));
    }
    return;
  }
  if (ast::present(n.formula)) {
    error(DiagCode::bad_indicator, m_.span(n.formula), msg::chk_formula_and_children(path),
          msg::chk_hint_formula_and_children());
  }
  bool valid = true;
  bool has_percent = false;
  bool has_points = false;
  for (const std::uint32_t c : n.children) {
    const ast::Weight& w = m_.nodes[c].weight;
    if (w.kind == ast::WeightKind::kNone) {
      error(DiagCode::weight_not_share, w.span, msg::chk_weight_no_unit(weight_text(w), path + "." + m_.nodes[c].name.name),
            msg::chk_hint_weight_no_unit(weight_text(w)));
      valid = false;
    } else if (w.kind == ast::WeightKind::kOther) {
      error(DiagCode::weight_not_share, w.span, msg::chk_weight_money(weight_text(w), path + "." + m_.nodes[c].name.name),
            msg::chk_hint_weight_money());
      valid = false;
    } else if (w.kind == ast::WeightKind::kPercent) {
      has_percent = true;
    } else {
      has_points = true;
    }
  }
  if (valid && has_percent && has_points) {
    std::vector<std::string> kids;
    for (const std::uint32_t c : n.children) kids.push_back("`" + m_.nodes[c].name.name + "` " + weight_text(m_.nodes[c].weight));
    error(DiagCode::mixed_weights, n.name.span, msg::chk_mixed_weights(path, plain_list(kids)), msg::chk_hint_mixed_weights());
    valid = false;
  }
  std::int64_t sum = 0;
  std::string kids;
  for (const std::uint32_t c : n.children) {
    sum += m_.nodes[c].weight.raw;
    kids += (kids.empty() ? "" : " + ") + std::string("`") + m_.nodes[c].name.name + "` " + weight_text(m_.nodes[c].weight);
  }
  if (valid && has_percent) {
    const bool relative = sum == kHundred;
    const bool absolute = n.weight.kind == ast::WeightKind::kPercent && sum == n.weight.raw;
    if (!relative && !absolute) {
      const Message expected = n.weight.kind == ast::WeightKind::kPercent && n.weight.raw != kHundred
                                   ? msg::chk_weights_expected_either(n.name.name, pct(n.weight.raw))
                                   : msg::chk_weights_expected_100();
      weights_error(n, msg::chk_weights_sum(path, pct(sum), expected), kids);
      valid = false;
    }
  }
  if (valid && has_points && full >= 0 && sum != full) {
    weights_error(n, msg::chk_points_sum(path, decimal::to_string(sum), decimal::to_string(full), n.name.name), kids);
    valid = false;
  }
  for (const std::uint32_t c : n.children) {
    std::int64_t child_full = -1;  // unknown: this level is already reported as invalid
    if (valid && full < 0) {
      child_full = has_points ? m_.nodes[c].weight.raw : -1;
    } else if (valid && has_percent) {
      child_full = static_cast<std::int64_t>(
          decimal::div_round(static_cast<Int128>(full) * m_.nodes[c].weight.raw, sum));
    } else if (valid) {
      child_full = m_.nodes[c].weight.raw;
      p_.nodes[c].points = true;
    }
    structure_node(c, child_full);
  }
}

// Each segment's node of the path (one node without segments); the range covers them all.
void Checker::indicator(SymbolId id) {
  std::vector<std::uint32_t> variants{sym(id).index};
  if (const auto it = path_segments_.find(id); it != path_segments_.end() && it->second.size() > 1) {
    for (std::uint32_t i = 0; i < m_.nodes.size(); ++i) {
      if (i != sym(id).index && !m_.nodes[i].detached && p_.nodes[i].symbol == id) variants.push_back(i);
    }
  }
  NumRange range;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    reader_segment_ = m_.nodes[variants[v]].segment;
    indicator_node(id, variants[v]);
    range = v == 0 ? sym(id).range : range_union(range, sym(id).range);
  }
  sym(id).range = range;
}

void Checker::indicator_node(SymbolId id, std::uint32_t index) {
  const ast::IndicatorNode& n = m_.nodes[index];
  const NodeInfo& info = p_.nodes[index];
  if (n.segment != kNoNode && n.missing == ast::MissingRule::kPeerAverage && reported_peer_.insert(n.missing_span.begin).second) {
    error(DiagCode::bad_indicator, n.missing_span, msg::seg_peer_average(sym(id).name), msg::seg_hint_peer_average());
  }
  sym(id).type = T(TypeKind::kNumber);
  for (const std::uint32_t c : n.children) {
    if (p_.nodes[c].symbol == kNoSymbol) continue;
    add_dep(p_.nodes[c].symbol, m_.nodes[c].name.span);
    ensure(p_.nodes[c].symbol);
  }
  if (ast::present(n.formula) && n.children.empty()) {
    const Type t = visit(n.formula);
    if (!is_err(t) && !is_num(t)) {
      error(DiagCode::type_mismatch, m_.span(n.formula), msg::chk_formula_not_score(sym(id).name, tn(t)),
            t.kind == TypeKind::kBool    ? std::optional<Message>(msg::chk_hint_formula_bool())
            : t.kind == TypeKind::kMoney ? std::optional<Message>(msg::chk_hint_formula_money())
                                         : std::nullopt);
    }
  }
  NumRange bonus = NumRange::exact(0);
  for (const ast::Adjust& a : n.adjusts) {
    const NumRange r = adjust(a, sym(id).name);
    if (a.kind == ast::AdjustKind::kBonus) bonus = range_add(bonus, r);
  }
  if (ast::present(n.deductions_max)) number_expr(n.deductions_max, msg::chk_what_deductions_cap());
  if (ast::present(n.bonuses_max)) {
    number_expr(n.bonuses_max, msg::chk_what_bonuses_cap());
    bonus = range_min(bonus, p_.range(n.bonuses_max));
  }
  // A leaf scores within [0, full marks]; a group within the sum of its sub-indicators (whose
  // bonuses can carry it past its full marks); either can gain its own bonuses on top.
  NumRange r = NumRange::between(0, info.full);
  if (!n.children.empty()) {
    r = NumRange::exact(0);
    for (const std::uint32_t c : n.children) {
      // In a segment's tree, its own sub-indicators' ranges (the path's covers every segment's).
      if (const auto own = node_range_.find(c); own != node_range_.end()) {
        r = range_add(r, own->second);
      } else if (p_.nodes[c].symbol != kNoSymbol) {
        r = range_add(r, sym(p_.nodes[c].symbol).range);
      }
    }
    r = range_max(r, NumRange::exact(0));
  }
  r = range_add(r, NumRange{0, bonus.hi_inf ? 0 : std::max<std::int64_t>(0, bonus.hi), false, bonus.hi_inf});
  sym(id).range = r;
  if (n.segment != kNoNode) node_range_[index] = r;
}

void Checker::number_expr(ExprId e, Message what) {
  const Type t = visit(e);
  if (!is_err(t) && !is_num(t)) {
    error(DiagCode::type_mismatch, m_.span(e), msg::chk_not_points(std::move(what), tn(t)));
  }
}

// Returns the range of the adjustment's amount after its cap.
NumRange Checker::adjust(const ast::Adjust& a, const std::string& node) {
  number_expr(a.amount, a.kind == ast::AdjustKind::kDeduct ? msg::chk_what_deduction_points(a.name.name)
                                                           : msg::chk_what_bonus_points(a.name.name));
  NumRange r = p_.range(a.amount);
  if (ast::present(a.per)) {
    number_expr(a.per, msg::chk_what_per(a.name.name));
    r = range_mul(r, p_.range(a.per), kOne);
  }
  if (ast::present(a.when)) {
    const Type t = visit(a.when);
    if (!is_err(t) && t.kind != TypeKind::kBool) {
      error(DiagCode::type_mismatch, m_.span(a.when), msg::chk_condition_not_bool(msg::chk_what_name(a.name.name), tn(t)),
            msg::chk_hint_when_comparison());
    }
    r = range_union(r, NumRange::exact(0));
  }
  if (ast::present(a.max)) {
    number_expr(a.max, msg::chk_what_cap_of(a.name.name));
    r = range_min(r, p_.range(a.max));
  }
  (void)node;
  return range_max(r, NumRange::exact(0));
}

}  // namespace jixiao::dsl::check_detail
