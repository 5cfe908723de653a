// `jixiao verify RECORD`: re-run an evaluation recorded by `eval --record` and confirm that every
// input is unchanged and the results are byte-identical, or name what differs (docs/ci.md).
#include <algorithm>
#include <filesystem>

#include "audit.hpp"
#include "commands.hpp"
#include "jixiao/dsl/json_writer.hpp"
#include "jixiao/dsl/utf8.hpp"
#include "input_file.hpp"
#include "jixiao/dsl/version.hpp"
#include "jixiao/stdlib.hpp"

namespace jixiao::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kVerifyHelp =
    "Usage: jixiao verify [options] RECORD\n"
    "\n"
    "Re-runs the evaluation an audit record describes (`jixiao eval ... --record RECORD`): checks\n"
    "the record itself (every field), the SHA-256 of every policy file (and that the policy still\n"
    "uses exactly the recorded files: its bases and imports), of the data and of the column map,\n"
    "evaluates again, and compares the results byte for byte with the recorded hash (and with the\n"
    "recorded results file, if it is still there). Paths in the record must stay inside its\n"
    "directory. Exit 0 when everything matches (`verified`), 1 when anything differs or the record\n"
    "is not valid (each difference and problem is named), 2 when the record cannot be read.\n"
    "\n"
    "Options:\n";

std::vector<OptionSpec> verify_options() {
  return with_common({
      {"format", 0, "FORMAT", "text (default) or json: one JSON document on stdout with a verdict per file"},
      {"allow-outside", 0, "", "accept a record whose paths lead outside its own directory"},
  });
}

/// Records are a few kilobytes; a larger file is not one.
constexpr std::uintmax_t kMaxRecordBytes = 16u << 20;

std::string short_hash(const std::string& h) { return h.size() > 16 ? h.substr(0, 16) + "…" : h; }

/// The bytes of a regular file, without reporting anything (a FIFO or a device is never opened).
std::optional<std::string> read_quietly(const std::string& path) {
  std::string bytes;
  if (read_regular_file(path, bytes)) return std::nullopt;
  return bytes;
}

/// One line of the report: a file (or the results) and its verdict.
struct Entry {
  std::string role;     ///< policy, data, columns, results, file
  std::string path;     ///< as shown (relative to the current directory), or `N rows` for results
  std::string verdict;  ///< same, differs, missing, added, removed, not-computed, absent
  std::string recorded; ///< the recorded hash (empty when none)
  std::string now;      ///< the hash now (empty when none)
  std::string detail;   ///< the text after the path
  std::size_t rows = 0; ///< results: the rows computed (recorded, when they cannot be)
  [[nodiscard]] bool difference() const { return verdict != "same" && verdict != "absent"; }
};

class Verifier {
 public:
  Verifier(Session& s, std::string record_path, bool allow_outside)
      : s_(s), record_path_(std::move(record_path)), allow_outside_(allow_outside),
        base_(fs::path(record_path_).parent_path()) {}

  /// Runs every check; returns the exit code (0 verified, 1 not verified, 2 unreadable).
  int run() {
    if (!read()) return verdict_ == "unreadable" ? 2 : 1;
    recheck();
    verdict_ = differences() == 0 ? "verified" : "not verified";
    return differences() == 0 ? 0 : 1;
  }

  void print_text(std::ostream& out) const {
    out << "verifying " << record_path_;
    if (record_) out << " (" << record_->engine << ")";
    out << "\n";
    std::size_t width = 0;
    for (const Entry& e : entries_) width = std::max(width, utf8::display_width(e.path));
    for (const Entry& e : entries_) {
      const std::string label = e.difference() ? "DIFFERS" : e.verdict == "same" ? "same" : "note";
      std::string role = e.role;
      if (role.size() < 7) role.append(7 - role.size(), ' ');
      out << "  " << label << std::string(9 - label.size(), ' ') << role << "  " << e.path
          << std::string(width - utf8::display_width(e.path) + 2, ' ') << e.detail << "\n";
    }
    if (engine_differs()) out << "  note     engine   " << engine_note() << "\n";
    if (verdict_ == "unreadable") {
      out << "NOT verified: the record cannot be read (see the error above)\n";
    } else if (!problems_.empty()) {
      out << "NOT verified: the record is not valid (" << problems_.size() << (problems_.size() == 1 ? " problem" : " problems")
          << ", listed above)\n";
    } else if (differences() == 0) {
      out << "verified: the same inputs give byte-identical results";
      if (engine_differs()) out << " (" << engine_note() << ")";
      out << "\n";
    } else {
      out << "NOT verified: " << differences() << (differences() == 1 ? " difference" : " differences");
      if (engine_differs()) out << " (" << engine_note() << ")";
      out << "\n";
    }
  }

