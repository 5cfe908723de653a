// Internal: the largest-remainder method of allocate.hpp over any weights, tie places and
// destination, for allocate.cpp and for the fund stage (which writes the shares straight into the
// rows' amounts and reads the weights where they are).
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "jixiao/engine/allocate.hpp"
#include "parallel.hpp"

namespace jixiao::engine::detail {

__extension__ typedef unsigned __int128 UInt128;  // NOLINT(modernize-use-using): see Int128

/// How many threads share a pass over n recipients: up to `threads` from 65,536 on (fewer are
/// not worth starting a thread for), else one. The results are the same either way: what the
/// ranges find is combined in range order, and every sum is exact.
inline std::size_t workers_for(std::size_t n, std::size_t threads) {
  return n >= (std::size_t{1} << 16) ? std::max<std::size_t>(1, threads) : 1;
}

/// Calls job(k, begin, end) for `workers` contiguous ranges k of 0..n, each on its own thread.
template <class Job>
void over_ranges(std::size_t n, std::size_t workers, const Job& job) {
  run_parallel(workers, [&](std::size_t k) { job(k, n * k / workers, n * (k + 1) / workers); });
}

/// What the validation pass learned about the weights.
struct WeightSummary {
  UInt128 total = 0;
  UInt128 max = 0;
};

/// Checks the weights and sums them. Errors in the documented order: a negative weight anywhere
/// wins over an overflowing sum; then pool × max must fit; then the sum must be non-zero.
template <class WeightAt>
std::variant<WeightSummary, AllocationError> summarize(std::uint64_t pool, std::size_t n, WeightAt weight_at,
                                                        std::size_t workers) {
  struct Part {
    WeightSummary sum;
    bool negative = false;
    bool overflowed = false;
  };
  std::vector<Part> parts(workers);
  over_ranges(n, workers, [&](std::size_t k, std::size_t begin, std::size_t end) {
    Part& part = parts[k];
    for (std::size_t i = begin; i < end; ++i) {
      const Int128 w = weight_at(i);
      if (w < 0) {
        part.negative = true;
        return;
      }
      if (w == 0) continue;
      const auto uw = static_cast<UInt128>(w);
      if (uw > part.sum.max) part.sum.max = uw;
      if (__builtin_add_overflow(part.sum.total, uw, &part.sum.total)) part.overflowed = true;
    }
  });
  WeightSummary s;
  bool sum_overflowed = false;
  for (const Part& part : parts) {
    if (part.negative) return AllocationError::kNegativeWeight;
  }
  for (const Part& part : parts) {
    if (part.sum.max > s.max) s.max = part.sum.max;
    if (part.overflowed || __builtin_add_overflow(s.total, part.sum.total, &s.total)) sum_overflowed = true;
  }
  if (sum_overflowed) return AllocationError::kOverflow;
  UInt128 largest_product = 0;
  if (__builtin_mul_overflow(static_cast<UInt128>(pool), s.max, &largest_product)) {
    return AllocationError::kOverflow;
  }
  if (s.total == 0) return AllocationError::kNoWeight;
  return s;
}

/// The number of bits of x (0 for 0).
template <class U>
int bit_width_of(U x) {
  int bits = 0;
  for (; x != 0; x >>= 1) ++bits;
  return bits;
}

/// Of the counts of the digits 0..65535, from the largest digit down: the digit at which `need`
/// is reached, `need` becoming what is still needed among the recipients of that digit.
inline std::size_t digit_reaching(const std::vector<std::uint32_t>& count, std::uint64_t& need) {
  std::size_t d = count.size() - 1;
  for (; count[d] < need; --d) need -= count[d];
  return d;
}

/// Selects among the items 0..n-1 the `need` (at most n) largest by key(i), a value of type U
/// below 2^width, those equal to the smallest one selected by tie_less (a strict total order), and
/// calls take(i) for each, in no particular order. No list of the items is made: one pass counts
/// the keys by their top 16 bits, takes the items above the digit where `need` is reached and
/// keeps those at it; further passes, 16 bits at a time, go over the kept ones only (few, unless
/// many keys are equal), and only among equal keys is the tie order consulted. The passes over
/// all items are shared by up to `threads` threads (key and take are called from them, take for
/// distinct items); the items selected do not depend on it.
template <class U, class Key, class TieLess, class Take>
void take_largest(std::size_t n, int width, std::uint64_t need, Key key, TieLess tie_less, Take take,
                  std::size_t threads = 1) {
  if (need == 0) return;
  constexpr int kDigit = 16;
  constexpr U kDigitMask = 0xFFFF;
  const std::size_t workers = workers_for(n, threads);
  int low = std::max(0, width - kDigit);
  std::vector<std::vector<std::uint32_t>> counts(workers, std::vector<std::uint32_t>(std::size_t{1} << kDigit, 0));
  over_ranges(n, workers, [&](std::size_t k, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) ++counts[k][static_cast<std::size_t>(key(i) >> low)];
  });
  std::vector<std::uint32_t> count = std::move(counts[0]);
  for (std::size_t k = 1; k < workers; ++k) {
    for (std::size_t d = 0; d < count.size(); ++d) count[d] += counts[k][d];
  }
  counts.clear();
  std::size_t digit = digit_reaching(count, need);
  std::vector<std::vector<std::uint32_t>> kept_in(workers);  // per range, the items at the digit
  over_ranges(n, workers, [&](std::size_t k, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const auto top = static_cast<std::size_t>(key(i) >> low);
      if (top > digit) {
        take(i);
      } else if (top == digit) {
        kept_in[k].push_back(static_cast<std::uint32_t>(i));
      }
    }
  });
  std::vector<std::uint32_t> kept = std::move(kept_in[0]);  // the items whose key agrees with the digits found so far
  for (std::size_t k = 1; k < workers; ++k) kept.insert(kept.end(), kept_in[k].begin(), kept_in[k].end());
  kept_in.clear();
  while (low > 0) {
    low = std::max(0, low - kDigit);
    std::fill(count.begin(), count.end(), 0);
    for (const std::uint32_t i : kept) ++count[static_cast<std::size_t>((key(i) >> low) & kDigitMask)];
    digit = digit_reaching(count, need);
    std::size_t still = 0;
    for (const std::uint32_t i : kept) {
      const auto d = static_cast<std::size_t>((key(i) >> low) & kDigitMask);
      if (d > digit) {
        take(i);
      } else if (d == digit) {
        kept[still++] = i;
      }
    }
    kept.resize(still);
  }
  assert(need <= kept.size());  // the kept keys are all equal now
  const auto last = kept.begin() + static_cast<std::ptrdiff_t>(need);
  if (need < kept.size()) std::nth_element(kept.begin(), last, kept.end(), tie_less);
  for (auto it = kept.begin(); it != last; ++it) take(*it);
}

