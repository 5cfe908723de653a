// Evaluation: selects the rows, checks the history they need, runs the compiled programs
// (executor.cpp), then the fund stage, and assembles the result. Runtime errors are reported with
// the data row.
#include "jixiao/engine/evaluator.hpp"

#include <algorithm>
#include <iterator>
#include <chrono>
#include <numeric>
#include <set>
#include <stdexcept>
#include <memory>
#include <tuple>

#include "compile.hpp"
#include "executor.hpp"
#include "funds.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "parallel.hpp"

namespace jixiao::engine {

namespace {

std::string row_key(const Dataset& data, std::size_t row) {
  const std::int64_t id = data.key.values[row];
  return id < 0 ? std::string() : std::string(data.strings.text(static_cast<std::uint32_t>(id)));
}

struct RuntimeMessage {
  DiagCode code;
  Message what;
  std::optional<Message> hint;
};

RuntimeMessage describe(const detail::RuntimeErrors::Entry& e) {
  switch (e.kind) {
    case detail::RuntimeErrorKind::kDivisionByZero:
      return {DiagCode::eval_division_by_zero, msg::eng_division_by_zero(), msg::eng_hint_guard_division()};
    case detail::RuntimeErrorKind::kOverflow:
      return {DiagCode::eval_overflow, msg::eng_overflow(), msg::eng_hint_overflow()};
    case detail::RuntimeErrorKind::kNoBand:
      return {DiagCode::eval_no_band, msg::eng_no_band(decimal::to_string(e.value)), msg::eng_hint_no_band()};
    case detail::RuntimeErrorKind::kNoEntry:
      return {DiagCode::eval_no_coef_entry, msg::eng_no_entry(), msg::eng_hint_no_entry()};
    case detail::RuntimeErrorKind::kBadTarget:
      return {DiagCode::eval_bad_target, msg::eng_bad_target(), msg::eng_hint_bad_target()};
    case detail::RuntimeErrorKind::kNoPeers:
      return {DiagCode::eval_no_peers, msg::eng_no_peers(), msg::eng_hint_no_peers()};
    case detail::RuntimeErrorKind::kAllMissing:
      return {DiagCode::eval_all_missing, msg::eng_all_missing(), msg::eng_hint_all_missing()};
    case detail::RuntimeErrorKind::kEmptyList:
      return {DiagCode::empty_list, msg::eng_empty_list(), msg::eng_hint_empty_list()};
    case detail::RuntimeErrorKind::kWeightOverflow:
      return {DiagCode::eval_weight_overflow, msg::eng_weight_overflow(), msg::eng_hint_weight_overflow()};
    case detail::RuntimeErrorKind::kSegment:  // described with the policy's segments: segment_error()
    case detail::RuntimeErrorKind::kNone:
      break;
  }
  return {DiagCode::eval_overflow, msg::eng_evaluation_failed(), std::nullopt};
}

// A row that matches no segment, or several (e.value: bit k for segment k), with a note at the
// condition of each segment it matches (of every segment, when it matches none).
RuntimeMessage segment_error(const detail::RuntimeErrors::Entry& e, const dsl::CheckedPolicy& policy, std::vector<Note>& notes) {
  const auto& segments = policy.module.segments;
  std::vector<std::string> names;
  for (std::size_t k = 0; k < segments.size(); ++k) {
    if (e.value != 0 && ((e.value >> k) & 1) == 0) continue;
    names.push_back(segments[k].name.name);
    notes.push_back(Note{policy.module.span(segments[k].when), msg::seg_note_condition(segments[k].name.name)});
  }
  if (e.value == 0) return {DiagCode::segment_none, msg::seg_row_none(backticked_list(names)), msg::seg_hint_row()};
  return {DiagCode::segment_overlap, msg::seg_row_many(backticked_list(names)), msg::seg_hint_row()};
}

void report_runtime(const detail::RuntimeErrors& errors, const dsl::CheckedPolicy& policy, const Dataset& data,
                    DiagnosticSink& sink) {
  for (const auto& e : errors.first) {
    const Span span = ast::present(e.src) ? policy.module.span(e.src) : Span{};
    std::vector<Note> segment_notes;
    RuntimeMessage m = e.kind == detail::RuntimeErrorKind::kSegment ? segment_error(e, policy, segment_notes) : describe(e);
    Diagnostic d = diagnose(m.code, span, msg::eng_runtime_in_row(std::move(m.what), data.shown_row(e.row), row_key(data, e.row)),
                            std::move(m.hint));
    if (const Span row = data.row_span(e.row); row.valid()) {
      if (!span.valid()) {
        d.span = row;  // no rule to point at: point at the row
      } else {
        d.notes.push_back(Note{row, msg::note_row_here()});
      }
    } else if (!span.valid()) {
      d.file = data.path;
    }
    d.notes.insert(d.notes.end(), std::make_move_iterator(segment_notes.begin()), std::make_move_iterator(segment_notes.end()));
    sink.report(std::move(d));
  }
  if (errors.count > errors.first.size()) {
    // The rows not shown are counted under the code of the last one shown.
    Diagnostic d = diagnose(describe(errors.first.back()).code, Span{}, msg::eng_runtime_more_rows(errors.count - errors.first.size()));
    d.file = data.path;
    sink.report(std::move(d));
  }
}

}  // namespace

namespace {

std::vector<std::size_t> select_rows(const Dataset& data, const EvalOptions& options) {
  std::vector<std::size_t> rows;
  std::int32_t wanted = -1;
  if (!data.periods.empty() && !options.all_periods) {
    wanted = static_cast<std::int32_t>(data.periods.size()) - 1;
    if (!options.period.empty()) {
      const auto it = std::find(data.periods.begin(), data.periods.end(), options.period);
      wanted = it == data.periods.end() ? -2 : static_cast<std::int32_t>(it - data.periods.begin());
    }
  }
  for (std::size_t r = 0; r < data.rows; ++r) {
    if (wanted < 0 && wanted != -2) {
      rows.push_back(r);
    } else if (data.period_index[r] == wanted) {
      rows.push_back(r);
    }
  }
  return rows;
}

// What a history call lacks on a row: the row whose walk back through the periods found no row of
// its subject (`row`), the period it needed (an index into Dataset::periods, or -1 before the
// first period: `back` periods before the row's own), the call that walked, and the rows of the
// same period, and the peer call (`rank`, ...) that compares the row with others, if that is how the
// gap was found.
struct HistoryGap {
  std::size_t row = 0;
  std::int32_t missing = -1;
  std::int64_t back = 0;
  const detail::GlobalOp* op = nullptr;
  const detail::GlobalOp* peer_op = nullptr;
};

// Follows an invalid history value back to the periods really missing: through nested calls
// (`prev(prev(prev(总分)))` on 2024Q4 lacks 2024Q1, not 2024Q3) and through peer calls (`rank`
// over a period lacks what one of its rows lacks, not what the row ranked lacks). Every (call,
// row, origin) is walked once, and a call only leads to calls before it, so the search ends.
class GapFinder {
 public:
  GapFinder(const detail::Compiled& c, const Dataset& data) : c_(c), data_(data) {}