  [[nodiscard]] std::string json() const {
    std::string out;
    JsonWriter w(out);
    auto text_or_null = [&w](const std::string& v) {
      if (v.empty()) {
        w.null();
      } else {
        w.string(v);
      }
    };
    w.begin_object();
    w.key("version");
    w.integer(1);
    w.key("record");
    w.string(record_path_);
    w.key("verdict");
    w.string(verdict_);
    w.key("differences");
    w.integer(static_cast<std::int64_t>(differences()));
    w.key("engine");
    w.begin_object();
    w.key("recorded");
    text_or_null(record_ ? record_->engine : "");
    w.key("now");
    w.string(now_engine());
    w.key("same");
    w.boolean(!engine_differs());
    w.end_object();
    w.key("files");
    w.begin_array();
    for (const Entry& e : entries_) {
      w.begin_object();
      w.key("role");
      w.string(e.role);
      w.key("path");
      if (e.role == "results") {
        w.null();  // the results as computed again; `rows` counts them
        w.key("rows");
        w.integer(static_cast<std::int64_t>(e.rows));
      } else {
        w.string(e.path);
      }
      w.key("verdict");
      w.string(e.verdict);
      w.key("recorded_sha256");
      text_or_null(e.recorded);
      w.key("sha256");
      text_or_null(e.now);
      w.key("detail");
      w.string(e.detail);
      w.end_object();
    }
    w.end_array();
    w.key("problems");
    w.begin_array();
    for (const RecordProblem& p : problems_) {
      w.begin_object();
      w.key("field");
      w.string(p.field);
      w.key("line");
      w.integer(p.line);
      w.key("column");
      w.integer(p.column);
      w.key("message");
      w.string(p.message);
      w.end_object();
    }
    w.end_array();
    w.key("notes");
    w.begin_array();
    if (engine_differs()) w.string(engine_note());
    w.end_array();
    w.end_object();
    out += "\n";
    return out;
  }

 private:
  static std::string now_engine() { return "jixiao " + std::string(kVersion); }
  [[nodiscard]] bool engine_differs() const { return record_ && record_->engine != now_engine(); }
  [[nodiscard]] std::string engine_note() const {
    return "the engine version differs: recorded " + record_->engine + ", now " + now_engine();
  }
  [[nodiscard]] std::size_t differences() const {
    std::size_t n = problems_.size();
    for (const Entry& e : entries_) n += e.difference() ? 1U : 0U;
    return n;
  }

  /// A path of the record as seen from the current directory.
  [[nodiscard]] std::string here(const std::string& p) const { return (base_ / p).lexically_normal().generic_string(); }

  // ---- the record ----

  bool read() {
    if (const std::string kind = non_regular_kind(record_path_); !kind.empty() && kind != "a directory") {
      s_.report_io_error(record_path_, "cannot read the audit record `" + record_path_ + "`: it is " + kind + ", not a regular file",
                         "give the record file written by `jixiao eval ... --record FILE`");
      verdict_ = "unreadable";
      return false;
    }
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(record_path_, ec);
    if (!ec && size > kMaxRecordBytes) {
      problem_without_text({0, 0, 0, 0, "", "the record is " + std::to_string(size) + " bytes; records written by `jixiao eval --record` are a few kilobytes (at most " +
                                                std::to_string(kMaxRecordBytes >> 20) + " MiB is read)",
                            "give the record file written by `jixiao eval ... --record FILE`"});
      return false;
    }
    auto text = s_.read_file(record_path_, "audit record");
    if (!text) {
      verdict_ = "unreadable";
      return false;
    }
    // Excerpts only from text that is UTF-8 (toml++ names the place of a bad byte itself).
    if (utf8::is_valid(*text)) record_source_ = s_.sources.add(record_path_, *text);
    record_ = read_record(*text, record_path_, allow_outside_, problems_);
    if (record_) return true;
    for (const RecordProblem& p : problems_) report(p);
    verdict_ = "not verified";
    return false;
  }

  void problem_without_text(RecordProblem p) {
    problems_.push_back(p);
    report(p);
    verdict_ = "not verified";
  }

