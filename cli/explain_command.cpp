// `jixiao explain POLICY --data FILE --id KEY`: evaluate as `eval` does, then show how one
// community's scores, grade, alert and money were derived, step by step (text or JSON).
#include <algorithm>

#include "commands.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "jixiao/engine/explain.hpp"
#include "jixiao/engine/loader.hpp"

namespace jixiao::cli {

namespace {

constexpr std::string_view kExplainHelp =
    "Usage: jixiao explain POLICY --data FILE --id KEY [--format text|json] [--param NAME=VALUE]...\n"
    "\n"
    "Evaluates the policy over the data exactly as `jixiao eval` does, then shows for the\n"
    "community KEY how its result was derived: every indicator with the inputs its formula read,\n"
    "clamping, weights and full marks; deductions and bonuses with their caps; lets; vetoes with\n"
    "their reasons and effects; the grade and alert bands hit and what vetoes changed; and for each\n"
    "fund track its eligibility, weight, the sum of weights, the exact share and the fen received.\n"
    "With periods, --period chooses the period (default: the latest).\n"
    "\n"
    "Options:\n";

std::vector<OptionSpec> explain_options() {
  return with_common({
      {"data", 'd', "FILE", "the community data (CSV)"},
      {"id", 0, "KEY", "the community to explain: its value in the key column"},
      {"format", 0, "FORMAT", "text (default) or json"},
      {"param", 0, "NAME=VALUE", "override a param, e.g. --param 资金池=5000万元 (repeatable)", true},
      {"encoding", 0, "NAME", "the data's encoding: auto (default), utf-8, gbk or gb18030"},
      {"columns", 0, "FILE", "a TOML column map: [columns] \"输入名\" = \"表头\""},
      {"period", 0, "PERIOD", "with periods in the data: the period to explain (default: the latest)"},
  });
}

// The row of `key` in the evaluated period, or nullopt after reporting `unknown-key`.
std::optional<std::size_t> find_row(Session& s, const dsl::CheckedPolicy& policy, const engine::Dataset& data,
                                    const std::string& key, const std::string& period) {
  const std::int32_t wanted = data.periods.empty() ? -1
                              : period.empty()
                                  ? static_cast<std::int32_t>(data.periods.size()) - 1
                                  : static_cast<std::int32_t>(std::find(data.periods.begin(), data.periods.end(), period) -
                                                              data.periods.begin());
  std::vector<std::string> keys;
  std::vector<std::string> other_periods;
  for (std::size_t r = 0; r < data.rows; ++r) {
    const std::string& k = data.strings.text(static_cast<std::uint32_t>(data.key.values[r]));
    const bool selected = wanted < 0 || data.period_index[r] == wanted;
    if (selected && k == key) return r;
    if (selected) {
      keys.push_back(k);
    } else if (k == key) {
      other_periods.push_back(data.periods[static_cast<std::size_t>(data.period_index[r])]);
    }
  }
  const std::string column = policy.module.subject ? policy.module.subject->key.name : "";
  std::string message = "no row has `" + key + "` in the key column `" + column + "`";
  std::string hint;
  if (!other_periods.empty()) {
    const std::string& p = data.periods[static_cast<std::size_t>(wanted)];
    message = "`" + key + "` has no row in period " + p;
    hint = "it has rows in ";
    for (std::size_t i = 0; i < other_periods.size(); ++i) hint += (i ? ", " : "") + other_periods[i];
    hint += "; choose one with `--period`";
  } else if (auto best = closest_name(key, keys)) {
    hint = "did you mean `" + *best + "`?";
  } else {
    hint = "the key is matched exactly, as written in the data";
  }
  Diagnostic d = make_diagnostic(DiagCode::unknown_key, Span{}, message, hint);
  d.file = data.path;
  s.report(std::move(d));
  return std::nullopt;
}

}  // namespace

int cmd_explain(const std::vector<std::string>& args, Io& io) {
  const ParsedArgs parsed = parse_args(args, 1, explain_options(), "explain");
  if (parsed.has("help")) {
    io.out << kExplainHelp << options_help(explain_options());
    return 0;
  }
  if (parsed.positional.size() != 1) {
    throw UsageError(parsed.positional.empty() ? "`jixiao explain` needs a policy file"
                                               : "`jixiao explain` takes one policy file, not " +
                                                     std::to_string(parsed.positional.size()),
                     "write e.g. `jixiao explain examples/3x/policy.jx --data examples/3x/data/communities.csv --id 330110001001`");
  }
  const auto data_path = parsed.value("data");
  if (!data_path) {
    throw UsageError("`jixiao explain` needs the data: `--data FILE`", "write e.g. `--data examples/3x/data/communities.csv`");
  }
  const auto id = parsed.value("id");
  if (!id) {
    throw UsageError("`jixiao explain` needs the community: `--id KEY`", "write its value in the key column, e.g. `--id 330110001001`");
  }
  const std::string format_name = parsed.value("format").value_or("text");
  if (format_name != "text" && format_name != "json") {
    throw UsageError("`--format` is `" + format_name + "`", "write `--format text` or `--format json`");
  }
  engine::LoadOptions load;
  load.encoding = encoding_flag(parsed);
  Session s(io, parsed);
  if (s.json) {
    throw UsageError("with `--diagnostics-format=json` the diagnostics take stdout, so the explanation cannot",
                     "leave out `--diagnostics-format=json`; `--format json` writes the explanation as JSON");
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
  const Activity loading("loading data file `" + *data_path + "`");
  auto data = engine::load_csv(s.sources, *data_path, *bytes, loaded->policy, load, *s.limit);
  bytes.reset();
  if (!data) return fail();

  engine::EvalOptions options;
  if (auto period = parsed.value("period")) {
    if (data->periods.empty()) {
      throw UsageError("`--period " + *period + "` was given, but the policy has no periods",
                       "declare them with `subject ... key ... period 年度`, or leave out `--period`");
    }
    if (std::find(data->periods.begin(), data->periods.end(), *period) == data->periods.end()) {
      std::string list;
      for (const auto& p : data->periods) list += (list.empty() ? "" : ", ") + p;
      throw UsageError("the data has no period `" + *period + "`", "its periods are " + list);
    }
    options.period = *period;
  }
  const auto row = find_row(s, loaded->policy, *data, *id, options.period);
  if (!row) return fail();

  auto result = engine::evaluate(loaded->plan, *data, options, engine::explain_trace(loaded->policy), *s.limit);
  if (!result) return fail();
  const auto format = format_name == "json" ? engine::ExplainFormat::kJson : engine::ExplainFormat::kText;
  io.out << engine::explain_row(loaded->policy, *data, *result, *row, format);
  io.out.flush();
  s.flush_diagnostics();
  return s.exit_code();
}

}  // namespace jixiao::cli
