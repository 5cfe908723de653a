// The trace of an evaluation: for the rows chosen in EvalOptions::trace_rows, the intermediate
// values the engine computed, each recorded by the operation that computed it (docs/explain.md).
// `jixiao explain` prints from it and computes nothing itself.
#pragma once

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "jixiao/dsl/decimal.hpp"

namespace jixiao::engine {

/// What a traced value is. `a` and `b` say of what (an expression, an indicator node, a band, a fund
/// and track); each kind's comment gives them.
struct TraceKey {
  enum class Kind : std::uint8_t {
    kValue,            ///< a: ExprId. The value of an expression `explain` shows (explain_trace()).
    kRounded,          ///< a: ExprId of a × or ÷ (or avg) that rounded its exact result: 1 to 6 decimals, 2 to the fen.
    kExactNumerator,   ///< a: ExprId. The same inside a fund weight, exactly: numerator (wide) ...
    kExactDenominator, ///< ... over this denominator (wide; fen when money).
    kLeafRaw,          ///< a: node. A leaf's formula value, as computed.
    kLeafClamped,      ///< a: node. Clamped into [0, 100] (percent) or [0, full marks] (points).
    kLeafScaled,       ///< a: node. Its points before rounding to the precision (at 6 decimals).
    kLeafRounded,      ///< a: node. Rounded to the policy's precision: the leaf's base.
    kGroupSum,         ///< a: node. The sum of a group's sub-indicators' scores.
    kAbsentFull,       ///< a: node. The full marks of the sub-indicators that dropped out.
    kReweightScaled,   ///< a: node. sum × full ÷ (full − absent) at 6 decimals, before rounding to the precision.
    kReweighted,       ///< a: node. The group's points after reweighting.
    kAdjustProduct,    ///< a: node, b: adjustment. Its amount × its `per` (at 6 decimals).
    kAdjustComputed,   ///< a: node, b: adjustment. Its amount (× per, 0 when `when` fails, never < 0).
    kAdjustApplied,    ///< a: node, b: adjustment. After its `max`.
    kDeductionsTotal,  ///< a: node. The sum of the applied deductions, before `deductions max`.
    kBonusesTotal,     ///< a: node. The same for bonuses.
    kCombineBase,      ///< a: node. The points the deductions and bonuses apply to.
    kCombineDeducted,  ///< a: node. The deductions taken (after `deductions max`).
    kCombineAdded,     ///< a: node. The bonuses added (after `bonuses max`).
    kCombineFloored,   ///< a: node. 1 when the deductions took more than the points (the result is 0 + bonuses).
    kCombineTotal,     ///< a: node. The points after deductions and bonuses, before rounding to the precision.
    kBandInterval,     ///< a: band. The index (among the bands with an interval) of the band found.
    kLabelBase,        ///< a: band. The label (index) of that band, before any veto effect.
    kLabelAfter,       ///< a: band, b: effect (EffectTable order). The label after that effect.
    kPeers,            ///< a: ExprId of rank/percentile/peer_avg. The rows compared with.
    kHistoryRow,       ///< a: ExprId of prev/avg_prev/streak, b: k. The k-th row it read ...
    kHistoryValue,     ///< ... and the value it read there.
    kHistoryCount,     ///< a: ExprId. How many rows it read.
    kTrackEligible,    ///< a: fund, b: track. 1 when the row could take part in the track (no veto, its `when`).
    kShareWeight,      ///< a: fund, b: track. The weight w the row was split by (wide): recorded when it was in its split.
    kShareNumerator,   ///< a: fund, b: track. pool × w (wide): over W, the row's exact share in fen.
    kShareWhole,       ///< a: fund, b: track. The row's whole fen: floor(pool × w ÷ W) (wide).
    kShareRemainder,   ///< a: fund, b: track. pool × w − whole × W: over W, the fen left (wide).
    kShareLeftover,    ///< a: fund, b: track. The fen left in the row's split after every whole share.
    kTopLowest,        ///< a: fund, b: track. The lowest ranking value that made the top N.
  };
  Kind kind = Kind::kValue;
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  auto operator<=>(const TraceKey&) const = default;
};

/// What the engine computed on one row.
struct RowTrace {
  std::size_t row = 0;
  std::map<TraceKey, std::int64_t> values;
  std::map<TraceKey, Int128> wide;  ///< the values of 128 bits (exact weights, shares)

  void set(TraceKey::Kind kind, std::uint32_t a, std::uint32_t b, std::int64_t v) { values[{kind, a, b}] = v; }
  void set_wide(TraceKey::Kind kind, std::uint32_t a, std::uint32_t b, Int128 v) { wide[{kind, a, b}] = v; }
  [[nodiscard]] std::optional<std::int64_t> get(TraceKey::Kind kind, std::uint32_t a, std::uint32_t b = 0) const {
    const auto it = values.find({kind, a, b});
    return it == values.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
  }
  [[nodiscard]] std::optional<Int128> get_wide(TraceKey::Kind kind, std::uint32_t a, std::uint32_t b = 0) const {
    const auto it = wide.find({kind, a, b});
    return it == wide.end() ? std::nullopt : std::optional<Int128>(it->second);
  }
};

/// The traced rows (sorted, each once) and what was recorded on each. Each row's record is written
/// only by the thread that evaluates the row, so recording needs no lock.
struct Trace {
  std::vector<RowTrace> rows;

  /// A trace of `rows` (any order, repeats allowed), empty.
  static Trace of(std::vector<std::size_t> rows) {
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    Trace t;
    for (const std::size_t r : rows) t.rows.push_back({r, {}, {}});
    return t;
  }
  [[nodiscard]] const RowTrace* find(std::size_t row) const {
    const auto it = std::lower_bound(rows.begin(), rows.end(), row, [](const RowTrace& t, std::size_t r) { return t.row < r; });
    return it != rows.end() && it->row == row ? &*it : nullptr;
  }
  RowTrace* find(std::size_t row) {
    return const_cast<RowTrace*>(static_cast<const Trace&>(*this).find(row));
  }
  /// Calls f(offset, record) for each traced row in [begin, begin + n), offset = row − begin.
  template <typename F>
  void each(std::size_t begin, std::size_t n, F f) {
    auto it = std::lower_bound(rows.begin(), rows.end(), begin, [](const RowTrace& t, std::size_t r) { return t.row < r; });
    for (; it != rows.end() && it->row < begin + n; ++it) f(it->row - begin, *it);
  }
};

}  // namespace jixiao::engine
