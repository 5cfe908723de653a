// Fuzz target (d): policy test file TOML (`*.test.toml`) → parse_test_file.
// Invariants: no crash, no exception escapes; errors or cases, never both; inline rows become
// CSV text that the CSV reader takes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.hpp"
#include "test_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace jixiao;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<cli::TestFileError> errors;
  const cli::TestFile file = cli::parse_test_file("/nonexistent-jixiao-fuzz/a.test.toml", text, errors);
  for (const auto& e : errors) {
    if (e.message.str(Lang::kEn).empty() || e.message.str(Lang::kZh).empty()) fuzz::finding("a test-file error without a message");
  }
  return 0;
}
