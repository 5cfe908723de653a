// The command-line driver: commands, help texts, diagnostics rendering and exit codes.
#include "driver.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
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

// What `what` (as Session::read_file is given it) is called in messages: `cannot read policy
// `p``, and (`the_file`) `would overwrite the policy `p``.
Message file_kind(const std::string& what, bool the_file = false) {
  if (what == "data file") return the_file ? msg::cli_the_data_file() : msg::file_data();
  if (what == "column map") return the_file ? msg::cli_the_column_map() : msg::file_column_map();
  if (what == "test file") return the_file ? msg::cli_the_test_file() : msg::file_test();
  if (what == "audit record") return the_file ? msg::cli_the_record() : msg::file_record();
  return the_file ? msg::cli_the_policy() : msg::file_policy();
}

// The language asked for: the last `--lang` before `--`, else JIXIAO_LANG (when set and not
// empty), else Chinese. The users are Chinese civil servants, and the locale of the machines they
// run on (a CI runner, a server) is often `C` or `POSIX`: LANG and LC_ALL say nothing about who
// reads the output, so they are not consulted (docs/zh/messages.md).
Lang choose_lang(const std::vector<std::string>& args, const Io& io) {
  std::optional<std::string> flag;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i].rfind("--lang=", 0) == 0) flag = args[i].substr(7);
    if (args[i] == "--lang" && i + 1 < args.size()) flag = args[++i];
  }
  const bool env_set = io.lang_env != nullptr && *io.lang_env != '\0';
  const std::optional<Lang> env = env_set ? parse_lang(io.lang_env) : std::optional<Lang>(Lang::kZh);
  if (flag) {
    if (auto l = parse_lang(*flag)) return *l;
    set_lang(env.value_or(Lang::kZh));  // the message about the flag, in the language of the variable
    throw UsageError(msg::flag_bad_choice("lang", *flag), msg::hint_write_one_of(std::vector<std::string>{"--lang=zh", "--lang=en"}));
  }
  if (!env) throw UsageError(msg::env_bad_lang(io.lang_env), msg::hint_env_lang());
  return *env;
}

// A usage error as every command prints it.
void print_usage_error(Io& io, const UsageError& e) {
  Diagnostic d = diagnose(DiagCode::usage, Span{}, e.message(), e.hint());
  io.err << render_text(d, SourceSet{}, RenderOptions{false, lang()});
}

}  // namespace

// ---- Activity ----

namespace {
thread_local Message current_activity;
}  // namespace

Activity::Activity(Message what)
    : outer_(std::exchange(current_activity, std::move(what))), exceptions_(std::uncaught_exceptions()) {}
Activity::~Activity() {
  if (std::uncaught_exceptions() > exceptions_) return;  // unwinding: keep naming what failed
  current_activity = std::move(outer_);
}
const Message& Activity::current() { return current_activity; }
void Activity::clear() { current_activity = Message(); }

// ---- Session ----

namespace {

/// `%*` in the log pattern: the level in the chosen language (`信息：`, `info: `).
class LevelLabel final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& m, const std::tm& /*time*/, spdlog::memory_buf_t& dest) override {
    const Message label = m.level <= spdlog::level::debug ? msg::cli_log_debug()
                          : m.level == spdlog::level::info ? msg::cli_log_info()
                          : m.level == spdlog::level::warn ? msg::cli_log_warning()
                                                           : msg::cli_log_error();
    const std::string text = label.str(lang());
    dest.append(text.data(), text.data() + text.size());
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelLabel>(); }
};

}  // namespace

