// Unit tests of policy test files (`jixiao test`): TOML floats read exactly from their text,
// inline rows turned into CSV, the file's structure; and the TOML examples of docs/testing.md,
// each of which must be a verbatim part of the real file its first line names.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_file.hpp"

namespace fs = std::filesystem;
using jixiao::cli::decimal_text_of_toml_float;
using jixiao::cli::ExpectedValue;
using jixiao::cli::parse_test_file;
using jixiao::cli::rows_to_csv;
using jixiao::cli::TestFileError;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(TomlFloat, KeepsTheWrittenDigits) {
  EXPECT_EQ(decimal_text_of_toml_float("85.50"), "85.5");
  EXPECT_EQ(decimal_text_of_toml_float("0.1"), "0.1");
  EXPECT_EQ(decimal_text_of_toml_float("6_1.5"), "61.5");
  EXPECT_EQ(decimal_text_of_toml_float("+3.0"), "3");
  EXPECT_EQ(decimal_text_of_toml_float("-0.0"), "0");
  EXPECT_EQ(decimal_text_of_toml_float("-2.25"), "-2.25");
}

TEST(TomlFloat, MovesThePointByTheExponent) {
  EXPECT_EQ(decimal_text_of_toml_float("-1.25e2"), "-125");
  EXPECT_EQ(decimal_text_of_toml_float("5e-1"), "0.5");
  EXPECT_EQ(decimal_text_of_toml_float("1E+3"), "1000");
  EXPECT_EQ(decimal_text_of_toml_float("0.1e-6"), "0.0000001");
  EXPECT_EQ(decimal_text_of_toml_float("12.5e1"), "125");
}

TEST(TomlFloat, RejectsWhatIsNotADecimal) {
  EXPECT_EQ(decimal_text_of_toml_float("inf"), std::nullopt);
  EXPECT_EQ(decimal_text_of_toml_float("-nan"), std::nullopt);
  EXPECT_EQ(decimal_text_of_toml_float("1."), std::nullopt);
  EXPECT_EQ(decimal_text_of_toml_float(".5"), std::nullopt);
  EXPECT_EQ(decimal_text_of_toml_float("1e"), std::nullopt);
  EXPECT_EQ(decimal_text_of_toml_float("1e99999"), std::nullopt);
}

TEST(RowsToCsv, HeaderIsTheUnionInFirstSeenOrderAndCellsAreQuoted) {
  const std::string csv = rows_to_csv({
      {{"编码", "A1"}, {"街道", "东街, 一期"}},
      {{"编码", "A2"}, {"备注", "他说\"好\""}, {"街道", "西街"}},
  });
  EXPECT_EQ(csv, "编码,街道,备注\nA1,\"东街, 一期\",\nA2,西街,\"他说\"\"好\"\"\"\n");
}

