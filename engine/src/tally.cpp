// Counts and sums over the results (see tally.hpp).
#include "tally.hpp"

#include <algorithm>
#include <map>

namespace jixiao::engine::tally {

Summary::Summary(const dsl::CheckedPolicy& p, const EvalResult& r, const ResultTable& table) : p_(p), r_(r), table_(table) {
  for (std::size_t i = 0; i < p.symbols.size(); ++i) {
    const dsl::SymbolKind k = p.symbols[i].kind;
    if (k == dsl::SymbolKind::kGrade || k == dsl::SymbolKind::kAlert) bands_.push_back(i);
  }
  // The roots' scores, as the results show them (a root not shown is not averaged).
  for (const std::uint32_t root : p.module.roots) {
    const dsl::SymbolId s = p.nodes[root].symbol;
    for (std::size_t c = 0; c < table.shown(); ++c) {
      // Segments' copies of a tree share its symbol: one column.
      if (table.columns()[c].symbol == s && table.columns()[c].kind == ResultColumnKind::kScore &&
          std::find(scores_.begin(), scores_.end(), c) == scores_.end()) {
        scores_.push_back(c);
      }
    }
  }
}

Group Summary::empty(std::string name) const {
  Group g;
  g.name = std::move(name);
  for (const std::size_t b : bands_) g.band_counts.emplace_back(domain(b).labels.size(), 0);
  g.score_sums.assign(scores_.size(), 0);
  g.score_rows.assign(scores_.size(), 0);
  g.fund_sums.assign(r_.funds.size(), 0);
  return g;
}

void Summary::add(Group& g, std::size_t row) const {
  ++g.rows;
  for (std::size_t b = 0; b < bands_.size(); ++b) ++g.band_counts[b][static_cast<std::size_t>(r_.columns[bands_[b]][row])];
  for (std::size_t s = 0; s < scores_.size(); ++s) {
    if (table_.missing(scores_[s], row)) continue;
    g.score_sums[s] += r_.columns[static_cast<std::uint32_t>(table_.columns()[scores_[s]].symbol)][row];
    ++g.score_rows[s];
  }
  for (std::size_t f = 0; f < r_.funds.size(); ++f) g.fund_sums[f] += r_.funds[f].totals[row];
}

std::string Summary::mean(const Group& g, std::size_t s) const {
  if (g.score_rows[s] == 0) return "";
  const Int128 unit = decimal::pow10(decimal::kPlaces - p_.precision);
  const auto v = static_cast<std::int64_t>(decimal::div_round(g.score_sums[s], unit * static_cast<Int128>(g.score_rows[s])));
  return decimal::format(v, p_.precision, p_.precision);
}

Group Summary::all(std::string name) const {
  Group g = empty(std::move(name));
  for (const std::size_t row : table_.rows()) add(g, row);
  return g;
}

std::vector<Group> Summary::groups(dsl::SymbolId group_by, std::size_t column, bool keep_rows) const {
  const bool labelled = p_.symbol(group_by).type.kind == dsl::TypeKind::kLabel;
  std::vector<Group> out;
  std::map<std::string, std::size_t> index;
  std::string cell;
  for (const std::size_t x : table_.rows()) {
    cell.clear();
    if (!table_.missing(column, x)) table_.cell(column, x, cell);
    auto [it, added] = index.try_emplace(cell, out.size());
    if (added) {
      out.push_back(empty(cell));
      out.back().order = labelled ? r_.columns[static_cast<std::uint32_t>(group_by)][x] : static_cast<std::int64_t>(out.size());
    }
    add(out[it->second], x);
    if (keep_rows) out[it->second].members.push_back(x);
  }
  std::stable_sort(out.begin(), out.end(), [](const Group& a, const Group& b) { return a.order < b.order; });
  return out;
}

SplitTally split_tally(const TrackResult& t) {
  SplitTally out;
  out.paid.assign(t.splits.size(), 0);
  out.recipients.assign(t.splits.size(), 0);
  for (std::size_t x = 0; x < t.amounts.size(); ++x) {
    const std::int32_t k = t.split_at(x);
    if (k < 0) continue;
    out.paid[static_cast<std::size_t>(k)] += t.amounts[x];
    if (t.amounts[x] > 0) ++out.recipients[static_cast<std::size_t>(k)];
  }
  return out;
}

std::size_t eligible_rows(const TrackResult& t) {
  std::size_t n = 0;
  for (const TrackSplit& s : t.splits) n += s.rows;
  return n;
}

std::size_t receiving_rows(const FundResult& f, const std::vector<std::size_t>& rows) {
  return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [&](std::size_t x) { return f.totals[x] > 0; }));
}

std::size_t fired_rows(const RuleColumn& rc, const std::vector<std::size_t>& rows) {
  return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [&](std::size_t x) { return rc.values[x] != 0; }));
}

std::optional<Colours> alert_colours(const std::string& label) {
  static const std::map<std::string, Colours> kByName = {
      {"red", {0xFF0000, 0xFFFFFF}},    {"红", {0xFF0000, 0xFFFFFF}},    {"红色", {0xFF0000, 0xFFFFFF}},
      {"orange", {0xFFC000, 0x000000}}, {"橙", {0xFFC000, 0x000000}},    {"橙色", {0xFFC000, 0x000000}},
      {"yellow", {0xFFFF00, 0x000000}}, {"黄", {0xFFFF00, 0x000000}},    {"黄色", {0xFFFF00, 0x000000}},
      {"blue", {0x00B0F0, 0x000000}},   {"蓝", {0x00B0F0, 0x000000}},    {"蓝色", {0x00B0F0, 0x000000}},
      {"green", {0x00B050, 0xFFFFFF}},  {"绿", {0x00B050, 0xFFFFFF}},    {"绿色", {0x00B050, 0xFFFFFF}},
  };
  const auto it = kByName.find(label);
  if (it == kByName.end()) return std::nullopt;
  return it->second;
}

std::string param_value(const dsl::ParamValue& v) {
  switch (v.type.kind) {
    case dsl::TypeKind::kMoney: return decimal::format_yuan_grouped(v.number) + "元";
    case dsl::TypeKind::kNumber: return decimal::to_string(v.number);
    case dsl::TypeKind::kBool: return v.boolean ? "是" : "否";
    case dsl::TypeKind::kText: return v.text;
    case dsl::TypeKind::kTable: {
      std::string out;
      for (const auto& [key, amount] : v.table) {
        if (!out.empty()) out += "；";
        out += key + "：" + (v.type.value == dsl::TypeKind::kMoney ? decimal::format_yuan_grouped(amount) + "元" : decimal::to_string(amount));
      }
      return out;
    }
    default: return "";
  }
}

std::string param_source(const dsl::CheckedPolicy& p, std::size_t i, const std::vector<dsl::ParamOverride>& overrides) {
  if (!p.params[i].overridden) return "方案中的值";
  const std::string& name = p.module.params[i].name.name;
  std::string source;
  for (const dsl::ParamOverride& o : overrides) {
    if (o.name == name || o.name.rfind(name + ".", 0) == 0) source += (source.empty() ? "" : " ") + ("--param " + o.name + "=" + o.value);
  }
  return source;
}

}  // namespace jixiao::engine::tally
