// Shared by the fuzz targets: a policy read, linked, checked and planned from text, with the
// standard library available and no other files (a relative `import` is module-not-found).
#pragma once

#include <cstdlib>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "commands.hpp"
#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/dsl/modules.hpp"
#include "jixiao/dsl/source.hpp"
#include "jixiao/engine/plan.hpp"
#include "resolver.hpp"

namespace jixiao::fuzz {

/// A policy and everything its spans point into.
struct Policy {
  SourceSet sources;
  std::optional<dsl::CheckedPolicy> checked;
  std::optional<engine::Plan> plan;
};

/// Parses, links, checks and plans `text` as the file `/nonexistent/fuzz.jx`. Diagnostics go to
/// `sink`; `checked`/`plan` are empty when a step reported an error.
inline std::unique_ptr<Policy> load_policy_text(std::string_view text, DiagnosticSink& sink) {
  auto p = std::make_unique<Policy>();
  const std::string path = "/nonexistent-jixiao-fuzz/fuzz.jx";
  const SourceId id = p->sources.add(path, std::string(text));
  cli::FileResolver resolver(path);
  auto linked = dsl::link(p->sources, id, resolver.top_key(), resolver, sink);
  if (!linked) return p;
  p->checked = dsl::check(p->sources, std::move(linked->module), dsl::CheckOptions{}, sink);
  if (!p->checked) return p;
  p->plan = engine::build_plan(*p->checked, sink);
  return p;
}

/// Stops the run with a message: an invariant of the target does not hold (a finding).
[[noreturn]] inline void finding(const char* what) {
  std::fprintf(stderr, "fuzz finding: %s\n", what);
  std::abort();
}

}  // namespace jixiao::fuzz
