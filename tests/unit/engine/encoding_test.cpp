// Tests of decoding data files: UTF-8 (with and without BOM), GB18030/GBK as Excel writes it,
// the position and wording of decoding errors, and encoding names.
#include "jixiao/engine/encoding.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace jixiao::engine {
namespace {

// "社区编码,总分\r\n城东社区,75\r\n" in GB18030, as Excel on Chinese Windows saves it.
constexpr std::string_view kGbCsv =
    "\xC9\xE7\xC7\xF8\xB1\xE0\xC2\xEB,\xD7\xDC\xB7\xD6\r\n"
    "\xB3\xC7\xB6\xAB\xC9\xE7\xC7\xF8,75\r\n";
constexpr std::string_view kUtf8Csv = "社区编码,总分\r\n城东社区,75\r\n";

/// The result of a decoding that must succeed.
DecodeResult ok(std::variant<DecodeResult, DecodeError> r) {
  if (const auto* e = std::get_if<DecodeError>(&r)) {
    ADD_FAILURE() << "unexpected decode error: " << e->message;
    return DecodeResult{};
  }
  return std::get<DecodeResult>(std::move(r));
}

/// The error of a decoding that must fail.
DecodeError err(std::variant<DecodeResult, DecodeError> r) {
  if (std::holds_alternative<DecodeResult>(r)) {
    ADD_FAILURE() << "decoding succeeded but an error was expected";
    return DecodeError{};
  }
  return std::get<DecodeError>(std::move(r));
}

TEST(EncodingNames, ParsesKnownNamesCaseInsensitively) {
  EXPECT_EQ(parse_encoding_name("auto"), Encoding::kAuto);
  EXPECT_EQ(parse_encoding_name("AUTO"), Encoding::kAuto);
  EXPECT_EQ(parse_encoding_name("utf-8"), Encoding::kUtf8);
  EXPECT_EQ(parse_encoding_name("UTF-8"), Encoding::kUtf8);
  EXPECT_EQ(parse_encoding_name("utf8"), Encoding::kUtf8);
  EXPECT_EQ(parse_encoding_name("Utf8"), Encoding::kUtf8);
  EXPECT_EQ(parse_encoding_name("gbk"), Encoding::kGb18030);
  EXPECT_EQ(parse_encoding_name("GBK"), Encoding::kGb18030);
  EXPECT_EQ(parse_encoding_name("gb2312"), Encoding::kGb18030);
  EXPECT_EQ(parse_encoding_name("GB18030"), Encoding::kGb18030);
  EXPECT_EQ(parse_encoding_name("cp936"), Encoding::kGb18030);
  EXPECT_EQ(parse_encoding_name("CP936"), Encoding::kGb18030);
}

TEST(EncodingNames, RejectsUnknownNames) {
  EXPECT_EQ(parse_encoding_name(""), std::nullopt);
  EXPECT_EQ(parse_encoding_name("latin1"), std::nullopt);
  EXPECT_EQ(parse_encoding_name("utf-16"), std::nullopt);
  EXPECT_EQ(parse_encoding_name(" utf-8"), std::nullopt);
  EXPECT_EQ(parse_encoding_name("gb"), std::nullopt);
}

TEST(EncodingNames, DisplayNames) {
  EXPECT_EQ(encoding_name(Encoding::kAuto), "auto");
  EXPECT_EQ(encoding_name(Encoding::kUtf8), "UTF-8");
  EXPECT_EQ(encoding_name(Encoding::kGb18030), "GB18030");
}

TEST(DecodeText, Utf8WithoutBomIsKeptAsIs) {
  for (Encoding enc : {Encoding::kAuto, Encoding::kUtf8}) {
    const DecodeResult d = ok(decode_text(kUtf8Csv, enc));
    EXPECT_EQ(d.text, kUtf8Csv);
    EXPECT_EQ(d.used, Encoding::kUtf8);
    EXPECT_FALSE(d.had_bom);
  }
}

TEST(DecodeText, Utf8BomIsStripped) {
  const std::string with_bom = "\xEF\xBB\xBF" + std::string(kUtf8Csv);
  for (Encoding enc : {Encoding::kAuto, Encoding::kUtf8}) {
    const DecodeResult d = ok(decode_text(with_bom, enc));
    EXPECT_EQ(d.text, kUtf8Csv);
    EXPECT_EQ(d.used, Encoding::kUtf8);
    EXPECT_TRUE(d.had_bom);
  }
}

TEST(DecodeText, EmptyAndAsciiInputIsUtf8) {
  const DecodeResult empty = ok(decode_text("", Encoding::kAuto));
  EXPECT_EQ(empty.text, "");
  EXPECT_EQ(empty.used, Encoding::kUtf8);
  const DecodeResult ascii = ok(decode_text("code,score\nA01,75\n", Encoding::kAuto));
  EXPECT_EQ(ascii.text, "code,score\nA01,75\n");
  EXPECT_EQ(ascii.used, Encoding::kUtf8);
}

TEST(DecodeText, AutoDetectsGb18030FromExcel) {
  const DecodeResult d = ok(decode_text(kGbCsv, Encoding::kAuto));
  EXPECT_EQ(d.text, kUtf8Csv);
  EXPECT_EQ(d.used, Encoding::kGb18030);
  EXPECT_FALSE(d.had_bom);
}

TEST(DecodeText, ExplicitGb18030) {
  const DecodeResult d = ok(decode_text(kGbCsv, Encoding::kGb18030));
  EXPECT_EQ(d.text, kUtf8Csv);
  EXPECT_EQ(d.used, Encoding::kGb18030);
  EXPECT_FALSE(d.had_bom);
}

TEST(DecodeText, Gb18030FourByteSequencesAndBom) {
  // 84 31 95 33 is U+FEFF; 95 32 82 36 is U+20000 (outside the BMP); A2 E3 is the euro sign.
  const DecodeResult d =
      ok(decode_text("\x84\x31\x95\x33\x95\x32\x82\x36\xA2\xE3", Encoding::kGb18030));
  EXPECT_EQ(d.text, "\xF0\xA0\x80\x80€");
  EXPECT_TRUE(d.had_bom);
}

TEST(DecodeText, ValidUtf8WinsOverGb18030InAutoMode) {
  // Bytes that happen to be valid UTF-8 stay UTF-8 in auto mode, even if they are valid GBK too.
  const DecodeResult d = ok(decode_text("\xC2\xA0", Encoding::kAuto));
  EXPECT_EQ(d.used, Encoding::kUtf8);
  EXPECT_EQ(d.text, "\xC2\xA0");
}

TEST(DecodeText, Utf8ModeReportsTheFirstInvalidByte) {
  // Line 3 is "a\xFFz": the bad byte is at column 2.
  const std::string bytes = "社区编码,总分\n城东社区,75\na\xFFz\n";
  const DecodeError e = err(decode_text(bytes, Encoding::kUtf8));
  EXPECT_EQ(e.offset, 37u);
  EXPECT_EQ(e.line, 3u);
  EXPECT_EQ(e.column, 2u);
  EXPECT_EQ(e.message, "byte 0xFF at line 3 is not valid UTF-8");
  EXPECT_EQ(e.hint,
            "if the file came from Excel on Chinese Windows, pass `--encoding gbk`; or save the "
            "file as UTF-8 (Excel: 另存为 → CSV UTF-8)");
}

TEST(DecodeText, Utf8ModeRejectsGbkBytes) {
  const DecodeError e = err(decode_text(kGbCsv, Encoding::kUtf8));
  EXPECT_EQ(e.offset, 0u);
  EXPECT_EQ(e.line, 1u);
  EXPECT_EQ(e.column, 1u);
  EXPECT_EQ(e.message, "byte 0xC9 at line 1 is not valid UTF-8");
}

TEST(DecodeText, Utf8ModeRejectsOverlongsSurrogatesAndStrayContinuations) {
  EXPECT_EQ(err(decode_text("ab\xC0\xAF", Encoding::kUtf8)).offset, 2u);          // overlong '/'
  EXPECT_EQ(err(decode_text("ab\xE0\x80\xAF", Encoding::kUtf8)).offset, 2u);      // overlong
  EXPECT_EQ(err(decode_text("abc\xED\xA0\x80", Encoding::kUtf8)).offset, 3u);     // surrogate
  EXPECT_EQ(err(decode_text("a\xF4\x90\x80\x80", Encoding::kUtf8)).offset, 1u);   // > U+10FFFF
  EXPECT_EQ(err(decode_text("中\x80", Encoding::kUtf8)).offset, 3u);              // stray trail
  EXPECT_EQ(err(decode_text("12345678中文\xE4z", Encoding::kUtf8)).offset, 14u);  // bad trail
}

TEST(DecodeText, Utf8ModeReportsACharacterCutOffAtTheEnd) {
  const DecodeError e = err(decode_text("ab\n\xE4\xB8", Encoding::kUtf8));
  EXPECT_EQ(e.offset, 3u);
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.column, 1u);
  EXPECT_EQ(e.message,
            "byte 0xE4 at line 2 starts a UTF-8 character that the end of the file cuts off");
}

