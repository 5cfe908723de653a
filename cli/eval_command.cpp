// `jixiao eval POLICY --data FILE`: evaluate a policy over community data and write the results.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "commands.hpp"
#include "audit.hpp"
#include "evaluation.hpp"
#include "files.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "jixiao/engine/loader.hpp"
#include "jixiao/engine/results.hpp"
#include "jixiao/engine/workbook.hpp"
#include "result_options.hpp"

namespace jixiao::cli {

namespace {

std::vector<OptionSpec> eval_options() {
  return with_common({
      {"data", 'd', "FILE", msg::cli_opt_data()},
      {"out", 'o', "FILE", msg::cli_opt_out()},
      {"format", 0, "FORMAT", msg::xo_opt_format()},
      {"param", 0, "NAME=VALUE", msg::cli_opt_param(), true},
      {"encoding", 0, "NAME", msg::cli_opt_encoding()},
      {"sheet", 0, "NAME", msg::xin_opt_sheet()},
      {"header-row", 0, "N", msg::xin_opt_header_row()},
      {"columns", 0, "FILE", msg::cli_opt_columns()},
      {"period", 0, "PERIOD", msg::cli_opt_period_eval()},
      {"all-periods", 0, "", msg::cli_opt_all_periods()},
      {"record", 0, "FILE", msg::cli_opt_record()},
      {"threads", 'j', "N", msg::cli_opt_threads()},
      {"stats", 0, "", msg::cli_opt_stats()},
      {"bom", 0, "", msg::xo_opt_bom()},
      {"out-encoding", 0, "NAME", msg::xo_opt_out_encoding()},
      {"group-by", 0, "COLUMN", msg::xo_opt_group_by()},
  });
}

// One status line on stderr while a long run works, only when stderr is a terminal (and not
// with -q); erased before anything else is printed.
class Progress {
 public:
  Progress(Io& io, bool enabled) : io_(io), enabled_(enabled) {}
  ~Progress() { clear(); }
  void phase(const Message& text) {
    if (!enabled_) return;
    io_.err << "\r\x1b[Kjixiao: " << text.str(lang()) << "…" << std::flush;
    shown_ = true;
  }
  void clear() {
    if (!shown_) return;
    io_.err << "\r\x1b[K" << std::flush;
    shown_ = false;
  }

