// Tests of the evaluator's semantics through the library API (parse, check, plan, load, evaluate):
// exact arithmetic, masks, every function, leaf and node scoring, deductions, vetoes, and chunking.
#include "jixiao/engine/evaluator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/parse.hpp"
#include "jixiao/engine/loader.hpp"
#include "jixiao/engine/plan.hpp"
#include "jixiao/engine/results.hpp"

namespace jixiao::engine {
namespace {

using Strings = std::vector<std::string>;

/// One policy run over one CSV. Not movable: the plan points into `checked`.
struct Eval {
  SourceSet sources;
  CollectingSink sink;
  std::optional<dsl::CheckedPolicy> checked;
  std::optional<Plan> plan;
  std::optional<Dataset> data;
  std::optional<EvalResult> result;
  std::size_t narrow_inputs = 0;  ///< the inputs loaded narrow (LoadOptions::narrow: with `keep`)

  Eval(const std::string& policy, const std::string& csv, EvalOptions options = {}, dsl::CheckOptions check = {}) {
    const SourceId id = sources.add("p.jx", policy);
    auto module = dsl::parse(sources, id, sink);
    if (!module) return;
    checked = dsl::check(sources, std::move(*module), check, sink);
    if (!checked) return;
    plan = build_plan(*checked, sink);
    if (!plan) return;
    // As `jixiao eval` does with `keep`: the inputs nothing reads after the programs are loaded
    // narrow, and spent.
    const Executable program = compile(*plan);
    std::vector<std::size_t> unread;
    if (options.keep != nullptr) unread = unread_inputs(program, *options.keep);
    LoadOptions load;
    load.narrow.assign(checked->module.inputs.size(), false);
    for (const std::size_t i : unread) load.narrow[i] = true;
    data = load_csv(sources, "d.csv", csv, *checked, load, sink);
    if (!data) return;
    narrow_inputs = static_cast<std::size_t>(std::count_if(data->inputs.begin(), data->inputs.end(), [](const Column& c) { return c.narrow(); }));
    result = options.keep != nullptr ? evaluate_spending(program, *data, options, sink) : evaluate(program, *data, options, sink);
  }
  Eval(const Eval&) = delete;
  Eval& operator=(const Eval&) = delete;

  [[nodiscard]] std::string where(Span s) const {
    if (!s.valid()) return "-";
    const SourceFile& f = sources.get(s.source);
    const LineColumn lc = f.line_column(s.begin);
    return f.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
  }

  /// Every error as "slug file:line:column message", then its notes indented; warnings left out.
  [[nodiscard]] std::string errors() const {
    std::string out;
    for (const Diagnostic& d : sink.items()) {
      if (d.severity != Severity::kError) continue;
      out += std::string(slug(d.code)) + " " + where(d.span) + " " + d.message.str(Lang::kEn) + "\n";
      for (const Note& n : d.notes) out += "  " + where(n.span) + " " + n.message.str(Lang::kEn) + "\n";
    }
    return out;
  }

  [[nodiscard]] dsl::SymbolId id(const std::string& name) const {
    const dsl::SymbolId s = checked->find(name);
    if (s == dsl::kNoSymbol) ADD_FAILURE() << "no symbol " << name;
    return s;
  }

  /// A column's raw values (numbers at scale 10^6, fen, label indices, 0/1).
  [[nodiscard]] std::vector<std::int64_t> raw(const std::string& name) const {
    const std::span<const std::int64_t> c = result->columns[static_cast<std::uint32_t>(id(name))];
    return {c.begin(), c.end()};
  }

  /// A number column as exact decimals ("0.333333", "-2").
  [[nodiscard]] Strings num(const std::string& name) const {
    Strings out;
    for (const std::int64_t v : raw(name)) out.push_back(decimal::to_string(v));
    return out;
  }

  /// A money column in 元 with two decimals.
  [[nodiscard]] Strings yuan(const std::string& name) const {
    Strings out;
    for (const std::int64_t v : raw(name)) out.push_back(decimal::format_yuan(v));
    return out;
  }

  /// A label column (grade, alert, one_of) as its labels.
  [[nodiscard]] Strings label(const std::string& name) const {
    const dsl::Symbol& s = checked->symbol(id(name));
    const dsl::Domain& d = checked->domains[s.type.domain];
    Strings out;
    for (const std::int64_t v : raw(name)) out.push_back(d.labels[static_cast<std::size_t>(v)]);
    return out;
  }

  /// A yes/no column as "是"/"否".
  [[nodiscard]] Strings yes(const std::string& name) const {
    Strings out;
    for (const std::int64_t v : raw(name)) out.push_back(v != 0 ? "是" : "否");
    return out;
  }

  /// The values of the rule column of `kind` named `name`, as exact decimals for amounts and 0/1.
  [[nodiscard]] Strings rule(RuleColumn::Kind kind, const std::string& name) const {
    for (const RuleColumn& rc : result->rules) {
      if (rc.kind != kind || rc.name != name) continue;
      Strings out;
      for (const std::int64_t v : rc.values) {
        out.push_back(kind == RuleColumn::Kind::kDeduct || kind == RuleColumn::Kind::kBonus ? decimal::to_string(v)
                                                                                             : std::to_string(v));
      }
      return out;
    }
    ADD_FAILURE() << "no rule " << name;
    return {};
  }

  /// Names of the rule columns, in order, with their kind.
  [[nodiscard]] std::string rule_names() const {
    std::string out;
    for (const RuleColumn& rc : result->rules) {
      const char* k = rc.kind == RuleColumn::Kind::kVeto     ? "veto:"
                      : rc.kind == RuleColumn::Kind::kDeduct ? "deduct:"
                      : rc.kind == RuleColumn::Kind::kBonus  ? "bonus:"
                                                             : "cap:";
      out += std::string(k) + rc.name + " ";
    }
    return out;
  }

