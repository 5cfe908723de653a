// Tests of loading CSV data against a policy: header mapping (by name and by a column map), every
// input type's accepted and rejected cells with their code and line:column, keys, row shapes,
// GBK detection, empty files, and column-map errors.
#include "jixiao/engine/loader.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "../../../engine/src/compile.hpp"
#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/parse.hpp"
#include "jixiao/engine/plan.hpp"

namespace jixiao::engine {
namespace {

using Strings = std::vector<std::string>;
using Values = std::vector<std::int64_t>;

/// A policy checked and one data file loaded. Not movable (the dataset refers to the policy).
struct Load {
  SourceSet sources;
  CollectingSink sink;
  std::optional<dsl::CheckedPolicy> checked;
  std::optional<Dataset> data;
  std::optional<ColumnMap> map;

  explicit Load(const std::string& policy_text) {
    const SourceId id = sources.add("p.jx", policy_text);
    auto module = dsl::parse(sources, id, sink);
    if (module) checked = dsl::check(sources, std::move(*module), {}, sink);
  }
  Load(const std::string& policy_text, std::string_view bytes, const LoadOptions& options = {})
      : Load(policy_text) {
    load(bytes, options);
  }
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;

  void load(std::string_view bytes, const LoadOptions& options = {}) {
    if (checked) data = load_csv(sources, "d.csv", bytes, *checked, options, sink);
  }

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

  /// The hints of the errors, one per line.
  [[nodiscard]] std::string hints() const {
    std::string out;
    for (const Diagnostic& d : sink.items()) {
      if (d.severity == Severity::kError) out += (d.hint ? d.hint->str(Lang::kEn) : std::string("-")) + "\n";
    }
    return out;
  }

  [[nodiscard]] const Column& input(const std::string& name) const {
    const auto& inputs = checked->module.inputs;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].name.name == name) return data->inputs[i];
    }
    ADD_FAILURE() << "no input " << name;
    static const Column kNone;
    return kNone;
  }

  /// A text input (or the key when `name` is empty) as its texts.
  [[nodiscard]] Strings texts(const std::string& name) const {
    const Column& c = name.empty() ? data->key : input(name);
    Strings out;
    for (const std::int64_t v : c.values) out.push_back(data->strings.text(static_cast<std::uint32_t>(v)));
    return out;
  }

  /// A list input: each row's items joined by "/".
  [[nodiscard]] Strings lists(const std::string& name) const {
    const Column& c = input(name);
    Strings out;
    for (std::size_t r = 0; r + 1 < c.list_offsets.size(); ++r) {
      std::string row;
      for (std::uint32_t k = c.list_offsets[r]; k < c.list_offsets[r + 1]; ++k) {
        row += (row.empty() ? "" : "/") + std::string(data->strings.text(c.list_items[k]));
      }
      out.push_back(row);
    }
    return out;
  }
};

std::string policy(const std::string& inputs) {
  return "policy \"加载\" version \"1\"\nsubject 社区 key 编码\ninput { " + inputs +
         " }\nindicator 总分 { 工作 100% = 50 }\n";
}

/// Data with one input column `值`: row i is `R<i+1>,"<cell>"` (quoted, so the value starts at
/// column 5 of its line, and commas are allowed).
std::string one_column(const Strings& cells) {
  std::string csv = "编码,值\n";
  for (std::size_t i = 0; i < cells.size(); ++i) csv += "R" + std::to_string(i + 1) + ",\"" + cells[i] + "\"\n";
  return csv;
}

// ---- headers ----

TEST(Loader, MapsHeadersByNameInAnyOrderAndIgnoresExtraColumns) {
  Load l(policy("得分 : score 0..100  街道 : text"),
         "备注, 街道 ,编码,得分,多余\n"
         "x,城东,A1,85,1\n"
         "y,城西,A2,90.5,2\n");
  ASSERT_TRUE(l.data) << l.errors();
  EXPECT_EQ(l.data->rows, 2u);
  EXPECT_EQ(l.texts(""), (Strings{"A1", "A2"}));
  EXPECT_EQ(l.texts("街道"), (Strings{"城东", "城西"}));
  EXPECT_EQ(l.input("得分").values, (Values{85'000'000, 90'500'000}));
  EXPECT_EQ(l.data->encoding, "UTF-8");
  EXPECT_EQ(l.data->path, "d.csv");
  // Byte offsets of the rows in the decoded text.
  EXPECT_EQ(l.data->row_offsets, (std::vector<std::uint32_t>{37, 54}));
}

TEST(Loader, MapsHeadersThroughAColumnMap) {
  Load l(policy("覆盖率 : percent  得分 : score 0..100"));
  ASSERT_TRUE(l.checked) << l.errors();
  LoadOptions options;
  options.column_map.columns = {{"覆盖率", "覆盖率(%)"}, {"编码", "社区编号"}};
  l.load("社区编号,覆盖率(%),得分,覆盖率\nA1,85%,70,1\n", options);
  ASSERT_TRUE(l.data) << l.errors();
  // The mapped header wins over a column that happens to have the input's own name.
  EXPECT_EQ(l.input("覆盖率").values, (Values{85'000'000}));
  EXPECT_EQ(l.input("得分").values, (Values{70'000'000}));
  EXPECT_EQ(l.texts(""), (Strings{"A1"}));
}

TEST(Loader, MissingColumnsAreReportedAtTheHeader) {
  Load l(policy("覆盖率 : percent  得分 : score 0..100"), "编码,覆盖律,分数\nA1,85,70\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "missing-column d.csv:1:1 `d.csv` has no column `覆盖率` for input `覆盖率`\n"
            "missing-column d.csv:1:1 `d.csv` has no column `得分` for input `得分`\n");
  EXPECT_EQ(l.hints(),
            "did you mean `覆盖律`? map it with a column map (`--columns map.toml`) or rename the header\n"
            "the header has: `编码`, `覆盖律`, `分数`\n");
}

TEST(Loader, MissingMappedColumnSaysItCameFromTheMap) {
  Load l(policy("得分 : score 0..100"));
  LoadOptions options;
  options.column_map.columns = {{"得分", "综合得分"}};
  l.load("编码,得分\nA1,70\n", options);
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(), "missing-column d.csv:1:1 `d.csv` has no column `综合得分` for input `得分` (named in the column map)\n");
}

TEST(Loader, NeededColumnNamedTwiceIsAnError) {
  Load l(policy("得分 : score 0..100"), "编码,得分,备注,得分,备注\nA1,70,x,80,y\n");
  EXPECT_FALSE(l.data);
  // Only the needed column counts; 备注 is not read, so naming it twice is fine.
  EXPECT_EQ(l.errors(), "duplicate-column d.csv:1:10 the header names column `得分` twice\n");
}

// ---- cells: accepted forms ----

TEST(LoaderCells, Percent) {
  Load l(policy("值 : percent"), one_column({"85", "85.5", "85%", "100%", " 0 ", "99.999999", " 7.5% "}));
  ASSERT_TRUE(l.data) << l.errors();
  EXPECT_EQ(l.input("值").values, (Values{85'000'000, 85'500'000, 85'000'000, 100'000'000, 0, 99'999'999, 7'500'000}));
}

TEST(LoaderCells, ScoreNumberAndCount) {
  Load l(policy("分 : score 0..100  数 : number  次 : count  件 : count 0..50"),
         "编码,分,数,次,件\n"
         "A,0,-3,0,50\n"
         "B,100,12.5,3,0\n"
         "C, 59.5 ,-0.000001,3.0,7\n");
  ASSERT_TRUE(l.data) << l.errors();
  EXPECT_EQ(l.input("分").values, (Values{0, 100'000'000, 59'500'000}));
  EXPECT_EQ(l.input("数").values, (Values{-3'000'000, 12'500'000, -1}));
  EXPECT_EQ(l.input("次").values, (Values{0, 3'000'000, 3'000'000}));
  EXPECT_EQ(l.input("件").values, (Values{50'000'000, 0, 7'000'000}));
}

