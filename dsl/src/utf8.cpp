// UTF-8 decoding and character classes (see utf8.hpp).
#include "jixiao/dsl/utf8.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace jixiao::utf8 {

char32_t decode(std::string_view text, std::size_t& pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char c = byte(pos);
  if (c < 0x80) {
    ++pos;
    return c;
  }
  int len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
    min = 0x10000;
  } else {
    ++pos;
    return 0xFFFD;
  }
  if (pos + static_cast<std::size_t>(len) > text.size()) {
    ++pos;
    return 0xFFFD;
  }
  for (int i = 1; i < len; ++i) {
    const unsigned char cc = byte(pos + static_cast<std::size_t>(i));
    if ((cc & 0xC0) != 0x80) {
      ++pos;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++pos;
    return 0xFFFD;
  }
  pos += static_cast<std::size_t>(len);
  return cp;
}

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

namespace {

// sequence_length, inlined into the scan of whole files.
inline std::size_t sequence_length_at(std::string_view text, std::size_t pos, bool* truncated) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = at(pos);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80;  // allowed range of the second byte (rules out overlongs, surrogates)
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    if (pos + k >= text.size()) {
      if (truncated != nullptr) *truncated = true;
      return 0;
    }
    const unsigned char cc = at(pos + k);
    const unsigned char min = k == 1 ? lo : 0x80;
    const unsigned char max = k == 1 ? hi : 0xBF;
    if (cc < min || cc > max) return 0;
  }
  return len;
}

}  // namespace

std::size_t sequence_length(std::string_view text, std::size_t pos, bool* truncated) {
  return sequence_length_at(text, pos, truncated);
}

Scan scan(std::string_view text) {
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  Scan out;
  std::size_t first_multibyte = Scan::npos;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    while (i + 8 <= n) {
      std::uint64_t word = 0;
      std::memcpy(&word, text.data() + i, sizeof word);
      if ((word & kHighBits) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    bool truncated = false;
    const std::size_t len = sequence_length_at(text, i, &truncated);
    if (len == 0) {
      ++out.invalid;
      if (out.first_bad == Scan::npos) {
        out.first_bad = i;
        out.first_bad_truncated = truncated;
      } else if (out.next_bad == Scan::npos) {
        out.next_bad = i;
      }
      ++i;
      continue;
    }
    ++out.multibyte;
    if (first_multibyte == Scan::npos) first_multibyte = i;
    if (len >= 3) {
      if (out.wide == 0) out.sample = i;
      ++out.wide;
    }
    i += len;
  }
  if (out.sample == Scan::npos) out.sample = first_multibyte;
  return out;
}

bool is_valid(std::string_view text) { return scan(text).valid(); }

Place place_of(std::string_view text, std::size_t offset) {
  const std::string_view before = text.substr(0, offset);
  const std::size_t last_nl = before.rfind('\n');
  const std::size_t line_start = last_nl == std::string_view::npos ? 0 : last_nl + 1;
  return Place{static_cast<std::uint32_t>(std::count(before.begin(), before.end(), '\n') + 1),
               static_cast<std::uint32_t>(count_code_points(before.substr(line_start)) + 1)};
}

std::string byte_name(unsigned char b) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02X", static_cast<unsigned>(b));
  return buf;
}

std::size_t count_code_points(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

int display_width(char32_t cp) {
  if (cp == 0) return 0;
  if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2060 && cp <= 0x2064) ||
      (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF) {
    return 0;
  }
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
      (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
      (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
      (cp >= 0x20000 && cp <= 0x3FFFD)) {
    return 2;
  }
  return 1;
}

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  std::size_t pos = 0;
  while (pos < text.size()) width += static_cast<std::size_t>(display_width(decode(text, pos)));
  return width;
}

bool is_ident_start(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
  }
  return (cp >= 0x00C0 && cp <= 0x024F && cp != 0x00D7 && cp != 0x00F7) ||  // Latin
         (cp >= 0x0370 && cp <= 0x03FF && cp != 0x037E) ||                    // Greek
         (cp >= 0x0400 && cp <= 0x04FF) ||                                    // Cyrillic
         (cp >= 0x3041 && cp <= 0x30FF && cp != 0x30FB) ||                    // kana
         (cp >= 0x3105 && cp <= 0x312F) ||                                    // bopomofo
         (cp >= 0x3400 && cp <= 0x4DBF) ||                                    // CJK ext. A
         (cp >= 0x4E00 && cp <= 0x9FFF) ||                                    // CJK
         (cp >= 0xAC00 && cp <= 0xD7A3) ||                                    // Hangul
         (cp >= 0xF900 && cp <= 0xFAFF) ||                                    // CJK compat.
         (cp >= 0x20000 && cp <= 0x3134F);                                    // CJK ext. B+
}

bool is_ident_continue(char32_t cp) { return is_ident_start(cp) || (cp >= '0' && cp <= '9'); }

