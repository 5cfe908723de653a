// The fund stage: pools per group, split into tracks, each track split among its recipients to the
// fen by the largest-remainder method, ties by the declared key; every split is verified.
#include "funds.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/engine/allocate.hpp"
#include "largest_remainder.hpp"
#include "parallel.hpp"

namespace jixiao::engine::detail {
namespace {

using dsl::TypeKind;
constexpr std::int64_t kHundred = 100 * decimal::kOne;

// Why an amount could not be split, for messages.
Message allocation_message(AllocationError e) {
  switch (e) {
    case AllocationError::kNoWeight: return msg::eng_alloc_no_weight();
    case AllocationError::kNegativeWeight: return msg::eng_alloc_negative_weight();
    case AllocationError::kNegativePool: return msg::eng_alloc_negative_pool();
    case AllocationError::kOverflow: return msg::eng_alloc_overflow();
    case AllocationError::kInvalidTieRank: return msg::eng_alloc_tie_rank();
  }
  return msg::eng_alloc_overflow();
}

// A track's weights, read where they are: its exact numerators (weights.hpp), or 1 for equal shares.
struct Weights {
  const ExactColumn* exact = nullptr;
  [[nodiscard]] Int128 at(std::size_t row) const { return exact != nullptr ? exact->at(row) : 1; }
};

class FundStage {
 public:
  FundStage(const dsl::CheckedPolicy& policy, const Dataset& data, Compiled& compiled,
            const std::vector<std::size_t>& selected, bool per_period, std::size_t threads, DiagnosticSink& sink)
      : policy_(policy), m_(policy.module), data_(data), c_(compiled), selected_(selected),
        per_period_(per_period && !data.periods.empty()), threads_(threads), sink_(sink) {}

  FundResult run(std::size_t index) {
    const ast::FundDecl& f = m_.funds[index];
    const FundColumns& cols = c_.funds[index];
    FundResult result;
    result.name = f.name.name;
    weights_.clear();
    for (std::size_t k = 0; k < f.tracks.size(); ++k) {
      TrackResult tr;
      tr.name = f.tracks[k].name.name;
      // Each row's weight, read by the splits where it is: the track's exact weights (weights.hpp),
      // which no other track reads, or 1 (equal shares). The traced recipients' go into the trace.
      const std::int32_t exact = cols.tracks[k].exact;
      weights_.push_back(exact >= 0 ? Weights{&c_.exact_values[static_cast<std::size_t>(exact)]} : Weights{});
      if (exact >= 0) tr.weight_denominator = c_.exact[static_cast<std::size_t>(exact)].denominator;
      result.tracks.push_back(std::move(tr));
    }
    tie_keys(f, cols);

    // Without groups (nor periods split apart), one pool for the selected rows as they are.
    if (!cols.grouped && !per_period_) {
      if (const auto pool = group_pool(f, cols, "", "", selected_)) split_group(f, cols, "", selected_, *pool, true, result);
      settle(f, cols, result);
      return result;
    }
    // Groups (per period when every period is evaluated), in the order of their names, each with
    // its selected rows in file order.
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::size_t>> by_value;  // (period, group value) → rows
    const std::int64_t* group_values = cols.grouped ? col(cols.group) : nullptr;
    for (const std::size_t r : selected_) {
      by_value[{per_period_ ? data_.period_index[r] : 0, group_values ? group_values[r] : 0}].push_back(r);
    }
    std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> groups;  // (period, group) → rows
    const dsl::Type gt = cols.grouped ? policy_.type(f.per_group) : dsl::Type{};
    for (auto& [key, rows] : by_value) {
      std::string period = per_period_ ? data_.periods[static_cast<std::size_t>(key.first)] : "";
      std::string group = cols.grouped ? group_name(gt, key.second) : "";
      std::vector<std::size_t>& into = groups[{std::move(period), std::move(group)}];
      if (into.empty()) {
        into = std::move(rows);  // in file order already
        continue;
      }
      into.insert(into.end(), rows.begin(), rows.end());
      std::sort(into.begin(), into.end());  // file order, should two values share a name
    }
    if (groups.empty()) groups[{"", ""}];
    for (auto it = groups.begin(); it != groups.end(); ++it) {
      const auto& [key, rows] = *it;
      const std::string shown = key.first.empty() ? key.second : key.second.empty() ? key.first : key.first + "/" + key.second;
      const auto pool = group_pool(f, cols, key.second, shown, rows);
      if (!pool) continue;
      split_group(f, cols, shown, rows, *pool, std::next(it) == groups.end(), result);
    }
    settle(f, cols, result);
    return result;
  }