  /// A record problem as a `bad-record` diagnostic, pointing into the record when it has a place.
  void report(const RecordProblem& p) {
    Diagnostic d = make_diagnostic(DiagCode::bad_record, Span{}, p.message, p.hint.empty() ? std::nullopt : std::optional(p.hint));
    d.file = record_path_;
    d.line = p.line;
    d.column = p.column;
    if (p.line > 0 && record_source_.has_value()) {
      const SourceFile& f = s_.sources.get(*record_source_);
      const std::uint32_t begin = offset(f, p.line, p.column);
      const std::uint32_t end = p.end_line == p.line ? offset(f, p.end_line, p.end_column) : begin;
      d.span = Span{*record_source_, begin, std::max(begin, end)};
    }
    s_.report(std::move(d));
  }

  /// The byte offset of a 1-based line and code-point column of `f`.
  static std::uint32_t offset(const SourceFile& f, std::uint32_t line, std::uint32_t column) {
    const std::string_view text = f.line_text(line);
    std::size_t pos = 0;
    for (std::uint32_t c = 1; c < column && pos < text.size(); ++c) (void)utf8::decode(text, pos);
    return f.line_start(line) + static_cast<std::uint32_t>(pos);
  }

  // ---- the evaluation again ----

  void recheck() {
    EvalRequest request = record_->request;
    request.policy = here(request.policy);
    request.data = here(request.data);
    if (request.columns) request.columns = here(*request.columns);
    request.hash_data = true;
    EvalOutcome outcome;
    bool computed = false;
    std::string why_not = "the evaluation fails now (see the errors above)";
    // A recorded input that is now a FIFO or a device is never opened (reading it could block).
    std::vector<std::string> inputs = {request.policy, request.data};
    if (request.columns) inputs.push_back(*request.columns);
    for (const RecordedFile& f : record_->policy_files) {
      if (!f.embedded) inputs.push_back(here(f.path));
    }
    bool blocked = false;
    for (const std::string& path : inputs) {
      if (const std::string kind = non_regular_kind(path); !kind.empty() && !blocked) {
        why_not = "`" + path + "` is " + kind + ", not a regular file";
        blocked = true;
      }
    }
    if (!blocked) {
      try {
        computed = run_evaluation(s_, request, outcome, [](const std::string&) {});
      } catch (const UsageError& e) {
        why_not = std::string(e.what());
      }
    }
    check_policy_files(outcome);
    check_input("data", record_->data, outcome.data_sha256.empty() ? std::nullopt : std::optional(outcome.data_sha256));
    if (record_->columns) {
      check_input("columns", *record_->columns,
                  outcome.columns_read ? std::optional(sha256_hex(outcome.columns_bytes)) : std::nullopt);
    }
    const std::string rows = std::to_string(record_->rows) + " rows";
    if (!computed) {
      entries_.push_back({"results", rows, "not-computed", record_->result_sha256, "", "cannot be computed again: " + why_not, record_->rows});
    } else {
      write_outcome(request, outcome, true, [](std::string_view) {});
      const std::string& now = outcome.result_sha256;
      const std::size_t now_rows = outcome.result->selected.size();
      const bool same = now == record_->result_sha256 && now_rows == record_->rows;
      std::string detail = now == record_->result_sha256 ? "sha256 " + short_hash(now) + ", byte-identical"
                                                         : "recorded " + short_hash(record_->result_sha256) + ", now " + short_hash(now);
      if (now_rows != record_->rows) detail += "; the record says " + std::to_string(record_->rows) + " rows, now " + std::to_string(now_rows);
      entries_.push_back({"results", std::to_string(now_rows) + " rows", same ? "same" : "differs", record_->result_sha256, now, detail, now_rows});
    }
    if (record_->result) check_results_file(*record_->result);
  }

  /// The policy's files now (as the re-check found them) against the recorded ones: each recorded
  /// file the same, none missing, none added.
  void check_policy_files(const EvalOutcome& outcome) {
    std::vector<RecordedFile> now;
    if (outcome.loaded) now = policy_closure(s_, *outcome.loaded, record_path_);
    auto key = [](const RecordedFile& f) { return f.embedded ? f.path : fs::path(f.path).lexically_normal().generic_string(); };
    for (const RecordedFile& f : record_->policy_files) {
      const std::string shown = f.embedded ? f.path : here(f.path);
      const auto it = std::find_if(now.begin(), now.end(), [&](const RecordedFile& n) { return key(n) == key(f); });
      if (it != now.end()) {
        compare("policy", shown, f.sha256, it->sha256);
      } else if (outcome.loaded) {
        entries_.push_back({"policy", shown, "removed", f.sha256, "", "is in the record, but the policy does not use it now"});
      } else {
        // The policy does not load now: each recorded file as it is on disk.
        check_input("policy", f, std::nullopt);
      }
    }
    for (const RecordedFile& n : now) {
      const bool recorded = std::any_of(record_->policy_files.begin(), record_->policy_files.end(),
                                        [&](const RecordedFile& f) { return key(f) == key(n); });
      if (!recorded) {
        entries_.push_back({"policy", n.embedded ? n.path : here(n.path), "added", "", n.sha256,
                            "is used by the policy now (sha256 " + short_hash(n.sha256) + "), but the record does not list it"});
      }
    }
  }

