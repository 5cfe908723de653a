// Tests of the fund stage through evaluate(): splits by weight, equally and among the top N (N%),
// ties, eligibility, vetoes, per-group pools and their errors, conservation of every pool, and
// independence from the order of the data rows.
#include <gtest/gtest.h>

#include <memory>

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/parse.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "jixiao/engine/loader.hpp"
#include "jixiao/engine/plan.hpp"
#include "jixiao/engine/results.hpp"

namespace jixiao::engine {
namespace {

using Fen = std::vector<std::int64_t>;

/// One policy run over one CSV. Not movable: the plan points into `checked`.
struct Funds {
  SourceSet sources;
  CollectingSink sink;
  std::optional<dsl::CheckedPolicy> checked;
  std::optional<Plan> plan;
  std::optional<Dataset> data;
  std::optional<EvalResult> result;

  Funds(const std::string& policy, const std::string& csv, const EvalOptions& options = {}) {
    const SourceId id = sources.add("p.jx", policy);
    auto module = dsl::parse(sources, id, sink);
    if (!module) return;
    checked = dsl::check(sources, std::move(*module), {}, sink);
    if (!checked) return;
    plan = build_plan(*checked, sink);
    if (!plan) return;
    data = load_csv(sources, "d.csv", csv, *checked, LoadOptions{}, sink);
    if (!data) return;
    result = evaluate(*plan, *data, options, sink);
  }
  Funds(const Funds&) = delete;
  Funds& operator=(const Funds&) = delete;

  [[nodiscard]] std::string where(Span s) const {
    if (!s.valid()) return "-";
    const SourceFile& f = sources.get(s.source);
    const LineColumn lc = f.line_column(s.begin);
    return f.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
  }

  /// Every error as "slug file:line:column message", its notes indented below.
  [[nodiscard]] std::string errors() const {
    std::string out;
    for (const Diagnostic& d : sink.items()) {
      if (d.severity != Severity::kError) continue;
      out += std::string(slug(d.code)) + " " + where(d.span) + " " + d.message.str(Lang::kEn) + "\n";
      for (const Note& n : d.notes) out += "  note " + where(n.span) + " " + n.message.str(Lang::kEn) + "\n";
    }
    return out;
  }

  [[nodiscard]] const FundResult& fund(std::size_t i = 0) const { return result->funds.at(i); }

  /// What each row received from track `t` of fund `f`, in fen.
  [[nodiscard]] Fen track(std::size_t t, std::size_t f = 0) const { return fund(f).tracks.at(t).amounts; }

  /// Each row's weight in track `t` of fund 0, as the engine records it when every row is traced:
  /// numerators over the track's weight_denominator, 0 for a row in no split.
  [[nodiscard]] std::vector<Int128> weights(std::size_t t) const {
    EvalOptions options;
    for (std::size_t r = 0; r < data->rows; ++r) options.trace_rows.push_back(r);
    CollectingSink quiet;
    const std::optional<EvalResult> traced = evaluate(*plan, *data, options, quiet);
    std::vector<Int128> out;
    for (const RowTrace& row : traced.value().trace.rows) {
      out.push_back(row.get_wide(TraceKey::Kind::kShareWeight, 0, static_cast<std::uint32_t>(t)).value_or(0));
    }
    return out;
  }

  /// The keys of the data rows, in file order.
  [[nodiscard]] std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const std::int64_t v : data->key.values) out.push_back(data->strings.text(static_cast<std::uint32_t>(v)));
    return out;
  }

  /// The text (or label) value of input `name` per row.
  [[nodiscard]] std::vector<std::string> texts(const std::string& name) const {
    const dsl::SymbolId s = checked->find(name);
    const dsl::Symbol& sym = checked->symbol(s);
    std::vector<std::string> out;
    for (const std::int64_t v : result->columns[static_cast<std::uint32_t>(s)]) {
      out.push_back(sym.type.kind == dsl::TypeKind::kLabel
                        ? checked->domains[sym.type.domain].labels[static_cast<std::size_t>(v)]
                        : data->strings.text(static_cast<std::uint32_t>(v)));
    }
    return out;
  }

  /// The conservation property of every fund: each track's amounts add up to its pool (and to
  /// what it reports as paid), each row's total is the sum of its tracks, the totals add up to the
  /// fund's pool, the groups' pools add up to the fund's pool, and, when `group_input` names the
  /// `per` column, the rows of each group of a grouped fund received exactly that group's pool.
  void expect_conserved(const std::string& group_input = "") const {
    ASSERT_TRUE(result);
    for (const FundResult& f : result->funds) {
      std::int64_t fund_sum = 0;
      std::int64_t track_pools = 0;
      for (const TrackResult& t : f.tracks) {
        std::int64_t sum = 0;
        for (const std::int64_t a : t.amounts) {
          EXPECT_GE(a, 0) << f.name << "." << t.name;
          sum += a;
        }
        EXPECT_EQ(sum, t.pool) << f.name << "." << t.name;
        EXPECT_EQ(t.paid, t.pool) << f.name << "." << t.name;
        track_pools += t.pool;
      }
      for (std::size_t r = 0; r < result->rows; ++r) {
        std::int64_t row = 0;
        for (const TrackResult& t : f.tracks) row += t.amounts[r];
        EXPECT_EQ(f.totals[r], row) << f.name << " row " << r;
        fund_sum += f.totals[r];
      }
      EXPECT_EQ(fund_sum, f.pool) << f.name;
      EXPECT_EQ(f.paid, f.pool) << f.name;
      EXPECT_EQ(track_pools, f.pool) << f.name;
      std::int64_t group_pools = 0;
      for (const GroupResult& g : f.groups) {
        EXPECT_EQ(g.paid, g.pool) << f.name << " group " << g.group;
        group_pools += g.pool;
      }
      EXPECT_EQ(group_pools, f.pool) << f.name;
      if (!group_input.empty()) {
        const std::vector<std::string> group = texts(group_input);
        std::map<std::string, std::int64_t> received;
        for (std::size_t r = 0; r < result->rows; ++r) received[group[r]] += f.totals[r];
        for (const GroupResult& g : f.groups) {
          if (!g.group.empty()) {
            EXPECT_EQ(received[g.group], g.pool) << f.name << " group " << g.group;
          }
        }
      }
    }
  }
};

std::string policy(const std::string& body) {
  return "policy \"资金\" version \"1\"\nsubject 社区 key 编码\n" + body;
}

