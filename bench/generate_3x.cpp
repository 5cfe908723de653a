// A deterministic generator of synthetic community data in the input format of the 3+X example
// policy (examples/3x/policy.jx). Same rows, seed and periods → same bytes, on any machine: it
// uses its own PRNG (splitmix64) and integer arithmetic only.
//
// Usage: jixiao_gen_3x [--rows N] [--seed S] [--periods P] [--last-year Y] [--fen-amounts] [--newcomer] [--out FILE]
//
// With one period (the default) the file has one row per community and no period column; its
// bytes are those of every earlier version of this generator (examples/3x/data/communities.csv is
// `--rows 200 --seed 2024`). With --periods P > 1 it has P rows per community, one per 年度
// (last-year − P + 1 .. last-year, default last year 2024), 年度 as the second column, the years
// one after the other (all communities of the first year, then the second, ...). A community keeps
// its street, its overall level, its trend and its 基础额度 from year to year; its scores move
// with the level, the trend and some yearly noise. Each year ends with the three boundary rows.
//
// 基础额度 is whole hundreds of 元, or with --fen-amounts any amount to the fen (the same number of
// draws, so every other column is unchanged): 基础额度 × 0.65 then has a fraction of a fen, which
// an exact weight keeps (docs/language.md §10).
//
// --newcomer writes the input of bench/policies/3x-newcomer.jx instead (one period): the same
// draws plus a 社区名称 column after the key, percentages with `%` and 自筹资金 and 运营支出 with two
// decimals, as a spreadsheet exports them (21 columns, about 134 bytes a row: 76.7 MiB at 600,000
// rows), and its own boundary rows.
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <system_error>

#include <sys/stat.h>
#include <unistd.h>

#include "generator_common.hpp"

