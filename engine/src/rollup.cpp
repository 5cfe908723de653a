// Roll-ups: one row per subject and coarse period (rollup.hpp).
#include "rollup.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/message.hpp"

namespace jixiao::engine::detail {

namespace {

using dsl::SymbolKind;
using jixiao::ast::ExprId;
using jixiao::ast::InputKind;

constexpr std::size_t kShown = 10;  // errors shown per kind; the rest are counted

bool is_list(InputKind k) { return k == InputKind::kTextList || k == InputKind::kNumberList || k == InputKind::kScoreList; }

class RollUp {
 public:
  RollUp(const dsl::CheckedPolicy& policy, Dataset& data, DiagnosticSink& sink)
      : p_(policy), m_(policy.module), r_(*policy.module.rollup), data_(data), sink_(sink) {
    for (const ExprId item : std::get<ast::SetLit>(m_.expr(r_.parts)).items) parts_.push_back(std::get<ast::StringLit>(m_.expr(item)).value);
    for (const ExprId g : r_.groups) groups_.push_back(std::get<ast::StringLit>(m_.expr(g)).value);
    if (groups_.empty()) groups_.assign(parts_.size(), std::string());
  }

  bool run() {
    if (!map_periods()) return false;
    group();
    if (!coarse_shapes()) return false;
    const std::size_t errors = sink_.error_count();
    missing_parts();
    only_inputs();
    common_inputs();
    if (sink_.error_count() > errors) return false;
    aggregates();
    if (sink_.error_count() > errors) return false;
    build();
    return true;
  }

 private:
  // ---- reporting ----

  std::string key(std::size_t row) const { return data_.strings.text(static_cast<std::uint32_t>(data_.key.values[row])); }
  std::string period(std::size_t row) const { return data_.strings.text(static_cast<std::uint32_t>(data_.period.values[row])); }
  std::string coarse_text(std::size_t c) const { return data_.strings.text(coarse_[c].period); }

  // Reports `message` at the roll-up (or at `at`), with a note at data row `row`; past kShown of a
  // code, counts it.
  void report(DiagCode code, Message message, Message hint, std::size_t row, Span at = Span{}) {
    std::size_t& n = shown_[code];
    if (n++ >= kShown) return;
    Diagnostic d = diagnose(code, at.valid() ? at : r_.span, std::move(message), std::move(hint));
    if (const Span s = data_.row_span(row); s.valid()) d.notes.push_back(Note{s, msg::note_row_here()});
    sink_.report(std::move(d));
  }

  void report_more() {
    for (const auto& [code, n] : shown_) {
      if (n <= kShown) continue;
      Diagnostic d = diagnose(code, Span{}, msg::rol_more(static_cast<std::int64_t>(n - kShown)));
      d.file = data_.path;
      sink_.report(std::move(d));
    }
    shown_.clear();
  }

  // ---- sub-periods ----

  // Each period of the data is a coarse period followed by a sub-period (the longest that fits).
  bool map_periods() {
    std::map<std::uint32_t, std::pair<std::uint32_t, std::int32_t>> seen;  // period id → (coarse id, part)
    part_.assign(data_.rows, -1);
    coarse_id_.assign(data_.rows, 0);
    bool ok = true;
    for (std::size_t r = 0; r < data_.rows; ++r) {
      const auto id = static_cast<std::uint32_t>(data_.period.values[r]);
      auto it = seen.find(id);
      if (it == seen.end()) {
        const std::string text = data_.strings.text(id);
        std::int32_t best = -1;
        for (std::size_t k = 0; k < parts_.size(); ++k) {
          const std::string& s = parts_[k];
          if (text.size() > s.size() && text.ends_with(s) && (best < 0 || s.size() > parts_[static_cast<std::size_t>(best)].size())) {
            best = static_cast<std::int32_t>(k);
          }
        }
        // The coarse period: what precedes the sub-period, and with the table form its group's
        // suffix (`2024-05` with `"-05": "Q2"` is `2024Q2`).
        const std::uint32_t coarse =
            best < 0 ? 0
                     : data_.strings.intern(text.substr(0, text.size() - parts_[static_cast<std::size_t>(best)].size()) +
                                            groups_[static_cast<std::size_t>(best)]);
        it = seen.emplace(id, std::make_pair(coarse, best)).first;
        if (best < 0) {
          ok = false;
          report(DiagCode::rollup_period, msg::rol_period_unmapped(data_.shown_row(r), key(r), text, r_.name.name, parts_),
                 msg::rol_hint_period_unmapped(parts_.front()), r);
        }
      }
      coarse_id_[r] = it->second.first;
      part_[r] = it->second.second;
    }
    report_more();
    return ok;
  }

