// Largest-remainder (Hamilton) allocation of a pool of fen (the method is in largest_remainder.hpp).
#include "jixiao/engine/allocate.hpp"

#include <cstddef>
#include <utility>

#include "largest_remainder.hpp"

namespace jixiao::engine {
namespace {

/// Where detail::split_exactly puts the shares: an Allocation of n recipients.
struct Into {
  Allocation& a;
  void share(std::size_t i, std::int64_t fen) const { a.shares[i] = fen; }
  [[nodiscard]] std::int64_t whole(std::size_t i) const { return a.shares[i]; }
  void extra(std::size_t i) const {
    ++a.shares[i];
    a.extra_fen[i] = 1;
  }
};

/// Splits by detail::split_exactly into `result`, whose extra_fen may hold anything of size n.
template <class WeightAt, class TieLess>
std::variant<Allocation, AllocationError> split_exactly(std::int64_t pool_fen, std::size_t n, WeightAt weight_at,
                                                        TieLess tie_less, Allocation result) {
  result.shares.assign(n, 0);
  result.extra_fen.assign(n, 0);
  Into into{result};
  if (const auto e = detail::split_exactly(pool_fen, n, weight_at, tie_less, into)) return *e;
  return result;
}

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
      pool_fen, n, weight_at, [tie_rank](std::uint32_t a, std::uint32_t b) { return tie_rank[a] < tie_rank[b]; }, std::move(result));
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
      [](std::uint32_t a, std::uint32_t b) { return a < b; }, Allocation{});
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
