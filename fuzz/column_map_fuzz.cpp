// Fuzz target (c): column-map TOML → read_column_map against a fixed policy.
// Invariants: no crash, no exception escapes; a map that reads names only declared inputs.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "jixiao/engine/loader.hpp"

namespace {

constexpr std::string_view kPolicy = R"(policy "列映射" version "1"
subject 社区 key 编码
input {
  覆盖率 : percent
  得分   : score 0..100
  街道   : text
}
indicator 总分 {
  甲 60% = 得分
  乙 40% = 覆盖率
}
output 编码, 街道, 总分
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace jixiao;
  static const auto policy = [] {
    CollectingSink sink;
    auto p = fuzz::load_policy_text(kPolicy, sink);
    if (!p->checked) fuzz::finding("the fixed policy does not check");
    return p;
  }();
  SourceSet sources;
  CollectingSink sink;
  const auto map = engine::read_column_map(sources, "columns.toml", std::string(reinterpret_cast<const char*>(data), size),
                                           *policy->checked, sink);
  if (map) {
    for (const auto& [input, header] : map->columns) {
      if (input != "编码" && input != "覆盖率" && input != "得分" && input != "街道") {
        fuzz::finding("a column map names an input the policy does not declare");
      }
    }
  }
  return 0;
}
