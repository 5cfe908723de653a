// Internal: the dependency graph of a checked policy. Boost.Graph is used only in
// dependency_graph.cpp; nothing of it leaves that file.
#pragma once

#include <cstdint>
#include <vector>

#include "jixiao/dsl/check.hpp"

namespace jixiao::engine::detail {

/// Edges a → b mean "a reads what b produces" (from CheckedPolicy::deps).
class DependencyGraph {
 public:
  explicit DependencyGraph(const dsl::CheckedPolicy& policy);

  /// Each cycle as a closed walk of symbols [s0, s1, ..., s0] with the dependency used at each
  /// step; one cycle per strongly connected component that has one, ordered by first symbol.
  struct Cycle {
    std::vector<dsl::SymbolId> symbols;  ///< s0 ... s(k-1); the walk returns to s0
    std::vector<dsl::Dep> edges;         ///< edges[i] goes from symbols[i] to symbols[i+1 mod k]
  };
  [[nodiscard]] std::vector<Cycle> cycles() const;

  /// Dependencies-first order, ties by declaration order. Only meaningful without cycles.
  [[nodiscard]] std::vector<dsl::SymbolId> order() const;

 private:
  const dsl::CheckedPolicy& policy_;
};

}  // namespace jixiao::engine::detail
