// The columnar evaluator: runs a plan over a dataset, chunk by chunk, each symbol compiled to a
// flat list of column operations; then splits every fund pool to the fen.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/engine/dataset.hpp"
#include "jixiao/engine/plan.hpp"
#include "jixiao/engine/trace.hpp"
#include "jixiao/engine/zeroed.hpp"

namespace jixiao::engine {

/// One split of a track: the track's share of one group's pool (per period with all_periods),
/// divided among the group's recipients.
struct TrackSplit {
  std::string group;        ///< as GroupResult::group
  std::int64_t pool = 0;    ///< fen: the track's part of the group's pool
  Int128 total_weight = 0;  ///< the sum of the recipients' weights (numerators over TrackResult::weight_denominator)
  std::size_t rows = 0;     ///< rows in the split (eligible, and within the top N)
};

/// One track of one fund: its pool (for all groups) and what each row received.
struct TrackResult {
  std::string name;
  std::int64_t pool = 0;               ///< fen
  std::int64_t paid = 0;               ///< fen; equal to pool (checked)
  std::vector<std::int64_t> amounts;   ///< fen per row
  std::vector<std::uint8_t> extra_fen; ///< 1 where the row received a remainder fen
  std::size_t recipients = 0;          ///< rows with a share > 0
  std::vector<TrackSplit> splits;      ///< one per group split, in the order they were split
  /// Per row: the index into `splits` of the row's group, or -1 (a row that is not reported).
  /// Empty while there is one split and every row is in it: read it with split_at().
  std::vector<std::int32_t> split_of;
  /// The recipients' weights are numerators over this (in fen when the weight is money; 1 for
  /// equal shares, each weight 1). The traced rows' own weights are in the trace (kShareWeight).
  Int128 weight_denominator = 1;

  /// The index into `splits` of row's split, or -1 (a row that is not reported).
  [[nodiscard]] std::int32_t split_at(std::size_t row) const {
    if (!split_of.empty()) return split_of[row];
    return splits.empty() ? -1 : 0;
  }
};

/// One group's pool of a fund split `per` a column (or the single pool otherwise).
struct GroupResult {
  std::string group;  ///< empty for a fund without `per`
  std::int64_t pool = 0;
  std::int64_t paid = 0;
};

struct FundResult {
  std::string name;
  std::int64_t pool = 0;  ///< fen, all groups
  std::int64_t paid = 0;
  std::vector<TrackResult> tracks;
  std::vector<GroupResult> groups;
  std::vector<std::int64_t> totals;  ///< fen per row, all tracks
};

/// A rule that fired on a row: a veto, a deduction or bonus (amount > 0), a cap that bit, or an
/// indicator whose optional input was missing (its `missing` rule applied).
struct RuleColumn {
  enum class Kind { kVeto, kDeduct, kBonus, kCap, kMissing } kind = Kind::kVeto;
  std::string name;
  ColumnValues values;  ///< per row: 1/0 for vetoes and caps; the amount (raw) otherwise
};

/// An indicator that dropped out of its parent under `missing reweight` on some rows: a leaf whose
/// optional input is missing, or a group all of whose sub-indicators dropped out. Its column holds
/// 0 on those rows, which is no score: the results show it empty.
struct AbsentColumn {
  dsl::SymbolId indicator = dsl::kNoSymbol;
  std::vector<std::int64_t> values;  ///< per row: 1 where it dropped out
};

/// The name of a node's `deductions max` (`bonuses max`) cap as a rule: the node's path and this.
inline constexpr std::string_view kDeductionsCapSuffix = ".扣分合计";
inline constexpr std::string_view kBonusesCapSuffix = ".加分合计";

/// The texts an evaluation's text ids name (the values of text symbols, a fund's groups, ...): the
/// dataset's, whose ids are below data.strings.size(), and after them the texts the policy writes
/// that the data lacks (literals, text params, set items, `coef` keys). evaluate() keeps those here,
/// not in the dataset, which it leaves as it was. It views the dataset's pool, which must outlive it,
/// stay where it is and not change meanwhile (as EvalResult::columns view the dataset's columns).
class Texts {
 public:
  Texts() = default;
  /// The texts of `data` and, numbered after them, `extra`: none of them in `data`, no two equal.
  Texts(const StringPool& data, std::vector<std::string> extra);

