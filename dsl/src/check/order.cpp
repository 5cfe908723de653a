// The order the checker checks symbols in: what a symbol reads before the symbol, found from the
// names its expressions hold, and the cycles among them (Tarjan's strongly connected components,
// with an explicit stack: a chain of 10,000 lets costs no call stack here).
#include <algorithm>
#include <array>
#include <string_view>

#include "checker.hpp"

namespace jixiao::dsl::check_detail {
namespace {

// Named arguments whose value is a bare word, not a name (`better: lower`, `ties: shared`,
// `order: asc`, `partial: no`): the checker never resolves them.
bool word_argument(const std::string& name) {
  constexpr std::array<std::string_view, 4> kWords = {"better", "ties", "order", "partial"};
  return std::find(kWords.begin(), kWords.end(), name) != kWords.end();
}

// The expressions the checker types when it checks `s` (Checker::ensure and what it calls).
std::vector<ast::ExprId> checked_exprs(const CheckedPolicy& p, const Symbol& s) {
  const ast::Module& m = p.module;
  std::vector<ast::ExprId> out;
  auto add = [&](ast::ExprId e) {
    if (ast::present(e)) out.push_back(e);
  };
  switch (s.kind) {
    case SymbolKind::kParam: add(m.params[s.index].value); break;
    case SymbolKind::kSet: add(m.sets[s.index].value); break;
    case SymbolKind::kLet: add(m.lets[s.index].value); break;
    case SymbolKind::kIndicator: {
      const ast::IndicatorNode& n = m.nodes[s.index];
      if (n.children.empty()) add(n.formula);
      for (const ast::Adjust& a : n.adjusts) {
        add(a.amount);
        add(a.per);
        add(a.when);
        add(a.max);
      }
      add(n.deductions_max);
      add(n.bonuses_max);
      break;
    }
    case SymbolKind::kVeto: add(m.vetoes[s.index].when); break;
    case SymbolKind::kGrade:
    case SymbolKind::kAlert: add(m.bands[s.index].of); break;
    case SymbolKind::kFund: {
      const ast::FundDecl& f = m.funds[s.index];
      add(f.pool);
      add(f.per_group);
      for (const ast::Track& t : f.tracks) {
        add(t.by);
        if (t.mode == ast::TrackMode::kTop) add(t.proportional);
        add(t.when);
      }
      for (const ast::TieKey& k : f.ties) add(k.key);
      break;
    }
    case SymbolKind::kKey:
    case SymbolKind::kInput: break;
  }
  return out;
}

// The symbols `s` reads: the names in its expressions that resolve, and an indicator's parts.
std::vector<std::uint32_t> reads(const CheckedPolicy& p, const Symbol& s, const NameLookup& lookup) {
  const ast::Module& m = p.module;
  std::vector<std::uint32_t> out;
  std::vector<ast::ExprId> todo = checked_exprs(p, s);
  while (!todo.empty()) {
    const ast::ExprId e = todo.back();
    todo.pop_back();
    const ast::Expr& x = m.expr(e);
    if (const auto* ref = std::get_if<ast::NameRef>(&x)) {
      if (const SymbolId to = lookup(*ref); to != kNoSymbol) out.push_back(static_cast<std::uint32_t>(to));
    } else if (const auto* call = std::get_if<ast::Call>(&x)) {
      for (const ast::ExprId a : call->args) todo.push_back(a);
      for (const ast::NamedArg& a : call->named) {
        if (!word_argument(a.name.name)) todo.push_back(a.value);
      }
    } else {
      ast::for_each_child(x, [&](ast::ExprId child) { todo.push_back(child); });
    }
  }
  if (s.kind == SymbolKind::kIndicator) {
    for (const std::uint32_t c : m.nodes[s.index].children) {
      if (p.nodes[c].symbol != kNoSymbol) out.push_back(static_cast<std::uint32_t>(p.nodes[c].symbol));
    }
  }
  return out;
}

}  // namespace

CheckOrder check_order(const CheckedPolicy& p, const NameLookup& lookup) {
  const std::size_t n = p.symbols.size();
  std::vector<std::vector<std::uint32_t>> edges(n);
  for (std::size_t v = 0; v < n; ++v) edges[v] = reads(p, p.symbols[v], lookup);

  CheckOrder out;
  out.component.assign(n, 0);
  out.cyclic.clear();
  constexpr std::uint32_t kUnseen = 0xFFFFFFFFu;
  std::vector<std::uint32_t> index(n, kUnseen);
  std::vector<std::uint32_t> low(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<std::uint32_t> stack;
  struct Frame {
    std::uint32_t v;
    std::size_t next;
  };
  std::vector<Frame> frames;
  std::uint32_t counter = 0;
  auto enter = [&](std::uint32_t v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on_stack[v] = true;
    frames.push_back({v, 0});
  };
  for (std::uint32_t root = 0; root < n; ++root) {
    if (index[root] != kUnseen) continue;
    enter(root);
    while (!frames.empty()) {
      const std::uint32_t v = frames.back().v;
      if (frames.back().next < edges[v].size()) {
        const std::uint32_t w = edges[v][frames.back().next++];
        if (index[w] == kUnseen) {
          enter(w);
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      frames.pop_back();
      if (!frames.empty()) low[frames.back().v] = std::min(low[frames.back().v], low[v]);
      if (low[v] != index[v]) continue;
      // `v` closes a component: what it reads is in components already listed.
      const auto id = static_cast<std::uint32_t>(out.cyclic.size());
      std::vector<std::uint32_t> members;
      std::uint32_t w = 0;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack[w] = false;
        out.component[w] = id;
        members.push_back(w);
      } while (w != v);
      std::sort(members.begin(), members.end());
      out.cyclic.push_back(members.size() > 1);
      for (const std::uint32_t s : members) out.order.push_back(SymbolId{s});
    }
  }
  return out;
}

}  // namespace jixiao::dsl::check_detail
