// The policy diff: two merged policies compared declaration by declaration (things matched by name
// and path, formulas compared as canonical text).
#include <algorithm>
#include <map>
#include <set>

#include "canonical.hpp"
#include "common.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/message.hpp"
#include "jixiao/dsl/unparse.hpp"
#include "jixiao/engine/diff.hpp"

namespace jixiao::engine::diff_detail {

namespace {

std::size_t section_rank(const std::string& s) {
  static const Names order = {"policy", "inputs", "params", "sets", "lets", "indicators",
                              "vetoes", "grades", "alerts", "funds", "output"};
  return static_cast<std::size_t>(std::find(order.begin(), order.end(), s) - order.begin());
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
}  // namespace

}  // namespace jixiao::engine::diff_detail

namespace jixiao::engine {

bool PolicyDiff::equal() const {
  return std::all_of(changes.begin(), changes.end(), [](const RuleChange& c) { return c.derived; });
}

PolicyDiff diff_policies(const dsl::CheckedPolicy& old_policy, const dsl::CheckedPolicy& new_policy) {
  diff_detail::Differ d(old_policy, new_policy);
  return d.run();
}

}  // namespace jixiao::engine
