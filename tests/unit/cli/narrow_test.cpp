// Inputs only the programs read are loaded narrow (engine::LoadOptions::narrow, EvalRequest::
// narrow_inputs): every example's results, and those of the benchmark's two policies on 20,000
// generated rows (read in parts by two threads), are byte-identical, in CSV and JSON, with 1 and 2
// threads, with narrow columns and without.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "args.hpp"
#include "commands.hpp"
#include "evaluation.hpp"
#include "run_cli.hpp"

namespace jixiao::cli {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = fs::path(JIXIAO_SOURCE_DIR);

struct Case {
  fs::path policy;
  fs::path data;
};

std::vector<Case> example_cases() {
  const fs::path e = kSource / "examples";
  return {
      {e / "3x/policy.jx", e / "3x/data/communities.csv"},
      {e / "3x/policy-zh.jx", e / "3x/data/communities.csv"},
      {e / "chaoyang/policy.jx", e / "chaoyang/data/communities.csv"},  // rolled up: nothing narrow
      {e / "jinniu/policy.jx", e / "jinniu/data/communities.csv"},
      {e / "longgang/policy.jx", e / "longgang/data/lawyers.csv"},
      {e / "nanjing-jianye/policy.jx", e / "nanjing-jianye/data/communities.csv"},
      {e / "pudong/policy.jx", e / "pudong/data/communities.csv"},
      {e / "urban-rural-one-table/policy.jx", e / "urban-rural-one-table/data/communities.csv"},
      {e / "urban-rural/rural.jx", e / "urban-rural/data/rural.csv"},
      {e / "urban-rural/urban.jx", e / "urban-rural/data/urban.csv"},
      {e / "wuhou/policy.jx", e / "wuhou/data/communities.csv"},
      {e / "wuhou/policy-zh.jx", e / "wuhou/data/communities.csv"},
      {e / "yuhang/policy.jx", e / "yuhang/data/communities.csv"},
      {e / "入门/policy.jx", e / "入门/data/社区数据.csv"},
  };
}

class NarrowInputs : public testing::Test {
 protected:
  void SetUp() override {
    set_lang(Lang::kEn);  // (as `jixiao` does for JIXIAO_LANG=en)
    tmp_ = fs::temp_directory_path() /
           ("jixiao-narrow-" + std::to_string(::getpid()) + "-" + testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void TearDown() override { fs::remove_all(tmp_); }

  // The results of `jixiao eval` (its pipeline, in-process) of `c` in `format` on `threads` threads,
  // with the inputs only the programs read loaded narrow or not; "" (a test failure) when it fails.
  // `log` gets what `-v` logs.
  static std::string results(const Case& c, engine::ResultFormat format, std::size_t threads, bool narrow,
                             std::string* log = nullptr) {
    std::ostringstream out;
    std::ostringstream err;
    Io io{out, err, false, true, "en"};
    ParsedArgs args;
    args.values["verbose"] = {""};
    Session s(io, args);
    EvalRequest request;
    request.policy = c.policy.string();
    request.data = c.data.string();
    request.format = format;
    request.threads = threads;
    request.narrow_inputs = narrow;
    EvalOutcome outcome;
    if (!run_evaluation(s, request, outcome, [](const Message&) {})) {
      s.flush_diagnostics();
      ADD_FAILURE() << c.policy << ": " << err.str();
      return "";
    }
    std::string text;
    write_outcome(request, outcome, false, [&text](std::string_view piece) { text += piece; });
    if (log != nullptr) *log = err.str();
    return text;
  }

  static void expect_same_results(const Case& c) {
    for (const engine::ResultFormat format : {engine::ResultFormat::kCsv, engine::ResultFormat::kJson}) {
      const std::string wide = results(c, format, 1, false);
      ASSERT_FALSE(wide.empty()) << c.policy;
      for (const std::size_t threads : {std::size_t{1}, std::size_t{2}}) {
        EXPECT_TRUE(results(c, format, threads, true) == wide)
            << c.policy << " on " << c.data << ", " << (format == engine::ResultFormat::kCsv ? "CSV" : "JSON") << ", "
            << threads << " threads";
        EXPECT_TRUE(results(c, format, threads, false) == wide) << c.policy << ", " << threads << " threads, not narrow";
      }
    }
  }

  fs::path tmp_;
};

TEST_F(NarrowInputs, EveryExampleGivesTheSameResults) {
  for (const Case& c : example_cases()) expect_same_results(c);
}

TEST_F(NarrowInputs, TheColumnsHeldNarrowAreLogged) {
  // Of the 3+X example's 17 inputs of numbers and money, the 16 only its formulas read: not 基础额度,
  // which the fund's weights read too (nor the list 违规事项, nor the text 所属街道).
  const Case c = example_cases().front();
  std::string log;
  results(c, engine::ResultFormat::kCsv, 2, true, &log);
  EXPECT_NE(log.find("info: 16 columns of numbers held in 4 bytes a cell"), std::string::npos) << log;
  results(c, engine::ResultFormat::kCsv, 2, false, &log);
  EXPECT_EQ(log.find("held in 4 bytes"), std::string::npos) << log;
  // A report reads what its pages show; with explanations (`--id`) it reads every input.
  const std::string report = (tmp_ / "report.html").string();
  auto r = test_util::jixiao({"report", c.policy.string(), "--data", c.data.string(), "--out", report, "-v"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("columns of numbers held in 4 bytes"), std::string::npos) << r.err;
  r = test_util::jixiao({"report", c.policy.string(), "--data", c.data.string(), "--out", report, "--id", "330110001001", "-v"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("held in 4 bytes"), std::string::npos) << r.err;
}

TEST_F(NarrowInputs, TheBenchmarkPoliciesGiveTheSameResultsReadInParts) {
  // 20,000 rows are about 2 MB: two parts of a parallel load, each narrowing on its own.
  for (const bool newcomer : {false, true}) {
    const fs::path data = tmp_ / (newcomer ? "newcomer.csv" : "3x.csv");
    const std::string cmd = std::string(JIXIAO_GEN_3X) + " --rows 20000 --seed 7" + (newcomer ? " --newcomer" : "") +
                            " --out " + data.string();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    ASSERT_GT(fs::file_size(data), std::size_t{2} << 20);
    expect_same_results({kSource / (newcomer ? "bench/policies/3x-newcomer.jx" : "examples/3x/policy.jx"), data});
  }
}

}  // namespace
}  // namespace jixiao::cli