TEST(TestFile, ReadsCasesWithDefaultsInWrittenOrder) {
  const std::string text =
      "policy = \"p.jx\"\n"
      "data = \"d.csv\"\n"
      "tolerance = 0.01\n"
      "[params]\n"
      "\"资金池\" = \"5000万元\"\n"
      "\"目标\" = 50\n"
      "[[case]]\n"
      "name = \"一\"\n"
      "params = { \"资金池\" = \"100万元\" }\n"
      "rows = [ { \"编码\" = \"C1\", \"得分\" = 0.1, \"达标\" = true, \"事项\" = [\"甲\", \"乙\"], \"次数\" = 3 } ]\n"
      "[[case.expect]]\n"
      "key = \"C1\"\n"
      "\"总分\" = 61.50\n"
      "\"等级\" = \"D\"\n"
      "\"达标\" = false\n"
      "\"触发规则\" = [\"veto:否决\"]\n"
      "tolerance = 0\n"
      "[[case]]\n"
      "name = \"二\"\n";
  std::vector<TestFileError> errors;
  const auto file = parse_test_file("dir/x.test.toml", text, errors);
  ASSERT_TRUE(errors.empty()) << errors.front().message;
  EXPECT_EQ(file.policy_path, "dir/p.jx");
  ASSERT_EQ(file.cases.size(), 2u);
  const auto& one = file.cases[0];
  ASSERT_EQ(one.params.size(), 2u);
  EXPECT_EQ(one.params[0].name, "资金池");
  EXPECT_EQ(one.params[0].value, "100万元");
  EXPECT_EQ(one.params[1].value, "50");
  EXPECT_EQ(one.tolerance, 10'000);
  EXPECT_FALSE(one.data_path.has_value());
  EXPECT_EQ(one.rows_csv, "编码,得分,达标,事项,次数\nC1,0.1,是,甲;乙,3\n");
  ASSERT_EQ(one.expect.size(), 1u);
  const auto& e = one.expect[0];
  EXPECT_EQ(e.key, "C1");
  EXPECT_EQ(e.tolerance, 0);
  ASSERT_EQ(e.cells.size(), 4u);
  EXPECT_EQ(e.cells[0].column, "总分");
  EXPECT_EQ(e.cells[0].value.kind, ExpectedValue::Kind::kNumber);
  EXPECT_EQ(e.cells[0].value.text, "61.5");
  EXPECT_EQ(e.cells[1].value.text, "D");
  EXPECT_EQ(e.cells[2].value.kind, ExpectedValue::Kind::kBool);
  EXPECT_EQ(e.cells[2].value.text, "否");
  EXPECT_EQ(e.cells[3].value.items, std::vector<std::string>{"veto:否决"});
  const auto& two = file.cases[1];
  EXPECT_EQ(two.data_path, "dir/d.csv");
  EXPECT_EQ(two.params[0].value, "5000万元");
  EXPECT_EQ(two.tolerance, 10'000);
}

TEST(TestFile, ReportsMistakesWithLineAndColumn) {
  const std::string text =
      "polcy = \"p.jx\"\n"
      "[[case]]\n"
      "name = \"一\"\n"
      "data = 3\n";
  std::vector<TestFileError> errors;
  parse_test_file("x.test.toml", text, errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].at.line, 1u);
  EXPECT_EQ(errors[0].message, "unknown key `polcy` in the test file");
  EXPECT_EQ(errors[0].hint, "did you mean `policy`?");
  EXPECT_EQ(errors[1].message, "the test file has no `policy`");
  EXPECT_EQ(errors[2].at.line, 4u);
  EXPECT_EQ(errors[2].at.column, 8u);
  EXPECT_EQ(errors[2].message, "`data` is an integer, not a text");
}

TEST(TestFile, InvalidTomlIsOneErrorAtItsPlace) {
  std::vector<TestFileError> errors;
  parse_test_file("x.test.toml", "policy = \"p.jx\"\n等级 = \"A\"\n", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].at.line, 2u);
  EXPECT_EQ(errors[0].at.column, 1u);
  EXPECT_NE(errors[0].message.str(jixiao::Lang::kEn).find("not valid TOML"), std::string::npos);
}

// Every ```toml block of docs/testing.md names a file of the repository on its first line
// (`# path`); the rest of the block must appear in that file, verbatim.
TEST(TestingDocs, EveryTomlExampleIsPartOfARealFile) {
  const fs::path root(JIXIAO_SOURCE_DIR);
  std::istringstream doc(read(root / "docs" / "testing.md"));
  std::size_t blocks = 0;
  bool open = false;
  std::string first;
  std::string body;
  int number = 0;
  int start = 0;
  for (std::string line; std::getline(doc, line);) {
    ++number;
    if (!open && line == "```toml") {
      open = true;
      first.clear();
      body.clear();
      start = number;
    } else if (open && line == "```") {
      open = false;
      ++blocks;
      ASSERT_EQ(first.rfind("# ", 0), 0u) << "docs/testing.md:" << start << ": the block must start with `# PATH`";
      const fs::path file = root / first.substr(2);
      ASSERT_TRUE(fs::exists(file)) << "docs/testing.md:" << start << ": " << file << " does not exist";
      EXPECT_NE(read(file).find(body), std::string::npos)
          << "docs/testing.md:" << start << ": the block is not part of " << file << ":\n" << body;
    } else if (open && first.empty() && body.empty()) {
      first = line;
    } else if (open) {
      body += line + "\n";
    }
  }
  EXPECT_GE(blocks, 3u);
}

}  // namespace