  // The rows of each subject and coarse period, in the order they first appear.
  void group() {
    std::map<std::pair<std::int64_t, std::uint32_t>, std::size_t> at;
    for (std::size_t r = 0; r < data_.rows; ++r) {
      const auto [it, added] = at.emplace(std::make_pair(data_.key.values[r], coarse_id_[r]), coarse_.size());
      if (added) coarse_.push_back({coarse_id_[r], std::vector<std::int64_t>(parts_.size(), -1), groups_[static_cast<std::size_t>(part_[r])]});
      coarse_[it->second].sub[static_cast<std::size_t>(part_[r])] = static_cast<std::int64_t>(r);
    }
  }

  // A coarse period's shape: its length, and where its digits are (`2024` → `dddd`, `2O24` → `dOdd`).
  std::string shape(std::size_t c) const {
    std::string out = coarse_text(c);
    for (char& ch : out) {
      if (ch >= '0' && ch <= '9') ch = 'd';
      else if (static_cast<unsigned char>(ch) < 0x80) ch = 'x';
      else ch = 'u';
    }
    return out;
  }

  // Every coarse period is written like the others: the shape of most subjects' coarse periods (on a
  // tie, the first in the data's order). `2O24Q3` (letter O) would otherwise be a year of its own.
  bool coarse_shapes() {
    std::map<std::string, std::pair<std::size_t, std::size_t>> count;  // shape → (coarse rows, first one)
    std::vector<std::string> shapes;
    for (std::size_t c = 0; c < coarse_.size(); ++c) {
      shapes.push_back(shape(c));
      auto [it, added] = count.try_emplace(shapes.back(), 0, c);
      ++it->second.first;
    }
    if (count.size() < 2) return true;
    std::size_t common = 0;
    for (const auto& [s, n] : count) {
      const auto& best = count.at(shapes[common]);
      if (n.first > best.first || (n.first == best.first && n.second < best.second)) common = n.second;
    }
    for (std::size_t c = 0; c < coarse_.size(); ++c) {
      if (shapes[c] == shapes[common]) continue;
      const std::size_t row = last_row(c);
      report(DiagCode::rollup_period, msg::rol_period_shape(data_.shown_row(row), key(row), period(row), coarse_text(c), coarse_text(common)),
             msg::rol_hint_period_shape(), row);
    }
    report_more();
    return false;
  }

  // The row standing for a coarse row: its last sub-period present.
  std::size_t last_row(std::size_t c) const {
    for (auto k = parts_.size(); k-- > 0;) {
      if (coarse_[c].sub[k] >= 0) return static_cast<std::size_t>(coarse_[c].sub[k]);
    }
    return 0;
  }

  // Sub-period k of coarse row c as the data writes it (`2024Q3`; `2024-05` for `2024Q2`).
  std::string sub_period(std::size_t c, std::size_t k) const {
    const std::string coarse = coarse_text(c);
    return coarse.substr(0, coarse.size() - coarse_[c].group.size()) + parts_[k];
  }

  // Whether sub-period k belongs to coarse row c's period (always, but with the table form).
  bool in_group(std::size_t c, std::size_t k) const { return groups_[k] == coarse_[c].group; }

  void missing_parts() {
    if (r_.skip_missing) return;
    for (std::size_t c = 0; c < coarse_.size(); ++c) {
      std::vector<std::string> missing;
      for (std::size_t k = 0; k < parts_.size(); ++k) {
        if (coarse_[c].sub[k] < 0 && in_group(c, k)) missing.push_back(sub_period(c, k));
      }
      if (missing.empty()) continue;
      const std::size_t row = last_row(c);
      report(DiagCode::missing_sub_period, msg::rol_sub_period_missing(key(row), coarse_text(c), std::move(missing), r_.name.name),
             msg::rol_hint_sub_period_missing(), row);
    }
    report_more();
  }

