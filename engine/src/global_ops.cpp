// The global operations: the operations that read other rows' values (history: `prev`, `avg_prev`,
// streaks; peers of one period and group: ranks, percentiles, peer averages and the `peer_average`
// missing rule), run one by one over whole columns between the chunked programs (executor.cpp).
#include <algorithm>
#include <map>

#include "compile.hpp"
#include "jixiao/dsl/decimal.hpp"

namespace jixiao::engine::detail {

namespace {

// Groups of rows that a peer operation compares: the same period and the same `within` value.
std::vector<std::vector<std::size_t>> peer_groups(const GlobalOp& g, const Dataset& data, const std::vector<ColumnSlot>& columns) {
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::size_t>> groups;
  const std::int64_t* within = g.group >= 0 ? columns[static_cast<std::size_t>(g.group)].data() : nullptr;
  for (std::size_t r = 0; r < data.rows; ++r) {
    const std::int64_t p = data.period_index.empty() ? 0 : data.period_index[r];
    groups[{p, within ? within[r] : 0}].push_back(r);
  }
  std::vector<std::vector<std::size_t>> out;
  for (auto& [k, rows] : groups) out.push_back(std::move(rows));
  return out;
}

}  // namespace

void run_global(const GlobalOp& g, const Dataset& data, const Texts& texts, std::vector<ColumnSlot>& columns, RuntimeErrors& errors,
                Trace* trace) {
  const std::int64_t* x = columns[g.arg].data();
  const std::int64_t* x_valid = g.arg_valid >= 0 ? columns[static_cast<std::size_t>(g.arg_valid)].data() : nullptr;
  std::int64_t* out = columns[g.out].owned.data();
  std::int64_t* valid = columns[g.valid].owned.data();
  auto ok = [&](std::int64_t row) { return row >= 0 && (x_valid == nullptr || x_valid[row] != 0); };
  const auto src = static_cast<std::uint32_t>(g.src);
  // On a traced row: the record, where each row a history function reads is noted (read()).
  auto traced = [&](std::size_t r) { return trace == nullptr ? nullptr : trace->find(r); };
  auto read = [&](RowTrace* t, std::int64_t& reads, std::int64_t p) {
    if (t == nullptr) return;
    t->set(TraceKey::Kind::kHistoryRow, src, static_cast<std::uint32_t>(reads), p);
    t->set(TraceKey::Kind::kHistoryValue, src, static_cast<std::uint32_t>(reads), x[p]);
    t->set(TraceKey::Kind::kHistoryCount, src, 0, ++reads);
  };
  using K = GlobalOp::Kind;
  switch (g.kind) {
    case K::kPrev:
      for (std::size_t r = 0; r < data.rows; ++r) {
        const std::int64_t p = data.prev_row.empty() ? -1 : data.prev_row[r];
        if (RowTrace* t = traced(r)) {
          std::int64_t reads = 0;
          t->set(TraceKey::Kind::kHistoryCount, src, 0, 0);
          if (p >= 0) read(t, reads, p);
        }
        if (ok(p)) {
          out[r] = x[p];
          valid[r] = 1;
        } else {
          out[r] = g.default_value;
          valid[r] = g.has_default && p < 0 ? 1 : 0;
        }
      }
      return;
    case K::kAvgPrev:
      for (std::size_t r = 0; r < data.rows; ++r) {
        Int128 total = 0;
        std::int64_t p = static_cast<std::int64_t>(r);
        bool complete = true;
        bool missing_row = false;
        RowTrace* t = traced(r);
        std::int64_t reads = 0;
        if (t != nullptr) t->set(TraceKey::Kind::kHistoryCount, src, 0, 0);
        for (std::int64_t k = 0; k < g.periods; ++k) {
          p = data.prev_row.empty() ? -1 : data.prev_row[static_cast<std::size_t>(p)];
          if (p < 0) {
            missing_row = true;
            complete = false;
            break;
          }
          read(t, reads, p);
          if (!ok(p)) {
            complete = false;
            break;
          }
          total += x[p];
        }
        if (complete) {
          out[r] = static_cast<std::int64_t>(decimal::div_round(total, g.periods));
          valid[r] = 1;
        } else {
          out[r] = g.default_value;
          valid[r] = g.has_default && missing_row ? 1 : 0;
        }
      }
      return;
    case K::kStreak:
      for (std::size_t r = 0; r < data.rows; ++r) {
        std::int64_t count = 0;
        std::int64_t p = static_cast<std::int64_t>(r);
        bool certain = true;
        RowTrace* t = traced(r);
        std::int64_t reads = 0;
        if (t != nullptr) t->set(TraceKey::Kind::kHistoryCount, src, 0, 0);
        while (p >= 0) {
          if (x_valid != nullptr && x_valid[p] == 0) {
            certain = false;
            break;
          }
          read(t, reads, p);
          if (x[p] == 0) break;
          ++count;
          p = data.prev_row.empty() ? -1 : data.prev_row[static_cast<std::size_t>(p)];
        }
        out[r] = count * decimal::kOne;
        valid[r] = certain ? 1 : 0;
      }
      return;
    case K::kPeerFill: {
      const std::int64_t* missing = columns[static_cast<std::size_t>(g.arg_missing)].data();
      for (const std::vector<std::size_t>& rows : peer_groups(g, data, columns)) {
        Int128 total = 0;
        std::int64_t count = 0;
        for (const std::size_t r : rows) {
          if (missing[r] == 0) {
            total += x[r];
            ++count;
          }
        }
        const std::int64_t mean = count == 0 ? 0 : decimal::round_to(static_cast<std::int64_t>(decimal::div_round(total, count)), g.precision);
        for (const std::size_t r : rows) {
          out[r] = missing[r] != 0 ? mean : x[r];
          valid[r] = 1;
          if (missing[r] != 0 && count == 0) errors.add(RuntimeErrorKind::kNoPeers, g.src, r);
        }
      }
      return;
    }
    case K::kRank:
    case K::kPercentile:
    case K::kPeerAvg: {
      std::vector<std::uint32_t> text_place;  // Texts::byte_order, made when first needed
      for (std::vector<std::size_t>& rows : peer_groups(g, data, columns)) {
        const bool complete = std::all_of(rows.begin(), rows.end(), [&](std::size_t r) { return ok(static_cast<std::int64_t>(r)); });
        for (std::size_t i = 0; trace != nullptr && i < rows.size(); ++i) {
          if (RowTrace* t = traced(rows[i])) t->set(TraceKey::Kind::kPeers, src, 0, static_cast<std::int64_t>(rows.size()));
        }
        if (g.kind == K::kPeerAvg) {
          Int128 total = 0;
          for (const std::size_t r : rows) total += x[r];
          const auto mean = static_cast<std::int64_t>(decimal::div_round(total, static_cast<Int128>(rows.size())));
          for (const std::size_t r : rows) {
            out[r] = mean;
            valid[r] = complete ? 1 : 0;
          }
          continue;
        }
        // Highest first (or lowest first for `order: asc`); equal values by the `ties:` value
        // (ascending), then by the key's text.
        const bool ascending = g.ascending && g.kind == K::kRank;
        const std::int64_t* tie = g.ties >= 0 ? columns[static_cast<std::size_t>(g.ties)].data() : nullptr;
        if (text_place.empty()) text_place = texts.byte_order();  // texts compared by their place
        auto place_of = [&](std::int64_t id) { return id < 0 ? std::int64_t{-1} : std::int64_t{text_place[static_cast<std::size_t>(id)]}; };
        std::sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
          if (x[a] != x[b]) return ascending ? x[a] < x[b] : x[a] > x[b];
          if (tie != nullptr && tie[a] != tie[b]) return g.ties_text ? place_of(tie[a]) < place_of(tie[b]) : tie[a] < tie[b];
          const std::int64_t ka = place_of(data.key.values[a]);
          const std::int64_t kb = place_of(data.key.values[b]);
          return ka != kb ? ka < kb : a < b;
        });
        const auto n = static_cast<std::int64_t>(rows.size());
        std::int64_t place = 1;  // with `ties: shared`, equal values share the best place (1, 2, 2, 4)
        for (std::int64_t i = 0; i < n; ++i) {
          const std::size_t r = rows[static_cast<std::size_t>(i)];
          if (!g.shared_ties || i == 0 || x[r] != x[rows[static_cast<std::size_t>(i - 1)]]) place = i + 1;
          valid[r] = complete ? 1 : 0;
          if (g.kind == K::kRank) {
            out[r] = place * decimal::kOne;
          } else {
            // percentile: 100 for the highest, 0 for the lowest, evenly between: 100 × (n − place) ÷ (n − 1).
            out[r] = n == 1 ? 100 * decimal::kOne
                            : static_cast<std::int64_t>(decimal::div_round(Int128{100} * decimal::kOne * (n - place), n - 1));
          }
        }
      }
      return;
    }
  }
}

}  // namespace jixiao::engine::detail