namespace {

using jixiao_bench::Rng;

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

/// value / 10^places with exactly `places` decimals, e.g. fixed_places(10000000, 2) == "100000.00".
std::string fixed_places(std::int64_t value, int places) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  while (digits.size() <= static_cast<std::size_t>(places)) digits.insert(0, "0");
  digits.insert(digits.size() - static_cast<std::size_t>(places), ".");
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

/// A community's name in the --newcomer layout: two characters and 社区 or 村.
std::string community_name(Rng& rng) {
  static const char* const kSyllables[] = {"葛", "巷", "东", "西", "南", "北", "桥", "塘", "湖", "山", "溪", "林",
                                           "新", "安", "和", "平", "永", "福", "康", "宁", "金", "玉", "凤", "龙",
                                           "梅", "竹", "荷", "桂", "文", "明", "兴", "华"};
  std::string name = kSyllables[rng.uniform(0, 31)];
  name += kSyllables[rng.uniform(0, 31)];
  name += rng.chance(300) ? "村" : "社区";
  return name;
}

// The --newcomer layout (bench/policies/3x-newcomer.jx): 21 columns, and boundary rows whose 总分
// under that policy is exactly 75, 90 and 60.
const char* const kNewcomerHeader =
    "社区编码,社区名称,所属街道,设施覆盖率,服务可达性,持证社工比例,需求匹配度,服务质量评分,居民评分,第三方评分,"
    "部门评分,智慧化水平,品牌项目数,模式创新评分,自筹资金,运营支出,资源整合度,志愿服务时长,有效投诉次数,"
    "违规事项,基础额度\n";
const char* const kNewcomerBoundaryRows[] = {
    "330110999001,边界甲社区,仁和街道,75%,75%,37.5%,75,75,75,75,75,75,3,90,225000.00,1000000.00,75,1500,0,,100000\n",
    "330110999002,边界乙社区,仁和街道,90%,90%,45%,90,90,90,90,90,90,4,100,270000.00,1000000.00,90,1800,0,,100000\n",
    "330110999003,边界丙社区,仁和街道,60%,60%,30%,60,60,60,60,60,60,3,60,180000.00,1000000.00,60,1200,0,,100000\n",
};

/// A row of the one-period file. With `newcomer` (the layout of bench/policies/3x-newcomer.jx):
/// a 社区名称 column after the key, the three percentages written with `%`, and 自筹资金 and
/// 运营支出 with two decimals, as a spreadsheet exports them.
std::string row(Rng& rng, std::int64_t index, bool fen_amounts, bool newcomer) {
  const std::int64_t street = index % 12;
  std::string r;
  char code[32];
  std::snprintf(code, sizeof code, "330110%03lld%03lld", static_cast<long long>(street + 1),
                static_cast<long long>(index / 12 + 1));
  r += code;
  if (newcomer) r += "," + community_name(rng);
  r += ",";
  r += kStreets[street];
  const std::int64_t quality = rng.bell(-300, 320);  // a community's overall level, in tenths
  const char* const percent = newcomer ? "%" : "";
  auto money = [&](std::int64_t fen) { return newcomer ? fixed_places(fen, 2) : fixed(fen, 2); };
  auto score = [&](std::int64_t mean_tenths, std::int64_t spread) {
    std::int64_t v = mean_tenths + quality + rng.bell(-spread, spread);
    if (v < 0) v = 0;
    if (v > 1000) v = 1000;
    return fixed(v, 1);
  };
  r += "," + score(850, 120) + percent;  // 设施覆盖率
  r += "," + score(800, 150) + percent;  // 服务可达性
  r += "," + fixed(rng.bell(80, 700), 1) + percent;  // 持证社工比例
  r += "," + score(810, 120);  // 需求匹配度
  r += "," + score(820, 100);  // 服务质量评分
  r += "," + score(800, 150);  // 居民评分
  r += "," + score(770, 120);  // 第三方评分
  r += "," + score(790, 100);  // 部门评分
  r += "," + score(720, 200);  // 智慧化水平
  r += "," + std::to_string(rng.bell(0, 8));  // 品牌项目数
  r += "," + score(740, 200);  // 模式创新评分
  const std::int64_t spending = rng.uniform(200000, 2000000) * 100;  // 运营支出 in fen
  r += "," + money(rng.uniform(0, spending / 100 * 35 / 100) * 100);  // 自筹资金
  r += "," + money(spending);
  r += "," + score(700, 200);  // 资源整合度
  r += "," + fixed(rng.bell(3000, 36000), 1);  // 志愿服务时长
  const std::int64_t complaints = rng.chance(750) ? rng.uniform(0, 2) : rng.uniform(0, 12);
  r += "," + std::to_string(complaints);
  std::string violations;
  if (rng.chance(35)) violations = kNegative[rng.uniform(0, 8)];
  if (rng.chance(60)) violations += std::string(violations.empty() ? "" : ";") + kMinor[rng.uniform(0, 2)];
  r += "," + violations;
  // 基础额度: 5万 to 20万元, whole hundreds (or to the fen)
  r += "," + fixed(fen_amounts ? rng.uniform(500 * 100 * 100, 2000 * 100 * 100) : rng.uniform(500, 2000) * 100 * 100, 2);
  r += "\n";
  return r;
}

// ---- several periods ----

const char* const kPeriodHeader =
    "社区编码,年度,所属街道,设施覆盖率,服务可达性,持证社工比例,需求匹配度,服务质量评分,居民评分,第三方评分,"
    "部门评分,智慧化水平,品牌项目数,模式创新评分,自筹资金,运营支出,资源整合度,志愿服务时长,有效投诉次数,"
    "违规事项,基础额度\n";

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  Rng r(a ^ (b * 0xD1B54A32D192ED03ULL));
  return r.next();
}

/// What stays with a community from year to year; drawn from the community's own stream, so that
/// a year's rows can be written without keeping every community in memory.
struct Community {
  std::int64_t quality;      // overall level, in tenths
  std::int64_t trend;        // tenths per year
  std::int64_t spending;     // 运营支出 around this, in fen
  std::int64_t base_amount;  // 基础额度, in fen
  bool troubled;             // more likely than others to show up on the negative list
};

Community community(std::uint64_t seed, std::int64_t index, bool fen_amounts) {
  Rng rng(mix(seed, static_cast<std::uint64_t>(index) * 2 + 1));
  Community c{};
  c.quality = rng.bell(-300, 320);
  c.trend = rng.bell(-25, 25);
  c.spending = rng.uniform(200000, 2000000) * 100;
  c.base_amount = fen_amounts ? rng.uniform(500 * 100 * 100, 2000 * 100 * 100) : rng.uniform(500, 2000) * 100 * 100;
  c.troubled = rng.chance(40);
  return c;
}