Session::Session(Io& io_in, const ParsedArgs& args) : io(io_in) {
  const std::string format = args.value("diagnostics-format").value_or("text");
  if (format != "text" && format != "json" && format != "sarif") {
    throw UsageError(msg::flag_bad_choice("diagnostics-format", format),
                     msg::hint_write_one_of(std::vector<std::string>{
                         "--diagnostics-format=text", "--diagnostics-format=json", "--diagnostics-format=sarif"}));
  }
  json = format != "text";
  render.lang = lang();
  sarif = format == "sarif";
  const std::string color = args.value("color").value_or("auto");
  if (color == "always") {
    render.color = true;
  } else if (color == "never") {
    render.color = false;
  } else if (color == "auto") {
    render.color = io.err_is_terminal && !io.no_color;
  } else {
    throw UsageError(msg::flag_bad_choice("color", color),
                     msg::hint_write_one_of(std::vector<std::string>{"--color=auto", "--color=always", "--color=never"}));
  }
  if (auto m = args.value("max-errors")) max_errors = whole_number_flag("max-errors", *m, 1, 100000000, "--max-errors=50");
  verbosity = static_cast<int>(args.count("verbose")) - static_cast<int>(args.count("quiet"));
  limit = std::make_unique<LimitSink>(sink, max_errors);

  auto log_sink = std::make_shared<spdlog::sinks::ostream_sink_st>(io.err);
  logger = std::make_shared<spdlog::logger>("jixiao", log_sink);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelLabel>('*').set_pattern("jixiao: %*%v");
  logger->set_formatter(std::move(formatter));
  logger->set_level(verbosity >= 2 ? spdlog::level::debug
                    : verbosity == 1 ? spdlog::level::info
                    : verbosity < 0 ? spdlog::level::err
                                    : spdlog::level::warn);
}

namespace {

// Reads the file `path` with `read` (read_regular_file or map_regular_file) into a new T; on
// failure reports `io-error` (exit code 2) and returns nullopt.
template <typename T, typename Read>
std::optional<T> read_with(Session& s, const std::string& path, const std::string& what, const Read& read) {
  s.read_log.push_back({path, file_kind(what, true)});
  const Activity reading(msg::activity_reading(file_kind(what), path));
  T bytes;
  if (const auto problem = read(path, bytes)) {
    Diagnostic d = diagnose(DiagCode::io_error, Span{}, msg::cannot_read(file_kind(what), path, problem->reason),
                            problem->hint);
    d.file = path;
    s.report(std::move(d));
    s.io_failed = true;
    return std::nullopt;
  }
  return bytes;
}

}  // namespace

std::optional<std::string> Session::read_file(const std::string& path, const std::string& what) {
  return read_with<std::string>(*this, path, what, read_regular_file);
}

std::optional<engine::FileBytes> Session::map_file(const std::string& path, const std::string& what) {
  auto bytes = read_with<engine::FileBytes>(*this, path, what, map_regular_file);
  if (bytes && bytes->mapped()) {
    // Should the file be cut shorter while it is mapped, reading past its new end raises SIGBUS:
    // the run ends with this message (exit code 2) instead of a crash.
    Diagnostic d = diagnose(DiagCode::io_error, Span{}, msg::str_data_cut_short(path), msg::str_hint_data_cut_short());
    d.file = path;
    cut_short = std::make_unique<CutShortWatch>(bytes->view(), render_text(d, sources, render) + render_summary(1, 0, render.lang));
  }
  return bytes;
}

void Session::report(Diagnostic d) { limit->report(std::move(d)); }

void Session::report_io_error(const std::string& file, const Message& message, const Message& hint) {
  Diagnostic d = diagnose(DiagCode::io_error, Span{}, message, hint);
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
    if (!known && path.rfind("std/", 0) != 0) out.push_back({path, msg::cli_the_module()});
  }
  return out;
}

void Session::flush_diagnostics() {
  sink.sort();
  if (json) {
    io.out << (sarif ? render_sarif(sink.items(), sources, render.lang) : render_json(sink.items(), sources, render.lang));
  } else {
    for (const Diagnostic& d : sink.items()) io.err << render_text(d, sources, render);
    if (limit->dropped() > 0) {
      io.err << "jixiao: " << msg::more_errors_not_shown(limit->dropped()).str(render.lang) << "\n";
    }
    if (limit->dropped_warnings() > 0) {
      io.err << "jixiao: " << msg::more_warnings_not_shown(limit->dropped_warnings()).str(render.lang) << "\n";
    }
    io.err << render_summary(limit->error_count(), limit->warning_count(), render.lang);
  }
  io.err.flush();
}