  static bool has_value(const Column& col, std::size_t row) { return col.missing.empty() || col.missing[row] == 0; }

  // `only "Q4"`: given in that sub-period (required there unless optional), empty in the others.
  void only_inputs() {
    for (std::size_t i = 0; i < m_.inputs.size(); ++i) {
      const ast::InputDecl& in = m_.inputs[i];
      if (!in.only) continue;
      const auto k = static_cast<std::size_t>(std::find(parts_.begin(), parts_.end(), *in.only) - parts_.begin());
      const Column& col = data_.inputs[i];
      if (col.values.empty()) continue;  // not read (a column map without it)
      // An empty cell of a list is the empty list, a value (unless `size` asks for items).
      const bool empty_list_ok = is_list(in.kind) && (!in.size || in.size->lo <= 0);
      for (std::size_t c = 0; c < coarse_.size(); ++c) {
        const std::int64_t at = coarse_[c].sub[k];
        const std::size_t shown = last_row(c);
        if (at < 0 && !in.optional) {
          report(DiagCode::only_missing, msg::rol_only_row_missing(key(shown), coarse_text(c), in.name.name, sub_period(c, k)),
                 msg::rol_hint_only_missing(), shown, in.only_span);
        } else if (!in.optional && !empty_list_ok && !has_value(col, static_cast<std::size_t>(at))) {
          report(DiagCode::only_missing,
                 msg::rol_only_empty(data_.shown_row(static_cast<std::size_t>(at)), key(shown), sub_period(c, k), in.name.name),
                 msg::rol_hint_only_missing(), static_cast<std::size_t>(at), in.only_span);
        }
        for (std::size_t j = 0; j < parts_.size(); ++j) {
          const std::int64_t other = coarse_[c].sub[j];
          if (j == k || other < 0 || !has_value(col, static_cast<std::size_t>(other))) continue;
          report(DiagCode::only_elsewhere,
                 msg::rol_only_elsewhere(data_.shown_row(static_cast<std::size_t>(other)), key(shown), sub_period(c, j), in.name.name, *in.only),
                 msg::rol_hint_only_elsewhere(), static_cast<std::size_t>(other), in.only_span);
        }
      }
    }
    report_more();
  }

  static bool same_value(const Column& col, InputKind kind, std::size_t a, std::size_t b) {
    if (has_value(col, a) != has_value(col, b)) return false;
    if (!has_value(col, a)) return true;
    if (!is_list(kind)) return col.values[a] == col.values[b];
    const auto range = [&](std::size_t r) { return std::make_pair(col.list_offsets[r], col.list_offsets[r + 1]); };
    const auto [a0, a1] = range(a);
    const auto [b0, b1] = range(b);
    if (kind == InputKind::kTextList) {
      return std::equal(col.list_items.begin() + a0, col.list_items.begin() + a1, col.list_items.begin() + b0, col.list_items.begin() + b1);
    }
    return std::equal(col.list_numbers.begin() + a0, col.list_numbers.begin() + a1, col.list_numbers.begin() + b0,
                      col.list_numbers.begin() + b1);
  }

