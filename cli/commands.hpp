// Internal to the CLI: the per-run session (sources, diagnostics, logging) and the commands.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "args.hpp"
#include "driver.hpp"
#include "files.hpp"
#include "input_file.hpp"
#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/dsl/edit_distance.hpp"
#include "jixiao/dsl/modules.hpp"
#include "jixiao/dsl/render.hpp"
#include "jixiao/engine/encoding.hpp"
#include "jixiao/engine/file_bytes.hpp"
#include "jixiao/engine/plan.hpp"

namespace jixiao::cli {

/// What the command is doing while this object lives ("reading data file `d.csv`"): the message
/// when memory runs out names it. Nested activities restore the outer one when they end, except
/// when an exception ends them: then the innermost stays named until run() reports it.
class Activity {
 public:
  explicit Activity(Message what);
  /// Untranslated (counted by the migration ledger).
  explicit Activity(const std::string& what) : Activity(Message(what)) {}
  ~Activity();
  Activity(const Activity&) = delete;
  Activity& operator=(const Activity&) = delete;
  /// The innermost activity of this thread, or an empty message.
  static const Message& current();
  /// Forgets every activity (at the start and the end of run()).
  static void clear();

 private:
  Message outer_;
  int exceptions_;  ///< std::uncaught_exceptions() when it began
};

/// State shared by one command run: every file read, every diagnostic, the logger.
struct Session {
  Session(Io& io, const ParsedArgs& args);

  /// Reads a whole file; on failure reports `io-error` (exit code 2) and returns nullopt.
  std::optional<std::string> read_file(const std::string& path, const std::string& what);
  /// As read_file, mapping the file into memory when it can (a data file).
  std::optional<engine::FileBytes> map_file(const std::string& path, const std::string& what);
  void report(Diagnostic d);
  /// Reports `io-error` for `file` (exit code 2).
  void report_io_error(const std::string& file, const Message& message, const Message& hint);
  /// Every file this run has read: those given to read_file, and the policies' modules.
  [[nodiscard]] std::vector<InputFile> inputs() const;
  /// Renders all diagnostics: text to stderr (with the `N errors, M warnings` line) or JSON to stdout.
  void flush_diagnostics();
  [[nodiscard]] int exit_code(bool warnings_are_errors = false) const;

  Io& io;
  SourceSet sources;
  CollectingSink sink;
  std::unique_ptr<LimitSink> limit;  ///< what passes report to
  RenderOptions render;
  bool json = false;   ///< machine-readable diagnostics (JSON or SARIF) on stdout
  bool sarif = false;
  bool io_failed = false;
  std::vector<InputFile> read_log;  ///< every read_file and map_file call: the path and what it is
  std::size_t max_errors = 20;
  /// A mapped data file cut shorter during the run ends it with an io-error (map_file).
  std::unique_ptr<CutShortWatch> cut_short;
  int verbosity = 0;  ///< -1 quiet, 0 normal, 1+ verbose
  std::shared_ptr<spdlog::logger> logger;
};

/// A checked policy with its plan; the plan points into the policy, so both live together.
struct LoadedPolicy {
  dsl::CheckedPolicy policy;
  engine::Plan plan;
  std::vector<dsl::VariantChange> changes;  ///< what a variant changes against its base
  std::optional<std::string> base;          ///< the base, when the policy extends one
  std::vector<std::string> files;           ///< every file of the policy, top first
};

/// Reads, parses, links (extends, imports, overrides), checks and plans one policy file. Returns
/// nullptr when any step reported an error.
std::unique_ptr<LoadedPolicy> load_policy(Session& s, const std::string& path,
                                          const std::vector<dsl::ParamOverride>& params);

/// `--param K=V` values → overrides; throws UsageError when one has no `=`.
std::vector<dsl::ParamOverride> param_overrides(const ParsedArgs& args);

/// `--sheet NAME` and `--header-row N` (Excel workbooks as data); throws UsageError for a row that
/// is not a whole number from 1 to 1048576.
void sheet_flags(const ParsedArgs& args, std::optional<std::string>& sheet, std::optional<std::uint32_t>& header_row);

/// `--encoding` (auto when absent); throws UsageError for a name that is not an encoding.
engine::Encoding encoding_flag(const ParsedArgs& args);

std::vector<OptionSpec> common_options();
std::vector<OptionSpec> with_common(std::vector<OptionSpec> specs);

int cmd_check(const std::vector<std::string>& args, Io& io);
int cmd_eval(const std::vector<std::string>& args, Io& io);
int cmd_graph(const std::vector<std::string>& args, Io& io);
int cmd_explain(const std::vector<std::string>& args, Io& io);
int cmd_diff(const std::vector<std::string>& args, Io& io);
int cmd_fmt(const std::vector<std::string>& args, Io& io);
int cmd_verify(const std::vector<std::string>& args, Io& io);
/// `jixiao test [PATH...]`: runs the policy tests in `*.test.toml` files (docs/testing.md).
int cmd_test(const std::vector<std::string>& args, Io& io);
/// `jixiao report POLICY --data FILE --out 报告.html`: the results as a report to print (docs/report.md).
int cmd_report(const std::vector<std::string>& args, Io& io);
/// `jixiao lsp`: the language server over standard input and output (docs/editor.md).
int cmd_lsp(const std::vector<std::string>& args, Io& io);

}  // namespace jixiao::cli
