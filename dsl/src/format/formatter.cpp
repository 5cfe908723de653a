// Internal to `jixiao fmt`: the Formatter, which lays out a parsed policy file as documents (doc.hpp):
// expressions (precedence as in dsl::unparse), then items, blocks with aligned columns and the
// declarations, with every comment attached by its span. The rules are documented in docs/fmt.md.
#include "formatter.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "doc.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/decl_text.hpp"
#include "jixiao/dsl/format.hpp"
#include "jixiao/dsl/unparse.hpp"

namespace jixiao::dsl::format_detail {
namespace {

using ast::ExprId;
/// Indices into the formatter's comment table, in source order.
using Cs = std::vector<std::size_t>;

// ` missing zero` (with its space) as written after a leaf's formula, or nothing.
std::string missing_text(const ast::IndicatorNode& n, const Speller& k) {
  if (n.missing == ast::MissingRule::kNone) return "";
  const std::uint32_t last = n.missing_span.end > 0 ? n.missing_span.end - 1 : 0;
  return " " + k.before(KwId::kw_missing, last) + " " + missing_mode(n.missing, k, last);
}

// ---- expressions: precedence as in dsl::unparse ----

enum Prec { kIf = 0, kOr, kAnd, kNot, kCmp, kAdd, kMul, kUnary, kAtom };

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

// ---- the formatter ----

struct CommentRec {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::string text;
  bool own_line = false;  ///< nothing but white space before it on its line
};

/// Where the comments of one item go when they cannot stay inside it: printed on their own lines
/// just before the item. To keep comments in order, once one is hoisted every comment of the item
/// before it is hoisted too (`threshold`).
struct Placement {
  std::int64_t threshold = -1;
  Cs hoisted;
};

/// The comments around the elements of a list (call arguments, set items, chain operands, ...).
struct Around {
  std::optional<std::size_t> open;               ///< trailing the opening token
  std::vector<Cs> before;                        ///< own-line comments before element k
  std::vector<std::optional<std::size_t>> after;  ///< the trailing comment after element k
  Cs end;                                        ///< own-line comments after the last element
};

struct Range {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

/// An item of a block: a declaration, an input, a sub-indicator, a band, a track, ...
struct Ctx;
struct Item {
  std::uint32_t begin = 0;  ///< where it starts in the source
  std::uint32_t end = 0;
  int align_kind = 0;  ///< consecutive items of one nonzero kind align their cells
  int group = 0;       ///< top level: a blank line separates declarations of different groups
  std::vector<std::string> cells;
  std::function<Lines(const Ctx&)> print;
};

/// What an item is printed with: its indentation and block, its alignment, its comments.
struct Ctx {
  std::size_t indent = 0;
  int block = 0;
  std::vector<std::size_t> widths;  ///< the cell widths of the item's alignment section
  Cs inner;                         ///< comments inside the item's extent
  std::optional<std::size_t> trailing;
};

class Formatter {
 public:
  Formatter(const ast::Module& m, std::string_view text, KeywordSet set) : m_(m), text_(text), k_(m, set) {
    for (const ast::Comment& c : m.comments) {
      CommentRec r;
      r.begin = c.span.begin;
      r.end = c.span.end;
      r.text = rtrim(std::string(text.substr(c.span.begin, c.span.end - c.span.begin)));
      r.own_line = own_line(c.span.begin);
      comments_.push_back(std::move(r));
    }
  }

  std::string run() {
    const Lines lines = emit_block(top_items(), 0, static_cast<std::uint32_t>(text_.size()), 0, nullptr, 0);
    return assemble(lines);
  }

 private:
  // ---- source positions ----

  bool own_line(std::uint32_t pos) const {
    std::size_t i = pos;
    while (i > 0 && text_[i - 1] != '\n') {
      const char c = text_[i - 1];
      const bool bom = i <= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF";
      if (c != ' ' && c != '\t' && c != '\r' && !bom) return false;
      --i;
    }
    return true;
  }

  // Whether the source has an empty line between `from` and `to`.
  bool blank_between(std::uint32_t from, std::uint32_t to) const {
    bool seen_newline = false;
    bool only_space = false;
    for (std::uint32_t i = from; i < to && i < text_.size(); ++i) {
      const char c = text_[i];
      if (c == '\n') {
        if (seen_newline && only_space) return true;
        seen_newline = true;
        only_space = true;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        only_space = false;
      }
    }
    return false;
  }

  // The first `{` of code at or after `from` (comments skipped).
  std::uint32_t find_open_brace(std::uint32_t from) const {
    std::uint32_t i = from;
    while (i < text_.size()) {
      if (text_[i] == '#') {
        while (i < text_.size() && text_[i] != '\n') ++i;
        continue;
      }
      if (text_[i] == '{') return i;
      ++i;
    }
    throw std::logic_error("fmt: no `{` where a block starts");
  }

  Cs comments_in(std::uint32_t begin, std::uint32_t end) const {
    Cs out;
    for (std::size_t i = 0; i < comments_.size(); ++i) {
      if (comments_[i].begin >= begin && comments_[i].begin < end) out.push_back(i);
    }
    return out;
  }

  // Removes from `cs` and returns the comments inside `r`.
  static Cs take(Cs& cs, Range r, const std::vector<CommentRec>& all) {
    Cs mine;
    Cs rest;
    for (const std::size_t c : cs) (all[c].begin >= r.begin && all[c].begin < r.end ? mine : rest).push_back(c);
    cs = std::move(rest);
    return mine;
  }
  Cs take(Cs& cs, Range r) const { return take(cs, r, comments_); }
  Cs take(Cs& cs, ExprId e) const { return take(cs, range(e)); }

  Range range(ExprId e) const {
    const Span s = m_.span(e);
    return {s.begin, s.end};
  }
  static Range range(Span s) { return {s.begin, s.end}; }

  OutLine comment_line(std::size_t c, std::size_t indent, int block) const {
    OutLine l;
    l.code = spaces(indent) + comments_[c].text;
    l.block = block;
    l.comment_only = true;
    return l;
  }

  // ---- comments around list elements ----

  void hoist(Placement& pl, std::size_t c) const { pl.hoisted.push_back(c); }

