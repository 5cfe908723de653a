// Tests of the UTF-8 helpers: decoding (and U+FFFD for every malformed sequence), validation,
// encoding, display width, identifier classes and code-point names.
#include "jixiao/dsl/utf8.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace jixiao::utf8 {
namespace {

// Decodes one code point at offset `start` of `bytes` and returns it with the new position.
struct Decoded {
  char32_t cp;
  std::size_t next;
};
Decoded decode_at(std::string_view bytes, std::size_t start = 0) {
  std::size_t pos = start;
  const char32_t cp = decode(bytes, pos);
  return {cp, pos};
}

constexpr char32_t kReplacement = 0xFFFD;

TEST(Utf8Decode, OneToFourByteSequences) {
  Decoded d = decode_at("A");
  EXPECT_EQ(d.cp, U'A');
  EXPECT_EQ(d.next, 1u);
  d = decode_at("\x7F");
  EXPECT_EQ(d.cp, 0x7Fu);
  EXPECT_EQ(d.next, 1u);
  d = decode_at("\xC3\xA9");  // é
  EXPECT_EQ(d.cp, 0xE9u);
  EXPECT_EQ(d.next, 2u);
  d = decode_at("\xC2\x80");  // smallest two-byte code point
  EXPECT_EQ(d.cp, 0x80u);
  EXPECT_EQ(d.next, 2u);
  d = decode_at("设");  // E8 AE BE
  EXPECT_EQ(d.cp, 0x8BBEu);
  EXPECT_EQ(d.next, 3u);
  d = decode_at("\xE0\xA0\x80");  // smallest three-byte code point
  EXPECT_EQ(d.cp, 0x800u);
  EXPECT_EQ(d.next, 3u);
  d = decode_at("\xEF\xBC\x8C");  // full-width comma
  EXPECT_EQ(d.cp, 0xFF0Cu);
  EXPECT_EQ(d.next, 3u);
  d = decode_at("\xF0\x9F\x98\x80");  // 😀
  EXPECT_EQ(d.cp, 0x1F600u);
  EXPECT_EQ(d.next, 4u);
  d = decode_at("\xF4\x8F\xBF\xBF");  // U+10FFFF, the last code point
  EXPECT_EQ(d.cp, 0x10FFFFu);
  EXPECT_EQ(d.next, 4u);
}

TEST(Utf8Decode, WalksAMixedString) {
  const std::string_view s = "a资\xF0\xA0\x80\x80z";  // a, U+8D44, U+20000, z
  std::size_t pos = 0;
  EXPECT_EQ(decode(s, pos), U'a');
  EXPECT_EQ(decode(s, pos), 0x8D44u);
  EXPECT_EQ(decode(s, pos), 0x20000u);
  EXPECT_EQ(decode(s, pos), U'z');
  EXPECT_EQ(pos, s.size());
}

TEST(Utf8Decode, MalformedSequencesGiveReplacementAndAdvanceOneByte) {
  const std::string_view bad[] = {
      "\x80",                  // lone continuation byte
      "\xBF",                  // lone continuation byte
      "\xFF",                  // never valid
      "\xFE",                  // never valid
      "\xF8\x88\x80\x80\x80",  // five-byte form
      "\xC0\x80",              // overlong NUL
      "\xC1\xBF",              // overlong U+007F
      "\xE0\x80\x80",          // overlong three-byte
      "\xE0\x9F\xBF",          // overlong U+07FF
      "\xF0\x80\x80\x80",      // overlong four-byte
      "\xF0\x8F\xBF\xBF",      // overlong U+FFFF
      "\xED\xA0\x80",          // surrogate U+D800
      "\xED\xBF\xBF",          // surrogate U+DFFF
      "\xF4\x90\x80\x80",      // U+110000, beyond Unicode
      "\xE8\xAE",              // truncated at end of text
      "\xF0\x9F\x98",          // truncated at end of text
      "\xC3",                  // truncated at end of text
      "\xE8\x41\x42",          // continuation missing: ASCII follows
      "\xC3\xC3\xA9",          // a lead byte where a continuation should be
  };
  for (const std::string_view s : bad) {
    const Decoded d = decode_at(s);
    EXPECT_EQ(d.cp, kReplacement) << testing::PrintToString(std::string(s));
    EXPECT_EQ(d.next, 1u) << testing::PrintToString(std::string(s));
  }
}

TEST(Utf8Decode, ResynchronisesAfterAnInvalidByte) {
  const std::string_view s = "\xE8\x41\xC3\xA9";  // broken lead, 'A', é
  std::size_t pos = 0;
  EXPECT_EQ(decode(s, pos), kReplacement);
  EXPECT_EQ(pos, 1u);
  EXPECT_EQ(decode(s, pos), U'A');
  EXPECT_EQ(decode(s, pos), 0xE9u);
  EXPECT_EQ(pos, s.size());
  // A truncated sequence in the middle decodes byte by byte.
  const std::string_view t = "\xE8\xAE";
  pos = 0;
  EXPECT_EQ(decode(t, pos), kReplacement);
  EXPECT_EQ(decode(t, pos), kReplacement);  // the continuation byte on its own
  EXPECT_EQ(pos, 2u);
}

TEST(Utf8Valid, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid(""));
  EXPECT_TRUE(is_valid("policy \"x\"\n"));
  EXPECT_TRUE(is_valid("社区服务中心绩效评价"));
  EXPECT_TRUE(is_valid("\xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  EXPECT_TRUE(is_valid("\xEF\xBF\xBD"));  // a literal U+FFFD is fine
  EXPECT_TRUE(is_valid(std::string_view("a\0b", 3)));
}

TEST(Utf8Valid, RejectsMalformedText) {
  EXPECT_FALSE(is_valid("\xFF"));
  EXPECT_FALSE(is_valid("abc\x80"));
  EXPECT_FALSE(is_valid("\xC0\x80"));          // overlong
  EXPECT_FALSE(is_valid("\xE0\x80\xAF"));      // overlong '/'
  EXPECT_FALSE(is_valid("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid("\xF4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_FALSE(is_valid("社区\xE5\x8C"));      // truncated at the end
  EXPECT_FALSE(is_valid("\xD6\xD0\xCE\xC4"));  // 中文 in GBK
}

TEST(Utf8Encode, AppendRoundTrips) {
  for (const char32_t cp : {char32_t{0x00}, char32_t{'A'}, char32_t{0x7F}, char32_t{0x80},
                            char32_t{0xE9}, char32_t{0x7FF}, char32_t{0x800}, char32_t{0x8BBE},
                            char32_t{0xFF0C}, char32_t{0xFFFD}, char32_t{0xFFFF},
                            char32_t{0x10000}, char32_t{0x1F600}, char32_t{0x10FFFF}}) {
    std::string s;
    append(s, cp);
    std::size_t pos = 0;
    EXPECT_EQ(decode(s, pos), cp);
    EXPECT_EQ(pos, s.size());
    EXPECT_TRUE(is_valid(s));
  }
  std::string s;
  append(s, 0x8D44);
  append(s, 0x91D1);
  EXPECT_EQ(s, "资金");
  std::string e;
  append(e, 0x1F600);
  EXPECT_EQ(e, "\xF0\x9F\x98\x80");
}

TEST(Utf8Count, CountsCodePoints) {
  EXPECT_EQ(count_code_points(""), 0u);
  EXPECT_EQ(count_code_points("abc"), 3u);
  EXPECT_EQ(count_code_points("设施覆盖率"), 5u);
  EXPECT_EQ(count_code_points("a设\xF0\x9F\x98\x80"), 3u);
}

TEST(Utf8Width, CodePoints) {
  EXPECT_EQ(display_width(U'a'), 1);
  EXPECT_EQ(display_width(U' '), 1);
  EXPECT_EQ(display_width(U'\t'), 1);
  EXPECT_EQ(display_width(char32_t{0}), 0);
  EXPECT_EQ(display_width(char32_t{0x8BBE}), 2);   // 设
  EXPECT_EQ(display_width(char32_t{0x4E00}), 2);   // 一, first unified ideograph
  EXPECT_EQ(display_width(char32_t{0x9FFF}), 2);
  EXPECT_EQ(display_width(char32_t{0x3400}), 2);   // extension A
  EXPECT_EQ(display_width(char32_t{0x20000}), 2);  // extension B
  EXPECT_EQ(display_width(char32_t{0xFF0C}), 2);   // full-width comma
  EXPECT_EQ(display_width(char32_t{0x3000}), 2);   // ideographic space
  EXPECT_EQ(display_width(char32_t{0x3002}), 2);   // 。
  EXPECT_EQ(display_width(char32_t{0x3042}), 2);   // あ
  EXPECT_EQ(display_width(char32_t{0xAC00}), 2);   // 가
  EXPECT_EQ(display_width(char32_t{0x1F600}), 2);  // 😀
  EXPECT_EQ(display_width(char32_t{0x0301}), 0);   // combining acute accent
  EXPECT_EQ(display_width(char32_t{0x0300}), 0);
  EXPECT_EQ(display_width(char32_t{0x036F}), 0);
  EXPECT_EQ(display_width(char32_t{0x200B}), 0);   // zero-width space
  EXPECT_EQ(display_width(char32_t{0xFE0F}), 0);   // variation selector
  EXPECT_EQ(display_width(char32_t{0x00E9}), 1);   // é
  EXPECT_EQ(display_width(char32_t{0x2026}), 1);   // …
  EXPECT_EQ(display_width(char32_t{0x221E}), 1);   // ∞
  EXPECT_EQ(display_width(char32_t{0xFF61}), 1);   // half-width katakana punctuation
}

TEST(Utf8Width, Strings) {
  EXPECT_EQ(display_width(std::string_view("")), 0u);
  EXPECT_EQ(display_width(std::string_view("pool")), 4u);
  EXPECT_EQ(display_width(std::string_view("资金池 = 1")), 10u);
  EXPECT_EQ(display_width(std::string_view("e\xCC\x81")), 1u);  // e + combining acute
  EXPECT_EQ(display_width(std::string_view("，")), 2u);
  EXPECT_EQ(display_width(std::string_view("\xFF")), 1u);  // U+FFFD is one column
}

TEST(Utf8Ident, AsciiLettersAndUnderscoreStart) {
  for (char32_t c = U'a'; c <= U'z'; ++c) EXPECT_TRUE(is_ident_start(c)) << static_cast<char>(c);
  for (char32_t c = U'A'; c <= U'Z'; ++c) EXPECT_TRUE(is_ident_start(c)) << static_cast<char>(c);
  EXPECT_TRUE(is_ident_start(U'_'));
}

TEST(Utf8Ident, DigitsContinueButDoNotStart) {
  for (char32_t c = U'0'; c <= U'9'; ++c) {
    EXPECT_FALSE(is_ident_start(c)) << static_cast<char>(c);
    EXPECT_TRUE(is_ident_continue(c)) << static_cast<char>(c);
  }
  EXPECT_TRUE(is_ident_continue(U'a'));
  EXPECT_TRUE(is_ident_continue(U'_'));
  EXPECT_TRUE(is_ident_continue(char32_t{0x8BBE}));
  EXPECT_FALSE(is_ident_continue(U'-'));
  EXPECT_FALSE(is_ident_continue(U'.'));
  EXPECT_FALSE(is_ident_continue(char32_t{0xFF10}));  // full-width digit ０
}

TEST(Utf8Ident, AsciiPunctuationIsNotALetter) {
  for (const char32_t c : U" \t\n!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~") {
    if (c == 0) continue;  // the literal's terminator
    EXPECT_FALSE(is_ident_start(c)) << code_point_name(c);
    EXPECT_FALSE(is_ident_continue(c)) << code_point_name(c);
  }
}

TEST(Utf8Ident, CjkAndOtherScriptsStart) {
  EXPECT_TRUE(is_ident_start(char32_t{0x8BBE}));   // 设
  EXPECT_TRUE(is_ident_start(char32_t{0x4E00}));   // 一
  EXPECT_TRUE(is_ident_start(char32_t{0x9FFF}));
  EXPECT_TRUE(is_ident_start(char32_t{0x3400}));   // extension A
  EXPECT_TRUE(is_ident_start(char32_t{0x20000}));  // extension B
  EXPECT_TRUE(is_ident_start(char32_t{0xF900}));   // compatibility ideograph
  EXPECT_TRUE(is_ident_start(char32_t{0x3042}));   // あ
  EXPECT_TRUE(is_ident_start(char32_t{0x30A2}));   // ア
  EXPECT_TRUE(is_ident_start(char32_t{0x3105}));   // ㄅ
  EXPECT_TRUE(is_ident_start(char32_t{0xAC00}));   // 가
  EXPECT_TRUE(is_ident_start(char32_t{0x00E9}));   // é
  EXPECT_TRUE(is_ident_start(char32_t{0x03B1}));   // α
  EXPECT_TRUE(is_ident_start(char32_t{0x0436}));   // ж
}

TEST(Utf8Ident, PunctuationOfOtherScriptsIsNotALetter) {
  const char32_t not_letters[] = {
      0xFF0C,  // ，
      0x3001,  // 、
      0x3002,  // 。
      0xFF1A,  // ：
      0xFF1B,  // ；
      0xFF08,  // （
      0xFF09,  // ）
      0xFF01,  // ！
      0x3000,  // ideographic space
      0x201C,  // “
      0x201D,  // ”
      0x3010,  // 【
      0x300A,  // 《
      0x2014,  // —
      0x2026,  // …
      0x30FB,  // ・ (katakana middle dot)
      0x00D7,  // ×
      0x00F7,  // ÷
      0x037E,  // Greek question mark
      0x221E,  // ∞
      0x2264,  // ≤
      0xFF10,  // ０
      0xFF21,  // Ａ (full-width letters are reported as full-width, not names)
      0x1F600, // 😀
      0xFFFD,
  };
  for (const char32_t c : not_letters) {
    EXPECT_FALSE(is_ident_start(c)) << code_point_name(c);
    EXPECT_FALSE(is_ident_continue(c)) << code_point_name(c);
  }
}

TEST(Utf8Name, CodePointName) {
  EXPECT_EQ(code_point_name(0xFF0C), "U+FF0C");
  EXPECT_EQ(code_point_name(U'A'), "U+0041");
  EXPECT_EQ(code_point_name(0), "U+0000");
  EXPECT_EQ(code_point_name(0xE9), "U+00E9");
  EXPECT_EQ(code_point_name(0x1F600), "U+1F600");
  EXPECT_EQ(code_point_name(0x10FFFF), "U+10FFFF");
}

}  // namespace
TEST(Utf8Scan, CountsTheEvidenceForAndAgainstUtf8) {
  const Scan ascii = scan("code,score\n");
  EXPECT_TRUE(ascii.valid());
  EXPECT_EQ(ascii.multibyte, 0u);
  EXPECT_FALSE(ascii.plausibly_utf8());  // no evidence either way

  const Scan chinese = scan("编码,违规\nA01,caf\xE9\nA02,\x93x\n");
  EXPECT_FALSE(chinese.valid());
  EXPECT_EQ(chinese.multibyte, 4u);
  EXPECT_EQ(chinese.wide, 4u);
  EXPECT_EQ(chinese.invalid, 2u);
  EXPECT_EQ(chinese.first_bad, 21u);
  EXPECT_EQ(chinese.next_bad, 27u);
  EXPECT_EQ(chinese.sample, 0u);
  EXPECT_TRUE(chinese.plausibly_utf8());

  // 中文 in GBK: no valid sequence at all.
  const Scan gbk = scan("\xD6\xD0\xCE\xC4");
  EXPECT_EQ(gbk.multibyte, 0u);
  EXPECT_EQ(gbk.invalid, 4u);
  EXPECT_FALSE(gbk.plausibly_utf8());

  // As many valid sequences as invalid bytes is still UTF-8; one fewer is not.
  EXPECT_TRUE(scan("é\xFF").plausibly_utf8());
  EXPECT_FALSE(scan("é\xFF\xFF").plausibly_utf8());

  const Scan cut = scan("ab\xE4\xB8");
  EXPECT_EQ(cut.first_bad, 2u);
  EXPECT_TRUE(cut.first_bad_truncated);
}

TEST(Utf8Names, NamesTheCharactersThatCannotBeSeen) {
  EXPECT_EQ(describe(0x00A0), "U+00A0 NO-BREAK SPACE");
  EXPECT_EQ(describe(0x200B), "U+200B ZERO WIDTH SPACE");
  EXPECT_EQ(describe(0x200C), "U+200C ZERO WIDTH NON-JOINER");
  EXPECT_EQ(describe(0x200D), "U+200D ZERO WIDTH JOINER");
  EXPECT_EQ(describe(0xFEFF), "U+FEFF ZERO WIDTH NO-BREAK SPACE (byte order mark)");
  EXPECT_EQ(describe(0x3000), "U+3000 IDEOGRAPHIC SPACE");
  EXPECT_EQ(describe(0x0000), "U+0000 NULL");
  EXPECT_EQ(describe(0x000D), "U+000D CARRIAGE RETURN");
  EXPECT_EQ(describe(0x4E2D), "U+4E2D");
  for (const char32_t cp : {0x00u, 0x1Bu, 0x7Fu, 0x85u, 0xADu, 0x200Bu, 0x200Du, 0x2028u, 0x202Eu, 0x2060u, 0xFEFFu, 0xFFFDu}) {
    EXPECT_TRUE(is_invisible(cp)) << code_point_name(cp);
    EXPECT_FALSE(is_unusual_space(cp)) << code_point_name(cp);
  }
  for (const char32_t cp : {0xA0u, 0x2002u, 0x200Au, 0x202Fu, 0x3000u}) {
    EXPECT_TRUE(is_unusual_space(cp)) << code_point_name(cp);
    EXPECT_FALSE(is_invisible(cp)) << code_point_name(cp);
  }
  for (const char32_t cp : {0x20u, 0x41u, 0x4E2Du, 0xFF0Cu}) {
    EXPECT_FALSE(is_invisible(cp) || is_unusual_space(cp)) << code_point_name(cp);
  }
}

TEST(Utf8Names, FindsTheFirstInvisibleCharacter) {
  EXPECT_EQ(find_invisible("A01", true), std::string_view::npos);
  EXPECT_EQ(find_invisible("A01\u200B", true), 3u);
  EXPECT_EQ(find_invisible("85\u00A0", true), 2u);
  EXPECT_EQ(find_invisible("85\u00A0", false), std::string_view::npos);  // spaces allowed
  EXPECT_EQ(find_invisible("a\nb", false), 1u);
  EXPECT_EQ(find_invisible("a\nb\tc\r\n", false, true), std::string_view::npos);  // line breaks allowed
  EXPECT_EQ(find_invisible("城东、社区，", true), std::string_view::npos);  // E3 and EF lead bytes, visible
  EXPECT_EQ(find_invisible("x\xEF\xBF\xBD", true), 1u);                   // a real U+FFFD
}

TEST(Utf8Shorten, CutsAroundTheFocusAndShowsControls) {
  EXPECT_EQ(shorten("abc", 10), "abc");
  EXPECT_EQ(shorten("a\x1B[31mb\r", 20), "a␛[31mb␍");
  EXPECT_EQ(shorten("ab\xFFz", 20), "ab\\xFFz");
  const std::string long_text(1000, 'x');
  const std::string cut = shorten(long_text, 40);
  EXPECT_EQ(display_width(cut), 40u);
  EXPECT_EQ(cut, std::string(39, 'x') + "…");
  std::string around = std::string(500, 'a') + "Z" + std::string(500, 'b');
  const std::string focused = shorten(around, 40, 500);
  EXPECT_EQ(display_width(focused), 40u);
  EXPECT_EQ(focused, "…" + std::string(12, 'a') + "Z" + std::string(25, 'b') + "…");
  // Wide characters count two columns.
  std::string han;
  for (int i = 0; i < 100; ++i) han += "社";
  EXPECT_LE(display_width(shorten(han, 40)), 40u);
  // Near the end, the room goes to what is before.
  EXPECT_EQ(shorten(std::string(100, 'a') + "Z", 20, 100), "…" + std::string(18, 'a') + "Z");
}

TEST(Utf8Shorten, MessagesKeepEveryQuotedValueShort) {
  EXPECT_EQ(shorten_message("unknown name `分数`"), "unknown name `分数`");
  const std::string huge(1 << 20, 'x');
  const std::string m = shorten_message("row 1: `" + huge + "` is not a number");
  EXPECT_EQ(m, "row 1: `" + std::string(79, 'x') + "…` is not a number");
  // A message of many short parts is cut as a whole.
  std::string list = "the header has:";
  for (int i = 0; i < 5000; ++i) list += " `c" + std::to_string(i) + "`,";
  const std::string cut = shorten_message(list);
  EXPECT_LE(display_width(cut), 1000u + 40u);
  EXPECT_NE(cut.find("more bytes left out)"), std::string::npos);
  // Controls become symbols (a terminal would obey them), unless the output escapes them (JSON).
  EXPECT_EQ(shorten_message("`a\x1B[2Jb` and \r"), "`a␛[2Jb` and ␍");
  EXPECT_EQ(shorten_message("`a\x1B` and \n", 80, 1000, false), "`a\x1B` and \n");
}

}  // namespace jixiao::utf8
