// The executor: runs the compiled programs chunk by chunk in tight loops over registers, then the
// fund stage. Runtime errors are collected per operation and reported with the data row.
#include "jixiao/engine/evaluator.hpp"

#include <algorithm>
#include <iterator>
#include <chrono>
#include <map>
#include <set>
#include <memory>
#include <tuple>

#include "compile.hpp"
#include "funds.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "parallel.hpp"

namespace jixiao::engine {
namespace detail {
namespace {

constexpr std::int64_t kOne = decimal::kOne;
constexpr std::int64_t kHundred = 100 * kOne;

class Executor {
 public:
  Executor(const Compiled& compiled, Dataset& data, std::vector<ColumnSlot>& columns, std::size_t chunk,
           RuntimeErrors& errors)
      : c_(compiled), data_(data), columns_(columns), chunk_(chunk), errors_(errors) {
    registers_.assign(compiled.registers, std::vector<std::int64_t>(chunk));
    local_.resize(compiled.columns.size());
    for (std::size_t col = 0; col < compiled.chunked.size(); ++col) {
      if (compiled.chunked[col] != 0) local_[col].assign(chunk, 0);
    }
  }

  void run_chunk(const Program& p, std::size_t begin, std::size_t n) {
    for (std::size_t i = 0; i < p.code.size(); ++i) {
      errors_.instr = static_cast<std::uint32_t>(i);
      exec(p.code[i], begin, n);
    }
  }

  /// Runs the programs of steps [first, last) (none of them global) over rows [begin, end), chunk
  /// by chunk: every program on a chunk before the next chunk, so the chunk stays in cache. Each
  /// program reads only its own row of earlier columns, so this gives what step by step would.
  void run_rows(const std::vector<Step>& steps, std::size_t first, std::size_t last, std::size_t begin, std::size_t end) {
    for (std::size_t at = begin; at < end; at += chunk_) {
      const std::size_t n = std::min(chunk_, end - at);
      for (std::size_t s = first; s < last; ++s) {
        errors_.step = static_cast<std::uint32_t>(s);
        run_chunk(c_.programs[steps[s].index], at, n);
      }
    }
  }

 private:
  std::int64_t* reg(std::uint32_t r) { return registers_[r].data(); }

  // Column `col` from row `begin`, the first row of the chunk running: a chunked column holds just
  // that chunk.
  const std::int64_t* column_at(std::uint32_t col, std::size_t begin) const {
    return local_[col].empty() ? columns_[col].data() + begin : local_[col].data();
  }
  std::int64_t* column_out(std::uint32_t col, std::size_t begin) {
    return local_[col].empty() ? columns_[col].owned.data() + begin : local_[col].data();
  }

  void fail(const Instr& in, std::size_t i, std::size_t begin, RuntimeErrorKind kind, std::int64_t value = 0) {
    if (in.mask != kNoMask && registers_[in.mask][i] == 0) return;
    errors_.add(kind, in.src, begin + i, value);
  }

  template <typename F>
  void checked(const Instr& in, std::size_t begin, std::size_t n, F op) {
    std::int64_t* d = reg(in.dst);
    const std::int64_t* a = reg(in.a);
    const std::int64_t* b = reg(in.b);
    for (std::size_t i = 0; i < n; ++i) {
      const RuntimeErrorKind k = op(a[i], b[i], d[i]);
      if (k != RuntimeErrorKind::kNone) {
        d[i] = 0;
        fail(in, i, begin, k);
      }
    }
  }

  template <typename F>
  void binary(const Instr& in, std::size_t n, F op) {
    std::int64_t* d = reg(in.dst);
    const std::int64_t* a = reg(in.a);
    const std::int64_t* b = reg(in.b);
    for (std::size_t i = 0; i < n; ++i) d[i] = op(a[i], b[i]);
  }

  template <typename F>
  void unary(const Instr& in, std::size_t n, F op) {
    std::int64_t* d = reg(in.dst);
    const std::int64_t* a = reg(in.a);
    for (std::size_t i = 0; i < n; ++i) d[i] = op(a[i]);
  }

  static RuntimeErrorKind ok(bool fits) { return fits ? RuntimeErrorKind::kNone : RuntimeErrorKind::kOverflow; }

