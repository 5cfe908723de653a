// Internal to `jixiao fmt`: the Formatter's expressions, with the comments around list elements
// (formatter_class.hpp).
#include "formatter_class.hpp"

#include <algorithm>
#include <utility>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/unparse.hpp"

namespace jixiao::dsl::format_detail {

namespace {

Prec precedence(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::kOr: return kOr;
    case ast::BinaryOp::kAnd: return kAnd;
    case ast::BinaryOp::kAdd:
    case ast::BinaryOp::kSub: return kAdd;
    case ast::BinaryOp::kMul:
    case ast::BinaryOp::kDiv: return kMul;
    default: return kCmp;
  }
}

const char* spelling(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::kAdd: return "+";
    case ast::BinaryOp::kSub: return "-";
    case ast::BinaryOp::kMul: return "*";
    case ast::BinaryOp::kDiv: return "/";
    case ast::BinaryOp::kEq: return "==";
    case ast::BinaryOp::kNe: return "!=";
    case ast::BinaryOp::kLt: return "<";
    case ast::BinaryOp::kLe: return "<=";
    case ast::BinaryOp::kGt: return ">";
    case ast::BinaryOp::kGe: return ">=";
    case ast::BinaryOp::kAnd: return "and";
    case ast::BinaryOp::kOr: return "or";
    case ast::BinaryOp::kIn: return "in";
    case ast::BinaryOp::kNotIn: return "not in";
    case ast::BinaryOp::kAnyIn: return "any_in";
    case ast::BinaryOp::kAllIn: return "all_in";
  }
  return "?";
}

KwId keyword_of(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::kAnd: return KwId::kw_and;
    case ast::BinaryOp::kOr: return KwId::kw_or;
    case ast::BinaryOp::kIn: return KwId::kw_in;
    case ast::BinaryOp::kNotIn: return KwId::kw_not_in;
    case ast::BinaryOp::kAnyIn: return KwId::kw_any_in;
    default: return KwId::kw_all_in;
  }
}

}  // namespace

// ---- comments around list elements ----

bool Formatter::in_sequence(const std::vector<Range>& spans) {
  for (std::size_t k = 1; k < spans.size(); ++k) {
    if (spans[k].begin < spans[k - 1].end || spans[k - 1].end < spans[k - 1].begin) return false;
  }
  return true;
}

Around Formatter::classify(const Cs& free, const std::vector<Range>& spans, Placement& pl) const {
  Around a;
  a.before.resize(spans.size());
  a.after.resize(spans.size());
  const bool sequence = in_sequence(spans);
  std::int64_t last_own = -1;
  for (const std::size_t c : free) {
    const CommentRec& rec = comments_[c];
    if (static_cast<std::int64_t>(rec.begin) <= pl.threshold) {
      hoist(pl, c);
      continue;
    }
    if (!rec.own_line) {
      std::optional<std::size_t> p;  // the last span that ends before the comment
      if (sequence) {
        const auto after = std::upper_bound(spans.begin(), spans.end(), rec.begin,
                                            [](std::uint32_t at, const Range& r) { return at < r.end; });
        if (after != spans.begin()) p = static_cast<std::size_t>(after - spans.begin()) - 1;
      } else {
        for (std::size_t k = 0; k < spans.size(); ++k) {
          if (spans[k].end <= rec.begin) p = k;
        }
      }
      if (p && !a.after[*p] && last_own < static_cast<std::int64_t>(spans[*p].end)) {
        a.after[*p] = c;
        continue;
      }
      if (!p && !a.open && last_own < 0) {
        a.open = c;
        continue;
      }
    }
    std::optional<std::size_t> next;  // the first span that begins after the comment
    if (sequence) {
      const auto later = std::upper_bound(spans.begin(), spans.end(), rec.begin,
                                          [](std::uint32_t at, const Range& r) { return at < r.begin; });
      if (later != spans.end()) next = static_cast<std::size_t>(later - spans.begin());
    } else {
      for (std::size_t k = 0; k < spans.size() && !next; ++k) {
        if (spans[k].begin > rec.begin) next = k;
      }
    }
    (next ? a.before[*next] : a.end).push_back(c);
    last_own = rec.begin;
  }
  return a;
}

