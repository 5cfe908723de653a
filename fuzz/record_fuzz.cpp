// Fuzz target (e): an audit record (TOML) → verify's reader (read_record).
// Invariants: no crash, no exception escapes; a record that reads is written back by record_text
// as a text that reads to the same record (nothing is silently dropped or changed).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace jixiao;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<cli::RecordProblem> problems;
  const auto record = cli::read_record(text, "/nonexistent-jixiao-fuzz/record.toml", false, problems);
  if (!record) {
    if (problems.empty()) fuzz::finding("a record refused without a message");
    for (const cli::RecordProblem& p : problems) {
      if (p.message.str(Lang::kEn).empty() || p.message.str(Lang::kZh).empty()) fuzz::finding("a record problem without a message");
    }
    return 0;
  }
  if (!problems.empty()) fuzz::finding("a record read with problems");
  const std::string written = cli::record_text(*record);
  std::vector<cli::RecordProblem> problems2;
  const auto again = cli::read_record(written, "/nonexistent-jixiao-fuzz/record.toml", false, problems2);
  if (!again) fuzz::finding("record_text wrote a record that does not read");
  if (cli::record_text(*again) != written) fuzz::finding("a record does not survive writing and reading");
  return 0;
}
