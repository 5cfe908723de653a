// Tests of SourceFile and SourceSet: byte offsets to 1-based (line, code-point column), line
// texts without terminators, line starts, and the ids a SourceSet hands out.
#include "jixiao/dsl/source.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace jixiao {
namespace {

// "line:column" of `offset`, so that one EXPECT_EQ checks both numbers.
std::string at(const SourceFile& f, std::uint32_t offset) {
  const LineColumn lc = f.line_column(offset);
  return std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

TEST(SourceFile, LinesAndColumnsAreOneBased) {
  const SourceFile f("t.jx", "ab\ncd\n");
  EXPECT_EQ(at(f, 0), "1:1");
  EXPECT_EQ(at(f, 1), "1:2");
  EXPECT_EQ(at(f, 2), "1:3");  // the '\n' itself belongs to line 1
  EXPECT_EQ(at(f, 3), "2:1");
  EXPECT_EQ(at(f, 4), "2:2");
  EXPECT_EQ(at(f, 5), "2:3");
  EXPECT_EQ(at(f, 6), "3:1");  // end of file after a final newline: the empty last line
}

TEST(SourceFile, ColumnsCountCodePointsNotBytes) {
  // 设施覆盖率 is five code points of three bytes each.
  const std::string text = "x 设施覆盖率 = 1\n  资金池";
  const SourceFile f("t.jx", text);
  EXPECT_EQ(at(f, 2), "1:3");                         // 设
  EXPECT_EQ(at(f, 5), "1:4");                         // 施
  EXPECT_EQ(at(f, 17), "1:8");                        // the space after 率
  EXPECT_EQ(at(f, static_cast<std::uint32_t>(text.find('='))), "1:9");
  EXPECT_EQ(at(f, static_cast<std::uint32_t>(text.find("资金池"))), "2:3");
  EXPECT_EQ(at(f, static_cast<std::uint32_t>(text.size())), "2:6");
  // Four-byte sequences are one column too.
  const SourceFile emoji("e.jx", "\xF0\x9F\x98\x80x");
  EXPECT_EQ(at(emoji, 4), "1:2");
}

TEST(SourceFile, CrLfIsOneLineEnd) {
  const SourceFile f("t.jx", "ab\r\ncd\r\nef");
  EXPECT_EQ(at(f, 2), "1:3");  // the '\r'
  EXPECT_EQ(at(f, 4), "2:1");
  EXPECT_EQ(at(f, 8), "3:1");
  EXPECT_EQ(f.line_text(1), "ab");
  EXPECT_EQ(f.line_text(2), "cd");
  EXPECT_EQ(f.line_text(3), "ef");
  EXPECT_EQ(f.line_start(2), 4u);
  EXPECT_EQ(f.line_start(3), 8u);
}

TEST(SourceFile, TabIsOneColumn) {
  const SourceFile f("t.jx", "\t\tx");
  EXPECT_EQ(at(f, 1), "1:2");
  EXPECT_EQ(at(f, 2), "1:3");
  EXPECT_EQ(f.line_text(1), "\t\tx");
}

TEST(SourceFile, LastLineWithoutNewline) {
  const SourceFile f("t.jx", "a\nbc");
  EXPECT_EQ(f.line_text(1), "a");
  EXPECT_EQ(f.line_text(2), "bc");
  EXPECT_EQ(f.line_text(3), "");  // past the last line
  EXPECT_EQ(f.line_start(2), 2u);
  EXPECT_EQ(at(f, 3), "2:2");
  EXPECT_EQ(at(f, 4), "2:3");  // offset at end of file: just after the last character
}

TEST(SourceFile, OffsetsPastTheEndAreClamped) {
  const SourceFile f("t.jx", "a\n资金");
  EXPECT_EQ(at(f, 8), "2:3");
  EXPECT_EQ(at(f, 9), "2:3");
  EXPECT_EQ(at(f, 1000), "2:3");
  EXPECT_EQ(at(f, 0xFFFFFFFFu), "2:3");
}

TEST(SourceFile, LineTextHasNoTerminator) {
  const SourceFile f("t.jx", "第一行\r\n\r\n第三行\n");
  EXPECT_EQ(f.line_text(1), "第一行");
  EXPECT_EQ(f.line_text(2), "");
  EXPECT_EQ(f.line_text(3), "第三行");
  EXPECT_EQ(f.line_text(4), "");
  EXPECT_EQ(f.line_text(0), "");  // lines are 1-based; 0 is no line
  EXPECT_EQ(f.line_text(5), "");
  // A lone '\r' that does not end a line is kept.
  const SourceFile g("g.jx", "a\rb\n");
  EXPECT_EQ(g.line_text(1), "a\rb");
}

TEST(SourceFile, LineStarts) {
  const SourceFile f("t.jx", "ab\n\ncd\n");
  EXPECT_EQ(f.line_start(1), 0u);
  EXPECT_EQ(f.line_start(2), 3u);
  EXPECT_EQ(f.line_start(3), 4u);
  EXPECT_EQ(f.line_start(4), 7u);
  EXPECT_EQ(f.line_start(0), 7u);  // no such line: the end of the text
  EXPECT_EQ(f.line_start(5), 7u);
}

TEST(SourceFile, EmptyFile) {
  const SourceFile f("empty.jx", "");
  EXPECT_EQ(at(f, 0), "1:1");
  EXPECT_EQ(at(f, 10), "1:1");
  EXPECT_EQ(f.line_text(1), "");
  EXPECT_EQ(f.line_start(1), 0u);
  EXPECT_EQ(f.text(), "");
  EXPECT_EQ(f.path(), "empty.jx");
}

TEST(SourceSet, HandsOutIdsInOrderAndKeepsFiles) {
  SourceSet set;
  EXPECT_EQ(set.size(), 0u);
  const SourceId a = set.add("a.jx", "policy \"a\"");
  const SourceId b = set.add("数据/b.csv", "x,y\n");
  EXPECT_EQ(static_cast<std::uint32_t>(a), 0u);
  EXPECT_EQ(static_cast<std::uint32_t>(b), 1u);
  EXPECT_EQ(set.size(), 2u);
  const SourceFile& fa = set.get(a);
  EXPECT_EQ(fa.path(), "a.jx");
  EXPECT_EQ(fa.text(), "policy \"a\"");
  EXPECT_EQ(set.get(b).path(), "数据/b.csv");
  // References stay valid when more files are added.
  for (int i = 0; i < 100; ++i) set.add("more.jx", std::string(static_cast<std::size_t>(i), 'x'));
  EXPECT_EQ(&fa, &set.get(a));
  EXPECT_EQ(fa.text(), "policy \"a\"");
}

TEST(SourceSet, UnknownIdThrows) {
  SourceSet set;
  EXPECT_THROW((void)set.get(SourceId{0}), std::out_of_range);
  EXPECT_THROW((void)set.get(kNoSource), std::out_of_range);
  set.add("a.jx", "");
  EXPECT_NO_THROW((void)set.get(SourceId{0}));
  EXPECT_THROW((void)set.get(SourceId{1}), std::out_of_range);
}

TEST(Span, ValidityAndEquality) {
  EXPECT_FALSE(Span{}.valid());
  EXPECT_TRUE((Span{SourceId{0}, 1, 2}).valid());
  EXPECT_EQ((Span{SourceId{0}, 1, 2}), (Span{SourceId{0}, 1, 2}));
  EXPECT_NE((Span{SourceId{0}, 1, 2}), (Span{SourceId{1}, 1, 2}));
  EXPECT_NE((Span{SourceId{0}, 1, 2}), (Span{SourceId{0}, 1, 3}));
}

}  // namespace
}  // namespace jixiao
