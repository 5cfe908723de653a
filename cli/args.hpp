// Command-line option parsing: a small table-driven parser with "did you mean" for unknown flags.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "jixiao/dsl/message.hpp"

namespace jixiao::cli {

/// The language this run prints in: chosen once at the start of run() from `--lang` and
/// `JIXIAO_LANG` (Chinese by default), read by everything that prints for people.
Lang lang();
void set_lang(Lang lang);

/// A usage mistake: printed as `jixiao: error: <message> [usage]` with the hint, exit code 2.
class UsageError : public std::runtime_error {
 public:
  UsageError(Message message, Message hint)
      : std::runtime_error(message.str(Lang::kEn)), message_(std::move(message)), hint_(std::move(hint)) {}
  /// Untranslated (counted by the migration ledger).
  UsageError(const std::string& message, std::string hint)
      : UsageError(Message(message), Message(std::move(hint))) {}
  [[nodiscard]] const Message& message() const { return message_; }
  [[nodiscard]] const Message& hint() const { return hint_; }

 private:
  Message message_;
  Message hint_;
};

/// The help text of an option: a catalogue message, or (untranslated) a literal.
struct OptionHelp : Message {
  OptionHelp(Message m) : Message(std::move(m)) {}                 // NOLINT(google-explicit-constructor)
  OptionHelp(const char* text) : Message(std::string(text)) {}     // NOLINT(google-explicit-constructor)
};

struct OptionSpec {
  std::string_view name;        ///< long name without dashes, e.g. "out"
  char short_name = 0;          ///< e.g. 'v', or 0
  std::string_view value_name;  ///< empty for flags; e.g. "FILE"
  OptionHelp help;
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

/// The options section of `--help`, aligned, in the language of the run.
std::string options_help(const std::vector<OptionSpec>& specs);

/// The value of `--NAME` as a whole number from `lo` to `hi` (ASCII digits only: no sign, no
/// spaces); anything else is a UsageError naming the flag, the value and the range, with `example`
/// as the hint.
std::size_t whole_number_flag(const std::string& name, const std::string& value, std::size_t lo, std::size_t hi,
                              const std::string& example);

}  // namespace jixiao::cli