// ---- split by weight, equally ----

TEST(Funds, SplitByWeightByHand) {
  // 1000 fen by 1 : 2 : 4 (W = 7): 142 r6, 285 r5, 571 r3; 2 fen left go to the two largest
  // remainders. A row with weight 0 gets nothing.
  Funds f(policy("input { 权重 : number }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 10元 { track 全部 100% split by 权重  ties by 编码 }\n"),
          "编码,权重\nA,1\nB,2\nC,4\nD,0\n");
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_EQ(f.track(0), (Fen{143, 286, 571, 0}));
  EXPECT_EQ(f.fund().tracks[0].extra_fen, (std::vector<std::uint8_t>{1, 1, 0, 0}));
  EXPECT_EQ(f.fund().tracks[0].recipients, 3u);
  EXPECT_EQ(f.fund().totals, (Fen{143, 286, 571, 0}));
  EXPECT_EQ(f.fund().pool, 1000);
  f.expect_conserved();
}

TEST(Funds, SplitByMoneyTimesCoefficient) {
  // Weights 100.00元 × 1, 200.00元 × 1, 300.00元 × 0: 1000 fen → 333 r⅓, 666 r⅔; the fen left goes
  // to the larger remainder.
  Funds f(policy("input { 得分 : score 0..100  基础额度 : money }\n"
                 "indicator 总分 { 工作 100% = 得分 }\n"
                 "grade 等级 of 总分 { A [60, 100]  D [0, 60) }\n"
                 "fund 补助 pool 10元 { track 绩效 100% split by 基础额度 * coef(等级) { A 1, D 0 }  ties by 编码 }\n"),
          "编码,得分,基础额度\nA,90,100\nB,60,200\nC,59.99,300\n");
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_EQ(f.track(0), (Fen{333, 667, 0}));
  f.expect_conserved();
}

TEST(Funds, TracksTakeTheirSharesOfThePool) {
  // 1.01元 = 101 fen into 60% / 30% / 10%: 60.6, 30.3, 10.1 → 60, 30, 10 and the fen left to the
  // largest remainder (60.6).
  Funds f(policy("input { 权重 : number }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 1.01元 {\n"
                 "  track 甲 60% split equally\n"
                 "  track 乙 30% split equally\n"
                 "  track 丙 10% split by 权重\n"
                 "  ties by 编码\n"
                 "}\n"),
          "编码,权重\nA,1\nB,0\n");
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_EQ(f.fund().tracks[0].pool, 61);
  EXPECT_EQ(f.fund().tracks[1].pool, 30);
  EXPECT_EQ(f.fund().tracks[2].pool, 10);
  EXPECT_EQ(f.track(0), (Fen{31, 30}));
  EXPECT_EQ(f.track(1), (Fen{15, 15}));
  EXPECT_EQ(f.track(2), (Fen{10, 0}));
  EXPECT_EQ(f.fund().totals, (Fen{56, 45}));
  f.expect_conserved();
}

TEST(Funds, SplitEquallyTiesByKeyAscendingAndDescending) {
  const std::string csv = "编码,序号\nB,2\nA,1\nC,3\n";
  Funds asc(policy("input { 序号 : number }\n"
                   "indicator 总分 { 工作 100% = 50 }\n"
                   "fund 补助 pool 1元 { track 全部 100% split equally  ties by 编码 }\n"),
            csv);
  ASSERT_TRUE(asc.result) << asc.errors();
  EXPECT_EQ(asc.track(0), (Fen{33, 34, 33}));  // A first by its text, though it is the second row
  asc.expect_conserved();

  Funds desc(policy("input { 序号 : number }\n"
                    "indicator 总分 { 工作 100% = 50 }\n"
                    "fund 补助 pool 1元 { track 全部 100% split equally  ties by 编码 desc }\n"),
             csv);
  ASSERT_TRUE(desc.result) << desc.errors();
  EXPECT_EQ(desc.track(0), (Fen{33, 33, 34}));  // C first
  desc.expect_conserved();

  // 2 fen left over: the first two in the tie order.
  Funds two(policy("input { 序号 : number }\n"
                   "indicator 总分 { 工作 100% = 50 }\n"
                   "fund 补助 pool 1.01元 { track 全部 100% split equally  ties by 序号 desc }\n"),
            csv);
  ASSERT_TRUE(two.result) << two.errors();
  EXPECT_EQ(two.track(0), (Fen{34, 33, 34}));  // 序号 3 (C) and 2 (B)
  two.expect_conserved();
}

TEST(Funds, TextTieKeyIsComparedByItsTextNotByRowOrder) {
  // The text ids follow the file order (甲 first); the tie order must follow the texts.
  Funds f(policy("input { 名称 : text }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 0.02元 { track 全部 100% split equally  ties by 名称 }\n"),
          "编码,名称\nK1,甲\nK2,乙\nK3,丙\n");
  ASSERT_TRUE(f.result) << f.errors();
  // 丙 U+4E19 < 乙 U+4E59 < 甲 U+7532: 丙 and 乙 get the two fen, not the first two rows.
  EXPECT_EQ(f.track(0), (Fen{0, 1, 1}));

  Funds g(policy("input { 名称 : text }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 0.01元 { track 全部 100% split equally  ties by 名称 }\n"),
          "编码,名称\nK1,b\nK2,a\nK3,c\n");
  ASSERT_TRUE(g.result) << g.errors();
  EXPECT_EQ(g.track(0), (Fen{0, 1, 0}));
  f.expect_conserved();
  g.expect_conserved();
}

TEST(Funds, RowsAlreadyInTheTieOrderKeepTheirOrder) {
  // The rows follow the key's direction (equal values next to each other): the tie order is the
  // file's, found without sorting; the equal values keep the file order. 乙 U+4E59 < 甲 U+7532.
  auto run = [](const std::string& ties, const std::string& csv) {
    return std::make_unique<Funds>(policy("input { 名称 : text }\n"
                                          "indicator 总分 { 工作 100% = 50 }\n"
                                          "fund 补助 pool 0.02元 { track 全部 100% split equally  ties by " + ties + " }\n"),
                                   csv);
  };
  const auto asc = run("名称", "编码,名称\nK1,乙\nK2,乙\nK3,甲\n");
  ASSERT_TRUE(asc->result) << asc->errors();
  EXPECT_EQ(asc->track(0), (Fen{1, 1, 0}));
  const auto desc = run("名称 desc", "编码,名称\nK1,甲\nK2,乙\nK3,乙\n");
  ASSERT_TRUE(desc->result) << desc->errors();
  EXPECT_EQ(desc->track(0), (Fen{1, 1, 0}));
  // One row out of the direction: sorted as before (the two 乙 first, in file order).
  const auto out = run("名称", "编码,名称\nK1,乙\nK2,甲\nK3,乙\n");
  ASSERT_TRUE(out->result) << out->errors();
  EXPECT_EQ(out->track(0), (Fen{1, 0, 1}));
  asc->expect_conserved();
  desc->expect_conserved();
  out->expect_conserved();
}

