// Internal: exact fund weights. The weight of a track (`split by W`, `proportional to W`) is the
// exact value of its formula: nothing inside it is rounded (docs/language.md §10, "Weights").
//
// Each value inside a weight is an integer numerator over a denominator that is the same on every
// row (known when the program is built): money over fen, numbers over 1. 基础额度 × 0.65 is
// fen × 13 over 20, exactly; a sum brings its terms to their least common denominator. So every
// row's weight is a numerator over one common denominator, and the numerators feed the
// largest-remainder allocation directly. The one operation that cannot stay exact this way is a
// division by a value that changes from row to row: its quotient is rounded half away from zero
// to 12 decimals (kQuotientPlaces). Whatever does not fit in 128 bits is an error on the row.
//
// What only chooses a value (an `if`'s condition, a `coef`'s key, a `bands`' subject) and what a
// function other than the arithmetic ones returns (`ratio`, `round`, `prev`, ...) is computed by
// the ordinary programs, as everywhere else, and read here as a leaf column.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/engine/dataset.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "program.hpp"

namespace jixiao::engine::detail {

struct ColumnSlot;
struct RuntimeErrors;

/// A quotient by a value that changes per row is rounded to this many decimals.
inline constexpr int kQuotientPlaces = 12;

/// Where an exact program reads a row's value: a column the ordinary programs computed.
struct ExactLeaf {
  enum class Kind : std::uint8_t {
    kExpr,     ///< the value of expression `id`, stored by the program that computes it
    kSymbol,   ///< the column of symbol `id` (an input, an indicator, the key)
    kMissing,  ///< the missing flags of optional input `id`
  };
  Kind kind = Kind::kExpr;
  std::uint32_t id = 0;
  std::uint32_t column = 0;  ///< set by the compiler once the column exists
};

enum class ExactOpCode : std::uint8_t {
  kConst,       // r[dst] = k
  kLeaf,        // r[dst] = leaf a on the row
  kScale,       // r[dst] = r[a] × k
  kAdd,         // r[dst] = r[a] × k + r[b] × k2
  kSub,         // r[dst] = r[a] × k − r[b] × k2
  kMin,         // r[dst] = min(r[a] × k, r[b] × k2)
  kMax,         // r[dst] = max(r[a] × k, r[b] × k2)
  kAbs,         // r[dst] = |r[a]|
  kMul,         // r[dst] = r[a] × r[b]
  kDiv,         // r[dst] = round(r[a] × k ÷ (r[b] × k2)) (a quotient by a row's value)
  kJumpUnless,  // unless one of the leaves of condition a is non-zero: pc += jump
  kJump,        // pc += jump
  kSwitch,      // coef: pc += switches[a].jumps[entry of leaf b's value]
  kBands,       // bands: pc += bands[a].jumps[band of leaf b's value]
  kTooLarge,    // the weight's common denominator does not fit in 128 bits: an error on every row
};

struct ExactOp {
  ExactOpCode op = ExactOpCode::kConst;
  std::uint32_t dst = 0;
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  std::int32_t jump = 0;
  Int128 k = 1;
  Int128 k2 = 1;
  ast::ExprId src = ast::kNoExpr;
};

/// The entries of a `coef` as jumps: by key (a label's index or a text's id), then `else`.
struct ExactSwitch {
  std::vector<std::int32_t> jumps;  ///< per key: the jump, or -1
  /// A `coef` of a text: (index into PolicyTexts, jump) per entry, made into `jumps` by bind().
  std::vector<std::pair<std::uint32_t, std::int32_t>> text_keys;
  bool text_keyed = false;
  std::int32_t otherwise = -1;
};

/// The bands of a `bands(x)` as jumps.
struct ExactBands {
  std::vector<ast::Interval> intervals;
  std::vector<std::int32_t> jumps;
};

/// A value inside the weight's own formula (not inside a let it reads), kept for `jixiao explain`:
/// a constant, or a register that holds it on the rows where it was computed.
struct ExactNode {
  ast::ExprId expr = ast::kNoExpr;
  bool constant = false;
  Int128 num = 0;
  std::uint32_t reg = 0;
  Int128 den = 1;
};

/// The exact program of one weight: run row by row over the rows that take part in the split.
struct ExactProgram {
  std::vector<ExactOp> code;
  std::vector<ExactLeaf> leaves;
  std::vector<std::vector<std::uint32_t>> conditions;  ///< leaves, any of which non-zero means true
  std::vector<ExactSwitch> switches;
  std::vector<ExactBands> bands;
  std::uint32_t registers = 0;
  std::uint32_t result = 0;  ///< the register holding the weight
  std::uint32_t rows = 0;    ///< the column of the rows it runs on (the track's eligible rows)
  std::vector<ExactNode> nodes;  ///< the values to keep (see run_exact); none when not explaining
  Int128 denominator = 1;    ///< every row's weight is r[result] / denominator (fen, or 1)
};

/// One exact weight's numerators, per row: in 8 bytes where they fit (nearly always: fen times a
/// small denominator, scores at 10^6), the others aside, by row; in 4 bytes once finished when
/// every row's fits there (a score at 10^6, fen of up to 1 million 元 × 20). 0 on the rows it
/// did not run on.
class ExactColumn {
 public:
  ExactColumn() = default;
  explicit ExactColumn(std::size_t rows) : narrow_(rows, 0) {}
  [[nodiscard]] Int128 at(std::size_t row) const {
    if (!small_.empty()) {
      const std::int32_t v = small_[row];
      return v != kWideSmall ? Int128{v} : wide_at(row);
    }
    const std::int64_t v = narrow_[row];
    return v != kWide ? Int128{v} : wide_at(row);
  }
  /// Sets row's numerator; rows needing more than 64 bits go to `aside` (in row order), to be
  /// handed to add_wide() in row order once every row is set.
  void set(std::size_t row, Int128 v, std::vector<std::pair<std::size_t, Int128>>& aside) {
    if (v > kWide && v <= std::numeric_limits<std::int64_t>::max()) {
      narrow_[row] = static_cast<std::int64_t>(v);
    } else {
      narrow_[row] = kWide;
      aside.emplace_back(row, v);
    }
  }
  /// Takes over rows set aside, which come after every row taken over before.
  void add_wide(const std::vector<std::pair<std::size_t, Int128>>& aside) { wide_.insert(wide_.end(), aside.begin(), aside.end()); }
  /// Once every row is set: into 4 bytes a row when every numerator fits there.
  void finish();