/// The row of community `index` in year `year_index` (0 for the first year) of `periods`.
std::string period_row(std::uint64_t seed, std::int64_t index, std::int64_t year_index, std::int64_t periods, bool fen_amounts,
                       const std::string& year) {
  const Community c = community(seed, index, fen_amounts);
  Rng rng(mix(mix(seed, static_cast<std::uint64_t>(index) * 2 + 2), static_cast<std::uint64_t>(year_index) + 1));
  const std::int64_t street = index % 12;
  std::string r;
  char code[32];
  std::snprintf(code, sizeof code, "330110%03lld%03lld", static_cast<long long>(street + 1),
                static_cast<long long>(index / 12 + 1));
  r += code;
  r += "," + year;
  r += ",";
  r += kStreets[street];
  // Centred on the last year: the last year's level is the community's own level.
  const std::int64_t quality = c.quality + c.trend * (year_index - (periods - 1)) + rng.bell(-60, 60);
  auto score = [&](std::int64_t mean_tenths, std::int64_t spread) {
    std::int64_t v = mean_tenths + quality + rng.bell(-spread, spread);
    if (v < 0) v = 0;
    if (v > 1000) v = 1000;
    return fixed(v, 1);
  };
  r += "," + score(850, 120);                // 设施覆盖率
  r += "," + score(800, 150);                // 服务可达性
  r += "," + fixed(rng.bell(80, 700), 1);    // 持证社工比例
  r += "," + score(810, 120);                // 需求匹配度
  r += "," + score(820, 100);                // 服务质量评分
  r += "," + score(800, 150);                // 居民评分
  r += "," + score(770, 120);                // 第三方评分
  r += "," + score(790, 100);                // 部门评分
  r += "," + score(720, 200);                // 智慧化水平
  r += "," + std::to_string(rng.bell(0, 8));  // 品牌项目数
  r += "," + score(740, 200);                // 模式创新评分
  // 运营支出: the community's usual spending ± 20%, whole 元.
  const std::int64_t spending = c.spending / 100 * rng.uniform(80, 120) / 100 * 100;
  r += "," + fixed(rng.uniform(0, spending / 100 * 35 / 100) * 100, 2);  // 自筹资金
  r += "," + fixed(spending, 2);
  r += "," + score(700, 200);                   // 资源整合度
  r += "," + fixed(rng.bell(3000, 36000), 1);  // 志愿服务时长
  const std::int64_t complaints = rng.chance(750) ? rng.uniform(0, 2) : rng.uniform(0, 12);
  r += "," + std::to_string(complaints);
  std::string violations;
  if (rng.chance(c.troubled ? 150 : 25)) violations = kNegative[rng.uniform(0, 8)];
  if (rng.chance(60)) violations += std::string(violations.empty() ? "" : ";") + kMinor[rng.uniform(0, 2)];
  r += "," + violations;
  r += "," + fixed(c.base_amount, 2);
  r += "\n";
  return r;
}

/// A boundary row of the one-period file with the year put in as the second column.
std::string period_boundary_row(int which, const std::string& year) {
  std::string r = kBoundaryRows[which];
  const std::size_t comma = r.find(',');
  r.insert(comma, "," + year);
  return r;
}

// ---- output ----

