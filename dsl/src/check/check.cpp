// The checker: declares symbols, resolves names, types every expression, computes static ranges,
// and checks the structure of indicator trees, vetoes, bands, funds and outputs.
#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <tuple>

#include "checker.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/edit_distance.hpp"
#include "jixiao/dsl/functions.hpp"
#include "jixiao/dsl/keywords.hpp"
#include "jixiao/dsl/unparse.hpp"

namespace jixiao::dsl {

using namespace check_detail;  // NOLINT(google-build-using-namespace): internal helpers

SymbolId CheckedPolicy::find(std::string_view name) const {
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i].name == name) return SymbolId{static_cast<std::uint32_t>(i)};
  }
  return kNoSymbol;
}

namespace {

// With a list of what is left to look at, not recursion: lets can read lets in long chains.
void collect_optional(const CheckedPolicy& p, ast::ExprId root, std::vector<std::uint32_t>& out,
                      std::vector<std::uint8_t>& seen_lets) {
  std::vector<ast::ExprId> todo{root};
  while (!todo.empty()) {
    const ast::ExprId e = todo.back();
    todo.pop_back();
    const ast::Expr& x = p.module.expr(e);
    const Builtin b = std::holds_alternative<ast::Call>(x) ? p.builtin(e) : kNoBuiltin;
    // present(x) and fill(x, v) answer for missing values themselves (fill's default too).
    if (b != kNoBuiltin && builtin_info(b).kind == BuiltinKind::kMissing) continue;
    if (b != kNoBuiltin && builtin_info(b).kind == BuiltinKind::kSubPeriod) {
      // sub_mean(x), sub_min, sub_max, sub_sum of an optional input read the sub-periods that have
      // a value, and are missing where none has (the rolled-up row's x is missing exactly then,
      // rollup.cpp); sub_count is never missing, and sub_at answers for its one sub-period itself.
      const auto& c = std::get<ast::Call>(x);
      if (b != Builtin::kSubCount && b != Builtin::kSubAt && !c.args.empty()) todo.push_back(c.args[0]);
      continue;
    }
    if (std::holds_alternative<ast::NameRef>(x)) {
      const SymbolId id = p.ref(e);
      if (id == kNoSymbol) continue;
      const Symbol& s = p.symbol(id);
      if (s.kind == SymbolKind::kInput && p.module.inputs[s.index].optional) out.push_back(s.index);
      if (s.kind == SymbolKind::kLet && !seen_lets[s.index]) {
        seen_lets[s.index] = 1;
        todo.push_back(p.module.lets[s.index].value);
      }
      continue;
    }
    ast::for_each_child(x, [&](ast::ExprId child) {
      if (ast::present(child)) todo.push_back(child);
    });
  }
}

}  // namespace

std::vector<std::uint32_t> optional_inputs(const CheckedPolicy& policy, ast::ExprId e) {
  std::vector<std::uint32_t> out;
  std::vector<std::uint8_t> seen(policy.module.lets.size(), 0);
  if (ast::present(e)) collect_optional(policy, e, out, seen);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string kind_name(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::kKey: return "key";
    case SymbolKind::kInput: return "input";
    case SymbolKind::kParam: return "param";
    case SymbolKind::kSet: return "set";
    case SymbolKind::kLet: return "let";
    case SymbolKind::kIndicator: return "indicator";
    case SymbolKind::kVeto: return "veto";
    case SymbolKind::kGrade: return "grade";
    case SymbolKind::kAlert: return "alert";
    case SymbolKind::kFund: return "fund";
  }
  return "name";
}

Message kind_message(const Symbol& symbol) {
  switch (symbol.kind) {
    case SymbolKind::kKey: return symbol.index == 1 ? msg::kind_period() : msg::kind_key();
    case SymbolKind::kInput: return msg::kind_input();
    case SymbolKind::kParam: return msg::kind_param();
    case SymbolKind::kSet: return msg::kind_set();
    case SymbolKind::kLet: return msg::kind_let();
    case SymbolKind::kIndicator: return msg::kind_indicator();
    case SymbolKind::kVeto: return msg::kind_veto();
    case SymbolKind::kGrade: return msg::kind_grade();
    case SymbolKind::kAlert: return msg::kind_alert();
    case SymbolKind::kFund: return msg::kind_fund();
  }
  return msg::kind_input();
}

std::string type_name(const Type& t, const std::vector<Domain>& domains) {
  switch (t.kind) {
    case TypeKind::kError: return "an invalid value";
    case TypeKind::kNumber: return "a number";
    case TypeKind::kMoney: return "money";
    case TypeKind::kBool: return "yes/no (bool)";
    case TypeKind::kText: return "text";
    case TypeKind::kTextList: return "a list of texts";
    case TypeKind::kNumberList: return "a list of numbers";
    case TypeKind::kLabel:
      return t.domain < domains.size() ? "a label of `" + domains[t.domain].name + "`" : "a label";
    case TypeKind::kSet: return "a set of texts";
    case TypeKind::kTable: return "a table";
    case TypeKind::kFund: return "a fund";
    case TypeKind::kPair: return "a pair `a -> b`";
  }
  return "a value";
}

namespace {

// type_name, in the chosen language.
Message type_message(const Type& t, const std::vector<Domain>& domains) {
  switch (t.kind) {
    case TypeKind::kError: return msg::chk_type_invalid();
    case TypeKind::kNumber: return msg::chk_type_number();
    case TypeKind::kMoney: return msg::chk_type_money();
    case TypeKind::kBool: return msg::chk_type_bool();
    case TypeKind::kText: return msg::chk_type_text();
    case TypeKind::kTextList: return msg::chk_type_text_list();
    case TypeKind::kNumberList: return msg::chk_type_number_list();
    case TypeKind::kLabel:
      return t.domain < domains.size() ? msg::chk_type_label_of(domains[t.domain].name) : msg::chk_type_label();
    case TypeKind::kSet: return msg::chk_type_set();
    case TypeKind::kTable: return msg::chk_type_table();
    case TypeKind::kFund: return msg::chk_type_fund();
    case TypeKind::kPair: return msg::chk_type_pair();
  }
  return msg::chk_type_value();
}

using ast::ExprId;

constexpr std::int64_t kOne = decimal::kOne;
constexpr std::int64_t kHundred = 100 * kOne;

Type T(TypeKind k) { return Type{k, 0, TypeKind::kError}; }

bool is_num(const Type& t) { return t.kind == TypeKind::kNumber; }
bool is_money(const Type& t) { return t.kind == TypeKind::kMoney; }
bool is_err(const Type& t) { return t.kind == TypeKind::kError; }

std::string pct(std::int64_t raw) { return decimal::to_string(raw) + "%"; }

class Checker {
 public:
  Checker(const SourceSet& sources, CheckedPolicy& p, const CheckOptions& options, DiagnosticSink& sink)
      : sources_(sources), p_(p), m_(p.module), options_(options), sink_(sink) {}

  void run() {
    errors_at_start_ = sink_.error_count();
    p_.expr_type.assign(m_.exprs.size(), T(TypeKind::kError));
    p_.expr_range.assign(m_.exprs.size(), NumRange::unbounded());
    p_.expr_ref.assign(m_.exprs.size(), kNoSymbol);
    p_.expr_builtin.assign(m_.exprs.size(), kNoBuiltin);
    p_.nodes.assign(m_.nodes.size(), NodeInfo{});
    p_.params.assign(m_.params.size(), ParamValue{});
    p_.veto_effects.assign(m_.vetoes.size(), {});
    p_.band_domain.assign(m_.bands.size(), 0);
    p_.input_domain.assign(m_.inputs.size(), 0);
    visited_.assign(m_.exprs.size(), false);

    header();
    declare();
    rollup();
    domains();
    for (const std::uint32_t root : m_.roots) structure(root);
    state_.assign(p_.symbols.size(), 0);
    used_.assign(p_.symbols.size(), false);
    p_.deps.assign(p_.symbols.size(), {});
    order_ = check_order(p_, [this](const ast::NameRef& ref) { return lookup(ref); });
    for (const SymbolId id : order_.order) ensure(id);
    segments();
    overrides();
    check_constants(p_, [this](ExprId e) { return constant_expr(e) ? const_value(e) : std::nullopt; }, sink_);
    missing_values();
    fund_pools();
    outputs();
    unused();
  }

 private:
  // ---- reporting ----

  void error(DiagCode code, Span span, Message message, std::optional<Message> hint = {}) {
    sink_.report(diagnose(code, span, std::move(message), std::move(hint)));
  }

  void error_with_note(DiagCode code, Span span, Message message, std::optional<Message> hint, Span note_span,
                       Message note) {
    Diagnostic d = diagnose(code, span, std::move(message), std::move(hint));
    d.notes.emplace_back(note_span, std::move(note));
    sink_.report(std::move(d));
  }

  Message tn(const Type& t) const { return type_message(t, p_.domains); }

  // The text a span covers; spans of a merged policy point into several files.
  std::string_view span_text(Span s) const {
    if (!s.valid()) return {};
    return sources_.get(s.source).text().substr(s.begin, s.end - s.begin);
  }

  std::string expr_text(ExprId e) const {
    std::string t(span_text(m_.span(e)));
    if (t.size() > 40) {
      // Cut at a code-point boundary.
      std::size_t cut = 37;
      while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80) --cut;
      t = t.substr(0, cut) + "...";
    }
    return t;
  }

  // ---- declarations ----

  void header() {
    if (!m_.policy) {
      error(DiagCode::missing_header, Span{m_.source, 0, 0}, msg::chk_missing_policy(), msg::chk_hint_missing_policy());
    }
    if (!m_.subject) {
      error(DiagCode::missing_header, m_.policy ? m_.policy->span : Span{m_.source, 0, 0}, msg::missing_header(),
            msg::hint_missing_header());
    }
    if (m_.precision) p_.precision = m_.precision->places;
  }

  SymbolId add_symbol(SymbolKind kind, std::string name, std::uint32_t index, std::uint32_t order, Span span,
                      bool top_level) {
    if (top_level) {
      if (auto it = top_.find(name); it != top_.end()) {
        const Symbol& first = p_.symbol(it->second);
        error_with_note(DiagCode::duplicate_name, span, msg::declared_twice(name), msg::hint_rename_one(), first.span,
                        msg::note_first_declared_here(name));
        return kNoSymbol;
      }
    }
    Symbol s;
    s.kind = kind;
    s.name = name;
    s.index = index;
    s.order = order;
    s.span = span;
    p_.symbols.push_back(std::move(s));
    const SymbolId id{static_cast<std::uint32_t>(p_.symbols.size() - 1)};
    if (top_level) top_.emplace(p_.symbols.back().name, id);
    return id;
  }

  void declare() {
    if (m_.subject) {
      p_.key = add_symbol(SymbolKind::kKey, m_.subject->key.name, 0, 0, m_.subject->key.span, true);
      if (m_.subject->period) {
        // Rolled up, the period a row is evaluated for is the coarse one, named as the roll-up.
        const ast::Ident& period = m_.rollup ? m_.rollup->name : *m_.subject->period;
        p_.period = add_symbol(SymbolKind::kKey, period.name, 1, 0, period.span, true);
      }
    }
    for (std::uint32_t i = 0; i < m_.inputs.size(); ++i) {
      const auto& in = m_.inputs[i];
      add_symbol(SymbolKind::kInput, in.name.name, i, in.order, in.name.span, true);
    }
    for (std::uint32_t i = 0; i < m_.params.size(); ++i) {
      add_symbol(SymbolKind::kParam, m_.params[i].name.name, i, m_.params[i].order, m_.params[i].name.span, true);
    }
    for (std::uint32_t i = 0; i < m_.sets.size(); ++i) {
      add_symbol(SymbolKind::kSet, m_.sets[i].name.name, i, m_.sets[i].order, m_.sets[i].name.span, true);
    }
    for (std::uint32_t i = 0; i < m_.lets.size(); ++i) {
      add_symbol(SymbolKind::kLet, m_.lets[i].name.name, i, m_.lets[i].order, m_.lets[i].name.span, true);
    }
    for (const std::uint32_t root : m_.roots) declare_node(root, "");
    for (std::uint32_t i = 0; i < m_.vetoes.size(); ++i) {
      add_symbol(SymbolKind::kVeto, m_.vetoes[i].name.name, i, m_.vetoes[i].order, m_.vetoes[i].name.span, true);
    }
    for (std::uint32_t i = 0; i < m_.bands.size(); ++i) {
      const auto& b = m_.bands[i];
      add_symbol(b.kind == ast::BandKind::kGrade ? SymbolKind::kGrade : SymbolKind::kAlert, b.name.name, i, b.order,
                 b.name.span, true);
    }
    for (std::uint32_t i = 0; i < m_.funds.size(); ++i) {
      add_symbol(SymbolKind::kFund, m_.funds[i].name.name, i, m_.funds[i].order, m_.funds[i].name.span, true);
    }
    declare_rule_names();
  }

  void declare_node(std::uint32_t index, const std::string& prefix) {
    const ast::IndicatorNode& n = m_.nodes[index];
    const std::string path = prefix.empty() ? n.name.name : prefix + "." + n.name.name;
    SymbolId id = kNoSymbol;
    if (n.segment != kNoNode) {
      // Each segment has its own copy of the trees: a path names one symbol, whose value on a row
      // is that of the row's segment's tree.
      if (const auto it = paths_.find(path); it != paths_.end()) {
        std::vector<std::uint32_t>& in = path_segments_[it->second];
        if (std::find(in.begin(), in.end(), n.segment) == in.end()) {
          in.push_back(n.segment);
          p_.nodes[index].symbol = it->second;
          for (const std::uint32_t c : n.children) declare_node(c, path);
          return;
        }
      }
    }
    if (prefix.empty()) {
      id = add_symbol(SymbolKind::kIndicator, path, index, n.order, n.name.span, true);
    } else {
      if (auto it = paths_.find(path); it != paths_.end()) {
        error_with_note(DiagCode::duplicate_name, n.name.span, msg::chk_two_subindicators(prefix, n.name.name),
                        msg::hint_rename_one(), p_.symbol(it->second).span, msg::chk_note_first_here());
      } else {
        id = add_symbol(SymbolKind::kIndicator, path, index, n.order, n.name.span, false);
      }
    }
    if (id != kNoSymbol) {
      paths_.emplace(path, id);
      leaf_paths_[n.name.name].push_back(path);
      if (n.segment != kNoNode) path_segments_[id].push_back(n.segment);
    }
    p_.nodes[index].symbol = id;
    for (const std::uint32_t c : n.children) declare_node(c, path);
  }