std::string code_point_name(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

std::string_view char_name(char32_t cp) {
  static constexpr std::string_view kControls[] = {
      "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY",
      "ACKNOWLEDGE", "BELL", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION",
      "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE", "DEVICE CONTROL ONE",
      "DEVICE CONTROL TWO", "DEVICE CONTROL THREE", "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE",
      "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
      "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE", "INFORMATION SEPARATOR TWO",
      "INFORMATION SEPARATOR ONE"};
  if (cp < 0x20) return kControls[cp];
  switch (cp) {
    case 0x7F: return "DELETE";
    case 0xA0: return "NO-BREAK SPACE";
    case 0xAD: return "SOFT HYPHEN";
    case 0x1680: return "OGHAM SPACE MARK";
    case 0x2000: return "EN QUAD";
    case 0x2001: return "EM QUAD";
    case 0x2002: return "EN SPACE";
    case 0x2003: return "EM SPACE";
    case 0x2004: return "THREE-PER-EM SPACE";
    case 0x2005: return "FOUR-PER-EM SPACE";
    case 0x2006: return "SIX-PER-EM SPACE";
    case 0x2007: return "FIGURE SPACE";
    case 0x2008: return "PUNCTUATION SPACE";
    case 0x2009: return "THIN SPACE";
    case 0x200A: return "HAIR SPACE";
    case 0x200B: return "ZERO WIDTH SPACE";
    case 0x200C: return "ZERO WIDTH NON-JOINER";
    case 0x200D: return "ZERO WIDTH JOINER";
    case 0x200E: return "LEFT-TO-RIGHT MARK";
    case 0x200F: return "RIGHT-TO-LEFT MARK";
    case 0x2028: return "LINE SEPARATOR";
    case 0x2029: return "PARAGRAPH SEPARATOR";
    case 0x202A: return "LEFT-TO-RIGHT EMBEDDING";
    case 0x202B: return "RIGHT-TO-LEFT EMBEDDING";
    case 0x202C: return "POP DIRECTIONAL FORMATTING";
    case 0x202D: return "LEFT-TO-RIGHT OVERRIDE";
    case 0x202E: return "RIGHT-TO-LEFT OVERRIDE";
    case 0x202F: return "NARROW NO-BREAK SPACE";
    case 0x205F: return "MEDIUM MATHEMATICAL SPACE";
    case 0x2060: return "WORD JOINER";
    case 0x2061: return "FUNCTION APPLICATION";
    case 0x2062: return "INVISIBLE TIMES";
    case 0x2063: return "INVISIBLE SEPARATOR";
    case 0x2064: return "INVISIBLE PLUS";
    case 0x2066: return "LEFT-TO-RIGHT ISOLATE";
    case 0x2067: return "RIGHT-TO-LEFT ISOLATE";
    case 0x2068: return "FIRST STRONG ISOLATE";
    case 0x2069: return "POP DIRECTIONAL ISOLATE";
    case 0x3000: return "IDEOGRAPHIC SPACE";
    case 0xFEFF: return "ZERO WIDTH NO-BREAK SPACE (byte order mark)";
    case 0xFFFD: return "REPLACEMENT CHARACTER";
    default: break;
  }
  if (cp >= 0x80 && cp < 0xA0) return "C1 CONTROL";
  return {};
}

std::string describe(char32_t cp) {
  std::string out = code_point_name(cp);
  const std::string_view name = char_name(cp);
  if (!name.empty()) out += " " + std::string(name);
  return out;
}

bool is_invisible(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) ||
         cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || cp == 0xFFFD;
}

bool is_unusual_space(char32_t cp) {
  return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

std::size_t find_invisible(std::string_view text, bool spaces, bool line_breaks_allowed, std::size_t pos) {
  while (pos < text.size()) {
    if (!may_start_invisible(static_cast<unsigned char>(text[pos]))) {
      ++pos;
      continue;
    }
    const std::size_t at = pos;
    const char32_t cp = decode(text, pos);
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      if (!line_breaks_allowed) return at;
      continue;
    }
    // A lone invalid byte decodes as U+FFFD too: only a real U+FFFD (3 bytes) counts.
    if (cp == 0xFFFD && pos - at != 3) continue;
    if (is_invisible(cp) || (spaces && is_unusual_space(cp))) return at;
  }
  return std::string_view::npos;
}

