// The planner: cycle diagnostics and the evaluation order.
#include <algorithm>
#include <string>

#include "dependency_graph.hpp"
#include "jixiao/engine/plan.hpp"

namespace jixiao::engine {


// A cycle is named whole up to this many steps; a longer one by its first steps, with a count of
// the rest (a cycle of 10,000 lets must not print 10,000 notes).
constexpr std::size_t kCycleStepsShown = 10;

std::optional<Plan> build_plan(const dsl::CheckedPolicy& policy, DiagnosticSink& sink) {
  const detail::DependencyGraph graph(policy);
  const auto cycles = graph.cycles();
  for (const auto& cycle : cycles) {
    const std::size_t shown = std::min(cycle.symbols.size(), kCycleStepsShown);
    const std::size_t left_out = cycle.symbols.size() - shown;
    std::string path;
    for (std::size_t i = 0; i < shown; ++i) path += "`" + policy.symbol(cycle.symbols[i]).name + "` → ";
    if (left_out > 0) path += "… (" + std::to_string(left_out) + " more) → ";
    path += "`" + policy.symbol(cycle.symbols.front()).name + "`";
    const dsl::Symbol& first = policy.symbol(cycle.symbols.front());
    Diagnostic d = make_diagnostic(
        DiagCode::dependency_cycle, first.span,
        cycle.symbols.size() == 1 ? "`" + first.name + "` depends on itself"
                                  : "dependency cycle: " + path,
        "a value cannot depend on itself; break the cycle by computing one of them from inputs");
    for (std::size_t i = 0; i < shown; ++i) {
      const dsl::Symbol& from = policy.symbol(cycle.symbols[i]);
      const dsl::Symbol& to = policy.symbol(cycle.edges[i].to);
      d.notes.push_back({cycle.edges[i].where, dsl::kind_name(from.kind) + " `" + from.name + "` reads " +
                                                    dsl::kind_name(to.kind) + " `" + to.name + "` here"});
    }
    if (left_out > 0) {
      d.notes.push_back({Span{}, "… and " + std::to_string(left_out) + " more steps of the cycle, not shown"});
    }
    sink.report(std::move(d));
  }
  if (!cycles.empty()) return std::nullopt;
  return Plan{&policy, graph.order()};
}

std::string dump_plan(const Plan& plan) {
  std::string out;
  const dsl::CheckedPolicy& p = *plan.policy;
  std::size_t step = 1;
  for (const dsl::SymbolId s : plan.order) {
    const dsl::Symbol& sym = p.symbol(s);
    out += std::to_string(step++) + ". " + dsl::kind_name(sym.kind) + " " + sym.name;
    const auto& deps = p.deps[static_cast<std::uint32_t>(s)];
    if (!deps.empty()) {
      out += "  <-";
      std::vector<std::string> names;
      for (const dsl::Dep& d : deps) {
        const std::string& n = p.symbol(d.to).name;
        if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
      }
      for (const auto& n : names) out += " " + n;
    }
    out += "\n";
  }
  return out;
}

}  // namespace jixiao::engine