TEST(Funds, EqualTieKeysKeepTheFileOrderEitherWay) {
  // One text key with repeated values (its order is found by counting): equal values keep the
  // file order whether the key ascends or descends. 乙 U+4E59 < 甲 U+7532.
  const std::string csv = "编码,名称\nK1,甲\nK2,乙\nK3,甲\nK4,乙\n";
  auto run = [&](const std::string& ties, const std::string& pool) {
    return std::make_unique<Funds>(policy("input { 名称 : text }\n"
                                          "indicator 总分 { 工作 100% = 50 }\n"
                                          "fund 补助 pool " + pool + "元 { track 全部 100% split equally  ties by " + ties + " }\n"),
                                   csv);
  };
  auto asc = run("名称", "0.03");
  ASSERT_TRUE(asc->result) << asc->errors();
  EXPECT_EQ(asc->track(0), (Fen{1, 1, 0, 1}));  // K2, K4, then K1
  asc->expect_conserved();
  auto desc = run("名称 desc", "0.03");
  ASSERT_TRUE(desc->result) << desc->errors();
  EXPECT_EQ(desc->track(0), (Fen{1, 1, 1, 0}));  // K1, K3, then K2
  desc->expect_conserved();
}

TEST(Funds, SeveralTieKeys) {
  // Ties by 街道 first, then 编码 descending within a 街道.
  Funds f(policy("input { 街道 : text }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 0.06元 { track 全部 100% split by 1 / 4  ties by 街道, 编码 desc }\n"),
          "编码,街道\nA,西\nB,东\nC,西\nD,东\n");
  ASSERT_TRUE(f.result) << f.errors();
  // 6 fen among 4: 1 each and 2 left: tie order is (东, D), (东, B), (西, C), (西, A).
  EXPECT_EQ(f.track(0), (Fen{1, 2, 1, 2}));
  f.expect_conserved();
}

/// 1 fen for each of the first k rows of `order`, 0 for the others.
Fen first_fen(const std::vector<std::size_t>& order, std::size_t k) {
  Fen out(order.size(), 0);
  for (std::size_t i = 0; i < k; ++i) out[order[i]] = 1;
  return out;
}

/// The text of k fen.
std::string fen_text(std::size_t k) { return decimal::format(static_cast<std::int64_t>(k), 2, 2); }

TEST(Funds, TextTieKeysOfAnyShapeFollowTheirByteOrder) {
  // 200 rows, k fen split equally: the first k in the tie order get one. The texts: up to 4 of
  // 0, 1 and 乙 (bytes E4 B9 99), prefixes of each other and repeated (read as numbers in mixed
  // radices, sorted by radix); letters over 24 places (too many for 64 bits) and over 40 bytes
  // (too long): the last two by the string pool's byte order. Each against a stable sort of the
  // texts themselves, ascending and descending, for k every 9 fen.
  std::mt19937 random(16);
  auto text = [&](int shape) {
    std::string t;
    const auto n = shape == 0 ? 1 + random() % 4 : shape == 1 ? 24 : 41;
    for (std::size_t i = 0; i < n; ++i) {
      if (shape > 0) t += static_cast<char>('a' + random() % 26);
      else t += random() % 5 == 0 ? std::string("乙") : std::string(1, static_cast<char>('0' + random() % 2));
    }
    return t;
  };
  for (int shape = 0; shape < 3; ++shape) {
    std::vector<std::string> names;
    std::string csv = "编码,名称\n";
    for (int r = 0; r < 200; ++r) {
      names.push_back(text(shape));
      csv += "K" + std::to_string(r) + "," + names.back() + "\n";
    }
    for (const bool descending : {false, true}) {
      std::vector<std::size_t> order(names.size());
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return descending ? names[b] < names[a] : names[a] < names[b];
      });
      for (std::size_t k = 1; k < names.size(); k += 9) {
        Funds f(policy("input { 名称 : text }\n"
                       "indicator 总分 { 工作 100% = 50 }\n"
                       "fund 补助 pool " + fen_text(k) + "元 { track 全部 100% split equally  ties by 名称" +
                       (descending ? " desc" : "") + " }\n"),
                csv);
        ASSERT_TRUE(f.result) << f.errors();
        EXPECT_EQ(f.track(0), first_fen(order, k)) << "shape " << shape << (descending ? " desc" : "") << ", " << k << " fen";
        f.expect_conserved();
      }
    }
  }
}

// ---- top N ----

constexpr const char* kTopCsv =
    "编码,得分\n"
    "K3,90\n"
    "K2,80\n"
    "K1,80\n"
    "K4,70\n";

TEST(Funds, TopNWithATieAtTheBoundary) {
  Funds asc(policy("input { 得分 : score 0..100 }\n"
                   "indicator 总分 { 工作 100% = 得分 }\n"
                   "fund 补助 pool 1元 { track 前列 100% split among top 2 by 总分  ties by 编码 }\n"),
            kTopCsv);
  ASSERT_TRUE(asc.result) << asc.errors();
  EXPECT_EQ(asc.track(0), (Fen{50, 0, 50, 0}));  // K3, then K1 before K2
  EXPECT_EQ(asc.fund().tracks[0].recipients, 2u);
  asc.expect_conserved();

  Funds desc(policy("input { 得分 : score 0..100 }\n"
                    "indicator 总分 { 工作 100% = 得分 }\n"
                    "fund 补助 pool 1元 { track 前列 100% split among top 2 by 总分  ties by 编码 desc }\n"),
             kTopCsv);
  ASSERT_TRUE(desc.result) << desc.errors();
  EXPECT_EQ(desc.track(0), (Fen{50, 50, 0, 0}));  // K3, then K2 before K1
  desc.expect_conserved();
}

