// `jixiao report POLICY --data FILE --out 报告.html`: evaluate as `eval` does, then write the report
// (engine/report.hpp, docs/report.md) through the run's output transaction.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "commands.hpp"
#include "evaluation.hpp"
#include "files.hpp"
#include "jixiao/engine/report.hpp"
#include "jixiao/engine/results.hpp"

namespace jixiao::cli {

namespace {

std::vector<OptionSpec> report_options() {
  return with_common({
      {"data", 'd', "FILE", msg::cli_opt_data()},
      {"out", 'o', "FILE", msg::rp_opt_out()},
      {"group-by", 0, "COLUMN", msg::rp_opt_group_by()},
      {"id", 0, "KEY", msg::rp_opt_id(), true},
      {"title", 0, "TEXT", msg::rp_opt_title()},
      {"param", 0, "NAME=VALUE", msg::cli_opt_param(), true},
      {"encoding", 0, "NAME", msg::cli_opt_encoding()},
      {"sheet", 0, "NAME", msg::xin_opt_sheet()},
      {"header-row", 0, "N", msg::xin_opt_header_row()},
      {"columns", 0, "FILE", msg::cli_opt_columns()},
      {"period", 0, "PERIOD", msg::rp_opt_period()},
  });
}

/// True when `path` ends in `.html` or `.htm` (any case).
bool html_name(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".html" || ext == ".htm";
}

}  // namespace

int cmd_report(const std::vector<std::string>& args, Io& io) {
  const auto started = std::chrono::steady_clock::now();
  const ParsedArgs parsed = parse_args(args, 1, report_options(), "report");
  if (parsed.has("help")) {
    io.out << msg::rp_help().str(lang()) << options_help(report_options());
    return 0;
  }
  if (parsed.positional.size() != 1) {
    throw UsageError(parsed.positional.empty() ? msg::cli_needs_policy("report") : msg::cli_takes_one_policy("report", parsed.positional.size()),
                     msg::hint_write_eg("jixiao report examples/3x/policy.jx --data examples/3x/data/communities.csv --out 报告.html"));
  }
  const auto data_path = parsed.value("data");
  if (!data_path) throw UsageError(msg::cli_needs_data("report"), msg::hint_write_eg("--data examples/3x/data/communities.csv"));
  const auto out_path = parsed.value("out");
  if (!out_path) throw UsageError(msg::rp_needs_out(), msg::rp_hint_out());
  Session s(io, parsed);
  OutputSet outputs;
  const std::size_t report_out = outputs.add(*out_path, "--out", msg::rp_out_report());
  auto fail = [&]() {
    s.flush_diagnostics();
    return s.exit_code();
  };

  EvalRequest request;
  request.policy = parsed.positional[0];
  request.data = *data_path;
  request.params = param_overrides(parsed);
  request.encoding = encoding_flag(parsed);
  sheet_flags(parsed, request.sheet, request.header_row);
  request.columns = parsed.value("columns");
  request.period = parsed.value("period").value_or("");
  request.group_by = parsed.value("group-by");
  request.threads = default_threads();  // loading and evaluating share the rows; the report is the same
  request.hash_data = true;  // the report's header prints the data's SHA-256
  request.keep = [](const dsl::CheckedPolicy& policy, dsl::SymbolId group_by) { return engine::report_symbols(policy, group_by); };
  std::vector<std::string> ids;
  for (const std::string& id : parsed.all("id")) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  engine::ReportInfo info;
  if (!ids.empty()) {
    request.explain_rows = [&](const dsl::CheckedPolicy& policy, const engine::Dataset& data) -> std::optional<std::vector<std::size_t>> {
      bool found = true;
      for (const std::string& id : ids) {
        const auto row = find_key_row(s, policy, data, id, request.period);
        if (row) info.sheets.push_back(*row);
        found = found && row.has_value();
      }
      if (!found) return std::nullopt;
      return info.sheets;
    };
  }
  std::vector<InputFile> named = {{request.policy, msg::cli_the_policy()}, {request.data, msg::cli_the_data()}};
  if (request.columns) named.push_back({*request.columns, msg::cli_the_column_map()});
  outputs.refuse_inputs(named);  // first: `--out data.csv` is above all an input about to be lost
  if (!html_name(*out_path)) {
    const std::string suggested = *out_path == "-" ? std::string("报告.html") : std::filesystem::path(*out_path).replace_extension(".html").string();
    throw UsageError(msg::rp_out_not_html(*out_path), msg::rp_hint_out_html(suggested));
  }

  EvalOutcome outcome;
  if (!run_evaluation(s, request, outcome, [](const Message&) {})) return fail();
  outputs.refuse_inputs(s.inputs());
  const dsl::CheckedPolicy& policy = outcome.loaded->policy;

  info.title = parsed.value("title").value_or("");
  info.data_name = std::filesystem::path(request.data).filename().string();
  info.data_sha256 = outcome.data_sha256;
  info.overrides = request.params;
  info.group_by = outcome.group_by;

  std::string html;
  {
    const Activity writing(msg::rp_activity_writing());
    html = engine::make_report(policy, *outcome.data, *outcome.result, info);
  }
  if (auto e = outputs.stage(report_out, html)) {
    s.report_io_error(e->path, e->message, msg::cli_hint_dir_writable_unchanged());
    return fail();
  }
  if (auto e = outputs.commit()) {
    s.report_io_error(e->path, e->message, msg::cli_hint_dir_writable_unchanged());
    return fail();
  }
  s.logger->info("{}", msg::rp_log_wrote(html.size(), fmt::format("{:.1f}", std::chrono::duration<double, std::milli>(
                                                                                 std::chrono::steady_clock::now() - started)
                                                                                 .count()))
                           .str(lang()));
  s.flush_diagnostics();
  if (s.verbosity >= 0) {
    std::string summary = engine::format_summary(policy, *outcome.data, *outcome.result, lang());
    summary += msg::rp_written(outputs.path(report_out)).str(lang()) + "\n";
    (s.json ? io.err : io.out) << summary;
  }
  return s.exit_code();
}

}  // namespace jixiao::cli
