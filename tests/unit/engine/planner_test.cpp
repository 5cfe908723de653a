// Tests of the dependency graph and the plan: the evaluation order (dependencies first, then
// declaration order), and cycles reported once each with the whole cycle and a note per edge.
#include "jixiao/engine/plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/parse.hpp"

namespace jixiao::engine {
namespace {

/// A policy parsed, checked and planned. Not movable: the plan points into `checked`.
struct Planned {
  SourceSet sources;
  CollectingSink sink;
  std::optional<dsl::CheckedPolicy> checked;
  std::optional<Plan> plan;

  explicit Planned(const std::string& text) {
    const SourceId id = sources.add("p.jx", text);
    auto module = dsl::parse(sources, id, sink);
    if (!module) return;
    checked = dsl::check(sources, std::move(*module), {}, sink);
    if (!checked) return;
    plan = build_plan(*checked, sink);
  }
  Planned(const Planned&) = delete;
  Planned& operator=(const Planned&) = delete;

  /// The errors as "slug line:column message", one per line (warnings left out).
  [[nodiscard]] std::string errors() const {
    std::string out;
    for (const Diagnostic& d : sink.items()) {
      if (d.severity != Severity::kError) continue;
      out += std::string(slug(d.code)) + " " + where(d.span) + " " + d.message.str(Lang::kEn) + "\n";
    }
    return out;
  }

  /// The notes of the `i`-th error, as "line:column message", one per line.
  [[nodiscard]] std::string notes(std::size_t i) const {
    std::size_t seen = 0;
    for (const Diagnostic& d : sink.items()) {
      if (d.severity != Severity::kError) continue;
      if (seen++ != i) continue;
      std::string out;
      for (const Note& n : d.notes) out += where(n.span) + " " + n.message.str(Lang::kEn) + "\n";
      return out;
    }
    return "<no such error>";
  }

  [[nodiscard]] std::string where(Span s) const {
    if (!s.valid()) return "-";
    const LineColumn lc = sources.get(s.source).line_column(s.begin);
    return std::to_string(lc.line) + ":" + std::to_string(lc.column);
  }

