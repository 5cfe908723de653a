// `jixiao diff`: the semantic difference between two merged policies (things matched by name and
// path, formulas compared as canonical text) and its impact on the results of the same data.
#include "jixiao/engine/diff.hpp"

#include <algorithm>
#include <deque>
#include <iterator>
#include <map>
#include <set>
#include <unordered_map>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/json_writer.hpp"
#include "jixiao/dsl/message.hpp"
#include "jixiao/dsl/unparse.hpp"
#include "jixiao/dsl/utf8.hpp"
#include "jixiao/engine/csv.hpp"

namespace jixiao::engine {
namespace {

using ast::ExprId;
using dsl::CheckedPolicy;
using dsl::SymbolKind;
using dsl::TypeKind;
using Names = std::vector<std::string>;

constexpr std::string_view kArrow = " → ";
constexpr std::size_t kLongCause = 40;  ///< code points of old and new text beyond which a cause is only named

std::size_t section_rank(const std::string& s) {
  static const Names order = {"policy", "inputs", "params", "sets", "lets", "indicators",
                              "vetoes", "grades", "alerts", "funds", "output"};
  return static_cast<std::size_t>(std::find(order.begin(), order.end(), s) - order.begin());
}

// ---- canonical texts ----


std::string join(const Names& items, std::string_view sep) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) s += sep;
    s += items[i];
  }
  return s;
}

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

// Canonical texts that are not policy text are the English rendering of a catalogue message; the
// text output shows them in the chosen language (shown()).
std::string canonical(const Message& m) { return m.str(Lang::kEn); }

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

// ---- formulas that differ only in coef tables ----

struct CoefEdit {
  std::string before;  ///< `A 1.2`, empty when the label is new
  std::string after;
};

// Whether `a` (in `ma`) and `b` (in `mb`) differ only in the values or labels of coef tables with
// the same subject; the differing entries are appended to `edits`.
class CoefCompare {
 public:
  CoefCompare(const ast::Module& ma, const ast::Module& mb, std::vector<CoefEdit>& edits) : ma_(ma), mb_(mb), edits_(edits) {}

  bool same_but_coef(ExprId a, ExprId b) {
    if (ast::present(a) != ast::present(b)) return false;
    if (!ast::present(a)) return true;
    if (dsl::unparse(ma_, a) == dsl::unparse(mb_, b)) return true;
    const ast::Expr& ea = ma_.expr(a);
    const ast::Expr& eb = mb_.expr(b);
    if (ea.index() != eb.index()) return false;
    if (std::holds_alternative<ast::Binary>(ea)) return same_chain(a, b);
    return std::visit([&](const auto& x) { return node(x, eb); }, ea);
  }

 private:
  template <class T>
  bool node(const T&, const ast::Expr&) {
    return false;  // literals and names: their texts already differ
  }
  bool node(const ast::Unary& x, const ast::Expr& e) {
    const auto& y = std::get<ast::Unary>(e);
    return x.op == y.op && same_but_coef(x.operand, y.operand);
  }
  // Two chains `a + b - c ...` (nested down the left), compared operation by operation in a loop.
  bool same_chain(ExprId a, ExprId b) {
    const std::vector<ExprId> xs = ast::left_chain(ma_.exprs, a);
    const std::vector<ExprId> ys = ast::left_chain(mb_.exprs, b);
    if (xs.size() != ys.size()) return false;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (std::get<ast::Binary>(ma_.expr(xs[i])).op != std::get<ast::Binary>(mb_.expr(ys[i])).op) return false;
    }
    if (!same_but_coef(std::get<ast::Binary>(ma_.expr(xs.front())).lhs, std::get<ast::Binary>(mb_.expr(ys.front())).lhs)) return false;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (!same_but_coef(std::get<ast::Binary>(ma_.expr(xs[i])).rhs, std::get<ast::Binary>(mb_.expr(ys[i])).rhs)) return false;
    }
    return true;
  }
  bool node(const ast::If& x, const ast::Expr& e) {
    const auto& y = std::get<ast::If>(e);
    return same_but_coef(x.cond, y.cond) && same_but_coef(x.then_expr, y.then_expr) &&
           same_but_coef(x.else_expr, y.else_expr);
  }
  bool node(const ast::Call& x, const ast::Expr& e) {
    const auto& y = std::get<ast::Call>(e);
    if (x.callee.name != y.callee.name || x.args.size() != y.args.size() || x.named.size() != y.named.size()) return false;
    for (std::size_t i = 0; i < x.args.size(); ++i) {
      if (!same_but_coef(x.args[i], y.args[i])) return false;
    }
    for (std::size_t i = 0; i < x.named.size(); ++i) {
      if (x.named[i].name.name != y.named[i].name.name || !same_but_coef(x.named[i].value, y.named[i].value)) return false;
    }
    return true;
  }
  bool node(const ast::Pair& x, const ast::Expr& e) {
    const auto& y = std::get<ast::Pair>(e);
    return same_but_coef(x.from, y.from) && same_but_coef(x.to, y.to);
  }
  bool node(const ast::Bands& x, const ast::Expr& e) {
    const auto& y = std::get<ast::Bands>(e);
    if (!same_but_coef(x.subject, y.subject) || x.entries.size() != y.entries.size()) return false;
    for (std::size_t i = 0; i < x.entries.size(); ++i) {
      if (dsl::unparse(x.entries[i].interval) != dsl::unparse(y.entries[i].interval) ||
          !same_but_coef(x.entries[i].value, y.entries[i].value)) {
        return false;
      }
    }
    return true;
  }
  bool node(const ast::Coef& x, const ast::Expr& e) {
    const auto& y = std::get<ast::Coef>(e);
    if (dsl::unparse(ma_, x.subject) != dsl::unparse(mb_, y.subject)) return false;
    // Entries by label; `else` is one more entry.
    std::vector<std::pair<std::string, std::string>> olds;
    std::vector<std::pair<std::string, std::string>> news;
    for (const auto& en : x.entries) olds.emplace_back(en.key.text, dsl::unparse(ma_, en.value));
    if (ast::present(x.otherwise)) olds.emplace_back("else", dsl::unparse(ma_, x.otherwise));
    for (const auto& en : y.entries) news.emplace_back(en.key.text, dsl::unparse(mb_, en.value));
    if (ast::present(y.otherwise)) news.emplace_back("else", dsl::unparse(mb_, y.otherwise));
    const auto find = [](const auto& v, const std::string& k) {
      return std::find_if(v.begin(), v.end(), [&](const auto& p) { return p.first == k; });
    };
    for (const auto& [label, value] : news) {
      const auto it = find(olds, label);
      if (it == olds.end()) {
        edits_.push_back({"", label + " " + value});
      } else if (it->second != value) {
        edits_.push_back({label + " " + it->second, label + " " + value});
      }
    }
    for (const auto& [label, value] : olds) {
      if (find(news, label) == news.end()) edits_.push_back({label + " " + value, ""});
    }
    return true;
  }

  const ast::Module& ma_;
  const ast::Module& mb_;
  std::vector<CoefEdit>& edits_;
};

// ---- the policy diff ----

// Matches two lists of declarations by name: `same` for names in both (in the new order), then
// `added` for names only in the new list, then `removed` (in the old order).
template <class T, class Name, class Same, class Added, class Removed>
void match_by_name(const std::vector<T>& olds, const std::vector<T>& news, Name name, Same same, Added added,
                   Removed removed) {
  std::map<std::string, std::size_t> old_index;
  for (std::size_t i = 0; i < olds.size(); ++i) old_index.emplace(name(olds[i]), i);
  std::set<std::string> matched;
  for (const T& n : news) {
    const auto it = old_index.find(name(n));
    if (it == old_index.end()) {
      added(n);
    } else {
      matched.insert(it->first);
      same(olds[it->second], n);
    }
  }
  for (const T& o : olds) {
    if (!matched.count(name(o))) removed(o);
  }
}

// The nodes of every tree: path (the symbol name) → node index, and the paths in preorder.
struct TreeIndex {
  std::map<std::string, std::uint32_t> by_path;
  Names preorder;
};

TreeIndex index_trees(const CheckedPolicy& p) {
  TreeIndex t;
  std::vector<std::uint32_t> stack(p.module.roots.rbegin(), p.module.roots.rend());
  while (!stack.empty()) {
    const std::uint32_t i = stack.back();
    stack.pop_back();
    if (p.nodes[i].symbol == dsl::kNoSymbol || p.module.nodes[i].detached) continue;
    // A segment's copy of a tree is compared with the same segment's: `农村: 总分.基础服务保障`.
    const std::uint32_t segment = p.module.nodes[i].segment;
    const std::string path = (segment == ast::IndicatorNode::kNoNode ? "" : p.module.segments[segment].name.name + ": ") +
                             p.symbol(p.nodes[i].symbol).name;
    t.by_path.emplace(path, i);
    t.preorder.push_back(path);
    const auto& children = p.module.nodes[i].children;
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(*it);
  }
  return t;
}

// The paths of node `i` and everything under it.
Names subtree(const CheckedPolicy& p, std::uint32_t i) {
  Names out;
  std::vector<std::uint32_t> stack = {i};
  while (!stack.empty()) {
    const std::uint32_t n = stack.back();
    stack.pop_back();
    if (p.nodes[n].symbol != dsl::kNoSymbol) out.push_back(p.symbol(p.nodes[n].symbol).name);
    for (const std::uint32_t c : p.module.nodes[n].children) stack.push_back(c);
  }
  return out;
}

std::string parent_path(const std::string& path) {
  const std::size_t dot = path.rfind('.');
  return dot == std::string::npos ? std::string() : path.substr(0, dot);
}