std::vector<Cs> Formatter::split(Cs& cs, const std::vector<Range>& spans) const {
  std::vector<Cs> inside;
  if (!in_sequence(spans) || !std::is_sorted(cs.begin(), cs.end())) {
    for (const Range& r : spans) inside.push_back(take(cs, r));
    return inside;
  }
  // Comments (in source order) and spans (one after another) are merged in one pass.
  inside.resize(spans.size());
  Cs rest;
  std::size_t k = 0;
  for (const std::size_t c : cs) {
    const std::uint32_t at = comments_[c].begin;
    while (k < spans.size() && spans[k].end <= at) ++k;
    (k < spans.size() && spans[k].begin <= at ? inside[k] : rest).push_back(c);
  }
  cs = std::move(rest);
  return inside;
}

void Formatter::hoist_outer(const Around& a, std::size_t n, Placement& pl) const {
  if (a.open) hoist(pl, *a.open);
  if (n > 0) {
    for (const std::size_t c : a.before[0]) hoist(pl, c);
    if (a.after[n - 1]) hoist(pl, *a.after[n - 1]);
  }
  for (const std::size_t c : a.end) hoist(pl, c);
}

Doc Formatter::aligned_list(Doc head, std::vector<Doc> elems, const std::vector<std::string>& prefix, const std::string& sep,
                            Doc tail, Around& a, Placement& pl) const {
  const std::size_t n = elems.size();
  hoist_outer(a, n, pl);
  Doc body = cat();
  for (std::size_t k = 0; k < n; ++k) {
    if (k > 0) {
      if (!sep.empty()) body += txt(sep);
      if (a.after[k - 1]) body += suffix(comments_[*a.after[k - 1]].text);
      body += line();
      for (const std::size_t c : a.before[k]) {
        body += txt(comments_[c].text);
        body += hard();
      }
    }
    body += txt(prefix[k]);
    body += std::move(elems[k]);
  }
  Doc d = cat();
  d += std::move(head);
  d += align(std::move(body));
  d += std::move(tail);
  return group(std::move(d));
}

Doc Formatter::fill_list(Doc head, std::vector<Doc> elems, const std::string& sep, Doc tail, Around& a, Placement& pl) const {
  const std::size_t n = elems.size();
  hoist_outer(a, n, pl);
  std::vector<Doc> parts;
  for (std::size_t k = 0; k < n; ++k) {
    if (k > 0) {
      Doc s = cat();
      if (a.before[k].empty()) {
        s += line();
      } else {
        for (const std::size_t c : a.before[k]) {
          s += hard();
          s += txt(comments_[c].text);
        }
        s += hard();
      }
      parts.push_back(std::move(s));
    }
    Doc content = cat();
    content += std::move(elems[k]);
    if (k + 1 < n) content += txt(sep);
    if (a.after[k]) content += suffix(comments_[*a.after[k]].text);
    parts.push_back(std::move(content));
  }
  Doc d = cat();
  d += std::move(head);
  d += align(fill(std::move(parts)));
  d += std::move(tail);
  return group(std::move(d));
}

Doc Formatter::block_list(Doc head, std::vector<Doc> elems, Doc tail, const Around& a) const {
  const std::size_t n = elems.size();
  Doc d = cat();
  d += std::move(head);
  if (a.open) d += suffix(comments_[*a.open].text);
  Doc body = cat();
  if (n == 0 && a.end.empty() && !a.open) body += line();
  for (std::size_t k = 0; k < n; ++k) {
    body += line();
    for (const std::size_t c : a.before[k]) {
      body += txt(comments_[c].text);
      body += hard();
    }
    body += std::move(elems[k]);
    if (k + 1 < n) body += txt(",");
    if (a.after[k]) body += suffix(comments_[*a.after[k]].text);
  }
  for (const std::size_t c : a.end) {
    body += hard();
    body += txt(comments_[c].text);
  }
  d += nest(2, std::move(body));
  d += line();
  d += std::move(tail);
  return group(std::move(d));
}