 private:
  // The exact weights and the tie order let go of, the totals, and the conservation check: what
  // the rows received adds up to every pool, to the fen. (A split that failed was reported
  // already, and nothing will be written.) The rows in ranges, one per thread; the sum is exact,
  // so the same whatever the thread count.
  void settle(const ast::FundDecl& f, const FundColumns& cols, FundResult& result) {
    for (const TrackColumns& tc : cols.tracks) let_go(tc);
    tie_keys_.clear();
    if (failed_) return;
    for (TrackResult& tr : result.tracks) with_rows(tr);
    result.totals.resize(data_.rows);
    const std::size_t workers = std::max<std::size_t>(1, std::min(threads_, data_.rows / 65536 + 1));
    std::vector<Int128> partial(workers, 0);
    run_parallel(workers, [&](std::size_t w) {
      const std::size_t begin = data_.rows * w / workers;
      const std::size_t end = data_.rows * (w + 1) / workers;
      std::int64_t* totals = result.totals.data();
      std::fill(totals + begin, totals + end, 0);
      for (const TrackResult& tr : result.tracks) {
        const std::int64_t* a = tr.amounts.data();
        for (std::size_t r = begin; r < end; ++r) totals[r] += a[r];
      }
      Int128 sum = 0;
      for (std::size_t r = begin; r < end; ++r) sum += totals[r];
      partial[w] = sum;
    });
    Int128 paid = 0;
    for (const Int128 p : partial) paid += p;
    Int128 pools = 0;
    for (const GroupResult& g : result.groups) pools += g.pool;
    result.paid = static_cast<std::int64_t>(paid);
    if (paid != pools) {
      conservation(f, msg::eng_fund_paid_mismatch(f.name.name, decimal::int128_to_string(paid), decimal::int128_to_string(pools)));
    }
  }

  const std::int64_t* col(std::uint32_t id) const { return c_.columns[id].data(); }

  // A track's exact weights, once its last split has read them.
  void let_go(const TrackColumns& tc) {
    if (tc.exact >= 0) c_.exact_values[static_cast<std::size_t>(tc.exact)] = ExactColumn();
  }

  // A track's amounts and remainder fen for every row, made when it first pays (after the tracks
  // before it have let go of what their splits needed).
  void with_rows(TrackResult& tr) const {
    if (!tr.amounts.empty() || data_.rows == 0) return;
    tr.amounts.assign(data_.rows, 0);
    tr.extra_fen.assign(data_.rows, 0);
  }

  std::string group_name(const dsl::Type& t, std::int64_t v) const {
    if (t.kind == TypeKind::kLabel) return policy_.domains[t.domain].labels[static_cast<std::size_t>(v)];
    return c_.bound_texts.text(static_cast<std::uint32_t>(v));
  }

  void conservation(const ast::FundDecl& f, Message what) {
    sink_.report(diagnose(DiagCode::conservation, f.name.span, std::move(what), msg::eng_hint_conservation_bug()));
  }

  // The declared tie order (`ties by ...`) as the keys to compare rows by (tie_less), read where
  // they are; none when the rows are in the tie order already (in_file_order_). Nothing is sorted:
  // the order is needed only where a ranking value or a remainder is equal, and compared there.
  void tie_keys(const ast::FundDecl& f, const FundColumns& cols) {
    tie_keys_.clear();
    in_file_order_ = in_file_order(f, cols);
    if (in_file_order_) return;
    for (std::size_t k = 0; k < f.ties.size(); ++k) {
      tie_keys_.push_back({col(cols.ties[k]), policy_.type(f.ties[k].key).kind == TypeKind::kText, f.ties[k].descending});
    }
  }

