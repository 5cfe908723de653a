// `jixiao check FILE...`: parse, check and plan policies without data.
#include "commands.hpp"
#include "jixiao/dsl/parse.hpp"

namespace jixiao::cli {

namespace {

constexpr std::string_view kCheckHelp =
    "Usage: jixiao check [options] FILE...\n"
    "\n"
    "Checks policies without data: syntax, names, types, weights that must add up, grade and\n"
    "alert bands that must tile their range, fund tracks, vetoes and dependency cycles.\n"
    "Prints `FILE: ok` for each clean file. Exit code 0 when there are no errors, 1 when there\n"
    "are (or warnings with --warnings-as-errors), 2 for usage or I/O failures.\n"
    "\n"
    "Options:\n";

std::vector<OptionSpec> check_options() {
  return with_common({
      {"param", 0, "NAME=VALUE", "check with a param overridden, e.g. --param 资金池=5000万元", true},
      {"warnings-as-errors", 0, "", "exit with 1 when there are warnings"},
      {"dump", 0, "WHAT", "also print `plan` (the evaluation order) to stdout"},
  });
}

}  // namespace

std::vector<dsl::ParamOverride> param_overrides(const ParsedArgs& args) {
  std::vector<dsl::ParamOverride> out;
  for (const std::string& p : args.all("param")) {
    const std::size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError("`--param " + p + "` has no `NAME=VALUE`", "write e.g. `--param 资金池=5000万元`");
    }
    out.push_back({p.substr(0, eq), p.substr(eq + 1)});
  }
  return out;
}

std::unique_ptr<LoadedPolicy> load_policy(Session& s, const std::string& path,
                                          const std::vector<dsl::ParamOverride>& params) {
  auto text = s.read_file(path, "policy");
  if (!text) return nullptr;
  const SourceId id = s.sources.add(path, std::move(*text));
  auto module = dsl::parse(s.sources, id, *s.limit);
  if (!module) return nullptr;
  dsl::CheckOptions options;
  options.params = params;
  auto checked = dsl::check(s.sources, std::move(*module), options, *s.limit);
  if (!checked) return nullptr;
  auto loaded = std::make_unique<LoadedPolicy>();
  loaded->policy = std::move(*checked);
  auto plan = engine::build_plan(loaded->policy, *s.limit);
  if (!plan) return nullptr;
  loaded->plan = *plan;
  return loaded;
}

int cmd_check(const std::vector<std::string>& args, Io& io) {
  const ParsedArgs parsed = parse_args(args, 1, check_options(), "check");
  if (parsed.has("help")) {
    io.out << kCheckHelp << options_help(check_options());
    return 0;
  }
  if (parsed.positional.empty()) {
    throw UsageError("`jixiao check` needs at least one policy file", "write e.g. `jixiao check examples/3x/policy.jx`");
  }
  const auto dump = parsed.value("dump");
  if (dump && *dump != "plan") throw UsageError("`--dump` is `" + *dump + "`", "write `--dump=plan`");
  Session s(io, parsed);
  const auto params = param_overrides(parsed);
  std::vector<std::string> ok;
  std::string dumps;
  for (const std::string& path : parsed.positional) {
    const std::size_t errors = s.limit->error_count();
    auto loaded = load_policy(s, path, params);
    if (loaded && s.limit->error_count() == errors) {
      ok.push_back(path);
      if (dump) dumps += engine::dump_plan(loaded->plan);
    }
  }
  s.flush_diagnostics();
  if (!s.json && s.verbosity >= 0) {
    for (const auto& path : ok) io.out << path << ": ok\n";
  }
  if (!s.json) io.out << dumps;
  return s.exit_code(parsed.has("warnings-as-errors"));
}

}  // namespace jixiao::cli
