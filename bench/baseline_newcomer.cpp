// jixiao_baseline_newcomer: a hand-written evaluator for ONE fixed policy,
// bench/policies/3x-newcomer.jx (社区服务中心运营补助绩效评价 2025.1, default params): the 3+X
// framework as someone new to jixiao writes it, the second policy of the benchmark of issue 16.
// Like jixiao_baseline_3x it is what jixiao's speed and memory are compared against, and a second,
// independent implementation of the policy's semantics: its output must be byte-identical to
//
//     jixiao eval bench/policies/3x-newcomer.jx --data FILE --out OUT
//
// No jixiao code: standard C++20 and POSIX only (baseline_common.hpp is the baselines' own
// toolkit: the CSV pass, fixed point, the largest-remainder split, the output file). The rules were
// re-derived from the policy text, docs/language.md ("Numbers", "The order rules apply in") and
// docs/allocation.md.
//
// Usage: jixiao_baseline_newcomer --data FILE --out FILE
//   exit 0 on success; 1 when the data is bad (one line naming the row and column on stderr) or
//   the fund cannot be split; 2 on usage and I/O errors.
//
// One pass over the mapped file reads, checks and scores every row; the fund 运营补助 (资金池
// 5000万元) is then split: 绩效 70% by 基础额度 × coef(等级), exactly, and 奖励 30% among the top
// 10% by 总分 in proportion to it, each by the largest-remainder method to the fen, ties by
// 社区编码; the results are written in file order.
#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "baseline_common.hpp"
#include "baseline_seed000.hpp"

