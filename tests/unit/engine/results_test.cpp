// The reasons column's entries (docs/data-formats.md, "The reasons column"): written so that a cell
// always splits back into its entries and each entry reads back as written, whatever a reason says.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "jixiao/engine/results.hpp"

namespace jixiao::engine {
namespace {

using Kind = RuleColumn::Kind;

std::string cell(const std::vector<ReasonEntry>& entries) {
  std::string out;
  for (const ReasonEntry& e : entries) out += (out.empty() ? "" : ";") + reason_entry_text(e);
  return out;
}

TEST(ReasonEntries, MarkersAndCodes) {
  const std::vector<std::pair<Kind, std::pair<std::string_view, std::string_view>>> table = {
      {Kind::kVeto, {"否决", "veto"}}, {Kind::kDeduct, {"扣分", "deduct"}}, {Kind::kBonus, {"加分", "bonus"}},
      {Kind::kCap, {"封顶", "cap"}},   {Kind::kMissing, {"缺项", "missing"}}};
  for (const auto& [kind, names] : table) {
    EXPECT_EQ(rule_kind_marker(kind), names.first);
    EXPECT_EQ(rule_kind_code(kind), names.second);
  }
}

TEST(ReasonEntries, AsTheColumnWritesThem) {
  EXPECT_EQ(reason_entry_text({Kind::kVeto, "负面清单否决", "触及负面清单"}), "否决:负面清单否决（触及负面清单）");
  EXPECT_EQ(reason_entry_text({Kind::kDeduct, "投诉扣分", std::nullopt}), "扣分:投诉扣分");
  EXPECT_EQ(reason_entry_text({Kind::kCap, "总分.扣分合计", std::nullopt}), "封顶:总分.扣分合计");
  EXPECT_EQ(reason_entry_text({Kind::kMissing, "总分.服务.助老", std::nullopt}), "缺项:总分.服务.助老");
  EXPECT_EQ(reason_entry_text({Kind::kVeto, "空理由", ""}), "否决:空理由");  // no empty parentheses
  // Only `\`, `;` and line breaks are escaped; commas, quotes and parentheses stay as written.
  const ReasonEntry hostile{Kind::kVeto, "违规", "违反\"三务公开\", 见第3条; 附件\\二（甲）)\n下一行\r"};
  EXPECT_EQ(reason_entry_text(hostile), "否决:违规（违反\"三务公开\", 见第3条\\; 附件\\\\二（甲）)\\n下一行\\r）");
  EXPECT_EQ(reason_entry_display(hostile), "否决:违规（违反\"三务公开\", 见第3条; 附件\\二（甲）)\n下一行\r）");
}

TEST(ReasonEntries, ACellSplitsBackIntoItsEntries) {
  const std::vector<ReasonEntry> entries = {
      {Kind::kDeduct, "投诉扣分", std::nullopt},
      {Kind::kVeto, "甲", "a;b;;c\\;d\\"},
      {Kind::kVeto, "乙", "（括号）里)还有(括号"},
      {Kind::kBonus, "获奖加分", std::nullopt},
  };
  const std::string written = cell(entries);
  EXPECT_EQ(written.find('\n'), std::string::npos);
  const std::vector<std::string> parts = split_reasons(written);
  ASSERT_EQ(parts.size(), entries.size()) << written;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto back = parse_reason_entry(parts[i]);
    ASSERT_TRUE(back) << parts[i];
    EXPECT_EQ(*back, entries[i]) << parts[i];
  }
  EXPECT_TRUE(split_reasons("").empty());
}

TEST(ReasonEntries, WhatPeopleTypeIsReadToo) {
  const ReasonEntry veto{Kind::kVeto, "负面清单否决", std::nullopt};
  EXPECT_EQ(parse_reason_entry("veto:负面清单否决"), veto);   // the English code
  EXPECT_EQ(parse_reason_entry("否决：负面清单否决"), veto);  // a full-width colon (a Chinese IME)
  const auto ascii = parse_reason_entry("否决:负面清单否决(触及负面清单)");
  ASSERT_TRUE(ascii);
  EXPECT_EQ(ascii->reason, "触及负面清单");
  EXPECT_EQ(parse_reason_entry("cap:总分.扣分合计"), (ReasonEntry{Kind::kCap, "总分.扣分合计", std::nullopt}));
}

TEST(ReasonEntries, WhatIsNotAnEntry) {
  for (const std::string_view text : {"", "负面清单否决", "否定:负面清单否决", "veto:", "否决:", "否决:名（未闭合",
                                      "否决:（理由）", "VETO:名"}) {
    EXPECT_FALSE(parse_reason_entry(text)) << text;
  }
}

// Any reason text at all, with the characters that matter over-represented, reads back unchanged.
TEST(ReasonEntries, AnyReasonRoundTrips) {
  const std::vector<std::string> pieces = {";", "\\", "\n", "\r", "\"", ",", "（", "）", "(", ")", ":", "：", "理由", "a", " "};
  std::mt19937 rng(11);
  for (int round = 0; round < 2000; ++round) {
    std::vector<ReasonEntry> entries;
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < n; ++k) {
      std::string reason;
      const int len = static_cast<int>(rng() % 12);
      for (int i = 0; i < len; ++i) reason += pieces[rng() % pieces.size()];
      entries.push_back({Kind::kVeto, "否决" + std::to_string(k), reason});
    }
    const std::string written = cell(entries);
    const std::vector<std::string> parts = split_reasons(written);
    ASSERT_EQ(parts.size(), entries.size()) << written;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto back = parse_reason_entry(parts[i]);
      ASSERT_TRUE(back) << parts[i];
      // An empty reason is written without parentheses, and reads back as none.
      const std::optional<std::string> want = entries[i].reason->empty() ? std::nullopt : entries[i].reason;
      EXPECT_EQ(back->reason, want) << parts[i];
      EXPECT_EQ(back->name, entries[i].name);
    }
  }
}

}  // namespace
}  // namespace jixiao::engine
