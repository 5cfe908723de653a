// Tests of linking: extends, import, override, remove and add, the merged policy re-checked, and
// the errors that name both the variant's line and the base.
#include "jixiao/dsl/modules.hpp"

#include <gtest/gtest.h>

#include <map>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/render.hpp"

namespace jixiao::dsl {
namespace {

// Files by name; `std/...` and plain names live in one map.
class MemoryResolver : public ModuleResolver {
 public:
  std::map<std::string, std::string> files;
  std::variant<ResolvedModule, ResolveFailure> resolve(const std::string& name, const std::string&) override {
    const auto it = files.find(name);
    if (it == files.end()) return ResolveFailure{DiagCode::module_not_found, Message("no `" + name + "`"), Message("hint")};
    return ResolvedModule{name, name + ".jx", it->second};
  }
};

const char* const kBase = R"(policy "基础" version "1"
subject 社区 key 编码
input {
  甲分 : score 0..100
  乙分 : score 0..100
  丙分 : score 0..100
}
param 资金池 = 100万元
indicator 总分 {
  一层 60% {
    甲 30% = 甲分
    乙 30% = 乙分
  }
  二层 40% { 丙 40% = 丙分 }
}
grade 等级 of 总分 { A [90, 100]  B [60, 90)  C [0, 60) }
alert 预警 of 总分 { red [0, 60) deadline 3 days "整改"  blue [60, 100] }
fund 补助 pool 资金池 {
  track 绩效 100% split by coef(等级) { A 1.0, B 0.5, C 0 }
  ties by 编码
}
)";

struct Linked {
  SourceSet sources;
  CollectingSink sink;
  std::optional<LinkedPolicy> policy;
  std::optional<CheckedPolicy> checked;

  std::string diagnostics() const {
    std::string out;
    for (const auto& d : sink.items()) out += render_text(d, sources, RenderOptions{false, Lang::kEn});
    return out;
  }
};

std::unique_ptr<Linked> link_text(const std::string& variant, MemoryResolver& r) {
  auto l = std::make_unique<Linked>();
  const SourceId id = l->sources.add("variant.jx", variant);
  l->policy = link(l->sources, id, "variant", r, l->sink);
  if (l->policy) l->checked = check(l->sources, l->policy->module, CheckOptions{}, l->sink);
  return l;
}

std::string changes_text(const LinkedPolicy& p) {
  std::string out;
  for (const auto& c : p.changes) out += c.kind + " " + c.target + ": " + c.before + " | " + c.after + "\n";
  return out;
}

TEST(Modules, VariantOverridesWeightsBandsParamsAndCoefficients) {
  MemoryResolver r;
  r.files["std/base"] = kBase;
  auto l = link_text(R"(policy "区级" version "2" extends "std/base"
override 总分.一层 weight 50%
override 总分.一层.甲 weight 25%
override 总分.一层.乙 weight 25%
override 总分.二层 weight 50%
override 总分.二层.丙 weight 50%
override 预警.red [0, 65) deadline 2 days
override 预警.blue [65, 100]
override 补助.绩效 coef { A 1.2, B 0.6, C 0 }
param 资金池 = 80万元
)",
                     r);
  ASSERT_TRUE(l->checked) << l->diagnostics();
  EXPECT_EQ(l->diagnostics(), "");
  EXPECT_EQ(changes_text(*l->policy),
            "weight 总分.一层: 60% | 50%\n"
            "weight 总分.一层.甲: 30% | 25%\n"
            "weight 总分.一层.乙: 30% | 25%\n"
            "weight 总分.二层: 40% | 50%\n"
            "weight 总分.二层.丙: 40% | 50%\n"
            "band 预警.red: [0, 60) deadline 3 days \"整改\" | [0, 65) deadline 2 days \"整改\"\n"
            "band 预警.blue: [60, 100] | [65, 100]\n"
            "coef 补助.绩效: A 1.0, B 0.5, C 0 | A 1.2, B 0.6, C 0\n"
            "param 资金池: 100万元 | 80万元\n");
  EXPECT_EQ(l->policy->base, "std/base");
  EXPECT_EQ(l->policy->files, (std::vector<std::string>{"variant.jx", "std/base.jx"}));
  EXPECT_EQ(l->checked->module.policy->name, "区级");
  EXPECT_EQ(l->checked->params[0].number, 80'000'000);  // 80万元 in fen
}

