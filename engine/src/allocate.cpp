// Largest-remainder (Hamilton) allocation of a pool of fen: exact integer quotients and
// remainders in one pass, then the k largest remainders chosen with std::nth_element.
#include "jixiao/engine/allocate.hpp"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <limits>
#include <utility>

namespace jixiao::engine {
namespace {

__extension__ typedef unsigned __int128 UInt128;  // NOLINT(modernize-use-using): see Int128

/// A recipient that may receive one remainder fen: those with a non-zero remainder. The remainder
/// is of the pass's type U: 16 bytes a candidate when it is 64 bits (most splits), 32 otherwise.
/// Ranks and indices fit in 32 bits: tie ranks are a permutation of 32-bit places.
template <class U>
struct Candidate {
  U remainder;
  std::uint32_t rank;   // position in the tie order: smaller goes first among equal remainders
  std::uint32_t index;  // position in the input
};

/// Strict total order "a receives its extra fen before b" (ranks are unique).
template <class U>
bool goes_first(const Candidate<U>& a, const Candidate<U>& b) {
  if (a.remainder != b.remainder) return a.remainder > b.remainder;
  return a.rank < b.rank;
}

/// What the validation pass learned about the weights.
struct WeightSummary {
  UInt128 total = 0;
  UInt128 max = 0;
  std::size_t positive = 0;  // recipients with w > 0
};

/// Checks the weights and sums them. Errors in the documented order: a negative weight anywhere
/// wins over an overflowing sum; then pool × max must fit; then the sum must be non-zero.
template <class WeightAt>
std::variant<WeightSummary, AllocationError> summarize(std::uint64_t pool, std::size_t n,
                                                        WeightAt weight_at) {
  WeightSummary s;
  bool sum_overflowed = false;
  for (std::size_t i = 0; i < n; ++i) {
    const Int128 w = weight_at(i);
    if (w < 0) return AllocationError::kNegativeWeight;
    if (w == 0) continue;
    const auto uw = static_cast<UInt128>(w);
    ++s.positive;
    if (uw > s.max) s.max = uw;
    if (__builtin_add_overflow(s.total, uw, &s.total)) sum_overflowed = true;
  }
  if (sum_overflowed) return AllocationError::kOverflow;
  UInt128 largest_product = 0;
  if (__builtin_mul_overflow(static_cast<UInt128>(pool), s.max, &largest_product)) {
    return AllocationError::kOverflow;
  }
  if (s.total == 0) return AllocationError::kNoWeight;
  return s;
}

/// The method in unsigned arithmetic of type U (64 bits when every product and the total fit,
/// which avoids 128-bit division; 128 bits otherwise): one pass stores the floor shares and
/// collects the recipients with a non-zero remainder; the k fen left over go to the k best.
template <class U, class WeightAt, class RankAt>
void split_pass(std::uint64_t pool, const WeightSummary& s, std::size_t n, WeightAt weight_at,
                RankAt rank_at, Allocation& result) {
  std::vector<Candidate<U>> candidates;
  candidates.reserve(s.positive);
  const auto big_w = static_cast<U>(s.total);
  const auto p = static_cast<U>(pool);
  std::uint64_t floor_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto w = static_cast<U>(static_cast<UInt128>(weight_at(i)));
    if (w == 0) continue;
    const U product = p * w;
    const U quotient = product / big_w;  // <= pool, so it fits in int64
    const U remainder = product - quotient * big_w;
    result.shares[i] = static_cast<std::int64_t>(quotient);
    floor_sum += static_cast<std::uint64_t>(quotient);
    if (remainder != 0) {
      candidates.push_back({remainder, static_cast<std::uint32_t>(rank_at(i)), static_cast<std::uint32_t>(i)});
    }
  }

