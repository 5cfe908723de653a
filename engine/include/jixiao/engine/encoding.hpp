// Text encodings of data files: detecting and decoding UTF-8 and GB18030 (GBK) input to UTF-8,
// with errors that point at the first offending byte. See docs/data-formats.md, "Encodings".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

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
  std::size_t offset;   ///< 0-based byte offset of the first offending byte
  std::size_t line;     ///< 1-based line of that byte (lines end with '\n')
  std::size_t column;   ///< 1-based column of that byte, counted in bytes on its line
  std::string message;  ///< lowercase, no trailing period, e.g. "byte 0xFF at line 3 is not ..."
  std::string hint;     ///< what the user can do about it
};

/// Decodes `bytes` to UTF-8.
///  - kAuto: a UTF-8 BOM means UTF-8 (BOM stripped, the rest must be valid UTF-8); otherwise
///    valid UTF-8 is kept as is; otherwise the bytes are decoded as GB18030 (what Excel writes on
///    Chinese Windows). If neither accepts the input, the error names the first byte that neither
///    encoding accepts, i.e. the later of the two failure points.
///  - kUtf8: the bytes must be valid UTF-8 (no overlongs, no surrogates; a BOM is stripped), else
///    the error is at the first byte of the first invalid sequence, with a hint to pass
///    `--encoding gbk` if the file came from Excel.
///  - kGb18030: the bytes are converted with iconv; the error is at the first byte of the first
///    undecodable sequence. A GB18030-encoded BOM (U+FEFF) at the start is stripped.
/// In every mode, input starting with a UTF-16 byte order mark is rejected at offset 0 with a
/// message saying so.
[[nodiscard]] std::variant<DecodeResult, DecodeError> decode_text(std::string_view bytes,
                                                                  Encoding enc);

/// As above; valid UTF-8 is moved into the result instead of copied.
[[nodiscard]] std::variant<DecodeResult, DecodeError> decode_owned_text(std::string&& bytes, Encoding enc);

}  // namespace jixiao::engine
