// Tests of the diagnostic renderers: the exact text form (header, excerpt, caret under the right
// display columns, hint, notes, long lines) and the exact JSON document, and the summary line.
#include "jixiao/dsl/render.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/dsl/source.hpp"

namespace jixiao {
namespace {

// Line 2 has CJK names; line 3 starts with a tab. Byte offsets: line 2 starts at 16 (资金池 at
// 22..31, 总额度 at 34..43), line 3 starts at 48 (资金 at 49..55, 奖励金 at 58..67).
constexpr const char* kText =
    "policy \"测试\"\n"
    "param 资金池 = 总额度 * 2\n"
    "\t资金 = 奖励金\n";

class RenderTest : public testing::Test {
 protected:
  RenderTest() : id_(sources_.add("t.jx", kText)) {}

  // The span of the first occurrence of `what` at or after byte `from`.
  Span span_of(const std::string& what, std::size_t from = 0) const {
    const std::string text(sources_.get(id_).text());
    const std::size_t at = text.find(what, from);
    EXPECT_NE(at, std::string::npos) << what;
    return Span{id_, static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at + what.size())};
  }

  static Diagnostic diag(DiagCode code, Severity severity, Span span, std::string message) {
    Diagnostic d;
    d.code = code;
    d.severity = severity;
    d.span = span;
    d.message = std::move(message);
    return d;
  }

  // An error on 总额度 (line 2) with a hint.
  Diagnostic unknown_name() const {
    Diagnostic d = diag(DiagCode::unknown_name, Severity::kError, span_of("总额度"), "unknown name `总额度`");
    d.hint = "did you mean `资金池`?";
    return d;
  }

  // An error on 资金 after the tab (line 3), with a note on 资金池 and a note without a location.
  Diagnostic duplicate() const {
    Diagnostic d = diag(DiagCode::duplicate_name, Severity::kError, span_of("资金", 48), "`资金` is declared twice");
    d.notes.push_back({span_of("资金池"), "the first is here"});
    d.notes.push_back({Span{}, "declarations must have distinct names"});
    return d;
  }

  std::string text(const Diagnostic& d, bool color = false) const {
    return render_text(d, sources_, RenderOptions{color, Lang::kEn});
  }

