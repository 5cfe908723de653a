// The checker's vetoes (their effects on grades, alerts and funds) and grade and alert bands.
#include <algorithm>
#include <string>
#include <utility>

#include "checker_class.hpp"
#include "jixiao/dsl/edit_distance.hpp"

namespace jixiao::dsl::check_detail {

void Checker::veto(SymbolId id) {
  const ast::VetoDecl& v = m_.vetoes[sym(id).index];
  sym(id).type = T(TypeKind::kBool);
  const Type t = visit(v.when);
  if (!is_err(t) && t.kind != TypeKind::kBool) {
    error(DiagCode::type_mismatch, m_.span(v.when), msg::chk_condition_not_bool(msg::chk_what_veto(v.name.name), tn(t)),
          msg::chk_hint_veto_condition());
  }
  if (!v.reason) {
    error(DiagCode::missing_reason, v.name.span, msg::chk_veto_no_reason(v.name.name), msg::chk_hint_veto_no_reason());
  }
  auto& resolved = p_.veto_effects[sym(id).index];
  for (const ast::VetoEffect& e : v.effects) {
    ResolvedEffect r;
    r.kind = e.kind;
    r.steps = e.steps;
    if (e.kind == ast::EffectKind::kFundZero) {
      if (!resolve_fund_target(e, r)) continue;
    } else {
      const bool grade = e.kind != ast::EffectKind::kAlert;
      if (!resolve_band_target(e, grade, r)) continue;
      const std::uint32_t domain = p_.band_domain[r.target];
      if (e.kind == ast::EffectKind::kGradeDown) {
        if (e.steps < 1) error(DiagCode::bad_arguments, e.span, msg::chk_grade_down_zero(), msg::chk_hint_grade_down_zero());
      } else if (!resolve_label(e.label, domain, r.label)) {
        continue;
      }
    }
    resolved.push_back(r);
  }
}

bool Checker::resolve_label(const ast::Label& label, std::uint32_t domain, std::uint32_t& out) {
  const Domain& d = p_.domains[domain];
  const auto it = std::find(d.labels.begin(), d.labels.end(), label.text);
  if (it != d.labels.end()) {
    out = static_cast<std::uint32_t>(it - d.labels.begin());
    return true;
  }
  const Message labels = msg::chk_hint_labels_are(backticked_list(d.labels));
  const auto best = closest_name(label.text, d.labels);
  error(DiagCode::unknown_label, label.span, msg::chk_no_label(d.name, label.text),
        best ? msg::did_you_mean_then(*best, labels) : labels);
  return false;
}

bool Checker::resolve_band_target(const ast::VetoEffect& e, bool grade, ResolvedEffect& r) {
  const ast::BandKind want = grade ? ast::BandKind::kGrade : ast::BandKind::kAlert;
  const std::string word = grade ? "grade" : "alert";
  if (e.target) {
    for (std::uint32_t i = 0; i < m_.bands.size(); ++i) {
      if (m_.bands[i].name.name == e.target->name && m_.bands[i].kind == want) {
        r.target = i;
        link_effect(top_.at(m_.bands[i].name.name), e.span);
        return true;
      }
    }
    error(DiagCode::unknown_name, e.target->span,
          grade ? msg::chk_no_grade_named(e.target->name) : msg::chk_no_alert_named(e.target->name),
          candidates_hint(e.target->name, grade ? SymbolKind::kGrade : SymbolKind::kAlert));
    return false;
  }
  std::vector<std::uint32_t> found;
  for (std::uint32_t i = 0; i < m_.bands.size(); ++i) {
    if (m_.bands[i].kind == want) found.push_back(i);
  }
  if (found.empty()) {
    error(DiagCode::unknown_name, e.span, grade ? msg::chk_veto_grade_none() : msg::chk_veto_alert_none(),
          grade ? msg::chk_hint_declare_grade() : msg::chk_hint_declare_alert());
    return false;
  }
  if (found.size() > 1) {
    std::vector<std::string> names;
    for (const std::uint32_t i : found) names.push_back(m_.bands[i].name.name);
    error(DiagCode::ambiguous_target, e.span,
          grade ? msg::chk_several_grades(found.size(), backticked_list(names))
                : msg::chk_several_alerts(found.size(), backticked_list(names)),
          msg::chk_hint_name_target(word, m_.bands[found[0]].name.name, e.label.text.empty() ? "..." : e.label.text));
    return false;
  }
  r.target = found[0];
  link_effect(top_.at(m_.bands[found[0]].name.name), e.span);
  return true;
}

bool Checker::resolve_fund_target(const ast::VetoEffect& e, ResolvedEffect& r) {
  if (e.target) {
    for (std::uint32_t i = 0; i < m_.funds.size(); ++i) {
      if (m_.funds[i].name.name == e.target->name) {
        r.target = i;
        link_effect(top_.at(m_.funds[i].name.name), e.span);
        return true;
      }
    }
    error(DiagCode::unknown_name, e.target->span, msg::chk_no_fund_named(e.target->name),
          candidates_hint(e.target->name, SymbolKind::kFund));
    return false;
  }
  if (m_.funds.empty()) {
    error(DiagCode::unknown_name, e.span, msg::chk_veto_fund_none(), msg::chk_hint_veto_fund_none());
    return false;
  }
  r.all_funds = true;
  for (const auto& f : m_.funds) link_effect(top_.at(f.name.name), e.span);
  return true;
}

// The grade, alert or fund depends on the veto whose effect changes it.
void Checker::link_effect(SymbolId target, Span where) {
  p_.deps[static_cast<std::uint32_t>(target)].push_back({current_, where});
}

std::optional<Message> Checker::candidates_hint(const std::string& name, SymbolKind kind) {
  std::vector<std::string> names;
  for (const auto& s : p_.symbols) {
    if (s.kind == kind) names.push_back(s.name);
  }
  if (auto best = closest_name(name, names)) return msg::did_you_mean(*best);
  return std::nullopt;
}

void Checker::band_decl(SymbolId id) {
  const ast::BandDecl& b = m_.bands[sym(id).index];
  sym(id).type = Type{TypeKind::kLabel, p_.band_domain[sym(id).index], TypeKind::kError};
  const Type t = visit(b.of);
  const Message owner =
      b.kind == ast::BandKind::kGrade ? msg::band_owner_grade(b.name.name) : msg::band_owner_alert(b.name.name);
  if (!is_err(t) && !is_num(t)) {
    error(DiagCode::type_mismatch, m_.span(b.of), msg::chk_bands_not_number(owner, tn(t)), msg::chk_hint_bands_not_number());
    return;
  }
  if (is_err(t)) return;
  std::vector<BandRef> refs;
  for (const ast::Band& band : b.bands) {
    if (band.has_interval) refs.push_back({band.interval, band.label.text, band.span});
  }
  if (refs.empty()) {
    error(DiagCode::band_gap, b.name.span, msg::band_no_interval(owner), msg::hint_band_no_interval());
  } else {
    check_tiling(std::move(refs), p_.range(b.of), owner, sink_);
  }
  for (const ast::Band& band : b.bands) {
    if (band.deadline && b.kind == ast::BandKind::kGrade) {
      // Deadlines are for alerts; a grade band may carry action text only.
      error(DiagCode::bad_arguments, band.deadline->span, msg::chk_grade_deadline(), msg::chk_hint_grade_deadline());
    }
    if (band.deadline && band.deadline->count <= 0) {
      error(DiagCode::bad_arguments, band.deadline->span, msg::chk_deadline_zero(), msg::chk_hint_deadline_zero());
    }
  }
}

}  // namespace jixiao::dsl::check_detail
