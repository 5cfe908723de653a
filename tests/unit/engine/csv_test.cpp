// Tests of the streaming CSV reader: RFC 4180 quoting, line endings, empty lines and fields,
// record positions, syntax errors with their offsets and wording, and a large generated input.
#include "jixiao/engine/csv.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace jixiao::engine {
namespace {

using Records = std::vector<std::vector<std::string>>;

/// Every record of `text` as strings; stops at the first syntax error, which goes to `error`.
Records read_all(std::string_view text, std::optional<CsvSyntaxError>* error = nullptr) {
  CsvReader reader(text);
  std::vector<CsvField> fields;
  Records out;
  while (reader.next(fields)) {
    std::vector<std::string>& record = out.emplace_back();
    for (const CsvField& f : fields) record.emplace_back(f.value);
  }
  if (error != nullptr) *error = reader.error();
  return out;
}

/// The syntax error reading `text` stops at; fails the test if reading succeeds.
CsvSyntaxError error_of(std::string_view text) {
  std::optional<CsvSyntaxError> error;
  read_all(text, &error);
  if (!error) {
    ADD_FAILURE() << "no syntax error in: " << text;
    return CsvSyntaxError{};
  }
  return *error;
}

TEST(Csv, ReadsSimpleRecords) {
  std::optional<CsvSyntaxError> error;
  EXPECT_EQ(read_all("a,b,c\n1,2,3\n", &error), (Records{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_EQ(error, std::nullopt);
  EXPECT_EQ(read_all(""), Records{});
}

TEST(Csv, UnquotedFieldsAreViewsIntoTheText) {
  const std::string_view text = "code,score\nA01,75\n";
  CsvReader reader(text);
  std::vector<CsvField> fields;
  ASSERT_TRUE(reader.next(fields));
  ASSERT_TRUE(reader.next(fields));
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].value.data(), text.data() + 11);
  EXPECT_EQ(fields[1].value.data(), text.data() + 15);
  EXPECT_FALSE(reader.next(fields));
  EXPECT_TRUE(fields.empty());
  EXPECT_EQ(reader.error(), std::nullopt);
}

TEST(Csv, QuotedFieldsHoldCommasQuotesAndNewlines) {
  EXPECT_EQ(read_all("\"a,b\",\"say \"\"hi\"\"\",\"line 1\nline 2\"\nnext,x,y\n"),
            (Records{{"a,b", "say \"hi\"", "line 1\nline 2"}, {"next", "x", "y"}}));
  EXPECT_EQ(read_all("\"\"\"\"\n\"\"\n\"a\r\nb\"\n"), (Records{{"\""}, {""}, {"a\r\nb"}}));
  // A quoted field without `""` is a view into the text too.
  const std::string_view text = "\"a,b\"\n";
  CsvReader reader(text);
  std::vector<CsvField> fields;
  ASSERT_TRUE(reader.next(fields));
  EXPECT_EQ(fields[0].value.data(), text.data() + 1);
}

TEST(Csv, RecordPositionsCountNewlinesInsideQuotes) {
  const std::string_view text = "id,note\n1,\"two\nlines\"\n2,\"three\r\nlines\r\nhere\"\n3,x\n";
  CsvReader reader(text);
  std::vector<CsvField> fields;
  std::vector<std::uint32_t> lines;
  std::vector<std::uint32_t> offsets;
  while (reader.next(fields)) {
    lines.push_back(reader.record_line());
    offsets.push_back(reader.record_offset());
  }
  EXPECT_EQ(lines, (std::vector<std::uint32_t>{1, 2, 4, 7}));
  EXPECT_EQ(offsets, (std::vector<std::uint32_t>{0, 8, 22, 45}));
  EXPECT_EQ(reader.error(), std::nullopt);
}

TEST(Csv, AcceptsCrLf) {
  EXPECT_EQ(read_all("a,b\r\nc,d\r\n"), (Records{{"a", "b"}, {"c", "d"}}));
  EXPECT_EQ(read_all("\"a\",\"b\"\r\n\"c\"\r\n"), (Records{{"a", "b"}, {"c"}}));
  EXPECT_EQ(read_all("a,\r\n"), (Records{{"a", ""}}));
  // A CR just before the end of the text ends the record like a CRLF would.
  EXPECT_EQ(read_all("a,b\r"), (Records{{"a", "b"}}));
  EXPECT_EQ(read_all("a,\"b\"\r"), (Records{{"a", "b"}}));
}

TEST(Csv, LoneCrOutsideQuotesMeansMixedLineEnds) {
  // (A file of CR line ends only is turned into LF by the loader before it is read.)
  for (const auto& [text, offset] : {std::pair{"a\rb,c\n", 1u}, std::pair{"a\r,b\n", 1u}, std::pair{"\r\r\n", 0u},
                                     std::pair{"a,b\nc\rd\n", 5u}}) {
    const CsvSyntaxError e = error_of(text);
    EXPECT_EQ(e.offset, offset) << text;
    EXPECT_EQ(e.message, "a carriage return (CR) without a line feed: the file mixes line ends (CR LF or LF, and CR alone)");
  }
  // Inside quotes a CR is data.
  EXPECT_EQ(read_all("\"a\rb\",c\n"), (Records{{"a\rb", "c"}}));
}

TEST(Csv, AnExcelFormulaIsNamed) {
  const CsvSyntaxError e = error_of("编码\n=\"00123\",1\n");
  EXPECT_EQ(e.offset, 8u);
  EXPECT_EQ(e.message, "`=\"` starts an Excel formula (such as `=\"00123\"`), not a CSV value");
}

TEST(Csv, LastRecordMayLackANewline) {
  EXPECT_EQ(read_all("a,b\nc,d"), (Records{{"a", "b"}, {"c", "d"}}));
  EXPECT_EQ(read_all("a,\"b\""), (Records{{"a", "b"}}));
  EXPECT_EQ(read_all("x"), (Records{{"x"}}));
}

TEST(Csv, EmptyFields) {
  EXPECT_EQ(read_all("a,,b\n"), (Records{{"a", "", "b"}}));
  EXPECT_EQ(read_all("a,b,\n"), (Records{{"a", "b", ""}}));
  EXPECT_EQ(read_all("a,b,"), (Records{{"a", "b", ""}}));
  EXPECT_EQ(read_all(",\n"), (Records{{"", ""}}));
  EXPECT_EQ(read_all(",,"), (Records{{"", "", ""}}));
  EXPECT_EQ(read_all("\"\",x\n"), (Records{{"", "x"}}));

  CsvReader reader("a,,b,\n");
  std::vector<CsvField> fields;
  ASSERT_TRUE(reader.next(fields));
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[1].offset, 2u);
  EXPECT_EQ(fields[3].offset, 5u);
}

TEST(Csv, SkipsEmptyLines) {
  const std::string_view text = "\n\na\n\r\n\nb\n\n\r\n";
  EXPECT_EQ(read_all(text), (Records{{"a"}, {"b"}}));
  CsvReader reader(text);
  std::vector<CsvField> fields;
  ASSERT_TRUE(reader.next(fields));
  EXPECT_EQ(reader.record_line(), 3u);
  EXPECT_EQ(reader.record_offset(), 2u);
  ASSERT_TRUE(reader.next(fields));
  EXPECT_EQ(reader.record_line(), 6u);
  EXPECT_EQ(reader.record_offset(), 7u);
  EXPECT_FALSE(reader.next(fields));
  EXPECT_EQ(reader.error(), std::nullopt);
  // A line holding only separators is a record, not an empty line.
  EXPECT_EQ(read_all("a\n,\n"), (Records{{"a"}, {"", ""}}));
}

TEST(Csv, SkipsTheBom) {
  const std::string_view text = "\xEF\xBB\xBF编码,分\n";
  EXPECT_EQ(read_all(text), (Records{{"编码", "分"}}));
  CsvReader reader(text);
  std::vector<CsvField> fields;
  ASSERT_TRUE(reader.next(fields));
  EXPECT_EQ(reader.record_offset(), 3u);
  EXPECT_EQ(reader.record_line(), 1u);
  EXPECT_EQ(fields[0].offset, 3u);
  EXPECT_EQ(fields[1].offset, 10u);
}

TEST(Csv, FieldOffsetsInChineseText) {
  const std::string_view text = "社区编码,总分\n城东社区,\"75\"\n城西社区,\"八十\"\"分\"\"\"";
  CsvReader reader(text);
  std::vector<CsvField> fields;
  ASSERT_TRUE(reader.next(fields));
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].value, "社区编码");
  EXPECT_EQ(fields[0].offset, 0u);
  EXPECT_EQ(fields[1].value, "总分");
  EXPECT_EQ(fields[1].offset, 13u);

  ASSERT_TRUE(reader.next(fields));
  EXPECT_EQ(reader.record_offset(), 20u);
  EXPECT_EQ(reader.record_line(), 2u);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].value, "城东社区");
  EXPECT_EQ(fields[0].offset, 20u);
  EXPECT_EQ(fields[1].value, "75");
  EXPECT_EQ(fields[1].offset, 33u);  // the opening quote

  ASSERT_TRUE(reader.next(fields));
  EXPECT_EQ(reader.record_offset(), 38u);
  EXPECT_EQ(reader.record_line(), 3u);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[1].value, "八十\"分\"");
  EXPECT_EQ(fields[1].offset, 51u);
  EXPECT_FALSE(reader.next(fields));
  EXPECT_EQ(reader.error(), std::nullopt);
}

