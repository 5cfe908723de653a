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
#include "jixiao/engine/workbook.hpp"
#include "jixiao/stdlib.hpp"

namespace jixiao::cli {

namespace fs = std::filesystem;

namespace {

std::vector<OptionSpec> verify_options() {
  return with_common({
      {"format", 0, "FORMAT", msg::cli_opt_format_verify()},
      {"allow-outside", 0, "", msg::cli_opt_allow_outside()},
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
  Message detail;       ///< the text after the path
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
    const Lang l = lang();
    out << (record_ ? msg::cli_verifying_engine(record_path_, record_->engine) : msg::cli_verifying(record_path_)).str(l) << "\n";
    // The columns: the verdict, the role (each at least 7 wide, as in English), the path, the detail.
    struct Line {
      std::string label, role, path, detail;
    };
    std::vector<Line> lines;
    for (const Entry& e : entries_) {
      const Message label = e.difference() ? msg::cli_verdict_differs() : e.verdict == "same" ? msg::cli_verdict_same() : msg::cli_verdict_note();
      lines.push_back({label.str(l), role_text(e.role).str(l), e.path, e.detail.str(l)});
    }
    if (engine_differs()) lines.push_back({msg::cli_verdict_note().str(l), msg::cli_role_engine().str(l), "", engine_note().str(l)});
    std::size_t label_width = 7;
    std::size_t role_width = 7;
    std::size_t width = 0;
    for (const Line& line : lines) {
      label_width = std::max(label_width, utf8::display_width(line.label));
      role_width = std::max(role_width, utf8::display_width(line.role));
      width = std::max(width, utf8::display_width(line.path));
    }
    auto padded = [](const std::string& text, std::size_t w) { return text + std::string(w - utf8::display_width(text), ' '); };
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const Line& line = lines[i];
      out << "  " << padded(line.label, label_width + 2) << padded(line.role, role_width) << "  ";
      if (i < entries_.size()) out << padded(line.path, width + 2);  // the engine's note has no path
      out << line.detail << "\n";
    }
    Message verdict = msg::cli_verified();
    if (verdict_ == "unreadable") {
      verdict = msg::cli_not_verified_unreadable();
    } else if (!problems_.empty()) {
      verdict = problems_.size() == 1 ? msg::cli_not_verified_invalid_one(problems_.size()) : msg::cli_not_verified_invalid_many(problems_.size());
    } else {
      if (differences() > 0) verdict = differences() == 1 ? msg::cli_not_verified_one(differences()) : msg::cli_not_verified_many(differences());
      if (engine_differs()) verdict = msg::cli_with_note(verdict, engine_note());
    }
    out << verdict.str(l) << "\n";
  }

  [[nodiscard]] std::string json() const {
    std::string out;
    JsonWriter w(out);
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
    w.string_or_null(record_ ? record_->engine : "");
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
      w.string_or_null(e.recorded);
      w.key("sha256");
      w.string_or_null(e.now);
      w.key("detail");
      w.string(e.detail.str(lang()));
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
      w.string(p.message.str(lang()));
      w.end_object();
    }
    w.end_array();
    w.key("notes");
    w.begin_array();
    if (engine_differs()) w.string(engine_note().str(lang()));
    w.end_array();
    w.end_object();
    out += "\n";
    return out;
  }

