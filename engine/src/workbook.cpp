// Results as an Excel workbook (see workbook.hpp): libxlsxwriter writes it into an anonymous
// in-memory file, whose bytes are returned; the caller stages them like any other output.
#include "jixiao/engine/workbook.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/utf8.hpp"
#include "jixiao/dsl/version.hpp"
#include "jixiao/engine/results.hpp"
#include "tally.hpp"

namespace jixiao::engine {
namespace {

using dsl::SymbolKind;
using tally::Group;
using tally::Summary;

/// 1980-01-01T00:00:00Z: the workbook's creation date, the same as its zip entries' dates.
constexpr time_t kCreated = 315532800;
/// Column widths, in characters of the default font.
constexpr double kMinWidth = 6;
constexpr double kMaxWidth = 60;
/// The most significant digits Excel keeps in a number; a longer number is written as text.
constexpr int kExcelDigits = 15;
/// The longest text a cell holds (Excel's limit, in UTF-16 code units).
constexpr std::size_t kMaxCellText = 32767;

/// `0`, `0.00`, ...: a number format with `places` decimals.
std::string places_format(int places) { return places <= 0 ? "0" : "0." + std::string(static_cast<std::size_t>(places), '0'); }

/// The significant digits of a decimal text (`-0012.3400` has 4): what Excel could not keep
/// beyond 15.
int significant_digits(std::string_view text) {
  std::string digits;
  for (const char ch : text) {
    if (ch >= '0' && ch <= '9') digits.push_back(ch);
  }
  const std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  const std::size_t last = digits.find_last_not_of('0');
  return static_cast<int>(last - first + 1);
}

/// Characters of UTF-16 a text takes (Excel's measure of a cell's length).
std::size_t utf16_length(std::string_view text) {
  std::size_t n = 0;
  for (const char ch : text) {
    const auto b = static_cast<unsigned char>(ch);
    if ((b & 0xC0) != 0x80) n += b >= 0xF0 ? 2 : 1;
  }
  return n;
}

/// The workbook being written: the libxlsxwriter objects, every failure turned into WorkbookError.
class Book {
 public:
  explicit Book(const std::string& path) {
    lxw_workbook_options options{};
    // One row in memory at a time (every sheet is written row after row, left to right), so that a
    // workbook of a million rows does not hold a million rows of cells.
    options.constant_memory = LXW_TRUE;
    wb_ = workbook_new_opt(path.c_str(), &options);
    if (wb_ == nullptr) fail(LXW_ERROR_MEMORY_MALLOC_FAILED);
    lxw_doc_properties properties{};
    properties.created = kCreated;
    check(workbook_set_properties(wb_, &properties));
  }
  ~Book() {
    if (wb_ != nullptr) (void)workbook_close(wb_);  // after an error: frees it (the file is discarded)
  }
  Book(const Book&) = delete;
  Book& operator=(const Book&) = delete;

  lxw_worksheet* sheet(const char* name) {
    lxw_worksheet* ws = workbook_add_worksheet(wb_, name);
    if (ws == nullptr) fail(LXW_ERROR_MEMORY_MALLOC_FAILED);
    return ws;
  }

  /// A format: a number format, bold, and fill and text colours (0: none).
  lxw_format* format(const std::string& number, bool bold = false, lxw_color_t fill = 0, lxw_color_t text = 0) {
    const auto key = std::tuple(number, bold, fill, text);
    if (auto it = formats_.find(key); it != formats_.end()) return it->second;
    lxw_format* f = workbook_add_format(wb_);
    if (f == nullptr) fail(LXW_ERROR_MEMORY_MALLOC_FAILED);
    if (!number.empty()) format_set_num_format(f, number.c_str());
    if (bold) format_set_bold(f);
    if (fill != 0) {
      format_set_pattern(f, LXW_PATTERN_SOLID);
      format_set_bg_color(f, fill);
    }
    if (text != 0) format_set_font_color(f, text);
    formats_[key] = f;
    return f;
  }
  lxw_format* header() {
    if (header_ == nullptr) {
      header_ = format("", true, 0xD9E1F2);
      format_set_border(header_, LXW_BORDER_THIN);
      format_set_text_wrap(header_);
      format_set_align(header_, LXW_ALIGN_VERTICAL_CENTER);
    }
    return header_;
  }