  // Deduction, bonus and veto names are the codes of the reason column: they must be unique.
  void declare_rule_names() {
    std::unordered_map<std::string, Span> seen;
    auto note_in = [&](std::unordered_map<std::string, Span>& names, const std::string& name, Span span) {
      if (auto it = names.find(name); it != names.end()) {
        error_with_note(DiagCode::duplicate_name, span, msg::chk_rule_name_twice(name), msg::chk_hint_rule_names(),
                        it->second, msg::chk_note_first_used_here(name));
        return;
      }
      names.emplace(name, span);
    };
    for (const auto& v : m_.vetoes) note_in(seen, v.name.name, v.name.span);
    for (const auto& n : m_.nodes) {
      if (n.detached || n.segment != kNoNode) continue;
      for (const auto& a : n.adjusts) note_in(seen, a.name.name, a.name.span);
    }
    // A segment's copy of a deduction is the same rule as the other segments' copies.
    for (std::uint32_t k = 0; k < m_.segments.size(); ++k) {
      auto in_segment = seen;
      for (const auto& n : m_.nodes) {
        if (n.detached || n.segment != k) continue;
        for (const auto& a : n.adjusts) note_in(in_segment, a.name.name, a.name.span);
      }
    }
  }

  // `listed_twice` says that a label (an option, a band) is listed twice.
  std::uint32_t add_domain(std::string name, const std::vector<ast::Label>& labels,
                           const MessageDef<msg::Text>& listed_twice) {
    Domain d;
    d.name = std::move(name);
    std::unordered_map<std::string, Span> seen;
    for (const ast::Label& l : labels) {
      if (auto it = seen.find(l.text); it != seen.end()) {
        error_with_note(DiagCode::duplicate_name, l.span, listed_twice(l.text), msg::chk_hint_label_once(), it->second,
                        msg::chk_note_first_listed_here());
        continue;
      }
      seen.emplace(l.text, l.span);
      d.labels.push_back(l.text);
    }
    p_.domains.push_back(std::move(d));
    return static_cast<std::uint32_t>(p_.domains.size() - 1);
  }

  void domains() {
    for (std::uint32_t i = 0; i < m_.inputs.size(); ++i) {
      if (m_.inputs[i].kind == ast::InputKind::kOneOf) {
        p_.input_domain[i] = add_domain(m_.inputs[i].name.name, m_.inputs[i].options, msg::chk_option_twice);
      }
    }
    for (std::uint32_t i = 0; i < m_.bands.size(); ++i) {
      std::vector<ast::Label> labels;
      for (const auto& b : m_.bands[i].bands) labels.push_back(b.label);
      p_.band_domain[i] = add_domain(m_.bands[i].name.name, labels, msg::chk_band_label_twice);
      if (m_.bands[i].bands.empty()) {
        error(DiagCode::band_gap, m_.bands[i].name.span, msg::chk_no_bands(m_.bands[i].name.name), msg::chk_hint_no_bands());
      }
    }
  }

  // ---- indicator trees: weights and full marks ----

  std::string node_path(std::uint32_t index) const {
    const ast::IndicatorNode& n = m_.nodes[index];
    if (n.parent == ast::IndicatorNode::kNoNode) return n.name.name;
    return node_path(n.parent) + "." + n.name.name;
  }

  void structure(std::uint32_t root) {
    const ast::IndicatorNode& r = m_.nodes[root];
    std::int64_t full = kHundred;
    if (r.weight.kind == ast::WeightKind::kPoints) {
      full = r.weight.raw;
    } else if (r.weight.kind != ast::WeightKind::kNone) {
      error(DiagCode::weight_not_share, r.weight.span, msg::chk_root_not_points(weight_text(r.weight)),
            msg::chk_hint_root_points(r.name.name));
    }
    p_.nodes[root].points = true;
    structure_node(root, full);
  }

  std::string weight_text(const ast::Weight& w) const { return std::string(span_text(w.span)); }

  // A level whose weights do not add up. When a variant set some of them (their spans are in
  // another file than the level's), a note points at each such line.
  void weights_error(const ast::IndicatorNode& n, Message message, const std::string& kids) {
    Diagnostic d = diagnose(DiagCode::weights_sum, n.name.span, std::move(message), msg::chk_hint_subindicators_are(kids));
    // A weight another file sets, or the node's segment.
    const auto edited = [&](Span w) {
      if (w.source != n.name.span.source) return true;
      if (n.segment == kNoNode) return false;
      const Span seg = m_.segments[n.segment].span;
      return w.source == seg.source && w.begin >= seg.begin && w.end <= seg.end;
    };
    if (n.segment != kNoNode) {
      d.notes.push_back(Note{m_.segments[n.segment].name.span, msg::seg_note_tree_of(m_.segments[n.segment].name.name)});
    }
    // Where the weight of `x` is set: by a variant (another file), or by the node's segment.
    const auto note_sets = [&](const ast::IndicatorNode& x) {
      d.notes.push_back(Note{x.weight.span, x.weight.span.source != n.name.span.source
                                                ? msg::chk_note_variant_sets(x.name.name, weight_text(x.weight))
                                                : msg::seg_note_sets(x.name.name, weight_text(x.weight), m_.segments[n.segment].name.name)});
    };
    if (n.weight.kind != ast::WeightKind::kNone && edited(n.weight.span)) note_sets(n);
    for (const std::uint32_t c : n.children) {
      if (edited(m_.nodes[c].weight.span)) note_sets(m_.nodes[c]);
    }
    sink_.report(std::move(d));
  }

  // `full` is the node's full marks in points of the root, or -1 when an invalid level above
  // leaves it unknown (its checks that need it are skipped rather than reported twice).
  void structure_node(std::uint32_t index, std::int64_t full) {
    const ast::IndicatorNode& n = m_.nodes[index];
    p_.nodes[index].full = std::max<std::int64_t>(full, 0);
    const std::string path = node_path(index);
    if (n.children.empty()) {
      if (!ast::present(n.formula)) {
        error(DiagCode::bad_indicator, n.name.span, msg::chk_no_formula(path), msg::chk_hint_no_formula(n.name.name));
      }
      return;
    }
    if (ast::present(n.formula)) {
      error(DiagCode::bad_indicator, m_.span(n.formula), msg::chk_formula_and_children(path),
            msg::chk_hint_formula_and_children());
    }
    bool valid = true;
    bool has_percent = false;
    bool has_points = false;
    for (const std::uint32_t c : n.children) {
      const ast::Weight& w = m_.nodes[c].weight;
      if (w.kind == ast::WeightKind::kNone) {
        error(DiagCode::weight_not_share, w.span, msg::chk_weight_no_unit(weight_text(w), path + "." + m_.nodes[c].name.name),
              msg::chk_hint_weight_no_unit(weight_text(w)));
        valid = false;
      } else if (w.kind == ast::WeightKind::kOther) {
        error(DiagCode::weight_not_share, w.span, msg::chk_weight_money(weight_text(w), path + "." + m_.nodes[c].name.name),
              msg::chk_hint_weight_money());
        valid = false;
      } else if (w.kind == ast::WeightKind::kPercent) {
        has_percent = true;
      } else {
        has_points = true;
      }
    }
    if (valid && has_percent && has_points) {
      std::vector<std::string> kids;
      for (const std::uint32_t c : n.children) kids.push_back("`" + m_.nodes[c].name.name + "` " + weight_text(m_.nodes[c].weight));
      error(DiagCode::mixed_weights, n.name.span, msg::chk_mixed_weights(path, plain_list(kids)), msg::chk_hint_mixed_weights());
      valid = false;
    }
    std::int64_t sum = 0;
    std::string kids;
    for (const std::uint32_t c : n.children) {
      sum += m_.nodes[c].weight.raw;
      kids += (kids.empty() ? "" : " + ") + std::string("`") + m_.nodes[c].name.name + "` " + weight_text(m_.nodes[c].weight);
    }
    if (valid && has_percent) {
      const bool relative = sum == kHundred;
      const bool absolute = n.weight.kind == ast::WeightKind::kPercent && sum == n.weight.raw;
      if (!relative && !absolute) {
        const Message expected = n.weight.kind == ast::WeightKind::kPercent && n.weight.raw != kHundred
                                     ? msg::chk_weights_expected_either(n.name.name, pct(n.weight.raw))
                                     : msg::chk_weights_expected_100();
        weights_error(n, msg::chk_weights_sum(path, pct(sum), expected), kids);
        valid = false;
      }
    }
    if (valid && has_points && full >= 0 && sum != full) {
      weights_error(n, msg::chk_points_sum(path, decimal::to_string(sum), decimal::to_string(full), n.name.name), kids);
      valid = false;
    }
    for (const std::uint32_t c : n.children) {
      std::int64_t child_full = -1;  // unknown: this level is already reported as invalid
      if (valid && full < 0) {
        child_full = has_points ? m_.nodes[c].weight.raw : -1;
      } else if (valid && has_percent) {
        child_full = static_cast<std::int64_t>(
            decimal::div_round(static_cast<Int128>(full) * m_.nodes[c].weight.raw, sum));
      } else if (valid) {
        child_full = m_.nodes[c].weight.raw;
        p_.nodes[c].points = true;
      }
      structure_node(c, child_full);
    }
  }

  // ---- symbols ----

  void add_dep(SymbolId to, Span where) {
    if (current_ == kNoSymbol || to == kNoSymbol) return;
    p_.deps[static_cast<std::uint32_t>(current_)].push_back({to, where});
  }

  Symbol& sym(SymbolId id) { return p_.symbols[static_cast<std::uint32_t>(id)]; }

  // Computes the type and range of a symbol (and checks its definition) once.
  void ensure(SymbolId id) {
    auto& st = state_[static_cast<std::uint32_t>(id)];
    if (st != 0) return;
    st = 1;
    const SymbolId saved = current_;
    const std::uint32_t saved_reader = reader_segment_;
    reader_segment_ = kNoNode;
    current_ = id;
    Symbol& s = sym(id);
    switch (s.kind) {
      case SymbolKind::kKey:
        s.type = T(TypeKind::kText);
        break;
      case SymbolKind::kInput:
        input(s);
        break;
      case SymbolKind::kParam:
        param(s);
        break;
      case SymbolKind::kSet: {
        s.type = visit(m_.sets[s.index].value);
        break;
      }
      case SymbolKind::kLet: {
        const ExprId e = m_.lets[s.index].value;
        const Type t = visit(e);
        sym(id).type = t;
        sym(id).range = p_.range(e);
        if (t.kind == TypeKind::kSet || t.kind == TypeKind::kTable || t.kind == TypeKind::kPair ||
            t.kind == TypeKind::kTextList || t.kind == TypeKind::kNumberList) {
          error(DiagCode::type_mismatch, m_.span(e), msg::chk_let_not_single(tn(t)),
                t.kind == TypeKind::kTextList ? msg::chk_hint_let_list() : msg::chk_hint_let_set_table());
          sym(id).type = T(TypeKind::kError);
        }
        break;
      }
      case SymbolKind::kIndicator:
        indicator(id);
        break;
      case SymbolKind::kVeto:
        veto(id);
        break;
      case SymbolKind::kGrade:
      case SymbolKind::kAlert:
        band_decl(id);
        break;
      case SymbolKind::kFund:
        fund(id);
        break;
    }
    current_ = saved;
    reader_segment_ = saved_reader;
    state_[static_cast<std::uint32_t>(id)] = 2;
  }

