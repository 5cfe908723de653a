// Tests of decoding data files: UTF-8 (with and without BOM), GB18030/GBK as Excel writes it,
// the position and wording of decoding errors, and encoding names.
#include "jixiao/engine/encoding.hpp"

#include <gtest/gtest.h>
#include <iconv.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "jixiao/dsl/utf8.hpp"

namespace jixiao::engine {
namespace {

// "社区编码,总分\r\n城东社区,75\r\n" in GB18030, as Excel on Chinese Windows saves it.
constexpr std::string_view kGbCsv =
    "\xC9\xE7\xC7\xF8\xB1\xE0\xC2\xEB,\xD7\xDC\xB7\xD6\r\n"
    "\xB3\xC7\xB6\xAB\xC9\xE7\xC7\xF8,75\r\n";
constexpr std::string_view kUtf8Csv = "社区编码,总分\r\n城东社区,75\r\n";

/// `utf8` converted to GB18030 with iconv (the test's own conversion, independent of the decoder).
std::string to_gb18030(const std::string& utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* dst = out.data();
  std::size_t out_left = out.size();
  const std::size_t rc = iconv(cd, &in, &in_left, &dst, &out_left);
  iconv_close(cd);
  EXPECT_NE(rc, static_cast<std::size_t>(-1));
  out.resize(out.size() - out_left);
  return out;
}

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

TEST(DecodeText, ValidUtf8WithChineseIsUtf8) {
  // 3-byte sequences (CJK): GBK text is never valid UTF-8 over more than a few characters.
  const DecodeResult d = ok(decode_text("编码,违规事项\nA01,挪用专项资金\n", Encoding::kAuto));
  EXPECT_EQ(d.used, Encoding::kUtf8);
}

TEST(DecodeText, TwoByteOnlyUtf8ThatIsAlsoGbkIsAmbiguous) {
  // 目录 in GBK is C4 BF C2 BC: two well-formed 2-byte UTF-8 sequences (U+013F U+00BC).
  const std::string gbk = "code,flags\nA01,\xC4\xBF\xC2\xBC\n";
  const DecodeError e = err(decode_text(gbk, Encoding::kAuto));
  EXPECT_EQ(e.offset, 15u);
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.column, 5u);
  EXPECT_EQ(e.message, "the bytes `\\xC4\\xBF\\xC2\\xBC` read as `Ŀ¼` in UTF-8 but as `目录` in GBK, and nothing else "
                       "in the file tells which it is");
  EXPECT_EQ(e.hint, "pass `--encoding gbk` or `--encoding utf-8`; or save the file from Excel as CSV UTF-8, whose byte "
                    "order mark settles it");
  // Either flag settles it; so does a BOM.
  EXPECT_EQ(ok(decode_text(gbk, Encoding::kGb18030)).text, "code,flags\nA01,目录\n");
  EXPECT_EQ(ok(decode_text(gbk, Encoding::kUtf8)).text, gbk);
  EXPECT_EQ(ok(decode_text("\xEF\xBB\xBF" + gbk, Encoding::kAuto)).used, Encoding::kUtf8);
  // The owned-bytes path follows the same rule.
  std::string owned = gbk;
  EXPECT_TRUE(std::holds_alternative<DecodeError>(decode_owned_text(std::move(owned), Encoding::kAuto)));
  EXPECT_EQ(owned, gbk);  // left as it was
}

TEST(DecodeText, Utf8IsRecognisedInPartsAsWhole) {
  // Scanned by several threads in parts of 1 MiB or more, cut before ASCII bytes: the same answer
  // as one scan, wherever the evidence is (Chinese only near the end, a bad byte only there, a
  // part of two-byte letters alone that GBK could also read).
  std::string ascii;
  while (ascii.size() < (std::size_t{5} << 20)) ascii += "A01,75.5,x\n";
  const std::string chinese_at_end = ascii + "城东社区,75\n";
  const std::string bad_at_end = chinese_at_end + "caf\xE9\n";
  const std::string two_byte_only = ascii + "\xC4\xBF\xC2\xBC\n";  // `Ŀ¼` or GBK `目录`
  for (const std::size_t threads : {1UL, 2UL, 3UL, 8UL}) {
    EXPECT_EQ(utf8_as_read(chinese_at_end, Encoding::kAuto, threads), std::optional<std::size_t>(0)) << threads;
    EXPECT_EQ(utf8_as_read("\xEF\xBB\xBF" + chinese_at_end, Encoding::kAuto, threads), std::optional<std::size_t>(3)) << threads;
    EXPECT_EQ(utf8_as_read(bad_at_end, Encoding::kAuto, threads), std::nullopt) << threads;
    EXPECT_EQ(utf8_as_read(two_byte_only, Encoding::kAuto, threads), std::nullopt) << threads;
    EXPECT_EQ(utf8_as_read(two_byte_only, Encoding::kUtf8, threads), std::optional<std::size_t>(0)) << threads;
  }
}

TEST(DecodeText, StrayLatin1ByteInUtf8IsAnErrorNotGbk) {
  // The case of issue 10: UTF-8 with Chinese text and one Windows-1252 `é` in another row. As
  // GB18030 these bytes decode (into mojibake), so guessing GB18030 would change every text.
  const std::string bytes = "编码,分数,违规事项\nA01,95,挪用专项资金\nA02,80,caf\xE9s\n";
  ASSERT_EQ(ok(decode_text(bytes, Encoding::kGb18030)).used, Encoding::kGb18030);
  for (Encoding enc : {Encoding::kAuto, Encoding::kUtf8}) {
    const DecodeError e = err(decode_text(bytes, enc));
    EXPECT_EQ(e.offset, bytes.rfind('\xE9'));
    EXPECT_EQ(e.line, 3u);
    EXPECT_EQ(e.column, 11u);  // `A02,80,caf` is 10 characters
    EXPECT_EQ(e.message, "byte 0xE9 is not valid UTF-8");
    EXPECT_EQ(e.hint,
              "the file is otherwise UTF-8 (14 characters such as `编码`), so this byte was written in another encoding "
              "(0xE9 is `é` in Windows-1252): correct it and save the file as UTF-8 (Excel: 另存为 → CSV UTF-8); if "
              "the file really is GBK, pass `--encoding gb18030`");
    EXPECT_TRUE(e.at_byte);
  }
}

TEST(DecodeText, Latin1LettersOutnumberingChineseAreAnErrorNotGbk) {
  // UTF-8 with two Chinese characters and three Windows-1252 letters: more bad bytes than good
  // sequences, so not "plausibly UTF-8" by the counts; as GB18030 every byte decodes (违规
  // becomes other characters). The run of UTF-8 Chinese, whole and well-formed, settles it.
  const std::string bytes = "code,name,remark\nA01,Ren\xE9" "e,\xE8\xBF\x9D\xE8\xA7\x84\nA02,Zo\xEBl,ok\nA03,M\xFCller,ok\n";
  ASSERT_FALSE(utf8::scan(bytes).plausibly_utf8());
  ASSERT_EQ(ok(decode_text(bytes, Encoding::kGb18030)).used, Encoding::kGb18030);
  const DecodeError e = err(decode_text(bytes, Encoding::kAuto));
  EXPECT_EQ(e.offset, bytes.find('\xE9'));
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.message,
            "byte 0xE9 is not valid UTF-8 (and 2 more bytes further on, the next at line 3), but the file also has "
            "UTF-8 Chinese text (`违规` at line 2): it mixes two encodings");
  EXPECT_NE(e.hint.str(Lang::kEn).find("--encoding gb18030"), std::string::npos) << e.hint;
}