TEST(Funds, TopNAmongManyEqualValuesFollowsTheTieOrder) {
  // 300 rows whose ranking values come from a palette spanning more than 16 bits at 10^6 (so the
  // selection counts them over several digits), many equal at every boundary; text codes in no
  // order. The top k, each paid 1 fen of k, against a stable sort by (value desc, code), for k
  // every 7 rows.
  std::mt19937 random(600);
  const std::vector<std::string> palette = {"0", "0.000001", "12.5", "60.25", "60.250001", "99.999999", "100"};
  std::vector<std::string> codes;
  std::vector<std::string> values;
  std::string csv = "编码,得分\n";
  for (int r = 0; r < 300; ++r) {
    codes.push_back("C" + std::to_string(random() % 1000) + "-" + std::to_string(r));
    values.push_back(palette[random() % palette.size()]);
    csv += codes.back() + "," + values.back() + "\n";
  }
  std::vector<std::size_t> order(codes.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double va = std::stod(values[a]);
    const double vb = std::stod(values[b]);
    return va != vb ? va > vb : codes[a] < codes[b];
  });
  for (std::size_t k = 1; k < codes.size(); k += 7) {
    Funds f(policy("input { 得分 : score 0..100 }\nindicator 总分 { 工作 100% = 得分 }\nfund 补助 pool " + fen_text(k) +
                   "元 { track 前列 100% split among top " + std::to_string(k) + " by 得分  ties by 编码 }\n"),
            csv);
    ASSERT_TRUE(f.result) << f.errors();
    EXPECT_EQ(f.track(0), first_fen(order, k)) << k << " rows";
    f.expect_conserved();
  }
}

TEST(Funds, TopNProportional) {
  Funds f(policy("input { 得分 : score 0..100 }\n"
                 "indicator 总分 { 工作 100% = 得分 }\n"
                 "fund 补助 pool 1.70元 { track 前列 100% split among top 2 by 总分 proportional to 总分  ties by 编码 }\n"),
          kTopCsv);
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_EQ(f.track(0), (Fen{90, 0, 80, 0}));
  f.expect_conserved();
}

TEST(Funds, TopNMoreThanTheEligibleTakesEveryone) {
  Funds f(policy("input { 得分 : score 0..100 }\n"
                 "indicator 总分 { 工作 100% = 得分 }\n"
                 "fund 补助 pool 1元 { track 前列 100% split among top 10 by 总分  ties by 编码 }\n"),
          kTopCsv);
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_EQ(f.track(0), (Fen{25, 25, 25, 25}));
  f.expect_conserved();
}

std::string ten_rows() {
  // Scores 10, 20, ..., 100 in a shuffled file order; keys K01..K10 by score.
  const int scores[] = {30, 100, 10, 80, 50, 90, 20, 70, 40, 60};
  std::string csv = "编码,得分\n";
  for (const int s : scores) csv += "K" + std::string(s == 100 ? "10" : "0" + std::to_string(s / 10)) + "," + std::to_string(s) + "\n";
  return csv;
}

TEST(Funds, TopPercentTakesTheFloorButAtLeastOne) {
  const std::string csv = ten_rows();
  // 25% of 10 eligible rows: floor(2.5) = 2 (scores 100 and 90).
  Funds quarter(policy("input { 得分 : score 0..100 }\n"
                       "indicator 总分 { 工作 100% = 得分 }\n"
                       "fund 补助 pool 1元 { track 前列 100% split among top 25% by 总分  ties by 编码 }\n"),
                csv);
  ASSERT_TRUE(quarter.result) << quarter.errors();
  EXPECT_EQ(quarter.track(0), (Fen{0, 50, 0, 0, 0, 50, 0, 0, 0, 0}));
  quarter.expect_conserved();
  // 5% of 10: floor(0.5) = 0, but at least one (score 100).
  Funds tiny(policy("input { 得分 : score 0..100 }\n"
                    "indicator 总分 { 工作 100% = 得分 }\n"
                    "fund 补助 pool 1元 { track 前列 100% split among top 5% by 总分  ties by 编码 }\n"),
             csv);
  ASSERT_TRUE(tiny.result) << tiny.errors();
  EXPECT_EQ(tiny.track(0), (Fen{0, 100, 0, 0, 0, 0, 0, 0, 0, 0}));
  tiny.expect_conserved();
  // 39% of 10: floor(3.9) = 3 (100, 90, 80); the percentage counts the eligible rows only: with
  // `when 得分 >= 50`, 6 rows are eligible and 39% of 6 = 2.34 → 2.
  Funds eligible(policy("input { 得分 : score 0..100 }\n"
                        "indicator 总分 { 工作 100% = 得分 }\n"
                        "fund 补助 pool 3元 {\n"
                        "  track 全体 50% split among top 39% by 总分\n"
                        "  track 部分 50% split among top 39% by 总分 when 得分 >= 50\n"
                        "  ties by 编码\n"
                        "}\n"),
                csv);
  ASSERT_TRUE(eligible.result) << eligible.errors();
  EXPECT_EQ(eligible.track(0), (Fen{0, 50, 0, 50, 0, 50, 0, 0, 0, 0}));
  EXPECT_EQ(eligible.track(1), (Fen{0, 75, 0, 0, 0, 75, 0, 0, 0, 0}));
  eligible.expect_conserved();
}

