// Fuzz target (b): CSV bytes → loader (auto encoding; bytes that start like a ZIP archive are read
// as a workbook, as `--data` does) with a fixed policy (every input kind, a veto, a deduction,
// bands and a fund) → evaluation → results.
// Invariants: no crash; loading with 1 or 3 threads gives the same errors or the same results;
// evaluating with 1 or 3 threads and small chunks gives the same result bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data_policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const jixiao::fuzz::Fixed fixed;
  jixiao::fuzz::same_with_threads(fixed, "data.csv", std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
