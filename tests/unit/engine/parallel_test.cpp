// Tests of run_parallel: every job runs, and an exception a job throws on another thread (memory
// running out, say) reaches the caller instead of ending the process.
#include "../../../engine/src/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <new>
#include <stdexcept>
#include <vector>

namespace jixiao::engine::detail {
namespace {

TEST(RunParallel, RunsEveryJob) {
  std::vector<int> ran(8, 0);
  run_parallel(ran.size(), [&](std::size_t k) { ran[k] = 1; });
  EXPECT_EQ(ran, std::vector<int>(8, 1));
}

TEST(RunParallel, AnExceptionOnAWorkerReachesTheCaller) {
  std::atomic<int> finished{0};
  EXPECT_THROW(run_parallel(4,
                            [&](std::size_t k) {
                              if (k == 2) throw std::bad_alloc();
                              ++finished;
                            }),
               std::bad_alloc);
  EXPECT_EQ(finished.load(), 3);  // the others ran to the end
}

TEST(RunParallel, TheFirstJobsExceptionWins) {
  try {
    run_parallel(3, [](std::size_t k) { throw std::runtime_error("job " + std::to_string(k)); });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "job 0");
  }
}

}  // namespace
}  // namespace jixiao::engine::detail
