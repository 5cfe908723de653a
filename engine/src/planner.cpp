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
    const std::string back = "`" + policy.symbol(cycle.symbols.front()).name + "`";
    const dsl::Symbol& first = policy.symbol(cycle.symbols.front());
    Diagnostic d = diagnose(DiagCode::dependency_cycle, first.span,
                            cycle.symbols.size() == 1 ? msg::eng_depends_on_itself(first.name)
                            : left_out > 0            ? msg::eng_cycle_cut(path, left_out, back)
                                                      : msg::eng_cycle(path + back),
                            msg::eng_hint_break_cycle());
    for (std::size_t i = 0; i < shown; ++i) {
      const dsl::Symbol& from = policy.symbol(cycle.symbols[i]);
      const dsl::Symbol& to = policy.symbol(cycle.edges[i].to);
      d.notes.push_back(Note{cycle.edges[i].where,
                             msg::eng_note_cycle_step(dsl::kind_message(from), from.name, dsl::kind_message(to), to.name)});
    }
    if (left_out > 0) d.notes.push_back(Note{Span{}, msg::eng_note_cycle_more(left_out)});
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
