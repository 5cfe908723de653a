// Tests of the one printer of declaration parts: each part with its keywords as written (what
// `jixiao fmt` keeps), all in English (diff, --show-variant) or all in Chinese; intervals with
// `inf` spelled as asked; a deadline's length for people in both languages.
#include "jixiao/dsl/decl_text.hpp"

#include <gtest/gtest.h>

#include "jixiao/dsl/parse.hpp"
#include "jixiao/dsl/unparse.hpp"

namespace jixiao::dsl {
namespace {

// English and Chinese keywords mixed, as a person might write them.
constexpr const char* kPolicy = R"(policy "t" version "1"
subject 社区 key 编码
input {
  甲 : score 可缺
  乙 : 选项 { 城市, "农 村" }
  丙 : list<number> 0..5 项数 1..3
}
indicator 总分 { 工作 100% = 甲 missing 计均值 }
veto 否决 when 甲 < 10 { 等级 等级 最高 C ; grade down 2 ; alert 红 ; 资金 0 }
grade 等级 of 总分 { A [90, inf)  B [60, 90) 期限 5 工作日 "整改 \"一\""  C (-无穷, 60) }
fund 奖励 pool 100万元 {
  track 优秀 100% split among top 10% 占全部 rounded up by 总分
  ties by 编码
}
)";

class DeclText : public ::testing::Test {
 protected:
  void SetUp() override {
    const SourceId id = sources_.add("t.jx", kPolicy);
    CollectingSink sink;
    m_ = parse(sources_, id, sink);
    ASSERT_TRUE(m_) << "the test policy does not parse";
  }
  [[nodiscard]] Speller written() const { return Speller(*m_, KeywordSet::kAsWritten); }
  [[nodiscard]] const ast::BandDecl& grade() const { return m_->bands.at(0); }

  SourceSet sources_;
  std::optional<ast::Module> m_;
};

const Speller kEnglish(KeywordSet::kEnglish);
const Speller kChinese(KeywordSet::kChinese);

TEST_F(DeclText, IntervalsSpellInfinityAsAsked) {
  const ast::Interval& top = grade().bands[0].interval;
  const ast::Interval& middle = grade().bands[1].interval;
  const ast::Interval& bottom = grade().bands[2].interval;
  EXPECT_EQ(interval_text(top, written()), "[90, inf)");
  EXPECT_EQ(interval_text(bottom, written()), "(-无穷, 60)");
  EXPECT_EQ(interval_text(middle, written()), "[60, 90)");
  EXPECT_EQ(interval_text(bottom, kEnglish), "(-inf, 60)");
  EXPECT_EQ(interval_text(top, kChinese), "[90, 无穷)");
  EXPECT_EQ(interval_text(bottom, kInfinity), "(-∞, 60)");
}

TEST_F(DeclText, DeadlinesAsKeywordsAndForPeople) {
  const ast::Deadline& d = *grade().bands[1].deadline;
  EXPECT_EQ(deadline_text(d, written()), "期限 5 工作日");
  EXPECT_EQ(deadline_text(d, kEnglish), "deadline 5 workdays");
  EXPECT_EQ(deadline_length(d).str(Lang::kZh), "5个工作日");
  EXPECT_EQ(deadline_length(d).str(Lang::kEn), "5 workdays");
  const ast::Deadline days{3, false, {}};
  EXPECT_EQ(deadline_length(days).str(Lang::kZh), "3天");
  EXPECT_EQ(deadline_length(days).str(Lang::kEn), "3 days");
}

TEST_F(DeclText, BandsWithTheirTextQuoted) {
  EXPECT_EQ(band_text(grade().bands[1], kInfinity, "-"), "[60, 90) deadline 5 workdays \"整改 \\\"一\\\"\"");
  EXPECT_EQ(band_text(grade().bands[0], "inf", "-"), "[90, inf)");
  ast::Band only_by_veto = grade().bands[0];
  only_by_veto.has_interval = false;
  EXPECT_EQ(band_text(only_by_veto, "inf", "no interval"), "no interval");
}

TEST_F(DeclText, InputTypes) {
  EXPECT_EQ(input_type(m_->inputs[0], written()), "score 可缺");
  EXPECT_EQ(input_type(m_->inputs[0], kEnglish), "score optional");
  EXPECT_EQ(input_type(m_->inputs[1], written()), "选项 { 城市, \"农 村\" }");
  EXPECT_EQ(input_type(m_->inputs[1], kEnglish), "one_of { 城市, \"农 村\" }");
  EXPECT_EQ(input_type(m_->inputs[2], written()), "list<number> 0..5 项数 1..3");
  EXPECT_EQ(input_type(m_->inputs[2], kChinese), "列表<数值> 0..5 项数 1..3");
}

TEST_F(DeclText, VetoEffectsAsWrittenAndResolved) {
  const ast::VetoDecl& v = m_->vetoes.at(0);
  std::vector<std::string> as_written;
  for (const ast::VetoEffect& e : v.effects) {
    as_written.push_back(effect_text({e.kind, e.target ? e.target->name : "", unparse(e.label), e.steps}, written(), e.span.begin));
  }
  EXPECT_EQ(as_written, (std::vector<std::string>{"等级 等级 最高 C", "grade down 2", "alert 红", "资金 0"}));
  EXPECT_EQ(effect_text({ast::EffectKind::kGradeCap, "等级", "C", 0}, kEnglish), "grade 等级 at most C");
  EXPECT_EQ(effect_text({ast::EffectKind::kGradeDown, "等级", "", 1}, kChinese), "等级 等级 降 1");
  EXPECT_EQ(effect_text({ast::EffectKind::kFundZero, "奖励", "", 0}, kEnglish), "fund 奖励 0");
}

TEST_F(DeclText, MissingModesAndTopOptions) {
  const ast::IndicatorNode& leaf = m_->nodes.at(1);
  EXPECT_EQ(missing_mode(leaf.missing, written(), leaf.missing_span.end - 1), "计均值");
  EXPECT_EQ(missing_mode(leaf.missing, kEnglish), "peer_average");
  EXPECT_EQ(missing_mode(ast::MissingRule::kNone, kEnglish), "");
  const ast::Track& t = m_->funds.at(0).tracks.at(0);
  EXPECT_EQ(top_options(t, written()), "占全部 rounded up ");
  EXPECT_EQ(top_options(t, kEnglish), "of all rounded up ");
}

}  // namespace
}  // namespace jixiao::dsl
