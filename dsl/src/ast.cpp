// Small AST helpers.
#include "jixiao/dsl/ast.hpp"

#include <algorithm>

namespace jixiao::ast {

std::vector<ExprId> left_chain(const std::vector<Expr>& exprs, ExprId e) {
  std::vector<ExprId> chain;
  for (const Binary* b = std::get_if<Binary>(&exprs[static_cast<std::uint32_t>(e)]); b != nullptr;
       b = std::get_if<Binary>(&exprs[static_cast<std::uint32_t>(b->lhs)])) {
    chain.push_back(e);
    e = b->lhs;
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

std::string path_text(const NameRef& ref) {
  std::string s;
  for (const Ident& part : ref.parts) {
    if (!s.empty()) s += ".";
    s += part.name;
  }
  return s;
}

}  // namespace jixiao::ast

namespace jixiao::ast {

std::int64_t literal_value(const NumberLit& n) {
  if (n.unit != Unit::kPercent) return n.raw;
  // raw / 100, rounded half away from zero.
  const std::int64_t q = n.raw / 100;
  const std::int64_t r = n.raw % 100;
  if (r >= 50) return q + 1;
  if (r <= -50) return q - 1;
  return q;
}

}  // namespace jixiao::ast
