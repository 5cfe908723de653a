// Parsing and formatting of exact decimals (see decimal.hpp for the contract).
#include "jixiao/dsl/decimal.hpp"

#include <algorithm>

namespace jixiao::decimal {

std::optional<std::int64_t> parse(std::string_view text, int places, ParseError* why) {
  auto fail = [&](ParseError e) -> std::optional<std::int64_t> {
    if (why) *why = e;
    return std::nullopt;
  };
  if (text.empty()) return fail(ParseError::kEmpty);
  std::size_t i = 0;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    i = 1;
  }
  Int128 value = 0;
  int digits = 0;
  int frac = 0;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      if (seen_point) return fail(ParseError::kNotANumber);
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return fail(ParseError::kNotANumber);
    if (seen_point) {
      if (frac == places) {
        // Extra fractional digits are only acceptable when they are zeros.
        if (c != '0') return fail(ParseError::kTooManyPlaces);
        continue;
      }
      ++frac;
    }
    value = value * 10 + (c - '0');
    ++digits;
    if (value > static_cast<Int128>(INT64_MAX)) return fail(ParseError::kOutOfRange);
  }
  if (digits == 0) return fail(ParseError::kNotANumber);
  for (; frac < places; ++frac) {
    value *= 10;
    if (value > static_cast<Int128>(INT64_MAX)) return fail(ParseError::kOutOfRange);
  }
  if (negative) value = -value;
  return static_cast<std::int64_t>(value);
}

std::string int128_to_string(Int128 v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  std::string s;
  while (v != 0) {
    Int128 d = v % 10;
    if (d < 0) d = -d;
    s.push_back(static_cast<char>('0' + static_cast<int>(d)));
    v /= 10;
  }
  if (negative) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

std::string format(std::int64_t value, int places, int shown) {
  Int128 v = value;
  if (shown < places) v = div_round(v, pow10(places - shown));
  const bool negative = v < 0;
  if (negative) v = -v;
  std::string digits = int128_to_string(v);
  if (shown > 0) {
    if (digits.size() <= static_cast<std::size_t>(shown)) {
      digits.insert(0, static_cast<std::size_t>(shown) - digits.size() + 1, '0');
    }
    digits.insert(digits.size() - static_cast<std::size_t>(shown), 1, '.');
  }
  if (negative) digits.insert(0, 1, '-');
  return digits;
}

std::string format_trim(std::int64_t value, int places) {
  std::string s = format(value, places, places);
  if (places > 0) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::string format_yuan_grouped(std::int64_t fen) {
  std::string plain = format(fen, 2, 2);
  const bool negative = !plain.empty() && plain[0] == '-';
  if (negative) plain.erase(0, 1);
  const std::size_t point = plain.find('.');
  std::string whole = plain.substr(0, point);
  std::string grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(whole[i]);
  }
  return (negative ? "-" : "") + grouped + plain.substr(point);
}

}  // namespace jixiao::decimal