TEST(LoaderCells, MoneyWithThousandsSeparators) {
  Load l(policy("值 : money 0..2000000"),
         one_column({"12345.67", "1,234.50", "1,234,567.89", "0", " 12 ", "2000000", "999,999", "0.01"}));
  ASSERT_TRUE(l.data) << l.errors();
  EXPECT_EQ(l.input("值").values, (Values{1'234'567, 123'450, 123'456'789, 0, 1'200, 200'000'000, 99'999'900, 1}));
}

TEST(LoaderCells, BoolWords) {
  Load l(policy("值 : bool"),
         one_column({"是", "否", "true", "FALSE", "1", "0", "Y", "n", "yes", "No", " 是 "}));
  ASSERT_TRUE(l.data) << l.errors();
  EXPECT_EQ(l.input("值").values, (Values{1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}));
}

TEST(LoaderCells, OneOfAndText) {
  Load l(policy("类型 : one_of { \"城市\", \"农村\" }  街道 : text"),
         "编码,类型,街道\nA, 农村 , 城东 \nB,城市,\nC,农村,\"城, 东\"\n");
  ASSERT_TRUE(l.data) << l.errors();
  EXPECT_EQ(l.input("类型").values, (Values{1, 0, 1}));
  EXPECT_EQ(l.texts("街道"), (Strings{"城东", "", "城, 东"}));
}

TEST(LoaderCells, ListSeparators) {
  Load l(policy("值 : list<text>"),
         one_column({"挪用资金;违规发包", "挪用资金；违规发包", "挪用资金、违规发包", "挪用资金|违规发包",
                     " 挪用资金 ; 违规发包 ", "", "甲;;乙;", "单项"}));
  ASSERT_TRUE(l.data) << l.errors();
  EXPECT_EQ(l.lists("值"), (Strings{"挪用资金/违规发包", "挪用资金/违规发包", "挪用资金/违规发包", "挪用资金/违规发包",
                                   "挪用资金/违规发包", "", "甲/乙", "单项"}));
  // Equal items are interned once.
  const Column& c = l.input("值");
  EXPECT_EQ(c.list_items[0], c.list_items[2]);
  EXPECT_EQ(c.list_offsets, (std::vector<std::uint32_t>{0, 2, 4, 6, 8, 10, 10, 12, 13}));
}

// An empty item of a list of numbers may be a lost score (the mean of `80;;90` would be 85):
// an error naming the item, where a text list drops it.
TEST(LoaderCells, EmptyItemOfANumberList) {
  Load l(policy("值 : list<score>"), one_column({"80;90", "80;;90", "80;90;", ";", "", " 80 ; 90 "}));
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "bad-cell d.csv:3:5 row 2, column `值`: item 2 of `80;;90` is empty: a value between two separators is missing "
            "(write it, or remove the extra separator)\n"
            "bad-cell d.csv:4:5 row 3, column `值`: item 3 of `80;90;` is empty: a value between two separators is missing "
            "(write it, or remove the extra separator)\n"
            "bad-cell d.csv:5:5 row 4, column `值`: item 1 of `;` is empty: a value between two separators is missing "
            "(write it, or remove the extra separator)\n");
}

// ---- cells: rejected forms ----

TEST(LoaderCells, RejectedPercents) {
  Load l(policy("值 : percent"), one_column({"八十", "101", "-1", "", "85%%", "1.0000001", "100.5%"}));
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "bad-cell d.csv:2:5 row 1, column `值`: `八十` is not a number\n"
            "out-of-range d.csv:3:5 row 2, column `值`: `101` is outside the declared range\n"
            "out-of-range d.csv:4:5 row 3, column `值`: `-1` is outside the declared range\n"
            "bad-cell d.csv:5:5 row 4, column `值`: the cell is empty\n"
            "bad-cell d.csv:6:5 row 5, column `值`: `85%%` is not a number\n"
            "bad-cell d.csv:7:5 row 6, column `值`: `1.0000001` has more than 6 decimal places\n"
            "out-of-range d.csv:8:5 row 7, column `值`: `100.5%` is outside the declared range\n");
  EXPECT_EQ(l.hints().substr(0, l.hints().find('\n')),
            "expected a percentage from 0 to 100, e.g. `85` or `85.5%`");
}

TEST(LoaderCells, RejectedNumbersAndCounts) {
  Load l(policy("分 : score 0..100  数 : number  次 : count"),
         "编码,分,数,次\n"
         "A,100.5,1e3,2.5\n"
         "B,-0.1,99999999999999,-1\n"
         "C,,abc,\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "out-of-range d.csv:2:3 row 1, column `分`: `100.5` is outside the declared range\n"
            "bad-cell d.csv:2:9 row 1, column `数`: `1e3` is not a number\n"
            "bad-cell d.csv:2:13 row 1, column `次`: `2.5` is not a whole number\n"
            "out-of-range d.csv:3:3 row 2, column `分`: `-0.1` is outside the declared range\n"
            "bad-cell d.csv:3:8 row 2, column `数`: `99999999999999` is too large (the largest number is 9223372036854.775807)\n"
            "out-of-range d.csv:3:23 row 2, column `次`: `-1` is outside the declared range\n"
            "bad-cell d.csv:4:3 row 3, column `分`: the cell is empty\n"
            "bad-cell d.csv:4:4 row 3, column `数`: `abc` is not a number\n"
            "bad-cell d.csv:4:8 row 3, column `次`: the cell is empty\n");
  EXPECT_EQ(l.hints(),
            "expected a score from 0 to 100, e.g. `85` or `85.5`\n"
            "expected a number, e.g. `12.5`\n"
            "expected a whole number of 0 or more, e.g. `3`\n"
            "expected a score from 0 to 100, e.g. `85` or `85.5`\n"
            "expected a number, e.g. `12.5`\n"
            "expected a whole number of 0 or more, e.g. `3`\n"
            "expected a score from 0 to 100, e.g. `85` or `85.5`\n"
            "expected a number, e.g. `12.5`\n"
            "expected a whole number of 0 or more, e.g. `3`\n");
}

TEST(LoaderCells, RejectedMoney) {
  Load l(policy("值 : money 0..2000000"),
         one_column({"12.345", "1,23.00", ",123", "2000000.01", "-1", "", "12元", "1,234,56"}));
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "bad-cell d.csv:2:5 row 1, column `值`: `12.345` has a fraction of a fen\n"
            "bad-cell d.csv:3:5 row 2, column `值`: `1,23.00` is not a number\n"
            "bad-cell d.csv:4:5 row 3, column `值`: `,123` is not a number\n"
            "out-of-range d.csv:5:5 row 4, column `值`: `2000000.01` is outside the declared range\n"
            "out-of-range d.csv:6:5 row 5, column `值`: `-1` is outside the declared range\n"
            "bad-cell d.csv:7:5 row 6, column `值`: the cell is empty\n"
            "bad-cell d.csv:8:5 row 7, column `值`: `12元` is not a number\n"
            "bad-cell d.csv:9:5 row 8, column `值`: `1,234,56` is not a number\n");
  EXPECT_EQ(l.hints().substr(0, l.hints().find('\n')),
            "expected an amount in 元 from 0.00元 to 2000000.00元, e.g. `12345.67`");
}

