// Text encodings of data files: detecting and decoding UTF-8 and GB18030 (GBK) input to UTF-8,
// with errors that point at the first offending byte. See docs/data-formats.md, "Encodings".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "jixiao/dsl/message.hpp"

namespace jixiao::engine {

/// The encoding of a data file's bytes. kAuto asks decode_text to detect it.
enum class Encoding { kAuto, kUtf8, kGb18030 };

/// Parses a user-given encoding name, case-insensitively: "auto", "utf-8"/"utf8", and "gbk",
/// "gb2312", "cp936", "gb18030", which all map to kGb18030 (a superset of the others). Returns
/// nullopt for any other name; no whitespace is trimmed.
[[nodiscard]] std::optional<Encoding> parse_encoding_name(std::string_view name);

/// The display name of `e`: "auto", "UTF-8" or "GB18030".
[[nodiscard]] std::string_view encoding_name(Encoding e);

/// Successfully decoded text.
struct DecodeResult {
  std::string text;  ///< the whole input as valid UTF-8, without a byte order mark
  Encoding used;     ///< kUtf8 or kGb18030, never kAuto
  bool had_bom;      ///< true when a byte order mark was found at the start and removed
};

/// Why bytes could not be decoded. Positions refer to the ORIGINAL bytes (a BOM included).
struct DecodeError {
  std::size_t offset = 0;  ///< 0-based byte offset of the offending byte
  std::size_t line = 1;    ///< 1-based line of that byte (lines end with '\n')
  std::size_t column = 1;  ///< 1-based column of that byte: the characters before it on its line
                           ///< (as `reading` reads them) plus one
  Message message;         ///< lowercase, no trailing period, without the place: "byte 0xE9 is
                           ///< not valid UTF-8"
  Message hint;            ///< what the user can do about it
  /// True when the problem is one byte, whose row and cell a caller may name; false when it is
  /// the whole file (a workbook, UTF-16, an ambiguous encoding).
  bool at_byte = true;
  /// The encoding the bytes before `offset` read in (kUtf8 or kGb18030), to show them.
  Encoding reading = Encoding::kUtf8;
};

/// Decodes `bytes` to UTF-8.
///
/// In every mode, a file that is not text is refused at once, saying what it is: a UTF-16 or
/// UTF-32 byte order mark, a ZIP archive (an .xlsx workbook), an OLE2 file (an .xls workbook),
/// a PDF, HTML or XML, or any NUL byte (with "looks like UTF-16" when every other byte is NUL).
///
///  - kAuto (docs/data-formats.md, "How `auto` decides"):
///    1. a UTF-8 BOM means UTF-8: the BOM is stripped, the rest must be valid UTF-8;
///    2. a GB18030 BOM (84 31 95 33) means GB18030;
///    3. valid UTF-8 is UTF-8 — unless every non-ASCII character is a 2-byte sequence
///       (U+0080–U+07FF) and the bytes are valid GB18030 too: then the file is ambiguous (GBK
///       Chinese that happens to be valid UTF-8 reads as accented Latin, Greek or Cyrillic) and
///       an error asks for `--encoding`;
///    4. bytes that are plausibly UTF-8 (utf8::Scan::plausibly_utf8) but not valid are an error
///       at the first invalid byte — never re-read as GB18030;
///    5. otherwise bytes that decode as GB18030 are GB18030;
///    6. otherwise the error names the first byte that neither encoding accepts (the later of
///       the two failure points).
///  - kUtf8: the bytes must be valid UTF-8 (no overlongs, no surrogates; a BOM is stripped), else
///    the error is at the first byte of the first invalid sequence; the hint suggests
///    `--encoding gb18030` when the whole file reads as GB18030.
///  - kGb18030: the bytes are converted with iconv; the error is at the first byte of the first
///    undecodable sequence. A GB18030-encoded BOM (U+FEFF) at the start is stripped; a UTF-8 BOM
///    is an error (the file says it is UTF-8).
[[nodiscard]] std::variant<DecodeResult, DecodeError> decode_text(std::string_view bytes,
                                                                  Encoding enc);

/// When decode_text would keep `bytes` as they are but for a byte order mark (valid UTF-8 that
/// `enc` reads as UTF-8): the length of that mark, 0 or 3. Nullopt when decode_text converts them
/// or says why it cannot. Up to `threads` threads share the scan.
[[nodiscard]] std::optional<std::size_t> utf8_as_read(std::string_view bytes, Encoding enc, std::size_t threads = 1);

/// As above; valid UTF-8 is moved into the result instead of copied. On an error `bytes` is left
/// as it was.
[[nodiscard]] std::variant<DecodeResult, DecodeError> decode_owned_text(std::string&& bytes, Encoding enc);

/// `bytes` as text for a message: read in `enc` (kUtf8 or kGb18030) as far as they decode, each
/// byte that does not shown as `\xE9`. The result is UTF-8.
[[nodiscard]] std::string readable_bytes(std::string_view bytes, Encoding enc);

/// `utf8` (valid UTF-8) converted to GB18030 with iconv, appended to `out`: what `eval
/// --out-encoding gbk` writes. GB18030 encodes every Unicode character, so valid UTF-8 always
/// converts; throws std::runtime_error when the system has no converter or the text is not UTF-8.
void append_gb18030(std::string& out, std::string_view utf8);

}  // namespace jixiao::engine
