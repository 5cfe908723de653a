// Internal: running n jobs at once, one thread each (the calling thread runs job 0).
#pragma once

#include <cstddef>
#include <thread>
#include <vector>

namespace jixiao::engine::detail {

/// Calls job(0) .. job(n - 1), each on its own thread but job(0) on the caller's, and returns when
/// all have returned. With n == 1 no thread is started.
template <typename F>
void run_parallel(std::size_t n, const F& job) {
  std::vector<std::thread> threads;
  threads.reserve(n > 0 ? n - 1 : 0);
  for (std::size_t k = 1; k < n; ++k) threads.emplace_back([&job, k] { job(k); });
  if (n > 0) job(0);
  for (auto& t : threads) t.join();
}

}  // namespace jixiao::engine::detail