TEST(Funds, TopPercentOfAllAndRoundedUp) {
  const std::string csv = ten_rows();
  // 6 rows eligible (得分 >= 50) of 10, top 25%: the default floor(6 × 25%) = 1; rounded up
  // ceil(1.5) = 2; of all floor(10 × 25%) = 2; of all rounded up ceil(2.5) = 3.
  Funds four(policy("input { 得分 : score 0..100 }\n"
                    "indicator 总分 { 工作 100% = 得分 }\n"
                    "fund 补助 pool 12元 {\n"
                    "  track 默认 25% split among top 25% by 总分 when 得分 >= 50\n"
                    "  track 向上 25% split among top 25% rounded up by 总分 when 得分 >= 50\n"
                    "  track 全部 25% split among top 25% of all by 总分 when 得分 >= 50\n"
                    "  track 全上 25% split among top 25% of all rounded up by 总分 when 得分 >= 50\n"
                    "  ties by 编码\n"
                    "}\n"),
             csv);
  ASSERT_TRUE(four.result) << four.errors();
  EXPECT_EQ(four.track(0), (Fen{0, 300, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(four.track(1), (Fen{0, 150, 0, 0, 0, 150, 0, 0, 0, 0}));
  EXPECT_EQ(four.track(2), (Fen{0, 150, 0, 0, 0, 150, 0, 0, 0, 0}));
  EXPECT_EQ(four.track(3), (Fen{0, 100, 0, 100, 0, 100, 0, 0, 0, 0}));
  four.expect_conserved();
  // `of all`: the best row (100) is not eligible, still counts in the base (3 of 10), and loses
  // its place to the next: 90, 80 and 70 are paid. Explicit defaults mean the defaults.
  Funds place(policy("input { 得分 : score 0..100 }\n"
                     "indicator 总分 { 工作 100% = 得分 }\n"
                     "fund 补助 pool 6元 {\n"
                     "  track 全上 50% split among top 25% of all rounded up by 总分 when 得分 < 95\n"
                     "  track 明写 50% split among top 25% of eligible rounded down by 总分 when 得分 < 95\n"
                     "  ties by 编码\n"
                     "}\n"),
              csv);
  ASSERT_TRUE(place.result) << place.errors();
  EXPECT_EQ(place.track(0), (Fen{0, 0, 0, 100, 0, 100, 0, 100, 0, 0}));
  EXPECT_EQ(place.track(1), (Fen{0, 0, 0, 150, 0, 150, 0, 0, 0, 0}));  // floor(9 × 25%) = 2
  place.expect_conserved();
}

// ---- eligibility and vetoes ----

TEST(Funds, WhenDecidesWhoIsEligible) {
  Funds f(policy("input { 类型 : one_of { \"城市\", \"农村\" }  基础额度 : money }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 3元 {\n"
                 "  track 普惠 50% split equally when 类型 == \"农村\"\n"
                 "  track 城市 50% split by 基础额度 when 类型 == \"城市\"\n"
                 "  ties by 编码\n"
                 "}\n"),
          "编码,类型,基础额度\nA,农村,100\nB,城市,100\nC,农村,100\nD,城市,200\n");
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_EQ(f.track(0), (Fen{75, 0, 75, 0}));
  EXPECT_EQ(f.track(1), (Fen{0, 50, 0, 100}));
  EXPECT_EQ(f.fund().totals, (Fen{75, 50, 75, 100}));
  f.expect_conserved();
}

TEST(Funds, FundZeroVetoes) {
  Funds f(policy("input { 违规 : bool  迟报 : bool }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "veto 违规否决 when 违规 { fund 0 ; reason \"违规\" }\n"
                 "veto 迟报扣发 when 迟报 { fund 奖励 0 ; reason \"迟报\" }\n"
                 "fund 补助 pool 1元 { track 全部 100% split equally  ties by 编码 }\n"
                 "fund 奖励 pool 1元 {\n"
                 "  track 甲 50% split equally\n"
                 "  track 乙 50% split by 1\n"
                 "  ties by 编码\n"
                 "}\n"),
          "编码,违规,迟报\nA,否,否\nB,是,否\nC,否,是\nD,否,否\n");
  ASSERT_TRUE(f.result) << f.errors();
  // 补助: B is out (fund 0 for every fund); 奖励: B and C are out, in every track.
  EXPECT_EQ(f.fund(0).totals, (Fen{34, 0, 33, 33}));
  EXPECT_EQ(f.track(0, 1), (Fen{25, 0, 0, 25}));
  EXPECT_EQ(f.track(1, 1), (Fen{25, 0, 0, 25}));
  EXPECT_EQ(f.fund(1).totals, (Fen{50, 0, 0, 50}));
  f.expect_conserved();
}

// ---- per-group pools ----

TEST(Funds, PerGroupPoolsFromATableParam) {
  Funds f(policy("input { 街道 : text }\n"
                 "param 街道资金 = { \"城西\": 2元, \"城东\": 1元 }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 街道资金 per 街道 { track 全部 100% split equally  ties by 编码 }\n"),
          "编码,街道\nW1,城西\nE1,城东\nW2,城西\nE2,城东\nE3,城东\n");
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_EQ(f.track(0), (Fen{100, 34, 100, 33, 33}));
  // Groups are listed by name (东 U+4E1C before 西 U+897F), not by their first row.
  ASSERT_EQ(f.fund().groups.size(), 2u);
  EXPECT_EQ(f.fund().groups[0].group, "城东");
  EXPECT_EQ(f.fund().groups[0].pool, 100);
  EXPECT_EQ(f.fund().groups[1].group, "城西");
  EXPECT_EQ(f.fund().groups[1].pool, 200);
  EXPECT_EQ(f.fund().pool, 300);
  f.expect_conserved("街道");
}

TEST(Funds, PerGroupPoolsByALabelAndOneAmountForEveryGroup) {
  Funds f(policy("input { 类型 : one_of { \"城市\", \"农村\" } }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 1元 per 类型 { track 全部 100% split equally  ties by 编码 }\n"),
          "编码,类型\nA,城市\nB,农村\nC,城市\nD,城市\n");
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_EQ(f.track(0), (Fen{34, 100, 33, 33}));
  ASSERT_EQ(f.fund().groups.size(), 2u);
  EXPECT_EQ(f.fund().groups[0].group, "农村");  // 农 U+519C before 城 U+57CE
  EXPECT_EQ(f.fund().groups[1].group, "城市");
  EXPECT_EQ(f.fund().pool, 200);
  f.expect_conserved("类型");
}

TEST(Funds, MissingGroupInTheTableIsPoolMissing) {
  Funds f(policy("input { 街道 : text }\n"
                 "param 街道资金 = { \"城西\": 2元, \"城东\": 1元 }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 街道资金 per 街道 { track 全部 100% split equally  ties by 编码 }\n"),
          "编码,街道\nW1,城西\nN1,城北\nE1,城东\nN2,城北\n");
  EXPECT_FALSE(f.result);
  EXPECT_EQ(f.errors(),
            "pool-missing p.jx:6:14 param `街道资金` has no pool for group `城北` of fund `补助` (2 rows)\n");
}

TEST(Funds, PerGroupPoolsFromAMoneyColumn) {
  Funds f(policy("input { 街道 : text  街道池 : money }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 街道池 per 街道 { track 全部 100% split equally  ties by 编码 }\n"),
          "编码,街道,街道池\nW1,城西,0.05\nE1,城东,1\nW2,城西,0.05\n");
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_EQ(f.track(0), (Fen{3, 100, 2}));
  EXPECT_EQ(f.fund().pool, 105);
  f.expect_conserved("街道");
}

TEST(Funds, TwoPoolsInOneGroupIsPoolMissing) {
  Funds f(policy("input { 街道 : text  街道池 : money }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 街道池 per 街道 { track 全部 100% split equally  ties by 编码 }\n"),
          "编码,街道,街道池\nE1,城东,1\nW1,城西,2\nE2,城东,2\n");
  EXPECT_FALSE(f.result);
  EXPECT_EQ(f.errors(),
            "pool-missing p.jx:5:14 group `城东` of fund `补助` has two pools: 1.00元 in row 1 and 2.00元 in row 3\n"
            "  note d.csv:4:1 the second amount is in this row\n");
}

TEST(Funds, PoolZeroPaysNothing) {
  Funds f(policy("input { 街道 : text }\n"
                 "param 街道资金 = { \"城西\": 0元, \"城东\": 1元 }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 街道资金 per 街道 { track 全部 100% split equally  ties by 编码 }\n"
                 "fund 零 pool 0元 { track 全部 100% split equally  ties by 编码 }\n"),
          "编码,街道\nW1,城西\nE1,城东\n");
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_EQ(f.track(0, 0), (Fen{0, 100}));
  EXPECT_EQ(f.track(0, 1), (Fen{0, 0}));
  EXPECT_EQ(f.fund(1).pool, 0);
  EXPECT_EQ(f.fund(1).tracks[0].recipients, 0u);
  f.expect_conserved("街道");
}

// ---- pools that cannot be split ----

TEST(Funds, NoEligibleRowIsPoolNotSplit) {
  Funds f(policy("input { 类型 : one_of { \"城市\", \"农村\" } }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 1元 {\n"
                 "  track 普惠 100% split equally when 类型 == \"农村\"\n"
                 "  ties by 编码\n"
                 "}\n"),
          "编码,类型\nA,城市\nB,城市\n");
  EXPECT_FALSE(f.result);
  EXPECT_EQ(f.errors(),
            "pool-not-split p.jx:6:3 track `补助.普惠` cannot pay out its 1.00元: the weights add up to 0: nobody "
            "can receive a share (0 eligible rows)\n");
}

TEST(Funds, AllWeightsZeroIsPoolNotSplit) {
  Funds f(policy("input { 权重 : number  街道 : text }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 1元 per 街道 { track 全部 100% split by 权重  ties by 编码 }\n"),
          "编码,权重,街道\nA,0,城东\nB,0,城东\nC,1,城西\n");
  EXPECT_FALSE(f.result);
  EXPECT_EQ(f.errors(),
            "pool-not-split p.jx:5:26 track `补助.全部` in group `城东` cannot pay out its 1.00元: the weights add "
            "up to 0: nobody can receive a share (2 eligible rows)\n");
}

TEST(Funds, NegativeWeightIsPoolNotSplit) {
  Funds f(policy("input { 权重 : number }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 1元 { track 全部 100% split by 权重  ties by 编码 }\n"),
          "编码,权重\nA,1\nB,-1\nC,2\n");
  EXPECT_FALSE(f.result);
  EXPECT_EQ(f.errors(),
            "pool-not-split p.jx:5:19 track `补助.全部` gives row 2 a negative weight (-1)\n"
            "  note d.csv:3:1 the row is here\n");
}

TEST(Funds, NegativeWeightOfAnIneligibleRowIsIgnored) {
  Funds f(policy("input { 权重 : number }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 1元 { track 全部 100% split by 权重 when 权重 > 0  ties by 编码 }\n"),
          "编码,权重\nA,1\nB,-1\nC,3\n");
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_EQ(f.track(0), (Fen{25, 0, 75}));
  f.expect_conserved();
}

/// The slugs of the errors reported, in order.
std::vector<std::string> error_codes(const Funds& f) {
  std::vector<std::string> out;
  for (const Diagnostic& d : f.sink.items()) {
    if (d.severity == Severity::kError) out.emplace_back(slug(d.code));
  }
  return out;
}

TEST(Funds, NegativePoolInAMoneyColumnIsADataErrorNotConservation) {
  Funds f(policy("input { 街道 : text  街道池 : money }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 街道池 per 街道 { track 全部 100% split equally  ties by 编码 }\n"),
          "编码,街道,街道池\nA,城东,-1\nB,城东,-1\n");
  EXPECT_FALSE(f.result);
  const std::vector<std::string> codes = error_codes(f);
  EXPECT_EQ(codes.size(), 1u);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "conservation"), 0);
}

TEST(Funds, NegativePoolInATableParamIsAnErrorNotConservation) {
  Funds f(policy("input { 街道 : text }\n"
                 "param 池 = { \"城东\": -1元 }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 池 per 街道 { track 全部 100% split equally  ties by 编码 }\n"),
          "编码,街道\nA,城东\n");
  EXPECT_FALSE(f.result);
  const std::vector<std::string> codes = error_codes(f);
  EXPECT_EQ(codes.size(), 1u);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "conservation"), 0);
}

