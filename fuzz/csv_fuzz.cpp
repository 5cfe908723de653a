// Fuzz target (b): CSV bytes → loader (auto encoding) with a fixed policy (every input kind, a
// veto, a deduction, bands and a fund) → evaluation → results.
// Invariants: no crash; loading with 1 or 3 threads gives the same errors or the same results;
// evaluating with 1 or 3 threads and small chunks gives the same result bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "jixiao/dsl/render.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "jixiao/engine/loader.hpp"
#include "jixiao/engine/results.hpp"

namespace {

constexpr std::string_view kPolicy = R"(policy "数据测试" version "1"
subject 社区 key 编码
input {
  街道     : text
  类型     : one_of { "城市", "农村" }
  覆盖率   : percent
  得分     : score 0..100
  投诉     : count
  达标     : bool
  事项     : list<text>
  评分     : list<score>
  支出     : money 0..1000000
  系数     : number
  加分项   : score 0..100 optional
}
set 清单 = { "挪用资金" }
indicator 总分 {
  甲 60% = 得分
  乙 40% = 覆盖率
  deduct 投诉扣分 1 per 投诉, max 10
}
let 均分 = avg(评分)
veto 否决 when 事项 any_in 清单 or not 达标 { fund 0 ; reason "否决" }
grade 等级 of 总分 { A [80, 100]  B [0, 80) }
fund 补助 pool 10万元 {
  track 全部 100% split by 支出 * 系数 when 类型 == "城市" or 类型 == "农村"
  ties by 编码
}
output 编码, 街道, 总分, 等级, 均分, 加分项, 补助
)";

struct Fixed {
  Fixed() {
    jixiao::CollectingSink sink;
    policy = jixiao::fuzz::load_policy_text(kPolicy, sink);
    if (!policy->plan) jixiao::fuzz::finding("the fixed policy does not check");
  }
  std::unique_ptr<jixiao::fuzz::Policy> policy;
};

// The errors (codes and places) or the result bytes of one load and evaluation.
std::string run(const Fixed& f, std::string_view bytes, std::size_t load_threads, std::size_t eval_threads,
                std::size_t chunk) {
  using namespace jixiao;
  SourceSet sources;
  CollectingSink sink;
  engine::LoadOptions load;
  load.threads = load_threads;
  load.parallel_min_bytes = 1;
  auto data = engine::load_csv(sources, "data.csv", std::string(bytes), *f.policy->checked, load, sink);
  std::string out;
  if (data) {
    engine::EvalOptions options;
    options.threads = eval_threads;
    options.chunk_rows = chunk;
    auto result = engine::evaluate(*f.policy->plan, *data, options, sink);
    if (result) {
      out = engine::format_results(*f.policy->checked, *data, *result, engine::ResultFormat::kCsv);
      engine::format_summary(*f.policy->checked, *data, *result, Lang::kZh);
    }
  }
  for (const auto& d : sink.items()) {
    out += std::string(slug(d.code)) + " " + std::to_string(d.span.begin) + " " + d.message.str(Lang::kEn) + "\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Fixed fixed;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string one = run(fixed, bytes, 1, 1, 4096);
  const std::string three = run(fixed, bytes, 3, 3, 2);
  if (one != three) jixiao::fuzz::finding("the outcome depends on the thread count");
  return 0;
}
