// Audit records (cli/audit): what eval --record writes reads back the same, and every malformed
// field, unknown key, duplicate or path outside the record's directory is a problem naming the
// field and its place (verify then says "NOT verified").
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "audit.hpp"

namespace fs = std::filesystem;
using jixiao::cli::AuditRecord;
using jixiao::cli::read_record;
using jixiao::cli::RecordProblem;

namespace {

const std::string kHash(64, 'a');
const std::string kOther(64, 'b');

// A valid record (as eval --record writes it), in the current directory.
std::string valid() {
  return "engine = 'jixiao 0.1.0'\n"                                    // 1
         "\n"                                                           // 2
         "[command]\n"                                                  // 3
         "all_periods = false\n"                                        // 4
         "columns = 'map.toml'\n"                                       // 5
         "data = 'data.csv'\n"                                          // 6
         "encoding = 'gb18030'\n"                                       // 7
         "format = 'json'\n"                                            // 8
         "params = ['资金池=5000万元', '系数=a=b']\n"                    // 9
         "period = '2024'\n"                                            // 10
         "policy = 'policy.jx'\n"                                       // 11
         "\n"                                                           // 12
         "[data]\npath = 'data.csv'\nsha256 = '" + kHash + "'\n"        // 13-15
         "\n"                                                           // 16
         "[columns]\npath = 'map.toml'\nsha256 = '" + kHash + "'\n"     // 17-19
         "\n"                                                           // 20
         "[result]\npath = 'out.json'\nrows = 12\nsha256 = '" + kOther + "'\n"  // 21-24
         "\n"                                                           // 25
         "[[policy_files]]\npath = 'policy.jx'\nsha256 = '" + kHash + "'\n"     // 26-28
         "\n"                                                           // 29
         "[[policy_files]]\npath = 'std/3x.jx'\nsha256 = '" + kHash + "'\nembedded = true\n";  // 30-33
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::vector<RecordProblem> problems_of(const std::string& text, const std::string& path = "record.toml", bool allow_outside = false) {
  std::vector<RecordProblem> problems;
  const auto r = read_record(text, path, allow_outside, problems);
  EXPECT_EQ(r.has_value(), problems.empty());
  return problems;
}

// The one problem of `text`: its field, line and message.
void expect_problem(const std::string& text, const std::string& field, std::uint32_t line, const std::string& message) {
  const auto problems = problems_of(text);
  std::string all;
  for (const RecordProblem& p : problems) all += p.message.str(jixiao::Lang::kEn) + "\n";
  ASSERT_EQ(problems.size(), 1U) << all;
  EXPECT_EQ(problems[0].field, field);
  EXPECT_EQ(problems[0].line, line);
  EXPECT_EQ(problems[0].message, message);
}

TEST(AuditRecord, ReadsEveryField) {
  std::vector<RecordProblem> problems;
  const auto r = read_record(valid(), "record.toml", false, problems);
  ASSERT_TRUE(r.has_value()) << problems.front().message;
  EXPECT_EQ(r->engine, "jixiao 0.1.0");
  EXPECT_EQ(r->request.policy, "policy.jx");
  EXPECT_EQ(r->request.data, "data.csv");
  EXPECT_EQ(r->request.columns, std::optional<std::string>("map.toml"));
  EXPECT_EQ(r->request.format, jixiao::engine::ResultFormat::kJson);
  EXPECT_EQ(r->request.encoding, jixiao::engine::Encoding::kGb18030);
  EXPECT_EQ(r->request.period, "2024");
  ASSERT_EQ(r->request.params.size(), 2U);
  EXPECT_EQ(r->request.params[1].name, "系数");
  EXPECT_EQ(r->request.params[1].value, "a=b");
  ASSERT_EQ(r->policy_files.size(), 2U);
  EXPECT_TRUE(r->policy_files[1].embedded);
  EXPECT_EQ(r->data.sha256, kHash);
  ASSERT_TRUE(r->columns.has_value());
  ASSERT_TRUE(r->result.has_value());
  EXPECT_EQ(r->result->path, "out.json");
  EXPECT_EQ(r->result_sha256, kOther);
  EXPECT_EQ(r->rows, 12U);
}

TEST(AuditRecord, WhatIsWrittenReadsBackTheSame) {
  std::vector<RecordProblem> problems;
  const auto r = read_record(valid(), "record.toml", false, problems);
  ASSERT_TRUE(r.has_value());
  const auto again = read_record(jixiao::cli::record_text(*r), "record.toml", false, problems);
  ASSERT_TRUE(again.has_value()) << problems.front().message;
  EXPECT_EQ(jixiao::cli::record_text(*again), jixiao::cli::record_text(*r));
}

TEST(AuditRecord, MalformedValuesAreNamedWithTheirPlace) {
  const std::string v = valid();
  expect_problem(replaced(v, "format = 'json'", "format = 'xml'"), "command.format", 8,
                 "`command.format` is `xml`, not `csv`, `json` or `xlsx`");
  expect_problem(replaced(v, "encoding = 'gb18030'", "encoding = 'ebcdic'"), "command.encoding", 7,
                 "`command.encoding` is `ebcdic`, not `auto`, `utf-8`, `gbk` or `gb18030`");
  expect_problem(replaced(v, "rows = 12", "rows = 'many'"), "result.rows", 23, "`result.rows` is the text `many`, not a whole number");
  expect_problem(replaced(v, "rows = 12", "rows = -1"), "result.rows", 23, "`result.rows` is `-1`, not a count of rows");
  expect_problem(replaced(v, "rows = 12", "rows = 1.5"), "result.rows", 23, "`result.rows` is `1.5`, not a whole number");
  expect_problem(replaced(v, "'资金池=5000万元'", "'资金池'"), "command.params[1]", 9,
                 "`command.params[1]` is the text `资金池`, not `NAME=VALUE`");
  expect_problem(replaced(v, "'系数=a=b'", "'=5'"), "command.params[2]", 9, "`command.params[2]` is the text `=5`, not `NAME=VALUE`");
  expect_problem(replaced(v, "'系数=a=b'", "'资金池=1元'"), "command.params[2]", 9,
                 "`command.params[2]` gives the param `资金池` a second time");
  expect_problem(replaced(v, "all_periods = false", "all_periods = 0"), "command.all_periods", 4,
                 "`command.all_periods` is `0`, not true or false");
  expect_problem(replaced(v, "period = '2024'", "period = ''"), "command.period", 10, "`command.period` is empty");
  expect_problem(replaced(v, "engine = 'jixiao 0.1.0'", "engine = 'other 1.0'"), "engine", 1,
                 "`engine` is `other 1.0`, not `jixiao VERSION`");
  expect_problem(replaced(v, "[data]\npath = 'data.csv'\nsha256 = '" + kHash, "[data]\npath = 'data.csv'\nsha256 = '" + kHash.substr(1) + "G"),
                 "data.sha256", 15, "`data.sha256` is `" + kHash.substr(1) + "G`, not a SHA-256 (64 hex digits, 0-9 and a-f)");
  expect_problem(replaced(v, "[result]\npath = 'out.json'\nrows = 12\nsha256 = '" + kOther + "'", "[result]\npath = 'out.json'\nrows = 12\nsha256 = '" + kOther.substr(0, 63) + "'"),
                 "result.sha256", 24, "`result.sha256` is `" + kOther.substr(0, 63) + "`, not a SHA-256 (64 hex digits, 0-9 and a-f)");
}

// The options that decide the results' bytes besides the evaluation (`--bom`, `--out-encoding`,
// `--group-by`, `--format xlsx`) are written only when given, read back, and checked against the
// format they belong to.
TEST(AuditRecord, ResultOptionsReadBackAndBelongToTheirFormat) {
  const std::string v = valid();
  std::vector<RecordProblem> problems;
  auto r = read_record(replaced(replaced(v, "format = 'json'", "format = 'csv'\nout_encoding = 'gbk'"), "[result]\npath = 'out.json'", "[result]\npath = 'out.csv'"),
                       "record.toml", false, problems);
  ASSERT_TRUE(r.has_value()) << problems.front().message;
  EXPECT_EQ(r->request.out_encoding, jixiao::engine::Encoding::kGb18030);
  EXPECT_FALSE(r->request.bom);
  EXPECT_NE(jixiao::cli::record_text(*r).find("out_encoding = 'gb18030'"), std::string::npos);
  r->request.out_encoding = jixiao::engine::Encoding::kUtf8;
  r->request.bom = true;
  EXPECT_NE(jixiao::cli::record_text(*r).find("bom = true"), std::string::npos);
  EXPECT_EQ(jixiao::cli::record_text(*r).find("out_encoding"), std::string::npos);  // the default is not written
  r = read_record(jixiao::cli::record_text(*r), "record.toml", false, problems);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->request.bom);
  r = read_record(replaced(v, "format = 'json'", "format = 'xlsx'\ngroup_by = '所属街道'"), "record.toml", false, problems);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->request.format, jixiao::engine::ResultFormat::kXlsx);
  EXPECT_EQ(r->request.group_by, std::optional<std::string>("所属街道"));

