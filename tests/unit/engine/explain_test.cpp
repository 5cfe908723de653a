// Tests of `jixiao explain`'s engine side: tracing changes no result; every explanation of every
// community of the bundled cases shows eval's own scores, labels and fen; each track's recorded
// split (weights, their sum, whole fen plus a remainder fen) adds up to what the row received.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/parse.hpp"
#include "jixiao/engine/csv.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "jixiao/engine/explain.hpp"
#include "jixiao/engine/loader.hpp"
#include "jixiao/engine/plan.hpp"
#include "jixiao/engine/results.hpp"

namespace jixiao::engine {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// One policy file and one data file from the repository, evaluated with and without tracing.
/// Not movable: the plan points into `checked`.
struct Case {
  SourceSet sources;
  CollectingSink sink;
  std::optional<dsl::CheckedPolicy> checked;
  std::optional<Plan> plan;
  std::optional<Dataset> data;
  std::optional<EvalResult> plain;
  std::optional<EvalResult> traced;

  Case(const std::string& policy, const std::string& csv, const std::string& period = "") {
    const fs::path root(JIXIAO_SOURCE_DIR);
    const SourceId id = sources.add(policy, read(root / policy));
    auto module = dsl::parse(sources, id, sink);
    if (!module) return;
    checked = dsl::check(sources, std::move(*module), {}, sink);
    if (!checked) return;
    plan = build_plan(*checked, sink);
    if (!plan) return;
    data = load_csv(sources, csv, read(root / csv), *checked, LoadOptions{}, sink);
    if (!data) return;
    EvalOptions options;
    options.period = period;
    plain = evaluate(*plan, *data, options, sink);
    for (std::size_t r = 0; r < data->rows; ++r) options.trace_rows.push_back(r);
    traced = evaluate(*plan, *data, options, explain_trace(*checked), sink);
  }
  Case(const Case&) = delete;
  Case& operator=(const Case&) = delete;
};

// `needles` occur in `text` in this order.
void expect_in_order(const std::string& text, const std::vector<std::string>& needles, const std::string& what) {
  std::size_t at = 0;
  for (const std::string& n : needles) {
    const std::size_t found = text.find(n, at);
    ASSERT_NE(found, std::string::npos) << what << ": `" << n << "` not found (in order) in:\n" << text;
    at = found + n.size();
  }
}

void check_case(const std::string& policy, const std::string& csv, const std::string& period = "") {
  Case c(policy, csv, period);
  ASSERT_TRUE(c.plain && c.traced) << policy;
  const dsl::CheckedPolicy& p = *c.checked;
  const EvalResult& r = *c.traced;
  // Tracing records what the engine computed on the traced rows and changes nothing else.
  EXPECT_EQ(r.trace.rows.size(), c.data->rows);
  EXPECT_EQ(format_results(p, *c.data, *c.plain, ResultFormat::kCsv), format_results(p, *c.data, r, ResultFormat::kCsv));

  for (std::size_t fi = 0; fi < r.funds.size(); ++fi) {
    const FundResult& f = r.funds[fi];
    for (std::size_t ti = 0; ti < f.tracks.size(); ++ti) {
      const TrackResult& t = f.tracks[ti];
      // The recorded splits: their weights add up, and each recipient got floor(pool × w / W)
      // plus its remainder fen. A row's weight is recorded where it was in its split.
      auto weight = [&](std::size_t row) -> std::optional<Int128> {
        const RowTrace* traced = r.trace.find(row);
        if (traced == nullptr) return std::nullopt;
        return traced->get_wide(TraceKey::Kind::kShareWeight, static_cast<std::uint32_t>(fi), static_cast<std::uint32_t>(ti));
      };
      std::vector<Int128> sums(t.splits.size(), 0);
      std::vector<std::size_t> counts(t.splits.size(), 0);
      for (const std::size_t row : r.selected) {
        ASSERT_GE(t.split_at(row), 0) << f.name << "." << t.name;
        const auto k = static_cast<std::size_t>(t.split_at(row));
        if (!weight(row)) {
          EXPECT_EQ(t.amounts[row], 0) << f.name << "." << t.name << " row " << row;
          continue;
        }
        sums[k] += *weight(row);
        ++counts[k];
      }
      for (std::size_t k = 0; k < t.splits.size(); ++k) {
        EXPECT_EQ(sums[k], t.splits[k].total_weight) << f.name << "." << t.name << " split " << k;
        EXPECT_EQ(counts[k], t.splits[k].rows) << f.name << "." << t.name << " split " << k;
      }
      for (const std::size_t row : r.selected) {
        if (!weight(row)) continue;
        const TrackSplit& s = t.splits[static_cast<std::size_t>(t.split_at(row))];
        if (s.total_weight == 0) continue;
        const Int128 whole = Int128{s.pool} * *weight(row) / s.total_weight;
        EXPECT_EQ(Int128{t.amounts[row]}, whole + t.extra_fen[row]) << f.name << "." << t.name << " row " << row;
      }
    }
  }

  // The results' 触发规则 cells, read back as a CSV reader would, in the order of r.selected.
  const std::string results = format_results(p, *c.data, r, ResultFormat::kCsv);
  std::vector<std::string> reason_cells;
  {
    CsvReader reader(results);
    std::vector<CsvField> fields;
    bool header = true;
    while (reader.next(fields)) {
      if (!header) reason_cells.emplace_back(fields.back().value);
      header = false;
    }
  }
  ASSERT_EQ(reason_cells.size(), r.selected.size());

  // Every explanation shows eval's numbers.
  for (std::size_t k = 0; k < r.selected.size(); ++k) {
    const std::size_t row = r.selected[k];
    const std::string text = explain_row(p, *c.data, r, row, ExplainFormat::kText);
    const std::string key = c.data->strings.text(static_cast<std::uint32_t>(c.data->key.values[row]));
    std::vector<std::string> needles = {"【" + p.module.subject->subject.name + " " + key + "】"};
    for (const std::uint32_t root : p.module.roots) {
      const dsl::SymbolId s = p.nodes[root].symbol;
      needles.push_back(p.symbol(s).name + "  满分 ");
      needles.push_back("得分 " + decimal::format(r.columns[static_cast<std::uint32_t>(s)][row], decimal::kPlaces, p.precision) + "分");
    }
    for (std::size_t b = 0; b < p.module.bands.size(); ++b) {
      const dsl::SymbolId s = p.find(p.module.bands[b].name.name);
      const auto label = static_cast<std::size_t>(r.columns[static_cast<std::uint32_t>(s)][row]);
      needles.push_back("  " + p.symbol(s).name + ": " + p.domains[p.band_domain[b]].labels[label] + "\n");
    }
    for (const FundResult& f : r.funds) {
      for (const TrackResult& t : f.tracks) needles.push_back("实得: " + decimal::format_yuan_grouped(t.amounts[row]) + "元");
      needles.push_back(f.name + " 合计: " + decimal::format_yuan_grouped(f.totals[row]) + "元");
    }
    // and ends with the same entries as the results' reasons column (markers and veto reasons).
    if (!r.rules.empty()) {
      needles.push_back("六、触发规则");
      const std::vector<std::string> entries = split_reasons(reason_cells[k]);
      if (entries.empty()) needles.push_back("  无\n");
      for (const std::string& e : entries) {
        const auto entry = parse_reason_entry(e);
        ASSERT_TRUE(entry) << e;
        needles.push_back("  " + reason_entry_display(*entry) + "\n");
      }
    }
    expect_in_order(text, needles, policy + " " + key);
    const std::string json = explain_row(p, *c.data, r, row, ExplainFormat::kJson);
    EXPECT_NE(json.find("\"key\": \"" + key + "\""), std::string::npos);
  }
}

TEST(Explain, EveryFeatureRowShowsEvalsNumbers) { check_case("tests/golden/eval/ok_features/policy.jx", "tests/golden/eval/ok_features/data.csv"); }

TEST(Explain, The3xExampleShowsEvalsNumbers) { check_case("examples/3x/policy.jx", "examples/3x/data/communities.csv"); }

TEST(Explain, HistoryShowsEvalsNumbersInEveryPeriod) {
  check_case("tests/golden/eval/ok_history/policy.jx", "tests/golden/eval/ok_history/data.csv");
  check_case("tests/golden/eval/ok_history/policy.jx", "tests/golden/eval/ok_history/data.csv", "2023");
}

TEST(Explain, MissingRulesShowEvalsNumbers) { check_case("tests/golden/eval/ok_missing/policy.jx", "tests/golden/eval/ok_missing/data.csv"); }

// The trace is recorded by whichever thread evaluates a row, chunk by chunk: an explanation does
// not depend on the thread count or the chunk size, and tracing a row records nothing on others.
TEST(Explain, TheTraceIsTheSameWhateverTheThreadsAndChunks) {
  for (const auto& [policy, csv] : std::vector<std::pair<std::string, std::string>>{
           {"examples/3x/policy.jx", "examples/3x/data/communities.csv"},
           {"tests/golden/eval/ok_history/policy.jx", "tests/golden/eval/ok_history/data.csv"}}) {
    Case c(policy, csv);
    ASSERT_TRUE(c.traced) << policy;
    for (const std::size_t row : {c.traced->selected.front(), c.traced->selected.back()}) {
      const std::string expected = explain_row(*c.checked, *c.data, *c.traced, row, ExplainFormat::kJson);
      for (const auto& [threads, chunk] : std::vector<std::pair<std::size_t, std::size_t>>{{2, 3}, {2, 4096}, {1, 1}}) {
        EvalOptions options;
        options.threads = threads;
        options.chunk_rows = chunk;
        options.trace_rows = {row};
        const auto r = evaluate(*c.plan, *c.data, options, explain_trace(*c.checked), c.sink);
        ASSERT_TRUE(r) << policy;
        ASSERT_EQ(r->trace.rows.size(), 1U);
        EXPECT_EQ(explain_row(*c.checked, *c.data, *r, row, ExplainFormat::kJson), expected)
            << policy << " row " << row << ", " << threads << " threads, chunks of " << chunk;
      }
    }
  }
}

TEST(Explain, ARowThatWasNotTracedIsRefused) {
  Case c("tests/golden/eval/ok_features/policy.jx", "tests/golden/eval/ok_features/data.csv");
  ASSERT_TRUE(c.plain);
  EXPECT_THROW(explain_row(*c.checked, *c.data, *c.plain, 0, ExplainFormat::kText), std::logic_error);
  EvalOptions options;
  options.trace_rows = {c.data->rows};
  EXPECT_THROW(evaluate(*c.plan, *c.data, options, explain_trace(*c.checked), c.sink), std::invalid_argument);
}

TEST(Explain, ARemainderFenIsShownWithTheExactShare) {
  Case c("tests/golden/eval/ok_features/policy.jx", "tests/golden/eval/ok_features/data.csv");
  ASSERT_TRUE(c.traced);
  // E01 (row 0): 东街's 绩效 is 600,000元 split by 120,000 : 80,000 : 144,000 (and two zeros);
  // 600000元 × 120000 ÷ 344000 = 209,302.32元 + 24/43 fen, the largest remainder of the group.
  const std::string text = explain_row(*c.checked, *c.data, *c.traced, 0, ExplainFormat::kText);
  EXPECT_NE(text.find("应得: 600,000.00元 × 120,000.00元 ÷ 344,000.00元 = 209,302.32元 + 24/43分\n"), std::string::npos) << text;
  EXPECT_NE(text.find("实得: 209,302.33元 = 整分 209,302.32元 + 补 1分"), std::string::npos) << text;
  const std::string json = explain_row(*c.checked, *c.data, *c.traced, 0, ExplainFormat::kJson);
  EXPECT_NE(json.find("\"exact_share_fen\": \"900000000/43\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"remainder_fen\": \"24/43\""), std::string::npos) << json;
}

}  // namespace
}  // namespace jixiao::engine
