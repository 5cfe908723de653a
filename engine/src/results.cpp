// Formatting results (CSV, JSON) and the summary.
#include "jixiao/engine/results.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/decl_text.hpp"
#include "jixiao/dsl/json_writer.hpp"
#include "jixiao/dsl/version.hpp"
#include "jixiao/engine/csv.hpp"
#include "parallel.hpp"

namespace jixiao::engine {
namespace {

using dsl::SymbolKind;
using dsl::TypeKind;

enum class CellKind { kNumber, kText, kBool, kList };

/// One output column: its header and how to write row i.
struct OutColumn {
  std::string name;
  CellKind kind = CellKind::kText;
  std::function<void(std::size_t, std::string&)> text;     ///< appends the cell as text (kList: when set, the items joined by `;`)
  std::function<std::vector<std::string>(std::size_t)> list;  ///< kList cells
  std::function<bool(std::size_t)> missing;                 ///< no value on the row: an empty cell, JSON null
  std::function<void(std::size_t, JsonWriter&)> json;       ///< when set, writes the JSON value itself
  ResultColumnKind role = ResultColumnKind::kText;         ///< what it holds, for typed writers
  int places = 0;                                           ///< decimals of a number column
  dsl::SymbolId symbol = dsl::kNoSymbol;
};

OutColumn number_column(std::string name, ResultColumnKind role, int places, dsl::SymbolId symbol,
                        std::function<void(std::size_t, std::string&)> text) {
  OutColumn c;
  c.name = std::move(name);
  c.kind = CellKind::kNumber;
  c.text = std::move(text);
  c.role = role;
  c.places = places;
  c.symbol = symbol;
  return c;
}

OutColumn text_column(std::string name, dsl::SymbolId symbol, std::function<void(std::size_t, std::string&)> text) {
  OutColumn c;
  c.name = std::move(name);
  c.text = std::move(text);
  c.symbol = symbol;
  return c;
}

/// The decimals `raw` needs (0 to decimal::kPlaces), trailing zeros left out.
int places_needed(std::int64_t raw) {
  int places = decimal::kPlaces;
  while (places > 0 && raw % decimal::pow10(decimal::kPlaces - places + 1) == 0) --places;
  return places;
}

// The reason text with `\`, `;` and line breaks escaped (see reason_entry_text).
void append_escaped(std::string& out, std::string_view text) {
  for (const char ch : text) {
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out.push_back(ch); break;
    }
  }
}

std::string entry_text(const ReasonEntry& e, bool escaped) {
  std::string out(rule_kind_marker(e.kind));
  out += ":";
  out += e.name;
  if (e.reason && !e.reason->empty()) {
    out += "（";
    if (escaped) {
      append_escaped(out, *e.reason);
    } else {
      out += *e.reason;
    }
    out += "）";
  }
  return out;
}

constexpr RuleColumn::Kind kKinds[] = {RuleColumn::Kind::kVeto, RuleColumn::Kind::kDeduct, RuleColumn::Kind::kBonus,
                                       RuleColumn::Kind::kCap, RuleColumn::Kind::kMissing};

}  // namespace

std::string_view rule_kind_code(RuleColumn::Kind kind) {
  switch (kind) {
    case RuleColumn::Kind::kVeto: return "veto";
    case RuleColumn::Kind::kDeduct: return "deduct";
    case RuleColumn::Kind::kBonus: return "bonus";
    case RuleColumn::Kind::kCap: return "cap";
    case RuleColumn::Kind::kMissing: return "missing";
  }
  return "";
}

std::string_view rule_kind_marker(RuleColumn::Kind kind) {
  switch (kind) {
    case RuleColumn::Kind::kVeto: return "否决";
    case RuleColumn::Kind::kDeduct: return "扣分";
    case RuleColumn::Kind::kBonus: return "加分";
    case RuleColumn::Kind::kCap: return "封顶";
    case RuleColumn::Kind::kMissing: return "缺项";
  }
  return "";
}

std::string reason_entry_text(const ReasonEntry& entry) { return entry_text(entry, true); }

std::string reason_entry_display(const ReasonEntry& entry) { return entry_text(entry, false); }

