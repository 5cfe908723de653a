// UTF-8 helpers: decoding, code-point counting and terminal display width.
#pragma once

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

}  // namespace jixiao::utf8
