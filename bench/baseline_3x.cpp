// jixiao_baseline_3x: a hand-written evaluator for ONE fixed policy, examples/3x/policy.jx
// (社区服务中心绩效评价(3+X) 2024.1, default params), written the way a careful engineer would
// write it without a rules engine. It is the baseline that jixiao's speed and memory are compared
// against, and a second, independent implementation of the policy's semantics: its output must be
// byte-identical to
//
//     jixiao eval examples/3x/policy.jx --data FILE --out OUT
//
// It shares no code with jixiao: standard C++20 and POSIX only, no jixiao headers or libraries
// (what it shares with the other baseline is in baseline_common.hpp).
// The rules below were re-derived from the policy text and docs/language.md ("Numbers", "The
// order rules apply in") and docs/allocation.md.
//
// Usage: jixiao_baseline_3x --data FILE --out FILE
//   exit 0 on success; 1 when the data is bad (one line naming the row and column on stderr) or
//   the fund cannot be split; 2 on usage and I/O errors.
//
// How it works:
//   - the file is mapped (or read) once and checked to be UTF-8 (unlike jixiao, this baseline
//     does not read GB18030 files from Excel: it refuses them rather than write other results);
//   - one pass over the CSV reads, checks and scores every row: fields are string_views into the
//     text (quoted fields with "" are unescaped in place, in the private mapping), so there is no
//     allocation per cell or per row; 社区编码 is checked to be unique in a hash set;
//   - numbers are exact fixed-point integers: scores at scale 10^6 ("raw"), money in whole fen;
//     every * and / rounds half away from zero (四舍五入) once, to 6 decimals, exactly where the
//     policy language rounds; every indicator score is then kept in hundredths (precision 2);
//   - after the pass, the fund 运营补助 (资金池 2000万元) is split: 绩效分配 70% by
//     基础额度 × coef(等级), exactly (a weight is never rounded: 123456.78元 × 0.65 is
//     80246.907元), 创新奖励 30% among the top 10% by 总分.创新层 in proportion to it, each by the
//     largest-remainder method to the fen, ties by 社区编码;
//   - the results are written in file order through a 1 MiB buffer.
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
// The policy, examples/3x/policy.jx, as constants.

// param 持证社工目标 = 50
constexpr int64_t kCertifiedTarget = 50 * kOne;

// deduct 投诉扣分 0.5 per 有效投诉次数, max 10 (in hundredths of a point)
constexpr int64_t kDeductPerComplaint = 50;
constexpr int64_t kDeductMax = 1000;

// alert 预警 of 总分: red [0, 60), yellow [60, 75), blue [75, 100]; 期限 and 措施 per colour. The
// 措施 of red and yellow contain a comma, so they are written quoted.
enum Alert : std::uint8_t { kRed, kYellow, kBlue };
constexpr std::array<string_view, 3> kAlertCells = {
    "red,3天,\"触发应急响应, 3日内整改\"",
    "yellow,5个工作日,\"启动专家会诊, 5个工作日内提出方案\"",
    "blue,,纳入常规管理",
};

// fund 运营补助 pool 资金池 (param 资金池 = 2000万元): track 绩效分配 70%, track 创新奖励 30%.
// 70% and 30% of 2,000,000,000 fen are whole fen, so the split into tracks leaves no remainder.
constexpr int64_t kPoolFen = 2000'0000'00;
constexpr int64_t kPerformancePoolFen = kPoolFen * 70 / 100;
static_assert(kPoolFen * 70 % 100 == 0);

// The fund arithmetic stays in 64 bits: a 绩效分配 weight is at most 3.6 × 10^9 twentieths of a
// fen; an 创新层 score is at most 20 points (2,000 hundredths).
static_assert(static_cast<uint64_t>(kPerformancePoolFen) * kMaxPerformanceWeight <
              static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));

constexpr size_t kInputCount = kInputs.size();