TEST(Modules, RemoveAndAddKeepTheWeightsChecked) {
  MemoryResolver r;
  r.files["std/base"] = kBase;
  auto l = link_text(R"(policy "区级" version "2" extends "std/base"
input { 丁分 : score 0..100 }
remove 总分.一层.乙
add 总分.一层 { 丁 30% = 丁分 }
)",
                     r);
  ASSERT_TRUE(l->checked) << l->diagnostics();
  EXPECT_EQ(changes_text(*l->policy),
            "new 丁分:  | input\n"
            "remove 总分.一层.乙: indicator | \n"
            "add 总分.一层.丁:  | 30%\n");
  // The removed indicator is gone from the checked tree, the added one is in it.
  EXPECT_EQ(l->checked->find("总分.一层.乙"), kNoSymbol);
  bool found = false;
  for (const auto& s : l->checked->symbols) found = found || s.name == "总分.一层.丁";
  EXPECT_TRUE(found);
}

TEST(Modules, ADeductionIsRemovedByItsPathOrItsName) {
  MemoryResolver r;
  r.files["std/base"] = R"(policy "基础" version "1"
subject 社区 key 编码
input {
  得分 : score 0..100
  投诉 : count
}
indicator 总分 {
  甲 100% = 得分
  deduct 投诉扣分 1 per 投诉, max 10
}
grade 等级 of 总分 { A [60, 100]  C [0, 60) }
)";
  for (const char* target : {"总分.投诉扣分", "投诉扣分"}) {
    auto l = link_text(std::string("policy \"区级\" version \"2\" extends \"std/base\"\nremove ") + target +
                           "\nadd 总分 { deduct 投诉扣分 2 per 投诉, max 6 }\n",
                       r);
    ASSERT_TRUE(l->checked) << target << "\n" << l->diagnostics();
    EXPECT_EQ(changes_text(*l->policy), "remove " + std::string(target) + ": deduction or bonus | \nadd 投诉扣分:  | deduct\n");
  }
  // A wrong last part lists the children and the deductions of the node.
  auto l = link_text("policy \"区级\" version \"2\" extends \"std/base\"\nremove 总分.投诉扣\n", r);
  EXPECT_FALSE(l->policy);
  ASSERT_EQ(l->sink.items().size(), 1u) << l->diagnostics();
  EXPECT_EQ(l->sink.items()[0].hint, "did you mean `总分.投诉扣分`?");
}

TEST(Modules, ShowVariantNamesAChangedSubjectAndPrecisionAndImportsWhereTheyAreWritten) {
  MemoryResolver r;
  r.files["std/base"] = kBase;
  r.files["std/extra"] = "policy \"附加\" version \"1\"\n\n\n\n\n\n\n\n\nparam 奖金 = 10万元\nparam 罚金 = 1万元\n";
  auto l = link_text(R"(policy "区级" version "2" extends "std/base"
subject 社区 key 编码 period 年度
precision 1
param 资金池 = 80万元
import 罚金, 奖金 from "std/extra"
override 总分.二层.丙 weight 40%
)",
                     r);
  ASSERT_TRUE(l->policy) << l->diagnostics();
  EXPECT_EQ(changes_text(*l->policy),
            "subject subject: 社区 key 编码 | 社区 key 编码 period 年度\n"
            "precision precision: 2 (the default) | 1\n"
            "param 资金池: 100万元 | 80万元\n"
            "new 奖金:  | param\n"
            "new 罚金:  | param\n"
            "weight 总分.二层.丙: 40% | 40%\n");
}

TEST(Modules, BrokenWeightsNameTheBaseAndTheVariantLine) {
  MemoryResolver r;
  r.files["std/base"] = kBase;
  auto l = link_text(R"(policy "区级" version "2" extends "std/base"
override 总分.二层.丙 weight 45%
)",
                     r);
  EXPECT_FALSE(l->checked);
  EXPECT_EQ(l->diagnostics(),
            "std/base.jx:14:3: error: weights under `总分.二层` add up to 45%, not 100% (shares of `二层`) or 40% "
            "(the weight of `二层`) [weights-sum]\n"
            "   14 |   二层 40% { 丙 40% = 丙分 }\n"
            "      |   ^~~~\n"
            "hint: the sub-indicators are `丙` 45%\n"
            "variant.jx:2:25: note: the variant sets `丙` to 45% here\n"
            "    2 | override 总分.二层.丙 weight 45%\n"
            "      |                              ^~~\n");
}