  // Whether row a comes before row b in the tie order: by the keys, each in its direction (texts
  // in byte order, a missing one first), then in file order (as a stable sort would leave them).
  [[nodiscard]] bool tie_less(std::size_t a, std::size_t b) const {
    for (const TieKey& k : tie_keys_) {
      const std::int64_t va = k.values[a];
      const std::int64_t vb = k.values[b];
      if (va == vb) continue;  // equal texts are one text (interned)
      int order = va < vb ? -1 : 1;
      if (k.text) {
        order = va < 0 ? -1 : vb < 0 ? 1
                : c_.bound_texts.text(static_cast<std::uint32_t>(va)).compare(c_.bound_texts.text(static_cast<std::uint32_t>(vb)));
      }
      return k.descending ? order > 0 : order < 0;
    }
    return a < b;
  }

  // Whether the rows are in the tie order already, as the stable sort would leave them: one key
  // whose values never go against its direction from a row to the next (codes written sorted, as
  // they usually are). One pass, no sort, and no byte order of the whole string pool.
  bool in_file_order(const ast::FundDecl& f, const FundColumns& cols) const {
    if (f.ties.size() != 1) return false;
    const std::int64_t* v = col(cols.ties[0]);
    const bool text = policy_.type(f.ties[0].key).kind == TypeKind::kText;
    const bool descending = f.ties[0].descending;
    for (std::size_t r = 1; r < data_.rows; ++r) {
      int order = 0;  // of row r-1 against row r: < 0, 0, > 0
      if (text) {
        if (v[r - 1] < 0 || v[r] < 0) return false;  // a missing text: left to the sort
        order = c_.bound_texts.text(static_cast<std::uint32_t>(v[r - 1])).compare(c_.bound_texts.text(static_cast<std::uint32_t>(v[r])));
      } else {
        order = v[r - 1] < v[r] ? -1 : v[r - 1] > v[r] ? 1 : 0;
      }
      if (descending ? order < 0 : order > 0) return false;
    }
    return true;
  }

  std::optional<std::int64_t> negative_pool(const ast::FundDecl& f, const std::string& group, std::int64_t fen) {
    sink_.report(diagnose(DiagCode::pool_not_split, m_.span(f.pool),
                          msg::eng_pool_negative(group, f.name.name, decimal::format_yuan(fen)), msg::eng_hint_pool_negative()));
    failed_ = true;
    return std::nullopt;
  }

  // The pool of one group: `name` is the group's value (the table key), `shown` names it in messages.
  std::optional<std::int64_t> group_pool(const ast::FundDecl& f, const FundColumns& cols, const std::string& name,
                                         const std::string& shown, const std::vector<std::size_t>& rows) {
    const dsl::Type pt = policy_.type(f.pool);
    if (cols.pool_column && rows.empty()) return 0;
    if (cols.pool_column) {
      const std::int64_t* p = col(cols.pool);
      for (const std::size_t r : rows) {
        if (p[r] != p[rows.front()]) {
          Diagnostic d = diagnose(DiagCode::pool_missing, m_.span(f.pool),
                                  msg::eng_group_two_pools(shown, f.name.name, decimal::format_yuan(p[rows.front()]), data_.shown_row(rows.front()),
                                                           decimal::format_yuan(p[r]), data_.shown_row(r)),
                                  msg::eng_hint_group_one_pool());
          if (const Span row = data_.row_span(r); row.valid()) d.notes.push_back(Note{row, msg::eng_note_second_amount()});
          sink_.report(std::move(d));
          failed_ = true;
          return std::nullopt;
        }
      }
      if (p[rows.front()] < 0) return negative_pool(f, shown, p[rows.front()]);
      return p[rows.front()];
    }
    const dsl::SymbolId ref = policy_.ref(f.pool);
    if (pt.kind == TypeKind::kTable) {
      const dsl::ParamValue& v = policy_.params[policy_.symbol(ref).index];
      const auto it = v.table.find(name);
      if (it == v.table.end()) {
        sink_.report(diagnose(DiagCode::pool_missing, m_.span(f.pool),
                              msg::eng_param_no_pool(policy_.symbol(ref).name, name, f.name.name, rows.size()),
                              msg::eng_hint_param_no_pool(policy_.symbol(ref).name, name)));
        failed_ = true;
        return std::nullopt;
      }
      if (it->second < 0) return negative_pool(f, name, it->second);
      return it->second;
    }
    // A constant amount (a money param or literal, or their arithmetic, computed by the checker):
    // the same for every group.
    return policy_.fund_pool[static_cast<std::size_t>(&f - m_.funds.data())].value_or(0);
  }

