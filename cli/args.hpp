// Command-line option parsing: a small table-driven parser with "did you mean" for unknown flags.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace jixiao::cli {

/// A usage mistake: printed as `jixiao: error: <message> [usage]` with the hint, exit code 2.
class UsageError : public std::runtime_error {
 public:
  UsageError(const std::string& message, std::string hint)
      : std::runtime_error(message), hint_(std::move(hint)) {}
  [[nodiscard]] const std::string& hint() const { return hint_; }

 private:
  std::string hint_;
};

struct OptionSpec {
  std::string_view name;        ///< long name without dashes, e.g. "out"
  char short_name = 0;          ///< e.g. 'v', or 0
  std::string_view value_name;  ///< empty for flags; e.g. "FILE"
  std::string_view help;
  bool repeatable = false;
};

/// The result of parsing one command's arguments.
struct ParsedArgs {
  std::map<std::string, std::vector<std::string>, std::less<>> values;  ///< option → values ("" for flags)
  std::vector<std::string> positional;

  [[nodiscard]] bool has(std::string_view name) const { return values.find(name) != values.end(); }
  [[nodiscard]] std::size_t count(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> value(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> all(std::string_view name) const;
};

/// Parses `args` (after the command name) against `specs`. Throws UsageError for an unknown
/// option (with the closest known one as a hint), a missing value, or a non-repeatable option
/// given twice. `--name=value`, `--name value`, `-v`, `-vv` and `--` are understood.
ParsedArgs parse_args(const std::vector<std::string>& args, std::size_t first,
                      const std::vector<OptionSpec>& specs, std::string_view command);

/// The options section of `--help`, aligned.
std::string options_help(const std::vector<OptionSpec>& specs);

/// The value of `--NAME` as a whole number from `lo` to `hi` (ASCII digits only: no sign, no
/// spaces); anything else is a UsageError naming the flag, the value and the range, with `example`
/// as the hint.
std::size_t whole_number_flag(const std::string& name, const std::string& value, std::size_t lo, std::size_t hi,
                              const std::string& example);

}  // namespace jixiao::cli
