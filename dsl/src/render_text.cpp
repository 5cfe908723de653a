// The text renderer: `path:line:col: severity: message [code]`, excerpt, caret, hint, notes.
#include <string>

#include "jixiao/dsl/render.hpp"
#include "jixiao/dsl/utf8.hpp"

namespace jixiao {
namespace {

constexpr std::size_t kMaxExcerptWidth = 100;  // display columns before the line is cut

std::string_view severity_color(Severity s) {
  switch (s) {
    case Severity::kError: return "\x1b[1;31m";
    case Severity::kWarning: return "\x1b[1;33m";
    case Severity::kNote: return "\x1b[1;36m";
  }
  return "";
}

// Width of a character of an excerpt: tabs are copied (and count one column here), controls are
// shown as their symbol (one column), the rest by their terminal width.
std::size_t excerpt_width(char32_t cp) {
  if (cp < 0x20 || cp == 0x7F) return 1;
  return static_cast<std::size_t>(utf8::display_width(cp));
}

// Appends line[from, to) as shown: tabs copied, other controls as their symbol (U+2400 + code),
// so that no byte of a source line can move the terminal's cursor or change its colours.
void append_line_text(std::string& out, std::string_view line, std::size_t from, std::size_t to) {
  std::size_t pos = from;
  while (pos < to) {
    const std::size_t at = pos;
    const char32_t cp = utf8::decode(line, pos);
    if (cp == '\t' || (cp >= 0x20 && cp != 0x7F)) {
      out.append(line.substr(at, pos - at));
    } else {
      utf8::append(out, cp == 0x7F ? char32_t{0x2421} : 0x2400 + cp);
    }
  }
}

// The start of the character before `pos` in `line`.
std::size_t previous_char(std::string_view line, std::size_t pos) {
  std::size_t p = pos - 1;
  while (p > 0 && pos - p < 4 && (static_cast<unsigned char>(line[p]) & 0xC0) == 0x80) --p;
  return p;
}

// Appends the excerpt of `span`'s first line with a caret line under the span. Wide (CJK)
// characters take two terminal columns, tabs are copied, so the caret lines up in a terminal. A
// line wider than kMaxExcerptWidth is cut around the caret with `…` (a third of the width before
// it), and so is a span that goes beyond the cut: an excerpt is never longer than a line.
void append_excerpt(std::string& out, const SourceFile& file, Span span, const RenderOptions& o) {
  const LineColumn lc = file.line_column(span.begin);
  const std::string_view line = file.line_text(lc.line);
  const std::uint32_t line_begin = file.line_start(lc.line);
  const std::size_t caret_at = std::min<std::size_t>(span.begin - line_begin, line.size());
  std::size_t caret_end = span.end > span.begin ? span.end - line_begin : caret_at + 1;
  if (caret_end > line.size()) caret_end = std::max(line.size(), caret_at + 1);

  // The shown part [from, to): the whole line when it fits.
  std::size_t from = 0;
  std::size_t to = line.size();
  std::size_t width = 0;
  for (std::size_t pos = 0; pos < line.size() && width <= kMaxExcerptWidth;) width += excerpt_width(utf8::decode(line, pos));
  if (width > kMaxExcerptWidth) {
    width = 0;
    from = caret_at;
    while (from > 0) {
      const std::size_t p = previous_char(line, from);
      std::size_t q = p;
      const std::size_t w = excerpt_width(utf8::decode(line, q));
      if (width + w > kMaxExcerptWidth / 3) break;
      width += w;
      from = p;
    }
    to = caret_at;
    while (to < line.size()) {
      std::size_t q = to;
      const std::size_t w = excerpt_width(utf8::decode(line, q));
      if (width + w > kMaxExcerptWidth && to > caret_at) break;
      width += w;
      to = q;
    }
  }
  const std::string prefix = from > 0 ? "…" : "";
  const std::string suffix = to < line.size() ? "…" : "";

  std::string number = std::to_string(lc.line);
  if (number.size() < 5) number.insert(0, 5 - number.size(), ' ');
  const std::string gutter(number.size(), ' ');
  out += number + " | " + prefix;
  append_line_text(out, line, from, to);
  out += suffix + "\n";
  out += gutter + " | ";
  if (!prefix.empty()) out += " ";
  std::size_t pos = from;
  while (pos < caret_at && pos < line.size()) {
    const char32_t cp = utf8::decode(line, pos);
    if (cp == '\t') {
      out.push_back('\t');
    } else {
      out.append(excerpt_width(cp), ' ');
    }
  }
  if (o.color) out += "\x1b[1;32m";
  std::size_t marks = 0;
  pos = caret_at;
  while (pos < caret_end && pos < to) {
    marks += std::max<std::size_t>(1, excerpt_width(utf8::decode(line, pos)));
  }
  if (marks == 0) marks = 1;
  out.push_back('^');
  out.append(marks - 1, '~');
  if (o.color) out += "\x1b[0m";
  out.push_back('\n');
}

Message severity_label(Severity s) {
  switch (s) {
    case Severity::kError: return msg::label_error();
    case Severity::kWarning: return msg::label_warning();
    case Severity::kNote: return msg::label_note();
  }
  return msg::label_error();
}

// `label` ends with its colon and, in English, a space ("error: "; "错误："): the colour ends
// after the colon.
void append_label(std::string& out, const Message& label, const RenderOptions& o) {
  std::string text = label.str(o.lang);
  const bool space = !text.empty() && text.back() == ' ';
  if (space) text.pop_back();
  out += text;
  if (o.color) out += "\x1b[0m\x1b[1m";
  if (space) out += " ";
}

void append_header(std::string& out, const SourceSet& sources, Span span, const std::string& file,
                   std::uint32_t line, std::uint32_t column, Severity severity,
                   const Message& message, const RenderOptions& o) {
  if (o.color) out += "\x1b[1m";
  if (span.valid()) {
    const SourceFile& f = sources.get(span.source);
    const LineColumn lc = f.line_column(span.begin);
    out += f.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) + ": ";
  } else if (!file.empty()) {
    out += file;
    if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
    out += ": ";
  } else {
    out += "jixiao: ";
  }
  if (o.color) {
    out += "\x1b[0m";
    out += severity_color(severity);
  }
  append_label(out, severity_label(severity), o);
  out += utf8::shorten_message(message.str(o.lang), 80, 1000, true, o.lang);
}

}  // namespace