TEST(Csv, ManyEscapedFieldsInOneRecordStayValid) {
  // Enough `""` text in one record to make the scratch buffer grow mid-record.
  const std::string long_value = std::string(3000, 'x') + "\"" + std::string(3000, 'y');
  std::string quoted = "\"" + std::string(3000, 'x') + "\"\"" + std::string(3000, 'y') + "\"";
  std::string text;
  for (int i = 0; i < 5; ++i) text += quoted + ",\"a\"\"b\",plain,";
  text += "end\n\"c\"\"d\"\n";
  CsvReader reader(text);
  std::vector<CsvField> fields;
  ASSERT_TRUE(reader.next(fields));
  ASSERT_EQ(fields.size(), 16u);
  for (std::size_t i = 0; i < 15; i += 3) {
    EXPECT_EQ(fields[i].value, long_value);
    EXPECT_EQ(fields[i + 1].value, "a\"b");
    EXPECT_EQ(fields[i + 2].value, "plain");
  }
  EXPECT_EQ(fields[15].value, "end");
  EXPECT_EQ(fields[3].offset, quoted.size() + 14);
  ASSERT_TRUE(reader.next(fields));
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].value, "c\"d");
}

TEST(Csv, TextAfterTheClosingQuoteIsAnError) {
  std::optional<CsvSyntaxError> error;
  EXPECT_EQ(read_all("ok,1\na,\"abc\"x,c\n", &error), (Records{{"ok", "1"}}));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->offset, 12u);
  EXPECT_EQ(error->message, "unexpected `x` after the closing quote");
  EXPECT_EQ(error->hint, "inside a quoted field write a quote as `\"\"`");

  const CsvSyntaxError cjk = error_of("\"a\"社,b");
  EXPECT_EQ(cjk.offset, 3u);
  EXPECT_EQ(cjk.message, "unexpected `社` after the closing quote");

  const CsvSyntaxError space = error_of("\"a\" ,b");
  EXPECT_EQ(space.offset, 3u);
  EXPECT_EQ(space.message, "unexpected space after the closing quote");
  EXPECT_EQ(space.hint, "remove the spaces after the closing `\"`");

  const CsvSyntaxError cr = error_of("\"a\"\rb");
  EXPECT_EQ(cr.offset, 3u);
  EXPECT_EQ(cr.message, "a carriage return (CR) without a line feed: the file mixes line ends (CR LF or LF, and CR alone)");

  const CsvSyntaxError control = error_of("\"a\"\x01");
  EXPECT_EQ(control.message, "unexpected U+0001 after the closing quote");
}

