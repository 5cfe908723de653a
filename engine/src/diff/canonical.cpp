// Canonical texts of declarations and their parts (canonical.hpp).
#include "canonical.hpp"

#include "common.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/decl_text.hpp"
#include "jixiao/dsl/message.hpp"
#include "jixiao/dsl/unparse.hpp"

namespace jixiao::engine::diff_detail {

// Money in the canonical spelling of unparse (`100万元`, `12.5元`).
std::string money_text(std::int64_t fen) {
  ast::Module m;
  const ExprId id = m.add(ast::MoneyLit{fen}, Span{});
  return dsl::unparse(m, id);
}

std::string expr_text(const ast::Module& m, ExprId e) { return ast::present(e) ? dsl::unparse(m, e) : std::string(); }

std::string input_type_text(const ast::InputDecl& in) {
  ast::InputDecl canonical = in;
  // The default range, written out so that `score` equals `score 0..100`.
  const bool default_0_100 = in.kind == ast::InputKind::kScore || in.kind == ast::InputKind::kPercent ||
                             in.kind == ast::InputKind::kScoreList;
  if (!in.range && default_0_100) canonical.range = ast::RangeSpec{0, decimal::kOne * 100, {}};
  for (ast::Label& l : canonical.options) l.quoted = true;
  return dsl::input_type(canonical, dsl::Speller(dsl::KeywordSet::kEnglish));
}

std::string scalar_text(TypeKind kind, std::int64_t number, const std::string& text, bool boolean) {
  switch (kind) {
    case TypeKind::kMoney: return money_text(number);
    case TypeKind::kNumber: return decimal::to_string(number);
    case TypeKind::kBool: return boolean ? "true" : "false";
    case TypeKind::kText: return dsl::quote_text(text);
    default: return "?";
  }
}

bool same_scalar(const dsl::ParamValue& a, const dsl::ParamValue& b) {
  if (a.type.kind != b.type.kind) return false;
  switch (a.type.kind) {
    case TypeKind::kMoney:
    case TypeKind::kNumber: return a.number == b.number;
    case TypeKind::kBool: return a.boolean == b.boolean;
    case TypeKind::kText: return a.text == b.text;
    default: return true;
  }
}

std::string deadline_text(const std::optional<ast::Deadline>& d) { return d ? canonical(dsl::deadline_length(*d)) : ""; }

std::string interval_text(const ast::Band& b) {
  return b.has_interval ? dsl::unparse(b.interval) : canonical(msg::diff_no_interval());
}

std::string band_description(const ast::Band& b) {
  return dsl::band_text(b, "inf", canonical(msg::diff_no_interval()));
}

// `0.5 per 投诉, max 8` (without the keyword, which the change's aspect names).
std::string adjust_text(const ast::Module& m, const ast::Adjust& a) {
  std::string s = expr_text(m, a.amount);
  if (ast::present(a.per)) s += " per " + expr_text(m, a.per);
  if (ast::present(a.when)) s += " when " + expr_text(m, a.when);
  if (ast::present(a.max)) s += ", max " + expr_text(m, a.max);
  return s;
}

std::string split_text(const ast::Module& m, const ast::Track& t) {
  switch (t.mode) {
    case ast::TrackMode::kSplitBy: return "by " + expr_text(m, t.by);
    case ast::TrackMode::kEqually: return "equally";
    case ast::TrackMode::kTop: {
      // The defaults (`of eligible`, `rounded down`) read the same written out or not.
      ast::Track options = t;
      if (options.top_base == ast::TopBase::kEligible) options.top_base = ast::TopBase::kUnwritten;
      if (options.top_rounding == ast::TopRounding::kDown) options.top_rounding = ast::TopRounding::kUnwritten;
      std::string s = "among top " + decimal::to_string(t.top_raw) + (t.top_percent ? "% " : " ") +
                      dsl::top_options(options, dsl::Speller(dsl::KeywordSet::kEnglish)) + "by " + expr_text(m, t.by);
      if (ast::present(t.proportional)) s += " proportional to " + expr_text(m, t.proportional);
      return s;
    }
  }
  return "";
}

std::string track_description(const ast::Module& m, const ast::Track& t) {
  std::string s = dsl::unparse(t.share) + " split " + split_text(m, t);
  if (ast::present(t.when)) s += " when " + expr_text(m, t.when);
  return s;
}

std::string ties_text(const ast::Module& m, const ast::FundDecl& f) {
  Names keys;
  for (const ast::TieKey& k : f.ties) keys.push_back(expr_text(m, k.key) + (k.descending ? " desc" : ""));
  return join(keys, ", ");
}

std::string effect_text(const CheckedPolicy& p, const dsl::ResolvedEffect& e) {
  const ast::Module& m = p.module;
  dsl::EffectParts parts{e.kind, "", "", e.steps};
  if (e.kind == ast::EffectKind::kFundZero) {
    if (!e.all_funds) parts.target = m.funds[e.target].name.name;
  } else {
    parts.target = m.bands[e.target].name.name;
    parts.label = p.domains[p.band_domain[e.target]].labels[e.label];
  }
  return dsl::effect_text(parts, dsl::Speller(dsl::KeywordSet::kEnglish));
}

std::string missing_text(ast::MissingRule r) { return dsl::missing_mode(r, dsl::Speller(dsl::KeywordSet::kEnglish)); }

}  // namespace jixiao::engine::diff_detail