  expect_problem(replaced(v, "format = 'json'", "format = 'json'\nbom = true"), "command.bom", 9,
                 "`command.bom` is given, but `command.format` is not `csv`");
  expect_problem(replaced(v, "format = 'json'", "format = 'csv'\nout_encoding = 'latin-1'"), "command.out_encoding", 9,
                 "`command.out_encoding` is `latin-1`, not `utf-8` or `gb18030`");
  expect_problem(replaced(v, "format = 'json'", "format = 'csv'\nbom = true\nout_encoding = 'gb18030'"), "command.bom", 9,
                 "`command.bom` is true, but `command.out_encoding` is `gb18030`");
  expect_problem(replaced(v, "format = 'json'", "format = 'csv'\ngroup_by = '街道'"), "command.group_by", 9,
                 "`command.group_by` is given, but `command.format` is not `xlsx`");
}

TEST(AuditRecord, UnknownAndMissingKeys) {
  const std::string v = valid();
  expect_problem(replaced(v, "[data]\n", "[data]\nsize = 3\n"), "data.size", 14, "unknown key `data.size` in the record");
  expect_problem(v + "\n[extra]\n", "extra", 35, "unknown key `extra` in the record");
  const auto misspelt = problems_of(replaced(v, "format = 'json'", "fromat = 'json'"));
  ASSERT_EQ(misspelt.size(), 2U);
  EXPECT_EQ(misspelt[0].message, "`[command]` has no `format`");  // at the table's header, line 3
  EXPECT_EQ(misspelt[0].line, 3U);
  EXPECT_EQ(misspelt[1].message, "unknown key `command.fromat` in the record");
  EXPECT_EQ(misspelt[1].hint, "did you mean `command.format`?");
  expect_problem(replaced(v, "\n[data]\npath = 'data.csv'\nsha256 = '" + kHash + "'\n", "\n"), "data", 0,
                 "the record has no `[data]` table");
  // The [[policy_files]] section deleted: not "verified" by whatever the policy uses now.
  expect_problem(v.substr(0, v.find("[[policy_files]]")), "policy_files", 0,
                 "the record has no `[[policy_files]]`: the files of the policy are not listed");
  expect_problem("# nothing\n", "", 0, "the record is empty");
  const auto not_toml = problems_of("engine = \n");
  ASSERT_EQ(not_toml.size(), 1U);
  EXPECT_EQ(not_toml[0].line, 1U);
  EXPECT_EQ(not_toml[0].message.str(jixiao::Lang::kEn).rfind("the record is not valid TOML: ", 0), 0U) << not_toml[0].message;
}

