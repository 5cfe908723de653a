// A deterministic generator of synthetic community data in the input format of the 3+X example
// policy (examples/3x/policy.jx). Same rows and seed → same bytes, on any machine: it uses its own
// PRNG (splitmix64) and integer arithmetic only.
//
// Usage: jixiao_gen_3x [--rows N] [--seed S] [--out FILE]
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [lo, hi].
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  /// Roughly bell-shaped in [lo, hi] around the middle (mean of three uniforms).
  std::int64_t bell(std::int64_t lo, std::int64_t hi) { return (uniform(lo, hi) + uniform(lo, hi) + uniform(lo, hi)) / 3; }
  bool chance(int per_thousand) { return uniform(0, 999) < per_thousand; }

 private:
  std::uint64_t state_;
};

/// value / 10^places as decimal text, e.g. fixed(755, 1) == "75.5".
std::string fixed(std::int64_t value, int places) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  if (places > 0) {
    while (digits.size() <= static_cast<std::size_t>(places)) digits.insert(0, "0");
    digits.insert(digits.size() - static_cast<std::size_t>(places), ".");
    while (digits.back() == '0') digits.pop_back();
    if (digits.back() == '.') digits.pop_back();
  }
  return (value < 0 ? "-" : "") + digits;
}

const char* const kStreets[] = {"五常街道", "仓前街道", "闲林街道", "余杭街道", "中泰街道", "良渚街道",
                                "瓶窑镇",   "径山镇",   "黄湖镇",   "鸬鸟镇",   "百丈镇",   "仁和街道"};
const char* const kNegative[] = {"挪用专项资金", "虚报服务数据", "违规发包", "截留克扣补助", "超范围列支",
                                 "以拨代支",     "套取财政资金", "违规收费", "拒不整改"};
const char* const kMinor[] = {"台账不全", "公示不及时", "档案缺失"};

const char* const kHeader =
    "社区编码,所属街道,设施覆盖率,服务可达性,持证社工比例,需求匹配度,服务质量评分,居民评分,第三方评分,"
    "部门评分,智慧化水平,品牌项目数,模式创新评分,自筹资金,运营支出,资源整合度,志愿服务时长,有效投诉次数,"
    "违规事项,基础额度\n";

// Rows whose scores land exactly on the grade and alert edges (75, 90, 60): with binary floating
// point the first comes out as 74.999... and drops a grade.
const char* const kBoundaryRows[] = {
    "330110999001,仁和街道,75,75,37.5,75,75,75,80,70,75,3,70,225000,1000000,75,1500,0,,100000\n",
    "330110999002,仁和街道,90,90,45,90,90,90,90,90,90,5,80,270000,1000000,90,1800,0,,100000\n",
    "330110999003,仁和街道,60,60,30,60,60,60,60,60,60,1,60,180000,1000000,60,1200,0,,100000\n",
};

std::string row(Rng& rng, std::int64_t index) {
  const std::int64_t street = index % 12;
  std::string r;
  char code[32];
  std::snprintf(code, sizeof code, "330110%03lld%03lld", static_cast<long long>(street + 1),
                static_cast<long long>(index / 12 + 1));
  r += code;
  r += ",";
  r += kStreets[street];
  const std::int64_t quality = rng.bell(-300, 320);  // a community's overall level, in tenths
  auto score = [&](std::int64_t mean_tenths, std::int64_t spread) {
    std::int64_t v = mean_tenths + quality + rng.bell(-spread, spread);
    if (v < 0) v = 0;
    if (v > 1000) v = 1000;
    return fixed(v, 1);
  };
  r += "," + score(850, 120);  // 设施覆盖率
  r += "," + score(800, 150);  // 服务可达性
  r += "," + fixed(rng.bell(80, 700), 1);  // 持证社工比例
  r += "," + score(810, 120);  // 需求匹配度
  r += "," + score(820, 100);  // 服务质量评分
  r += "," + score(800, 150);  // 居民评分
  r += "," + score(770, 120);  // 第三方评分
  r += "," + score(790, 100);  // 部门评分
  r += "," + score(720, 200);  // 智慧化水平
  r += "," + std::to_string(rng.bell(0, 8));  // 品牌项目数
  r += "," + score(740, 200);  // 模式创新评分
  const std::int64_t spending = rng.uniform(200000, 2000000) * 100;  // 运营支出 in fen
  r += "," + fixed(rng.uniform(0, spending / 100 * 35 / 100) * 100, 2);  // 自筹资金
  r += "," + fixed(spending, 2);
  r += "," + score(700, 200);  // 资源整合度
  r += "," + fixed(rng.bell(3000, 36000), 1);  // 志愿服务时长
  const std::int64_t complaints = rng.chance(750) ? rng.uniform(0, 2) : rng.uniform(0, 12);
  r += "," + std::to_string(complaints);
  std::string violations;
  if (rng.chance(35)) violations = kNegative[rng.uniform(0, 8)];
  if (rng.chance(60)) violations += std::string(violations.empty() ? "" : ";") + kMinor[rng.uniform(0, 2)];
  r += "," + violations;
  r += "," + fixed(rng.uniform(500, 2000) * 100 * 100, 2);  // 基础额度: 5万 to 20万元, whole hundreds
  r += "\n";
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t rows = 200;
  std::uint64_t seed = 2024;
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--rows" || a == "--seed" || a == "--out") && i + 1 < argc) {
      const std::string v = argv[++i];
      if (a == "--rows") rows = std::stoll(v);
      if (a == "--seed") seed = std::stoull(v);
      if (a == "--out") out_path = v;
    } else {
      std::cerr << "usage: jixiao_gen_3x [--rows N] [--seed S] [--out FILE]\n";
      return 2;
    }
  }
  Rng rng(seed);
  std::string text = kHeader;
  const std::int64_t special = rows >= 3 ? 3 : 0;
  for (std::int64_t i = 0; i < rows - special; ++i) text += row(rng, i);
  for (std::int64_t i = 0; i < special; ++i) text += kBoundaryRows[i];
  if (out_path.empty()) {
    std::cout << text;
    return 0;
  }
  std::ofstream out(out_path, std::ios::binary);
  out << text;
  return out ? 0 : 2;
}