TEST(DecodeText, MoreStrayBytesAreCounted) {
  const std::string bytes = "编码,名称\nA01,caf\xE9\nA02,na\xEFve\nA03,\x93x\x94\n";
  const DecodeError e = err(decode_text(bytes, Encoding::kAuto));
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.message, "byte 0xE9 is not valid UTF-8 (and 3 more bytes further on, the next at line 3)");
}

TEST(DecodeText, GbkWithBytesThatHappenToBeValidUtf8IsStillGbk) {
  // In GBK, 违 (CE A5), 挪 (C5 B2), 用 (D3 C3) and 专 (D7 A8) are well-formed 2-byte UTF-8, and
  // 事项 (CA C2 CF EE) holds a 3-byte one: six sequences, against 23 bytes that are no UTF-8.
  const std::string utf8 = "社区编码,违规事项\nA01,挪用专项资金\nA02,违规发包\n";
  const std::string gbk = to_gb18030(utf8);
  const utf8::Scan scan = utf8::scan(gbk);
  EXPECT_EQ(scan.multibyte, 6u);  // the accidental sequences this test is about
  EXPECT_EQ(scan.invalid, 23u);
  EXPECT_FALSE(scan.plausibly_utf8());
  const DecodeResult d = ok(decode_text(gbk, Encoding::kAuto));
  EXPECT_EQ(d.used, Encoding::kGb18030);
  EXPECT_EQ(d.text, utf8);
}