TEST(Modules, OverrideOfWhatTheBaseDoesNotHaveNamesBothPlaces) {
  MemoryResolver r;
  r.files["std/base"] = kBase;
  auto l = link_text(R"(policy "区级" version "2" extends "std/base"
override 总分.一层.戊 weight 10%
)",
                     r);
  EXPECT_FALSE(l->policy);
  EXPECT_EQ(l->diagnostics(),
            "variant.jx:2:1: error: cannot override `总分.一层.戊`: the base policy `std/base` has no such thing [override-target]\n"
            "    2 | override 总分.一层.戊 weight 10%\n"
            "      | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "hint: `总分.一层` has `甲`, `乙`\n"
            "std/base.jx:10:3: note: `总分.一层` is declared here, without `戊`\n"
            "   10 |   一层 60% {\n"
            "      |   ^~~~\n");
}

TEST(Modules, OverrideOfTheWrongKindIsRejected) {
  MemoryResolver r;
  r.files["std/base"] = kBase;
  auto l = link_text("policy \"区级\" version \"2\" extends \"std/base\"\noverride 预警.red weight 10%\n", r);
  EXPECT_FALSE(l->policy);
  ASSERT_EQ(l->sink.items().size(), 1u);
  EXPECT_EQ(l->sink.items()[0].code, DiagCode::bad_override);
  EXPECT_EQ(l->sink.items()[0].message, "`预警.red` is a band: only indicators and fund tracks have a weight");
}

TEST(Modules, RedeclaringAVetoOfTheBaseIsADuplicate) {
  MemoryResolver r;
  r.files["std/base"] = kBase;
  auto l = link_text("policy \"区级\" version \"2\" extends \"std/base\"\ngrade 等级 of 总分 { A [0, 100] }\n", r);
  EXPECT_FALSE(l->policy);
  ASSERT_EQ(l->sink.items().size(), 1u);
  EXPECT_EQ(l->sink.items()[0].code, DiagCode::duplicate_name);
  EXPECT_EQ(l->sink.items()[0].message, "the base policy already declares grade or alert `等级`");
  ASSERT_EQ(l->sink.items()[0].notes.size(), 1u);
}

TEST(Modules, ImportTakesNamedDeclarations) {
  MemoryResolver r;
  r.files["std/negative"] = R"(policy "负面清单" version "1"
subject 社区 key 编码
input { 违规事项 : list<text> }
set 负面清单 = { "挪用资金", "虚报数据" }
veto 负面清单否决 when 违规事项 any_in 负面清单 { grade C ; reason "触及负面清单" }
)";
  auto l = link_text(R"(policy "用例" version "1"
subject 社区 key 编码
import 违规事项, 负面清单, 负面清单否决 from "std/negative"
input { 得分 : score 0..100 }
indicator 总分 { 甲 100% = 得分 }
grade 等级 of 总分 { A [60, 100]  C [0, 60) }
)",
                     r);
  ASSERT_TRUE(l->checked) << l->diagnostics();
  EXPECT_NE(l->checked->find("负面清单否决"), kNoSymbol);
  EXPECT_NE(l->checked->find("违规事项"), kNoSymbol);
}

TEST(Modules, ImportOfAMissingNameSuggestsOne) {
  MemoryResolver r;
  r.files["std/negative"] = "policy \"负面清单\" version \"1\"\nset 负面清单 = { \"挪用资金\" }\n";
  auto l = link_text("policy \"用例\" version \"1\"\nimport 负面清 from \"std/negative\"\n", r);
  EXPECT_FALSE(l->policy);
  ASSERT_EQ(l->sink.items().size(), 1u);
  EXPECT_EQ(l->sink.items()[0].message, "`std/negative` declares no `负面清`");
  EXPECT_EQ(l->sink.items()[0].hint, "did you mean `负面清单`?");
}