// ---- expressions ----

Doc Formatter::expr(ExprId e, Prec context, Cs cs, Placement& pl) const {
  Prec own = kAtom;
  Doc d = node(e, own, std::move(cs), pl);
  if (own >= context) return d;
  Doc p = cat();
  p += txt("(");
  p += std::move(d);
  p += txt(")");
  return p;
}

Doc Formatter::node(ExprId e, Prec& own, Cs cs, Placement& pl) const {
  const ast::Expr& x = m_.expr(e);
  if (const auto* b = std::get_if<ast::Binary>(&x)) return chain(*b, own, std::move(cs), pl);
  if (const auto* u = std::get_if<ast::Unary>(&x)) {
    const bool is_not = u->op == ast::UnaryOp::kNot;
    own = is_not ? kNot : kUnary;
    Doc operand = ex(u->operand, cs, pl, own);
    for (const std::size_t c : cs) hoist(pl, c);
    Doc d = cat();
    d += txt(is_not ? k_.before(KwId::kw_not, m_.span(u->operand).begin) + " " : "-");
    d += std::move(operand);
    return d;
  }
  if (const auto* i = std::get_if<ast::If>(&x)) {
    own = kIf;
    const std::vector<ExprId> parts = {i->cond, i->then_expr, i->else_expr};
    const std::vector<std::string> words = {k_.before(KwId::kw_if, m_.span(i->cond).begin) + " ",
                                            k_.after(KwId::kw_then, m_.span(i->cond).end) + " ",
                                            k_.after(KwId::kw_else, m_.span(i->then_expr).end) + " "};
    return list_of(parts, Doc{}, words, "", Doc{}, std::move(cs), pl, kIf);
  }
  if (const auto* c = std::get_if<ast::Call>(&x)) return call(*c, std::move(cs), pl);
  if (const auto* p = std::get_if<ast::Pair>(&x)) {
    Doc from = ex(p->from, cs, pl);
    Doc to = ex(p->to, cs, pl);
    for (const std::size_t c : cs) hoist(pl, c);
    Doc d = cat();
    d += std::move(from);
    d += txt(" -> ");
    d += std::move(to);
    return d;
  }
  if (const auto* s = std::get_if<ast::SetLit>(&x)) {
    std::vector<Range> spans;
    std::vector<Doc> elems;
    for (const ExprId item : s->items) {
      spans.push_back(range(item));
      elems.push_back(txt(unparse(m_, item)));
    }
    return literal_list(txt("{"), std::move(elems), spans, std::move(cs), pl);
  }
  if (const auto* t = std::get_if<ast::TableLit>(&x)) return entries(txt("{"), t->entries, ast::kNoExpr, ": ", std::move(cs), pl);
  if (const auto* c = std::get_if<ast::Coef>(&x)) {
    Doc head = cat();
    head += txt(k_.before(KwId::kw_coef, m_.span(c->subject).begin) + "(");
    head += ex(c->subject, cs, pl);
    head += txt(") {");
    return entries(std::move(head), c->entries, c->otherwise, " ", std::move(cs), pl);
  }
  if (const auto* b = std::get_if<ast::Bands>(&x)) {
    Doc head = cat();
    head += txt(k_.before(KwId::kw_bands, m_.span(b->subject).begin) + "(");
    head += ex(b->subject, cs, pl);
    head += txt(") {");
    std::vector<Range> spans;
    for (const auto& entry : b->entries) spans.push_back({entry.interval.span.begin, m_.span(entry.value).end});
    std::vector<Cs> inside = split(cs, spans);
    std::vector<Doc> elems;
    for (std::size_t k = 0; k < b->entries.size(); ++k) {
      Doc d = cat();
      d += txt(interval_text(b->entries[k].interval, k_) + " ");
      d += ex(b->entries[k].value, inside[k], pl);
      for (const std::size_t c : inside[k]) hoist(pl, c);
      elems.push_back(std::move(d));
    }
    const Around a = classify(cs, spans, pl);
    return block_list(std::move(head), std::move(elems), txt("}"), a);
  }
  // Literals and names: one token, nothing to break.
  if (const auto* n = std::get_if<ast::NumberLit>(&x); n && n->raw < 0) own = kUnary;
  if (const auto* n = std::get_if<ast::MoneyLit>(&x); n && n->fen < 0) own = kUnary;
  for (const std::size_t c : cs) hoist(pl, c);
  if (const auto* b = std::get_if<ast::BoolLit>(&x)) return txt(k_.after(b->value ? KwId::kw_true : KwId::kw_false, m_.span(e).begin));
  return txt(unparse(m_, e));
}

