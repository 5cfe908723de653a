// The eval pipeline (see evaluation.hpp).
#include "evaluation.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string_view>
#include <thread>

#include "audit.hpp"
#include "jixiao/engine/explain.hpp"
#include "jixiao/engine/loader.hpp"
#include "jixiao/engine/near_miss.hpp"
#include "jixiao/engine/workbook.hpp"
#include "result_options.hpp"

namespace jixiao::cli {

namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

bool run_evaluation(Session& s, const EvalRequest& request, EvalOutcome& out,
                    const std::function<void(const Message&)>& phase) {
  auto t = std::chrono::steady_clock::now();
  out.loaded = load_policy(s, request.policy, request.params);
  if (!out.loaded) return false;
  out.program = engine::compile(out.loaded->plan, request.explain_rows ? engine::explain_trace(out.loaded->policy)
                                                                  : std::vector<ast::ExprId>{});
  out.times.check = ms_since(t);
  if (request.group_by) out.group_by = group_column(out.loaded->policy, *request.group_by);
  s.logger->info("{}", msg::cli_log_checked(request.policy, fmt::format("{:.1f}", out.times.check)).str(lang()));

  // The symbols the results read; every input of an explanation's policy is loaded.
  std::vector<dsl::SymbolId> shown = request.keep ? request.keep(out.loaded->policy, out.group_by)
                                                  : engine::result_symbols(out.loaded->policy);
  if (!request.keep && out.group_by != dsl::kNoSymbol) shown.push_back(out.group_by);  // the workbook's groups read it

  engine::LoadOptions load;
  load.encoding = request.encoding;
  load.threads = request.threads;
  load.sheet = request.sheet;
  load.header_row = request.header_row;
  if (!request.explain_rows) load.skip = engine::inputs_to_skip(out.loaded->policy, shown);
  // The inputs only the programs read (let go of once they have run, below) are loaded narrow:
  // half the bytes for a column of numbers.
  std::vector<std::size_t> unread;
  if (!request.explain_rows) unread = engine::unread_inputs(*out.program, shown);
  if (request.narrow_inputs) {
    load.narrow.assign(out.loaded->policy.module.inputs.size(), false);
    for (const std::size_t i : unread) load.narrow[i] = true;
  }
  if (request.columns) {
    auto text = s.read_file(*request.columns, "column map");
    if (!text) return false;
    out.columns_bytes = *text;
    out.columns_read = true;
    auto map = engine::read_column_map(s.sources, *request.columns, std::move(*text), out.loaded->policy, *s.limit);
    if (!map) return false;
    load.column_map = std::move(*map);
  }
  t = std::chrono::steady_clock::now();
  phase(msg::cli_phase_reading(request.data));
  auto bytes = s.map_file(request.data, "data file");
  if (!bytes) return false;
  if (request.hash_data || request.format == engine::ResultFormat::kXlsx) {
    out.data_sha256 = sha256_hex(bytes->view());
    bytes->release(bytes->view());  // read again as the rows are
  }
  // The bytes move into the loader: valid UTF-8 is kept as read (in the mapping), not copied.
  const Activity loading(msg::cli_activity_loading_data(request.data));
  out.data = engine::load_data(s.sources, request.data, std::move(*bytes), out.loaded->policy, load, *s.limit);
  if (!out.data) return false;
  out.times.load = ms_since(t);
  s.logger->info("{}", msg::cli_log_loaded(out.data->rows, request.data, out.data->encoding, fmt::format("{:.1f}", out.times.load))
                         .str(lang()));
  if (const auto narrow = std::count_if(out.data->inputs.begin(), out.data->inputs.end(), [](const engine::Column& c) { return c.narrow(); })) {
    s.logger->info("{}", msg::nrw_log_narrow(narrow).str(lang()));
  }

  engine::EvalOptions options;
  if (!request.period.empty()) {
    check_period_flag(request.period, out.data->periods);
    options.period = request.period;
  }
  options.all_periods = request.all_periods;
  options.threads = request.threads;
  if (!request.explain_rows) options.keep = &shown;  // the results read no other symbol's values
  if (request.explain_rows) {
    auto rows = request.explain_rows(out.loaded->policy, *out.data);
    if (!rows) return false;
    options.trace_rows = std::move(*rows);
  }
  // The dataset is the command's: no text is interned from here on, so the pool's index goes now,
  // and with `keep` the input columns only the programs read are spent as the rows are evaluated.
  out.data->strings.release_index();
  engine::EvalTimings timings;
  options.timings = &timings;
  t = std::chrono::steady_clock::now();
  phase(msg::cli_phase_evaluating(out.data->rows));
  const Activity evaluating(msg::cli_activity_evaluating(request.policy, request.data));
  out.result = options.keep != nullptr ? engine::evaluate_spending(*out.program, *out.data, options, *s.limit)
                                       : engine::evaluate(*out.program, *out.data, options, *s.limit);
  if (!out.result) return false;
  engine::report_near_misses(out.loaded->policy, *out.data, out.result->selected, *s.limit);
  out.times.evaluate = timings.evaluate_ms;
  out.times.allocate = timings.allocate_ms;
  s.logger->info("{}", msg::cli_log_evaluated(fmt::format("{:.1f}", timings.evaluate_ms),
                                              fmt::format("{:.1f}", timings.allocate_ms), request.threads)
                         .str(lang()));
  return true;
}

std::optional<std::size_t> find_key_row(Session& s, const dsl::CheckedPolicy& policy, const engine::Dataset& data,
                                        const std::string& key, const std::string& period) {
  const std::int32_t wanted = data.periods.empty() ? -1
                              : period.empty()
                                  ? static_cast<std::int32_t>(data.periods.size()) - 1
                                  : static_cast<std::int32_t>(std::find(data.periods.begin(), data.periods.end(), period) -
                                                              data.periods.begin());
  std::vector<std::string> keys;
  std::vector<std::string> other_periods;
  for (std::size_t r = 0; r < data.rows; ++r) {
    const std::string_view k = data.strings.text(static_cast<std::uint32_t>(data.key.values[r]));
    const bool selected = wanted < 0 || data.period_index[r] == wanted;
    if (selected && k == key) return r;
    if (selected) {
      keys.emplace_back(k);
    } else if (k == key) {
      other_periods.push_back(data.periods[static_cast<std::size_t>(data.period_index[r])]);
    }
  }
  const std::string column = policy.module.subject ? policy.module.subject->key.name : "";
  Message message = msg::cli_no_row_with_key(key, column);
  Message hint = msg::cli_hint_key_exact();
  if (!other_periods.empty()) {
    message = msg::cli_key_not_in_period(key, data.periods[static_cast<std::size_t>(wanted)]);
    hint = msg::cli_hint_key_in_periods(plain_list(other_periods));
  } else if (auto best = closest_name(key, keys)) {
    hint = msg::did_you_mean(*best);
  }
  Diagnostic d = diagnose(DiagCode::unknown_key, Span{}, std::move(message), std::move(hint));
  d.file = data.path;
  s.report(std::move(d));
  return std::nullopt;
}

std::size_t default_threads() { return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 64); }