  // The gaps behind the invalid value of the first call invalid on selected row `r`.
  void find_row(std::size_t r) { blame(c_.globals.size(), r, r); }
  [[nodiscard]] const std::vector<HistoryGap>& gaps() const { return gaps_; }
  // Whether a gap found for another row explains row `r` too: the row has a gap, or its period
  // holds a gap found through a peer call (which compares the rows of a period).
  [[nodiscard]] bool explained(std::size_t r) const {
    return std::any_of(gaps_.begin(), gaps_.end(), [&](const HistoryGap& g) {
      return g.row == r || (g.peer_op != nullptr && data_.period_index[g.row] == data_.period_index[r]);
    });
  }

 private:
  [[nodiscard]] bool valid(std::size_t op, std::size_t row) const { return c_.columns[c_.globals[op].valid].data()[row] != 0; }
  [[nodiscard]] bool arg_ok(const detail::GlobalOp& g, std::int64_t row) const {
    return row >= 0 && (g.arg_valid < 0 || c_.columns[static_cast<std::size_t>(g.arg_valid)].data()[row] != 0);
  }
  [[nodiscard]] std::int64_t prev(std::size_t row) const { return data_.prev_row.empty() ? -1 : data_.prev_row[row]; }

  // The first call before `before` that has no value on `row`.
  void blame(std::size_t before, std::size_t row, std::size_t origin) {
    for (std::size_t op = 0; op < before; ++op) {
      if (!valid(op, row)) {
        walk(op, row, origin);
        return;
      }
    }
  }