  // Whether each of `spans` begins where or after the one before ends (operands, arguments,
  // entries): comments are then placed among them by binary search and a single pass, so that a
  // chain of 20,000 operands with a comment on every line is laid out in linear time.
  static bool in_sequence(const std::vector<Range>& spans) {
    for (std::size_t k = 1; k < spans.size(); ++k) {
      if (spans[k].begin < spans[k - 1].end || spans[k - 1].end < spans[k - 1].begin) return false;
    }
    return true;
  }

  Around classify(const Cs& free, const std::vector<Range>& spans, Placement& pl) const {
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

  // Splits `cs` into the comments inside each of `spans` and the rest (`free`).
  std::vector<Cs> split(Cs& cs, const std::vector<Range>& spans) const {
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

  // `head e0<sep> <prefix1>e1<sep> ... tail`, breaking after each separator with the elements
  // aligned under the first (call arguments, operator chains, if/then/else).
  Doc aligned_list(Doc head, std::vector<Doc> elems, const std::vector<std::string>& prefix, const std::string& sep,
                   Doc tail, Around& a, Placement& pl) const {
    const std::size_t n = elems.size();
    if (a.open) hoist(pl, *a.open);
    if (n > 0) {
      for (const std::size_t c : a.before[0]) hoist(pl, c);
      if (a.after[n - 1]) hoist(pl, *a.after[n - 1]);
    }
    for (const std::size_t c : a.end) hoist(pl, c);
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

  // `head e0, e1, ... tail` with as many elements per line as fit, continuation lines aligned
  // under the first element (call arguments that are all simple).
  Doc fill_list(Doc head, std::vector<Doc> elems, const std::string& sep, Doc tail, Around& a, Placement& pl) const {
    const std::size_t n = elems.size();
    if (a.open) hoist(pl, *a.open);
    if (n > 0) {
      for (const std::size_t c : a.before[0]) hoist(pl, c);
      if (a.after[n - 1]) hoist(pl, *a.after[n - 1]);
    }
    for (const std::size_t c : a.end) hoist(pl, c);
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

  // `head { e0, e1 } tail` on one line, or one element per line indented by 2 with `}` on a line
  // of its own (set, table, coef and bands literals).
  Doc block_list(Doc head, std::vector<Doc> elems, Doc tail, const Around& a) const {
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

  Doc expr(ExprId e, Prec context, Cs cs, Placement& pl) const {
    Prec own = kAtom;
    Doc d = node(e, own, std::move(cs), pl);
    if (own >= context) return d;
    Doc p = cat();
    p += txt("(");
    p += std::move(d);
    p += txt(")");
    return p;
  }

  // The expression `e` of an item, with the comments of `cs` inside it.
  Doc ex(ExprId e, Cs& cs, Placement& pl, Prec context = kIf) const { return expr(e, context, take(cs, e), pl); }

  Doc node(ExprId e, Prec& own, Cs cs, Placement& pl) const {
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

  // Elements printed with their own comments, in an aligned list.
  Doc list_of(const std::vector<ExprId>& parts, Doc head, const std::vector<std::string>& prefix, const std::string& sep,
              Doc tail, Cs cs, Placement& pl, Prec context) const {
    std::vector<Range> spans;
    for (const ExprId p : parts) spans.push_back(range(p));
    std::vector<Cs> inside = split(cs, spans);
    std::vector<Doc> elems;
    for (std::size_t k = 0; k < parts.size(); ++k) elems.push_back(expr(parts[k], context, std::move(inside[k]), pl));
    Around a = classify(cs, spans, pl);
    return aligned_list(std::move(head), std::move(elems), prefix, sep, std::move(tail), a, pl);
  }

  Doc chain(const ast::Binary& b, Prec& own, Cs cs, Placement& pl) const {
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

  Doc call(const ast::Call& c, Cs cs, Placement& pl) const {
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

  // Whether `e` holds a literal list (set, table, coef, bands) or an `if`: call arguments like
  // these go one per line when the call does not fit on one line.
  bool complex(ExprId e) const {
    const ast::Expr& x = m_.expr(e);
    if (std::holds_alternative<ast::SetLit>(x) || std::holds_alternative<ast::TableLit>(x) ||
        std::holds_alternative<ast::Coef>(x) || std::holds_alternative<ast::Bands>(x) || std::holds_alternative<ast::If>(x)) {
      return true;
    }
    bool found = false;
    ast::for_each_operand(m_.exprs, e, [&](ExprId y) { found = found || complex(y); });
    return found;
  }

  Doc literal_list(Doc head, std::vector<Doc> elems, const std::vector<Range>& spans, Cs cs, Placement& pl) const {
    std::vector<Cs> inside = split(cs, spans);
    for (const Cs& in : inside) {
      for (const std::size_t c : in) hoist(pl, c);
    }
    const Around a = classify(cs, spans, pl);
    return block_list(std::move(head), std::move(elems), txt("}"), a);
  }

  // `{ k: v, ... }` (table, sep ": ") or `{ k v, ..., else v }` (coef, sep " ").
  Doc entries(Doc head, const std::vector<ast::TableEntry>& list, ExprId otherwise, const std::string& sep, Cs cs,
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

  // ---- items ----

  // Prints a one-logical-line item: `build` makes its document from the item's comments (taking
  // those it places); the others are hoisted onto lines of their own before it.
  Lines doc_item(const Ctx& ctx, const Cs& cs, const std::function<Doc(Cs&, Placement&)>& build,
                 std::optional<std::size_t> trailing) {
    Placement pl;
    Doc d;
    while (true) {
      pl.hoisted.clear();
      Cs work = cs;
      d = build(work, pl);
      for (const std::size_t c : work) hoist(pl, c);
      if (pl.hoisted.empty()) break;
      std::int64_t last = -1;
      for (const std::size_t c : pl.hoisted) last = std::max(last, static_cast<std::int64_t>(comments_[c].begin));
      if (last <= pl.threshold) break;
      pl.threshold = last;
    }
    if (trailing) d += suffix(comments_[*trailing].text);
    Lines out;
    std::sort(pl.hoisted.begin(), pl.hoisted.end());
    for (const std::size_t c : pl.hoisted) out.push_back(comment_line(c, ctx.indent, ctx.block));
    Renderer r(kFormatWidth, next_block_);
    for (OutLine& l : r.run(d, ctx.indent, ctx.block)) out.push_back(std::move(l));
    return out;
  }

  Lines text_item(const Ctx& ctx, const std::string& s) {
    return doc_item(ctx, ctx.inner, [&](Cs&, Placement&) { return txt(s); }, ctx.trailing);
  }

  // An item of the source from `begin` to `end`, printed by `print`.
  static Item item(std::uint32_t begin, std::uint32_t end, std::function<Lines(const Ctx&)> print) {
    Item it;
    it.begin = begin;
    it.end = end;
    it.print = std::move(print);
    return it;
  }

  // An item on one logical line (doc_item): `build` makes its document with the item's comments.
  Item line_item(std::uint32_t begin, std::uint32_t end, std::function<Doc(const Ctx&, Cs&, Placement&)> build) {
    return item(begin, end, [this, build = std::move(build)](const Ctx& ctx) {
      return doc_item(ctx, ctx.inner, [&](Cs& cs, Placement& pl) { return build(ctx, cs, pl); }, ctx.trailing);
    });
  }

  // The item on one line when it fits: `build` makes it without comments (the caller has checked
  // that the item has none inside).
  std::optional<Lines> on_one_line(const Ctx& ctx, const std::function<Doc(Cs&, Placement&)>& build) {
    Placement pl;
    Cs none;
    const Doc d = build(none, pl);
    if (!one_line(d, ctx.indent)) return std::nullopt;
    return doc_item(ctx, {}, [&](Cs&, Placement&) { return d; }, ctx.trailing);
  }

  // An item with a `{ ... }` body: the header (up to `open`, the `{`), the body's items, `}`.
  Lines block_item(const Ctx& ctx, std::uint32_t open, std::uint32_t close,
                   const std::function<Doc(Cs&, Placement&)>& header, std::vector<Item> body) {
    Cs header_cs;
    for (const std::size_t c : ctx.inner) {
      if (comments_[c].begin < open) header_cs.push_back(c);
    }
    std::optional<std::size_t> header_trailing;
    const int body_block = next_block_++;
    const Lines inside = emit_block(std::move(body), open + 1, close, ctx.indent + 2, &header_trailing, body_block);
    Lines out = doc_item(
        ctx, header_cs,
        [&](Cs& cs, Placement& pl) {
          Doc d = header(cs, pl);
          d += txt(" {");
          if (header_trailing) d += suffix(comments_[*header_trailing].text);
          return d;
        },
        std::nullopt);
    out.insert(out.end(), inside.begin(), inside.end());
    OutLine close_line;
    close_line.code = spaces(ctx.indent) + "}";
    close_line.block = ctx.block;
    if (ctx.trailing) close_line.comment = comments_[*ctx.trailing].text;
    out.push_back(std::move(close_line));
    return out;
  }

  // Whether `d` fits on one line at `indent`.
  static bool one_line(const Doc& d, std::size_t indent) { return !d.forced && indent + width(flat(d)) <= kFormatWidth; }

  // ---- blocks ----

  // Prints the items of one block (the file, or the inside of `{ ... }` from `begin` to `end`),
  // with their comments: own-line comments before the item they precede, trailing comments
  // after the item they follow, and what follows the last item at the end. `header_trailing`
  // receives a trailing comment that follows the block's `{`.
  Lines emit_block(std::vector<Item> items, std::uint32_t begin, std::uint32_t end, std::size_t indent,
                   std::optional<std::size_t>* header_trailing, int block) {
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.begin < b.begin; });
    const std::size_t n = items.size();
    std::vector<Cs> leading(n);
    std::vector<Cs> inner(n);
    std::vector<std::optional<std::size_t>> trailing(n);
    Cs end_comments;
    std::int64_t last_own = -1;
    for (const std::size_t c : comments_in(begin, end)) {
      const CommentRec& rec = comments_[c];
      std::optional<std::size_t> holder;
      std::optional<std::size_t> prev;
      std::optional<std::size_t> next;
      for (std::size_t k = 0; k < n; ++k) {
        if (items[k].begin <= rec.begin && rec.begin < items[k].end) holder = k;
        if (items[k].end <= rec.begin) prev = k;
        if (!next && items[k].begin > rec.begin) next = k;
      }
      if (holder) {
        inner[*holder].push_back(c);
        continue;
      }
      if (!rec.own_line) {
        if (prev && !trailing[*prev] && last_own < static_cast<std::int64_t>(items[*prev].end)) {
          trailing[*prev] = c;
          continue;
        }
        if (!prev && header_trailing != nullptr && !*header_trailing && last_own < 0) {
          *header_trailing = c;
          continue;
        }
      }
      (next ? leading[*next] : end_comments).push_back(c);
      last_own = rec.begin;
    }

    // Blank lines the author put between elements (at most one is kept; none at the start).
    std::vector<std::vector<bool>> blank_leading(n);
    std::vector<bool> blank_item(n, false);
    std::vector<bool> blank_end;
    std::uint32_t prev_end = begin;
    bool first = true;
    auto blank_before = [&](std::uint32_t at, std::uint32_t after) {
      const bool b = !first && blank_between(prev_end, at);
      prev_end = after;
      first = false;
      return b;
    };
    for (std::size_t k = 0; k < n; ++k) {
      for (const std::size_t c : leading[k]) blank_leading[k].push_back(blank_before(comments_[c].begin, comments_[c].end));
      const std::uint32_t item_end = trailing[k] ? comments_[*trailing[k]].end : items[k].end;
      blank_item[k] = blank_before(items[k].begin, item_end);
    }
    for (const std::size_t c : end_comments) blank_end.push_back(blank_before(comments_[c].begin, comments_[c].end));

    // Alignment sections: consecutive items of one kind with no blank line between them.
    std::vector<std::vector<std::size_t>> widths(n);
    for (std::size_t k = 0; k < n;) {
      std::size_t j = k + 1;
      if (items[k].align_kind != 0) {
        while (j < n && items[j].align_kind == items[k].align_kind && !blank_item[j] && leading[j].empty()) {
          ++j;
        }
      }
      std::vector<std::size_t> w(items[k].cells.size(), 0);
      for (std::size_t i = k; i < j; ++i) {
        for (std::size_t c = 0; c < w.size() && c < items[i].cells.size(); ++c) w[c] = std::max(w[c], width(items[i].cells[c]));
      }
      for (std::size_t i = k; i < j; ++i) widths[i] = w;
      k = j;
    }

    std::vector<Lines> printed;
    for (std::size_t k = 0; k < n; ++k) {
      Ctx ctx;
      ctx.indent = indent;
      ctx.block = block;
      ctx.widths = widths[k];
      ctx.inner = inner[k];
      ctx.trailing = trailing[k];
      Lines lines = items[k].print(ctx);
      const auto code = std::count_if(lines.begin(), lines.end(), [](const OutLine& l) { return !l.comment_only; });
      if (code > 1) {
        const int run = next_block_++;
        for (OutLine& l : lines) {
          if (l.block == block) l.run = run;
        }
      }
      printed.push_back(std::move(lines));
    }

    Lines out;
    auto push_blank = [&]() {
      if (!out.empty() && !out.back().blank) out.push_back(blank_line());
    };
    for (std::size_t k = 0; k < n; ++k) {
      // A declaration of another group (header, inputs, params/sets/lets, ...) starts a paragraph.
      const bool forced = k > 0 && items[k].group != 0 && items[k - 1].group != 0 && items[k].group != items[k - 1].group;
      for (std::size_t j = 0; j < leading[k].size(); ++j) {
        if (blank_leading[k][j] || (j == 0 && forced)) push_blank();
        out.push_back(comment_line(leading[k][j], indent, block));
      }
      if (blank_item[k] || (leading[k].empty() && forced)) push_blank();
      out.insert(out.end(), printed[k].begin(), printed[k].end());
    }
    for (std::size_t j = 0; j < end_comments.size(); ++j) {
      if (blank_end[j]) push_blank();
      out.push_back(comment_line(end_comments[j], indent, block));
    }
    return out;
  }

  // ---- declarations ----

  // The groups of top-level declarations: a blank line separates declarations of different groups.
  enum Group { kHeader = 1, kImports, kInputs, kBindings, kIndicators, kVetoes, kBands, kFunds, kOutput, kEdits, kSegments };

  std::vector<Item> top_items() {
    std::vector<Item> items;
    auto add = [&](Item it, Group g) {
      it.group = g;
      items.push_back(std::move(it));
    };
    if (m_.policy) {
      const ast::PolicyDecl& p = *m_.policy;
      std::string s = k_.after(KwId::kw_policy, p.span.begin) + " " + quote_text(p.name);
      if (!p.version.empty()) s += " " + k_.after(KwId::kw_version, p.span.begin) + " " + quote_text(p.version);
      if (p.extends) s += " " + k_.before(KwId::kw_extends, p.extends_span.begin) + " " + quote_text(*p.extends);
      add(simple(p.span, s), kHeader);
    }
    if (m_.subject) {
      const ast::SubjectDecl& d = *m_.subject;
      std::string s = k_.before(KwId::kw_subject, d.subject.span.begin) + " " + d.subject.name + " " +
                      k_.after(KwId::kw_key, d.subject.span.end) + " " + d.key.name;
      if (d.period) s += " " + k_.after(KwId::kw_period, d.key.span.end) + " " + d.period->name;
      add(simple(d.span, s), kHeader);
    }
    if (m_.rollup) add(rollup_item(*m_.rollup), kHeader);
    if (m_.precision) {
      const std::string word = k_.before(KwId::kw_precision, m_.precision->span.begin);
      add(simple(m_.precision->span, word + " " + std::to_string(m_.precision->places)), kHeader);
    }
    // Inputs, one item per `input { ... }` block.
    for (std::size_t i = 0; i < m_.inputs.size();) {
      std::size_t j = i;
      std::vector<const ast::InputDecl*> block;
      while (j < m_.inputs.size() && m_.inputs[j].block == m_.inputs[i].block) block.push_back(&m_.inputs[j++]);
      add(input_block(block), kInputs);
      i = j;
    }
    for (const auto& p : m_.params) add(binding(KwId::kw_param, p.name, p.value, 1), kBindings);
    for (const auto& s : m_.sets) add(binding(KwId::kw_set, s.name, s.value, 0), kBindings);
    for (const auto& l : m_.lets) add(binding(KwId::kw_let, l.name, l.value, 2), kBindings);
    for (const std::uint32_t root : m_.roots) add(indicator(root), kIndicators);
    for (const auto& v : m_.vetoes) add(veto(v), kVetoes);
    for (const auto& b : m_.bands) add(band_decl(b), kBands);
    for (const auto& f : m_.funds) add(fund(f), kFunds);
    if (m_.output) add(output(*m_.output), kOutput);
    for (const auto& d : m_.imports) {
      std::string s = k_.before(KwId::kw_import, d.names.front().span.begin) + " ";
      for (std::size_t i = 0; i < d.names.size(); ++i) s += (i ? ", " : "") + d.names[i].name;
      add(simple(d.span, s + " " + k_.before(KwId::kw_from, d.from_span.begin) + " " + quote_text(d.from)), kImports);
    }
    for (const auto& o : m_.overrides) add(override_decl(o), kEdits);
    for (const auto& r : m_.removes) add(remove_decl(r), kEdits);
    for (const auto& a : m_.adds) add(add_decl(a), kEdits);
    for (const auto& seg : m_.segments) add(segment(seg), kSegments);
    return items;
  }

  Item remove_decl(const ast::RemoveDecl& r) {
    return simple(r.span, k_.before(KwId::kw_remove, r.target.parts.front().span.begin) + " " + ast::path_text(r.target));
  }

  // `veto NAME when 条件` and `segment NAME when 条件`: the head of their blocks.
  Doc named_when(KwId keyword, const ast::Ident& name, ExprId when, Cs& cs, Placement& pl) {
    Doc d = cat();
    d += txt(k_.before(keyword, name.span.begin) + " " + name.name + " " + k_.after(KwId::kw_when, name.span.end) + " ");
    d += ex(when, cs, pl);
    return d;
  }

  // `segment 农村 when 条件 { edits }`: `{ }` on one line when it has none.
  Item segment(const ast::SegmentDecl& seg) {
    return item(seg.span.begin, seg.span.end, [this, &seg](const Ctx& ctx) {
      auto header = [&](Cs& cs, Placement& pl) { return named_when(KwId::kw_segment, seg.name, seg.when, cs, pl); };
      const std::uint32_t open = find_open_brace(m_.span(seg.when).end);
      const std::uint32_t close = seg.span.end - 1;
      std::vector<Item> body;
      for (const auto& o : seg.overrides) body.push_back(override_decl(o));
      for (const auto& r : seg.removes) body.push_back(remove_decl(r));
      for (const auto& a : seg.adds) body.push_back(add_decl(a));
      if (body.empty() && ctx.inner.empty()) {
        auto lines = on_one_line(ctx, [&](Cs& cs, Placement& pl) {
          Doc d = header(cs, pl);
          d += txt(" { }");
          return d;
        });
        if (lines) return *lines;
      }
      return block_item(ctx, open, close, header, std::move(body));
    });
  }

  std::string rounding_text(Span span) const {
    const std::string phrase = k_.after(KwId::kw_rounding_fen, span.begin);
    return phrase;
  }

  Item simple(Span span, std::string s) {
    return item(span.begin, span.end, [this, s = std::move(s)](const Ctx& ctx) { return text_item(ctx, s); });
  }

  // `rollup 年度 { "Q1", ... } [missing reweight]`; a long list or table of sub-periods breaks one
  // per line like any set or table.
  Item rollup_item(const ast::RollupDecl& r) {
    return line_item(r.span.begin, r.span.end, [this, &r](const Ctx&, Cs& cs, Placement& pl) {
      Doc d = cat();
      d += txt(k_.before(KwId::kw_rollup, r.name.span.begin) + " " + r.name.name + " ");
      const auto& items = std::get<ast::SetLit>(m_.expr(r.parts)).items;
      if (r.groups.empty()) {
        d += ex(r.parts, cs, pl);
      } else {
        std::vector<Range> spans;
        std::vector<Doc> elems;
        for (std::size_t k = 0; k < items.size(); ++k) {
          spans.push_back({m_.span(items[k]).begin, m_.span(r.groups[k]).end});
          elems.push_back(txt(unparse(m_, items[k]) + ": " + unparse(m_, r.groups[k])));
        }
        d += literal_list(txt("{"), std::move(elems), spans, take(cs, r.parts), pl);
      }
      if (r.skip_missing) {
        d += txt(" " + k_.after(KwId::kw_missing, r.missing_span.begin) + " " + k_.after(KwId::kw_reweight, r.missing_span.begin));
      }
      return d;
    });
  }

  // `param NAME = value` (likewise set, let); consecutive params, and consecutive lets, align `=`.
  Item binding(KwId id, const ast::Ident& name, ExprId value, int align_kind) {
    const std::string keyword = k_.before(id, name.span.begin) + " ";
    Item it = line_item(name.span.begin, m_.span(value).end, [this, keyword, &name, value](const Ctx& ctx, Cs& cs, Placement& pl) {
      Doc d = cat();
      d += txt(keyword + pad_right(name.name, ctx.widths.empty() ? 0 : ctx.widths[0]) + " = ");
      d += ex(value, cs, pl);
      return d;
    });
    it.align_kind = align_kind;
    it.cells = {name.name};
    return it;
  }

  Item input_block(const std::vector<const ast::InputDecl*>& inputs) {
    if (inputs.empty() || inputs.front() == nullptr) throw std::logic_error("fmt: an input block without inputs");
    const Span block = inputs.front()->block;
    return item(block.begin, block.end, [this, inputs, block](const Ctx& ctx) {
      if (inputs.size() == 1 && ctx.inner.empty()) {
        const ast::InputDecl& in = *inputs.front();
        std::string s = k_.after(KwId::kw_input, block.begin) + " { " + in.name.name + " : " + input_type(in, k_) + " }";
        if (one_line(txt(s), ctx.indent)) return text_item(ctx, s);
      }
      std::vector<Item> body;
      for (const ast::InputDecl* in : inputs) {
        Item x = item(in->name.span.begin, std::max(in->type_span.end, in->name.span.end), [this, in](const Ctx& c) {
          return text_item(c, pad_right(in->name.name, c.widths[0]) + " : " + input_type(*in, k_));
        });
        x.align_kind = 1;
        x.cells = {in->name.name};
        body.push_back(std::move(x));
      }
      const std::uint32_t open = find_open_brace(block.begin + 5);
      const std::string word = k_.after(KwId::kw_input, block.begin);
      return block_item(ctx, open, block.end - 1, [word](Cs&, Placement&) { return txt(word); }, std::move(body));
    });
  }

  std::string weight_text(const ast::Weight& w) const {
    if (w.kind == ast::WeightKind::kOther) return std::string(text_.substr(w.span.begin, w.span.end - w.span.begin));
    return unparse(w);
  }

  bool is_simple_leaf(const ast::IndicatorNode& node) const {
    return ast::present(node.formula) && node.children.empty() && node.adjusts.empty() &&
           !ast::present(node.deductions_max) && !ast::present(node.bonuses_max);
  }

  // `name weight = formula [missing rule]` with the name and weight padded to `widths`.
  Doc leaf_doc(const ast::IndicatorNode& node, const std::vector<std::size_t>& widths, Cs& cs, Placement& pl) const {
    const std::size_t name_width = widths.empty() ? 0 : widths[0];
    const std::size_t weight_width = widths.size() < 2 ? 0 : widths[1];
    Doc d = cat();
    d += txt(pad_right(node.name.name, name_width) + " " + pad_left(weight_text(node.weight), weight_width) + " = ");
    d += ex(node.formula, cs, pl);
    d += txt(missing_text(node, k_));
    return d;
  }

  // The items of an indicator's body: sub-indicators, deductions, bonuses and caps.
  std::vector<Item> node_body(std::uint32_t owner) {
    const ast::IndicatorNode& n = m_.nodes[owner];
    std::vector<Item> items;
    for (const std::uint32_t child : n.children) {
      const ast::IndicatorNode& c = m_.nodes[child];
      if (is_simple_leaf(c)) {
        Item it = line_item(c.span.begin, c.span.end, [this, &c](const Ctx& ctx, Cs& cs, Placement& pl) {
          return leaf_doc(c, ctx.widths, cs, pl);
        });
        it.align_kind = 1;
        it.cells = {c.name.name, weight_text(c.weight)};
        items.push_back(std::move(it));
        continue;
      }
      items.push_back(item(c.span.begin, c.span.end, [this, &c, child](const Ctx& ctx) {
        const std::uint32_t after = ast::present(c.formula)
                                        ? std::max(m_.span(c.formula).end, c.missing_span.end)
                                        : c.name.span.end;
        const std::uint32_t open = find_open_brace(after);
        return block_item(
            ctx, open, c.span.end - 1,
            [&](Cs& cs, Placement& pl) {
              if (ast::present(c.formula)) return leaf_doc(c, {}, cs, pl);
              return txt(c.name.name + " " + weight_text(c.weight));
            },
            node_body(child));
      }));
    }
    for (const ast::Adjust& a : n.adjusts) {
      items.push_back(line_item(a.span.begin, a.span.end, [this, &a](const Ctx&, Cs& cs, Placement& pl) {
        Doc d = cat();
        const KwId kind = a.kind == ast::AdjustKind::kDeduct ? KwId::kw_deduct : KwId::kw_bonus;
        d += txt(k_.before(kind, a.name.span.begin) + " " + a.name.name + " ");
        d += ex(a.amount, cs, pl);
        if (ast::present(a.per)) {
          d += txt(" " + k_.before(KwId::kw_per, m_.span(a.per).begin) + " ");
          d += ex(a.per, cs, pl);
        }
        if (ast::present(a.when)) {
          d += txt(" " + k_.before(KwId::kw_when, m_.span(a.when).begin) + " ");
          d += ex(a.when, cs, pl);
        }
        if (ast::present(a.max)) {
          d += txt(", " + k_.before(KwId::kw_max, m_.span(a.max).begin) + " ");
          d += ex(a.max, cs, pl);
        }
        return d;
      }));
    }
    for (const bool deductions : {true, false}) {
      const ExprId cap = deductions ? n.deductions_max : n.bonuses_max;
      if (!ast::present(cap)) continue;
      items.push_back(line_item(m_.span(cap).begin, m_.span(cap).end, [this, cap, deductions](const Ctx&, Cs& cs, Placement& pl) {
        Doc d = cat();
        const std::uint32_t at = m_.span(cap).begin;
        d += txt(k_.before(deductions ? KwId::kw_deductions : KwId::kw_bonuses, at) + " " + k_.before(KwId::kw_max, at) + " ");
        d += ex(cap, cs, pl);
        return d;
      }));
    }
    return items;
  }

  // `HEAD { leaf }` on one line when the body of `owner` is one leaf with no comment and it fits.
  std::optional<Lines> one_leaf(const Ctx& ctx, const std::string& head, std::uint32_t owner) {
    const ast::IndicatorNode& n = m_.nodes[owner];
    if (!ctx.inner.empty() || n.children.size() != 1 || !n.adjusts.empty() || ast::present(n.deductions_max) ||
        ast::present(n.bonuses_max) || !is_simple_leaf(m_.nodes[n.children[0]])) {
      return std::nullopt;
    }
    return on_one_line(ctx, [&](Cs& cs, Placement& pl) {
      Doc d = cat();
      d += txt(head + " { ");
      d += leaf_doc(m_.nodes[n.children[0]], {}, cs, pl);
      d += txt(" }");
      return d;
    });
  }

  Item indicator(std::uint32_t root) {
    const ast::IndicatorNode& n = m_.nodes[root];
    return item(n.span.begin, n.span.end, [this, &n, root](const Ctx& ctx) {
      std::string head = k_.before(KwId::kw_indicator, n.name.span.begin) + " " + n.name.name;
      if (n.weight.span.valid()) head += " " + weight_text(n.weight);
      // One line for a tree of one leaf: `indicator 总分 { 工作 100% = 得分 }`.
      if (auto lines = one_leaf(ctx, head, root)) return *lines;
      return block_item(
          ctx, find_open_brace(n.name.span.end), n.span.end - 1, [&](Cs&, Placement&) { return txt(head); },
          node_body(root));
    });
  }

  Item add_decl(const ast::AddDecl& a) {
    return item(a.span.begin, a.span.end, [this, &a](const Ctx& ctx) {
      const std::string head = k_.before(KwId::kw_add, a.target.parts.front().span.begin) + " " + ast::path_text(a.target);
      if (auto lines = one_leaf(ctx, head, a.holder)) return *lines;
      return block_item(
          ctx, find_open_brace(a.target.parts.back().span.end), a.span.end - 1,
          [&](Cs&, Placement&) { return txt(head); }, node_body(a.holder));
    });
  }

  Item veto(const ast::VetoDecl& v) {
    return item(v.span.begin, v.span.end, [this, &v](const Ctx& ctx) {
      struct Effect {
        std::uint32_t begin;
        std::uint32_t end;
        std::string text;
      };
      std::vector<Effect> effects;
      for (const auto& e : v.effects) effects.push_back({e.span.begin, e.span.end, effect_text({e.kind, e.target ? e.target->name : "", unparse(e.label), e.steps}, k_, e.span.begin)});
      if (v.reason) {
        effects.push_back({v.reason_span.begin, v.reason_span.end, k_.before(KwId::kw_reason, v.reason_span.begin) + " " + quote_text(*v.reason)});
      }
      std::stable_sort(effects.begin(), effects.end(), [](const Effect& a, const Effect& b) { return a.begin < b.begin; });
      std::string joined;
      for (std::size_t i = 0; i < effects.size(); ++i) joined += (i ? " ; " : "") + effects[i].text;
      auto header = [&](Cs& cs, Placement& pl) { return named_when(KwId::kw_veto, v.name, v.when, cs, pl); };
      const std::uint32_t open = find_open_brace(m_.span(v.when).end);
      const std::uint32_t close = v.span.end - 1;
      if (ctx.inner.empty()) {
        auto lines = on_one_line(ctx, [&](Cs& cs, Placement& pl) {
          Doc d = header(cs, pl);
          d += txt(joined.empty() ? " { }" : " { " + joined + " }");
          return d;
        });
        if (lines) return *lines;
      }
      const bool body_comments = std::any_of(ctx.inner.begin(), ctx.inner.end(), [&](std::size_t c) { return comments_[c].begin > open; });
      if (!body_comments && !joined.empty() && ctx.indent + 2 + width(joined) <= kFormatWidth) {
        // The effects on one line of their own.
        return block_item(ctx, open, close, header, {simple(Span{v.span.source, open + 1, close}, joined)});
      }
      std::vector<Item> body;
      for (const Effect& e : effects) body.push_back(simple(Span{v.span.source, e.begin, e.end}, e.text));
      return block_item(ctx, open, close, header, std::move(body));
    });
  }

  Item band_decl(const ast::BandDecl& b) {
    return item(b.span.begin, b.span.end, [this, &b](const Ctx& ctx) {
      auto header = [&](Cs& cs, Placement& pl) {
        Doc d = cat();
        d += txt(k_.before(b.kind == ast::BandKind::kGrade ? KwId::kw_grade : KwId::kw_alert, b.name.span.begin) + " " + b.name.name + " " +
                 k_.after(KwId::kw_of, b.name.span.end) + " ");
        d += ex(b.of, cs, pl);
        return d;
      };
      const bool plain = std::none_of(b.bands.begin(), b.bands.end(), [](const ast::Band& x) { return x.deadline || x.text; });
      if (ctx.inner.empty() && plain) {
        // One line: `grade 等级 of 总分 { A [90, 100]  B [75, 90) }`.
        std::string bands;
        for (std::size_t i = 0; i < b.bands.size(); ++i) {
          bands += (i ? "  " : "") + unparse(b.bands[i].label);
          if (b.bands[i].has_interval) bands += " " + interval_text(b.bands[i].interval, k_);
        }
        auto lines = on_one_line(ctx, [&](Cs& cs, Placement& pl) {
          Doc d = header(cs, pl);
          d += txt(bands.empty() ? " { }" : " { " + bands + " }");
          return d;
        });
        if (lines) return *lines;
      }
      std::vector<Item> body;
      for (const ast::Band& band : b.bands) {
        std::vector<std::string> cells = {unparse(band.label), band.has_interval ? interval_text(band.interval, k_) : "",
                                          band.deadline ? deadline_text(*band.deadline, k_) : ""};
        Item x = item(band.span.begin, band.span.end, [this, &band, cells](const Ctx& c) {
          std::string s = pad_right(cells[0], c.widths[0]);
          if (c.widths[1] > 0) s += " " + pad_right(cells[1], c.widths[1]);
          if (c.widths[2] > 0) s += "  " + pad_right(cells[2], c.widths[2]);
          if (band.text) s += (c.widths[1] > 0 || c.widths[2] > 0 ? "  " : " ") + quote_text(*band.text);
          return text_item(c, rtrim(s));
        });
        x.align_kind = 1;
        x.cells = std::move(cells);
        body.push_back(std::move(x));
      }
      return block_item(ctx, find_open_brace(m_.span(b.of).end), b.span.end - 1, header, std::move(body));
    });
  }

  Item fund(const ast::FundDecl& f) {
    return item(f.span.begin, f.span.end, [this, &f](const Ctx& ctx) {
      auto header = [&](Cs& cs, Placement& pl) {
        Doc d = cat();
        d += txt(k_.before(KwId::kw_fund, f.name.span.begin) + " " + f.name.name + " " + k_.after(KwId::kw_pool, f.name.span.end) + " ");
        d += ex(f.pool, cs, pl);
        if (ast::present(f.per_group)) {
          d += txt(" " + k_.before(KwId::kw_per, m_.span(f.per_group).begin) + " ");
          d += ex(f.per_group, cs, pl);
        }
        return d;
      };
      std::vector<Item> body;
      for (const ast::Track& t : f.tracks) {
        Item x = line_item(t.span.begin, t.span.end, [this, &t](const Ctx& c, Cs& cs, Placement& pl) {
          Doc d = cat();
          d += txt(k_.before(KwId::kw_track, t.name.span.begin) + " " + pad_right(t.name.name, c.widths[0]) + " " +
                   pad_left(weight_text(t.share), c.widths[1]) + " " + k_.after(KwId::kw_split, t.share.span.end) + " ");
          switch (t.mode) {
            case ast::TrackMode::kSplitBy:
              d += txt(k_.before(KwId::kw_by, m_.span(t.by).begin) + " ");
              d += ex(t.by, cs, pl);
              break;
            case ast::TrackMode::kEqually: d += txt(k_.after(KwId::kw_equally, t.share.span.end)); break;
            case ast::TrackMode::kTop:
              d += txt(k_.before(KwId::kw_among_top, t.top_span.begin) + " " + decimal::to_string(t.top_raw) +
                       (t.top_percent ? "%" : "") + " " + top_options(t, k_) + k_.before(KwId::kw_by, m_.span(t.by).begin) + " ");
              d += ex(t.by, cs, pl);
              if (ast::present(t.proportional)) {
                d += txt(" " + k_.before(KwId::kw_proportional_to, m_.span(t.proportional).begin) + " ");
                d += ex(t.proportional, cs, pl);
              }
              break;
          }
          if (ast::present(t.when)) {
            d += txt(" " + k_.before(KwId::kw_when, m_.span(t.when).begin) + " ");
            d += ex(t.when, cs, pl);
          }
          return d;
        });
        x.align_kind = 1;
        x.cells = {t.name.name, weight_text(t.share)};
        body.push_back(std::move(x));
      }
      std::optional<Span> ties;
      std::string ties_text;
      if (!f.ties.empty()) {
        const std::uint32_t first_key = m_.span(f.ties.front().key).begin;
        ties_text = k_.before(KwId::kw_ties, first_key) + " " + k_.before(KwId::kw_by, first_key) + " ";
        for (std::size_t i = 0; i < f.ties.size(); ++i) {
          ties_text += (i ? ", " : "") + unparse(m_, f.ties[i].key) +
                       (f.ties[i].descending ? " " + k_.after(KwId::kw_desc, m_.span(f.ties[i].key).end) : "");
        }
        const Span first = m_.span(f.ties.front().key);
        ties = Span{first.source, first.begin, m_.span(f.ties.back().key).end};
      }
      // `rounding fen, ties by KEY` share a line when written one after the other.
      const bool together = f.rounding && ties && f.rounding->begin < ties->begin &&
                            std::none_of(f.tracks.begin(), f.tracks.end(), [&](const ast::Track& t) {
                              return t.span.begin > f.rounding->begin && t.span.begin < ties->begin;
                            }) &&
                            comments_in(f.rounding->begin, ties->begin).empty();
      if (together) {
        body.push_back(simple(Span{ties->source, f.rounding->begin, ties->end}, rounding_text(*f.rounding) + ", " + ties_text));
      } else {
        if (f.rounding) body.push_back(simple(*f.rounding, rounding_text(*f.rounding)));
        if (ties) body.push_back(simple(*ties, ties_text));
      }
      const ExprId last_header = ast::present(f.per_group) ? f.per_group : f.pool;
      return block_item(ctx, find_open_brace(m_.span(last_header).end), f.span.end - 1, header, std::move(body));
    });
  }

  // `output a, b, c`: as many columns per line as fit, continuation lines aligned under the first.
  Item output(const ast::OutputDecl& o) {
    return item(o.span.begin, o.span.end, [this, &o](const Ctx& ctx) {
      Lines out;
      for (const std::size_t c : ctx.inner) out.push_back(comment_line(c, ctx.indent, ctx.block));
      OutLine cur;
      cur.block = ctx.block;
      const std::string word = o.items.empty() ? "output" : k_.before(KwId::kw_output, m_.span(o.items.front()).begin);
      cur.code = spaces(ctx.indent) + word;
      for (std::size_t i = 0; i < o.items.size(); ++i) {
        const std::string item = unparse(m_, o.items[i]);
        const bool last = i + 1 == o.items.size();
        const std::string candidate = cur.code + " " + item + (last ? "" : ",");
        if (i > 0 && width(candidate) > kFormatWidth) {
          out.push_back(cur);
          cur.code = spaces(ctx.indent + width(word) + 1) + item + (last ? "" : ",");
        } else {
          cur.code = candidate;
        }
      }
      if (ctx.trailing) cur.comment = comments_[*ctx.trailing].text;
      out.push_back(cur);
      return out;
    });
  }

  Item override_decl(const ast::OverrideDecl& o) {
    return line_item(o.span.begin, o.span.end, [this, &o](const Ctx&, Cs& cs, Placement& pl) {
      Doc d = cat();
      const std::uint32_t target_end = o.target.parts.back().span.end;
      d += txt(k_.before(KwId::kw_override, o.target.parts.front().span.begin) + " " + ast::path_text(o.target) + " ");
      switch (o.kind) {
        case ast::OverrideKind::kWeight: d += txt(k_.after(KwId::kw_weight, target_end) + " " + weight_text(o.weight)); break;
        case ast::OverrideKind::kFormula:
          d += txt("= ");
          d += ex(o.formula, cs, pl);
          break;
        case ast::OverrideKind::kCoef:
          d += entries(txt(k_.after(KwId::kw_coef, target_end) + " {"), o.coef_entries, o.coef_else, " ", std::move(cs), pl);
          break;
        case ast::OverrideKind::kBand: {
          std::vector<std::string> parts;
          if (o.interval) parts.push_back(interval_text(*o.interval, k_));
          if (o.deadline) parts.push_back(deadline_text(*o.deadline, k_));
          if (o.text) parts.push_back(quote_text(*o.text));
          std::string s;
          for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? " " : "") + parts[i];
          d += txt(s);
          break;
        }
      }
      if (o.kind == ast::OverrideKind::kCoef) cs.clear();
      return d;
    });
  }

  // ---- output ----

  // Joins the lines. Trailing comments align in one column within a run of consecutive code
  // lines of one block (a blank line or a comment line ends the run), 2 columns after the
  // longest code; a line longer than the run's median by more than kOutlier columns keeps its
  // comment 2 columns after its own code instead of pushing the others right.
  static constexpr std::size_t kOutlier = 20;

  static std::string assemble(const Lines& lines) {
    std::string out;
    std::size_t i = 0;
    while (i < lines.size()) {
      if (lines[i].blank || lines[i].comment_only) {
        out += lines[i].code + "\n";
        ++i;
        continue;
      }
      std::size_t j = i;
      std::vector<std::size_t> widths;
      while (j < lines.size() && !lines[j].blank && !lines[j].comment_only && lines[j].block == lines[i].block &&
             lines[j].run == lines[i].run) {
        if (!lines[j].comment.empty()) widths.push_back(width(lines[j].code));
        ++j;
      }
      std::sort(widths.begin(), widths.end());
      const std::size_t limit = widths.empty() ? 0 : widths[(widths.size() - 1) / 2] + kOutlier;
      std::size_t column = 0;
      for (const std::size_t w : widths) {
        if (w <= limit) column = std::max(column, w + 2);
      }
      for (std::size_t k = i; k < j; ++k) {
        out += lines[k].code;
        if (!lines[k].comment.empty()) {
          const std::size_t w = width(lines[k].code);
          out += spaces(w <= limit ? column - w : 2) + lines[k].comment;
        }
        out += "\n";
      }
      i = j;
    }
    // No blank line at the end of the file.
    while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
    return out;
  }

  const ast::Module& m_;
  std::string_view text_;
  Speller k_;
  std::vector<CommentRec> comments_;
  int next_block_ = 1;
};

}  // namespace

std::string layout(const ast::Module& m, std::string_view text, KeywordSet set) { return Formatter(m, text, set).run(); }

}  // namespace jixiao::dsl::format_detail
