// A streaming RFC 4180 CSV reader over decoded UTF-8 text: one record at a time, fields as views
// into the text, syntax errors with byte offsets. See docs/data-formats.md, "CSV".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jixiao/dsl/message.hpp"

namespace jixiao::engine {

/// One field of a record.
struct CsvField {
  std::string_view value;  ///< the field's content, unquoted and with `""` turned into `"`
  std::uint32_t offset;    ///< byte offset in the text of its first character (the opening
                           ///< quote if quoted; where the field would start if it is empty)
};

/// Appends `value` as one RFC 4180 field: as it is, or in quotes (with `"` doubled) when it holds
/// a comma, a quote or a line break.
void append_csv_field(std::string& out, std::string_view value);

/// Whether append_csv_field would put `value` in quotes.
[[nodiscard]] bool csv_needs_quotes(std::string_view value);

/// A CSV syntax error.
struct CsvSyntaxError {
  std::uint32_t offset;  ///< byte offset in the text of the offending character
  Message message;  ///< lowercase, no trailing period
  Message hint;     ///< how to fix it
};

/// Reads records from CSV text.
///
/// Syntax: the separator is `,`; a record ends with LF or CRLF (a CR before the end of the text
/// also ends it); a CR anywhere else in an unquoted field is data. A field may be enclosed in
/// `"`; inside quotes `""` stands for one quote, and commas, CRs and newlines are data. After the
/// closing quote only `,`, a line ending or the end of the text may follow. A quote inside an
/// unquoted field is an error. Lines that are completely empty (LF or CRLF alone) are skipped;
/// the last record need not end with a newline; a trailing comma gives an empty last field.
///
/// Unquoted fields and quoted fields without `""` are views straight into the text; fields with
/// `""` are unescaped into a buffer the reader reuses, so reading allocates nothing per field
/// once the buffers have grown to the largest record.
class CsvReader {
 public:
  /// Reads `text`, which must outlive the reader. A leading UTF-8 BOM is skipped. Text of 4 GiB
  /// or more cannot be addressed by 32-bit offsets: error() is then set at once and next()
  /// returns false.
  explicit CsvReader(std::string_view text);
  /// Reads only the records in [begin, end) of `text`, which must start and end at record
  /// boundaries; offsets stay those of the whole text (record_line() counts from 1 at `begin`).
  CsvReader(std::string_view text, std::size_t begin, std::size_t end);

  /// Reads the next record into `fields` (cleared first). Returns false at the end of the input
  /// or on a syntax error, after which error() is set and every further call returns false.
  /// The views in `fields` stay valid until the next call to next(). Completely empty lines
  /// (just "\n" or "\r\n") are skipped, so a record always has at least one field.
  bool next(std::vector<CsvField>& fields);

  /// Byte offset in the text where the record last returned by next() starts.
  [[nodiscard]] std::uint32_t record_offset() const { return record_offset_; }
  /// Byte offset in the text where the next record would start (the end after the last one).
  [[nodiscard]] std::size_t position() const { return pos_; }

  /// 1-based physical line where the record last returned by next() starts; newlines inside
  /// quoted fields count.
  [[nodiscard]] std::uint32_t record_line() const { return record_line_; }

  /// The syntax error that stopped reading, if any.
  [[nodiscard]] const std::optional<CsvSyntaxError>& error() const { return error_; }

 private:
  /// A field unescaped into scratch_: its index in the record and its range in scratch_.
  struct Unescaped {
    std::size_t field;
    std::size_t begin;
    std::size_t size;
  };

  bool read_quoted(std::vector<CsvField>& fields);
  bool fail(std::size_t offset, Message message, Message hint);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::uint32_t record_offset_ = 0;
  std::uint32_t record_line_ = 0;
  std::optional<CsvSyntaxError> error_;
  std::string scratch_;
  std::vector<Unescaped> unescaped_;
};

}  // namespace jixiao::engine