TEST(DecodeText, Utf8ModeReportsTheFirstInvalidByte) {
  // Line 3 is "a\xFFz": the bad byte is at column 2.
  const std::string bytes = "社区编码,总分\n城东社区,75\na\xFFz\n";
  const DecodeError e = err(decode_text(bytes, Encoding::kUtf8));
  EXPECT_EQ(e.offset, 37u);
  EXPECT_EQ(e.line, 3u);
  EXPECT_EQ(e.column, 2u);
  EXPECT_EQ(e.message, "byte 0xFF is not valid UTF-8");
  EXPECT_EQ(e.reading, Encoding::kUtf8);
}

TEST(DecodeText, Utf8ModeRejectsGbkBytes) {
  const DecodeError e = err(decode_text(kGbCsv, Encoding::kUtf8));
  EXPECT_EQ(e.offset, 0u);
  EXPECT_EQ(e.line, 1u);
  EXPECT_EQ(e.column, 1u);
  EXPECT_EQ(e.message, "byte 0xC9 is not valid UTF-8");
  EXPECT_EQ(e.hint,
            "the file reads as GB18030 (GBK), as Excel saves CSV on Chinese Windows: pass `--encoding gb18030`, or "
            "save the file as UTF-8 (Excel: 另存为 → CSV UTF-8)");
  EXPECT_EQ(e.reading, Encoding::kGb18030);  // what comes before it is shown as GBK
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
  EXPECT_EQ(e.message, "byte 0xE4 starts a UTF-8 character that the end of the file cuts off");
}

TEST(DecodeText, TheBomTakesNoColumn) {
  const DecodeError e = err(decode_text("\xEF\xBB\xBFx\xFF", Encoding::kUtf8));
  EXPECT_EQ(e.offset, 4u);
  EXPECT_EQ(e.line, 1u);
  EXPECT_EQ(e.column, 2u);
  EXPECT_EQ(e.message, "byte 0xFF is not valid UTF-8");
}

TEST(DecodeText, AutoWithBomInsistsOnUtf8) {
  // GBK bytes after a UTF-8 BOM are not silently reinterpreted.
  const std::string bytes = "\xEF\xBB\xBF" + std::string(kGbCsv);
  const DecodeError e = err(decode_text(bytes, Encoding::kAuto));
  EXPECT_EQ(e.offset, 3u);
  EXPECT_EQ(e.column, 1u);
  EXPECT_EQ(e.message, "byte 0xC9 is not valid UTF-8 (the file starts with a UTF-8 byte order mark)");
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
  EXPECT_EQ(e.message, "byte 0x80 is not valid UTF-8 or GB18030");
  EXPECT_EQ(e.hint,
            "the file may be damaged or in another encoding; save the file as UTF-8 (Excel: 另存为 "
            "→ CSV UTF-8)");
  EXPECT_EQ(e.reading, Encoding::kGb18030);
}