TEST(LoaderCells, MoneyLeadingGroupOfMoreThanThreeDigitsIsRejected) {
  Load l(policy("值 : money"), one_column({"1234,567"}));
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(), "bad-cell d.csv:2:5 row 1, column `值`: `1234,567` is not a number\n");
}

TEST(LoaderCells, RejectedBoolAndOneOf) {
  Load l(policy("达标 : bool  类型 : one_of { \"城市\", \"农村\" }"),
         "编码,达标,类型\nA,也许,乡镇\nB,,城巿\nC,是否,\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "bad-cell d.csv:2:3 row 1, column `达标`: `也许` is not yes or no\n"
            "bad-cell d.csv:2:6 row 1, column `类型`: `乡镇` is not one of the options\n"
            "bad-cell d.csv:3:3 row 2, column `达标`: the cell is empty\n"
            "bad-cell d.csv:3:4 row 2, column `类型`: `城巿` is not one of the options (did you mean `城市`?)\n"
            "bad-cell d.csv:4:3 row 3, column `达标`: `是否` is not yes or no\n"
            "bad-cell d.csv:4:6 row 3, column `类型`: the cell is empty\n");
  EXPECT_EQ(l.hints(),
            "expected 是 or 否 (also true/false, 1/0, Y/N)\n"
            "expected one of `城市`, `农村`\n"
            "expected 是 or 否 (also true/false, 1/0, Y/N)\n"
            "expected one of `城市`, `农村`\n"
            "expected 是 or 否 (also true/false, 1/0, Y/N)\n"
            "expected one of `城市`, `农村`\n");
}

TEST(LoaderCells, ColumnCountsCodePointsAfterAQuote) {
  // The quoted cell's value starts after the quote; columns count characters, not bytes.
  Load l(policy("街道 : text  值 : score 0..100"), "编码,街道,值\n城东一,\"城东, 街道\",\"九十\"\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(), "bad-cell d.csv:2:15 row 1, column `值`: `九十` is not a number\n");
}

TEST(LoaderCells, ErrorsNameTheMappedHeader) {
  Load l(policy("值 : score 0..100"));
  LoadOptions options;
  options.column_map.columns = {{"值", "得分(分)"}};
  l.load("编码,得分(分)\nA,高\n", options);
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(), "bad-cell d.csv:2:3 row 1, column `得分(分)`: `高` is not a number\n");
}

// ---- keys and rows ----

TEST(Loader, DuplicateKeyHasANoteAtTheFirstRow) {
  Load l(policy("得分 : score 0..100"), "编码,得分\nA1,1\nA2,2\n A1 ,3\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "duplicate-key d.csv:4:1 row 3: key `A1` already appears in row 1\n"
            "  note d.csv:2:1 row 1 has the same key\n");
}

TEST(Loader, DuplicateKeyNoteAfterARowWithTheWrongFieldCount) {
  Load l(policy("得分 : score 0..100"), "编码,得分\nA1,1\nA2\nB,2\nB,3\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "data-syntax d.csv:3:1 row 2 has 1 fields, the header has 2\n"
            "duplicate-key d.csv:5:1 row 4: key `B` already appears in row 3\n"
            "  note d.csv:4:1 row 3 has the same key\n");
}

TEST(Loader, EmptyKeyIsABadCell) {
  Load l(policy("得分 : score 0..100"), "编码,得分\n,1\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(), "bad-cell d.csv:2:1 row 1, column `编码`: the key is empty\n");
}

TEST(Loader, RowWithTheWrongFieldCount) {
  Load l(policy("得分 : score 0..100  街道 : text"), "编码,得分,街道\nA1,1,城东\nA2,2\nA3,3,城西,多余\nA4,4,城北\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "data-syntax d.csv:3:1 row 2 has 2 fields, the header has 3\n"
            "data-syntax d.csv:4:1 row 3 has 4 fields, the header has 3\n");
  EXPECT_EQ(l.hints(),
            "a cell is missing; empty cells still need their comma\n"
            "a cell has an unquoted comma; put such cells in quotes\n");
}

TEST(Loader, CsvSyntaxErrorStopsTheLoad) {
  Load l(policy("得分 : score 0..100"), "编码,得分\nA1,1\nA2,\"2\"x\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(), "data-syntax d.csv:3:7 unexpected `x` after the closing quote\n");
}

TEST(Loader, EmptyFile) {
  Load l(policy("得分 : score 0..100"), "");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(), "missing-column d.csv:1:1 `d.csv` is empty: it has no header row\n");
  EXPECT_EQ(l.hints(), "the first row names the columns, e.g. `编码,...`\n");
}

TEST(Loader, HeaderOnlyIsAnError) {
  LoadOptions threads;  // the same with a parallel load of the (empty) lines after the header
  threads.threads = 3;
  threads.parallel_min_bytes = 1;
  for (const char* text : {"编码,得分\n", "编码,得分", "编码,得分\r\n\r\n\n", "编码,得分\n\n\n\n\n\n\n\n"}) {
    Load l(policy("得分 : score 0..100"), text, threads);
    EXPECT_FALSE(l.data);
    EXPECT_EQ(l.errors(), "no-rows d.csv:1:1 `d.csv` has a header but no rows: there is nothing to evaluate\n");
    EXPECT_EQ(l.hints(), "add one row per `社区` under the header, or check that this is the right file\n");
  }
}

// ---- parallel loading ----

// A policy with an input of every kind that stores something special: texts (interned), an
// optional number and an optional text (missing flags), text and number lists (offsets, items),
// one-of labels, booleans, money; and periods (chained keys, prev_row).
std::string every_kind_policy() {
  return "policy \"并行\" version \"1\"\nsubject 社区 key 编码 period 年度\n"
         "input { 街道 : text\n 得分 : score 0..100\n 备用 : number optional\n 备注 : text optional\n"
         " 事项 : list<text>\n 分数 : list<number>\n 类型 : one_of { \"城市\", \"农村\" }\n 达标 : bool\n 经费 : money }\n"
         "indicator 总分 { 工作 100% = 得分 }\n";
}

// `rows` communities over two years; quoted cells with commas and line breaks, CRLF line ends on
// some rows, empty lines, texts that repeat (streets) and texts seen first late in the file.
std::string every_kind_data(std::size_t rows) {
  std::string csv = "年度,编码,街道,得分,备用,备注,事项,分数,类型,达标,经费\n";
  for (const char* year : {"2023", "2024"}) {
    for (std::size_t i = 0; i < rows; ++i) {
      const std::string n = std::to_string(i);
      csv += std::string(year) + ",C" + n + ",街道" + std::to_string(i % 7) + "," + std::to_string(i % 100) + "." +
             std::to_string(i % 10) + "," + (i % 3 == 0 ? "" : std::to_string(i % 13)) + "," +
             (i % 4 == 0 ? "" : i % 5 == 0 ? "\"第一行\n第二行, 含逗号\"" : "备注" + std::to_string(i % 50)) + "," +
             (i % 6 == 0 ? "" : "甲;乙" + std::to_string(i % 9)) + "," + (i % 2 == 0 ? "1;2.5" : "") + "," +
             (i % 2 == 0 ? "城市" : "农村") + "," + (i % 3 == 0 ? "是" : "否") + "," + "\"1,234." + std::to_string(i % 100 + 100).substr(1) + "\"" +
             (i % 11 == 0 ? "\r\n" : "\n");
      if (i % 17 == 0) csv += "\n";
    }
  }
  return csv;
}

// Everything a dataset holds, as text, to compare two loads.
std::string dump(const Dataset& d) {
  std::string out = "rows " + std::to_string(d.rows) + "\n";
  auto values = [&out](const char* what, const auto& v) {
    out += what;
    for (const auto x : v) out += " " + std::to_string(x);
    out += "\n";
  };
  for (std::uint32_t id = 0; id < d.strings.size(); ++id) out += "text " + std::to_string(id) + " " + std::string(d.strings.text(id)) + "\n";
  values("key", d.key.values);
  values("period", d.period.values);
  values("period_index", d.period_index);
  values("prev_row", d.prev_row);
  values("row_offsets", d.row_offsets);
  for (const auto& p : d.periods) out += "period " + p + "\n";
  for (const Column& c : d.inputs) {
    values("values", c.values);
    out += "power " + std::to_string(c.power) + "\n";
    values("mantissas", c.mantissas);
    values("missing", c.missing);
    values("list_offsets", c.list_offsets);
    values("list_items", c.list_items);
    values("list_numbers", c.list_numbers);
  }
  return out;
}

TEST(LoaderParallel, AnyThreadCountGivesTheSameDataset) {
  const std::string csv = every_kind_data(300);
  Load serial(every_kind_policy(), csv);
  ASSERT_TRUE(serial.data) << serial.errors();
  ASSERT_EQ(serial.data->rows, 600u);
  const std::string expected = dump(*serial.data);
  for (const std::size_t threads : {2UL, 3UL, 4UL, 7UL, 64UL}) {
    LoadOptions options;
    options.threads = threads;
    options.parallel_min_bytes = 1;  // every part as small as the thread count makes it
    Load parallel(every_kind_policy(), csv, options);
    ASSERT_TRUE(parallel.data) << parallel.errors();
    EXPECT_EQ(dump(*parallel.data), expected) << threads << " threads";
  }
}

TEST(LoaderParallel, SmallDataIsReadByOneThread) {
  // Below parallel_min_bytes a part would not pay for its thread; the result is the same anyway.
  const std::string csv = every_kind_data(20);
  LoadOptions options;
  options.threads = 4;
  Load parallel(every_kind_policy(), csv, options);
  Load serial(every_kind_policy(), csv);
  ASSERT_TRUE(parallel.data) << parallel.errors();
  EXPECT_EQ(dump(*parallel.data), dump(*serial.data));
}

TEST(LoaderParallel, ErrorsAreTheSerialOnesWhereverTheyAre) {
  const std::string good = every_kind_data(200);
  // A bad cell near the end, a duplicate key whose first row is in another part, a row with a
  // missing field, and a stray quote: each reported as a serial load reports it.
  std::vector<std::string> broken;
  {
    std::string csv = good;
    const std::size_t at = csv.rfind("城市");
    broken.push_back(csv.replace(at, std::string("城市").size(), "城镇"));
  }
  broken.push_back(good + "2024,C3,街道1,50,,,,,城市,是,1\n");
  broken.push_back(good + "2024,C900,街道1,50,,,,城市,是,1\n");
  {
    std::string csv = good;
    const std::size_t at = csv.find(",C150,");
    broken.push_back(csv.insert(at + 5, "\""));
  }
  for (const std::string& csv : broken) {
    Load serial(every_kind_policy(), csv);
    ASSERT_FALSE(serial.data);
    ASSERT_FALSE(serial.errors().empty());
    for (const std::size_t threads : {2UL, 5UL}) {
      LoadOptions options;
      options.threads = threads;
      options.parallel_min_bytes = 1;
      Load parallel(every_kind_policy(), csv, options);
      EXPECT_FALSE(parallel.data);
      EXPECT_EQ(parallel.errors(), serial.errors()) << threads << " threads";
    }
  }
}

// ---- narrow columns ----

/// Options loading the inputs `names` of `l`'s policy narrow (LoadOptions::narrow), on `threads`
/// threads with parts as small as they come.
LoadOptions narrow_options(const Load& l, const Strings& names, std::size_t threads = 1) {
  LoadOptions options;
  const auto& inputs = l.checked->module.inputs;
  options.narrow.assign(inputs.size(), false);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    options.narrow[i] = std::find(names.begin(), names.end(), inputs[i].name.name) != names.end();
  }
  options.threads = threads;
  options.parallel_min_bytes = 1;
  return options;
}