void check_period_flag(const std::string& period, const std::vector<std::string>& periods, bool policies) {
  if (periods.empty()) {
    throw UsageError(policies ? msg::cli_period_no_periods_diff(period) : msg::cli_period_no_periods(period),
                     msg::cli_hint_declare_periods());
  }
  if (std::find(periods.begin(), periods.end(), period) == periods.end()) {
    throw UsageError(msg::cli_no_such_period(period), msg::cli_hint_periods_are(plain_list(periods)));
  }
}

void write_outcome(const EvalRequest& request, EvalOutcome& outcome, bool hash,
                   const std::function<void(std::string_view)>& emit) {
  const auto started = std::chrono::steady_clock::now();
  const Activity writing_results(msg::cli_writing_results());
  std::optional<Sha256> sha;
  if (hash) sha.emplace();
  double writing = 0;
  auto write = [&](std::string_view piece) {
    const auto t = std::chrono::steady_clock::now();
    if (sha) sha->update(piece);
    emit(piece);
    writing += ms_since(t);
  };
  if (request.format == engine::ResultFormat::kXlsx) {
    engine::WorkbookInfo info;
    info.data_name = std::filesystem::path(request.data).filename().string();
    info.data_sha256 = outcome.data_sha256;
    info.overrides = request.params;
    info.group_by = outcome.group_by;
    write(engine::make_workbook(outcome.loaded->policy, *outcome.data, *outcome.result, info));
  } else if (request.out_encoding == engine::Encoding::kGb18030) {
    std::string converted;
    engine::write_results(outcome.loaded->policy, *outcome.data, *outcome.result, request.format, request.threads,
                          [&](std::string_view piece) {
                            converted.clear();
                            engine::append_gb18030(converted, piece);  // pieces are whole rows
                            write(converted);
                          });
  } else {
    if (request.bom) write("\xEF\xBB\xBF");
    engine::write_results(outcome.loaded->policy, *outcome.data, *outcome.result, request.format, request.threads, write);
  }
  if (sha) outcome.result_sha256 = sha->hex();
  outcome.times.write = writing;
  outcome.times.format = ms_since(started) - writing;
}

}  // namespace jixiao::cli
