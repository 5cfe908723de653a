// The JSON renderer for --diagnostics-format=json (document version 1; keys in docs/diagnostics.md).
#include "jixiao/dsl/json_writer.hpp"
#include "jixiao/dsl/render.hpp"

namespace jixiao {
namespace {

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

std::string render_json(const std::vector<Diagnostic>& ds, const SourceSet& sources) {
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
    w.string(d.message);
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
      w.string(*d.hint);
    }
    w.key("notes");
    w.begin_array();
    for (const Note& n : d.notes) {
      w.begin_object();
      w.key("message");
      w.string(n.message);
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

}  // namespace jixiao