Doc Formatter::list_of(const std::vector<ExprId>& parts, Doc head, const std::vector<std::string>& prefix, const std::string& sep,
                       Doc tail, Cs cs, Placement& pl, Prec context) const {
  std::vector<Range> spans;
  for (const ExprId p : parts) spans.push_back(range(p));
  std::vector<Cs> inside = split(cs, spans);
  std::vector<Doc> elems;
  for (std::size_t k = 0; k < parts.size(); ++k) elems.push_back(expr(parts[k], context, std::move(inside[k]), pl));
  Around a = classify(cs, spans, pl);
  return aligned_list(std::move(head), std::move(elems), prefix, sep, std::move(tail), a, pl);
}

Doc Formatter::chain(const ast::Binary& b, Prec& own, Cs cs, Placement& pl) const {
  own = precedence(b.op);
  // Flatten the left spine of operators of the same precedence: `a + b - c`.
  std::vector<ExprId> operands;
  std::vector<std::string> prefix;
  const ast::Binary* cur = &b;
  std::vector<const ast::Binary*> spine{cur};
  while (own != kCmp) {
    const auto* left = std::get_if<ast::Binary>(&m_.expr(cur->lhs));
    if (left == nullptr || precedence(left->op) != own) break;
    cur = left;
    spine.push_back(cur);
  }
  const Prec left_context = own == kCmp ? kAdd : own;
  const Prec right_context = own == kCmp ? kAdd : static_cast<Prec>(own + 1);
  std::vector<Range> spans;
  std::vector<Prec> contexts;
  operands.push_back(spine.back()->lhs);
  contexts.push_back(left_context);
  prefix.emplace_back("");
  for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
    operands.push_back((*it)->rhs);
    contexts.push_back(right_context);
    const ast::BinaryOp op = (*it)->op;
    const bool word = op == ast::BinaryOp::kAnd || op == ast::BinaryOp::kOr || op >= ast::BinaryOp::kIn;
    prefix.push_back((word ? k_.after(keyword_of(op), (*it)->op_span.begin) : std::string(spelling(op))) + " ");
  }
  for (const ExprId o : operands) spans.push_back(range(o));
  std::vector<Cs> inside = split(cs, spans);
  std::vector<Doc> elems;
  for (std::size_t k = 0; k < operands.size(); ++k) elems.push_back(expr(operands[k], contexts[k], std::move(inside[k]), pl));
  if (own == kOr || own == kAnd || own == kAdd) {
    Around a = classify(cs, spans, pl);
    return aligned_list(Doc{}, std::move(elems), prefix, "", Doc{}, a, pl);
  }
  // `*`, `/` and comparisons bind tightly: they stay on one line, their comments go before it.
  for (const std::size_t c : cs) hoist(pl, c);
  Doc d = cat();
  for (std::size_t k = 0; k < elems.size(); ++k) {
    if (k > 0) d += txt(" " + prefix[k]);
    d += std::move(elems[k]);
  }
  return d;
}