  void gap(std::size_t op, std::size_t origin, std::size_t at) {
    const std::int32_t p = data_.period_index[at];
    HistoryGap g;
    g.row = origin;
    g.missing = p - 1;
    g.back = data_.period_index[origin] - p + 1;
    g.op = &c_.globals[op];
    for (const HistoryGap& seen : gaps_) {
      if (seen.row == g.row && seen.missing == g.missing) return;
    }
    gaps_.push_back(std::move(g));
  }

  void walk(std::size_t op, std::size_t row, std::size_t origin) {
    if (!visited_.insert({op, row, origin}).second) return;
    const detail::GlobalOp& g = c_.globals[op];
    using K = detail::GlobalOp::Kind;
    switch (g.kind) {
      case K::kPrev:
      case K::kAvgPrev: {
        std::size_t at = row;
        for (std::int64_t k = 0; k < g.periods; ++k) {
          const std::int64_t p = prev(at);
          if (p < 0) return gap(op, origin, at);
          if (!arg_ok(g, p)) return blame(op, static_cast<std::size_t>(p), origin);
          at = static_cast<std::size_t>(p);
        }
        return;
      }
      case K::kStreak: {
        for (std::int64_t at = static_cast<std::int64_t>(row); at >= 0; at = prev(static_cast<std::size_t>(at))) {
          if (!arg_ok(g, at)) return blame(op, static_cast<std::size_t>(at), origin);
        }
        return;
      }
      case K::kRank:
      case K::kPercentile:
      case K::kPeerAvg: {
        // The rows of the same period (and `within` group) whose argument has no value: each
        // group once.
        const std::int64_t* within = g.group >= 0 ? c_.columns[static_cast<std::size_t>(g.group)].data() : nullptr;
        const std::int64_t group = within != nullptr ? within[row] : 0;
        if (!groups_.insert({op, data_.period_index[row], group}).second) return;
        for (std::size_t q = 0; q < data_.rows; ++q) {
          if (data_.period_index[q] != data_.period_index[row] || (within != nullptr && within[q] != group)) continue;
          if (arg_ok(g, static_cast<std::int64_t>(q))) continue;
          const std::size_t before = gaps_.size();
          blame(op, q, q);
          for (std::size_t i = before; i < gaps_.size(); ++i) gaps_[i].peer_op = &g;
        }
        return;
      }
      case K::kPeerFill:
        return;
    }
  }