 private:
  static std::string now_engine() { return "jixiao " + std::string(kVersion); }
  [[nodiscard]] bool engine_differs() const { return record_ && record_->engine != now_engine(); }
  [[nodiscard]] Message engine_note() const { return msg::cli_engine_note(record_->engine, now_engine()); }
  /// The role of an entry (`policy`, `data`, ...) as the text report shows it.
  static Message role_text(const std::string& role) {
    if (role == "policy") return msg::cli_role_policy();
    if (role == "data") return msg::cli_role_data();
    if (role == "columns") return msg::cli_role_columns();
    if (role == "results") return msg::cli_role_results();
    return msg::cli_role_file();
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
    bool directory = false;
    if (const auto kind = non_regular_kind(record_path_, &directory); kind && !directory) {
      s_.report_io_error(record_path_, msg::cli_cannot_read_record(record_path_, msg::cli_not_regular(*kind)), msg::cli_hint_give_record());
      verdict_ = "unreadable";
      return false;
    }
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(record_path_, ec);
    if (!ec && size > kMaxRecordBytes) {
      problem_without_text({0, 0, 0, 0, "", msg::cli_record_too_big(size, kMaxRecordBytes >> 20), msg::cli_hint_give_record()});
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
    Diagnostic d = diagnose(DiagCode::bad_record, Span{}, p.message, p.hint);
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
    Message why_not = msg::cli_why_evaluation_fails();
    // A recorded input that is now a FIFO or a device is never opened (reading it could block).
    std::vector<std::string> inputs = {request.policy, request.data};
    if (request.columns) inputs.push_back(*request.columns);
    for (const RecordedFile& f : record_->policy_files) {
      if (!f.embedded) inputs.push_back(here(f.path));
    }
    bool blocked = false;
    for (const std::string& path : inputs) {
      if (const auto kind = non_regular_kind(path); kind && !blocked) {
        why_not = msg::cli_why_not_regular(path, *kind);
        blocked = true;
      }
    }
    if (!blocked) {
      try {
        computed = run_evaluation(s_, request, outcome, [](const Message&) {});
      } catch (const UsageError& e) {
        why_not = e.message();
      }
    }
    check_policy_files(outcome);
    check_input("data", record_->data, outcome.data_sha256.empty() ? std::nullopt : std::optional(outcome.data_sha256));
    if (record_->columns) {
      check_input("columns", *record_->columns,
                  outcome.columns_read ? std::optional(sha256_hex(outcome.columns_bytes)) : std::nullopt);
    }
    if (computed) {
      try {
        write_outcome(request, outcome, true, [](std::string_view) {});
      } catch (const engine::WorkbookError& e) {
        computed = false;
        why_not = e.message();
      }
    }
    if (!computed) {
      entries_.push_back({"results", msg::cli_rows(record_->rows).str(lang()), "not-computed", record_->result_sha256, "",
                          msg::cli_detail_not_computed(why_not), record_->rows});
    } else {
      const std::string& now = outcome.result_sha256;
      const std::size_t now_rows = outcome.result->selected.size();
      const bool same = now == record_->result_sha256 && now_rows == record_->rows;
      Message detail = now == record_->result_sha256 ? msg::cli_detail_identical(short_hash(now))
                                                     : msg::cli_detail_recorded_now(short_hash(record_->result_sha256), short_hash(now));
      if (now_rows != record_->rows) detail = msg::cli_detail_rows_differ(detail, record_->rows, now_rows);
      entries_.push_back({"results", msg::cli_rows(now_rows).str(lang()), same ? "same" : "differs", record_->result_sha256, now, detail, now_rows});
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
        entries_.push_back({"policy", shown, "removed", f.sha256, "", msg::cli_detail_removed()});
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
                            msg::cli_detail_added(short_hash(n.sha256))});
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
      const auto kind = non_regular_kind(shown);
      entries_.push_back({role, shown, "missing", f.sha256, "", kind ? msg::cli_detail_not_regular(*kind) : msg::cli_detail_missing()});
      return;
    }
    compare(role, shown, f.sha256, *now);
  }

  void compare(const std::string& role, const std::string& shown, const std::string& recorded, const std::string& now) {
    const bool same = now == recorded;
    entries_.push_back({role, shown, same ? "same" : "differs", recorded, now,
                        same ? msg::cli_detail_sha(short_hash(now)) : msg::cli_detail_recorded_now(short_hash(recorded), short_hash(now))});
  }

  void check_results_file(const RecordedFile& f) {
    const std::string shown = here(f.path);
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(shown, ec)) && !fs::exists(shown, ec)) {
      entries_.push_back({"file", shown, "absent", f.sha256, "", msg::cli_detail_absent()});
      return;
    }
    auto bytes = read_quietly(shown);
    if (!bytes) {
      const auto kind = non_regular_kind(shown);
      entries_.push_back({"file", shown, "differs", f.sha256, "", kind ? msg::cli_detail_not_regular(*kind) : msg::cli_detail_unreadable()});
      return;
    }
    const std::string now = sha256_hex(*bytes);
    entries_.push_back({"file", shown, now == f.sha256 ? "same" : "differs", f.sha256, now,
                        now == f.sha256 ? msg::cli_detail_matches() : msg::cli_detail_changed(short_hash(now))});
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
    io.out << msg::cli_verify_help().str(lang()) << options_help(verify_options());
    return 0;
  }
  if (parsed.positional.size() != 1) {
    throw UsageError(msg::cli_verify_takes_one(), msg::hint_write_eg("jixiao verify results.record.toml"));
  }
  const std::string format = parsed.value("format").value_or("text");
  if (format != "text" && format != "json") {
    throw UsageError(msg::flag_bad_choice("format", format),
                     msg::hint_write_one_of(std::vector<std::string>{"--format text", "--format json"}));
  }
  Session s(io, parsed);
  if (format == "json" && s.json) {
    throw UsageError(msg::cli_verify_both_stdout(s.sarif ? "sarif" : "json"), msg::cli_hint_verify_json_alone());
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