TEST(DecodeText, OffsetsCountTheBom) {
  const DecodeError e = err(decode_text("\xEF\xBB\xBFx\xFF", Encoding::kUtf8));
  EXPECT_EQ(e.offset, 4u);
  EXPECT_EQ(e.line, 1u);
  EXPECT_EQ(e.column, 5u);
  EXPECT_EQ(e.message, "byte 0xFF at line 1 is not valid UTF-8");
}

TEST(DecodeText, AutoWithBomInsistsOnUtf8) {
  // GBK bytes after a UTF-8 BOM are not silently reinterpreted.
  const std::string bytes = "\xEF\xBB\xBF" + std::string(kGbCsv);
  const DecodeError e = err(decode_text(bytes, Encoding::kAuto));
  EXPECT_EQ(e.offset, 3u);
  EXPECT_EQ(e.column, 4u);
  EXPECT_EQ(
      e.message,
      "byte 0xC9 at line 1 is not valid UTF-8 (the file starts with a UTF-8 byte order mark)");
  EXPECT_EQ(e.hint,
            "the file is damaged or mixes encodings; save the file as UTF-8 (Excel: 另存为 → CSV "
            "UTF-8) again");
}

TEST(DecodeText, AutoReportsTheFirstByteNeitherEncodingAccepts) {
  // Mostly GBK with a stray 0x80 on line 2: UTF-8 fails at byte 0, GB18030 only at the 0x80.
  const std::string gbk = std::string(kGbCsv.substr(0, 15)) + "7\x80";
  const DecodeError e = err(decode_text(gbk, Encoding::kAuto));
  EXPECT_EQ(e.offset, 16u);
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.column, 2u);
  EXPECT_EQ(e.message, "byte 0x80 at line 2 is not valid UTF-8 or GB18030");
  EXPECT_EQ(e.hint,
            "the file may be damaged or in another encoding; save the file as UTF-8 (Excel: 另存为 "
            "→ CSV UTF-8)");

  // Mostly UTF-8 with a 0xFF on line 3.
  const std::string utf8 = "社区编码,总分\n城东社区,75\n城西社区,\xFF\n";
  const DecodeError e2 = err(decode_text(utf8, Encoding::kAuto));
  EXPECT_EQ(e2.offset, 49u);
  EXPECT_EQ(e2.line, 3u);
  EXPECT_EQ(e2.column, 14u);
  EXPECT_EQ(e2.message, "byte 0xFF at line 3 is not valid UTF-8 or GB18030");
}

