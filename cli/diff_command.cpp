// `jixiao diff OLD NEW [--data FILE]`: what changed between two policies (each merged and checked),
// and with data, which communities the change moves and through which rules.
#include <algorithm>

#include "commands.hpp"
#include "jixiao/engine/diff.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "jixiao/engine/loader.hpp"
#include "evaluation.hpp"
#include "resolver.hpp"

namespace jixiao::cli {

namespace {

std::vector<OptionSpec> diff_options() {
  return with_common({
      {"format", 0, "FORMAT", msg::cli_opt_format_diff()},
      {"data", 'd', "FILE", msg::cli_opt_data_diff()},
      {"param", 0, "NAME=VALUE", msg::cli_opt_param_diff(), true},
      {"encoding", 0, "NAME", msg::cli_opt_encoding()},
      {"sheet", 0, "NAME", msg::xin_opt_sheet()},
      {"header-row", 0, "N", msg::xin_opt_header_row()},
      {"columns", 0, "FILE", msg::cli_opt_columns()},
      {"period", 0, "PERIOD", msg::cli_opt_period_diff()},
  });
}

// Reads, parses and links one policy (extends, imports, overrides); nullopt after an error.
std::optional<dsl::LinkedPolicy> link_policy(Session& s, const std::string& path) {
  auto text = s.read_file(path, "policy");
  if (!text) return std::nullopt;
  const SourceId id = s.sources.add(path, std::move(*text));
  FileResolver resolver(path);
  return dsl::link(s.sources, id, resolver.top_key(), resolver, *s.limit);
}

// Whether the policy declares the param an override names (`资金池`, or `街道资金.城东街道`).
bool declares(const ast::Module& m, const std::string& name) {
  const std::string head = name.substr(0, name.find('.'));
  return std::any_of(m.params.begin(), m.params.end(),
                     [&](const ast::ParamDecl& p) { return p.name.name == name || p.name.name == head; });
}

// Checks and plans a linked policy; nullptr after an error.
std::unique_ptr<LoadedPolicy> check_policy(Session& s, dsl::LinkedPolicy linked, const std::vector<dsl::ParamOverride>& params) {
  dsl::CheckOptions options;
  options.params = params;
  auto checked = dsl::check(s.sources, std::move(linked.module), options, *s.limit);
  if (!checked) return nullptr;
  auto loaded = std::make_unique<LoadedPolicy>();
  loaded->policy = std::move(*checked);
  loaded->changes = std::move(linked.changes);
  loaded->base = std::move(linked.base);
  loaded->files = std::move(linked.files);
  auto plan = engine::build_plan(loaded->policy, *s.limit);
  if (!plan) return nullptr;
  loaded->plan = *plan;
  return loaded;
}

std::string policy_label(const dsl::CheckedPolicy& p) {
  return p.module.policy ? p.module.policy->name + " " + p.module.policy->version : "";
}

// The period to evaluate in `data`, checked like `eval --period`.
std::string checked_period(const std::optional<std::string>& period, const engine::Dataset& data) {
  if (!period) return "";
  check_period_flag(*period, data.periods, true);
  return *period;
}

}  // namespace

int cmd_diff(const std::vector<std::string>& args, Io& io) {
  const ParsedArgs parsed = parse_args(args, 1, diff_options(), "diff");
  if (parsed.has("help")) {
    io.out << msg::cli_diff_help().str(lang()) << options_help(diff_options());
    return 0;
  }
  if (parsed.positional.size() != 2) {
    throw UsageError(msg::cli_diff_takes_two(parsed.positional.size()), msg::hint_write_eg("jixiao diff policy-2023.jx policy-2024.jx"));
  }
  const auto data_path = parsed.value("data");
  const std::string format = parsed.value("format").value_or("text");
  if (format != "text" && format != "json" && (format != "csv" || !data_path)) {
    throw UsageError(format == "csv" ? msg::cli_format_csv_without_data() : msg::flag_bad_choice("format", format),
                     data_path ? msg::hint_write_one_of(std::vector<std::string>{"--format text", "--format csv", "--format json"})
                               : msg::cli_hint_format_no_data());
  }
  for (const char* option : {"encoding", "columns", "period", "sheet", "header-row"}) {
    if (parsed.has(option) && !data_path) {
      throw UsageError(msg::cli_option_needs_data(option), msg::cli_hint_add_data(option));
    }
  }
  engine::LoadOptions load;
  load.encoding = encoding_flag(parsed);
  sheet_flags(parsed, load.sheet, load.header_row);
  Session s(io, parsed);
  const auto params = param_overrides(parsed);
  auto fail = [&]() {
    s.flush_diagnostics();
    return s.exit_code();
  };

  const std::string& old_path = parsed.positional[0];
  const std::string& new_path = parsed.positional[1];
  auto old_linked = link_policy(s, old_path);
  auto new_linked = link_policy(s, new_path);
  if (!old_linked || !new_linked) return fail();
  // Each --param goes to the policies that declare it; one that neither declares goes to the new
  // policy, whose check reports it.
  std::vector<dsl::ParamOverride> old_params;
  std::vector<dsl::ParamOverride> new_params;
  for (const auto& p : params) {
    const bool in_old = declares(old_linked->module, p.name);
    const bool in_new = declares(new_linked->module, p.name);
    if (in_old) old_params.push_back(p);
    if (in_new || !in_old) new_params.push_back(p);
  }
  auto old_policy = check_policy(s, std::move(*old_linked), old_params);
  auto new_policy = check_policy(s, std::move(*new_linked), new_params);
  if (!old_policy || !new_policy || s.limit->error_count() > 0) return fail();

  const engine::PolicyDiff diff = engine::diff_policies(old_policy->policy, new_policy->policy);
  const engine::DiffLabels labels{old_path, new_path, policy_label(old_policy->policy), policy_label(new_policy->policy)};

  if (!data_path) {
    if (!s.json) s.flush_diagnostics();  // warnings; with JSON diagnostics, stdout holds the diff
    io.out << (format == "json" ? engine::format_diff_json(diff, labels) : engine::format_diff_text(diff, labels, lang()));
    io.out.flush();
    const int code = s.exit_code();
    return code != 0 ? code : (diff.equal() ? 0 : 1);
  }

  // The same data, read and evaluated under each policy.
  std::optional<std::string> map_text;
  if (auto map_path = parsed.value("columns")) {
    map_text = s.read_file(*map_path, "column map");
    if (!map_text) return fail();
  }
  auto bytes = s.read_file(*data_path, "data file");
  if (!bytes) return fail();
  auto load_side = [&](const LoadedPolicy& p) -> std::optional<engine::Dataset> {
    engine::LoadOptions side = load;
    if (map_text) {
      auto map = engine::read_column_map(s.sources, *parsed.value("columns"), *map_text, p.policy, *s.limit);
      if (!map) return std::nullopt;
      side.column_map = std::move(*map);
    }
    const Activity loading(msg::cli_activity_loading_data(*data_path));
    return engine::load_data(s.sources, *data_path, std::string(*bytes), p.policy, side, *s.limit);
  };
  auto old_data = load_side(*old_policy);
  if (!old_data) return fail();
  auto new_data = load_side(*new_policy);
  if (!new_data) return fail();
  bytes.reset();

  engine::EvalOptions old_options;
  engine::EvalOptions new_options;
  old_options.period = checked_period(parsed.value("period"), *old_data);
  new_options.period = checked_period(parsed.value("period"), *new_data);
  old_data->strings.release_index();  // no text is interned from here on
  new_data->strings.release_index();
  auto old_result = engine::evaluate(old_policy->plan, *old_data, old_options, *s.limit);
  if (!old_result) return fail();
  auto new_result = engine::evaluate(new_policy->plan, *new_data, new_options, *s.limit);
  if (!new_result) return fail();

  // The causes: each unit of changes made alone in the old policy, evaluated on the old data.
  engine::Reevaluation rerun{&s.sources, old_params, &*old_data, old_options};
  const engine::Impact impact = engine::compute_impact(diff, {&old_policy->policy, &*old_data, &*old_result},
                                                       {&new_policy->policy, &*new_data, &*new_result}, &rerun);
  if (!s.json) s.flush_diagnostics();
  if (format == "json") {
    io.out << engine::format_impact_json(diff, labels, impact);
  } else if (format == "csv") {
    io.out << engine::format_impact_csv(diff, impact);
  } else {
    io.out << engine::format_diff_text(diff, labels, lang()) << "\n" << engine::format_impact_text(diff, impact, lang());
  }
  io.out.flush();
  const int code = s.exit_code();
  return code != 0 ? code : (impact.communities.empty() ? 0 : 1);
}

}  // namespace jixiao::cli