/// The method in unsigned arithmetic of type U (64 bits when every product and the total fit,
/// which avoids 128-bit division; 128 bits otherwise). One pass gives every recipient its whole
/// fen; the k fen left over go to the k largest remainders, ties by `tie_less`, selected by
/// take_largest with each remainder recomputed from the whole fen as pool × w − whole × W (no
/// division, and no list of remainders).
template <class U, class WeightAt, class TieLess, class Out>
void split_pass(std::uint64_t pool, const WeightSummary& s, std::size_t n, WeightAt weight_at,
                TieLess tie_less, Out& out, std::size_t threads) {
  const auto big_w = static_cast<U>(s.total);
  const auto p = static_cast<U>(pool);
  auto weight = [&weight_at](std::size_t i) { return static_cast<U>(static_cast<UInt128>(weight_at(i))); };
  const std::size_t workers = workers_for(n, threads);
  std::vector<std::uint64_t> floor_sums(workers, 0);
  over_ranges(n, workers, [&](std::size_t k, std::size_t begin, std::size_t end) {
    std::uint64_t sum = 0;
    for (std::size_t i = begin; i < end; ++i) {
      const U w = weight(i);
      if (w == 0) continue;
      const U quotient = p * w / big_w;  // <= pool, so it fits in int64
      out.share(i, static_cast<std::int64_t>(quotient));
      sum += static_cast<std::uint64_t>(quotient);
    }
    floor_sums[k] = sum;
  });
  std::uint64_t floor_sum = 0;
  for (const std::uint64_t sum : floor_sums) floor_sum += sum;
  // Σ remainders == k × W and every remainder < W, so k < number of non-zero remainders: zero
  // remainders (and weights) never receive a fen.
  auto remainder = [&](std::size_t i) {
    const U w = weight(i);
    return w == 0 ? U{0} : p * w - static_cast<U>(out.whole(i)) * big_w;
  };
  take_largest<U>(n, bit_width_of(static_cast<U>(big_w - 1)), pool - floor_sum, remainder, tie_less,
                  [&out](std::size_t i) { out.extra(i); }, threads);
}