TEST(Funds, NegativeConstantPoolIsRejectedByTheChecker) {
  Funds f(policy("input { 甲 : number }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 0元 - 1元 { track 全部 100% split equally  ties by 编码 }\n"),
          "编码,甲\nA,1\n");
  EXPECT_FALSE(f.checked);
  EXPECT_EQ(f.errors(), "bad-arguments p.jx:5:14 the pool of `补助` is negative (-1.00元)\n");
}

// ---- exact weights (docs/language.md §10) ----

/// Row r's weight of track t as numerator and denominator, for comparing with a fraction.
std::pair<Int128, Int128> weight_of(const Funds& f, std::size_t t, std::size_t r) {
  return {f.weights(t).at(r), f.fund().tracks.at(t).weight_denominator};
}

/// a/b == c/d.
bool same_fraction(std::pair<Int128, Int128> x, Int128 c, Int128 d) { return x.first * d == c * x.second; }

TEST(FundsExact, MoneyTimesACoefficientIsNotRoundedToTheFen) {
  // 0.01元 × 0.5 = 0.5 fen, 0.01元 × 0.65 = 0.65 fen, 0.03元 × 0.5 = 1.5 fen (W = 2.65 fen): 100 fen
  // → 18.87, 24.53, 56.60 → 19, 24, 57. Rounded to the fen (1, 1, 2) the weights would give 25, 25, 50.
  Funds f(policy("input { 类 : one_of { \"A\", \"B\" }  基础额度 : money }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 1元 { track 全部 100% split by 基础额度 * coef(类) { A 0.5, B 0.65 }  ties by 编码 }\n"),
          "编码,类,基础额度\nX,A,0.01\nY,B,0.01\nZ,A,0.03\n");
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_EQ(f.track(0), (Fen{19, 24, 57}));
  EXPECT_TRUE(same_fraction(weight_of(f, 0, 1), 65, 100));  // fen
  EXPECT_TRUE(same_fraction(weight_of(f, 0, 2), 3, 2));
  f.expect_conserved();
}