TEST(AuditRecord, FilesAreNamedConsistently) {
  const std::string v = valid();
  expect_problem(replaced(v, "[data]\npath = 'data.csv'", "[data]\npath = 'other.csv'"), "data.path", 14,
                 "`data.path` is `other.csv` but `command.data` is `data.csv`");
  expect_problem(replaced(v, "[columns]\npath = 'map.toml'", "[columns]\npath = 'other.toml'"), "columns.path", 18,
                 "`columns.path` is `other.toml` but `command.columns` is `map.toml`");
  expect_problem(replaced(v, "columns = 'map.toml'\n", ""), "columns", 16,
                 "the record has a `[columns]` table, but `command.columns` names no column map");
  // The same file twice, however it is written.
  expect_problem(v + "\n[[policy_files]]\npath = './policy.jx'\nsha256 = '" + kHash + "'\n", "policy_files[3].path", 36,
                 "`./policy.jx` is listed twice in `[[policy_files]]` (first as policy_files[1])");
  expect_problem(replaced(v, "path = 'std/3x.jx'", "path = 'std/nope.jx'"), "policy_files[2].path", 31,
                 "`policy_files[2].path` is `std/nope.jx`, which is no bundled standard policy");
  expect_problem(replaced(v, "[[policy_files]]\npath = 'policy.jx'", "[[policy_files]]\npath = 'other.jx'"), "command.policy", 11,
                 "`command.policy` is `policy.jx`, which `[[policy_files]]` does not list");
}

TEST(AuditRecord, PathsStayInsideTheRecordsDirectory) {
  const std::string v = valid();
  const std::string outside = replaced(replaced(v, "data = 'data.csv'", "data = '/etc/passwd'"), "[data]\npath = 'data.csv'",
                                       "[data]\npath = '/etc/passwd'");
  auto problems = problems_of(outside);
  ASSERT_EQ(problems.size(), 2U);
  EXPECT_EQ(problems[0].message, "`command.data` is `/etc/passwd`, outside the record's directory");
  EXPECT_TRUE(problems[0].hint.has_value());
  EXPECT_FALSE(problems[1].hint.has_value());  // the hint once
  EXPECT_TRUE(problems_of(outside, "record.toml", true).empty());
  expect_problem(replaced(v, "path = 'out.json'", "path = '../out.json'"), "result.path", 22,
                 "`result.path` is `../out.json`, outside the record's directory");
  expect_problem(replaced(v, "[[policy_files]]\npath = 'policy.jx'", "[[policy_files]]\npath = 'sub/../../policy.jx'"),
                 "policy_files[1].path", 27, "`policy_files[1].path` is `sub/../../policy.jx`, outside the record's directory");
  // Relative to the record's own directory, wherever that is.
  EXPECT_TRUE(problems_of(replaced(v, "path = 'out.json'", "path = '../archive/out.json'"), "archive/record.toml").empty());
}

TEST(AuditRecord, PathsOutsideAreListedForTheWarning) {
  AuditRecord r;
  r.policy_files = {{"policy.jx", kHash, false}, {"../shared/base.jx", kHash, false}, {"std/3x.jx", kHash, true}};
  r.data = {"/data/2024.csv", kHash, false};
  r.result = jixiao::cli::RecordedFile{"../shared/base.jx", kHash, false};
  EXPECT_EQ(jixiao::cli::paths_outside(r), (std::vector<std::string>{"../shared/base.jx", "/data/2024.csv"}));
}

}  // namespace
