// The summary of a parsed policy that `jixiao fmt` compares before and after (dsl::ast_summary):
// every declaration with the fields that carry meaning, in the order written.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/decl_text.hpp"
#include "jixiao/dsl/format.hpp"
#include "jixiao/dsl/unparse.hpp"

namespace jixiao::dsl {
namespace {

using ast::ExprId;

class Summary {
 public:
  explicit Summary(const ast::Module& m) : m_(m) {}

  std::string run() {
    std::vector<std::pair<std::uint32_t, std::string>> decls;
    if (m_.policy) {
      decls.emplace_back(m_.policy->span.begin, "policy " + quote_text(m_.policy->name) + " version " + quote_text(m_.policy->version) +
                                                    " extends " + (m_.policy->extends ? quote_text(*m_.policy->extends) : "-"));
    }
    if (m_.subject) {
      decls.emplace_back(m_.subject->span.begin, "subject " + m_.subject->subject.name + " key " + m_.subject->key.name +
                                                     " period " + (m_.subject->period ? m_.subject->period->name : "-"));
    }
    if (m_.precision) decls.emplace_back(m_.precision->span.begin, "precision " + std::to_string(m_.precision->places));
    if (m_.rollup) {
      decls.emplace_back(m_.rollup->span.begin, "rollup " + m_.rollup->name.name + " " + unparse_rollup_parts(m_, *m_.rollup) +
                                                    (m_.rollup->skip_missing ? " missing reweight" : ""));
    }
    for (const auto& in : m_.inputs) {
      std::string s = "input " + in.name.name + " kind " + std::to_string(static_cast<int>(in.kind)) + " range " +
                      (in.range ? decimal::to_string(in.range->lo) + ".." + decimal::to_string(in.range->hi) : "-") + " size " +
                      (in.size ? decimal::to_string(in.size->lo) + ".." + decimal::to_string(in.size->hi) : "-") + " options";
      for (const auto& o : in.options) s += " " + label(o);
      s += in.optional ? " optional" : "";
      s += in.only ? " only " + quote_text(*in.only) : "";
      decls.emplace_back(in.name.span.begin, s);
    }
    for (const auto& p : m_.params) decls.emplace_back(p.name.span.begin, "param " + p.name.name + " = " + e(p.value));
    for (const auto& p : m_.sets) decls.emplace_back(p.name.span.begin, "set " + p.name.name + " = " + e(p.value));
    for (const auto& p : m_.lets) decls.emplace_back(p.name.span.begin, "let " + p.name.name + " = " + e(p.value));
    for (const std::uint32_t r : m_.roots) decls.emplace_back(m_.nodes[r].span.begin, "indicator " + node(r, 0));
    for (const auto& v : m_.vetoes) {
      std::string s = "veto " + v.name.name + " when " + e(v.when) + " reason " + (v.reason ? quote_text(*v.reason) : "-");
      for (const auto& x : v.effects) {
        s += "\n  effect " + std::to_string(static_cast<int>(x.kind)) + " target " + (x.target ? x.target->name : "-") +
             " label " + label(x.label) + " steps " + std::to_string(x.steps);
      }
      decls.emplace_back(v.span.begin, s);
    }
    for (const auto& b : m_.bands) {
      std::string s = std::string(b.kind == ast::BandKind::kGrade ? "grade " : "alert ") + b.name.name + " of " + e(b.of);
      for (const auto& x : b.bands) {
        s += "\n  band " + label(x.label) + " " + (x.has_interval ? unparse(x.interval) : "-") + " " +
             (x.deadline ? deadline_length(*x.deadline).str(Lang::kEn) : "-") + " " +
             (x.text ? quote_text(*x.text) : "-");
      }
      decls.emplace_back(b.span.begin, s);
    }
    for (const auto& f : m_.funds) {
      std::string s = "fund " + f.name.name + " pool " + e(f.pool) + " per " + e(f.per_group) +
                      (f.rounding ? " rounding fen" : "");
      for (const auto& t : f.tracks) {
        s += "\n  track " + t.name.name + " " + w(t.share) + " mode " + std::to_string(static_cast<int>(t.mode)) + " by " +
             e(t.by) + " top " + decimal::to_string(t.top_raw) + (t.top_percent ? "%" : "") + " base " +
             std::to_string(static_cast<int>(t.top_base)) + " rounding " + std::to_string(static_cast<int>(t.top_rounding)) + " proportional " +
             e(t.proportional) + " when " + e(t.when);
      }
      for (const auto& t : f.ties) s += "\n  tie " + e(t.key) + (t.descending ? " desc" : "");
      decls.emplace_back(f.span.begin, s);
    }
    if (m_.output) {
      std::string s = "output";
      for (const ExprId i : m_.output->items) s += " " + e(i);
      decls.emplace_back(m_.output->span.begin, s);
    }
    for (const auto& d : m_.imports) {
      std::string s = "import";
      for (const auto& n : d.names) s += " " + n.name;
      decls.emplace_back(d.span.begin, s + " from " + quote_text(d.from));
    }
    const auto override_text = [&](const ast::OverrideDecl& o) {
      std::string s = "override " + ast::path_text(o.target) + " kind " + std::to_string(static_cast<int>(o.kind)) + " weight " +
                      w(o.weight) + " formula " + e(o.formula) + " else " + e(o.coef_else) + " interval " +
                      (o.interval ? unparse(*o.interval) : "-") + " deadline " +
                      (o.deadline ? deadline_length(*o.deadline).str(Lang::kEn) : "-") +
                      " text " + (o.text ? quote_text(*o.text) : "-");
      for (const auto& c : o.coef_entries) s += "\n  coef " + label(c.key) + " " + e(c.value);
      return s;
    };
    const auto add_text = [&](const ast::AddDecl& a) { return "add " + ast::path_text(a.target) + " " + node(a.holder, 0); };
    for (const auto& o : m_.overrides) decls.emplace_back(o.span.begin, override_text(o));
    for (const auto& r : m_.removes) decls.emplace_back(r.span.begin, "remove " + ast::path_text(r.target));
    for (const auto& a : m_.adds) decls.emplace_back(a.span.begin, add_text(a));
    for (const auto& seg : m_.segments) {
      std::vector<std::pair<std::uint32_t, std::string>> edits;
      for (const auto& o : seg.overrides) edits.emplace_back(o.span.begin, override_text(o));
      for (const auto& r : seg.removes) edits.emplace_back(r.span.begin, "remove " + ast::path_text(r.target));
      for (const auto& a : seg.adds) edits.emplace_back(a.span.begin, add_text(a));
      std::stable_sort(edits.begin(), edits.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
      std::string s = "segment " + seg.name.name + " when " + e(seg.when);
      for (const auto& edit : edits) s += "\n  " + edit.second;
      decls.emplace_back(seg.span.begin, s);
    }
    std::stable_sort(decls.begin(), decls.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    std::string out;
    for (const auto& d : decls) out += d.second + "\n";
    return out;
  }

 private:
  std::string e(ExprId id) const { return ast::present(id) ? unparse(m_, id) : "-"; }
  static std::string w(const ast::Weight& x) {
    return std::to_string(static_cast<int>(x.kind)) + ":" + decimal::to_string(x.raw);
  }
  static std::string label(const ast::Label& l) { return unparse(l); }

  std::string node(std::uint32_t index, int depth) const {
    const ast::IndicatorNode& n = m_.nodes[index];
    const std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
    std::string s = n.name.name + " " + w(n.weight) + " = " + e(n.formula) + " missing " +
                    std::to_string(static_cast<int>(n.missing)) + " deductions max " + e(n.deductions_max) +
                    " bonuses max " + e(n.bonuses_max);
    for (const auto& a : n.adjusts) {
      s += "\n" + pad + "  " + (a.kind == ast::AdjustKind::kDeduct ? "deduct " : "bonus ") + a.name.name + " " + e(a.amount) +
           " per " + e(a.per) + " when " + e(a.when) + " max " + e(a.max);
    }
    for (const std::uint32_t c : n.children) s += "\n" + pad + "  child " + node(c, depth + 1);
    return s;
  }

  const ast::Module& m_;
};

}  // namespace

std::string ast_summary(const ast::Module& m) { return Summary(m).run(); }

}  // namespace jixiao::dsl
