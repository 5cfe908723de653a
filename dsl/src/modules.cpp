// Linking: resolve `extends` and `import`, merge modules (re-basing expression and node ids), and
// apply a variant's `override`, `remove` and `add`, recording every change for --show-variant.
#include "jixiao/dsl/modules.hpp"

#include <algorithm>
#include <limits>
#include <map>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/decl_text.hpp"
#include "jixiao/dsl/edit_distance.hpp"
#include "jixiao/dsl/parse.hpp"
#include "jixiao/dsl/unparse.hpp"

namespace jixiao::dsl {
namespace {

using ast::ExprId;

// ---- re-basing ids when one module's arena is appended to another's ----

struct Offsets {
  std::uint32_t expr = 0;
  std::uint32_t node = 0;
  std::uint32_t order = 0;
};

void shift(ExprId& e, const Offsets& o) {
  if (ast::present(e)) e = ExprId{static_cast<std::uint32_t>(e) + o.expr};
}

void shift_expr(ast::Expr& x, const Offsets& o) {
  std::visit(
      [&](auto& n) {
        using N = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<N, ast::Unary>) {
          shift(n.operand, o);
        } else if constexpr (std::is_same_v<N, ast::Binary>) {
          shift(n.lhs, o);
          shift(n.rhs, o);
        } else if constexpr (std::is_same_v<N, ast::If>) {
          shift(n.cond, o);
          shift(n.then_expr, o);
          shift(n.else_expr, o);
        } else if constexpr (std::is_same_v<N, ast::Call>) {
          for (auto& a : n.args) shift(a, o);
          for (auto& a : n.named) shift(a.value, o);
        } else if constexpr (std::is_same_v<N, ast::Pair>) {
          shift(n.from, o);
          shift(n.to, o);
        } else if constexpr (std::is_same_v<N, ast::SetLit>) {
          for (auto& i : n.items) shift(i, o);
        } else if constexpr (std::is_same_v<N, ast::TableLit>) {
          for (auto& e : n.entries) shift(e.value, o);
        } else if constexpr (std::is_same_v<N, ast::Coef>) {
          shift(n.subject, o);
          for (auto& e : n.entries) shift(e.value, o);
          shift(n.otherwise, o);
        } else if constexpr (std::is_same_v<N, ast::Bands>) {
          shift(n.subject, o);
          for (auto& e : n.entries) shift(e.value, o);
        }
      },
      x);
}

void shift_node(ast::IndicatorNode& n, const Offsets& o) {
  shift(n.formula, o);
  shift(n.deductions_max, o);
  shift(n.bonuses_max, o);
  for (auto& a : n.adjusts) {
    shift(a.amount, o);
    shift(a.per, o);
    shift(a.when, o);
    shift(a.max, o);
  }
  for (auto& c : n.children) c += o.node;
  if (n.parent != ast::IndicatorNode::kNoNode) n.parent += o.node;
  n.order += o.order;
}

// Appends `from`'s expressions and nodes to `into`, re-basing every id in `from` (which is then
// ready to have its declarations moved into `into`).
Offsets append_arenas(ast::Module& into, ast::Module& from) {
  Offsets o;
  o.expr = static_cast<std::uint32_t>(into.exprs.size());
  o.node = static_cast<std::uint32_t>(into.nodes.size());
  std::uint32_t max_order = 0;
  for (const auto& n : into.nodes) max_order = std::max(max_order, n.order + 1);
  for (const auto& d : into.inputs) max_order = std::max(max_order, d.order + 1);
  for (const auto& d : into.params) max_order = std::max(max_order, d.order + 1);
  for (const auto& d : into.sets) max_order = std::max(max_order, d.order + 1);
  for (const auto& d : into.lets) max_order = std::max(max_order, d.order + 1);
  for (const auto& d : into.vetoes) max_order = std::max(max_order, d.order + 1);
  for (const auto& d : into.bands) max_order = std::max(max_order, d.order + 1);
  for (const auto& d : into.funds) max_order = std::max(max_order, d.order + 1);
  o.order = max_order;
  for (auto& x : from.exprs) shift_expr(x, o);
  into.exprs.insert(into.exprs.end(), from.exprs.begin(), from.exprs.end());
  into.expr_spans.insert(into.expr_spans.end(), from.expr_spans.begin(), from.expr_spans.end());
  for (auto& n : from.nodes) shift_node(n, o);
  into.nodes.insert(into.nodes.end(), from.nodes.begin(), from.nodes.end());
  for (auto& r : from.roots) r += o.node;
  if (from.rollup) {
    shift(from.rollup->parts, o);
    for (auto& g : from.rollup->groups) shift(g, o);
  }
  for (auto& d : from.inputs) d.order += o.order;
  for (auto& d : from.params) {
    shift(d.value, o);
    d.order += o.order;
  }
  for (auto& d : from.sets) {
    shift(d.value, o);
    d.order += o.order;
  }
  for (auto& d : from.lets) {
    shift(d.value, o);
    d.order += o.order;
  }
  for (auto& v : from.vetoes) {
    shift(v.when, o);
    v.order += o.order;
  }
  for (auto& b : from.bands) {
    shift(b.of, o);
    b.order += o.order;
  }
  for (auto& f : from.funds) {
    shift(f.pool, o);
    shift(f.per_group, o);
    for (auto& t : f.tracks) {
      shift(t.by, o);
      shift(t.proportional, o);
      shift(t.when, o);
    }
    for (auto& k : f.ties) shift(k.key, o);
    f.order += o.order;
  }
  if (from.output) {
    for (auto& e : from.output->items) shift(e, o);
  }
  for (auto& ov : from.overrides) {
    shift(ov.formula, o);
    for (auto& e : ov.coef_entries) shift(e.value, o);
    shift(ov.coef_else, o);
  }
  for (auto& a : from.adds) a.holder += o.node;
  for (auto& seg : from.segments) {
    shift(seg.when, o);
    for (auto& ov : seg.overrides) {
      shift(ov.formula, o);
      for (auto& e : ov.coef_entries) shift(e.value, o);
      shift(ov.coef_else, o);
    }
    for (auto& a : seg.adds) a.holder += o.node;
  }
  return o;
}

// ---- what a path names in a merged module ----

struct Target {
  enum class Kind { kNone, kNode, kBand, kTrack, kInput, kParam, kSet, kLet, kVeto, kBandDecl, kFund, kAdjust };
  Kind kind = Kind::kNone;
  std::uint32_t a = 0;  ///< node / decl index
  std::uint32_t b = 0;  ///< band / track / adjust index
  std::string resolved;     ///< the longest prefix that exists, for the "not in the base" note
  Span resolved_span;
  std::vector<std::string> options;  ///< names available below `resolved`
};

std::string kind_word(Target::Kind k) {
  switch (k) {
    case Target::Kind::kNode: return "indicator";
    case Target::Kind::kBand: return "band";
    case Target::Kind::kTrack: return "track";
    case Target::Kind::kInput: return "input";
    case Target::Kind::kParam: return "param";
    case Target::Kind::kSet: return "set";
    case Target::Kind::kLet: return "let";
    case Target::Kind::kVeto: return "veto";
    case Target::Kind::kBandDecl: return "grade or alert";
    case Target::Kind::kFund: return "fund";
    case Target::Kind::kAdjust: return "deduction or bonus";
    case Target::Kind::kNone: return "nothing";
  }
  return "";
}

// What a path of kind `k` names, for messages ("`x` is an input").
Message kind_message(Target::Kind k) {
  switch (k) {
    case Target::Kind::kNode: return msg::mod_kind_indicator();
    case Target::Kind::kBand: return msg::mod_kind_band();
    case Target::Kind::kTrack: return msg::mod_kind_track();
    case Target::Kind::kInput: return msg::mod_kind_input();
    case Target::Kind::kParam: return msg::mod_kind_param();
    case Target::Kind::kSet: return msg::mod_kind_set();
    case Target::Kind::kLet: return msg::mod_kind_let();
    case Target::Kind::kVeto: return msg::mod_kind_veto();
    case Target::Kind::kBandDecl: return msg::mod_kind_grade_or_alert();
    case Target::Kind::kFund: return msg::mod_kind_fund();
    case Target::Kind::kAdjust: return msg::mod_kind_adjust();
    case Target::Kind::kNone: break;
  }
  return msg::mod_kind_nothing();
}

// The declaration word of add_or_reject ("input", "indicator", ...) as a message.
Message decl_message(std::string_view what) {
  if (what == "input") return msg::mod_decl_input();
  if (what == "veto") return msg::mod_decl_veto();
  if (what == "grade or alert") return msg::mod_decl_grade_or_alert();
  if (what == "fund") return msg::mod_decl_fund();
  return msg::mod_decl_indicator();
}

// `segment`: when the path is edited by a segment, a deduction or bonus named alone is looked for in
// that segment's trees only.
Target find_target(const ast::Module& m, const ast::NameRef& ref, std::uint32_t segment) {
  Target t;
  const std::string& first = ref.parts.front().name;
  using K = Target::Kind;
  auto single = [&](K kind, std::uint32_t index, Span span) {
    if (ref.parts.size() == 1) {
      t.kind = kind;
      t.a = index;
    }
    t.resolved = first;
    t.resolved_span = span;
  };
  for (const std::uint32_t r : m.roots) {
    if (m.nodes[r].name.name != first) continue;
    std::uint32_t at = r;
    t.resolved = first;
    t.resolved_span = m.nodes[r].name.span;
    for (std::size_t i = 1; i < ref.parts.size(); ++i) {
      bool found = false;
      for (const std::uint32_t c : m.nodes[at].children) {
        if (m.nodes[c].name.name == ref.parts[i].name) {
          at = c;
          found = true;
          break;
        }
      }
      if (!found) {
        // The last part may name a deduction or bonus of the node: `总分.投诉扣分`.
        const auto& adjusts = m.nodes[at].adjusts;
        if (i + 1 == ref.parts.size()) {
          for (std::uint32_t k = 0; k < adjusts.size(); ++k) {
            if (adjusts[k].name.name == ref.parts[i].name) {
              return Target{K::kAdjust, at, k, t.resolved + "." + ref.parts[i].name, adjusts[k].name.span, {}};
            }
          }
        }
        for (const std::uint32_t c : m.nodes[at].children) t.options.push_back(m.nodes[c].name.name);
        for (const auto& adj : adjusts) t.options.push_back(adj.name.name);
        return t;
      }
      t.resolved += "." + ref.parts[i].name;
      t.resolved_span = m.nodes[at].name.span;
    }
    t.kind = K::kNode;
    t.a = at;
    return t;
  }
  for (std::uint32_t i = 0; i < m.bands.size(); ++i) {
    if (m.bands[i].name.name != first) continue;
    single(K::kBandDecl, i, m.bands[i].name.span);
    if (ref.parts.size() == 2) {
      for (std::uint32_t k = 0; k < m.bands[i].bands.size(); ++k) {
        if (m.bands[i].bands[k].label.text == ref.parts[1].name) return Target{K::kBand, i, k, {}, {}, {}};
      }
    }
    for (const auto& b : m.bands[i].bands) t.options.push_back(b.label.text);
    return t;
  }
  for (std::uint32_t i = 0; i < m.funds.size(); ++i) {
    if (m.funds[i].name.name != first) continue;
    single(K::kFund, i, m.funds[i].name.span);
    if (ref.parts.size() == 2) {
      for (std::uint32_t k = 0; k < m.funds[i].tracks.size(); ++k) {
        if (m.funds[i].tracks[k].name.name == ref.parts[1].name) return Target{K::kTrack, i, k, {}, {}, {}};
      }
    }
    for (const auto& tr : m.funds[i].tracks) t.options.push_back(tr.name.name);
    return t;
  }
  auto search = [&](const auto& decls, K kind) {
    for (std::uint32_t i = 0; i < decls.size(); ++i) {
      if (decls[i].name.name == first) {
        single(kind, i, decls[i].name.span);
        return true;
      }
    }
    return false;
  };
  if (search(m.inputs, K::kInput) || search(m.params, K::kParam) || search(m.sets, K::kSet) ||
      search(m.lets, K::kLet) || search(m.vetoes, K::kVeto)) {
    return t;
  }
  if (ref.parts.size() == 1) {
    for (std::uint32_t n = 0; n < m.nodes.size(); ++n) {
      if (m.nodes[n].detached || (segment != ast::IndicatorNode::kNoNode && m.nodes[n].segment != segment)) continue;
      for (std::uint32_t k = 0; k < m.nodes[n].adjusts.size(); ++k) {
        if (m.nodes[n].adjusts[k].name.name == first) return Target{K::kAdjust, n, k, first, {}, {}};
      }
    }
  }
  return t;
}

std::string band_text(const ast::Band& b) { return dsl::band_text(b, kInfinity, "(no interval)"); }


std::string subject_text(const ast::SubjectDecl& s) {
  std::string out = s.subject.name + " key " + s.key.name;
  if (s.period) out += " period " + s.period->name;
  return out;
}

// ---- the linker ----

class Linker {
 public:
  Linker(SourceSet& sources, ModuleResolver& resolver, DiagnosticSink& sink)
      : sources_(sources), resolver_(resolver), sink_(sink) {}

