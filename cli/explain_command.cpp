// `jixiao explain POLICY --data FILE --id KEY`: evaluate as `eval` does, then show how one
// community's scores, grade, alert and money were derived, step by step (text or JSON).
#include <algorithm>

#include "commands.hpp"
#include "evaluation.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "jixiao/engine/explain.hpp"
#include "jixiao/engine/loader.hpp"

namespace jixiao::cli {

namespace {

std::vector<OptionSpec> explain_options() {
  return with_common({
      {"data", 'd', "FILE", msg::cli_opt_data()},
      {"id", 0, "KEY", msg::cli_opt_id()},
      {"format", 0, "FORMAT", msg::cli_opt_format_text_json()},
      {"param", 0, "NAME=VALUE", msg::cli_opt_param(), true},
      {"encoding", 0, "NAME", msg::cli_opt_encoding()},
      {"sheet", 0, "NAME", msg::xin_opt_sheet()},
      {"header-row", 0, "N", msg::xin_opt_header_row()},
      {"columns", 0, "FILE", msg::cli_opt_columns()},
      {"period", 0, "PERIOD", msg::cli_opt_period_explain()},
  });
}

}  // namespace

int cmd_explain(const std::vector<std::string>& args, Io& io) {
  const ParsedArgs parsed = parse_args(args, 1, explain_options(), "explain");
  if (parsed.has("help")) {
    io.out << msg::cli_explain_help().str(lang()) << options_help(explain_options());
    return 0;
  }
  if (parsed.positional.size() != 1) {
    throw UsageError(parsed.positional.empty() ? msg::cli_needs_policy("explain")
                                               : msg::cli_takes_one_policy("explain", parsed.positional.size()),
                     msg::hint_write_eg("jixiao explain examples/3x/policy.jx --data examples/3x/data/communities.csv --id 330110001001"));
  }
  const auto data_path = parsed.value("data");
  if (!data_path) {
    throw UsageError(msg::cli_needs_data("explain"), msg::hint_write_eg("--data examples/3x/data/communities.csv"));
  }
  const auto id = parsed.value("id");
  if (!id) {
    throw UsageError(msg::cli_needs_id(), msg::cli_hint_id());
  }
  const std::string format_name = parsed.value("format").value_or("text");
  if (format_name != "text" && format_name != "json") {
    throw UsageError(msg::flag_bad_choice("format", format_name),
                     msg::hint_write_one_of(std::vector<std::string>{"--format text", "--format json"}));
  }
  engine::LoadOptions load;
  load.encoding = encoding_flag(parsed);
  sheet_flags(parsed, load.sheet, load.header_row);
  Session s(io, parsed);
  if (s.json) {
    throw UsageError(msg::cli_diagnostics_take_stdout(msg::cli_what_explanation()), msg::cli_hint_explain_json());
  }
  const auto params = param_overrides(parsed);
  auto fail = [&]() {
    s.flush_diagnostics();
    return s.exit_code();
  };

  auto loaded = load_policy(s, parsed.positional[0], params);
  if (!loaded) return fail();
  if (auto map_path = parsed.value("columns")) {
    auto text = s.read_file(*map_path, "column map");
    if (!text) return fail();
    auto map = engine::read_column_map(s.sources, *map_path, std::move(*text), loaded->policy, *s.limit);
    if (!map) return fail();
    load.column_map = std::move(*map);
  }
  auto bytes = s.read_file(*data_path, "data file");
  if (!bytes) return fail();
  const Activity loading(msg::cli_activity_loading_data(*data_path));
  auto data = engine::load_data(s.sources, *data_path, std::move(*bytes), loaded->policy, load, *s.limit);
  bytes.reset();
  if (!data) return fail();

  engine::EvalOptions options;
  if (auto period = parsed.value("period")) {
    check_period_flag(*period, data->periods);
    options.period = *period;
  }
  const auto row = find_key_row(s, loaded->policy, *data, *id, options.period);
  if (!row) return fail();
  options.trace_rows = {*row};  // what the engine computes on the way is recorded on this row only

  data->strings.release_index();  // no text is interned from here on
  auto result = engine::evaluate(loaded->plan, *data, options, engine::explain_trace(loaded->policy), *s.limit);
  if (!result) return fail();
  const auto format = format_name == "json" ? engine::ExplainFormat::kJson : engine::ExplainFormat::kText;
  io.out << engine::explain_row(loaded->policy, *data, *result, *row, format);
  io.out.flush();
  s.flush_diagnostics();
  return s.exit_code();
}

}  // namespace jixiao::cli
