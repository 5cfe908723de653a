// Parsing and formatting of exact decimals (see decimal.hpp for the contract).
#include "jixiao/dsl/decimal.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace jixiao::decimal {

std::optional<std::int64_t> parse(std::string_view text, int places, ParseError* why) {
  auto fail = [&](ParseError e) -> std::optional<std::int64_t> {
    if (why) *why = e;
    return std::nullopt;
  };
  if (text.empty()) return fail(ParseError::kEmpty);
  const bool negative = text[0] == '-';
  const std::size_t first = text[0] == '+' || negative ? 1 : 0;
  // The digits are read without overflow checks (the common case: up to 18 digits, the places
  // filled in, cannot overflow), and a longer text is read again below with them.
  std::uint64_t value = 0;
  int digits = 0;
  int frac = 0;
  bool seen_point = false;
  for (std::size_t i = first; i < text.size(); ++i) {
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
    value = value * 10 + static_cast<std::uint64_t>(c - '0');  // (may wrap past 18 digits: see below)
    ++digits;
  }
  if (digits == 0) return fail(ParseError::kNotANumber);
  static constexpr std::array<std::uint64_t, 19> kPow10 = [] {
    std::array<std::uint64_t, 19> p{};
    p[0] = 1;
    for (std::size_t k = 1; k < p.size(); ++k) p[k] = p[k - 1] * 10;
    return p;
  }();
  if (places >= 0 && digits + (places - frac) <= 18) {
    const auto v = static_cast<std::int64_t>(value * kPow10[static_cast<std::size_t>(places - frac)]);
    return negative ? -v : v;
  }
  // Accumulated again in 64 bits without sign, each digit checked: |INT64_MIN| is not accepted,
  // so every value that fits stays below 2^63, and a digit more than that allows is an overflow.
  constexpr std::uint64_t kMax = static_cast<std::uint64_t>(INT64_MAX);
  value = 0;
  const auto push = [&value](std::uint64_t d) {
    if (value > (kMax - d) / 10) return false;
    value = value * 10 + d;
    return true;
  };
  int taken = 0;  // fractional digits
  seen_point = false;
  for (std::size_t i = first; i < text.size(); ++i) {
    if (text[i] == '.') {
      seen_point = true;
    } else if (!seen_point || taken++ < places) {
      if (!push(static_cast<std::uint64_t>(text[i] - '0'))) return fail(ParseError::kOutOfRange);
    }
  }
  for (; taken < places; ++taken) {
    if (!push(0)) return fail(ParseError::kOutOfRange);
  }
  const auto v = static_cast<std::int64_t>(value);
  return negative ? -v : v;
}

std::string int128_to_string(Int128 v) {
  if (v >= INT64_MIN && v <= INT64_MAX) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
    return std::string(buf, r.ptr);
  }
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

void append_format(std::string& out, std::int64_t value, int places, int shown) {
  if (shown > places || shown < 0 || places > 18) {
    out += format(value, places, shown);
    return;
  }
  // value / 10^(places - shown), rounded half away from zero, in 64 bits (|value| < 2^63 and the
  // divisor is at least 1, so nothing overflows); then the digits with `shown` of them after a point.
  std::int64_t divisor = 1;
  for (int i = shown; i < places; ++i) divisor *= 10;
  std::int64_t q = value / divisor;
  const std::int64_t r = value % divisor;
  if (r != 0 && (r > 0 ? r : -r) >= divisor - (r > 0 ? r : -r)) q += value < 0 ? -1 : 1;
  const bool negative = q < 0;
  const std::uint64_t mag = negative ? 0 - static_cast<std::uint64_t>(q) : static_cast<std::uint64_t>(q);
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, mag).ptr;
  auto n = static_cast<std::size_t>(end - digits);
  if (negative) out.push_back('-');
  const auto frac = static_cast<std::size_t>(shown);
  if (frac == 0) {
    out.append(digits, n);
    return;
  }
  if (n <= frac) {
    out.append(frac - n + 1, '0');  // 0.0ddd
    out.append(digits, n);
    out.insert(out.size() - frac, 1, '.');
    return;
  }
  out.append(digits, n - frac);
  out.push_back('.');
  out.append(digits + (n - frac), frac);
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
