// `jixiao diff --data`: the impact of "an alert edge 60 → 65 and a weight moved" must list exactly
// the communities, scores, moves and money that a calculation by hand from the data gives (the
// calculation is written out in tests/golden/cli/diff_impact/case.toml).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <map>
#include <set>
#include <sstream>

#include "driver.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kCase = fs::path(JIXIAO_SOURCE_DIR) / "tests" / "golden" / "cli" / "diff_impact_csv";

struct RunResult {
  int code = 0;
  std::string out;
  std::string err;
};

// Runs `jixiao ARGS...` in `dir`, in Chinese (the default) unless `lang` says otherwise.
RunResult run_in(const fs::path& dir, const std::vector<std::string>& args, const char* lang = nullptr) {
  const fs::path saved = fs::current_path();
  fs::current_path(dir);
  std::ostringstream out;
  std::ostringstream err;
  jixiao::cli::Io io{out, err, false, true, lang};
  RunResult r;
  r.code = jixiao::cli::run(args, io);
  fs::current_path(saved);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// A minimal CSV reader: quoted cells, no quoted newlines.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        cells.emplace_back();
      } else {
        cells.back().push_back(c);
      }
    }
    rows.push_back(cells);
  }
  return rows;
}

// The hand calculation: 总分 old → new, final 等级 and 预警 old → new, and the change of the
// 奖补 total in 元.
struct Expected {
  const char* key;
  const char* score_old;
  const char* score_new;
  const char* grade_old;
  const char* grade_new;
  const char* alert_old;
  const char* alert_new;
  const char* money_delta;
};

const Expected kExpected[] = {
    {"E01", "101.23", "101.83", "A", "A", "蓝", "蓝", "-9302.33"},
    {"E02", "87.63", "90.03", "B", "A", "蓝", "蓝", "20465.12"},
    {"E03", "43.40", "42.84", "D", "D", "红", "红", "0.00"},
    {"E04", "105.00", "105.00", "A", "A", "蓝", "蓝", "-11162.79"},
    {"E05", "70.19", "65.99", "D", "D", "红", "红", "0.00"},
    {"E06", "14.00", "2.50", "D", "D", "红", "红", "0.00"},
    {"W01", "94.34", "95.92", "A", "A", "蓝", "蓝", "825.49"},
    {"W02", "67.49", "64.49", "D", "D", "黄", "红", "0.00"},
    {"W03", "92.83", "94.27", "D", "D", "红", "红", "0.00"},
    {"W04", "74.82", "71.23", "C", "C", "黄", "黄", "0.00"},
    {"W05", "105.00", "105.00", "A", "A", "蓝", "蓝", "-825.49"},
    {"W06", "2.00", "0.00", "D", "D", "红", "红", "0.00"},
};

TEST(DiffImpact, ListsExactlyWhatTheHandCalculationGives) {
  const RunResult r = run_in(kCase, {"diff", "old.jx", "new.jx", "--data", "data.csv", "--format", "csv"});
  ASSERT_EQ(r.code, 1) << r.err;
  const auto rows = parse_csv(r.out);
  ASSERT_EQ(rows.size(), std::size(kExpected) + 1) << r.out;
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < rows[0].size(); ++i) col[rows[0][i]] = i;
  for (const char* name :
       {"编码", "总分.调整前", "总分.调整后", "等级.调整前", "等级.调整后", "预警.调整前", "预警.调整后", "奖补.增减", "规则变化"}) {
    ASSERT_TRUE(col.count(name)) << name << " in " << r.out;
  }
  std::set<std::string> grade_moves;
  std::set<std::string> alert_moves;
  for (std::size_t i = 0; i < std::size(kExpected); ++i) {
    const Expected& e = kExpected[i];
    const auto& row = rows[i + 1];
    SCOPED_TRACE(e.key);
    EXPECT_EQ(row[col["编码"]], e.key);
    EXPECT_EQ(row[col["总分.调整前"]], e.score_old);
    EXPECT_EQ(row[col["总分.调整后"]], e.score_new);
    EXPECT_EQ(row[col["等级.调整前"]], e.grade_old);
    EXPECT_EQ(row[col["等级.调整后"]], e.grade_new);
    EXPECT_EQ(row[col["预警.调整前"]], e.alert_old);
    EXPECT_EQ(row[col["预警.调整后"]], e.alert_new);
    EXPECT_EQ(row[col["奖补.增减"]], e.money_delta);
    if (row[col["等级.调整前"]] != row[col["等级.调整后"]]) grade_moves.insert(e.key);
    if (row[col["预警.调整前"]] != row[col["预警.调整后"]]) alert_moves.insert(e.key);
    // The edge change reaches W02's alert only: no other old or new score lies in [60, 65).
    const std::string& rules = row[col["规则变化"]];
    EXPECT_NE(rules.find("总分.基础 权重 40% → 20%"), std::string::npos) << rules;
    EXPECT_NE(rules.find("总分.创新 权重 20% → 40%"), std::string::npos) << rules;
    EXPECT_EQ(rules.find("预警.红 区间 [0, 60) → [0, 65)") != std::string::npos, std::string(e.key) == "W02") << rules;
  }
  EXPECT_EQ(grade_moves, std::set<std::string>{"E02"});
  EXPECT_EQ(alert_moves, std::set<std::string>{"W02"});
}