  // An input the policy reads once per coarse period (not through sub_mean, ...) must be the same
  // in every sub-period present: 所属街道 is, 季度得分 is not.
  void common_inputs() {
    std::vector<bool> direct(m_.inputs.size(), false);
    std::vector<bool> aggregated(m_.exprs.size(), false);
    for (std::size_t e = 0; e < m_.exprs.size(); ++e) {
      const auto* call = std::get_if<ast::Call>(&m_.exprs[e]);
      if (call != nullptr && sub_call(ExprId{static_cast<std::uint32_t>(e)}) && !call->args.empty()) {
        aggregated[static_cast<std::uint32_t>(call->args[0])] = true;
      }
    }
    for (std::size_t e = 0; e < m_.exprs.size(); ++e) {
      if (aggregated[e] || !std::holds_alternative<ast::NameRef>(m_.exprs[e])) continue;
      const dsl::SymbolId s = p_.ref(ExprId{static_cast<std::uint32_t>(e)});
      if (s != dsl::kNoSymbol && p_.symbol(s).kind == SymbolKind::kInput) direct[p_.symbol(s).index] = true;
    }
    for (std::size_t i = 0; i < m_.inputs.size(); ++i) {
      const ast::InputDecl& in = m_.inputs[i];
      const Column& col = data_.inputs[i];
      if (!direct[i] || in.only || col.values.empty()) continue;
      for (std::size_t c = 0; c < coarse_.size(); ++c) {
        std::int64_t first = -1;
        for (const std::int64_t r : coarse_[c].sub) {
          if (r < 0) continue;
          if (first < 0) {
            first = r;
            continue;
          }
          if (same_value(col, in.kind, static_cast<std::size_t>(first), static_cast<std::size_t>(r))) continue;
          const auto a = static_cast<std::size_t>(first);
          const auto b = static_cast<std::size_t>(r);
          report(DiagCode::rollup_varies,
                 msg::rol_varies(in.name.name, key(a), coarse_text(c), data_.shown_row(a), period(a), data_.shown_row(b), period(b)),
                 is_list(in.kind) ? msg::rol_hint_varies_list(in.name.name, parts_.back()) : msg::rol_hint_varies(in.name.name, parts_.back()),
                 b, in.name.span);
          break;
        }
      }
    }
    report_more();
  }

  // ---- sub_mean(x), ... ----

  // Whether `e` calls sub_mean, sub_at, ...
  [[nodiscard]] bool sub_call(ExprId e) const {
    return p_.builtin(e) != dsl::kNoBuiltin && dsl::builtin_info(p_.builtin(e)).kind == dsl::BuiltinKind::kSubPeriod;
  }

  void aggregates() {
    for (std::size_t e = 0; e < m_.exprs.size(); ++e) {
      const auto* call = std::get_if<ast::Call>(&m_.exprs[e]);
      const ExprId id{static_cast<std::uint32_t>(e)};
      if (call == nullptr || !sub_call(id)) continue;
      if (p_.type(id).kind == dsl::TypeKind::kError) continue;
      const dsl::SymbolId s = p_.ref(call->args[0]);
      data_.sub_values[static_cast<std::uint32_t>(e)] = aggregate(id, *call, p_.symbol(s).index);
    }
    report_more();
  }