  [[nodiscard]] std::string csv() const {
    return format_results(*checked, *data, *result, ResultFormat::kCsv);
  }
};

std::string policy(const std::string& body, const std::string& header_extra = "") {
  return "policy \"测试\" version \"1\"\nsubject 社区 key 编码\n" + header_extra + body;
}

// ---- arithmetic ----

TEST(EvalArithmetic, WeightedSumIsExactlySeventyFive) {
  // In binary floating point 0.3 × 80 + 0.4 × 75 + 0.3 × 70 is 74.99999999999999.
  Eval r(policy("input { 甲 : score 0..100  乙 : score 0..100  丙 : score 0..100 }\n"
               "let 加权 = 0.3 * 甲 + 0.4 * 乙 + 0.3 * 丙\n"
               "let 百分 = 甲 * 30% + 乙 * 40% + 丙 * 30%\n"
               "let 恰好 = 加权 == 75\n"
               "indicator 总分 { 工作 100% = 加权 }\n"
               "grade 等级 of 总分 { 合格 [75, 100]  不合格 [0, 75) }\n"),
        "编码,甲,乙,丙\nA,80,75,70\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.raw("加权"), (std::vector<std::int64_t>{75'000'000}));
  EXPECT_EQ(r.raw("百分"), (std::vector<std::int64_t>{75'000'000}));
  EXPECT_EQ(r.yes("恰好"), (Strings{"是"}));
  EXPECT_EQ(r.raw("总分"), (std::vector<std::int64_t>{75'000'000}));
  EXPECT_EQ(r.label("等级"), (Strings{"合格"}));
  EXPECT_EQ(r.csv(), "编码,总分,等级,触发规则\nA,75.00,合格,\n");
}

TEST(EvalArithmetic, ProductsAndQuotientsRoundHalfAwayFromZero) {
  Eval r(policy("input { 甲 : number  乙 : number }\n"
               "let 和 = 甲 + 乙\n"
               "let 差 = 甲 - 乙\n"
               "let 积 = 甲 * 乙\n"
               "let 商 = 甲 / 乙\n"
               "let 负 = -甲\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,甲,乙\n"
        "A,0.001,0.0005\n"     // 积 = 0.0000005 → 0.000001
        "B,-0.001,0.0005\n"    // 积 = -0.0000005 → -0.000001
        "C,2,3\n"              // 商 = 0.666…  → 0.666667
        "D,-2,3\n"             // 商 = -0.666… → -0.666667
        "E,0.000001,2\n"       // 商 = 0.0000005 → 0.000001
        "F,-0.000001,2\n"      // 商 = -0.0000005 → -0.000001
        "G,1,3\n"              // 商 = 0.333… → 0.333333
        "H,0.000001,0.000003\n"// 积 = 3e-12 → 0; 商 = 0.333333
        "I,-0.000001,-2\n");   // 积 = 0.000002; 商 = 0.0000005 → 0.000001
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("和"), (Strings{"0.0015", "-0.0005", "5", "1", "2.000001", "1.999999", "4", "0.000004", "-2.000001"}));
  EXPECT_EQ(r.num("差"), (Strings{"0.0005", "-0.0015", "-1", "-5", "-1.999999", "-2.000001", "-2", "-0.000002", "1.999999"}));
  EXPECT_EQ(r.num("积"), (Strings{"0.000001", "-0.000001", "6", "-6", "0.000002", "-0.000002", "3", "0", "0.000002"}));
  EXPECT_EQ(r.num("商"), (Strings{"2", "-2", "0.666667", "-0.666667", "0.000001", "-0.000001", "0.333333", "0.333333",
                                  "0.000001"}));
  EXPECT_EQ(r.num("负"), (Strings{"-0.001", "0.001", "-2", "2", "-0.000001", "0.000001", "-1", "-0.000001", "0.000001"}));
}

TEST(EvalArithmetic, MoneyRoundsToTheFen) {
  Eval r(policy("input { 额 : money  额二 : money  系数 : number }\n"
               "let 钱积 = 额 * 系数\n"
               "let 积钱 = 系数 * 额\n"
               "let 钱商 = 额 / 系数\n"
               "let 钱比 = 额 / 额二\n"
               "let 钱和 = 额 + 额二 - 0.01元\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,额,额二,系数\n"
        "A,0.01,0.03,0.5\n"        // 1 fen × 0.5 = 0.5 → 1; 1 ÷ 0.5 = 2; 1 ÷ 3 = 0.333333
        "B,0.03,0.02,0.5\n"        // 1.5 → 2; 3 ÷ 0.5 = 6; 1.5
        "C,0.01,0.02,-0.5\n"       // -0.5 → -1; 1 ÷ -0.5 = -2; 0.5
        "D,0.05,0.03,2\n"          // 10; 2.5 → 3; 5 ÷ 3 = 1.666667
        "E,10.00,3.00,0.333333\n"  // 333.3333 → 333; 1000 ÷ 0.333333 = 3000.003 → 3000; 3.333333
        "F,0.01,0.03,0.49\n");     // 0.49 → 0; 1 ÷ 0.49 = 2.04 → 2
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.raw("钱积"), (std::vector<std::int64_t>{1, 2, -1, 10, 333, 0}));
  EXPECT_EQ(r.raw("积钱"), (std::vector<std::int64_t>{1, 2, -1, 10, 333, 0}));
  EXPECT_EQ(r.raw("钱商"), (std::vector<std::int64_t>{2, 6, -2, 3, 3000, 2}));
  EXPECT_EQ(r.num("钱比"), (Strings{"0.333333", "1.5", "0.5", "1.666667", "3.333333", "0.333333"}));
  EXPECT_EQ(r.yuan("钱和"), (Strings{"0.03", "0.04", "0.02", "0.07", "12.99", "0.03"}));
}

TEST(EvalArithmetic, OverflowIsAnErrorNeverWrapped) {
  // 9e12 × 2 and 9e12 + 9e12 do not fit in ±9.22e12; the row that overflows is named.
  Eval product(policy("input { 甲 : number  乙 : number }\n"
                     "let 积 = 甲 * 乙\n"
                     "indicator 总分 { 工作 100% = min(积, 100) }\n"),
              "编码,甲,乙\nA,1,2\nB,9000000000000,2\n");
  EXPECT_FALSE(product.result);
  EXPECT_EQ(product.errors(),
            "eval-overflow p.jx:4:9 the result is too large to hold exactly in row 2 (`B`)\n"
            "  d.csv:3:1 the row is here\n");

  Eval sum(policy("input { 甲 : number }\n"
                 "indicator 总分 { 工作 100% = min(甲 + 甲, 100) }\n"),
          "编码,甲\nA,5000000000000\nB,1\n");
  EXPECT_FALSE(sum.result);
  EXPECT_EQ(sum.errors(),
            "eval-overflow p.jx:4:30 the result is too large to hold exactly in row 1 (`A`)\n"
            "  d.csv:2:1 the row is here\n");

  Eval money(policy("input { 额 : money  系数 : number }\n"
                   "let 钱 = 额 * 系数\n"
                   "indicator 总分 { 工作 100% = 50 }\n"),
            "编码,额,系数\nA,90000000000000000,2\nB,1,1\n");
  EXPECT_FALSE(money.result);
  EXPECT_EQ(money.errors(),
            "eval-overflow p.jx:4:9 the result is too large to hold exactly in row 1 (`A`)\n"
            "  d.csv:2:1 the row is here\n");
}

// ---- conditions ----

TEST(EvalConditions, ComparisonsAndLogic) {
  Eval r(policy("input { 甲 : number  乙 : number  街道 : text  达标 : bool }\n"
               "let 等 = 甲 == 乙\n"
               "let 不等 = 甲 != 乙\n"
               "let 小 = 甲 < 乙\n"
               "let 小等 = 甲 <= 乙\n"
               "let 大 = 甲 > 乙\n"
               "let 大等 = 甲 >= 乙\n"
               "let 且 = 甲 > 0 and 达标\n"
               "let 或 = 甲 > 0 or 达标\n"
               "let 非 = not 达标\n"
               "let 城东 = 街道 == \"城东\"\n"
               "let 优先 = not 甲 > 0 or 乙 > 0 and 达标\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,甲,乙,街道,达标\n"
        "A,1,2,城东,是\n"
        "B,2,2,城西,否\n"
        "C,-3,2,城东,否\n"
        "D,0.000001,0,城北,是\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.yes("等"), (Strings{"否", "是", "否", "否"}));
  EXPECT_EQ(r.yes("不等"), (Strings{"是", "否", "是", "是"}));
  EXPECT_EQ(r.yes("小"), (Strings{"是", "否", "是", "否"}));
  EXPECT_EQ(r.yes("小等"), (Strings{"是", "是", "是", "否"}));
  EXPECT_EQ(r.yes("大"), (Strings{"否", "否", "否", "是"}));
  EXPECT_EQ(r.yes("大等"), (Strings{"否", "是", "否", "是"}));
  EXPECT_EQ(r.yes("且"), (Strings{"是", "否", "否", "是"}));
  EXPECT_EQ(r.yes("或"), (Strings{"是", "是", "否", "是"}));
  EXPECT_EQ(r.yes("非"), (Strings{"否", "是", "是", "否"}));
  EXPECT_EQ(r.yes("城东"), (Strings{"是", "否", "是", "否"}));
  // (not (甲 > 0)) or ((乙 > 0) and 达标)
  EXPECT_EQ(r.yes("优先"), (Strings{"是", "否", "是", "否"}));
}

TEST(EvalConditions, IfThenElse) {
  Eval r(policy("input { 甲 : number  乙 : number  额 : money }\n"
               "let 大者 = if 甲 > 乙 then 甲 else 乙\n"
               "let 加分 = 10 + (if 甲 > 0 then 5 else 0)\n"
               "let 嵌套 = if 甲 > 1 then 1 else if 甲 > 0 then 2 else 3\n"
               "let 钱 = if 甲 > 0 then 额 else 0元\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,甲,乙,额\nA,3,2,1.50\nB,0.5,2,1.50\nC,-1,-2,1.50\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("大者"), (Strings{"3", "2", "-1"}));
  EXPECT_EQ(r.num("加分"), (Strings{"15", "15", "10"}));
  EXPECT_EQ(r.num("嵌套"), (Strings{"1", "2", "3"}));
  EXPECT_EQ(r.yuan("钱"), (Strings{"1.50", "1.50", "0.00"}));
}

// ---- masks ----

TEST(EvalMasks, DivisionByZeroInABranchNotTakenIsNotAnError) {
  Eval r(policy("input { 自筹 : money  支出 : money  甲 : number  乙 : number }\n"
               "let 比 = if 支出 > 0元 then 自筹 / 支出 else 0\n"
               "let 反 = if 支出 == 0元 then 0 else 自筹 / 支出\n"
               "let 且 = 乙 != 0 and 甲 / 乙 > 1\n"
               "let 或 = 乙 == 0 or 甲 / 乙 > 1\n"
               "let 内 = if 甲 > 0 then (if 乙 != 0 then 甲 / 乙 else -1) else -2\n"
               "indicator 总分 {\n"
               "  工作 100% = 50\n"
               "  deduct 条件扣分 1 per 甲 / 乙 when 乙 != 0\n"
               "}\n"),
        "编码,自筹,支出,甲,乙\nA,50,200,3,2\nB,50,0,3,0\nC,50,0,-3,0\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.errors(), "");
  EXPECT_EQ(r.num("比"), (Strings{"0.25", "0", "0"}));
  EXPECT_EQ(r.num("反"), (Strings{"0.25", "0", "0"}));
  EXPECT_EQ(r.yes("且"), (Strings{"是", "否", "否"}));
  EXPECT_EQ(r.yes("或"), (Strings{"是", "是", "是"}));
  EXPECT_EQ(r.num("内"), (Strings{"1.5", "-1", "-2"}));
  EXPECT_EQ(r.num("总分"), (Strings{"48.5", "50", "50"}));
}

TEST(EvalMasks, DivisionByZeroInATakenBranchIsAnError) {
  Eval r(policy("input { 甲 : number  乙 : number }\n"
               "let 危险 = if 甲 > 0 then 甲 / 乙 else 0\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,甲,乙\nA,1,2\nB,-1,0\nC,1,0\n");
  EXPECT_FALSE(r.result);
  // Row B divides by zero too, but in the branch it does not take.
  EXPECT_EQ(r.errors(),
            "eval-division-by-zero p.jx:4:24 division by zero in row 3 (`C`)\n"
            "  d.csv:4:1 the row is here\n");
}

TEST(EvalMasks, DivisionByZeroOutsideAnyBranchIsAnErrorOnEveryRow) {
  Eval r(policy("input { 自筹 : money  支出 : money }\n"
               "indicator 总分 { 自给率 100% = 自筹 / 支出 * 100 }\n"),
        "编码,自筹,支出\nA,1,0\nB,1,1\nC,1,0\n");
  EXPECT_FALSE(r.result);
  EXPECT_EQ(r.errors(),
            "eval-division-by-zero p.jx:4:27 division by zero in row 1 (`A`)\n"
            "  d.csv:2:1 the row is here\n"
            "eval-division-by-zero p.jx:4:27 division by zero in row 3 (`C`)\n"
            "  d.csv:4:1 the row is here\n");
}

TEST(EvalMasks, ErrorsBeyondTheFirstTenAreCounted) {
  // The first ten failing rows are reported one by one; the rest are summed up in one diagnostic
  // with the same code, naming the data file.
  std::string csv = "编码,甲\n";
  for (int i = 1; i <= 12; ++i) csv += "K" + std::to_string(i) + ",0\n";
  Eval r(policy("input { 甲 : number }\n"
                "indicator 总分 { 工作 100% = 50 / 甲 }\n"),
         csv);
  EXPECT_FALSE(r.result);
  ASSERT_EQ(r.sink.error_count(), 11u);
  const Diagnostic& tenth = r.sink.items()[r.sink.items().size() - 2];
  EXPECT_EQ(tenth.message, "division by zero in row 10 (`K10`)");
  const Diagnostic& last = r.sink.items().back();
  EXPECT_EQ(std::string(slug(last.code)), "eval-division-by-zero");
  EXPECT_EQ(last.message, "2 more rows failed the same way");
  EXPECT_EQ(last.file, "d.csv");
  EXPECT_FALSE(last.span.valid());
}

TEST(EvalMasks, RatioTargetAtOrBelowZeroIsAnError) {
  Eval r(policy("input { 甲 : number }\n"
                "indicator 总分 { 工作 100% = if 甲 < 0 then 0 else ratio(50, target: 甲) }\n"),
         "编码,甲\nA,-1\nB,0\nC,100\n");
  EXPECT_FALSE(r.result);
  // Row A takes the other branch; row B's target is 0.
  EXPECT_EQ(r.errors(),
            "eval-bad-target p.jx:4:47 the target of `ratio` is 0 or below in row 2 (`B`)\n"
            "  d.csv:3:1 the row is here\n");
}

TEST(EvalMasks, SummaryOfManyRatioTargetErrorsKeepsTheirCode) {
  std::string csv = "编码,甲\n";
  for (int i = 1; i <= 12; ++i) csv += "K" + std::to_string(i) + ",0\n";
  Eval r(policy("input { 甲 : number }\n"
                "indicator 总分 { 工作 100% = ratio(50, target: 甲) }\n"),
         csv);
  EXPECT_FALSE(r.result);
  ASSERT_EQ(r.sink.error_count(), 11u);
  const Diagnostic& last = r.sink.items().back();
  EXPECT_EQ(last.message, "2 more rows failed the same way");
  EXPECT_EQ(std::string(slug(last.code)), "eval-bad-target");
}

// ---- sets ----

TEST(EvalSets, TextMembership) {
  Eval r(policy("input { 街道 : text }\n"
               "set 城区 = { \"城东\", \"城西\" }\n"
               "let 在 = 街道 in 城区\n"
               "let 不在 = 街道 not in 城区\n"
               "let 字面 = 街道 in { \"城北\" }\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,街道\nA,城东\nB,城北\nC,城南\nD,城西\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.yes("在"), (Strings{"是", "否", "否", "是"}));
  EXPECT_EQ(r.yes("不在"), (Strings{"否", "是", "是", "否"}));
  EXPECT_EQ(r.yes("字面"), (Strings{"否", "是", "否", "否"}));
}

TEST(EvalSets, LabelMembership) {
  Eval r(policy("input { 类型 : one_of { \"城市\", \"农村\", \"城郊\" }  得分 : score 0..100 }\n"
               "indicator 总分 { 工作 100% = 得分 }\n"
               "grade 等级 of 总分 { A [90, 100]  B [75, 90)  C [60, 75)  D [0, 60) }\n"
               "let 农 = 类型 in { \"农村\", \"城郊\" }\n"
               "let 非城 = 类型 != \"城市\"\n"
               "let 好 = 等级 in { \"A\", \"B\" }\n"
               "let 差 = 等级 not in { \"A\", \"B\", \"C\" }\n"
               "let 是A = 等级 == \"A\"\n"),
        "编码,类型,得分\nA,城市,95\nB,农村,80\nC,城郊,59.99\nD,城市,60\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.label("类型"), (Strings{"城市", "农村", "城郊", "城市"}));
  EXPECT_EQ(r.label("等级"), (Strings{"A", "B", "D", "C"}));
  EXPECT_EQ(r.yes("农"), (Strings{"否", "是", "是", "否"}));
  EXPECT_EQ(r.yes("非城"), (Strings{"否", "是", "是", "否"}));
  EXPECT_EQ(r.yes("好"), (Strings{"是", "是", "否", "否"}));
  EXPECT_EQ(r.yes("差"), (Strings{"否", "否", "是", "否"}));
  EXPECT_EQ(r.yes("是A"), (Strings{"是", "否", "否", "否"}));
}

TEST(EvalSets, Lists) {
  Eval r(policy("input { 事项 : list<text> }\n"
               "set 负面 = { \"挪用资金\", \"虚报数据\" }\n"
               "let 任一 = 事项 any_in 负面\n"
               "let 全部 = 事项 all_in 负面\n"
               "let 几项 = count_in(事项, 负面)\n"
               "let 总数 = size(事项)\n"
               "let 字面 = 事项 any_in { \"台账不全\" }\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,事项\n"
        "A,挪用资金;台账不全\n"
        "B,\n"
        "C,挪用资金、虚报数据\n"
        "D,台账不全|其他\n"
        "E,虚报数据；虚报数据\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.yes("任一"), (Strings{"是", "否", "是", "否", "是"}));
  // An empty list has no item outside the set.
  EXPECT_EQ(r.yes("全部"), (Strings{"否", "是", "是", "否", "是"}));
  EXPECT_EQ(r.num("几项"), (Strings{"1", "0", "2", "0", "2"}));
  EXPECT_EQ(r.num("总数"), (Strings{"2", "0", "2", "2", "2"}));
  EXPECT_EQ(r.yes("字面"), (Strings{"是", "否", "否", "是", "否"}));
}

// ---- functions ----

TEST(EvalFunctions, MinMaxClampAbsFloorCeilRound) {
  Eval r(policy("input { 甲 : number  乙 : number }\n"
               "let 小 = min(甲, 乙, 1)\n"
               "let 大 = max(甲, 乙, 1)\n"
               "let 夹 = clamp(甲, 0, 10)\n"
               "let 绝 = abs(甲)\n"
               "let 下 = floor(甲)\n"
               "let 上 = ceil(甲)\n"
               "let 两位 = round(甲, 2)\n"
               "let 整 = round(甲, 0)\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,甲,乙\nA,2.345,-1\nB,-2.345,3\nC,12.5,0.5\nD,-0.5,0\nE,2.344999,2\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("小"), (Strings{"-1", "-2.345", "0.5", "-0.5", "1"}));
  EXPECT_EQ(r.num("大"), (Strings{"2.345", "3", "12.5", "1", "2.344999"}));
  EXPECT_EQ(r.num("夹"), (Strings{"2.345", "0", "10", "0", "2.344999"}));
  EXPECT_EQ(r.num("绝"), (Strings{"2.345", "2.345", "12.5", "0.5", "2.344999"}));
  EXPECT_EQ(r.num("下"), (Strings{"2", "-3", "12", "-1", "2"}));
  EXPECT_EQ(r.num("上"), (Strings{"3", "-2", "13", "0", "3"}));
  EXPECT_EQ(r.num("两位"), (Strings{"2.35", "-2.35", "12.5", "-0.5", "2.34"}));
  EXPECT_EQ(r.num("整"), (Strings{"2", "-2", "13", "-1", "2"}));
}

TEST(EvalFunctions, SumAvgCount) {
  Eval r(policy("input { 甲 : number  乙 : number  丙 : number  额 : money  额二 : money }\n"
               "let 合 = sum(甲, 乙, 丙)\n"
               "let 均 = avg(甲, 乙, 丙)\n"
               "let 钱 = sum(额, 额二)\n"
               "let 钱小 = min(额, 额二)\n"
               "let 个数 = count(甲 > 0, 乙 > 0, 丙 > 0)\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,甲,乙,丙,额,额二\nA,1,1,0,1.25,2.50\nB,1,0,0,0.01,0\nC,-1,0,0,3,2\nD,80,75,70.5,0,0\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("合"), (Strings{"2", "1", "-1", "225.5"}));
  EXPECT_EQ(r.num("均"), (Strings{"0.666667", "0.333333", "-0.333333", "75.166667"}));
  EXPECT_EQ(r.yuan("钱"), (Strings{"3.75", "0.01", "5.00", "0.00"}));
  EXPECT_EQ(r.yuan("钱小"), (Strings{"1.25", "0.00", "2.00", "0.00"}));
  EXPECT_EQ(r.num("个数"), (Strings{"2", "1", "0", "3"}));
}

TEST(EvalFunctions, Ratio) {
  Eval r(policy("input { 甲 : number }\n"
               "let 高 = ratio(甲, target: 50)\n"
               "let 超 = ratio(甲, target: 50, cap: 120)\n"
               "let 低 = ratio(甲, target: 800, better: lower)\n"
               "let 低超 = ratio(甲, target: 800, better: lower, cap: 120)\n"
               "let 三 = ratio(甲, target: 3)\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,甲\nA,25\nB,60\nC,1000\nD,700\nE,400\nF,0\nG,-3\nH,1\n");
  ASSERT_TRUE(r.result) << r.errors();
  //                                 25    60     1000   700    400    0     -3   1
  EXPECT_EQ(r.num("高"), (Strings{"50", "100", "100", "100", "100", "0", "0", "2"}));
  EXPECT_EQ(r.num("超"), (Strings{"50", "120", "120", "120", "120", "0", "0", "2"}));
  EXPECT_EQ(r.num("低"), (Strings{"100", "100", "80", "100", "100", "100", "100", "100"}));
  EXPECT_EQ(r.num("低超"), (Strings{"120", "120", "80", "114.285714", "120", "120", "120", "120"}));
  EXPECT_EQ(r.num("三"), (Strings{"100", "100", "100", "100", "100", "0", "0", "33.333333"}));
}

TEST(EvalFunctions, Interpolate) {
  Eval r(policy("input { 甲 : number }\n"
               "let 线 = interpolate(甲, 60 -> 0, 90 -> 30)\n"
               "let 折 = interpolate(甲, 0 -> 0, 60 -> 60, 100 -> 80)\n"
               "let 三分 = interpolate(甲, 0 -> 0, 3 -> 1)\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,甲\nA,50\nB,60\nC,75\nD,90\nE,95\nF,80\nG,61\nH,1\nI,2\nJ,-5\n");
  ASSERT_TRUE(r.result) << r.errors();
  //                                  50   60   75    90    95    80    61     1           2           -5
  EXPECT_EQ(r.num("线"), (Strings{"0", "0", "15", "30", "30", "20", "1", "0", "0", "0"}));
  EXPECT_EQ(r.num("折"), (Strings{"50", "60", "67.5", "75", "77.5", "70", "60.5", "1", "2", "0"}));
  EXPECT_EQ(r.num("三分"), (Strings{"1", "1", "1", "1", "1", "1", "1", "0.333333", "0.666667", "0"}));
}

TEST(EvalFunctions, ShortfallAndExcess) {
  Eval r(policy("input { 甲 : number }\n"
               "let 缺 = shortfall(甲, 80)\n"
               "let 缺下 = shortfall(甲, 80, step: 1, partial: floor)\n"
               "let 缺上 = shortfall(甲, 80, step: 1, partial: ceil)\n"
               "let 缺五 = shortfall(甲, 80, step: 5)\n"
               "let 缺五下 = shortfall(甲, 80, step: 5, partial: floor)\n"
               "let 缺五上 = shortfall(甲, 80, step: 5, partial: ceil)\n"
               "let 超 = excess(甲, 80, step: 5)\n"
               "let 超下 = excess(甲, 80, step: 5, partial: floor)\n"
               "let 超上 = excess(甲, 80, step: 5, partial: ceil)\n"
               "let 缺三 = shortfall(甲, 80, step: 3)\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,甲\nA,77.5\nB,80\nC,91\nD,70\nE,79\n");
  ASSERT_TRUE(r.result) << r.errors();
  //                                     77.5   80   91   70    79
  EXPECT_EQ(r.num("缺"), (Strings{"2.5", "0", "0", "10", "1"}));
  EXPECT_EQ(r.num("缺下"), (Strings{"2", "0", "0", "10", "1"}));
  EXPECT_EQ(r.num("缺上"), (Strings{"3", "0", "0", "10", "1"}));
  EXPECT_EQ(r.num("缺五"), (Strings{"0.5", "0", "0", "2", "0.2"}));
  EXPECT_EQ(r.num("缺五下"), (Strings{"0", "0", "0", "2", "0"}));
  EXPECT_EQ(r.num("缺五上"), (Strings{"1", "0", "0", "2", "1"}));
  EXPECT_EQ(r.num("超"), (Strings{"0", "0", "2.2", "0", "0"}));
  EXPECT_EQ(r.num("超下"), (Strings{"0", "0", "2", "0", "0"}));
  EXPECT_EQ(r.num("超上"), (Strings{"0", "0", "3", "0", "0"}));
  // 1 ÷ 3 rounds half away from zero at 6 places; 10 ÷ 3 likewise.
  EXPECT_EQ(r.num("缺三"), (Strings{"0.833333", "0", "0", "3.333333", "0.333333"}));
}

TEST(EvalFunctions, CoefOverGradeLabels) {
  Eval r(policy("input { 得分 : score 0..100  基础额度 : money }\n"
               "indicator 总分 { 工作 100% = 得分 }\n"
               "grade 等级 of 总分 { A [90, 100]  B [75, 90)  C [60, 75)  D [0, 60) }\n"
               "let 系数 = coef(等级) { A 0.90, B 0.65, C 0.40, D 0 }\n"
               "let 额 = 基础额度 * coef(等级) { A 0.90, B 0.65, C 0.40, D 0 }\n"
               "let 部分 = coef(等级) { A 2, else 1 }\n"),
        "编码,得分,基础额度\nA,95,1000\nB,80,1000\nC,60,1000\nD,59.99,1000\nE,90,0.01\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.label("等级"), (Strings{"A", "B", "C", "D", "A"}));
  EXPECT_EQ(r.num("系数"), (Strings{"0.9", "0.65", "0.4", "0", "0.9"}));
  EXPECT_EQ(r.yuan("额"), (Strings{"900.00", "650.00", "400.00", "0.00", "0.01"}));
  EXPECT_EQ(r.num("部分"), (Strings{"2", "1", "1", "1", "2"}));
}

TEST(EvalFunctions, CoefOverTextAndOneOfWithElse) {
  Eval r(policy("input { 街道 : text  类型 : one_of { \"城市\", \"农村\" } }\n"
               "let 街道系数 = coef(街道) { \"城东\" 1.2, \"城西\" 0.8, else 1 }\n"
               "let 类型系数 = coef(类型) { 城市 1, 农村 1.5 }\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,街道,类型\nA,城东,城市\nB,城西,农村\nC,城南,农村\nD,城东街道,城市\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("街道系数"), (Strings{"1.2", "0.8", "1", "1"}));
  EXPECT_EQ(r.num("类型系数"), (Strings{"1", "1.5", "1.5", "1"}));
}

TEST(EvalFunctions, Bands) {
  Eval r(policy("input { 得分 : score 0..100 }\n"
               "let 档 = bands(得分) { [0, 60) 0, [60, 80) 5, [80, 100] 10 }\n"
               "let 开 = bands(得分) { [0, 50] 1, (50, inf) 2 }\n"
               "indicator 总分 { 工作 100% = 50 }\n"),
        "编码,得分\nA,0\nB,59.999999\nC,60\nD,79.99\nE,80\nF,100\nG,50\nH,50.000001\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("档"), (Strings{"0", "0", "5", "5", "10", "10", "0", "0"}));
  EXPECT_EQ(r.num("开"), (Strings{"1", "2", "2", "2", "2", "2", "1", "2"}));
}

// ---- indicator trees ----

TEST(EvalTree, PercentLeavesAreClampedIntoZeroToHundred) {
  Eval r(policy("input { 甲 : number  乙 : number }\n"
               "indicator 总分 { 甲项 60% = 甲  乙项 40% = 乙 }\n"),
        "编码,甲,乙\nA,130,50\nB,-20,100\nC,50,101\nD,100,-0.01\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("总分.甲项"), (Strings{"60", "0", "30", "60"}));
  EXPECT_EQ(r.num("总分.乙项"), (Strings{"20", "40", "40", "0"}));
  EXPECT_EQ(r.num("总分"), (Strings{"80", "40", "70", "60"}));
}

TEST(EvalTree, PointLeavesAreClampedIntoZeroToTheirPoints) {
  Eval r(policy("input { 甲 : number  乙 : number }\n"
               "indicator 总分 100分 { 甲项 60分 = 甲  乙项 40分 = 乙 }\n"),
        "编码,甲,乙\nA,70,30.5\nB,-5,41\nC,60,40\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("总分.甲项"), (Strings{"60", "0", "60"}));
  EXPECT_EQ(r.num("总分.乙项"), (Strings{"30.5", "40", "40"}));
  EXPECT_EQ(r.num("总分"), (Strings{"90.5", "40", "100"}));
}

TEST(EvalTree, PrecisionZeroRoundsEveryScoreBeforeSumming) {
  // Each leaf is rounded (half away from zero) before the parent sums: 16.65 + 16.65 → 17 + 17.
  Eval r(policy("input { 甲 : number  乙 : number }\n"
               "indicator 总分 { 甲项 50% = 甲  乙项 50% = 乙 }\n"
               "grade 等级 of 总分 { 合格 [34, 100]  不合格 [0, 34) }\n",
               "precision 0\n"),
        "编码,甲,乙\nA,33.3,33.3\nB,74.5,0\nC,74.49,0\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("总分.甲项"), (Strings{"17", "37", "37"}));
  EXPECT_EQ(r.num("总分.乙项"), (Strings{"17", "0", "0"}));
  EXPECT_EQ(r.num("总分"), (Strings{"34", "37", "37"}));
  EXPECT_EQ(r.label("等级"), (Strings{"合格", "合格", "合格"}));
  EXPECT_EQ(r.csv(), "编码,总分,等级,触发规则\nA,34,合格,\nB,37,合格,\nC,37,合格,\n");
}

TEST(EvalTree, PrecisionThree) {
  // 33.3333 × 50% = 16.66665 → 16.667; two of them sum to 33.334 (not 33.333).
  Eval r(policy("input { 甲 : number  乙 : number }\n"
               "indicator 总分 { 甲项 50% = 甲  乙项 50% = 乙 }\n",
               "precision 3\n"),
        "编码,甲,乙\nA,33.3333,33.3333\nB,0.0009,0.0011\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("总分.甲项"), (Strings{"16.667", "0"}));
  EXPECT_EQ(r.num("总分.乙项"), (Strings{"16.667", "0.001"}));
  EXPECT_EQ(r.num("总分"), (Strings{"33.334", "0.001"}));
  EXPECT_EQ(r.csv(), "编码,总分,触发规则\nA,33.334,\nB,0.001,\n");
}

TEST(EvalTree, DefaultPrecisionIsTwo) {
  Eval r(policy("input { 甲 : number }\n"
               "indicator 总分 { 工作 100% = 甲 }\n"),
        "编码,甲\nA,89.995\nB,89.994999\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("总分"), (Strings{"90", "89.99"}));
}

TEST(EvalTree, AbsoluteAndRelativePercentWeightsGiveTheSamePoints) {
  const std::string absolute = policy(
      "input { 甲 : score 0..100  乙 : score 0..100  丙 : score 0..100 }\n"
      "indicator 总分 {\n"
      "  基础层 60% { 甲项 30% = 甲  乙项 30% = 乙 }\n"
      "  核心层 40% { 丙项 40% = 丙 }\n"
      "}\n");
  const std::string relative = policy(
      "input { 甲 : score 0..100  乙 : score 0..100  丙 : score 0..100 }\n"
      "indicator 总分 {\n"
      "  基础层 60% { 甲项 50% = 甲  乙项 50% = 乙 }\n"
      "  核心层 40% { 丙项 100% = 丙 }\n"
      "}\n");
  const std::string csv = "编码,甲,乙,丙\nA,80,70,90\nB,100,100,100\nC,33.33,0,66.67\n";
  Eval a(absolute, csv);
  Eval b(relative, csv);
  ASSERT_TRUE(a.result) << a.errors();
  ASSERT_TRUE(b.result) << b.errors();
  for (const char* name : {"总分", "总分.基础层", "总分.基础层.甲项", "总分.基础层.乙项", "总分.核心层", "总分.核心层.丙项"}) {
    EXPECT_EQ(a.num(name), b.num(name)) << name;
  }
  EXPECT_EQ(a.num("总分.基础层.甲项"), (Strings{"24", "30", "10"}));  // 33.33 × 30% = 9.999 → 10.00
  EXPECT_EQ(a.num("总分.基础层"), (Strings{"45", "60", "10"}));
  EXPECT_EQ(a.num("总分.核心层"), (Strings{"36", "40", "26.67"}));   // 66.67 × 40% = 26.668 → 26.67
  EXPECT_EQ(a.num("总分"), (Strings{"81", "100", "36.67"}));
}

// ---- deductions and bonuses ----

TEST(EvalTree, DeductionsPerWhenMaxAndFloorAtZero) {
  Eval r(policy("input { 得分 : score 0..100  投诉次数 : count  出现事故 : bool  覆盖面 : percent }\n"
               "indicator 总分 {\n"
               "  工作 100% = 得分\n"
               "  deduct 投诉扣分 0.5 per 投诉次数, max 10\n"
               "  deduct 事故扣分 20 when 出现事故\n"
               "  deduct 覆盖扣分 1 per shortfall(覆盖面, 80)\n"
               "}\n"),
        "编码,得分,投诉次数,出现事故,覆盖面\n"
        "A,90,4,否,85\n"     // 2 → 88
        "B,90,30,是,77.5\n"  // 15 capped to 10, 20, 2.5 → 32.5 → 57.5
        "C,10,0,是,100\n"    // 20 > 10: 扣完为止 → 0
        "D,100,0,否,80\n");  // nothing
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("总分"), (Strings{"88", "57.5", "0", "100"}));
  EXPECT_EQ(r.rule(RuleColumn::Kind::kDeduct, "投诉扣分"), (Strings{"2", "10", "0", "0"}));
  EXPECT_EQ(r.rule(RuleColumn::Kind::kCap, "投诉扣分"), (Strings{"0", "1", "0", "0"}));
  EXPECT_EQ(r.rule(RuleColumn::Kind::kDeduct, "事故扣分"), (Strings{"0", "20", "20", "0"}));
  EXPECT_EQ(r.rule(RuleColumn::Kind::kDeduct, "覆盖扣分"), (Strings{"0", "2.5", "0", "0"}));
  EXPECT_EQ(r.rule_names(), "deduct:投诉扣分 cap:投诉扣分 deduct:事故扣分 deduct:覆盖扣分 ");
  EXPECT_EQ(r.csv(),
            "编码,总分,触发规则\n"
            "A,88.00,扣分:投诉扣分\n"
            "B,57.50,扣分:投诉扣分;封顶:投诉扣分;扣分:事故扣分;扣分:覆盖扣分\n"
            "C,0.00,扣分:事故扣分\n"
            "D,100.00,\n");
}

TEST(EvalTree, NodeDeductionsMaxCapsTheTotal) {
  Eval r(policy("input { 得分 : score 0..100  投诉次数 : count  出现事故 : bool }\n"
               "indicator 总分 {\n"
               "  工作 100% = 得分\n"
               "  deduct 投诉扣分 0.5 per 投诉次数, max 10\n"
               "  deduct 事故扣分 20 when 出现事故\n"
               "  deductions max 25\n"
               "}\n"),
        "编码,得分,投诉次数,出现事故\nA,90,30,是\nB,90,8,是\nC,90,2,否\n");
  ASSERT_TRUE(r.result) << r.errors();
  // A: 10 + 20 = 30 → 25; B: 4 + 20 = 24; C: 1.
  EXPECT_EQ(r.num("总分"), (Strings{"65", "66", "89"}));
  EXPECT_EQ(r.rule(RuleColumn::Kind::kCap, "总分.扣分合计"), (Strings{"1", "0", "0"}));
  EXPECT_EQ(r.csv(),
            "编码,总分,触发规则\n"
            "A,65.00,扣分:投诉扣分;封顶:投诉扣分;扣分:事故扣分;封顶:总分.扣分合计\n"
            "B,66.00,扣分:投诉扣分;扣分:事故扣分\n"
            "C,89.00,扣分:投诉扣分\n");
}

TEST(EvalTree, BonusesBeyondFullMarksAndBonusesMax) {
  Eval r(policy("input { 得分 : score 0..100  获奖次数 : count  创新次数 : count  投诉次数 : count }\n"
               "indicator 总分 {\n"
               "  工作 100% = 得分 {\n"
               "    bonus 获奖加分 2 per 获奖次数, max 5\n"
               "  }\n"
               "  bonus 创新加分 3 per 创新次数\n"
               "  deduct 投诉扣分 0.5 per 投诉次数\n"
               "  bonuses max 8\n"
               "}\n"),
        "编码,得分,获奖次数,创新次数,投诉次数\n"
        "A,100,3,4,0\n"   // leaf 100 + min(6, 5) = 105; group 105 + min(12, 8) = 113
        "B,0,1,0,10\n"    // leaf 0 + 2 = 2; group max(0, 2 − 5) + 0 = 0
        "C,0,1,1,10\n"    // leaf 2; group max(0, 2 − 5) + 3 = 3: the floor comes before bonuses
        "D,90,1,2,2\n");  // leaf 92; group 92 − 1 + 6 = 97
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("总分.工作"), (Strings{"105", "2", "2", "92"}));
  EXPECT_EQ(r.num("总分"), (Strings{"113", "0", "3", "97"}));
  EXPECT_EQ(r.rule(RuleColumn::Kind::kBonus, "获奖加分"), (Strings{"5", "2", "2", "2"}));
  EXPECT_EQ(r.rule(RuleColumn::Kind::kBonus, "创新加分"), (Strings{"12", "0", "3", "6"}));
  EXPECT_EQ(r.rule(RuleColumn::Kind::kCap, "总分.加分合计"), (Strings{"1", "0", "0", "0"}));
}

TEST(EvalTree, NegativeAdjustmentAmountsCountAsZero) {
  Eval r(policy("input { 得分 : score 0..100  变化 : number }\n"
               "indicator 总分 {\n"
               "  工作 100% = 得分\n"
               "  deduct 变化扣分 1 per 变化\n"
               "}\n"),
        "编码,得分,变化\nA,80,-5\nB,80,5\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.num("总分"), (Strings{"80", "75"}));
  EXPECT_EQ(r.rule(RuleColumn::Kind::kDeduct, "变化扣分"), (Strings{"0", "5"}));
}

// ---- vetoes, grades and alerts ----

constexpr const char* kVetoPolicy =
    "input { 得分 : score 0..100  负面 : bool  通报 : bool  降 : bool  降二 : bool  强C : bool }\n"
    "indicator 总分 { 工作 100% = 得分 }\n"
    "veto 负面否决 when 负面 { grade D ; alert red ; reason \"触及负面清单\" }\n"
    "veto 一票否优 when 通报 { grade at most B ; reason \"受到通报批评\" }\n"
    "veto 降级 when 降 { grade down 1 ; reason \"降一档\" }\n"
    "veto 降两级 when 降二 { grade down 2 ; reason \"降两档\" }\n"
    "veto 定C when 强C { grade C ; alert yellow ; reason \"定为C\" }\n"
    "grade 等级 of 总分 { A [90, 100]  B [75, 90)  C [60, 75)  D [0, 60) }\n"
    "alert 预警 of 总分 { red [0, 60)  yellow [60, 75)  blue [75, 100] }\n";

TEST(EvalVetoes, EachEffectAlone) {
  Eval r(policy(kVetoPolicy),
        "编码,得分,负面,通报,降,降二,强C\n"
        "R1,95,否,否,否,否,否\n"   // A, blue: nothing fires
        "R2,95,否,是,否,否,否\n"   // cap: A → B
        "R3,80,否,是,否,否,否\n"   // cap at B leaves B
        "R4,65,否,是,否,否,否\n"   // cap at B leaves the worse C
        "R5,95,否,否,是,否,否\n"   // down 1: A → B
        "R6,65,否,否,否,是,否\n"   // down 2 from C: clamped at D
        "R7,50,否,否,是,否,否\n"   // down 1 from D stays D
        "R8,95,是,否,否,否,否\n"   // forced D, alert red
        "R9,50,否,否,否,否,是\n"); // forced C from D (forcing can raise); alert: red beats yellow
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.label("等级"), (Strings{"A", "B", "B", "C", "B", "D", "D", "D", "C"}));
  EXPECT_EQ(r.label("预警"), (Strings{"blue", "blue", "blue", "yellow", "blue", "yellow", "red", "red", "red"}));
  EXPECT_EQ(r.yes("一票否优"), (Strings{"否", "是", "是", "是", "否", "否", "否", "否", "否"}));
}

TEST(EvalVetoes, SeveralAtOnceCapThenDownThenForce) {
  Eval r(policy(kVetoPolicy),
        "编码,得分,负面,通报,降,降二,强C\n"
        "R1,95,否,是,是,否,否\n"   // cap B, then down 1 → C
        "R2,95,否,否,是,是,否\n"   // drops add up: A + 3 → D
        "R3,95,否,是,否,是,否\n"   // cap B + 2 → D
        "R4,95,否,是,是,否,是\n"   // cap and down give C, forced C → C; alert yellow
        "R5,95,是,否,否,否,是\n"   // forced D and C: the worst forced grade (D) wins; alert red
        "R6,95,否,是,否,否,是\n"   // forced C beats the cap B
        "R7,95,是,是,是,是,是\n"); // everything: D, red
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.label("等级"), (Strings{"C", "D", "D", "C", "D", "C", "D"}));
  EXPECT_EQ(r.label("预警"), (Strings{"blue", "blue", "blue", "yellow", "red", "yellow", "red"}));
  EXPECT_EQ(r.rule_names(), "veto:负面否决 veto:一票否优 veto:降级 veto:降两级 veto:定C ");
  EXPECT_EQ(r.csv(),
            "编码,总分,等级,预警,触发规则\n"
            "R1,95.00,C,blue,否决:一票否优（受到通报批评）;否决:降级（降一档）\n"
            "R2,95.00,D,blue,否决:降级（降一档）;否决:降两级（降两档）\n"
            "R3,95.00,D,blue,否决:一票否优（受到通报批评）;否决:降两级（降两档）\n"
            "R4,95.00,C,yellow,否决:一票否优（受到通报批评）;否决:降级（降一档）;否决:定C（定为C）\n"
            "R5,95.00,D,red,否决:负面否决（触及负面清单）;否决:定C（定为C）\n"
            "R6,95.00,C,yellow,否决:一票否优（受到通报批评）;否决:定C（定为C）\n"
            "R7,95.00,D,red,否决:负面否决（触及负面清单）;否决:一票否优（受到通报批评）;否决:降级（降一档）;否决:降两级（降两档）;否决:定C（定为C）\n");
}

TEST(EvalVetoes, TwoCapsTheWorseWinsAndAlertsMostSevereWins) {
  Eval r(policy("input { 得分 : score 0..100  甲 : bool  乙 : bool }\n"
               "indicator 总分 { 工作 100% = 得分 }\n"
               "veto 否优 when 甲 { grade at most B ; alert yellow ; reason \"甲\" }\n"
               "veto 否良 when 乙 { grade at most C ; alert blue ; reason \"乙\" }\n"
               "grade 等级 of 总分 { A [90, 100]  B [75, 90)  C [60, 75)  D [0, 60) }\n"
               "alert 预警 of 总分 { red [0, 60)  yellow [60, 75)  blue [75, 100] }\n"),
        "编码,得分,甲,乙\nR1,95,是,是\nR2,95,否,是\nR3,50,是,是\nR4,95,是,否\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.label("等级"), (Strings{"C", "C", "D", "B"}));
  // A veto's colour never makes an alert milder: red stays red.
  EXPECT_EQ(r.label("预警"), (Strings{"yellow", "blue", "red", "yellow"}));
}

TEST(EvalVetoes, VetoNameIsAYesNoValue) {
  Eval r(policy("input { 得分 : score 0..100  通报 : bool }\n"
               "indicator 总分 { 工作 100% = 得分 }\n"
               "veto 一票否优 when 通报 and 得分 > 80 { grade at most B ; reason \"通报\" }\n"
               "let 被否 = 一票否优\n"
               "let 罚 = if 一票否优 then 1 else 0\n"
               "grade 等级 of 总分 { A [90, 100]  B [0, 90) }\n"),
        "编码,得分,通报\nR1,95,是\nR2,70,是\nR3,95,否\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.yes("被否"), (Strings{"是", "否", "否"}));
  EXPECT_EQ(r.num("罚"), (Strings{"1", "0", "0"}));
  EXPECT_EQ(r.rule(RuleColumn::Kind::kVeto, "一票否优"), (Strings{"1", "0", "0"}));
}

TEST(EvalVetoes, GradeDeclaredBeforeItsVeto) {
  // The grade reads the veto's column: the plan must order the veto first whatever the text order.
  Eval r(policy("input { 得分 : score 0..100  通报 : bool }\n"
               "grade 等级 of 总分 { A [90, 100]  B [75, 90)  C [0, 75) }\n"
               "indicator 总分 { 工作 100% = 得分 }\n"
               "veto 一票否优 when 通报 { grade at most B ; reason \"通报\" }\n"),
        "编码,得分,通报\nR1,95,是\nR2,95,否\n");
  ASSERT_TRUE(r.result) << r.errors();
  EXPECT_EQ(r.label("等级"), (Strings{"B", "A"}));
}

// ---- chunking ----

std::string chunk_policy() {
  return policy(
      "input { 得分 : score 0..100  覆盖 : percent  投诉 : count  违规 : list<text>  类型 : one_of { \"城市\", \"农村\" }\n"
      "        支出 : money  自筹 : money }\n"
      "set 负面 = { \"挪用\" }\n"
      "let 自给 = if 支出 > 0元 then 自筹 / 支出 * 100 else 0\n"
      "indicator 总分 {\n"
      "  基础层 60% { 得分项 30% = 得分  覆盖项 30% = ratio(覆盖, target: 90) }\n"
      "  核心层 40% { 自给项 40% = interpolate(自给, 0 -> 0, 50 -> 60, 100 -> 100) }\n"
      "  deduct 投诉扣分 1.5 per 投诉, max 9\n"
      "}\n"
      "veto 负面否决 when 违规 any_in 负面 { grade D ; alert red ; fund 0 ; reason \"负面\" }\n"
      "veto 农村降级 when 类型 == \"农村\" and 得分 < 70 { grade down 1 ; reason \"降\" }\n"
      "grade 等级 of 总分 { A [85, 100]  B [70, 85)  C [55, 70)  D [0, 55) }\n"
      "alert 预警 of 总分 { red [0, 55)  yellow [55, 70)  blue [70, 100] }\n"
      "fund 补助 pool 1000.01元 {\n"
      "  track 绩效 70% split by 支出 * coef(等级) { A 1, B 0.7, C 0.3, D 0 }\n"
      "  track 普惠 30% split equally when 类型 == \"农村\"\n"
      "  ties by 编码\n"
      "}\n"
      "output 编码, 总分, 总分.基础层, 总分.核心层, 等级, 预警, 补助\n");
}

std::string chunk_data(std::size_t rows) {
  std::string csv = "编码,得分,覆盖,投诉,违规,类型,支出,自筹\n";
  for (std::size_t i = 0; i < rows; ++i) {
    const std::size_t s = (i * 37 + 11) % 101;
    csv += "C" + std::to_string(100 + i) + "," + std::to_string(s) + "." + std::to_string(i % 10) + "," +
           std::to_string((i * 53) % 101) + "," + std::to_string(i % 7) + "," + (i % 11 == 3 ? "挪用;迟报" : "迟报") +
           "," + (i % 3 == 0 ? "农村" : "城市") + "," + std::to_string((i * 7919) % 5000) + ".5" + "," +
           std::to_string((i * 104729) % 4000) + "\n";
  }
  return csv;
}

TEST(EvalChunking, ChunkSizeDoesNotChangeTheResults) {
  const std::string p = chunk_policy();
  const std::string csv = chunk_data(50);
  Eval whole(p, csv, EvalOptions{.chunk_rows = 4096, .period = {}, .all_periods = false});
  ASSERT_TRUE(whole.result) << whole.errors();
  const std::string expected = whole.csv();
  ASSERT_EQ(std::count(expected.begin(), expected.end(), '\n'), 51);
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{4}, std::size_t{7}, std::size_t{49},
                                  std::size_t{50}, std::size_t{51}}) {
    Eval r(p, csv, EvalOptions{.chunk_rows = chunk, .period = {}, .all_periods = false});
    ASSERT_TRUE(r.result) << chunk << "\n" << r.errors();
    EXPECT_EQ(r.csv(), expected) << "chunk_rows = " << chunk;
  }
  // Spot checks of the reference run, computed by hand.
  // Row 0: 得分 11.0, 覆盖 0, 投诉 0, 农村, 支出 0.5, 自筹 0 → 3.3 + 0 + 0 = 3.3; D; forced nothing.
  // Row 3: 违规 has 挪用 → D, red, and no money.
  const Strings grades = whole.label("等级");
  EXPECT_EQ(grades[3], "D");
  EXPECT_EQ(whole.label("预警")[3], "red");
  EXPECT_EQ(whole.num("总分")[0], "3.3");
  const FundResult& f = whole.result->funds.at(0);
  EXPECT_EQ(f.totals[3], 0);
  std::int64_t paid = 0;
  for (const std::int64_t v : f.totals) paid += v;
  EXPECT_EQ(paid, 100'001);
}

TEST(EvalChunking, RuntimeErrorRowIsTheSameWhateverTheChunk) {
  const std::string p = policy("input { 甲 : number  乙 : number }\n"
                               "indicator 总分 { 工作 100% = 甲 / 乙 }\n");
  std::string csv = "编码,甲,乙\n";
  for (int i = 0; i < 50; ++i) csv += "K" + std::to_string(i) + ",1," + (i == 36 ? "0" : "2") + "\n";
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{4096}}) {
    Eval r(p, csv, EvalOptions{.chunk_rows = chunk, .period = {}, .all_periods = false});
    EXPECT_FALSE(r.result);
    EXPECT_EQ(r.errors(),
              "eval-division-by-zero p.jx:4:26 division by zero in row 37 (`K36`)\n"
              "  d.csv:38:1 the row is here\n")
        << "chunk_rows = " << chunk;
  }
}

TEST(EvalThreads, ThreadCountAndChunkSizeDoNotChangeTheResults) {
  const std::string p = chunk_policy();
  const std::string csv = chunk_data(57);  // row 58 would score 100.7, out of range
  Eval reference(p, csv, EvalOptions{.chunk_rows = 4096, .threads = 1, .timings = nullptr, .period = {}, .all_periods = false});
  ASSERT_TRUE(reference.result) << reference.errors();
  const std::string expected = reference.csv();
  for (const std::size_t threads : {std::size_t{2}, std::size_t{3}, std::size_t{8}, std::size_t{1000}}) {
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{4096}}) {
      Eval r(p, csv, EvalOptions{.chunk_rows = chunk, .threads = threads, .timings = nullptr, .period = {}, .all_periods = false});
      ASSERT_TRUE(r.result) << r.errors();
      EXPECT_EQ(r.csv(), expected) << threads << " threads, chunk_rows = " << chunk;
    }
  }
}

TEST(EvalThreads, TheFirstErrorsReportedAreTheSameForAnyThreadCount) {
  // Division by zero on every 9th row and an overflow on every 13th: 40 failing rows in all,
  // more than are shown; the ones shown are the first by (rule, row) whatever the threads.
  const std::string p = policy("input { 甲 : number  乙 : number }\n"
                               "let 商 = 甲 / 乙\n"
                               "indicator 总分 { 工作 100% = 商 * 甲 }\n");
  std::string csv = "编码,甲,乙\n";
  for (int i = 0; i < 300; ++i) {
    csv += "K" + std::to_string(i) + "," + (i % 13 == 5 ? "9000000000000" : "1") + "," + (i % 9 == 4 ? "0" : "2") + "\n";
  }
  Eval reference(p, csv, EvalOptions{.chunk_rows = 4096, .threads = 1, .timings = nullptr, .period = {}, .all_periods = false});
  ASSERT_FALSE(reference.result);
  const std::string expected = reference.errors();
  EXPECT_NE(expected.find("division by zero in row 5 (`K4`)"), std::string::npos) << expected;
  EXPECT_NE(expected.find("more rows failed"), std::string::npos) << expected;
  for (const std::size_t threads : {std::size_t{2}, std::size_t{3}, std::size_t{7}}) {
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{5}, std::size_t{4096}}) {
      Eval r(p, csv, EvalOptions{.chunk_rows = chunk, .threads = threads, .timings = nullptr, .period = {}, .all_periods = false});
      EXPECT_FALSE(r.result);
      EXPECT_EQ(r.errors(), expected) << threads << " threads, chunk_rows = " << chunk;
    }
  }
}

// ---- keeping only the columns the caller reads ----

TEST(EvalKeep, OnlyTheResultsColumnsGiveTheSameResults) {
  // The chunk policy plus values read across a global operation: 加成 is computed before the rank
  // and read after it, so it must be kept whole although nobody outputs it; 中间 is read only in
  // its own run and can be chunked.
  std::string p = chunk_policy();
  p.replace(p.find("indicator 总分"), 0,
            "let 中间 = 得分 * 2\nlet 加成 = 中间 + 1\nlet 名次 = rank(加成)\nlet 排后 = 名次 + 加成\n");
  const std::string csv = chunk_data(57);
  Eval all(p, csv);
  ASSERT_TRUE(all.result) << all.errors();
  const std::string expected = all.csv();
  Eval probe(p, csv);  // for the symbol ids of the checked policy
  ASSERT_TRUE(probe.checked);
  std::vector<dsl::SymbolId> keep = result_symbols(*probe.checked);
  keep.push_back(probe.checked->find("排后"));
  for (const std::size_t threads : {std::size_t{1}, std::size_t{3}}) {
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}}) {
      EvalOptions options{.chunk_rows = chunk, .threads = threads, .timings = nullptr, .period = {}, .all_periods = false};
      options.keep = &keep;
      Eval r(p, csv, options);
      ASSERT_TRUE(r.result) << r.errors();
      EXPECT_EQ(r.csv(), expected) << threads << " threads, chunk_rows = " << chunk;
      EXPECT_EQ(r.raw("排后"), all.raw("排后"));
      EXPECT_EQ(r.raw("总分.基础层"), all.raw("总分.基础层"));
      // Values nobody reads afterwards come back empty: an intermediate let, a leaf indicator.
      EXPECT_TRUE(r.result->columns[static_cast<std::uint32_t>(r.checked->find("中间"))].empty());
      EXPECT_TRUE(r.result->columns[static_cast<std::uint32_t>(r.checked->find("总分.基础层.得分项"))].empty());
      // Inputs read by no kept value and no fund are named by unread_inputs(), and spent by
      // evaluate_spending() (by Eval, as by `jixiao eval`): the results are the same; the rest stay.
      const dsl::Symbol& score = r.checked->symbol(r.checked->find("得分"));
      // 得分, 覆盖, 投诉 and 自筹 were loaded narrow, the programs decoding them chunk by chunk;
      // 支出, which the fund's weights read, was not.
      EXPECT_EQ(r.narrow_inputs, 4u);
      EXPECT_FALSE(r.data->inputs[r.checked->symbol(r.checked->find("支出")).index].narrow());
      EXPECT_TRUE(r.data->inputs[score.index].values.empty());
      EXPECT_TRUE(r.result->columns[static_cast<std::uint32_t>(r.checked->find("得分"))].empty());
      EXPECT_EQ(r.data->key.values.size(), 57u);
    }
  }
}

TEST(EvalKeep, ANarrowColumnReadBeyondTheProgramsIsRefused) {
  // Data loaded for an evaluation that keeps only the results, evaluated keeping every symbol
  // (whose values then include the input's own): evaluate() refuses it rather than read it wide.
  const std::string p = policy("input { 得分 : score 0..100 }\nlet 两倍 = 得分 * 2\nindicator 总分 { 工作 100% = 两倍 / 2 }\n");
  Eval probe(p, "编码,得分\nA,1\n");
  ASSERT_TRUE(probe.checked);
  const std::vector<dsl::SymbolId> keep = result_symbols(*probe.checked);
  const Executable program = compile(*probe.plan);
  LoadOptions load;
  load.narrow.assign(probe.checked->module.inputs.size(), false);
  for (const std::size_t i : unread_inputs(program, keep)) load.narrow[i] = true;
  const auto data = load_csv(probe.sources, "d.csv", std::string_view("编码,得分\nA,1.5\nB,2\n"), *probe.checked, load, probe.sink);
  ASSERT_TRUE(data);
  ASSERT_TRUE(std::any_of(data->inputs.begin(), data->inputs.end(), [](const Column& c) { return c.narrow(); }));
  EXPECT_THROW(evaluate(program, *data, EvalOptions{}, probe.sink), std::logic_error);
  EvalOptions options;
  options.keep = &keep;
  EXPECT_TRUE(evaluate(program, *data, options, probe.sink)) << probe.errors();
}

// Spending (evaluate_spending(), as `jixiao eval` evaluates): the input columns only the programs read
// are let go of page by page behind the last run of programs that reads them. 得分 is read before
// the rank and again after it, 投诉 only before: were 得分 let go of after the first run, 排后 would
// read zeros. Enough rows for whole pages and whole batches of them to go, on every thread.
TEST(EvalSpending, ColumnsLetGoOfBehindTheirLastRunGiveTheSameResults) {
  std::string p = chunk_policy();
  p.replace(p.find("indicator 总分"), 0, "let 中间 = 得分 * 2\nlet 名次 = rank(中间)\nlet 排后 = 名次 + 得分\n");
  std::string csv = "编码,得分,覆盖,投诉,违规,类型,支出,自筹\n";
  for (std::size_t i = 0; i < 150000; ++i) {  // as chunk_data(), every score within 0..100
    csv += "C" + std::to_string(100 + i) + "," + std::to_string((i * 37 + 11) % 100) + "." + std::to_string(i % 10) + "," +
           std::to_string((i * 53) % 101) + "," + std::to_string(i % 7) + "," + (i % 11 == 3 ? "挪用;迟报" : "迟报") + "," +
           (i % 3 == 0 ? "农村" : "城市") + "," + std::to_string((i * 7919) % 5000) + ".5" + "," + std::to_string((i * 104729) % 4000) + "\n";
  }
  Eval probe(p, chunk_data(3));
  ASSERT_TRUE(probe.checked) << probe.errors();
  std::vector<dsl::SymbolId> keep = result_symbols(*probe.checked);
  keep.push_back(probe.checked->find("排后"));
  const std::size_t score = probe.checked->symbol(probe.checked->find("得分")).index;
  const std::size_t complaints = probe.checked->symbol(probe.checked->find("投诉")).index;
  std::optional<std::vector<std::int64_t>> expected;  // 排后, from evaluate(), which spends nothing
  std::string expected_csv;
  for (const std::size_t threads : {std::size_t{1}, std::size_t{2}, std::size_t{3}}) {
    for (const std::size_t chunk : {std::size_t{1000}, std::size_t{4096}}) {
      EvalOptions options{.chunk_rows = chunk, .threads = threads, .timings = nullptr, .period = {}, .all_periods = false};
      if (!expected) {
        Eval all(p, csv, options);
        ASSERT_TRUE(all.result) << all.errors();
        expected = all.raw("排后");
        expected_csv = all.csv();
        ASSERT_FALSE(all.data->inputs[score].values.empty());
      }
      options.keep = &keep;
      Eval r(p, csv, options);
      ASSERT_TRUE(r.result) << r.errors();
      EXPECT_EQ(r.raw("排后"), *expected) << threads << " threads, chunk_rows = " << chunk;
      EXPECT_EQ(r.csv(), expected_csv) << threads << " threads, chunk_rows = " << chunk;
      EXPECT_GE(r.narrow_inputs, 2u);  // 得分 and 投诉 were loaded narrow: their mantissas are spent
      EXPECT_TRUE(r.data->inputs[score].values.empty() && r.data->inputs[score].mantissas.empty());
      EXPECT_TRUE(r.data->inputs[complaints].values.empty() && r.data->inputs[complaints].mantissas.empty());
    }
  }
}

// ---- compiled before the data ----

// One policy writing texts every way a program can (a literal compared and returned, a text param,
// a set, a `coef` of a text, a history default), some of them in no data file below.
const std::string kTextsPolicy = policy(
    "input { 类型 : text  分 : score 0..100 }\n"
    "param 标签 = \"乙类\"\n"
    "set 城区 = { \"城市\", \"城郊\" }\n"
    "let 类 = if 类型 == \"城市\" then \"甲类\" else 标签\n"
    "let 在城 = 类型 in 城区\n"
    "let 系数 = coef(类型) { \"城市\" 1.2, \"农村\" 0.8, else 1 }\n"
    "let 上期 = prev(类型, default: \"新设\")\n"
    "indicator 总分 { 工作 100% = 分 * 系数 / 1.2 }\n",
    "");

std::string with_period(const std::string& p) {
  return std::regex_replace(p, std::regex("key 编码"), "key 编码 period 年度");
}

/// Every symbol's values on `data`, as text (texts by their text, so that ids do not matter).
Strings values(const dsl::CheckedPolicy& policy, const EvalResult& r) {
  Strings out;
  for (std::uint32_t s = 0; s < policy.symbols.size(); ++s) {
    std::string line = policy.symbols[s].name + ":";
    for (const std::int64_t v : r.columns[s]) {
      line += " " + (policy.symbols[s].type.kind == dsl::TypeKind::kText ? r.texts.text(static_cast<std::uint32_t>(v))
                                                                          : std::to_string(v));
    }
    out.push_back(line);
  }
  return out;
}

/// kTextsPolicy with periods, checked and planned (the plan points into `checked`: not moved).
struct TextsPolicy {
  SourceSet sources;
  CollectingSink sink;
  std::optional<dsl::CheckedPolicy> checked;
  std::optional<Plan> plan;

  TextsPolicy() {
    auto module = dsl::parse(sources, sources.add("p.jx", with_period(kTextsPolicy)), sink);
    if (module) checked = dsl::check(sources, std::move(*module), {}, sink);
    if (checked) plan = build_plan(*checked, sink);
  }
  TextsPolicy(const TextsPolicy&) = delete;
  TextsPolicy& operator=(const TextsPolicy&) = delete;
};

TEST(Executable, CompiledOnceRunsOnManyDatasetsAsCompiledForEach) {
  TextsPolicy t;
  ASSERT_TRUE(t.plan) << t.sink.error_count();
  SourceSet& sources = t.sources;
  CollectingSink& sink = t.sink;
  const auto& checked = t.checked;
  const auto& plan = t.plan;
  // Compiled with no data at all.
  const Executable program = compile(*plan);
  const std::string csvs[] = {
      "编码,年度,类型,分\nA,2023,城市,90\nA,2024,农村,80\nB,2024,城郊,70\n",
      "编码,年度,类型,分\nA,2024,山区,60\nC,2024,城市,100\n",  // no 农村 nor 城郊: texts the data lacks
  };
  for (const std::string& csv : csvs) {
    auto once = load_csv(sources, "d.csv", csv, *checked, LoadOptions{}, sink);
    auto fresh = load_csv(sources, "d.csv", csv, *checked, LoadOptions{}, sink);
    ASSERT_TRUE(once && fresh);
    EvalOptions options;
    options.all_periods = true;
    const auto a = evaluate(program, *once, options, sink);
    const auto b = evaluate(*plan, *fresh, options, sink);  // compiled for this dataset
    ASSERT_TRUE(a && b) << sink.error_count();
    EXPECT_EQ(values(*checked, *a), values(*checked, *b));
    EXPECT_EQ(format_results(*checked, *once, *a, ResultFormat::kCsv), format_results(*checked, *fresh, *b, ResultFormat::kCsv));
    // The executable is as compiled: a second run on the same data gives the same values.
    const auto again = evaluate(program, *once, options, sink);
    ASSERT_TRUE(again);
    EXPECT_EQ(values(*checked, *again), values(*checked, *a));
  }
  // What the policy computes, on the first dataset: the texts it writes are shown as written.
  auto data = load_csv(sources, "d.csv", csvs[0], *checked, LoadOptions{}, sink);
  ASSERT_TRUE(data);
  EvalOptions all;
  all.all_periods = true;
  const auto r = evaluate(program, *data, all, sink);
  ASSERT_TRUE(r);
  const Strings got = values(*checked, *r);
  EXPECT_NE(std::find(got.begin(), got.end(), "类: 甲类 乙类 乙类"), got.end()) << ::testing::PrintToString(got);
  EXPECT_NE(std::find(got.begin(), got.end(), "在城: 1 0 1"), got.end()) << ::testing::PrintToString(got);
  EXPECT_NE(std::find(got.begin(), got.end(), "上期: 新设 城市 新设"), got.end()) << ::testing::PrintToString(got);
}

/// What of `data` an evaluation could change: its texts and every column's values.
Strings contents(const Dataset& data) {
  Strings out;
  for (std::uint32_t id = 0; id < data.strings.size(); ++id) out.emplace_back(data.strings.text(id));
  auto column = [&out](const Column& c) {
    std::string line;
    for (const std::int64_t v : c.values) line += std::to_string(v) + " ";
    for (const std::int64_t v : c.missing) line += std::to_string(v) + " ";
    out.push_back(line);
  };
  column(data.key);
  column(data.period);
  for (const Column& c : data.inputs) column(c);
  return out;
}

TEST(Executable, EvaluatingTwiceOverOneConstDatasetGivesEqualResultsAndLeavesItAsItWas) {
  TextsPolicy t;
  ASSERT_TRUE(t.plan) << t.sink.error_count();
  const Executable program = compile(*t.plan);
  // No 农村, 城郊, 甲类, 乙类 nor 新设 in the data: texts the policy writes that the data lacks.
  const std::string csv = "编码,年度,类型,分\nA,2023,城市,90\nA,2024,山区,80\nB,2024,城市,70\n";
  auto loaded = load_csv(t.sources, "d.csv", csv, *t.checked, LoadOptions{}, t.sink);
  ASSERT_TRUE(loaded);
  const Dataset& data = *loaded;
  const std::size_t texts = data.strings.size();
  const Strings before = contents(data);
  EvalOptions options;
  options.all_periods = true;
  const auto first = evaluate(program, data, options, t.sink);
  const auto second = evaluate(program, data, options, t.sink);
  ASSERT_TRUE(first && second) << t.sink.error_count();
  EXPECT_EQ(data.strings.size(), texts);
  EXPECT_EQ(contents(data), before);
  EXPECT_EQ(values(*t.checked, *first), values(*t.checked, *second));
  EXPECT_EQ(first->columns.size(), second->columns.size());
  for (std::size_t s = 0; s < first->columns.size(); ++s) {
    EXPECT_TRUE(std::ranges::equal(first->columns[s], second->columns[s])) << t.checked->symbols[s].name;
  }
  EXPECT_EQ(format_results(*t.checked, data, *first, ResultFormat::kCsv), format_results(*t.checked, data, *second, ResultFormat::kCsv));
  // The texts the data lacks are numbered after its own, in the result.
  EXPECT_GT(first->texts.size(), texts);
  const Strings got = values(*t.checked, *first);
  EXPECT_NE(std::find(got.begin(), got.end(), "上期: 新设 城市 新设"), got.end()) << ::testing::PrintToString(got);
}

TEST(Texts, ByteOrderMergesThePolicysTextsIntoTheDatasets) {
  StringPool pool;
  for (const char* t : {"d", "b", "f"}) pool.intern(t);
  const Texts texts(pool, {"e", "a", "c"});  // ids 3, 4, 5
  ASSERT_EQ(texts.size(), 6U);
  EXPECT_EQ(std::string(texts.text(1)), "b");
  EXPECT_EQ(std::string(texts.text(5)), "c");
  // a b c d e f: places of ids d b f e a c.
  EXPECT_EQ(texts.byte_order(), (std::vector<std::uint32_t>{3, 1, 5, 4, 0, 2}));
  EXPECT_EQ(Texts(pool, {}).byte_order(), pool.byte_order());
}

TEST(ResultsWriter, AnyThreadCountWritesTheSameBytesInPieces) {
  // Enough rows for several blocks of rows (at least 1,024 rows each), so threads share the work;
  // texts that need quoting, a deduction in the reasons column, a fund.
  std::string csv = "编码,名称,得分,投诉\n";
  for (int i = 0; i < 5000; ++i) {
    csv += "K" + std::to_string(i) + "," + (i % 7 == 0 ? "\"甲,乙\"" : "社区" + std::to_string(i % 13)) + "," +
           std::to_string(i % 100) + ".5," + std::to_string(i % 3) + "\n";
  }
  Eval r(policy("input { 名称 : text  得分 : score 0..100  投诉 : count }\n"
                "indicator 总分 { 工作 100% = 得分\n deduct 投诉扣分 1 per 投诉 }\n"
                "grade 等级 of 总分 { A [60, 100]  C [0, 60) }\n"
                "fund 补助 pool 10000元 { track 全部 100% split by 总分  ties by 编码 }\n"
                "output 编码, 名称, 总分, 等级, 补助\n"),
         csv);
  ASSERT_TRUE(r.result) << r.errors();
  for (const ResultFormat format : {ResultFormat::kCsv, ResultFormat::kJson}) {
    const std::string whole = format_results(*r.checked, *r.data, *r.result, format);
    for (const std::size_t threads : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{64}}) {
      std::string pieces;
      std::size_t count = 0;
      write_results(*r.checked, *r.data, *r.result, format, threads, [&](std::string_view piece) {
        pieces += piece;
        ++count;
      });
      EXPECT_EQ(pieces, whole) << threads << " threads";
      EXPECT_GE(count, 5u);  // the header, the blocks of rows (and the JSON tail) come separately
    }
  }
}

TEST(StringPoolOrder, ByteOrderPlacesTextsAsTheirBytesCompare) {
  StringPool pool;
  const std::vector<std::string> texts = {"330110001001", "330110001002", "33011000100", "", "b", "a",
                                          "0123456789abcdefX", "0123456789abcdefA", "0123456789abcdef", "社区",
                                          "社", "Z", std::string("a\0b", 3)};
  for (const auto& t : texts) pool.intern(t);
  const std::vector<std::uint32_t> place = pool.byte_order();
  ASSERT_EQ(place.size(), texts.size());
  for (std::uint32_t a = 0; a < texts.size(); ++a) {
    for (std::uint32_t b = 0; b < texts.size(); ++b) {
      EXPECT_EQ(place[a] < place[b], texts[a] < texts[b]) << "`" << texts[a] << "` vs `" << texts[b] << "`";
    }
  }
  // Interning finds every text again, also after the index has grown.
  for (int i = 0; i < 1000; ++i) pool.intern("k" + std::to_string(i));
  for (std::uint32_t i = 0; i < texts.size(); ++i) EXPECT_EQ(pool.find(texts[i]), std::optional<std::uint32_t>(i));
  EXPECT_EQ(pool.find("k999"), std::optional<std::uint32_t>(static_cast<std::uint32_t>(texts.size() + 999)));
  EXPECT_FALSE(pool.find("k1000"));
}

TEST(StringPoolOrder, TextsKeepTheirIdsWithoutTheIndex) {
  StringPool pool;
  for (int i = 0; i < 500; ++i) pool.intern("t" + std::to_string(i));
  pool.release_index();
  EXPECT_EQ(pool.find("t7"), std::optional<std::uint32_t>(7u));  // searched
  EXPECT_FALSE(pool.find("t500"));
  EXPECT_EQ(pool.intern("t499"), 499u);  // the index is built again
  EXPECT_EQ(pool.intern("new"), 500u);
  for (int i = 0; i < 500; ++i) EXPECT_EQ(pool.find("t" + std::to_string(i)), std::optional<std::uint32_t>(static_cast<std::uint32_t>(i)));
  EXPECT_EQ(pool.text(500), "new");
}

TEST(StringPoolOrder, TextsOfEveryLengthAcrossBlocksComeBackAsInterned) {
  // A block holds 2^20 - 1 bytes; a text as long or longer has a block of its own, its length kept
  // there. Texts around those sizes, between short ones that fill blocks up to their last byte.
  const std::size_t block = (std::size_t{1} << 20) - 1;
  std::vector<std::string> texts;
  for (const std::size_t size : {std::size_t{0}, std::size_t{1}, block - 1, block, block + 1, std::size_t{3} * block + 7,
                                 std::size_t{100}, block - 100, std::size_t{100}, std::size_t{1}}) {
    texts.push_back(std::string(size, static_cast<char>('a' + texts.size())));
  }
  for (int i = 0; i < 70000; ++i) texts.push_back("社区" + std::to_string(i));  // 15 bytes or so: several blocks
  StringPool pool;
  for (std::size_t i = 0; i < texts.size(); ++i) ASSERT_EQ(pool.intern(texts[i]), i);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    ASSERT_EQ(pool.text(static_cast<std::uint32_t>(i)), texts[i]) << i;
    ASSERT_EQ(pool.intern(texts[i]), i) << i;  // found, not interned again
  }
  const StringPool copy = pool;
  pool.release_index();
  for (std::size_t i = 0; i < texts.size(); i += 997) EXPECT_EQ(copy.text(static_cast<std::uint32_t>(i)), texts[i]) << i;
  EXPECT_EQ(pool.find(texts[4]), std::optional<std::uint32_t>(4u));  // searched without the index
  EXPECT_EQ(pool.intern(texts[5]), 5u);                               // the index and hashes made again
  EXPECT_EQ(pool.size(), texts.size());
}

TEST(StringPoolOrder, ThreadsGiveTheSameOrder) {
  // Enough texts for the sort to be cut into parts (65,536 each), in an order unlike their bytes,
  // sharing long prefixes (the first 16 bytes) so the full comparison matters too.
  StringPool pool;
  for (std::uint32_t i = 0; i < 300'000; ++i) {
    const std::uint32_t scrambled = (i * 2'654'435'761u) % 1'000'003u;
    pool.intern((i % 2 == 0 ? "330110001001-社区-" : "33011000100") + std::to_string(scrambled));
  }
  const std::vector<std::uint32_t> one = pool.byte_order(1);
  for (std::uint32_t id = 1; id < 2000; ++id) {
    EXPECT_EQ(one[id - 1] < one[id], pool.text(id - 1) < pool.text(id)) << id;
  }
  for (const std::size_t threads : {std::size_t{2}, std::size_t{3}, std::size_t{8}}) {
    EXPECT_EQ(pool.byte_order(threads), one) << threads << " threads";
  }
}

}  // namespace
}  // namespace jixiao::engine
