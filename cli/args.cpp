// Command-line option parsing (see args.hpp).
#include "args.hpp"

#include <algorithm>

#include "jixiao/dsl/edit_distance.hpp"
#include "jixiao/dsl/utf8.hpp"

namespace jixiao::cli {

namespace {
thread_local Lang current_lang = Lang::kZh;
}  // namespace

Lang lang() { return current_lang; }
void set_lang(Lang l) { current_lang = l; }

namespace {
// An option's value placeholder in the language of the messages (`--data FILE`, `--data 文件`).
Message placeholder(std::string_view value_name) {
  if (value_name == "FILE") return msg::cli_ph_file();
  if (value_name == "NAME=VALUE") return msg::cli_ph_name_value();
  if (value_name == "FORMAT") return msg::cli_ph_format();
  if (value_name == "WHEN") return msg::cli_ph_when();
  if (value_name == "LANG") return msg::cli_ph_lang();
  if (value_name == "KEY") return msg::cli_ph_key();
  if (value_name == "NAME") return msg::cli_ph_encoding();
  if (value_name == "PERIOD") return msg::cli_ph_period();
  if (value_name == "WHAT") return msg::cli_ph_what();
  return msg::cli_value(std::string(value_name));
}
}  // namespace

std::size_t ParsedArgs::count(std::string_view name) const {
  const auto it = values.find(name);
  return it == values.end() ? 0 : it->second.size();
}

std::optional<std::string> ParsedArgs::value(std::string_view name) const {
  const auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::all(std::string_view name) const {
  const auto it = values.find(name);
  return it == values.end() ? std::vector<std::string>{} : it->second;
}

namespace {

const OptionSpec* find_long(const std::vector<OptionSpec>& specs, std::string_view name) {
  for (const OptionSpec& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const OptionSpec* find_short(const std::vector<OptionSpec>& specs, char c) {
  for (const OptionSpec& s : specs) {
    if (s.short_name == c) return &s;
  }
  return nullptr;
}

[[noreturn]] void unknown_option(const std::vector<OptionSpec>& specs, const std::string& given,
                                 std::string_view command) {
  std::vector<std::string> names;
  for (const OptionSpec& s : specs) names.push_back("--" + std::string(s.name));
  const std::string bare = given.substr(0, given.find('='));
  Message hint = msg::hint_see_options(command);
  if (auto best = closest_name(bare, names, 3)) hint = msg::did_you_mean_then(*best, hint);
  throw UsageError(msg::unknown_option(bare, command), hint);
}

void store(ParsedArgs& out, const OptionSpec& spec, std::string value, std::string_view command) {
  auto& values = out.values[std::string(spec.name)];
  if (!values.empty() && !spec.repeatable && !spec.value_name.empty()) {
    throw UsageError(msg::option_twice(spec.name), msg::hint_option_once(command));
  }
  values.push_back(std::move(value));
}

}  // namespace

ParsedArgs parse_args(const std::vector<std::string>& args, std::size_t first,
                      const std::vector<OptionSpec>& specs, std::string_view command) {
  ParsedArgs out;
  bool only_positional = false;
  for (std::size_t i = first; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_positional || a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    if (a[1] == '-') {
      const std::size_t eq = a.find('=');
      const std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const OptionSpec* spec = find_long(specs, name);
      if (spec == nullptr) unknown_option(specs, a, command);
      if (spec->value_name.empty()) {
        if (eq != std::string::npos) {
          throw UsageError(msg::option_takes_no_value(name), msg::hint_write_just("--" + name));
        }
        store(out, *spec, "", command);
      } else if (eq != std::string::npos) {
        store(out, *spec, a.substr(eq + 1), command);
      } else {
        if (i + 1 >= args.size()) {
          throw UsageError(msg::option_needs_value("--" + name), msg::hint_write_option_value("--" + name, placeholder(spec->value_name)));
        }
        store(out, *spec, args[++i], command);
      }
      continue;
    }
    // Short flags, possibly grouped: -v, -vv, -q.
    for (std::size_t k = 1; k < a.size(); ++k) {
      const OptionSpec* spec = find_short(specs, a[k]);
      if (spec == nullptr) unknown_option(specs, std::string("-") + a[k], command);
      if (!spec->value_name.empty()) {
        if (k + 1 != a.size() || i + 1 >= args.size()) {
          const std::string flag = std::string("-") + a[k];
          throw UsageError(msg::option_needs_value(flag), msg::hint_write_option_value(flag, placeholder(spec->value_name)));
        }
        store(out, *spec, args[++i], command);
      } else {
        out.values[std::string(spec->name)].push_back("");
      }
    }
  }
  return out;
}

std::string options_help(const std::vector<OptionSpec>& specs) {
  std::vector<std::string> left;
  std::size_t width = 0;
  for (const OptionSpec& s : specs) {
    std::string l = s.short_name ? std::string("-") + s.short_name + ", " : "    ";
    l += "--" + std::string(s.name);
    if (!s.value_name.empty()) l += " " + placeholder(s.value_name).str(lang());
    width = std::max(width, utf8::display_width(l));
    left.push_back(std::move(l));
  }
  std::string out;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    out += "  " + left[i] + std::string(width - utf8::display_width(left[i]) + 2, ' ') + specs[i].help.str(lang()) + "\n";
  }
  return out;
}

std::size_t whole_number_flag(const std::string& name, const std::string& value, std::size_t lo, std::size_t hi,
                              const std::string& example) {
  std::size_t n = 0;
  bool ok = !value.empty() && value.size() <= 9;
  for (const char c : value) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  if (!ok || n < lo || n > hi) {
    throw UsageError(msg::flag_not_whole_number(name, value, lo, hi), msg::hint_write_eg(example));
  }
  return n;
}

}  // namespace jixiao::cli
