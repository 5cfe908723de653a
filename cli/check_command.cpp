// `jixiao check FILE...`: parse, check and plan policies without data.
#include <algorithm>
#include <map>

#include "commands.hpp"
#include "jixiao/dsl/utf8.hpp"
#include "jixiao/dsl/parse.hpp"
#include "resolver.hpp"

namespace jixiao::cli {

namespace {

std::vector<OptionSpec> check_options() {
  return with_common({
      {"param", 0, "NAME=VALUE", msg::cli_opt_param_check(), true},
      {"warnings-as-errors", 0, "", msg::cli_opt_warnings_as_errors()},
      {"dump", 0, "WHAT", msg::cli_opt_dump()},
      {"show-variant", 0, "", msg::cli_opt_show_variant()},
  });
}

// The kind of a change (dsl::VariantChange::kind), or of what a `new` change declares, as
// `--show-variant` shows it.
std::string change_kind(const std::string& kind) {
  static const std::map<std::string, Message> kKinds = {
      {"weight", msg::cli_change_weight()}, {"formula", msg::cli_change_formula()},   {"coef", msg::cli_change_coef()},
      {"band", msg::cli_change_band()},     {"param", msg::cli_change_param()},       {"set", msg::cli_change_set()},
      {"let", msg::cli_change_let()},       {"remove", msg::cli_change_remove()},     {"add", msg::cli_change_add()},
      {"new", msg::cli_change_new()},       {"output", msg::cli_change_output()},     {"subject", msg::cli_change_subject()},
      {"precision", msg::cli_change_precision()},
      {"input", msg::kind_input()},         {"indicator", msg::kind_indicator()},     {"veto", msg::kind_veto()},
      {"fund", msg::kind_fund()},           {"grade", msg::kind_grade()},             {"alert", msg::kind_alert()},
      {"grade or alert", msg::cli_change_grade_or_alert()}, {"segment", msg::seg_change_kind()},
  };
  const auto it = kKinds.find(kind);
  return it == kKinds.end() ? kind : it->second.str(lang());
}

// What a variant changes against its base, one line each, aligned.
std::string show_variant(const Session& s, const std::string& path, const LoadedPolicy& p) {
  const Lang l = lang();
  const std::size_t segments = p.policy.module.segments.size();
  if (!p.base && segments == 0) return msg::cli_variant_none(path).str(l) + "\n";
  std::string out;
  if (p.base) {
    out = (p.changes.size() == 1 ? msg::cli_variant_one(path, *p.base, p.changes.size())
                                 : msg::cli_variant_many(path, *p.base, p.changes.size()))
              .str(l) +
          "\n";
  } else {
    out = msg::seg_variant_segments(path, segments).str(l) + "\n";
  }
  // `subject`, `precision` and `output` are changes of the whole policy: their kind says it all,
  // and the English keyword the change records as its target is not shown. A change to a
  // segment's trees names the segment: `农村: 总分.基础服务`.
  const auto target = [](const auto& c) { return c.target == c.kind ? std::string() : c.target; };
  std::size_t kind_width = 0;
  std::size_t target_width = 0;
  for (const auto& c : p.changes) {
    kind_width = std::max(kind_width, utf8::display_width(change_kind(c.kind)));
    target_width = std::max(target_width, utf8::display_width(target(c)));
  }
  for (const auto& c : p.changes) {
    Message what = msg::cli_value(c.before + " → " + c.after);
    if (c.kind == "new") {
      what = msg::cli_variant_new(change_kind(c.after));
    } else if (c.kind == "remove") {
      what = msg::cli_variant_removed(c.before);
    } else if (c.kind == "add") {
      what = msg::cli_variant_added(c.after);
    } else if (c.kind == "output") {
      what = msg::cli_variant_replaced();
    } else if (c.kind == "segment") {
      what = msg::seg_change_when(c.after);
    }
    // Where the change is written: a line of the variant, or a file it imports.
    const SourceFile& file = s.sources.get(c.where.source);
    const LineColumn lc = file.line_column(c.where.begin);
    const Message where = c.where.source == p.policy.module.source ? msg::cli_variant_line(lc.line)
                                                                    : msg::cli_variant_imported(file.path(), lc.line);
    const std::string kind = change_kind(c.kind);
    const std::string name = target(c);
    out += "  " + kind + std::string(kind_width - utf8::display_width(kind) + 2, ' ') + name +
           std::string(target_width - utf8::display_width(name) + 2, ' ') + what.str(l) + "  " + where.str(l) + "\n";
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
      throw UsageError(msg::cli_param_no_equals(p), msg::hint_write_eg("--param 资金池=5000万元"));
    }
    std::string_view name(p.data(), eq);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    const auto [first, is_new] = given.emplace(std::string(name), p);
    if (!is_new) {
      throw UsageError(msg::cli_param_twice(name, first->second, p), msg::cli_hint_param_once());
    }
    out.push_back({p.substr(0, eq), p.substr(eq + 1)});
  }
  return out;
}

void sheet_flags(const ParsedArgs& args, std::optional<std::string>& sheet, std::optional<std::uint32_t>& header_row) {
  if (auto name = args.value("sheet")) sheet = *name;
  if (auto n = args.value("header-row")) header_row = static_cast<std::uint32_t>(whole_number_flag("header-row", *n, 1, 1048576, "--header-row 2"));
}

engine::Encoding encoding_flag(const ParsedArgs& args) {
  const auto name = args.value("encoding");
  if (!name) return engine::Encoding::kAuto;
  const auto e = engine::parse_encoding_name(*name);
  if (!e) throw UsageError(msg::flag_bad_choice("encoding", *name), msg::cli_hint_encodings());
  return *e;
}

std::unique_ptr<LoadedPolicy> load_policy(Session& s, const std::string& path,
                                          const std::vector<dsl::ParamOverride>& params) {
  auto text = s.read_file(path, "policy");
  if (!text) return nullptr;
  const SourceId id = s.sources.add(path, std::move(*text));
  const Activity checking(msg::cli_activity_checking(path));
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
    io.out << msg::cli_check_help().str(lang()) << options_help(check_options());
    return 0;
  }
  if (parsed.positional.empty()) {
    throw UsageError(msg::cli_needs_policies("check"), msg::hint_write_eg("jixiao check examples/3x/policy.jx"));
  }
  const auto dump = parsed.value("dump");
  if (dump && *dump != "plan") throw UsageError(msg::flag_bad_choice("dump", *dump), msg::cli_hint_dump_plan());
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
    for (const auto& path : ok) io.out << msg::cli_check_ok(path).str(lang()) << "\n";
  }
  if (!s.json) io.out << dumps;
  return s.exit_code(parsed.has("warnings-as-errors"));
}

}  // namespace jixiao::cli
