// UTF-8 helpers: decoding, code-point counting and terminal display width.
#pragma once

#include "jixiao/dsl/message.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace jixiao::utf8 {

/// Decodes the code point that starts at `text[pos]` and advances `pos` past it. An invalid
/// or truncated sequence decodes as U+FFFD and advances by one byte.
char32_t decode(std::string_view text, std::size_t& pos);

/// Appends the UTF-8 encoding of `cp` to `out`.
void append(std::string& out, char32_t cp);

/// True when every byte sequence in `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid(std::string_view text);

/// Length of the well-formed UTF-8 sequence that starts at `text[pos]` (1 for ASCII), or 0 when
/// none does: overlong forms, UTF-16 surrogates, code points above U+10FFFF, stray continuation
/// bytes. When the text ends inside a sequence that was well-formed so far, `*truncated` is set.
std::size_t sequence_length(std::string_view text, std::size_t pos, bool* truncated = nullptr);

/// What a scan of bytes as UTF-8 finds: the evidence for or against UTF-8, and where it fails.
struct Scan {
  static constexpr std::size_t npos = std::string_view::npos;
  std::size_t multibyte = 0;  ///< well-formed sequences of 2 to 4 bytes
  std::size_t wide = 0;       ///< of those, sequences of 3 or 4 bytes (U+0800 and above: CJK)
  std::size_t invalid = 0;    ///< bytes that start no well-formed sequence, each counted once
  std::size_t first_bad = npos;       ///< the first of them
  bool first_bad_truncated = false;   ///< it starts a sequence that the end of the text cuts off
  std::size_t next_bad = npos;        ///< the second of them
  std::size_t sample = npos;          ///< the first wide sequence, else the first multi-byte one

  [[nodiscard]] bool valid() const { return first_bad == npos; }
  /// True when the bytes are UTF-8 with stray bytes rather than text in another encoding: at
  /// least one well-formed multi-byte sequence, and at least as many of them as invalid bytes.
  /// GBK Chinese has about three invalid bytes for each sequence that happens to be valid UTF-8
  /// (and never as many valid as invalid over a dozen characters); UTF-8 text with a stray byte
  /// from another encoding has one invalid byte and many valid characters.
  [[nodiscard]] bool plausibly_utf8() const { return multibyte >= 1 && multibyte >= invalid; }
};

/// Scans `text` to the end as UTF-8 (ASCII eight bytes at a time).
Scan scan(std::string_view text);

/// A place in a text: 1-based line, and 1-based column counted in code points.
struct Place {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

/// The place of byte `offset` of `text` (lines end with LF; the line up to it counted as UTF-8).
Place place_of(std::string_view text, std::size_t offset);

/// "byte 0xE9": how messages name a byte that does not decode.
std::string byte_name(unsigned char b);

/// Number of code points in `text`.
std::size_t count_code_points(std::string_view text);

/// Columns a terminal uses for `cp`: 2 for East Asian wide and full-width characters, 0 for
/// combining marks, 1 otherwise.
int display_width(char32_t cp);

/// Sum of display_width over `text`.
std::size_t display_width(std::string_view text);

/// True for code points that may start a jixiao identifier (letters, `_`, CJK ideographs and
/// other scripts' letters; see docs/language.md, "Names").
bool is_ident_start(char32_t cp);

/// True for code points that may continue an identifier (is_ident_start, ASCII digits).
bool is_ident_continue(char32_t cp);

/// "U+FF0C" for 0xFF0C.
std::string code_point_name(char32_t cp);

/// The Unicode name of a character that messages name because it cannot be told apart by eye:
/// controls ("NULL", "CARRIAGE RETURN"), spaces other than the ASCII one ("NO-BREAK SPACE",
/// "IDEOGRAPHIC SPACE"), zero-width and format characters ("ZERO WIDTH SPACE"); empty for others.
std::string_view char_name(char32_t cp);

/// "U+00A0 NO-BREAK SPACE" (code_point_name and char_name), or "U+4E2D" for a character without a
/// name here.
std::string describe(char32_t cp);

/// Characters that cannot be seen: C0 and C1 controls other than TAB, LF and CR, DEL, the soft
/// hyphen U+00AD, zero-width and direction marks U+200B–U+200F, U+2028/U+2029, embeddings and
/// isolates U+202A–U+202E and U+2066–U+2069, U+2060–U+2064, the byte order mark U+FEFF, and
/// U+FFFD (what a lossy conversion leaves of a character it could not read).
bool is_invisible(char32_t cp);

/// Characters that look like a space but are not the ASCII one (nor TAB): U+00A0, U+1680,
/// U+2000–U+200A, U+202F, U+205F, U+3000.
bool is_unusual_space(char32_t cp);

/// True for the bytes that start every character is_invisible or is_unusual_space looks for (and
/// a few others): text without any of them has none, which is quick to see.
inline constexpr std::array<bool, 256> kMayStartInvisible = [] {
  std::array<bool, 256> t{};
  for (unsigned b = 0; b < 0x20; ++b) t[b] = true;
  for (const unsigned b : {0x7Fu, 0xC2u, 0xE1u, 0xE2u, 0xE3u, 0xEFu}) t[b] = true;
  return t;
}();
constexpr bool may_start_invisible(unsigned char c) { return kMayStartInvisible[c]; }

/// The first character of `text` (decoded from `pos` on) that is_invisible, or that is an
/// unusual space when `spaces` is set: its byte offset, or npos. TAB, LF and CR count as invisible
/// unless `line_breaks_allowed`.
std::size_t find_invisible(std::string_view text, bool spaces, bool line_breaks_allowed = false,
                           std::size_t pos = 0);

/// `text` as a message shows it: cut to at most `width` display columns around the byte offset
/// `focus` (up to a third of the width before it), with `…` where something was cut, and every
/// control character shown as its symbol (U+2400 + code, e.g. `␍` for CR) so that nothing it
/// holds can move a terminal's cursor. Invalid UTF-8 bytes are shown as `\xE9`.
std::string shorten(std::string_view text, std::size_t width, std::size_t focus = 0);

/// A whole message for output: each part in backticks longer than `part_width` display columns
/// shortened around its middle, control characters shown as symbols, and the whole cut at
/// `total_width` with a count of what was left out. Messages quote values (cells, names) that may
/// be megabytes long; this keeps every message a few lines. Without `controls_as_symbols` (JSON,
/// which escapes them) control characters are kept, except in a part that is cut.
/// The note on what was left out is in `lang`.
std::string shorten_message(std::string_view message, std::size_t part_width = 80, std::size_t total_width = 1000,
                            bool controls_as_symbols = true, Lang lang = Lang::kEn);

}  // namespace jixiao::utf8