  SourceSet sources_;
  SourceId id_;
};

TEST_F(RenderTest, ErrorOnCjkLineWithHint) {
  EXPECT_EQ(text(unknown_name()),
            "t.jx:2:13: error: unknown name `总额度` [unknown-name]\n"
            "    2 | param 资金池 = 总额度 * 2\n"
            "      |                ^~~~~~\n"
            "hint: did you mean `资金池`?\n");
}

TEST_F(RenderTest, TabsAreCopiedAndNotesHaveTheirOwnExcerpt) {
  EXPECT_EQ(text(duplicate()),
            "t.jx:3:2: error: `资金` is declared twice [duplicate-name]\n"
            "    3 | \t资金 = 奖励金\n"
            "      | \t^~~~\n"
            "t.jx:2:7: note: the first is here\n"
            "    2 | param 资金池 = 总额度 * 2\n"
            "      |       ^~~~~~\n"
            "jixiao: note: declarations must have distinct names\n");
}

TEST_F(RenderTest, WarningAfterTabAndWideCharacters) {
  const Diagnostic d =
      diag(DiagCode::unused_declaration, Severity::kWarning, span_of("奖励金"), "`奖励金` is never used");
  EXPECT_EQ(text(d),
            "t.jx:3:7: warning: `奖励金` is never used [unused-declaration]\n"
            "    3 | \t资金 = 奖励金\n"
            "      | \t       ^~~~~~\n");
}

TEST_F(RenderTest, PointSpanGetsOneCaret) {
  const Span s = span_of("*");
  const Diagnostic d = diag(DiagCode::syntax_error, Severity::kError, Span{id_, s.begin, s.begin}, "here");
  EXPECT_EQ(text(d),
            "t.jx:2:17: error: here [syntax-error]\n"
            "    2 | param 资金池 = 总额度 * 2\n"
            "      |                       ^\n");
}

TEST_F(RenderTest, SpanOverSeveralLinesIsMarkedToTheEndOfItsFirstLine) {
  const Span s{id_, span_of("总额度").begin, span_of("奖励金").end};
  const Diagnostic d = diag(DiagCode::type_mismatch, Severity::kError, s, "cannot add these");
  EXPECT_EQ(text(d),
            "t.jx:2:13: error: cannot add these [type-mismatch]\n"
            "    2 | param 资金池 = 总额度 * 2\n"
            "      |                ^~~~~~~~~~\n");
}

TEST_F(RenderTest, NoSpanButFile) {
  Diagnostic d = diag(DiagCode::io_error, Severity::kError, Span{}, "cannot open the file");
  d.file = "数据/data.csv";
  EXPECT_EQ(text(d), "数据/data.csv: error: cannot open the file [io-error]\n");
}

TEST_F(RenderTest, NoSpanButFileLineAndColumn) {
  Diagnostic d = diag(DiagCode::data_encoding, Severity::kError, Span{},
                      "byte 0xFF at line 3 is not valid UTF-8 or GB18030");
  d.file = "data.csv";
  d.line = 3;
  d.column = 5;
  d.hint = "save the file as UTF-8";
  EXPECT_EQ(text(d),
            "data.csv:3:5: error: byte 0xFF at line 3 is not valid UTF-8 or GB18030 [data-encoding]\n"
            "hint: save the file as UTF-8\n");
}

TEST_F(RenderTest, NoSpanNoFile) {
  Diagnostic d = diag(DiagCode::usage, Severity::kError, Span{}, "unknown command `chek`");
  d.hint = "did you mean `check`?";
  EXPECT_EQ(text(d),
            "jixiao: error: unknown command `chek` [usage]\n"
            "hint: did you mean `check`?\n");
}

TEST_F(RenderTest, Color) {
  EXPECT_EQ(text(unknown_name(), true),
            "\x1b[1mt.jx:2:13: \x1b[0m\x1b[1;31merror:\x1b[0m\x1b[1m unknown name `总额度` "
            "[unknown-name]\x1b[0m\n"
            "    2 | param 资金池 = 总额度 * 2\n"
            "      |                \x1b[1;32m^~~~~~\x1b[0m\n"
            "hint: did you mean `资金池`?\n");
}

TEST(Render, LongLineIsCutAroundTheCaret) {
  SourceSet sources;
  const std::string line = std::string(200, 'a') + "错误" + std::string(100, 'c');
  const SourceId id = sources.add("long.jx", line + "\n");
  Diagnostic d = make_diagnostic(DiagCode::syntax_error, Span{id, 200, 206}, "too long");
  EXPECT_EQ(render_text(d, sources, {false, Lang::kEn}),
            "long.jx:1:201: error: too long [syntax-error]\n"
            "    1 | …" + std::string(33, 'a') + "错误" + std::string(63, 'c') + "…\n" +
            "      |  " + std::string(33, ' ') + "^~~~\n");
}

TEST(Render, LongLineIsCutByDisplayWidth) {
  // Sixty CJK characters are 120 columns: the excerpt keeps the first 100 columns.
  SourceSet sources;
  std::string line;
  for (int i = 0; i < 60; ++i) line += "甲";
  const SourceId id = sources.add("wide.jx", line);
  Diagnostic d = make_diagnostic(DiagCode::syntax_error, Span{id, 15, 18}, "wide");
  std::string kept;
  for (int i = 0; i < 50; ++i) kept += "甲";
  EXPECT_EQ(render_text(d, sources, {false, Lang::kEn}),
            "wide.jx:1:6: error: wide [syntax-error]\n"
            "    1 | " + kept + "…\n" +
            "      | " + std::string(10, ' ') + "^~\n");
}

TEST(Render, LongLineCutOnTheLeftOnly) {
  SourceSet sources;
  const std::string line = std::string(150, 'x') + "!";
  const SourceId id = sources.add("left.jx", line);
  Diagnostic d = make_diagnostic(DiagCode::syntax_error, Span{id, 150, 151}, "bang");
  EXPECT_EQ(render_text(d, sources, {false, Lang::kEn}),
            "left.jx:1:151: error: bang [syntax-error]\n"
            "    1 | …" + std::string(33, 'x') + "!\n" +
            "      |  " + std::string(33, ' ') + "^\n");
}

TEST(Render, AHugeSpanIsCutWithItsLine) {
  // A span of half a megabyte on a line of one megabyte: the excerpt stays one short line, the
  // marks end where the excerpt ends, and the quoted value in the message is cut as well.
  SourceSet sources;
  const std::string line = "x = " + std::string(1 << 20, '9');
  const SourceId id = sources.add("huge.csv", line + "\n");
  Diagnostic d = make_diagnostic(DiagCode::bad_cell, Span{id, 4, 4 + (1 << 19)},
                                 "`" + std::string(1 << 20, '9') + "` is too large");
  EXPECT_EQ(render_text(d, sources, {false, Lang::kEn}),
            "huge.csv:1:5: error: `" + std::string(79, '9') + "…` is too large [bad-cell]\n" +
            "    1 | x = " + std::string(96, '9') + "…\n" +
            "      |     ^" + std::string(95, '~') + "\n");
}

TEST(Render, ControlCharactersInALineAreShownAsSymbols) {
  // ESC and NUL would reach the terminal as they are: they are shown as ␛ and ␀, one column each.
  SourceSet sources;
  const SourceId id = sources.add("ctl.jx", std::string("a\x1B[2J\0b = 资金\n", 17));
  Diagnostic d = make_diagnostic(DiagCode::unknown_name, Span{id, 10, 13}, "unknown name `资\x1B金`");
  EXPECT_EQ(render_text(d, sources, {false, Lang::kEn}),
            "ctl.jx:1:11: error: unknown name `资␛金` [unknown-name]\n"
            "    1 | a␛[2J␀b = 资金\n"
            "      |           ^~\n");
}

TEST(Render, CrLfLineHasNoCarriageReturn) {
  SourceSet sources;
  const SourceId id = sources.add("crlf.jx", "a = 1\r\nb = 资金\r\n");
  Diagnostic d = make_diagnostic(DiagCode::unknown_name, Span{id, 11, 17}, "unknown name `资金`");
  EXPECT_EQ(render_text(d, sources, {false, Lang::kEn}),
            "crlf.jx:2:5: error: unknown name `资金` [unknown-name]\n"
            "    2 | b = 资金\n"
            "      |     ^~~~\n");
}

TEST(Render, ErrorAtEndOfFile) {
  SourceSet sources;
  const SourceId a = sources.add("a.jx", "indicator 总分 {");
  const SourceId b = sources.add("b.jx", "indicator 总分 {\n");
  Diagnostic da = make_diagnostic(DiagCode::syntax_error, Span{a, 18, 18}, "expected `}`");
  EXPECT_EQ(render_text(da, sources, {false, Lang::kEn}),
            "a.jx:1:15: error: expected `}` [syntax-error]\n"
            "    1 | indicator 总分 {\n"
            "      |                 ^\n");
  Diagnostic db = make_diagnostic(DiagCode::syntax_error, Span{b, 19, 19}, "expected `}`");
  EXPECT_EQ(render_text(db, sources, {false, Lang::kEn}),
            "b.jx:2:1: error: expected `}` [syntax-error]\n"
            "    2 | \n"
            "      | ^\n");
}

TEST(Render, WideLineNumbersWidenTheGutter) {
  SourceSet sources;
  const SourceId id = sources.add("big.jx", std::string(123456, '\n') + "x");
  Diagnostic d = make_diagnostic(DiagCode::syntax_error, Span{id, 123456, 123457}, "far");
  EXPECT_EQ(render_text(d, sources, {false, Lang::kEn}),
            "big.jx:123457:1: error: far [syntax-error]\n"
            "123457 | x\n"
            "       | ^\n");
}

TEST(RenderSummary, SingularPluralAndEmpty) {
  EXPECT_EQ(render_summary(0, 0, Lang::kEn), "");
  EXPECT_EQ(render_summary(1, 0, Lang::kEn), "1 error, 0 warnings\n");
  EXPECT_EQ(render_summary(0, 1, Lang::kEn), "0 errors, 1 warning\n");
  EXPECT_EQ(render_summary(1, 1, Lang::kEn), "1 error, 1 warning\n");
  EXPECT_EQ(render_summary(2, 3, Lang::kEn), "2 errors, 3 warnings\n");
  EXPECT_EQ(render_summary(12, 0, Lang::kEn), "12 errors, 0 warnings\n");
}

TEST_F(RenderTest, JsonEmpty) {
  EXPECT_EQ(render_json({}, sources_, Lang::kEn), "{\"version\":1,\"diagnostics\":[]}\n");
}

TEST_F(RenderTest, JsonSpansHintsAndNotes) {
  EXPECT_EQ(render_json({unknown_name(), duplicate()}, sources_, Lang::kEn),
            R"json({"version":1,"diagnostics":[)json"
            R"json({"severity":"error","code":"unknown-name","message":"unknown name `总额度`","file":"t.jx",)json"
            R"json("range":{"start":{"line":2,"column":13,"offset":34},"end":{"line":2,"column":16,"offset":43}},)json"
            R"json("hint":"did you mean `资金池`?","notes":[]},)json"
            R"json({"severity":"error","code":"duplicate-name","message":"`资金` is declared twice","file":"t.jx",)json"
            R"json("range":{"start":{"line":3,"column":2,"offset":49},"end":{"line":3,"column":4,"offset":55}},)json"
            R"json("notes":[{"message":"the first is here","file":"t.jx",)json"
            R"json("range":{"start":{"line":2,"column":7,"offset":22},"end":{"line":2,"column":10,"offset":31}}},)json"
            R"json({"message":"declarations must have distinct names"}]}]})json"
            "\n");
}

TEST_F(RenderTest, JsonWithoutSpans) {
  Diagnostic no_file = diag(DiagCode::usage, Severity::kError, Span{}, "unknown command `chek`");
  no_file.hint = "did you mean `check`?";
  Diagnostic file_only = diag(DiagCode::io_error, Severity::kError, Span{}, "cannot open the file");
  file_only.file = "数据/data.csv";
  Diagnostic file_line = diag(DiagCode::data_encoding, Severity::kError, Span{}, "byte 0xFF is not valid");
  file_line.file = "data.csv";
  file_line.line = 3;
  file_line.column = 5;
  Diagnostic warning = diag(DiagCode::unused_input, Severity::kWarning, Span{id_, 0, 6}, "say \"hi\"\n\tthere");
  EXPECT_EQ(render_json({no_file, file_only, file_line, warning}, sources_, Lang::kEn),
            R"json({"version":1,"diagnostics":[)json"
            R"json({"severity":"error","code":"usage","message":"unknown command `chek`",)json"
            R"json("hint":"did you mean `check`?","notes":[]},)json"
            R"json({"severity":"error","code":"io-error","message":"cannot open the file",)json"
            R"json("file":"数据/data.csv","notes":[]},)json"
            R"json({"severity":"error","code":"data-encoding","message":"byte 0xFF is not valid",)json"
            R"json("file":"data.csv","range":{"start":{"line":3,"column":5},"end":{"line":3,"column":5}},)json"
            R"json("notes":[]},)json"
            R"json({"severity":"warning","code":"unused-input","message":"say \"hi\"\n\tthere",)json"
            R"json("file":"t.jx","range":{"start":{"line":1,"column":1,"offset":0},"end":{"line":1,"column":7,"offset":6}},)json"
            R"json("notes":[]}]})json"
            "\n");
}

