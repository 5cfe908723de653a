// Internal: running n jobs at once, one thread each (the calling thread runs job 0).
#pragma once

#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace jixiao::engine::detail {

/// Calls job(0) .. job(n - 1), each on its own thread but job(0) on the caller's, and returns when
/// all have returned. With n == 1 no thread is started. An exception a job throws (memory running
/// out, say) is thrown again on the caller's thread once all have returned (the first job's that
/// threw), instead of ending the process; a job no thread can be started for runs on the caller's.
template <typename F>
void run_parallel(std::size_t n, const F& job) {
  std::vector<std::exception_ptr> failed(n);
  auto guarded = [&job, &failed](std::size_t k) {
    try {
      job(k);
    } catch (...) {
      failed[k] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(n > 0 ? n - 1 : 0);
  for (std::size_t k = 1; k < n; ++k) {
    try {
      threads.emplace_back(guarded, k);
    } catch (const std::exception&) {
      guarded(k);  // no thread to be had: the jobs are independent, so run this one here
    }
  }
  if (n > 0) guarded(0);
  for (auto& t : threads) t.join();
  for (const std::exception_ptr& e : failed) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace jixiao::engine::detail
