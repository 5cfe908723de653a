// `jixiao fmt` end to end: files rewritten in place (and left alone when already formatted or
// when they do not parse), --check changing nothing, and formatted policies evaluating to
// byte-identical results on the repository's data.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_cli.hpp"

namespace fs = std::filesystem;

namespace {

using jixiao::cli::test_util::jixiao;
using jixiao::cli::test_util::read;
using jixiao::cli::test_util::Result;
using jixiao::cli::test_util::write;

const fs::path kRoot(JIXIAO_SOURCE_DIR);

// A fresh directory under the system's temporary directory, removed at the end of the test.
class FmtCommand : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jixiao-fmt-" + std::to_string(::getpid()) + "-" + testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // No temporary file of the atomic rewrite is left behind.
  void expect_no_temporaries() const {
    for (const auto& e : fs::directory_iterator(dir_)) {
      EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
    }
  }

  fs::path dir_;
};

const std::string kMessy = "policy \"x\" version \"1\"\nsubject 社区 key 编码\ninput{得分:score 0..100}\n"
                           "indicator 总分 {工作 100%=得分}   # 唯一指标\n";
const std::string kCanonical = "policy \"x\" version \"1\"\nsubject 社区 key 编码\n\ninput { 得分 : score 0..100 }\n\n"
                               "indicator 总分 { 工作 100% = 得分 }  # 唯一指标\n";

TEST_F(FmtCommand, RewritesInPlaceAndLeavesFormattedFilesAlone) {
  const fs::path file = dir_ / "p.jx";
  write(file, kMessy);
  Result r = jixiao({"fmt", file.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(read(file), kCanonical);
  expect_no_temporaries();

  // Already formatted: not written at all (its modification time stays).
  const auto before = fs::last_write_time(file);
  fs::last_write_time(file, before - std::chrono::hours(1));
  const auto backdated = fs::last_write_time(file);
  r = jixiao({"fmt", "-v", file.string()});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(fs::last_write_time(file), backdated);

  // -v names the files it changed.
  write(file, kMessy);
  r = jixiao({"fmt", "-v", file.string()});
  EXPECT_EQ(r.out, file.string() + ": reformatted\n");
}

TEST_F(FmtCommand, CheckChangesNothing) {
  const fs::path messy = dir_ / "messy.jx";
  const fs::path clean = dir_ / "clean.jx";
  write(messy, kMessy);
  write(clean, kCanonical);
  Result r = jixiao({"fmt", "--check", clean.string(), messy.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, messy.string() + ": would be reformatted\n");
  EXPECT_EQ(read(messy), kMessy);
  r = jixiao({"fmt", "--check", clean.string()});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");
  // A directory stands for the policies under it.
  r = jixiao({"fmt", "--check", dir_.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, messy.string() + ": would be reformatted\n");
  r = jixiao({"fmt", "--diff", messy.string()});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("+input { 得分 : score 0..100 }\n"), std::string::npos) << r.out;
  EXPECT_EQ(read(messy), kMessy);
  expect_no_temporaries();
}

TEST_F(FmtCommand, FilesThatDoNotParseAreReportedAndUntouched) {
  const fs::path bad = dir_ / "bad.jx";
  const fs::path wide = dir_ / "wide.jx";
  const fs::path good = dir_ / "good.jx";
  const std::string bad_text = "indicator 总分 { 工作 100% = }\n";
  const std::string wide_text = "input { 居民评分：score 0..100 }\n";
  write(bad, bad_text);
  write(wide, wide_text);
  write(good, kMessy);
  const Result r = jixiao({"fmt", "--color=never", bad.string(), wide.string(), good.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("[syntax-error]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[full-width-punctuation]"), std::string::npos) << r.err;
  EXPECT_EQ(read(bad), bad_text);
  EXPECT_EQ(read(wide), wide_text);
  EXPECT_EQ(read(good), kCanonical);  // the other files are still formatted
  expect_no_temporaries();
}

// `text` with its layout undone: runs of spaces outside text and comments become one space and
// lines lose their indentation (the meaning is the same; the layout is not canonical).
std::string squash(const std::string& text) {
  std::string out;
  bool in_string = false;
  bool in_comment = false;
  bool line_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      in_comment = false;
      in_string = false;
      line_start = true;
      out.push_back(c);
      continue;
    }
    if (!in_string && !in_comment && c == ' ') {
      if (!line_start && !out.empty() && out.back() != ' ') out.push_back(' ');
      continue;
    }
    line_start = false;
    if (!in_comment && c == '"' && (i == 0 || text[i - 1] != '\\')) in_string = !in_string;
    if (!in_string && c == '#') in_comment = true;
    out.push_back(c);
  }
  return out;
}

// Undoes the layout of `policy` (in a copy of its directory), evaluates it with `eval_args`, formats
// it and evaluates it again: the results must be byte-identical.
void expect_same_results(const fs::path& case_dir, const std::string& policy, const std::vector<std::string>& eval_args,
                         const fs::path& work) {
  fs::copy(case_dir, work, fs::copy_options::recursive);
  const fs::path saved = fs::current_path();
  fs::current_path(work);
  std::vector<std::string> args = {"eval", policy};
  args.insert(args.end(), eval_args.begin(), eval_args.end());
  write(policy, squash(read(policy)));
  const Result before = jixiao(args);
  const std::string original = read(policy);
  const Result fmt = jixiao({"fmt", policy});
  const std::string formatted = read(policy);
  const Result after = jixiao(args);
  fs::current_path(saved);
  ASSERT_EQ(before.code, 0) << before.err;
  ASSERT_EQ(fmt.code, 0) << fmt.err;
  EXPECT_NE(original, formatted) << case_dir << ": expected a policy that is not yet in the canonical layout";
  EXPECT_EQ(after.code, before.code);
  EXPECT_EQ(after.out, before.out) << case_dir;
  EXPECT_EQ(after.err, before.err) << case_dir;
}

TEST_F(FmtCommand, FormattedPoliciesGiveTheSameResults) {
  expect_same_results(kRoot / "tests" / "golden" / "eval" / "ok_features", "policy.jx",
                      {"--data", "data.csv", "--color=never"}, dir_ / "features");
  expect_same_results(kRoot / "tests" / "golden" / "eval" / "ok_history", "policy.jx",
                      {"--data", "data.csv", "--color=never"}, dir_ / "history");
  expect_same_results(kRoot / "examples" / "3x", "policy.jx", {"--data", "data/communities.csv", "--color=never"},
                      dir_ / "3x");
}

}  // namespace
