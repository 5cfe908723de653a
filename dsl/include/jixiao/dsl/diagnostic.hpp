// Diagnostics: what every phase reports about the user's policy or data, and the sinks that
// collect them. Passes never print and never exit; the CLI renders and chooses the exit code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jixiao/dsl/message.hpp"
#include "jixiao/dsl/source.hpp"

namespace jixiao {

enum class Severity { kError, kWarning, kNote };

enum class DiagCode : unsigned short {
#define DIAG(id, severity, slug) id,
#include "jixiao/dsl/diagnostic_codes.def"
#undef DIAG
};

/// The stable kebab-case slug of `code`, e.g. "unknown-name".
std::string_view slug(DiagCode code);
/// The severity `code` is reported with unless a pass says otherwise.
Severity default_severity(DiagCode code);
/// "error", "warning" or "note".
std::string_view severity_name(Severity severity);
/// Every registered code, in registry order.
const std::vector<DiagCode>& all_codes();

/// A secondary location with its own message, rendered as a `note:`.
struct Note {
  Note(Span at, Message text) : span(at), message(std::move(text)) {}
  /// Untranslated (counted by the migration ledger).
  Note(Span at, std::string text) : span(at), message(std::move(text)) {}
  Span span;  ///< may be invalid: the note is then printed without a location
  Message message;
};

/// One finding. `span` is the primary location; when it is invalid, `file` (if not empty) is
/// printed as the location instead (for example a file that could not be read), with `line` and
/// `column` when they are not 0 (for a file that could not be decoded, say). The message, hint and
/// notes are catalogue messages (message.hpp), rendered in the chosen language at output time.
/// The `file` of a diagnostic about a `--param NAME=VALUE` given on the command line: the option
/// itself, the same in every language (`--record -` names standard input the same way).
inline constexpr std::string_view kParamOrigin = "--param";

struct Diagnostic {
  DiagCode code = DiagCode::syntax_error;
  Severity severity = Severity::kError;
  Span span;
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  Message message;
  std::optional<Message> hint;
  std::vector<Note> notes;
};

/// Builds a diagnostic with the code's default severity from catalogue messages:
/// `diagnose(DiagCode::usage, {}, msg::unknown_command(name), msg::hint_see_commands())`.
Diagnostic diagnose(DiagCode code, Span span, Message message, std::optional<Message> hint = std::nullopt);

/// The untranslated form, from texts written in one language: kept so that files move to the
/// catalogue one at a time. tests/unit/dsl/message_ledger_test.cpp counts its uses per file.
Diagnostic make_diagnostic(DiagCode code, Span span, std::string message,
                           std::optional<std::string> hint = std::nullopt);

/// Receives diagnostics. Implementations must be usable from one thread at a time.
class DiagnosticSink {
 public:
  virtual ~DiagnosticSink() = default;
  virtual void report(Diagnostic d) = 0;
  [[nodiscard]] std::size_t error_count() const { return errors_; }
  [[nodiscard]] std::size_t warning_count() const { return warnings_; }

 protected:
  void count(const Diagnostic& d) {
    if (d.severity == Severity::kError) ++errors_;
    if (d.severity == Severity::kWarning) ++warnings_;
  }

 private:
  std::size_t errors_ = 0;
  std::size_t warnings_ = 0;
};

/// Keeps every diagnostic in arrival order.
class CollectingSink : public DiagnosticSink {
 public:
  void report(Diagnostic d) override {
    count(d);
    items_.push_back(std::move(d));
  }
  [[nodiscard]] const std::vector<Diagnostic>& items() const { return items_; }
  /// Sorts by (file, offset), stable, errors before warnings at the same position.
  void sort();

 private:
  std::vector<Diagnostic> items_;
};

/// Bounds the number of diagnostics a noisy input can produce: after `limit` errors it keeps
/// counting but drops the rest, and remembers how many it dropped; the same for warnings.
class LimitSink : public DiagnosticSink {
 public:
  LimitSink(DiagnosticSink& inner, std::size_t limit) : inner_(inner), limit_(limit) {}
  void report(Diagnostic d) override;
  [[nodiscard]] std::size_t dropped() const { return dropped_; }
  [[nodiscard]] std::size_t dropped_warnings() const { return dropped_warnings_; }

 private:
  DiagnosticSink& inner_;
  std::size_t limit_;
  std::size_t dropped_ = 0;
  std::size_t dropped_warnings_ = 0;
};

}  // namespace jixiao