TEST(FundsExact, LetsSumsQuotientsByConstantsAndPercentagesAreExact) {
  // 份额 = 基础额度 × 12.5% / 3: 1.00元 → 12.5/3 fen, 2.00元 → 25/3 fen, 0.05元 → 0.625/3 fen;
  // plus 0.01元 × 人数: 1, 2, 3 fen. Exact weights (×3): 15.5, 31, 9.625 (W = 56.125): 10 fen →
  // 2.761, 5.523, 1.714 → 2, 5, 1 and two fen left to the largest remainders (0.761, 0.714).
  Funds f(policy("input { 基础额度 : money  人数 : count }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "let 份额 = 基础额度 * 12.5% / 3\n"
                 "fund 补助 pool 0.10元 { track 全部 100% split by 份额 + 0.01元 * 人数  ties by 编码 }\n"),
          "编码,基础额度,人数\nX,1.00,1\nY,2.00,2\nZ,0.05,3\n");
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_EQ(f.track(0), (Fen{3, 5, 2}));
  EXPECT_TRUE(same_fraction(weight_of(f, 0, 0), 155, 30));  // 15.5/3 fen
  EXPECT_TRUE(same_fraction(weight_of(f, 0, 2), 9625, 3000));
  f.expect_conserved();
}

TEST(FundsExact, ChoicesKeepTheExactValueOfTheBranchTaken) {
  // if, coef, bands, min, max, clamp, abs and fill choose among exact values: every weight here
  // has a fraction of a fen (0.005元 and 0.0025元 would be 0.01元 and 0.00元 rounded).
  Funds f(policy("input { 额 : money  标 : bool  分 : number 0..100  备 : money optional }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 1元 {\n"
                 "  track 甲 50% split by if 标 then 额 * 0.5 else max(额 * 0.25, 0.01元 * 0.2)\n"
                 "  track 乙 50% split by abs(clamp(额 * 0.5, 0元, 1元)) + bands(分) { [0, 50) 额 * 0.25, [50, 100] 0元 } + fill(备, 0元) * 0.5\n"
                 "  ties by 编码\n"
                 "}\n"),
          "编码,额,标,分,备\nX,0.01,是,10,\nY,0.01,否,60,0.01\n");
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_TRUE(same_fraction(weight_of(f, 0, 0), 5, 10));   // 0.5 fen
  EXPECT_TRUE(same_fraction(weight_of(f, 0, 1), 25, 100)); // 0.25 fen
  EXPECT_TRUE(same_fraction(weight_of(f, 1, 0), 75, 100)); // 0.5 + 0.25 fen
  EXPECT_TRUE(same_fraction(weight_of(f, 1, 1), 1, 1));    // 0.5 + 0 + 0.5 fen
  EXPECT_EQ(f.track(0), (Fen{33, 17}));
  EXPECT_EQ(f.track(1), (Fen{21, 29}));
  f.expect_conserved();
}

TEST(FundsExact, AChainOfLetsStaysExact) {
  // a999 = 额 × 0.5 added up 1000 times: 500 × 额 exactly (0.005元 per link would round to 0.01元).
  std::string body = "input { 额 : money }\nindicator 总分 { 工作 100% = 50 }\nlet a0 = 额 * 0.5\n";
  for (int i = 1; i < 1000; ++i) body += "let a" + std::to_string(i) + " = a" + std::to_string(i - 1) + " + 额 * 0.5\n";
  body += "fund 补助 pool 1元 { track 全部 100% split by a999 ties by 编码 }\n";
  Funds f(policy(body), "编码,额\nX,0.01\nY,0.03\n");
  ASSERT_TRUE(f.result) << f.errors();
  EXPECT_TRUE(same_fraction(weight_of(f, 0, 0), 500, 1));   // fen
  EXPECT_TRUE(same_fraction(weight_of(f, 0, 1), 1500, 1));
  EXPECT_EQ(f.track(0), (Fen{25, 75}));
}

TEST(FundsExact, AQuotientByARowsValueIsRoundedToTwelveDecimals) {
  Funds f(policy("input { 人数 : count 1..1000 }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 1元 { track 全部 100% split by 2 / 人数 ties by 编码 }\n"),
          "编码,人数\nX,3\nY,6\nZ,1\n");
  ASSERT_TRUE(f.result) << f.errors();
  const TrackResult& t = f.fund().tracks[0];
  EXPECT_EQ(t.weight_denominator, Int128{1'000'000'000'000});
  EXPECT_EQ(f.weights(0), (std::vector<Int128>{666'666'666'667, 333'333'333'333, 2'000'000'000'000}));
  EXPECT_EQ(f.track(0), (Fen{22, 11, 67}));
  f.expect_conserved();
}

TEST(FundsExact, ADivisionByZeroInAWeightIsReportedOnce) {
  Funds f(policy("input { 人数 : count }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 1元 { track 全部 100% split by 1 / 人数 ties by 编码 }\n"),
          "编码,人数\nX,3\nY,0\n");
  EXPECT_FALSE(f.result);
  EXPECT_EQ(error_codes(f), (std::vector<std::string>{"eval-division-by-zero"}));
}