  /// A recorded input: `now` is the hash of the bytes the evaluation read, or nullopt when it did
  /// not get that far (then the file is read here, for the report only).
  void check_input(const std::string& role, const RecordedFile& f, std::optional<std::string> now) {
    std::string shown = f.path;
    if (!now && f.embedded) {
      const std::string name = f.path.substr(4, f.path.size() - 4 - 3);  // std/NAME.jx
      for (const StdlibFile& sf : stdlib_files()) {
        if (sf.name == name) now = sha256_hex(sf.text);
      }
    } else if (!f.embedded) {
      shown = here(f.path);
      if (!now) {
        if (auto bytes = read_quietly(shown)) now = sha256_hex(*bytes);
      }
    }
    if (!now) {
      const std::string kind = non_regular_kind(shown);
      entries_.push_back({role, shown, "missing", f.sha256, "", kind.empty() ? "is missing" : "is " + kind + ", not a regular file"});
      return;
    }
    compare(role, shown, f.sha256, *now);
  }

  void compare(const std::string& role, const std::string& shown, const std::string& recorded, const std::string& now) {
    const bool same = now == recorded;
    entries_.push_back({role, shown, same ? "same" : "differs", recorded, now,
                        same ? "sha256 " + short_hash(now) : "recorded " + short_hash(recorded) + ", now " + short_hash(now)});
  }

  void check_results_file(const RecordedFile& f) {
    const std::string shown = here(f.path);
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(shown, ec)) && !fs::exists(shown, ec)) {
      entries_.push_back({"file", shown, "absent", f.sha256, "", "is not there any more (the recomputed results were compared)"});
      return;
    }
    auto bytes = read_quietly(shown);
    if (!bytes) {
      const std::string kind = non_regular_kind(shown);
      entries_.push_back({"file", shown, "differs", f.sha256, "", kind.empty() ? "cannot be read" : "is " + kind + ", not a regular file"});
      return;
    }
    const std::string now = sha256_hex(*bytes);
    entries_.push_back({"file", shown, now == f.sha256 ? "same" : "differs", f.sha256, now,
                        now == f.sha256 ? "matches the record" : "was changed since it was written (now " + short_hash(now) + ")"});
  }

  Session& s_;
  std::string record_path_;
  bool allow_outside_;
  fs::path base_;
  std::optional<SourceId> record_source_;
  std::optional<AuditRecord> record_;
  std::vector<RecordProblem> problems_;
  std::vector<Entry> entries_;
  std::string verdict_ = "not verified";
};

}  // namespace

int cmd_verify(const std::vector<std::string>& args, Io& io) {
  const ParsedArgs parsed = parse_args(args, 1, verify_options(), "verify");
  if (parsed.has("help")) {
    io.out << kVerifyHelp << options_help(verify_options());
    return 0;
  }
  if (parsed.positional.size() != 1) {
    throw UsageError("`jixiao verify` takes one audit record", "write e.g. `jixiao verify results.record.toml`");
  }
  const std::string format = parsed.value("format").value_or("text");
  if (format != "text" && format != "json") throw UsageError("`--format` is `" + format + "`", "write `--format text` or `--format json`");
  Session s(io, parsed);
  if (format == "json" && s.json) {
    throw UsageError("`--format json` and `--diagnostics-format=" + std::string(s.sarif ? "sarif" : "json") + "` would both write to stdout",
                     "use `--format json` alone: the verdicts go to stdout, the diagnostics to stderr");
  }
  Verifier verifier(s, parsed.positional[0], parsed.has("allow-outside"));
  const int code = verifier.run();
  s.flush_diagnostics();
  if (format == "json") {
    io.out << verifier.json();
  } else if (!s.json) {
    verifier.print_text(io.out);
  }
  return code;
}

}  // namespace jixiao::cli