Doc Formatter::call(const ast::Call& c, Cs cs, Placement& pl) const {
  std::vector<Range> spans;
  for (const ExprId a : c.args) spans.push_back(range(a));
  for (const auto& n : c.named) spans.push_back({n.name.span.begin, m_.span(n.value).end});
  const bool in_order = std::is_sorted(spans.begin(), spans.end(), [](const Range& x, const Range& y) { return x.begin < y.begin; });
  if (!in_order) {
    // Named arguments written before positional ones print after them: keep comments out.
    for (const std::size_t x : cs) hoist(pl, x);
    cs.clear();
  }
  std::vector<Cs> inside = split(cs, spans);
  std::vector<Doc> elems;
  std::size_t k = 0;
  for (const ExprId a : c.args) {
    elems.push_back(expr(a, kIf, std::move(inside[k]), pl));
    ++k;
  }
  for (const auto& n : c.named) {
    Doc d = cat();
    d += txt(n.name.name + ": ");
    d += ex(n.value, inside[k], pl);
    for (const std::size_t x : inside[k]) hoist(pl, x);
    elems.push_back(std::move(d));
    ++k;
  }
  Around a = classify(cs, spans, pl);
  const bool simple = std::none_of(c.args.begin(), c.args.end(), [&](ExprId x) { return complex(x); }) &&
                      std::none_of(c.named.begin(), c.named.end(), [&](const ast::NamedArg& x) { return complex(x.value); });
  if (simple) return fill_list(txt(c.callee.name + "("), std::move(elems), ",", txt(")"), a, pl);
  std::vector<std::string> prefix(elems.size());
  return aligned_list(txt(c.callee.name + "("), std::move(elems), prefix, ",", txt(")"), a, pl);
}

bool Formatter::complex(ExprId e) const {
  const ast::Expr& x = m_.expr(e);
  if (std::holds_alternative<ast::SetLit>(x) || std::holds_alternative<ast::TableLit>(x) ||
      std::holds_alternative<ast::Coef>(x) || std::holds_alternative<ast::Bands>(x) || std::holds_alternative<ast::If>(x)) {
    return true;
  }
  bool found = false;
  ast::for_each_operand(m_.exprs, e, [&](ExprId y) { found = found || complex(y); });
  return found;
}

Doc Formatter::literal_list(Doc head, std::vector<Doc> elems, const std::vector<Range>& spans, Cs cs, Placement& pl) const {
  std::vector<Cs> inside = split(cs, spans);
  for (const Cs& in : inside) {
    for (const std::size_t c : in) hoist(pl, c);
  }
  const Around a = classify(cs, spans, pl);
  return block_list(std::move(head), std::move(elems), txt("}"), a);
}

Doc Formatter::entries(Doc head, const std::vector<ast::TableEntry>& list, ExprId otherwise, const std::string& sep, Cs cs,
                       Placement& pl) const {
  std::vector<Range> spans;
  for (const auto& entry : list) spans.push_back({entry.key.span.begin, m_.span(entry.value).end});
  if (ast::present(otherwise)) spans.push_back(range(otherwise));
  std::vector<Cs> inside = split(cs, spans);
  std::vector<Doc> elems;
  for (std::size_t k = 0; k < list.size(); ++k) {
    Doc d = cat();
    d += txt(unparse(list[k].key) + sep);
    d += ex(list[k].value, inside[k], pl);
    for (const std::size_t c : inside[k]) hoist(pl, c);
    elems.push_back(std::move(d));
  }
  if (ast::present(otherwise)) {
    Doc d = cat();
    d += txt(k_.before(KwId::kw_else, m_.span(otherwise).begin) + " ");
    d += expr(otherwise, kIf, std::move(inside.back()), pl);
    elems.push_back(std::move(d));
  }
  const Around a = classify(cs, spans, pl);
  return block_list(std::move(head), std::move(elems), txt("}"), a);
}

}  // namespace jixiao::dsl::format_detail