// The CSV report is a document for Chinese readers, like the results of `eval`: the same bytes
// whatever the language of the run (docs/diff.md).
TEST(DiffImpact, TheCsvReportIsTheSameInEveryLanguage) {
  const std::vector<std::string> args = {"diff", "old.jx", "new.jx", "--data", "data.csv", "--format", "csv"};
  const RunResult zh = run_in(kCase, args);
  const RunResult en = run_in(kCase, args, "en");
  ASSERT_EQ(zh.code, 1) << zh.err;
  EXPECT_EQ(en.out, zh.out);
}

TEST(DiffImpact, TotalsMatchTheHandCalculation) {
  const RunResult zh = run_in(kCase, {"diff", "old.jx", "new.jx", "--data", "data.csv"});
  ASSERT_EQ(zh.code, 1) << zh.err;
  EXPECT_NE(zh.out.find("两个方案下共计算 12 个社区，其中 12 个社区的结果有变化"), std::string::npos) << zh.out;
  EXPECT_NE(zh.out.find("等级  升 1 个，降 0 个，不变 11 个"), std::string::npos) << zh.out;
  EXPECT_NE(zh.out.find("预警  加重 1 个，减轻 0 个，不变 11 个"), std::string::npos) << zh.out;
  EXPECT_NE(zh.out.find("奖补.绩效  变动 20,465.12元"), std::string::npos) << zh.out;
  EXPECT_NE(zh.out.find("奖补       变动 21,290.61元"), std::string::npos) << zh.out;

  const RunResult r = run_in(kCase, {"diff", "old.jx", "new.jx", "--data", "data.csv"}, "en");
  ASSERT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.out.find("12 communities evaluated under both, 12 changed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("等级  1 up, 0 down, 11 unchanged"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("预警  1 more severe, 0 less severe, 11 unchanged"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("奖补.绩效  moved 20,465.12元"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("奖补.创新  moved    825.49元"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("奖补       moved 21,290.61元"), std::string::npos) << r.out;
}

TEST(DiffImpact, SamePolicyChangesNothing) {
  const RunResult r = run_in(kCase, {"diff", "old.jx", "old.jx", "--data", "data.csv", "--format", "csv"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(parse_csv(r.out).size(), 1u) << r.out;  // the header only
}

// Causes that caused (tests/golden/cli/diff_causes_*): in the JSON, every change of money that is
// split by cause is split exactly, to the fen.
std::int64_t fen(const nlohmann::json& yuan) { return std::llround(yuan.get<double>() * 100); }

TEST(DiffCauses, MoneyPartsAddUpToTheChangeToTheFen) {
  std::size_t split = 0;  // changes with two parts or more
  for (const char* name : {"diff_causes_pool", "diff_causes_veto", "diff_many_impact", "diff_impact"}) {
    const fs::path dir = fs::path(JIXIAO_SOURCE_DIR) / "tests" / "golden" / "cli" / name;
    const RunResult r = run_in(dir, {"diff", "old.jx", "new.jx", "--data", "data.csv", "--format", "json"});
    ASSERT_EQ(r.code, 1) << name << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    for (const auto& c : doc["impact"]["communities"]) {
      for (const auto& v : c["changes"]) {
        if (v["kind"] != "money" || !v.contains("parts")) continue;
        std::int64_t sum = 0;
        for (const auto& part : v["parts"]) sum += fen(part["delta"]);
        EXPECT_EQ(sum, fen(v["delta"])) << name << " " << c["key"] << " " << v["output"];
        if (v["parts"].size() > 1) ++split;
      }
    }
  }
  EXPECT_GT(split, 10u);
}

// The example: E01 has no complaints; its A → B comes from the grade's intervals alone,
// and the new complaints veto (change 0) is not named; W01's comes from either alone.
TEST(DiffCauses, AVetoThatDoesNotFireIsNoCause) {
  const fs::path dir = fs::path(JIXIAO_SOURCE_DIR) / "tests" / "golden" / "cli" / "diff_causes_veto";
  const RunResult r = run_in(dir, {"diff", "old.jx", "new.jx", "--data", "data.csv", "--format", "json"});
  ASSERT_EQ(r.code, 1) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["changes"][0]["target"], "投诉否优");
  std::map<std::string, std::vector<int>> grade_causes;
  for (const auto& c : doc["impact"]["communities"]) {
    for (const auto& v : c["changes"]) {
      if (v["output"] == "等级") grade_causes[c["key"]] = v["causes"].get<std::vector<int>>();
    }
  }
  EXPECT_EQ(grade_causes["E01"], (std::vector<int>{1, 2}));
  EXPECT_EQ(grade_causes["W01"], (std::vector<int>{0, 1, 2}));
}

}  // namespace