/// Each row's value of `c`, narrow or wide.
Values values_of(const Column& c) {
  Values out;
  for (std::size_t r = 0; r < (c.narrow() ? c.mantissas.size() : c.values.size()); ++r) out.push_back(c.value(r));
  return out;
}

/// Input `值` of kind `kind` loaded narrow from `cells`: checks that its values are those of a wide
/// load, and returns the narrow load's column.
Column narrow_one(const std::string& kind, const Strings& cells) {
  Load wide(policy("值 : " + kind), one_column(cells));
  EXPECT_TRUE(wide.data) << wide.errors();
  if (!wide.data) return {};
  EXPECT_FALSE(wide.input("值").narrow());
  Load narrow(policy("值 : " + kind));
  narrow.load(one_column(cells), narrow_options(narrow, {"值"}));
  EXPECT_TRUE(narrow.data) << narrow.errors();
  if (!narrow.data) return {};
  const Column& c = narrow.input("值");
  EXPECT_EQ(values_of(c), wide.input("值").values);
  EXPECT_EQ(c.missing, wide.input("值").missing);
  return c;
}

TEST(LoaderNarrow, WholeNumbersTakeTheLargestPower) {
  const Column c = narrow_one("score 0..100", {"80", "90", "0", "100"});
  EXPECT_EQ(c.power, 6);
  EXPECT_EQ(c.mantissas, (std::vector<std::int32_t>{80, 90, 0, 100}));
  EXPECT_TRUE(c.values.empty());
  const Column count = narrow_one("count", {"3", "0", "12"});
  EXPECT_EQ(count.power, 6);
  const Column percent = narrow_one("percent", {"90.4%", "12"});
  EXPECT_EQ(percent.power, 5);
  EXPECT_EQ(percent.mantissas, (std::vector<std::int32_t>{904, 120}));
}

TEST(LoaderNarrow, ACellWithMoreDecimalsLowersThePowerOfTheRowsBefore) {
  const Column c = narrow_one("number", {"80", "90.5", "70.25", "-3.125", "4"});
  EXPECT_EQ(c.power, 3);
  EXPECT_EQ(c.mantissas, (std::vector<std::int32_t>{80000, 90500, 70250, -3125, 4000}));
  const Column finest = narrow_one("number", {"1", "0.000001"});
  EXPECT_EQ(finest.power, 0);
  EXPECT_EQ(finest.mantissas, (std::vector<std::int32_t>{1000000, 1}));
}

TEST(LoaderNarrow, MoneyIsInFenAndWholeYuanAtMost) {
  const Column c = narrow_one("money", {"100", "1,234", "12.5", "-3"});
  EXPECT_EQ(c.power, 1);  // 12.5 yuan is 125 tens of fen
  EXPECT_EQ(c.mantissas, (std::vector<std::int32_t>{1000, 12340, 125, -30}));
  const Column whole = narrow_one("money", {"199000", "0"});
  EXPECT_EQ(whole.power, 2);
  EXPECT_EQ(whole.mantissas, (std::vector<std::int32_t>{199000, 0}));
  const Column fen = narrow_one("money", {"0.01", "21474836.47"});
  EXPECT_EQ(fen.power, 0);
  EXPECT_EQ(fen.mantissas, (std::vector<std::int32_t>{1, 2147483647}));
}

