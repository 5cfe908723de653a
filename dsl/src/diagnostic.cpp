// The diagnostic registry and sinks.
#include "jixiao/dsl/diagnostic.hpp"

#include <algorithm>
#include <array>

namespace jixiao {
namespace {

struct CodeInfo {
  std::string_view slug;
  Severity severity;
};

constexpr std::array kCodes = {
#define DIAG(id, severity, slug) CodeInfo{slug, Severity::severity},
#include "jixiao/dsl/diagnostic_codes.def"
#undef DIAG
};

}  // namespace

std::string_view slug(DiagCode code) { return kCodes.at(static_cast<std::size_t>(code)).slug; }

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

Severity default_severity(DiagCode code) {
  return kCodes.at(static_cast<std::size_t>(code)).severity;
}

const std::vector<DiagCode>& all_codes() {
  static const std::vector<DiagCode> codes = [] {
    std::vector<DiagCode> v;
    for (std::size_t i = 0; i < kCodes.size(); ++i) v.push_back(static_cast<DiagCode>(i));
    return v;
  }();
  return codes;
}

Diagnostic diagnose(DiagCode code, Span span, Message message, std::optional<Message> hint) {
  Diagnostic d;
  d.code = code;
  d.severity = default_severity(code);
  d.span = span;
  d.message = std::move(message);
  d.hint = std::move(hint);
  return d;
}

Diagnostic make_diagnostic(DiagCode code, Span span, std::string message,
                           std::optional<std::string> hint) {
  std::optional<Message> h;
  if (hint) h = Message(std::move(*hint));
  return diagnose(code, span, Message(std::move(message)), std::move(h));
}

void CollectingSink::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    const auto sa = static_cast<std::uint32_t>(a.span.source);
    const auto sb = static_cast<std::uint32_t>(b.span.source);
    if (sa != sb) return sa < sb;
    if (a.span.begin != b.span.begin) return a.span.begin < b.span.begin;
    return static_cast<int>(a.severity) < static_cast<int>(b.severity);
  });
}

void LimitSink::report(Diagnostic d) {
  if (d.severity == Severity::kError && error_count() >= limit_) {
    count(d);
    ++dropped_;
    return;
  }
  if (d.severity == Severity::kWarning && warning_count() >= limit_) {
    count(d);
    ++dropped_warnings_;
    return;
  }
  count(d);
  inner_.report(std::move(d));
}

}  // namespace jixiao
