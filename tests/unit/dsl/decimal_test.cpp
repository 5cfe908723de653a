// Tests of exact decimal arithmetic: parsing, formatting, rounding half away from zero.
#include "jixiao/dsl/decimal.hpp"

#include <gtest/gtest.h>

namespace jixiao {
namespace {

TEST(Decimal, ParsesExactly) {
  EXPECT_EQ(decimal::parse("75", 6), 75'000'000);
  EXPECT_EQ(decimal::parse("-0.5", 6), -500'000);
  EXPECT_EQ(decimal::parse("12.345678", 6), 12'345'678);
  EXPECT_EQ(decimal::parse("1.50", 2), 150);
  EXPECT_EQ(decimal::parse("1.5000000", 2), 150);  // trailing zeros beyond the places are fine
}

TEST(Decimal, RejectsWhatItCannotHoldExactly) {
  decimal::ParseError why{};
  EXPECT_FALSE(decimal::parse("1.234", 2, &why));
  EXPECT_EQ(why, decimal::ParseError::kTooManyPlaces);
  EXPECT_FALSE(decimal::parse("", 6, &why));
  EXPECT_EQ(why, decimal::ParseError::kEmpty);
  EXPECT_FALSE(decimal::parse("1e3", 6, &why));
  EXPECT_EQ(why, decimal::ParseError::kNotANumber);
  EXPECT_FALSE(decimal::parse("1.2.3", 6, &why));
  EXPECT_FALSE(decimal::parse(".", 6, &why));
  EXPECT_FALSE(decimal::parse("99999999999999", 6, &why));
  EXPECT_EQ(why, decimal::ParseError::kOutOfRange);
}

TEST(Decimal, ParsesEveryLengthUpToTheLargestValue) {
  // Up to 18 digits (with the places filled in) are read without overflow checks, longer texts
  // with them: the same values and the same errors either way.
  decimal::ParseError why{};
  EXPECT_EQ(decimal::parse("999999999999.999999", 6), 999'999'999'999'999'999);  // 18 digits
  EXPECT_EQ(decimal::parse("9223372036854.775807", 6), INT64_MAX);               // 19
  EXPECT_EQ(decimal::parse("-9223372036854.775807", 6), -INT64_MAX);
  EXPECT_EQ(decimal::parse("92233720368547758.07", 2), INT64_MAX);
  EXPECT_EQ(decimal::parse("0000000000000000000001.5", 6), 1'500'000);
  EXPECT_EQ(decimal::parse("1.5000000000000000000000", 6), 1'500'000);
  EXPECT_FALSE(decimal::parse("9223372036854.775808", 6, &why));
  EXPECT_EQ(why, decimal::ParseError::kOutOfRange);
  EXPECT_FALSE(decimal::parse("99999999999999999999999x", 6, &why));
  EXPECT_EQ(why, decimal::ParseError::kNotANumber);  // the letter, not the size, as before
  EXPECT_FALSE(decimal::parse("99999999999999999999999.1234567", 6, &why));
  EXPECT_EQ(why, decimal::ParseError::kTooManyPlaces);
  EXPECT_FALSE(decimal::parse("+", 6, &why));
  EXPECT_EQ(why, decimal::ParseError::kNotANumber);
}

TEST(Decimal, SeventyFiveIsSeventyFive) {
  // 0.3 * 80 + 0.4 * 75 + 0.3 * 70 = 75 exactly; in binary floating point it is 74.99999999999999.
  std::int64_t a = 0, b = 0, c = 0, sum = 0;
  ASSERT_TRUE(decimal::mul(*decimal::parse("0.3", 6), *decimal::parse("80", 6), a));
  ASSERT_TRUE(decimal::mul(*decimal::parse("0.4", 6), *decimal::parse("75", 6), b));
  ASSERT_TRUE(decimal::mul(*decimal::parse("0.3", 6), *decimal::parse("70", 6), c));
  ASSERT_TRUE(decimal::add(a, b, sum));
  ASSERT_TRUE(decimal::add(sum, c, sum));
  EXPECT_EQ(sum, 75'000'000);
  EXPECT_EQ(decimal::format(sum, 6, 2), "75.00");
}

TEST(Decimal, RoundsHalfAwayFromZero) {
  EXPECT_EQ(decimal::div_round(5, 2), 3);
  EXPECT_EQ(decimal::div_round(-5, 2), -3);
  EXPECT_EQ(decimal::div_round(4, 3), 1);
  EXPECT_EQ(decimal::div_round(-4, 3), -1);
  EXPECT_EQ(decimal::div_round(5, -2), -3);
  EXPECT_EQ(decimal::round_to(12'345'000, 2), 12'350'000);   // 12.345 → 12.35
  EXPECT_EQ(decimal::round_to(-12'345'000, 2), -12'350'000);
  EXPECT_EQ(decimal::round_to(12'344'999, 2), 12'340'000);
  std::int64_t q = 0;
  ASSERT_TRUE(decimal::div(decimal::kOne, 3 * decimal::kOne, q));
  EXPECT_EQ(q, 333'333);  // 1/3 at 6 places
  ASSERT_TRUE(decimal::div(2 * decimal::kOne, 3 * decimal::kOne, q));
  EXPECT_EQ(q, 666'667);
}

TEST(Decimal, ReportsOverflowInsteadOfWrapping) {
  std::int64_t out = 0;
  EXPECT_FALSE(decimal::add(INT64_MAX, 1, out));
  EXPECT_FALSE(decimal::mul(INT64_MAX, 2 * decimal::kOne, out));
  EXPECT_TRUE(decimal::mul(1'000'000 * decimal::kOne, 1'000'000 * decimal::kOne, out));
  EXPECT_EQ(out, 1'000'000'000'000 * decimal::kOne);
}

TEST(Decimal, Money) {
  std::int64_t fen = 0;
  ASSERT_TRUE(decimal::money_mul(100'001, *decimal::parse("0.65", 6), fen));  // 1000.01元 × 0.65
  EXPECT_EQ(fen, 65'001);  // 650.0065元 → 650.01元
  ASSERT_TRUE(decimal::money_ratio(150, 200, fen));
  EXPECT_EQ(fen, 750'000);
  EXPECT_EQ(decimal::format_yuan(123456), "1234.56");
  EXPECT_EQ(decimal::format_yuan(-5), "-0.05");
  EXPECT_EQ(decimal::format_yuan_grouped(100'000'000'00), "100,000,000.00");
  EXPECT_EQ(decimal::format_yuan_grouped(-123456789), "-1,234,567.89");
}

TEST(Decimal, FormatsTrimmed) {
  EXPECT_EQ(decimal::to_string(75'000'000), "75");
  EXPECT_EQ(decimal::to_string(7'500'000), "7.5");
  EXPECT_EQ(decimal::to_string(-500'000), "-0.5");
  EXPECT_EQ(decimal::to_string(1), "0.000001");
  EXPECT_EQ(decimal::to_string(0), "0");
  EXPECT_EQ(decimal::format(-4, 6, 5), "0.00000");  // rounds to zero: no sign
}

TEST(Decimal, FloorAndCeil) {
  EXPECT_EQ(decimal::floor_raw(2'500'000), 2'000'000);
  EXPECT_EQ(decimal::floor_raw(-2'500'000), -3'000'000);
  EXPECT_EQ(decimal::ceil_raw(2'500'000), 3'000'000);
  EXPECT_EQ(decimal::ceil_raw(-2'500'000), -2'000'000);
  EXPECT_EQ(decimal::ceil_raw(2'000'000), 2'000'000);
}

}  // namespace
TEST(Decimal, AppendFormatWritesWhatFormatReturns) {
  std::vector<std::int64_t> values = {0, 1, -1, 5, -5, 49, 50, -50, 99, 4999, 5000, -5000, 75'000'000, 74'999'999, 74'995'000,
                                      -74'995'000, 123'456'789, INT64_MAX, INT64_MIN + 1, INT64_MAX / 7, -(INT64_MAX / 3)};
  std::uint64_t x = 88172645463325252ULL;  // xorshift: a spread of magnitudes and signs
  for (int i = 0; i < 2000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const auto v = static_cast<std::int64_t>(x >> (x % 60));
    values.push_back(i % 2 ? v : -v);
  }
  for (const std::int64_t v : values) {
    for (const auto& [places, shown] : {std::pair{6, 2}, std::pair{6, 0}, std::pair{6, 6}, std::pair{2, 2}, std::pair{6, 1}}) {
      std::string out = "x";
      decimal::append_format(out, v, places, shown);
      EXPECT_EQ(out, "x" + decimal::format(v, places, shown)) << v << " " << places << " " << shown;
    }
  }
}

TEST(Decimal, DivRoundIsTheSameInSixtyFourAndOneHundredTwentyEightBits) {
  // The reference: the 128-bit computation the fast path stands in for.
  auto reference = [](Int128 n, Int128 d) {
    if (d < 0) {
      n = -n;
      d = -d;
    }
    Int128 q = n / d;
    Int128 r = n % d;
    if (r < 0) r = -r;
    if (2 * r >= d) q += n < 0 ? -1 : 1;
    return q;
  };
  const Int128 edge = INT64_MAX / 2;
  const std::vector<Int128> ns = {0, 1, -1, 7, -7, 15, -15, 1'000'000, -1'500'000, 2'500'000, edge, -edge, edge + 1, -edge - 1,
                                  Int128{INT64_MAX} * 1000, Int128{INT64_MIN} * 3};
  const std::vector<Int128> ds = {1, 2, 3, 10, 1'000'000, -2, -1'000'000, edge, edge + 1, Int128{INT64_MAX} * 5};
  for (const Int128 n : ns) {
    for (const Int128 d : ds) {
      EXPECT_TRUE(decimal::div_round(n, d) == reference(n, d))
          << decimal::int128_to_string(n) << " / " << decimal::int128_to_string(d);
    }
  }
}

}  // namespace jixiao