TEST(LoaderNarrow, AValueTooLargeForAnInt32AtItsPowerWidensTheColumn) {
  // The extremes of an int32 fit; one more does not.
  const Column edges = narrow_one("number", {"2147483647", "-2147483648"});
  EXPECT_EQ(edges.power, 6);
  EXPECT_EQ(edges.mantissas, (std::vector<std::int32_t>{2147483647, -2147483648}));
  for (const Strings& cells : {Strings{"1", "2147483648"}, Strings{"-2147483649", "1"}, Strings{"5", "3000000000.5"},
                               // Lowering the power for the last cell makes 3000 too large at it.
                               Strings{"3000", "0.000001"}, Strings{"0.000001", "3000"}}) {
    const Column c = narrow_one("number", cells);
    EXPECT_FALSE(c.narrow()) << cells[0] << ", " << cells[1];
    EXPECT_TRUE(c.mantissas.empty());
  }
  const Column money = narrow_one("money", {"0.01", "21474836.48"});
  EXPECT_FALSE(money.narrow());
}

TEST(LoaderNarrow, MissingAndBadCells) {
  const Column c = narrow_one("number optional", {"", "1.5", "", "-2"});
  EXPECT_EQ(c.power, 5);
  EXPECT_EQ(c.mantissas, (std::vector<std::int32_t>{0, 15, 0, -20}));
  EXPECT_EQ(c.missing, (Values{1, 0, 1, 0}));
  // Bad cells are reported as in a wide load.
  Load wide(policy("值 : score 0..100"), one_column({"80", "abc", "101"}));
  Load narrow(policy("值 : score 0..100"));
  narrow.load(one_column({"80", "abc", "101"}), narrow_options(narrow, {"值"}));
  EXPECT_FALSE(narrow.data);
  EXPECT_FALSE(narrow.errors().empty());
  EXPECT_EQ(narrow.errors(), wide.errors());
}

TEST(LoaderNarrow, OnlyNumbersAndMoneyAreNarrow) {
  const std::string p = policy("名 : text  是否 : bool  类 : one_of { \"甲\", \"乙\" }  项 : list<number>  分 : number");
  const std::string csv = "编码,名,是否,类,项,分\nA,甲,是,乙,1;2,3\nB,乙,否,甲,,4.5\n";
  Load l(p);
  l.load(csv, narrow_options(l, {"名", "是否", "类", "项", "分"}));
  ASSERT_TRUE(l.data) << l.errors();
  for (const char* name : {"名", "是否", "类", "项"}) {
    EXPECT_FALSE(l.input(name).narrow()) << name;
    EXPECT_EQ(l.input(name).values.size(), 2u) << name;
  }
  EXPECT_EQ(l.input("分").power, 5);
  EXPECT_EQ(l.input("项").list_numbers, (Values{1000000, 2000000}));
}

// Rows of five number columns and one of money: 整数 whole numbers; 先粗 gains one decimal at
// row 100 and two at row 300, 先细 two at row 100 and one at row 300 (so that in a load of two
// parts, either part has the finer power); 变宽 a value too large for an int32 at row 350, 合宽
// whole numbers that a decimal at row 300 makes too large; 金额 whole yuan, then fen at row 320.
std::string narrow_data(std::size_t rows) {
  std::string csv = "编码,整数,先粗,先细,变宽,合宽,金额\n";
  for (std::size_t i = 0; i < rows; ++i) {
    const std::string n = std::to_string(i);
    const std::string whole = std::to_string(static_cast<std::int64_t>(i % 50) - 20);
    csv += "C" + n + "," + whole + "," + (i == 100 ? "1.5" : i == 300 ? "2.25" : whole) + "," +
           (i == 100 ? "2.25" : i == 300 ? "1.5" : whole) + "," + (i == 350 ? "3000000000" : whole) + "," +
           (i == 300 ? "0.5" : i == 10 ? "2000000000" : whole) + "," + (i == 320 ? "\"1,234.56\"" : n) + "\n";
  }
  return csv;
}

TEST(LoaderNarrow, PartsOfAParallelLoadGiveTheSerialColumns) {
  const std::string p = policy("整数 : number  先粗 : number  先细 : number  变宽 : number  合宽 : number  金额 : money");
  const Strings all{"整数", "先粗", "先细", "变宽", "合宽", "金额"};
  const std::string csv = narrow_data(400);
  Load wide(p, csv);
  ASSERT_TRUE(wide.data) << wide.errors();
  Load serial(p);
  serial.load(csv, narrow_options(serial, all));
  ASSERT_TRUE(serial.data) << serial.errors();
  for (const std::string& name : all) EXPECT_EQ(values_of(serial.input(name)), wide.input(name).values) << name;
  EXPECT_EQ(serial.input("整数").power, 6);
  EXPECT_EQ(serial.input("先粗").power, 4);
  EXPECT_EQ(serial.input("先细").power, 4);
  EXPECT_FALSE(serial.input("变宽").narrow());
  EXPECT_FALSE(serial.input("合宽").narrow());
  EXPECT_EQ(serial.input("金额").power, 0);
  const std::string expected = dump(*serial.data);
  for (const std::size_t threads : {2UL, 3UL, 7UL}) {
    Load parallel(p);
    parallel.load(csv, narrow_options(parallel, all, threads));
    ASSERT_TRUE(parallel.data) << parallel.errors();
    EXPECT_EQ(dump(*parallel.data), expected) << threads << " threads";
  }
}

TEST(LoaderNarrow, EveryKindLoadedInParallelIsTheSerialDataset) {
  const std::string csv = every_kind_data(300);
  const Strings numbers{"得分", "备用", "经费", "街道", "事项", "分数"};
  Load serial(every_kind_policy());
  serial.load(csv, narrow_options(serial, numbers));
  ASSERT_TRUE(serial.data) << serial.errors();
  EXPECT_TRUE(serial.input("得分").narrow());
  EXPECT_TRUE(serial.input("备用").narrow());
  EXPECT_TRUE(serial.input("经费").narrow());
  for (const std::size_t threads : {2UL, 5UL}) {
    Load parallel(every_kind_policy());
    parallel.load(csv, narrow_options(parallel, numbers, threads));
    ASSERT_TRUE(parallel.data) << parallel.errors();
    EXPECT_EQ(dump(*parallel.data), dump(*serial.data)) << threads << " threads";
  }
}

// ---- mapped files ----

// `bytes` written to a temporary file and mapped (FileBytes::map).
FileBytes mapped(const std::string& bytes) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / ("jixiao-mapped-" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path, std::ios::binary) << bytes;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  auto file = FileBytes::map(fd, bytes.size());
  ::close(fd);
  std::filesystem::remove(path);  // the mapping keeps the bytes
  if (!file) ADD_FAILURE() << "cannot map " << path;
  return file ? std::move(*file) : FileBytes(bytes);
}

TEST(FileBytes, PagesLetGoAreReadAgain) {
  std::string bytes;
  for (int i = 0; bytes.size() < (1U << 20); ++i) bytes += std::to_string(i) + ",";
  const FileBytes file = mapped(bytes);
  ASSERT_TRUE(file.mapped());
  ASSERT_EQ(file.view(), bytes);
  file.release(file.view().substr(5000, 600000));
  file.release(file.view());
  EXPECT_EQ(file.view(), bytes);
}

// Data larger than the pieces whose pages the loader lets go as it reads, with and without
// threads: the same dataset as read from a string, and the same messages (which quote rows whose
// pages were let go).
TEST(LoaderMapped, LetsPagesGoAndReadsTheSame) {
  const std::string csv = every_kind_data(30000);
  ASSERT_GT(csv.size(), std::size_t{3} << 20);
  Load from_string(every_kind_policy(), csv);
  ASSERT_TRUE(from_string.data) << from_string.errors();
  std::string broken = csv;
  broken.replace(broken.rfind("城市"), std::string("城市").size(), "城镇");
  broken.replace(broken.find(",C150,") + 5, 0, "9,");
  Load broken_from_string(every_kind_policy(), broken);
  ASSERT_EQ(broken_from_string.errors().empty(), false);
  for (const std::size_t threads : {1UL, 2UL}) {
    LoadOptions options;
    options.threads = threads;
    Load l(every_kind_policy());
    l.data = load_data(l.sources, "d.csv", mapped("\xEF\xBB\xBF" + csv), *l.checked, options, l.sink);
    ASSERT_TRUE(l.data) << l.errors();
    EXPECT_EQ(dump(*l.data), dump(*from_string.data)) << threads << " threads";
    Load b(every_kind_policy());
    b.data = load_data(b.sources, "d.csv", mapped(broken), *b.checked, options, b.sink);
    EXPECT_FALSE(b.data);
    EXPECT_EQ(b.errors(), broken_from_string.errors()) << threads << " threads";
  }
}