/// Buffered output to a file descriptor; remembers the first error.
class Sink {
 public:
  explicit Sink(int fd) : fd_(fd) { buffer_.reserve(kFlushAt + 4096); }
  void add(const std::string& s) {
    buffer_ += s;
    if (buffer_.size() >= kFlushAt) flush();
  }
  void add(const char* s) { add(std::string(s)); }
  bool flush() {
    const char* p = buffer_.data();
    std::size_t left = buffer_.size();
    while (left > 0 && error_ == 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        break;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    buffer_.clear();
    return error_ == 0;
  }
  int error() const { return error_; }

 private:
  static constexpr std::size_t kFlushAt = std::size_t{1} << 20;
  int fd_;
  int error_ = 0;
  std::string buffer_;
};

void generate(Sink& sink, std::int64_t rows, std::uint64_t seed, std::int64_t periods, std::int64_t last_year,
              bool fen_amounts, bool newcomer) {
  const std::int64_t special = rows >= 3 ? 3 : 0;
  if (periods == 1) {
    // The original layout and stream: one generator for the whole file.
    Rng rng(seed);
    sink.add(newcomer ? kNewcomerHeader : kHeader);
    for (std::int64_t i = 0; i < rows - special; ++i) sink.add(row(rng, i, fen_amounts, newcomer));
    for (std::int64_t i = 0; i < special; ++i) sink.add(newcomer ? kNewcomerBoundaryRows[i] : kBoundaryRows[i]);
    return;
  }
  sink.add(kPeriodHeader);
  for (std::int64_t y = 0; y < periods; ++y) {
    const std::string year = std::to_string(last_year - (periods - 1) + y);
    for (std::int64_t i = 0; i < rows - special; ++i) sink.add(period_row(seed, i, y, periods, fen_amounts, year));
    for (std::int64_t i = 0; i < special; ++i) sink.add(period_boundary_row(static_cast<int>(i), year));
  }
}

const char* const kUsage =
    "usage: jixiao_gen_3x [--rows N] [--seed S] [--periods P] [--last-year Y] [--fen-amounts] [--newcomer] [--out FILE]\n"
    "  --rows N       communities (default 200; 0 to 100000000)\n"
    "  --seed S       seed of the generator (default 2024; 0 to 18446744073709551615)\n"
    "  --periods P    years of data per community (default 1: no 年度 column; 1 to 100)\n"
    "  --last-year Y  the last 年度 with --periods > 1 (default 2024; 1000 to 9999 minus periods)\n"
    "  --fen-amounts  基础额度 to the fen instead of whole hundreds of 元\n"
    "  --newcomer     the layout of bench/policies/3x-newcomer.jx: a 社区名称 column, percentages\n"
    "                 with %, expenses with 2 decimals (21 columns; not with --periods)\n"
    "  --out FILE     write to FILE (through a temporary file in its directory) instead of stdout\n";

using jixiao_bench::parse_number;

int fail(const std::string& message) {
  std::cerr << "jixiao_gen_3x: error: " << message << "\n"
            << "usage: jixiao_gen_3x [--rows N] [--seed S] [--periods P] [--last-year Y] [--fen-amounts] [--newcomer] [--out FILE] (--help for more)\n";
  return 2;
}

int run(int argc, char** argv) {
  std::int64_t rows = 200;
  std::uint64_t seed = 2024;
  std::int64_t periods = 1;
  std::int64_t last_year = 2024;
  std::string out_path;
  bool fen_amounts = false;
  bool newcomer = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (a == "--fen-amounts") {
      fen_amounts = true;
      continue;
    }
    if (a == "--newcomer") {
      newcomer = true;
      continue;
    }
    if (a != "--rows" && a != "--seed" && a != "--periods" && a != "--last-year" && a != "--out")
      return fail("unknown option '" + a + "'");
    if (i + 1 >= argc) return fail(a + " needs a value");
    const std::string v = argv[++i];
    if (a == "--rows") {
      if (!parse_number(v, rows) || rows < 0 || rows > 100000000)
        return fail("--rows: '" + v + "' is not a whole number from 0 to 100000000");
    } else if (a == "--seed") {
      if (!parse_number(v, seed)) return fail("--seed: '" + v + "' is not a whole number from 0 to 18446744073709551615");
    } else if (a == "--periods") {
      if (!parse_number(v, periods) || periods < 1 || periods > 100)
        return fail("--periods: '" + v + "' is not a whole number from 1 to 100");
    } else if (a == "--last-year") {
      if (!parse_number(v, last_year) || last_year < 1000 || last_year > 9999)
        return fail("--last-year: '" + v + "' is not a year from 1000 to 9999");
    } else {
      if (v.empty()) return fail("--out needs a file name");
      out_path = v;
    }
  }
  if (last_year - periods + 1 < 1000) return fail("--periods and --last-year: the first year would be before 1000");
  if (newcomer && periods > 1) return fail("--newcomer has one period: it cannot be used with --periods");

  if (out_path.empty()) {
    Sink sink(STDOUT_FILENO);
    generate(sink, rows, seed, periods, last_year, fen_amounts, newcomer);
    if (!sink.flush()) {
      std::cerr << "jixiao_gen_3x: error: writing to stdout: " << std::strerror(sink.error()) << "\n";
      return 2;
    }
    return 0;
  }

  // Write to a temporary file beside the target and rename it: a reader never sees half a file.
  std::string tmp = out_path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    std::cerr << "jixiao_gen_3x: error: cannot create a temporary file beside " << out_path << ": "
              << std::strerror(errno) << "\n";
    return 2;
  }
  Sink sink(fd);
  generate(sink, rows, seed, periods, last_year, fen_amounts, newcomer);
  bool ok = sink.flush();
  int error = sink.error();
  const mode_t mask = ::umask(0);  // mkstemp makes the file 0600; give it the usual mode
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0 && ok) {
    ok = false;
    error = errno;
  }
  if (::close(fd) != 0 && ok) {
    ok = false;
    error = errno;
  }
  if (ok && std::rename(tmp.c_str(), out_path.c_str()) != 0) {
    ok = false;
    error = errno;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    std::cerr << "jixiao_gen_3x: error: writing " << out_path << ": " << std::strerror(error) << "\n";
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "jixiao_gen_3x: error: " << e.what() << "\n";
    return 2;
  } catch (...) {
    std::cerr << "jixiao_gen_3x: error: unexpected failure\n";
    return 2;
  }
}