/// interpolate(x, x0 -> y0, x1 -> y1) with two points: y0 at or below x0, y1 at or above x1, a
/// straight line between (rounded to 6 decimals).
constexpr int64_t interpolate(int64_t x, int64_t x0, int64_t y0, int64_t x1, int64_t y1) {
  if (x <= x0) return y0;
  if (x >= x1) return y1;
  return y0 + div_round((y1 - y0) * (x - x0), x1 - x0);
}

enum Flags : std::uint8_t { kVetoed = 1, kDeducted = 2, kCapped = 4 };

/// What the results need of one row, once it is read and scored.
struct Row {
  uint32_t key_at, key_len;        // 社区编码, trimmed, in the text
  uint32_t street_at, street_len;  // 所属街道, trimmed, in the text
  int32_t total;                   // 总分, hundredths
  std::array<int32_t, 4> layer;    // 基础层, 核心层, 创新层, 可持续层, hundredths
  std::uint8_t grade, alert, flags;
  int64_t performance_weight;      // 基础额度 × coef(等级), in twentieths of a fen (exact)
  int64_t performance_fen;         // 运营补助.绩效分配
  int64_t top_fen;          // 运营补助.创新奖励
};

/// Scores a row whose inputs are parsed (`v`: raw, or fen for money; `cells`: the trimmed cells in
/// `text`) into `r`.
void score(const char* text, size_t row_number, const std::array<int64_t, kInputCount>& v,
           const std::array<string_view, kInputCount>& cells, Row& r) {
  r.street_at = static_cast<uint32_t>(cells[kStreet].data() - text);
  r.street_len = static_cast<uint32_t>(cells[kStreet].size());
  // veto 负面清单否决 when 违规事项 any_in 负面清单
  const bool vetoed = any_in(cells[kViolations], kNegativeList);

  // 基础层 30%: 设施覆盖率 15%, 服务可达性 10%, 人员专业化 5% = ratio(持证社工比例, target: 50)
  const int64_t certified = std::clamp<int64_t>(div_round(kHundred * v[kCertified], kCertifiedTarget), 0, kHundred);
  const int64_t basic = leaf(v[kCoverage], 15) + leaf(v[kAccess], 10) + leaf(certified, 5);

  // 核心层 40%: 需求匹配度 20%, 服务质量 12%, 居民满意度 8% = 居民 × 40% + 第三方 × 30% + 部门 × 30%
  const int64_t satisfaction = mul(v[kResident], 400'000) + mul(v[kThirdParty], 300'000) + mul(v[kDepartment], 300'000);
  const int64_t core = leaf(v[kNeedMatch], 20) + leaf(v[kQuality], 12) + leaf(satisfaction, 8);

  // 创新层 20%: 智慧化水平 8%, 品牌建设 6% = bands(品牌项目数) { [0,1) 0, [1,3) 60, [3,5) 80, [5,50] 100 },
  // 模式创新 6%
  const int64_t brands = v[kBrands];
  const int64_t brand_score = brands < 1 * kOne ? 0 : brands < 3 * kOne ? 60 * kOne : brands < 5 * kOne ? 80 * kOne : kHundred;
  const int64_t innovation = leaf(v[kSmart], 8) + leaf(brand_score, 6) + leaf(v[kModelInnovation], 6);

  // 可持续层 10%: 资金自给率 4% = interpolate(自筹资金 / 运营支出 * 100, 0 -> 0, 30 -> 100),
  // 资源整合度 3%, 社会参与度 3% = interpolate(志愿服务时长, 0 -> 0, 2000 -> 100).
  // 自筹资金 has no upper bound: money_percent computes the quotient in 128 bits.
  const int64_t self_funded =
      money_percent(row_number, v[kSelfFunds], v[kSpending], "column `自筹资金`: 自筹资金 / 运营支出 * 100");
  const int64_t sustainable = leaf(interpolate(self_funded, 0, 0, 30 * kOne, kHundred), 4) + leaf(v[kIntegration], 3) +
                              leaf(interpolate(v[kVolunteerHours], 0, 0, 2000 * kOne, kHundred), 3);

  // 总分 = max(0, the layers − 投诉扣分) ; 投诉扣分 = 0.5 per complaint, at most 10 (扣完为止).
  // Counts are whole numbers, so 0.5 × count is exact.
  const int64_t complaints = v[kComplaints] / kOne;
  const int64_t deduction = complaints > kDeductMax / kDeductPerComplaint ? kDeductMax : complaints * kDeductPerComplaint;
  const int64_t total = std::max<int64_t>(0, basic + core + innovation + sustainable - deduction);

  r.total = static_cast<int32_t>(total);
  r.layer = {static_cast<int32_t>(basic), static_cast<int32_t>(core), static_cast<int32_t>(innovation),
             static_cast<int32_t>(sustainable)};
  r.flags = static_cast<std::uint8_t>((vetoed ? kVetoed : 0) | (complaints > 0 ? kDeducted : 0) |
                                      (complaints * kDeductPerComplaint > kDeductMax ? kCapped : 0));

  // 等级 and 预警 band 总分 (0 to 100); the veto forces D and red.
  const Grade band_grade = grade_of(total);
  const Alert band_alert = total >= 7500 ? kBlue : total >= 6000 ? kYellow : kRed;
  r.grade = vetoed ? kD : band_grade;
  r.alert = vetoed ? kRed : band_alert;

  // 绩效分配's weight: money × number, exactly (never rounded to the fen).
  r.performance_weight = v[kBase] * kGradeCoefTwentieths[r.grade];
  r.performance_fen = 0;
  r.top_fen = 0;
}

// fund 运营补助: track 绩效分配 70% split by 基础额度 * coef(等级), track 创新奖励 30% split among
// top 10% by 总分.创新层 proportional to 总分.创新层; the veto's `fund 0` excludes a row.
void allocate_fund(const char* text, std::vector<Row>& rows) {
  dual_track_fund(text, rows, kPoolFen, "运营补助", "绩效分配", "创新奖励", [](const Row& r) { return (r.flags & kVetoed) != 0; },
                  [](const Row& r) { return r.layer[2]; });
}

void write_results(const std::string& path, const char* text, const std::vector<Row>& rows) {
  Output out(path);
  out.text(
      "社区编码,所属街道,总分,总分.基础层,总分.核心层,总分.创新层,总分.可持续层,等级,预警,预警.期限,预警.措施,"
      "运营补助.绩效分配,运营补助.创新奖励,运营补助,触发规则\n");
  for (const Row& r : rows) {
    out.cell(string_view(text + r.key_at, r.key_len));
    out.ch(',');
    out.cell(string_view(text + r.street_at, r.street_len));
    out.ch(',');
    out.hundredths(r.total);
    for (const int32_t layer : r.layer) {
      out.ch(',');
      out.hundredths(layer);
    }
    out.ch(',');
    out.text(kGradeNames[r.grade]);
    out.ch(',');
    out.text(kAlertCells[r.alert]);
    out.ch(',');
    out.hundredths(r.performance_fen);
    out.ch(',');
    out.hundredths(r.top_fen);
    out.ch(',');
    out.hundredths(r.performance_fen + r.top_fen);
    out.ch(',');
    // 触发规则: the rules that fired, in the order they are written in the policy (a veto with its reason).
    out.reasons({{(r.flags & kDeducted) != 0, "扣分:投诉扣分"},
                 {(r.flags & kCapped) != 0, "封顶:投诉扣分"},
                 {(r.flags & kVetoed) != 0, "否决:负面清单否决（触及负面清单）"}});
    out.ch('\n');
  }
  out.commit();
}

constexpr const char* kUsage =
    "usage: jixiao_baseline_3x --data FILE --out FILE\n"
    "  evaluates examples/3x/policy.jx (default params) over a UTF-8 CSV file, by hand-written code,\n"
    "  and writes the same results CSV as `jixiao eval examples/3x/policy.jx --data FILE --out FILE`\n";

}  // namespace

int main(int argc, char** argv) {
  return baseline_main(argc, argv, "jixiao_baseline_3x", kUsage, [](const std::string& data, const std::string& out) {
    evaluate_file<Row>(data, out, kKeyColumn, kInputs, score, allocate_fund, write_results);
  });
}
