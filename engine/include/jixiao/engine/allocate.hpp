// Fund allocation: splits a money pool (whole fen) among recipients in proportion to weights so
// that every fen is paid out exactly, by the largest-remainder (Hamilton) method.
// docs/allocation.md explains the method, the tie order and the conservation check.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "jixiao/dsl/decimal.hpp"

namespace jixiao::engine {

/// The result of splitting one pool. Both vectors have one entry per recipient, in the order
/// the weights were given; the shares add up to the pool exactly.
struct Allocation {
  std::vector<std::int64_t> shares;     ///< fen per recipient, same order as the weights
  std::vector<std::uint8_t> extra_fen;  ///< 1 where the recipient received one remainder fen
};

/// Why a pool could not be split. The allocation functions return one of these instead of a
/// result; describe() gives the message shown to the user.
enum class AllocationError {
  kNoWeight,         ///< all weights are zero, or there are no recipients
  kNegativeWeight,   ///< some weight (or percentage share) is negative
  kNegativePool,     ///< the pool is negative
  kOverflow,         ///< pool × weight, or the sum of the weights, does not fit in 128 bits
  kInvalidTieRank,   ///< tie_rank is not a permutation of 0..n-1 (or has the wrong length)
};

/// Splits `pool_fen` in proportion to `weights` (non-negative integers at any common scale,
/// e.g. fen × 10^6) by the largest-remainder method. With W = Σw, recipient i first gets
/// floor(pool × w_i / W); the k fen left over (k < number of recipients with w > 0) go one each
/// to the recipients with the largest remainders (pool × w_i mod W), compared exactly in
/// integers; among equal remainders the recipient with the smaller tie_rank[i] goes first.
/// Zero-weight recipients get 0 and never an extra fen; no share is negative; the shares add up
/// to `pool_fen` exactly. The result depends only on each recipient's (weight, tie_rank), not on
/// the order the recipients are listed in.
///
/// `tie_rank[i]` is the position of recipient i in the declared tie order and must be a
/// permutation of 0..n-1 with n == weights.size(); this is checked (kInvalidTieRank).
/// Errors, checked in this order: kNegativePool (pool < 0), kInvalidTieRank, kNegativeWeight,
/// kOverflow (Σw or pool × w_i does not fit in an unsigned 128-bit integer), kNoWeight (W == 0,
/// including no recipients).
///
/// Runs in O(n) time: one pass computes the quotients; the smallest remainder that receives a fen
/// is found by counting the remainders by digit (largest_remainder.hpp). Besides the two result
/// vectors it allocates a table of 2^16 counts and a list of the recipients whose remainder
/// shares its top 16 bits with that one (few, unless many remainders are equal).
std::variant<Allocation, AllocationError> allocate_largest_remainder(
    std::int64_t pool_fen, std::span<const Int128> weights, std::span<const std::uint32_t> tie_rank);

/// The same for the recipients `who` (indices into `weights`, e.g. rows, each at most once):
/// recipient i has the weight weights[who[i]] and the place tie_rank[i]; the result has one entry
/// per recipient. The weights of a whole table are read where they are, not gathered into a copy.
std::variant<Allocation, AllocationError> allocate_largest_remainder(
    std::int64_t pool_fen, std::span<const Int128> weights, std::span<const std::uint32_t> who,
    std::span<const std::uint32_t> tie_rank);

/// Splits a pool into parts by percentage shares (raw decimals at scale 10^6, e.g. 70% is
/// 70'000'000) by the same method, the shares acting as weights; ties go by index (the first
/// declared part first). The shares need not add up to 100% here (the pool is always paid out in
/// full, in proportion to them); the caller checks that they do. Errors as for
/// allocate_largest_remainder: kNegativePool, kNegativeWeight (a negative share), kNoWeight
/// (no parts, or all shares zero).
std::variant<Allocation, AllocationError> split_by_shares(
    std::int64_t pool_fen, std::span<const std::int64_t> shares_raw);

/// The exact sum of `shares` in 128 bits (it cannot overflow for fewer than 2^64 shares). The
/// caller compares it with the pool: the conservation check every run performs.
Int128 total(std::span<const std::int64_t> shares);

/// A lowercase, user-facing message for `e`, e.g. "the weights add up to 0: nobody can receive a
/// share". Never empty.
std::string_view describe(AllocationError e);

}  // namespace jixiao::engine
