// Escaping text for HTML and XML: the one escaper of `jixiao report` (HTML) and of
// `jixiao test --junit` (XML).
#pragma once

#include <string>
#include <string_view>

namespace jixiao {

enum class Markup : unsigned char {
  kText,       ///< element content: quotes, line breaks and tabs stay as they are
  kAttribute,  ///< a quoted attribute value: quotes as entities, line breaks and tabs as
               ///< character references (an XML parser would turn them into spaces)
};

/// `text` (UTF-8) with `& < >` (and in attributes `" '`) as entities, valid in HTML and XML
/// alike; carriage returns
/// as `&#13;`, and every other control character (which XML 1.0 cannot hold, not even escaped,
/// and HTML calls a parse error) replaced by U+FFFD.
inline std::string escape_markup(std::string_view text, Markup where) {
  std::string out;
  out.reserve(text.size());
  const bool attribute = where == Markup::kAttribute;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += attribute ? "&quot;" : "\""; break;
      case '\'': out += attribute ? "&#39;" : "'"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == '\x7F') {
          out += "\xEF\xBF\xBD";  // U+FFFD
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

}  // namespace jixiao
