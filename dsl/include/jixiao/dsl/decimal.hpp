// Exact decimal arithmetic for scores and money: the number semantics of the jixiao language.
// Scores are fixed-point integers with 6 fractional digits; money is whole fen. See
// docs/language.md, "Numbers", for the rules these functions implement.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jixiao {

/// A signed 128-bit integer: the width of every intermediate product.
__extension__ typedef __int128 Int128;  // NOLINT(modernize-use-using): __extension__ silences -Wpedantic

/// Fixed-point decimal arithmetic at scale 10^6 ("raw" values), and money in whole fen.
///
/// Contract, for every function below:
///  - addition and subtraction are exact;
///  - multiplication and division compute the exact result in 128 bits and then round to the
///    target scale half away from zero (四舍五入), once;
///  - a result that does not fit in int64 is reported by returning false (or nullopt), never
///    wrapped; the caller turns that into a diagnostic.
namespace decimal {

inline constexpr int kPlaces = 6;
inline constexpr std::int64_t kOne = 1'000'000;  // raw value of 1

/// Rounds n / d half away from zero. d must be non-zero.
constexpr Int128 div_round(Int128 n, Int128 d) {
  // Operands that fit in 62 bits (nearly all of them) are divided in 64 bits: the same result,
  // without a call to the 128-bit division routine.
  constexpr Int128 kFast = INT64_MAX / 2;
  if (n >= -kFast && n <= kFast && d > 0 && d <= kFast) {
    const auto nn = static_cast<std::int64_t>(n);
    const auto dd = static_cast<std::int64_t>(d);
    std::int64_t q = nn / dd;
    std::int64_t r = nn % dd;
    if (r < 0) r = -r;
    if (2 * r >= dd) q += (nn < 0) ? -1 : 1;
    return q;
  }
  if (d < 0) {
    n = -n;
    d = -d;
  }
  Int128 q = n / d;
  Int128 r = n % d;
  if (r < 0) r = -r;
  if (2 * r >= d) q += (n < 0) ? -1 : 1;
  return q;
}

/// Narrows a 128-bit value into `out`; false if it does not fit.
constexpr bool narrow(Int128 v, std::int64_t& out) {
  if (v > INT64_MAX || v < INT64_MIN) return false;
  out = static_cast<std::int64_t>(v);
  return true;
}

constexpr bool add(std::int64_t a, std::int64_t b, std::int64_t& out) {
  return !__builtin_add_overflow(a, b, &out);
}
constexpr bool sub(std::int64_t a, std::int64_t b, std::int64_t& out) {
  return !__builtin_sub_overflow(a, b, &out);
}
/// raw × raw → raw.
constexpr bool mul(std::int64_t a, std::int64_t b, std::int64_t& out) {
  return narrow(div_round(static_cast<Int128>(a) * b, kOne), out);
}
/// raw ÷ raw → raw; b must be non-zero.
constexpr bool div(std::int64_t a, std::int64_t b, std::int64_t& out) {
  return narrow(div_round(static_cast<Int128>(a) * kOne, b), out);
}
/// fen × raw → fen.
constexpr bool money_mul(std::int64_t fen, std::int64_t raw, std::int64_t& out) {
  return narrow(div_round(static_cast<Int128>(fen) * raw, kOne), out);
}
/// fen ÷ raw → fen; raw must be non-zero.
constexpr bool money_div(std::int64_t fen, std::int64_t raw, std::int64_t& out) {
  return narrow(div_round(static_cast<Int128>(fen) * kOne, raw), out);
}
/// fen ÷ fen → raw; b must be non-zero.
constexpr bool money_ratio(std::int64_t a, std::int64_t b, std::int64_t& out) {
  return narrow(div_round(static_cast<Int128>(a) * kOne, b), out);
}

/// 10^n for 0 <= n <= 18.
constexpr std::int64_t pow10(int n) {
  std::int64_t p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

/// Rounds a raw value to `places` decimals (0..6), half away from zero.
constexpr std::int64_t round_to(std::int64_t raw, int places) {
  if (places >= kPlaces) return raw;
  const std::int64_t unit = pow10(kPlaces - places);
  return static_cast<std::int64_t>(div_round(raw, unit) * unit);
}

/// Largest whole number <= raw, as a raw value.
constexpr std::int64_t floor_raw(std::int64_t raw) {
  std::int64_t q = raw / kOne;
  if (raw % kOne < 0) --q;
  return q * kOne;
}
/// Smallest whole number >= raw, as a raw value.
constexpr std::int64_t ceil_raw(std::int64_t raw) {
  std::int64_t q = raw / kOne;
  if (raw % kOne > 0) ++q;
  return q * kOne;
}

/// Why a decimal text did not parse.
enum class ParseError { kEmpty, kNotANumber, kTooManyPlaces, kOutOfRange };

/// Parses `[+-]digits[.digits]` exactly into a value with `places` fractional digits (6 for
/// raw scores, 2 for 元 → fen). No exponent, no thousands separators, no spaces.
std::optional<std::int64_t> parse(std::string_view text, int places, ParseError* why = nullptr);

/// Formats a value that has `places` fractional digits with exactly `shown` decimals (<= places),
/// rounding half away from zero. format(75000000, 6, 2) == "75.00".
std::string format(std::int64_t value, int places, int shown);

/// Appends format(value, places, shown) to `out` without allocating (for results of many rows).
void append_format(std::string& out, std::int64_t value, int places, int shown);

/// Formats with as few decimals as needed (no trailing zeros): 75000000 → "75", 7500000 → "7.5".
std::string format_trim(std::int64_t value, int places);

/// Formats a raw value with as few decimals as needed.
inline std::string to_string(std::int64_t raw) { return format_trim(raw, kPlaces); }

/// Formats fen as 元 with two decimals: 123456 → "1234.56".
inline std::string format_yuan(std::int64_t fen) { return format(fen, 2, 2); }

/// Formats fen as 元 with two decimals and thousands separators: 123456789 → "1,234,567.89".
std::string format_yuan_grouped(std::int64_t fen);

/// Formats a 128-bit integer in decimal.
std::string int128_to_string(Int128 v);

}  // namespace decimal
}  // namespace jixiao