  std::optional<LinkedPolicy> run(SourceId top, const std::string& key) {
    LinkedPolicy out;
    auto module = load(top, key, out.files);
    if (!module || sink_.error_count() > errors_at_start_) return std::nullopt;
    out.module = std::move(*module);
    out.changes = std::move(top_changes_);
    out.base = top_base_;
    return out;
  }

  void set_errors_at_start(std::size_t n) { errors_at_start_ = n; }

 private:
  std::string_view text(Span s) const {
    if (!s.valid()) return {};
    return sources_.get(s.source).text().substr(s.begin, s.end - s.begin);
  }

  void error(DiagCode code, Span at, Message message, std::optional<Message> hint = {},
             std::optional<Note> note = std::nullopt) {
    Diagnostic d = diagnose(code, at, std::move(message), std::move(hint));
    if (note) d.notes.push_back(std::move(*note));
    sink_.report(std::move(d));
  }

  // Parses and links the file `id`; `files` collects the closure's display paths.
  std::optional<ast::Module> load(SourceId id, const std::string& key, std::vector<std::string>& files) {
    files.push_back(sources_.get(id).path());
    stack_.push_back(key);
    shown_.push_back(sources_.get(id).path());
    auto module = parse(sources_, id, sink_);
    if (!module) {
      stack_.pop_back();
      shown_.pop_back();
      return std::nullopt;
    }
    const bool top = stack_.size() == 1;
    std::map<std::string, const ast::ImportDecl*> imported;  // each name imported so far, by its import
    for (const ast::ImportDecl& imp : module->imports) import(*module, imp, key, files, imported);
    std::optional<ast::Module> result;
    std::vector<VariantChange> changes;
    // Where each imported name is imported, to list its change at the `import` line.
    std::map<std::string, std::uint32_t> import_at;
    for (const ast::ImportDecl& imp : module->imports) {
      for (const ast::Ident& n : imp.names) import_at.emplace(n.name, imp.span.begin);
    }
    const SourceId own = id;
    if (module->policy && module->policy->extends) {
      const std::string name = *module->policy->extends;  // a copy: the module is moved below
      auto base = open(name, key, module->policy->extends_span, files);
      if (!base) {
        stack_.pop_back();
        shown_.pop_back();
        return std::nullopt;
      }
      base_name_ = name;
      result = merge(std::move(*base), std::move(*module), changes);
      if (top) top_base_ = name;
    } else {
      base_name_.clear();
      result = std::move(*module);
      apply_edits(*result, changes);
    }
    if (top) apply_segments(*result, changes);
    // Report changes in the order the variant writes them; an imported declaration where its
    // `import` is written (in the imported file's order when one import brings several).
    const auto position = [&](const VariantChange& c) -> std::pair<std::uint32_t, std::uint32_t> {
      if (c.where.source == own) return {c.where.begin, 0};
      const auto at = import_at.find(c.target);
      return {at == import_at.end() ? std::numeric_limits<std::uint32_t>::max() : at->second, c.where.begin + 1};
    };
    std::stable_sort(changes.begin(), changes.end(), [&](const VariantChange& a, const VariantChange& b) {
      return position(a) < position(b);
    });
    if (top) top_changes_ = std::move(changes);
    stack_.pop_back();
    shown_.pop_back();
    return result;
  }