 private:
  Io& io_;
  bool enabled_;
  bool shown_ = false;
};

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// `--stats`: one line per phase, then the total and the throughput. Wall-clock times in ms.
std::string stats_text(const PhaseTimes& t, double total_ms, std::size_t rows, std::size_t threads) {
  std::string out;
  auto line = [&](const char* phase, double ms) { out += fmt::format("phase {:<8} {:>9.1f} ms\n", phase, ms); };
  line("check", t.check);
  line("load", t.load);
  line("evaluate", t.evaluate);
  line("allocate", t.allocate);
  line("format", t.format);
  line("write", t.write);
  const double per_second = total_ms > 0 ? static_cast<double>(rows) * 1000.0 / total_ms : 0.0;
  out += fmt::format("total {:.1f} ms for {} rows ({:.0f} rows/s) with {} thread{}\n", total_ms, rows, per_second, threads,
                     threads == 1 ? "" : "s");
  return out;
}

}  // namespace

int cmd_eval(const std::vector<std::string>& args, Io& io) {
  const auto started = std::chrono::steady_clock::now();
  const ParsedArgs parsed = parse_args(args, 1, eval_options(), "eval");
  if (parsed.has("help")) {
    io.out << msg::cli_eval_help().str(lang()) << options_help(eval_options());
    return 0;
  }
  if (parsed.positional.size() != 1) {
    throw UsageError(parsed.positional.empty() ? msg::cli_needs_policy("eval") : msg::cli_takes_one_policy("eval", parsed.positional.size()),
                     msg::hint_write_eg("jixiao eval examples/3x/policy.jx --data examples/3x/data/communities.csv"));
  }
  const auto data_path = parsed.value("data");
  if (!data_path) {
    throw UsageError(msg::cli_needs_data("eval"), msg::hint_write_eg("--data examples/3x/data/communities.csv"));
  }
  const ResultOptions result_options = cli::result_options(parsed, parsed.value("out"));
  const std::string format_name(format_word(result_options.format));
  Session s(io, parsed);
  // The outputs, checked before any work against the files the command line names (and again,
  // once the policy's modules are known, against every file the run read).
  OutputSet outputs;
  std::optional<std::size_t> results_out;
  std::optional<std::size_t> record_out;
  if (auto p = parsed.value("out")) results_out = outputs.add(*p, "--out", msg::cli_out_results());
  if (auto p = parsed.value("record")) record_out = outputs.add(*p, "--record", msg::cli_out_record());
  const bool results_to_file = results_out && !outputs.to_stdout(*results_out);
  if (s.json && (!results_to_file || outputs.any_to_stdout())) {
    throw UsageError(msg::cli_diagnostics_take_stdout(msg::cli_what_results_plural()), msg::cli_hint_results_to_files());
  }
  const auto params = param_overrides(parsed);
  Progress progress(io, io.err_is_terminal && s.verbosity == 0);  // -v logs each phase instead
  auto fail = [&]() {
    progress.clear();
    s.flush_diagnostics();
    return s.exit_code();
  };
  auto write_failed = [&](const OutputError& e) {
    s.report_io_error(e.path, e.message, msg::cli_hint_dir_writable_unchanged());
    return fail();
  };

  EvalRequest request;
  request.policy = parsed.positional[0];
  request.data = *data_path;
  request.params = params;
  request.encoding = encoding_flag(parsed);
  sheet_flags(parsed, request.sheet, request.header_row);
  request.columns = parsed.value("columns");
  request.period = parsed.value("period").value_or("");
  request.all_periods = parsed.has("all-periods");
  request.format = result_options.format;
  request.bom = result_options.bom;
  request.out_encoding = result_options.out_encoding;
  request.group_by = result_options.group_by;
  request.threads = default_threads();
  if (auto n = parsed.value("threads")) request.threads = whole_number_flag("threads", *n, 1, 256, "--threads 2");
  request.hash_data = record_out.has_value();
  std::vector<InputFile> named = {{request.policy, msg::cli_the_policy()}, {request.data, msg::cli_the_data()}};
  if (request.columns) named.push_back({*request.columns, msg::cli_the_column_map()});
  outputs.refuse_inputs(named);

  EvalOutcome outcome;
  if (!run_evaluation(s, request, outcome, [&](const Message& what) { progress.phase(what); })) return fail();
  outputs.refuse_inputs(s.inputs());
  progress.phase(msg::cli_writing_results());
  const bool hash = request.hash_data;  // the record holds the results' hash
  if (results_to_file) {
    try {
      if (auto e = outputs.stage(*results_out, [&](const Emit& emit) { write_outcome(request, outcome, hash, emit); })) return write_failed(*e);
    } catch (const engine::WorkbookError& e) {
      s.report_io_error(outputs.path(*results_out), e.message(), e.hint());
      return fail();
    }
  } else {
    write_outcome(request, outcome, hash, [&io](std::string_view piece) { io.out.write(piece.data(), static_cast<std::streamsize>(piece.size())); });
    io.out.flush();
  }
  std::vector<std::string> outside;  // paths the record names outside its directory
  if (record_out) {
    const std::string& record_path = outputs.path(*record_out);  // `-`: paths relative to the current directory
    const AuditRecord record = make_record(s, request, outcome, results_to_file ? outputs.path(*results_out) : "", record_path);
    outside = paths_outside(record);
    if (outputs.to_stdout(*record_out)) {
      io.out << record_text(record);
      io.out.flush();
    } else if (auto e = outputs.stage(*record_out, record_text(record))) {
      return write_failed(*e);
    }
  }
  if (auto e = outputs.commit()) return write_failed(*e);
  if (!outside.empty()) warn_outside(s, outputs.path(*record_out), outside);
  progress.clear();
  s.logger->info("{}", msg::cli_log_wrote(format_name, fmt::format("{:.1f}", outcome.times.format + outcome.times.write),
                                          fmt::format("{:.1f}", outcome.times.write))
                         .str(lang()));
  if (parsed.has("stats")) {
    io.err << stats_text(outcome.times, ms_since(started), outcome.result->selected.size(), request.threads);
  }
  s.flush_diagnostics();
  if (s.verbosity >= 0) {
    std::string summary = engine::format_summary(outcome.loaded->policy, *outcome.data, *outcome.result, lang());
    if (results_to_file) summary += msg::cli_results_written(outputs.path(*results_out)).str(lang()) + "\n";
    // The summary goes to stdout when nothing else does (the results went to a file, and neither
    // the record nor JSON diagnostics took stdout).
    (results_to_file && !outputs.any_to_stdout() && !s.json ? io.out : io.err) << summary;
  }
  return s.exit_code();
}

}  // namespace jixiao::cli
