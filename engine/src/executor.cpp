// The executor: runs the compiled programs chunk by chunk in tight loops over registers, each thread
// over its own range of chunks, with the global operations between them (global_ops.cpp). Runtime
// errors are collected per operation, in a fixed order whatever the thread count.
#include "executor.hpp"

#include <algorithm>
#include <memory>
#include <tuple>

#include <unistd.h>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/engine/file_bytes.hpp"
#include "parallel.hpp"

namespace jixiao::engine::detail {
namespace {

constexpr std::int64_t kOne = decimal::kOne;
constexpr std::int64_t kHundred = 100 * kOne;

class Executor {
 public:
  Executor(const Compiled& compiled, const Dataset& data, std::vector<ColumnSlot>& columns, std::size_t chunk,
           RuntimeErrors& errors)
      : c_(compiled), data_(data), columns_(columns), chunk_(chunk), errors_(errors) {
    registers_.assign(compiled.registers, std::vector<std::int64_t>(chunk));
    at_.resize(registers_.size());
    for (std::size_t r = 0; r < registers_.size(); ++r) at_[r] = registers_[r].data();
    local_.resize(compiled.columns.size());
    for (std::size_t col = 0; col < compiled.chunked.size(); ++col) {
      if (compiled.chunked[col] != 0) local_[col].assign(chunk, 0);
    }
  }

  void run_chunk(const Program& p, std::size_t begin, std::size_t n) {
    chunk_traced_ = false;
    if (c_.trace != nullptr) c_.trace->each(begin, n, [&](std::size_t, RowTrace&) { chunk_traced_ = true; });
    for (std::size_t i = 0; i < p.code.size(); ++i) {
      errors_.instr = static_cast<std::uint32_t>(i);
      const Instr& in = p.code[i];
      if (in.op == OpCode::kLoad) {
        if (const ColumnSlot& slot = columns_[in.a]; slot.narrow != nullptr) {
          // A narrow input column (Column::narrow()): the chunk's values decoded into the register.
          std::int64_t* d = registers_[in.dst].data();
          const std::int32_t* m = slot.narrow + begin;
          for (std::size_t r = 0; r < n; ++r) d[r] = std::int64_t{m[r]} * slot.scale;
          at_[in.dst] = d;
          continue;
        }
        // The register is the column's rows themselves, not a copy: only this operation writes
        // it (every operation writes a register of its own), and nothing writes the column
        // while the chunk runs.
        at_[in.dst] = const_cast<std::int64_t*>(column_at(in.a, begin));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
        continue;
      }
      if (in.op != OpCode::kStore) at_[in.dst] = registers_[in.dst].data();  // (a store's dst is a column)
      exec(in, begin, n);
    }
  }

  /// Runs the programs of steps [first, last) (none of them global) over rows [begin, end), chunk
  /// by chunk: every program on a chunk before the next chunk, so the chunk stays in cache. Each
  /// program reads only its own row of earlier columns, so this gives what step by step would.
  /// The columns of `spent` are let go of behind the chunks, whole pages at a time (of the pages
  /// within rows [begin, end), which no other thread reads).
  void run_rows(const std::vector<Step>& steps, std::size_t first, std::size_t last, std::size_t begin, std::size_t end,
                const std::vector<const SpentColumn*>& spent = {}) {
    static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    constexpr std::uintptr_t kReleaseBytes = std::uintptr_t{256} << 10;
    auto address = [](const SpentColumn* c, std::size_t row) { return reinterpret_cast<std::uintptr_t>(c->data) + row * c->width; };
    std::vector<std::uintptr_t> released(spent.size());  // per spent column: up to where its pages went
    for (std::size_t k = 0; k < spent.size(); ++k) released[k] = (address(spent[k], begin) + page - 1) / page * page;
    for (std::size_t at = begin; at < end; at += chunk_) {
      const std::size_t n = std::min(chunk_, end - at);
      for (std::size_t s = first; s < last; ++s) {
        errors_.step = static_cast<std::uint32_t>(s);
        run_chunk(c_.programs[steps[s].index], at, n);
      }
      for (std::size_t k = 0; k < spent.size(); ++k) {
        // Whole pages, and many at once: each call costs the other threads a flush of their
        // address translations.
        const std::uintptr_t to = address(spent[k], at + n) / page * page;
        if (to < released[k] + kReleaseBytes && at + n < end) continue;
        if (to <= released[k]) continue;
        release_pages(std::string_view(reinterpret_cast<const char*>(released[k]), to - released[k]));
        released[k] = to;
      }
    }
  }