TEST_F(RenderTest, JsonNoteSeverity) {
  const Diagnostic d = diag(DiagCode::syntax_error, Severity::kNote, Span{}, "fyi");
  EXPECT_EQ(render_json({d}, sources_, Lang::kEn),
            R"json({"version":1,"diagnostics":[{"severity":"note","code":"syntax-error","message":"fyi","notes":[]}]})json"
            "\n");
}

}  // namespace
}  // namespace jixiao

namespace jixiao {
namespace {

TEST(RenderChinese, LabelsHintNoteAndSummaryAreChinese) {
  SourceSet sources;
  const SourceId id = sources.add("t.jx", "param 资金池 = 总额度 * 2\n");
  Diagnostic d = diagnose(DiagCode::usage, Span{id, 18, 27}, msg::unknown_command("总额度"), msg::did_you_mean("资金池"));
  d.notes.push_back(Note{Span{}, msg::note_row_here()});
  EXPECT_EQ(render_text(d, sources, {false, Lang::kZh}),
            "t.jx:1:13: 错误：没有 `总额度` 这个命令 [usage]\n"
            "    1 | param 资金池 = 总额度 * 2\n"
            "      |                ^~~~~~\n"
            "提示：是否应为 `资金池`？\n"
            "jixiao: 注：数据在这一行\n");
  EXPECT_EQ(render_text(d, sources, {false, Lang::kEn}).rfind("t.jx:1:13: error: unknown command `总额度` [usage]\n", 0), 0u);
  EXPECT_EQ(render_summary(1, 0, Lang::kZh), "1 个错误，0 个警告\n");
  EXPECT_EQ(render_summary(2, 3, Lang::kZh), "2 个错误，3 个警告\n");
  EXPECT_EQ(render_summary(0, 0, Lang::kZh), "");
}

TEST(RenderChinese, JsonKeepsCodeAndSeverityAndTranslatesTheMessage) {
  SourceSet sources;
  const Diagnostic d = diagnose(DiagCode::usage, Span{}, msg::unknown_command("x"), msg::hint_see_commands());
  EXPECT_EQ(render_json({d}, sources, Lang::kZh),
            "{\"version\":1,\"diagnostics\":[{\"severity\":\"error\",\"code\":\"usage\",\"message\":\"没有 `x` 这个命令\","
            "\"hint\":\"请运行 `jixiao --help` 查看全部命令\",\"notes\":[]}]}\n");
  const std::string sarif = render_sarif({d}, sources, Lang::kZh);
  EXPECT_NE(sarif.find("\"ruleId\":\"usage\""), std::string::npos) << sarif;
  EXPECT_NE(sarif.find("没有 `x` 这个命令\\n提示：请运行"), std::string::npos) << sarif;
}

TEST(RenderChinese, ACutMessageSaysSoInChinese) {
  const std::vector<std::string> many(300, "名称名称");
  const Diagnostic d = diagnose(DiagCode::usage, Span{}, msg::hint_write_one_of(many));
  const std::string zh = render_text(d, SourceSet{}, {false, Lang::kZh});
  EXPECT_NE(zh.find("字节未显示）"), std::string::npos) << zh;
  const std::string en = render_text(d, SourceSet{}, {false, Lang::kEn});
  EXPECT_NE(en.find("more bytes left out)"), std::string::npos) << en;
}

}  // namespace
}  // namespace jixiao
