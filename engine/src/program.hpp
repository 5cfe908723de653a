// Internal: compiled symbols. Each symbol of the plan becomes a flat list of column operations over
// registers that hold one chunk of rows; no operation walks an expression tree per row.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/check.hpp"

namespace jixiao::engine::detail {

enum class OpCode : std::uint8_t {
  kConst,         // dst = imm
  kLoad,          // dst = column a
  kStore,         // column dst = a
  kAdd, kSub,     // exact, overflow checked
  kMul,           // raw × raw → raw
  kMulMoney,      // fen × raw → fen
  kDiv,           // raw ÷ raw → raw
  kDivMoneyNum,   // fen ÷ raw → fen
  kDivMoney,      // fen ÷ fen → raw
  kNeg,
  kEq, kNe, kLt, kLe, kGt, kGe,
  kAnd, kOr, kNot,
  kSelect,        // dst = a ? b : c
  kInSet,         // dst = set[aux] contains a
  kListAny, kListAll, kListCount, kListSize,  // list input `a` (input index) against set aux
  kNumberListAgg, // list<number> input `a`: aux = 0 avg, 1 min, 2 max, 3 sum, 4 size, 5 trimmed mean (imm trim, b above)
  kMin, kMax, kAbs, kFloor, kCeil,
  kRound,         // imm = places
  kRatio,         // dst = ratio(a, target b, cap c); imm = 1 when lower is better
  kInterp,        // interpolation table aux
  kShortfall,     // a below threshold b (or above, for excess), in steps of imm; aux = mode
  kBands,         // value register of the band of aux containing a
  kCoef,          // value register of coef table aux for key a
  kBoolToNum,     // 0/1 → 0/1.000000
  kLeafScore,     // clamp a into [0, cap], scale by the leaf's full marks imm; aux = flags
  kNodeCombine,   // max(0, a − b) + c, rounded; imm = precision
  kBandLabel,     // label of band decl aux containing a
  kGradeEffects,  // grade a after the veto effects of table aux
  kAlertEffects,  // alert a after the veto effects of table aux
  kReweight,      // a × imm ÷ (imm − b) rounded to aux places: a group whose absent children (full marks b) drop out
  kAllMissing,    // an error on rows where a (0/1) is set: every indicator of tree aux is missing
  kSegmentCheck,  // an error on rows where a (bit k: segment k's condition holds) is not one bit
  kTrace,         // records a on the traced rows (where b holds, unless kNoMask) as TraceKey{aux, imm >> 32, imm}
};

inline constexpr std::uint32_t kNoMask = 0xFFFFFFFFu;

/// The texts a policy writes (literals, text params, set items, `coef` keys), each once, in the
/// order the compiler meets them. A program is compiled without data: it refers to its texts by
/// their index here, and bind() (compile.hpp) gives each the id of the same text in the data's
/// string pool.
struct PolicyTexts {
  std::vector<std::string> texts;
  std::unordered_map<std::string, std::uint32_t> index;
  /// The index of `text`, added when it is new.
  std::uint32_t add(const std::string& text) {
    const auto [it, added] = index.try_emplace(text, static_cast<std::uint32_t>(texts.size()));
    if (added) texts.push_back(text);
    return it->second;
  }
};

/// One operation. `mask` (a register of 0/1, or kNoMask) marks the rows where the operation's
/// value matters: errors (division by zero, overflow) are only errors on those rows.
struct Instr {
  OpCode op = OpCode::kConst;
  std::uint32_t dst = 0;
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  std::uint32_t c = 0;
  std::int64_t imm = 0;
  std::uint32_t aux = 0;
  std::uint32_t mask = kNoMask;
  ast::ExprId src = ast::kNoExpr;
};

struct Program {
  dsl::SymbolId symbol = dsl::kNoSymbol;
  std::vector<Instr> code;
  std::uint32_t registers = 0;
};

/// Interval → register table of a `bands(x)` expression, or interval → label of a grade or alert.
struct BandsTable {
  std::vector<ast::Interval> intervals;
  std::vector<std::uint32_t> values;  ///< registers (bands) or label indices (grades, alerts)
};

/// Key → register table of a `coef(x)` expression; keys are label indices or text ids.
struct CoefTable {
  std::vector<std::int32_t> by_key;  ///< register, or -1
  std::int32_t otherwise = -1;
};

struct Effect {
  std::uint32_t veto_column = 0;
  ast::EffectKind kind = ast::EffectKind::kGradeForce;
  std::uint32_t label = 0;
  std::int64_t steps = 0;
};

struct EffectTable {
  std::uint32_t labels = 0;  ///< number of labels of the grade or alert
  std::vector<Effect> effects;
};

/// An operation over whole columns, between programs: history (`prev`, `avg_prev`, `streak`) reads
/// other rows of the same subject; peers (`rank`, `percentile`, `peer_avg`) read the rows of the
/// same period and group. Every result has a validity column: 0 where a value it needs is missing.
struct GlobalOp {
  enum class Kind { kPrev, kAvgPrev, kStreak, kRank, kPercentile, kPeerAvg, kPeerFill } kind = Kind::kPrev;
  std::uint32_t arg = 0;           ///< column of the argument
  std::int64_t arg_valid = -1;     ///< column of the argument's validity, or -1 (always valid)
  std::int64_t arg_missing = -1;   ///< kPeerFill: column of the rows whose value is missing
  int precision = 2;               ///< kPeerFill: rounding of the average
  std::int64_t group = -1;         ///< column of `within:`, or -1
  std::int64_t periods = 1;        ///< avg_prev: how many periods
  bool ascending = false;          ///< rank: `order: asc`
  bool shared_ties = false;        ///< rank, percentile: `ties: shared` (equal values share a place)
  std::int64_t ties = -1;          ///< rank, percentile: column of `ties: NAME`, or -1 (the key)
  bool ties_text = false;          ///< the `ties:` column holds texts (compared by their bytes)
  bool has_default = false;
  std::int64_t default_value = 0;
  bool default_text = false;       ///< default_value is a text: an index into PolicyTexts until bound
  std::uint32_t out = 0;
  std::uint32_t valid = 0;
  ast::ExprId src = ast::kNoExpr;
};

/// One step of evaluation: a program run over every chunk of rows, or a global operation.
struct Step {
  bool global = false;
  std::uint32_t index = 0;  ///< into Compiled::programs or Compiled::globals
};

/// Column ids the fund stage reads, per track.
struct TrackColumns {
  std::uint32_t eligible = 0;
  std::uint32_t rank = 0;          ///< top: the ranking value
  bool has_rank = false;
  /// The weight (split by; top with `proportional to`): an index into Compiled::exact, or -1 (equal
  /// shares).
  std::int32_t exact = -1;
};

struct FundColumns {
  std::vector<TrackColumns> tracks;
  std::uint32_t group = 0;      ///< per-group key column (text ids or label indices)
  bool grouped = false;
  std::uint32_t pool = 0;       ///< money column when the pool is per row
  bool pool_column = false;
  std::vector<std::uint32_t> ties;
};

}  // namespace jixiao::engine::detail
