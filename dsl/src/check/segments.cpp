// The checker's roll-up (sub-periods of a coarser period) and segments (each with its own trees):
// what a segment's condition may read, and which paths each segment's trees have.
#include <algorithm>
#include <string>

#include "checker_class.hpp"
#include "jixiao/dsl/functions.hpp"

namespace jixiao::dsl::check_detail {

// A path that only some segments' trees have has no value on the rows of the others: only those
// trees, and `output` (an empty cell), may read it.
bool Checker::segment_read(SymbolId id, ExprId e) {
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
void Checker::segments() {
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
std::vector<std::uint32_t> Checker::unguarded_optional(ExprId e, int depth) const {
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
void Checker::names_in(ExprId e, std::vector<ExprId>& out) const {
  std::vector<ExprId> todo{e};
  while (!todo.empty()) {
    const ExprId x = todo.back();
    todo.pop_back();
    if (std::holds_alternative<ast::NameRef>(m_.expr(x))) out.push_back(x);
    ast::for_each_operand(m_.exprs, x, [&](ExprId c) { todo.push_back(c); });
  }
}

// `rollup 年度 { "Q1", ... }`: needs `period`; sub-periods listed once, none empty, none the end of
// another (`"1"` and `"11"`). An input's `only "Q4"` names one of them.
void Checker::rollup() {
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

}  // namespace jixiao::dsl::check_detail