  // One group's pool into the tracks, each split among the group's rows; after the `last` group,
  // each track's exact weights are let go of as soon as it is split.
  void split_group(const ast::FundDecl& f, const FundColumns& cols, const std::string& name,
                   const std::vector<std::size_t>& rows, std::int64_t pool, bool last, FundResult& result) {
    GroupResult group{name, pool, 0};
    std::vector<std::int64_t> shares;
    for (const ast::Track& t : f.tracks) shares.push_back(t.share.raw);
    const auto split = allocate_by_shares(pool, shares);
    if (!split) {
      conservation(f, msg::eng_pool_not_split_into_tracks(f.name.name));
      failed_ = true;
      return;
    }
    for (std::size_t k = 0; k < f.tracks.size(); ++k) {
      const std::int64_t track_pool = (*split)[k];
      result.tracks[k].pool += track_pool;
      group.paid += split_track(f, f.tracks[k], cols.tracks[k], weights_[k], name, rows, track_pool, result.tracks[k]);
      if (last) let_go(cols.tracks[k]);
    }
    if (!failed_ && group.paid != pool) {
      conservation(f, msg::eng_group_paid_mismatch(name, f.name.name, group.paid, pool));
    }
    result.pool += pool;
    result.groups.push_back(group);
  }

  std::optional<std::vector<std::int64_t>> allocate_by_shares(std::int64_t pool, const std::vector<std::int64_t>& shares) {
    const auto r = split_by_shares(pool, shares);
    if (const auto* a = std::get_if<Allocation>(&r)) return a->shares;
    return std::nullopt;
  }

