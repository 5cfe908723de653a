// The JSON renderer for --diagnostics-format=json (document version 1; keys in docs/diagnostics.md).
#include "jixiao/dsl/json_writer.hpp"
#include "jixiao/dsl/render.hpp"
#include "jixiao/dsl/utf8.hpp"
#include "jixiao/dsl/version.hpp"

#include <set>
#include <string>

namespace jixiao {
namespace {

// A message as JSON carries it: long quoted values and very long messages cut (JSON escapes
// control characters itself).
std::string cut(const Message& message, Lang lang) {
  return utf8::shorten_message(message.str(lang), 80, 1000, false, lang);
}

void write_range(JsonWriter& w, const SourceSet& sources, Span span) {
  const SourceFile& f = sources.get(span.source);
  w.key("file");
  w.string(f.path());
  w.key("range");
  w.begin_object();
  for (const auto& [name, offset] : {std::pair{"start", span.begin}, std::pair{"end", span.end}}) {
    const LineColumn lc = f.line_column(offset);
    w.key(name);
    w.begin_object();
    w.key("line");
    w.integer(lc.line);
    w.key("column");
    w.integer(lc.column);
    w.key("offset");
    w.integer(offset);
    w.end_object();
  }
  w.end_object();
}

}  // namespace

std::string render_json(const std::vector<Diagnostic>& ds, const SourceSet& sources, Lang lang) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("version");
  w.integer(1);
  w.key("diagnostics");
  w.begin_array();
  for (const Diagnostic& d : ds) {
    w.begin_object();
    w.key("severity");
    w.string(severity_name(d.severity));
    w.key("code");
    w.string(slug(d.code));
    w.key("message");
    w.string(cut(d.message, lang));
    if (d.span.valid()) {
      write_range(w, sources, d.span);
    } else if (!d.file.empty()) {
      w.key("file");
      w.string(d.file);
      if (d.line > 0) {
        w.key("range");
        w.begin_object();
        for (const char* name : {"start", "end"}) {
          w.key(name);
          w.begin_object();
          w.key("line");
          w.integer(d.line);
          w.key("column");
          w.integer(d.column);
          w.end_object();
        }
        w.end_object();
      }
    }
    if (d.hint) {
      w.key("hint");
      w.string(cut(*d.hint, lang));
    }
    w.key("notes");
    w.begin_array();
    for (const Note& n : d.notes) {
      w.begin_object();
      w.key("message");
      w.string(cut(n.message, lang));
      if (n.span.valid()) write_range(w, sources, n.span);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out.push_back('\n');
  return out;
}

namespace {

// Writes `"physicalLocation": {...}` into the object being written.
void sarif_location(JsonWriter& w, const SourceSet& sources, Span span, const std::string& file, std::uint32_t line,
                    std::uint32_t column) {
  w.key("physicalLocation");
  w.begin_object();
  w.key("artifactLocation");
  w.begin_object();
  w.key("uri");
  w.string(span.valid() ? sources.get(span.source).path() : file);
  w.end_object();
  if (span.valid() || line > 0) {
    w.key("region");
    w.begin_object();
    const SourceFile* f = span.valid() ? &sources.get(span.source) : nullptr;
    const LineColumn start = f ? f->line_column(span.begin) : LineColumn{line, column};
    const LineColumn end = f ? f->line_column(span.end) : LineColumn{line, column};
    w.key("startLine");
    w.integer(start.line);
    w.key("startColumn");
    w.integer(start.column);
    w.key("endLine");
    w.integer(end.line);
    w.key("endColumn");
    w.integer(end.column);
    w.end_object();
  }
  w.end_object();
}

}  // namespace

std::string render_sarif(const std::vector<Diagnostic>& ds, const SourceSet& sources, Lang lang) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("version");
  w.string("2.1.0");
  w.key("$schema");
  w.string("https://json.schemastore.org/sarif-2.1.0.json");
  w.key("runs");
  w.begin_array();
  w.begin_object();
  w.key("tool");
  w.begin_object();
  w.key("driver");
  w.begin_object();
  w.key("name");
  w.string("jixiao");
  w.key("version");
  w.string(kVersion);
  w.key("rules");
  w.begin_array();
  std::set<std::string_view> rules;
  for (const Diagnostic& d : ds) rules.insert(slug(d.code));
  for (const std::string_view r : rules) {
    w.begin_object();
    w.key("id");
    w.string(r);
    w.key("shortDescription");
    w.begin_object();
    w.key("text");
    w.string(msg::sarif_rule(r).str(lang));
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.end_object();
  w.key("columnKind");
  w.string("unicodeCodePoints");
  w.key("results");
  w.begin_array();
  for (const Diagnostic& d : ds) {
    w.begin_object();
    w.key("ruleId");
    w.string(slug(d.code));
    w.key("level");
    w.string(d.severity == Severity::kError ? "error" : d.severity == Severity::kWarning ? "warning" : "note");
    w.key("message");
    w.begin_object();
    w.key("text");
    w.string(d.hint ? cut(d.message, lang) + "\n" + msg::label_hint().str(lang) + cut(*d.hint, lang)
                    : cut(d.message, lang));
    w.end_object();
    if (d.span.valid() || !d.file.empty()) {
      w.key("locations");
      w.begin_array();
      w.begin_object();
      sarif_location(w, sources, d.span, d.file, d.line, d.column);
      w.end_object();
      w.end_array();
    }
    if (!d.notes.empty()) {
      w.key("relatedLocations");
      w.begin_array();
      for (const Note& n : d.notes) {
        if (!n.span.valid()) continue;
        w.begin_object();
        sarif_location(w, sources, n.span, "", 0, 0);
        w.key("message");
        w.begin_object();
        w.key("text");
        w.string(cut(n.message, lang));
        w.end_object();
        w.end_object();
      }
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.end_array();
  w.end_object();
  out.push_back('\n');
  return out;
}

}  // namespace jixiao