  [[nodiscard]] StringPool::Text text(std::uint32_t id) const {
    return id < base_ ? data_->text(id) : StringPool::Text(extra_[id - base_]);
  }
  [[nodiscard]] std::size_t size() const { return base_ + extra_.size(); }
  /// Per id, the text's place among all the texts in byte order, as StringPool::byte_order: the
  /// dataset's texts' places with the policy's merged in. Up to `threads` threads share the sorting.
  [[nodiscard]] std::vector<std::uint32_t> byte_order(std::size_t threads = 1) const;

 private:
  const StringPool* data_ = nullptr;
  std::uint32_t base_ = 0;          ///< data_->size()
  std::vector<std::string> extra_;  ///< the policy's texts the data lacks: ids base_, base_ + 1, ...
};

/// Everything an evaluation produced.
struct EvalResult {
  EvalResult() = default;
  EvalResult(EvalResult&&) = default;
  EvalResult& operator=(EvalResult&&) = default;
  EvalResult(const EvalResult&) = delete;  // `columns` views `storage`: a copy would view the original's
  EvalResult& operator=(const EvalResult&) = delete;

  std::size_t rows = 0;
  /// The rows whose results are reported and paid (all rows without periods; the evaluated
  /// period's rows, or every row with all_periods, with periods), in file order.
  std::vector<std::size_t> selected;
  /// Per symbol (indexed by SymbolId), its value per row: raw numbers, fen, label indices, text
  /// ids, 0/1. Empty for params, sets and funds, and for symbols EvalOptions::keep leaves out. Views: of `storage`, or of the dataset's columns
  /// for inputs (the dataset must outlive the result).
  std::vector<std::span<const std::int64_t>> columns;
  /// The columns the evaluation computed, moved here rather than copied.
  std::vector<ColumnValues> storage;
  std::vector<FundResult> funds;   ///< parallel to Module::funds
  std::vector<RuleColumn> rules;   ///< in declaration order: vetoes, then deductions/bonuses and their caps
  std::vector<AbsentColumn> absent;  ///< the indicators that can drop out (`missing reweight`)
  /// With segments (Module::segments): each row's segment, by index; empty without.
  std::vector<std::int64_t> segment;
  /// The texts the text ids in `columns` (and the funds' groups) name.
  Texts texts;
  /// For the rows of EvalOptions::trace_rows, what the engine computed on the way (trace.hpp), for
  /// `jixiao explain`; empty without.
  Trace trace;
};

/// How long the phases of evaluate() took (for `jixiao eval --stats`).
struct EvalTimings {
  double evaluate_ms = 0;  ///< every indicator, veto, grade and alert over every row
  double allocate_ms = 0;  ///< the fund splits and their conservation checks
};

struct EvalOptions {
  std::size_t chunk_rows = 4096;  ///< rows per chunk (0 counts as 1); results do not depend on it
  /// Threads evaluating row ranges at once (0 counts as 1); results, errors included, do not
  /// depend on it.
  std::size_t threads = 1;
  EvalTimings* timings = nullptr;  ///< filled in when not null
  /// With periods: the period evaluated (results, funds); empty means the latest in the data.
  /// Earlier periods are evaluated too, as the history that `prev`, `streak`, ... read.
  std::string period;
  bool all_periods = false;  ///< every period's results, each period's funds split separately
  /// The symbols whose values the caller reads from EvalResult::columns (e.g. result_symbols()
  /// for formatting the results); the others' columns come back empty, which saves a column of
  /// rows for each value computed on the way, and the dataset's input columns that neither they
  /// nor the funds read (unread_inputs()) can be spent (evaluate_spending()). Null: every
  /// symbol's column.
  const std::vector<dsl::SymbolId>* keep = nullptr;
  /// The rows whose intermediate values are recorded (EvalResult::trace): leaves' clamping, scaling
  /// and rounding, adjustments, reweighting, labels before and after each veto effect, each fund
  /// share's whole fen and remainder, and the values of the expressions the executable was compiled
  /// to trace. Empty: nothing is recorded, at no cost. Each must be a row of the data
  /// (std::invalid_argument otherwise).
  std::vector<std::size_t> trace_rows = {};
};

/// A plan compiled into flat column programs (compile()), before any row is read: it depends on the
/// checked policy alone (its plan points into it, which must outlive it). evaluate() runs it on a
/// dataset of the policy and leaves both as they were: one executable serves any number of datasets,
/// and one dataset any number of evaluations.
class Executable {
 public:
  Executable(Executable&&) noexcept;
  Executable& operator=(Executable&&) noexcept;
  ~Executable();