TEST(DecodeText, AutoNamesTheStrayByteOfAFileThatIsOtherwiseUtf8) {
  // Mostly UTF-8 with a 0xFF on line 3 (which GB18030 does not accept either): the UTF-8 error.
  const std::string utf8 = "社区编码,总分\n城东社区,75\n城西社区,\xFF\n";
  const DecodeError e = err(decode_text(utf8, Encoding::kAuto));
  EXPECT_EQ(e.offset, 49u);
  EXPECT_EQ(e.line, 3u);
  EXPECT_EQ(e.column, 6u);
  EXPECT_EQ(e.message, "byte 0xFF is not valid UTF-8");
}

TEST(DecodeText, Gb18030ModeReportsTheFirstUndecodableByte) {
  const std::string bytes = "\xC9\xE7\n\xB3\xC7\x81\x20";
  const DecodeError e = err(decode_text(bytes, Encoding::kGb18030));
  EXPECT_EQ(e.offset, 5u);
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(e.column, 2u);  // 城 is one character
  EXPECT_EQ(e.message, "byte 0x81 is not valid GB18030");
  EXPECT_EQ(e.hint, "if the file is UTF-8, pass `--encoding utf-8` or `--encoding auto`");

  const DecodeError cut = err(decode_text("\xC9\xE7\xC7", Encoding::kGb18030));
  EXPECT_EQ(cut.offset, 2u);
  EXPECT_EQ(cut.message, "byte 0xC7 starts a GB18030 character that the end of the file cuts off");

  // A UTF-8 file given as GBK: said so.
  const DecodeError utf8 = err(decode_text("编,名\n", Encoding::kGb18030));
  EXPECT_EQ(utf8.hint, "the file is valid UTF-8: leave out `--encoding`, or pass `--encoding utf-8`");
}

TEST(DecodeText, Gb18030ModeRefusesAUtf8Bom) {
  const DecodeError e = err(decode_text("\xEF\xBB\xBF编码\n", Encoding::kGb18030));
  EXPECT_EQ(e.message, "the file starts with a UTF-8 byte order mark, so it is UTF-8, but `--encoding gb18030` was given");
  EXPECT_FALSE(e.at_byte);
}

TEST(DecodeText, RejectsUtf16AndUtf32) {
  for (Encoding enc : {Encoding::kAuto, Encoding::kUtf8, Encoding::kGb18030}) {
    const DecodeError e = err(decode_text(std::string_view("\xFF\xFE" "a\0", 4), enc));
    EXPECT_EQ(e.offset, 0u);
    EXPECT_EQ(e.line, 1u);
    EXPECT_EQ(e.column, 1u);
    EXPECT_EQ(e.message,
              "the file is UTF-16 (it starts with a UTF-16 byte order mark, as Excel's “Unicode 文本” does), not "
              "UTF-8 or GBK");
    EXPECT_EQ(e.hint, "save the file as UTF-8 (Excel: 另存为 → CSV UTF-8)");
    EXPECT_FALSE(e.at_byte);
    EXPECT_EQ(err(decode_text(std::string_view("\xFF\xFE\0\0a\0\0\0", 8), enc)).message,
              "the file is UTF-32 (it starts with a UTF-32 byte order mark), not UTF-8 or GBK");
  }
  // Without a BOM: every other byte is NUL.
  const std::string utf16le("c\0o\0d\0e\0,\0x\0\n\0", 14);
  EXPECT_EQ(err(decode_text(utf16le, Encoding::kAuto)).message,
            "the file looks like UTF-16 without a byte order mark (every other byte is 0x00), not UTF-8 or GBK");
}

