// What examples/3x/policy.jx and bench/policies/3x-newcomer.jx declare alike, for their two
// hand-written baselines: seed 000's 3+X inputs (types and ranges), its 负面清单, the grades and
// the coefficients of the performance track. Included after baseline_common.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "baseline_common.hpp"

namespace jixiao_baseline::seed000 {

// set 负面清单
constexpr std::array<string_view, 9> kNegativeList = {
    "挪用专项资金", "虚报服务数据", "违规发包", "截留克扣补助", "超范围列支",
    "以拨代支",     "套取财政资金", "违规收费", "拒不整改"};

// grade 等级 of 总分 { A [90, 100]  B [75, 90)  C [60, 75)  D [0, 60) }, in hundredths
enum Grade : std::uint8_t { kA, kB, kC, kD };
constexpr std::array<string_view, 4> kGradeNames = {"A", "B", "C", "D"};

/// The grade of a total in hundredths (0 to 100 points).
constexpr Grade grade_of(int64_t total) { return total >= 9000 ? kA : total >= 7500 ? kB : total >= 6000 ? kC : kD; }

// coef(等级) { A 0.9, B 0.65, C 0.4, D 0 } in twentieths: 18/20, 13/20, 8/20, 0. 基础额度 (fen) times
// these is the exact weight 基础额度 × coef(等级), in twentieths of a fen.
constexpr std::array<int64_t, 4> kGradeCoefTwentieths = {18, 13, 8, 0};

// 基础额度 is at most 2,000,000元, so a performance weight is at most 3.6 × 10^9 twentieths of a fen.
constexpr int64_t kMaxBaseFen = 2'000'000 * int64_t{100};
constexpr uint64_t kMaxPerformanceWeight = kMaxBaseFen * 18;
static_assert(kMaxPerformanceWeight * (uint64_t{1} << 32) < std::numeric_limits<uint64_t>::max());

// The inputs of the 3+X data, in the order of examples/3x/policy.jx's `input { ... }` block, with
// their types and ranges (the newcomer's policy declares the same, and a 社区名称).
constexpr std::array<InputSpec, 19> kInputs = {{
    {"所属街道", Kind::kText, false, false, 0, 0},
    {"设施覆盖率", Kind::kPercent, true, true, 0, kHundred},
    {"服务可达性", Kind::kPercent, true, true, 0, kHundred},
    {"持证社工比例", Kind::kPercent, true, true, 0, kHundred},
    {"需求匹配度", Kind::kScore, true, true, 0, kHundred},
    {"服务质量评分", Kind::kScore, true, true, 0, kHundred},
    {"居民评分", Kind::kScore, true, true, 0, kHundred},
    {"第三方评分", Kind::kScore, true, true, 0, kHundred},
    {"部门评分", Kind::kScore, true, true, 0, kHundred},
    {"智慧化水平", Kind::kScore, true, true, 0, kHundred},
    {"品牌项目数", Kind::kCount, true, true, 0, 50 * kOne},
    {"模式创新评分", Kind::kScore, true, true, 0, kHundred},
    {"自筹资金", Kind::kMoney, false, false, 0, 0},
    {"运营支出", Kind::kMoney, true, true, 100, 100'000'000 * int64_t{100}},
    {"资源整合度", Kind::kScore, true, true, 0, kHundred},
    {"志愿服务时长", Kind::kNumber, true, true, 0, 100'000 * kOne},
    {"有效投诉次数", Kind::kCount, true, false, 0, 0},
    {"违规事项", Kind::kTextList, false, false, 0, 0},
    {"基础额度", Kind::kMoney, true, true, 0, kMaxBaseFen},
}};

enum Input : size_t {
  kStreet, kCoverage, kAccess, kCertified, kNeedMatch, kQuality, kResident, kThirdParty, kDepartment,
  kSmart, kBrands, kModelInnovation, kSelfFunds, kSpending, kIntegration, kVolunteerHours, kComplaints,
  kViolations, kBase,
};
static_assert(kBase + 1 == kInputs.size());

constexpr string_view kKeyColumn = "社区编码";

/// 杭州余杭's dual-track fund (双轨制) as both policies write it: `pool_fen` × 70% split by
/// 基础额度 × coef(等级) (`Row::performance_weight`, exact) into `Row::performance_fen`, and the
/// other 30% among the top 10% by `top_value(row)` (equal values by 社区编码), in proportion to it,
/// into `Row::top_fen`; each by the largest-remainder method to the fen, ties by 社区编码. Rows a
/// veto excludes (`excluded(row)`) get nothing. `fund` and the track names are for messages.
template <class Row, class Excluded, class TopValue>
void dual_track_fund(const char* text, std::vector<Row>& rows, int64_t pool_fen, const std::string& fund,
                     const char* performance_track, const char* top_track, Excluded excluded, TopValue top_value) {
  const int64_t performance_pool = pool_fen * 70 / 100;
  const int64_t top_pool = pool_fen - performance_pool;
  std::vector<uint32_t> eligible = rows_where(rows, [&](const Row& r) { return !excluded(r); });
  if (!split_largest_remainder(performance_pool, eligible,
                               [](const Row& r) { return static_cast<uint64_t>(r.performance_weight); }, text, rows,
                               &Row::performance_fen)) {
    cannot_pay(fund + "." + performance_track, performance_pool, eligible.size());
  }
  // The top floor(eligible × 10 / 100) rows (at least one). Weights in hundredths are proportional
  // to the raw scores: the same split.
  const size_t eligible_count = eligible.size();
  keep_top_percent(eligible, 10, top_value, text, rows);
  if (!split_largest_remainder(top_pool, eligible, [&](const Row& r) { return static_cast<uint64_t>(top_value(r)); },
                               text, rows, &Row::top_fen)) {
    cannot_pay(fund + "." + top_track, top_pool, eligible_count);
  }
  check_paid_out(rows, pool_fen, [](const Row& r) { return r.performance_fen + r.top_fen; });
}

}  // namespace jixiao_baseline::seed000
