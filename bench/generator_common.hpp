// What the data and policy generators of bench/ share: a deterministic PRNG and strict number
// parsing of their options. Plain C++, no jixiao code (like the baseline).
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>

namespace jixiao_bench {

/// splitmix64: the same numbers for the same seed on any machine, integer arithmetic only.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [lo, hi].
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  /// Roughly bell-shaped in [lo, hi] around the middle (mean of three uniforms).
  std::int64_t bell(std::int64_t lo, std::int64_t hi) { return (uniform(lo, hi) + uniform(lo, hi) + uniform(lo, hi)) / 3; }
  bool chance(int per_thousand) { return uniform(0, 999) < per_thousand; }

 private:
  std::uint64_t state_;
};

/// The whole of `text` as a number of type T (digits only, with a `-` for signed types).
template <typename T>
bool parse_number(const std::string& text, T& value) {
  if (text.empty()) return false;
  const char* first = text.data();
  const char* last = first + text.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  return ec == std::errc() && end == last;
}

}  // namespace jixiao_bench