std::string last_name(const std::string& path) {
  const std::size_t dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

class Differ {
 public:
  Differ(const CheckedPolicy& o, const CheckedPolicy& n) : o_(o), n_(n), om_(o.module), nm_(n.module) {}

  PolicyDiff run() {
    header();
    inputs();
    params();
    sets();
    lets();
    indicators();
    vetoes();
    bands();
    funds();
    output();
    std::stable_sort(out_.changes.begin(), out_.changes.end(), [](const RuleChange& a, const RuleChange& b) {
      return section_rank(a.section) < section_rank(b.section);
    });
    return std::move(out_);
  }

 private:
  // The symbols of paths, without the segment a tree's path is shown with (`农村: 总分.x` is `总分.x`).
  static Names symbols_of(Names paths) {
    for (std::string& p : paths) {
      if (const auto at = p.find(": "); at != std::string::npos) p.erase(0, at + 2);
    }
    return paths;
  }

  RuleChange& add(std::string section, ChangeKind kind, std::string aspect, std::string target, std::string before,
                  std::string after, Names olds, Names news) {
    RuleChange c;
    c.section = std::move(section);
    c.kind = kind;
    c.aspect = std::move(aspect);
    c.target = std::move(target);
    c.before = std::move(before);
    c.after = std::move(after);
    c.old_symbols = symbols_of(std::move(olds));
    c.new_symbols = symbols_of(std::move(news));
    out_.changes.push_back(std::move(c));
    return out_.changes.back();
  }

  void changed(const std::string& section, const std::string& aspect, const std::string& target, const std::string& before,
               const std::string& after, const Names& olds, const Names& news) {
    if (before != after) add(section, ChangeKind::kChanged, aspect, target, before, after, olds, news);
  }

  // Two formulas: nothing when their canonical texts are equal; one `coef` change per differing
  // entry when only coef tables differ; otherwise one change of `aspect`.
  void formula(const std::string& section, const std::string& aspect, const std::string& target, ExprId a, ExprId b,
               const Names& olds, const Names& news) {
    const std::string ta = expr_text(om_, a);
    const std::string tb = expr_text(nm_, b);
    if (ta == tb) return;
    std::vector<CoefEdit> edits;
    CoefCompare compare(om_, nm_, edits);
    if (compare.same_but_coef(a, b) && !edits.empty()) {
      for (const CoefEdit& e : edits) add(section, ChangeKind::kChanged, "coef", target, e.before, e.after, olds, news);
      return;
    }
    add(section, ChangeKind::kChanged, aspect, target, ta, tb, olds, news);
  }

  Names all_indicators(const CheckedPolicy& p) {
    Names out;
    for (const auto& s : p.symbols) {
      if (s.kind == SymbolKind::kIndicator) out.push_back(s.name);
    }
    return out;
  }

  void header() {
    const auto& os = *om_.subject;
    const auto& ns = *nm_.subject;
    if (os.subject.name != ns.subject.name) {
      add("policy", ChangeKind::kChanged, "subject", "subject", os.subject.name, ns.subject.name, {}, {}).cosmetic = true;
    }
    changed("policy", "key", "key", os.key.name, ns.key.name, {os.key.name}, {ns.key.name});
    const std::string op = os.period ? os.period->name : "";
    const std::string np = ns.period ? ns.period->name : "";
    if (op != np) {
      add("policy", ChangeKind::kChanged, "period", "period", op, np, op.empty() ? all_symbols(o_) : Names{op},
          np.empty() ? all_symbols(n_) : Names{np});
    }
    changed("policy", "precision", "precision", std::to_string(o_.precision), std::to_string(n_.precision),
            all_indicators(o_), all_indicators(n_));
    // A roll-up decides what a row is (a year of quarters): every value may change with it.
    changed("policy", "rollup", "rollup", om_.rollup ? dsl::rollup_text(om_, *om_.rollup) : "",
            nm_.rollup ? dsl::rollup_text(nm_, *nm_.rollup) : "", all_symbols(o_), all_symbols(n_));
    // A segment's condition decides which rows its trees score.
    for (const ast::SegmentDecl& o : om_.segments) {
      for (const ast::SegmentDecl& n : nm_.segments) {
        if (o.name.name == n.name.name) {
          changed("policy", "when", o.name.name, expr_text(om_, o.when), expr_text(nm_, n.when), all_indicators(o_), all_indicators(n_));
        }
      }
    }
  }

  static Names all_symbols(const CheckedPolicy& p) {
    Names out;
    for (const auto& s : p.symbols) out.push_back(s.name);
    return out;
  }

  void inputs() {
    match_by_name(
        om_.inputs, nm_.inputs, [](const ast::InputDecl& d) { return d.name.name; },
        [&](const ast::InputDecl& o, const ast::InputDecl& n) {
          changed("inputs", "type", n.name.name, input_type_text(o), input_type_text(n), {o.name.name}, {n.name.name});
        },
        [&](const ast::InputDecl& n) {
          add("inputs", ChangeKind::kAdded, "input", n.name.name, "", input_type_text(n), {}, {n.name.name});
        },
        [&](const ast::InputDecl& o) {
          add("inputs", ChangeKind::kRemoved, "input", o.name.name, input_type_text(o), "", {o.name.name}, {});
        });
  }

  // A scalar param's text: as written unless overridden on the command line.
  std::string param_text(const CheckedPolicy& p, const ast::ParamDecl& d) {
    const auto index = static_cast<std::size_t>(&d - p.module.params.data());
    const dsl::ParamValue& v = p.params[index];
    if (!v.overridden) return expr_text(p.module, d.value);
    return scalar_text(v.type.kind, v.number, v.text, v.boolean);
  }

  void params() {
    match_by_name(
        om_.params, nm_.params, [](const ast::ParamDecl& d) { return d.name.name; },
        [&](const ast::ParamDecl& o, const ast::ParamDecl& n) {
          const dsl::ParamValue& ov = o_.params[static_cast<std::size_t>(&o - om_.params.data())];
          const dsl::ParamValue& nv = n_.params[static_cast<std::size_t>(&n - nm_.params.data())];
          const Names olds = {o.name.name};
          const Names news = {n.name.name};
          if (ov.type.kind == TypeKind::kTable && nv.type.kind == TypeKind::kTable) {
            // Entry by entry: `街道资金.东街 100万元 → 120万元`.
            const auto text = [](const dsl::ParamValue& v, std::int64_t x) { return scalar_text(v.type.value, x, "", false); };
            for (const auto& [key, value] : nv.table) {
              const auto it = ov.table.find(key);
              const std::string before = it == ov.table.end() ? "" : text(ov, it->second);
              if (it == ov.table.end() || it->second != value || ov.type.value != nv.type.value) {
                add("params", ChangeKind::kChanged, "value", n.name.name + "." + key, before, text(nv, value), olds, news);
              }
            }
            for (const auto& [key, value] : ov.table) {
              if (!nv.table.count(key)) add("params", ChangeKind::kChanged, "value", n.name.name + "." + key, text(ov, value), "", olds, news);
            }
            return;
          }
          if (ov.type.kind == TypeKind::kTable || nv.type.kind == TypeKind::kTable || !same_scalar(ov, nv)) {
            add("params", ChangeKind::kChanged, "value", n.name.name, param_text(o_, o), param_text(n_, n), olds, news);
          }
        },
        [&](const ast::ParamDecl& n) {
          add("params", ChangeKind::kAdded, "param", n.name.name, "", expr_text(nm_, n.value), {}, {n.name.name});
        },
        [&](const ast::ParamDecl& o) {
          add("params", ChangeKind::kRemoved, "param", o.name.name, expr_text(om_, o.value), "", {o.name.name}, {});
        });
  }

  // The items of a set, sorted: `{ "a", "b" }` equals `{ "b", "a" }`.
  static Names set_items(const ast::Module& m, ExprId e) {
    Names items;
    if (const auto* s = std::get_if<ast::SetLit>(&m.expr(e))) {
      for (const ExprId i : s->items) items.push_back(dsl::unparse(m, i));
    } else {
      items.push_back(dsl::unparse(m, e));
    }
    std::sort(items.begin(), items.end());
    return items;
  }

  void sets() {
    match_by_name(
        om_.sets, nm_.sets, [](const ast::SetDecl& d) { return d.name.name; },
        [&](const ast::SetDecl& o, const ast::SetDecl& n) {
          if (set_items(om_, o.value) != set_items(nm_, n.value)) {
            add("sets", ChangeKind::kChanged, "items", n.name.name, expr_text(om_, o.value), expr_text(nm_, n.value),
                {o.name.name}, {n.name.name});
          }
        },
        [&](const ast::SetDecl& n) {
          add("sets", ChangeKind::kAdded, "set", n.name.name, "", expr_text(nm_, n.value), {}, {n.name.name});
        },
        [&](const ast::SetDecl& o) {
          add("sets", ChangeKind::kRemoved, "set", o.name.name, expr_text(om_, o.value), "", {o.name.name}, {});
        });
  }

  void lets() {
    match_by_name(
        om_.lets, nm_.lets, [](const ast::LetDecl& d) { return d.name.name; },
        [&](const ast::LetDecl& o, const ast::LetDecl& n) {
          formula("lets", "formula", n.name.name, o.value, n.value, {o.name.name}, {n.name.name});
        },
        [&](const ast::LetDecl& n) {
          add("lets", ChangeKind::kAdded, "let", n.name.name, "", expr_text(nm_, n.value), {}, {n.name.name});
        },
        [&](const ast::LetDecl& o) {
          add("lets", ChangeKind::kRemoved, "let", o.name.name, expr_text(om_, o.value), "", {o.name.name}, {});
        });
  }

  // ---- indicators ----

  std::string node_description(const CheckedPolicy& p, std::uint32_t i) {
    const ast::IndicatorNode& n = p.module.nodes[i];
    std::string s = n.parent == ast::IndicatorNode::kNoNode ? decimal::to_string(p.nodes[i].full) + "分"
                                                             : dsl::unparse(n.weight);
    if (n.children.empty()) {
      s += " = " + expr_text(p.module, n.formula);
    } else {
      Names names;
      for (const std::uint32_t c : n.children) names.push_back(p.module.nodes[c].name.name);
      s += " { " + join(names, ", ") + " }";
    }
    return s;
  }

  // Node `i`, its siblings and everything beneath them (the whole tree for a root): a weight at one
  // level changes the full marks of its siblings (relative shares) and of everything beneath; the
  // parent only reads them.
  Names weight_reach(const CheckedPolicy& p, std::uint32_t i) {
    const std::uint32_t parent = p.module.nodes[i].parent;
    if (parent == ast::IndicatorNode::kNoNode) return subtree(p, i);
    Names out;
    for (const std::uint32_t c : p.module.nodes[parent].children) {
      for (auto& path : subtree(p, c)) out.push_back(std::move(path));
    }
    return out;
  }

  void indicators() {
    const TreeIndex ot = index_trees(o_);
    const TreeIndex nt = index_trees(n_);
    std::map<std::string, std::string> old_to_new;
    std::set<std::string> taken;  // new paths matched
    for (const auto& path : nt.preorder) {
      if (ot.by_path.count(path)) {
        old_to_new[path] = path;
        taken.insert(path);
      }
    }
    // Moves: a removed path whose parent moved follows it; otherwise a name that is removed once
    // and added once is the same indicator under another parent.
    std::map<std::string, int> removed_names;
    std::map<std::string, int> added_names;
    for (const auto& path : ot.preorder) {
      if (!old_to_new.count(path)) ++removed_names[last_name(path)];
    }
    for (const auto& path : nt.preorder) {
      if (!taken.count(path)) ++added_names[last_name(path)];
    }
    std::set<std::string> moved;  // old paths that head a move
    for (const auto& path : ot.preorder) {
      if (old_to_new.count(path)) continue;
      const std::string parent = parent_path(path);
      const auto pit = old_to_new.find(parent);
      if (!parent.empty() && pit != old_to_new.end() && pit->second != parent) {
        const std::string candidate = pit->second + "." + last_name(path);
        if (nt.by_path.count(candidate) && !taken.count(candidate)) {
          old_to_new[path] = candidate;
          taken.insert(candidate);
          continue;
        }
      }
      const std::string name = last_name(path);
      if (removed_names[name] != 1 || added_names[name] != 1) continue;
      for (const auto& candidate : nt.preorder) {
        if (!taken.count(candidate) && last_name(candidate) == name) {
          old_to_new[path] = candidate;
          taken.insert(candidate);
          moved.insert(path);
          break;
        }
      }
    }
    std::map<std::string, std::string> new_to_old;
    for (const auto& [o, n] : old_to_new) new_to_old[n] = o;

    for (const auto& path : nt.preorder) {
      const std::uint32_t ni = nt.by_path.at(path);
      const auto it = new_to_old.find(path);
      if (it == new_to_old.end()) {
        add("indicators", ChangeKind::kAdded, "indicator", path, "", node_description(n_, ni), {}, {path});
        continue;
      }
      const std::uint32_t oi = ot.by_path.at(it->second);
      if (moved.count(it->second)) {
        add("indicators", ChangeKind::kMoved, "indicator", it->second, it->second, path, {it->second}, {path});
      }
      node(it->second, oi, path, ni);
    }
    for (const auto& path : ot.preorder) {
      if (old_to_new.count(path)) continue;
      add("indicators", ChangeKind::kRemoved, "indicator", path, node_description(o_, ot.by_path.at(path)), "", {path}, {});
    }
  }

  void node(const std::string& old_path, std::uint32_t oi, const std::string& path, std::uint32_t ni) {
    const ast::IndicatorNode& o = om_.nodes[oi];
    const ast::IndicatorNode& n = nm_.nodes[ni];
    const Names olds = {old_path};
    const Names news = {path};
    const bool root = n.parent == ast::IndicatorNode::kNoNode;
    const std::string ow = dsl::unparse(o.weight);
    const std::string nw = dsl::unparse(n.weight);
    const bool weight_changed = !root && o.parent != ast::IndicatorNode::kNoNode && ow != nw;
    if (weight_changed) add("indicators", ChangeKind::kChanged, "weight", path, ow, nw, weight_reach(o_, oi), weight_reach(n_, ni));
    const std::int64_t of = o_.nodes[oi].full;
    const std::int64_t nf = n_.nodes[ni].full;
    // Full marks that a changed weight states itself (`40%` of 100 points, `30分`) are not repeated.
    const bool stated = weight_changed && o.weight.raw == of && n.weight.raw == nf;
    if (of != nf && !stated) {
      RuleChange& c = add("indicators", ChangeKind::kChanged, "full marks", path, decimal::to_string(of), decimal::to_string(nf),
                          root ? subtree(o_, oi) : olds, root ? subtree(n_, ni) : news);
      c.derived = !root;  // a root's full marks are declared; others follow from the weights
    }
    if (o.children.empty() && n.children.empty()) {
      formula("indicators", "formula", path, o.formula, n.formula, olds, news);
    } else if (o.children.empty() != n.children.empty()) {
      add("indicators", ChangeKind::kChanged, "formula", path,
          o.children.empty() ? expr_text(om_, o.formula) : canonical(msg::diff_sub_indicators()),
          n.children.empty() ? expr_text(nm_, n.formula) : canonical(msg::diff_sub_indicators()), olds, news);
    }
    changed("indicators", "missing", path, missing_text(o.missing), missing_text(n.missing), olds, news);
    match_by_name(
        o.adjusts, n.adjusts, [](const ast::Adjust& a) { return a.name.name; },
        [&](const ast::Adjust& a, const ast::Adjust& b) {
          std::string ta = adjust_text(om_, a);
          std::string tb = adjust_text(nm_, b);
          if (a.kind != b.kind) {
            ta = (a.kind == ast::AdjustKind::kDeduct ? "deduct " : "bonus ") + ta;
            tb = (b.kind == ast::AdjustKind::kDeduct ? "deduct " : "bonus ") + tb;
          }
          if (ta != tb) {
            add("indicators", ChangeKind::kChanged, b.kind == ast::AdjustKind::kDeduct ? "deduct" : "bonus",
                path + "." + b.name.name, ta, tb, olds, news);
          }
        },
        [&](const ast::Adjust& b) {
          add("indicators", ChangeKind::kAdded, b.kind == ast::AdjustKind::kDeduct ? "deduct" : "bonus", path + "." + b.name.name, "",
              adjust_text(nm_, b), {}, news);
        },
        [&](const ast::Adjust& a) {
          add("indicators", ChangeKind::kRemoved, a.kind == ast::AdjustKind::kDeduct ? "deduct" : "bonus",
              path + "." + a.name.name, adjust_text(om_, a), "", olds, {});
        });
    formula("indicators", "deductions max", path, o.deductions_max, n.deductions_max, olds, news);
    formula("indicators", "bonuses max", path, o.bonuses_max, n.bonuses_max, olds, news);
  }

  // ---- vetoes, grades and alerts, funds, output ----

  Names effects(const CheckedPolicy& p, const ast::VetoDecl& v) {
    const auto index = static_cast<std::size_t>(&v - p.module.vetoes.data());
    Names out;
    for (const dsl::ResolvedEffect& e : p.veto_effects[index]) out.push_back(effect_text(p, e));
    return out;
  }

  std::string veto_description(const CheckedPolicy& p, const ast::VetoDecl& v) {
    return "when " + expr_text(p.module, v.when) + " { " + join(effects(p, v), "; ") + " ; reason " +
           dsl::quote_text(v.reason.value_or("")) + " }";
  }

  void vetoes() {
    match_by_name(
        om_.vetoes, nm_.vetoes, [](const ast::VetoDecl& d) { return d.name.name; },
        [&](const ast::VetoDecl& o, const ast::VetoDecl& n) {
          const Names olds = {o.name.name};
          const Names news = {n.name.name};
          formula("vetoes", "condition", n.name.name, o.when, n.when, olds, news);
          Names oe = effects(o_, o);
          Names ne = effects(n_, n);
          Names os = oe;
          Names ns = ne;
          std::sort(os.begin(), os.end());
          std::sort(ns.begin(), ns.end());
          if (os != ns) add("vetoes", ChangeKind::kChanged, "effects", n.name.name, join(oe, "; "), join(ne, "; "), olds, news);
          const std::string orr = o.reason ? dsl::quote_text(*o.reason) : "";
          const std::string nr = n.reason ? dsl::quote_text(*n.reason) : "";
          if (orr != nr) add("vetoes", ChangeKind::kChanged, "reason", n.name.name, orr, nr, olds, news).cosmetic = true;
        },
        [&](const ast::VetoDecl& n) {
          add("vetoes", ChangeKind::kAdded, "veto", n.name.name, "", veto_description(n_, n), {}, {n.name.name});
        },
        [&](const ast::VetoDecl& o) {
          add("vetoes", ChangeKind::kRemoved, "veto", o.name.name, veto_description(o_, o), "", {o.name.name}, {});
        });
  }

  static std::string band_section(const ast::BandDecl& d) { return d.kind == ast::BandKind::kGrade ? "grades" : "alerts"; }

  std::string bands_description(const ast::Module& m, const ast::BandDecl& d) {
    Names bands;
    for (const ast::Band& b : d.bands) bands.push_back(b.label.text + " " + interval_text(b));
    return "of " + expr_text(m, d.of) + " { " + join(bands, ", ") + " }";
  }

  void bands() {
    match_by_name(
        om_.bands, nm_.bands, [](const ast::BandDecl& d) { return d.name.name; },
        [&](const ast::BandDecl& o, const ast::BandDecl& n) {
          const std::string section = band_section(n);
          const std::string& name = n.name.name;
          const Names olds = {o.name.name};
          const Names news = {name};
          if (o.kind != n.kind) {
            add(section, ChangeKind::kChanged, "kind", name, o.kind == ast::BandKind::kGrade ? "grade" : "alert",
                n.kind == ast::BandKind::kGrade ? "grade" : "alert", olds, news);
          }
          formula(section, "of", name, o.of, n.of, olds, news);
          match_by_name(
              o.bands, n.bands, [](const ast::Band& b) { return b.label.text; },
              [&](const ast::Band& a, const ast::Band& b) {
                const std::string target = name + "." + b.label.text;
                if (interval_text(a) != interval_text(b)) {
                  RuleChange& c = add(section, ChangeKind::kChanged, "band", target, interval_text(a), interval_text(b), olds, news);
                  c.band = BandEdit{name, a.has_interval ? std::optional(a.interval) : std::nullopt,
                                    b.has_interval ? std::optional(b.interval) : std::nullopt};
                }
                if (deadline_text(a.deadline) != deadline_text(b.deadline)) {
                  add(section, ChangeKind::kChanged, "deadline", target, deadline_text(a.deadline), deadline_text(b.deadline), olds, news)
                      .cosmetic = true;
                }
                const std::string at = a.text ? dsl::quote_text(*a.text) : "";
                const std::string bt = b.text ? dsl::quote_text(*b.text) : "";
                if (at != bt) add(section, ChangeKind::kChanged, "text", target, at, bt, olds, news).cosmetic = true;
              },
              [&](const ast::Band& b) {
                RuleChange& c = add(section, ChangeKind::kAdded, "band", name + "." + b.label.text, "", band_description(b), olds, news);
                c.band = BandEdit{name, std::nullopt, b.has_interval ? std::optional(b.interval) : std::nullopt};
              },
              [&](const ast::Band& a) {
                RuleChange& c = add(section, ChangeKind::kRemoved, "band", name + "." + a.label.text, band_description(a), "", olds, news);
                c.band = BandEdit{name, a.has_interval ? std::optional(a.interval) : std::nullopt, std::nullopt};
              });
          // The order of labels is meaningful (best or most severe first).
          Names oc;
          Names nc;
          for (const ast::Band& b : o.bands) oc.push_back(b.label.text);
          for (const ast::Band& b : n.bands) nc.push_back(b.label.text);
          Names oc_common;
          Names nc_common;
          for (const auto& l : oc) {
            if (std::find(nc.begin(), nc.end(), l) != nc.end()) oc_common.push_back(l);
          }
          for (const auto& l : nc) {
            if (std::find(oc.begin(), oc.end(), l) != oc.end()) nc_common.push_back(l);
          }
          if (oc_common != nc_common) add(section, ChangeKind::kChanged, "order", name, join(oc, ", "), join(nc, ", "), olds, news);
        },
        [&](const ast::BandDecl& n) {
          add(band_section(n), ChangeKind::kAdded, n.kind == ast::BandKind::kGrade ? "grade" : "alert", n.name.name, "",
              bands_description(nm_, n), {}, {n.name.name});
        },
        [&](const ast::BandDecl& o) {
          add(band_section(o), ChangeKind::kRemoved, o.kind == ast::BandKind::kGrade ? "grade" : "alert", o.name.name,
              bands_description(om_, o), "", {o.name.name}, {});
        });
  }

  std::string fund_description(const ast::Module& m, const ast::FundDecl& f) {
    std::string s = "pool " + expr_text(m, f.pool);
    if (ast::present(f.per_group)) s += " per " + expr_text(m, f.per_group);
    Names tracks;
    for (const ast::Track& t : f.tracks) tracks.push_back(t.name.name + " " + dsl::unparse(t.share));
    return s + " { " + join(tracks, ", ") + " }";
  }

  void funds() {
    match_by_name(
        om_.funds, nm_.funds, [](const ast::FundDecl& d) { return d.name.name; },
        [&](const ast::FundDecl& o, const ast::FundDecl& n) {
          const std::string& name = n.name.name;
          const Names olds = {o.name.name};
          const Names news = {name};
          formula("funds", "pool", name, o.pool, n.pool, olds, news);
          formula("funds", "per", name, o.per_group, n.per_group, olds, news);
          changed("funds", "ties", name, ties_text(om_, o), ties_text(nm_, n), olds, news);
          match_by_name(
              o.tracks, n.tracks, [](const ast::Track& t) { return t.name.name; },
              [&](const ast::Track& a, const ast::Track& b) {
                const std::string target = name + "." + b.name.name;
                changed("funds", "share", target, dsl::unparse(a.share), dsl::unparse(b.share), olds, news);
                const std::string sa = split_text(om_, a);
                const std::string sb = split_text(nm_, b);
                if (sa != sb) {
                  std::vector<CoefEdit> edits;
                  CoefCompare compare(om_, nm_, edits);
                  const bool coef_only = a.mode == b.mode && a.top_raw == b.top_raw && a.top_percent == b.top_percent &&
                                         (a.top_base == ast::TopBase::kAll) == (b.top_base == ast::TopBase::kAll) &&
                                         (a.top_rounding == ast::TopRounding::kUp) == (b.top_rounding == ast::TopRounding::kUp) &&
                                         compare.same_but_coef(a.by, b.by) &&
                                         compare.same_but_coef(a.proportional, b.proportional) && !edits.empty();
                  if (coef_only) {
                    for (const CoefEdit& e : edits) add("funds", ChangeKind::kChanged, "coef", target, e.before, e.after, olds, news);
                  } else {
                    add("funds", ChangeKind::kChanged, "split", target, sa, sb, olds, news);
                  }
                }
                formula("funds", "when", target, a.when, b.when, olds, news);
              },
              [&](const ast::Track& b) {
                add("funds", ChangeKind::kAdded, "track", name + "." + b.name.name, "", track_description(nm_, b), olds, news);
              },
              [&](const ast::Track& a) {
                add("funds", ChangeKind::kRemoved, "track", name + "." + a.name.name, track_description(om_, a), "", olds, news);
              });
        },
        [&](const ast::FundDecl& n) {
          add("funds", ChangeKind::kAdded, "fund", n.name.name, "", fund_description(nm_, n), {}, {n.name.name});
        },
        [&](const ast::FundDecl& o) {
          add("funds", ChangeKind::kRemoved, "fund", o.name.name, fund_description(om_, o), "", {o.name.name}, {});
        });
  }

  static std::string output_text(const ast::Module& m) {
    if (!m.output) return canonical(msg::diff_default_columns());
    Names items;
    for (const ExprId e : m.output->items) items.push_back(dsl::unparse(m, e));
    return join(items, ", ");
  }

  void output() {
    const std::string o = output_text(om_);
    const std::string n = output_text(nm_);
    if (o != n) add("output", ChangeKind::kChanged, "columns", "output", o, n, {}, {}).cosmetic = true;
  }

  const CheckedPolicy& o_;
  const CheckedPolicy& n_;
  const ast::Module& om_;
  const ast::Module& nm_;
  PolicyDiff out_;
};

// ---- text helpers ----

using Word = MessageDef<>;

// The word for a section, or an aspect of a change (the first column of a line), in `lang`.
std::string word(std::string_view key, Lang lang) {
  static constexpr std::pair<std::string_view, Word> kWords[] = {
      {"policy", msg::diff_section_policy}, {"inputs", msg::diff_section_inputs},
      {"params", msg::diff_section_params}, {"sets", msg::diff_section_sets},
      {"lets", msg::diff_section_lets}, {"indicators", msg::diff_section_indicators},
      {"vetoes", msg::diff_section_vetoes}, {"grades", msg::diff_section_grades},
      {"alerts", msg::diff_section_alerts}, {"funds", msg::diff_section_funds},
      {"output", msg::diff_section_output}, {"subject", msg::diff_aspect_subject},
      {"key", msg::diff_aspect_key}, {"period", msg::diff_aspect_period},
      {"precision", msg::diff_aspect_precision}, {"type", msg::diff_aspect_type},
      {"input", msg::diff_aspect_input}, {"value", msg::diff_aspect_value},
      {"param", msg::diff_aspect_param}, {"items", msg::diff_aspect_items},
      {"set", msg::diff_aspect_set}, {"formula", msg::diff_aspect_formula},
      {"let", msg::diff_aspect_let}, {"indicator", msg::diff_aspect_indicator},
      {"weight", msg::diff_aspect_weight}, {"full marks", msg::diff_aspect_full_marks},
      {"missing", msg::diff_aspect_missing}, {"deduct", msg::diff_aspect_deduct},
      {"bonus", msg::diff_aspect_bonus}, {"deductions max", msg::diff_aspect_deductions_max},
      {"bonuses max", msg::diff_aspect_bonuses_max}, {"condition", msg::diff_aspect_condition},
      {"effects", msg::diff_aspect_effects}, {"reason", msg::diff_aspect_reason},
      {"veto", msg::diff_aspect_veto}, {"kind", msg::diff_aspect_kind},
      {"of", msg::diff_aspect_of}, {"band", msg::diff_aspect_band},
      {"deadline", msg::diff_aspect_deadline}, {"text", msg::diff_aspect_text},
      {"order", msg::diff_aspect_order}, {"grade", msg::diff_aspect_grade},
      {"alert", msg::diff_aspect_alert}, {"pool", msg::diff_aspect_pool},
      {"per", msg::diff_aspect_per}, {"ties", msg::diff_aspect_ties},
      {"share", msg::diff_aspect_share}, {"coef", msg::diff_aspect_coef},
      {"split", msg::diff_aspect_split}, {"when", msg::diff_aspect_when},
      {"track", msg::diff_aspect_track}, {"fund", msg::diff_aspect_fund},
      {"columns", msg::diff_aspect_columns}, {"rollup", msg::diff_aspect_rollup},
  };
  for (const auto& [k, w] : kWords) {
    if (k == key) return w().str(lang);
  }
  return std::string(key);  // not reached: the table has every section and aspect the differ writes
}

// What a change changed, or (added, removed) what kind of thing it is, in `lang`.
std::string aspect_word(const RuleChange& c, Lang lang) {
  if (c.aspect == "band" && c.kind != ChangeKind::kChanged) return msg::diff_aspect_band_itself().str(lang);
  return word(c.aspect, lang);
}

// A policy-wide change's target (`key`, `output`) is a word too; others are names and paths.
std::string target_word(const RuleChange& c, Lang lang) {
  return c.section == "policy" || c.section == "output" ? word(c.target, lang) : c.target;
}

// One side of a change as shown to people: canonical texts as they are; the texts that are not
// policy text (no side, a deadline, a band's kind, "(sub-indicators)") in `lang`.
std::string side(const RuleChange& c, const std::string& s, Lang lang) {
  if (s.empty()) return msg::diff_none().str(lang);
  if (c.kind == ChangeKind::kChanged && c.aspect == "kind") return word(s, lang);
  for (const Word w : {msg::diff_sub_indicators, msg::diff_default_columns, msg::diff_no_interval}) {
    if (s == canonical(w())) return w().str(lang);
  }
  if (c.kind == ChangeKind::kChanged && c.aspect == "deadline") {
    const std::size_t space = s.find(' ');
    const std::string n = s.substr(0, space);
    if (s == canonical(msg::diff_days(n))) return msg::diff_days(n).str(lang);
    if (s == canonical(msg::diff_workdays(n))) return msg::diff_workdays(n).str(lang);
  }
  return s;
}

std::string pad(const std::string& s, std::size_t width) {
  const std::size_t w = utf8::display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string pad_left(const std::string& s, std::size_t width) {
  const std::size_t w = utf8::display_width(s);
  return w >= width ? s : std::string(width - w, ' ') + s;
}

std::string verb(const RuleChange& c, Lang lang) {
  switch (c.kind) {
    case ChangeKind::kAdded: return msg::diff_verb_added().str(lang);
    case ChangeKind::kRemoved: return msg::diff_verb_removed().str(lang);
    case ChangeKind::kMoved: return msg::diff_verb_moved().str(lang);
    case ChangeKind::kChanged: return aspect_word(c, lang);
  }
  return "";
}

std::string detail(const RuleChange& c, Lang lang) {
  switch (c.kind) {
    case ChangeKind::kAdded: return aspect_word(c, lang) + (c.after.empty() ? "" : " " + c.after);
    case ChangeKind::kRemoved: return aspect_word(c, lang) + (c.before.empty() ? "" : " " + c.before);
    case ChangeKind::kMoved: return msg::diff_moved_to(c.after).str(lang);
    case ChangeKind::kChanged: return side(c, c.before, lang) + std::string(kArrow) + side(c, c.after, lang);
  }
  return "";
}

std::string kind_word(ChangeKind k) {
  switch (k) {
    case ChangeKind::kAdded: return "added";
    case ChangeKind::kRemoved: return "removed";
    case ChangeKind::kMoved: return "moved";
    case ChangeKind::kChanged: return "changed";
  }
  return "";
}

std::size_t count_real(const PolicyDiff& d) {
  return static_cast<std::size_t>(std::count_if(d.changes.begin(), d.changes.end(), [](const RuleChange& c) { return !c.derived; }));
}

Message communities(std::size_t n) { return (n == 1 ? msg::diff_communities_one : msg::diff_communities_many)(n); }

void json_labels(JsonWriter& w, const DiffLabels& labels) {
  w.key("old");
  w.begin_object();
  w.key("file");
  w.string(labels.old_file);
  w.key("policy");
  w.string(labels.old_policy);
  w.end_object();
  w.key("new");
  w.begin_object();
  w.key("file");
  w.string(labels.new_file);
  w.key("policy");
  w.string(labels.new_policy);
  w.end_object();
}

void json_changes(std::string& out, JsonWriter& w, const PolicyDiff& diff) {
  w.key("changes");
  w.begin_array();
  for (std::size_t i = 0; i < diff.changes.size(); ++i) {
    const RuleChange& c = diff.changes[i];
    out += i == 0 ? "\n" : ",\n";
    JsonWriter cw(out);  // one line per change
    cw.begin_object();
    cw.key("section");
    cw.string(c.section);
    cw.key("change");
    cw.string(kind_word(c.kind));
    cw.key("aspect");
    cw.string(c.aspect);
    cw.key("target");
    cw.string(c.target);
    cw.key("old");
    if (c.before.empty()) {
      cw.null();
    } else {
      cw.string(c.before);
    }
    cw.key("new");
    if (c.after.empty()) {
      cw.null();
    } else {
      cw.string(c.after);
    }
    cw.key("derived");
    cw.boolean(c.derived);
    cw.key("cosmetic");
    cw.boolean(c.cosmetic);
    cw.end_object();
  }
  if (!diff.changes.empty()) out += "\n";
  w.end_array();
}

// ---- impact ----

bool contains(const std::optional<ast::Interval>& iv, std::int64_t v) {
  if (!iv) return false;
  if (!iv->lo_inf && (iv->lo_closed ? v < iv->lo : v <= iv->lo)) return false;
  if (!iv->hi_inf && (iv->hi_closed ? v > iv->hi : v >= iv->hi)) return false;
  return true;
}

using NameMap = std::unordered_map<std::string, std::uint32_t>;

NameMap symbol_names(const CheckedPolicy& p) {
  NameMap m;
  for (std::size_t i = 0; i < p.symbols.size(); ++i) m.emplace(p.symbols[i].name, static_cast<std::uint32_t>(i));
  return m;
}

// Which symbols depend, transitively, on any of `seeds` (the seeds included).
std::vector<bool> reach(const CheckedPolicy& p, const std::vector<std::vector<std::uint32_t>>& dependents, const NameMap& names,
                        const Names& seeds) {
  std::vector<bool> seen(p.symbols.size(), false);
  std::deque<std::uint32_t> queue;
  for (const auto& s : seeds) {
    const auto it = names.find(s);
    if (it == names.end() || seen[it->second]) continue;
    seen[it->second] = true;
    queue.push_back(it->second);
  }
  while (!queue.empty()) {
    const std::uint32_t s = queue.front();
    queue.pop_front();
    for (const std::uint32_t d : dependents[s]) {
      if (!seen[d]) {
        seen[d] = true;
        queue.push_back(d);
      }
    }
  }
  return seen;
}

std::vector<std::vector<std::uint32_t>> dependents_of(const CheckedPolicy& p) {
  std::vector<std::vector<std::uint32_t>> r(p.symbols.size());
  for (std::size_t from = 0; from < p.deps.size(); ++from) {
    for (const dsl::Dep& d : p.deps[from]) {
      if (d.to != dsl::kNoSymbol) r[static_cast<std::uint32_t>(d.to)].push_back(static_cast<std::uint32_t>(from));
    }
  }
  return r;
}

std::string key_text(const ImpactSide& s, std::size_t row) {
  const std::int64_t id = s.data->key.values[row];
  return id < 0 ? std::string() : s.data->strings.text(static_cast<std::uint32_t>(id));
}

const FundResult* find_fund(const EvalResult& r, const std::string& name) {
  for (const FundResult& f : r.funds) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const TrackResult* find_track(const FundResult* f, const std::string& name) {
  if (f == nullptr) return nullptr;
  for (const TrackResult& t : f->tracks) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

class ImpactBuilder {
 public:
  ImpactBuilder(const PolicyDiff& d, const ImpactSide& o, const ImpactSide& n)
      : d_(d), o_(o), n_(n), op_(*o.policy), np_(*n.policy), onames_(symbol_names(op_)), nnames_(symbol_names(np_)) {}

  Impact run() {
    Impact impact;
    impact.data_path = n_.data->path;
    impact.key_name = np_.key == dsl::kNoSymbol ? "" : np_.symbol(np_.key).name;
    if (!n_.data->periods.empty() && !n_.result->selected.empty()) {
      impact.period = n_.data->periods[static_cast<std::size_t>(n_.data->period_index[n_.result->selected.front()])];
    }
    reaches();
    outputs(impact);
    // Communities by key.
    std::unordered_map<std::string, std::size_t> old_rows;
    for (const std::size_t r : o_.result->selected) old_rows.emplace(key_text(o_, r), r);
    std::set<std::string> matched;
    for (const std::size_t rn : n_.result->selected) {
      const std::string key = key_text(n_, rn);
      const auto it = old_rows.find(key);
      if (it == old_rows.end()) {
        ++impact.only_new;
        continue;
      }
      matched.insert(key);
      ++impact.compared;
      community(impact, key, it->second, rn);
    }
    impact.only_old = o_.result->selected.size() - matched.size();
    return impact;
  }

 private:
  // What each change reaches in each policy, and on which rows a band change matters.
  void reaches() {
    const auto od = dependents_of(op_);
    const auto nd = dependents_of(np_);
    for (const RuleChange& c : d_.changes) {
      old_reach_.push_back(reach(op_, od, onames_, c.old_symbols));
      new_reach_.push_back(reach(np_, nd, nnames_, c.new_symbols));
      BandValues bv;
      if (c.band) {
        bv.old_values = banded(o_, c.band->decl);
        bv.new_values = banded(n_, c.band->decl);
        const std::size_t rows = std::min(o_.data->rows, n_.data->rows);
        bv.any = o_.data->rows != n_.data->rows;
        for (std::size_t r = 0; r < rows && !bv.any; ++r) bv.any = band_matters(c, bv, r, r);
      }
      band_values_.push_back(bv);
      effective_.push_back(effective(c));
    }
  }

  // Whether a symbol has the same value on every row under both policies (numbers, money and
  // yes/no by value, labels and texts by their text). False when that cannot be told.
  [[nodiscard]] bool same_column(const std::string& old_name, const std::string& new_name) const {
    const auto oi = onames_.find(old_name);
    const auto ni = nnames_.find(new_name);
    if (oi == onames_.end() || ni == nnames_.end()) return false;
    const dsl::Symbol& os = op_.symbols[oi->second];
    const dsl::Symbol& ns = np_.symbols[ni->second];
    const auto& oc = o_.result->columns[oi->second];
    const auto& nc = n_.result->columns[ni->second];
    const std::size_t rows = o_.data->rows;
    if (os.type.kind != ns.type.kind || rows != n_.data->rows || oc.size() != rows || nc.size() != rows) return false;
    switch (os.type.kind) {
      case TypeKind::kNumber:
      case TypeKind::kMoney:
      case TypeKind::kBool: return std::equal(oc.begin(), oc.end(), nc.begin(), nc.end());
      case TypeKind::kLabel: {
        const auto& ol = op_.domains[os.type.domain].labels;
        const auto& nl = np_.domains[ns.type.domain].labels;
        for (std::size_t r = 0; r < rows; ++r) {
          const auto a = static_cast<std::size_t>(oc[r]);
          const auto b = static_cast<std::size_t>(nc[r]);
          if (a >= ol.size() || b >= nl.size() || ol[a] != nl[b]) return false;
        }
        return true;
      }
      case TypeKind::kText:
        for (std::size_t r = 0; r < rows; ++r) {
          if ((oc[r] < 0) != (nc[r] < 0)) return false;
          if (oc[r] >= 0 && o_.data->strings.text(static_cast<std::uint32_t>(oc[r])) !=
                                n_.data->strings.text(static_cast<std::uint32_t>(nc[r]))) {
            return false;
          }
        }
        return true;
      default: return false;
    }
  }

  // Whether a change can have had any effect: not when every symbol it alters directly has the
  // same values under both policies (matched by name, or the one symbol only the old policy has
  // with the one only the new policy has: a moved indicator).
  [[nodiscard]] bool effective(const RuleChange& c) const {
    Names only_old;
    Names only_new;
    std::set<std::string> both;
    for (const auto& name : c.old_symbols) {
      if (nnames_.count(name)) {
        both.insert(name);
      } else {
        only_old.push_back(name);
      }
    }
    for (const auto& name : c.new_symbols) {
      if (onames_.count(name)) {
        both.insert(name);
      } else {
        only_new.push_back(name);
      }
    }
    if (both.empty() && only_old.empty() && only_new.empty()) return true;
    for (const auto& name : both) {
      if (!same_column(name, name)) return true;
    }
    if (only_old.empty() && only_new.empty()) return false;
    if (only_old.size() == 1 && only_new.size() == 1) return !same_column(only_old[0], only_new[0]);
    return true;
  }

  struct BandValues {
    const std::span<const std::int64_t>* old_values = nullptr;  ///< the banded value per row, when it is a symbol
    const std::span<const std::int64_t>* new_values = nullptr;
    bool any = true;  ///< the change matters on some row
  };

  // The column of the value a grade or alert bands, when it names a symbol.
  const std::span<const std::int64_t>* banded(const ImpactSide& s, const std::string& decl) {
    for (const ast::BandDecl& b : s.policy->module.bands) {
      if (b.name.name != decl) continue;
      if (!std::holds_alternative<ast::NameRef>(s.policy->module.expr(b.of))) return nullptr;
      const dsl::SymbolId id = s.policy->ref(b.of);
      if (id == dsl::kNoSymbol) return nullptr;
      const auto& col = s.result->columns[static_cast<std::uint32_t>(id)];
      return col.size() == s.data->rows ? &col : nullptr;
    }
    return nullptr;
  }

  static bool band_matters(const RuleChange& c, const BandValues& bv, std::size_t ro, std::size_t rn) {
    if (bv.old_values == nullptr || bv.new_values == nullptr) return true;
    const auto differs = [&](std::int64_t v) { return contains(c.band->before, v) != contains(c.band->after, v); };
    return differs((*bv.old_values)[ro]) || differs((*bv.new_values)[rn]);
  }

  [[nodiscard]] bool reaches_name(std::size_t c, const std::string& name) const {
    if (const auto it = onames_.find(name); it != onames_.end() && old_reach_[c][it->second]) return true;
    if (const auto it = nnames_.find(name); it != nnames_.end() && new_reach_[c][it->second]) return true;
    return false;
  }

  // The changes that reach any of `names` on this pair of rows.
  std::vector<std::size_t> causes(const Names& names, std::size_t ro, std::size_t rn) const {
    std::vector<std::size_t> out;
    for (std::size_t c = 0; c < d_.changes.size(); ++c) {
      const RuleChange& ch = d_.changes[c];
      if (ch.derived || ch.cosmetic || !effective_[c]) continue;
      bool hit = false;
      for (const auto& name : names) {
        if (!reaches_name(c, name)) continue;
        if (ch.band) {
          const BandValues& bv = band_values_[c];
          if (name == ch.band->decl ? !band_matters(ch, bv, ro, rn) : !bv.any) continue;
        }
        hit = true;
        break;
      }
      if (hit) out.push_back(c);
    }
    return out;
  }

  struct Source {
    std::optional<std::uint32_t> old_symbol;  ///< kScore, kGrade, kAlert
    std::optional<std::uint32_t> new_symbol;
    std::string fund;   ///< kMoney
    std::string track;  ///< kMoney: empty for the fund's total
  };

  void outputs(Impact& impact) {
    std::set<std::string> shown;  // segments' copies of a tree are one column
    for (const std::uint32_t root : np_.module.roots) {
      const std::string& name = np_.symbol(np_.nodes[root].symbol).name;
      const auto it = onames_.find(name);
      if (it == onames_.end() || op_.symbols[it->second].kind != SymbolKind::kIndicator || !shown.insert(name).second) continue;
      impact.outputs.push_back({name, OutputKind::kScore, op_.precision, np_.precision});
      sources_.push_back({it->second, nnames_.at(name), "", ""});
    }
    for (std::size_t i = 0; i < np_.symbols.size(); ++i) {
      const dsl::Symbol& s = np_.symbols[i];
      if (s.kind != SymbolKind::kGrade && s.kind != SymbolKind::kAlert) continue;
      const auto it = onames_.find(s.name);
      if (it == onames_.end() || op_.symbols[it->second].kind != s.kind) continue;
      impact.outputs.push_back({s.name, s.kind == SymbolKind::kGrade ? OutputKind::kGrade : OutputKind::kAlert, 2, 2});
      sources_.push_back({it->second, static_cast<std::uint32_t>(i), "", ""});
    }
    if (!op_.module.vetoes.empty() || !np_.module.vetoes.empty()) {
      impact.outputs.push_back({"vetoes", OutputKind::kVetoes, 2, 2});
      sources_.push_back({});
    }
    Names funds;
    for (const auto& f : np_.module.funds) funds.push_back(f.name.name);
    for (const auto& f : op_.module.funds) {
      if (std::find(funds.begin(), funds.end(), f.name.name) == funds.end()) funds.push_back(f.name.name);
    }
    for (const auto& fund : funds) {
      const FundResult* of = find_fund(*o_.result, fund);
      const FundResult* nf = find_fund(*n_.result, fund);
      Names tracks;
      if (nf != nullptr) {
        for (const auto& t : nf->tracks) tracks.push_back(t.name);
      }
      if (of != nullptr) {
        for (const auto& t : of->tracks) {
          if (std::find(tracks.begin(), tracks.end(), t.name) == tracks.end()) tracks.push_back(t.name);
        }
      }
      for (const auto& t : tracks) {
        impact.outputs.push_back({fund + "." + t, OutputKind::kMoney, 2, 2});
        sources_.push_back({std::nullopt, std::nullopt, fund, t});
        const TrackResult* ot = find_track(of, t);
        const TrackResult* nt = find_track(nf, t);
        impact.money.push_back({fund + "." + t, ot ? ot->paid : 0, nt ? nt->paid : 0, 0});
      }
      impact.outputs.push_back({fund, OutputKind::kMoney, 2, 2});
      sources_.push_back({std::nullopt, std::nullopt, fund, ""});
      impact.money.push_back({fund, of ? of->paid : 0, nf ? nf->paid : 0, 0});
    }
    for (const ComparedOutput& out : impact.outputs) {
      if (out.kind == OutputKind::kGrade || out.kind == OutputKind::kAlert) impact.moves.push_back({out.name, out.kind, 0, 0, 0, 0});
    }
  }

  static std::string label(const ImpactSide& s, std::uint32_t symbol, std::size_t row) {
    const dsl::Symbol& sym = s.policy->symbols[symbol];
    const auto& labels = s.policy->domains[sym.type.domain].labels;
    const auto v = static_cast<std::size_t>(s.result->columns[symbol][row]);
    return v < labels.size() ? labels[v] : std::string();
  }

  static Names fired(const ImpactSide& s, std::size_t row) {
    Names out;
    for (std::size_t i = 0; i < s.policy->symbols.size(); ++i) {
      if (s.policy->symbols[i].kind != SymbolKind::kVeto) continue;
      const auto& col = s.result->columns[i];
      if (row < col.size() && col[row] != 0) out.push_back(s.policy->symbols[i].name);
    }
    return out;
  }

  static std::int64_t money(const ImpactSide& s, const std::string& fund, const std::string& track, std::size_t row) {
    const FundResult* f = find_fund(*s.result, fund);
    if (f == nullptr) return 0;
    if (track.empty()) return f->totals.empty() ? 0 : f->totals[row];
    const TrackResult* t = find_track(f, track);
    return t == nullptr || t->amounts.empty() ? 0 : t->amounts[row];
  }

  void community(Impact& impact, const std::string& key, std::size_t ro, std::size_t rn) {
    CommunityImpact ci;
    ci.key = key;
    bool any = false;
    std::size_t move = 0;
    std::size_t money_index = 0;
    for (std::size_t k = 0; k < impact.outputs.size(); ++k) {
      const ComparedOutput& out = impact.outputs[k];
      const Source& src = sources_[k];
      OutputValue v;
      Names names;
      switch (out.kind) {
        case OutputKind::kScore:
          v.before = o_.result->columns[*src.old_symbol][ro];
          v.after = n_.result->columns[*src.new_symbol][rn];
          v.changed = v.before != v.after;
          names = {out.name};
          break;
        case OutputKind::kGrade:
        case OutputKind::kAlert: {
          v.before_text = label(o_, *src.old_symbol, ro);
          v.after_text = label(n_, *src.new_symbol, rn);
          v.changed = v.before_text != v.after_text;
          names = {out.name};
          LabelMoves& m = impact.moves[move++];
          const auto& labels = np_.domains[np_.symbols[*src.new_symbol].type.domain].labels;
          const auto before = std::find(labels.begin(), labels.end(), v.before_text);
          const auto after = std::find(labels.begin(), labels.end(), v.after_text);
          if (!v.changed) {
            ++m.unchanged;
          } else if (before == labels.end() || after == labels.end()) {
            ++m.other;
          } else if (after < before) {
            ++m.up;
          } else {
            ++m.down;
          }
          break;
        }
        case OutputKind::kVetoes: {
          const Names of = fired(o_, ro);
          const Names nf = fired(n_, rn);
          v.before_text = join(of, ";");
          v.after_text = join(nf, ";");
          std::set<std::string> a(of.begin(), of.end());
          std::set<std::string> b(nf.begin(), nf.end());
          v.changed = a != b;
          std::set_symmetric_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(names));
          break;
        }
        case OutputKind::kMoney: {
          v.before = money(o_, src.fund, src.track, ro);
          v.after = money(n_, src.fund, src.track, rn);
          v.changed = v.before != v.after;
          const std::int64_t delta = v.after - v.before;
          impact.money[money_index++].abs_changes += delta < 0 ? -delta : delta;
          names = {src.fund};
          break;
        }
      }
      if (v.changed) {
        v.causes = causes(names, ro, rn);
        any = true;
      }
      ci.values.push_back(std::move(v));
    }
    if (any) impact.communities.push_back(std::move(ci));
  }

  const PolicyDiff& d_;
  const ImpactSide& o_;
  const ImpactSide& n_;
  const CheckedPolicy& op_;
  const CheckedPolicy& np_;
  NameMap onames_;
  NameMap nnames_;
  std::vector<std::vector<bool>> old_reach_;
  std::vector<std::vector<bool>> new_reach_;
  std::vector<BandValues> band_values_;
  std::vector<bool> effective_;
  std::vector<Source> sources_;
};

// ---- impact formatting ----

std::string signed_text(std::string s) { return s.front() == '-' ? s : "+" + s; }

std::string score_text(std::int64_t raw, int places) { return decimal::format(raw, decimal::kPlaces, places); }

std::string yuan(std::int64_t fen) { return decimal::format_yuan_grouped(fen) + "元"; }

// The money moved: half the sum of the absolute changes, to the fen (or to half a fen).
std::string moved_yuan(std::int64_t abs_changes, bool grouped) {
  if (abs_changes % 2 == 0) return grouped ? yuan(abs_changes / 2) : decimal::format_yuan(abs_changes / 2);
  const std::string s = decimal::format(abs_changes * 5, 3, 3);
  return grouped ? s + "元" : s;
}

struct Cell {
  std::string before;
  std::string after;
  std::string delta;  ///< empty when the output has none
};

// `grouped`: for people (in `lang`), with thousands separators and 元; otherwise for the CSV and JSON.
Cell cell(const ComparedOutput& out, const OutputValue& v, bool grouped, Lang lang) {
  switch (out.kind) {
    case OutputKind::kScore: {
      const int places = std::max(out.old_places, out.new_places);
      return {score_text(v.before, out.old_places), score_text(v.after, out.new_places),
              v.before == v.after ? score_text(0, places) : signed_text(score_text(v.after - v.before, places))};
    }
    case OutputKind::kMoney:
      if (grouped) {
        return {yuan(v.before), yuan(v.after), v.before == v.after ? yuan(0) : signed_text(yuan(v.after - v.before))};
      }
      return {decimal::format_yuan(v.before), decimal::format_yuan(v.after),
              v.before == v.after ? decimal::format_yuan(0) : signed_text(decimal::format_yuan(v.after - v.before))};
    case OutputKind::kVetoes:
      if (grouped) {
        const auto list = [lang](const std::string& s) {
          if (s.empty()) return msg::diff_none().str(lang);
          std::string text;
          for (const char ch : s) {
            if (ch == ';') {
              text += msg::diff_names_sep().str(lang);
            } else {
              text.push_back(ch);
            }
          }
          return text;
        };
        return {list(v.before_text), list(v.after_text), ""};
      }
      return {v.before_text, v.after_text, ""};
    case OutputKind::kGrade:
    case OutputKind::kAlert: return {v.before_text, v.after_text, ""};
  }
  return {};
}


std::vector<std::size_t> all_causes(const CommunityImpact& c) {
  std::set<std::size_t> s;
  for (const OutputValue& v : c.values) s.insert(v.causes.begin(), v.causes.end());
  return {s.begin(), s.end()};
}

// The name of a compared output as shown to people (`vetoes` is a word, the others names).
std::string output_name(const ComparedOutput& o, Lang lang) {
  return o.kind == OutputKind::kVetoes ? msg::diff_output_vetoes().str(lang) : o.name;
}

std::string causes_text(const PolicyDiff& diff, const std::vector<std::size_t>& causes, Lang lang) {
  Names texts;
  for (const std::size_t i : causes) texts.push_back(cause_text(diff.changes[i], lang));
  return join(texts, msg::diff_list_sep().str(lang));
}

std::string output_kind_name(OutputKind k) {
  switch (k) {
    case OutputKind::kScore: return "score";
    case OutputKind::kGrade: return "grade";
    case OutputKind::kAlert: return "alert";
    case OutputKind::kVetoes: return "vetoes";
    case OutputKind::kMoney: return "money";
  }
  return "";
}

}  // namespace

bool PolicyDiff::equal() const {
  return std::all_of(changes.begin(), changes.end(), [](const RuleChange& c) { return c.derived; });
}

PolicyDiff diff_policies(const dsl::CheckedPolicy& old_policy, const dsl::CheckedPolicy& new_policy) {
  Differ d(old_policy, new_policy);
  return d.run();
}

std::string cause_text(const RuleChange& c, Lang lang) {
  const std::string target = target_word(c, lang);
  switch (c.kind) {
    case ChangeKind::kAdded: return msg::diff_cause_added(target).str(lang);
    case ChangeKind::kRemoved: return msg::diff_cause_removed(target).str(lang);
    case ChangeKind::kMoved: return msg::diff_cause_moved(target, c.after).str(lang);
    case ChangeKind::kChanged: {
      // `precision 2 → 1`, not `precision precision 2 → 1`.
      const std::string head = c.target == c.aspect ? target : target + " " + aspect_word(c, lang);
      // Long texts (formulas, splits) are named, not repeated: the list of changes has them.
      if (utf8::count_code_points(c.before) + utf8::count_code_points(c.after) > kLongCause) {
        return msg::diff_cause_changed(head).str(lang);
      }
      return head + " " + side(c, c.before, lang) + std::string(kArrow) + side(c, c.after, lang);
    }
  }
  return "";
}

std::string format_diff_text(const PolicyDiff& diff, const DiffLabels& labels, Lang lang) {
  std::string out = "--- " + msg::diff_heading_side(labels.old_file, labels.old_policy).str(lang) + "\n+++ " +
                    msg::diff_heading_side(labels.new_file, labels.new_policy).str(lang) + "\n";
  if (diff.equal()) return out + msg::diff_no_changes().str(lang) + "\n";
  const std::size_t real = count_real(diff);
  const std::size_t derived = diff.changes.size() - real;
  const Message count = (real == 1 ? msg::diff_count_one : msg::diff_count_many)(real);
  out += derived == 0 ? count.str(lang)
                      : (derived == 1 ? msg::diff_count_derived_one : msg::diff_count_derived_many)(count, derived).str(lang);
  out += "\n";
  std::size_t verb_width = 0;
  std::size_t target_width = 0;
  for (const RuleChange& c : diff.changes) {
    verb_width = std::max(verb_width, utf8::display_width(verb(c, lang)));
    target_width = std::max(target_width, utf8::display_width(target_word(c, lang)));
  }
  std::string section;
  for (const RuleChange& c : diff.changes) {
    if (c.section != section) {
      section = c.section;
      out += "\n" + word(section, lang) + "\n";
    }
    out += "  " + pad(verb(c, lang), verb_width) + "  " + pad(target_word(c, lang), target_width) + "  " + detail(c, lang) + "\n";
  }
  return out;
}

std::string format_diff_json(const PolicyDiff& diff, const DiffLabels& labels) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("version");
  w.integer(1);
  json_labels(w, labels);
  w.key("equal");
  w.boolean(diff.equal());
  json_changes(out, w, diff);
  w.end_object();
  out += "\n";
  return out;
}

Impact compute_impact(const PolicyDiff& diff, const ImpactSide& old_side, const ImpactSide& new_side) {
  ImpactBuilder b(diff, old_side, new_side);
  return b.run();
}

std::string format_impact_text(const PolicyDiff& diff, const Impact& impact, Lang lang) {
  const Message on = impact.period.empty() ? msg::diff_impact_on(impact.data_path)
                                           : msg::diff_impact_on_period(impact.data_path, impact.period);
  std::string out = msg::diff_impact_head(on, communities(impact.compared), impact.communities.size()).str(lang) + "\n";
  if (impact.only_old > 0) out += msg::diff_only_old(communities(impact.only_old)).str(lang) + "\n";
  if (impact.only_new > 0) out += msg::diff_only_new(communities(impact.only_new)).str(lang) + "\n";
  for (const CommunityImpact& c : impact.communities) {
    out += "\n" + c.key + "\n";
    std::size_t label_width = 0;
    std::size_t before_width = 0;
    std::size_t after_width = 0;
    std::size_t delta_width = 0;
    std::vector<std::pair<std::size_t, Cell>> lines;
    for (std::size_t k = 0; k < impact.outputs.size(); ++k) {
      if (!c.values[k].changed) continue;
      Cell cl = cell(impact.outputs[k], c.values[k], true, lang);
      label_width = std::max(label_width, utf8::display_width(msg::diff_output_label(output_name(impact.outputs[k], lang)).str(lang)));
      before_width = std::max(before_width, utf8::display_width(cl.before));
      after_width = std::max(after_width, utf8::display_width(cl.after));
      delta_width = std::max(delta_width, utf8::display_width(cl.delta));
      lines.emplace_back(k, std::move(cl));
    }
    const std::vector<std::size_t>* previous = nullptr;  // the causes of the line above
    for (const auto& [k, cl] : lines) {
      // Values right-aligned, so that the digits of scores and amounts line up.
      const std::string label = msg::diff_output_label(output_name(impact.outputs[k], lang)).str(lang);
      std::string line = "  " + pad(label, label_width) + "  " + pad_left(cl.before, before_width) + std::string(kArrow) +
                         pad_left(cl.after, after_width);
      if (delta_width > 0) line += "  " + pad_left(cl.delta, delta_width);
      const std::vector<std::size_t>& causes = c.values[k].causes;
      const bool as_above = previous != nullptr && *previous == causes;
      if (!causes.empty()) {
        line += (as_above ? msg::diff_as_above() : msg::diff_causes(causes_text(diff, causes, lang))).str(lang);
        previous = &causes;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  if (!impact.moves.empty()) {
    out += "\n" + msg::diff_moves_heading().str(lang) + "\n";
    std::size_t width = 0;
    for (const LabelMoves& m : impact.moves) width = std::max(width, utf8::display_width(m.name));
    for (const LabelMoves& m : impact.moves) {
      const bool grade = m.kind == OutputKind::kGrade;
      out += "  " + pad(m.name, width) + "  " + (grade ? msg::diff_moves_grade : msg::diff_moves_alert)(m.up, m.down).str(lang);
      if (m.other > 0) out += msg::diff_moves_other(m.other).str(lang);
      out += msg::diff_moves_unchanged(m.unchanged).str(lang) + "\n";
    }
  }
  if (!impact.money.empty()) {
    out += "\n" + msg::diff_money_heading().str(lang) + "\n";
    std::size_t name_width = 0;
    std::size_t moved_width = 0;
    std::size_t old_width = 0;
    for (const MoneyMoved& m : impact.money) {
      name_width = std::max(name_width, utf8::display_width(m.name));
      moved_width = std::max(moved_width, utf8::display_width(moved_yuan(m.abs_changes, true)));
      old_width = std::max(old_width, utf8::display_width(yuan(m.old_total)));
    }
    for (const MoneyMoved& m : impact.money) {
      out += "  " + pad(m.name, name_width) + "  " +
             msg::diff_money_line(pad_left(moved_yuan(m.abs_changes, true), moved_width), pad_left(yuan(m.old_total), old_width),
                                  yuan(m.new_total))
                 .str(lang) +
             "\n";
    }
  }
  return out;
}

std::string format_impact_csv(const PolicyDiff& diff, const Impact& impact) {
  // A document for Chinese readers, like the results of `eval`: Chinese whatever the run's language.
  constexpr Lang kCsv = Lang::kZh;
  std::string out;
  append_csv_field(out, impact.key_name.empty() ? msg::diff_csv_key().str(kCsv) : impact.key_name);
  for (const ComparedOutput& o : impact.outputs) {
    const std::string name = output_name(o, kCsv);
    for (const Message& header : {msg::diff_csv_old(name), msg::diff_csv_new(name)}) {
      out += ",";
      append_csv_field(out, header.str(kCsv));
    }
    if (o.kind == OutputKind::kScore || o.kind == OutputKind::kMoney) {
      out += ",";
      append_csv_field(out, msg::diff_csv_delta(name).str(kCsv));
    }
  }
  out += ",";
  append_csv_field(out, msg::diff_csv_rules().str(kCsv));
  out += "\n";
  for (const CommunityImpact& c : impact.communities) {
    append_csv_field(out, c.key);
    for (std::size_t k = 0; k < impact.outputs.size(); ++k) {
      const Cell cl = cell(impact.outputs[k], c.values[k], false, kCsv);
      out += ",";
      append_csv_field(out, cl.before);
      out += ",";
      append_csv_field(out, cl.after);
      if (impact.outputs[k].kind == OutputKind::kScore || impact.outputs[k].kind == OutputKind::kMoney) {
        out += ",";
        append_csv_field(out, cl.delta.front() == '+' ? cl.delta.substr(1) : cl.delta);
      }
    }
    out += ",";
    append_csv_field(out, causes_text(diff, all_causes(c), kCsv));
    out += "\n";
  }
  return out;
}

std::string format_impact_json(const PolicyDiff& diff, const DiffLabels& labels, const Impact& impact) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("version");
  w.integer(1);
  json_labels(w, labels);
  w.key("equal");
  w.boolean(diff.equal());
  json_changes(out, w, diff);
  w.key("impact");
  w.begin_object();
  w.key("data");
  w.string(impact.data_path);
  w.key("period");
  if (impact.period.empty()) {
    w.null();
  } else {
    w.string(impact.period);
  }
  w.key("compared");
  w.integer(static_cast<std::int64_t>(impact.compared));
  w.key("changed");
  w.integer(static_cast<std::int64_t>(impact.communities.size()));
  w.key("only_old");
  w.integer(static_cast<std::int64_t>(impact.only_old));
  w.key("only_new");
  w.integer(static_cast<std::int64_t>(impact.only_new));
  w.key("communities");
  w.begin_array();
  for (const CommunityImpact& c : impact.communities) {
    out += &c == &impact.communities.front() ? "\n" : ",\n";
    JsonWriter cw(out);  // one line per community
    cw.begin_object();
    cw.key("key");
    cw.string(c.key);
    cw.key("changes");
    cw.begin_array();
    for (std::size_t k = 0; k < impact.outputs.size(); ++k) {
      const OutputValue& v = c.values[k];
      if (!v.changed) continue;
      const ComparedOutput& o = impact.outputs[k];
      const Cell cl = cell(o, v, false, Lang::kEn);  // numbers and labels only
      cw.begin_object();
      cw.key("output");
      cw.string(o.name);
      cw.key("kind");
      cw.string(output_kind_name(o.kind));
      if (o.kind == OutputKind::kVetoes) {
        for (const auto& [key, text] : {std::pair{"old", &v.before_text}, std::pair{"new", &v.after_text}}) {
          cw.key(key);
          cw.begin_array();
          std::size_t start = 0;
          while (!text->empty() && start <= text->size()) {
            const std::size_t semi = std::min(text->find(';', start), text->size());
            cw.string(text->substr(start, semi - start));
            start = semi + 1;
          }
          cw.end_array();
        }
      } else if (o.kind == OutputKind::kScore || o.kind == OutputKind::kMoney) {
        cw.key("old");
        cw.number_text(cl.before);
        cw.key("new");
        cw.number_text(cl.after);
        cw.key("delta");
        cw.number_text(cl.delta.front() == '+' ? cl.delta.substr(1) : cl.delta);
      } else {
        cw.key("old");
        cw.string(cl.before);
        cw.key("new");
        cw.string(cl.after);
      }
      cw.key("causes");
      cw.begin_array();
      for (const std::size_t i : v.causes) cw.integer(static_cast<std::int64_t>(i));
      cw.end_array();
      cw.end_object();
    }
    cw.end_array();
    cw.end_object();
  }
  if (!impact.communities.empty()) out += "\n";
  w.end_array();
  w.key("moves");
  w.begin_array();
  for (const LabelMoves& m : impact.moves) {
    w.begin_object();
    w.key("name");
    w.string(m.name);
    w.key("kind");
    w.string(output_kind_name(m.kind));
    w.key("up");
    w.integer(static_cast<std::int64_t>(m.up));
    w.key("down");
    w.integer(static_cast<std::int64_t>(m.down));
    w.key("other");
    w.integer(static_cast<std::int64_t>(m.other));
    w.key("unchanged");
    w.integer(static_cast<std::int64_t>(m.unchanged));
    w.end_object();
  }
  w.end_array();
  w.key("money");
  w.begin_array();
  for (const MoneyMoved& m : impact.money) {
    w.begin_object();
    w.key("name");
    w.string(m.name);
    w.key("old");
    w.number_text(decimal::format_yuan(m.old_total));
    w.key("new");
    w.number_text(decimal::format_yuan(m.new_total));
    w.key("moved");
    w.number_text(moved_yuan(m.abs_changes, false));
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.end_object();
  out += "\n";
  return out;
}

}  // namespace jixiao::engine
