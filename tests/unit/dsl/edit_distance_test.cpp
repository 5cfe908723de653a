// Tests of the edit distance over code points and of the "did you mean" choice (closest_name):
// its length-based limit, containment, the no-complete-replacement rule and tie-breaking.
#include "jixiao/dsl/edit_distance.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace jixiao {
namespace {

using Names = std::vector<std::string>;

TEST(EditDistance, CountsCodePointsNotBytes) {
  EXPECT_EQ(edit_distance("设施覆盖", "设施覆盖率"), 1u);
  EXPECT_EQ(edit_distance("设施覆盖率", "设施覆盖"), 1u);
  EXPECT_EQ(edit_distance("居民评分", "部门评分"), 2u);
  EXPECT_EQ(edit_distance("资金池", "资金地"), 1u);
  EXPECT_EQ(edit_distance("总分", "总份"), 1u);
  EXPECT_EQ(edit_distance("总分", "zong分"), 4u);  // 总 → z, then three insertions
}

TEST(EditDistance, ClassicCases) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "资金池"), 3u);
  EXPECT_EQ(edit_distance("abc", "abc"), 0u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
  EXPECT_EQ(edit_distance("ab", "ba"), 2u);  // plain Levenshtein: a swap is two edits
  EXPECT_EQ(edit_distance("abc", "xyz"), 3u);
}

TEST(EditDistance, IsSymmetric) {
  const Names words = {"", "a", "总分", "总分.创新层", "kitten", "sitting", "设施覆盖率", "服务可达性"};
  for (const std::string& a : words) {
    for (const std::string& b : words) EXPECT_EQ(edit_distance(a, b), edit_distance(b, a)) << a << " " << b;
  }
}

TEST(EditDistance, InvalidBytesCountAsOneCodePointEach) {
  EXPECT_EQ(edit_distance("\xFF\xFE", "ab"), 2u);
  EXPECT_EQ(edit_distance("a\xE8\xAE", "a"), 2u);  // a truncated sequence is two U+FFFD
}

TEST(ClosestName, FindsTheNameOneCharacterAway) {
  EXPECT_EQ(closest_name("设施覆盖", {"服务可达性", "设施覆盖率"}), "设施覆盖率");
  EXPECT_EQ(closest_name("服务可达", {"服务可达性", "设施覆盖率"}), "服务可达性");
  EXPECT_EQ(closest_name("居民评份", {"居民评分", "部门评分"}), "居民评分");
}

TEST(ClosestName, NoSuggestionReplacesEveryCharacter) {
  EXPECT_EQ(closest_name("E", {"A", "B"}), std::nullopt);
  EXPECT_EQ(closest_name("甲", {"乙"}), std::nullopt);
  EXPECT_EQ(closest_name("abc", {"xyz"}), std::nullopt);
  // One character, but the candidate contains it: that is close.
  EXPECT_EQ(closest_name("E", {"A", "EF"}), "EF");
}

TEST(ClosestName, ShortNamesGetFewerEdits) {
  // Fewer than six code points: one edit per three code points, at least one.
  EXPECT_EQ(closest_name("ab", {"xb"}), "xb");        // 1 edit allowed, 1 needed
  EXPECT_EQ(closest_name("abc", {"aXY"}), std::nullopt);  // 1 allowed, 2 needed
  EXPECT_EQ(closest_name("abcde", {"abXYe"}), std::nullopt);
  EXPECT_EQ(closest_name("abcde", {"abXde"}), "abXde");
  EXPECT_EQ(closest_name("资金池总", {"资金地方"}), std::nullopt);  // 4 code points: 1 edit
  // Six code points or more: the full max_distance (2 by default).
  EXPECT_EQ(closest_name("abcdef", {"abXYef"}), "abXYef");
  EXPECT_EQ(closest_name("abcdef", {"aXYZef"}), std::nullopt);
  EXPECT_EQ(closest_name("持证社工比例", {"持证员工比率"}), "持证员工比率");
}

TEST(ClosestName, MaxDistanceIsAnUpperBound) {
  EXPECT_EQ(closest_name("abcdefghi", {"abcXYZghi"}), std::nullopt);
  EXPECT_EQ(closest_name("abcdefghi", {"abcXYZghi"}, 3), "abcXYZghi");
  EXPECT_EQ(closest_name("abcdefgh", {"abcdXfgh"}, 0), std::nullopt);
  // A large max_distance does not lift the limit for short names.
  EXPECT_EQ(closest_name("abc", {"aXY"}, 10), std::nullopt);
}