 private:
  /// Register r's values for the chunk running: its own buffer, or the rows of the column it loaded.
  std::int64_t* reg(std::uint32_t r) { return at_[r]; }

  // Column `col` from row `begin`, the first row of the chunk running: a chunked column holds just
  // that chunk.
  const std::int64_t* column_at(std::uint32_t col, std::size_t begin) const {
    return local_[col].empty() ? columns_[col].data() + begin : local_[col].data();
  }
  std::int64_t* column_out(std::uint32_t col, std::size_t begin) {
    return local_[col].empty() ? columns_[col].owned.data() + begin : local_[col].data();
  }

  void fail(const Instr& in, std::size_t i, std::size_t begin, RuntimeErrorKind kind, std::int64_t value = 0) {
    if (in.mask != kNoMask && reg(in.mask)[i] == 0) return;
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
      case OpCode::kLoad:  // run_chunk points the register at the column
        return;
      case OpCode::kStore:
        std::copy_n(reg(in.a), n, column_out(in.dst, begin));
        return;
      case OpCode::kAdd:
        return checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) { return ok(decimal::add(a, b, d)); });
      case OpCode::kSub:
        return checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) { return ok(decimal::sub(a, b, d)); });
      case OpCode::kMul:
        checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) { return ok(decimal::mul(a, b, d)); });
        return note_rounding(in, begin, n, true, kToSixDecimals);
      case OpCode::kMulMoney:
        checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) { return ok(decimal::money_mul(a, b, d)); });
        return note_rounding(in, begin, n, true, kToFen);
      case OpCode::kDiv:
        checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) {
          return b == 0 ? K::kDivisionByZero : ok(decimal::div(a, b, d));
        });
        return note_rounding(in, begin, n, false, kToSixDecimals);
      case OpCode::kDivMoneyNum:
        checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) {
          return b == 0 ? K::kDivisionByZero : ok(decimal::money_div(a, b, d));
        });
        return note_rounding(in, begin, n, false, kToFen);
      case OpCode::kDivMoney:
        checked(in, begin, n, [](std::int64_t a, std::int64_t b, std::int64_t& d) {
          return b == 0 ? K::kDivisionByZero : ok(decimal::money_ratio(a, b, d));
        });
        return note_rounding(in, begin, n, false, kToSixDecimals);
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
            if (t.intervals[k].contains(x[i])) {
              d[i] = reg(t.values[k])[i];
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
          d[i] = r < 0 ? 0 : reg(static_cast<std::uint32_t>(r))[i];
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
          trace_row(begin, i, [&](RowTrace& t) {
            t.set(TraceKey::Kind::kCombineBase, in.aux, 0, s[i]);
            t.set(TraceKey::Kind::kCombineDeducted, in.aux, 0, ded[i]);
            t.set(TraceKey::Kind::kCombineAdded, in.aux, 0, bonus[i]);
            t.set(TraceKey::Kind::kCombineFloored, in.aux, 0, base < 0 ? 1 : 0);
            t.set(TraceKey::Kind::kCombineTotal, in.aux, 0, total);
          });
        }
        return;
      }
      case OpCode::kBandLabel: {
        const BandsTable& t = c_.bands[in.aux];
        std::int64_t* d = reg(in.dst);
        const std::int64_t* x = reg(in.a);
        for (std::size_t i = 0; i < n; ++i) {
          std::size_t k = 0;
          while (k < t.intervals.size() && !t.intervals[k].contains(x[i])) ++k;
          if (k < t.intervals.size()) {
            d[i] = t.values[k];
            trace_row(begin, i, [&](RowTrace& r) {
              r.set(TraceKey::Kind::kBandInterval, in.b, 0, static_cast<std::int64_t>(k));
              r.set(TraceKey::Kind::kLabelBase, in.b, 0, d[i]);
            });
          } else {
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
          const std::int64_t scaled = absent[i] == 0 ? sum[i]
                                      : present <= 0 ? 0
                                                     : static_cast<std::int64_t>(decimal::div_round(Int128{sum[i]} * in.imm, present));
          d[i] = absent[i] == 0 ? sum[i] : decimal::round_to(scaled, places);
          trace_row(begin, i, [&](RowTrace& t) {
            t.set(TraceKey::Kind::kAbsentFull, in.c, 0, absent[i]);
            t.set(TraceKey::Kind::kReweightScaled, in.c, 0, scaled);
            t.set(TraceKey::Kind::kReweighted, in.c, 0, d[i]);
          });
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
      case OpCode::kTrace: {
        const std::int64_t* a = reg(in.a);
        const std::int64_t* where = in.b == kNoMask ? nullptr : reg(in.b);
        const auto key_a = static_cast<std::uint32_t>(static_cast<std::uint64_t>(in.imm) >> 32);
        const auto key_b = static_cast<std::uint32_t>(in.imm);
        traced(begin, n, [&](std::size_t i, RowTrace& t) {
          if (where == nullptr || where[i] != 0) t.set(static_cast<TraceKey::Kind>(in.aux), key_a, key_b, a[i]);
        });
        return;
      }
    }
  }

  // On the traced rows: whether a × (`product`) or ÷ rounded its exact result, a × b ÷ 10^6 or
  // a × 10^6 ÷ b, to 6 decimals or (money) to the fen: TraceKey::kRounded of the operation's
  // expression, `unit` (kToSixDecimals or kToFen) ORed in.
  static constexpr std::int64_t kToSixDecimals = 1;
  static constexpr std::int64_t kToFen = 2;
  void note_rounding(const Instr& in, std::size_t begin, std::size_t n, bool product, std::int64_t unit) {
    if (!ast::present(in.src)) return;
    const std::int64_t* a = reg(in.a);
    const std::int64_t* b = reg(in.b);
    traced(begin, n, [&](std::size_t i, RowTrace& t) {
      const Int128 numerator = product ? Int128{a[i]} * b[i] : Int128{a[i]} * kOne;
      const Int128 denominator = product ? kOne : b[i];
      if (denominator == 0 || numerator % denominator == 0) return;
      const auto src = static_cast<std::uint32_t>(in.src);
      t.set(TraceKey::Kind::kRounded, src, 0, t.get(TraceKey::Kind::kRounded, src).value_or(0) | unit);
    });
  }

  // Calls f(i, record) for each traced row begin + i of the chunk (none when no row is traced).
  template <typename F>
  void traced(std::size_t begin, std::size_t n, F f) {
    if (chunk_traced_) c_.trace->each(begin, n, f);
  }

  // Calls f(record) when row begin + i is traced.
  template <typename F>
  void trace_row(std::size_t begin, std::size_t i, F f) {
    if (!chunk_traced_) return;
    if (RowTrace* t = c_.trace->find(begin + i)) f(*t);
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
  // the leaf's full marks) or [0, full marks] (leaves in points), rounded to the precision. Each
  // step is recorded on the traced rows (the loop is compiled twice: a chunk without a traced row
  // checks none).
  void leaf_score(const Instr& in, std::size_t begin, std::size_t n) {
    if (chunk_traced_) return leaf_score_rows<true>(in, begin, n);
    leaf_score_rows<false>(in, begin, n);
  }
  template <bool kTraced>
  void leaf_score_rows(const Instr& in, std::size_t begin, std::size_t n) {
    std::int64_t* d = reg(in.dst);
    const std::int64_t* raw = reg(in.a);
    const bool points = (in.aux & 1u) != 0;
    const int places = static_cast<int>(in.aux >> 1);
    const std::int64_t full = in.imm;
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t clamped = std::clamp<std::int64_t>(raw[i], 0, points ? full : kHundred);
      const std::int64_t scaled = points ? clamped : static_cast<std::int64_t>(decimal::div_round(Int128{clamped} * full, kHundred));
      d[i] = decimal::round_to(scaled, places);
      if constexpr (kTraced) {
        trace_row(begin, i, [&](RowTrace& t) {
          t.set(TraceKey::Kind::kLeafRaw, in.b, 0, raw[i]);
          t.set(TraceKey::Kind::kLeafClamped, in.b, 0, clamped);
          t.set(TraceKey::Kind::kLeafScaled, in.b, 0, scaled);
          t.set(TraceKey::Kind::kLeafRounded, in.b, 0, d[i]);
        });
      }
    }
  }

  // Caps first (the worse of the band and the cap), then drops (clamped at the lowest grade), then
  // forced grades (the worst forced grade wins), each in the table's order. Labels are listed best
  // first. On the traced rows the grade after each effect is recorded (TraceKey::kLabelAfter, c: the band).
  void grade_effects(const Instr& in, std::size_t begin, std::size_t n) {
    const EffectTable& t = c_.effects[in.aux];
    std::int64_t* d = reg(in.dst);
    const std::int64_t* base = reg(in.a);
    const std::int64_t last = static_cast<std::int64_t>(t.labels) - 1;
    for (std::size_t i = 0; i < n; ++i) {
      RowTrace* traced = nullptr;
      trace_row(begin, i, [&](RowTrace& r) { traced = &r; });
      std::int64_t g = base[i];
      std::int64_t forced = -1;
      for (const ast::EffectKind kind : {ast::EffectKind::kGradeCap, ast::EffectKind::kGradeDown, ast::EffectKind::kGradeForce}) {
        for (std::uint32_t k = 0; k < t.effects.size(); ++k) {
          const Effect& e = t.effects[k];
          if (e.kind != kind || column_at(e.veto_column, begin)[i] == 0) continue;
          switch (e.kind) {
            case ast::EffectKind::kGradeCap: g = std::max<std::int64_t>(g, e.label); break;
            case ast::EffectKind::kGradeDown: g = std::min(last, g + e.steps); break;
            default:
              forced = std::max<std::int64_t>(forced, e.label);
              g = forced;
              break;
          }
          if (traced != nullptr) traced->set(TraceKey::Kind::kLabelAfter, in.c, k, g);
        }
      }
      d[i] = g;
    }
  }

  // The most severe of the band's colour and every colour a fired veto sets (first listed wins).
  void alert_effects(const Instr& in, std::size_t begin, std::size_t n) {
    const EffectTable& t = c_.effects[in.aux];
    std::int64_t* d = reg(in.dst);
    const std::int64_t* base = reg(in.a);
    for (std::size_t i = 0; i < n; ++i) {
      RowTrace* traced = nullptr;
      trace_row(begin, i, [&](RowTrace& r) { traced = &r; });
      std::int64_t a = base[i];
      for (std::uint32_t k = 0; k < t.effects.size(); ++k) {
        if (column_at(t.effects[k].veto_column, begin)[i] == 0) continue;
        a = std::min<std::int64_t>(a, t.effects[k].label);
        if (traced != nullptr) traced->set(TraceKey::Kind::kLabelAfter, in.c, k, a);
      }
      d[i] = a;
    }
  }

  const Compiled& c_;
  const Dataset& data_;
  std::vector<ColumnSlot>& columns_;
  std::size_t chunk_;
  RuntimeErrors& errors_;
  std::vector<std::vector<std::int64_t>> registers_;
  std::vector<std::int64_t*> at_;  ///< per register: where its values for the chunk running are (reg())
  std::vector<std::vector<std::int64_t>> local_;  ///< per column: the running chunk of a chunked column, else empty
  bool chunk_traced_ = false;  ///< the running chunk has traced rows (EvalOptions::trace_rows)
};

}  // namespace

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

