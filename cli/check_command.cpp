// `jixiao check FILE...`: parse, check and plan policies without data.
#include <algorithm>
#include <map>

#include "commands.hpp"
#include "jixiao/dsl/utf8.hpp"
#include "jixiao/dsl/parse.hpp"
#include "resolver.hpp"

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
      {"show-variant", 0, "", "list what each policy that extends another changes against its base"},
  });
}

// What a variant changes against its base, one line each, aligned.
std::string show_variant(const Session& s, const std::string& path, const LoadedPolicy& p) {
  if (!p.base) return path + " extends nothing\n";
  std::string out = path + " extends " + *p.base + " (" + std::to_string(p.changes.size()) +
                    (p.changes.size() == 1 ? " change)\n" : " changes)\n");
  std::size_t kind_width = 0;
  std::size_t target_width = 0;
  for (const auto& c : p.changes) {
    kind_width = std::max(kind_width, c.kind.size());
    target_width = std::max(target_width, utf8::display_width(c.target));
  }
  for (const auto& c : p.changes) {
    std::string what;
    if (c.kind == "new") {
      what = "new " + c.after;
    } else if (c.kind == "remove") {
      what = "removed " + c.before;
    } else if (c.kind == "add") {
      what = "added " + c.after;
    } else if (c.kind == "output") {
      what = "replaced";
    } else {
      what = c.before + " → " + c.after;
    }
    // Where the change is written: a line of the variant, or a file it imports.
    const SourceFile& file = s.sources.get(c.where.source);
    const LineColumn lc = file.line_column(c.where.begin);
    const std::string where = c.where.source == p.policy.module.source ? "line " + std::to_string(lc.line)
                                                                        : "imported from " + file.path() + ":" + std::to_string(lc.line);
    out += "  " + c.kind + std::string(kind_width - c.kind.size() + 2, ' ') + c.target +
           std::string(target_width - utf8::display_width(c.target) + 2, ' ') + what + "  (" + where + ")\n";
  }
  return out;
}

}  // namespace

std::vector<dsl::ParamOverride> param_overrides(const ParsedArgs& args) {
  std::vector<dsl::ParamOverride> out;
  std::map<std::string, std::string> given;  // each name (trimmed) → the first `NAME=VALUE` that set it
  for (const std::string& p : args.all("param")) {
    const std::size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError("`--param " + p + "` has no `NAME=VALUE`", "write e.g. `--param 资金池=5000万元`");
    }
    std::string_view name(p.data(), eq);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    const auto [first, is_new] = given.emplace(std::string(name), p);
    if (!is_new) {
      throw UsageError("param `" + std::string(name) + "` is given twice: `--param " + first->second + "` and `--param " + p + "`",
                       "give each param once");
    }
    out.push_back({p.substr(0, eq), p.substr(eq + 1)});
  }
  return out;
}

engine::Encoding encoding_flag(const ParsedArgs& args) {
  const auto name = args.value("encoding");
  if (!name) return engine::Encoding::kAuto;
  const auto e = engine::parse_encoding_name(*name);
  if (!e) throw UsageError("`--encoding` is `" + *name + "`", "write `--encoding auto`, `utf-8`, `gbk` or `gb18030`");
  return *e;
}

std::unique_ptr<LoadedPolicy> load_policy(Session& s, const std::string& path,
                                          const std::vector<dsl::ParamOverride>& params) {
  auto text = s.read_file(path, "policy");
  if (!text) return nullptr;
  const SourceId id = s.sources.add(path, std::move(*text));
  const Activity checking("checking policy `" + path + "`");
  FileResolver resolver(path);
  auto linked = dsl::link(s.sources, id, resolver.top_key(), resolver, *s.limit);
  if (!linked) return nullptr;
  dsl::CheckOptions options;
  options.params = params;
  auto checked = dsl::check(s.sources, std::move(linked->module), options, *s.limit);
  if (!checked) return nullptr;
  auto loaded = std::make_unique<LoadedPolicy>();
  loaded->policy = std::move(*checked);
  loaded->changes = std::move(linked->changes);
  loaded->base = std::move(linked->base);
  loaded->files = std::move(linked->files);
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
      if (parsed.has("show-variant")) dumps += show_variant(s, path, *loaded);
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