  // Resolves and loads a module named in the file `from_key` at `where`.
  std::optional<ast::Module> open(const std::string& name, const std::string& from_key, Span where,
                                  std::vector<std::string>& files) {
    auto r = resolver_.resolve(name, from_key);
    if (auto* f = std::get_if<ResolveFailure>(&r)) {
      error(f->code, where, f->message, f->hint);
      return std::nullopt;
    }
    ResolvedModule& found = std::get<ResolvedModule>(r);
    if (const auto at = std::find(stack_.begin(), stack_.end(), found.key); at != stack_.end()) {
      std::string chain;
      for (const auto& shown : shown_) chain += shown + " → ";
      error(DiagCode::module_cycle, where, msg::mod_cycle(name, chain + shown_[static_cast<std::size_t>(at - stack_.begin())]),
            msg::mod_hint_cycle());
      return std::nullopt;
    }
    if (stack_.size() >= kMaxModuleChain) {
      error(DiagCode::too_deep, where, msg::mod_chain_too_long(name, stack_.size() + 1, shown_.front(), kMaxModuleChain),
            msg::mod_hint_chain_too_long());
      return std::nullopt;
    }
    const SourceId id = sources_.add(found.display, std::move(found.text));
    return load(id, found.key, files);
  }

  void import(ast::Module& into, const ast::ImportDecl& imp, const std::string& key, std::vector<std::string>& files,
              std::map<std::string, const ast::ImportDecl*>& imported) {
    // A name imported twice (by two imports, or listed twice in one) is said to be so, not to be
    // "declared in this file".
    std::vector<const ast::Ident*> wanted;
    for (const ast::Ident& name : imp.names) {
      const auto [first, is_new] = imported.emplace(name.name, &imp);
      if (is_new) {
        wanted.push_back(&name);
        continue;
      }
      const ast::ImportDecl& earlier = *first->second;
      const auto at = std::find_if(earlier.names.begin(), earlier.names.end(),
                                   [&](const ast::Ident& n) { return n.name == name.name; });
      error(DiagCode::duplicate_name, name.span,
            earlier.from == imp.from ? msg::mod_imported_twice_same(name.name, imp.from)
                                     : msg::mod_imported_twice(name.name, earlier.from, imp.from),
            msg::mod_hint_import_once(), Note{at->span, msg::mod_note_first_imported(name.name)});
    }
    auto from = open(imp.from, key, imp.from_span, files);
    if (!from) return;
    // The imported file's names are read before its arenas are re-based: afterwards its roots
    // index `into`'s nodes, not its own.
    const std::vector<std::string> offered = top_names(*from);
    const std::vector<std::string> local = top_names(into);
    append_arenas(into, *from);
    for (const ast::Ident* name_ptr : wanted) {
      const ast::Ident& name = *name_ptr;
      if (std::find(local.begin(), local.end(), name.name) != local.end()) {
        error(DiagCode::duplicate_name, name.span, msg::mod_imported_and_declared(name.name, imp.from),
              msg::mod_hint_import_or_declare());
        continue;
      }
      if (!take(into, *from, name.name)) {
        const auto best = suggester_.closest(name.name, offered);
        error(DiagCode::unknown_name, name.span, msg::mod_declares_no(imp.from, name.name),
              best ? std::optional<Message>(msg::did_you_mean(*best)) : std::nullopt);
      }
    }
  }