  // Returns what the track paid (fen).
  std::int64_t split_track(const ast::FundDecl& f, const ast::Track& t, const TrackColumns& tc, const Weights& weights,
                           const std::string& group, const std::vector<std::size_t>& rows, std::int64_t pool, TrackResult& out) {
    const std::string track = f.name.name + "." + t.name.name;
    const Message where = group.empty() ? msg::eng_track(track) : msg::eng_track_in_group(track, group);
    const std::int64_t* eligible = col(tc.eligible);
    std::vector<std::uint32_t> who;
    who.reserve(static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [&](std::size_t r) { return eligible[r] != 0; })));
    for (const std::size_t r : rows) {
      if (eligible[r]) who.push_back(static_cast<std::uint32_t>(r));
    }
    if (c_.trace != nullptr) {
      for (const std::size_t r : rows) {
        if (RowTrace* traced = c_.trace->find(r)) traced->set(TraceKey::Kind::kTrackEligible, fund_index(f), track_index(f, t), eligible[r]);
      }
    }
    if (t.mode == ast::TrackMode::kTop) {
      const std::int64_t* by = col(tc.rank);
      std::size_t count = 0;
      if (t.top_percent) {
        // top p%: base × p / 100 rows, where the base is the eligible rows or, `of all`, every row
        // of the group (a row that is not eligible gives its place to the next eligible one);
        // rounded down (at least one when anyone is eligible) or, `rounded up`, up.
        const std::size_t base = t.top_base == ast::TopBase::kAll ? rows.size() : who.size();
        const Int128 scaled = Int128{static_cast<std::int64_t>(base)} * t.top_raw;
        count = static_cast<std::size_t>(t.top_rounding == ast::TopRounding::kUp ? (scaled + kHundred - 1) / kHundred
                                                                                 : scaled / kHundred);
        if (count == 0 && !who.empty()) count = 1;
      } else {
        count = static_cast<std::size_t>(t.top_raw / decimal::kOne);
      }
      if (who.size() > count) {
        // The `count` largest ranking values, ties by the tie order, selected by counting the
        // values (as the remainders of a split are): nothing is sorted, and `who` stays in file order.
        const auto [lo, hi] = std::minmax_element(who.begin(), who.end(), [by](std::uint32_t a, std::uint32_t b) { return by[a] < by[b]; });
        const auto low = static_cast<std::uint64_t>(by[*lo]);
        std::vector<std::uint8_t> chosen(who.size(), 0);
        detail::take_largest<std::uint64_t>(
            who.size(), detail::bit_width_of(static_cast<std::uint64_t>(by[*hi]) - low), count,
            [&](std::size_t i) { return static_cast<std::uint64_t>(by[who[i]]) - low; },
            [&](std::uint32_t i, std::uint32_t j) { return tie_less(who[i], who[j]); }, [&](std::size_t i) { chosen[i] = 1; },
            threads_);
        std::size_t kept = 0;
        for (std::size_t i = 0; i < who.size(); ++i) {
          if (chosen[i] != 0) who[kept++] = who[i];
        }
        who.resize(kept);
        who.shrink_to_fit();
      }
      // The lowest ranking value that made the top N, on the group's traced rows.
      if (c_.trace != nullptr && !who.empty()) {
        std::int64_t lowest = by[who.front()];
        for (const std::size_t r : who) lowest = std::min(lowest, by[r]);
        for (const std::size_t r : rows) {
          if (RowTrace* traced = c_.trace->find(r)) traced->set(TraceKey::Kind::kTopLowest, fund_index(f), track_index(f, t), lowest);
        }
      }
    }
    // The weights: exact numerators over the track's common denominator, or 1 (see run()); the
    // first negative one is an error, checked before their sum.
    const bool money = ast::present(t.mode == ast::TrackMode::kTop ? t.proportional : t.by) &&
                       policy_.type(t.mode == ast::TrackMode::kTop ? t.proportional : t.by).kind == TypeKind::kMoney;
    // What `jixiao explain` shows of the split: who was in it, with which weight, out of what.
    TrackSplit split{group, pool, 0, who.size()};
    bool too_large = false;
    for (const std::uint32_t r : who) {
      const Int128 value = weights.at(r);
      if (value < 0) {
        const std::string shown = detail::exact_decimal(value, out.weight_denominator, money, 0) + (money ? "元" : "");
        Diagnostic d = diagnose(DiagCode::pool_not_split, t.span, msg::eng_negative_weight(where, data_.shown_row(r), shown),
                                msg::eng_hint_negative_weight());
        if (const Span row = data_.row_span(r); row.valid()) d.notes.push_back(Note{row, msg::note_row_here()});
        sink_.report(std::move(d));
        failed_ = true;
        return 0;
      }
      too_large = too_large || __builtin_add_overflow(split.total_weight, value, &split.total_weight);
    }
    if (too_large) {
      sink_.report(diagnose(DiagCode::pool_not_split, t.span,
                            msg::eng_cannot_pay_out(where, decimal::format_yuan_grouped(pool), allocation_message(AllocationError::kOverflow)),
                            msg::eng_hint_weight_exact()));
      failed_ = true;
      return 0;
    }
    if (c_.trace != nullptr) {
      for (const std::uint32_t r : who) {
        if (RowTrace* traced = c_.trace->find(r)) traced->set_wide(TraceKey::Kind::kShareWeight, fund_index(f), track_index(f, t), weights.at(r));
      }
    }
    // Which split each row is in: none is needed while there is one split of every row.
    if (rows.size() < data_.rows || !out.split_of.empty()) {
      if (out.split_of.empty()) out.split_of.assign(data_.rows, -1);
      for (const std::size_t r : rows) out.split_of[r] = static_cast<std::int32_t>(out.splits.size());
    }
    const Int128 total_weight = split.total_weight;
    out.splits.push_back(std::move(split));
    if (pool == 0) {
      trace_shares(f, t, who, weights, total_weight, pool, out, false);
      return 0;
    }
    with_rows(out);
    // The shares go straight into the rows' amounts (each row is in one split of the track).
    struct IntoRows {
      TrackResult& out;
      const std::vector<std::uint32_t>& who;
      void share(std::size_t i, std::int64_t fen) const { out.amounts[who[i]] = fen; }
      [[nodiscard]] std::int64_t whole(std::size_t i) const { return out.amounts[who[i]]; }
      void extra(std::size_t i) const {
        ++out.amounts[who[i]];
        out.extra_fen[who[i]] = 1;
      }
    } into{out, who};
    const auto weight_at = [&](std::size_t i) { return weights.at(who[i]); };
    // Among the recipients (in file order), the tie order is theirs when the rows are in it.
    const std::optional<AllocationError> e =
        in_file_order_ ? detail::split_exactly(pool, who.size(), weight_at, std::less<std::uint32_t>(), into, threads_)
                       : detail::split_exactly(pool, who.size(), weight_at,
                                               [&](std::uint32_t i, std::uint32_t j) { return tie_less(who[i], who[j]); }, into, threads_);
    if (e) {
      sink_.report(diagnose(DiagCode::pool_not_split, t.span,
                            msg::eng_cannot_pay_out_rows(where, decimal::format_yuan_grouped(pool), allocation_message(*e), who.size()),
                            msg::eng_hint_check_track()));
      failed_ = true;
      return 0;
    }
    trace_shares(f, t, who, weights, total_weight, pool, out, true);
    std::int64_t paid = 0;
    for (const std::uint32_t r : who) {
      if (out.amounts[r] > 0) ++out.recipients;
      paid += out.amounts[r];
    }
    if (paid != pool) conservation(f, msg::eng_track_paid_mismatch(where, paid, pool));
    out.paid += paid;
    return paid;
  }

