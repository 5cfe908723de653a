// Fuzz target (a): policy text → parse → link (std modules only) → check → plan → fmt → re-parse.
// Invariants: no crash, no exception escapes, and for a file that parses, `fmt` keeps its meaning
// and comments (format_file verifies that and throws otherwise) and is idempotent.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "jixiao/dsl/format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace jixiao;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CollectingSink sink;
  auto policy = fuzz::load_policy_text(text, sink);

  SourceSet sources;
  CollectingSink fmt_sink;
  const auto formatted = dsl::format_file(sources, sources.add("fuzz.jx", std::string(text)), fmt_sink);
  if (!formatted) return 0;
  SourceSet again;
  CollectingSink again_sink;
  const auto twice = dsl::format_file(again, again.add("fuzz.jx", *formatted), again_sink);
  if (!twice) fuzz::finding("the formatted text does not parse");
  if (*twice != *formatted) fuzz::finding("fmt is not idempotent");
  return 0;
}