  static std::vector<std::string> top_names(const ast::Module& m) {
    std::vector<std::string> names;
    for (const auto& d : m.inputs) names.push_back(d.name.name);
    for (const auto& d : m.params) names.push_back(d.name.name);
    for (const auto& d : m.sets) names.push_back(d.name.name);
    for (const auto& d : m.lets) names.push_back(d.name.name);
    for (const auto r : m.roots) names.push_back(m.nodes[r].name.name);
    for (const auto& d : m.vetoes) names.push_back(d.name.name);
    for (const auto& d : m.bands) names.push_back(d.name.name);
    for (const auto& d : m.funds) names.push_back(d.name.name);
    return names;
  }

  // Moves the declaration `name` of `from` (whose arenas are already appended) into `into`.
  static bool take(ast::Module& into, ast::Module& from, const std::string& name) {
    auto move_named = [&](auto& src, auto& dst) {
      for (auto& d : src) {
        if (d.name.name == name) {
          dst.push_back(d);
          return true;
        }
      }
      return false;
    };
    if (move_named(from.inputs, into.inputs) || move_named(from.params, into.params) ||
        move_named(from.sets, into.sets) || move_named(from.lets, into.lets) ||
        move_named(from.vetoes, into.vetoes) || move_named(from.bands, into.bands) ||
        move_named(from.funds, into.funds)) {
      return true;
    }
    for (const std::uint32_t r : from.roots) {
      if (into.nodes[r].name.name == name) {
        into.roots.push_back(r);
        return true;
      }
    }
    return false;
  }