  std::uint32_t fund_index(const ast::FundDecl& f) const { return static_cast<std::uint32_t>(&f - m_.funds.data()); }
  static std::uint32_t track_index(const ast::FundDecl& f, const ast::Track& t) {
    return static_cast<std::uint32_t>(&t - f.tracks.data());
  }

  // On the traced recipients of a split: their whole fen (their share without the remainder fen
  // the allocation gave), the remainder pool × w − whole × W, and the fen left after every whole
  // share (the remainder fen given), from the shares in `out` when `allocated`; without an
  // allocation (a pool of 0), all are 0.
  void trace_shares(const ast::FundDecl& f, const ast::Track& t, const std::vector<std::uint32_t>& who, const Weights& weights,
                    Int128 total_weight, std::int64_t pool, const TrackResult& out, bool allocated) {
    if (c_.trace == nullptr || total_weight == 0) return;
    std::int64_t leftover = 0;
    for (std::size_t i = 0; allocated && i < who.size(); ++i) leftover += out.extra_fen[who[i]];
    for (const std::uint32_t r : who) {
      RowTrace* traced = c_.trace->find(r);
      if (traced == nullptr) continue;
      const std::uint32_t fi = fund_index(f);
      const std::uint32_t ti = track_index(f, t);
      const Int128 whole = allocated ? out.amounts[r] - out.extra_fen[r] : 0;
      const Int128 numerator = Int128{pool} * weights.at(r);
      traced->set_wide(TraceKey::Kind::kShareNumerator, fi, ti, numerator);
      traced->set_wide(TraceKey::Kind::kShareWhole, fi, ti, whole);
      traced->set_wide(TraceKey::Kind::kShareRemainder, fi, ti, numerator - whole * total_weight);
      traced->set(TraceKey::Kind::kShareLeftover, fi, ti, leftover);
    }
  }

  const dsl::CheckedPolicy& policy_;
  const ast::Module& m_;
  const Dataset& data_;
  Compiled& c_;  ///< its exact weights are taken over by the tracks' results
  const std::vector<std::size_t>& selected_;
  bool per_period_;
  std::size_t threads_;
  DiagnosticSink& sink_;
  bool failed_ = false;  ///< a split was reported as impossible
  // The fund being split: its tracks' weights, and its tie order (tie_keys).
  std::vector<Weights> weights_;
  bool in_file_order_ = false;
  struct TieKey {
    const std::int64_t* values;  ///< per row (a text's id, -1 when missing)
    bool text;
    bool descending;
  };
  std::vector<TieKey> tie_keys_;
};

}  // namespace

std::vector<FundResult> allocate_funds(const dsl::CheckedPolicy& policy, const Dataset& data, Compiled& compiled,
                                       const std::vector<std::size_t>& selected, bool per_period, std::size_t threads,
                                       DiagnosticSink& sink) {
  std::vector<FundResult> out;
  FundStage stage(policy, data, compiled, selected, per_period, threads, sink);
  for (std::size_t i = 0; i < policy.module.funds.size(); ++i) out.push_back(stage.run(i));
  return out;
}

}  // namespace jixiao::engine::detail
