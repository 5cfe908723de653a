// The one printer of declaration parts (decl_text.hpp).
#include "jixiao/dsl/decl_text.hpp"

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/unparse.hpp"

namespace jixiao::dsl {

const std::vector<KeywordUse>& Speller::no_uses() {
  static const std::vector<KeywordUse> none;
  return none;
}

std::string interval_text(const ast::Interval& iv, std::string_view inf) {
  std::string s(iv.lo_closed ? "[" : "(");
  s += iv.lo_inf ? "-" + std::string(inf) : decimal::to_string(iv.lo);
  s += ", ";
  s += iv.hi_inf ? std::string(inf) : decimal::to_string(iv.hi);
  return s + (iv.hi_closed ? "]" : ")");
}

std::string interval_text(const ast::Interval& iv, const Speller& k) {
  return interval_text(iv, k.inside(KwId::kw_inf, iv.span));
}

std::string deadline_text(const ast::Deadline& d, const Speller& k) {
  return k.before(KwId::kw_deadline, d.span.begin) + " " + std::to_string(d.count) + " " +
         k.after(d.workdays ? KwId::kw_workdays : KwId::kw_days, d.span.begin);
}

Message deadline_length(const ast::Deadline& d) {
  const std::string n = std::to_string(d.count);
  return d.workdays ? msg::decl_workdays(n) : msg::decl_days(n);
}

std::string band_text(const ast::Band& b, std::string_view inf, std::string_view no_interval) {
  std::string s = b.has_interval ? interval_text(b.interval, inf) : std::string(no_interval);
  if (b.deadline) s += " deadline " + deadline_length(*b.deadline).str(Lang::kEn);
  if (b.text) s += " " + quote_text(*b.text);
  return s;
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

std::string effect_text(const EffectParts& e, const Speller& k, std::uint32_t at) {
  const std::string target = e.target.empty() ? "" : e.target + " ";
  switch (e.kind) {
    case ast::EffectKind::kGradeForce: return k.after(KwId::kw_grade, at) + " " + target + e.label;
    case ast::EffectKind::kGradeCap: return k.after(KwId::kw_grade, at) + " " + target + k.after(KwId::kw_at_most, at) + " " + e.label;
    case ast::EffectKind::kGradeDown:
      return k.after(KwId::kw_grade, at) + " " + target + k.after(KwId::kw_down, at) + " " + std::to_string(e.steps);
    case ast::EffectKind::kAlert: return k.after(KwId::kw_alert, at) + " " + target + e.label;
    case ast::EffectKind::kFundZero: return k.after(KwId::kw_fund, at) + " " + target + "0";
  }
  return "";
}

std::string missing_mode(ast::MissingRule r, const Speller& k, std::uint32_t at) {
  switch (r) {
    case ast::MissingRule::kZero: return k.before(KwId::kw_zero, at);
    case ast::MissingRule::kPeerAverage: return k.before(KwId::kw_peer_average, at);
    case ast::MissingRule::kReweight: return k.before(KwId::kw_reweight, at);
    case ast::MissingRule::kNone: break;
  }
  return "";
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

}  // namespace jixiao::dsl