// ---- encodings ----

// "编码,街道,得分\r\n东一,城东街道,85\r\n西二,城西街道,90.5\r\n" in GBK, as Excel on Chinese Windows
// saves it.
constexpr std::string_view kGbkCsv =
    "\xB1\xE0\xC2\xEB,\xBD\xD6\xB5\xC0,\xB5\xC3\xB7\xD6\r\n"
    "\xB6\xAB\xD2\xBB,\xB3\xC7\xB6\xAB\xBD\xD6\xB5\xC0,85\r\n"
    "\xCE\xF7\xB6\xFE,\xB3\xC7\xCE\xF7\xBD\xD6\xB5\xC0,90.5\r\n";

TEST(LoaderEncoding, GbkIsDetected) {
  Load l(policy("街道 : text  得分 : score 0..100"), kGbkCsv);
  ASSERT_TRUE(l.data) << l.errors();
  EXPECT_EQ(l.data->encoding, "GB18030");
  EXPECT_EQ(l.texts(""), (Strings{"东一", "西二"}));
  EXPECT_EQ(l.texts("街道"), (Strings{"城东街道", "城西街道"}));
  EXPECT_EQ(l.input("得分").values, (Values{85'000'000, 90'500'000}));
  // The decoded (UTF-8) text is what diagnostics point into.
  EXPECT_EQ(l.sources.get(l.data->source).text(), "编码,街道,得分\r\n东一,城东街道,85\r\n西二,城西街道,90.5\r\n");
}

TEST(LoaderEncoding, ErrorsInAGbkFilePointIntoTheDecodedText) {
  std::string bytes(kGbkCsv);
  bytes.replace(bytes.find("90.5"), 4, "\xBE\xC5\xCA\xAE");  // 九十
  Load l(policy("街道 : text  得分 : score 0..100"), bytes);
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(), "bad-cell d.csv:3:9 row 2, column `得分`: `九十` is not a number\n");
}

TEST(LoaderEncoding, UndecodableBytesAreADataEncodingError) {
  Load l(policy("得分 : score 0..100"), std::string_view("编码,得分\nA1,\xFF\n"));
  EXPECT_FALSE(l.data);
  ASSERT_EQ(l.sink.error_count(), 1u);
  const Diagnostic& d = l.sink.items().back();
  EXPECT_EQ(std::string(slug(d.code)), "data-encoding");
  EXPECT_EQ(d.file, "d.csv");
  EXPECT_EQ(d.line, 2u);
  EXPECT_EQ(d.column, 4u);
  EXPECT_EQ(d.message, "row 1, column `得分` (`\\xFF`): byte 0xFF is not valid UTF-8");
}

// ---- characters that cannot be seen, separators, line ends (issue 10, section 7) ----

TEST(LoaderInvisible, SpacesAndLookAlikesAroundCellsAreTrimmed) {
  // U+00A0 no-break space, U+3000 ideographic space, U+2002 en space, tabs and spaces.
  Load l(policy("得分 : score 0..100  街道 : text"),
         "编码,得分,街道\n"
         "A1\u00A0,85\u00A0,\u3000城东\u3000\n"
         "\u2002A2 ,\t90 ,张\u3000三\n");
  ASSERT_TRUE(l.data) << l.errors();
  EXPECT_EQ(l.texts(""), (Strings{"A1", "A2"}));
  EXPECT_EQ(l.input("得分").values, (Values{85'000'000, 90'000'000}));
  // Inside a text a look-alike space is kept (张　三 is how names are aligned).
  EXPECT_EQ(l.texts("街道"), (Strings{"城东", "张\u3000三"}));
}

TEST(LoaderInvisible, AKeyWithAZeroWidthSpaceIsNotAnotherKey) {
  Load l(policy("得分 : score 0..100"), "编码,得分\nA01,85\nA01\u200B,90\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "invisible-character d.csv:3:4 row 2, column `编码`: `A01\u200B` contains U+200B ZERO WIDTH SPACE at "
            "character 4, which cannot be seen\n");
  EXPECT_EQ(l.hints(),
            "delete it (it often comes along when text is copied from a web page or a chat): with it, this key differs "
            "from the same key without it, although both look the same\n");
}

TEST(LoaderInvisible, EachKindOfCellNamesTheCharacter) {
  Load l(policy("得分 : score 0..100  街道 : text  事项 : list<text>  达标 : bool  类型 : one_of { \"城市\", \"农村\" }"),
         "编码,得分,街道,事项,达标,类型\n"
         "A\u00A01,8\u200D5,城\uFEFF东,挪用\u200C资金,是\u2060,城\u00A0市\n"
         "A2,85,\"城东\n西\",a;b\xEF\xBF\xBD,是,城市\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "invisible-character d.csv:2:2 row 1, column `编码`: `A\u00A01` contains U+00A0 NO-BREAK SPACE at character 2\n"
            "invisible-character d.csv:2:6 row 1, column `得分`: `8\u200D5` contains U+200D ZERO WIDTH JOINER at "
            "character 2, which cannot be seen\n"
            "invisible-character d.csv:2:10 row 1, column `街道`: `城\uFEFF东` contains U+FEFF ZERO WIDTH NO-BREAK SPACE "
            "(byte order mark) at character 2, which cannot be seen\n"
            "invisible-character d.csv:2:15 row 1, column `事项`: `挪用\u200C资金` contains U+200C ZERO WIDTH NON-JOINER at "
            "character 3, which cannot be seen\n"
            "invisible-character d.csv:2:20 row 1, column `达标`: `是\u2060` contains U+2060 WORD JOINER at character 2, "
            "which cannot be seen\n"
            "invisible-character d.csv:2:23 row 1, column `类型`: `城\u00A0市` contains U+00A0 NO-BREAK SPACE at "
            "character 2\n"
            "invisible-character d.csv:4:7 row 2, column `事项`: `a;b\uFFFD` contains U+FFFD REPLACEMENT CHARACTER at "
            "character 4\n");
}

TEST(LoaderInvisible, LineBreaksInQuotedTextsAreData) {
  Load l(policy("街道 : text"), "编码,街道\nA1,\"城东\n一期\"\n");
  ASSERT_TRUE(l.data) << l.errors();
  EXPECT_EQ(l.texts("街道"), (Strings{"城东\n一期"}));
  // ... but not in a key.
  Load k(policy("街道 : text"), "编码,街道\n\"A\n1\",城东\n");
  EXPECT_EQ(k.errors(),
            "invisible-character d.csv:2:3 row 1, column `编码`: `A␊1` contains U+000A LINE FEED at character 2, which "
            "cannot be seen\n");
}

TEST(LoaderInvisible, AHeaderWithAnInvisibleCharacterIsNamed) {
  Load l(policy("得分 : score 0..100"), "编码,得分\u200B\nA1,85\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "invisible-character d.csv:1:4 the header's column `得分\u200B` is `得分` with U+200B ZERO WIDTH SPACE at "
            "character 3\n");
}