  Column aggregate(ExprId e, const ast::Call& call, std::uint32_t input) {
    const dsl::Builtin f = p_.builtin(e);
    const Column& col = data_.inputs[input];
    const std::string& name = m_.inputs[input].name.name;
    const bool optional = m_.inputs[input].optional;
    std::size_t at = parts_.size();
    if (f == dsl::Builtin::kSubAt) {
      const std::string& part = std::get<ast::StringLit>(m_.expr(call.args[1])).value;
      at = static_cast<std::size_t>(std::find(parts_.begin(), parts_.end(), part) - parts_.begin());
    }
    Column out;
    out.values.assign(coarse_.size(), 0);
    for (std::size_t c = 0; c < coarse_.size(); ++c) {
      const std::size_t shown = last_row(c);
      if (f == dsl::Builtin::kSubAt) {
        const std::int64_t r = coarse_[c].sub[at];
        if (r < 0 || !has_value(col, static_cast<std::size_t>(r))) {
          report(DiagCode::missing_sub_period, msg::rol_sub_at_missing(key(shown), sub_period(c, at), name), msg::rol_hint_sub_at_missing(), shown,
                 m_.span(e));
        } else {
          out.values[c] = col.values[static_cast<std::size_t>(r)];
        }
        continue;
      }
      Int128 total = 0;
      std::int64_t lo = 0;
      std::int64_t hi = 0;
      std::int64_t n = 0;
      for (std::size_t k = 0; k < parts_.size(); ++k) {
        const std::int64_t r = coarse_[c].sub[k];
        if (r < 0) continue;
        if (!has_value(col, static_cast<std::size_t>(r))) {
          // An optional input's empty cell is not counted; without any value the coarse row's
          // input is missing (build), and so is this aggregate.
          if (!r_.skip_missing && !optional && f != dsl::Builtin::kSubCount) {
            report(DiagCode::missing_sub_period, msg::rol_sub_value_empty(data_.shown_row(static_cast<std::size_t>(r)), key(shown), sub_period(c, k), name, call.callee.name),
                   msg::rol_hint_sub_period_missing(), static_cast<std::size_t>(r), m_.span(e));
          }
          continue;
        }
        const std::int64_t v = col.values[static_cast<std::size_t>(r)];
        lo = n == 0 ? v : std::min(lo, v);
        hi = n == 0 ? v : std::max(hi, v);
        total += v;
        ++n;
      }
      if (f == dsl::Builtin::kSubCount) {
        out.values[c] = n * decimal::kOne;
        continue;
      }
      if (n == 0) {  // an optional input given in no sub-period: missing (build), not reported
        if (!optional) {
          report(DiagCode::missing_sub_period, msg::rol_sub_none(key(shown), coarse_text(c), name, call.callee.name), msg::rol_hint_sub_period_missing(), shown,
                 m_.span(e));
        }
        continue;
      }
      if (f == dsl::Builtin::kSubMin) out.values[c] = lo;
      if (f == dsl::Builtin::kSubMax) out.values[c] = hi;
      if (f == dsl::Builtin::kSubMean) out.values[c] = static_cast<std::int64_t>(decimal::div_round(total, n));
      if (f == dsl::Builtin::kSubSum) {
        if (total > std::numeric_limits<std::int64_t>::max() || total < std::numeric_limits<std::int64_t>::min()) {
          report(DiagCode::eval_overflow, msg::eng_overflow(), msg::eng_hint_overflow(), shown, m_.span(e));
          continue;
        }
        out.values[c] = static_cast<std::int64_t>(total);
      }
    }
    return out;
  }

  // ---- the rolled-up rows ----

  static void copy_row(const Column& from, InputKind kind, std::size_t r, Column& to) {
    to.values.push_back(from.values[r]);
    if (!from.missing.empty()) to.missing.push_back(from.missing[r]);
    if (!is_list(kind)) return;
    if (to.list_offsets.empty()) to.list_offsets.push_back(0);
    const std::uint32_t a = from.list_offsets[r];
    const std::uint32_t b = from.list_offsets[r + 1];
    if (kind == InputKind::kTextList) {
      to.list_items.insert(to.list_items.end(), from.list_items.begin() + a, from.list_items.begin() + b);
      to.list_offsets.push_back(static_cast<std::uint32_t>(to.list_items.size()));
    } else {
      to.list_numbers.insert(to.list_numbers.end(), from.list_numbers.begin() + a, from.list_numbers.begin() + b);
      to.list_offsets.push_back(static_cast<std::uint32_t>(to.list_numbers.size()));
    }
  }

  static void missing_row(InputKind kind, Column& to) {
    to.values.push_back(0);
    to.missing.push_back(1);
    if (!is_list(kind)) return;
    if (to.list_offsets.empty()) to.list_offsets.push_back(0);
    to.list_offsets.push_back(to.list_offsets.back());
  }

