// Internal to `jixiao fmt`: the text helpers, the constructors of layout documents and their
// one-line text (doc.hpp).
#include "doc.hpp"

#include <utility>

#include "jixiao/dsl/utf8.hpp"

namespace jixiao::dsl::format_detail {
namespace {

Doc wrap(Doc::Kind kind, Doc inner, std::size_t indent = 0) {
  Doc d;
  d.kind = kind;
  d.indent = indent;
  d.forced = inner.forced;
  d.parts.push_back(std::move(inner));
  return d;
}

// The text of `d` on one line.
void flat_into(const Doc& d, std::string& out) {
  switch (d.kind) {
    case Doc::Kind::kText: out += d.text; break;
    case Doc::Kind::kLine: out += ' '; break;
    case Doc::Kind::kHardLine:
    case Doc::Kind::kSuffix: break;
    default:
      for (const Doc& p : d.parts) flat_into(p, out);
  }
}

}  // namespace

std::size_t width(std::string_view s) { return utf8::display_width(s); }
std::string spaces(std::size_t n) { return std::string(n, ' '); }

std::string pad_right(const std::string& s, std::size_t w) {
  const std::size_t have = width(s);
  return have >= w ? s : s + spaces(w - have);
}

std::string pad_left(const std::string& s, std::size_t w) {
  const std::size_t have = width(s);
  return have >= w ? s : spaces(w - have) + s;
}

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

Doc txt(std::string s) {
  Doc d;
  d.kind = Doc::Kind::kText;
  d.text = std::move(s);
  return d;
}
Doc line() {
  Doc d;
  d.kind = Doc::Kind::kLine;
  return d;
}
Doc hard() {
  Doc d;
  d.kind = Doc::Kind::kHardLine;
  d.forced = true;
  return d;
}
Doc cat() { return Doc{}; }
Doc group(Doc inner) { return wrap(Doc::Kind::kGroup, std::move(inner)); }
Doc nest(std::size_t n, Doc inner) { return wrap(Doc::Kind::kNest, std::move(inner), n); }
Doc align(Doc inner) { return wrap(Doc::Kind::kAlign, std::move(inner)); }
Doc fill(std::vector<Doc> parts) {
  Doc d;
  for (Doc& p : parts) d += std::move(p);
  d.kind = Doc::Kind::kFill;
  return d;
}
Doc suffix(std::string comment) {
  Doc d;
  d.kind = Doc::Kind::kSuffix;
  d.text = std::move(comment);
  d.forced = true;
  return d;
}

std::string flat(const Doc& d) {
  std::string s;
  flat_into(d, s);
  return s;
}

OutLine blank_line() {
  OutLine l;
  l.blank = true;
  return l;
}

}  // namespace jixiao::dsl::format_detail
