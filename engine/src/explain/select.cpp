// `jixiao explain`: which expressions' values an explanation shows (explain_trace()), which the
// compiler records on the traced rows.
#include <algorithm>

#include "common.hpp"
#include "jixiao/engine/explain.hpp"

namespace jixiao::engine {
namespace {

using ast::ExprId;
using explain::named_arg;

// The expressions under `e` an explanation shows a value for.
void collect_traced(const dsl::CheckedPolicy& p, ExprId e, bool root, std::vector<ExprId>& out) {
  if (!ast::present(e)) return;
  const ast::Module& m = p.module;
  const ast::Expr& x = m.expr(e);
  const auto* call = std::get_if<ast::Call>(&x);
  if (root || call != nullptr || std::holds_alternative<ast::Coef>(x) || std::holds_alternative<ast::Bands>(x)) {
    out.push_back(e);
  }
  if (const auto* i = std::get_if<ast::If>(&x)) out.push_back(i->cond);
  // A function over other rows: its group's value on the row (the rows and values it read, the
  // engine records itself).
  if (call != nullptr && p.reads_other_rows(e)) {
    if (const ast::NamedArg* w = named_arg(*call, dsl::NamedArg::kWithin)) out.push_back(w->value);
  }
  // The argument a function, `coef` or `bands` works on, when it is computed (not a name or literal).
  auto compound = [&](ExprId a) {
    const ast::Expr& ax = m.expr(a);
    if (std::holds_alternative<ast::Binary>(ax) || std::holds_alternative<ast::Unary>(ax) || std::holds_alternative<ast::If>(ax)) {
      out.push_back(a);
    }
  };
  if (call != nullptr && !call->args.empty()) compound(call->args[0]);
  if (const auto* c = std::get_if<ast::Coef>(&x)) compound(c->subject);
  if (const auto* b = std::get_if<ast::Bands>(&x)) compound(b->subject);
  ast::for_each_operand(m.exprs, e, [&](ExprId c) { collect_traced(p, c, false, out); });
}

}  // namespace

std::vector<ast::ExprId> explain_trace(const dsl::CheckedPolicy& policy) {
  const ast::Module& m = policy.module;
  std::vector<ExprId> out;
  auto root = [&](ExprId e) { collect_traced(policy, e, true, out); };
  for (const ast::IndicatorNode& n : m.nodes) {
    if (n.detached) continue;
    if (ast::present(n.formula)) root(n.formula);
    for (const ast::Adjust& a : n.adjusts) {
      for (const ExprId e : {a.amount, a.per, a.when, a.max}) {
        if (ast::present(e)) root(e);
      }
    }
    if (ast::present(n.deductions_max)) root(n.deductions_max);
    if (ast::present(n.bonuses_max)) root(n.bonuses_max);
  }
  for (const ast::LetDecl& l : m.lets) root(l.value);
  for (const ast::VetoDecl& v : m.vetoes) root(v.when);
  for (const ast::BandDecl& b : m.bands) root(b.of);
  for (const ast::FundDecl& f : m.funds) {
    for (const ast::Track& t : f.tracks) {
      for (const ExprId e : {t.by, t.proportional, t.when}) {
        if (ast::present(e)) root(e);
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace jixiao::engine
