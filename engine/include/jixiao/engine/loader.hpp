// Reading community data (CSV) into a Dataset, checked against the policy's declared inputs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/dsl/source.hpp"
#include "jixiao/engine/dataset.hpp"
#include "jixiao/engine/encoding.hpp"
#include "jixiao/engine/file_bytes.hpp"

namespace jixiao::engine {

/// Input name → CSV column header, for data whose headers differ from the policy's names.
struct ColumnMap {
  std::map<std::string, std::string> columns;
};

/// Reads a column map from TOML (`[columns]` table of `输入名 = "表头"`). Reports `column-map`
/// diagnostics (with the TOML file's line and column) and returns nullopt on error; the TOML
/// file is added to `sources`.
std::optional<ColumnMap> read_column_map(SourceSet& sources, const std::string& path,
                                         std::string text, const dsl::CheckedPolicy& policy,
                                         DiagnosticSink& sink);

struct LoadOptions {
  Encoding encoding = Encoding::kAuto;
  ColumnMap column_map;
  /// Threads reading parts of the rows at once (0 counts as 1). The dataset, and the messages
  /// about bad data, do not depend on it.
  std::size_t threads = 1;
  /// Bytes of rows each thread reads at least: smaller data is read by fewer threads.
  std::size_t parallel_min_bytes = std::size_t{1} << 20;
  /// For an Excel workbook (load_data): the sheet (none: the first) and the row of the header
  /// (none: row 1). Given for a CSV file, they are a usage error.
  std::optional<std::string> sheet;
  std::optional<std::uint32_t> header_row;
  /// Per declared input (parallel to Module::inputs; empty: none): true for an input whose cells
  /// are not read. Its column must be in the header like any other, and its cells count in each
  /// row's structure (cells per row, quoting, UTF-8), but they are neither typed, nor checked, nor
  /// interned, and its Column stays empty (no values, no list offsets). Ignored for a rolled-up
  /// policy (the roll-up reads every input). inputs_to_skip() says which inputs nothing reads.
  std::vector<bool> skip;
  /// Per declared input (parallel to Module::inputs; empty: none): true for an input whose column
  /// may be stored narrow (Column::narrow(): an int32 and a power of ten per cell, half the
  /// bytes), when it is one of numbers or money (score, percent, number, count, money); other
  /// kinds are stored as usual, and so is every input of a rolled-up policy (the roll-up reads
  /// them). The cells are checked and the messages given exactly as without. Only the compiled
  /// programs can read a narrow column: name only inputs that unread_inputs() names for the
  /// evaluation the data is for (evaluate() throws std::logic_error for a narrow column read by
  /// anything else), and not for an explanation (which reads the inputs).
  std::vector<bool> narrow;
};

/// Per declared input of `policy` (parallel to Module::inputs), whether nothing can read it: no
/// expression of the policy names it (those are the inputs `jixiao check` warns about as
/// `unused-input`; a program, rule, fund, segment, output, history or explanation reads an input
/// only through such a name), and it is not among `shown` (the symbols a caller reads beyond the
/// policy's own, e.g. a `--group-by` column). All false for a rolled-up policy.
std::vector<bool> inputs_to_skip(const dsl::CheckedPolicy& policy, const std::vector<dsl::SymbolId>& shown);

/// Decodes and parses `bytes` (the file at `path`) as CSV with a header row, and converts every
/// cell of every declared input (but those options.skip leaves unread) and the key to its type. Each bad cell, missing column,
/// duplicate column, duplicate key or out-of-range value is reported with file, line, column,
/// row, the value and what was expected. Returns nullopt iff an error was reported. The decoded
/// text is added to `sources` so diagnostics can show the offending line.
std::optional<Dataset> load_csv(SourceSet& sources, const std::string& path, std::string_view bytes,
                                const dsl::CheckedPolicy& policy, const LoadOptions& options,
                                DiagnosticSink& sink);

/// As above, taking the bytes: UTF-8 data is kept as read rather than copied.
std::optional<Dataset> load_csv(SourceSet& sources, const std::string& path, std::string&& bytes,
                                const dsl::CheckedPolicy& policy, const LoadOptions& options,
                                DiagnosticSink& sink);

/// Loads data from the file `path`: an Excel workbook (it starts like a ZIP archive, or its name
/// ends with `.xlsx`), whose sheet is read as xlsx.hpp says and then checked like CSV (every
/// diagnostic naming the cell, `表.xlsx!Sheet1!F23`, and the sheet's row numbers), or else CSV
/// (load_csv).
std::optional<Dataset> load_data(SourceSet& sources, const std::string& path, std::string&& bytes,
                                 const dsl::CheckedPolicy& policy, const LoadOptions& options, DiagnosticSink& sink);

/// As above, from a file's bytes as FileBytes holds them: a mapped CSV file read as it is (UTF-8)
/// stays in the mapping (the data's source text is a view of it), its pages let go as its rows
/// are read; a row quoted in a message later is read again from the file.
std::optional<Dataset> load_data(SourceSet& sources, const std::string& path, FileBytes&& bytes,
                                 const dsl::CheckedPolicy& policy, const LoadOptions& options, DiagnosticSink& sink);

}  // namespace jixiao::engine
