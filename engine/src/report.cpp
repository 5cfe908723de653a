// `jixiao report` (see report.hpp): HTML with inline CSS and SVG, written in one pass over what the
// engine computed. Counts and sums come from tally.hpp (shared with the workbook), a community's
// derivation from explain's model; nothing is evaluated again.
#include "jixiao/engine/report.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <numeric>
#include <optional>
#include <set>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/decl_text.hpp"
#include "jixiao/dsl/markup.hpp"
#include "jixiao/dsl/unparse.hpp"
#include "jixiao/dsl/version.hpp"
#include "jixiao/engine/explain_model.hpp"
#include "jixiao/engine/results.hpp"
#include "tally.hpp"

namespace jixiao::engine {
namespace {

using dsl::SymbolId;
using dsl::SymbolKind;
using dsl::unparse;

// ---- text ----

/// A text the report prints as element content (attribute values use escape_markup directly).
std::string esc(std::string_view text) { return escape_markup(text, Markup::kText); }

/// The first `n` characters (code points) of `text`, with `…` when it was longer.
std::string clip(const std::string& text, std::size_t n) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars++ == n) return text.substr(0, i) + "…";
  }
  return text;
}

std::string yuan(std::int64_t fen) { return decimal::format_yuan_grouped(fen); }
std::string count(std::size_t n) { return std::to_string(n); }

/// `part` of `whole` as a percentage with one decimal (`12.5%`), exactly rounded.
std::string share(std::size_t part, std::size_t whole) {
  if (whole == 0) return "—";
  const Int128 tenths = decimal::div_round(static_cast<Int128>(part) * 1000, static_cast<Int128>(whole));
  return decimal::format(static_cast<std::int64_t>(tenths), 1, 1) + "%";
}

/// A raw number (scale 10^6) with at most `places` decimals, trailing zeros dropped.
std::string trimmed(std::int64_t raw, int places) {
  std::string s = decimal::format(raw, decimal::kPlaces, places);
  if (s.find('.') == std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

/// A coordinate in an SVG: one decimal at most.
std::string px(double v) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.1f", v);
  std::string s = buf.data();
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

std::string hex(std::uint32_t rgb) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "#%06X", static_cast<unsigned>(rgb & 0xFFFFFFu));
  return buf.data();
}

/// The smallest 1, 2 or 5 × 10^k at least `v` (at least 1): the top of a chart's axis.
std::int64_t nice_top(std::int64_t v) {
  std::int64_t p = 1;
  for (;;) {
    for (const std::int64_t m : {1, 2, 5}) {
      if (m * p >= v) return m * p;
    }
    p *= 10;
  }
}

// ---- the document ----

/// Colours of labels without a colour of their own (grades, alerts with other names): greys and a
/// blue-grey, legible in black-and-white print.
constexpr std::array<std::uint32_t, 6> kPalette = {0x1F3A5F, 0x5B7FA6, 0x9DB4CC, 0x7F7F7F, 0xBFBFBF, 0x404040};

std::uint32_t label_fill(const std::string& label, std::size_t index) {
  if (const auto c = tally::alert_colours(label)) return c->fill;
  return kPalette[index % kPalette.size()];
}

