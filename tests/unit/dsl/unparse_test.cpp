// Tests of the canonical text of expressions: one spelling per meaning, the fewest parentheses.
#include "jixiao/dsl/unparse.hpp"

#include <gtest/gtest.h>

#include "jixiao/dsl/parse.hpp"

namespace jixiao::dsl {
namespace {

// The canonical text of the formula of `甲` in a one-line policy.
std::string canon(const std::string& formula) {
  SourceSet sources;
  const SourceId id = sources.add("t.jx", "indicator 总分 { 甲 100% = " + formula + " }\n");
  CollectingSink sink;
  auto m = parse(sources, id, sink);
  if (!m) return "parse error";
  return unparse(*m, m->nodes[1].formula);
}

TEST(Unparse, SpacesOperatorsAndNumbers) {
  EXPECT_EQ(canon("a*0.50+b×2÷c"), "a * 0.5 + b * 2 / c");
  EXPECT_EQ(canon("居民评分*40%+第三方评分*30%"), "居民评分 * 40% + 第三方评分 * 30%");
  EXPECT_EQ(canon("x ≥ 60 and y≠3"), "x >= 60 and y != 3");
  EXPECT_EQ(canon("10分 - -5"), "10分 - -5");
}

TEST(Unparse, KeepsOnlyTheParenthesesThatMatter) {
  EXPECT_EQ(canon("((a + b)) * c"), "(a + b) * c");
  EXPECT_EQ(canon("a + (b * c)"), "a + b * c");
  EXPECT_EQ(canon("a - (b - c)"), "a - (b - c)");
  EXPECT_EQ(canon("(a - b) - c"), "a - b - c");
  EXPECT_EQ(canon("not (a and b)"), "not (a and b)");
  EXPECT_EQ(canon("(if a then 1 else 2) + 3"), "(if a then 1 else 2) + 3");
  EXPECT_EQ(canon("-(a + b)"), "-(a + b)");
}

TEST(Unparse, MoneyInTheLargestWholeUnit) {
  EXPECT_EQ(canon("x * 50000000元"), "x * 5000万元");
  EXPECT_EQ(canon("x * 1亿元"), "x * 1亿元");
  EXPECT_EQ(canon("x * 0.5万元"), "x * 5000元");
  EXPECT_EQ(canon("x * 12.50元"), "x * 12.5元");
}

TEST(Unparse, CallsTablesAndBands) {
  EXPECT_EQ(canon("ratio(x,target:50)"), "ratio(x, target: 50)");
  EXPECT_EQ(canon("interpolate(x, 0->0, 30 -> 100)"), "interpolate(x, 0 -> 0, 30 -> 100)");
  EXPECT_EQ(canon("coef(等级){A 0.90, B 0.65,C 0.4 else 0}"), "coef(等级) { A 0.9, B 0.65, C 0.4, else 0 }");
  EXPECT_EQ(canon("bands(n){[0,1) 0, [1, ∞) 100}"), "bands(n) { [0, 1) 0, [1, inf) 100 }");
  EXPECT_EQ(canon("x in {\"a\",\"b\"} or l any_in 清单"), "x in { \"a\", \"b\" } or l any_in 清单");
}

TEST(Unparse, ReparsesToTheSameText) {
  for (const std::string f : {"a * (b + c) / d", "if x > 1 then a else b", "not a or b and c", "-x + 3"}) {
    const std::string once = canon(f);
    EXPECT_EQ(canon(once), once) << f;
  }
}

TEST(Unparse, ChainsMixingPrecedenceDownTheLeft) {
  EXPECT_EQ(canon("((a - b) * c + d) * e / f"), "((a - b) * c + d) * e / f");
  EXPECT_EQ(canon("(a or b) and c and (d or e)"), "(a or b) and c and (d or e)");
  EXPECT_EQ(canon("(a + b > 3) == c"), "(a + b > 3) == c");
  EXPECT_EQ(canon("(x * 2 in s) and t"), "x * 2 in s and t");
}

TEST(Unparse, ALongChainIsPrintedInALoop) {
  // 30,000 terms lean 30,000 deep to the left: printing them must not recurse once per term.
  std::string f = "a";
  std::string expected = "a";
  for (int i = 0; i < 30000; ++i) {
    f += i % 2 ? "+a" : "-b*2";
    expected += i % 2 ? " + a" : " - b * 2";
  }
  EXPECT_EQ(canon(f), expected);
}

}  // namespace
}  // namespace jixiao::dsl