int Session::exit_code(bool warnings_are_errors) const {
  if (io_failed) return 2;
  // A file that could not be read, wherever it was named (a module in `extends`, say).
  // A usage error found once the data was read (`--sheet` naming no sheet of the workbook).
  for (const Diagnostic& d : sink.items()) {
    if (d.code == DiagCode::io_error || d.code == DiagCode::usage) return 2;
  }
  if (limit->error_count() > 0) return 1;
  if (warnings_are_errors && limit->warning_count() > 0) return 1;
  return 0;
}

// ---- shared option tables ----

std::vector<OptionSpec> common_options() {
  return {
      {"help", 'h', "", msg::opt_help()},
      {"verbose", 'v', "", msg::opt_verbose()},
      {"quiet", 'q', "", msg::opt_quiet()},
      {"color", 0, "WHEN", msg::opt_color()},
      {"diagnostics-format", 0, "FORMAT", msg::opt_diagnostics_format()},
      {"max-errors", 0, "N", msg::opt_max_errors()},
      {"lang", 0, "LANG", msg::opt_lang()},
  };
}

std::vector<OptionSpec> with_common(std::vector<OptionSpec> specs) {
  for (OptionSpec& s : common_options()) specs.push_back(s);
  return specs;
}

// ---- run ----

int run(const std::vector<std::string>& given, Io& io) {
  Activity::clear();
  set_lang(Lang::kZh);
  // `--lang` may come before the command too (`jixiao --lang en check p.jx`), as users of git or
  // cargo would write it: it moves behind the command, where every command reads it.
  std::vector<std::string> args = given;
  if (args.size() >= 2 && args[0].rfind("--lang=", 0) == 0) {
    std::rotate(args.begin(), args.begin() + 1, args.begin() + 2);
  } else if (args.size() >= 3 && args[0] == "--lang") {
    std::rotate(args.begin(), args.begin() + 2, args.begin() + 3);
  }
  try {
    set_lang(choose_lang(args, io));
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      if (args.size() > 1 && args[0] == "help") {
        std::vector<std::string> again = {args[1], "--help"};
        again.insert(again.end(), args.begin() + 2, args.end());
        return run(again, io);
      }
      (args.empty() ? io.err : io.out) << msg::main_help().str(lang());
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
    if (command == "report") return cmd_report(args, io);
    if (command == "lsp") return cmd_lsp(args, io);
    std::vector<std::string> names = {"check", "eval", "test", "explain", "diff", "graph", "fmt", "verify", "version", "help", "report", "lsp"};
    Message hint = msg::hint_see_commands();
    if (auto best = closest_name(command, names)) hint = msg::did_you_mean_then(*best, hint);
    throw UsageError(msg::unknown_command(command), hint);
  } catch (const UsageError& e) {
    print_usage_error(io, e);
    return 2;
  } catch (const OutputRefused& e) {
    Diagnostic d = diagnose(DiagCode::io_error, Span{}, e.message(), e.hint());
    d.file = e.path();
    io.err << render_text(d, SourceSet{}, RenderOptions{false, lang()});
    return 2;
  } catch (const std::bad_alloc&) {
    // Everything the command held is released by now: there is memory again for the message.
    const Message& doing = Activity::current();
    const bool idle = !doing.translated() && doing.raw().empty();
    const Diagnostic d = diagnose(DiagCode::io_error, Span{}, idle ? msg::out_of_memory() : msg::out_of_memory_while(doing),
                                  msg::hint_out_of_memory());
    io.err << render_text(d, SourceSet{}, RenderOptions{false, lang()});
    Activity::clear();
    return 2;
  } catch (const std::exception& e) {
    io.err << "jixiao: " << msg::label_internal_error().str(lang()) << e.what() << "\n"
           << msg::label_hint().str(lang()) << msg::hint_internal_error().str(lang()) << "\n";
    return 2;
  }
}

}  // namespace jixiao::cli