/// The greatest common divisor of the weights (non-negative, some positive).
template <class WeightAt>
UInt128 common_divisor(std::size_t n, WeightAt weight_at) {
  UInt128 g = 0;
  for (std::size_t i = 0; i < n && g != 1; ++i) {
    UInt128 b = static_cast<UInt128>(weight_at(i));
    while (b != 0) {
      const UInt128 t = g % b;
      g = b;
      b = t;
    }
  }
  return g;
}

/// The method itself, for validated inputs: pool >= 0, the weights summarized.
template <class WeightAt, class TieLess, class Out>
void hamilton(std::uint64_t pool, std::size_t n, WeightAt weight_at, TieLess tie_less, const WeightSummary& s, Out& out,
              std::size_t threads) {
  constexpr UInt128 kMax64 = std::numeric_limits<std::uint64_t>::max();
  if (s.total <= kMax64 && static_cast<UInt128>(pool) * s.max <= kMax64) {
    split_pass<std::uint64_t>(pool, s, n, weight_at, tie_less, out, threads);
  } else {
    split_pass<UInt128>(pool, s, n, weight_at, tie_less, out, threads);
  }
}

/// Validates the weights and splits: the largest-remainder method of allocate.hpp, for n
/// recipients, recipient i of weight weight_at(i) (an Int128); tie_less(i, j) says whether i comes
/// before j in the tie order (a strict total order). Each recipient with a weight gets its whole
/// fen by out.share(i, fen), read back by out.whole(i) until its remainder fen, if any, is given
/// by out.extra(i) (which adds 1); the others get no call (their share is 0). Returns the error,
/// if any, before any call. Weights too large for pool × w to fit are first divided by their
/// greatest common divisor, which changes no share (exact weights of many decimals often share a
/// large power of ten). Up to `threads` threads share the passes over the recipients (calling
/// weight_at, out.share, out.whole and out.extra, each for distinct recipients); the result does
/// not depend on it.
template <class WeightAt, class TieLess, class Out>
std::optional<AllocationError> split_exactly(std::int64_t pool_fen, std::size_t n, WeightAt weight_at, TieLess tie_less,
                                             Out& out, std::size_t threads = 1) {
  const auto pool = static_cast<std::uint64_t>(pool_fen);
  const std::size_t workers = workers_for(n, threads);
  const auto summary = summarize(pool, n, weight_at, workers);
  if (const auto* error = std::get_if<AllocationError>(&summary)) {
    if (*error != AllocationError::kOverflow) return *error;
    const UInt128 g = common_divisor(n, weight_at);
    if (g <= 1) return *error;
    auto reduced = [&weight_at, g](std::size_t i) {
      return static_cast<Int128>(static_cast<UInt128>(weight_at(i)) / g);
    };
    const auto again = summarize(pool, n, reduced, workers);
    if (const auto* e = std::get_if<AllocationError>(&again)) return *e;
    hamilton(pool, n, reduced, tie_less, std::get<WeightSummary>(again), out, threads);
    return std::nullopt;
  }
  hamilton(pool, n, weight_at, tie_less, std::get<WeightSummary>(summary), out, threads);
  return std::nullopt;
}

}  // namespace jixiao::engine::detail