  void input(Symbol& s) {
    const ast::InputDecl& in = m_.inputs[s.index];
    using K = ast::InputKind;
    switch (in.kind) {
      case K::kScore:
        s.type = T(TypeKind::kNumber);
        s.range = NumRange::between(0, kHundred);
        break;
      case K::kPercent:
        s.type = T(TypeKind::kNumber);
        s.range = NumRange::between(0, kHundred);
        break;
      case K::kNumber:
        s.type = T(TypeKind::kNumber);
        s.range = NumRange::unbounded();
        break;
      case K::kCount:
        s.type = T(TypeKind::kNumber);
        s.range = NumRange{0, 0, false, true};
        break;
      case K::kMoney:
        s.type = T(TypeKind::kMoney);
        s.range = NumRange::unbounded();
        break;
      case K::kText: s.type = T(TypeKind::kText); break;
      case K::kBool: s.type = T(TypeKind::kBool); break;
      case K::kTextList: s.type = T(TypeKind::kTextList); break;
      case K::kNumberList:
        s.type = T(TypeKind::kNumberList);
        s.range = NumRange::unbounded();
        break;
      case K::kScoreList:
        s.type = T(TypeKind::kNumberList);
        s.range = NumRange::between(0, kHundred);
        break;
      case K::kOneOf:
        s.type = Type{TypeKind::kLabel, p_.input_domain[s.index], TypeKind::kError};
        break;
    }
    if (in.range) {
      const ast::RangeSpec& r = *in.range;
      const bool numeric = in.kind == K::kScore || in.kind == K::kNumber || in.kind == K::kCount ||
                           in.kind == K::kMoney || in.kind == K::kPercent || in.kind == K::kNumberList ||
                           in.kind == K::kScoreList;
      const std::string range = decimal::to_string(r.lo) + ".." + decimal::to_string(r.hi);
      if (!numeric) {
        error(DiagCode::bad_range, r.span, msg::chk_range_not_numeric(), msg::chk_hint_range_not_numeric());
      } else if (r.lo > r.hi) {
        error(DiagCode::bad_range, r.span, msg::chk_range_empty(range, in.name.name), msg::chk_hint_range_empty());
      } else if (in.kind == K::kMoney && (r.lo % 10'000 != 0 || r.hi % 10'000 != 0)) {
        error(DiagCode::bad_literal, r.span, msg::chk_range_fen(range, in.name.name), msg::chk_hint_range_fen());
      } else if (in.kind == K::kMoney) {
        // Money ranges are written in 元; keep them in fen.
        s.range = NumRange::between(static_cast<std::int64_t>(decimal::div_round(r.lo, 10'000)),
                                    static_cast<std::int64_t>(decimal::div_round(r.hi, 10'000)));
      } else {
        s.range = NumRange::between(r.lo, r.hi);
        if (in.kind == K::kPercent && (r.lo < 0 || r.hi > kHundred)) {
          error(DiagCode::bad_range, r.span, msg::chk_range_percent(range), msg::chk_hint_range_percent());
        }
        if (in.kind == K::kCount && (r.lo < 0 || r.lo % kOne != 0 || r.hi % kOne != 0)) {
          error(DiagCode::bad_range, r.span, msg::chk_range_count(range), msg::chk_hint_range_count());
        }
      }
    }
    if (in.size) {
      // How many items a list holds: whole numbers, the smaller first (the grammar allows `size`
      // only after a list type).
      const ast::RangeSpec& r = *in.size;
      if (r.lo < 0 || r.lo > r.hi || r.lo % kOne != 0 || r.hi % kOne != 0) {
        error(DiagCode::bad_range, r.span,
              msg::trp_size_range(in.name.name, decimal::to_string(r.lo) + ".." + decimal::to_string(r.hi)),
              msg::trp_hint_size_range());
      }
    }
  }

  void param(Symbol& s) {
    const ast::ParamDecl& decl = m_.params[s.index];
    ParamValue& v = p_.params[s.index];
    const ast::Expr& e = m_.expr(decl.value);
    visit(decl.value);
    if (const auto* n = std::get_if<ast::NumberLit>(&e)) {
      v.type = T(TypeKind::kNumber);
      v.number = ast::literal_value(*n);
    } else if (const auto* mlit = std::get_if<ast::MoneyLit>(&e)) {
      v.type = T(TypeKind::kMoney);
      v.number = mlit->fen;
    } else if (const auto* str = std::get_if<ast::StringLit>(&e)) {
      v.type = T(TypeKind::kText);
      v.text = str->value;
    } else if (const auto* b = std::get_if<ast::BoolLit>(&e)) {
      v.type = T(TypeKind::kBool);
      v.boolean = b->value;
    } else if (const auto* table = std::get_if<ast::TableLit>(&e)) {
      v.type = p_.type(decl.value);
      for (const auto& entry : table->entries) {
        const ast::Expr& ve = m_.expr(entry.value);
        if (const auto* num = std::get_if<ast::NumberLit>(&ve)) {
          v.table[entry.key.text] = ast::literal_value(*num);
        } else if (const auto* money = std::get_if<ast::MoneyLit>(&ve)) {
          v.table[entry.key.text] = money->fen;
        } else {
          error(DiagCode::not_constant, m_.span(entry.value), msg::chk_table_entry_literal(),
                msg::chk_hint_write_eg("\"城东街道\": 300万元"));
          v.type = T(TypeKind::kError);
        }
      }
    } else {
      error(DiagCode::not_constant, m_.span(decl.value), msg::chk_param_not_literal(decl.name.name),
            msg::chk_hint_param_not_literal());
      v.type = T(TypeKind::kError);
    }
    s.type = v.type;
    if (is_num(v.type) || is_money(v.type)) s.range = NumRange::exact(v.number);
  }

  // Applies --param overrides once every param has its declared value.
  void overrides() {
    for (const ParamOverride& o : options_.params) {
      std::string name = o.name;
      std::string entry;
      SymbolId id = kNoSymbol;
      if (auto it = top_.find(name); it != top_.end()) id = it->second;
      if (id == kNoSymbol) {
        if (const auto dot = name.find('.'); dot != std::string::npos) {
          entry = name.substr(dot + 1);
          name = name.substr(0, dot);
          if (auto it = top_.find(name); it != top_.end()) id = it->second;
        }
      }
      if (id == kNoSymbol || sym(id).kind != SymbolKind::kParam) {
        std::vector<std::string> names;
        for (const auto& prm : m_.params) names.push_back(prm.name.name);
        std::optional<Message> hint;
        if (auto best = closest_name(name, names)) {
          hint = msg::did_you_mean(*best);
        } else {
          hint = names.empty() ? msg::chk_hint_no_params() : msg::chk_hint_params_are(backticked_list(names));
        }
        Diagnostic d = diagnose(DiagCode::unknown_param, Span{}, msg::chk_param_unknown(o.name, o.value), hint);
        d.file = kParamOrigin;
        sink_.report(std::move(d));
        continue;
      }
      ParamValue& v = p_.params[sym(id).index];
      TypeKind want = v.type.kind;
      if (want == TypeKind::kTable) {
        if (entry.empty()) {
          bad_override(o, msg::chk_expected_table_entry(name));
          continue;
        }
        want = v.type.value;
      } else if (!entry.empty()) {
        bad_override(o, msg::chk_expected_not_table(name));
        continue;
      }
      std::int64_t number = 0;
      std::string text;
      bool boolean = false;
      Message expected;
      if (!parse_param_literal(o.value, want, number, text, boolean, expected)) {
        bad_override(o, std::move(expected));
        continue;
      }
      if (!entry.empty()) {
        v.table[entry] = number;
      } else {
        v.number = number;
        v.text = text;
        v.boolean = boolean;
        if (is_num(v.type) || is_money(v.type)) sym(id).range = NumRange::exact(number);
      }
      v.overridden = true;
    }
  }

  void bad_override(const ParamOverride& o, Message expected) {
    Diagnostic d = diagnose(DiagCode::bad_param_value, Span{}, msg::chk_param_unreadable(o.name, o.value),
                            msg::chk_hint_expected(std::move(expected)));
    d.file = kParamOrigin;
    sink_.report(std::move(d));
  }

  // ---- indicators ----

  // Each segment's node of the path (one node without segments); the range covers them all.
  void indicator(SymbolId id) {
    std::vector<std::uint32_t> variants{sym(id).index};
    if (const auto it = path_segments_.find(id); it != path_segments_.end() && it->second.size() > 1) {
      for (std::uint32_t i = 0; i < m_.nodes.size(); ++i) {
        if (i != sym(id).index && !m_.nodes[i].detached && p_.nodes[i].symbol == id) variants.push_back(i);
      }
    }
    NumRange range;
    for (std::size_t v = 0; v < variants.size(); ++v) {
      reader_segment_ = m_.nodes[variants[v]].segment;
      indicator_node(id, variants[v]);
      range = v == 0 ? sym(id).range : range_union(range, sym(id).range);
    }
    sym(id).range = range;
  }

  void indicator_node(SymbolId id, std::uint32_t index) {
    const ast::IndicatorNode& n = m_.nodes[index];
    const NodeInfo& info = p_.nodes[index];
    if (n.segment != kNoNode && n.missing == ast::MissingRule::kPeerAverage && reported_peer_.insert(n.missing_span.begin).second) {
      error(DiagCode::bad_indicator, n.missing_span, msg::seg_peer_average(sym(id).name), msg::seg_hint_peer_average());
    }
    sym(id).type = T(TypeKind::kNumber);
    for (const std::uint32_t c : n.children) {
      if (p_.nodes[c].symbol == kNoSymbol) continue;
      add_dep(p_.nodes[c].symbol, m_.nodes[c].name.span);
      ensure(p_.nodes[c].symbol);
    }
    if (ast::present(n.formula) && n.children.empty()) {
      const Type t = visit(n.formula);
      if (!is_err(t) && !is_num(t)) {
        error(DiagCode::type_mismatch, m_.span(n.formula), msg::chk_formula_not_score(sym(id).name, tn(t)),
              t.kind == TypeKind::kBool    ? std::optional<Message>(msg::chk_hint_formula_bool())
              : t.kind == TypeKind::kMoney ? std::optional<Message>(msg::chk_hint_formula_money())
                                           : std::nullopt);
      }
    }
    NumRange bonus = NumRange::exact(0);
    for (const ast::Adjust& a : n.adjusts) {
      const NumRange r = adjust(a, sym(id).name);
      if (a.kind == ast::AdjustKind::kBonus) bonus = range_add(bonus, r);
    }
    if (ast::present(n.deductions_max)) number_expr(n.deductions_max, msg::chk_what_deductions_cap());
    if (ast::present(n.bonuses_max)) {
      number_expr(n.bonuses_max, msg::chk_what_bonuses_cap());
      bonus = range_min(bonus, p_.range(n.bonuses_max));
    }
    // A leaf scores within [0, full marks]; a group within the sum of its sub-indicators (whose
    // bonuses can carry it past its full marks); either can gain its own bonuses on top.
    NumRange r = NumRange::between(0, info.full);
    if (!n.children.empty()) {
      r = NumRange::exact(0);
      for (const std::uint32_t c : n.children) {
        // In a segment's tree, its own sub-indicators' ranges (the path's covers every segment's).
        if (const auto own = node_range_.find(c); own != node_range_.end()) {
          r = range_add(r, own->second);
        } else if (p_.nodes[c].symbol != kNoSymbol) {
          r = range_add(r, sym(p_.nodes[c].symbol).range);
        }
      }
      r = range_max(r, NumRange::exact(0));
    }
    r = range_add(r, NumRange{0, bonus.hi_inf ? 0 : std::max<std::int64_t>(0, bonus.hi), false, bonus.hi_inf});
    sym(id).range = r;
    if (n.segment != kNoNode) node_range_[index] = r;
  }

  void number_expr(ExprId e, Message what) {
    const Type t = visit(e);
    if (!is_err(t) && !is_num(t)) {
      error(DiagCode::type_mismatch, m_.span(e), msg::chk_not_points(std::move(what), tn(t)));
    }
  }

  // Returns the range of the adjustment's amount after its cap.
  NumRange adjust(const ast::Adjust& a, const std::string& node) {
    number_expr(a.amount, a.kind == ast::AdjustKind::kDeduct ? msg::chk_what_deduction_points(a.name.name)
                                                             : msg::chk_what_bonus_points(a.name.name));
    NumRange r = p_.range(a.amount);
    if (ast::present(a.per)) {
      number_expr(a.per, msg::chk_what_per(a.name.name));
      r = range_mul(r, p_.range(a.per), kOne);
    }
    if (ast::present(a.when)) {
      const Type t = visit(a.when);
      if (!is_err(t) && t.kind != TypeKind::kBool) {
        error(DiagCode::type_mismatch, m_.span(a.when), msg::chk_condition_not_bool(msg::chk_what_name(a.name.name), tn(t)),
              msg::chk_hint_when_comparison());
      }
      r = range_union(r, NumRange::exact(0));
    }
    if (ast::present(a.max)) {
      number_expr(a.max, msg::chk_what_cap_of(a.name.name));
      r = range_min(r, p_.range(a.max));
    }
    (void)node;
    return range_max(r, NumRange::exact(0));
  }

  // ---- vetoes ----

  void veto(SymbolId id) {
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

  bool resolve_label(const ast::Label& label, std::uint32_t domain, std::uint32_t& out) {
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

  bool resolve_band_target(const ast::VetoEffect& e, bool grade, ResolvedEffect& r) {
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

  bool resolve_fund_target(const ast::VetoEffect& e, ResolvedEffect& r) {
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
  void link_effect(SymbolId target, Span where) {
    p_.deps[static_cast<std::uint32_t>(target)].push_back({current_, where});
  }

  std::optional<Message> candidates_hint(const std::string& name, SymbolKind kind) {
    std::vector<std::string> names;
    for (const auto& s : p_.symbols) {
      if (s.kind == kind) names.push_back(s.name);
    }
    if (auto best = closest_name(name, names)) return msg::did_you_mean(*best);
    return std::nullopt;
  }

  // ---- grades and alerts ----

  void band_decl(SymbolId id) {
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

  // ---- funds ----

  void fund(SymbolId id) {
    const ast::FundDecl& f = m_.funds[sym(id).index];
    sym(id).type = T(TypeKind::kFund);
    const Type pool = visit(f.pool);
    if (ast::present(f.per_group)) {
      const Type g = visit(f.per_group);
      if (!is_err(g) && g.kind != TypeKind::kText && g.kind != TypeKind::kLabel) {
        error(DiagCode::type_mismatch, m_.span(f.per_group), msg::chk_fund_per_type(f.name.name, tn(g)),
              msg::chk_hint_fund_per());
      }
      const bool ok = is_err(pool) || is_money(pool) || (pool.kind == TypeKind::kTable && pool.value == TypeKind::kMoney);
      if (!ok) {
        error(DiagCode::type_mismatch, m_.span(f.pool), msg::chk_pool_not_money(f.name.name, tn(pool)),
              msg::chk_hint_pool_table_per());
      }
    } else {
      if (!is_err(pool) && !is_money(pool)) {
        error(DiagCode::type_mismatch, m_.span(f.pool), msg::chk_pool_not_money(f.name.name, tn(pool)),
              pool.kind == TypeKind::kTable ? msg::chk_hint_pool_table_needs_per() : msg::chk_hint_pool_amount());
      } else if (is_money(pool) && !constant_expr(f.pool)) {
        error(DiagCode::not_constant, m_.span(f.pool), msg::chk_pool_varies(f.name.name), msg::chk_hint_pool_varies());
      }
    }
    std::int64_t shares = 0;
    std::string list;
    std::unordered_map<std::string, Span> names;
    for (const ast::Track& t : f.tracks) {
      if (auto it = names.find(t.name.name); it != names.end()) {
        error_with_note(DiagCode::duplicate_name, t.name.span, msg::chk_two_tracks(f.name.name, t.name.name),
                        msg::chk_hint_track_names(), it->second, msg::chk_note_first_here());
      }
      names.emplace(t.name.name, t.name.span);
      if (t.share.kind != ast::WeightKind::kPercent) {
        error(DiagCode::weight_not_share, t.share.span, msg::chk_track_share_not_percent(t.name.name, weight_text(t.share)),
              msg::chk_hint_track_share());
      } else {
        shares += t.share.raw;
        list += (list.empty() ? "" : " + ") + std::string("`") + t.name.name + "` " + weight_text(t.share);
      }
      track(f, t);
    }
    if (f.tracks.empty()) {
      error(DiagCode::track_shares_sum, f.name.span, msg::chk_no_tracks(f.name.name), msg::chk_hint_no_tracks());
    } else if (shares != kHundred && !list.empty()) {
      error(DiagCode::track_shares_sum, f.name.span, msg::chk_track_shares_sum(f.name.name, pct(shares)),
            msg::chk_hint_tracks_are(list));
    }
    if (f.ties.empty()) {
      error(DiagCode::missing_ties, f.name.span, msg::chk_missing_ties(f.name.name),
            msg::chk_hint_missing_ties(m_.subject ? m_.subject->key.name : std::string("社区编码")));
    }
    for (const ast::TieKey& k : f.ties) {
      const Type t = visit(k.key);
      if (!is_err(t) && t.kind != TypeKind::kNumber && t.kind != TypeKind::kMoney && t.kind != TypeKind::kText &&
          t.kind != TypeKind::kLabel) {
        error(DiagCode::type_mismatch, m_.span(k.key), msg::chk_cannot_order_by(tn(t)), msg::chk_hint_order_by());
      }
    }
  }

  void track(const ast::FundDecl& f, const ast::Track& t) {
    const Message what = msg::chk_what_track(f.name.name + "." + t.name.name);
    if (ast::present(t.by)) {
      const Type by = visit(t.by);
      if (!is_err(by) && !is_num(by) && !is_money(by)) {
        const bool top = t.mode == ast::TrackMode::kTop;
        error(DiagCode::type_mismatch, m_.span(t.by),
              top ? msg::chk_track_ranks_by(what, tn(by)) : msg::chk_track_splits_by(what, tn(by)),
              top ? msg::chk_hint_rank_by() : msg::chk_hint_split_by());
      }
    }
    if (t.mode == ast::TrackMode::kTop) {
      if (t.top_raw <= 0 || (t.top_percent && t.top_raw > kHundred) ||
          (!t.top_percent && t.top_raw % kOne != 0)) {
        error(DiagCode::bad_arguments, t.top_span,
              msg::chk_track_top(what, decimal::to_string(t.top_raw) + (t.top_percent ? "%" : "")), msg::chk_hint_track_top());
      }
      if (!t.top_percent && t.top_option_span.valid()) {
        // `of all`, `rounded up`: how a share becomes a number of rows; a number of rows has none.
        const KwId option = t.top_base == ast::TopBase::kAll        ? KwId::kw_of_all
                            : t.top_base == ast::TopBase::kEligible ? KwId::kw_of_eligible
                            : t.top_rounding == ast::TopRounding::kUp ? KwId::kw_rounded_up
                                                                      : KwId::kw_rounded_down;
        const std::string written(keyword_info(option).english);
        error(DiagCode::bad_arguments, t.top_option_span, msg::trp_top_option_not_percent(what, written),
              msg::trp_hint_top_option(written));
      }
      if (ast::present(t.proportional)) {
        const Type pt = visit(t.proportional);
        if (!is_err(pt) && !is_num(pt) && !is_money(pt)) {
          error(DiagCode::type_mismatch, m_.span(t.proportional), msg::chk_track_proportional(what, tn(pt)));
        }
      }
    }
    if (ast::present(t.when)) {
      const Type w = visit(t.when);
      if (!is_err(w) && w.kind != TypeKind::kBool) {
        error(DiagCode::type_mismatch, m_.span(t.when), msg::chk_condition_not_bool(what, tn(w)));
      }
    }
  }

  // True when `e` refers to params and literals only.
  bool constant_expr(ExprId e) {
    std::vector<ExprId> todo{e};
    while (!todo.empty()) {
      const ExprId id = todo.back();
      todo.pop_back();
      const ast::Expr& x = m_.expr(id);
      if (std::holds_alternative<ast::NameRef>(x)) {
        const SymbolId s = p_.ref(id);
        if (s != kNoSymbol && sym(s).kind != SymbolKind::kParam) return false;
      } else if (const auto* u = std::get_if<ast::Unary>(&x)) {
        todo.push_back(u->operand);
      } else if (const auto* b = std::get_if<ast::Binary>(&x)) {
        todo.push_back(b->lhs);
        todo.push_back(b->rhs);
      } else if (!std::holds_alternative<ast::NumberLit>(x) && !std::holds_alternative<ast::MoneyLit>(x)) {
        return false;
      }
    }
    return true;
  }

  // The amount of every fund whose pool is a constant (a literal, a param, or arithmetic of
  // them), after --param overrides.
  void fund_pools() {
    p_.fund_pool.assign(m_.funds.size(), std::nullopt);
    for (std::size_t i = 0; i < m_.funds.size(); ++i) {
      const ExprId pool = m_.funds[i].pool;
      if (!is_money(p_.type(pool)) || !constant_expr(pool)) continue;
      p_.fund_pool[i] = const_value(pool);
      if (!p_.fund_pool[i]) {
        error(DiagCode::arithmetic_overflow, m_.span(pool), msg::chk_pool_inexact(m_.funds[i].name.name),
              msg::chk_hint_pool_inexact());
      } else if (*p_.fund_pool[i] < 0) {
        error(DiagCode::bad_arguments, m_.span(pool),
              msg::chk_pool_negative(m_.funds[i].name.name, decimal::format_yuan(*p_.fund_pool[i])),
              msg::chk_hint_pool_negative());
      }
    }
  }

  // The value of a constant number or money expression, with the language's rounding; nullopt on
  // overflow or division by zero.
  std::optional<std::int64_t> const_value(ExprId e) {
    const ast::Expr& x = m_.expr(e);
    if (const auto* n = std::get_if<ast::NumberLit>(&x)) return ast::literal_value(*n);
    if (const auto* money = std::get_if<ast::MoneyLit>(&x)) return money->fen;
    if (std::holds_alternative<ast::NameRef>(x)) return p_.params[sym(p_.ref(e)).index].number;
    if (const auto* u = std::get_if<ast::Unary>(&x)) {
      const auto v = const_value(u->operand);
      std::int64_t out = 0;
      if (!v || !decimal::sub(0, *v, out)) return std::nullopt;
      return out;
    }
    if (!std::holds_alternative<ast::Binary>(x)) return std::nullopt;
    // `a + b + c ...` nests down the left: computed from the innermost operation out, in a loop.
    const std::vector<ExprId> chain = ast::left_chain(m_.exprs, e);
    auto value = const_value(std::get<ast::Binary>(m_.expr(chain.front())).lhs);
    for (const ExprId op : chain) {
      if (!value) return std::nullopt;
      value = const_binary(std::get<ast::Binary>(m_.expr(op)), *value);
    }
    return value;
  }

  // The value of the constant operation `b` whose left operand is `l`.
  std::optional<std::int64_t> const_binary(const ast::Binary& b, std::int64_t l) {
    const auto r = const_value(b.rhs);
    if (!r) return std::nullopt;
    const bool lm = is_money(p_.type(b.lhs));
    const bool rm = is_money(p_.type(b.rhs));
    std::int64_t out = 0;
    bool ok = false;
    switch (b.op) {
      case ast::BinaryOp::kAdd: ok = decimal::add(l, *r, out); break;
      case ast::BinaryOp::kSub: ok = decimal::sub(l, *r, out); break;
      case ast::BinaryOp::kMul:
        ok = lm ? decimal::money_mul(l, *r, out) : rm ? decimal::money_mul(*r, l, out) : decimal::mul(l, *r, out);
        break;
      case ast::BinaryOp::kDiv:
        if (*r == 0) return std::nullopt;
        ok = lm && rm ? decimal::money_ratio(l, *r, out) : lm ? decimal::money_div(l, *r, out) : decimal::div(l, *r, out);
        break;
      default: return std::nullopt;
    }
    if (!ok) return std::nullopt;
    return out;
  }

  // ---- outputs ----

  void outputs() {
    if (!m_.output) return;
    const SymbolId saved = current_;
    current_ = kNoSymbol;
    reader_segment_ = kAnySegment;
    std::set<std::string> seen;
    for (const ExprId e : m_.output->items) {
      const Type t = visit(e);
      const std::string name = ast::path_text(std::get<ast::NameRef>(m_.expr(e)));
      if (!seen.insert(name).second) {
        error(DiagCode::duplicate_name, m_.span(e), msg::chk_output_twice(name), msg::chk_hint_output_once());
      }
      if (t.kind == TypeKind::kSet || t.kind == TypeKind::kTable) {
        error(DiagCode::type_mismatch, m_.span(e), msg::chk_output_not_per_row(tn(t)), msg::chk_hint_output_kinds());
      }
    }
    current_ = saved;
  }

  // ---- segments ----

  // A path that only some segments' trees have has no value on the rows of the others: only those
  // trees, and `output` (an empty cell), may read it.
  bool segment_read(SymbolId id, ExprId e) {
    const auto it = path_segments_.find(id);
    if (it == path_segments_.end() || it->second.size() == m_.segments.size() || reader_segment_ == kAnySegment) return true;
    const std::vector<std::uint32_t>& in = it->second;
    if (std::find(in.begin(), in.end(), reader_segment_) != in.end()) return true;
    std::vector<std::string> with;
    std::vector<std::string> without;
    for (std::uint32_t k = 0; k < m_.segments.size(); ++k) {
      (std::find(in.begin(), in.end(), k) != in.end() ? with : without).push_back(m_.segments[k].name.name);
    }
    error(DiagCode::segment_path, m_.span(e), msg::seg_partial_path(sym(id).name, backticked_list(with), backticked_list(without)),
          msg::seg_hint_partial_path());
    return false;
  }

  // Each segment's condition: yes/no, read from the row's own data (inputs, params, sets), so that
  // a row's segment is known before anything is scored. Every node of the trees reads what it reads.
  void segments() {
    if (m_.segments.size() > kMaxSegments) {
      error(DiagCode::too_deep, m_.segments[kMaxSegments].name.span, msg::seg_too_many(m_.segments.size(), kMaxSegments),
            msg::seg_hint_too_many());
      return;
    }
    std::unordered_map<std::string, Span> names;
    for (const ast::SegmentDecl& seg : m_.segments) {
      if (const auto [at, fresh] = names.emplace(seg.name.name, seg.name.span); !fresh) {
        error_with_note(DiagCode::duplicate_name, seg.name.span, msg::seg_twice(seg.name.name), msg::hint_rename_one(),
                        at->second, msg::note_first_declared_here(seg.name.name));
      }
      current_ = kNoSymbol;
      reader_segment_ = kNoNode;
      const Type t = visit(seg.when);
      if (!is_err(t) && t.kind != TypeKind::kBool) {
        error(DiagCode::type_mismatch, m_.span(seg.when), msg::chk_condition_not_bool(msg::seg_what_condition(seg.name.name), tn(t)),
              msg::chk_hint_when_comparison());
      }
      std::vector<ExprId> refs;
      names_in(seg.when, refs);
      for (const ExprId r : refs) {
        const SymbolId to = p_.ref(r);
        if (to == kNoSymbol) continue;
        const SymbolKind k = sym(to).kind;
        if (k != SymbolKind::kInput && k != SymbolKind::kKey && k != SymbolKind::kParam && k != SymbolKind::kSet) {
          error(DiagCode::segment_condition, m_.span(r), msg::seg_condition_reads(seg.name.name, kind_message(sym(to)), sym(to).name),
                msg::seg_hint_condition_reads());
          continue;
        }
        // Every node of the segments' trees is computed on its segment's rows: it reads the condition.
        for (const auto& [node, in] : path_segments_) p_.deps[static_cast<std::uint32_t>(node)].push_back({to, m_.span(r)});
      }
      if (const auto inputs = unguarded_optional(seg.when); !inputs.empty()) {
        error(DiagCode::unhandled_missing, m_.span(seg.when),
              msg::chk_reads_optional(msg::seg_what_condition(seg.name.name), "`" + m_.inputs[inputs[0]].name.name + "`"),
              msg::chk_hint_reads_optional(m_.inputs[inputs[0]].name.name));
      }
    }
  }

  // The optional inputs a condition reads where they may be missing: `present(x) and E` and
  // `not present(x) or E` read x in E only where it has a value. (A condition is computed whole,
  // both sides of `and`: E sees x's placeholder on the rows without it, and the guard decides.)
  std::vector<std::uint32_t> unguarded_optional(ExprId e, int depth = 0) const {
    const auto* b = std::get_if<ast::Binary>(&m_.expr(e));
    // Deeper than 64 `and`/`or`: every optional input counts (no deep recursion).
    if (b == nullptr || depth > 64 || (b->op != ast::BinaryOp::kAnd && b->op != ast::BinaryOp::kOr)) return optional_inputs(p_, e);
    // The inputs the left side proves present (with `and`) or handles when absent (with `or`).
    std::vector<std::uint32_t> guarded;
    std::vector<ExprId> todo{b->lhs};
    while (!todo.empty()) {
      ExprId g = todo.back();
      todo.pop_back();
      const ast::Expr& x = m_.expr(g);
      if (const auto* inner = std::get_if<ast::Binary>(&x); inner != nullptr && inner->op == b->op) {
        todo.push_back(inner->lhs);
        todo.push_back(inner->rhs);
        continue;
      }
      if (b->op == ast::BinaryOp::kOr) {
        const auto* u = std::get_if<ast::Unary>(&x);
        if (u == nullptr || u->op != ast::UnaryOp::kNot) continue;
        g = u->operand;
      }
      const auto* c = std::get_if<ast::Call>(&m_.expr(g));
      if (c == nullptr || p_.builtin(g) != Builtin::kPresent || c->args.size() != 1) continue;
      const SymbolId sym = p_.ref(c->args[0]);
      if (sym != kNoSymbol && p_.symbol(sym).kind == SymbolKind::kInput) guarded.push_back(p_.symbol(sym).index);
    }
    std::vector<std::uint32_t> out = unguarded_optional(b->lhs, depth + 1);
    for (const std::uint32_t i : unguarded_optional(b->rhs, depth + 1)) {
      if (std::find(guarded.begin(), guarded.end(), i) == guarded.end()) out.push_back(i);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // The names `e` reads, with a list for a stack (a long chain of `or` must not recurse per term).
  void names_in(ExprId e, std::vector<ExprId>& out) const {
    std::vector<ExprId> todo{e};
    while (!todo.empty()) {
      const ExprId x = todo.back();
      todo.pop_back();
      if (std::holds_alternative<ast::NameRef>(m_.expr(x))) out.push_back(x);
      ast::for_each_operand(m_.exprs, x, [&](ExprId c) { todo.push_back(c); });
    }
  }

  // ---- unused declarations ----

  void unused() {
    // An error often leaves a declaration unused (a misspelt name); say only what is certain.
    if (sink_.error_count() > errors_at_start_) return;
    for (std::size_t i = 0; i < p_.symbols.size(); ++i) {
      if (used_[i]) continue;
      const Symbol& s = p_.symbols[i];
      if (s.kind == SymbolKind::kInput) {
        sink_.report(diagnose(DiagCode::unused_input, s.span, msg::chk_unused_input(s.name), msg::chk_hint_unused_input()));
      } else if (s.kind == SymbolKind::kParam || s.kind == SymbolKind::kSet || s.kind == SymbolKind::kLet) {
        sink_.report(diagnose(DiagCode::unused_declaration, s.span, msg::chk_unused(kind_message(s), s.name),
                              msg::chk_hint_unused()));
      }
    }
  }

  // ---- names ----

  SymbolId resolve(const ast::NameRef& ref, ExprId e) {
    const ast::Ident& first = ref.parts.front();
    if (ref.parts.size() == 1) {
      if (auto it = top_.find(first.name); it != top_.end()) return it->second;
      unknown_name(first, e);
      return kNoSymbol;
    }
    std::string path = first.name;
    auto it = top_.find(first.name);
    if (it == top_.end()) {
      unknown_name(first, e);
      return kNoSymbol;
    }
    if (sym(it->second).kind != SymbolKind::kIndicator) {
      error(DiagCode::unknown_name, ref.parts[1].span, msg::chk_not_indicator_path(first.name, ast::path_text(ref)),
            msg::chk_hint_indicator_path());
      return kNoSymbol;
    }
    SymbolId at = it->second;
    for (std::size_t i = 1; i < ref.parts.size(); ++i) {
      const std::string next = path + "." + ref.parts[i].name;
      auto found = paths_.find(next);
      if (found == paths_.end()) {
        std::vector<std::string> children;
        for (const std::uint32_t c : m_.nodes[sym(at).index].children) children.push_back(m_.nodes[c].name.name);
        std::optional<Message> hint;
        if (auto best = closest_name(ref.parts[i].name, children)) {
          hint = msg::did_you_mean(path + "." + *best);
        } else if (!children.empty()) {
          hint = msg::chk_hint_its_subindicators(backticked_list(children));
        } else {
          hint = msg::chk_hint_no_subindicators(path);
        }
        error(DiagCode::unknown_name, ref.parts[i].span, msg::chk_no_subindicator(path, ref.parts[i].name), hint);
        return kNoSymbol;
      }
      path = next;
      at = found->second;
    }
    return at;
  }

  // What `ref` names, without reporting anything when it names nothing.
  SymbolId lookup(const ast::NameRef& ref) const {
    const auto it = top_.find(ref.parts.front().name);
    if (it == top_.end() || ref.parts.size() == 1) return it == top_.end() ? kNoSymbol : it->second;
    std::string path = ref.parts.front().name;
    for (std::size_t i = 1; i < ref.parts.size(); ++i) path += "." + ref.parts[i].name;
    const auto found = paths_.find(path);
    return found == paths_.end() ? kNoSymbol : found->second;
  }

  // Whether `id`, not yet checked, is on a cycle with the symbol being checked: it then stays
  // unchecked here (it reads this one), as a symbol being checked does.
  bool on_cycle_with_current(SymbolId id) const {
    if (current_ == kNoSymbol) return false;
    const std::uint32_t c = order_.component[static_cast<std::uint32_t>(id)];
    return order_.cyclic[c] && c == order_.component[static_cast<std::uint32_t>(current_)];
  }

  void unknown_name(const ast::Ident& name, ExprId e) {
    (void)e;
    if (names_.empty()) {
      for (const auto& [n, id] : top_) names_.push_back(n);
      std::sort(names_.begin(), names_.end());
    }
    std::optional<Message> hint;
    std::string suggestion;
    if (auto lp = leaf_paths_.find(name.name); lp != leaf_paths_.end()) {
      suggestion = lp->second.front();
      hint = msg::hint_leaf_path(suggestion);
    } else if (auto best = suggester_.closest(name.name, names_)) {
      suggestion = *best;
      hint = msg::did_you_mean(suggestion);
    }
    Diagnostic d = diagnose(DiagCode::unknown_name, name.span, msg::unknown_name(name.name), hint);
    if (!suggestion.empty()) {
      SymbolId target = kNoSymbol;
      if (auto t = top_.find(suggestion); t != top_.end()) target = t->second;
      if (auto t = paths_.find(suggestion); t != paths_.end()) target = t->second;
      if (target != kNoSymbol) {
        d.notes.push_back(Note{sym(target).span, msg::note_declared_here(kind_message(sym(target)), suggestion)});
      }
    }
    sink_.report(std::move(d));
  }


  // ---- expressions ----

  Type set_type(ExprId e, Type t, NumRange r = NumRange::unbounded()) {
    p_.expr_type[static_cast<std::uint32_t>(e)] = t;
    p_.expr_range[static_cast<std::uint32_t>(e)] = r;
    return t;
  }

  Type visit(ExprId e) {
    if (visited_[static_cast<std::uint32_t>(e)]) return p_.type(e);
    // `a + b + c ...` nests down the left: type its inner operations first, innermost first, so
    // that each finds its left operand typed and the recursion stays one level deep.
    if (const auto* b = std::get_if<ast::Binary>(&m_.expr(e));
        b != nullptr && !visited_[static_cast<std::uint32_t>(b->lhs)] && std::holds_alternative<ast::Binary>(m_.expr(b->lhs))) {
      for (const ExprId inner : ast::left_chain(m_.exprs, b->lhs)) visit(inner);
    }
    visited_[static_cast<std::uint32_t>(e)] = true;
    return std::visit([&](const auto& node) { return visit_node(e, node); }, m_.expr(e));
  }

  Type visit_node(ExprId e, const ast::NumberLit& n) {
    return set_type(e, T(TypeKind::kNumber), NumRange::exact(ast::literal_value(n)));
  }
  Type visit_node(ExprId e, const ast::MoneyLit& n) { return set_type(e, T(TypeKind::kMoney), NumRange::exact(n.fen)); }
  Type visit_node(ExprId e, const ast::StringLit&) { return set_type(e, T(TypeKind::kText)); }
  Type visit_node(ExprId e, const ast::BoolLit&) { return set_type(e, T(TypeKind::kBool)); }

  Type visit_node(ExprId e, const ast::NameRef& ref) {
    const SymbolId id = resolve(ref, e);
    if (id == kNoSymbol) return set_type(e, T(TypeKind::kError));
    p_.expr_ref[static_cast<std::uint32_t>(e)] = id;
    used_[static_cast<std::uint32_t>(id)] = true;
    add_dep(id, m_.span(e));
    if (state_[static_cast<std::uint32_t>(id)] == 0 && !on_cycle_with_current(id)) ensure(id);
    const Symbol& s = sym(id);
    const bool unfinished = state_[static_cast<std::uint32_t>(id)] != 2;  // on a cycle with this one
    if (unfinished && s.kind == SymbolKind::kLet) {
      // A cycle through lets: the planner reports it; type it as invalid to stay quiet here.
      return set_type(e, T(TypeKind::kError));
    }
    Type t = s.type;
    NumRange r = s.range;
    if (s.kind == SymbolKind::kIndicator && unfinished) {
      t = T(TypeKind::kNumber);
      r = NumRange::between(0, p_.nodes[s.index].full);
    }
    if (s.kind == SymbolKind::kFund && current_ != kNoSymbol) {
      error(DiagCode::type_mismatch, m_.span(e), msg::chk_fund_in_formula(s.name), msg::chk_hint_fund_in_formula());
      return set_type(e, T(TypeKind::kError));
    }
    if (s.kind == SymbolKind::kIndicator && !segment_read(id, e)) return set_type(e, T(TypeKind::kError));
    return set_type(e, t, r);
  }

  Type visit_node(ExprId e, const ast::Unary& u) {
    const Type t = visit(u.operand);
    if (is_err(t)) return set_type(e, t);
    if (u.op == ast::UnaryOp::kNot) {
      if (t.kind != TypeKind::kBool) {
        error(DiagCode::type_mismatch, m_.span(u.operand), msg::chk_not_needs_condition(tn(t)));
        return set_type(e, T(TypeKind::kError));
      }
      return set_type(e, t);
    }
    if (!is_num(t) && !is_money(t)) {
      error(DiagCode::type_mismatch, m_.span(u.operand), msg::chk_cannot_negate(tn(t)));
      return set_type(e, T(TypeKind::kError));
    }
    return set_type(e, t, range_neg(p_.range(u.operand)));
  }

  std::string operand(ExprId e) const { return "`" + expr_text(e) + "`"; }

  Type visit_node(ExprId e, const ast::Binary& b) {
    using B = ast::BinaryOp;
    const Type l = visit(b.lhs);
    const Type r = visit(b.rhs);
    if (is_err(l) || is_err(r)) {
      const bool logical = b.op >= B::kEq;
      return set_type(e, logical ? T(TypeKind::kBool) : T(TypeKind::kError));
    }
    const NumRange lr = p_.range(b.lhs);
    const NumRange rr = p_.range(b.rhs);
    switch (b.op) {
      case B::kAdd:
      case B::kSub: {
        if ((is_num(l) && is_num(r)) || (is_money(l) && is_money(r))) {
          return set_type(e, l, b.op == B::kAdd ? range_add(lr, rr) : range_sub(lr, rr));
        }
        return mismatch(e, b, l, r, b.op == B::kAdd ? msg::chk_verb_add() : msg::chk_verb_subtract(),
                        (is_money(l) || is_money(r)) && (is_num(l) || is_num(r))
                            ? std::optional<Message>(msg::chk_hint_money_scores())
                            : std::nullopt);
      }
      case B::kMul: {
        if (is_num(l) && is_num(r)) return set_type(e, l, range_mul(lr, rr, kOne));
        if (is_money(l) && is_num(r)) return set_type(e, l, range_mul(lr, rr, kOne));
        if (is_num(l) && is_money(r)) return set_type(e, r, range_mul(lr, rr, kOne));
        return mismatch(e, b, l, r, msg::chk_verb_multiply(),
                        is_money(l) && is_money(r) ? std::optional<Message>(msg::chk_hint_money_times_money())
                                                   : std::nullopt);
      }
      case B::kDiv: {
        if (is_num(l) && is_num(r)) return set_type(e, l, range_div(lr, rr, kOne));
        if (is_money(l) && is_num(r)) return set_type(e, l, range_div(lr, rr, kOne));
        if (is_money(l) && is_money(r)) return set_type(e, T(TypeKind::kNumber), range_div(lr, rr, kOne));
        return mismatch(e, b, l, r, msg::chk_verb_divide(),
                        is_num(l) && is_money(r) ? std::optional<Message>(msg::chk_hint_number_by_money())
                                                 : std::nullopt);
      }
      case B::kAnd:
      case B::kOr:
        if (l.kind == TypeKind::kBool && r.kind == TypeKind::kBool) return set_type(e, l);
        return mismatch(e, b, l, r, b.op == B::kAnd ? msg::chk_verb_and() : msg::chk_verb_or(), msg::chk_hint_and_or());
      case B::kEq:
      case B::kNe:
      case B::kLt:
      case B::kLe:
      case B::kGt:
      case B::kGe:
        return compare(e, b, l, r);
      case B::kIn:
      case B::kNotIn:
        return membership(e, b, l, r, false);
      case B::kAnyIn:
      case B::kAllIn:
        return membership(e, b, l, r, true);
    }
    return set_type(e, T(TypeKind::kError));
  }

  Type mismatch(ExprId e, const ast::Binary& b, const Type& l, const Type& r, Message verb,
                std::optional<Message> hint) {
    error(DiagCode::type_mismatch, b.op_span, msg::chk_mismatch(std::move(verb), tn(l), operand(b.lhs), tn(r), operand(b.rhs)),
          std::move(hint));
    return set_type(e, T(TypeKind::kError));
  }

  bool is_string_lit(ExprId e) const { return std::holds_alternative<ast::StringLit>(m_.expr(e)); }

  // Checks that a text literal compared with a label names one of its labels.
  void check_label_literal(ExprId lit, const Type& label_type) {
    const auto& s = std::get<ast::StringLit>(m_.expr(lit));
    std::uint32_t index = 0;
    resolve_label(ast::Label{s.value, true, m_.span(lit)}, label_type.domain, index);
  }

  Type compare(ExprId e, const ast::Binary& b, const Type& l, const Type& r) {
    using B = ast::BinaryOp;
    const bool ordering = b.op != B::kEq && b.op != B::kNe;
    const Type boolean = T(TypeKind::kBool);
    if ((is_num(l) && is_num(r)) || (is_money(l) && is_money(r))) return set_type(e, boolean);
    if (!ordering) {
      if (l.kind == TypeKind::kText && r.kind == TypeKind::kText) return set_type(e, boolean);
      if (l.kind == TypeKind::kBool && r.kind == TypeKind::kBool) return set_type(e, boolean);
      if (l.kind == TypeKind::kLabel && r.kind == TypeKind::kLabel && l.domain == r.domain) return set_type(e, boolean);
      if (l.kind == TypeKind::kLabel && r.kind == TypeKind::kText && is_string_lit(b.rhs)) {
        check_label_literal(b.rhs, l);
        return set_type(e, boolean);
      }
      if (r.kind == TypeKind::kLabel && l.kind == TypeKind::kText && is_string_lit(b.lhs)) {
        check_label_literal(b.lhs, r);
        return set_type(e, boolean);
      }
    }
    std::optional<Message> hint;
    if ((is_money(l) && is_num(r)) || (is_num(l) && is_money(r))) {
      hint = msg::chk_hint_compare_money();
    } else if (ordering && (l.kind == TypeKind::kLabel || r.kind == TypeKind::kLabel)) {
      hint = msg::chk_hint_labels_no_order();
    } else if (l.kind == TypeKind::kLabel || r.kind == TypeKind::kLabel) {
      hint = msg::chk_hint_compare_label();
    }
    return mismatch(e, b, l, r, msg::chk_verb_compare(), hint);
  }

  Type membership(ExprId e, const ast::Binary& b, const Type& l, const Type& r, bool list) {
    const Type boolean = T(TypeKind::kBool);
    if (r.kind != TypeKind::kSet) {
      return mismatch(e, b, l, r, msg::chk_verb_membership(), msg::chk_hint_set_right());
    }
    if (list) {
      if (l.kind != TypeKind::kTextList) {
        return mismatch(e, b, l, r, msg::chk_verb_test(), msg::chk_hint_any_all_in());
      }
      return set_type(e, boolean);
    }
    if (l.kind == TypeKind::kText) return set_type(e, boolean);
    if (l.kind == TypeKind::kLabel) {
      for (const ExprId item : set_items(b.rhs)) check_label_literal(item, l);
      return set_type(e, boolean);
    }
    return mismatch(e, b, l, r, msg::chk_verb_membership(),
                    l.kind == TypeKind::kTextList ? std::optional<Message>(msg::chk_hint_list_in()) : std::nullopt);
  }

  // The string literals of a set literal or of the set a name refers to.
  std::vector<ExprId> set_items(ExprId e) const {
    if (const auto* s = std::get_if<ast::SetLit>(&m_.expr(e))) return s->items;
    if (std::holds_alternative<ast::NameRef>(m_.expr(e))) {
      const SymbolId id = p_.ref(e);
      if (id != kNoSymbol && p_.symbol(id).kind == SymbolKind::kSet) return set_items(m_.sets[p_.symbol(id).index].value);
    }
    return {};
  }

  Type visit_node(ExprId e, const ast::If& i) {
    const Type c = visit(i.cond);
    const Type a = visit(i.then_expr);
    const Type b = visit(i.else_expr);
    if (!is_err(c) && c.kind != TypeKind::kBool) {
      error(DiagCode::type_mismatch, m_.span(i.cond), msg::chk_condition_not_bool(msg::chk_what_name("if"), tn(c)));
    }
    if (is_err(a) || is_err(b)) return set_type(e, T(TypeKind::kError));
    if (a.kind == TypeKind::kTextList || a.kind == TypeKind::kNumberList || a.kind == TypeKind::kSet ||
        a.kind == TypeKind::kTable) {
      error(DiagCode::type_mismatch, m_.span(e), msg::chk_if_not_single(tn(a)), msg::chk_hint_if_not_single());
      return set_type(e, T(TypeKind::kError));
    }
    if (!(a == b)) {
      error(DiagCode::type_mismatch, m_.span(e), msg::chk_if_branches(tn(a), operand(i.then_expr), tn(b), operand(i.else_expr)),
            msg::chk_hint_if_branches());
      return set_type(e, T(TypeKind::kError));
    }
    return set_type(e, a, range_union(p_.range(i.then_expr), p_.range(i.else_expr)));
  }

  Type visit_node(ExprId e, const ast::Pair& pr) {
    visit(pr.from);
    visit(pr.to);
    error(DiagCode::bad_arguments, m_.span(e), msg::chk_pair_outside());
    return set_type(e, T(TypeKind::kError));
  }

  Type visit_node(ExprId e, const ast::SetLit& s) {
    std::set<std::string> seen;
    for (const ExprId item : s.items) {
      visit(item);
      const auto& value = std::get<ast::StringLit>(m_.expr(item)).value;
      if (!seen.insert(value).second) {
        error(DiagCode::duplicate_name, m_.span(item), msg::chk_set_twice(value), msg::chk_hint_set_once());
      }
    }
    return set_type(e, T(TypeKind::kSet));
  }

  Type visit_node(ExprId e, const ast::TableLit& t) {
    TypeKind value = TypeKind::kError;
    std::set<std::string> seen;
    for (const auto& entry : t.entries) {
      const Type vt = visit(entry.value);
      if (!seen.insert(entry.key.text).second) {
        error(DiagCode::duplicate_name, entry.key.span, msg::chk_table_twice(entry.key.text), msg::chk_hint_table_once());
      }
      if (is_err(vt)) continue;
      if (!is_num(vt) && !is_money(vt)) {
        error(DiagCode::type_mismatch, m_.span(entry.value), msg::chk_table_value(tn(vt)));
        continue;
      }
      if (value == TypeKind::kError) {
        value = vt.kind;
      } else if (value != vt.kind) {
        error(DiagCode::type_mismatch, m_.span(entry.value), msg::chk_table_mixed(), msg::chk_hint_same_unit());
      }
    }
    return set_type(e, Type{TypeKind::kTable, 0, value});
  }

  Type visit_node(ExprId e, const ast::Coef& c) {
    const Type subject = visit(c.subject);
    TypeKind value = TypeKind::kError;
    NumRange range;
    bool first = true;
    auto add_value = [&](ExprId v) {
      const Type vt = visit(v);
      if (is_err(vt)) return;
      if (!is_num(vt) && !is_money(vt)) {
        error(DiagCode::type_mismatch, m_.span(v), msg::chk_coef_value(tn(vt)));
        return;
      }
      if (value == TypeKind::kError) value = vt.kind;
      if (value != vt.kind) {
        error(DiagCode::type_mismatch, m_.span(v), msg::chk_table_mixed(), msg::chk_hint_same_unit());
        return;
      }
      range = first ? p_.range(v) : range_union(range, p_.range(v));
      first = false;
    };
    for (const auto& entry : c.entries) add_value(entry.value);
    if (ast::present(c.otherwise)) add_value(c.otherwise);
    if (is_err(subject)) return set_type(e, T(TypeKind::kError));
    std::set<std::string> seen;
    for (const auto& entry : c.entries) {
      if (!seen.insert(entry.key.text).second) {
        error(DiagCode::duplicate_name, entry.key.span, msg::chk_listed_twice(entry.key.text), msg::chk_hint_label_once());
      }
    }
    if (subject.kind == TypeKind::kLabel) {
      for (const auto& entry : c.entries) {
        std::uint32_t index = 0;
        resolve_label(entry.key, subject.domain, index);
      }
      if (!ast::present(c.otherwise)) {
        std::string missing;
        for (const auto& label : p_.domains[subject.domain].labels) {
          if (!seen.count(label)) missing += (missing.empty() ? "`" : ", `") + label + "`";
        }
        if (!missing.empty()) {
          error(DiagCode::missing_label, m_.span(e), msg::chk_coef_missing(missing), msg::chk_hint_coef_missing());
        }
      }
    } else if (subject.kind == TypeKind::kText) {
      if (!ast::present(c.otherwise)) {
        error(DiagCode::missing_label, m_.span(e), msg::chk_coef_needs_else(tn(subject)), msg::chk_hint_coef_else());
      }
    } else {
      error(DiagCode::type_mismatch, m_.span(c.subject), msg::chk_coef_subject(tn(subject)), msg::chk_hint_coef_subject());
      return set_type(e, T(TypeKind::kError));
    }
    if (value == TypeKind::kError) return set_type(e, T(TypeKind::kError));
    return set_type(e, T(value), range);
  }

  Type visit_node(ExprId e, const ast::Bands& b) {
    const Type subject = visit(b.subject);
    TypeKind value = TypeKind::kError;
    NumRange range;
    bool first = true;
    for (const auto& entry : b.entries) {
      const Type vt = visit(entry.value);
      if (is_err(vt)) continue;
      if (!is_num(vt) && !is_money(vt)) {
        error(DiagCode::type_mismatch, m_.span(entry.value), msg::chk_band_value(tn(vt)));
        continue;
      }
      if (value == TypeKind::kError) value = vt.kind;
      range = first ? p_.range(entry.value) : range_union(range, p_.range(entry.value));
      first = false;
    }
    if (is_err(subject)) return set_type(e, T(TypeKind::kError));
    if (!is_num(subject)) {
      error(DiagCode::type_mismatch, m_.span(b.subject), msg::chk_bands_subject(tn(subject)), msg::chk_hint_bands_subject());
      return set_type(e, T(TypeKind::kError));
    }
    std::vector<BandRef> refs;
    for (const auto& entry : b.entries) {
      refs.push_back({entry.interval, std::string(expr_text(b.subject)) + " " + interval_label(entry.interval), entry.interval.span});
    }
    if (b.entries.empty()) {
      error(DiagCode::band_gap, m_.span(e), msg::bands_empty(), msg::hint_bands_empty());
    } else {
      check_tiling(std::move(refs), p_.range(b.subject), msg::band_owner_bands(expr_text(b.subject)), sink_);
    }
    if (value == TypeKind::kError) return set_type(e, T(TypeKind::kError));
    return set_type(e, T(value), range);
  }

  std::string interval_label(const ast::Interval& iv) const {
    return std::string(iv.lo_closed ? "[" : "(") + (iv.lo_inf ? "-∞" : decimal::to_string(iv.lo)) + ", " +
           (iv.hi_inf ? "∞" : decimal::to_string(iv.hi)) + (iv.hi_closed ? "]" : ")");
  }

  // ---- calls ----

  Type call_error(ExprId e, Message message, std::string_view usage) {
    error(DiagCode::bad_arguments, m_.span(e), std::move(message), msg::chk_hint_write(usage));
    return set_type(e, T(TypeKind::kError));
  }

  // Visits the bare-word value of a named argument such as `better: lower`; returns the word.
  std::optional<std::string> word_arg(const ast::NamedArg& a) {
    if (const auto* ref = std::get_if<ast::NameRef>(&m_.expr(a.value)); ref && ref->parts.size() == 1) {
      visited_[static_cast<std::uint32_t>(a.value)] = true;
      return ref->parts.front().name;
    }
    return std::nullopt;
  }

  Type visit_node(ExprId e, const ast::Call& c) {
    const std::string& name = c.callee.name;
    const BuiltinInfo* fn = find_builtin(name);
    if (fn == nullptr) {
      for (const ExprId a : c.args) visit(a);
      for (const auto& a : c.named) visit(a.value);
      std::vector<std::string> names;
      for (const BuiltinInfo& f : kBuiltins) names.emplace_back(f.name);
      const auto best = closest_name(name, names);
      error(DiagCode::unknown_function, c.callee.span, msg::chk_unknown_function(name),
            best ? msg::did_you_mean(*best) : msg::chk_hint_functions_are(backticked_list(names)));
      return set_type(e, T(TypeKind::kError));
    }
    p_.expr_builtin[static_cast<std::uint32_t>(e)] = fn->id;
    const Builtin f = fn->id;
    switch (fn->kind) {
      case BuiltinKind::kHistory: return history(e, c, *fn);
      case BuiltinKind::kPeer: return peers(e, c, *fn);
      case BuiltinKind::kMissing: return presence(e, c, *fn);
      case BuiltinKind::kSubPeriod: return sub_periods(e, c, *fn);
      case BuiltinKind::kScalar: case BuiltinKind::kScoring: case BuiltinKind::kList: break;
    }
    if (f == Builtin::kRatio) return ratio(e, c, *fn);
    if (f == Builtin::kTrimmedMean) return trimmed_mean(e, c, *fn);
    if (f == Builtin::kInterpolate) return interpolate(e, c, *fn);
    if (f == Builtin::kShortfall || f == Builtin::kExcess) return shortfall(e, c, *fn);

    std::vector<Type> args;
    bool error_seen = false;
    for (const ExprId a : c.args) {
      args.push_back(visit(a));
      error_seen = error_seen || is_err(args.back());
    }
    for (const auto& a : c.named) {
      visit(a.value);
      error(DiagCode::bad_arguments, a.name.span, msg::chk_no_named_arg(name, a.name.name), msg::chk_hint_write(fn->usage));
      error_seen = true;
    }
    if (error_seen) return set_type(e, T(TypeKind::kError));
    auto range_of = [&](std::size_t i) { return p_.range(c.args[i]); };
    // One list of numbers: avg, min, max, sum and size aggregate its items.
    if (args.size() == 1 && args[0].kind == TypeKind::kNumberList &&
        (f == Builtin::kAvg || f == Builtin::kMin || f == Builtin::kMax || f == Builtin::kSum || f == Builtin::kSize)) {
      const NumRange item = range_of(0);
      NumRange r = item;
      if (f == Builtin::kSum) r = NumRange{item.lo_inf || item.lo >= 0 ? 0 : item.lo, 0, item.lo_inf, true};
      if (f == Builtin::kSize) r = list_size(c.args[0]);
      return set_type(e, T(TypeKind::kNumber), r);
    }
    auto all_numeric = [&](bool money_ok) -> std::optional<TypeKind> {
      if (args.empty()) return std::nullopt;
      const TypeKind k = args[0].kind;
      if (k != TypeKind::kNumber && !(money_ok && k == TypeKind::kMoney)) return std::nullopt;
      for (const Type& t : args) {
        if (t.kind != k) return std::nullopt;
      }
      return k;
    };
    if (f == Builtin::kMin || f == Builtin::kMax || f == Builtin::kSum) {
      const auto k = all_numeric(true);
      if (!k || args.empty()) return call_error(e, msg::chk_call_same_kind(name), fn->usage);
      NumRange r = range_of(0);
      for (std::size_t i = 1; i < args.size(); ++i) {
        r = f == Builtin::kMin ? range_min(r, range_of(i)) : f == Builtin::kMax ? range_max(r, range_of(i)) : range_add(r, range_of(i));
      }
      return set_type(e, T(*k), r);
    }
    if (f == Builtin::kAvg) {
      const auto k = all_numeric(false);
      if (!k) return call_error(e, msg::chk_call_avg(), fn->usage);
      NumRange r = range_of(0);
      for (std::size_t i = 1; i < args.size(); ++i) r = range_union(r, range_of(i));
      return set_type(e, T(*k), r);
    }
    if (f == Builtin::kClamp) {
      const auto k = all_numeric(true);
      if (!k || args.size() != 3) return call_error(e, msg::chk_call_clamp(), fn->usage);
      return set_type(e, T(*k), range_min(range_max(range_of(0), range_of(1)), range_of(2)));
    }
    if (f == Builtin::kAbs || f == Builtin::kFloor || f == Builtin::kCeil) {
      const auto k = all_numeric(f == Builtin::kAbs);
      if (!k || args.size() != 1) return call_error(e, msg::chk_call_one_number(name), fn->usage);
      NumRange r = range_of(0);
      if (f == Builtin::kAbs) r = range_max(range_max(r, range_neg(r)), NumRange::exact(0));
      if (f == Builtin::kFloor) r = range_sub(r, NumRange::between(0, kOne));
      if (f == Builtin::kCeil) r = range_add(r, NumRange::between(0, kOne));
      return set_type(e, T(*k), r);
    }
    if (f == Builtin::kRound) {
      if (args.size() != 2 || !is_num(args[0]) || !is_num(args[1])) return call_error(e, msg::chk_call_round(), fn->usage);
      const auto* places = std::get_if<ast::NumberLit>(&m_.expr(c.args[1]));
      if (places == nullptr || places->raw % kOne != 0 || places->raw < 0 || places->raw > 6 * kOne) {
        error(DiagCode::bad_arguments, m_.span(c.args[1]), msg::chk_round_places(), msg::chk_hint_write_eg("round(x, 2)"));
        return set_type(e, T(TypeKind::kError));
      }
      return set_type(e, T(TypeKind::kNumber), range_add(range_of(0), NumRange::between(-kOne, kOne)));
    }
    if (f == Builtin::kCount) {
      for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i].kind != TypeKind::kBool) {
          error(DiagCode::bad_arguments, m_.span(c.args[i]), msg::chk_count_conditions(tn(args[i])),
                msg::chk_hint_count_conditions());
          return set_type(e, T(TypeKind::kError));
        }
      }
      if (args.empty()) return call_error(e, msg::chk_count_empty(), fn->usage);
      return set_type(e, T(TypeKind::kNumber), NumRange::between(0, static_cast<std::int64_t>(args.size()) * kOne));
    }
    if (f == Builtin::kCountIn) {
      if (args.size() != 2 || args[0].kind != TypeKind::kTextList || args[1].kind != TypeKind::kSet) {
        return call_error(e, msg::chk_call_count_in(), fn->usage);
      }
      return set_type(e, T(TypeKind::kNumber), NumRange{0, 0, false, true});
    }
    if (f == Builtin::kSize) {
      if (args.size() != 1 || args[0].kind != TypeKind::kTextList) return call_error(e, msg::chk_call_size(), fn->usage);
      return set_type(e, T(TypeKind::kNumber), list_size(c.args[0]));
    }
    return call_error(e, msg::chk_call_unchecked(name), fn->usage);
  }

  // How many items the list `e` can hold: its input's `size lo..hi` when declared, else 0 or more.
  NumRange list_size(ExprId e) const {
    const SymbolId s = p_.ref(e);
    if (s != kNoSymbol && p_.symbol(s).kind == SymbolKind::kInput) {
      const std::optional<ast::RangeSpec>& size = m_.inputs[p_.symbol(s).index].size;
      if (size && size->lo >= 0 && size->lo <= size->hi) return NumRange::between(size->lo, size->hi);
    }
    return NumRange{0, 0, false, true};
  }

  // ratio(x, target: T, cap: C, better: higher|lower); the target may also be the 2nd argument.
  Type ratio(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
    std::optional<ExprId> x;
    std::optional<ExprId> target;
    std::optional<ExprId> cap;
    std::optional<ExprId> at_zero;
    bool lower = false;
    bool ok = true;
    if (!c.args.empty()) x = c.args[0];
    if (c.args.size() >= 2) target = c.args[1];
    if (c.args.size() > 2) ok = false;
    for (const auto& a : c.named) {
      const std::optional<NamedArg> arg = named_arg(a.name.name);
      if (arg == NamedArg::kTarget && !target) {
        target = a.value;
      } else if (arg == NamedArg::kCap) {
        cap = a.value;
      } else if (arg == NamedArg::kBetter) {
        const auto w = word_arg(a);
        if (!w || (*w != "higher" && *w != "lower")) {
          error(DiagCode::bad_arguments, m_.span(a.value), msg::chk_better_word(), msg::chk_hint_better_word());
          ok = false;
        }
        lower = w == "lower";
      } else if (arg == NamedArg::kAtZero) {
        at_zero = a.value;
      } else {
        error(DiagCode::bad_arguments, a.name.span, msg::chk_no_named_arg("ratio", a.name.name), msg::chk_hint_write(fn.usage));
        ok = false;
      }
    }
    if (!x || !target) return call_error(e, msg::chk_ratio_args(), fn.usage);
    if (at_zero && !lower) {
      error(DiagCode::bad_arguments, m_.span(*at_zero), msg::trp_at_zero_needs_lower(), msg::trp_hint_at_zero_needs_lower());
      ok = false;
    }
    for (const auto& arg : {x, target, cap, at_zero}) {
      if (!arg) continue;
      const Type t = visit(*arg);
      if (!is_err(t) && !is_num(t)) {
        error(DiagCode::type_mismatch, m_.span(*arg), msg::chk_takes_numbers("ratio", tn(t)));
        ok = false;
      }
    }
    if (!ok) return set_type(e, T(TypeKind::kError));
    NumRange r = NumRange::between(0, kHundred);
    if (cap) {
      const NumRange limit = p_.range(*cap);
      r = NumRange{0, limit.hi_inf ? 0 : std::max<std::int64_t>(0, limit.hi), false, limit.hi_inf};
    }
    // Lower is better: x of 0 or below has no quotient and scores full marks (the cap), unless
    // `at_zero:` says what it scores. Where x can be 0, that choice is the author's to write.
    const NumRange xr = p_.range(*x);
    if (at_zero) {
      r = range_union(r, p_.range(*at_zero));
    } else if (lower && (xr.lo_inf || xr.lo <= 0)) {
      const Message can = xr.lo_inf    ? msg::trp_range_any()
                          : xr.hi_inf ? msg::trp_range_unbounded(decimal::to_string(xr.lo))
                                      : msg::trp_range(decimal::to_string(xr.lo), decimal::to_string(xr.hi));
      const std::string full = cap ? unparse(m_, *cap) : "100";
      sink_.report(diagnose(DiagCode::ratio_at_zero, m_.span(e), msg::trp_ratio_at_zero(full, unparse(m_, *x), can),
                      msg::trp_hint_ratio_at_zero(full)));
    }
    return set_type(e, T(TypeKind::kNumber), r);
  }

  Type interpolate(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
    if (!c.named.empty() || c.args.size() < 3) {
      for (const ExprId a : c.args) visited_[static_cast<std::uint32_t>(a)] = true;
      return call_error(e, msg::chk_interpolate_args(), fn.usage);
    }
    const Type x = visit(c.args[0]);
    bool ok = !is_err(x);
    if (ok && !is_num(x)) {
      error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_interpolate_number(tn(x)));
      ok = false;
    }
    std::optional<std::int64_t> previous;
    NumRange r;
    bool first = true;
    for (std::size_t i = 1; i < c.args.size(); ++i) {
      visited_[static_cast<std::uint32_t>(c.args[i])] = true;
      const auto* pair = std::get_if<ast::Pair>(&m_.expr(c.args[i]));
      if (pair == nullptr) {
        error(DiagCode::bad_arguments, m_.span(c.args[i]), msg::chk_interpolate_point(),
              msg::chk_hint_write_eg("interpolate(x, 60 -> 0, 100 -> 100)"));
        ok = false;
        continue;
      }
      visit(pair->from);
      visit(pair->to);
      const auto* from = std::get_if<ast::NumberLit>(&m_.expr(pair->from));
      const auto* to = std::get_if<ast::NumberLit>(&m_.expr(pair->to));
      if (from == nullptr || to == nullptr) {
        error(DiagCode::not_constant, m_.span(c.args[i]), msg::chk_interpolate_literal(), msg::chk_hint_write_eg("60 -> 0"));
        ok = false;
        continue;
      }
      const std::int64_t fx = ast::literal_value(*from);
      if (previous && fx <= *previous) {
        error(DiagCode::bad_arguments, m_.span(pair->from),
              msg::chk_interpolate_rise(decimal::to_string(fx), decimal::to_string(*previous)),
              msg::chk_hint_interpolate_rise());
        ok = false;
      }
      previous = fx;
      const NumRange yr = NumRange::exact(ast::literal_value(*to));
      r = first ? yr : range_union(r, yr);
      first = false;
    }
    if (!ok) return set_type(e, T(TypeKind::kError));
    return set_type(e, T(TypeKind::kNumber), r);
  }

  // prev(x, default: v), avg_prev(x, n, default: v), streak(cond): values of earlier periods of
  // the same subject. They need `period` in the subject declaration.
  Type history(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
    const std::string& name = c.callee.name;
    const bool want_n = fn.id == Builtin::kAvgPrev;
    bool ok = c.args.size() == (want_n ? 2u : 1u);
    Type x = ok ? visit(c.args[0]) : T(TypeKind::kError);
    if (want_n && ok) {
      visit(c.args[1]);
      const auto* lit = std::get_if<ast::NumberLit>(&m_.expr(c.args[1]));
      if (lit == nullptr || ast::literal_value(*lit) < kOne || ast::literal_value(*lit) % kOne != 0 ||
          ast::literal_value(*lit) > 100 * kOne) {
        error(DiagCode::bad_arguments, m_.span(c.args[1]), msg::chk_avg_prev_periods(), msg::chk_hint_avg_prev_periods());
        ok = false;
      }
    }
    if (!ok) {
      for (const ExprId a : c.args) visit(a);
      for (const auto& a : c.named) visit(a.value);
      return c.args.empty() || c.args.size() > 2 ? call_error(e, msg::chk_takes_one_value(name), fn.usage) : set_type(e, T(TypeKind::kError));
    }
    if (is_err(x)) {
      for (const auto& a : c.named) visit(a.value);
      return set_type(e, x);
    }
    if (p_.period == kNoSymbol) {
      error(DiagCode::bad_arguments, c.callee.span, msg::chk_no_periods(name), msg::chk_hint_no_periods());
      return set_type(e, T(TypeKind::kError));
    }
    Type result = x;
    NumRange range = p_.range(c.args[0]);
    if (fn.id == Builtin::kStreak) {
      if (x.kind != TypeKind::kBool) {
        error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_streak_condition(tn(x)), msg::chk_hint_streak_condition());
        return set_type(e, T(TypeKind::kError));
      }
      result = T(TypeKind::kNumber);
      range = NumRange{kOne, 0, false, true};
    } else if (fn.id == Builtin::kAvgPrev && !is_num(x)) {
      error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_avg_prev_numbers(tn(x)));
      return set_type(e, T(TypeKind::kError));
    } else if (x.kind == TypeKind::kTextList || x.kind == TypeKind::kNumberList || x.kind == TypeKind::kSet ||
               x.kind == TypeKind::kTable) {
      error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_prev_single(tn(x)));
      return set_type(e, T(TypeKind::kError));
    }
    for (const auto& a : c.named) {
      const Type t = visit(a.value);
      if (!fn.accepts_named(a.name.name)) {
        error(DiagCode::bad_arguments, a.name.span, msg::chk_no_named_arg(name, a.name.name), msg::chk_hint_write(fn.usage));
        continue;
      }
      if (!constant_expr(a.value) && !std::holds_alternative<ast::StringLit>(m_.expr(a.value)) &&
          !std::holds_alternative<ast::BoolLit>(m_.expr(a.value))) {
        error(DiagCode::not_constant, m_.span(a.value), msg::chk_default_literal(name), msg::chk_hint_write_eg("default: 0"));
      } else if (!is_err(t) && !(t == x) && !(x.kind == TypeKind::kLabel && t.kind == TypeKind::kText)) {
        error(DiagCode::type_mismatch, m_.span(a.value), msg::chk_default_type(tn(t), name, tn(x)));
      } else if (x.kind == TypeKind::kLabel && t.kind == TypeKind::kText) {
        check_label_literal(a.value, x);
      } else if (is_num(t) || is_money(t)) {
        range = range_union(range, p_.range(a.value));
      }
    }
    return set_type(e, result, range);
  }

  // `rollup 年度 { "Q1", ... }`: needs `period`; sub-periods listed once, none empty, none the end of
  // another (`"1"` and `"11"`). An input's `only "Q4"` names one of them.
  void rollup() {
    if (!m_.rollup) {
      for (const ast::InputDecl& in : m_.inputs) {
        if (in.only) error(DiagCode::bad_rollup, in.only_span, msg::chk_only_without_rollup(in.name.name), msg::chk_hint_rollup());
      }
      return;
    }
    const ast::RollupDecl& r = *m_.rollup;
    if (!m_.subject || !m_.subject->period) {
      error(DiagCode::bad_rollup, r.name.span, msg::chk_rollup_no_period(r.name.name), msg::chk_hint_rollup_no_period());
    }
    std::vector<std::string> parts;
    for (const ExprId item : std::get<ast::SetLit>(m_.expr(r.parts)).items) {
      const std::string& part = std::get<ast::StringLit>(m_.expr(item)).value;
      if (part.empty()) {
        error(DiagCode::bad_rollup, m_.span(item), msg::chk_rollup_empty_part(), msg::chk_hint_rollup());
      } else if (std::find(parts.begin(), parts.end(), part) != parts.end()) {
        error(DiagCode::bad_rollup, m_.span(item), msg::chk_rollup_duplicate_part(part), msg::chk_hint_rollup());
        continue;
      }
      parts.push_back(part);
      // A period ending in `11` would be both `1` and `11`: the data could not say which.
      for (std::size_t k = 0; k + 1 < parts.size(); ++k) {
        const std::string& other = parts[k];
        if (other.empty() || part.empty() || (!part.ends_with(other) && !other.ends_with(part))) continue;
        const bool longer = part.size() > other.size();
        error(DiagCode::bad_rollup, m_.span(item), msg::chk_rollup_suffix_part(longer ? part : other, longer ? other : part),
              msg::chk_hint_rollup_suffix_part());
      }
    }
    // The table form `{ "-01": "Q1", ... }`: each sub-period's coarse suffix is a text. A value
    // given in one sub-period would be missing from every other group's coarse periods.
    const auto& items = std::get<ast::SetLit>(m_.expr(r.parts)).items;
    for (std::size_t k = 0; k < r.groups.size(); ++k) {
      const auto* suffix = std::get_if<ast::StringLit>(&m_.expr(r.groups[k]));
      if (suffix == nullptr || suffix->value.empty()) {
        const std::string& part = std::get<ast::StringLit>(m_.expr(items[k])).value;
        error(DiagCode::bad_rollup, m_.span(r.groups[k]), msg::chk_rollup_group_text(part), msg::chk_hint_rollup_groups());
      }
    }
    for (const ast::InputDecl& in : m_.inputs) {
      if (in.only && !r.groups.empty()) {
        error(DiagCode::bad_rollup, in.only_span, msg::chk_only_with_groups(in.name.name, *in.only), msg::chk_hint_only_with_groups());
        continue;
      }
      if (in.only && std::find(parts.begin(), parts.end(), *in.only) == parts.end()) {
        error(DiagCode::bad_rollup, in.only_span, msg::chk_only_unknown_part(in.name.name, *in.only, parts), msg::chk_hint_rollup());
      }
    }
  }

  // sub_mean(x), sub_min(x), sub_max(x), sub_sum(x), sub_count(x), sub_at(x, "Q4"): in a rolled-up
  // policy, an input's values in the sub-periods of the row's coarse period (the data's rows).
  Type sub_periods(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
    const std::string& name = c.callee.name;
    const std::size_t want = fn.min_args;
    for (const auto& a : c.named) visit(a.value);
    if (c.args.size() != want || !c.named.empty()) {
      for (const ExprId a : c.args) visit(a);
      return call_error(e, want == 1 ? msg::chk_takes_one_value(name) : msg::chk_sub_at_args(), fn.usage);
    }
    const Type x = visit(c.args[0]);
    if (want == 2) visit(c.args[1]);
    if (is_err(x)) return set_type(e, x);
    if (!m_.rollup) {
      error(DiagCode::bad_rollup, c.callee.span, msg::chk_sub_without_rollup(name), msg::chk_hint_rollup());
      return set_type(e, T(TypeKind::kError));
    }
    const SymbolId s = std::holds_alternative<ast::NameRef>(m_.expr(c.args[0])) ? p_.ref(c.args[0]) : kNoSymbol;
    if (s == kNoSymbol || p_.symbol(s).kind != SymbolKind::kInput || m_.inputs[p_.symbol(s).index].only) {
      error(DiagCode::bad_arguments, m_.span(c.args[0]), msg::chk_sub_needs_input(name, expr_text(c.args[0])), msg::chk_hint_sub_needs_input());
      return set_type(e, T(TypeKind::kError));
    }
    const std::size_t n = std::get<ast::SetLit>(m_.expr(m_.rollup->parts)).items.size();
    if (fn.id == Builtin::kSubCount) return set_type(e, T(TypeKind::kNumber), NumRange::between(0, static_cast<std::int64_t>(n) * kOne));
    if (fn.id == Builtin::kSubAt) {
      if (!m_.rollup->groups.empty()) {
        error(DiagCode::bad_rollup, c.callee.span, msg::chk_sub_at_with_groups(), msg::chk_hint_only_with_groups());
        return set_type(e, T(TypeKind::kError));
      }
      if (x.kind == TypeKind::kTextList || x.kind == TypeKind::kNumberList) {
        error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_sub_at_single(tn(x)));
        return set_type(e, T(TypeKind::kError));
      }
      const auto* part = std::get_if<ast::StringLit>(&m_.expr(c.args[1]));
      bool listed = false;
      for (const ExprId item : std::get<ast::SetLit>(m_.expr(m_.rollup->parts)).items) {
        listed = listed || (part != nullptr && std::get<ast::StringLit>(m_.expr(item)).value == part->value);
      }
      if (!listed) {
        error(DiagCode::bad_arguments, m_.span(c.args[1]), msg::chk_sub_at_part(expr_text(c.args[1])), msg::chk_hint_sub_at_part());
        return set_type(e, T(TypeKind::kError));
      }
      return set_type(e, x, p_.range(c.args[0]));
    }
    const bool money_ok = fn.id != Builtin::kSubMean;
    if (!is_num(x) && !(money_ok && is_money(x))) {
      error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_sub_numbers(name, tn(x)));
      return set_type(e, T(TypeKind::kError));
    }
    NumRange r = p_.range(c.args[0]);
    if (fn.id == Builtin::kSubSum) r = range_mul(NumRange::between(0, static_cast<std::int64_t>(n) * kOne), r, kOne);
    return set_type(e, x, r);
  }

  // rank(x, within: g, order: desc|asc, ties: key|shared|NAME), percentile(x, within: g, ties: ...),
  // peer_avg(x, within: g): each row against the rows of its period (and group).
  Type peers(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
    const std::string& name = c.callee.name;
    if (c.args.size() != 1) {
      for (const ExprId a : c.args) visit(a);
      for (const auto& a : c.named) visit(a.value);
      return call_error(e, msg::chk_takes_one_value(name), fn.usage);
    }
    const Type x = visit(c.args[0]);
    bool ok = !is_err(x);
    if (ok && !is_num(x) && !is_money(x)) {
      error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_peers_numbers(name, tn(x)));
      ok = false;
    }
    for (const auto& a : c.named) {
      const std::optional<NamedArg> arg = fn.accepts_named(a.name.name) ? named_arg(a.name.name) : std::nullopt;
      if (arg == NamedArg::kWithin) {
        const Type g = visit(a.value);
        if (!is_err(g) && g.kind != TypeKind::kText && g.kind != TypeKind::kLabel) {
          error(DiagCode::type_mismatch, m_.span(a.value), msg::chk_within_type(tn(g)), msg::chk_hint_write_eg("within: 所属街道"));
          ok = false;
        }
      } else if (arg == NamedArg::kTies) {
        // `ties: key` (the default: equal values in the order of the subject key), `ties: shared`
        // (equal values share the best place, 并列), or `ties: NAME` (equal values in the order of
        // another value of the row, then the key).
        const auto w = word_arg(a);
        if (w && (*w == "key" || *w == "shared")) continue;
        if (w) visited_[static_cast<std::uint32_t>(a.value)] = false;
        const Type t = visit(a.value);
        if (!is_err(t) && !is_num(t) && !is_money(t) && t.kind != TypeKind::kText) {
          error(DiagCode::type_mismatch, m_.span(a.value), msg::chk_ties_type(tn(t)), msg::chk_hint_ties_type());
          ok = false;
        }
      } else if (arg == NamedArg::kOrder) {
        const auto w = word_arg(a);
        if (!w || (*w != "desc" && *w != "asc")) {
          error(DiagCode::bad_arguments, m_.span(a.value), msg::chk_order_word(), msg::chk_hint_order_word());
          ok = false;
        }
      } else {
        visit(a.value);
        error(DiagCode::bad_arguments, a.name.span, msg::chk_no_named_arg(name, a.name.name), msg::chk_hint_write(fn.usage));
        ok = false;
      }
    }
    if (!ok) return set_type(e, T(TypeKind::kError));
    if (fn.id == Builtin::kPeerAvg) return set_type(e, x, p_.range(c.args[0]));
    if (fn.id == Builtin::kPercentile) return set_type(e, T(TypeKind::kNumber), NumRange::between(0, kHundred));
    return set_type(e, T(TypeKind::kNumber), NumRange{kOne, 0, false, true});
  }

  // present(x): whether x has a value on the row; fill(x, v): x, or v where x is missing.
  Type presence(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
    const bool present = fn.id == Builtin::kPresent;
    const std::size_t want = fn.min_args;
    for (const auto& a : c.named) visit(a.value);
    if (c.args.size() != want || !c.named.empty()) {
      for (const ExprId a : c.args) visit(a);
      return call_error(e, present ? msg::chk_takes_one_value("present") : msg::chk_fill_args(), fn.usage);
    }
    const Type x = visit(c.args[0]);
    if (is_err(x)) return set_type(e, x);
    if (present) return set_type(e, T(TypeKind::kBool));
    const Type v = visit(c.args[1]);
    if (!constant_expr(c.args[1]) && !std::holds_alternative<ast::StringLit>(m_.expr(c.args[1])) &&
        !std::holds_alternative<ast::BoolLit>(m_.expr(c.args[1]))) {
      error(DiagCode::not_constant, m_.span(c.args[1]), msg::chk_fill_literal(), msg::chk_hint_write_eg("fill(居民评分, 0)"));
      return set_type(e, T(TypeKind::kError));
    }
    if (!is_err(v) && !(v == x)) {
      error(DiagCode::type_mismatch, m_.span(c.args[1]), msg::chk_fill_type(tn(v), tn(x)), msg::chk_hint_fill_type());
      return set_type(e, T(TypeKind::kError));
    }
    return set_type(e, x, range_union(p_.range(c.args[0]), p_.range(c.args[1])));
  }

  // Missing values (N/A) of optional inputs must be handled where they arrive: a scored
  // indicator says what they mean (`missing zero|peer_average|reweight`); anything else reads
  // them through `present` or `fill`.
  void missing_values() {
    auto names = [&](const std::vector<std::uint32_t>& inputs) {
      std::string list;
      for (const auto i : inputs) list += (list.empty() ? "`" : "`, `") + m_.inputs[i].name.name;
      return list + "`";
    };
    // Segments' copies of a tree share their formulas: each is reported once.
    std::set<std::uint32_t> reported;
    const auto once = [&](ExprId e) { return reported.insert(static_cast<std::uint32_t>(e)).second; };
    auto forbid = [&](ExprId e, const Message& where) {
      if (!ast::present(e) || !once(e)) return;
      const auto inputs = optional_inputs(p_, e);
      if (inputs.empty()) return;
      error(DiagCode::unhandled_missing, m_.span(e), msg::chk_reads_optional(where, names(inputs)),
            msg::chk_hint_reads_optional(m_.inputs[inputs[0]].name.name));
    };
    for (std::size_t i = 0; i < m_.nodes.size(); ++i) {
      const ast::IndicatorNode& n = m_.nodes[i];
      if (n.detached || p_.nodes[i].symbol == kNoSymbol) continue;
      const std::string path = sym(p_.nodes[i].symbol).name;
      if (n.children.empty() && ast::present(n.formula)) {
        const auto inputs = optional_inputs(p_, n.formula);
        if (!inputs.empty() && n.missing == ast::MissingRule::kNone && once(n.formula)) {
          error(DiagCode::unhandled_missing, m_.span(n.formula), msg::chk_indicator_reads_optional(path, names(inputs)),
                msg::chk_hint_indicator_missing());
        } else if (inputs.empty() && n.missing != ast::MissingRule::kNone) {
          sink_.report(diagnose(DiagCode::unused_declaration, n.missing_span, msg::chk_missing_rule_unused(path),
                                msg::chk_hint_missing_rule_unused()));
        }
      }
      for (const ast::Adjust& a : n.adjusts) {
        for (const ExprId e : {a.amount, a.per, a.when, a.max}) forbid(e, msg::chk_where_adjust(a.name.name));
      }
      forbid(n.deductions_max, msg::chk_where_deductions_cap(path));
      forbid(n.bonuses_max, msg::chk_where_bonuses_cap(path));
    }
    for (const auto& v : m_.vetoes) forbid(v.when, msg::chk_where_veto(v.name.name));
    for (const auto& b : m_.bands) forbid(b.of, msg::chk_where_band(b.name.name));
    for (const auto& f : m_.funds) {
      forbid(f.per_group, msg::chk_where_fund(f.name.name));
      for (const auto& t : f.tracks) {
        for (const ExprId e : {t.by, t.proportional, t.when}) forbid(e, msg::chk_where_track(f.name.name + "." + t.name.name));
      }
      for (const auto& k : f.ties) forbid(k.key, msg::chk_where_ties(f.name.name));
    }
  }

  // trimmed_mean(L, trim: n, above: m): the mean of a list of numbers without its n highest and
  // n lowest items when it has more than m items (m defaults to 2n).
  Type trimmed_mean(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
    bool ok = c.args.size() == 1;
    if (ok) {
      const Type t = visit(c.args[0]);
      if (is_err(t)) return set_type(e, T(TypeKind::kError));
      if (t.kind != TypeKind::kNumberList) {
        error(DiagCode::type_mismatch, m_.span(c.args[0]), msg::chk_trimmed_mean_list(tn(t)), msg::chk_hint_trimmed_mean_list());
        return set_type(e, T(TypeKind::kError));
      }
    }
    for (const auto& a : c.named) {
      const Type t = visit(a.value);
      const auto* lit = std::get_if<ast::NumberLit>(&m_.expr(a.value));
      const bool whole = is_num(t) && lit != nullptr && ast::literal_value(*lit) >= 0 && ast::literal_value(*lit) % kOne == 0;
      if (!fn.accepts_named(a.name.name) || !whole) {
        error(DiagCode::bad_arguments, a.name.span, msg::chk_trimmed_mean_named(), msg::chk_hint_write(fn.usage));
        ok = false;
      }
    }
    if (!ok) return c.args.size() == 1 ? set_type(e, T(TypeKind::kError)) : call_error(e, msg::chk_trimmed_mean_args(), fn.usage);
    return set_type(e, T(TypeKind::kNumber), p_.range(c.args[0]));
  }

  // shortfall(x, threshold, step: s, partial: prorata|floor|ceil) and excess(...)
  Type shortfall(ExprId e, const ast::Call& c, const BuiltinInfo& fn) {
    bool ok = c.args.size() == 2;
    for (const ExprId a : c.args) {
      const Type t = visit(a);
      if (!is_err(t) && !is_num(t)) {
        error(DiagCode::type_mismatch, m_.span(a), msg::chk_takes_numbers(c.callee.name, tn(t)));
        ok = false;
      }
      if (is_err(t)) ok = false;
    }
    for (const auto& a : c.named) {
      const std::optional<NamedArg> arg = named_arg(a.name.name);
      if (arg == NamedArg::kStep) {
        const Type t = visit(a.value);
        const auto* lit = std::get_if<ast::NumberLit>(&m_.expr(a.value));
        if (!is_num(t) || lit == nullptr || ast::literal_value(*lit) <= 0) {
          error(DiagCode::bad_arguments, m_.span(a.value), msg::chk_step_word(), msg::chk_hint_write_eg("step: 1"));
          ok = false;
        }
      } else if (arg == NamedArg::kPartial) {
        const auto w = word_arg(a);
        if (!w || (*w != "prorata" && *w != "floor" && *w != "ceil")) {
          error(DiagCode::bad_arguments, m_.span(a.value), msg::chk_partial_word(), msg::chk_hint_partial_word());
          ok = false;
        }
      } else {
        error(DiagCode::bad_arguments, a.name.span, msg::chk_no_named_arg(c.callee.name, a.name.name),
              msg::chk_hint_write(fn.usage));
        ok = false;
      }
    }
    if (c.args.size() != 2) return call_error(e, msg::chk_shortfall_args(c.callee.name), fn.usage);
    if (!ok) return set_type(e, T(TypeKind::kError));
    return set_type(e, T(TypeKind::kNumber), NumRange{0, 0, false, true});
  }

  const SourceSet& sources_;
  CheckedPolicy& p_;
  ast::Module& m_;
  const CheckOptions& options_;
  DiagnosticSink& sink_;
  std::unordered_map<std::string, SymbolId> top_;
  std::unordered_map<std::string, SymbolId> paths_;
  /// By indicator symbol of segmented trees: the segments whose trees have its path.
  std::unordered_map<SymbolId, std::vector<std::uint32_t>> path_segments_;
  std::set<std::uint32_t> reported_peer_;  ///< `missing peer_average` in segments' trees, by offset: once each
  std::unordered_map<std::uint32_t, NumRange> node_range_;  ///< by node of a segment's tree: its own range
  static constexpr std::uint32_t kNoNode = ast::IndicatorNode::kNoNode;
  static constexpr std::size_t kMaxSegments = 62;  ///< a row's segments are counted in the bits of a number
  static constexpr std::uint32_t kAnySegment = kNoNode - 1;  ///< `output`: any path may be shown
  std::uint32_t reader_segment_ = kNoNode;  ///< the segment of the tree whose node is being checked
  std::unordered_map<std::string, std::vector<std::string>> leaf_paths_;
  std::vector<int> state_;
  std::vector<bool> used_;
  std::vector<bool> visited_;
  CheckOrder order_;
  std::vector<std::string> names_;  ///< every top-level name, sorted: the "did you mean" candidates
  Suggester suggester_;
  SymbolId current_ = kNoSymbol;
  std::size_t errors_at_start_ = 0;
};

}  // namespace

namespace {

// A policy with segments is checked as one copy of its trees per segment; a node the copies share
// keeps its one span, so a finding about it (`score-clamped`, `mixed-weights`, ...) would be said
// once per copy, word for word. Said once; a finding that differs between copies (other full
// marks after an override) is still said for each.
class OncePerPlaceSink : public DiagnosticSink {
 public:
  explicit OncePerPlaceSink(DiagnosticSink& out) : out_(out) {}
  void report(Diagnostic d) override {
    if (!seen_.emplace(d.code, d.span.source, d.span.begin, d.span.end, d.message.str(Lang::kEn)).second) return;
    count(d);
    out_.report(std::move(d));
  }

 private:
  DiagnosticSink& out_;
  std::set<std::tuple<DiagCode, SourceId, std::uint32_t, std::uint32_t, std::string>> seen_;
};

}  // namespace

std::optional<CheckedPolicy> check(const SourceSet& sources, ast::Module module, const CheckOptions& options,
                                   DiagnosticSink& sink) {
  const std::size_t errors_before = sink.error_count();
  CheckedPolicy policy;
  policy.module = std::move(module);
  OncePerPlaceSink once(sink);
  Checker checker(sources, policy, options, policy.module.segments.empty() ? sink : once);
  checker.run();
  if (sink.error_count() > errors_before && !options.keep_on_error) return std::nullopt;
  return policy;
}

}  // namespace jixiao::dsl