namespace {

/// One character of shown text: its bytes in the source and how it is shown.
struct Shown {
  std::size_t begin;
  std::size_t end;
  std::size_t width;
};

/// How the character at text[pos] is shown: controls as their symbol, invalid bytes as \xHH.
/// Advances pos.
Shown shown_char(std::string_view text, std::size_t& pos, std::string* out) {
  const std::size_t at = pos;
  const char32_t cp = decode(text, pos);
  if (cp == 0xFFFD && pos - at != 3) {
    if (out) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(static_cast<unsigned char>(text[at])));
      *out += buf;
    }
    return {at, pos, 4};
  }
  if (cp < 0x20 || cp == 0x7F) {
    if (out) append(*out, cp == 0x7F ? char32_t{0x2421} : 0x2400 + cp);
    return {at, pos, 1};
  }
  if (out) out->append(text.substr(at, pos - at));
  return {at, pos, static_cast<std::size_t>(display_width(cp))};
}

void append_shown(std::string& out, std::string_view text, std::size_t from, std::size_t to) {
  std::size_t pos = from;
  while (pos < to) shown_char(text, pos, &out);
}

}  // namespace

std::string shorten(std::string_view text, std::size_t width, std::size_t focus) {
  width = std::max<std::size_t>(width, 8);
  focus = std::min(focus, text.size());
  // Fits whole? Count at most width + 1 columns.
  {
    std::size_t pos = 0;
    std::size_t w = 0;
    while (pos < text.size() && w <= width) w += shown_char(text, pos, nullptr).width;
    if (pos >= text.size() && w <= width) {
      std::string out;
      append_shown(out, text, 0, text.size());
      return out;
    }
  }
  std::size_t budget = width - 2;  // room for a `…` on each side
  // Left of the focus: at most a third of the budget (less when the focus is near the start).
  // Characters are found by scanning forward from a point at most 4 bytes a column before it.
  std::size_t first = focus > 4 * budget + 4 ? focus - 4 * budget - 4 : 0;
  while (first > 0 && first < focus && (static_cast<unsigned char>(text[first]) & 0xC0) == 0x80) ++first;
  std::vector<Shown> left;
  for (std::size_t pos = first; pos < focus;) left.push_back(shown_char(text, pos, nullptr));
  std::size_t from = focus;
  std::size_t used = 0;
  for (auto it = left.rbegin(); it != left.rend() && used + it->width <= budget / 3; ++it) {
    used += it->width;
    from = it->begin;
  }
  if (from == 0) ++budget;  // no `…` before
  // The focused character and what follows it, as far as the budget goes.
  std::size_t to = focus;
  while (to < text.size()) {
    std::size_t next = to;
    const Shown c = shown_char(text, next, nullptr);
    if (used + c.width > budget) break;
    used += c.width;
    to = next;
  }
  // Room left at the end (the focus is near the end): give it to the left side.
  if (to >= text.size()) ++budget;  // no `…` after
  while (to >= text.size() && from > 0) {
    std::size_t back = from - 1;
    while (back > 0 && (static_cast<unsigned char>(text[back]) & 0xC0) == 0x80 && from - back < 4) --back;
    std::size_t next = back;
    const Shown c = shown_char(text, next, nullptr);
    if (next != from || used + c.width > budget) break;
    used += c.width;
    from = back;
  }
  std::string out = from > 0 ? "…" : "";
  append_shown(out, text, from, to);
  if (to < text.size()) out += "…";
  return out;
}

std::string shorten_message(std::string_view message, std::size_t part_width, std::size_t total_width,
                            bool controls_as_symbols, Lang lang) {
  std::string out;
  std::size_t pos = 0;
  std::size_t width = 0;
  while (pos < message.size()) {
    const std::size_t piece_start = pos;
    const std::size_t open = message.find('`', pos);
    const std::size_t close = open == std::string_view::npos ? open : message.find('`', open + 1);
    const std::size_t plain_end = close == std::string_view::npos ? message.size() : open + 1;
    // Plain text up to and including the opening backtick, then the quoted part.
    std::string piece;
    if (controls_as_symbols) {
      append_shown(piece, message, pos, plain_end);
    } else {
      piece.append(message.substr(pos, plain_end - pos));
    }
    if (close != std::string_view::npos) {
      const std::string_view part = message.substr(open + 1, close - open - 1);
      piece += controls_as_symbols || display_width(part) > part_width ? shorten(part, part_width) : std::string(part);
      piece += '`';
      pos = close + 1;
    } else {
      pos = message.size();
    }
    const std::size_t w = display_width(piece);
    if (width + w > total_width) {
      // Cut this piece where the total is reached, and say how much is left out.
      const std::size_t keep_until = out.size();
      std::size_t p = 0;
      std::size_t used = width;
      std::string kept;
      while (p < piece.size()) {
        std::size_t next = p;
        const char32_t cp = decode(piece, next);
        const auto cw = static_cast<std::size_t>(display_width(cp));
        if (used + cw > total_width) break;
        used += cw;
        kept.append(piece, p, next - p);
        p = next;
      }
      out.resize(keep_until);
      out += kept;
      out += msg::message_cut(message.size() - piece_start).str(lang);
      return out;
    }
    out += piece;
    width += w;
  }
  return out;
}

}  // namespace jixiao::utf8
