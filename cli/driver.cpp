// The command-line driver: commands, help texts, diagnostics rendering and exit codes.
#include "driver.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <exception>
#include <new>
#include <sstream>
#include <utility>

#include "args.hpp"
#include "commands.hpp"
#include "input_file.hpp"
#include "jixiao/dsl/render.hpp"
#include "jixiao/dsl/version.hpp"

namespace jixiao::cli {

namespace {

constexpr std::string_view kMainHelp =
    "jixiao — performance evaluation of community services (绩效评价)\n"
    "\n"
    "Usage: jixiao <command> [options]\n"
    "\n"
    "Commands:\n"
    "  check FILE...              check policies without data: names, types, weights, bands, cycles\n"
    "  eval POLICY --data FILE    evaluate a policy over community data; write results\n"
    "  test [PATH...]             run policy tests (`*.test.toml`): expected grades, alerts, scores, money\n"
    "  explain POLICY --data FILE --id KEY\n"
    "                             the derivation of one community's result, step by step\n"
    "  diff OLD NEW [--data FILE] what changed between two policies, and whom it moves\n"
    "  graph POLICY               the dependency graph (DOT or Mermaid)\n"
    "  fmt [--check] FILE...      rewrite policies in the canonical layout (comments kept)\n"
    "  verify RECORD              re-run an audit record (`eval --record`) and confirm the results\n"
    "  version                    print the version\n"
    "\n"
    "Run `jixiao <command> --help` for the options of a command.\n"
    "Exit codes: 0 success, 1 errors in the policy or the data, 2 usage or I/O failure.\n";

}  // namespace

// ---- Activity ----

namespace {
thread_local std::string current_activity;
}  // namespace

Activity::Activity(std::string what)
    : outer_(std::exchange(current_activity, std::move(what))), exceptions_(std::uncaught_exceptions()) {}
Activity::~Activity() {
  if (std::uncaught_exceptions() > exceptions_) return;  // unwinding: keep naming what failed
  current_activity = std::move(outer_);
}
const std::string& Activity::current() { return current_activity; }
void Activity::clear() { current_activity.clear(); }

// ---- Session ----

Session::Session(Io& io_in, const ParsedArgs& args) : io(io_in) {
  const std::string format = args.value("diagnostics-format").value_or("text");
  if (format != "text" && format != "json" && format != "sarif") {
    throw UsageError("`--diagnostics-format` is `" + format + "`",
                     "write `--diagnostics-format=text`, `--diagnostics-format=json` or `--diagnostics-format=sarif`");
  }
  json = format != "text";
  sarif = format == "sarif";
  const std::string color = args.value("color").value_or("auto");
  if (color == "always") {
    render.color = true;
  } else if (color == "never") {
    render.color = false;
  } else if (color == "auto") {
    render.color = io.err_is_terminal && !io.no_color;
  } else {
    throw UsageError("`--color` is `" + color + "`", "write `--color=auto`, `--color=always` or `--color=never`");
  }
  if (auto m = args.value("max-errors")) max_errors = whole_number_flag("max-errors", *m, 1, 100000000, "--max-errors=50");
  verbosity = static_cast<int>(args.count("verbose")) - static_cast<int>(args.count("quiet"));
  limit = std::make_unique<LimitSink>(sink, max_errors);

  auto log_sink = std::make_shared<spdlog::sinks::ostream_sink_st>(io.err);
  logger = std::make_shared<spdlog::logger>("jixiao", log_sink);
  logger->set_pattern("jixiao: %l: %v");
  logger->set_level(verbosity >= 2 ? spdlog::level::debug
                    : verbosity == 1 ? spdlog::level::info
                    : verbosity < 0 ? spdlog::level::err
                                    : spdlog::level::warn);
}

std::optional<std::string> Session::read_file(const std::string& path, const std::string& what) {
  read_log.push_back({path, "the " + what});
  const Activity reading("reading " + what + " `" + path + "`");
  std::string bytes;
  if (const auto problem = read_regular_file(path, bytes)) {
    Diagnostic d = make_diagnostic(DiagCode::io_error, Span{}, "cannot read " + what + " `" + path + "`: " + problem->reason,
                                   problem->hint);
    d.file = path;
    report(std::move(d));
    io_failed = true;
    return std::nullopt;
  }
  return bytes;
}

void Session::report(Diagnostic d) { limit->report(std::move(d)); }

void Session::report_io_error(const std::string& file, const std::string& message, const std::string& hint) {
  Diagnostic d = make_diagnostic(DiagCode::io_error, Span{}, message, hint);
  d.file = file;
  report(std::move(d));
  io_failed = true;
}

std::vector<InputFile> Session::inputs() const {
  std::vector<InputFile> out = read_log;
  // Modules are read by the resolver and kept in `sources` (as are the files above); `std/...`
  // names the bundled standard library, which is no file.
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const std::string& path = sources.get(SourceId{static_cast<std::uint32_t>(i)}).path();
    bool known = false;
    for (const InputFile& f : read_log) known = known || f.path == path;
    if (!known && path.rfind("std/", 0) != 0) out.push_back({path, "the module"});
  }
  return out;
}

