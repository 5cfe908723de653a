// Reading one worksheet of an Excel workbook (.xlsx) as the loader's input. See docs/data-formats.md,
// "Excel workbooks".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jixiao/dsl/diagnostic.hpp"

namespace jixiao::engine {

/// Limits that keep a hostile workbook within fixed memory and time.
inline constexpr std::size_t kXlsxMaxPartBytes = std::size_t{256} << 20;  ///< one XML part, inflated
inline constexpr std::size_t kXlsxMaxCells = std::size_t{8} << 20;        ///< cells with a value in the sheet
inline constexpr std::size_t kXlsxMaxTableCells = std::size_t{64} << 20;  ///< rows × columns of the table read

/// The value of a number cell as Excel shows it at its own precision: the stored text (`<v>`, such
/// as `85.299999999999997` or `1.2345E+5`) rounded to 15 significant digits, half away from zero,
/// on its decimal digits (never through binary floating point), and written as a plain decimal
/// without an exponent or trailing zeros: `85.3`, `123450`. Nullopt when `stored` is not a number
/// (or its exponent is beyond ±400, far outside what Excel holds).
std::optional<std::string> excel_number(std::string_view stored);

/// Whether the bytes start like a ZIP archive (as every .xlsx does).
bool looks_like_zip(std::string_view bytes);

/// Whether `path` ends with `.xlsx` or `.xlsm` (any case).
bool has_workbook_extension(std::string_view path);

/// `1` → `A`, `28` → `AB`.
std::string column_letters(std::uint32_t column);

struct SheetOptions {
  std::optional<std::string> sheet;  ///< by name; none: the first sheet in the workbook's order
  std::uint32_t header_row = 1;      ///< the sheet's row holding the header (rows above are skipped)
};

/// A worksheet as the loader reads it: the table from the header row down as UTF-8 CSV text, one
/// record per row that has a value (a row without one is an empty line, which the CSV reader
/// skips), every record with as many fields as the table has columns, from column A. The text
/// starts with one empty line per row above the header, so that line N of it is row N of the
/// sheet (unless a cell above holds a line break).
struct SheetTable {
  /// Why a cell is more than its text: the loader refuses these in the columns it reads.
  enum class Special : unsigned char {
    kError,       ///< an error value such as `#DIV/0!`: refused in every column read
    kDate,        ///< a number formatted as a date, shown as `2024-03-01`: refused where numbers are read
    kUncomputed,  ///< a formula without a computed value (`=B2*2`): refused in every column read
  };
  struct SpecialCell {
    std::uint32_t offset;  ///< the field's offset in `csv`
    Special kind;
  };

  std::string csv;
  std::string sheet;     ///< its name
  std::string location;  ///< `表.xlsx!Sheet1!`: a cell's name follows
  std::vector<std::uint32_t> record_rows;     ///< per CSV record (0: the header): its row in the sheet
  std::vector<std::uint32_t> record_offsets;  ///< per CSV record: its offset in `csv`
  std::vector<SpecialCell> specials;          ///< sorted by offset

  /// The special cell whose field starts at `offset`, or nullptr.
  [[nodiscard]] const SpecialCell* special_at(std::uint32_t offset) const;
  /// The record holding the byte at `offset` (0 for the header, or before it).
  [[nodiscard]] std::size_t record_at(std::uint32_t offset) const;
  /// The cell holding the byte at `offset` of `csv` (this table's text, wherever it now lives), as
  /// Excel names it: `表.xlsx!Sheet1!F23`.
  [[nodiscard]] std::string cell_at(std::string_view text, std::uint32_t offset) const;
};

/// Reads the chosen sheet of the workbook `bytes` (the file `path`). Problems are reported with
/// the file, part or cell they are in: `xlsx-archive` (not a ZIP, truncated, encrypted, a part
/// missing or too large, malformed XML, a value the cell's type cannot hold, a limit passed),
/// `usage` (`--sheet` naming no sheet, `--header-row` past the data), `no-rows` (an empty sheet).
/// Nullopt iff one was reported.
std::optional<SheetTable> read_xlsx(const std::string& path, std::string_view bytes, const SheetOptions& options,
                                    DiagnosticSink& sink);

}  // namespace jixiao::engine