TEST(Modules, ImportingANameDeclaredLocallyIsADuplicate) {
  MemoryResolver r;
  r.files["std/base"] = kBase;
  r.files["std/fund"] = "policy \"资金\" version \"1\"\nparam 资金池 = 2000万元\n";
  auto l = link_text(R"(policy "区级" version "2" extends "std/base"
import 资金池 from "std/fund"
param 资金池 = 5000万元
)",
                     r);
  EXPECT_FALSE(l->policy);
  ASSERT_EQ(l->sink.items().size(), 1u) << l->diagnostics();
  EXPECT_EQ(l->sink.items()[0].code, DiagCode::duplicate_name);
  EXPECT_EQ(l->sink.items()[0].message, "`资金池` is imported from `std/fund` and also declared in this file");
}

TEST(Modules, RemoveThenDeclareAgainReplacesTheBaseDeclaration) {
  MemoryResolver r;
  r.files["std/base"] = kBase;
  auto l = link_text(R"(policy "区级" version "2" extends "std/base"
remove 预警
alert 预警 of 总分 { red [0, 70)  blue [70, 100] }
)",
                     r);
  ASSERT_TRUE(l->checked) << l->diagnostics();
  const auto& bands = l->checked->module.bands;
  ASSERT_EQ(bands.size(), 2u);
  EXPECT_EQ(bands[1].name.name, "预警");
  EXPECT_EQ(bands[1].bands[0].interval.hi, 70'000'000);
  EXPECT_FALSE(bands[1].bands[0].deadline.has_value());
}

TEST(Modules, CyclesAndMissingModulesAreErrors) {
  MemoryResolver r;
  r.files["a"] = "policy \"a\" version \"1\" extends \"b\"\n";
  r.files["b"] = "policy \"b\" version \"1\" extends \"a\"\n";
  auto cycle = link_text("policy \"v\" version \"1\" extends \"a\"\n", r);
  EXPECT_FALSE(cycle->policy);
  ASSERT_EQ(cycle->sink.items().size(), 1u);
  EXPECT_EQ(cycle->sink.items()[0].code, DiagCode::module_cycle);
  EXPECT_EQ(cycle->sink.items()[0].message, "`a` is already being loaded: variant.jx → a.jx → b.jx → a.jx");
  auto missing = link_text("policy \"v\" version \"1\" extends \"nothing\"\n", r);
  ASSERT_EQ(missing->sink.items().size(), 1u);
  EXPECT_EQ(missing->sink.items()[0].code, DiagCode::module_not_found);
}

TEST(Modules, ABandsChangedTextIsShownQuotedAsWritten) {
  MemoryResolver r;
  r.files["std/base"] = kBase;
  auto l = link_text("policy \"区级\" version \"1\" extends \"std/base\"\noverride 预警.red [0, 60) \"整改 \\\"限期\\\"\"\n", r);
  ASSERT_TRUE(l->checked) << l->diagnostics();
  EXPECT_EQ(changes_text(*l->policy), "band 预警.red: [0, 60) deadline 3 days \"整改\" | [0, 60) deadline 3 days \"整改 \\\"限期\\\"\"\n");
}

TEST(Modules, AVariantOfAVariantAppliesBothInOrder) {
  MemoryResolver r;
  r.files["std/base"] = kBase;
  r.files["city"] = "policy \"市级\" version \"1\" extends \"std/base\"\noverride 预警.red [0, 70)\noverride 预警.blue [70, 100]\n";
  auto l = link_text("policy \"区级\" version \"1\" extends \"city\"\noverride 预警.red [0, 75)\noverride 预警.blue [75, 100]\n", r);
  ASSERT_TRUE(l->checked) << l->diagnostics();
  const auto& bands = l->checked->module.bands;
  ASSERT_EQ(bands.size(), 2u);
  EXPECT_EQ(bands[1].bands[0].interval.hi, 75'000'000);
  EXPECT_EQ(changes_text(*l->policy),
            "band 预警.red: [0, 70) deadline 3 days \"整改\" | [0, 75) deadline 3 days \"整改\"\n"
            "band 预警.blue: [70, 100] | [75, 100]\n");
}

}  // namespace
}  // namespace jixiao::dsl
