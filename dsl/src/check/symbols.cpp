// The checker's declarations and names: the header, every symbol (inputs, params, sets, lets,
// indicator nodes by path, vetoes, grades, alerts, funds) and label domain, the check of each
// symbol in order (inputs, params, `--param` overrides), and name resolution.
#include <algorithm>
#include <string>
#include <utility>

#include "checker_class.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/edit_distance.hpp"

namespace jixiao::dsl::check_detail {

void Checker::header() {
  if (!m_.policy) {
    error(DiagCode::missing_header, Span{m_.source, 0, 0}, msg::chk_missing_policy(), msg::chk_hint_missing_policy());
  }
  if (!m_.subject) {
    error(DiagCode::missing_header, m_.policy ? m_.policy->span : Span{m_.source, 0, 0}, msg::missing_header(),
          msg::hint_missing_header());
  }
  if (m_.precision) p_.precision = m_.precision->places;
}

SymbolId Checker::add_symbol(SymbolKind kind, std::string name, std::uint32_t index, std::uint32_t order, Span span,
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

void Checker::declare() {
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

void Checker::declare_node(std::uint32_t index, const std::string& prefix) {
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
void Checker::declare_rule_names() {
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
std::uint32_t Checker::add_domain(std::string name, const std::vector<ast::Label>& labels,
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

void Checker::domains() {
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

void Checker::add_dep(SymbolId to, Span where) {
  if (current_ == kNoSymbol || to == kNoSymbol) return;
  p_.deps[static_cast<std::uint32_t>(current_)].push_back({to, where});
}

// Computes the type and range of a symbol (and checks its definition) once.
void Checker::ensure(SymbolId id) {
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

void Checker::input(Symbol& s) {
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

void Checker::param(Symbol& s) {
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
void Checker::overrides() {
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

void Checker::bad_override(const ParamOverride& o, Message expected) {
  Diagnostic d = diagnose(DiagCode::bad_param_value, Span{}, msg::chk_param_unreadable(o.name, o.value),
                          msg::chk_hint_expected(std::move(expected)));
  d.file = kParamOrigin;
  sink_.report(std::move(d));
}

SymbolId Checker::resolve(const ast::NameRef& ref, ExprId e) {
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
SymbolId Checker::lookup(const ast::NameRef& ref) const {
  const auto it = top_.find(ref.parts.front().name);
  if (it == top_.end() || ref.parts.size() == 1) return it == top_.end() ? kNoSymbol : it->second;
  std::string path = ref.parts.front().name;
  for (std::size_t i = 1; i < ref.parts.size(); ++i) path += "." + ref.parts[i].name;
  const auto found = paths_.find(path);
  return found == paths_.end() ? kNoSymbol : found->second;
}

// Whether `id`, not yet checked, is on a cycle with the symbol being checked: it then stays
// unchecked here (it reads this one), as a symbol being checked does.
bool Checker::on_cycle_with_current(SymbolId id) const {
  if (current_ == kNoSymbol) return false;
  const std::uint32_t c = order_.component[static_cast<std::uint32_t>(id)];
  return order_.cyclic[c] && c == order_.component[static_cast<std::uint32_t>(current_)];
}

void Checker::unknown_name(const ast::Ident& name, ExprId e) {
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

}  // namespace jixiao::dsl::check_detail