 private:
  [[nodiscard]] Int128 wide_at(std::size_t row) const;
  static constexpr std::int64_t kWide = std::numeric_limits<std::int64_t>::min();  ///< look aside
  static constexpr std::int32_t kWideSmall = std::numeric_limits<std::int32_t>::min();
  std::vector<std::int64_t> narrow_;
  std::vector<std::int32_t> small_;  ///< instead of narrow_ when finish() could
  std::vector<std::pair<std::size_t, Int128>> wide_;  ///< by row
};

/// Builds the exact program of the weight `root`. Texts of `coef` keys are added to `texts`.
ExactProgram build_exact(const dsl::CheckedPolicy& policy, ast::ExprId root, PolicyTexts& texts);

/// Runs `p` over the rows [begin, end) where `take` is non-zero; the numerators go to `out` (which
/// holds every row), those that need more than 64 bits by way of `aside` (ExactColumn::set). On the rows of `trace` (when not null), the values of p.nodes, each over its
/// own denominator, are recorded (TraceKey::kExactNumerator). Errors (overflow, a division by zero)
/// are added to `errors` with the row.
void run_exact(const ExactProgram& p, const std::vector<ColumnSlot>& columns, const std::int64_t* take,
               std::size_t begin, std::size_t end, ExactColumn& out, std::vector<std::pair<std::size_t, Int128>>& aside,
               Trace* trace, RuntimeErrors& errors);

/// n ÷ d rounded half away from zero; d != 0, neither the most negative 128-bit value.
Int128 div_round_128(Int128 n, Int128 d);

/// The greatest common divisor of |a| and |b| (gcd(0, 0) = 0).
Int128 gcd128(Int128 a, Int128 b);

/// numerator ÷ denominator (> 0) as a decimal with at least `places` decimals and no trailing
/// zeros beyond them, exact when the quotient terminates; otherwise its first 12 decimals,
/// followed by "…" when `mark_inexact`. E.g. (160493814, 2000, 2) → "80246.907",
/// (10, 3, 0) → "3.333333333333…".
std::string exact_text(Int128 numerator, Int128 denominator, int places, bool mark_inexact = true);

/// An exact value n ÷ d (n in fen when `money`) as exact_text: money in 元 with at least 2
/// decimals, other values with at least `places`.
std::string exact_decimal(Int128 n, Int128 d, bool money, int places, bool mark_inexact = true);

}  // namespace jixiao::engine::detail
