// Policy test files (`*.test.toml`, docs/testing.md): reading one into cases with their params,
// data (a CSV file or inline rows turned into CSV text) and expectations. Running them is in
// test_command.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/message.hpp"

namespace jixiao::cli {

/// A place in a test file: 1-based line and column (in code points, as in diagnostics).
struct TomlPlace {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

/// A problem with the test file itself (not valid TOML, a missing or mistyped key), shown as
/// `FILE:LINE:COLUMN: error: MESSAGE` followed by `hint: HINT` when there is a hint.
struct TestFileError {
  TomlPlace at;
  Message message;
  Message hint;  ///< untranslated and empty when there is none
};

/// One expected cell as written in the test file.
struct ExpectedValue {
  enum class Kind { kText, kNumber, kBool, kList };
  Kind kind = Kind::kText;
  /// kText: the string; kNumber: the exact decimal text (a TOML float's own digits, never a
  /// binary double); kBool: `是` or `否`. Unused for kList.
  std::string text;
  std::vector<std::string> items;  ///< kList: the strings, in written order
};

/// `"等级" = "D"` inside a `[[case.expect]]` table.
struct ExpectedCell {
  std::string column;
  ExpectedValue value;
};

/// One `[[case.expect]]` table: the community it checks and the cells, in written order.
struct Expectation {
  std::string key;
  std::optional<std::int64_t> tolerance;  ///< raw (scale 10^6), when the table sets one
  std::vector<ExpectedCell> cells;
};

/// One `[[case]]`, with the file's defaults applied.
struct TestCase {
  std::string name;
  std::vector<dsl::ParamOverride> params;  ///< the file's `[params]` merged with the case's (the case wins)
  std::optional<std::string> data_path;    ///< a CSV file, resolved against the test file's directory
  std::optional<std::string> rows_csv;     ///< inline `rows`, as CSV text
  std::optional<std::string> sheet;        ///< `sheet`: of an Excel workbook given as `data`
  std::optional<std::uint32_t> header_row; ///< `header_row`: the row of its header
  std::int64_t tolerance = 0;              ///< raw; the case's, else the file's, else 0
  std::optional<std::string> period;       ///< with periods in the data: the period evaluated (default: the latest)
  std::vector<Expectation> expect;
};

/// A whole test file.
struct TestFile {
  std::string path;         ///< as shown in the output
  std::string policy_path;  ///< resolved against the test file's directory
  std::vector<TestCase> cases;
};

/// Reads the test file at `path` (used to resolve `policy` and `data`, and in messages) whose text
/// is `text`. On success `errors` is empty; otherwise it holds every problem found, in file order,
/// and the returned file must not be run.
TestFile parse_test_file(const std::string& path, std::string_view text, std::vector<TestFileError>& errors);

/// The exact decimal text of a TOML float written as `source` (`85.50` → "85.50", `6_1.5` →
/// "61.5", `-1.25e2` → "-125", `5e-1` → "0.5"); nullopt for `inf`, `nan` or anything that is not
/// a TOML float. No binary floating point is involved.
std::optional<std::string> decimal_text_of_toml_float(std::string_view source);

/// A CSV document (RFC 4180 quoting, LF line ends) from rows of (column, cell) pairs: the header
/// is the union of the columns in first-seen order, and a row without a column has an empty cell.
std::string rows_to_csv(const std::vector<std::vector<std::pair<std::string, std::string>>>& rows);

}  // namespace jixiao::cli
