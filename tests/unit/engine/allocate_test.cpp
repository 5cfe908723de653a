// Tests of largest-remainder allocation: hand-checked examples, every error, and randomized
// properties (conservation, bounds, order independence, monotonicity) against a reference.
#include "jixiao/engine/allocate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <variant>
#include <vector>

namespace jixiao::engine {
namespace {

using Result = std::variant<Allocation, AllocationError>;
using Shares = std::vector<std::int64_t>;
using Extra = std::vector<std::uint8_t>;

/// "ok", or the enumerator's name: readable in failure messages.
std::string error_name(const Result& r) {
  if (std::holds_alternative<Allocation>(r)) return "ok";
  switch (std::get<AllocationError>(r)) {
    case AllocationError::kNoWeight: return "kNoWeight";
    case AllocationError::kNegativeWeight: return "kNegativeWeight";
    case AllocationError::kNegativePool: return "kNegativePool";
    case AllocationError::kOverflow: return "kOverflow";
    case AllocationError::kInvalidTieRank: return "kInvalidTieRank";
  }
  return "unknown";
}

/// The allocation in `r`; records a failure (and returns an empty one) if `r` is an error.
Allocation ok(const Result& r) {
  if (const auto* a = std::get_if<Allocation>(&r)) return *a;
  ADD_FAILURE() << "expected an allocation, got: " << describe(std::get<AllocationError>(r));
  return {};
}

std::string str(Int128 v) { return decimal::int128_to_string(v); }

std::vector<std::uint32_t> identity_ranks(std::size_t n) {
  std::vector<std::uint32_t> ranks(n);
  std::iota(ranks.begin(), ranks.end(), 0U);
  return ranks;
}

Result alloc(std::int64_t pool, const std::vector<Int128>& weights,
             const std::vector<std::uint32_t>& ranks) {
  return allocate_largest_remainder(pool, weights, ranks);
}

Result alloc(std::int64_t pool, const std::vector<Int128>& weights) {
  return alloc(pool, weights, identity_ranks(weights.size()));
}

// ---------------------------------------------------------------------------------------------
// Worked examples, checked by hand.

TEST(AllocLargestRemainder, ThreeEqualWeightsExtraFenGoesToTieRankZero) {
  // 100 / 3 = 33 rest 1 each; one fen left over; all remainders equal, tie order decides.
  const Allocation a = ok(alloc(100, {1, 1, 1}, {0, 1, 2}));
  EXPECT_EQ(a.shares, (Shares{34, 33, 33}));
  EXPECT_EQ(a.extra_fen, (Extra{1, 0, 0}));
}

TEST(AllocLargestRemainder, ThreeEqualWeightsReversedTieOrder) {
  const Allocation a = ok(alloc(100, {1, 1, 1}, {2, 1, 0}));
  EXPECT_EQ(a.shares, (Shares{33, 33, 34}));
  EXPECT_EQ(a.extra_fen, (Extra{0, 0, 1}));
}

TEST(AllocLargestRemainder, TieOrderIsARankNotAPosition) {
  // 10 / 4 = 2 rest 2 each, two fen left: ranks 0 and 1 are at positions 2 and 1.
  const Allocation a = ok(alloc(10, {1, 1, 1, 1}, {3, 1, 0, 2}));
  EXPECT_EQ(a.shares, (Shares{2, 3, 3, 2}));
  EXPECT_EQ(a.extra_fen, (Extra{0, 1, 1, 0}));
}

TEST(AllocLargestRemainder, ExactSplitHasNoExtraFen) {
  // 1000 × 3/10 = 300, 1000 × 4/10 = 400: nothing left over.
  const Allocation a = ok(alloc(1000, {3, 3, 4}));
  EXPECT_EQ(a.shares, (Shares{300, 300, 400}));
  EXPECT_EQ(a.extra_fen, (Extra{0, 0, 0}));
}

TEST(AllocLargestRemainder, LargerRemainderBeatsTieOrder) {
  // 1001 × 3/10 = 300.3, 300.3, 400.4: remainders 3, 3, 4 (tenths); the last has tie rank 2
  // but the largest remainder, so it gets the single leftover fen.
  const Allocation a = ok(alloc(1001, {3, 3, 4}, {0, 1, 2}));
  EXPECT_EQ(a.shares, (Shares{300, 300, 401}));
  EXPECT_EQ(a.extra_fen, (Extra{0, 0, 1}));

  // 10 × 1/7, 2/7, 4/7 = 1.43, 2.86, 5.71: floors 1, 2, 5, two fen left; remainders 3, 6, 5
  // (sevenths), so positions 1 and 2 win although position 0 has the best tie rank.
  const Allocation b = ok(alloc(10, {1, 2, 4}, {0, 1, 2}));
  EXPECT_EQ(b.shares, (Shares{1, 3, 6}));
  EXPECT_EQ(b.extra_fen, (Extra{0, 1, 1}));
}

TEST(AllocLargestRemainder, RemaindersAreComparedExactlyNotInFloatingPoint) {
  // w = 10^17 and 10^17 + 1 are the same number in double precision; in integers the middle
  // remainder is larger. Pool 2: floors are 0, remainders 2w_i (W = 3 × 10^17 + 1), so the
  // middle one gets the first fen and tie rank 0 the second.
  const Int128 big = 100'000'000'000'000'000;
  const Allocation a = ok(alloc(2, {big, big + 1, big}, {0, 1, 2}));
  EXPECT_EQ(a.shares, (Shares{1, 1, 0}));
  const Allocation b = ok(alloc(1, {big, big + 1, big}, {0, 1, 2}));
  EXPECT_EQ(b.shares, (Shares{0, 1, 0}));
}

TEST(AllocLargestRemainder, ZeroWeightRecipientsGetNothing) {
  // 101 × 1/2 = 50.5 for positions 1 and 3; positions 0 and 2 weigh 0. The zero-weight
  // recipient at position 0 has the best tie rank and still gets no extra fen.
  const Allocation a = ok(alloc(101, {0, 1, 0, 1}, {0, 1, 2, 3}));
  EXPECT_EQ(a.shares, (Shares{0, 51, 0, 50}));
  EXPECT_EQ(a.extra_fen, (Extra{0, 1, 0, 0}));

  const Allocation b = ok(alloc(1, {0, 0, 5}));
  EXPECT_EQ(b.shares, (Shares{0, 0, 1}));
  EXPECT_EQ(b.extra_fen, (Extra{0, 0, 0}));  // a whole fen by floor, not a remainder fen
}

TEST(AllocLargestRemainder, OneRecipientGetsEverything) {
  const Allocation a = ok(alloc(12'345, {7}));
  EXPECT_EQ(a.shares, (Shares{12'345}));
  EXPECT_EQ(a.extra_fen, (Extra{0}));
}

TEST(AllocLargestRemainder, EmptyPoolGivesZeros) {
  const Allocation a = ok(alloc(0, {1, 2, 3}));
  EXPECT_EQ(a.shares, (Shares{0, 0, 0}));
  EXPECT_EQ(a.extra_fen, (Extra{0, 0, 0}));
}

TEST(AllocLargestRemainder, LargestPoolWithWeightsBeyond64Bits) {
  // pool = 2^63 - 1 with w = 2^64 each: the products need 127 bits. Half each is 2^62 - 0.5:
  // floors 2^62 - 1, one fen left, tie order gives it to position 0.
  const Int128 w = Int128{1} << 64;
  const Allocation a = ok(alloc(INT64_MAX, {w, w}));
  EXPECT_EQ(a.shares, (Shares{4'611'686'018'427'387'904, 4'611'686'018'427'387'903}));
  EXPECT_EQ(str(total(a.shares)), str(INT64_MAX));
}

TEST(AllocSplitByShares, SeedExampleSeventyThirty) {
  // 7000万元 = 7'000'000'000 fen split 70% / 30%.
  const std::vector<std::int64_t> shares{70'000'000, 30'000'000};
  const Allocation a = ok(split_by_shares(7'000'000'000, shares));
  EXPECT_EQ(a.shares, (Shares{4'900'000'000, 2'100'000'000}));
  EXPECT_EQ(a.extra_fen, (Extra{0, 0}));
  EXPECT_EQ(str(total(a.shares)), "7000000000");
}

TEST(AllocSplitByShares, ThirdsTieGoesToTheFirstDeclaredPart) {
  // 33.333333% each: 100 × 33333333 / 99999999 = 33.33…, remainders equal; the first part wins.
  const std::vector<std::int64_t> shares{33'333'333, 33'333'333, 33'333'333};
  const Allocation a = ok(split_by_shares(100, shares));
  EXPECT_EQ(a.shares, (Shares{34, 33, 33}));
  EXPECT_EQ(a.extra_fen, (Extra{1, 0, 0}));
}

TEST(AllocSplitByShares, SharesActAsProportionsWhenTheyDoNotAddUpTo100) {
  // 20% + 20% is checked by the caller; here the pool is still paid out in full, half each.
  const std::vector<std::int64_t> shares{20'000'000, 20'000'000};
  const Allocation a = ok(split_by_shares(101, shares));
  EXPECT_EQ(a.shares, (Shares{51, 50}));
}

TEST(AllocSplitByShares, LargestPoolSplitsExactly) {
  // (2^63 - 1) × 0.7 = 6456360425798343064.9 and × 0.3 = 2767011611056432742.1: one fen left,
  // to the larger remainder (the 70% part).
  const std::vector<std::int64_t> shares{70'000'000, 30'000'000};
  const Allocation a = ok(split_by_shares(INT64_MAX, shares));
  EXPECT_EQ(a.shares, (Shares{6'456'360'425'798'343'065, 2'767'011'611'056'432'742}));
  EXPECT_EQ(a.extra_fen, (Extra{1, 0}));
}

TEST(AllocTotal, SumsIn128Bits) {
  EXPECT_EQ(str(total(std::vector<std::int64_t>{})), "0");
  EXPECT_EQ(str(total(std::vector<std::int64_t>{5, -2, 7})), "10");
  EXPECT_EQ(str(total(std::vector<std::int64_t>{INT64_MAX, INT64_MAX, 2})), "18446744073709551616");
}

// ---------------------------------------------------------------------------------------------
// Errors.

TEST(AllocErrors, NoWeight) {
  EXPECT_EQ(error_name(alloc(100, {0, 0, 0})), "kNoWeight");
  EXPECT_EQ(error_name(alloc(100, {})), "kNoWeight");
  EXPECT_EQ(error_name(alloc(0, {0})), "kNoWeight");
  EXPECT_EQ(error_name(split_by_shares(100, std::vector<std::int64_t>{0, 0})), "kNoWeight");
  EXPECT_EQ(error_name(split_by_shares(100, std::vector<std::int64_t>{})), "kNoWeight");
}

TEST(AllocErrors, NegativeWeight) {
  EXPECT_EQ(error_name(alloc(100, {1, -1, 5})), "kNegativeWeight");
  EXPECT_EQ(error_name(alloc(100, {-1})), "kNegativeWeight");
  EXPECT_EQ(error_name(split_by_shares(100, std::vector<std::int64_t>{130'000'000, -30'000'000})),
            "kNegativeWeight");
}

TEST(AllocErrors, NegativePool) {
  EXPECT_EQ(error_name(alloc(-1, {1, 1})), "kNegativePool");
  EXPECT_EQ(error_name(alloc(INT64_MIN, {1})), "kNegativePool");
  EXPECT_EQ(error_name(split_by_shares(-100, std::vector<std::int64_t>{100'000'000})),
            "kNegativePool");
}

TEST(AllocErrors, Overflow) {
  // pool × w needs 63 + 100 bits.
  const Int128 huge = Int128{1} << 100;
  EXPECT_EQ(error_name(alloc(INT64_MAX, {huge, 1})), "kOverflow");
  // Each weight fits, but their sum does not fit in 128 bits (even with pool 0), and they have no
  // common divisor to reduce them by.
  const Int128 max = (Int128{1} << 126) - 1 + (Int128{1} << 126);  // 2^127 - 1
  EXPECT_EQ(error_name(alloc(0, {max, max - 1, max})), "kOverflow");
  // Just inside: pool × w == (2^63 - 1) × 2^64 < 2^127.
  EXPECT_EQ(error_name(alloc(INT64_MAX, {Int128{1} << 64})), "ok");
  // A negative weight is reported before an overflowing sum.
  EXPECT_EQ(error_name(alloc(0, {max, max, max, -1})), "kNegativeWeight");
}

TEST(AllocErrors, TooLargeWeightsWithACommonDivisorAreReduced) {
  // pool × w does not fit in 128 bits, but the weights share the factor 2^100: the split is the
  // one of 3 : 5 : 0, exactly.
  const Int128 huge = Int128{1} << 100;
  const Result big = alloc(INT64_MAX, {huge * 3, huge * 5, 0});
  const Result small = alloc(INT64_MAX, {3, 5, 0});
  ASSERT_EQ(error_name(big), "ok");
  EXPECT_EQ(std::get<Allocation>(big).shares, std::get<Allocation>(small).shares);
  EXPECT_EQ(std::get<Allocation>(big).extra_fen, std::get<Allocation>(small).extra_fen);
  // The same for a sum that does not fit: 2^127 − 1 three times is 1 : 1 : 1.
  const Int128 max = (Int128{1} << 126) - 1 + (Int128{1} << 126);
  const Result same = alloc(100, {max, max, max});
  ASSERT_EQ(error_name(same), "ok");
  EXPECT_EQ(std::get<Allocation>(same).shares, (std::vector<std::int64_t>{34, 33, 33}));
}

TEST(AllocErrors, InvalidTieRank) {
  EXPECT_EQ(error_name(alloc(100, {1, 1, 1}, {0, 1, 1})), "kInvalidTieRank");  // duplicate
  EXPECT_EQ(error_name(alloc(100, {1, 1, 1}, {0, 1, 3})), "kInvalidTieRank");  // out of range
  EXPECT_EQ(error_name(alloc(100, {1, 1, 1}, {0, 1})), "kInvalidTieRank");     // too short
  EXPECT_EQ(error_name(alloc(100, {1, 1}, {0, 1, 2})), "kInvalidTieRank");     // too long
  EXPECT_EQ(error_name(alloc(100, {1, 1, 1}, {2, 0, 1})), "ok");
}

TEST(AllocErrors, DescribeGivesADistinctLowercaseMessageForEachError) {
  EXPECT_EQ(describe(AllocationError::kNoWeight),
            "the weights add up to 0: nobody can receive a share");
  const AllocationError all[] = {AllocationError::kNoWeight, AllocationError::kNegativeWeight,
                                 AllocationError::kNegativePool, AllocationError::kOverflow,
                                 AllocationError::kInvalidTieRank};
  std::vector<std::string> seen;
  for (const AllocationError e : all) {
    const std::string message(describe(e));
    ASSERT_FALSE(message.empty());
    EXPECT_TRUE(message[0] >= 'a' && message[0] <= 'z') << message;
    EXPECT_EQ(std::count(seen.begin(), seen.end(), message), 0) << message;
    seen.push_back(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Properties over random cases.

/// Simple, obviously correct reference: exact floors, then a full sort of all recipients by
/// (remainder descending, tie rank ascending); the first pool − Σfloor get one fen each.
/// `boundary_tie` is set when the last winner and the first loser have equal remainders, i.e.
/// the tie order decided the outcome.
Shares reference(std::int64_t pool, const std::vector<Int128>& w,
                 const std::vector<std::uint32_t>& rank, bool* boundary_tie = nullptr) {
  const std::size_t n = w.size();
  Int128 big_w = 0;
  for (const Int128 x : w) big_w += x;
  Shares shares(n);
  std::vector<Int128> rem(n);
  Int128 given = 0;
  for (std::size_t i = 0; i < n; ++i) {
    shares[i] = static_cast<std::int64_t>(pool * w[i] / big_w);
    rem[i] = pool * w[i] % big_w;
    given += shares[i];
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (rem[a] != rem[b]) return rem[a] > rem[b];
    return rank[a] < rank[b];
  });
  const auto k = static_cast<std::size_t>(pool - given);
  for (std::size_t j = 0; j < k; ++j) ++shares[order[j]];
  if (boundary_tie != nullptr) {
    *boundary_tie = k > 0 && k < n && rem[order[k - 1]] == rem[order[k]];
  }
  return shares;
}

struct Case {
  std::int64_t pool = 0;
  std::vector<Int128> weights;
  std::vector<std::uint32_t> ranks;
};

std::int64_t uniform(std::mt19937_64& rng, std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

/// A random weight in [0, 10^15], or up to about 2^80 when `wide`.
Int128 random_weight(std::mt19937_64& rng, bool wide) {
  switch (uniform(rng, 0, 3)) {
    case 0: return 0;
    case 1: return uniform(rng, 1, 10);
    default:
      if (!wide) return uniform(rng, 0, 1'000'000'000'000'000);
      return (Int128{uniform(rng, 0, 65'535)} << 64) + uniform(rng, 0, INT64_MAX);
  }
}

/// Pools from 0 to 10^13 fen, 1..500 recipients, weights drawn mostly from a small palette (so
/// many are equal and their remainders tie), random tie ranks.
Case random_case(std::mt19937_64& rng, bool wide) {
  Case c;
  const auto n = static_cast<std::size_t>(uniform(rng, 0, 2) == 0 ? uniform(rng, 1, 5)
                                                                   : uniform(rng, 1, 500));
  switch (uniform(rng, 0, 3)) {
    case 0: c.pool = uniform(rng, 0, 10'000'000'000'000); break;
    case 1: c.pool = uniform(rng, 0, 1000); break;
    case 2: c.pool = uniform(rng, 0, 3 * static_cast<std::int64_t>(n)); break;
    default: {
      const std::int64_t fixed[] = {0, 1, 7'000'000'000, 10'000'000'000'000};
      c.pool = fixed[uniform(rng, 0, 3)];
    }
  }
  std::vector<Int128> palette(static_cast<std::size_t>(uniform(rng, 1, 6)));
  for (Int128& p : palette) p = random_weight(rng, wide);
  c.weights.resize(n);
  for (Int128& w : c.weights) {
    const auto pick = uniform(rng, 0, static_cast<std::int64_t>(palette.size()) - 1);
    w = uniform(rng, 0, 3) != 0 ? palette[static_cast<std::size_t>(pick)]
                                : random_weight(rng, wide);
  }
  c.ranks = identity_ranks(n);
  std::shuffle(c.ranks.begin(), c.ranks.end(), rng);
  return c;
}

/// Checks properties (a)–(g) for one case; `rng` drives the permutation of (d).
void check_properties(const Case& c, std::mt19937_64& rng, bool* boundary_tie) {
  const std::size_t n = c.weights.size();
  const Result r = alloc(c.pool, c.weights, c.ranks);
  Int128 big_w = 0;
  for (const Int128 w : c.weights) big_w += w;
  if (big_w == 0) {
    ASSERT_EQ(error_name(r), "kNoWeight");
    return;
  }
  ASSERT_EQ(error_name(r), "ok");
  const auto& a = std::get<Allocation>(r);
  ASSERT_EQ(a.shares.size(), n);
  ASSERT_EQ(a.extra_fen.size(), n);

  // (a) conservation.
  ASSERT_EQ(str(total(a.shares)), str(c.pool));
  // (b) no negative share; (c) floor or floor + 1, extra_fen marks the +1, and exactly
  // pool − Σfloor recipients got one.
  Int128 floor_sum = 0;
  std::int64_t extras = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_GE(a.shares[i], 0) << "recipient " << i;
    const auto floor_share = static_cast<std::int64_t>(c.pool * c.weights[i] / big_w);
    floor_sum += floor_share;
    ASSERT_EQ(a.shares[i] - floor_share, std::int64_t{a.extra_fen[i]}) << "recipient " << i;
    ASSERT_LE(a.extra_fen[i], 1) << "recipient " << i;
    if (c.weights[i] == 0) {
      ASSERT_EQ(a.shares[i], 0) << "recipient " << i;
    }
    extras += a.extra_fen[i];
  }
  ASSERT_EQ(str(extras), str(c.pool - floor_sum));

  // (e) the reference agrees.
  ASSERT_EQ(a.shares, reference(c.pool, c.weights, c.ranks, boundary_tie));

  // (d) listing the recipients in another order (weights and tie ranks together) gives each
  // recipient the same share.
  std::vector<std::size_t> perm(n);
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  std::shuffle(perm.begin(), perm.end(), rng);
  std::vector<Int128> pw(n);
  std::vector<std::uint32_t> pr(n);
  for (std::size_t j = 0; j < n; ++j) {
    pw[j] = c.weights[perm[j]];
    pr[j] = c.ranks[perm[j]];
  }
  const Allocation b = ok(alloc(c.pool, pw, pr));
  ASSERT_EQ(b.shares.size(), n);
  for (std::size_t j = 0; j < n; ++j) {
    ASSERT_EQ(b.shares[j], a.shares[perm[j]]) << "recipient " << perm[j];
    ASSERT_EQ(b.extra_fen[j], a.extra_fen[perm[j]]) << "recipient " << perm[j];
  }

  // (g) the weights read where they lie in a larger table (every other entry of it a decoy that
  // no recipient names) give the same allocation.
  std::vector<Int128> table(2 * n + 1, Int128{7'777'777});
  std::vector<std::uint32_t> who(n);
  for (std::size_t j = 0; j < n; ++j) {
    who[j] = static_cast<std::uint32_t>(2 * perm[j] + 1);
    table[who[j]] = c.weights[j];
  }
  const Allocation g = ok(allocate_largest_remainder(c.pool, table, who, c.ranks));
  ASSERT_EQ(g.shares, a.shares);
  ASSERT_EQ(g.extra_fen, a.extra_fen);

  // (f) monotonic: w_i > w_j implies share_i >= share_j. Sorted by (weight, share), it is
  // enough to compare neighbours whose weights differ.
  std::vector<std::size_t> by_weight(n);
  std::iota(by_weight.begin(), by_weight.end(), std::size_t{0});
  std::sort(by_weight.begin(), by_weight.end(), [&](std::size_t x, std::size_t y) {
    if (c.weights[x] != c.weights[y]) return c.weights[x] < c.weights[y];
    return a.shares[x] < a.shares[y];
  });
  for (std::size_t j = 1; j < n; ++j) {
    const std::size_t lo = by_weight[j - 1];
    const std::size_t hi = by_weight[j];
    if (c.weights[lo] < c.weights[hi]) {
      ASSERT_LE(a.shares[lo], a.shares[hi]) << "recipients " << lo << " and " << hi;
    } else {
      ASSERT_LE(a.shares[hi] - a.shares[lo], 1) << "equal weights " << lo << " and " << hi;
    }
  }
}

void run_properties(std::uint64_t seed, int cases, bool wide) {
  std::mt19937_64 rng(seed);
  int valid = 0;
  int decided_by_tie = 0;
  for (int i = 0; i < cases; ++i) {
    const Case c = random_case(rng, wide);
    SCOPED_TRACE("case " + std::to_string(i) + ": pool " + std::to_string(c.pool) + ", " +
                 std::to_string(c.weights.size()) + " recipients");
    bool boundary_tie = false;
    check_properties(c, rng, &boundary_tie);
    if (::testing::Test::HasFatalFailure()) return;
    Int128 big_w = 0;
    for (const Int128 w : c.weights) big_w += w;
    if (big_w != 0) ++valid;
    if (boundary_tie) ++decided_by_tie;
  }
  // The generator must actually exercise the interesting paths.
  EXPECT_GE(valid, cases * 9 / 10);
  EXPECT_GE(decided_by_tie, cases / 10);
}

TEST(AllocProperties, RandomCasesUpTo10e15) { run_properties(20'240'601, 3000, false); }

TEST(AllocProperties, RandomCasesWithWeightsBeyond64Bits) { run_properties(7'000, 1000, true); }

TEST(AllocProperties, SixHundredThousandRecipientsConserveExactly) {
  // A province-sized run: 600,000 recipients, weights as scores × fen at scale 10^6.
  std::mt19937_64 rng(600'000);
  const std::size_t n = 600'000;
  std::vector<Int128> weights(n);
  for (Int128& w : weights) {
    // Score 0..100 (two decimals) × base amount 1..50 元 in fen, at scale 10^6: many ties.
    w = Int128{uniform(rng, 0, 10'000)} * uniform(rng, 1, 50) * 100 * 10'000;
  }
  std::vector<std::uint32_t> ranks = identity_ranks(n);
  std::shuffle(ranks.begin(), ranks.end(), rng);
  const std::int64_t pool = 700'000'000'003;  // 70 亿元 and 3 fen
  const Allocation a = ok(alloc(pool, weights, ranks));
  ASSERT_EQ(a.shares.size(), n);
  EXPECT_EQ(str(total(a.shares)), str(pool));
  EXPECT_EQ(a.shares, reference(pool, weights, ranks));
  const auto extras = std::count(a.extra_fen.begin(), a.extra_fen.end(), std::uint8_t{1});
  EXPECT_GT(extras, 0);
  EXPECT_LT(static_cast<std::size_t>(extras), n);
}

}  // namespace
}  // namespace jixiao::engine
