// `jixiao verify RECORD`: re-run an evaluation recorded by `eval --record` and confirm that every
// input is unchanged and the results are byte-identical, or name what differs.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit.hpp"
#include "commands.hpp"
#include "input_file.hpp"
#include "jixiao/dsl/version.hpp"
#include "jixiao/stdlib.hpp"

namespace jixiao::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kVerifyHelp =
    "Usage: jixiao verify RECORD\n"
    "\n"
    "Re-runs the evaluation an audit record describes (`jixiao eval ... --record RECORD`): checks\n"
    "the SHA-256 of every policy file (its bases and imports too), of the data and of the column\n"
    "map, evaluates again, and compares the results byte for byte with the recorded hash (and with\n"
    "the recorded results file, if it is still there). Exit 0 when everything matches, 1 when\n"
    "anything differs (each difference is named), 2 when the record cannot be read.\n"
    "\n"
    "Options:\n";

std::vector<OptionSpec> verify_options() { return with_common({}); }

std::optional<std::string> read_bytes(const fs::path& p) {
  std::string bytes;
  if (read_regular_file(p.string(), bytes)) return std::nullopt;
  return bytes;
}

std::string short_hash(const std::string& h) { return h.substr(0, 16) + "…"; }

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
  const std::string record_path = parsed.positional[0];
  Session s(io, parsed);
  auto text = s.read_file(record_path, "audit record");
  if (!text) {
    s.flush_diagnostics();
    return s.exit_code();
  }
  std::string error;
  auto record = read_record(*text, record_path, error);
  if (!record) {
    io.err << "jixiao: error: " << error << " [io-error]\nhint: give a record written by `jixiao eval ... --record FILE`\n";
    return 2;
  }
  // Paths in the record are relative to its directory.
  const fs::path base = fs::path(record_path).parent_path();
  auto here = [&](const std::string& p) { return (base / p).lexically_normal().generic_string(); };

  std::vector<std::string> lines;
  std::size_t differences = 0;
  auto line = [&](bool same, const std::string& what, const std::string& path, const std::string& detail) {
    lines.push_back(std::string(same ? "  same     " : "  DIFFERS  ") + what + "  " + path + "  " + detail);
    if (!same) ++differences;
  };
  auto check_file = [&](const std::string& what, const RecordedFile& f) {
    std::optional<std::string> bytes;
    std::string shown = f.path;
    if (f.embedded) {
      const std::string name = f.path.substr(4, f.path.size() - 4 - 3);  // std/NAME.jx
      for (const StdlibFile& sf : stdlib_files()) {
        if (sf.name == name) bytes = std::string(sf.text);
      }
    } else {
      shown = here(f.path);
      bytes = read_bytes(shown);
    }
    if (!bytes) {
      line(false, what, shown, "is missing");
      return;
    }
    const std::string now = sha256_hex(*bytes);
    line(now == f.sha256, what, shown, now == f.sha256 ? "sha256 " + short_hash(now) : "recorded " + short_hash(f.sha256) + ", now " + short_hash(now));
  };
  if (record->engine != "jixiao " + std::string(kVersion)) {
    line(false, "engine", record->engine, "recorded; this is jixiao " + std::string(kVersion));
  }
  for (const RecordedFile& f : record->policy_files) check_file("policy ", f);
  check_file("data   ", record->data);
  if (record->columns) check_file("columns", *record->columns);

  EvalRequest request = record->request;
  request.policy = here(request.policy);
  request.data = here(request.data);
  if (request.columns) request.columns = here(*request.columns);
  auto outcome = run_evaluation(s, request, [](const std::string&) {});
  if (!outcome) {
    line(false, "results", std::to_string(record->rows) + " rows", "cannot be computed again: the evaluation fails now (see above)");
  } else {
    write_outcome(request, *outcome, true, [](std::string_view) {});
    const std::string& now = outcome->result_sha256;
    line(now == record->result_sha256, "results", std::to_string(outcome->result->selected.size()) + " rows",
         now == record->result_sha256 ? "sha256 " + short_hash(now) + ", byte-identical"
                                      : "recorded " + short_hash(record->result_sha256) + ", now " + short_hash(now));
  }
  if (record->result) {
    const std::string shown = here(record->result->path);
    if (auto bytes = read_bytes(shown)) {
      const std::string file_hash = sha256_hex(*bytes);
      line(file_hash == record->result_sha256, "file   ", shown,
           file_hash == record->result_sha256 ? "matches the record" : "was changed since it was written (now " + short_hash(file_hash) + ")");
    } else {
      lines.push_back("  note     file     " + shown + "  is not there any more (the recomputed results were compared)");
    }
  }
  s.flush_diagnostics();
  io.out << "verifying " << record_path << " (" << record->engine << ")\n";
  for (const auto& l : lines) io.out << l << "\n";
  if (differences == 0) {
    io.out << "verified: the same inputs give byte-identical results\n";
    return 0;
  }
  io.out << "NOT verified: " << differences << (differences == 1 ? " difference\n" : " differences\n");
  return 1;
}

}  // namespace jixiao::cli
