// Internal: compiling a plan into programs, and the state the executor and the fund stage share.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "jixiao/engine/dataset.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "jixiao/engine/plan.hpp"
#include "jixiao/engine/trace.hpp"
#include "program.hpp"
#include "weights.hpp"

namespace jixiao::engine::detail {

/// A persisted column: owned values, or a view of a dataset column, wide (`view`) or narrow
/// (`narrow`, Column::narrow()). A narrow column is read by kLoad alone, which decodes it chunk by
/// chunk (evaluate() checks that nothing else reads it): data() is for the others.
struct ColumnSlot {
  ColumnValues owned;  ///< made by evaluate() with zeroed_column(): resident as its rows are written
  const std::int64_t* view = nullptr;
  const std::int32_t* narrow = nullptr;  ///< a narrow dataset column's mantissas
  std::int64_t scale = 1;                ///< with `narrow`: 10^Column::power, each mantissa's unit
  [[nodiscard]] bool of_data() const { return view != nullptr || narrow != nullptr; }
  [[nodiscard]] const std::int64_t* data() const { return view ? view : owned.data(); }
};

/// A rule that can fire, with the column that says so per row (see RuleColumn).
struct RuleSlot {
  int kind = 0;  ///< RuleColumn::Kind as int (0 veto, 1 deduct, 2 bonus, 3 cap, 4 missing)
  std::string name;
  std::uint32_t column = 0;
  std::uint32_t offset = 0;  ///< source offset, for declaration order
};

/// A column of the dataset a compiled program reads (bind() points its slot at it).
struct ColumnBinding {
  enum class Source { kKey, kPeriod, kInput, kMissing, kSubValues } source = Source::kKey;
  std::uint32_t column = 0;  ///< into Compiled::columns
  std::uint32_t index = 0;   ///< kInput, kMissing: the input; kSubValues: the call's expression
};

/// A `kConst` operation whose value is a text: `text` indexes PolicyTexts until bind().
struct TextConstant {
  std::uint32_t program = 0;
  std::uint32_t instr = 0;
  std::uint32_t text = 0;
};

/// The compiled plan: programs in plan order plus the tables their operations refer to. compile()
/// builds it from the plan alone; bind() ties it to one dataset (its columns and text ids).
struct Compiled {
  std::vector<Program> programs;
  std::vector<GlobalOp> globals;
  std::vector<Step> steps;                  ///< the order programs and global operations run in
  std::vector<std::int64_t> symbol_valid;   ///< per SymbolId: validity column, or -1 (always valid)
  std::vector<ColumnSlot> columns;
  /// Per column: 1 where no one reads it but the programs of its own run between global
  /// operations, so each executor keeps it for one chunk of rows instead of whole (see
  /// mark_chunked in evaluator.cpp). Empty means no such column.
  std::vector<std::uint8_t> chunked;
  std::vector<std::int64_t> symbol_column;  ///< per SymbolId: column id, or -1
  std::vector<std::vector<std::uint8_t>> sets;
  std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> interpolations;
  std::vector<BandsTable> bands;
  std::vector<CoefTable> coefs;
  std::vector<EffectTable> effects;
  std::vector<FundColumns> funds;  ///< parallel to Module::funds
  std::vector<ExactProgram> exact;  ///< the fund weights (TrackColumns::exact), run after the programs
  std::vector<ExactColumn> exact_values;  ///< per exact program: each row's numerator
  std::vector<RuleSlot> rules;
  /// Per indicator that can drop out of its parent (`missing reweight`): the column that is 1 on
  /// the rows where it did (see EvalResult::absent).
  std::vector<std::pair<dsl::SymbolId, std::uint32_t>> absent;
  /// Per segment (Module::segments): the column of its condition, 0/1 per row.
  std::vector<std::uint32_t> segment_columns;
  std::int64_t segment_index = -1;  ///< the column of each row's segment, or -1 without segments
  std::uint32_t registers = 0;     ///< the most any program needs
  /// The run's trace (EvalOptions::trace_rows), which operations record into; null when no row is
  /// traced. Set by evaluate() on its own copy.
  Trace* trace = nullptr;
  PolicyTexts texts;                            ///< the texts the programs write
  /// The texts the ids name once bound (bind()): the dataset's, then those of `texts` it lacks.
  Texts bound_texts;
  std::vector<ColumnBinding> bindings;          ///< the dataset's columns the programs read
  std::vector<TextConstant> text_constants;
  /// Per set of texts (Compiled::sets): its items as indices into `texts`, made into its bitmap by bind().
  std::vector<std::pair<std::uint32_t, std::vector<std::uint32_t>>> text_sets;
  /// Per `coef` of a text (Compiled::coefs): (index into `texts`, register) per entry, made into by_key by bind().
  std::vector<std::pair<std::uint32_t, std::vector<std::pair<std::uint32_t, std::int32_t>>>> text_coefs;
};

/// Compiles `plan` before any data is read. Each expression in `trace` that is compiled also records
/// its value on the traced rows (a kTrace operation), and so do the steps `jixiao explain` shows.
Compiled compile(const Plan& plan, const std::vector<ast::ExprId>& trace = {});

/// Ties `compiled` to `data`, which it leaves as it was: points its data columns at the dataset's and
/// gives every text of the policy the id of the same text in data.strings, or, for the texts the
/// data lacks, an id after the data's (Compiled::bound_texts). Texts compare by id (equal texts,
/// equal ids) and sort by their bytes (Texts::byte_order), so the ids a text gets do not change any
/// result.
void bind(Compiled& compiled, const Dataset& data);

enum class RuntimeErrorKind { kNone, kDivisionByZero, kOverflow, kNoBand, kNoEntry, kBadTarget, kEmptyList, kNoPeers, kAllMissing, kWeightOverflow, kSegment };

/// Runs every exact weight program (Compiled::exact) over the rows that take part in its track,
/// into Compiled::exact_values, on up to `threads` threads; errors go to `errors` as those of the
/// steps after the last (the same whatever the thread count).
void run_exact_weights(Compiled& compiled, std::size_t rows, std::size_t threads, RuntimeErrors& errors);

/// Runs one global operation over whole columns (history or peers).
struct RuntimeErrors;
/// On the rows of `trace` (when not null), records the peers compared or the history read.
void run_global(const GlobalOp& g, const Dataset& data, const Texts& texts, std::vector<ColumnSlot>& columns, RuntimeErrors& errors,
                Trace* trace = nullptr);

/// Errors found while running programs: counted all, the first few kept with their row. "First"
/// is in the order (step, row, operation), whatever the order the rows were run in (chunks, threads),
/// so the errors reported do not depend on the thread count.
struct RuntimeErrors {
  static constexpr std::size_t kKeep = 10;
  struct Entry {
    RuntimeErrorKind kind;
    ast::ExprId src;
    std::size_t row;
    std::int64_t value;  ///< the value no band covered (kNoBand)
    std::uint32_t step = 0;
    std::uint32_t instr = 0;
  };
  std::vector<Entry> first;
  std::size_t count = 0;
  std::uint32_t step = 0;   ///< the step running, set by the driver
  std::uint32_t instr = 0;  ///< the operation running, set by the executor
  void add(RuntimeErrorKind kind, ast::ExprId src, std::size_t row, std::int64_t value = 0);
  /// Sorts `first` and keeps the kKeep first.
  void settle();
  /// Adds `other`'s errors (then settles).
  void merge(const RuntimeErrors& other);
};

}  // namespace jixiao::engine::detail
