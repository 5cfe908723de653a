// The bundled 3+X example end to end: the generator reproduces the committed data, `jixiao eval`
// reproduces the committed results, and the results satisfy what the policy promises (exact
// scores on the grade edges, every pool paid out to the fen), checked independently of the engine.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <unistd.h>

#include "driver.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kExample = fs::path(JIXIAO_SOURCE_DIR) / "examples" / "3x";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A minimal CSV reader for the results (no quoted newlines in them).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted) {
        if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          cell.push_back('"');
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.push_back(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.push_back(cell);
        cell.clear();
      } else {
        cell.push_back(c);
      }
    }
    cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

// 元 with two decimals → fen, without floating point.
long long fen(const std::string& yuan) {
  const auto point = yuan.find('.');
  return std::stoll(yuan.substr(0, point)) * 100 + std::stoll(yuan.substr(point + 1));
}

class Example3x : public testing::Test {
 protected:
  void SetUp() override {
    // One directory per process and test: ctest runs these tests in parallel processes, and
    // heap addresses repeat between processes, so they cannot name the directory.
    tmp_ = fs::temp_directory_path() /
           ("jixiao-example-" + std::to_string(::getpid()) + "-" + testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void TearDown() override { fs::remove_all(tmp_); }

  std::string eval(const std::vector<std::string>& extra = {}) {
    const fs::path out = tmp_ / "results.csv";
    std::vector<std::string> args = {"eval", (kExample / "policy.jx").string(), "--data",
                                     (kExample / "data" / "communities.csv").string(), "--out", out.string(), "-q"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::ostringstream o;
    std::ostringstream e;
    jixiao::cli::Io io{o, e, false, true};
    EXPECT_EQ(jixiao::cli::run(args, io), 0) << e.str();
    return read(out);
  }

  fs::path tmp_;
};

TEST_F(Example3x, StatsNameEveryPhaseAndTheThroughputOnStderr) {
  const fs::path out = tmp_ / "results.csv";
  std::ostringstream o;
  std::ostringstream e;
  jixiao::cli::Io io{o, e, false, true};
  ASSERT_EQ(jixiao::cli::run({"eval", (kExample / "policy.jx").string(), "--data", (kExample / "data" / "communities.csv").string(),
                              "--out", out.string(), "-q", "--stats", "--threads", "2"},
                             io),
            0)
      << e.str();
  EXPECT_EQ(o.str(), "");  // -q: no summary; the statistics are asked for, and go to stderr
  const std::string err = e.str();
  for (const char* phase : {"check", "load", "evaluate", "allocate", "format", "write"}) {
    EXPECT_NE(err.find(std::string("phase ") + phase + " "), std::string::npos) << phase << "\n" << err;
  }
  EXPECT_NE(err.find(" ms for 200 rows ("), std::string::npos) << err;
  EXPECT_NE(err.find(" rows/s) with 2 threads\n"), std::string::npos) << err;
  EXPECT_EQ(read(out), read(kExample / "expected" / "results.csv"));
}

// `-v` logs what each phase did, in the chosen language, on stderr; `--lang` may also come before
// the command.
TEST_F(Example3x, VerboseLinesSpeakTheChosenLanguage) {
  const fs::path out = tmp_ / "results.csv";
  const std::vector<std::string> tail = {"eval", (kExample / "policy.jx").string(), "--data",
                                         (kExample / "data" / "communities.csv").string(), "--out", out.string(), "-v"};
  const auto run = [](std::vector<std::string> args, const char* env) {
    std::ostringstream o;
    std::ostringstream e;
    jixiao::cli::Io io{o, e, false, true, env};
    EXPECT_EQ(jixiao::cli::run(args, io), 0) << e.str();
    return e.str();
  };
  const std::string zh = run(tail, nullptr);
  EXPECT_NE(zh.find("jixiao: 信息：已从 `"), std::string::npos) << zh;
  EXPECT_NE(zh.find("` 读入 200 行数据（UTF-8），用时 "), std::string::npos) << zh;
  EXPECT_NE(zh.find("jixiao: 信息：计算用时 "), std::string::npos) << zh;
  EXPECT_EQ(zh.find(" ms"), std::string::npos) << zh;

  std::vector<std::string> before = {"--lang", "en"};
  before.insert(before.end(), tail.begin(), tail.end());
  const std::string en = run(before, nullptr);
  EXPECT_NE(en.find("jixiao: info: loaded 200 rows from `"), std::string::npos) << en;
  EXPECT_NE(en.find("jixiao: info: evaluated in "), std::string::npos) << en;
  EXPECT_EQ(en.find("信息"), std::string::npos) << en;
  EXPECT_EQ(run({"--lang=en", "version"}, nullptr).size(), 0U);
}

TEST_F(Example3x, GeneratorReproducesTheCommittedData) {
  const fs::path out = tmp_ / "communities.csv";
  const std::string cmd = std::string(JIXIAO_GEN_3X) + " --rows 200 --seed 2024 --out " + out.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(read(out), read(kExample / "data" / "communities.csv"));
}

TEST_F(Example3x, EvalReproducesTheCommittedResults) {
  const std::string expected = read(kExample / "expected" / "results.csv");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(eval(), expected);
}

TEST_F(Example3x, EveryPoolIsPaidOutToTheFen) {
  const auto rows = parse_csv(read(kExample / "expected" / "results.csv"));
  ASSERT_EQ(rows.size(), 201u);
  std::map<std::string, long long> sums;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < rows[0].size(); ++c) {
      if (rows[0][c].rfind("运营补助", 0) == 0) sums[rows[0][c]] += fen(rows[r][c]);
    }
  }
  // 资金池 = 2000万元: 70% by grade, 30% innovation reward.
  EXPECT_EQ(sums["运营补助.绩效分配"], 1'400'000'000LL);
  EXPECT_EQ(sums["运营补助.创新奖励"], 600'000'000LL);
  EXPECT_EQ(sums["运营补助"], 2'000'000'000LL);
}

TEST_F(Example3x, EdgeScoresAreExactAndGradedOnTheRightSide) {
  const auto rows = parse_csv(read(kExample / "expected" / "results.csv"));
  std::map<std::string, std::vector<std::string>> by_key;
  for (std::size_t r = 1; r < rows.size(); ++r) by_key[rows[r][0]] = rows[r];
  const auto& header = rows[0];
  auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  // Inputs crafted so that the weighted sums are exactly 75, 90 and 60 (with binary floating point
  // the first is 74.99999999999999 and falls to C).
  EXPECT_EQ(by_key["330110999001"][col("总分")], "75.00");
  EXPECT_EQ(by_key["330110999001"][col("等级")], "B");
  EXPECT_EQ(by_key["330110999001"][col("预警")], "blue");
  EXPECT_EQ(by_key["330110999002"][col("总分")], "90.00");
  EXPECT_EQ(by_key["330110999002"][col("等级")], "A");
  EXPECT_EQ(by_key["330110999003"][col("总分")], "60.00");
  EXPECT_EQ(by_key["330110999003"][col("等级")], "C");
  EXPECT_EQ(by_key["330110999003"][col("预警")], "yellow");
}

TEST_F(Example3x, VetoedCommunitiesGetGradeDRedAndNoMoney) {
  const auto rows = parse_csv(read(kExample / "expected" / "results.csv"));
  const auto& header = rows[0];
  auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  std::size_t vetoed = 0;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    if (rows[r][col("触发规则")].find("否决:负面清单否决（触及负面清单）") == std::string::npos) continue;
    ++vetoed;
    EXPECT_EQ(rows[r][col("等级")], "D") << rows[r][0];
    EXPECT_EQ(rows[r][col("预警")], "red") << rows[r][0];
    EXPECT_EQ(rows[r][col("运营补助")], "0.00") << rows[r][0];
  }
  EXPECT_GT(vetoed, 0u);
}

TEST_F(Example3x, ParamOverrideChangesThePool) {
  const auto rows = parse_csv(eval({"--param", "资金池=5000万元"}));
  long long total = 0;
  const auto& header = rows[0];
  const auto c = static_cast<std::size_t>(std::find(header.begin(), header.end(), "运营补助") - header.begin());
  for (std::size_t r = 1; r < rows.size(); ++r) total += fen(rows[r][c]);
  EXPECT_EQ(total, 5'000'000'000LL);
}

}  // namespace
