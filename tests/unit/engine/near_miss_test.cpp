// Tests of what counts as a near miss between a list item and a set item (near_miss.hpp): the
// rule of docs/language.md §5, "Near misses in lists", counted in characters.
#include <gtest/gtest.h>

#include "jixiao/engine/near_miss.hpp"

namespace jixiao::engine {
namespace {

TEST(NearMiss, CharactersLeftOutOrMistypedAreClose) {
  EXPECT_TRUE(near_item("挪用资金", "挪用专项资金"));    // two insertions; 6 characters allow 2
  EXPECT_TRUE(near_item("挪用专项资金", "挪用资金"));    // either way round
  EXPECT_TRUE(near_item("虚报服务数椐", "虚报服务数据"));  // one character mistyped
  EXPECT_TRUE(near_item("台帐不全", "台账不全"));          // 4 characters allow 1 edit
  EXPECT_TRUE(near_item("abc", "abd"));
}

TEST(NearMiss, UnrelatedShortAndEqualItemsAreNot) {
  EXPECT_FALSE(near_item("挪用专项资金", "挪用专项资金"));  // equal: in the set
  EXPECT_FALSE(near_item("台账不全", "挪用资金"));          // 4 substitutions
  EXPECT_FALSE(near_item("违纪", "违规"));                  // two characters: never close
  EXPECT_FALSE(near_item("台账不全全", "台账"));            // 3 edits for 5 characters: too many
  EXPECT_FALSE(near_item("挪用", "挪用专项资金"));          // 4 insertions
  EXPECT_FALSE(near_item("", "违规操作"));
}

}  // namespace
}  // namespace jixiao::engine
