// Canonical text of expressions (see unparse.hpp).
#include "jixiao/dsl/unparse.hpp"

#include <type_traits>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/decl_text.hpp"

namespace jixiao::dsl {
namespace {

using ast::BinaryOp;
using ast::ExprId;

// Binding strength, loosest first, matching the grammar: if < or < and < not < comparison < + - < * / < unary.
enum Prec { kIf = 0, kOr, kAnd, kNot, kCmp, kAdd, kMul, kUnary, kAtom };

Prec precedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return kOr;
    case BinaryOp::kAnd: return kAnd;
    case BinaryOp::kAdd:
    case BinaryOp::kSub: return kAdd;
    case BinaryOp::kMul:
    case BinaryOp::kDiv: return kMul;
    default: return kCmp;
  }
}

const char* spelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kEq: return "==";
    case BinaryOp::kNe: return "!=";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLe: return "<=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGe: return ">=";
    case BinaryOp::kAnd: return "and";
    case BinaryOp::kOr: return "or";
    case BinaryOp::kIn: return "in";
    case BinaryOp::kNotIn: return "not in";
    case BinaryOp::kAnyIn: return "any_in";
    case BinaryOp::kAllIn: return "all_in";
  }
  return "?";
}

std::string money(std::int64_t fen) {
  const bool negative = fen < 0;
  const std::int64_t v = negative ? -fen : fen;
  std::string s;
  if (v != 0 && v % 10'000'000'000 == 0) {
    s = std::to_string(v / 10'000'000'000) + "亿元";
  } else if (v != 0 && v % 1'000'000 == 0) {
    s = std::to_string(v / 1'000'000) + "万元";
  } else {
    s = decimal::format_trim(v, 2) + "元";
  }
  return negative ? "-" + s : s;
}

class Printer {
 public:
  explicit Printer(const ast::Module& m) : m_(m) {}

  // Prints `e`, parenthesized when it binds looser than `context` requires.
  std::string print(ExprId e, Prec context) {
    Prec own = kAtom;
    std::string s = node(e, own);
    return own < context ? "(" + s + ")" : s;
  }

 private:
  std::string node(ExprId e, Prec& own) {
    return std::visit(
        [&](const auto& n) {
          if constexpr (std::is_same_v<std::decay_t<decltype(n)>, ast::Binary>) {
            return chain(e, own);
          } else {
            return text(n, own);
          }
        },
        m_.expr(e));
  }

  // Left-associative: the right operand of an equal-precedence operator needs parentheses;
  // comparisons do not chain, so both their operands bind tighter.
  static Prec left_context(Prec own) { return own == kCmp ? static_cast<Prec>(kCmp + 1) : own; }
  static Prec right_context(Prec own) { return static_cast<Prec>(own + 1); }

  // `a + b - c ...` nests down the left; printed in a loop from the innermost operation out.
  std::string chain(ExprId e, Prec& own) {
    const std::vector<ExprId> ops = ast::left_chain(m_.exprs, e);
    const auto& innermost = std::get<ast::Binary>(m_.expr(ops.front()));
    std::string s = print(innermost.lhs, left_context(precedence(innermost.op)));
    Prec inner = kAtom;
    for (const ExprId op : ops) {
      const auto& b = std::get<ast::Binary>(m_.expr(op));
      own = precedence(b.op);
      if (inner < left_context(own)) s = "(" + s + ")";
      s += " ";
      s += spelling(b.op);
      s += " ";
      s += print(b.rhs, right_context(own));
      inner = own;
    }
    return s;
  }

  std::string text(const ast::NumberLit& n, Prec& own) {
    if (n.raw < 0) own = kUnary;
    const std::string v = decimal::to_string(n.raw);
    return v + (n.unit == ast::Unit::kPercent ? "%" : n.unit == ast::Unit::kPoints ? "分" : "");
  }
  std::string text(const ast::MoneyLit& n, Prec& own) {
    if (n.fen < 0) own = kUnary;
    return money(n.fen);
  }
  std::string text(const ast::StringLit& n, Prec&) { return quote_text(n.value); }
  std::string text(const ast::BoolLit& n, Prec&) { return n.value ? "true" : "false"; }
  std::string text(const ast::NameRef& n, Prec&) { return ast::path_text(n); }

  std::string text(const ast::Unary& u, Prec& own) {
    if (u.op == ast::UnaryOp::kNot) {
      own = kNot;
      return "not " + print(u.operand, kNot);
    }
    own = kUnary;
    return "-" + print(u.operand, kUnary);
  }


  std::string text(const ast::If& i, Prec& own) {
    own = kIf;
    return "if " + print(i.cond, kIf) + " then " + print(i.then_expr, kIf) + " else " + print(i.else_expr, kIf);
  }

  std::string text(const ast::Call& c, Prec&) {
    std::string s = c.callee.name + "(";
    bool first = true;
    for (const ExprId a : c.args) {
      s += (first ? "" : ", ") + print(a, kIf);
      first = false;
    }
    for (const auto& a : c.named) {
      s += (first ? "" : ", ") + a.name.name + ": " + print(a.value, kIf);
      first = false;
    }
    return s + ")";
  }

  std::string text(const ast::Pair& p, Prec&) { return print(p.from, kIf) + " -> " + print(p.to, kIf); }

  std::string text(const ast::SetLit& s, Prec&) {
    std::string out = "{ ";
    for (std::size_t i = 0; i < s.items.size(); ++i) out += (i ? ", " : "") + print(s.items[i], kIf);
    return out + " }";
  }

  std::string text(const ast::TableLit& t, Prec&) {
    std::string out = "{ ";
    for (std::size_t i = 0; i < t.entries.size(); ++i) {
      out += (i ? ", " : "") + unparse(t.entries[i].key) + ": " + print(t.entries[i].value, kIf);
    }
    return out + " }";
  }

  std::string text(const ast::Coef& c, Prec&) {
    std::string out = "coef(" + print(c.subject, kIf) + ") { ";
    for (std::size_t i = 0; i < c.entries.size(); ++i) {
      out += (i ? ", " : "") + unparse(c.entries[i].key) + " " + print(c.entries[i].value, kIf);
    }
    if (ast::present(c.otherwise)) out += std::string(c.entries.empty() ? "" : ", ") + "else " + print(c.otherwise, kIf);
    return out + " }";
  }

  std::string text(const ast::Bands& b, Prec&) {
    std::string out = "bands(" + print(b.subject, kIf) + ") { ";
    for (std::size_t i = 0; i < b.entries.size(); ++i) {
      out += (i ? ", " : "") + unparse(b.entries[i].interval) + " " + print(b.entries[i].value, kIf);
    }
    return out + " }";
  }

  const ast::Module& m_;
};

}  // namespace