void run_steps(detail::Compiled& compiled, const Dataset& data, std::size_t chunk, std::size_t threads,
               detail::RuntimeErrors& errors, const std::vector<SpentColumn>& spent) {
  const auto& steps = compiled.steps;
  const std::size_t chunks = (data.rows + chunk - 1) / chunk;
  const std::size_t workers = std::max<std::size_t>(1, std::min(threads, chunks));
  std::vector<detail::RuntimeErrors> worker_errors(workers);
  std::vector<std::unique_ptr<detail::Executor>> executors;
  for (std::size_t w = 0; w < workers; ++w) {
    executors.push_back(std::make_unique<detail::Executor>(compiled, data, compiled.columns, chunk, worker_errors[w]));
  }
  std::size_t run = 0;  // of the programs between global operations
  for (std::size_t s = 0; s < steps.size();) {
    if (steps[s].global) {
      errors.step = static_cast<std::uint32_t>(s);
      detail::run_global(compiled.globals[steps[s].index], data, compiled.bound_texts, compiled.columns, errors, compiled.trace);
      ++s;
      continue;
    }
    std::size_t last = s;
    while (last < steps.size() && !steps[last].global) ++last;
    std::vector<const SpentColumn*> spent_now;  // the columns this run reads for the last time
    for (const SpentColumn& c : spent) {
      if (c.run == run) spent_now.push_back(&c);
    }
    auto range = [&](std::size_t w) {
      const std::size_t begin = std::min(data.rows, chunks * w / workers * chunk);
      const std::size_t end = std::min(data.rows, chunks * (w + 1) / workers * chunk);
      executors[w]->run_rows(steps, s, last, begin, end, spent_now);
    };
    detail::run_parallel(workers, range);
    s = last;
    ++run;
  }
  for (const auto& e : worker_errors) errors.merge(e);
}

}  // namespace jixiao::engine::detail