  /// Names of the plan's symbols, in order.
  [[nodiscard]] std::vector<std::string> order() const {
    std::vector<std::string> out;
    for (const dsl::SymbolId s : plan->order) out.push_back(checked->symbol(s).name);
    return out;
  }
};

constexpr const char* kHeader =
    "policy \"计划\" version \"1\"\n"
    "subject 社区 key 社区编码\n";

TEST(Planner, DependenciesFirstThenDeclarationOrder) {
  // 后 is declared before 前, which it reads: 前 must come first. 乙 and 甲 are independent
  // inputs and keep their declaration order (乙 before 甲) although 甲 is read earlier.
  Planned p(std::string(kHeader) +
            "let 后 = 前 * 2\n"
            "input { 乙 : score 0..100  甲 : score 0..100 }\n"
            "let 前 = 甲 + 1\n"
            "indicator 总分 { 一 50% = 后 / 2  二 50% = 乙 }\n"
            "grade 等级 of 总分 { 好 [60, 100]  差 [0, 60) }\n");
  ASSERT_TRUE(p.plan) << p.errors();
  EXPECT_EQ(p.errors(), "");
  EXPECT_EQ(dump_plan(*p.plan),
            "1. key 社区编码\n"
            "2. input 乙\n"
            "3. input 甲\n"
            "4. let 前  <- 甲\n"
            "5. let 后  <- 前\n"
            "6. indicator 总分.一  <- 后\n"
            "7. indicator 总分.二  <- 乙\n"
            "8. indicator 总分  <- 总分.一 总分.二\n"
            "9. grade 等级  <- 总分\n");
}

TEST(Planner, EveryReadComesBeforeTheReader) {
  Planned p(std::string(kHeader) +
            "fund 补助 pool 100元 { track 全部 100% split by 基础 ties by 社区编码 }\n"
            "veto 否决 when 得分 < 10 { grade 差 ; fund 0 ; reason \"低\" }\n"
            "grade 等级 of 总分 { 好 [60, 100]  差 [0, 60) }\n"
            "indicator 总分 { 工作 100% = 得分 }\n"
            "input { 得分 : score 0..100  基础 : number 0..10 }\n");
  ASSERT_TRUE(p.plan) << p.errors();
  // 否决 is declared before the tree and needs only 得分, so it comes right after 得分; 基础 waits
  // for its declaration turn. Every dependency of every symbol sits earlier in the order.
  std::vector<std::size_t> position(p.checked->symbols.size(), 0);
  for (std::size_t i = 0; i < p.plan->order.size(); ++i) position[static_cast<std::uint32_t>(p.plan->order[i])] = i;
  ASSERT_EQ(p.plan->order.size(), p.checked->symbols.size());
  for (std::size_t s = 0; s < p.checked->deps.size(); ++s) {
    for (const dsl::Dep& d : p.checked->deps[s]) {
      EXPECT_LT(position[static_cast<std::uint32_t>(d.to)], position[s])
          << p.checked->symbols[s].name << " reads " << p.checked->symbol(d.to).name;
    }
  }
  EXPECT_EQ(p.order(), (std::vector<std::string>{"社区编码", "得分", "否决", "总分.工作", "总分", "等级", "基础",
                                                 "补助"}));
}

TEST(Planner, DisconnectedSymbolStillInTheOrder) {
  // 备用 is read by nothing and reads nothing; it still gets its place (by declaration order).
  Planned p(std::string(kHeader) +
            "input { 得分 : score 0..100  备用 : text }\n"
            "indicator 总分 { 工作 100% = 得分 }\n");
  ASSERT_TRUE(p.plan) << p.errors();
  EXPECT_EQ(dump_plan(*p.plan),
            "1. key 社区编码\n"
            "2. input 得分\n"
            "3. input 备用\n"
            "4. indicator 总分.工作  <- 得分\n"
            "5. indicator 总分  <- 总分.工作\n");
}

TEST(Planner, SelfLoopIsOneCycle) {
  Planned p(std::string(kHeader) +
            "input { 得分 : score 0..100 }\n"
            "let 甲 = 甲 + 1\n"
            "indicator 总分 { 工作 100% = 得分 + 甲 }\n");
  ASSERT_TRUE(p.checked) << p.errors();
  EXPECT_FALSE(p.plan);
  EXPECT_EQ(p.errors(), "dependency-cycle 4:5 `甲` depends on itself\n");
  EXPECT_EQ(p.notes(0), "4:9 let `甲` reads let `甲` here\n");
}

TEST(Planner, TwoSymbolCycle) {
  Planned p(std::string(kHeader) +
            "input { 得分 : score 0..100 }\n"
            "let 甲 = 乙 + 1\n"
            "let 乙 = 甲 * 2\n"
            "indicator 总分 { 工作 100% = 得分 + 甲 }\n");
  ASSERT_TRUE(p.checked) << p.errors();
  EXPECT_FALSE(p.plan);
  EXPECT_EQ(p.errors(), "dependency-cycle 4:5 dependency cycle: `甲` → `乙` → `甲`\n");
  EXPECT_EQ(p.notes(0),
            "4:9 let `甲` reads let `乙` here\n"
            "5:9 let `乙` reads let `甲` here\n");
}

TEST(Planner, ThreeSymbolCycleThroughAnIndicator) {
  // let 甲 → indicator 总分.工作 (by its path) → let 乙 → let 甲. The indicator 总分 is not part of
  // the cycle (nothing in it reads 总分), so only the three members are named.
  Planned p(std::string(kHeader) +
            "input { 得分 : score 0..100 }\n"
            "let 甲 = 总分.工作 + 1\n"
            "let 乙 = 甲 * 2\n"
            "indicator 总分 { 工作 100% = 乙 - 得分 }\n");
  ASSERT_TRUE(p.checked) << p.errors();
  EXPECT_FALSE(p.plan);
  EXPECT_EQ(p.errors(), "dependency-cycle 4:5 dependency cycle: `甲` → `总分.工作` → `乙` → `甲`\n");
  EXPECT_EQ(p.notes(0),
            "4:9 let `甲` reads indicator `总分.工作` here\n"
            "6:26 indicator `总分.工作` reads let `乙` here\n"
            "5:9 let `乙` reads let `甲` here\n");
}

TEST(Planner, TwoIndependentCyclesGiveTwoDiagnostics) {
  Planned p(std::string(kHeader) +
            "input { 得分 : score 0..100 }\n"
            "let 甲 = 乙 + 1\n"
            "let 乙 = 甲 + 1\n"
            "let 丙 = 丙 * 2\n"
            "indicator 总分 { 工作 100% = 得分 + 甲 + 丙 }\n");
  ASSERT_TRUE(p.checked) << p.errors();
  EXPECT_FALSE(p.plan);
  EXPECT_EQ(p.errors(),
            "dependency-cycle 4:5 dependency cycle: `甲` → `乙` → `甲`\n"
            "dependency-cycle 6:5 `丙` depends on itself\n");
  EXPECT_EQ(p.notes(1), "6:9 let `丙` reads let `丙` here\n");
}

TEST(Planner, VetoReadingTheGradeItChangesIsACycle) {
  Planned p(std::string(kHeader) +
            "input { 得分 : score 0..100 }\n"
            "indicator 总分 { 工作 100% = 得分 }\n"
            "grade 等级 of 总分 { A [60, 100]  B [0, 60) }\n"
            "veto 降级 when 等级 == \"B\" { grade B ; reason \"循环\" }\n");
  ASSERT_TRUE(p.checked) << p.errors();
  EXPECT_FALSE(p.plan);
  EXPECT_EQ(p.errors(), "dependency-cycle 5:7 dependency cycle: `等级` → `降级` → `等级`\n");
  EXPECT_EQ(p.notes(0),
            "6:26 grade `等级` reads veto `降级` here\n"
            "6:14 veto `降级` reads grade `等级` here\n");
}

TEST(Planner, CycleBesideAcyclicPartsReportsOnlyTheCycle) {
  // 丙 reads the cycle but is not in it: it is not named, and only one diagnostic is reported.
  Planned p(std::string(kHeader) +
            "input { 得分 : score 0..100 }\n"
            "let 丙 = 甲 + 得分\n"
            "let 甲 = 乙 + 1\n"
            "let 乙 = 甲 + 1\n"
            "indicator 总分 { 工作 100% = 丙 }\n");
  ASSERT_TRUE(p.checked) << p.errors();
  EXPECT_FALSE(p.plan);
  EXPECT_EQ(p.errors(), "dependency-cycle 5:5 dependency cycle: `甲` → `乙` → `甲`\n");
}

// ---- long chains and cycles (checked and planned without recursing once per link) ----

// `let l0 = 得分 + 1`, then `let lK = l(K-1) + 1` up to K = n - 1, declared last to first (so that
// nothing is checked before what it reads by declaration order alone); with `cycle`, l0 reads
// l(n-1) instead of 得分.
std::string let_chain(int n, bool cycle) {
  std::string text = std::string(kHeader) + "input { 得分 : score 0..100 }\n";
  for (int k = n - 1; k >= 1; --k) text += "let l" + std::to_string(k) + " = l" + std::to_string(k - 1) + " + 1\n";
  text += "let l0 = " + (cycle ? "l" + std::to_string(n - 1) : std::string("得分")) + " + 1\n";
  text += "indicator 总分 { 工作 100% = l" + std::to_string(n - 1) + " - " + std::to_string(n) + " }\n";
  return text;
}

TEST(Planner, ChainOfTenThousandLets) {
  Planned p(let_chain(10000, false));
  ASSERT_TRUE(p.plan) << p.errors();
  EXPECT_EQ(p.errors(), "");
  const auto order = p.order();
  ASSERT_EQ(order.size(), 10000u + 4u);  // the key, the input, the lets, the indicator and its part
  EXPECT_EQ(std::find(order.begin(), order.end(), "l0") - order.begin(), 2);
  EXPECT_EQ(order[10001], "l9999");
}

TEST(Planner, CycleOfTenThousandLetsIsOneDiagnosticWithItsFirstSteps) {
  Planned p(let_chain(10000, true));
  ASSERT_TRUE(p.checked) << p.errors();
  EXPECT_FALSE(p.plan);
  ASSERT_EQ(p.sink.error_count(), 1u) << p.errors().substr(0, 2000);
  const std::string errors = p.errors();
  // Named from the first declared (l9999, line 4): its first ten steps, then a count of the rest.
  EXPECT_EQ(errors,
            "dependency-cycle 4:5 dependency cycle: `l9999` → `l9998` → `l9997` → `l9996` → `l9995` → `l9994` → "
            "`l9993` → `l9992` → `l9991` → `l9990` → … (9990 more) → `l9999`\n");
  const std::string notes = p.notes(0);
  EXPECT_EQ(std::count(notes.begin(), notes.end(), '\n'), 11) << notes;
  EXPECT_NE(notes.find("- … and 9990 more steps of the cycle, not shown\n"), std::string::npos) << notes;
}

TEST(Planner, CycleOfIndicatorsReadingEachOther) {
  // Root indicators that read the next one, the last reading the first: 3,000 of them.
  std::string text = std::string(kHeader) + "input { 得分 : score 0..100 }\n";
  const int n = 3000;
  for (int k = 0; k < n; ++k) {
    text += "indicator i" + std::to_string(k) + " { 甲 100% = i" + std::to_string((k + 1) % n) + " / 2 + 得分 / 2 }\n";
  }
  Planned p(text);
  ASSERT_TRUE(p.checked) << p.errors().substr(0, 2000);
  EXPECT_FALSE(p.plan);
  EXPECT_EQ(p.sink.error_count(), 1u);
  EXPECT_EQ(p.errors().rfind("dependency-cycle 4:11 dependency cycle: `i0` → `i0.甲` → `i1` → `i1.甲` → `i2`", 0), 0u)
      << p.errors();
}

}  // namespace
}  // namespace jixiao::engine
