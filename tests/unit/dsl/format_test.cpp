// Tests of the canonical layout (`jixiao fmt`): small policies and their canonical form, comments
// and blank lines, and, over every policy of the repository, idempotence, meaning and comments.
#include "jixiao/dsl/format.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "jixiao/dsl/parse.hpp"

namespace jixiao::dsl {
namespace {

namespace fs = std::filesystem;

// The formatted text, or "error: ..." when it does not parse.
std::string fmt(const std::string& text) {
  SourceSet sources;
  const SourceId id = sources.add("t.jx", text);
  CollectingSink sink;
  auto out = format_file(sources, id, sink);
  if (!out) return "error: " + (sink.items().empty() ? std::string("?") : std::string(slug(sink.items().front().code)));
  return *out;
}

std::optional<ast::Module> parse_text(SourceSet& sources, const std::string& text, const std::string& path = "t.jx") {
  const SourceId id = sources.add(path, text);
  CollectingSink sink;
  return parse(sources, id, sink);
}

// The comments of `text`, as written, in order (read here, independently of the parser): a `#`
// outside a string starts a comment that runs to the end of its line.
std::vector<std::string> comments(const std::string& text) {
  std::vector<std::string> out;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"' || c == '\n') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '#') {
      const std::size_t end = text.find('\n', i);
      std::string s = text.substr(i, end == std::string::npos ? std::string::npos : end - i);
      while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.pop_back();
      out.push_back(s);
      if (end == std::string::npos) break;
      i = end;
    }
  }
  return out;
}

TEST(Format, TheParserRecordsEveryCommentOutsideText) {
  SourceSet sources;
  const std::string text = "# one\r\nparam p = \"# not a comment\"   # two \\\" \r\n";
  auto m = parse_text(sources, text);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->comments.size(), 2u);
  EXPECT_EQ(text.substr(m->comments[0].span.begin, m->comments[0].span.end - m->comments[0].span.begin), "# one");
  EXPECT_EQ(text.substr(m->comments[1].span.begin, m->comments[1].span.end - m->comments[1].span.begin), "# two \\\" ");
}

TEST(Format, InputsOnePerLineWithTheColonsAligned) {
  EXPECT_EQ(fmt("policy \"x\" version \"1\" subject 社区 key 编码\n"
                "input { 得分:score 0..100 ; 所属街道 : text   类型 : one_of {\"城市\",\"农村\"} 额度:money 0..200万元\n"
                "  创新 : score optional }\n"),
            "policy \"x\" version \"1\"\n"
            "subject 社区 key 编码\n"
            "\n"
            "input {\n"
            "  得分     : score 0..100\n"
            "  所属街道 : text\n"
            "  类型     : one_of { \"城市\", \"农村\" }\n"
            "  额度     : money 0..2000000\n"
            "  创新     : score optional\n"
            "}\n");
  // A block of one input, with no comment in it, stays on one line.
  EXPECT_EQ(fmt("input {\n  得分 : score 0..100\n}\n"), "input { 得分 : score 0..100 }\n");
}

TEST(Format, IndicatorTreesAlignNamesAndWeights) {
  EXPECT_EQ(fmt("indicator 总分 { 基础层 30% { 设施覆盖率 15%=a\n服务可达性 10% = b ; 人员专业化 5% = ratio(c,target:50) }\n"
                "核心层 70% = d missing zero { bonus 加分 2 per e, max 5 }\n"
                "deduct 投诉扣分 0.5 per f max 10   deductions max 20 }\n"),
            "indicator 总分 {\n"
            "  基础层 30% {\n"
            "    设施覆盖率 15% = a\n"
            "    服务可达性 10% = b\n"
            "    人员专业化  5% = ratio(c, target: 50)\n"
            "  }\n"
            "  核心层 70% = d missing zero {\n"
            "    bonus 加分 2 per e, max 5\n"
            "  }\n"
            "  deduct 投诉扣分 0.5 per f, max 10\n"
            "  deductions max 20\n"
            "}\n");
  // A tree of one leaf stays on one line.
  EXPECT_EQ(fmt("indicator 总分 {\n  工作 100% = 得分\n}\n"), "indicator 总分 { 工作 100% = 得分 }\n");
}