std::string render_text(const Diagnostic& d, const SourceSet& sources, const RenderOptions& o) {
  std::string out;
  append_header(out, sources, d.span, d.file, d.line, d.column, d.severity, d.message, o);
  out += " [" + std::string(slug(d.code)) + "]";
  if (o.color) out += "\x1b[0m";
  out += "\n";
  if (d.span.valid()) append_excerpt(out, sources.get(d.span.source), d.span, o);
  if (d.hint) {
    out += msg::label_hint().str(o.lang) + utf8::shorten_message(d.hint->str(o.lang), 80, 1000, true, o.lang) + "\n";
  }
  for (const Note& n : d.notes) {
    append_header(out, sources, n.span, "", 0, 0, Severity::kNote, n.message, o);
    if (o.color) out += "\x1b[0m";
    out += "\n";
    if (n.span.valid()) append_excerpt(out, sources.get(n.span.source), n.span, o);
  }
  return out;
}

std::string render_summary(std::size_t errors, std::size_t warnings, Lang lang) {
  if (errors == 0 && warnings == 0) return "";
  const Message e = errors == 1 ? msg::count_error_one(errors) : msg::count_error_many(errors);
  const Message w = warnings == 1 ? msg::count_warning_one(warnings) : msg::count_warning_many(warnings);
  return msg::summary(e, w).str(lang) + "\n";
}

}  // namespace jixiao