  void exec(const Instr& in, std::size_t begin, std::size_t n) {
    using K = RuntimeErrorKind;
    switch (in.op) {
      case OpCode::kConst:
        std::fill_n(reg(in.dst), n, in.imm);
        return;
      case OpCode::kLoad:
        std::copy_n(column_at(in.a, begin), n, reg(in.dst));
        return;
      case OpCode::kStore:
        std::copy_n(reg(in.a), n, column_out(in.dst, begin));
        return;
      case OpCode::kAdd:
        return checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) { return ok(decimal::add(a, b, d)); });
      case OpCode::kSub:
        return checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) { return ok(decimal::sub(a, b, d)); });
      case OpCode::kMul:
        return checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) { return ok(decimal::mul(a, b, d)); });
      case OpCode::kMulMoney:
        return checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) { return ok(decimal::money_mul(a, b, d)); });
      case OpCode::kDiv:
        return checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) {
          return b == 0 ? K::kDivisionByZero : ok(decimal::div(a, b, d));
        });
      case OpCode::kDivMoneyNum:
        return checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) {
          return b == 0 ? K::kDivisionByZero : ok(decimal::money_div(a, b, d));
        });
      case OpCode::kDivMoney:
        return checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) {
          return b == 0 ? K::kDivisionByZero : ok(decimal::money_ratio(a, b, d));
        });
      case OpCode::kNeg:
        return checked(in, begin, n, [](std::int64_t a, std::int64_t, std::int64_t& d) {
          return ok(decimal::sub(0, a, d));
        });
      case OpCode::kEq: return binary(in, n, [](std::int64_t a, std::int64_t b) -> std::int64_t { return a == b; });
      case OpCode::kNe: return binary(in, n, [](std::int64_t a, std::int64_t b) -> std::int64_t { return a != b; });
      case OpCode::kLt: return binary(in, n, [](std::int64_t a, std::int64_t b) -> std::int64_t { return a < b; });
      case OpCode::kLe: return binary(in, n, [](std::int64_t a, std::int64_t b) -> std::int64_t { return a <= b; });
      case OpCode::kGt: return binary(in, n, [](std::int64_t a, std::int64_t b) -> std::int64_t { return a > b; });
      case OpCode::kGe: return binary(in, n, [](std::int64_t a, std::int64_t b) -> std::int64_t { return a >= b; });
      case OpCode::kAnd: return binary(in, n, [](std::int64_t a, std::int64_t b) -> std::int64_t { return a && b; });
      case OpCode::kOr: return binary(in, n, [](std::int64_t a, std::int64_t b) -> std::int64_t { return a || b; });
      case OpCode::kNot: return unary(in, n, [](std::int64_t a) -> std::int64_t { return !a; });
      case OpCode::kMin: return binary(in, n, [](std::int64_t a, std::int64_t b) { return std::min(a, b); });
      case OpCode::kMax: return binary(in, n, [](std::int64_t a, std::int64_t b) { return std::max(a, b); });
      case OpCode::kAbs:
        return checked(in, begin, n, [](std::int64_t a, std::int64_t, std::int64_t& d) {
          return ok(a >= 0 ? (d = a, true) : decimal::sub(0, a, d));
        });
      case OpCode::kFloor: return unary(in, n, [](std::int64_t a) { return decimal::floor_raw(a); });
      case OpCode::kCeil: return unary(in, n, [](std::int64_t a) { return decimal::ceil_raw(a); });
      case OpCode::kRound: {
        const int places = static_cast<int>(in.imm);
        return unary(in, n, [places](std::int64_t a) { return decimal::round_to(a, places); });
      }
      case OpCode::kBoolToNum: return unary(in, n, [](std::int64_t a) { return a ? kOne : 0; });
      case OpCode::kSelect: {
        std::int64_t* d = reg(in.dst);
        const std::int64_t* c = reg(in.a);
        const std::int64_t* a = reg(in.b);
        const std::int64_t* b = reg(in.c);
        for (std::size_t i = 0; i < n; ++i) d[i] = c[i] ? a[i] : b[i];
        return;
      }
      case OpCode::kInSet: {
        const auto& set = c_.sets[in.aux];
        return unary(in, n, [&set](std::int64_t a) -> std::int64_t {
          return a >= 0 && static_cast<std::size_t>(a) < set.size() && set[static_cast<std::size_t>(a)];
        });
      }
      case OpCode::kListAny:
      case OpCode::kListAll:
      case OpCode::kListCount:
      case OpCode::kListSize:
        return list_op(in, begin, n);
      case OpCode::kNumberListAgg: return number_list(in, begin, n);
      case OpCode::kRatio: return ratio(in, begin, n);
      case OpCode::kInterp: return interpolate(in, n);
      case OpCode::kShortfall: return shortfall(in, begin, n);
      case OpCode::kBands: {
        const BandsTable& t = c_.bands[in.aux];
        std::int64_t* d = reg(in.dst);
        const std::int64_t* x = reg(in.a);
        for (std::size_t i = 0; i < n; ++i) {
          d[i] = 0;
          bool found = false;
          for (std::size_t k = 0; k < t.intervals.size() && !found; ++k) {
            if (in_interval(t.intervals[k], x[i])) {
              d[i] = registers_[t.values[k]][i];
              found = true;
            }
          }
          if (!found) fail(in, i, begin, K::kNoBand, x[i]);
        }
        return;
      }
      case OpCode::kCoef: {
        const CoefTable& t = c_.coefs[in.aux];
        std::int64_t* d = reg(in.dst);
        const std::int64_t* key = reg(in.a);
        for (std::size_t i = 0; i < n; ++i) {
          std::int32_t r = -1;
          if (key[i] >= 0 && static_cast<std::size_t>(key[i]) < t.by_key.size()) r = t.by_key[static_cast<std::size_t>(key[i])];
          if (r < 0) r = t.otherwise;
          d[i] = r < 0 ? 0 : registers_[static_cast<std::uint32_t>(r)][i];
          if (r < 0) fail(in, i, begin, K::kNoEntry);
        }
        return;
      }
      case OpCode::kLeafScore: return leaf_score(in, begin, n);
      case OpCode::kNodeCombine: {
        std::int64_t* d = reg(in.dst);
        const std::int64_t* s = reg(in.a);
        const std::int64_t* ded = reg(in.b);
        const std::int64_t* bonus = reg(in.c);
        const int places = static_cast<int>(in.imm);
        for (std::size_t i = 0; i < n; ++i) {
          std::int64_t base = 0;
          std::int64_t total = 0;
          if (!decimal::sub(s[i], ded[i], base) || !decimal::add(std::max<std::int64_t>(0, base), bonus[i], total)) {
            d[i] = 0;
            fail(in, i, begin, K::kOverflow);
            continue;
          }
          d[i] = decimal::round_to(total, places);
        }
        return;
      }
      case OpCode::kBandLabel: {
        const BandsTable& t = c_.bands[in.aux];
        std::int64_t* d = reg(in.dst);
        const std::int64_t* x = reg(in.a);
        for (std::size_t i = 0; i < n; ++i) {
          bool found = false;
          for (std::size_t k = 0; k < t.intervals.size() && !found; ++k) {
            if (in_interval(t.intervals[k], x[i])) {
              d[i] = t.values[k];
              found = true;
            }
          }
          if (!found) {
            d[i] = 0;
            fail(in, i, begin, K::kNoBand, x[i]);
          }
        }
        return;
      }
      case OpCode::kReweight: {
        std::int64_t* d = reg(in.dst);
        const std::int64_t* sum = reg(in.a);
        const std::int64_t* absent = reg(in.b);
        const int places = static_cast<int>(in.aux);
        for (std::size_t i = 0; i < n; ++i) {
          const std::int64_t present = in.imm - absent[i];
          d[i] = absent[i] == 0 ? sum[i]
                 : present <= 0 ? 0
                                : decimal::round_to(static_cast<std::int64_t>(decimal::div_round(Int128{sum[i]} * in.imm, present)), places);
        }
        return;
      }
      case OpCode::kAllMissing: {
        const std::int64_t* all = reg(in.a);
        for (std::size_t i = 0; i < n; ++i) {
          if (all[i] != 0) errors_.add(K::kAllMissing, ast::kNoExpr, begin + i, in.aux);
        }
        return;
      }
      case OpCode::kSegmentCheck: {
        const std::int64_t* matched = reg(in.a);
        for (std::size_t i = 0; i < n; ++i) {
          const std::int64_t m = matched[i];
          if (m == 0 || (m & (m - 1)) != 0) errors_.add(K::kSegment, ast::kNoExpr, begin + i, m);
        }
        return;
      }
      case OpCode::kGradeEffects: return grade_effects(in, begin, n);
      case OpCode::kAlertEffects: return alert_effects(in, begin, n);
    }
  }

  void list_op(const Instr& in, std::size_t begin, std::size_t n) {
    const Column& list = data_.inputs[in.a];
    std::int64_t* d = reg(in.dst);
    static const std::vector<std::uint8_t> kEmpty;
    const auto& set = in.op == OpCode::kListSize ? kEmpty : c_.sets[in.aux];
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t from = list.list_offsets[begin + i];
      const std::uint32_t to = list.list_offsets[begin + i + 1];
      std::int64_t hits = 0;
      for (std::uint32_t k = from; k < to; ++k) {
        const std::uint32_t id = list.list_items[k];
        hits += id < set.size() && set[id];
      }
      const std::int64_t size = to - from;
      switch (in.op) {
        case OpCode::kListAny: d[i] = hits > 0; break;
        case OpCode::kListAll: d[i] = hits == size; break;
        case OpCode::kListCount: d[i] = hits * kOne; break;
        default: d[i] = size * kOne; break;
      }
    }
  }

  // avg, min, max, sum, size and trimmed mean of each row's list of numbers. An empty list has no
  // average, minimum or maximum: that is an error on the row.
  void number_list(const Instr& in, std::size_t begin, std::size_t n) {
    const Column& list = data_.inputs[in.a];
    std::int64_t* d = reg(in.dst);
    std::vector<std::int64_t> items;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t from = list.list_offsets[begin + i];
      const std::uint32_t to = list.list_offsets[begin + i + 1];
      const auto size = static_cast<std::int64_t>(to - from);
      d[i] = 0;
      if (in.aux == 4) {
        d[i] = size * kOne;
        continue;
      }
      if (in.aux == 3) {
        Int128 total = 0;
        for (std::uint32_t k = from; k < to; ++k) total += list.list_numbers[k];
        if (total > INT64_MAX || total < INT64_MIN) {
          fail(in, i, begin, RuntimeErrorKind::kOverflow);
        } else {
          d[i] = static_cast<std::int64_t>(total);
        }
        continue;
      }
      if (size == 0) {
        fail(in, i, begin, RuntimeErrorKind::kEmptyList);
        continue;
      }
      items.assign(list.list_numbers.begin() + from, list.list_numbers.begin() + to);
      std::sort(items.begin(), items.end());
      if (in.aux == 1) {
        d[i] = items.front();
        continue;
      }
      if (in.aux == 2) {
        d[i] = items.back();
        continue;
      }
      std::size_t lo = 0;
      std::size_t hi = items.size();
      if (in.aux == 5 && size > static_cast<std::int64_t>(in.b)) {
        lo = static_cast<std::size_t>(in.imm);
        hi = items.size() - static_cast<std::size_t>(in.imm);
      }
      if (lo >= hi) {
        fail(in, i, begin, RuntimeErrorKind::kEmptyList);
        continue;
      }
      Int128 total = 0;
      for (std::size_t k = lo; k < hi; ++k) total += items[k];
      d[i] = static_cast<std::int64_t>(decimal::div_round(total, static_cast<Int128>(hi - lo)));
    }
  }

  // higher is better: min(cap, 100 × x / target); lower is better: min(cap, 100 × target / x),
  // full marks (cap) when x <= 0. A target <= 0 is an error on the row.
  void ratio(const Instr& in, std::size_t begin, std::size_t n) {
    std::int64_t* d = reg(in.dst);
    const std::int64_t* x = reg(in.a);
    const std::int64_t* t = reg(in.b);
    const std::int64_t* cap = reg(in.c);
    const bool lower = in.imm == 1;
    for (std::size_t i = 0; i < n; ++i) {
      if (t[i] <= 0) {
        d[i] = 0;
        fail(in, i, begin, RuntimeErrorKind::kBadTarget);
        continue;
      }
      Int128 v = 0;
      if (lower) {
        v = x[i] <= 0 ? Int128{cap[i]} : decimal::div_round(Int128{kHundred} * t[i], x[i]);
      } else {
        v = decimal::div_round(Int128{kHundred} * x[i], t[i]);
      }
      v = std::max<Int128>(0, std::min<Int128>(v, cap[i]));
      d[i] = static_cast<std::int64_t>(v);
    }
  }

  void interpolate(const Instr& in, std::size_t n) {
    const auto& pts = c_.interpolations[in.aux];
    std::int64_t* d = reg(in.dst);
    const std::int64_t* x = reg(in.a);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t v = x[i];
      if (v <= pts.front().first) {
        d[i] = pts.front().second;
        continue;
      }
      if (v >= pts.back().first) {
        d[i] = pts.back().second;
        continue;
      }
      std::size_t k = 1;
      while (pts[k].first < v) ++k;
      const auto& [x0, y0] = pts[k - 1];
      const auto& [x1, y1] = pts[k];
      d[i] = y0 + static_cast<std::int64_t>(decimal::div_round(Int128{y1 - y0} * (v - x0), x1 - x0));
    }
  }

  void shortfall(const Instr& in, std::size_t begin, std::size_t n) {
    std::int64_t* d = reg(in.dst);
    const std::int64_t* x = reg(in.a);
    const std::int64_t* threshold = reg(in.b);
    const bool excess = (in.aux & 4u) != 0;
    const unsigned mode = in.aux & 3u;
    for (std::size_t i = 0; i < n; ++i) {
      const Int128 gap = excess ? Int128{x[i]} - threshold[i] : Int128{threshold[i]} - x[i];
      if (gap <= 0) {
        d[i] = 0;
        continue;
      }
      Int128 steps = 0;
      const Int128 scaled = gap * kOne;
      if (mode == 0) {
        steps = decimal::div_round(scaled, in.imm);
      } else {
        const Int128 whole = scaled / (Int128{in.imm} * kOne);
        const bool partial = scaled % (Int128{in.imm} * kOne) != 0;
        steps = (whole + (mode == 2 && partial ? 1 : 0)) * kOne;
      }
      if (steps > INT64_MAX) {
        d[i] = 0;
        fail(in, i, begin, RuntimeErrorKind::kOverflow);
        continue;
      }
      d[i] = static_cast<std::int64_t>(steps);
    }
  }

  // A leaf's points: its formula's value clamped into [0, 100] (weighted leaves, then scaled to
  // the leaf's full marks) or [0, full marks] (leaves in points), rounded to the precision.
  void leaf_score(const Instr& in, std::size_t, std::size_t n) {
    std::int64_t* d = reg(in.dst);
    const std::int64_t* raw = reg(in.a);
    const bool points = (in.aux & 1u) != 0;
    const int places = static_cast<int>(in.aux >> 1);
    const std::int64_t full = in.imm;
    for (std::size_t i = 0; i < n; ++i) {
      if (points) {
        d[i] = decimal::round_to(std::clamp<std::int64_t>(raw[i], 0, full), places);
      } else {
        const std::int64_t v = std::clamp<std::int64_t>(raw[i], 0, kHundred);
        d[i] = decimal::round_to(static_cast<std::int64_t>(decimal::div_round(Int128{v} * full, kHundred)), places);
      }
    }
  }

  // Caps first (the worse of the band and the cap), then drops (clamped at the lowest grade), then
  // forced grades (the worst forced grade wins). Labels are listed best first.
  void grade_effects(const Instr& in, std::size_t begin, std::size_t n) {
    const EffectTable& t = c_.effects[in.aux];
    std::int64_t* d = reg(in.dst);
    const std::int64_t* base = reg(in.a);
    const std::int64_t last = static_cast<std::int64_t>(t.labels) - 1;
    for (std::size_t i = 0; i < n; ++i) {
      std::int64_t g = base[i];
      std::int64_t down = 0;
      std::int64_t forced = -1;
      for (const Effect& e : t.effects) {
        if (column_at(e.veto_column, begin)[i] == 0) continue;
        switch (e.kind) {
          case ast::EffectKind::kGradeCap: g = std::max<std::int64_t>(g, e.label); break;
          case ast::EffectKind::kGradeDown: down += e.steps; break;
          case ast::EffectKind::kGradeForce: forced = std::max<std::int64_t>(forced, e.label); break;
          default: break;
        }
      }
      g = std::min(last, g + down);
      d[i] = forced >= 0 ? forced : g;
    }
  }

  // The most severe of the band's colour and every colour a fired veto sets (first listed wins).
  void alert_effects(const Instr& in, std::size_t begin, std::size_t n) {
    const EffectTable& t = c_.effects[in.aux];
    std::int64_t* d = reg(in.dst);
    const std::int64_t* base = reg(in.a);
    for (std::size_t i = 0; i < n; ++i) {
      std::int64_t a = base[i];
      for (const Effect& e : t.effects) {
        if (column_at(e.veto_column, begin)[i] != 0) a = std::min<std::int64_t>(a, e.label);
      }
      d[i] = a;
    }
  }

  const Compiled& c_;
  Dataset& data_;
  std::vector<ColumnSlot>& columns_;
  std::size_t chunk_;
  RuntimeErrors& errors_;
  std::vector<std::vector<std::int64_t>> registers_;
  std::vector<std::vector<std::int64_t>> local_;  ///< per column: the running chunk of a chunked column, else empty
};

}  // namespace