TEST(LoaderInvisible, AnExcelFormulaIsNotAValue) {
  Load l(policy("得分 : score 0..100"), "编码,得分\n\"=\"\"00123\"\"\",85\nA2,\"=\"\"85\"\"\"\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "bad-cell d.csv:2:2 row 1, column `编码`: `=\"00123\"` is an Excel formula, not a value\n"
            "bad-cell d.csv:3:5 row 2, column `得分`: `=\"85\"` is an Excel formula, not a value\n");
  EXPECT_EQ(l.hints().substr(0, l.hints().find('\n')),
            "write the value itself, `00123` (in Excel, format the column as Text instead of writing `=\"...\"`)");
}

TEST(LoaderSeparators, AFileThatIsNotCommaSeparatedIsSaidToBe) {
  struct Case {
    const char* csv;
    const char* message;
  };
  for (const Case& c : {Case{"编码\t得分\nA1\t85\n", "the header has no commas but 1 tabs: the file is tab-separated, and jixiao "
                                                  "reads comma-separated values"},
                        Case{"编码;得分;备注\nA1;85,5;x\n", "the header has no commas but 2 semicolons: the file is separated "
                                                         "by `;`, as Excel writes CSV where a comma is the decimal mark"},
                        Case{"编码，得分\nA1，85\n", "the header has no commas but 1 full-width commas `，` (U+FF0C): columns "
                                                  "are separated by the ASCII comma `,`, not the full-width `，`"}}) {
    Load l(policy("得分 : score 0..100"), c.csv);
    EXPECT_FALSE(l.data);
    EXPECT_EQ(l.errors(), std::string("data-syntax d.csv:1:1 ") + c.message + "\n");
  }
}

TEST(LoaderSeparators, TrailingCommasAreNamed) {
  Load header(policy("得分 : score 0..100"), "编码,得分,\nA1,85\n");
  EXPECT_EQ(header.hints(), "the header ends with an empty column name (a trailing comma): remove it from the header, or name "
                            "the column\n");
  Load row(policy("得分 : score 0..100"), "编码,得分\nA1,85,,\n");
  EXPECT_EQ(row.hints(), "the row ends with 2 empty cells more than the header has (a trailing comma): remove them\n");
  Load tabs(policy("得分 : score 0..100"), "编码,得分\nA1\t85\n");
  EXPECT_EQ(tabs.hints(), "the row separates its cells with tabs: use commas\n");
  Load missing(policy("得分 : score 0..100"), "编码,得分\nA1\n");
  EXPECT_EQ(missing.hints(), "a cell is missing; empty cells still need their comma\n");
}

TEST(LoaderMessages, FullWidthDigitsAreNamed) {
  Load l(policy("得分 : score 0..100  率 : percent"), "编码,得分,率\nA1,８５,85％\n");
  EXPECT_EQ(l.errors(),
            "bad-cell d.csv:2:4 row 1, column `得分`: `８５` is not a number: `８` (U+FF18) is the full-width form of "
            "`8`; switch the input method to half-width (半角)\n"
            "bad-cell d.csv:2:7 row 1, column `率`: `85％` is not a number: `％` (U+FF05) is the full-width form of `%`; "
            "switch the input method to half-width (半角)\n");
}

TEST(LoaderMessages, ARepeatedHeaderIsNamed) {
  // Two exports joined together: the second header is a row (with its byte order mark or not).
  for (const char* second : {"编码 , 得分", "\xEF\xBB\xBF编码,得分"}) {
    Load l(policy("得分 : score 0..100"), std::string("\xEF\xBB\xBF编码,得分\nA1,85\n") + second + "\nA2,90\n");
    EXPECT_EQ(l.errors(), "data-syntax d.csv:3:1 row 2 repeats the header: the file may be two files joined together\n");
  }
}

TEST(LoaderMessages, APolicyGivenAsDataIsNamed) {
  Load l(policy("得分 : score 0..100"), "# 考评办法\n\npolicy \"加载\" version \"1\"\nsubject 社区 key 编码\n");
  EXPECT_EQ(l.errors(), "data-syntax d.csv:1:1 `d.csv` is a policy (it starts with `policy \"...\"`), not CSV data\n");
}

TEST(LoaderLineEnds, OldMacLineEndsAreLineEnds) {
  Load l(policy("得分 : score 0..100  备注 : text"), "编码,得分,备注\rA1,85,\"两\r行\"\rA2,90,x\r");
  ASSERT_TRUE(l.data) << l.errors();
  EXPECT_EQ(l.texts(""), (Strings{"A1", "A2"}));
  EXPECT_EQ(l.texts("备注"), (Strings{"两\r行", "x"}));  // inside quotes a CR stays
  // Errors then point at the right line.
  Load bad(policy("得分 : score 0..100  备注 : text"), "编码,得分,备注\rA1,85,x\rA2,abc,y\r");
  EXPECT_EQ(bad.errors(), "bad-cell d.csv:3:4 row 2, column `得分`: `abc` is not a number\n");
}

TEST(LoaderLineEnds, MixedLineEndsAreAnError) {
  Load l(policy("得分 : score 0..100"), "编码,得分\r\nA1,85\rA2,90\r\n");
  EXPECT_FALSE(l.data);
  EXPECT_EQ(l.errors(),
            "data-syntax d.csv:2:6 a carriage return (CR) without a line feed: the file mixes line ends (CR LF or LF, and CR "
            "alone)\n");
}

TEST(LoaderMessages, HugeCellsAreCutInMessages) {
  const std::string huge(1 << 20, '9');
  Load l(policy("得分 : score 0..100"), "编码,得分\nA1," + huge + "x\n");
  EXPECT_FALSE(l.data);
  const std::string errors = l.errors();
  EXPECT_LT(errors.size(), 300u) << errors.substr(0, 300);
  EXPECT_EQ(errors, "bad-cell d.csv:2:4 row 1, column `得分`: `" + std::string(59, '9') + "…` is not a number\n");
}

TEST(LoaderMessages, TooLargeNamesTheLargestValue) {
  Load l(policy("额度 : money"), "编码,额度\nA1,92233720368547758.08\nA2,92233720368547758.07\n");
  EXPECT_EQ(l.errors(),
            "bad-cell d.csv:2:4 row 1, column `额度`: `92233720368547758.08` is too large (the largest amount is "
            "92,233,720,368,547,758.07元)\n");
}

TEST(LoaderEncoding, TheRowAndCellOfAStrayByteAreNamed) {
  Load l(policy("得分 : score 0..100  事项 : list<text>"),
         "编码,得分,事项\nA1,85,挪用资金\nA2,90,caf\xE9s;违规发包\n");
  EXPECT_FALSE(l.data);
  ASSERT_EQ(l.sink.error_count(), 1u);
  const Diagnostic& d = l.sink.items().back();
  EXPECT_EQ(d.message, "row 2, column `事项` (`caf\\xE9s;违规发包`): byte 0xE9 is not valid UTF-8");
  EXPECT_EQ(d.line, 3u);
  EXPECT_EQ(d.column, 10u);
  // In the header.
  Load h(policy("得分 : score 0..100"), "编码,得\xFF分\nA1,85\n");
  EXPECT_EQ(h.sink.items().back().message, "the header, column 2 (`得\\xFF分`): byte 0xFF is not valid UTF-8");
}

// ---- column maps ----

struct MapRead {
  SourceSet sources;
  CollectingSink sink;
  std::optional<dsl::CheckedPolicy> checked;
  std::optional<ColumnMap> map;

  explicit MapRead(const std::string& toml) {
    const SourceId id = sources.add("p.jx", policy("覆盖率 : percent  得分 : score 0..100"));
    auto module = dsl::parse(sources, id, sink);
    if (module) checked = dsl::check(sources, std::move(*module), {}, sink);
    if (checked) map = read_column_map(sources, "map.toml", toml, *checked, sink);
  }