  // Σ remainders == k × W and every remainder < W, so k < number of non-zero remainders: the
  // candidates always suffice, and zero-remainder recipients are never needed.
  const std::uint64_t k = pool - floor_sum;
  assert(k < candidates.size() || k == 0);
  const std::size_t winners = std::min(static_cast<std::size_t>(k), candidates.size());
  if (winners > 0) {
    const auto nth = candidates.begin() + static_cast<std::ptrdiff_t>(winners);
    if (winners < candidates.size()) {
      std::nth_element(candidates.begin(), nth, candidates.end(), goes_first<U>);
    }
    for (auto it = candidates.begin(); it != nth; ++it) {
      ++result.shares[it->index];
      result.extra_fen[it->index] = 1;
    }
  }
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

/// The method itself, for validated inputs: pool >= 0 and ranks a permutation, the weights
/// summarized.
template <class WeightAt, class RankAt>
std::variant<Allocation, AllocationError> hamilton(std::uint64_t pool, std::size_t n, WeightAt weight_at,
                                                   RankAt rank_at, const WeightSummary& s, Allocation result) {
  result.shares.assign(n, 0);
  result.extra_fen.assign(n, 0);
  constexpr UInt128 kMax64 = std::numeric_limits<std::uint64_t>::max();
  if (s.total <= kMax64 && static_cast<UInt128>(pool) * s.max <= kMax64) {
    split_pass<std::uint64_t>(pool, s, n, weight_at, rank_at, result);
  } else {
    split_pass<UInt128>(pool, s, n, weight_at, rank_at, result);
  }
  return result;
}

/// Validates the weights and splits. Weights too large for pool × w to fit are first divided by
/// their greatest common divisor, which changes no share (exact weights of many decimals often
/// share a large power of ten).
template <class WeightAt, class RankAt>
std::variant<Allocation, AllocationError> split_exactly(std::int64_t pool_fen, std::size_t n, WeightAt weight_at,
                                                        RankAt rank_at, Allocation result) {
  const auto pool = static_cast<std::uint64_t>(pool_fen);
  const auto summary = summarize(pool, n, weight_at);
  if (const auto* error = std::get_if<AllocationError>(&summary)) {
    if (*error != AllocationError::kOverflow) return *error;
    const UInt128 g = common_divisor(n, weight_at);
    if (g <= 1) return *error;
    auto reduced = [&weight_at, g](std::size_t i) {
      return static_cast<Int128>(static_cast<UInt128>(weight_at(i)) / g);
    };
    const auto again = summarize(pool, n, reduced);
    if (const auto* e = std::get_if<AllocationError>(&again)) return *e;
    return hamilton(pool, n, reduced, rank_at, std::get<WeightSummary>(again), std::move(result));
  }
  return hamilton(pool, n, weight_at, rank_at, std::get<WeightSummary>(summary), std::move(result));
}

}  // namespace

namespace {

/// Splits among n recipients, recipient i having the weight weight_at(i) and the place
/// tie_rank[i], after checking the pool and that `tie_rank` is a permutation of 0..n-1 (using the
/// extra_fen vector of the result, needed anyway, as the "seen" marks).
template <class WeightAt>
std::variant<Allocation, AllocationError> allocate_ranked(std::int64_t pool_fen, std::size_t n, WeightAt weight_at,
                                                          std::span<const std::uint32_t> tie_rank) {
  if (pool_fen < 0) return AllocationError::kNegativePool;
  if (tie_rank.size() != n) return AllocationError::kInvalidTieRank;
  Allocation result;
  result.extra_fen.assign(n, 0);
  for (const std::uint32_t rank : tie_rank) {
    if (rank >= n || result.extra_fen[rank] != 0) return AllocationError::kInvalidTieRank;
    result.extra_fen[rank] = 1;
  }
  return split_exactly(
      pool_fen, n, weight_at, [tie_rank](std::size_t i) { return std::uint64_t{tie_rank[i]}; }, std::move(result));
}

}  // namespace

std::variant<Allocation, AllocationError> allocate_largest_remainder(
    std::int64_t pool_fen, std::span<const Int128> weights,
    std::span<const std::uint32_t> tie_rank) {
  return allocate_ranked(pool_fen, weights.size(), [weights](std::size_t i) { return weights[i]; }, tie_rank);
}

std::variant<Allocation, AllocationError> allocate_largest_remainder(
    std::int64_t pool_fen, std::span<const Int128> weights, std::span<const std::uint32_t> who,
    std::span<const std::uint32_t> tie_rank) {
  return allocate_ranked(pool_fen, who.size(), [weights, who](std::size_t i) { return weights[who[i]]; }, tie_rank);
}

std::variant<Allocation, AllocationError> split_by_shares(
    std::int64_t pool_fen, std::span<const std::int64_t> shares_raw) {
  if (pool_fen < 0) return AllocationError::kNegativePool;
  return split_exactly(
      pool_fen, shares_raw.size(), [shares_raw](std::size_t i) { return Int128{shares_raw[i]}; },
      [](std::size_t i) { return std::uint64_t{i}; }, Allocation{});
}

Int128 total(std::span<const std::int64_t> shares) {
  Int128 sum = 0;
  for (const std::int64_t s : shares) sum += s;
  return sum;
}

std::string_view describe(AllocationError e) {
  switch (e) {
    case AllocationError::kNoWeight:
      return "the weights add up to 0: nobody can receive a share";
    case AllocationError::kNegativeWeight:
      return "a weight is negative: a pool can only be split by non-negative weights";
    case AllocationError::kNegativePool:
      return "the pool is negative: only a non-negative amount can be paid out";
    case AllocationError::kOverflow:
      return "the amounts are too large: the pool times a weight, or the sum of the weights, "
             "does not fit in 128 bits";
    case AllocationError::kInvalidTieRank:
      return "the tie order is not a permutation of the recipients: every recipient needs its "
             "own place in it";
  }
  return "unknown allocation error";
}

}  // namespace jixiao::engine