TEST(Format, BandsOnOneLineWhenShortElseOnePerLineInColumns) {
  EXPECT_EQ(fmt("grade 等级 of 总分 {A [90,100]\n B [75,90) C [60,75)\nD [0,60) }\n"),
            "grade 等级 of 总分 { A [90, 100]  B [75, 90)  C [60, 75)  D [0, 60) }\n");
  EXPECT_EQ(fmt("alert 预警 of 总分 { red [0,60) deadline 3天 \"整改\" yellow [60, 75) deadline 5个工作日 \"方案\"\n"
                "blue [75,100] }\n"),
            "alert 预警 of 总分 {\n"
            "  red    [0, 60)    deadline 3 天      \"整改\"\n"
            "  yellow [60, 75)   deadline 5 工作日  \"方案\"\n"
            "  blue   [75, 100]\n"
            "}\n");
  // `天` and `个工作日` are the Chinese spellings of `days` and `workdays`: kept, as `天` and `工作日`.
  EXPECT_EQ(fmt("alert 预警 of 总分 { red [0,60) deadline 3 days  yellow [60, 75) deadline 5 workdays }\n"),
            "alert 预警 of 总分 {\n"
            "  red    [0, 60)   deadline 3 days\n"
            "  yellow [60, 75)  deadline 5 workdays\n"
            "}\n");
}

TEST(Format, VetoesOnOneLineWhenTheyFit) {
  EXPECT_EQ(fmt("veto 降级 when a==\"农村\" and b<70 {grade down 1\nreason \"满意度偏低\"}\n"),
            "veto 降级 when a == \"农村\" and b < 70 { grade down 1 ; reason \"满意度偏低\" }\n");
  EXPECT_EQ(fmt("veto 负面清单否决 when 违规事项 any_in 负面清单 { grade D ; alert red ; fund 0 ; reason \"触及负面清单\" }\n"),
            "veto 负面清单否决 when 违规事项 any_in 负面清单 {\n"
            "  grade D ; alert red ; fund 0 ; reason \"触及负面清单\"\n"
            "}\n");
  // With a comment inside, one effect per line.
  EXPECT_EQ(fmt("veto 否决 when a { grade 等级 at most B  # 一票否优\n reason \"r\" }\n"),
            "veto 否决 when a {\n"
            "  grade 等级 at most B  # 一票否优\n"
            "  reason \"r\"\n"
            "}\n");
}

TEST(Format, FundsOneTrackPerLine) {
  EXPECT_EQ(fmt("fund 补助 pool 资金 per 街道 { track 绩效 70% split by 额度*coef(等级){A 0.90,B 0.65} "
                "track 创新奖励 25% split among top 10% by 总分.创新 proportional to 总分.创新\n"
                "track 普惠 5% split equally when 类型 == \"农村\" rounding fen, ties by 编码, 总分 desc }\n"),
            "fund 补助 pool 资金 per 街道 {\n"
            "  track 绩效     70% split by 额度 * coef(等级) { A 0.9, B 0.65 }\n"
            "  track 创新奖励 25% split among top 10% by 总分.创新 proportional to 总分.创新\n"
            "  track 普惠      5% split equally when 类型 == \"农村\"\n"
            "  rounding fen, ties by 编码, 总分 desc\n"
            "}\n");
}

TEST(Format, LongExpressionsBreak) {
  // Simple arguments fill the lines, aligned under the first.
  EXPECT_EQ(fmt("let 达标项数 = count(资金使用计划, 居民需求征集, 民主议决, 议决结果公示, 项目发包, 合同签订, 过程督导, 资金支付)\n"),
            "let 达标项数 = count(资金使用计划, 居民需求征集, 民主议决, 议决结果公示, 项目发包, 合同签订,\n"
            "                     过程督导, 资金支付)\n");
  // Arguments holding a coef go one per line; a trailing comment stays after its argument.
  EXPECT_EQ(fmt("indicator 总分 {\n  可持续影响 100% = clamp(得分率,   # 15分\n"
                "   coef(评价) { 达成 80, 部分达成 60, 未达成 0 }, coef(评价) { 达成 100, 部分达成 80, 未达成 60 })\n}\n"),
            "indicator 总分 {\n"
            "  可持续影响 100% = clamp(得分率,  # 15分\n"
            "                          coef(评价) { 达成 80, 部分达成 60, 未达成 0 },\n"
            "                          coef(评价) { 达成 100, 部分达成 80, 未达成 60 })\n"
            "}\n");
  // `+`, `and` and `or` chains break before the operator, aligned.
  EXPECT_EQ(fmt("let 综合 = ratio(社区活动参与率, target: 活动参与率目标) * 40% + 矛盾调解成功率 * 30% + "
                "ratio(就业帮扶人数, target: 就业帮扶目标) * 30%\n"),
            "let 综合 = ratio(社区活动参与率, target: 活动参与率目标) * 40%\n"
            "           + 矛盾调解成功率 * 30%\n"
            "           + ratio(就业帮扶人数, target: 就业帮扶目标) * 30%\n");
}