TEST(DecodeText, NamesWhatAFileThatIsNotTextIs) {
  const auto message = [](std::string_view bytes) { return err(decode_text(bytes, Encoding::kAuto)).message; };
  EXPECT_EQ(message(std::string_view("PK\x03\x04\x14\x00\x06\x00", 8)),
            "the file is a ZIP archive, as an Excel workbook (.xlsx) or a WPS or OpenDocument spreadsheet is, not CSV "
            "text");
  EXPECT_EQ(message("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"),
            "the file is an Excel 97-2003 workbook (.xls) or another Office document, not CSV text");
  EXPECT_EQ(message("%PDF-1.7\n"), "the file is a PDF document, not CSV text");
  EXPECT_EQ(message("\xEF\xBB\xBF  <HTML><body><table>"),
            "the file is HTML or XML (some systems save a table as a web page with an .xls name), not CSV text");
  EXPECT_EQ(message("<?xml version=\"1.0\"?>"),
            "the file is HTML or XML (some systems save a table as a web page with an .xls name), not CSV text");
  // A header that merely starts with `<` is data.
  EXPECT_EQ(ok(decode_text("<编码>,分数\n", Encoding::kAuto)).used, Encoding::kUtf8);
  // A NUL byte elsewhere: named at its place.
  const DecodeError nul = err(decode_text(std::string("编码,分数\nA01,8") + '\0' + "5\n", Encoding::kAuto));
  EXPECT_EQ(nul.line, 2u);
  EXPECT_EQ(nul.column, 6u);
  EXPECT_EQ(nul.message, "byte 0x00 (NUL) is not text: a CSV file has no NUL bytes");
  EXPECT_TRUE(nul.at_byte);
}

TEST(DecodeText, GbkFilesOfTheExamplesAreNotPlausiblyUtf8) {
  // The statistics behind the rule, on real text: every example's data converted to GB18030
  // has far fewer accidental UTF-8 sequences than invalid bytes, and is detected as GB18030.
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(std::filesystem::path(JIXIAO_SOURCE_DIR) / "examples")) {
    if (entry.path().extension() != ".csv") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream read;
    read << in.rdbuf();
    const std::string utf8 = read.str();
    const std::string gbk = to_gb18030(utf8);
    const utf8::Scan scan = utf8::scan(gbk);
    if (scan.invalid == 0) continue;  // no Chinese
    ++files;
    EXPECT_LT(scan.multibyte * 2, scan.invalid) << entry.path();
    const DecodeResult d = ok(decode_text(gbk, Encoding::kAuto));
    EXPECT_EQ(d.used, Encoding::kGb18030) << entry.path();
    EXPECT_EQ(d.text, utf8) << entry.path();
  }
  EXPECT_GE(files, 5);
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

// ---- `eval --out-encoding gbk`: results written in GB18030 ----

namespace jixiao::engine {
namespace {

TEST(AppendGb18030, KnownChineseTextGivesExcelsBytes) {
  std::string out = "prefix:";
  append_gb18030(out, kUtf8Csv);
  EXPECT_EQ(out, "prefix:" + std::string(kGbCsv));  // appended, the same bytes Excel writes
}

TEST(AppendGb18030, EveryCharacterRoundTripsThroughTheDecoder) {
  // Beyond GBK: a character of CJK Extension B (4 bytes in GB18030), an emoji, a Latin letter with
  // an accent, the euro sign and a full-width space, all read back by the engine's own decoder.
  const std::string text = "社区 𠀀 😀 é € 　 ;\"\n末尾";
  std::string gb;
  append_gb18030(gb, text);
  EXPECT_EQ(gb.substr(gb.size() - 4), "\xC4\xA9\xCE\xB2");  // 末尾
  const auto decoded = decode_text(gb, Encoding::kGb18030);
  ASSERT_TRUE(std::holds_alternative<DecodeResult>(decoded));
  EXPECT_EQ(std::get<DecodeResult>(decoded).text, text);
}

TEST(AppendGb18030, EmptyTextAppendsNothingAndBadUtf8Throws) {
  std::string out = "x";
  append_gb18030(out, "");
  EXPECT_EQ(out, "x");
  EXPECT_THROW(append_gb18030(out, "\xFF"), std::runtime_error);
}

}  // namespace
}  // namespace jixiao::engine
