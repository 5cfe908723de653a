// The plan: the checked policy's symbols in an order where everything a symbol reads comes before
// it (dependencies first; among independent symbols, declaration order).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/diagnostic.hpp"

namespace jixiao::engine {

/// Symbols in evaluation order. Holds a reference to the policy, which must outlive it.
struct Plan {
  const dsl::CheckedPolicy* policy = nullptr;
  std::vector<dsl::SymbolId> order;
};

/// Builds the dependency graph of `policy` and orders it. Every dependency cycle is reported as a
/// `dependency-cycle` diagnostic that names the whole cycle, with a note at each edge. Returns
/// nullopt iff a cycle was reported.
std::optional<Plan> build_plan(const dsl::CheckedPolicy& policy, DiagnosticSink& sink);

/// The plan as text, one symbol per line with what it reads (for `jixiao graph` and tests).
std::string dump_plan(const Plan& plan);

}  // namespace jixiao::engine