TEST(FundsExact, AWeightTooLargeToHoldExactlyIsAnError) {
  // Ten factors of six decimals: the weight's denominator would be 10^60.
  Funds f(policy("input { 甲 : number }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 1元 { track 全部 100% split by 甲 * 甲 * 甲 * 甲 * 甲 * 甲 * 甲 * 甲 * 甲 * 甲 ties by 编码 }\n"),
          "编码,甲\nX,1.000001\nY,1.000002\n");
  EXPECT_FALSE(f.result);
  EXPECT_EQ(error_codes(f), (std::vector<std::string>{"eval-weight-overflow", "eval-weight-overflow"}));
  EXPECT_NE(f.errors().find("the exact value of the fund weight needs more than 38 digits in row 1"), std::string::npos)
      << f.errors();
}

TEST(FundsExact, ANegativeExactWeightIsShownExactly) {
  Funds f(policy("input { 额 : money }\n"
                 "indicator 总分 { 工作 100% = 50 }\n"
                 "fund 补助 pool 1元 { track 全部 100% split by 额 * 0.5 ties by 编码 }\n"),
          "编码,额\nX,1\nY,-0.01\n");
  EXPECT_FALSE(f.result);
  EXPECT_EQ(f.errors(),
            "pool-not-split p.jx:5:19 track `补助.全部` gives row 2 a negative weight (-0.005元)\n"
            "  note d.csv:3:1 the row is here\n");
}

// ---- threads ----

TEST(Funds, SplitsOfManyRecipientsAreTheSameForAnyThreadCount) {
  // 70,000 rows (enough for the passes over a split's recipients to be shared by threads): money
  // weights from a few values and scores with many equal, so that remainders and ranking values
  // tie often and the codes (in no order) decide; every fen the same with 1, 2 and 3 threads.
  std::mt19937 random(70'000);
  std::string csv = "编码,得分,基础额度\n";
  for (int r = 0; r < 70'000; ++r) {
    csv += "C" + std::to_string(random() % 100'000) + "-" + std::to_string(r) + "," +
           decimal::format(static_cast<std::int64_t>(random() % 10'001), 2, 2) + "," + std::to_string(500 + random() % 4 * 500) + ".00\n";
  }
  const std::string p = policy("input { 得分 : score 0..100  基础额度 : money }\n"
                               "indicator 总分 { 工作 100% = 得分 }\n"
                               "fund 补助 pool 1234567.89元 {\n"
                               "  track 绩效 70% split by 基础额度 * 0.65\n"
                               "  track 奖励 30% split among top 10% by 得分 proportional to 得分\n"
                               "  ties by 编码 desc\n"
                               "}\n");
  EvalOptions options;
  options.threads = 1;
  Funds one(p, csv, options);
  ASSERT_TRUE(one.result) << one.errors();
  one.expect_conserved();
  EXPECT_EQ(one.fund().tracks[0].recipients, 70'000u);
  EXPECT_EQ(one.fund().tracks[1].recipients, 7'000u);
  for (const std::size_t threads : {std::size_t{2}, std::size_t{3}}) {
    options.threads = threads;
    Funds many(p, csv, options);
    ASSERT_TRUE(many.result) << many.errors();
    for (std::size_t t = 0; t < 2; ++t) {
      EXPECT_EQ(many.track(t), one.track(t)) << threads << " threads, track " << t;
      EXPECT_EQ(many.fund().tracks[t].extra_fen, one.fund().tracks[t].extra_fen) << threads << " threads, track " << t;
    }
  }
}

// ---- order independence ----

std::string permutation_policy() {
  return policy(
      "input { 得分 : score 0..100  街道 : text  类型 : one_of { \"城市\", \"农村\" }  基础额度 : money }\n"
      "param 街道资金 = { \"城东\": 1000.03元, \"城西\": 777.77元, \"城南\": 0.07元 }\n"
      "indicator 总分 { 工作 100% = 得分 }\n"
      "grade 等级 of 总分 { A [90, 100]  B [75, 90)  C [60, 75)  D [0, 60) }\n"
      "fund 运营补助 pool 街道资金 per 街道 {\n"
      "  track 绩效 60% split by 基础额度 * coef(等级) { A 0.90, B 0.65, C 0.40, D 0 }\n"
      "  track 创新 30% split among top 34% by 总分 proportional to 总分\n"
      "  track 普惠 10% split equally when 类型 == \"农村\"\n"
      "  ties by 编码\n"
      "}\n"
      "fund 区级 pool 99.99元 { track 全部 100% split by 总分  ties by 编码 desc }\n");
}

TEST(Funds, ShufflingTheRowsGivesEveryoneTheSameMoney) {
  const char* streets[] = {"城东", "城西", "城南"};
  std::vector<std::string> rows;
  for (int i = 0; i < 30; ++i) {
    // Repeated scores and amounts, so that ties decide fen and top-N places.
    const int score = 55 + (i * 7) % 45;
    rows.push_back("S" + std::to_string(100 + i) + "," + std::to_string(score) + "," + streets[i % 3] + "," +
                   ((i % 4 == 1) ? "农村" : "城市") + "," + std::to_string(1000 + (i % 5) * 250) + ".00");
  }
  const std::string header = "编码,得分,街道,类型,基础额度\n";
  auto join = [&](const std::vector<std::string>& r) {
    std::string csv = header;
    for (const auto& line : r) csv += line + "\n";
    return csv;
  };
  Funds base(permutation_policy(), join(rows));
  ASSERT_TRUE(base.result) << base.errors();
  base.expect_conserved("街道");
  auto by_key = [](const Funds& f) {
    std::map<std::string, std::vector<std::int64_t>> out;
    const auto keys = f.keys();
    for (std::size_t r = 0; r < keys.size(); ++r) {
      for (const FundResult& fund : f.result->funds) {
        for (const TrackResult& t : fund.tracks) out[keys[r]].push_back(t.amounts[r]);
      }
    }
    return out;
  };
  const auto expected = by_key(base);
  std::mt19937 rng(20240601);
  for (int round = 0; round < 5; ++round) {
    std::vector<std::string> shuffled = rows;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    Funds f(permutation_policy(), join(shuffled));
    ASSERT_TRUE(f.result) << f.errors();
    f.expect_conserved("街道");
    EXPECT_EQ(by_key(f), expected) << "round " << round;
  }
  // A few fen were decided by ties: the property is not vacuous.
  std::size_t extra = 0;
  for (const FundResult& fund : base.result->funds) {
    for (const TrackResult& t : fund.tracks) extra += static_cast<std::size_t>(std::count(t.extra_fen.begin(), t.extra_fen.end(), 1));
  }
  EXPECT_GT(extra, 0u);
}

}  // namespace
}  // namespace jixiao::engine