std::string unparse(const ast::Module& m, ast::ExprId e) {
  Printer p(m);
  return p.print(e, kIf);
}

std::string unparse_rollup_parts(const ast::Module& m, const ast::RollupDecl& r) {
  if (r.groups.empty()) return unparse(m, r.parts);
  const auto& items = std::get<ast::SetLit>(m.expr(r.parts)).items;
  std::string out = "{ ";
  for (std::size_t k = 0; k < items.size(); ++k) {
    out += (k ? ", " : "") + unparse(m, items[k]) + ": " + unparse(m, r.groups.at(k));
  }
  return out + " }";
}

std::string rollup_text(const ast::Module& m, const ast::RollupDecl& r) {
  return r.name.name + " " + unparse_rollup_parts(m, r) + (r.skip_missing ? " missing reweight" : "");
}

std::string unparse(const ast::Interval& iv) { return interval_text(iv, "inf"); }

std::string unparse(const ast::Weight& w) {
  const std::string v = decimal::to_string(w.raw);
  switch (w.kind) {
    case ast::WeightKind::kPercent: return v + "%";
    case ast::WeightKind::kPoints: return v + "分";
    default: return v;
  }
}

std::string quote_text(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

std::string unparse(const ast::Label& l) { return l.quoted ? quote_text(l.text) : l.text; }

}  // namespace jixiao::dsl
