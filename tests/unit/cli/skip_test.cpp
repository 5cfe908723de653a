// Inputs nothing reads are not read from the data (engine::inputs_to_skip, LoadOptions::skip): every
// example, given one more declared input that no formula names and a column of it whose cells are
// not numbers, gives results byte-identical to the example's own (with 1 and 2 threads), with the
// checker's `unused-input` warning; a rolled-up policy, whose roll-up reads every input, still
// reports the bad cells. An input that is named is read, bad cells and all.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include "run_cli.hpp"

namespace jixiao::cli {
namespace {

namespace fs = std::filesystem;
using test_util::read;
using test_util::write;

const fs::path kExamples = fs::path(JIXIAO_SOURCE_DIR) / "examples";
constexpr const char* kUnread = "未读备注";

struct ExampleCase {
  std::string dir;
  std::string policy;
  std::string data;  ///< under the example's data/
};

const std::vector<ExampleCase> kCases = {
    {"3x", "policy.jx", "communities.csv"},          {"3x", "policy-zh.jx", "communities.csv"},
    {"jinniu", "policy.jx", "communities.csv"},      {"longgang", "policy.jx", "lawyers.csv"},
    {"nanjing-jianye", "policy.jx", "communities.csv"}, {"pudong", "policy.jx", "communities.csv"},
    {"urban-rural-one-table", "policy.jx", "communities.csv"}, {"urban-rural", "rural.jx", "rural.csv"},
    {"urban-rural", "urban.jx", "urban.csv"},        {"wuhou", "policy.jx", "communities.csv"},
    {"wuhou", "policy-zh.jx", "communities.csv"},    {"yuhang", "policy.jx", "communities.csv"},
    {"入门", "policy.jx", "社区数据.csv"},
};

class SkipUnread : public testing::Test {
 protected:
  void SetUp() override {
    tmp_ = fs::temp_directory_path() /
           ("jixiao-skip-" + std::to_string(::getpid()) + "-" + testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void TearDown() override { fs::remove_all(tmp_); }

  // A copy of the example's directory (policies it extends or imports come along) whose policy
  // declares one more input, `declared` (after the line opening its input block, or in one of its own), and whose
  // data has its column after the last, holding `cell` on every row. Returns the copy's directory.
  fs::path with_extra_input(const ExampleCase& c, const std::string& declared, const std::string& cell) {
    const fs::path dir = tmp_ / "copy";
    fs::remove_all(dir);
    fs::copy(kExamples / c.dir, dir, fs::copy_options::recursive);
    std::string policy = read(dir / c.policy);
    std::size_t open = policy.find("\ninput {\n");
    if (open == std::string::npos) open = policy.find("\n输入 {\n");
    if (open == std::string::npos) {
      policy += "\ninput {\n  " + declared + "\n}\n";  // a policy whose inputs its base declares
    } else {
      policy.insert(policy.find('\n', open + 1) + 1, "  " + declared + "\n");
    }
    write(dir / c.policy, policy);
    const std::string data = read(dir / "data" / c.data);
    std::string out;
    bool header = true;
    for (std::size_t at = 0; at < data.size();) {
      std::size_t end = data.find('\n', at);
      if (end == std::string::npos) end = data.size();
      std::string line = data.substr(at, end - at);
      const bool cr = !line.empty() && line.back() == '\r';
      if (cr) line.pop_back();
      if (!line.empty()) line += "," + (header ? std::string(kUnread) : cell);
      header = header && line.empty();
      out += line + (cr ? "\r" : "") + (end < data.size() ? "\n" : "");
      at = end + 1;
    }
    write(dir / "data" / c.data, out);
    return dir;
  }

  // `jixiao eval` of `policy` on `data` with `threads` threads: its exit code, results and stderr.
  test_util::Result eval(const fs::path& policy, const fs::path& data, const std::string& threads) {
    const fs::path out = tmp_ / "results.csv";
    fs::remove(out);
    auto r = test_util::jixiao({"eval", policy.string(), "--data", data.string(), "--out", out.string(), "-q", "--threads", threads});
    r.out = fs::exists(out) ? read(out) : "";
    return r;
  }

  fs::path tmp_;
};

TEST_F(SkipUnread, AnUnreadColumnChangesNoExamplesResults) {
  for (const ExampleCase& c : kCases) {
    const auto plain = eval(kExamples / c.dir / c.policy, kExamples / c.dir / "data" / c.data, "1");
    ASSERT_EQ(plain.code, 0) << c.dir << "/" << c.policy << "\n" << plain.err;
    const fs::path dir = with_extra_input(c, std::string(kUnread) + " : number", "不是数");
    for (const std::string threads : {"1", "2"}) {
      const auto extra = eval(dir / c.policy, dir / "data" / c.data, threads);
      EXPECT_EQ(extra.code, 0) << c.dir << "/" << c.policy << "\n" << extra.err;
      EXPECT_TRUE(extra.out == plain.out) << c.dir << "/" << c.policy << ", " << threads << " threads";
      EXPECT_NE(extra.err.find("[unused-input]"), std::string::npos) << extra.err;
      EXPECT_EQ(extra.err.find("[bad-cell]"), std::string::npos) << extra.err;
    }
  }
}

TEST_F(SkipUnread, AnInputANameReadsIsChecked) {
  // Named by a `let` that nothing uses in turn: still read, and its bad cells reported.
  const ExampleCase c{"3x", "policy.jx", "communities.csv"};
  const fs::path dir = with_extra_input(c, std::string(kUnread) + " : number", "不是数");
  write(dir / c.policy, read(dir / c.policy) + "\nlet 备注两倍 = " + kUnread + " * 2\n");
  const auto r = eval(dir / c.policy, dir / "data" / c.data, "2");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("[bad-cell]"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("[unused-input]"), std::string::npos) << r.err;
}

TEST_F(SkipUnread, ARolledUpPolicyReadsEveryInput) {
  const ExampleCase c{"chaoyang", "policy.jx", "communities.csv"};
  const fs::path dir = with_extra_input(c, std::string(kUnread) + " : number", "不是数");
  const auto r = eval(dir / c.policy, dir / "data" / c.data, "1");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("[bad-cell]"), std::string::npos) << r.err;
}

TEST_F(SkipUnread, ASkippedColumnMustStillBeThereAndRowsWhole) {
  const ExampleCase c{"3x", "policy.jx", "communities.csv"};
  const fs::path dir = with_extra_input(c, std::string(kUnread) + " : number", "不是数");
  // Declared but not in the data: a missing column, read or not.
  std::string policy = read(dir / c.policy);
  policy.insert(policy.find("  " + std::string(kUnread)), "  另一列 : text\n");
  write(dir / c.policy, policy);
  auto r = eval(dir / c.policy, dir / "data" / c.data, "1");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("[missing-column]"), std::string::npos) << r.err;
  // A row with a cell too many is a syntax error whatever its columns.
  std::string data = read(dir / "data" / c.data);
  const std::size_t second = data.find('\n', data.find('\n') + 1);
  data.insert(second, ",多余");
  write(dir / "data" / c.data, data);
  policy.erase(policy.find("  另一列 : text\n"), std::string("  另一列 : text\n").size());
  write(dir / c.policy, policy);
  r = eval(dir / c.policy, dir / "data" / c.data, "2");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("[data-syntax]"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace jixiao::cli