  void build() {
    const std::size_t n = coarse_.size();
    std::vector<std::size_t> shown(n);
    for (std::size_t c = 0; c < n; ++c) shown[c] = last_row(c);
    std::vector<Column> inputs(m_.inputs.size());
    for (std::size_t i = 0; i < m_.inputs.size(); ++i) {
      const ast::InputDecl& in = m_.inputs[i];
      const Column& from = data_.inputs[i];
      if (from.values.empty()) continue;
      const std::size_t k =
          in.only ? static_cast<std::size_t>(std::find(parts_.begin(), parts_.end(), *in.only) - parts_.begin()) : parts_.size();
      for (std::size_t c = 0; c < n; ++c) {
        // Without `only`: the last sub-period with a value, so that an optional input is missing in
        // the coarse row exactly when no sub-period has it (what sub_mean(x), ... see; read
        // directly, it is the same in every sub-period: common_inputs).
        std::int64_t r = k < parts_.size() ? coarse_[c].sub[k] : static_cast<std::int64_t>(shown[c]);
        if (k == parts_.size() && in.optional) {
          for (const std::int64_t sub : coarse_[c].sub) {
            if (sub >= 0 && has_value(from, static_cast<std::size_t>(sub))) r = sub;
          }
        }
        if (r >= 0) {
          copy_row(from, in.kind, static_cast<std::size_t>(r), inputs[i]);
        } else {
          missing_row(in.kind, inputs[i]);  // an optional input given `only` in a sub-period the subject lacks
        }
      }
      // An input given `only` in a sub-period has a value wherever it is read, unless optional.
      if (in.only && !in.optional) inputs[i].missing.clear();
    }
    Column key;
    Column period;
    std::vector<std::uint32_t> offsets;
    std::vector<std::uint32_t> sheet;
    std::vector<std::uint32_t> rows;
    for (std::size_t c = 0; c < n; ++c) {
      key.values.push_back(data_.key.values[shown[c]]);
      period.values.push_back(coarse_[c].period);
      if (shown[c] < data_.row_offsets.size()) offsets.push_back(data_.row_offsets[shown[c]]);
      if (!data_.sheet_rows.empty()) sheet.push_back(data_.sheet_rows[shown[c]]);
      rows.push_back(data_.shown_row(shown[c]));
    }
    data_.rows = n;
    data_.key = std::move(key);
    data_.period = std::move(period);
    data_.inputs = std::move(inputs);
    data_.row_offsets = std::move(offsets);
    data_.sheet_rows = std::move(sheet);
    data_.data_rows = std::move(rows);
    index_periods();
  }

  // The coarse periods sorted by their text, and each row's row of the same subject in the coarse
  // period before.
  void index_periods() {
    std::vector<std::uint32_t> ids;
    for (const std::int64_t v : data_.period.values) ids.push_back(static_cast<std::uint32_t>(v));
    std::sort(ids.begin(), ids.end(), [&](std::uint32_t a, std::uint32_t b) { return data_.strings.text(a) < data_.strings.text(b); });
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    data_.periods.clear();
    std::map<std::uint32_t, std::int32_t> index;
    for (const std::uint32_t id : ids) {
      index[id] = static_cast<std::int32_t>(data_.periods.size());
      data_.periods.push_back(data_.strings.text(id));
    }
    std::map<std::pair<std::int64_t, std::int32_t>, std::int64_t> row_at;
    data_.period_index.assign(data_.rows, 0);
    for (std::size_t r = 0; r < data_.rows; ++r) {
      data_.period_index[r] = index.at(static_cast<std::uint32_t>(data_.period.values[r]));
      row_at[{data_.key.values[r], data_.period_index[r]}] = static_cast<std::int64_t>(r);
    }
    data_.prev_row.assign(data_.rows, -1);
    for (std::size_t r = 0; r < data_.rows; ++r) {
      const auto it = row_at.find({data_.key.values[r], data_.period_index[r] - 1});
      if (it != row_at.end()) data_.prev_row[r] = it->second;
    }
  }

  struct Coarse {
    std::uint32_t period = 0;       ///< text id of the coarse period
    std::vector<std::int64_t> sub;  ///< per sub-period, the data's row, or -1
    std::string group;              ///< with the table form, the suffix its sub-periods map to
  };

  const dsl::CheckedPolicy& p_;
  const ast::Module& m_;
  const ast::RollupDecl& r_;
  Dataset& data_;
  DiagnosticSink& sink_;
  std::vector<std::string> parts_;
  std::vector<std::string> groups_;  ///< per sub-period, its coarse suffix (the table form), or empty
  std::vector<std::int32_t> part_;        ///< per data row: its sub-period
  std::vector<std::uint32_t> coarse_id_;  ///< per data row: its coarse period's text id
  std::vector<Coarse> coarse_;
  std::map<DiagCode, std::size_t> shown_;
};

}  // namespace

bool roll_up(const dsl::CheckedPolicy& policy, Dataset& data, DiagnosticSink& sink) {
  if (!policy.module.rollup || data.period.values.empty()) return true;
  return RollUp(policy, data, sink).run();
}

}  // namespace jixiao::engine::detail
