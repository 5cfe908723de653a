// The dependency graph over Boost.Graph: strongly connected components find cycles; a
// deterministic topological order (dependencies first, ties by declaration order) gives the plan.
#include "dependency_graph.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <functional>
#include <queue>

namespace jixiao::engine::detail {
namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;

Graph make_graph(const dsl::CheckedPolicy& p) {
  Graph g(p.symbols.size());
  for (std::size_t from = 0; from < p.deps.size(); ++from) {
    for (const dsl::Dep& d : p.deps[from]) {
      boost::add_edge(from, static_cast<std::size_t>(d.to), g);
    }
  }
  return g;
}

}  // namespace

DependencyGraph::DependencyGraph(const dsl::CheckedPolicy& policy) : policy_(policy) {}

std::vector<DependencyGraph::Cycle> DependencyGraph::cycles() const {
  const Graph g = make_graph(policy_);
  const std::size_t n = boost::num_vertices(g);
  std::vector<std::size_t> component(n);
  const std::size_t count = n == 0 ? 0 : boost::strong_components(g, component.data());
  std::vector<std::vector<std::size_t>> members(count);
  for (std::size_t v = 0; v < n; ++v) members[component[v]].push_back(v);

  auto order_of = [&](std::size_t v) { return policy_.symbols[v].order; };
  std::vector<Cycle> result;
  for (std::size_t c = 0; c < count; ++c) {
    std::vector<std::size_t>& vs = members[c];
    bool self_loop = false;
    if (vs.size() == 1) {
      for (const dsl::Dep& d : policy_.deps[vs[0]]) self_loop = self_loop || static_cast<std::size_t>(d.to) == vs[0];
      if (!self_loop) continue;
    }
    // Walk from the earliest-declared member, always taking the earliest-declared next member that
    // is still in the component, until a vertex repeats; report the closed part of the walk.
    std::sort(vs.begin(), vs.end(), [&](std::size_t a, std::size_t b) { return order_of(a) < order_of(b); });
    std::vector<std::size_t> walk{vs.front()};
    std::vector<dsl::Dep> used;
    std::vector<int> position(n, -1);
    position[vs.front()] = 0;
    while (true) {
      const std::size_t at = walk.back();
      const dsl::Dep* best = nullptr;
      for (const dsl::Dep& d : policy_.deps[at]) {
        const auto to = static_cast<std::size_t>(d.to);
        if (component[to] != c) continue;
        if (best == nullptr || order_of(to) < order_of(static_cast<std::size_t>(best->to))) best = &d;
      }
      // Every member of a cyclic component has an edge to another member (or itself).
      if (best == nullptr) break;
      const auto next = static_cast<std::size_t>(best->to);
      used.push_back(*best);
      if (position[next] >= 0) {
        Cycle cycle;
        for (std::size_t i = static_cast<std::size_t>(position[next]); i < walk.size(); ++i) {
          cycle.symbols.push_back(dsl::SymbolId{static_cast<std::uint32_t>(walk[i])});
          cycle.edges.push_back(used[i]);
        }
        result.push_back(std::move(cycle));
        break;
      }
      position[next] = static_cast<int>(walk.size());
      walk.push_back(next);
    }
  }
  std::sort(result.begin(), result.end(), [&](const Cycle& a, const Cycle& b) {
    return policy_.symbol(a.symbols.front()).order < policy_.symbol(b.symbols.front()).order;
  });
  return result;
}

std::vector<dsl::SymbolId> DependencyGraph::order() const {
  const Graph g = make_graph(policy_);
  const std::size_t n = boost::num_vertices(g);
  // Kahn's algorithm on "b before a" for every edge a → b, taking the ready symbol declared first.
  std::vector<std::size_t> pending(n, 0);
  for (std::size_t v = 0; v < n; ++v) {
    auto [begin, end] = boost::out_edges(v, g);
    for (auto it = begin; it != end; ++it) {
      if (boost::target(*it, g) != v) ++pending[v];
    }
  }
  auto later = [&](std::size_t a, std::size_t b) {
    const auto oa = policy_.symbols[a].order;
    const auto ob = policy_.symbols[b].order;
    return oa != ob ? oa > ob : a > b;
  };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> ready(later);
  for (std::size_t v = 0; v < n; ++v) {
    if (pending[v] == 0) ready.push(v);
  }
  std::vector<dsl::SymbolId> result;
  while (!ready.empty()) {
    const std::size_t v = ready.top();
    ready.pop();
    result.push_back(dsl::SymbolId{static_cast<std::uint32_t>(v)});
    auto [begin, end] = boost::in_edges(v, g);
    for (auto it = begin; it != end; ++it) {
      const std::size_t reader = boost::source(*it, g);
      if (reader != v && --pending[reader] == 0) ready.push(reader);
    }
  }
  return result;
}

}  // namespace jixiao::engine::detail