  /// Closes the workbook: libxlsxwriter writes the file now.
  void close() {
    const lxw_error e = workbook_close(wb_);
    wb_ = nullptr;
    check(e);
  }

  static void check(lxw_error e) {
    if (e != LXW_NO_ERROR) fail(e);
  }
  [[noreturn]] static void fail(lxw_error e) {
    throw WorkbookError(msg::xo_workbook_failed(lxw_strerror(e)), msg::cli_hint_dir_writable_unchanged());
  }

 private:
  lxw_workbook* wb_ = nullptr;
  std::map<std::tuple<std::string, bool, lxw_color_t, lxw_color_t>, lxw_format*> formats_;
  lxw_format* header_ = nullptr;
};

/// One sheet: cells written row by row, each column's width following the widest text in it.
class Sheet {
 public:
  Sheet(Book& book, const char* name) : book_(book), ws_(book.sheet(name)), name_(name) {}

  void text(lxw_row_t row, lxw_col_t col, const std::string& value, lxw_format* f = nullptr) {
    if (utf16_length(value) > kMaxCellText) {
      char ref[LXW_MAX_CELL_NAME_LENGTH] = {};
      lxw_rowcol_to_cell(ref, row, col);
      throw WorkbookError(msg::xo_cell_too_long(name_, ref, utf16_length(value), kMaxCellText), msg::xo_hint_cell_too_long());
    }
    Book::check(worksheet_write_string(ws_, row, col, value.c_str(), f));
    widen(col, utf8::display_width(value));
  }
  /// A decimal text as a number (as a text when Excel could not hold it exactly).
  void number(lxw_row_t row, lxw_col_t col, const std::string& decimal, lxw_format* f) {
    double value = 0;
    const auto [end, ec] = std::from_chars(decimal.data(), decimal.data() + decimal.size(), value);
    if (ec != std::errc() || end != decimal.data() + decimal.size() || significant_digits(decimal) > kExcelDigits) {
      text(row, col, decimal, f);
      return;
    }
    Book::check(worksheet_write_number(ws_, row, col, value, f));
    widen(col, decimal.size() + decimal.size() / 3);  // room for thousands separators
  }
  void integer(lxw_row_t row, lxw_col_t col, std::size_t value, lxw_format* f = nullptr) {
    number(row, col, std::to_string(value), f);
  }
  void blank(lxw_row_t row, lxw_col_t col, lxw_format* f) { Book::check(worksheet_write_blank(ws_, row, col, f)); }
  void header_row(lxw_row_t row, const std::vector<std::string>& names) {
    for (std::size_t c = 0; c < names.size(); ++c) text(row, static_cast<lxw_col_t>(c), names[c], book_.header());
  }

  /// Sets the widths of the columns written.
  void finish() {
    for (std::size_t c = 0; c < widths_.size(); ++c) {
      const double width = std::clamp(static_cast<double>(widths_[c]) + 2, kMinWidth, kMaxWidth);
      Book::check(worksheet_set_column(ws_, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width, nullptr));
    }
  }
  lxw_worksheet* ws() { return ws_; }

 private:
  void widen(lxw_col_t col, std::size_t width) {
    if (widths_.size() <= col) widths_.resize(col + 1U, 0);
    widths_[col] = std::max(widths_[col], width);
  }

