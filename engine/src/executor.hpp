// Internal: running the compiled programs and global operations of a policy over a dataset
// (executor.cpp).
#pragma once

#include <cstddef>

#include "compile.hpp"

namespace jixiao::engine::detail {

// Runs every step: global operations one by one over whole columns; each run of programs between
// them over the rows split into `threads` contiguous ranges of whole chunks, one thread per range,
// each with its own registers and errors (merged in a fixed order).
void run_steps(Compiled& compiled, const Dataset& data, std::size_t chunk, std::size_t threads, RuntimeErrors& errors);

}  // namespace jixiao::engine::detail