TEST(ClosestName, ContainmentCountsAsClose) {
  // The candidate contains the name...
  EXPECT_EQ(closest_name("资金", {"运营资金池总额"}), "运营资金池总额");
  EXPECT_EQ(closest_name("创新", {"总分.创新层"}), "总分.创新层");
  // ... or the name contains the candidate.
  EXPECT_EQ(closest_name("运营资金池总额", {"资金"}), "资金");
  // A closer candidate still wins over one that merely contains the name.
  EXPECT_EQ(closest_name("abcdef", {"xxxxxxabcdefxxxxxx", "abcdeg"}), "abcdeg");
}

TEST(ClosestName, TiesGoToTheFirstCandidate) {
  EXPECT_EQ(closest_name("abcdef", {"abcdeX", "abcdeY"}), "abcdeX");
  EXPECT_EQ(closest_name("abcdef", {"abcdeY", "abcdeX"}), "abcdeY");
  EXPECT_EQ(closest_name("需求匹配", {"需求匹配度", "需求匹配率"}), "需求匹配度");
  // A strictly closer candidate later in the list wins.
  EXPECT_EQ(closest_name("abcdef", {"abcXYf", "abcdeX"}), "abcdeX");
}

TEST(ClosestName, ExactMatchesAndEmptyInputs) {
  EXPECT_EQ(closest_name("总分", {"总分"}), std::nullopt);  // the name itself is no suggestion
  EXPECT_EQ(closest_name("总分", {"总分", "总分数"}), "总分数");
  EXPECT_EQ(closest_name("abc", {}), std::nullopt);
  EXPECT_EQ(closest_name("", {"a", "b"}), std::nullopt);
}

TEST(ClosestName, EmptyCandidateIsNeverSuggested) {
  // A CSV header with a trailing comma has an empty column name; "did you mean ``?" helps no one.
  EXPECT_EQ(closest_name("社区编码", {"", "名称"}), std::nullopt);
  EXPECT_EQ(closest_name("社区编码", {"", "社区编号"}), "社区编号");
}

// closest_name computes distances only as far as they can matter (within the band of the allowed
// edits, stopping early): it must choose exactly what the full distance chooses.
// The rules of closest_name stated plainly: every candidate's full distance, then the first of the
// closest that qualify.
std::optional<std::string> closest_by_full_distance(const std::string& name, const Names& candidates, std::size_t max_distance) {
  const std::size_t length = edit_distance(name, "");
  const std::size_t allowed = std::min(max_distance, std::max<std::size_t>(1, length / 3));
  std::vector<std::pair<std::size_t, std::size_t>> qualifying;  // (distance, position)
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::string& c = candidates[i];
    const bool contains = !name.empty() && (c.find(name) != std::string::npos || name.find(c) != std::string::npos);
    const std::size_t d = contains ? std::min(edit_distance(name, c), allowed) : edit_distance(name, c);
    if (c != name && !c.empty() && d <= allowed && (contains || d < length)) qualifying.emplace_back(d, i);
  }
  if (qualifying.empty()) return std::nullopt;
  return candidates[std::min_element(qualifying.begin(), qualifying.end())->second];
}

TEST(ClosestName, ChoosesWhatTheFullDistanceChooses) {
  // Every word of up to 6 letters over a two-letter alphabet (127 words), as names and in candidate
  // lists: names of 6 letters may be 2 edits away.
  Names words = {""};
  for (std::size_t length = 1, from = 0; length <= 6; ++length) {
    const std::size_t to = words.size();
    for (std::size_t at = from; at < to; ++at) {
      for (const char* c : {"a", "总"}) words.push_back(words[at] + c);
    }
    from = to;
  }
  ASSERT_EQ(words.size(), 127u);
  for (const std::size_t max : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}}) {
    for (std::size_t i = 0; i < words.size(); ++i) {
      const auto first = words.begin() + static_cast<std::ptrdiff_t>(i % 67);
      const Names candidates(first, first + 60);
      EXPECT_EQ(closest_name(words[i], candidates, max), closest_by_full_distance(words[i], candidates, max)) << words[i];
    }
  }
}

// The bounded distance is the full distance when within the bound, else bound + 1.
TEST(EditDistanceAtMost, AgreesWithTheFullDistanceUpToTheBound) {
  const std::vector<std::string> words = {"", "违规", "违规发放津贴", "违规发放补贴", "违规发放津贴费", "挪用专项资金", "挪用资金", "abc", "abd", "xabcx"};
  for (const std::string& a : words) {
    for (const std::string& b : words) {
      const std::size_t full = edit_distance(a, b);
      for (std::size_t limit = 0; limit <= 4; ++limit) {
        EXPECT_EQ(edit_distance_at_most(code_points(a), code_points(b), limit), std::min(full, limit + 1)) << a << " / " << b << " " << limit;
      }
    }
  }
}

}  // namespace
}  // namespace jixiao