const char* const kStyle = R"css(
html { background: #e6e6e6; }
body { margin: 0; color: #000; font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "宋体", "Songti SC", serif;
  font-size: 10.5pt; line-height: 1.55; }
main { width: 210mm; box-sizing: border-box; margin: 0 auto; padding: 18mm 16mm; background: #fff; }
h1, h2, h3, th, .cover dt, figcaption, .sans { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "SimHei", "黑体", "Heiti SC", sans-serif; }
h1 { font-size: 20pt; text-align: center; margin: 14mm 0 4mm; letter-spacing: 0.1em; }
h2 { font-size: 14pt; border-bottom: 1.5pt solid #000; padding-bottom: 1mm; margin: 0 0 4mm; }
h3 { font-size: 11.5pt; margin: 5mm 0 2mm; }
section { break-before: page; padding-top: 8mm; }
section.first { break-before: auto; }
p { margin: 1.5mm 0; }
.subtitle { text-align: center; font-size: 12pt; margin: 0 0 10mm; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 3mm; font-size: 9.5pt; break-inside: auto; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
th, td { border: 0.6pt solid #000; padding: 1.2mm 2mm; vertical-align: top; }
th { background: #e9e9e9; font-weight: bold; text-align: center; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: bold; background: #f4f4f4; }
.cover { margin: 0 0 6mm; }
.cover table th { width: 30%; text-align: left; }
.hash { font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }
.more { font-style: italic; color: #333; }
.note { font-size: 9pt; color: #333; }
figure { margin: 2mm 0 4mm; break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 9pt; text-align: center; margin-top: 1mm; }
.chip { display: inline-block; min-width: 3.5em; padding: 0 1mm; border: 0.6pt solid #000; text-align: center; }
.indent1 { padding-left: 5mm; } .indent2 { padding-left: 10mm; } .indent3 { padding-left: 15mm; } .indent4 { padding-left: 20mm; }
pre.derivation { font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace; font-size: 7pt; line-height: 1.3;
  column-count: 2; column-gap: 6mm; column-rule: 0.4pt solid #999; white-space: pre-wrap; margin: 2mm 0; }
@media print {
  html { background: #fff; }
  main { width: auto; padding: 0; }
  section { padding-top: 0; }
}
)css";

/// `text` as a CSS string: quoted, with `\\`, `"`, `<` (no `</style>` can appear) and control
/// characters escaped.
std::string css_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '\\' || c == '"' || c == '<' || b < 0x20 || b == 0x7F) {
      std::array<char, 8> buf{};
      std::snprintf(buf.data(), buf.size(), "\\%X ", static_cast<unsigned>(b));
      out += buf.data();
    } else {
      out += c;
    }
  }
  return out + "\"";
}

const char* const kMarginFont = "font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"SimHei\", sans-serif; font-size: 7.5pt;";

/// The printed page: A4, and on every page a header (the policy and its version; the data's
/// SHA-256) and the page number, in the page's margin boxes.
std::string page_rule(const std::string& policy, const std::string& sha256) {
  const std::string box = std::string(kMarginFont) + " vertical-align: bottom; border-bottom: 0.6pt solid #000; padding-bottom: 1mm;";
  return "\n@page { size: A4; margin: 22mm 16mm 18mm 16mm;\n"
         "  @top-left { content: " + css_string(policy) + "; " + box + " }\n"
         "  @top-right { content: " + css_string("数据 SHA-256：" + sha256) + "; " + box + " }\n"
         "  @bottom-center { content: \"第 \" counter(page) \" 页，共 \" counter(pages) \" 页\"; " + kMarginFont + " }\n}\n";
}

/// One report being written.
class Report {
 public:
  Report(const dsl::CheckedPolicy& p, const Dataset& d, const EvalResult& r, const ReportInfo& info)
      : p_(p), m_(p.module), d_(d), r_(r), info_(info), table_(p, d, r, extras(info)), summary_(p, r, table_) {
    subject_ = m_.subject ? m_.subject->subject.name : "对象";
    key_name_ = m_.subject ? m_.subject->key.name : "编码";
    if (info.group_by != dsl::kNoSymbol) {
      group_column_ = table_.shown();
      groups_ = summary_.groups(info.group_by, *group_column_, !info.sheets.empty());
    }
    all_ = summary_.all("合计");
    if (!summary_.scores().empty()) {
      score_column_ = summary_.scores().front();
      score_symbol_ = table_.columns()[*score_column_].symbol;
    }
  }

  std::string write() {
    const std::string policy = m_.policy ? m_.policy->name : "";
    const std::string version = m_.policy ? m_.policy->version : "";
    const std::string title = info_.title.empty() ? policy + "结果报告" : info_.title;
    out_ += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n";
    out_ += "<meta name=\"generator\" content=\"jixiao " + escape_markup(kVersion, Markup::kAttribute) + "\">\n";
    out_ += "<title>" + esc(title) + "</title>\n<style>" + page_rule(policy + "（" + version + "）", info_.data_sha256) + kStyle + "</style>\n</head>\n<body>\n<main>\n";
    cover(title, policy, version);
    overview();
    distributions();
    alerts();
    funds();
    vetoes_and_deductions();
    ranking();
    policy_section();
    for (std::size_t i = 0; i < info_.sheets.size(); ++i) sheet(i);
    end_section();
    out_ += "</main>\n</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  static std::vector<SymbolId> extras(const ReportInfo& info) {
    if (info.group_by == dsl::kNoSymbol) return {};
    return {info.group_by};
  }

  // ---- cells ----

  std::string key_of(std::size_t row) const { return d_.strings.text(static_cast<std::uint32_t>(d_.key.values[row])); }
  std::string group_of(std::size_t row) const {
    std::string cell;
    if (group_column_ && !table_.missing(*group_column_, row)) table_.cell(*group_column_, row, cell);
    return cell;
  }
  std::string group_name(const std::string& g) const { return g.empty() ? "（空）" : g; }
  std::string score_text(std::int64_t raw) const { return decimal::format(raw, decimal::kPlaces, p_.precision); }
  bool has_score(std::size_t row) const { return score_column_ && !table_.missing(*score_column_, row); }
  std::int64_t score_of(std::size_t row) const { return r_.columns[static_cast<std::uint32_t>(score_symbol_)][row]; }
  std::string label_of(std::size_t symbol, std::size_t row) const {
    return summary_.domain(symbol).labels[static_cast<std::size_t>(r_.columns[symbol][row])];
  }
  std::vector<std::size_t> band_symbols(SymbolKind kind) const {
    std::vector<std::size_t> out;
    for (const std::size_t b : summary_.bands()) {
      if (p_.symbols[b].kind == kind) out.push_back(b);
    }
    return out;
  }
  std::size_t band_index(std::size_t symbol) const {
    return static_cast<std::size_t>(std::find(summary_.bands().begin(), summary_.bands().end(), symbol) - summary_.bands().begin());
  }

  void more(std::size_t left, const std::string& what) {
    if (left > 0) out_ += "<p class=\"more\">另有 " + count(left) + " " + what + "未列出。</p>\n";
  }

  void open_table(const std::vector<std::pair<std::string, bool>>& head) {
    out_ += "<table>\n<thead><tr>";
    for (const auto& [name, numeric] : head) out_ += std::string(numeric ? "<th class=\"num\">" : "<th>") + esc(name) + "</th>";
    out_ += "</tr></thead>\n<tbody>\n";
  }
  void close_table() { out_ += "</tbody>\n</table>\n"; }
  /// A row of cells, already escaped; `numeric` marks right-aligned cells.
  void row(const std::vector<std::string>& cells, const std::vector<bool>& numeric = {}, const char* cls = nullptr) {
    out_ += cls ? std::string("<tr class=\"") + cls + "\">" : "<tr>";
    for (std::size_t i = 0; i < cells.size(); ++i) {
      out_ += i < numeric.size() && numeric[i] ? "<td class=\"num\">" : "<td>";
      out_ += cells[i];
      out_ += "</td>";
    }
    out_ += "</tr>\n";
  }

  std::string chip(std::size_t symbol, std::size_t label) const {
    const std::string& text = summary_.domain(symbol).labels[label];
    std::string style;
    if (const auto c = tally::alert_colours(text)) style = " style=\"background:" + hex(c->fill) + ";color:" + hex(c->text) + "\"";
    return "<span class=\"chip\"" + style + ">" + esc(text) + "</span>";
  }

  void section(const std::string& title) {
    if (open_section_) out_ += "</section>\n";
    out_ += "<section>\n";
    out_ += "<h2>" + esc(title) + "</h2>\n";
    open_section_ = true;
  }
  void end_section() {
    if (open_section_) out_ += "</section>\n";
    open_section_ = false;
  }

  // ---- charts ----

  struct Bar {
    std::string label;
    std::size_t value = 0;
    std::uint32_t fill = kPalette[0];
    std::string note;  ///< shown above the bar
  };

  /// Vertical bars with their values above them.
  void bar_chart(const std::vector<Bar>& bars, const std::string& caption, const std::string& unit) {
    const double w = 640;
    const double h = 230;
    const double left = 48;
    const double bottom = 30;
    const double top = 22;
    std::size_t max = 0;
    for (const Bar& b : bars) max = std::max(max, b.value);
    const auto ytop = static_cast<double>(nice_top(static_cast<std::int64_t>(max)));
    const double plot_h = h - bottom - top;
    const double slot = (w - left - 10) / static_cast<double>(std::max<std::size_t>(bars.size(), 1));
    const double bw = std::min(slot * 0.6, 70.0);
    out_ += "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + px(w) + " " + px(h) +
            "\" font-size=\"11\" role=\"img\">\n";
    for (int i = 0; i <= 4; ++i) {
      const double y = top + plot_h - plot_h * i / 4;
      out_ += "<line x1=\"" + px(left) + "\" y1=\"" + px(y) + "\" x2=\"" + px(w - 10) + "\" y2=\"" + px(y) +
              "\" stroke=\"" + std::string(i == 0 ? "#000" : "#bbb") + "\" stroke-width=\"" + (i == 0 ? "1" : "0.5") + "\"/>\n";
      out_ += "<text x=\"" + px(left - 4) + "\" y=\"" + px(y + 4) + "\" text-anchor=\"end\">" + px(ytop * i / 4) + "</text>\n";
    }
    out_ += "<text x=\"" + px(left - 4) + "\" y=\"" + px(top - 8) + "\" text-anchor=\"end\">" + esc(unit) + "</text>\n";
    for (std::size_t i = 0; i < bars.size(); ++i) {
      const double cx = left + slot * (static_cast<double>(i) + 0.5);
      const double bh = plot_h * static_cast<double>(bars[i].value) / ytop;
      const double y = top + plot_h - bh;
      out_ += "<rect x=\"" + px(cx - bw / 2) + "\" y=\"" + px(y) + "\" width=\"" + px(bw) + "\" height=\"" + px(bh) +
              "\" fill=\"" + hex(bars[i].fill) + "\" stroke=\"#000\" stroke-width=\"0.6\"/>\n";
      out_ += "<text x=\"" + px(cx) + "\" y=\"" + px(y - 4) + "\" text-anchor=\"middle\">" + esc(bars[i].note) + "</text>\n";
      out_ += "<text x=\"" + px(cx) + "\" y=\"" + px(h - bottom + 16) + "\" text-anchor=\"middle\">" + esc(clip(bars[i].label, 8)) + "</text>\n";
    }
    out_ += "</svg><figcaption>" + esc(caption) + "</figcaption></figure>\n";
  }

  /// Horizontal bars, one row per entry, each made of segments (a stack); the value at the right.
  struct Stack {
    std::string label;
    std::vector<std::pair<std::int64_t, std::uint32_t>> parts;  ///< value and fill
    std::string note;
  };
  void stack_chart(const std::vector<Stack>& stacks, const std::vector<std::pair<std::string, std::uint32_t>>& legend,
                   const std::string& caption) {
    const double w = 640;
    const double left = 120;
    const double right = 120;
    const double row_h = 20;
    const double top = legend.empty() ? 8 : 30;
    const double h = top + row_h * static_cast<double>(stacks.size()) + 8;
    std::int64_t max = 1;
    for (const Stack& s : stacks) {
      std::int64_t t = 0;
      for (const auto& part : s.parts) t += part.first;
      max = std::max(max, t);
    }
    const double plot_w = w - left - right;
    out_ += "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + px(w) + " " + px(h) +
            "\" font-size=\"11\" role=\"img\">\n";
    double lx = left;
    for (const auto& [name, fill] : legend) {
      out_ += "<rect x=\"" + px(lx) + "\" y=\"8\" width=\"12\" height=\"12\" fill=\"" + hex(fill) + "\" stroke=\"#000\" stroke-width=\"0.6\"/>";
      out_ += "<text x=\"" + px(lx + 16) + "\" y=\"18\">" + esc(clip(name, 10)) + "</text>\n";
      lx += 40 + 12.0 * static_cast<double>(std::min<std::size_t>(name.size(), 30)) / 2;
    }
    for (std::size_t i = 0; i < stacks.size(); ++i) {
      const double y = top + row_h * static_cast<double>(i);
      out_ += "<text x=\"" + px(left - 6) + "\" y=\"" + px(y + 14) + "\" text-anchor=\"end\">" + esc(clip(stacks[i].label, 9)) + "</text>\n";
      double x = left;
      for (const auto& [value, fill] : stacks[i].parts) {
        if (value <= 0) continue;
        const double bw = plot_w * static_cast<double>(value) / static_cast<double>(max);
        out_ += "<rect x=\"" + px(x) + "\" y=\"" + px(y + 3) + "\" width=\"" + px(bw) + "\" height=\"" + px(row_h - 6) +
                "\" fill=\"" + hex(fill) + "\" stroke=\"#000\" stroke-width=\"0.6\"/>\n";
        x += bw;
      }
      out_ += "<text x=\"" + px(x + 6) + "\" y=\"" + px(y + 14) + "\">" + esc(stacks[i].note) + "</text>\n";
    }
    out_ += "<line x1=\"" + px(left) + "\" y1=\"" + px(top) + "\" x2=\"" + px(left) + "\" y2=\"" + px(h - 8) + "\" stroke=\"#000\"/>\n";
    out_ += "</svg><figcaption>" + esc(caption) + "</figcaption></figure>\n";
  }

  // ---- sections ----

  void cover(const std::string& title, const std::string& policy, const std::string& version) {
    out_ += "<section class=\"first\">\n";  // the cover: the title in place of a section's heading
    open_section_ = true;
    out_ += "<h1>" + esc(title) + "</h1>\n<p class=\"subtitle\">" + esc(policy) + "　版本 " + esc(version) + "</p>\n";
    out_ += "<div class=\"cover\"><table>\n<tbody>\n";
    auto item = [&](const std::string& what, const std::string& value_html) {
      out_ += "<tr><th>" + esc(what) + "</th><td>" + value_html + "</td></tr>\n";
    };
    item("评价方案", esc(policy));
    item("方案版本", esc(version));
    item("数据文件", esc(info_.data_name));
    item("数据文件 SHA-256", "<span class=\"hash\">" + esc(info_.data_sha256) + "</span>");
    std::string period = "（数据不分评价期）";
    if (!d_.periods.empty()) {
      const bool all = r_.selected.size() == r_.rows && d_.periods.size() > 1;
      period = all ? d_.periods.front() + " 至 " + d_.periods.back() + "（全部评价期）"
                   : d_.periods[static_cast<std::size_t>(d_.period_index[r_.selected.empty() ? 0 : r_.selected.front()])];
    }
    item("评价期", esc(period));
    item("评价" + subject_ + "数", count(r_.selected.size()));
    item("分组列", info_.group_by == dsl::kNoSymbol ? "（未分组）" : esc(p_.symbol(info_.group_by).name));
    for (std::size_t i = 0; i < m_.params.size(); ++i) {
      item("参数 " + m_.params[i].name.name, esc(tally::param_value(p_.params[i])) + "<span class=\"note\">（" +
                                                 esc(tally::param_source(p_, i, info_.overrides)) + "）</span>");
    }
    item("计算引擎", "jixiao " + esc(kVersion));
    out_ += "</tbody>\n</table></div>\n";
    out_ += "<p class=\"note\">本报告由 jixiao 根据上列评价方案和数据文件自动生成：得分为精确小数按方案精度显示，金额以元为单位、精确到分，"
            "每项资金均已核对分配总额与资金池分毫不差。同样的方案、参数和数据总是生成完全相同的报告；数据文件的 SHA-256 "
            "印在每页页眉，可用于核对所用数据。</p>\n";
    std::string toc = "目录：一、概要　二、等级分布与分数分布　三、预警　四、资金　五、否决与扣分　六、排名　七、政策说明";
    if (!info_.sheets.empty()) toc += "　八、" + subject_ + "评价单";
    out_ += "<p class=\"sans\">" + esc(toc) + "</p>\n";
  }

  void overview() {
    section("一、概要");
    out_ += "<p>本次共评价 " + count(r_.selected.size()) + " 个" + esc(subject_) + "。</p>\n";
    for (std::size_t b = 0; b < summary_.bands().size(); ++b) {
      const std::size_t s = summary_.bands()[b];
      out_ += "<h3>" + esc(p_.symbols[s].name) + "</h3>\n";
      open_table({{p_.symbols[s].name, false}, {subject_ + "数", true}, {"占比", true}});
      const dsl::Domain& dom = summary_.domain(s);
      for (std::size_t l = 0; l < dom.labels.size(); ++l) {
        row({chip(s, l), count(all_.band_counts[b][l]), share(all_.band_counts[b][l], all_.rows)}, {false, true, true});
      }
      row({"合计", count(all_.rows), share(all_.rows, all_.rows)}, {false, true, true}, "total");
      close_table();
    }
    if (!r_.funds.empty()) {
      out_ += "<h3>资金</h3>\n";
      open_table({{"资金", false}, {"资金池（元）", true}, {"已分配（元）", true}, {"获得资金的" + subject_, true}, {"分配守恒", false}});
      for (const FundResult& f : r_.funds) {
        row({esc(f.name), yuan(f.pool), yuan(f.paid), count(tally::receiving_rows(f, table_.rows())), f.pool == f.paid ? "是" : "否"},
            {false, true, true, true, false});
      }
      close_table();
    }
    if (score_column_) {
      out_ += "<h3>平均分</h3>\n<p>" + esc(table_.columns()[*score_column_].name) + "：全部" + esc(subject_) + "平均 " +
              esc(summary_.mean(all_, 0)) + " 分。</p>\n";
    }
  }

  void distributions() {
    section("二、等级分布与分数分布");
    for (const std::size_t s : band_symbols(SymbolKind::kGrade)) {
      const std::size_t b = band_index(s);
      const dsl::Domain& dom = summary_.domain(s);
      std::vector<Bar> bars;
      for (std::size_t l = 0; l < dom.labels.size(); ++l) {
        const std::size_t n = all_.band_counts[b][l];
        bars.push_back({dom.labels[l], n, label_fill(dom.labels[l], l), count(n) + "（" + share(n, all_.rows) + "）"});
      }
      out_ += "<h3>" + esc(p_.symbols[s].name) + "分布</h3>\n";
      bar_chart(bars, "图：各" + p_.symbols[s].name + "的" + subject_ + "数（占比）", subject_ + "数");
    }
    histogram();
  }

  /// The histogram of the first root's score, in 20 bins, with the edges of the grades banded on it.
  void histogram() {
    if (!score_column_) return;
    const std::string name = table_.columns()[*score_column_].name;
    out_ += "<h3>" + esc(name) + "分布</h3>\n";
    std::int64_t lo = 0;
    std::int64_t hi = 0;
    for (const std::uint32_t root : m_.roots) {
      if (p_.nodes[root].symbol == score_symbol_) hi = p_.nodes[root].full;
    }
    std::size_t scored = 0;
    for (const std::size_t x : table_.rows()) {
      if (!has_score(x)) continue;
      lo = std::min(lo, score_of(x));
      hi = std::max(hi, score_of(x));
      ++scored;
    }
    if (scored == 0 || hi <= lo) {
      out_ += "<p>没有可统计的得分。</p>\n";
      return;
    }
    constexpr std::size_t kBins = 20;
    const Int128 span = static_cast<Int128>(hi) - lo;
    std::vector<std::size_t> bins(kBins, 0);
    for (const std::size_t x : table_.rows()) {
      if (!has_score(x)) continue;
      auto k = static_cast<std::size_t>((static_cast<Int128>(score_of(x)) - lo) * kBins / span);
      ++bins[std::min(k, kBins - 1)];
    }
    // The edges of the bands over this score.
    std::vector<std::pair<std::int64_t, std::string>> edges;  // value, the band starting there
    for (std::size_t i = 0; i < m_.bands.size(); ++i) {
      const ast::BandDecl& decl = m_.bands[i];
      if (decl.kind != ast::BandKind::kGrade || p_.ref(decl.of) != score_symbol_) continue;
      for (const ast::Band& band : decl.bands) {
        if (!band.has_interval || band.interval.lo_inf) continue;
        if (band.interval.lo > lo && band.interval.lo < hi) edges.emplace_back(band.interval.lo, band.label.text);
      }
      break;
    }
    const double w = 640;
    const double h = 240;
    const double left = 48;
    const double right = 14;
    const double top = 28;
    const double bottom = 34;
    const double plot_w = w - left - right;
    const double plot_h = h - top - bottom;
    const auto ytop = static_cast<double>(nice_top(static_cast<std::int64_t>(*std::max_element(bins.begin(), bins.end()))));
    auto xat = [&](std::int64_t v) { return left + plot_w * static_cast<double>(v - lo) / static_cast<double>(hi - lo); };
    out_ += "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + px(w) + " " + px(h) + "\" font-size=\"11\" role=\"img\">\n";
    for (int i = 0; i <= 4; ++i) {
      const double y = top + plot_h - plot_h * i / 4;
      out_ += "<line x1=\"" + px(left) + "\" y1=\"" + px(y) + "\" x2=\"" + px(w - right) + "\" y2=\"" + px(y) + "\" stroke=\"" +
              std::string(i == 0 ? "#000" : "#bbb") + "\" stroke-width=\"" + (i == 0 ? "1" : "0.5") + "\"/>\n";
      out_ += "<text x=\"" + px(left - 4) + "\" y=\"" + px(y + 4) + "\" text-anchor=\"end\">" + px(ytop * i / 4) + "</text>\n";
    }
    out_ += "<text x=\"" + px(left - 4) + "\" y=\"" + px(top - 10) + "\" text-anchor=\"end\">" + esc(subject_) + "数</text>\n";
    const double bw = plot_w / kBins;
    for (std::size_t k = 0; k < kBins; ++k) {
      const double bh = plot_h * static_cast<double>(bins[k]) / ytop;
      out_ += "<rect x=\"" + px(left + bw * static_cast<double>(k)) + "\" y=\"" + px(top + plot_h - bh) + "\" width=\"" + px(bw) +
              "\" height=\"" + px(bh) + "\" fill=\"#9DB4CC\" stroke=\"#000\" stroke-width=\"0.5\"/>\n";
    }
    std::set<std::int64_t> ticks = {lo, hi};
    for (const auto& e : edges) ticks.insert(e.first);
    for (const std::int64_t t : ticks) {
      out_ += "<text x=\"" + px(xat(t)) + "\" y=\"" + px(h - bottom + 15) + "\" text-anchor=\"middle\">" + trimmed(t, p_.precision) + "</text>\n";
    }
    for (const auto& [v, label] : edges) {
      const double x = xat(v);
      out_ += "<line x1=\"" + px(x) + "\" y1=\"" + px(top - 6) + "\" x2=\"" + px(x) + "\" y2=\"" + px(top + plot_h) +
              "\" stroke=\"#C00000\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>\n";
      out_ += "<text x=\"" + px(x + 3) + "\" y=\"" + px(top - 8) + "\" fill=\"#C00000\">" + esc(clip(label, 6)) + " ≥ " +
              trimmed(v, p_.precision) + "</text>\n";
    }
    out_ += "<text x=\"" + px(left + plot_w / 2) + "\" y=\"" + px(h - 4) + "\" text-anchor=\"middle\">" + esc(name) + "（分）</text>\n";
    out_ += "</svg><figcaption>图：" + esc(name) + "的分布（" + count(kBins) + " 个等宽区间，每格 " +
            trimmed(static_cast<std::int64_t>(span / kBins), 2) + " 分；虚线为等级分界）</figcaption></figure>\n";
  }

  /// The groups shown in per-group charts and tables (at most kReportGroupLimit), and the rest.
  std::pair<std::size_t, std::size_t> shown_groups() const {
    const std::size_t n = std::min(groups_.size(), kReportGroupLimit);
    return {n, groups_.size() - n};
  }

  void alerts() {
    section("三、预警");
    const std::vector<std::size_t> alert_symbols = band_symbols(SymbolKind::kAlert);
    if (alert_symbols.empty()) {
      out_ += "<p>本方案未设预警。</p>\n";
      return;
    }
    for (const std::size_t s : alert_symbols) {
      const std::size_t b = band_index(s);
      const dsl::Domain& dom = summary_.domain(s);
      const ast::BandDecl& decl = m_.bands[p_.symbols[s].index];
      std::vector<std::pair<std::string, std::uint32_t>> legend;
      for (std::size_t l = 0; l < dom.labels.size(); ++l) legend.emplace_back(dom.labels[l], label_fill(dom.labels[l], l));
      auto stack_of = [&](const tally::Group& g, const std::string& label) {
        Stack st{label, {}, ""};
        for (std::size_t l = 0; l < dom.labels.size(); ++l) {
          st.parts.emplace_back(static_cast<std::int64_t>(g.band_counts[b][l]), legend[l].second);
          st.note += (l ? " / " : "") + count(g.band_counts[b][l]);
        }
        return st;
      };
      std::vector<Stack> stacks;
      std::string caption = "图：" + p_.symbols[s].name + "（" + subject_ + "数";
      for (std::size_t l = 0; l < dom.labels.size(); ++l) caption += (l ? " / " : "：") + dom.labels[l];
      caption += "）";
      const auto [shown, left] = shown_groups();
      if (groups_.empty()) {
        stacks.push_back(stack_of(all_, "全部"));
      } else {
        for (std::size_t g = 0; g < shown; ++g) stacks.push_back(stack_of(groups_[g], group_name(groups_[g].name)));
        caption += "，按" + p_.symbol(info_.group_by).name + "分组";
      }
      out_ += "<h3>" + esc(p_.symbols[s].name) + (groups_.empty() ? "" : "（按" + esc(p_.symbol(info_.group_by).name) + "）") + "</h3>\n";
      stack_chart(stacks, legend, caption);
      if (left > 0) more(left, "组");
      // The communities on an alert that asks for action: the labels with a deadline (else every
      // label but the last, the mildest), the most severe first.
      std::vector<std::size_t> listed;
      for (std::size_t l = 0; l < dom.labels.size(); ++l) {
        if (decl.bands[l].deadline) listed.push_back(l);
      }
      if (listed.empty()) {
        for (std::size_t l = 0; l + 1 < dom.labels.size(); ++l) listed.push_back(l);
      }
      for (const std::size_t l : listed) {
        const ast::Band& band = decl.bands[l];
        out_ += "<h3>" + esc(p_.symbols[s].name) + " " + chip(s, l) + " 的" + esc(subject_) + "（" + count(all_.band_counts[b][l]) + " 个）</h3>\n";
        if (band.deadline || band.text) {
          out_ += "<p>" + (band.deadline ? "整改期限：" + esc(dsl::deadline_length(*band.deadline).str(Lang::kZh)) + "。" : std::string()) +
                  (band.text ? "措施：" + esc(*band.text) + "。" : std::string()) + "</p>\n";
        }
        if (all_.band_counts[b][l] == 0) continue;
        std::vector<std::pair<std::string, bool>> head = {{"序号", true}, {key_name_, false}};
        if (group_column_) head.emplace_back(p_.symbol(info_.group_by).name, false);
        if (score_column_) head.emplace_back(table_.columns()[*score_column_].name, true);
        head.emplace_back("期限", false);
        head.emplace_back("触发规则", false);
        open_table(head);
        std::size_t n = 0;
        const std::vector<ReasonEntry> reasons = reason_entries(p_, r_);
        for (const std::size_t x : table_.rows()) {
          if (static_cast<std::size_t>(r_.columns[s][x]) != l) continue;
          if (++n > kReportListLimit) continue;
          std::vector<std::string> cells = {count(n), esc(key_of(x))};
          std::vector<bool> numeric = {true, false};
          if (group_column_) {
            cells.push_back(esc(group_of(x)));
            numeric.push_back(false);
          }
          if (score_column_) {
            cells.push_back(has_score(x) ? score_text(score_of(x)) : "");
            numeric.push_back(true);
          }
          cells.push_back(band.deadline ? esc(dsl::deadline_length(*band.deadline).str(Lang::kZh)) : "");
          std::string fired;
          for (std::size_t i = 0; i < reasons.size(); ++i) {
            if (r_.rules[i].values[x] > 0) fired += (fired.empty() ? "" : "；") + reason_entry_display(reasons[i]);
          }
          cells.push_back(esc(fired));
          row(cells, numeric);
        }
        close_table();
        more(n > kReportListLimit ? n - kReportListLimit : 0, "个" + subject_);
      }
    }
  }

  void funds() {
    section("四、资金");
    if (r_.funds.empty()) {
      out_ += "<p>本方案未设资金分配。</p>\n";
      return;
    }
    for (std::size_t fi = 0; fi < r_.funds.size(); ++fi) {
      const FundResult& f = r_.funds[fi];
      out_ += "<h3>" + esc(f.name) + "</h3>\n";
      open_table({{"分配方式", false}, {"资金池（元）", true}, {"已分配（元）", true}, {"参与分配", true}, {"获得资金", true}, {"分配守恒", false}});
      for (const TrackResult& t : f.tracks) {
        row({esc(t.name), yuan(t.pool), yuan(t.paid), count(tally::eligible_rows(t)), count(t.recipients), t.pool == t.paid ? "是" : "否"},
            {false, true, true, true, true, false});
      }
      row({"合计", yuan(f.pool), yuan(f.paid), "", count(tally::receiving_rows(f, table_.rows())), f.pool == f.paid ? "是" : "否"},
          {false, true, true, true, true, false}, "total");
      close_table();
      if (f.groups.size() > 1) {
        out_ += "<p>资金按组分配（方案的 per 子句）：</p>\n";
        open_table({{"分组", false}, {"分配方式", false}, {"资金池（元）", true}, {"已分配（元）", true}, {"获得资金", true}});
        std::size_t n = 0;
        for (const TrackResult& t : f.tracks) {
          const tally::SplitTally done = tally::split_tally(t);
          for (std::size_t k = 0; k < t.splits.size(); ++k) {
            if (++n > kReportListLimit) continue;
            row({esc(group_name(t.splits[k].group)), esc(t.name), yuan(t.splits[k].pool), yuan(done.paid[k]), count(done.recipients[k])},
                {false, false, true, true, true});
          }
        }
        close_table();
        more(n > kReportListLimit ? n - kReportListLimit : 0, "行");
      }
      if (!groups_.empty()) {
        const auto [shown, left] = shown_groups();
        std::vector<Stack> stacks;
        for (std::size_t g = 0; g < shown; ++g) {
          const auto fen = static_cast<std::int64_t>(groups_[g].fund_sums[fi]);
          stacks.push_back({group_name(groups_[g].name), {{fen, kPalette[1]}}, yuan(fen) + " 元"});
        }
        out_ += "<h3>" + esc(f.name) + "（按" + esc(p_.symbol(info_.group_by).name) + "）</h3>\n";
        stack_chart(stacks, {}, "图：各" + p_.symbol(info_.group_by).name + "获得的" + f.name + "（元）");
        more(left, "组");
        open_table({{p_.symbol(info_.group_by).name, false}, {subject_ + "数", true}, {"金额（元）", true}, {"占资金池", true}});
        for (std::size_t g = 0; g < shown; ++g) {
          const auto fen = static_cast<std::int64_t>(groups_[g].fund_sums[fi]);
          row({esc(group_name(groups_[g].name)), count(groups_[g].rows), yuan(fen), money_share(fen, f.pool)}, {false, true, true, true});
        }
        row({"合计", count(all_.rows), yuan(static_cast<std::int64_t>(all_.fund_sums[fi])), money_share(static_cast<std::int64_t>(all_.fund_sums[fi]), f.pool)},
            {false, true, true, true}, "total");
        close_table();
      }
      extremes(f);
    }
  }

  static std::string money_share(std::int64_t part, std::int64_t whole) {
    if (whole <= 0) return "—";
    const Int128 tenths = decimal::div_round(static_cast<Int128>(part) * 1000, static_cast<Int128>(whole));
    return decimal::format(static_cast<std::int64_t>(tenths), 1, 1) + "%";
  }

  /// The largest and smallest amounts of a fund among those who received some.
  void extremes(const FundResult& f) {
    std::vector<std::size_t> paid;
    for (const std::size_t x : table_.rows()) {
      if (f.totals[x] > 0) paid.push_back(x);
    }
    const std::size_t zero = table_.rows().size() - paid.size();
    if (paid.empty()) return;
    constexpr std::size_t kEach = 5;
    auto by_amount = [&](std::size_t a, std::size_t b) { return f.totals[a] != f.totals[b] ? f.totals[a] > f.totals[b] : a < b; };
    std::vector<std::size_t> top = paid;
    const std::size_t k = std::min(kEach, top.size());
    std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(k), top.end(), by_amount);
    top.resize(k);
    std::vector<std::size_t> bottom = paid;
    auto by_small = [&](std::size_t a, std::size_t b) { return f.totals[a] != f.totals[b] ? f.totals[a] < f.totals[b] : a < b; };
    std::partial_sort(bottom.begin(), bottom.begin() + static_cast<std::ptrdiff_t>(k), bottom.end(), by_small);
    bottom.resize(k);
    out_ += "<p>获得资金的 " + count(paid.size()) + " 个" + esc(subject_) + "中，金额最大和最小的各 " + count(k) + " 个" +
            (zero > 0 ? "（另有 " + count(zero) + " 个" + esc(subject_) + "未获得资金）" : std::string()) + "：</p>\n";
    std::vector<std::pair<std::string, bool>> head = {{"", false}, {key_name_, false}};
    if (group_column_) head.emplace_back(p_.symbol(info_.group_by).name, false);
    head.emplace_back("金额（元）", true);
    open_table(head);
    auto line = [&](const std::string& which, std::size_t x) {
      std::vector<std::string> cells = {which, esc(key_of(x))};
      if (group_column_) cells.push_back(esc(group_of(x)));
      cells.push_back(yuan(f.totals[x]));
      std::vector<bool> numeric(cells.size(), false);
      numeric.back() = true;
      row(cells, numeric);
    };
    for (const std::size_t x : top) line("最大", x);
    for (const std::size_t x : bottom) line("最小", x);
    close_table();
  }

  std::string effect_text(const dsl::ResolvedEffect& e) const {
    switch (e.kind) {
      case ast::EffectKind::kGradeForce:
      case ast::EffectKind::kAlert: {
        const ast::BandDecl& b = m_.bands[e.target];
        return b.name.name + "定为 " + p_.domains[p_.band_domain[e.target]].labels[e.label];
      }
      case ast::EffectKind::kGradeCap: {
        const ast::BandDecl& b = m_.bands[e.target];
        return b.name.name + "至多为 " + p_.domains[p_.band_domain[e.target]].labels[e.label];
      }
      case ast::EffectKind::kGradeDown: return m_.bands[e.target].name.name + "降 " + std::to_string(e.steps) + " 档";
      case ast::EffectKind::kFundZero: return e.all_funds ? std::string("不得任何资金") : "不得" + m_.funds[e.target].name.name;
    }
    return "";
  }

  std::string effects_text(std::size_t veto) const {
    std::string s;
    for (const dsl::ResolvedEffect& e : p_.veto_effects[veto]) s += (s.empty() ? "" : "；") + effect_text(e);
    return s;
  }

  void vetoes_and_deductions() {
    section("五、否决与扣分");
    out_ += "<h3>否决</h3>\n";
    if (m_.vetoes.empty()) out_ += "<p>本方案未设否决。</p>\n";
    std::size_t veto = 0;
    for (const RuleColumn& rc : r_.rules) {
      if (rc.kind != RuleColumn::Kind::kVeto) continue;
      const std::size_t i = veto++;
      const std::size_t fired = tally::fired_rows(rc, table_.rows());
      out_ += "<p><b class=\"sans\">" + esc(rc.name) + "</b>：" + (fired == 0 ? std::string("未触发。") : "触发 " + count(fired) + " 个" + esc(subject_) + "。");
      if (i < m_.vetoes.size()) {
        if (m_.vetoes[i].reason) out_ += "理由：" + esc(*m_.vetoes[i].reason) + "。";
        out_ += "效果：" + esc(effects_text(i)) + "。";
      }
      out_ += "</p>\n";
      if (fired == 0) continue;
      std::vector<std::pair<std::string, bool>> head = {{"序号", true}, {key_name_, false}};
      if (group_column_) head.emplace_back(p_.symbol(info_.group_by).name, false);
      open_table(head);
      std::size_t n = 0;
      for (const std::size_t x : table_.rows()) {
        if (rc.values[x] == 0 || ++n > kReportListLimit) continue;
        std::vector<std::string> cells = {count(n), esc(key_of(x))};
        if (group_column_) cells.push_back(esc(group_of(x)));
        row(cells, {true});
      }
      close_table();
      more(n > kReportListLimit ? n - kReportListLimit : 0, "个" + subject_);
    }
    // Deductions, the most frequent first.
    struct Tally {
      const RuleColumn* rule;
      std::size_t rows = 0;
      Int128 total = 0;
    };
    std::vector<Tally> deductions;
    for (const RuleColumn& rc : r_.rules) {
      if (rc.kind != RuleColumn::Kind::kDeduct) continue;
      Tally t{&rc};
      for (const std::size_t x : table_.rows()) {
        if (rc.values[x] <= 0) continue;
        ++t.rows;
        t.total += rc.values[x];
      }
      deductions.push_back(t);
    }
    out_ += "<h3>扣分</h3>\n";
    if (deductions.empty()) {
      out_ += "<p>本方案未设扣分。</p>\n";
      return;
    }
    std::stable_sort(deductions.begin(), deductions.end(), [](const Tally& a, const Tally& b) { return a.rows > b.rows; });
    open_table({{"扣分项", false}, {"扣分的" + subject_, true}, {"占比", true}, {"扣分合计（分）", true}, {"平均每个（分）", true}});
    constexpr std::size_t kDeductions = 10;
    for (std::size_t i = 0; i < deductions.size() && i < kDeductions; ++i) {
      const Tally& t = deductions[i];
      const std::string mean = t.rows == 0 ? "—" : trimmed(static_cast<std::int64_t>(decimal::div_round(t.total, static_cast<Int128>(t.rows))), p_.precision);
      row({esc(t.rule->name), count(t.rows), share(t.rows, all_.rows), trimmed(static_cast<std::int64_t>(t.total), p_.precision), mean},
          {false, true, true, true, true});
    }
    close_table();
    more(deductions.size() > kDeductions ? deductions.size() - kDeductions : 0, "个扣分项");
  }

  // ---- ranking ----

  /// The values a tie key compares, and whether they are texts.
  struct TieColumn {
    std::span<const std::int64_t> values;
    bool text = false;
    bool descending = false;
  };

  std::vector<TieColumn> tie_columns() const {
    std::vector<TieColumn> out;
    for (const ast::FundDecl& f : m_.funds) {
      for (const ast::TieKey& k : f.ties) {
        const SymbolId s = p_.ref(k.key);
        if (s == dsl::kNoSymbol) continue;
        TieColumn c;
        c.descending = k.descending;
        const dsl::TypeKind kind = p_.symbol(s).type.kind;
        c.text = kind == dsl::TypeKind::kText;
        if (s == p_.key) {
          c.values = std::span<const std::int64_t>(d_.key.values);
          c.text = true;
        } else if (static_cast<std::size_t>(s) < r_.columns.size()) {
          c.values = r_.columns[static_cast<std::uint32_t>(s)];
        }
        if (c.values.size() == r_.rows) out.push_back(c);
      }
      if (!out.empty()) break;  // the first fund that declares its ties
    }
    return out;
  }

  void ranking() {
    section("六、排名");
    if (!score_column_) {
      out_ += "<p>方案的结果中没有总分，无法排名。</p>\n";
      return;
    }
    std::vector<std::size_t> rows;
    for (const std::size_t x : table_.rows()) {
      if (has_score(x)) rows.push_back(x);
    }
    const std::vector<TieColumn> ties = tie_columns();
    auto tie_less = [&](std::size_t a, std::size_t b) {
      for (const TieColumn& c : ties) {
        const std::int64_t va = c.values[a];
        const std::int64_t vb = c.values[b];
        if (va == vb) continue;
        bool less = false;
        if (c.text) {
          less = r_.texts.text(static_cast<std::uint32_t>(va)) < r_.texts.text(static_cast<std::uint32_t>(vb));
        } else {
          less = va < vb;
        }
        return c.descending ? !less : less;
      }
      const std::string ka = key_of(a);
      const std::string kb = key_of(b);
      return ka != kb ? ka < kb : a < b;
    };
    const std::string name = table_.columns()[*score_column_].name;
    std::string tie_words = "同分时按" + key_name_ + "排序";
    if (!ties.empty() && !m_.funds.empty()) {
      tie_words = "同分时按方案的 ties by 子句（";
      for (const ast::FundDecl& f : m_.funds) {
        if (f.ties.empty()) continue;
        for (std::size_t i = 0; i < f.ties.size(); ++i) tie_words += (i ? "、" : "") + unparse(m_, f.ties[i].key) + (f.ties[i].descending ? " 降序" : "");
        break;
      }
      tie_words += "）排序";
    }
    out_ += "<p>按" + esc(name) + "从高到低排名；同分者名次相同（并列），" + esc(tie_words) + "。</p>\n";
    constexpr std::size_t kTen = 10;
    const std::size_t k = std::min(kTen, rows.size());
    auto best = [&](std::size_t a, std::size_t b) { return score_of(a) != score_of(b) ? score_of(a) > score_of(b) : tie_less(a, b); };
    auto worst = [&](std::size_t a, std::size_t b) { return score_of(a) != score_of(b) ? score_of(a) < score_of(b) : tie_less(a, b); };
    std::vector<std::size_t> top = rows;
    std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(k), top.end(), best);
    top.resize(k);
    std::vector<std::size_t> bottom = rows;
    std::partial_sort(bottom.begin(), bottom.begin() + static_cast<std::ptrdiff_t>(k), bottom.end(), worst);
    bottom.resize(k);
    // A rank is 1 + the rows with a higher score; a tie is a rank shared.
    auto rank_of = [&](std::size_t x) {
      std::size_t higher = 0;
      std::size_t same = 0;
      for (const std::size_t y : rows) {
        higher += score_of(y) > score_of(x) ? 1U : 0U;
        same += score_of(y) == score_of(x) ? 1U : 0U;
      }
      return std::pair(higher + 1, same > 1);
    };
    const std::vector<std::size_t> grades = band_symbols(SymbolKind::kGrade);
    const std::vector<std::size_t> alerts = band_symbols(SymbolKind::kAlert);
    auto table = [&](const std::string& title, const std::vector<std::size_t>& list) {
      out_ += "<h3>" + esc(title) + "</h3>\n";
      std::vector<std::pair<std::string, bool>> head = {{"名次", true}, {key_name_, false}};
      if (group_column_) head.emplace_back(p_.symbol(info_.group_by).name, false);
      head.emplace_back(name, true);
      for (const std::size_t s : grades) head.emplace_back(p_.symbols[s].name, false);
      for (const std::size_t s : alerts) head.emplace_back(p_.symbols[s].name, false);
      open_table(head);
      for (const std::size_t x : list) {
        const auto [rank, tied] = rank_of(x);
        std::vector<std::string> cells = {count(rank) + (tied ? "（并列）" : ""), esc(key_of(x))};
        std::vector<bool> numeric = {true, false};
        if (group_column_) {
          cells.push_back(esc(group_of(x)));
          numeric.push_back(false);
        }
        cells.push_back(score_text(score_of(x)));
        numeric.push_back(true);
        for (const std::size_t s : grades) cells.push_back(chip(s, static_cast<std::size_t>(r_.columns[s][x])));
        for (const std::size_t s : alerts) cells.push_back(chip(s, static_cast<std::size_t>(r_.columns[s][x])));
        row(cells, numeric);
      }
      close_table();
    };
    table("前 " + count(k) + " 名", top);
    table("后 " + count(k) + " 名（从最低分起）", bottom);
  }

  // ---- the policy ----

  void tree_rows(std::uint32_t node, int depth, std::int64_t root_full) {
    const ast::IndicatorNode& n = m_.nodes[node];
    const dsl::NodeInfo& info = p_.nodes[node];
    std::string method;
    if (ast::present(n.formula)) method = unparse(m_, n.formula);
    for (const ast::Adjust& a : n.adjusts) {
      std::string s = std::string(a.kind == ast::AdjustKind::kDeduct ? "扣分 " : "加分 ") + a.name.name + "：" + unparse(m_, a.amount);
      if (ast::present(a.per)) s += " × " + unparse(m_, a.per);
      if (ast::present(a.when)) s += "，条件 " + unparse(m_, a.when);
      if (ast::present(a.max)) s += "，最多 " + unparse(m_, a.max);
      method += (method.empty() ? "" : "\n") + s;
    }
    if (ast::present(n.deductions_max)) method += (method.empty() ? "" : "\n") + ("扣分合计最多 " + unparse(m_, n.deductions_max));
    if (ast::present(n.bonuses_max)) method += (method.empty() ? "" : "\n") + ("加分合计最多 " + unparse(m_, n.bonuses_max));
    switch (n.missing) {
      case ast::MissingRule::kZero: method += "\n缺项按 0 分计"; break;
      case ast::MissingRule::kPeerAverage: method += "\n缺项按同期平均分计"; break;
      case ast::MissingRule::kReweight: method += "\n缺项不计分，权重由同级指标分摊"; break;
      case ast::MissingRule::kNone: break;
    }
    const std::string share_text =
        root_full <= 0 ? "—"
                       : trimmed(static_cast<std::int64_t>(decimal::div_round(static_cast<Int128>(info.full) * 100 * decimal::kOne, root_full)), 2) + "%";
    std::string method_html;
    std::size_t start = 0;
    while (start <= method.size()) {
      const std::size_t nl = method.find('\n', start);
      method_html += (start ? "<br>" : "") + esc(method.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    const std::string cls = depth > 0 ? " class=\"indent" + std::to_string(std::min(depth, 4)) + "\"" : "";
    out_ += "<tr><td" + cls + ">" + esc(n.name.name) + "</td><td class=\"num\">" + (n.weight.kind == ast::WeightKind::kNone ? std::string() : esc(unparse(n.weight))) + "</td><td class=\"num\">" +
            trimmed(info.full, 6) + "</td><td class=\"num\">" + share_text + "</td><td>" + method_html + "</td></tr>\n";
    for (const std::uint32_t c : n.children) {
      if (!m_.nodes[c].detached) tree_rows(c, depth + 1, root_full);
    }
  }

  void policy_section() {
    section("七、政策说明");
    out_ += "<p class=\"note\">以下内容由 jixiao 从检查通过的评价方案生成（不是方案原文），与计算所用的规则一致。</p>\n";
    for (const std::uint32_t root : m_.roots) {
      const std::uint32_t k = m_.nodes[root].segment;
      const std::string segment = k == ast::IndicatorNode::kNoNode ? "" : "（分类 " + esc(m_.segments[k].name.name) + "）";
      out_ += "<h3>指标体系：" + esc(m_.nodes[root].name.name) + segment + "</h3>\n";
      open_table({{"指标", false}, {"权重", true}, {"满分（分）", true}, {"占总分", true}, {"计分方法", false}});
      tree_rows(root, 0, p_.nodes[root].full);
      close_table();
    }
    if (!m_.bands.empty()) {
      out_ += "<h3>等级与预警</h3>\n";
      for (std::size_t i = 0; i < m_.bands.size(); ++i) {
        const ast::BandDecl& b = m_.bands[i];
        out_ += "<p><b class=\"sans\">" + esc(b.name.name) + "</b>（" + (b.kind == ast::BandKind::kGrade ? "等级" : "预警") + "，依据 " +
                esc(unparse(m_, b.of)) + "）</p>\n";
        open_table({{"档", false}, {"区间", false}, {"期限", false}, {b.kind == ast::BandKind::kAlert ? "措施" : "说明", false}});
        for (std::size_t l = 0; l < b.bands.size(); ++l) {
          const ast::Band& band = b.bands[l];
          const std::size_t symbol = static_cast<std::size_t>(p_.find(b.name.name));
          row({symbol < p_.symbols.size() ? chip(symbol, l) : esc(band.label.text), band.has_interval ? esc(unparse(band.interval)) : "（仅由否决给出）",
               band.deadline ? esc(dsl::deadline_length(*band.deadline).str(Lang::kZh)) : "", band.text ? esc(*band.text) : ""});
        }
        close_table();
      }
    }
    if (!m_.vetoes.empty()) {
      out_ += "<h3>否决</h3>\n";
      open_table({{"否决", false}, {"条件", false}, {"效果", false}, {"理由", false}});
      for (std::size_t i = 0; i < m_.vetoes.size(); ++i) {
        const ast::VetoDecl& v = m_.vetoes[i];
        row({esc(v.name.name), esc(unparse(m_, v.when)), esc(effects_text(i)), v.reason ? esc(*v.reason) : ""});
      }
      close_table();
    }
    if (!m_.funds.empty()) {
      out_ += "<h3>资金</h3>\n";
      for (std::size_t i = 0; i < m_.funds.size(); ++i) {
        const ast::FundDecl& f = m_.funds[i];
        std::string pool = unparse(m_, f.pool);
        if (p_.fund_pool[i]) pool += "（" + yuan(*p_.fund_pool[i]) + " 元）";
        out_ += "<p><b class=\"sans\">" + esc(f.name.name) + "</b>：资金池 " + esc(pool);
        if (ast::present(f.per_group)) out_ += "，按 " + esc(unparse(m_, f.per_group)) + " 分组分配";
        if (!f.ties.empty()) {
          std::string ties;
          for (const ast::TieKey& t : f.ties) ties += (ties.empty() ? "" : "、") + unparse(m_, t.key) + (t.descending ? " 降序" : "");
          out_ += "；分到分，余数相同时按 " + esc(ties) + " 决定";
        }
        out_ += "。</p>\n";
        open_table({{"分配方式", false}, {"份额", true}, {"分配办法", false}, {"资格条件", false}});
        for (const ast::Track& t : f.tracks) {
          std::string how;
          switch (t.mode) {
            case ast::TrackMode::kSplitBy: how = "按 " + unparse(m_, t.by) + " 分配"; break;
            case ast::TrackMode::kEqually: how = "平均分配"; break;
            case ast::TrackMode::kTop:
              how = "按 " + unparse(m_, t.by) + " 取前 " + decimal::to_string(t.top_raw) + (t.top_percent ? "%" : " 名") +
                    (t.top_base == ast::TopBase::kAll ? "（占全部）" : "") + (t.top_rounding == ast::TopRounding::kUp ? "（向上取整）" : "") + "，" +
                    (ast::present(t.proportional) ? "按 " + unparse(m_, t.proportional) + " 比例分配" : std::string("平均分配"));
              break;
          }
          row({esc(t.name.name), esc(unparse(t.share)), esc(how), ast::present(t.when) ? esc(unparse(m_, t.when)) : "—"});
        }
        close_table();
      }
    }
  }

  // ---- a community's sheet ----

  /// The mean of `symbol` over `rows` (rows where the indicator dropped out are left out), rounded
  /// to the policy's precision; nullopt when no row has it.
  std::optional<std::int64_t> mean_of(SymbolId symbol, const std::vector<std::size_t>& rows) const {
    const std::span<const std::int64_t> v = r_.columns[static_cast<std::uint32_t>(symbol)];
    if (v.empty()) return std::nullopt;  // a column the evaluation did not keep
    const AbsentColumn* absent = nullptr;
    for (const AbsentColumn& a : r_.absent) {
      if (a.indicator == symbol) absent = &a;
    }
    Int128 sum = 0;
    std::size_t n = 0;
    for (const std::size_t x : rows) {
      if (absent != nullptr && absent->values[x] != 0) continue;
      sum += v[x];
      ++n;
    }
    if (n == 0) return std::nullopt;
    const Int128 unit = decimal::pow10(decimal::kPlaces - p_.precision);
    return static_cast<std::int64_t>(decimal::div_round(sum, unit * static_cast<Int128>(n)) * unit);
  }

  void sheet(std::size_t i) {
    const std::size_t x = info_.sheets[i];
    const explain::Explanation e = explain::explain_model(p_, d_, r_, x);
    section("八、" + subject_ + "评价单：" + e.key);
    std::string where = key_name_ + " " + e.key;
    if (group_column_) where += "，" + p_.symbol(info_.group_by).name + " " + group_name(group_of(x));
    if (!e.period.empty()) where += "，评价期 " + e.period;
    out_ += "<p>" + esc(where) + "（数据第 " + count(e.shown_row) + " 行）。</p>\n";
    // The results.
    open_table({{"项目", false}, {"结果", false}});
    for (const explain::Node& t : e.trees) row({esc(t.name), t.absent ? "不计（缺项）" : score_text(t.score) + " 分"});
    for (const explain::BandStep& b : e.bands) {
      std::string text = esc(b.label);
      if (!b.deadline.empty()) text += "，期限 " + esc(b.deadline);
      if (!b.text.empty()) text += "，" + std::string(b.alert ? "措施：" : "说明：") + esc(b.text);
      row({esc(b.name), text});
    }
    for (const explain::FundStep& f : e.funds) {
      std::string text = yuan(f.total) + " 元";
      std::string parts;
      for (const explain::TrackStep& t : f.tracks) parts += (parts.empty() ? "" : "，") + t.name + " " + yuan(t.amount) + " 元";
      if (f.tracks.size() > 1) text += "（" + esc(parts) + "）";
      row({esc(f.name), text});
    }
    if (e.has_rules) {
      std::string fired;
      for (const ReasonEntry& r : e.reasons) fired += (fired.empty() ? "" : "；") + reason_entry_display(r);
      row({"触发规则", fired.empty() ? "无" : esc(fired)});
    }
    close_table();
    // The layers against the group's and every row's means.
    std::vector<std::size_t> group_rows;
    std::string group_label;
    if (group_column_) {
      group_label = group_of(x);
      for (const tally::Group& g : groups_) {
        if (g.name == group_label) group_rows = g.members;
      }
    }
    std::vector<std::uint32_t> roots;  // the trees the explanation shows: with segments, its segment's
    for (const std::uint32_t r : m_.roots) {
      const std::uint32_t k = m_.nodes[r].segment;
      if (k == ast::IndicatorNode::kNoNode ? e.segment.empty() : m_.segments[k].name.name == e.segment) roots.push_back(r);
    }
    for (std::size_t t = 0; t < e.trees.size() && t < roots.size(); ++t) {
      const explain::Node& root = e.trees[t];
      if (root.children.empty()) continue;
      const ast::IndicatorNode& rn = m_.nodes[roots[t]];
      std::vector<std::uint32_t> layer_nodes;
      for (const std::uint32_t c : rn.children) {
        if (!m_.nodes[c].detached) layer_nodes.push_back(c);
      }
      out_ += "<h3>" + esc(root.name) + "各项得分与平均分</h3>\n";
      std::vector<std::pair<std::string, bool>> head = {{"指标", false}, {"满分", true}, {"本" + subject_, true}};
      if (group_column_) head.emplace_back("本组平均", true);
      head.emplace_back("全部平均", true);
      open_table(head);
      struct Layer {
        std::string name;
        std::int64_t full = 0;
        std::optional<std::int64_t> own, group, all;
      };
      std::vector<Layer> layers;
      for (std::size_t c = 0; c < root.children.size() && c < layer_nodes.size(); ++c) {
        const explain::Node& n = root.children[c];
        const SymbolId s = p_.nodes[layer_nodes[c]].symbol;
        Layer l{n.name, n.full, n.absent ? std::nullopt : std::optional<std::int64_t>(n.score), std::nullopt, std::nullopt};
        if (!r_.columns[static_cast<std::uint32_t>(s)].empty()) {
          if (group_column_) l.group = mean_of(s, group_rows);
          l.all = mean_of(s, table_.rows());
        }
        auto text = [&](const std::optional<std::int64_t>& v) { return v ? score_text(*v) : std::string("—"); };
        std::vector<std::string> cells = {esc(l.name), trimmed(l.full, 6), text(l.own)};
        if (group_column_) cells.push_back(text(l.group));
        cells.push_back(text(l.all));
        std::vector<bool> numeric(cells.size(), true);
        numeric[0] = false;
        row(cells, numeric);
        layers.push_back(l);
      }
      close_table();
      layer_chart(layers, group_column_.has_value(), group_label);
    }
    out_ += "<h3>计算过程（与 jixiao explain 所示相同）</h3>\n<pre class=\"derivation\">" + esc(explain::explain_text(e)) + "</pre>\n";
  }

  /// Grouped horizontal bars: per layer, the row's score, the group's mean and the mean of all, as
  /// a share of the layer's full marks.
  template <typename Layer>
  void layer_chart(const std::vector<Layer>& layers, bool grouped, const std::string& group) {
    const std::vector<std::pair<std::string, std::uint32_t>> series = grouped
        ? std::vector<std::pair<std::string, std::uint32_t>>{{"本" + subject_, 0x1F3A5F}, {"本组平均（" + clip(group_name(group), 8) + "）", 0x9DB4CC}, {"全部平均", 0xBFBFBF}}
        : std::vector<std::pair<std::string, std::uint32_t>>{{"本" + subject_, 0x1F3A5F}, {"全部平均", 0xBFBFBF}};
    const double w = 640;
    const double left = 90;
    const double right = 70;
    const double bar = 11;
    const double gap = 10;
    const double top = 30;
    const double per = bar * static_cast<double>(series.size()) + gap;
    const double h = top + per * static_cast<double>(layers.size()) + 20;
    const double plot_w = w - left - right;
    out_ += "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + px(w) + " " + px(h) + "\" font-size=\"11\" role=\"img\">\n";
    double lx = left;
    for (const auto& [name, fill] : series) {
      out_ += "<rect x=\"" + px(lx) + "\" y=\"8\" width=\"12\" height=\"12\" fill=\"" + hex(fill) + "\" stroke=\"#000\" stroke-width=\"0.6\"/>";
      out_ += "<text x=\"" + px(lx + 16) + "\" y=\"18\">" + esc(name) + "</text>\n";
      lx += 150;
    }
    for (int i = 0; i <= 4; ++i) {
      const double gx = left + plot_w * i / 4;
      out_ += "<line x1=\"" + px(gx) + "\" y1=\"" + px(top - 4) + "\" x2=\"" + px(gx) + "\" y2=\"" + px(h - 18) + "\" stroke=\"" +
              std::string(i == 0 ? "#000" : "#bbb") + "\" stroke-width=\"0.5\"/>\n";
      out_ += "<text x=\"" + px(gx) + "\" y=\"" + px(h - 6) + "\" text-anchor=\"middle\">" + std::to_string(i * 25) + "%</text>\n";
    }
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const double y0 = top + per * static_cast<double>(l);
      out_ += "<text x=\"" + px(left - 6) + "\" y=\"" + px(y0 + per / 2) + "\" text-anchor=\"end\">" + esc(clip(layers[l].name, 7)) + "</text>\n";
      const std::array<const std::optional<std::int64_t>*, 3> values = {&layers[l].own, &layers[l].group, &layers[l].all};
      std::size_t k = 0;
      for (std::size_t sidx = 0; sidx < 3; ++sidx) {
        if (sidx == 1 && !grouped) continue;
        const std::optional<std::int64_t>& v = *values[sidx];
        const double y = y0 + bar * static_cast<double>(k);
        if (v && layers[l].full > 0) {
          const double frac = std::clamp(static_cast<double>(*v) / static_cast<double>(layers[l].full), 0.0, 1.2);
          out_ += "<rect x=\"" + px(left) + "\" y=\"" + px(y) + "\" width=\"" + px(plot_w * frac) + "\" height=\"" + px(bar - 1) +
                  "\" fill=\"" + hex(series[k].second) + "\" stroke=\"#000\" stroke-width=\"0.4\"/>\n";
          out_ += "<text x=\"" + px(left + plot_w * frac + 4) + "\" y=\"" + px(y + bar - 2) + "\" font-size=\"9\">" + score_text(*v) + "</text>\n";
        }
        ++k;
      }
    }
    out_ += "</svg><figcaption>图：各项得分占该项满分的比例（数字为得分）</figcaption></figure>\n";
  }

  const dsl::CheckedPolicy& p_;
  const ast::Module& m_;
  const Dataset& d_;
  const EvalResult& r_;
  const ReportInfo& info_;
  const ResultTable table_;
  const tally::Summary summary_;
  tally::Group all_;
  std::vector<tally::Group> groups_;
  std::optional<std::size_t> group_column_;
  std::optional<std::size_t> score_column_;
  SymbolId score_symbol_ = dsl::kNoSymbol;
  std::string subject_;
  std::string key_name_;
  std::string out_;
  bool open_section_ = false;
};

}  // namespace

std::vector<dsl::SymbolId> report_symbols(const dsl::CheckedPolicy& policy, dsl::SymbolId group_by) {
  std::vector<SymbolId> out = result_symbols(policy);
  for (const std::uint32_t root : policy.module.roots) {
    for (const std::uint32_t c : policy.module.nodes[root].children) {
      if (!policy.module.nodes[c].detached) out.push_back(policy.nodes[c].symbol);
    }
  }
  for (const ast::FundDecl& f : policy.module.funds) {
    for (const ast::TieKey& k : f.ties) {
      if (policy.ref(k.key) != dsl::kNoSymbol) out.push_back(policy.ref(k.key));
    }
  }
  if (group_by != dsl::kNoSymbol) out.push_back(group_by);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string make_report(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result, const ReportInfo& info) {
  return Report(policy, data, result, info).write();
}

}  // namespace jixiao::engine