  [[nodiscard]] const Plan& plan() const { return plan_; }
  struct Impl;  ///< the compiled programs (engine/src/compile.hpp)
  [[nodiscard]] const Impl& impl() const { return *impl_; }

 private:
  friend Executable compile(const Plan& plan, const std::vector<ast::ExprId>& trace);
  Executable(const Plan& plan, std::unique_ptr<Impl> impl);

  Plan plan_;
  std::unique_ptr<Impl> impl_;
};

/// Compiles every symbol of `plan`, without data. With `trace`, the value of every expression in it
/// that is compiled is recorded on the rows of EvalOptions::trace_rows (EvalResult::trace, for
/// `jixiao explain`); on other rows it costs nothing but the skipped operation.
Executable compile(const Plan& plan, const std::vector<ast::ExprId>& trace = {});

/// Runs `program` over `data`. Runtime errors (division by zero, overflow, a pool nobody can
/// receive, history the data lacks for a selected row) are reported with the expression's span and
/// the data row. Every pool is verified to be paid out exactly; a failure is a `conservation`
/// error. Returns nullopt iff an error was reported. `options.period` must be one of data.periods
/// (or empty).
/// Neither `program` nor `data` changes: the texts the policy writes that the data lacks are kept in
/// EvalResult::texts, through which every text id of the result is read. `data.strings` needs no
/// index (StringPool::release_index): the caller may let go of it before, to hold less at once.
std::optional<EvalResult> evaluate(const Executable& program, const Dataset& data, const EvalOptions& options,
                                   DiagnosticSink& sink);

/// evaluate(), spending the dataset's input columns that unread_inputs(program, *options.keep)
/// names (options.keep must be set): only the programs read them, so each one's memory goes back
/// to the system as the rows are evaluated (page by page, behind the last program that reads it),
/// and they are empty afterwards, before the funds are split and the results formatted. The same
/// result as evaluate(); for a caller that reads no more of those columns (`jixiao eval`,
/// `report`, `verify`), to hold less at once.
std::optional<EvalResult> evaluate_spending(const Executable& program, Dataset& data, const EvalOptions& options,
                                            DiagnosticSink& sink);

/// compile(plan), then evaluate() of the executable over `data`.
std::optional<EvalResult> evaluate(const Plan& plan, const Dataset& data, const EvalOptions& options,
                                   DiagnosticSink& sink);

/// compile(plan, trace), then evaluate(): the values of the expressions in `trace` are recorded on
/// the rows of options.trace_rows (EvalResult::trace).
std::optional<EvalResult> evaluate(const Plan& plan, const Dataset& data, const EvalOptions& options,
                                   const std::vector<ast::ExprId>& trace, DiagnosticSink& sink);

/// The dataset's input columns (indices into Dataset::inputs) that nothing reads once the programs
/// of `program` have run, when only the symbols of `keep` are read from the result: not the fund
/// stage, the rules, the history check, nor the near-miss report (near_miss.hpp: list<text>
/// inputs). evaluate_spending() spends them (keep as EvalOptions::keep), so that their memory goes
/// back as the rows are evaluated.
std::vector<std::size_t> unread_inputs(const Executable& program, const std::vector<dsl::SymbolId>& keep);

}  // namespace jixiao::engine