  const detail::Compiled& c_;
  const Dataset& data_;
  std::set<std::tuple<std::size_t, std::size_t, std::size_t>> visited_;  ///< (call, row, origin) walked
  std::set<std::tuple<std::size_t, std::int32_t, std::int64_t>> groups_;  ///< peer groups searched
  std::vector<HistoryGap> gaps_;
};

// Every value of a selected row must exist: a history or peer call the data cannot answer for a
// selected row is an error (earlier periods may lack their own history). Each period really
// missing is reported once, at the row that needs it.
bool check_history(const detail::Compiled& c, const dsl::CheckedPolicy& policy, const Dataset& data,
                   const std::vector<std::size_t>& selected, DiagnosticSink& sink) {
  std::vector<const std::int64_t*> valid;  // the validity columns there are (history and peers)
  for (const std::int64_t v : c.symbol_valid) {
    if (v >= 0) valid.push_back(c.columns[static_cast<std::size_t>(v)].data());
  }
  if (valid.empty()) return true;
  GapFinder finder(c, data);
  std::vector<std::size_t> unexplained;  // invalid rows whose missing period could not be named
  bool any = false;
  for (const std::size_t r : selected) {
    const bool invalid = std::any_of(valid.begin(), valid.end(), [r](const std::int64_t* v) { return v[r] == 0; });
    if (!invalid) continue;
    any = true;
    const std::size_t before = finder.gaps().size();
    finder.find_row(r);
    if (finder.gaps().size() == before && !finder.explained(r)) unexplained.push_back(r);
  }
  if (!any) return true;
  const auto period_of = [&data](std::size_t r) { return data.periods[static_cast<std::size_t>(data.period_index[r])]; };
  std::size_t reported = 0;
  std::size_t more = 0;
  auto report = [&](Diagnostic d, std::size_t row) {
    if (reported >= detail::RuntimeErrors::kKeep) {
      ++more;
      return;
    }
    ++reported;
    if (const Span at = data.row_span(row); at.valid()) d.notes.push_back(Note{at, msg::note_row_here()});
    sink.report(std::move(d));
  };
  for (const HistoryGap& g : finder.gaps()) {
    const std::string key = row_key(data, g.row);
    const std::uint32_t shown = data.shown_row(g.row);
    Message message = g.missing >= 0
                          ? msg::eng_history_period_missing(shown, key, period_of(g.row), data.periods[static_cast<std::size_t>(g.missing)])
                          : (g.back == 1 ? msg::eng_history_before_start_one : msg::eng_history_before_start_many)(
                                shown, key, period_of(g.row), g.back, data.periods.front());
    Diagnostic d = diagnose(DiagCode::missing_history, policy.module.span(g.op->src), std::move(message), msg::eng_hint_history_missing());
    if (g.peer_op != nullptr) {
      const auto& call = std::get<ast::Call>(policy.module.expr(g.peer_op->src));
      d.notes.push_back(Note{policy.module.span(g.peer_op->src), msg::note_history_needed_by(call.callee.name, period_of(g.row))});
    }
    report(std::move(d), g.row);
  }
  for (const std::size_t r : unexplained) {
    Diagnostic d = diagnose(DiagCode::missing_history, Span{}, msg::eng_history_missing(data.shown_row(r), row_key(data, r), period_of(r)),
                            msg::eng_hint_history_missing());
    d.file = data.path;
    report(std::move(d), r);
  }
  if (more > 0) {
    Diagnostic d = diagnose(DiagCode::missing_history, Span{}, msg::eng_history_more_rows(more));
    d.file = data.path;
    sink.report(std::move(d));
  }
  return false;
}

}  // namespace

namespace {

// Calls f with every column the fund stage reads.
template <typename F>
void for_each_fund_column(const detail::Compiled& c, const F& f) {
  for (const detail::FundColumns& fund : c.funds) {
    for (const detail::TrackColumns& t : fund.tracks) {
      f(t.eligible);
      if (t.has_rank) f(t.rank);
    }
    if (fund.grouped) f(fund.group);
    if (fund.pool_column) f(fund.pool);
    for (const std::uint32_t t : fund.ties) f(t);
  }
  for (const detail::ExactProgram& p : c.exact) {
    for (const detail::ExactLeaf& l : p.leaves) f(l.column);
  }
}

// Calls f with every column read after the programs and global operations have run: by the fund
// stage (and its exact weights), the rules, the absent and segment columns, the history
// check (validity and global operations' columns), and as the value of a symbol in `shown`.
template <typename F>
void for_each_column_read_after(const detail::Compiled& c, const std::vector<bool>& shown, const F& f) {
  for_each_fund_column(c, f);
  for (const detail::RuleSlot& r : c.rules) f(r.column);
  for (const auto& [s, col] : c.absent) f(col);
  auto any = [&f](std::int64_t col) {
    if (col >= 0) f(static_cast<std::uint32_t>(col));
  };
  any(c.segment_index);
  for (const std::int64_t v : c.symbol_valid) any(v);
  for (const detail::GlobalOp& g : c.globals) {
    for (const std::int64_t col : {static_cast<std::int64_t>(g.arg), g.arg_valid, g.arg_missing, g.group, g.ties,
                                   static_cast<std::int64_t>(g.out), static_cast<std::int64_t>(g.valid)}) {
      any(col);
    }
  }
  for (std::size_t s = 0; s < shown.size(); ++s) {
    if (shown[s]) any(c.symbol_column[s]);
  }
}

// Calls f(run, instruction) for every operation of the programs in the order they run, `run`
// counting the runs of programs between global operations from 0 (as run_steps runs them).
template <typename F>
void for_each_instr_by_run(const detail::Compiled& c, const F& f) {
  std::int64_t run = 0;
  for (const detail::Step& step : c.steps) {
    if (step.global) {
      ++run;
      continue;
    }
    for (const detail::Instr& in : c.programs[step.index].code) f(run, in);
  }
}

// Marks the columns that can be chunked (Compiled::chunked): computed by a program, read only by
// programs of the same run between global operations (which runs chunk by chunk, every program on
// a chunk before the next chunk), and not read afterwards: not by a global operation, the fund
// stage, the rules, the history check, nor as the value of a symbol in `shown`
// (for_each_column_read_after).
void mark_chunked(detail::Compiled& c, const std::vector<bool>& shown) {
  const std::size_t n = c.columns.size();
  constexpr std::int64_t kWhole = -1;
  constexpr std::int64_t kUnwritten = -2;
  std::vector<std::int64_t> run(n, kUnwritten);  // the run that writes the column, or kWhole
  for_each_instr_by_run(c, [&run](std::int64_t at, const detail::Instr& in) {
    if (in.op == detail::OpCode::kStore && run[in.dst] == kUnwritten) run[in.dst] = at;
  });
  for_each_instr_by_run(c, [&run, &c](std::int64_t at, const detail::Instr& in) {
    auto read = [&](std::uint32_t col) {
      if (run[col] != at) run[col] = kWhole;
    };
    if (in.op == detail::OpCode::kLoad) read(in.a);
    if (in.op == detail::OpCode::kGradeEffects || in.op == detail::OpCode::kAlertEffects) {
      for (const detail::Effect& e : c.effects[in.aux].effects) read(e.veto_column);
    }
  });
  for_each_column_read_after(c, shown, [&run](std::uint32_t col) { run[col] = kWhole; });
  c.chunked.assign(n, 0);
  for (std::size_t col = 0; col < n; ++col) {
    c.chunked[col] = !c.columns[col].of_data() && run[col] >= 0 ? 1 : 0;
  }
}

// Throws std::logic_error when a narrow column of the dataset (Column::narrow()), which only a
// program's kLoad decodes, would be read by anything else: after the programs, or as a veto
// effect's column. Data loaded for another evaluation (LoadOptions::narrow) gets here.
void check_narrow_reads(const detail::Compiled& c, const std::vector<bool>& shown) {
  if (std::none_of(c.columns.begin(), c.columns.end(), [](const detail::ColumnSlot& s) { return s.narrow != nullptr; })) return;
  const auto check = [&c](std::uint32_t col) {
    if (c.columns[col].narrow != nullptr) {
      throw std::logic_error("evaluate: an input column loaded narrow (LoadOptions::narrow) is read beyond the programs' loads");
    }
  };
  for_each_column_read_after(c, shown, check);
  for (const detail::Program& p : c.programs) {
    for (const detail::Instr& in : p.code) {
      if (in.op != detail::OpCode::kGradeEffects && in.op != detail::OpCode::kAlertEffects) continue;
      for (const detail::Effect& e : c.effects[in.aux].effects) check(e.veto_column);
    }
  }
}

// Per symbol: whether its value is read from the result (every symbol's without `keep`).
std::vector<bool> shown_symbols(const dsl::CheckedPolicy& policy, const std::vector<dsl::SymbolId>* keep) {
  std::vector<bool> shown(policy.symbols.size(), keep == nullptr);
  if (keep != nullptr) {
    for (const dsl::SymbolId s : *keep) shown[static_cast<std::uint32_t>(s)] = true;
  }
  return shown;
}

}  // namespace

struct Executable::Impl {
  detail::Compiled compiled;
};

Texts::Texts(const StringPool& data, std::vector<std::string> extra)
    : data_(&data), base_(static_cast<std::uint32_t>(data.size())), extra_(std::move(extra)) {}

std::vector<std::uint32_t> Texts::byte_order(std::size_t threads) const {
  if (data_ == nullptr) return {};
  std::vector<std::uint32_t> place = data_->byte_order(threads);
  if (extra_.empty()) return place;
  // The dataset's ids in byte order, merged with the policy's texts in byte order.
  std::vector<std::uint32_t> sorted(place.size());
  for (std::uint32_t id = 0; id < place.size(); ++id) sorted[place[id]] = id;
  std::vector<std::uint32_t> extra(extra_.size());
  std::iota(extra.begin(), extra.end(), 0U);
  std::sort(extra.begin(), extra.end(), [this](std::uint32_t a, std::uint32_t b) { return extra_[a] < extra_[b]; });
  place.resize(size());
  std::size_t i = 0;
  std::size_t j = 0;
  for (std::uint32_t at = 0; at < place.size(); ++at) {
    if (j == extra.size() || (i < sorted.size() && data_->text(sorted[i]) < std::string_view(extra_[extra[j]]))) {
      place[sorted[i++]] = at;
    } else {
      place[base_ + extra[j++]] = at;
    }
  }
  return place;
}

std::vector<std::size_t> unread_inputs(const Executable& program, const std::vector<dsl::SymbolId>& keep) {
  const detail::Compiled& c = program.impl().compiled;
  const dsl::CheckedPolicy& policy = *program.plan().policy;
  std::vector<bool> read(c.columns.size(), false);
  for_each_column_read_after(c, shown_symbols(policy, &keep), [&read](std::uint32_t col) { read[col] = true; });
  std::vector<bool> kept(policy.module.inputs.size(), false);
  for (const detail::ColumnBinding& b : c.bindings) {
    const bool input = b.source == detail::ColumnBinding::Source::kInput || b.source == detail::ColumnBinding::Source::kMissing;
    if (input && read[b.column]) kept[b.index] = true;
  }
  std::vector<std::size_t> unread;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (!kept[i] && policy.module.inputs[i].kind != ast::InputKind::kTextList) unread.push_back(i);
  }
  return unread;
}

