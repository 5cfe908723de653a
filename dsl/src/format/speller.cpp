// Internal to `jixiao fmt`: the texts of declaration parts with their keywords spelled by a Speller
// (speller.hpp).
#include "speller.hpp"

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/unparse.hpp"

namespace jixiao::dsl::format_detail {

std::string interval_text(const ast::Interval& iv, const Speller& k) {
  std::string s = unparse(iv);
  if (!iv.lo_inf && !iv.hi_inf) return s;
  const std::string inf = k.inside(KwId::kw_inf, iv.span);
  if (inf == "inf") return s;
  std::string out;
  for (std::size_t at = 0; at < s.size();) {
    if (s.compare(at, 3, "inf") == 0) {
      out += inf;
      at += 3;
    } else {
      out += s[at++];
    }
  }
  return out;
}

std::string effect_text(const ast::VetoEffect& e, const Speller& k) {
  const std::uint32_t at = e.span.begin;
  const std::string target = e.target ? e.target->name + " " : "";
  switch (e.kind) {
    case ast::EffectKind::kGradeForce: return k.after(KwId::kw_grade, at) + " " + target + unparse(e.label);
    case ast::EffectKind::kGradeCap:
      return k.after(KwId::kw_grade, at) + " " + target + k.after(KwId::kw_at_most, at) + " " + unparse(e.label);
    case ast::EffectKind::kGradeDown:
      return k.after(KwId::kw_grade, at) + " " + target + k.after(KwId::kw_down, at) + " " + std::to_string(e.steps);
    case ast::EffectKind::kAlert: return k.after(KwId::kw_alert, at) + " " + target + unparse(e.label);
    case ast::EffectKind::kFundZero: return k.after(KwId::kw_fund, at) + " " + target + "0";
  }
  return "";
}

std::string deadline_text(const ast::Deadline& d, const Speller& k) {
  return k.before(KwId::kw_deadline, d.span.begin) + " " + std::to_string(d.count) + " " +
         k.after(d.workdays ? KwId::kw_workdays : KwId::kw_days, d.span.begin);
}

std::string input_type(const ast::InputDecl& in, const Speller& k) {
  using K = ast::InputKind;
  const std::uint32_t at = in.type_span.begin;
  const auto w = [&](KwId id) { return k.after(id, at); };
  std::string s;
  switch (in.kind) {
    case K::kScore: s = w(KwId::kw_score); break;
    case K::kNumber: s = w(KwId::kw_number); break;
    case K::kPercent: s = w(KwId::kw_percent); break;
    case K::kCount: s = w(KwId::kw_count); break;
    case K::kMoney: s = w(KwId::kw_money); break;
    case K::kText: s = w(KwId::kw_text); break;
    case K::kBool: s = w(KwId::kw_bool); break;
    case K::kTextList: s = w(KwId::kw_list) + "<" + w(KwId::kw_text) + ">"; break;
    case K::kNumberList: s = w(KwId::kw_list) + "<" + w(KwId::kw_number) + ">"; break;
    case K::kScoreList: s = w(KwId::kw_list) + "<" + w(KwId::kw_score) + ">"; break;
    case K::kOneOf: {
      s = w(KwId::kw_one_of) + " { ";
      for (std::size_t i = 0; i < in.options.size(); ++i) s += (i ? ", " : "") + unparse(in.options[i]);
      s += " }";
      break;
    }
  }
  if (in.range) s += " " + decimal::to_string(in.range->lo) + ".." + decimal::to_string(in.range->hi);
  if (in.size) s += " " + w(KwId::kw_size) + " " + decimal::to_string(in.size->lo) + ".." + decimal::to_string(in.size->hi);
  if (in.only) s += " " + k.before(KwId::kw_only, in.only_span.begin) + " " + quote_text(*in.only);
  if (in.optional) s += " " + w(KwId::kw_optional);
  return s;
}

std::string top_options(const ast::Track& t, const Speller& k) {
  std::string s;
  const std::uint32_t at = t.top_option_span.begin;
  if (t.top_base == ast::TopBase::kAll) s += k.after(KwId::kw_of_all, at) + " ";
  if (t.top_base == ast::TopBase::kEligible) s += k.after(KwId::kw_of_eligible, at) + " ";
  if (t.top_rounding == ast::TopRounding::kUp) s += k.after(KwId::kw_rounded_up, at) + " ";
  if (t.top_rounding == ast::TopRounding::kDown) s += k.after(KwId::kw_rounded_down, at) + " ";
  return s;
}

std::string missing_text(const ast::IndicatorNode& n, const Speller& k) {
  const std::uint32_t last = n.missing_span.end > 0 ? n.missing_span.end - 1 : 0;
  const auto mode = [&](KwId id) { return " " + k.before(KwId::kw_missing, last) + " " + k.before(id, last); };
  switch (n.missing) {
    case ast::MissingRule::kZero: return mode(KwId::kw_zero);
    case ast::MissingRule::kPeerAverage: return mode(KwId::kw_peer_average);
    case ast::MissingRule::kReweight: return mode(KwId::kw_reweight);
    case ast::MissingRule::kNone: break;
  }
  return "";
}

}  // namespace jixiao::dsl::format_detail
