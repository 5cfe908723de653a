// The checker's checks of the whole policy once every symbol is checked: missing values of
// optional inputs handled where they arrive, outputs, and unused declarations.
#include <set>
#include <string>

#include "checker_class.hpp"

namespace jixiao::dsl::check_detail {

void Checker::outputs() {
  if (!m_.output) return;
  const SymbolId saved = current_;
  current_ = kNoSymbol;
  reader_segment_ = kAnySegment;
  std::set<std::string> seen;
  for (const ExprId e : m_.output->items) {
    const Type t = visit(e);
    const std::string name = ast::path_text(std::get<ast::NameRef>(m_.expr(e)));
    if (!seen.insert(name).second) {
      error(DiagCode::duplicate_name, m_.span(e), msg::chk_output_twice(name), msg::chk_hint_output_once());
    }
    if (t.kind == TypeKind::kSet || t.kind == TypeKind::kTable) {
      error(DiagCode::type_mismatch, m_.span(e), msg::chk_output_not_per_row(tn(t)), msg::chk_hint_output_kinds());
    }
  }
  current_ = saved;
}

void Checker::unused() {
  // An error often leaves a declaration unused (a misspelt name); say only what is certain.
  if (sink_.error_count() > errors_at_start_) return;
  for (std::size_t i = 0; i < p_.symbols.size(); ++i) {
    if (used_[i]) continue;
    const Symbol& s = p_.symbols[i];
    if (s.kind == SymbolKind::kInput) {
      sink_.report(diagnose(DiagCode::unused_input, s.span, msg::chk_unused_input(s.name), msg::chk_hint_unused_input()));
    } else if (s.kind == SymbolKind::kParam || s.kind == SymbolKind::kSet || s.kind == SymbolKind::kLet) {
      sink_.report(diagnose(DiagCode::unused_declaration, s.span, msg::chk_unused(kind_message(s), s.name),
                            msg::chk_hint_unused()));
    }
  }
}

// Missing values (N/A) of optional inputs must be handled where they arrive: a scored
// indicator says what they mean (`missing zero|peer_average|reweight`); anything else reads
// them through `present` or `fill`.
void Checker::missing_values() {
  auto names = [&](const std::vector<std::uint32_t>& inputs) {
    std::string list;
    for (const auto i : inputs) list += (list.empty() ? "`" : "`, `") + m_.inputs[i].name.name;
    return list + "`";
  };
  // Segments' copies of a tree share their formulas: each is reported once.
  std::set<std::uint32_t> reported;
  const auto once = [&](ExprId e) { return reported.insert(static_cast<std::uint32_t>(e)).second; };
  auto forbid = [&](ExprId e, const Message& where) {
    if (!ast::present(e) || !once(e)) return;
    const auto inputs = optional_inputs(p_, e);
    if (inputs.empty()) return;
    error(DiagCode::unhandled_missing, m_.span(e), msg::chk_reads_optional(where, names(inputs)),
          msg::chk_hint_reads_optional(m_.inputs[inputs[0]].name.name));
  };
  for (std::size_t i = 0; i < m_.nodes.size(); ++i) {
    const ast::IndicatorNode& n = m_.nodes[i];
    if (n.detached || p_.nodes[i].symbol == kNoSymbol) continue;
    const std::string path = sym(p_.nodes[i].symbol).name;
    if (n.children.empty() && ast::present(n.formula)) {
      const auto inputs = optional_inputs(p_, n.formula);
      if (!inputs.empty() && n.missing == ast::MissingRule::kNone && once(n.formula)) {
        error(DiagCode::unhandled_missing, m_.span(n.formula), msg::chk_indicator_reads_optional(path, names(inputs)),
              msg::chk_hint_indicator_missing());
      } else if (inputs.empty() && n.missing != ast::MissingRule::kNone) {
        sink_.report(diagnose(DiagCode::unused_declaration, n.missing_span, msg::chk_missing_rule_unused(path),
                              msg::chk_hint_missing_rule_unused()));
      }
    }
    for (const ast::Adjust& a : n.adjusts) {
      for (const ExprId e : {a.amount, a.per, a.when, a.max}) forbid(e, msg::chk_where_adjust(a.name.name));
    }
    forbid(n.deductions_max, msg::chk_where_deductions_cap(path));
    forbid(n.bonuses_max, msg::chk_where_bonuses_cap(path));
  }
  for (const auto& v : m_.vetoes) forbid(v.when, msg::chk_where_veto(v.name.name));
  for (const auto& b : m_.bands) forbid(b.of, msg::chk_where_band(b.name.name));
  for (const auto& f : m_.funds) {
    forbid(f.per_group, msg::chk_where_fund(f.name.name));
    for (const auto& t : f.tracks) {
      for (const ExprId e : {t.by, t.proportional, t.when}) forbid(e, msg::chk_where_track(f.name.name + "." + t.name.name));
    }
    for (const auto& k : f.ties) forbid(k.key, msg::chk_where_ties(f.name.name));
  }
}

}  // namespace jixiao::dsl::check_detail
