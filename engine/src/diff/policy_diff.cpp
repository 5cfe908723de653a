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
#include "patch.hpp"

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
  ExprId old_coef;     ///< the two tables
  ExprId new_coef;
  std::string label;   ///< the entry's label, `else` for the otherwise
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
    at_ = {a, b};
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
    const auto [ida, idb] = at_;
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
        edits_.push_back({"", label + " " + value, ida, idb, label});
      } else if (it->second != value) {
        edits_.push_back({label + " " + it->second, label + " " + value, ida, idb, label});
      }
    }
    for (const auto& [label, value] : olds) {
      if (find(news, label) == news.end()) edits_.push_back({label + " " + value, "", ida, idb, label});
    }
    return true;
  }

  const ast::Module& ma_;
  const ast::Module& mb_;
  std::vector<CoefEdit>& edits_;
  std::pair<ExprId, ExprId> at_;  ///< the expressions node() compares
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
  using Apply = std::function<void(ChangePatch&)>;
  using Slot = std::function<ExprId&(ast::Module&)>;  ///< where an expression is in a module like the old one

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

  // A change when the texts differ, made alone by `apply`.
  void changed(const std::string& section, const std::string& aspect, const std::string& target, const std::string& before,
               const std::string& after, const Names& olds, const Names& news, Apply apply = {}) {
    if (before != after) add(section, ChangeKind::kChanged, aspect, target, before, after, olds, news).apply = std::move(apply);
  }

  // Two formulas: nothing when their canonical texts are equal; one `coef` change per differing
  // entry when only coef tables differ; otherwise one change of `aspect`.
  void formula(const std::string& section, const std::string& aspect, const std::string& target, ExprId a, ExprId b,
               const Names& olds, const Names& news, const Slot& slot) {
    const std::string ta = expr_text(om_, a);
    const std::string tb = expr_text(nm_, b);
    if (ta == tb) return;
    std::vector<CoefEdit> edits;
    CoefCompare compare(om_, nm_, edits);
    if (compare.same_but_coef(a, b) && !edits.empty()) {
      for (const CoefEdit& e : edits) {
        // On a copy of the formula: a segment's tree shares its formulas with the other segments'.
        add(section, ChangeKind::kChanged, "coef", target, e.before, e.after, olds, news).apply = [slot, e](ChangePatch& p) {
          ExprId table = e.old_coef;
          const ExprId formula = p.own(slot(p.module), table);
          slot(p.module) = formula;
          p.coef(table, e.new_coef, e.label);
        };
      }
      return;
    }
    add(section, ChangeKind::kChanged, aspect, target, ta, tb, olds, news).apply = replace(slot, b);
  }

  static Apply coef_apply(const CoefEdit& e) {
    return [e](ChangePatch& p) { p.coef(e.old_coef, e.new_coef, e.label); };
  }

  // Puts a copy of the new policy's expression `b` where `slot` is.
  static Apply replace(Slot slot, ExprId b) {
    return [slot = std::move(slot), b](ChangePatch& p) {
      const ExprId copy = p.copy(b);
      slot(p.module) = copy;
    };
  }

  template <class T>
  static std::size_t index_of(const std::vector<T>& all, const T& one) {
    return static_cast<std::size_t>(&one - all.data());
  }

  // The declaration named `name` in `all`, when there is one.
  template <class T>
  static T* named(std::vector<T>& all, const std::string& name) {
    const auto it = std::find_if(all.begin(), all.end(), [&](const T& d) { return d.name.name == name; });
    return it == all.end() ? nullptr : &*it;
  }

  // Adds (a copy of the new policy's) or removes declaration `name` of one list, made alone.
  template <class T, class Copy>
  static Apply add_decl(std::vector<T> ast::Module::*list, std::size_t new_index, Copy copy_exprs) {
    return [list, new_index, copy_exprs](ChangePatch& p) {
      T d = (p.from.*list)[new_index];
      copy_exprs(p, d);
      (p.module.*list).push_back(std::move(d));
    };
  }
  template <class T>
  static Apply remove_decl(std::vector<T> ast::Module::*list, std::string name) {
    return [list, name](ChangePatch& p) {
      std::erase_if(p.module.*list, [&](const T& d) { return d.name.name == name; });
    };
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
            all_indicators(o_), all_indicators(n_), [](ChangePatch& p) { p.module.precision = p.from.precision; });
    // A roll-up decides what a row is (a year of quarters): every value may change with it.
    changed("policy", "rollup", "rollup", om_.rollup ? dsl::rollup_text(om_, *om_.rollup) : "",
            nm_.rollup ? dsl::rollup_text(nm_, *nm_.rollup) : "", all_symbols(o_), all_symbols(n_));
    // A segment's condition decides which rows its trees score.
    for (const ast::SegmentDecl& o : om_.segments) {
      for (const ast::SegmentDecl& n : nm_.segments) {
        if (o.name.name == n.name.name) {
          const std::size_t at = index_of(om_.segments, o);
          changed("policy", "when", o.name.name, expr_text(om_, o.when), expr_text(nm_, n.when), all_indicators(o_), all_indicators(n_),
                  replace([at](ast::Module& m) -> ExprId& { return m.segments[at].when; }, n.when));
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

  // The new value of a param (or of one entry of a table) made alone: as a `--param` override,
  // the new policy's value whether it is written or itself an override.
  static Apply override_param(std::string name, TypeKind kind, std::int64_t number, std::string text, bool boolean) {
    std::string value = kind == TypeKind::kText ? std::move(text) : scalar_text(kind, number, "", boolean);
    return [name = std::move(name), value = std::move(value)](ChangePatch& p) { p.override_param(name, value); };
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
                const std::string entry = n.name.name + "." + key;
                RuleChange& c = add("params", ChangeKind::kChanged, "value", entry, before, text(nv, value), olds, news);
                if (ov.type.value == nv.type.value) c.apply = override_param(entry, nv.type.value, value, "", false);
              }
            }
            for (const auto& [key, value] : ov.table) {
              if (!nv.table.count(key)) add("params", ChangeKind::kChanged, "value", n.name.name + "." + key, text(ov, value), "", olds, news);
            }
            return;
          }
          if (ov.type.kind == TypeKind::kTable || nv.type.kind == TypeKind::kTable || !same_scalar(ov, nv)) {
            RuleChange& c = add("params", ChangeKind::kChanged, "value", n.name.name, param_text(o_, o), param_text(n_, n), olds, news);
            if (ov.type.kind == nv.type.kind && nv.type.kind != TypeKind::kTable) {
              c.apply = override_param(n.name.name, nv.type.kind, nv.number, nv.text, nv.boolean);
            }
          }
        },
        [&](const ast::ParamDecl& n) {
          add("params", ChangeKind::kAdded, "param", n.name.name, "", expr_text(nm_, n.value), {}, {n.name.name}).apply =
              add_decl(&ast::Module::params, index_of(nm_.params, n), [](ChangePatch& p, ast::ParamDecl& d) { d.value = p.copy(d.value); });
        },
        [&](const ast::ParamDecl& o) {
          add("params", ChangeKind::kRemoved, "param", o.name.name, expr_text(om_, o.value), "", {o.name.name}, {}).apply =
              remove_decl(&ast::Module::params, o.name.name);
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
            const std::size_t at = index_of(om_.sets, o);
            add("sets", ChangeKind::kChanged, "items", n.name.name, expr_text(om_, o.value), expr_text(nm_, n.value),
                {o.name.name}, {n.name.name})
                .apply = replace([at](ast::Module& m) -> ExprId& { return m.sets[at].value; }, n.value);
          }
        },
        [&](const ast::SetDecl& n) {
          add("sets", ChangeKind::kAdded, "set", n.name.name, "", expr_text(nm_, n.value), {}, {n.name.name}).apply =
              add_decl(&ast::Module::sets, index_of(nm_.sets, n), [](ChangePatch& p, ast::SetDecl& d) { d.value = p.copy(d.value); });
        },
        [&](const ast::SetDecl& o) {
          add("sets", ChangeKind::kRemoved, "set", o.name.name, expr_text(om_, o.value), "", {o.name.name}, {}).apply =
              remove_decl(&ast::Module::sets, o.name.name);
        });
  }

  void lets() {
    match_by_name(
        om_.lets, nm_.lets, [](const ast::LetDecl& d) { return d.name.name; },
        [&](const ast::LetDecl& o, const ast::LetDecl& n) {
          const std::size_t at = index_of(om_.lets, o);
          formula("lets", "formula", n.name.name, o.value, n.value, {o.name.name}, {n.name.name},
                  [at](ast::Module& m) -> ExprId& { return m.lets[at].value; });
        },
        [&](const ast::LetDecl& n) {
          add("lets", ChangeKind::kAdded, "let", n.name.name, "", expr_text(nm_, n.value), {}, {n.name.name}).apply =
              add_decl(&ast::Module::lets, index_of(nm_.lets, n), [](ChangePatch& p, ast::LetDecl& d) { d.value = p.copy(d.value); });
        },
        [&](const ast::LetDecl& o) {
          add("lets", ChangeKind::kRemoved, "let", o.name.name, expr_text(om_, o.value), "", {o.name.name}, {}).apply =
              remove_decl(&ast::Module::lets, o.name.name);
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

  // Deduction or bonus `name` of node `oi` made as node `ni` of the new policy has it: changed,
  // added or removed.
  static Apply adjust(std::uint32_t oi, std::uint32_t ni, std::string name) {
    return [oi, ni, name = std::move(name)](ChangePatch& p) {
      const auto is = [&](const ast::Adjust& a) { return a.name.name == name; };
      const auto& news = p.from.nodes[ni].adjusts;
      const auto b = std::find_if(news.begin(), news.end(), is);
      std::optional<ast::Adjust> made;
      if (b != news.end()) {
        made = *b;
        for (ExprId* e : {&made->amount, &made->per, &made->when, &made->max}) *e = p.copy(*e);
      }
      std::vector<ast::Adjust>& adjusts = p.module.nodes[oi].adjusts;
      const auto a = std::find_if(adjusts.begin(), adjusts.end(), is);
      if (!made) {
        adjusts.erase(a);
      } else if (a != adjusts.end()) {
        *a = std::move(*made);
      } else {
        adjusts.push_back(std::move(*made));
      }
    };
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
    // A node's weight, or a root's full marks, made alone.
    const Apply weight = [oi, ni](ChangePatch& p) { p.module.nodes[oi].weight = p.from.nodes[ni].weight; };
    if (weight_changed) {
      RuleChange& c = add("indicators", ChangeKind::kChanged, "weight", path, ow, nw, weight_reach(o_, oi), weight_reach(n_, ni));
      c.apply = weight;
      c.unit = "weights " + parent_path(path);  // the shares of siblings are only changed together
    }
    const std::int64_t of = o_.nodes[oi].full;
    const std::int64_t nf = n_.nodes[ni].full;
    // Full marks that a changed weight states itself (`40%` of 100 points, `30分`) are not repeated.
    const bool stated = weight_changed && o.weight.raw == of && n.weight.raw == nf;
    if (of != nf && !stated) {
      RuleChange& c = add("indicators", ChangeKind::kChanged, "full marks", path, decimal::to_string(of), decimal::to_string(nf),
                          root ? subtree(o_, oi) : olds, root ? subtree(n_, ni) : news);
      c.derived = !root;  // a root's full marks are declared; others follow from the weights
      if (root) c.apply = weight;
    }
    const auto field = [oi](ExprId ast::IndicatorNode::*f) {
      return [oi, f](ast::Module& m) -> ExprId& { return m.nodes[oi].*f; };
    };
    if (o.children.empty() && n.children.empty()) {
      formula("indicators", "formula", path, o.formula, n.formula, olds, news, field(&ast::IndicatorNode::formula));
    } else if (o.children.empty() != n.children.empty()) {
      add("indicators", ChangeKind::kChanged, "formula", path,
          o.children.empty() ? expr_text(om_, o.formula) : canonical(msg::diff_sub_indicators()),
          n.children.empty() ? expr_text(nm_, n.formula) : canonical(msg::diff_sub_indicators()), olds, news);
    }
    changed("indicators", "missing", path, missing_text(o.missing), missing_text(n.missing), olds, news, [oi, ni](ChangePatch& p) {
      p.module.nodes[oi].missing = p.from.nodes[ni].missing;
      p.module.nodes[oi].missing_span = p.from.nodes[ni].missing_span;
    });
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
                path + "." + b.name.name, ta, tb, olds, news)
                .apply = adjust(oi, ni, b.name.name);
          }
        },
        [&](const ast::Adjust& b) {
          add("indicators", ChangeKind::kAdded, b.kind == ast::AdjustKind::kDeduct ? "deduct" : "bonus", path + "." + b.name.name, "",
              adjust_text(nm_, b), {}, news)
              .apply = adjust(oi, ni, b.name.name);
        },
        [&](const ast::Adjust& a) {
          add("indicators", ChangeKind::kRemoved, a.kind == ast::AdjustKind::kDeduct ? "deduct" : "bonus",
              path + "." + a.name.name, adjust_text(om_, a), "", olds, {})
              .apply = adjust(oi, ni, a.name.name);
        });
    formula("indicators", "deductions max", path, o.deductions_max, n.deductions_max, olds, news,
            field(&ast::IndicatorNode::deductions_max));
    formula("indicators", "bonuses max", path, o.bonuses_max, n.bonuses_max, olds, news, field(&ast::IndicatorNode::bonuses_max));
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
          const std::size_t at = index_of(om_.vetoes, o);
          const std::size_t nat = index_of(nm_.vetoes, n);
          formula("vetoes", "condition", n.name.name, o.when, n.when, olds, news,
                  [at](ast::Module& m) -> ExprId& { return m.vetoes[at].when; });
          Names oe = effects(o_, o);
          Names ne = effects(n_, n);
          Names os = oe;
          Names ns = ne;
          std::sort(os.begin(), os.end());
          std::sort(ns.begin(), ns.end());
          if (os != ns) {
            add("vetoes", ChangeKind::kChanged, "effects", n.name.name, join(oe, "; "), join(ne, "; "), olds, news).apply =
                [at, nat](ChangePatch& p) { p.module.vetoes[at].effects = p.from.vetoes[nat].effects; };
          }
          const std::string orr = o.reason ? dsl::quote_text(*o.reason) : "";
          const std::string nr = n.reason ? dsl::quote_text(*n.reason) : "";
          if (orr != nr) add("vetoes", ChangeKind::kChanged, "reason", n.name.name, orr, nr, olds, news).cosmetic = true;
        },
        [&](const ast::VetoDecl& n) {
          add("vetoes", ChangeKind::kAdded, "veto", n.name.name, "", veto_description(n_, n), {}, {n.name.name}).apply =
              add_decl(&ast::Module::vetoes, index_of(nm_.vetoes, n), [](ChangePatch& p, ast::VetoDecl& d) { d.when = p.copy(d.when); });
        },
        [&](const ast::VetoDecl& o) {
          add("vetoes", ChangeKind::kRemoved, "veto", o.name.name, veto_description(o_, o), "", {o.name.name}, {}).apply =
              remove_decl(&ast::Module::vetoes, o.name.name);
        });
  }

  static std::string band_section(const ast::BandDecl& d) { return d.kind == ast::BandKind::kGrade ? "grades" : "alerts"; }

  std::string bands_description(const ast::Module& m, const ast::BandDecl& d) {
    Names bands;
    for (const ast::Band& b : d.bands) bands.push_back(b.label.text + " " + interval_text(b));
    return "of " + expr_text(m, d.of) + " { " + join(bands, ", ") + " }";
  }

  // Band `label` of declaration `at` made as declaration `nat` of the new policy has it: its
  // interval changed, or the band added (where the new policy has it) or removed.
  static Apply band(std::size_t at, std::size_t nat, std::string label) {
    return [at, nat, label = std::move(label)](ChangePatch& p) {
      const auto is = [&](const ast::Band& b) { return b.label.text == label; };
      std::vector<ast::Band>& olds = p.module.bands[at].bands;
      const std::vector<ast::Band>& news = p.from.bands[nat].bands;
      const auto a = std::find_if(olds.begin(), olds.end(), is);
      const auto b = std::find_if(news.begin(), news.end(), is);
      if (b == news.end()) {
        olds.erase(a);
      } else if (a != olds.end()) {
        a->interval = b->interval;
        a->has_interval = b->has_interval;
      } else {
        olds.insert(olds.begin() + std::min(b - news.begin(), static_cast<std::ptrdiff_t>(olds.size())), *b);
      }
    };
  }

  void bands() {
    match_by_name(
        om_.bands, nm_.bands, [](const ast::BandDecl& d) { return d.name.name; },
        [&](const ast::BandDecl& o, const ast::BandDecl& n) {
          const std::string section = band_section(n);
          const std::string& name = n.name.name;
          const Names olds = {o.name.name};
          const Names news = {name};
          const std::size_t decl = index_of(om_.bands, o);
          const std::size_t new_decl = index_of(nm_.bands, n);
          if (o.kind != n.kind) {
            add(section, ChangeKind::kChanged, "kind", name, o.kind == ast::BandKind::kGrade ? "grade" : "alert",
                n.kind == ast::BandKind::kGrade ? "grade" : "alert", olds, news)
                .apply = [decl, new_decl](ChangePatch& p) { p.module.bands[decl].kind = p.from.bands[new_decl].kind; };
          }
          formula(section, "of", name, o.of, n.of, olds, news, [decl](ast::Module& m) -> ExprId& { return m.bands[decl].of; });
          // The intervals of one grade or alert tile what it bands, so they are only changed together.
          const std::string unit = "bands " + name;
          match_by_name(
              o.bands, n.bands, [](const ast::Band& b) { return b.label.text; },
              [&](const ast::Band& a, const ast::Band& b) {
                const std::string target = name + "." + b.label.text;
                if (interval_text(a) != interval_text(b)) {
                  RuleChange& c = add(section, ChangeKind::kChanged, "band", target, interval_text(a), interval_text(b), olds, news);
                  c.band = BandEdit{name, a.has_interval ? std::optional(a.interval) : std::nullopt,
                                    b.has_interval ? std::optional(b.interval) : std::nullopt};
                  c.apply = band(decl, new_decl, b.label.text);
                  c.unit = unit;
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
                c.apply = band(decl, new_decl, b.label.text);
                c.unit = unit;
              },
              [&](const ast::Band& a) {
                RuleChange& c = add(section, ChangeKind::kRemoved, "band", name + "." + a.label.text, band_description(a), "", olds, news);
                c.band = BandEdit{name, a.has_interval ? std::optional(a.interval) : std::nullopt, std::nullopt};
                c.apply = band(decl, new_decl, a.label.text);
                c.unit = unit;
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
              bands_description(nm_, n), {}, {n.name.name})
              .apply = add_decl(&ast::Module::bands, index_of(nm_.bands, n), [](ChangePatch& p, ast::BandDecl& d) { d.of = p.copy(d.of); });
        },
        [&](const ast::BandDecl& o) {
          add(band_section(o), ChangeKind::kRemoved, o.kind == ast::BandKind::kGrade ? "grade" : "alert", o.name.name,
              bands_description(om_, o), "", {o.name.name}, {})
              .apply = remove_decl(&ast::Module::bands, o.name.name);
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
          const std::size_t at = index_of(om_.funds, o);
          const std::size_t nat = index_of(nm_.funds, n);
          formula("funds", "pool", name, o.pool, n.pool, olds, news, [at](ast::Module& m) -> ExprId& { return m.funds[at].pool; });
          formula("funds", "per", name, o.per_group, n.per_group, olds, news,
                  [at](ast::Module& m) -> ExprId& { return m.funds[at].per_group; });
          changed("funds", "ties", name, ties_text(om_, o), ties_text(nm_, n), olds, news, [at, nat](ChangePatch& p) {
            std::vector<ast::TieKey> ties = p.from.funds[nat].ties;
            for (ast::TieKey& k : ties) k.key = p.copy(k.key);
            p.module.funds[at].ties = std::move(ties);
          });
          // The shares of a fund's tracks add up to 100%, so they (and its tracks) are only changed together.
          const std::string unit = "shares " + name;
          match_by_name(
              o.tracks, n.tracks, [](const ast::Track& t) { return t.name.name; },
              [&](const ast::Track& a, const ast::Track& b) {
                const std::string target = name + "." + b.name.name;
                const std::size_t ti = index_of(o.tracks, a);
                const std::size_t nti = index_of(n.tracks, b);
                if (dsl::unparse(a.share) != dsl::unparse(b.share)) {
                  RuleChange& c = add("funds", ChangeKind::kChanged, "share", target, dsl::unparse(a.share), dsl::unparse(b.share), olds, news);
                  c.apply = [at, ti, nat, nti](ChangePatch& p) { p.module.funds[at].tracks[ti].share = p.from.funds[nat].tracks[nti].share; };
                  c.unit = unit;
                }
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
                    for (const CoefEdit& e : edits) {
                      add("funds", ChangeKind::kChanged, "coef", target, e.before, e.after, olds, news).apply = coef_apply(e);
                    }
                  } else {
                    add("funds", ChangeKind::kChanged, "split", target, sa, sb, olds, news).apply = [at, ti, nat, nti](ChangePatch& p) {
                      const ast::Track& from = p.from.funds[nat].tracks[nti];
                      const ExprId by = p.copy(from.by);
                      const ExprId proportional = p.copy(from.proportional);
                      ast::Track& track = p.module.funds[at].tracks[ti];
                      track.mode = from.mode;
                      track.by = by;
                      track.top_raw = from.top_raw;
                      track.top_percent = from.top_percent;
                      track.top_base = from.top_base;
                      track.top_rounding = from.top_rounding;
                      track.proportional = proportional;
                    };
                  }
                }
                formula("funds", "when", target, a.when, b.when, olds, news,
                        [at, ti](ast::Module& m) -> ExprId& { return m.funds[at].tracks[ti].when; });
              },
              [&](const ast::Track& b) {
                RuleChange& c = add("funds", ChangeKind::kAdded, "track", name + "." + b.name.name, "", track_description(nm_, b), olds, news);
                c.apply = [at, nat, nti = index_of(n.tracks, b)](ChangePatch& p) {
                  ast::Track track = p.from.funds[nat].tracks[nti];
                  for (ExprId* e : {&track.by, &track.proportional, &track.when}) *e = p.copy(*e);
                  p.module.funds[at].tracks.push_back(std::move(track));
                };
                c.unit = unit;
              },
              [&](const ast::Track& a) {
                RuleChange& c = add("funds", ChangeKind::kRemoved, "track", name + "." + a.name.name, track_description(om_, a), "", olds, news);
                c.apply = [at, track = a.name.name](ChangePatch& p) {
                  std::erase_if(p.module.funds[at].tracks, [&](const ast::Track& t) { return t.name.name == track; });
                };
                c.unit = unit;
              });
        },
        [&](const ast::FundDecl& n) {
          add("funds", ChangeKind::kAdded, "fund", n.name.name, "", fund_description(nm_, n), {}, {n.name.name}).apply =
              add_decl(&ast::Module::funds, index_of(nm_.funds, n), [](ChangePatch& p, ast::FundDecl& d) {
                for (ExprId* e : {&d.pool, &d.per_group}) *e = p.copy(*e);
                for (ast::Track& track : d.tracks) {
                  for (ExprId* e : {&track.by, &track.proportional, &track.when}) *e = p.copy(*e);
                }
                for (ast::TieKey& k : d.ties) k.key = p.copy(k.key);
              });
        },
        [&](const ast::FundDecl& o) {
          add("funds", ChangeKind::kRemoved, "fund", o.name.name, fund_description(om_, o), "", {o.name.name}, {}).apply =
              remove_decl(&ast::Module::funds, o.name.name);
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