TEST(Csv, ErrorAfterAMultiLineQuotedFieldNamesWhereItStarts) {
  const CsvSyntaxError error = error_of("h\n\"a\nb\nc\"d\n");
  EXPECT_EQ(error.offset, 9u);
  EXPECT_EQ(error.message, "unexpected `d` after the closing quote");
  EXPECT_EQ(error.hint,
            "inside a quoted field write a quote as `\"\"`; this quoted field starts on line 2, "
            "check that its quotes are balanced");
}

TEST(Csv, UnterminatedQuotedFieldIsAnErrorAtItsOpeningQuote) {
  std::optional<CsvSyntaxError> error;
  EXPECT_EQ(read_all("a,b\nc,\"never\nclosed\n", &error), (Records{{"a", "b"}}));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->offset, 6u);
  EXPECT_EQ(error->message, "the quoted field starting here is never closed");
  EXPECT_EQ(error->hint, "add the closing `\"`");

  EXPECT_EQ(error_of("\"").offset, 0u);
  EXPECT_EQ(error_of("x,\"ab\"\"").offset, 2u);
}

TEST(Csv, QuoteInsideAnUnquotedFieldIsAnError) {
  const CsvSyntaxError error = error_of("id,name\n1,ab\"c\n");
  EXPECT_EQ(error.offset, 12u);
  EXPECT_EQ(error.message, "unexpected `\"` inside an unquoted field");
  EXPECT_EQ(error.hint,
            "to put a quote in a field, enclose the whole field in quotes and double the quote, "
            "e.g. `\"ab\"\"c\"`");

  const CsvSyntaxError leading = error_of("a, \"b\"\n");
  EXPECT_EQ(leading.offset, 3u);
  EXPECT_EQ(leading.message, "unexpected space before the opening quote");
  EXPECT_EQ(leading.hint, "remove the spaces before the opening `\"`");
}

