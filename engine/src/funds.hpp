// Internal: the fund stage, after every row program has run.
#pragma once

#include <vector>

#include "compile.hpp"
#include "jixiao/engine/evaluator.hpp"

namespace jixiao::engine::detail {

/// Splits every fund's pool (per group, per track, and per period when `per_period`) among the
/// `selected` rows by the largest-remainder method and verifies
/// that each pool is paid out exactly. Reports `pool-not-split`, `pool-missing` and
/// `conservation` errors to `sink`. Up to `threads` threads share the passes over large splits; the
/// result does not depend on it. Each track's exact weights (Compiled::exact_values) are let go of
/// once its last split has read them.
std::vector<FundResult> allocate_funds(const dsl::CheckedPolicy& policy, const Dataset& data,
                                       Compiled& compiled, const std::vector<std::size_t>& selected,
                                       bool per_period, std::size_t threads, DiagnosticSink& sink);

}  // namespace jixiao::engine::detail
