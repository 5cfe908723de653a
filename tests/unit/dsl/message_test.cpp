// The message catalogue: every message in both languages with the same placeholders, the Chinese
// style rules of docs/zh/messages.md, and the formatter.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "jixiao/dsl/message.hpp"

namespace jixiao {
namespace {

std::set<int> placeholders(std::string_view t) {
  std::set<int> out;
  for (std::size_t i = 0; i + 2 < t.size(); ++i) {
    if (t[i] == '{' && t[i + 1] >= '0' && t[i + 1] <= '9' && t[i + 2] == '}') out.insert(t[i + 1] - '0');
  }
  return out;
}

bool has_cjk(std::string_view t) {
  // Every CJK ideograph and full-width punctuation mark is 3 bytes in UTF-8 starting 0xE3..0xE9 or 0xEF.
  for (const char c : t) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0xE3 && b <= 0xEF) return true;
  }
  return false;
}

// The text of `t` outside backticks and outside placeholders.
std::string prose(std::string_view t) {
  std::string out;
  bool quoted = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '`') {
      quoted = !quoted;
      continue;
    }
    if (!quoted) out.push_back(t[i]);
  }
  return out;
}

TEST(Messages, EveryMessageHasBothLanguagesWithTheSamePlaceholders) {
  const auto& all = all_messages();
  ASSERT_GT(all.size(), 1u);
  EXPECT_EQ(all[0].name, "untranslated");
  std::set<std::string_view> names;
  for (const MessageInfo& m : all) {
    SCOPED_TRACE(std::string(m.name));
    EXPECT_TRUE(names.insert(m.name).second) << "two messages are called " << m.name;
    EXPECT_FALSE(m.en.empty()) << "no English template";
    EXPECT_FALSE(m.zh.empty()) << "no Chinese template";
    std::set<int> expected;
    for (std::size_t i = 0; i < m.arity; ++i) expected.insert(static_cast<int>(i));
    EXPECT_EQ(placeholders(m.en), expected) << "English: " << m.en;
    EXPECT_EQ(placeholders(m.zh), expected) << "Chinese: " << m.zh;
  }
}

// The Chinese template is written in Chinese (not the English copied), and its own punctuation is
// full-width: `，：；？！（）` rather than `,:;?!()` (quoted names and values stay as written).
TEST(Messages, ChineseTemplatesAreChineseWithFullWidthPunctuation) {
  for (const MessageInfo& m : all_messages()) {
    if (m.name == "untranslated" || m.name == "main_help") continue;  // main_help: a usage synopsis
    SCOPED_TRACE(std::string(m.name));
    if (m.name.rfind("label_", 0) != 0 && prose(m.zh).find_first_not_of("{}0123456789 ") != std::string::npos) {
      EXPECT_TRUE(has_cjk(m.zh)) << "the Chinese template is not Chinese: " << m.zh;
    }
    const std::string p = prose(m.zh);
    EXPECT_EQ(p.find_first_of(",;?!()"), std::string::npos) << "half-width punctuation in: " << m.zh;
    // A colon is full-width, except in `file:line` forms, which are quoted or in placeholders.
    EXPECT_EQ(p.find(':'), std::string::npos) << "half-width colon in: " << m.zh;
  }
}

TEST(Messages, RendersEachLanguage) {
  const Message m = msg::unknown_command("chek");
  EXPECT_TRUE(m.translated());
  EXPECT_EQ(m.str(Lang::kEn), "unknown command `chek`");
  EXPECT_EQ(m.str(Lang::kZh), "没有 `chek` 这个命令");
  EXPECT_EQ(m, "unknown command `chek`");  // tests compare with the English
}

TEST(Messages, NestedMessagesAreRenderedInTheSameLanguage) {
  const Message m = msg::did_you_mean_then("check", msg::hint_see_commands());
  EXPECT_EQ(m.str(Lang::kEn), "did you mean `check`? run `jixiao --help` to see the commands");
  EXPECT_EQ(m.str(Lang::kZh), "是否应为 `check`？请运行 `jixiao --help` 查看全部命令");
}

TEST(Messages, IntegersAndNameLists) {
  EXPECT_EQ(msg::more_errors_not_shown(3).str(Lang::kZh), "另有 3 个错误未列出（可用 `--max-errors` 调高上限）");
  EXPECT_EQ(msg::flag_not_whole_number("jobs", "x", 1, 64).str(Lang::kEn),
            "`--jobs` is `x`, not a whole number from 1 to 64");
  const Message list = msg::hint_write_one_of(std::vector<std::string>{"a", "b", "c"});
  EXPECT_EQ(list.str(Lang::kEn), "write `a`, `b` or `c`");
  EXPECT_EQ(list.str(Lang::kZh), "请写成 `a`、`b` 或 `c` 之一");
  EXPECT_EQ(msg::hint_write_one_of(std::vector<std::string>{"a"}).str(Lang::kEn), "write `a`");
}

TEST(Messages, ArgumentsAreVerbatimEvenWhenTheyLookLikePlaceholders) {
  EXPECT_EQ(msg::unknown_command("{0}{1}").str(Lang::kEn), "unknown command `{0}{1}`");
}

TEST(Messages, UntranslatedTextIsShownAsItIsInEveryLanguage) {
  const Message m("cannot do that");
  EXPECT_FALSE(m.translated());
  EXPECT_EQ(m.str(Lang::kZh), "cannot do that");
  EXPECT_EQ(m.str(Lang::kEn), "cannot do that");
  Message assigned;
  assigned = "text";
  EXPECT_EQ(assigned.raw(), "text");
}

TEST(Messages, LanguageNames) {
  EXPECT_EQ(parse_lang("zh"), Lang::kZh);
  EXPECT_EQ(parse_lang("en"), Lang::kEn);
  EXPECT_EQ(parse_lang("zh_CN"), std::nullopt);
  EXPECT_EQ(parse_lang(""), std::nullopt);
  EXPECT_EQ(lang_name(Lang::kZh), "zh");
}

static_assert(placeholders_match("a {0} b {1}", 2));
static_assert(placeholders_match("{1}，{0}", 2));
static_assert(!placeholders_match("a {0}", 2));
static_assert(!placeholders_match("a {2}", 2));
static_assert(placeholders_match("none", 0));

}  // namespace
}  // namespace jixiao
