// The eval pipeline (see evaluation.hpp).
#include "evaluation.hpp"

#include <algorithm>
#include <chrono>

#include "audit.hpp"
#include "jixiao/engine/loader.hpp"

namespace jixiao::cli {

namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

std::optional<EvalOutcome> run_evaluation(Session& s, const EvalRequest& request,
                                          const std::function<void(const std::string&)>& phase) {
  EvalOutcome out;
  auto t = std::chrono::steady_clock::now();
  out.loaded = load_policy(s, request.policy, request.params);
  if (!out.loaded) return std::nullopt;
  out.times.check = ms_since(t);
  s.logger->info("checked `{}` in {:.1f} ms", request.policy, out.times.check);

  engine::LoadOptions load;
  load.encoding = request.encoding;
  if (request.columns) {
    auto text = s.read_file(*request.columns, "column map");
    if (!text) return std::nullopt;
    out.columns_bytes = *text;
    auto map = engine::read_column_map(s.sources, *request.columns, std::move(*text), out.loaded->policy, *s.limit);
    if (!map) return std::nullopt;
    load.column_map = std::move(*map);
  }
  t = std::chrono::steady_clock::now();
  phase("reading " + request.data);
  auto bytes = s.read_file(request.data, "data file");
  if (!bytes) return std::nullopt;
  if (request.hash_data) out.data_sha256 = sha256_hex(*bytes);
  // The bytes move into the loader: valid UTF-8 is kept as read, not copied.
  out.data = engine::load_csv(s.sources, request.data, std::move(*bytes), out.loaded->policy, load, *s.limit);
  if (!out.data) return std::nullopt;
  out.times.load = ms_since(t);
  s.logger->info("loaded {} rows from `{}` ({}) in {:.1f} ms", out.data->rows, request.data, out.data->encoding, out.times.load);

  engine::EvalOptions options;
  if (!request.period.empty()) {
    const auto& periods = out.data->periods;
    if (periods.empty()) {
      throw UsageError("`--period " + request.period + "` was given, but the policy has no periods",
                       "declare them with `subject ... key ... period 年度`, or leave out `--period`");
    }
    if (std::find(periods.begin(), periods.end(), request.period) == periods.end()) {
      std::string list;
      for (const auto& p : periods) list += (list.empty() ? "" : ", ") + p;
      throw UsageError("the data has no period `" + request.period + "`", "its periods are " + list);
    }
    options.period = request.period;
  }
  options.all_periods = request.all_periods;
  options.threads = request.threads;
  engine::EvalTimings timings;
  options.timings = &timings;
  t = std::chrono::steady_clock::now();
  phase("evaluating " + std::to_string(out.data->rows) + " rows");
  out.result = engine::evaluate(out.loaded->plan, *out.data, options, *s.limit);
  if (!out.result) return std::nullopt;
  out.times.evaluate = timings.evaluate_ms;
  out.times.allocate = timings.allocate_ms;
  s.logger->info("evaluated in {:.1f} ms and allocated in {:.1f} ms ({} threads)", timings.evaluate_ms, timings.allocate_ms,
                 request.threads);
  phase("formatting the results");
  t = std::chrono::steady_clock::now();
  out.text = engine::format_results(out.loaded->policy, *out.data, *out.result, request.format);
  out.times.format = ms_since(t);
  return out;
}

}  // namespace jixiao::cli
