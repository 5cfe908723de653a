// Shared by the data targets (csv, xlsx): a fixed policy with every input kind, a veto, a
// deduction, bands and a fund, read once per process.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "jixiao/dsl/render.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "jixiao/engine/loader.hpp"
#include "jixiao/engine/results.hpp"

namespace jixiao::fuzz {

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
// (load_data: a workbook when the bytes start like a ZIP archive, else CSV in any encoding.)
inline std::string load_and_evaluate(const Fixed& f, const std::string& path, std::string_view bytes,
                                     std::size_t load_threads, std::size_t eval_threads, std::size_t chunk) {
  using namespace jixiao;
  SourceSet sources;
  CollectingSink sink;
  engine::LoadOptions load;
  load.threads = load_threads;
  load.parallel_min_bytes = 1;
  auto data = engine::load_data(sources, path, std::string(bytes), *f.policy->checked, load, sink);
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

/// The invariant of the data targets: loading with 1 or 3 threads gives the same errors or the
/// same data, and evaluating with 1 or 3 threads and small chunks the same result bytes.
inline void same_with_threads(const Fixed& f, const std::string& path, std::string_view bytes) {
  const std::string one = load_and_evaluate(f, path, bytes, 1, 1, 4096);
  const std::string three = load_and_evaluate(f, path, bytes, 3, 3, 2);
  if (one != three) finding("the outcome depends on the thread count");
  // To see what the seeds reach (results, or which errors): JIXIAO_FUZZ_SHOW=1 jixiao_replay_...
  if (std::getenv("JIXIAO_FUZZ_SHOW") != nullptr) std::fprintf(stderr, "%s\n", one.c_str());
}

}  // namespace jixiao::fuzz