std::vector<ReasonEntry> reason_entries(const dsl::CheckedPolicy& policy, const EvalResult& result) {
  std::vector<ReasonEntry> entries;
  for (const RuleColumn& rc : result.rules) {
    ReasonEntry e{rc.kind, rc.name, std::nullopt};
    if (rc.kind == RuleColumn::Kind::kVeto) {
      for (const ast::VetoDecl& v : policy.module.vetoes) {
        if (v.name.name == rc.name) e.reason = v.reason.value_or("");
      }
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

void write_reason_json(JsonWriter& w, const ReasonEntry& entry) {
  w.begin_object();
  w.key("kind");
  w.string(rule_kind_code(entry.kind));
  w.key("name");
  w.string(entry.name);
  w.key("text");
  w.string(reason_entry_display(entry));
  w.key("reason");
  if (entry.reason) {
    w.string(*entry.reason);
  } else {
    w.null();
  }
  w.end_object();
}

std::vector<std::string> split_reasons(std::string_view cell) {
  std::vector<std::string> entries;
  if (cell.empty()) return entries;
  std::string current;
  for (std::size_t i = 0; i < cell.size(); ++i) {
    if (cell[i] == '\\' && i + 1 < cell.size()) {
      current += cell.substr(i, 2);
      ++i;
    } else if (cell[i] == ';') {
      entries.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(cell[i]);
    }
  }
  entries.push_back(std::move(current));
  return entries;
}

std::optional<ReasonEntry> parse_reason_entry(std::string_view text) {
  ReasonEntry e;
  std::size_t colon = text.find(':');
  std::size_t after = colon + 1;
  if (const std::size_t wide = text.find("："); wide != std::string_view::npos && (colon == std::string_view::npos || wide < colon)) {
    colon = wide;
    after = wide + std::string_view("：").size();
  }
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view marker = text.substr(0, colon);
  const auto kind = std::find_if(std::begin(kKinds), std::end(kKinds), [&](RuleColumn::Kind k) {
    return marker == rule_kind_marker(k) || marker == rule_kind_code(k);
  });
  if (kind == std::end(kKinds)) return std::nullopt;
  e.kind = *kind;
  std::string_view rest = text.substr(after);
  // The name ends at the first opening parenthesis (a name has none); the reason at the last
  // closing one, which ends the entry.
  const std::size_t open_wide = rest.find("（");
  const std::size_t open_ascii = rest.find('(');
  const std::size_t open = std::min(open_wide, open_ascii);
  if (open == std::string_view::npos) {
    e.name = std::string(rest);
  } else {
    const std::string_view close = open == open_wide ? std::string_view("）") : std::string_view(")");
    const std::size_t body = open + (open == open_wide ? std::string_view("（").size() : 1);
    if (rest.size() < body + close.size() || rest.substr(rest.size() - close.size()) != close) return std::nullopt;
    e.name = std::string(rest.substr(0, open));
    const std::string_view escaped = rest.substr(body, rest.size() - close.size() - body);
    std::string reason;
    for (std::size_t i = 0; i < escaped.size(); ++i) {
      if (escaped[i] != '\\' || i + 1 == escaped.size()) {
        reason.push_back(escaped[i]);
        continue;
      }
      const char next = escaped[++i];
      reason.push_back(next == 'n' ? '\n' : next == 'r' ? '\r' : next);
    }
    e.reason = std::move(reason);
  }
  if (e.name.empty()) return std::nullopt;
  return e;
}

std::vector<dsl::SymbolId> result_symbols(const dsl::CheckedPolicy& p) {
  std::vector<dsl::SymbolId> out;
  std::vector<bool> listed(p.symbols.size(), false);
  auto add = [&](dsl::SymbolId s) {
    if (listed[static_cast<std::uint32_t>(s)]) return;
    listed[static_cast<std::uint32_t>(s)] = true;
    out.push_back(s);
  };
  add(p.key);
  if (p.period != dsl::kNoSymbol) add(p.period);
  if (p.module.output) {
    for (const ast::ExprId e : p.module.output->items) add(p.ref(e));
  } else {
    for (const std::uint32_t root : p.module.roots) add(p.nodes[root].symbol);
  }
  for (std::size_t i = 0; i < p.symbols.size(); ++i) {
    const SymbolKind k = p.symbols[i].kind;
    if (k == SymbolKind::kGrade || k == SymbolKind::kAlert || k == SymbolKind::kFund) add(dsl::SymbolId{static_cast<std::uint32_t>(i)});
  }
  return out;
}

namespace {

class Columns {
 public:
  Columns(const dsl::CheckedPolicy& p, const Dataset& d, const EvalResult& r) : p_(p), d_(d), r_(r) {}

  std::vector<OutColumn> build() {
    for (const dsl::SymbolId s : result_symbols(p_)) add_symbol(s);
    if (!r_.segment.empty()) {
      const auto& segments = p_.module.segments;
      OutColumn segment = text_column(std::string(kSegmentColumn), dsl::kNoSymbol, [this, &segments](std::size_t row, std::string& cell) {
        const std::int64_t k = r_.segment[row];
        if (k >= 0) cell += segments[static_cast<std::size_t>(k)].name.name;
      });
      cols_.insert(cols_.begin() + (p_.period != dsl::kNoSymbol ? 2 : 1), std::move(segment));
    }
    // Each rule's entry is the same on every row it fires on: made once.
    entries_ = reason_entries(p_, r_);
    for (const ReasonEntry& e : entries_) entry_texts_.push_back(reason_entry_text(e));
    OutColumn reasons;
    reasons.name = std::string(kReasonsColumn);
    reasons.kind = CellKind::kList;
    reasons.role = ResultColumnKind::kReasons;
    reasons.list = [this](std::size_t row) {
      std::vector<std::string> fired;
      for (std::size_t i = 0; i < r_.rules.size(); ++i) {
        if (r_.rules[i].values[row] > 0) fired.push_back(entry_texts_[i]);
      }
      return fired;
    };
    reasons.text = [this](std::size_t row, std::string& cell) {  // the list joined, without making it
      bool first = true;
      for (std::size_t i = 0; i < r_.rules.size(); ++i) {
        if (r_.rules[i].values[row] <= 0) continue;
        if (!first) cell += ';';
        first = false;
        cell += entry_texts_[i];
      }
    };
    reasons.json = [this](std::size_t row, JsonWriter& w) {
      w.begin_array();
      for (std::size_t i = 0; i < r_.rules.size(); ++i) {
        if (r_.rules[i].values[row] > 0) write_reason_json(w, entries_[i]);
      }
      w.end_array();
    };
    cols_.push_back(std::move(reasons));
    return std::move(cols_);
  }

  /// The column of one more symbol (an input, a grade, an alert, a label), as add_symbol makes it.
  OutColumn extra(dsl::SymbolId s) {
    cols_.clear();
    add_symbol(s);
    OutColumn c = std::move(cols_.front());
    cols_.clear();
    return c;
  }

 private:
  std::span<const std::int64_t> values(dsl::SymbolId s) const { return r_.columns[static_cast<std::uint32_t>(s)]; }

  void add_symbol(dsl::SymbolId id) {
    const dsl::Symbol& s = p_.symbol(id);
    const std::int64_t* v = values(id).data();
    OutColumn c;
    c.name = s.name;
    c.symbol = id;
    if (s.kind == SymbolKind::kInput && p_.module.inputs[s.index].optional) {
      // An optional input that is missing on a row is an empty cell (JSON: null).
      add_value_column(s, v, c);
      const std::vector<std::int64_t>* missing = &d_.inputs[s.index].missing;
      OutColumn& added = cols_.back();
      added.missing = [missing](std::size_t row) { return (*missing)[row] != 0; };
      return;
    }
    switch (s.kind) {
      case SymbolKind::kFund: {
        const FundResult& f = r_.funds[s.index];
        for (const TrackResult& t : f.tracks) {
          cols_.push_back(number_column(s.name + "." + t.name, ResultColumnKind::kMoney, 2, id,
                                        [&t](std::size_t row, std::string& cell) { decimal::append_format(cell, t.amounts[row], 2, 2); }));
        }
        cols_.push_back(number_column(s.name, ResultColumnKind::kMoney, 2, id,
                                      [&f](std::size_t row, std::string& cell) { decimal::append_format(cell, f.totals[row], 2, 2); }));
        return;
      }
      case SymbolKind::kGrade:
      case SymbolKind::kAlert: {
        const dsl::Domain& domain = p_.domains[s.type.domain];
        c.text = [v, &domain](std::size_t row, std::string& cell) { cell += domain.labels[static_cast<std::size_t>(v[row])]; };
        c.role = s.kind == SymbolKind::kGrade ? ResultColumnKind::kGrade : ResultColumnKind::kAlert;
        cols_.push_back(std::move(c));
        const ast::BandDecl& decl = p_.module.bands[s.index];
        const bool deadlines = std::any_of(decl.bands.begin(), decl.bands.end(), [](const ast::Band& b) { return b.deadline.has_value(); });
        const bool texts = std::any_of(decl.bands.begin(), decl.bands.end(), [](const ast::Band& b) { return b.text.has_value(); });
        // Bands are found by label: label i of the domain is band i of the declaration.
        if (deadlines) {
          std::vector<std::string> lengths;  // per band, written once (not a message per row)
          for (const ast::Band& b : decl.bands) lengths.push_back(b.deadline ? dsl::deadline_length(*b.deadline).str(Lang::kZh) : "");
          cols_.push_back(text_column(s.name + ".期限", id, [v, lengths = std::move(lengths)](std::size_t row, std::string& cell) {
            cell += lengths[static_cast<std::size_t>(v[row])];
          }));
        }
        if (texts) {
          cols_.push_back(text_column(s.name + (s.kind == SymbolKind::kAlert ? ".措施" : ".说明"), id,
                                      [v, &decl](std::size_t row, std::string& cell) {
                                        const ast::Band& b = decl.bands[static_cast<std::size_t>(v[row])];
                                        if (b.text) cell += *b.text;
                                      }));
        }
        return;
      }
      default:
        break;
    }
    add_value_column(s, v, c);
  }

  void add_value_column(const dsl::Symbol& s, const std::int64_t* v, OutColumn c) {
    switch (s.type.kind) {
      case TypeKind::kNumber: {
        c.kind = CellKind::kNumber;
        int places = p_.precision;
        if (s.kind == SymbolKind::kIndicator) {
          // An indicator that dropped out has no score on the row: an empty cell, not 0.
          const dsl::SymbolId id = p_.find(s.name);
          for (const AbsentColumn& a : r_.absent) {
            if (a.indicator == id) c.missing = [&a](std::size_t row) { return a.values[row] != 0; };
          }
        } else {
          // Every row with as many decimals as the longest value of the column needs.
          places = 0;
          const std::vector<std::int64_t>* missing =
              s.kind == SymbolKind::kInput && p_.module.inputs[s.index].optional ? &d_.inputs[s.index].missing : nullptr;
          for (const std::size_t row : r_.selected) {
            if (missing == nullptr || (*missing)[row] == 0) places = std::max(places, places_needed(v[row]));
          }
        }
        c.text = [v, places](std::size_t row, std::string& cell) { decimal::append_format(cell, v[row], decimal::kPlaces, places); };
        c.role = s.kind == SymbolKind::kIndicator ? ResultColumnKind::kScore : ResultColumnKind::kNumber;
        c.places = places;
        break;
      }
      case TypeKind::kMoney:
        c.kind = CellKind::kNumber;
        c.role = ResultColumnKind::kMoney;
        c.places = 2;
        c.text = [v](std::size_t row, std::string& cell) { decimal::append_format(cell, v[row], 2, 2); };
        break;
      case TypeKind::kBool:
        c.kind = CellKind::kBool;
        c.role = ResultColumnKind::kBool;
        c.text = [v](std::size_t row, std::string& cell) { cell += v[row] ? "是" : "否"; };
        break;
      case TypeKind::kLabel: {
        const dsl::Domain& domain = p_.domains[s.type.domain];
        c.text = [v, &domain](std::size_t row, std::string& cell) { cell += domain.labels[static_cast<std::size_t>(v[row])]; };
        break;
      }
      case TypeKind::kNumberList: {
        c.kind = CellKind::kList;
        c.role = ResultColumnKind::kList;
        const Column& list = d_.inputs[s.index];
        int places = 0;
        for (const std::size_t row : r_.selected) {
          for (std::uint32_t k = list.list_offsets[row]; k < list.list_offsets[row + 1]; ++k) {
            places = std::max(places, places_needed(list.list_numbers[k]));
          }
        }
        c.list = [&list, places](std::size_t row) {
          std::vector<std::string> items;
          for (std::uint32_t k = list.list_offsets[row]; k < list.list_offsets[row + 1]; ++k) {
            items.push_back(decimal::format(list.list_numbers[k], decimal::kPlaces, places));
          }
          return items;
        };
        break;
      }
      case TypeKind::kTextList: {
        c.kind = CellKind::kList;
        c.role = ResultColumnKind::kList;
        const Column& list = d_.inputs[s.index];
        c.list = [&list, this](std::size_t row) {
          std::vector<std::string> items;
          for (std::uint32_t k = list.list_offsets[row]; k < list.list_offsets[row + 1]; ++k) {
            items.push_back(d_.strings.text(list.list_items[k]));
          }
          return items;
        };
        break;
      }
      default:
        c.text = [v, this](std::size_t row, std::string& cell) {
          const std::int64_t text_id = v[row];
          if (text_id >= 0) cell += r_.texts.text(static_cast<std::uint32_t>(text_id));
        };
        break;
    }
    cols_.push_back(std::move(c));
  }

  const dsl::CheckedPolicy& p_;
  const Dataset& d_;
  const EvalResult& r_;
  std::vector<OutColumn> cols_;
  std::vector<ReasonEntry> entries_;      ///< per rule of r_.rules
  std::vector<std::string> entry_texts_;  ///< the same, as the CSV writes them
};


std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string s;
  for (const auto& i : items) {
    if (!s.empty()) s += sep;
    s += i;
  }
  return s;
}

}  // namespace

namespace {

// Appends the rows `rows` (CSV lines, or JSON objects one per line; `first` when the first of them
// is the first of the document). `cell` is scratch, reused so that a cell allocates nothing.
void format_rows(const std::vector<OutColumn>& cols, std::span<const std::size_t> rows, bool first, ResultFormat format,
                 std::string& out, std::string& cell) {
  if (format == ResultFormat::kCsv) {
    for (const std::size_t row : rows) {
      for (std::size_t c = 0; c < cols.size(); ++c) {
        if (c > 0) out.push_back(',');
        const OutColumn& col = cols[c];
        if (col.missing && col.missing(row)) continue;
        switch (col.kind) {
          case CellKind::kNumber:  // digits, sign and point: never quoted
            col.text(row, out);
            break;
          case CellKind::kList:
            if (!col.text) {
              append_csv_field(out, join(col.list(row), ";"));
              break;
            }
            [[fallthrough]];
          default: {  // written in place, and again in quotes when it needs them
            const std::size_t at = out.size();
            col.text(row, out);
            if (csv_needs_quotes(std::string_view(out).substr(at))) {
              cell.assign(out, at);
              out.resize(at);
              append_csv_field(out, cell);
            }
            break;
          }
        }
      }
      out.push_back('\n');
    }
    return;
  }
  for (const std::size_t row : rows) {
    if (!first) out += ",";
    first = false;
    out += "\n";
    JsonWriter rw(out);  // one line per row
    rw.begin_object();
    for (const OutColumn& c : cols) {
      rw.key(c.name);
      if (c.missing && c.missing(row)) {
        rw.null();
        continue;
      }
      if (c.json) {
        c.json(row, rw);
        continue;
      }
      if (c.kind == CellKind::kList) {
        rw.begin_array();
        for (const auto& item : c.list(row)) rw.string(item);
        rw.end_array();
        continue;
      }
      cell.clear();
      c.text(row, cell);
      switch (c.kind) {
        case CellKind::kNumber: rw.number_text(cell); break;
        case CellKind::kBool: rw.boolean(cell == "是"); break;
        default: rw.string(cell); break;
      }
    }
    rw.end_object();
  }
}

}  // namespace

void write_results(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result, ResultFormat format,
                   std::size_t threads, const std::function<void(std::string_view)>& emit) {
  if (format == ResultFormat::kXlsx) throw std::logic_error("write_results: a workbook is written by make_workbook");
  Columns builder(policy, data, result);
  const std::vector<OutColumn> cols = builder.build();
  std::string out;
  std::optional<JsonWriter> w;
  if (format == ResultFormat::kCsv) {
    for (std::size_t c = 0; c < cols.size(); ++c) {
      if (c > 0) out.push_back(',');
      append_csv_field(out, cols[c].name);
    }
    out.push_back('\n');
  } else {
    w.emplace(out);
    w->begin_object();
    w->key("policy");
    w->string(policy.module.policy ? policy.module.policy->name : "");
    w->key("version");
    w->string(policy.module.policy ? policy.module.policy->version : "");
    w->key("engine");
    w->string("jixiao " + std::string(kVersion));
    w->key("results");
    w->begin_array();
  }
  emit(out);
  out.clear();

  // The rows in blocks (of at most 8,192 rows: a megabyte or so of text each, two per thread at
  // once), formatted `workers` blocks at once (a round, one block per thread) and written in
  // order. With more than one thread, a round is written while the next is formatted: writing
  // (the system copying the bytes into the file) takes a core of its own for a while.
  const std::vector<std::size_t>& rows = result.selected;
  const std::size_t block = std::clamp<std::size_t>(rows.size() / (std::max<std::size_t>(1, threads) * 8) + 1, 1024, 8192);
  const std::size_t blocks = (rows.size() + block - 1) / block;
  const std::size_t workers = std::max<std::size_t>(1, std::min(threads, blocks));
  const std::size_t rounds = (blocks + workers - 1) / workers;
  // Formats block `b` (nothing past the last) into `buffer`. Each thread appends to a string of its
  // own: adjacent std::string objects share a cache line, and updating their sizes from two threads
  // would make it bounce.
  auto format_block = [&](std::size_t b, std::string& into) {
    std::string buffer = std::move(into);
    std::string cell;
    buffer.clear();
    if (b < blocks) {
      const std::size_t begin = b * block;
      const std::size_t end = std::min(rows.size(), begin + block);
      buffer.reserve((end - begin) * (cols.size() * 8 + 16));
      format_rows(cols, std::span<const std::size_t>(rows).subspan(begin, end - begin), b == 0, format, buffer, cell);
    }
    into = std::move(buffer);
  };
  auto write_round = [&emit](const std::vector<std::string>& round) {
    for (const std::string& b : round) {
      if (!b.empty()) emit(b);
    }
  };
  std::vector<std::string> formatted(workers);
  std::vector<std::string> next(workers);
  for (std::size_t r = 0; r < rounds; ++r) {
    if (workers == 1) {
      format_block(r, formatted[0]);
      write_round(formatted);
      continue;
    }
    if (r == 0) detail::run_parallel(workers, [&](std::size_t k) { format_block(k, formatted[k]); });
    // Job 0 (the calling thread) writes round r; the others format round r + 1.
    detail::run_parallel(r + 1 < rounds ? workers + 1 : 1, [&](std::size_t k) {
      if (k == 0) {
        write_round(formatted);
      } else {
        format_block((r + 1) * workers + k - 1, next[k - 1]);
      }
    });
    formatted.swap(next);
  }
  if (format == ResultFormat::kCsv) return;

  out += "\n";
  w->end_array();
  w->key("funds");
  w->begin_array();
  for (const FundResult& f : result.funds) {
    w->begin_object();
    w->key("name");
    w->string(f.name);
    w->key("pool");
    w->number_text(decimal::format_yuan(f.pool));
    w->key("paid");
    w->number_text(decimal::format_yuan(f.paid));
    w->key("tracks");
    w->begin_array();
    for (const TrackResult& t : f.tracks) {
      w->begin_object();
      w->key("name");
      w->string(t.name);
      w->key("pool");
      w->number_text(decimal::format_yuan(t.pool));
      w->key("paid");
      w->number_text(decimal::format_yuan(t.paid));
      w->key("recipients");
      w->integer(static_cast<std::int64_t>(t.recipients));
      w->end_object();
    }
    w->end_array();
    w->end_object();
  }
  w->end_array();
  w->end_object();
  out += "\n";
  emit(out);
}

std::string format_results(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result,
                           ResultFormat format) {
  std::string out;
  write_results(policy, data, result, format, 1, [&out](std::string_view piece) { out += piece; });
  return out;
}

struct ResultTable::Impl {
  Impl(const dsl::CheckedPolicy& p, const Dataset& d, const EvalResult& r) : builder(p, d, r), result(r) {}
  Columns builder;  // the columns' text functions point into it
  const EvalResult& result;
  std::vector<OutColumn> cols;
  std::vector<ResultColumnInfo> infos;
  std::size_t shown = 0;
};

ResultTable::ResultTable(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result,
                         const std::vector<dsl::SymbolId>& extra)
    : impl_(std::make_unique<Impl>(policy, data, result)) {
  impl_->cols = impl_->builder.build();
  impl_->shown = impl_->cols.size();
  for (const dsl::SymbolId s : extra) impl_->cols.push_back(impl_->builder.extra(s));
  for (const OutColumn& c : impl_->cols) impl_->infos.push_back({c.name, c.role, c.places, c.symbol});
}

ResultTable::~ResultTable() = default;

const std::vector<ResultColumnInfo>& ResultTable::columns() const { return impl_->infos; }

std::size_t ResultTable::shown() const { return impl_->shown; }

const std::vector<std::size_t>& ResultTable::rows() const { return impl_->result.selected; }

bool ResultTable::missing(std::size_t c, std::size_t row) const {
  const OutColumn& col = impl_->cols.at(c);
  return col.missing && col.missing(row);
}

void ResultTable::cell(std::size_t c, std::size_t row, std::string& out) const {
  const OutColumn& col = impl_->cols.at(c);
  if (col.missing && col.missing(row)) return;
  if (col.kind == CellKind::kList && !col.text) {
    out += join(col.list(row), ";");
  } else {
    col.text(row, out);
  }
}

bool ResultTable::vetoed(std::size_t row) const {
  return std::any_of(impl_->result.rules.begin(), impl_->result.rules.end(),
                     [row](const RuleColumn& rc) { return rc.kind == RuleColumn::Kind::kVeto && rc.values[row] != 0; });
}

std::string format_summary(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result, Lang lang) {
  std::string out;
  const std::string name = policy.module.policy ? policy.module.policy->name : "";
  const std::string version = policy.module.policy ? policy.module.policy->version : "";
  Message head = msg::eng_summary_evaluated(result.selected.size(), data.path, name, version);
  if (!data.periods.empty()) {
    const bool all = result.selected.size() == result.rows && data.periods.size() > 1;
    const std::string& period =
        data.periods[static_cast<std::size_t>(data.period_index[result.selected.empty() ? 0 : result.selected.front()])];
    head = all                       ? msg::eng_summary_all_periods(head, data.periods.front(), data.periods.back())
           : data.periods.size() > 1 ? msg::eng_summary_period_history(head, period, data.periods.front())
                                     : msg::eng_summary_period(head, period);
  }
  out += head.str(lang) + "\n";
  for (std::size_t i = 0; i < policy.symbols.size(); ++i) {
    const dsl::Symbol& s = policy.symbols[i];
    if (s.kind != SymbolKind::kGrade && s.kind != SymbolKind::kAlert) continue;
    const dsl::Domain& domain = policy.domains[s.type.domain];
    std::vector<std::size_t> counts(domain.labels.size(), 0);
    for (const std::size_t r : result.selected) ++counts[static_cast<std::size_t>(result.columns[i][r])];
    out += msg::eng_summary_bands(s.name).str(lang);
    for (std::size_t l = 0; l < domain.labels.size(); ++l) {
      out += (l == 0 ? msg::eng_summary_band_first : msg::eng_summary_band_next)(domain.labels[l], counts[l]).str(lang);
    }
    out += "\n";
  }
  for (const RuleColumn& rc : result.rules) {
    if (rc.kind != RuleColumn::Kind::kVeto) continue;
    const auto fired = std::count_if(result.selected.begin(), result.selected.end(), [&](std::size_t r) { return rc.values[r] != 0; });
    out += (fired == 1 ? msg::eng_summary_veto_one : msg::eng_summary_veto_many)(rc.name, fired).str(lang) + "\n";
  }
  for (const FundResult& f : result.funds) {
    const bool exact = f.pool == f.paid;
    out += (exact ? msg::eng_summary_fund : msg::eng_summary_fund_mismatch)(f.name, decimal::format_yuan_grouped(f.pool),
                                                                             decimal::format_yuan_grouped(f.paid))
               .str(lang) +
           "\n";
    std::size_t width = 0;
    for (const TrackResult& t : f.tracks) width = std::max(width, decimal::format_yuan_grouped(t.pool).size());
    for (const TrackResult& t : f.tracks) {
      const std::string pool = decimal::format_yuan_grouped(t.pool);
      const std::string paid = decimal::format_yuan_grouped(t.paid);
      out += (t.recipients == 1 ? msg::eng_summary_track_one : msg::eng_summary_track_many)(
                 t.name, std::string(width - pool.size(), ' ') + pool, std::string(width - paid.size(), ' ') + paid, t.recipients)
                 .str(lang) +
             "\n";
    }
    if (f.groups.size() > 1) out += msg::eng_summary_groups(f.groups.size()).str(lang) + "\n";
  }
  return out;
}

}  // namespace jixiao::engine