namespace {

using namespace jixiao_baseline;          // NOLINT(google-build-using-namespace): the baselines' toolkit
using namespace jixiao_baseline::seed000;  // NOLINT(google-build-using-namespace): the inputs, 负面清单, grades

// ---------------------------------------------------------------------------------------------
// The policy, bench/policies/3x-newcomer.jx, as constants.

// deduct 投诉扣分 1 per 有效投诉次数, max 10 (in hundredths of a point)
constexpr int64_t kDeductPerComplaint = 100;
constexpr int64_t kDeductMax = 1000;

// set 负面清单, grade 等级 and the inputs: as in examples/3x/policy.jx (baseline_seed000.hpp).

// fund 运营补助 pool 资金池 (param 资金池 = 5000万元): track 绩效 70%, track 奖励 30%; both whole fen.
constexpr int64_t kPoolFen = 5000'0000'00;
constexpr int64_t kPerformancePoolFen = kPoolFen * 70 / 100;
static_assert(kPoolFen * 70 % 100 == 0);

// coef(等级) { A 0.9, B 0.65, C 0.4, D 0 }: kGradeCoefTwentieths. pool × weight stays below 2^64
// (the split's products are unsigned 64-bit).
static_assert(kMaxPerformanceWeight <= std::numeric_limits<uint64_t>::max() / kPerformancePoolFen);

// ---------------------------------------------------------------------------------------------
// The inputs: those of the 3+X data (baseline_seed000.hpp) and 社区名称 (columns are found by name,
// so the order of this table is not the policy's).

constexpr size_t kName = seed000::kInputs.size();
constexpr std::array<InputSpec, kName + 1> kNewcomerInputs = [] {
  std::array<InputSpec, kName + 1> inputs{};
  std::copy(seed000::kInputs.begin(), seed000::kInputs.end(), inputs.begin());
  inputs[kName] = {"社区名称", Kind::kText, false, false, 0, 0};
  return inputs;
}();
constexpr size_t kInputCount = kNewcomerInputs.size();

// ---------------------------------------------------------------------------------------------
// Scoring one community.

enum Flags : std::uint8_t { kVetoed = 1, kDeducted = 2, kCapped = 4 };

/// What the results need of one row, once it is read and scored.
struct Row {
  uint32_t key_at, key_len;        // 社区编码, trimmed, in the text
  uint32_t name_at, name_len;      // 社区名称
  uint32_t street_at, street_len;  // 所属街道
  int32_t total;                   // 总分, hundredths
  std::array<int32_t, 4> layer;    // 基础层, 核心层, 创新层, 可持续层, hundredths
  std::uint8_t grade, flags;
  int64_t performance_weight;      // 基础额度 × coef(等级), in twentieths of a fen (exact)
  int64_t performance_fen;         // 运营补助.绩效
  int64_t top_fen;              // 运营补助.奖励
};

/// Scores a row whose inputs are parsed (`v`: raw, or fen for money; `cells`: the trimmed cells in
/// `text`) into `r`. Every leaf is a `%` item: its formula's value is clamped into [0, 100] and
/// scaled to its weight in points (`leaf`).
void score(const char* text, size_t row_number, const std::array<int64_t, kInputCount>& v,
           const std::array<string_view, kInputCount>& cells, Row& r) {
  r.name_at = static_cast<uint32_t>(cells[kName].data() - text);
  r.name_len = static_cast<uint32_t>(cells[kName].size());
  r.street_at = static_cast<uint32_t>(cells[kStreet].data() - text);
  r.street_len = static_cast<uint32_t>(cells[kStreet].size());
  // veto 一票否决 when 违规事项 any_in 负面清单
  const bool vetoed = any_in(cells[kViolations], kNegativeList);

  // 基础层 30%: 设施覆盖率 15%, 服务可达性 10%, 人员专业化 5% = 持证社工比例 * 2 (exact: × a whole number)
  const int64_t basic = leaf(v[kCoverage], 15) + leaf(v[kAccess], 10) + leaf(v[kCertified] * 2, 5);

  // 核心层 40%: 需求匹配度 20%, 服务质量 12%, 居民满意度 8% = 满意度;
  // let 满意度 = (居民评分 + 第三方评分 + 部门评分) / 3: the sum is exact, the quotient rounded to 6 decimals.
  const int64_t satisfaction = div_round(v[kResident] + v[kThirdParty] + v[kDepartment], 3);
  const int64_t core = leaf(v[kNeedMatch], 20) + leaf(v[kQuality], 12) + leaf(satisfaction, 8);

  // 创新层 20%: 智慧化水平 8%, 品牌建设 6% = 品牌项目数 * 20 (exact), 模式创新 6%
  const int64_t innovation = leaf(v[kSmart], 8) + leaf(v[kBrands] * 20, 6) + leaf(v[kModelInnovation], 6);

  // 可持续层 10%: 资金自给率 4% = 自给率 / 30 * 100, with let 自给率 = 自筹资金 / 运营支出 * 100
  // (the quotient of amounts rounded to 6 decimals, then × 100 exactly; ÷ 30 rounded again);
  // 资源整合度 3%; 社会参与度 3% = 志愿服务时长 / 20 (rounded to 6 decimals).
  const int64_t self_funded =
      money_percent(row_number, v[kSelfFunds], v[kSpending], "column `自筹资金`: 自筹资金 / 运营支出 * 100");
  int64_t self_funded_score = 0;
  if (__builtin_mul_overflow(div_round(self_funded, 30), int64_t{100}, &self_funded_score)) {
    fail(1, "row " + std::to_string(row_number) + ", column `自筹资金`: 自给率 / 30 * 100 is too large to hold exactly");
  }
  const int64_t sustainable =
      leaf(self_funded_score, 4) + leaf(v[kIntegration], 3) + leaf(div_round(v[kVolunteerHours], 20), 3);

  // 总分 = max(0, the layers − 投诉扣分); 投诉扣分 = 1 per complaint, at most 10 (扣完为止).
  const int64_t complaints = v[kComplaints] / kOne;
  const int64_t deduction = complaints > kDeductMax / kDeductPerComplaint ? kDeductMax : complaints * kDeductPerComplaint;
  const int64_t total = std::max<int64_t>(0, basic + core + innovation + sustainable - deduction);

  r.total = static_cast<int32_t>(total);
  r.layer = {static_cast<int32_t>(basic), static_cast<int32_t>(core), static_cast<int32_t>(innovation),
             static_cast<int32_t>(sustainable)};
  r.flags = static_cast<std::uint8_t>((vetoed ? kVetoed : 0) | (complaints > 0 ? kDeducted : 0) |
                                      (complaints > kDeductMax / kDeductPerComplaint ? kCapped : 0));

  // 等级 bands 总分 (0 to 100); the veto forces D.
  r.grade = vetoed ? kD : grade_of(total);

  // 绩效's weight: money × number, exactly (never rounded to the fen).
  r.performance_weight = v[kBase] * kGradeCoefTwentieths[r.grade];
  r.performance_fen = 0;
  r.top_fen = 0;
}

// ---------------------------------------------------------------------------------------------
// The fund.

// fund 运营补助: track 绩效 70% split by 基础额度 * coef(等级), track 奖励 30% split among top 10%
// by 总分 proportional to 总分; the veto's `fund 0` excludes a row.
void allocate_fund(const char* text, std::vector<Row>& rows) {
  dual_track_fund(text, rows, kPoolFen, "运营补助", "绩效", "奖励", [](const Row& r) { return (r.flags & kVetoed) != 0; },
                  [](const Row& r) { return r.total; });
}

// ---------------------------------------------------------------------------------------------
// Writing the results: output 社区编码, 社区名称, 所属街道, 总分, its four layers, 等级, 运营补助
// (a column per track and the total), and 触发规则.

void write_results(const std::string& path, const char* text, const std::vector<Row>& rows) {
  Output out(path);
  out.text(
      "社区编码,社区名称,所属街道,总分,总分.基础层,总分.核心层,总分.创新层,总分.可持续层,等级,"
      "运营补助.绩效,运营补助.奖励,运营补助,触发规则\n");
  for (const Row& r : rows) {
    for (const auto& [at, len] : {std::pair{r.key_at, r.key_len}, std::pair{r.name_at, r.name_len},
                                 std::pair{r.street_at, r.street_len}}) {
      out.cell(string_view(text + at, len));
      out.ch(',');
    }
    out.hundredths(r.total);
    for (const int32_t layer : r.layer) {
      out.ch(',');
      out.hundredths(layer);
    }
    out.ch(',');
    out.text(kGradeNames[r.grade]);
    for (const int64_t fen : {r.performance_fen, r.top_fen, r.performance_fen + r.top_fen}) {
      out.ch(',');
      out.hundredths(fen);
    }
    out.ch(',');
    // 触发规则: the rules that fired, in the order they are written in the policy (a veto with its reason).
    out.reasons({{(r.flags & kDeducted) != 0, "扣分:投诉扣分"},
                 {(r.flags & kCapped) != 0, "封顶:投诉扣分"},
                 {(r.flags & kVetoed) != 0, "否决:一票否决（触及负面清单）"}});
    out.ch('\n');
  }
  out.commit();
}

constexpr const char* kUsage =
    "usage: jixiao_baseline_newcomer --data FILE --out FILE\n"
    "  evaluates bench/policies/3x-newcomer.jx (default params) over a UTF-8 CSV file, by hand-written\n"
    "  code, and writes the same results CSV as\n"
    "  `jixiao eval bench/policies/3x-newcomer.jx --data FILE --out FILE`\n";

}  // namespace

int main(int argc, char** argv) {
  return baseline_main(argc, argv, "jixiao_baseline_newcomer", kUsage, [](const std::string& data, const std::string& out) {
    evaluate_file<Row>(data, out, kKeyColumn, kNewcomerInputs, score, allocate_fund, write_results);
  });
}