  // Merges a variant into its base: new declarations are added, params, sets and lets declared
  // again replace the base's, then the variant's override/remove/add statements apply.
  ast::Module merge(ast::Module base, ast::Module variant, std::vector<VariantChange>& changes) {
    append_arenas(base, variant);
    ast::Module& m = base;
    current_ = &m;
    m.source = variant.source;
    if (variant.policy) {
      const auto extends = variant.policy->extends;
      m.policy = variant.policy;
      m.policy->extends = extends;
    }
    if (variant.subject) {
      const std::string before = m.subject ? subject_text(*m.subject) : "";
      const std::string after = subject_text(*variant.subject);
      if (before != after) changes.push_back({"subject", "subject", before, after, variant.subject->span});
      m.subject = variant.subject;
    }
    if (variant.precision) {
      const std::string before = m.precision ? std::to_string(m.precision->places) : "2 (the default)";
      const std::string after = std::to_string(variant.precision->places);
      if (before != after) changes.push_back({"precision", "precision", before, after, variant.precision->span});
      m.precision = variant.precision;
    }
    if (variant.rollup) {
      const std::string before = m.rollup ? rollup_text(m, *m.rollup) : "";
      const std::string after = rollup_text(m, *variant.rollup);
      if (before != after) changes.push_back({"rollup", "rollup", before, after, variant.rollup->span});
      m.rollup = variant.rollup;
    }
    if (variant.output) {
      changes.push_back({"output", "output", "", "", variant.output->span});
      m.output = variant.output;
    }
    // A variant may remove a declaration of the base and declare it again.
    removed_.clear();
    for (const ast::RemoveDecl& r : variant.removes) {
      if (r.target.parts.size() == 1) removed_.push_back(r.target.parts.front().name);
    }
    add_or_reject(m.inputs, variant.inputs, "input", changes);
    replace_or_add(m.params, variant.params, "param", changes);
    replace_or_add(m.sets, variant.sets, "set", changes);
    replace_or_add(m.lets, variant.lets, "let", changes);
    for (const std::uint32_t r : variant.roots) {
      const auto same = std::find_if(m.roots.begin(), m.roots.end(),
                                     [&](std::uint32_t b) { return m.nodes[b].name.name == m.nodes[r].name.name; });
      if (same != m.roots.end() && !is_removed(m.nodes[r].name.name)) {
        duplicate("indicator", m.nodes[r].name, m.nodes[*same].name.span);
        continue;
      }
      m.roots.push_back(r);
      changes.push_back({"new", m.nodes[r].name.name, "", "indicator", m.nodes[r].name.span});
    }
    add_or_reject(m.vetoes, variant.vetoes, "veto", changes);
    add_or_reject(m.bands, variant.bands, "grade or alert", changes);
    for (auto& c : changes) {
      // Name grades and alerts precisely in the report.
      if (c.after != "grade or alert") continue;
      for (const auto& b : m.bands) {
        if (b.name.name == c.target) c.after = b.kind == ast::BandKind::kGrade ? "grade" : "alert";
      }
    }
    add_or_reject(m.funds, variant.funds, "fund", changes);
    for (auto& seg : variant.segments) m.segments.push_back(std::move(seg));
    m.overrides = std::move(variant.overrides);
    m.removes = std::move(variant.removes);
    m.adds = std::move(variant.adds);
    apply_edits(m, changes);
    return std::move(m);
  }

  bool is_removed(const std::string& name) const {
    return std::find(removed_.begin(), removed_.end(), name) != removed_.end();
  }

  void duplicate(const std::string& what, const ast::Ident& name, Span base) {
    error(DiagCode::duplicate_name, name.span, msg::mod_base_declares(decl_message(what), name.name),
          msg::mod_hint_base_declares(), Note{base, msg::mod_note_base_declares()});
  }

  template <typename D>
  void add_or_reject(std::vector<D>& base, std::vector<D>& variant, const std::string& what,
                     std::vector<VariantChange>& changes) {
    for (D& d : variant) {
      const auto same = std::find_if(base.begin(), base.end(), [&](const D& b) { return b.name.name == d.name.name; });
      if (same != base.end() && !is_removed(d.name.name)) {
        duplicate(what, d.name, same->name.span);
        continue;
      }
      changes.push_back({"new", d.name.name, "", what, d.name.span});
      base.push_back(std::move(d));
    }
  }

  template <typename D>
  void replace_or_add(std::vector<D>& base, std::vector<D>& variant, const std::string& what,
                      std::vector<VariantChange>& changes) {
    for (D& d : variant) {
      const auto same = std::find_if(base.begin(), base.end(), [&](const D& b) { return b.name.name == d.name.name; });
      if (same != base.end()) {
        changes.push_back({what, d.name.name, std::string(text(same_value_span(*same))),
                           std::string(text(same_value_span(d))), d.name.span});
        const std::uint32_t order = same->order;
        *same = std::move(d);
        same->order = order;
        continue;
      }
      changes.push_back({"new", d.name.name, "", what, d.name.span});
      base.push_back(std::move(d));
    }
  }

  Span same_value_span(const ast::ParamDecl& d) const { return expr_span(d.value); }
  Span same_value_span(const ast::SetDecl& d) const { return expr_span(d.value); }
  Span same_value_span(const ast::LetDecl& d) const { return expr_span(d.value); }
  Span expr_span(ExprId e) const { return current_ == nullptr ? Span{} : current_->span(e); }

  // Applies the policy's own override, remove and add statements.
  void apply_edits(ast::Module& m, std::vector<VariantChange>& changes) {
    current_ = &m;
    apply_in_order(m, m.overrides, m.removes, m.adds, changes);
    // Statements in variant and base alike have been applied; the merged policy keeps none.
    m.overrides.clear();
    m.removes.clear();
    m.adds.clear();
  }