  Book& book_;
  lxw_worksheet* ws_;
  std::string name_;
  std::vector<std::size_t> widths_;
};

/// The number format of a column of the results.
std::string column_format(const ResultColumnInfo& c) {
  switch (c.kind) {
    case ResultColumnKind::kMoney: return "#,##0.00";
    case ResultColumnKind::kScore:
    case ResultColumnKind::kNumber: return places_format(c.places);
    default: return "";
  }
}

bool is_number(const ResultColumnInfo& c) {
  return c.kind == ResultColumnKind::kMoney || c.kind == ResultColumnKind::kScore || c.kind == ResultColumnKind::kNumber;
}

std::string yuan(std::int64_t fen) { return decimal::format_yuan(fen); }

/// 结果: the results, as the CSV has them, with types, formats and colours.
void results_sheet(Book& book, const ResultTable& table) {
  Sheet sheet(book, "结果");
  const std::vector<ResultColumnInfo>& cols = table.columns();
  std::vector<std::string> names;
  std::vector<lxw_format*> formats;
  for (std::size_t c = 0; c < table.shown(); ++c) {
    names.push_back(cols[c].name);
    formats.push_back(cols[c].kind == ResultColumnKind::kText || cols[c].kind == ResultColumnKind::kList ? nullptr
                                                                                                        : book.format(column_format(cols[c])));
  }
  sheet.header_row(0, names);
  lxw_format* vetoed = book.format("", false, 0xFFC7CE, 0x9C0006);
  std::string cell;
  lxw_row_t row = 1;
  for (const std::size_t r : table.rows()) {
    for (std::size_t c = 0; c < table.shown(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      if (table.missing(c, r)) continue;  // an empty cell, as in the CSV
      cell.clear();
      table.cell(c, r, cell);
      if (is_number(cols[c])) {
        sheet.number(row, col, cell, formats[c]);
      } else if (cols[c].kind == ResultColumnKind::kAlert) {
        const auto colours = tally::alert_colours(cell);
        sheet.text(row, col, cell, colours ? book.format("", true, colours->fill, colours->text) : nullptr);
      } else if (cols[c].kind == ResultColumnKind::kReasons && table.vetoed(r)) {
        sheet.text(row, col, cell, vetoed);
      } else if (!cell.empty()) {
        sheet.text(row, col, cell, formats[c]);
      }
    }
    ++row;
  }
  sheet.finish();
  // The header and the key column stay in view; a filter on every column.
  worksheet_freeze_panes(sheet.ws(), 1, 1);
  Book::check(worksheet_autofilter(sheet.ws(), 0, 0, static_cast<lxw_row_t>(table.rows().size()), static_cast<lxw_col_t>(table.shown() - 1)));
}

/// 汇总: counts per grade, per alert and per veto; with a group column, the same per group with
/// the mean score and the money.
void summary_sheet(Book& book, const dsl::CheckedPolicy& p, const EvalResult& r, const ResultTable& table,
                   const WorkbookInfo& info) {
  Sheet sheet(book, "汇总");
  const Summary summary(p, r, table);
  const std::string subject = p.module.subject ? p.module.subject->subject.name + "数" : "行数";
  const Group all = summary.all("合计");
  lxw_format* bold = book.format("", true);
  lxw_format* share = book.format("0.0%");
  lxw_row_t row = 0;
  for (std::size_t b = 0; b < summary.bands().size(); ++b) {
    const dsl::Domain& d = summary.domain(summary.bands()[b]);
    sheet.header_row(row++, {p.symbols[summary.bands()[b]].name, subject, "占比"});
    for (std::size_t l = 0; l < d.labels.size(); ++l) {
      sheet.text(row, 0, d.labels[l]);
      sheet.integer(row, 1, all.band_counts[b][l]);
      if (all.rows > 0) Book::check(worksheet_write_number(sheet.ws(), row, 2, static_cast<double>(all.band_counts[b][l]) / static_cast<double>(all.rows), share));
      ++row;
    }
    sheet.text(row, 0, "合计", bold);
    sheet.integer(row, 1, all.rows, bold);
    row += 2;
  }
  bool vetoes = false;
  for (const RuleColumn& rc : r.rules) {
    if (rc.kind != RuleColumn::Kind::kVeto) continue;
    if (!vetoes) sheet.header_row(row++, {"否决", subject});
    vetoes = true;
    sheet.text(row, 0, rc.name);
    sheet.integer(row++, 1, tally::fired_rows(rc, table.rows()));
  }
  if (vetoes) ++row;

  if (info.group_by != dsl::kNoSymbol) {
    // The group column is the table's first extra column.
    const std::vector<Group> groups = summary.groups(info.group_by, table.shown());
    std::vector<std::string> head = {p.symbol(info.group_by).name, subject};
    for (const std::size_t b : summary.bands()) {
      for (const std::string& label : summary.domain(b).labels) head.push_back(p.symbols[b].name + " " + label);
    }
    for (const std::size_t s : summary.scores()) head.push_back(table.columns()[s].name + " 平均");
    for (const FundResult& f : r.funds) head.push_back(f.name + "（元）");
    sheet.header_row(row++, head);
    lxw_format* score = book.format(places_format(p.precision));
    lxw_format* money = book.format("#,##0.00");
    auto write = [&](const Group& g, lxw_format* label) {
      lxw_col_t col = 0;
      sheet.text(row, col++, g.name.empty() ? "（空）" : g.name, label);
      sheet.integer(row, col++, g.rows, label);
      for (const auto& counts : g.band_counts) {
        for (const std::size_t n : counts) sheet.integer(row, col++, n, label);
      }
      for (std::size_t s = 0; s < summary.scores().size(); ++s) {
        const std::string m = summary.mean(g, s);
        if (!m.empty()) sheet.number(row, col, m, score);
        ++col;
      }
      // A group's money is part of the pools, so it fits where they fit.
      for (const Int128 fen : g.fund_sums) sheet.number(row, col++, yuan(static_cast<std::int64_t>(fen)), money);
      ++row;
    };
    for (const Group& g : groups) write(g, nullptr);
    write(all, bold);
  }
  sheet.finish();
}

/// 资金: every fund, its tracks and their group splits: pool, paid, rows, and whether they agree.
void funds_sheet(Book& book, const EvalResult& r, const ResultTable& table) {
  Sheet sheet(book, "资金");
  sheet.header_row(0, {"资金", "分配方式", "分组", "资金池（元）", "已分配（元）", "参与分配", "获得资金", "分配守恒"});
  lxw_format* money = book.format("#,##0.00");
  lxw_format* money_bold = book.format("#,##0.00", true);
  lxw_format* bold = book.format("", true);
  lxw_row_t row = 1;
  auto line = [&](const std::string& fund, const std::string& track, const std::string& group, std::int64_t pool, std::int64_t paid,
                  std::optional<std::size_t> eligible, std::optional<std::size_t> recipients, bool total) {
    lxw_format* f = total ? bold : nullptr;
    sheet.text(row, 0, fund, f);
    sheet.text(row, 1, track, f);
    if (!group.empty()) sheet.text(row, 2, group, f);
    sheet.number(row, 3, yuan(pool), total ? money_bold : money);
    sheet.number(row, 4, yuan(paid), total ? money_bold : money);
    if (eligible) sheet.integer(row, 5, *eligible, f);
    if (recipients) sheet.integer(row, 6, *recipients, f);
    sheet.text(row, 7, pool == paid ? "是" : "否", f);
    ++row;
  };
  for (const FundResult& f : r.funds) {
    line(f.name, "合计", "", f.pool, f.paid, std::nullopt, tally::receiving_rows(f, table.rows()), true);
    for (const TrackResult& t : f.tracks) line(f.name, t.name, "", t.pool, t.paid, tally::eligible_rows(t), t.recipients, false);
    if (f.groups.size() <= 1) continue;
    for (const GroupResult& g : f.groups) line(f.name, "合计", g.group, g.pool, g.paid, std::nullopt, std::nullopt, false);
    for (const TrackResult& t : f.tracks) {
      const tally::SplitTally done = tally::split_tally(t);
      for (std::size_t k = 0; k < t.splits.size(); ++k) {
        line(f.name, t.name, t.splits[k].group, t.splits[k].pool, done.paid[k], t.splits[k].rows, done.recipients[k], false);
      }
    }
  }
  sheet.finish();
}

/// 说明: what was evaluated, with what, and how to read the other sheets.
void about_sheet(Book& book, const dsl::CheckedPolicy& p, const Dataset& data, const EvalResult& r, const WorkbookInfo& info) {
  Sheet sheet(book, "说明");
  sheet.header_row(0, {"项目", "内容", "来源"});
  lxw_row_t row = 1;
  auto item = [&](const std::string& what, const std::string& value, const std::string& source = "") {
    sheet.text(row, 0, what);
    sheet.text(row, 1, value);
    if (!source.empty()) sheet.text(row, 2, source);
    ++row;
  };
  item("评价方案", p.module.policy ? p.module.policy->name : "");
  item("方案版本", p.module.policy ? p.module.policy->version : "");
  item("计算引擎", "jixiao " + std::string(kVersion));
  item("数据文件", info.data_name);
  item("数据文件 SHA-256", info.data_sha256);
  item("数据编码", data.encoding);
  std::string period = "（数据不分评价期）";
  if (!data.periods.empty()) {
    const bool all = r.selected.size() == r.rows && data.periods.size() > 1;
    period = all ? data.periods.front() + " 至 " + data.periods.back() + "（全部评价期）"
                 : data.periods[static_cast<std::size_t>(data.period_index[r.selected.empty() ? 0 : r.selected.front()])];
  }
  item("评价期", period);
  sheet.text(row, 0, "行数");
  sheet.integer(row++, 1, r.selected.size());
  item("分组列", info.group_by == dsl::kNoSymbol ? "（未分组）" : p.symbol(info.group_by).name);
  for (std::size_t i = 0; i < p.module.params.size(); ++i) {
    item("参数 " + p.module.params[i].name.name, tally::param_value(p.params[i]), tally::param_source(p, i, info.overrides));
  }
  ++row;
  lxw_format* bold = book.format("", true);
  sheet.text(row++, 0, "如何阅读", bold);
  const char* const kLines[] = {
      "结果：每个社区一行，列与 CSV 结果相同。得分按方案的精度显示，金额以元为单位（保留两位小数）；"
      "得分为空的单元格表示该指标缺项，其权重已分给同级指标。",
      "结果：预警列按预警颜色填充；触发一票否决的社区，其“触发规则”单元格填浅红色。首行和首列已冻结，可用筛选按钮筛选。",
      "汇总：各等级、各预警的社区数及占比，各项否决涉及的社区数；按分组列分组时，另列各组的社区数、各等级和预警的社区数、"
      "平均分和资金合计。平均分由各社区的精确得分求平均，再按方案的精度四舍五入。",
      "资金：每项资金及其每种分配方式的资金池、已分配金额、参与分配和获得资金的社区数；“分配守恒”为“是”表示已分配金额与资金池分毫不差。",
      "说明：本表。数据文件的 SHA-256 可用于核对所用的数据文件；同样的评价方案、参数和数据总是生成完全相同的文件。",
  };
  for (const char* line : kLines) sheet.text(row++, 0, line);
  sheet.finish();
  Book::check(worksheet_set_column(sheet.ws(), 0, 0, 18, nullptr));
}

/// An anonymous file in memory that libxlsxwriter can open by name (`/proc/self/fd/N`).
class MemoryFile {
 public:
  MemoryFile() {
    fd_ = ::memfd_create("jixiao-workbook", MFD_CLOEXEC);
    if (fd_ < 0) {
      throw WorkbookError(msg::xo_workbook_failed(std::strerror(errno)), msg::cli_hint_dir_writable_unchanged());
    }
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  [[nodiscard]] std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

  [[nodiscard]] std::string bytes() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) throw WorkbookError(msg::xo_workbook_failed(std::strerror(errno)), msg::cli_hint_dir_writable_unchanged());
    std::string out(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(done));
      if (n <= 0) throw WorkbookError(msg::xo_workbook_failed(std::strerror(n < 0 ? errno : EIO)), msg::cli_hint_dir_writable_unchanged());
      done += static_cast<std::size_t>(n);
    }
    return out;
  }

 private:
  int fd_ = -1;
};

}  // namespace

std::string make_workbook(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result,
                          const WorkbookInfo& info) {
  if (result.selected.size() > kMaxWorkbookRows) {
    throw WorkbookError(msg::xo_too_many_rows(result.selected.size(), kMaxWorkbookRows), msg::xo_hint_too_many_rows());
  }
  std::vector<dsl::SymbolId> extra;
  if (info.group_by != dsl::kNoSymbol) extra.push_back(info.group_by);
  const ResultTable table(policy, data, result, extra);
  MemoryFile file;
  {
    Book book(file.path());
    results_sheet(book, table);
    summary_sheet(book, policy, result, table, info);
    funds_sheet(book, result, table);
    about_sheet(book, policy, data, result, info);
    book.close();
  }
  return file.bytes();
}

}  // namespace jixiao::engine