void Session::flush_diagnostics() {
  sink.sort();
  if (json) {
    io.out << (sarif ? render_sarif(sink.items(), sources) : render_json(sink.items(), sources));
  } else {
    for (const Diagnostic& d : sink.items()) io.err << render_text(d, sources, render);
    if (limit->dropped() > 0) {
      io.err << "jixiao: " << limit->dropped() << " more errors not shown (raise the limit with `--max-errors`)\n";
    }
    if (limit->dropped_warnings() > 0) {
      io.err << "jixiao: " << limit->dropped_warnings() << " more warnings not shown (raise the limit with `--max-errors`)\n";
    }
    io.err << render_summary(limit->error_count(), limit->warning_count());
  }
  io.err.flush();
}

int Session::exit_code(bool warnings_are_errors) const {
  if (io_failed) return 2;
  // A file that could not be read, wherever it was named (a module in `extends`, say).
  for (const Diagnostic& d : sink.items()) {
    if (d.code == DiagCode::io_error) return 2;
  }
  if (limit->error_count() > 0) return 1;
  if (warnings_are_errors && limit->warning_count() > 0) return 1;
  return 0;
}

// ---- shared option tables ----

std::vector<OptionSpec> common_options() {
  return {
      {"help", 'h', "", "show this help"},
      {"verbose", 'v', "", "log more (timings, row counts); repeat for debug"},
      {"quiet", 'q', "", "print only errors"},
      {"color", 0, "WHEN", "colour diagnostics: auto (default), always or never"},
      {"diagnostics-format", 0, "FORMAT", "text (default, to stderr), json or sarif (to stdout)"},
      {"max-errors", 0, "N", "stop listing errors after N (default 20)"},
  };
}

std::vector<OptionSpec> with_common(std::vector<OptionSpec> specs) {
  for (OptionSpec& s : common_options()) specs.push_back(s);
  return specs;
}

// ---- run ----

int run(const std::vector<std::string>& args, Io& io) {
  Activity::clear();
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      if (args.size() > 1 && args[0] == "help") return run({args[1], "--help"}, io);
      (args.empty() ? io.err : io.out) << kMainHelp;
      return args.empty() ? 2 : 0;
    }
    const std::string& command = args[0];
    if (command == "--version" || command == "version") {
      io.out << "jixiao " << kVersion << "\n";
      return 0;
    }
    if (command == "check") return cmd_check(args, io);
    if (command == "eval") return cmd_eval(args, io);
    if (command == "test") return cmd_test(args, io);
    if (command == "explain") return cmd_explain(args, io);
    if (command == "diff") return cmd_diff(args, io);
    if (command == "graph") return cmd_graph(args, io);
    if (command == "fmt") return cmd_fmt(args, io);
    if (command == "verify") return cmd_verify(args, io);
    std::vector<std::string> names = {"check", "eval", "test", "explain", "diff", "graph", "fmt", "verify", "version", "help"};
    std::string hint;
    if (auto best = closest_name(command, names)) hint = "did you mean `" + *best + "`? ";
    hint += "run `jixiao --help` to see the commands";
    throw UsageError("unknown command `" + command + "`", hint);
  } catch (const UsageError& e) {
    io.err << "jixiao: error: " << e.what() << " [usage]\nhint: " << e.hint() << "\n";
    return 2;
  } catch (const OutputRefused& e) {
    io.err << e.path() << ": error: " << e.what() << " [io-error]\nhint: " << e.hint() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    // Everything the command held is released by now: there is memory again for the message.
    const std::string& doing = Activity::current();
    io.err << "jixiao: error: out of memory" << (doing.empty() ? std::string() : " while " + doing)
           << " [io-error]\n"
           << "hint: the input is too large for the memory available: split it, or run where there is more memory\n";
    Activity::clear();
    return 2;
  } catch (const std::exception& e) {
    io.err << "jixiao: internal error: " << e.what()
           << "\nhint: this is a bug in jixiao; please report it with the command you ran\n";
    return 2;
  }
}

}  // namespace jixiao::cli