TEST(Format, SetsBreakOneItemPerLineKeepingTheirComments) {
  EXPECT_EQ(fmt("set 清单 = {\"挪用专项资金\",   # 1\n \"虚报服务数据\", \"违规发包\"   # 3\n}\n"),
            "set 清单 = {\n"
            "  \"挪用专项资金\",  # 1\n"
            "  \"虚报服务数据\",\n"
            "  \"违规发包\"       # 3\n"
            "}\n");
  EXPECT_EQ(fmt("set 清单 = {\"a\",\n\"b\"}\n"), "set 清单 = { \"a\", \"b\" }\n");
}

TEST(Format, OutputFillsLinesAlignedUnderTheFirstColumn) {
  EXPECT_EQ(fmt("output 社区编码, 所属街道, 总分, 总分.基础层, 总分.核心层, 总分.创新层, 总分.可持续层, 等级, 预警, 运营补助, 较上年\n"),
            "output 社区编码, 所属街道, 总分, 总分.基础层, 总分.核心层, 总分.创新层, 总分.可持续层, 等级, 预警,\n"
            "       运营补助, 较上年\n");
}

TEST(Format, VariantsStayVariantsWithTheirStatementsInOrder) {
  const std::string variant =
      "policy \"余杭区\" version \"2024.1\" extends \"std/3x\"\n"
      "\n"
      "import 运营补助, 资金池 from \"std/dual-track-fund\"\n"
      "\n"
      "remove 总分.民生服务\n"
      "override 总分.创新层 weight 25%\n"
      "add 总分 { 民生服务 5% = 得分 }\n"
      "add 总分.创新层 {\n"
      "  智慧 2% = 得分\n"
      "  deduct 扣分 1 when 违规\n"
      "}\n"
      "override 等级.A [85, 100] deadline 2 天 \"优先\"\n"
      "override 运营补助.绩效分配 coef { A 0.95, B 0.7, else 0 }\n"
      "override 总分.基础层.设施覆盖率 = min(100, 设施覆盖率 * 1.1)\n";
  EXPECT_EQ(fmt(variant), variant);
  EXPECT_EQ(fmt("policy \"余杭区\" version \"2024.1\" extends \"std/3x\"\nimport 运营补助,资金池 from \"std/dual-track-fund\"\n"
                "remove 总分.民生服务 ; override 总分.创新层 weight 25%\nadd 总分 { 民生服务 5% = 得分 }\n"
                "add 总分.创新层 { 智慧 2% = 得分 deduct 扣分 1 when 违规 }\n"
                "override 等级.A [85,100] deadline 2天 \"优先\"\noverride 运营补助.绩效分配 coef {A 0.95, B 0.70 else 0}\n"
                "override 总分.基础层.设施覆盖率 = min(100,设施覆盖率*1.1)\n"),
            variant);
}