Executable::Executable(const Plan& plan, std::unique_ptr<Impl> impl) : plan_(plan), impl_(std::move(impl)) {}
Executable::Executable(Executable&&) noexcept = default;
Executable& Executable::operator=(Executable&&) noexcept = default;
Executable::~Executable() = default;

Executable compile(const Plan& plan, const std::vector<ast::ExprId>& trace) {
  return Executable(plan, std::make_unique<Executable::Impl>(Executable::Impl{detail::compile(plan, trace)}));
}

std::optional<EvalResult> evaluate(const Plan& plan, const Dataset& data, const EvalOptions& options,
                                   DiagnosticSink& sink) {
  return evaluate(compile(plan), data, options, sink);
}

std::optional<EvalResult> evaluate(const Plan& plan, const Dataset& data, const EvalOptions& options,
                                   const std::vector<ast::ExprId>& trace, DiagnosticSink& sink) {
  return evaluate(compile(plan, trace), data, options, sink);
}

namespace {

// The columns of `data` that the programs of `c` read from the inputs `spent` (by index), each with
// the last run of programs that reads it: those are let go of behind that run (run_steps). A column no
// program reads is not among them (it is emptied with the others after the programs).
std::vector<detail::SpentColumn> spent_columns(const detail::Compiled& c, const Dataset& data, const std::vector<std::size_t>& spent) {
  std::vector<std::int64_t> last_run(c.columns.size(), -1);
  for_each_instr_by_run(c, [&last_run](std::int64_t run, const detail::Instr& in) {
    if (in.op == detail::OpCode::kLoad) last_run[in.a] = run;
  });
  std::vector<bool> is_spent(data.inputs.size(), false);
  for (const std::size_t i : spent) is_spent[i] = true;
  std::vector<detail::SpentColumn> out;
  for (const detail::ColumnBinding& b : c.bindings) {
    using S = detail::ColumnBinding::Source;
    if ((b.source != S::kInput && b.source != S::kMissing) || !is_spent[b.index] || last_run[b.column] < 0) continue;
    const Column& column = data.inputs[b.index];
    const auto last = static_cast<std::size_t>(last_run[b.column]);
    if (b.source == S::kInput && column.narrow()) {
      if (!column.mantissas.empty()) out.push_back({column.mantissas.data(), sizeof(std::int32_t), last});
      continue;
    }
    const std::vector<std::int64_t>& v = b.source == S::kMissing ? column.missing : column.values;
    if (!v.empty()) out.push_back({v.data(), sizeof(std::int64_t), last});
  }
  return out;
}

// evaluate(), and with `spend` (the same dataset as `data`) evaluate_spending().
std::optional<EvalResult> run(const Executable& program, const Dataset& data, const EvalOptions& options, DiagnosticSink& sink,
                              Dataset* spend) {
  const Plan& plan = program.plan();
  // The run's own copy, tied to `data`: the executable is as compiled, for the next dataset.
  detail::Compiled compiled = program.impl().compiled;
  detail::bind(compiled, data);
  Trace trace = Trace::of(options.trace_rows);
  if (!trace.rows.empty() && trace.rows.back().row >= data.rows) {
    throw std::invalid_argument("evaluate: trace row " + std::to_string(trace.rows.back().row) + " is not a row of the data");
  }
  if (!trace.rows.empty()) compiled.trace = &trace;
  const dsl::CheckedPolicy& policy = *plan.policy;
  const std::vector<bool> shown = shown_symbols(policy, options.keep);
  mark_chunked(compiled, shown);
  check_narrow_reads(compiled, shown);
  for (std::size_t col = 0; col < compiled.columns.size(); ++col) {
    detail::ColumnSlot& slot = compiled.columns[col];
    if (!slot.of_data() && compiled.chunked[col] == 0) slot.owned = zeroed_column(data.rows);
  }
  detail::RuntimeErrors errors;
  // Every register holds one chunk of rows, per thread. A program with very many registers (a sum
  // of 20,000 terms has 40,000) runs in shorter chunks, so that one thread's registers stay within
  // kRegisterBytes; the results do not depend on the chunk.
  constexpr std::size_t kRegisterBytes = std::size_t{64} << 20;
  constexpr std::size_t kShortestChunk = 16;
  std::size_t chunk = std::max<std::size_t>(1, options.chunk_rows);
  if (compiled.registers > 0) {
    chunk = std::min(chunk, std::max(kShortestChunk, kRegisterBytes / (sizeof(std::int64_t) * compiled.registers)));
  }
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::size_t> spent;  // the inputs spent: read by the programs alone
  if (spend != nullptr) spent = unread_inputs(program, *options.keep);
  detail::run_steps(compiled, data, chunk, std::max<std::size_t>(1, options.threads), errors, spent_columns(compiled, data, spent));
  for (const std::size_t i : spent) spend->inputs[i] = Column{};
  if (errors.count == 0) detail::run_exact_weights(compiled, data.rows, std::max<std::size_t>(1, options.threads), errors);
  errors.settle();
  if (errors.count > 0) {
    report_runtime(errors, policy, data, sink);
    return std::nullopt;
  }
  EvalResult result;
  result.rows = data.rows;
  result.selected = select_rows(data, options);
  if (!check_history(compiled, policy, data, result.selected, sink)) return std::nullopt;
  // Every symbol's column, without copying: computed columns move into result.storage (once, should
  // two symbols share one), dataset columns are viewed where they are.
  std::vector<std::int64_t> stored(compiled.columns.size(), -1);
  result.columns.resize(policy.symbols.size());
  for (std::size_t s = 0; s < policy.symbols.size(); ++s) {
    const std::int64_t col = compiled.symbol_column[s];
    if (col < 0 || !shown[s]) continue;  // not kept: an empty span
    detail::ColumnSlot& slot = compiled.columns[static_cast<std::size_t>(col)];
    if (slot.view != nullptr) {
      result.columns[s] = std::span<const std::int64_t>(slot.view, data.rows);
      continue;
    }
    std::int64_t& at = stored[static_cast<std::size_t>(col)];
    if (at < 0) {
      at = static_cast<std::int64_t>(result.storage.size());
      result.storage.push_back(std::move(slot.owned));
      slot.view = result.storage.back().data();  // the funds below still read it through the slot
    }
    result.columns[s] = std::span<const std::int64_t>(result.storage[static_cast<std::size_t>(at)]);
  }
  for (const detail::RuleSlot& r : compiled.rules) {
    RuleColumn rc;
    rc.kind = static_cast<RuleColumn::Kind>(r.kind);
    rc.name = r.name;
    detail::ColumnSlot& slot = compiled.columns[r.column];
    if (slot.view == nullptr) {
      rc.values = std::move(slot.owned);  // no symbol keeps it: moved, not copied
      slot.view = rc.values.data();       // the funds may still read it (the buffer moves with it)
    } else {
      rc.values.assign(slot.data(), slot.data() + data.rows);
    }
    result.rules.push_back(std::move(rc));
  }
  for (const auto& [s, col] : compiled.absent) {
    const detail::ColumnSlot& slot = compiled.columns[col];  // may be a rule's, moved above: still valid
    result.absent.push_back({s, std::vector<std::int64_t>(slot.data(), slot.data() + data.rows)});
  }
  if (compiled.segment_index >= 0) {
    const detail::ColumnSlot& slot = compiled.columns[static_cast<std::size_t>(compiled.segment_index)];
    result.segment.assign(slot.data(), slot.data() + data.rows);
  }
  const auto allocating = std::chrono::steady_clock::now();
  if (options.timings != nullptr) options.timings->evaluate_ms = std::chrono::duration<double, std::milli>(allocating - started).count();
  const std::size_t errors_before = sink.error_count();
  result.funds = detail::allocate_funds(policy, data, compiled, result.selected, options.all_periods,
                                       std::max<std::size_t>(1, options.threads), sink);
  if (options.timings != nullptr) {
    options.timings->allocate_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - allocating).count();
  }
  if (sink.error_count() > errors_before) return std::nullopt;
  result.texts = std::move(compiled.bound_texts);
  result.trace = std::move(trace);
  return result;
}

}  // namespace

std::optional<EvalResult> evaluate(const Executable& program, const Dataset& data, const EvalOptions& options,
                                   DiagnosticSink& sink) {
  return run(program, data, options, sink, nullptr);
}

std::optional<EvalResult> evaluate_spending(const Executable& program, Dataset& data, const EvalOptions& options,
                                            DiagnosticSink& sink) {
  if (options.keep == nullptr) throw std::invalid_argument("evaluate_spending: options.keep must name the symbols read");
  return run(program, data, options, sink, &data);
}

}  // namespace jixiao::engine