TEST(Csv, StopsForGoodAfterAnError) {
  CsvReader reader("a\"b\nc,d\n");
  std::vector<CsvField> fields{CsvField{"stale", 0}};
  EXPECT_FALSE(reader.next(fields));
  EXPECT_TRUE(fields.empty());
  ASSERT_TRUE(reader.error().has_value());
  EXPECT_EQ(reader.error()->offset, 1u);
  EXPECT_FALSE(reader.next(fields));
  EXPECT_TRUE(fields.empty());
  EXPECT_EQ(reader.error()->offset, 1u);
}

TEST(Csv, ReadsALargeGeneratedInput) {
  constexpr int kRows = 100'000;
  constexpr std::size_t kColumns = 30;
  std::string text = "社区编码";
  for (std::size_t c = 1; c < kColumns; ++c) text += ",指标" + std::to_string(c);
  text += "\r\n";
  for (int r = 0; r < kRows; ++r) {
    text += "C" + std::to_string(r);
    for (std::size_t c = 1; c < kColumns; ++c) {
      text += ',';
      if (c == 7 && r % 10 == 0) {
        text += "\"备注, \"\"" + std::to_string(r) + "\"\"\"";  // quoted, with `""`
      } else if (c == 8 && r % 13 == 0) {
        text += "\"two\nlines\"";
      } else if (c != 9) {  // column 9 stays empty
        text += std::to_string(r % 100) + "." + std::to_string(c);
      }
    }
    text += "\r\n";
  }

  CsvReader reader(text);
  std::vector<CsvField> fields;
  ASSERT_TRUE(reader.next(fields));
  ASSERT_EQ(fields.size(), kColumns);
  EXPECT_EQ(fields[29].value, "指标29");
  int rows = 0;
  std::size_t bad_width = 0;
  std::uint32_t expected_line = 2;
  std::uint32_t bad_line = 0;
  while (reader.next(fields)) {
    if (fields.size() != kColumns) ++bad_width;
    if (reader.record_line() != expected_line) ++bad_line;
    expected_line += (rows % 13 == 0) ? 2u : 1u;
    if (rows == 12'340) {
      EXPECT_EQ(fields[0].value, "C12340");
      EXPECT_EQ(fields[6].value, "40.6");
      EXPECT_EQ(fields[7].value, "备注, \"12340\"");
      EXPECT_EQ(fields[8].value, "40.8");
      EXPECT_EQ(fields[9].value, "");
      EXPECT_EQ(fields[29].value, "40.29");
    }
    ++rows;
  }
  EXPECT_EQ(reader.error(), std::nullopt);
  EXPECT_EQ(rows, kRows);
  EXPECT_EQ(bad_width, 0u);
  EXPECT_EQ(bad_line, 0u);
}

}  // namespace
}  // namespace jixiao::engine