TEST(Format, TrailingCommentsAlignWithinARunOfLines) {
  EXPECT_EQ(fmt("param 甲 = 1 # a\nparam 乙乙乙 = 2      # b\n\nparam 丙 = 3       # c\n"),
            "param 甲     = 1  # a\n"
            "param 乙乙乙 = 2  # b\n"
            "\n"
            "param 丙 = 3  # c\n");
  // A comment line ends the run; a much longer line keeps its comment to itself.
  EXPECT_EQ(fmt("input {\n  a : text # 1\n  # group\n  bb : one_of { \"国家级\", \"省级\", \"市级\", \"区级\", \"无\" } # 2\n"
                "  c : text # 3\n  d : count 0..100 # 4\n}\n"),
            "input {\n"
            "  a : text  # 1\n"
            "  # group\n"
            "  bb : one_of { \"国家级\", \"省级\", \"市级\", \"区级\", \"无\" }  # 2\n"
            "  c  : text          # 3\n"
            "  d  : count 0..100  # 4\n"
            "}\n");
}

TEST(Format, CommentsStayWithWhatTheyDescribe) {
  EXPECT_EQ(fmt("# file header\n\n# about the policy\npolicy \"x\" version \"1\"   # trailing\n"
                "indicator 总分 {   # after the brace\n  # before 甲\n  甲 50% = a\n  乙 50% = b\n  # at the end of the block\n}\n"
                "# at the end of the file\n"),
            "# file header\n"
            "\n"
            "# about the policy\n"
            "policy \"x\" version \"1\"  # trailing\n"
            "\n"
            "indicator 总分 {  # after the brace\n"
            "  # before 甲\n"
            "  甲 50% = a\n"
            "  乙 50% = b\n"
            "  # at the end of the block\n"
            "}\n"
            "# at the end of the file\n");
  // A comment inside an expression that cannot hold it moves before its declaration, in order.
  EXPECT_EQ(fmt("let x = a *   # one\n  b  # two\n"), "# one\nlet x = a * b  # two\n");
}

TEST(Format, AtMostOneBlankLineAndNoneAtTheEdgesOfABlock) {
  EXPECT_EQ(fmt("\n\n\nparam a = 1\n\n\n\nparam b = 2\nindicator 总分 {\n\n  甲 50% = a\n\n\n  乙 50% = b\n\n}\n\n\n"),
            "param a = 1\n"
            "\n"
            "param b = 2\n"
            "\n"
            "indicator 总分 {\n"
            "  甲 50% = a\n"
            "\n"
            "  乙 50% = b\n"
            "}\n");
}

TEST(Format, ErrorsAreReportedNotFormatted) {
  EXPECT_EQ(fmt("input { 居民评分：score 0..100 }\n"), "error: full-width-punctuation");
  EXPECT_EQ(fmt("indicator 总分 { 甲 100% = }\n"), "error: syntax-error");
}

TEST(Format, SummaryChangesWithTheMeaning) {
  auto summary = [](const std::string& text) {
    SourceSet sources;
    auto m = parse_text(sources, text);
    return m ? ast_summary(*m) : std::string("error");
  };
  const std::string base = "indicator 总分 { 甲 60% = a * 2  乙 40% = b }\nparam p = 1\n";
  EXPECT_EQ(summary(base), summary("# comment\nindicator 总分 {\n  甲 60% = (a) * 2.0\n  乙 40% = b\n}\n\nparam p = 1\n"));
  EXPECT_NE(summary(base), summary("indicator 总分 { 甲 50% = a * 2  乙 40% = b }\nparam p = 1\n"));
  EXPECT_NE(summary(base), summary("indicator 总分 { 甲 60% = a * 3  乙 40% = b }\nparam p = 1\n"));
  EXPECT_NE(summary(base), summary("param p = 1\nindicator 总分 { 甲 60% = a * 2  乙 40% = b }\n"));
  EXPECT_NE(summary(base), summary("indicator 总分 { 乙 40% = b  甲 60% = a * 2 }\nparam p = 1\n"));
}

// ---- every policy of the repository ----

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The policies of the repository (stdlib-rules, examples, golden tests) and the ```jx blocks of
// the documentation.
std::vector<std::pair<std::string, std::string>> repository_policies() {
  const fs::path root(JIXIAO_SOURCE_DIR);
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* dir : {"stdlib-rules", "examples", "tests/golden"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
      if (e.is_regular_file() && e.path().extension() == ".jx") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) out.emplace_back(fs::relative(f, root).string(), read(f));
  }
  for (const auto& e : fs::directory_iterator(root / "docs")) {
    if (e.path().extension() != ".md") continue;
    std::istringstream in(read(e.path()));
    std::string block;
    bool open = false;
    int number = 0;
    for (std::string line; std::getline(in, line);) {
      if (!open && (line == "```jx" || line == "```jx-error")) {
        open = true;
        block.clear();
      } else if (open && line == "```") {
        open = false;
        out.emplace_back(fs::relative(e.path(), root).string() + " block " + std::to_string(++number), block);
      } else if (open) {
        block += line + "\n";
      }
    }
  }
  return out;
}

