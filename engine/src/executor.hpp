// Internal: running the compiled programs and global operations of a policy over a dataset
// (executor.cpp).
#pragma once

#include <cstddef>
#include <vector>

#include "compile.hpp"

namespace jixiao::engine::detail {

/// A dataset column that is spent as the rows are evaluated (evaluate_spending()): the memory of its
/// rows goes back to the system once the programs of run `run` (the runs of programs between global
/// operations, counted from 0), the last that read it, have run on them. Nothing may read it after.
struct SpentColumn {
  const void* data = nullptr;
  std::size_t width = 0;  ///< bytes per row
  std::size_t run = 0;
};

// Runs every step: global operations one by one over whole columns; each run of programs between
// them over the rows split into `threads` contiguous ranges of whole chunks, one thread per range,
// each with its own registers and errors (merged in a fixed order). The rows of each `spent` column
// are let go of as its last run passes them.
void run_steps(Compiled& compiled, const Dataset& data, std::size_t chunk, std::size_t threads, RuntimeErrors& errors,
               const std::vector<SpentColumn>& spent = {});

}  // namespace jixiao::engine::detail