TEST(DecodeText, Gb18030ModeReportsTheFirstUndecodableByte) {
  const std::string bytes = "\xC9\xE7\n\xB3\xC7\x81\x20";
  const DecodeError e = err(decode_text(bytes, Encoding::kGb18030));
  EXPECT_EQ(e.offset, 5u);
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.column, 3u);
  EXPECT_EQ(e.message, "byte 0x81 at line 2 is not valid GB18030");
  EXPECT_EQ(e.hint, "if the file is UTF-8, pass `--encoding utf-8` or `--encoding auto`");

  const DecodeError cut = err(decode_text("\xC9\xE7\xC7", Encoding::kGb18030));
  EXPECT_EQ(cut.offset, 2u);
  EXPECT_EQ(cut.message,
            "byte 0xC7 at line 1 starts a GB18030 character that the end of the file cuts off");
}

TEST(DecodeText, RejectsUtf16) {
  for (Encoding enc : {Encoding::kAuto, Encoding::kUtf8, Encoding::kGb18030}) {
    const DecodeError e = err(decode_text(std::string_view("\xFF\xFE"
                                                           "a\0",
                                                           4),
                                          enc));
    EXPECT_EQ(e.offset, 0u);
    EXPECT_EQ(e.line, 1u);
    EXPECT_EQ(e.column, 1u);
    EXPECT_EQ(
        e.message,
        "the file is UTF-16 (it starts with a UTF-16 byte order mark), which is not supported");
    EXPECT_EQ(e.hint, "save the file as UTF-8 (Excel: 另存为 → CSV UTF-8)");
  }
}

TEST(DecodeText, LargeGb18030InputRoundTrips) {
  // Enough text to make iconv refill its output buffer several times.
  std::string gbk;
  std::string utf8;
  for (int i = 0; i < 20000; ++i) {
    gbk += kGbCsv;
    utf8 += kUtf8Csv;
  }
  const DecodeResult d = ok(decode_text(gbk, Encoding::kAuto));
  EXPECT_EQ(d.used, Encoding::kGb18030);
  EXPECT_EQ(d.text, utf8);
}

}  // namespace
}  // namespace jixiao::engine