TEST(FormatRepository, EveryPolicyIsStableKeepsItsMeaningAndEveryComment) {
  std::size_t formatted = 0;
  for (const auto& [name, text] : repository_policies()) {
    SourceSet sources;
    auto original = parse_text(sources, text, name);
    if (!original) continue;  // golden cases of syntax errors
    std::string once;
    try {
      once = format(*original, text);
    } catch (const std::exception& e) {
      ADD_FAILURE() << name << ": " << e.what();
      continue;
    }
    ++formatted;
    // Idempotent.
    EXPECT_EQ(fmt(once), once) << name;
    // The examples of docs/fmt.md show the layout: they are in it.
    if (name.rfind("docs/fmt.md", 0) == 0) {
      EXPECT_EQ(once, text) << name;
    }
    // The same meaning: every declaration, every field, every expression's canonical text.
    auto again = parse_text(sources, once, name + " (formatted)");
    ASSERT_TRUE(again) << name << " does not parse once formatted:\n" << once;
    EXPECT_EQ(ast_summary(*again), ast_summary(*original)) << name;
    // Every comment exactly once, in the same order.
    EXPECT_EQ(comments(once), comments(text)) << name;
    EXPECT_EQ(comments(text).size(), original->comments.size()) << name;
    // Canonical: no trailing spaces, no tabs outside comments, one line break at the end.
    EXPECT_EQ(once.find(" \n"), std::string::npos) << name;
    EXPECT_TRUE(once.empty() || (once.back() == '\n' && once.find("\n\n\n") == std::string::npos)) << name;
  }
  // The walk found the repository's policies (stdlib, examples, golden cases, documentation).
  EXPECT_GE(formatted, 60u);
}

// `fmt --keywords zh` then `--keywords en` (and back) over every policy of the repository: the
// same meaning, every keyword in the set asked for, and the round trips give the same text.
TEST(FormatRepository, EveryPolicyRoundTripsThroughChineseKeywords) {
  std::size_t converted = 0;
  for (const auto& [name, text] : repository_policies()) {
    SourceSet sources;
    auto original = parse_text(sources, text, name);
    if (!original) continue;
    std::string en;
    std::string zh;
    try {
      en = format(*original, text, KeywordSet::kEnglish);
      zh = format(*original, text, KeywordSet::kChinese);
    } catch (const std::exception& e) {
      ADD_FAILURE() << name << ": " << e.what();
      continue;
    }
    auto from_en = parse_text(sources, en, name + " (English)");
    auto from_zh = parse_text(sources, zh, name + " (Chinese)");
    ASSERT_TRUE(from_en && from_zh) << name << ":\n" << zh;
    ++converted;
    EXPECT_EQ(ast_summary(*from_zh), ast_summary(*original)) << name << ":\n" << zh;
    EXPECT_EQ(ast_summary(*from_en), ast_summary(*original)) << name;
    for (const KeywordUse& u : from_zh->keywords) EXPECT_TRUE(u.chinese) << name << " at byte " << u.begin;
    for (const KeywordUse& u : from_en->keywords) EXPECT_FALSE(u.chinese) << name << " at byte " << u.begin;
    EXPECT_EQ(from_zh->keywords.size(), from_en->keywords.size()) << name;
    EXPECT_EQ(format(*from_zh, zh, KeywordSet::kEnglish), en) << name;
    EXPECT_EQ(format(*from_en, en, KeywordSet::kChinese), zh) << name;
    EXPECT_EQ(format(*from_zh, zh), zh) << name << ": a Chinese policy in the layout stays as it is";
    EXPECT_EQ(comments(zh), comments(text)) << name;
  }
  EXPECT_GE(converted, 60u);
}

}  // namespace
}  // namespace jixiao::dsl