  // Applies override, remove and add statements to `m` in the order they are written; the holders
  // of the `add`s are then detached (their items have moved into the trees).
  void apply_in_order(ast::Module& m, const std::vector<ast::OverrideDecl>& overrides, const std::vector<ast::RemoveDecl>& removes,
                      const std::vector<ast::AddDecl>& adds, std::vector<VariantChange>& changes) {
    struct Edit {
      Span span;
      int kind;  // 0 override, 1 remove, 2 add
      std::size_t index;
    };
    std::vector<Edit> edits;
    for (std::size_t i = 0; i < overrides.size(); ++i) edits.push_back({overrides[i].span, 0, i});
    for (std::size_t i = 0; i < removes.size(); ++i) edits.push_back({removes[i].span, 1, i});
    for (std::size_t i = 0; i < adds.size(); ++i) edits.push_back({adds[i].span, 2, i});
    std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.span.begin < b.span.begin; });
    for (const Edit& e : edits) {
      if (e.kind == 0) apply_override(m, overrides[e.index], changes);
      if (e.kind == 1) apply_remove(m, removes[e.index], changes);
      if (e.kind == 2) apply_add(m, adds[e.index], changes);
    }
    for (const auto& a : adds) m.nodes[a.holder].detached = true;
  }

  // The target of an edit, or an error naming both the variant's line and the base.
  std::optional<Target> locate(const ast::Module& m, const ast::NameRef& ref, Span at, const Message& verb) {
    const Target t = find_target(m, ref, segment_);
    if (t.kind != Target::Kind::kNone && segment_ != kNoSegment && t.kind != Target::Kind::kNode &&
        t.kind != Target::Kind::kAdjust) {
      error(DiagCode::bad_override, at, msg::seg_not_tree(ast::path_text(ref), kind_message(t.kind), current_->segments[segment_].name.name),
            msg::seg_hint_not_tree());
      return std::nullopt;
    }
    if (t.kind != Target::Kind::kNone) return t;
    const std::string path = ast::path_text(ref);
    std::optional<Message> hint;
    if (auto best = closest_name(ref.parts.back().name, t.options)) {
      hint = msg::did_you_mean(t.resolved.empty() ? *best : t.resolved + "." + *best);
    } else if (!t.options.empty()) {
      hint = msg::mod_hint_has(t.resolved, backticked_list(t.options));
    }
    std::optional<Note> note;
    if (t.resolved_span.valid()) {
      note = Note{t.resolved_span, msg::mod_note_declared_without(t.resolved, ref.parts.back().name)};
    } else if (segment_ != kNoSegment) {
      note = Note{m.segments[segment_].name.span, msg::seg_note_segment_here(m.segments[segment_].name.name)};
    } else if (m.policy) {
      note = Note{m.policy->span, base_name_.empty() ? msg::mod_note_policy_here() : msg::mod_note_base_here(base_name_)};
    }
    const Message where = segment_ != kNoSegment ? msg::seg_in_segment(m.segments[segment_].name.name)
                          : base_name_.empty()   ? msg::mod_in_policy()
                                                 : msg::mod_in_base(base_name_);
    error(DiagCode::override_target, at, msg::mod_no_target(verb, path, where), hint, note);
    return std::nullopt;
  }

  void apply_override(ast::Module& m, const ast::OverrideDecl& o, std::vector<VariantChange>& changes) {
    const auto t = locate(m, o.target, o.span, msg::mod_verb_override());
    if (!t) return;
    const std::string path = ast::path_text(o.target);
    using K = Target::Kind;
    switch (o.kind) {
      case ast::OverrideKind::kWeight:
        if (t->kind == K::kNode) {
          ast::Weight& w = m.nodes[t->a].weight;
          if (m.nodes[t->a].parent == ast::IndicatorNode::kNoNode && w.kind == ast::WeightKind::kNone) {
            error(DiagCode::bad_override, o.span, msg::mod_root_no_weight(path), msg::mod_hint_root_no_weight());
            return;
          }
          changes.push_back({"weight", path, std::string(text(w.span)), std::string(text(o.weight.span)), o.span});
          w = o.weight;
        } else if (t->kind == K::kTrack) {
          ast::Weight& w = m.funds[t->a].tracks[t->b].share;
          changes.push_back({"weight", path, std::string(text(w.span)), std::string(text(o.weight.span)), o.span});
          w = o.weight;
        } else {
          error(DiagCode::bad_override, o.span, msg::mod_no_weight(path, kind_message(t->kind)), msg::mod_hint_no_weight());
        }
        return;
      case ast::OverrideKind::kFormula: {
        ExprId* slot = nullptr;
        if (t->kind == K::kNode) {
          if (!m.nodes[t->a].children.empty()) {
            error(DiagCode::bad_override, o.span, msg::mod_group_formula(path), msg::mod_hint_group_formula());
            return;
          }
          slot = &m.nodes[t->a].formula;
        } else if (t->kind == K::kTrack) {
          slot = &m.funds[t->a].tracks[t->b].by;
          if (!ast::present(*slot)) {
            error(DiagCode::bad_override, o.span, msg::mod_track_equally(path), msg::mod_hint_track_equally());
            return;
          }
        } else if (t->kind == K::kLet) {
          slot = &m.lets[t->a].value;
        } else {
          error(DiagCode::bad_override, o.span, msg::mod_no_formula(path, kind_message(t->kind)), msg::mod_hint_no_formula());
          return;
        }
        changes.push_back({"formula", path, std::string(text(m.span(*slot))), std::string(text(m.span(o.formula))), o.span});
        *slot = o.formula;
        return;
      }
      case ast::OverrideKind::kCoef: {
        if (t->kind != K::kTrack) {
          error(DiagCode::bad_override, o.span, msg::mod_no_coef(path, kind_message(t->kind)), msg::mod_hint_no_coef());
          return;
        }
        std::vector<ExprId> coefs;
        collect_coefs(m, m.funds[t->a].tracks[t->b].by, coefs);
        if (coefs.size() != 1) {
          error(DiagCode::bad_override, o.span, msg::mod_coef_tables(path, coefs.size()), msg::mod_hint_coef_tables(path));
          return;
        }
        auto& c = std::get<ast::Coef>(m.exprs[static_cast<std::uint32_t>(coefs[0])]);
        std::string before;
        for (const auto& e : c.entries) before += (before.empty() ? "" : ", ") + e.key.text + " " + std::string(text(m.span(e.value)));
        std::string after;
        for (const auto& e : o.coef_entries) after += (after.empty() ? "" : ", ") + e.key.text + " " + std::string(text(m.span(e.value)));
        changes.push_back({"coef", path, before, after, o.span});
        c.entries = o.coef_entries;
        c.otherwise = o.coef_else;
        return;
      }
      case ast::OverrideKind::kBand: {
        if (t->kind != K::kBand) {
          error(DiagCode::bad_override, o.span, msg::mod_no_band(path, kind_message(t->kind)), msg::mod_hint_no_band());
          return;
        }
        ast::Band& b = m.bands[t->a].bands[t->b];
        const std::string before = band_text(b);
        if (o.interval) {
          b.interval = *o.interval;
          b.has_interval = true;
        }
        if (o.deadline) b.deadline = *o.deadline;
        if (o.text) b.text = *o.text;
        changes.push_back({"band", path, before, band_text(b), o.span});
        return;
      }
    }
  }

  // The `coef` tables in `e`, in source order (a stack of its own: a sum of 20,000 terms must
  // not recurse 20,000 deep).
  static void collect_coefs(const ast::Module& m, ExprId root, std::vector<ExprId>& out) {
    std::vector<ExprId> stack{root};
    while (!stack.empty()) {
      const ExprId e = stack.back();
      stack.pop_back();
      if (!ast::present(e)) continue;
      std::vector<ExprId> children;  // in source order; pushed in reverse to come off in order
      std::visit(
          [&](const auto& n) {
            using N = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<N, ast::Coef>) {
              out.push_back(e);
            } else if constexpr (std::is_same_v<N, ast::Binary>) {
              children = {n.lhs, n.rhs};
            } else if constexpr (std::is_same_v<N, ast::Unary>) {
              children = {n.operand};
            } else if constexpr (std::is_same_v<N, ast::If>) {
              children = {n.cond, n.then_expr, n.else_expr};
            } else if constexpr (std::is_same_v<N, ast::Call>) {
              children.assign(n.args.begin(), n.args.end());
            }
          },
          m.expr(e));
      stack.insert(stack.end(), children.rbegin(), children.rend());
    }
  }

  void apply_remove(ast::Module& m, const ast::RemoveDecl& r, std::vector<VariantChange>& changes) {
    const auto t = locate(m, r.target, r.span, msg::mod_verb_remove());
    if (!t) return;
    const std::string path = ast::path_text(r.target);
    using K = Target::Kind;
    auto erase_at = [](auto& v, std::uint32_t i) { v.erase(v.begin() + static_cast<std::ptrdiff_t>(i)); };
    switch (t->kind) {
      case K::kNode: {
        ast::IndicatorNode& n = m.nodes[t->a];
        if (n.parent == ast::IndicatorNode::kNoNode) {
          m.roots.erase(std::remove(m.roots.begin(), m.roots.end(), t->a), m.roots.end());
        } else {
          auto& siblings = m.nodes[n.parent].children;
          siblings.erase(std::remove(siblings.begin(), siblings.end(), t->a), siblings.end());
        }
        detach(m, t->a);
        break;
      }
      case K::kBand: erase_at(m.bands[t->a].bands, t->b); break;
      case K::kTrack: erase_at(m.funds[t->a].tracks, t->b); break;
      case K::kInput: erase_at(m.inputs, t->a); break;
      case K::kParam: erase_at(m.params, t->a); break;
      case K::kSet: erase_at(m.sets, t->a); break;
      case K::kLet: erase_at(m.lets, t->a); break;
      case K::kVeto: erase_at(m.vetoes, t->a); break;
      case K::kBandDecl: erase_at(m.bands, t->a); break;
      case K::kFund: erase_at(m.funds, t->a); break;
      case K::kAdjust: erase_at(m.nodes[t->a].adjusts, t->b); break;
      case K::kNone: return;
    }
    changes.push_back({"remove", path, kind_word(t->kind), "", r.span});
  }

  // Segments (docs/language.md §13): each segment gets its own copy of every tree, changed by the
  // segment's edits in the order they are written; the copies replace the trees, and the checker
  // checks each as a whole. The changes are listed under their segment.
  void apply_segments(ast::Module& m, std::vector<VariantChange>& changes) {
    if (m.segments.empty()) return;
    current_ = &m;
    const std::vector<std::uint32_t> shared = m.roots;
    std::vector<std::uint32_t> all;
    for (std::uint32_t k = 0; k < m.segments.size(); ++k) {
      m.roots.clear();
      for (const std::uint32_t r : shared) m.roots.push_back(clone(m, r, ast::IndicatorNode::kNoNode, k));
      segment_ = k;
      const ast::SegmentDecl& seg = m.segments[k];
      std::vector<VariantChange> own;
      own.push_back({"segment", seg.name.name, "", std::string(text(m.span(seg.when))), seg.name.span});
      apply_in_order(m, seg.overrides, seg.removes, seg.adds, own);
      for (const std::uint32_t r : m.roots) assign_segment(m, r, k);
      all.insert(all.end(), m.roots.begin(), m.roots.end());
      for (VariantChange& c : own) {
        if (c.kind != "segment") c.target = seg.name.name + ": " + c.target;
        changes.push_back(std::move(c));
      }
    }
    segment_ = kNoSegment;
    for (const std::uint32_t r : shared) detach(m, r);
    m.roots = std::move(all);
  }

  // A copy of the tree under `node` for segment `segment`, appended to the module's nodes.
  static std::uint32_t clone(ast::Module& m, std::uint32_t node, std::uint32_t parent, std::uint32_t segment) {
    ast::IndicatorNode copy = m.nodes[node];
    copy.parent = parent;
    copy.segment = segment;
    copy.children.clear();
    m.nodes.push_back(std::move(copy));
    const auto at = static_cast<std::uint32_t>(m.nodes.size() - 1);
    const std::vector<std::uint32_t> children = m.nodes[node].children;
    for (const std::uint32_t c : children) {
      const std::uint32_t child = clone(m, c, at, segment);
      m.nodes[at].children.push_back(child);
    }
    return at;
  }

  static void assign_segment(ast::Module& m, std::uint32_t node, std::uint32_t segment) {
    m.nodes[node].segment = segment;
    for (const std::uint32_t c : m.nodes[node].children) assign_segment(m, c, segment);
  }

  static void detach(ast::Module& m, std::uint32_t node) {
    m.nodes[node].detached = true;
    for (const std::uint32_t c : m.nodes[node].children) detach(m, c);
  }

  // The level of the deepest group among `nodes` and below, `level` being theirs; 0 when none
  // has sub-indicators. With a list, not recursion.
  static std::size_t deepest_group(const ast::Module& m, const std::vector<std::uint32_t>& nodes, std::size_t level) {
    std::size_t deepest = 0;
    std::vector<std::pair<std::uint32_t, std::size_t>> todo;
    for (const std::uint32_t n : nodes) todo.emplace_back(n, level);
    while (!todo.empty()) {
      const auto [n, at] = todo.back();
      todo.pop_back();
      if (m.nodes[n].children.empty()) continue;
      deepest = std::max(deepest, at);
      for (const std::uint32_t c : m.nodes[n].children) todo.emplace_back(c, at + 1);
    }
    return deepest;
  }

  void apply_add(ast::Module& m, const ast::AddDecl& a, std::vector<VariantChange>& changes) {
    const auto t = locate(m, a.target, a.span, msg::mod_verb_add_to());
    if (!t) return;
    const std::string path = ast::path_text(a.target);
    if (t->kind != Target::Kind::kNode) {
      error(DiagCode::bad_override, a.span, msg::mod_no_add(path, kind_message(t->kind)), msg::mod_hint_no_add());
      return;
    }
    ast::IndicatorNode& holder = m.nodes[a.holder];
    ast::IndicatorNode& target = m.nodes[t->a];
    if (!holder.children.empty() && ast::present(target.formula)) {
      error(DiagCode::bad_override, a.span, msg::mod_add_to_formula(path), msg::mod_hint_add_to_formula());
      return;
    }
    // Each file's groups nest at most kMaxNesting deep; adding to a deep group must not nest deeper.
    std::size_t depth = 1;
    for (std::uint32_t p = target.parent; p != ast::IndicatorNode::kNoNode; p = m.nodes[p].parent) ++depth;
    if (const std::size_t deepest = deepest_group(m, holder.children, depth + 1); deepest > static_cast<std::size_t>(kMaxNesting)) {
      error(DiagCode::too_deep, a.span, msg::mod_add_too_deep(deepest, path, depth, kMaxNesting),
            msg::mod_hint_add_too_deep());
      return;
    }
    for (const std::uint32_t c : holder.children) {
      m.nodes[c].parent = t->a;
      target.children.push_back(c);
      changes.push_back({"add", path + "." + m.nodes[c].name.name, "", std::string(text(m.nodes[c].weight.span)), m.nodes[c].name.span});
    }
    for (const ast::Adjust& adj : holder.adjusts) {
      target.adjusts.push_back(adj);
      changes.push_back({"add", adj.name.name, "", adj.kind == ast::AdjustKind::kDeduct ? "deduct" : "bonus", adj.name.span});
    }
    if (ast::present(holder.deductions_max)) target.deductions_max = holder.deductions_max;
    if (ast::present(holder.bonuses_max)) target.bonuses_max = holder.bonuses_max;
    holder.children.clear();
    holder.adjusts.clear();
  }

  SourceSet& sources_;
  ModuleResolver& resolver_;
  DiagnosticSink& sink_;
  std::vector<std::string> stack_;  ///< keys of the files being loaded
  std::vector<std::string> shown_;  ///< their display paths
  std::vector<std::string> removed_;  ///< top-level names the variant being merged removes
  std::string base_name_;
  std::optional<std::string> top_base_;
  std::vector<VariantChange> top_changes_;
  Suggester suggester_;  ///< "did you mean" for names an import does not find
  const ast::Module* current_ = nullptr;
  static constexpr std::uint32_t kNoSegment = ast::IndicatorNode::kNoNode;
  std::uint32_t segment_ = kNoSegment;  ///< the segment whose edits are being applied
  std::size_t errors_at_start_ = 0;
};

}  // namespace

std::optional<LinkedPolicy> link(SourceSet& sources, SourceId top, const std::string& top_key, ModuleResolver& resolver,
                                 DiagnosticSink& sink) {
  Linker linker(sources, resolver, sink);
  linker.set_errors_at_start(sink.error_count());
  return linker.run(top, top_key);
}

}  // namespace jixiao::dsl
