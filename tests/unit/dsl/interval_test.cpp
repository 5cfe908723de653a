// Tests of the one definition of an interval's membership (ast::Interval) and of a static
// range's (NumRange): open and closed ends, infinite ends, empty intervals.
#include <gtest/gtest.h>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/check.hpp"

namespace jixiao::dsl {
namespace {

constexpr std::int64_t k60 = 60'000'000;
constexpr std::int64_t k90 = 90'000'000;

ast::Interval interval(std::int64_t lo, bool lo_closed, std::int64_t hi, bool hi_closed) {
  ast::Interval iv;
  iv.lo = lo;
  iv.lo_closed = lo_closed;
  iv.hi = hi;
  iv.hi_closed = hi_closed;
  return iv;
}

TEST(Interval, ClosedAndOpenEnds) {
  const ast::Interval half_open = interval(k60, true, k90, false);  // [60, 90)
  EXPECT_TRUE(half_open.contains(k60));
  EXPECT_TRUE(half_open.contains(k90 - 1));
  EXPECT_FALSE(half_open.contains(k90));
  EXPECT_FALSE(half_open.contains(k60 - 1));
  EXPECT_TRUE(half_open.ends_before(k90));
  EXPECT_FALSE(half_open.starts_after(k60));
  const ast::Interval open_closed = interval(k60, false, k90, true);  // (60, 90]
  EXPECT_FALSE(open_closed.contains(k60));
  EXPECT_TRUE(open_closed.starts_after(k60));
  EXPECT_TRUE(open_closed.contains(k90));
}

TEST(Interval, InfiniteEnds) {
  ast::Interval below = interval(0, false, k60, false);  // (-inf, 60)
  below.lo_inf = true;
  EXPECT_TRUE(below.contains(INT64_MIN));
  EXPECT_FALSE(below.starts_after(INT64_MIN));
  EXPECT_FALSE(below.contains(k60));
  ast::Interval above = interval(k90, true, 0, false);  // [90, inf)
  above.hi_inf = true;
  EXPECT_TRUE(above.contains(INT64_MAX));
  EXPECT_FALSE(above.contains(k90 - 1));
}

TEST(Interval, Empty) {
  EXPECT_TRUE(interval(k90, true, k60, true).empty());    // [90, 60]
  EXPECT_TRUE(interval(k60, false, k60, true).empty());   // (60, 60]
  EXPECT_FALSE(interval(k60, true, k60, true).empty());   // [60, 60]
  EXPECT_FALSE(interval(k60, false, k90, false).empty());  // (60, 90)
  ast::Interval unbounded = interval(k90, false, k60, false);
  unbounded.lo_inf = unbounded.hi_inf = true;
  EXPECT_FALSE(unbounded.empty());
}

TEST(NumRange, ContainsBothEnds) {
  const NumRange r = NumRange::between(0, k60);
  EXPECT_TRUE(r.contains(0));
  EXPECT_TRUE(r.contains(k60));
  EXPECT_FALSE(r.contains(-1));
  EXPECT_FALSE(r.contains(k60 + 1));
  EXPECT_TRUE(NumRange::unbounded().contains(INT64_MIN));
}

}  // namespace
}  // namespace jixiao::dsl
