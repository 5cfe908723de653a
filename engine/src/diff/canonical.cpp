// Canonical texts of declarations and their parts (canonical.hpp).
#include "canonical.hpp"

#include "common.hpp"
#include "jixiao/dsl/decimal.hpp"
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
  std::string s;
  bool default_0_100 = false;
  switch (in.kind) {
    case ast::InputKind::kScore: s = "score"; default_0_100 = true; break;
    case ast::InputKind::kNumber: s = "number"; break;
    case ast::InputKind::kPercent: s = "percent"; default_0_100 = true; break;
    case ast::InputKind::kCount: s = "count"; break;
    case ast::InputKind::kMoney: s = "money"; break;
    case ast::InputKind::kText: s = "text"; break;
    case ast::InputKind::kOneOf: s = "one_of"; break;
    case ast::InputKind::kTextList: s = "list<text>"; break;
    case ast::InputKind::kBool: s = "bool"; break;
    case ast::InputKind::kNumberList: s = "list<number>"; break;
    case ast::InputKind::kScoreList: s = "list<score>"; default_0_100 = true; break;
  }
  if (in.kind == ast::InputKind::kOneOf) {
    Names options;
    for (const ast::Label& l : in.options) options.push_back(dsl::quote_text(l.text));
    s += " { " + join(options, ", ") + " }";
  }
  if (in.range) {
    s += " " + decimal::to_string(in.range->lo) + ".." + decimal::to_string(in.range->hi);
  } else if (default_0_100) {
    s += " 0..100";  // the default range, written out so that `score` equals `score 0..100`
  }
  if (in.size) s += " size " + decimal::to_string(in.size->lo) + ".." + decimal::to_string(in.size->hi);
  if (in.only) s += " only " + dsl::quote_text(*in.only);
  if (in.optional) s += " optional";
  return s;
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

std::string deadline_text(const std::optional<ast::Deadline>& d) {
  if (!d) return "";
  const std::string n = std::to_string(d->count);
  return canonical(d->workdays ? msg::diff_workdays(n) : msg::diff_days(n));
}

std::string interval_text(const ast::Band& b) {
  return b.has_interval ? dsl::unparse(b.interval) : canonical(msg::diff_no_interval());
}

std::string band_description(const ast::Band& b) {
  std::string s = interval_text(b);
  if (b.deadline) s += " deadline " + deadline_text(b.deadline);
  if (b.text) s += " " + dsl::quote_text(*b.text);
  return s;
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
      std::string s = "among top " + decimal::to_string(t.top_raw) + (t.top_percent ? "%" : "") +
                      (t.top_base == ast::TopBase::kAll ? " of all" : "") +
                      (t.top_rounding == ast::TopRounding::kUp ? " rounded up" : "") + " by " + expr_text(m, t.by);
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
  const auto band = [&]() -> std::string { return m.bands[e.target].name.name; };
  const auto label = [&]() -> std::string { return p.domains[p.band_domain[e.target]].labels[e.label]; };
  switch (e.kind) {
    case ast::EffectKind::kGradeForce: return "grade " + band() + " " + label();
    case ast::EffectKind::kGradeCap: return "grade " + band() + " at most " + label();
    case ast::EffectKind::kGradeDown: return "grade " + band() + " down " + std::to_string(e.steps);
    case ast::EffectKind::kAlert: return "alert " + band() + " " + label();
    case ast::EffectKind::kFundZero: return e.all_funds ? "fund 0" : "fund " + m.funds[e.target].name.name + " 0";
  }
  return "";
}

std::string missing_text(ast::MissingRule r) {
  switch (r) {
    case ast::MissingRule::kNone: return "";
    case ast::MissingRule::kZero: return "zero";
    case ast::MissingRule::kPeerAverage: return "peer_average";
    case ast::MissingRule::kReweight: return "reweight";
  }
  return "";
}

}  // namespace jixiao::engine::diff_detail