// ---- global operations ----

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

void run_global(const GlobalOp& g, const Dataset& data, std::vector<ColumnSlot>& columns, RuntimeErrors& errors) {
  const std::int64_t* x = columns[g.arg].data();
  const std::int64_t* x_valid = g.arg_valid >= 0 ? columns[static_cast<std::size_t>(g.arg_valid)].data() : nullptr;
  std::int64_t* out = columns[g.out].owned.data();
  std::int64_t* valid = columns[g.valid].owned.data();
  auto ok = [&](std::int64_t row) { return row >= 0 && (x_valid == nullptr || x_valid[row] != 0); };
  using K = GlobalOp::Kind;
  switch (g.kind) {
    case K::kPrev:
      for (std::size_t r = 0; r < data.rows; ++r) {
        const std::int64_t p = data.prev_row.empty() ? -1 : data.prev_row[r];
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
        for (std::int64_t k = 0; k < g.periods; ++k) {
          p = data.prev_row.empty() ? -1 : data.prev_row[static_cast<std::size_t>(p)];
          if (p < 0) {
            missing_row = true;
            complete = false;
            break;
          }
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
        while (p >= 0) {
          if (x_valid != nullptr && x_valid[p] == 0) {
            certain = false;
            break;
          }
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
      std::vector<std::uint32_t> text_place;  // StringPool::byte_order, made when first needed
      for (std::vector<std::size_t>& rows : peer_groups(g, data, columns)) {
        const bool complete = std::all_of(rows.begin(), rows.end(), [&](std::size_t r) { return ok(static_cast<std::int64_t>(r)); });
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
        if (text_place.empty()) text_place = data.strings.byte_order();  // texts compared by their place
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

void RuntimeErrors::add(RuntimeErrorKind kind, ast::ExprId src, std::size_t row, std::int64_t value) {
  ++count;
  first.push_back({kind, src, row, value, step, instr});
  if (first.size() >= 8 * kKeep) settle();  // keeps the kKeep first seen so far
}

void RuntimeErrors::settle() {
  std::sort(first.begin(), first.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.step, a.row, a.instr) < std::tie(b.step, b.row, b.instr);
  });
  if (first.size() > kKeep) first.resize(kKeep);
}

void RuntimeErrors::merge(const RuntimeErrors& other) {
  count += other.count;
  first.insert(first.end(), other.first.begin(), other.first.end());
  settle();
}

}  // namespace detail

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

// Runs every step: global operations one by one over whole columns; each run of programs between
// them over the rows split into `threads` contiguous ranges of whole chunks, one thread per range,
// each with its own registers and errors (merged in a fixed order).
void run_steps(detail::Compiled& compiled, Dataset& data, std::size_t chunk, std::size_t threads,
               detail::RuntimeErrors& errors) {
  const auto& steps = compiled.steps;
  const std::size_t chunks = (data.rows + chunk - 1) / chunk;
  const std::size_t workers = std::max<std::size_t>(1, std::min(threads, chunks));
  std::vector<detail::RuntimeErrors> worker_errors(workers);
  std::vector<std::unique_ptr<detail::Executor>> executors;
  for (std::size_t w = 0; w < workers; ++w) {
    executors.push_back(std::make_unique<detail::Executor>(compiled, data, compiled.columns, chunk, worker_errors[w]));
  }
  for (std::size_t s = 0; s < steps.size();) {
    if (steps[s].global) {
      errors.step = static_cast<std::uint32_t>(s);
      detail::run_global(compiled.globals[steps[s].index], data, compiled.columns, errors);
      ++s;
      continue;
    }
    std::size_t last = s;
    while (last < steps.size() && !steps[last].global) ++last;
    auto range = [&](std::size_t w) {
      const std::size_t begin = std::min(data.rows, chunks * w / workers * chunk);
      const std::size_t end = std::min(data.rows, chunks * (w + 1) / workers * chunk);
      executors[w]->run_rows(steps, s, last, begin, end);
    };
    detail::run_parallel(workers, range);
    s = last;
  }
  for (const auto& e : worker_errors) errors.merge(e);
}

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

// Empties the dataset's input columns that nothing reads after the evaluation: neither a symbol in
// `shown` nor the fund stage, nor the near-miss report (near_miss.hpp: list<text> inputs). Their
// memory goes back before the funds are split and the results formatted.
void release_unread_inputs(const dsl::CheckedPolicy& policy, const detail::Compiled& c, const std::vector<bool>& shown,
                           Dataset& data) {
  std::vector<bool> funds(c.columns.size(), false);
  for_each_fund_column(c, [&funds](std::uint32_t col) { funds[col] = true; });
  for (std::size_t s = 0; s < policy.symbols.size(); ++s) {
    const dsl::Symbol& sym = policy.symbols[s];
    const std::int64_t col = c.symbol_column[s];
    if (sym.kind != dsl::SymbolKind::kInput || shown[s] || (col >= 0 && funds[static_cast<std::size_t>(col)])) continue;
    if (sym.type.kind == dsl::TypeKind::kTextList) continue;
    data.inputs[sym.index] = Column{};
  }
}

// Marks the columns that can be chunked (Compiled::chunked): computed by a program, read only by
// programs of the same run between global operations (which runs chunk by chunk, every program on
// a chunk before the next chunk), and not read afterwards: not by a global operation, the fund
// stage, the rules, a trace, the history check, nor as the value of a symbol in `keep` (all
// symbols when null).
void mark_chunked(detail::Compiled& c, const std::vector<dsl::SymbolId>* keep) {
  const std::size_t n = c.columns.size();
  constexpr std::int64_t kWhole = -1;
  constexpr std::int64_t kUnwritten = -2;
  std::vector<std::int64_t> run(n, kUnwritten);  // the run that writes the column, or kWhole
  auto whole = [&](std::int64_t col) {
    if (col >= 0) run[static_cast<std::size_t>(col)] = kWhole;
  };
  std::int64_t at = 0;
  for (const detail::Step& step : c.steps) {
    if (step.global) {
      ++at;
      continue;
    }
    for (const detail::Instr& in : c.programs[step.index].code) {
      if (in.op == detail::OpCode::kStore && run[in.dst] == kUnwritten) run[in.dst] = at;
    }
  }
  at = 0;
  for (const detail::Step& step : c.steps) {
    if (step.global) {
      ++at;
      continue;
    }
    for (const detail::Instr& in : c.programs[step.index].code) {
      auto read = [&](std::uint32_t col) {
        if (run[col] != at) run[col] = kWhole;
      };
      if (in.op == detail::OpCode::kLoad) read(in.a);
      if (in.op == detail::OpCode::kGradeEffects || in.op == detail::OpCode::kAlertEffects) {
        for (const detail::Effect& e : c.effects[in.aux].effects) read(e.veto_column);
      }
    }
  }
  for (const detail::GlobalOp& g : c.globals) {
    for (const std::int64_t col : {static_cast<std::int64_t>(g.arg), g.arg_valid, g.arg_missing, g.group, g.ties,
                                   static_cast<std::int64_t>(g.out), static_cast<std::int64_t>(g.valid)}) {
      whole(col);
    }
  }
  for_each_fund_column(c, whole);
  for (const detail::RuleSlot& r : c.rules) whole(r.column);
  for (const auto& [s, col] : c.absent) whole(col);
  whole(c.segment_index);
  for (const auto& [e, col] : c.traced) whole(col);
  for (const std::int64_t v : c.symbol_valid) whole(v);
  if (keep == nullptr) {
    for (const std::int64_t col : c.symbol_column) whole(col);
  } else {
    for (const dsl::SymbolId s : *keep) whole(c.symbol_column[static_cast<std::uint32_t>(s)]);
  }
  c.chunked.assign(n, 0);
  for (std::size_t col = 0; col < n; ++col) {
    c.chunked[col] = c.columns[col].view == nullptr && run[col] >= 0 ? 1 : 0;
  }
}

}  // namespace

struct Executable::Impl {
  detail::Compiled compiled;
};

Executable::Executable(const Plan& plan, std::unique_ptr<Impl> impl) : plan_(plan), impl_(std::move(impl)) {}
Executable::Executable(Executable&&) noexcept = default;
Executable& Executable::operator=(Executable&&) noexcept = default;
Executable::~Executable() = default;

Executable compile(const Plan& plan, const std::vector<ast::ExprId>& trace) {
  return Executable(plan, std::make_unique<Executable::Impl>(Executable::Impl{detail::compile(plan, trace)}));
}

std::optional<EvalResult> evaluate(const Plan& plan, Dataset& data, const EvalOptions& options,
                                   DiagnosticSink& sink) {
  return evaluate(compile(plan), data, options, sink);
}

std::optional<EvalResult> evaluate(const Plan& plan, Dataset& data, const EvalOptions& options,
                                   const std::vector<ast::ExprId>& trace, DiagnosticSink& sink) {
  return evaluate(compile(plan, trace), data, options, sink);
}

std::optional<EvalResult> evaluate(const Executable& program, Dataset& data, const EvalOptions& options,
                                   DiagnosticSink& sink) {
  const Plan& plan = program.plan();
  // The run's own copy, tied to `data`: the executable is as compiled, for the next dataset.
  detail::Compiled compiled = program.impl().compiled;
  detail::bind(compiled, data);
  mark_chunked(compiled, options.keep);
  for (std::size_t col = 0; col < compiled.columns.size(); ++col) {
    detail::ColumnSlot& slot = compiled.columns[col];
    if (slot.view == nullptr && compiled.chunked[col] == 0) slot.owned.assign(data.rows, 0);
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
  run_steps(compiled, data, chunk, std::max<std::size_t>(1, options.threads), errors);
  if (errors.count == 0) detail::run_exact_weights(compiled, data.rows, std::max<std::size_t>(1, options.threads), errors);
  errors.settle();
  const dsl::CheckedPolicy& policy = *plan.policy;
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
  std::vector<bool> shown(policy.symbols.size(), options.keep == nullptr);
  if (options.keep != nullptr) {
    for (const dsl::SymbolId s : *options.keep) shown[static_cast<std::uint32_t>(s)] = true;
  }
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
  for (const auto& [e, col] : compiled.traced) {
    const detail::ColumnSlot& slot = compiled.columns[col];
    result.traced[e].assign(slot.data(), slot.data() + data.rows);
  }
  for (std::size_t i = 0; i < compiled.exact_nodes.size(); ++i) {
    for (std::size_t n = 0; n < compiled.exact_nodes[i].size(); ++n) {
      result.exact_traced[compiled.exact[i].nodes[n].expr] = std::move(compiled.exact_nodes[i][n]);
    }
  }
  if (options.keep != nullptr) release_unread_inputs(policy, compiled, shown, data);
  const auto allocating = std::chrono::steady_clock::now();
  if (options.timings != nullptr) options.timings->evaluate_ms = std::chrono::duration<double, std::milli>(allocating - started).count();
  const std::size_t errors_before = sink.error_count();
  result.funds = detail::allocate_funds(policy, data, compiled, result.selected, options.all_periods,
                                       std::max<std::size_t>(1, options.threads), sink);
  if (options.timings != nullptr) {
    options.timings->allocate_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - allocating).count();
  }
  if (sink.error_count() > errors_before) return std::nullopt;
  return result;
}

}  // namespace jixiao::engine