  [[nodiscard]] std::optional<std::string> first_hint() const {
    for (const Diagnostic& d : sink.items()) {
      if (d.severity == Severity::kError) return d.hint ? std::optional<std::string>(d.hint->str(Lang::kEn)) : std::nullopt;
    }
    return "<no error>";
  }

  [[nodiscard]] std::string errors() const {
    std::string out;
    for (const Diagnostic& d : sink.items()) {
      if (d.severity != Severity::kError) continue;
      const SourceFile& f = sources.get(d.span.source);
      const LineColumn lc = f.line_column(d.span.begin);
      out += std::string(slug(d.code)) + " " + f.path() + ":" + std::to_string(lc.line) + ":" +
             std::to_string(lc.column) + " " + d.message.str(Lang::kEn) + "\n";
    }
    return out;
  }
};

TEST(ColumnMapRead, ReadsTheColumnsTable) {
  MapRead m("# 表头对照\n[columns]\n\"覆盖率\" = \"覆盖率(%)\"\n\"编码\" = \"社区编号\"\n");
  ASSERT_TRUE(m.map) << m.errors();
  EXPECT_EQ(m.map->columns, (std::map<std::string, std::string>{{"覆盖率", "覆盖率(%)"}, {"编码", "社区编号"}}));
}

TEST(ColumnMapRead, InvalidToml) {
  MapRead m("[columns]\n\"覆盖率\" = \"覆盖率(%)\"\n得分 = \"分数\"\n");
  EXPECT_FALSE(m.map);
  ASSERT_EQ(m.sink.error_count(), 1u);
  const std::string prefix = "column-map map.toml:3:1 the column map is not valid TOML: ";
  EXPECT_EQ(m.errors().substr(0, prefix.size()), prefix);
  EXPECT_EQ(m.first_hint(), "TOML keys that are not plain ASCII need quotes: `\"设施覆盖率\" = \"覆盖率(%)\"`");
}

TEST(ColumnMapRead, UnknownInput) {
  MapRead m("[columns]\n\"覆盖率\" = \"覆盖率(%)\"\n  \"覆盖面\" = \"覆盖\"\n");
  EXPECT_FALSE(m.map);
  EXPECT_EQ(m.errors(), "column-map map.toml:3:3 the policy has no input `覆盖面`\n");
  EXPECT_EQ(m.first_hint(), "did you mean `覆盖率`?");
}

TEST(ColumnMapRead, ValueThatIsNotAText) {
  MapRead m("[columns]\n\"覆盖率\" = \"覆盖率(%)\"\n\"得分\" = 3\n");
  EXPECT_FALSE(m.map);
  EXPECT_EQ(m.errors(), "column-map map.toml:3:1 the column for `得分` is not a text\n");
  EXPECT_EQ(m.first_hint(), "write `\"得分\" = \"表头\"`");
}

TEST(ColumnMapRead, NoColumnsTable) {
  MapRead m("[cols]\n\"得分\" = \"分\"\n");
  EXPECT_FALSE(m.map);
  EXPECT_EQ(m.errors(), "column-map map.toml:1:1 the column map has no `[columns]` table\n");
}

// inputs_to_skip never names an input a compiled program reads (Compiled::bindings), for every
// policy of the examples and of the evaluation goldens that checks on its own (no `import` or
// `extends`); it names exactly the inputs no expression names (the `unused-input` warnings), and
// none of a rolled-up policy.
TEST(InputsToSkip, NeverAnInputTheProgramsRead) {
  namespace fs = std::filesystem;
  const fs::path root(JIXIAO_SOURCE_DIR);
  std::vector<fs::path> policies;
  for (const auto& e : fs::recursive_directory_iterator(root / "examples")) {
    if (e.path().extension() == ".jx") policies.push_back(e.path());
  }
  for (const auto& e : fs::directory_iterator(root / "tests" / "golden" / "eval")) {
    if (e.path().filename().string().starts_with("ok_") && fs::exists(e.path() / "policy.jx")) policies.push_back(e.path() / "policy.jx");
  }
  std::size_t checked = 0;
  std::size_t bound_inputs = 0;
  for (const fs::path& path : policies) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    Load l(text.str());
    if (!l.checked || l.sink.error_count() > 0) continue;  // imports or extends another file
    auto plan = build_plan(*l.checked, l.sink);
    ASSERT_TRUE(plan) << path;
    const detail::Compiled compiled = detail::compile(*plan);
    const std::vector<bool> unread = inputs_to_skip(*l.checked, {});
    ASSERT_EQ(unread.size(), l.checked->module.inputs.size()) << path;
    for (const detail::ColumnBinding& b : compiled.bindings) {
      if (b.source != detail::ColumnBinding::Source::kInput && b.source != detail::ColumnBinding::Source::kMissing) continue;
      ++bound_inputs;
      EXPECT_FALSE(unread[b.index]) << path << ": " << l.checked->module.inputs[b.index].name.name;
    }
    std::size_t warned = 0;
    for (const Diagnostic& d : l.sink.items()) warned += d.code == DiagCode::unused_input ? 1 : 0;
    EXPECT_EQ(static_cast<std::size_t>(std::count(unread.begin(), unread.end(), true)), l.checked->module.rollup ? 0 : warned) << path;
    ++checked;
  }
  EXPECT_GE(checked, 20U);
  EXPECT_GT(bound_inputs, 100U);
}

TEST(InputsToSkip, ASkippedColumnIsFoundButNotRead) {
  const std::string policy = R"(policy "p" version "1"
subject 社区 key 社区编码
input { 得分 : score 0..100  备注 : number  标签 : list<text> }
indicator 总分 {
  得分 100% = 得分
}
)";
  Load l(policy);
  ASSERT_TRUE(l.checked);
  const std::vector<bool> unread = inputs_to_skip(*l.checked, {});
  EXPECT_EQ(unread, (std::vector<bool>{false, true, true}));
  // Shown by the caller (a `--group-by` column): read.
  EXPECT_EQ(inputs_to_skip(*l.checked, {l.checked->find("标签")}), (std::vector<bool>{false, true, false}));
  LoadOptions options;
  options.skip = unread;
  options.parallel_min_bytes = 1;
  for (const std::size_t threads : {std::size_t{1}, std::size_t{2}}) {
    options.threads = threads;
    Load ok(policy, "社区编码,备注,得分,标签\nA,无,80,甲;乙\nB,,90,\"\"\nC,1e9,70,丙\n", options);
    ASSERT_TRUE(ok.data) << ok.errors();
    EXPECT_EQ(ok.data->rows, 3U);
    EXPECT_EQ(ok.data->inputs[0].values, (Values{80000000, 90000000, 70000000}));
    EXPECT_TRUE(ok.data->inputs[1].values.empty());
    EXPECT_TRUE(ok.data->inputs[2].values.empty());
    EXPECT_TRUE(ok.data->inputs[2].list_offsets.empty());
    EXPECT_FALSE(ok.data->strings.find("甲"));  // not interned
    // The rows' structure is still checked, and the column must be there.
    Load short_row(policy, "社区编码,备注,得分,标签\nA,无,80\n", options);
    EXPECT_FALSE(short_row.data);
    EXPECT_NE(short_row.errors().find("data-syntax"), std::string::npos) << short_row.errors();
    Load no_column(policy, "社区编码,得分,标签\nA,80,甲\n", options);
    EXPECT_FALSE(no_column.data);
    EXPECT_NE(no_column.errors().find("missing-column"), std::string::npos) << no_column.errors();
  }
}
}  // namespace
}  // namespace jixiao::engine
