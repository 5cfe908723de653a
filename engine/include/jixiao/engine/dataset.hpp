// Loaded community data: one typed column per declared input, texts interned in a string pool.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/dsl/source.hpp"

namespace jixiao::engine {

/// Interns texts: equal texts get the same id. Ids are dense from 0 and stable for the pool's life.
/// The texts are copied end to end into blocks of bytes that never move (no allocation per text),
/// each found by 8 bytes (its block, its place there and its length); the index is an
/// open-addressing table of ids, with each text's hash kept beside it, so that interning a text
/// that is already there allocates nothing and compares texts only when their hashes are equal.
class StringPool {
 public:
  /// A text of the pool: a view, valid for the pool's life, that converts to std::string where a
  /// copy is wanted.
  class Text : public std::string_view {
   public:
    explicit Text(std::string_view s) : std::string_view(s) {}
    operator std::string() const { return std::string(data(), size()); }  // NOLINT(google-explicit-constructor)
  };

  StringPool() = default;
  StringPool(StringPool&&) = default;
  StringPool& operator=(StringPool&&) = default;
  StringPool(const StringPool& other);
  StringPool& operator=(const StringPool& other);

  std::uint32_t intern(std::string_view s);
  /// Starts fetching the part of the table where `s` would be found, for an intern(s) soon after:
  /// a hint, which changes nothing else.
  void prefetch(std::string_view s) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[std::hash<std::string_view>{}(s) & (slots_.size() - 1)]);
  }
  /// The id of `s`, or nullopt when it was never interned.
  [[nodiscard]] std::optional<std::uint32_t> find(std::string_view s) const;
  [[nodiscard]] Text text(std::uint32_t id) const { return Text(view(texts_[id])); }
  [[nodiscard]] std::size_t size() const { return texts_.size(); }
  /// Per id, the text's place among all the pool's texts in byte order (0 for the first): texts
  /// compare as their places do, so sorting by text can sort integers. Up to `threads` threads
  /// share the sorting; the result does not depend on it.
  [[nodiscard]] std::vector<std::uint32_t> byte_order(std::size_t threads = 1) const;
  /// Makes room for `n` texts in all.
  void reserve(std::size_t n);
  /// Lets go of the room made for texts that were not interned.
  void shrink_to_fit();
  /// Lets go of the index that finds a text's id and of the texts' hashes (8 to 12 bytes a text),
  /// for while no text is interned: the texts and their ids stay, the next intern() builds both
  /// again, and find() searches the texts until then.
  void release_index();

 private:
  /// The slot of `s` (whose hash is `hash`) in slots_: the one holding its id, or the empty one
  /// where it would go.
  [[nodiscard]] std::size_t slot_of(std::string_view s, std::size_t hash) const;
  void grow();
  /// `s` copied into the blocks: where it is (see texts_).
  std::uint64_t store(std::string_view s);
  /// The text at `ref` (see texts_).
  [[nodiscard]] std::string_view view(std::uint64_t ref) const {
    const char* block = blocks_[ref >> 40].get();
    const auto at = static_cast<std::size_t>((ref >> 20) & kField);
    auto size = static_cast<std::size_t>(ref & kField);
    if (size == kField) std::memcpy(&size, block, sizeof size);  // a long text's own block starts with its length
    return {block + at, size};
  }

  /// A text's place: its block (bits 40..63), where it starts there (20..39) and its length
  /// (0..19). A block of texts has kField bytes; a text of kField bytes or more has a block of its
  /// own, which holds its length (a size_t) before it, and the length field says kField.
  static constexpr std::uint64_t kField = (std::uint64_t{1} << 20) - 1;
  std::vector<std::uint64_t> texts_;               ///< per id, where its text is
  std::vector<std::uint32_t> hashes_;              ///< per id, the low 32 bits of its text's hash; empty without the index
  std::vector<std::unique_ptr<char[]>> blocks_;    ///< the texts' bytes
  std::size_t block_ = 0;                          ///< the block of texts being filled
  std::size_t block_used_ = 0;                     ///< how many of its bytes are texts
  std::size_t block_left_ = 0;                     ///< how many are free
  std::vector<std::uint32_t> slots_;  ///< id + 1, or 0 for an empty slot; the size is a power of 2
};

/// Every value of a column is an int64: a number (raw, scale 10^6), money (fen), a label index,
/// a text id, or a bool (0/1). Lists keep their items in `list_items` (texts) or `list_numbers`
/// (numbers), row i's items being those at list_offsets[i] .. list_offsets[i+1].
///
/// A column of numbers or money (an input of kind score, percent, number, count or money) that
/// only the compiled programs read may be stored narrow instead (LoadOptions::narrow), in half
/// the bytes: row r's value is mantissas[r] × 10^power, exactly. Its invariants:
/// - wide (power == kWide): `mantissas` is empty and `values` holds the values;
/// - narrow (0 <= power <= the kind's largest power: kMaxPower for numbers, whose raw values are
///   millionths, so that 10^6 is one; kMaxMoneyPower for money, in fen, so that 10^2 is one
///   yuan): `values` is empty and `mantissas` holds one int32 per row (0 for an empty or bad
///   cell), and power is the largest such power of ten that divides every value of the column. So
///   a column of whole numbers has power 6, one with a cell of three decimals 3 at most; the form
///   depends only on the values, not on how the rows were read (threads, parts).
/// - a column becomes wide (for good) when a value does not fit an int32 at its power: it is
///   never stored rounded.
/// A narrow column is read by the executor's kLoad alone, which decodes it chunk by chunk; every
/// other reader of `values` is handed wide columns only (evaluate() throws std::logic_error for a
/// narrow column anything else would read; explanations, roll-ups, `diff` and `jixiao test` load
/// nothing narrow).
struct Column {
  static constexpr int kWide = -1;
  static constexpr int kMaxPower = 6;       ///< numbers: values that are whole numbers
  static constexpr int kMaxMoneyPower = 2;  ///< money: amounts in whole yuan
  /// 10^p for p in 0..kMaxPower.
  static constexpr std::int64_t kPowers[kMaxPower + 1] = {1, 10, 100, 1000, 10000, 100000, 1000000};

  std::vector<std::int64_t> values;
  std::vector<std::int32_t> mantissas;  ///< narrow: row r's value over 10^power
  int power = kWide;                    ///< narrow: the power of ten of every mantissa; kWide: wide
  std::vector<std::uint32_t> list_offsets;
  std::vector<std::uint32_t> list_items;     ///< list<text>: text ids
  std::vector<std::int64_t> list_numbers;    ///< list<number>, list<score>: raw numbers
  std::vector<std::int64_t> missing;         ///< optional inputs: 1 where the cell was empty (N/A)

  [[nodiscard]] bool narrow() const { return power != kWide; }
  /// Row r's value, narrow or wide.
  [[nodiscard]] std::int64_t value(std::size_t r) const {
    return narrow() ? std::int64_t{mantissas[r]} * kPowers[power] : values[r];
  }
};

/// The data of one evaluation: rows in file order.
struct Dataset {
  std::size_t rows = 0;
  StringPool strings;
  Column key;                  ///< text ids
  /// Periods, when the policy declares `period`: each row's period (text ids), the distinct
  /// periods sorted by their text, each row's index into them, and the row of the same key in the
  /// period just before (or -1).
  Column period;
  std::vector<std::string> periods;
  std::vector<std::int32_t> period_index;
  std::vector<std::int64_t> prev_row;
  std::vector<Column> inputs;  ///< parallel to Module::inputs; empty for an input not read (LoadOptions::skip)
  SourceId source = kNoSource; ///< the decoded data file, for diagnostics
  std::vector<std::uint32_t> row_offsets;  ///< byte offset of each row in the decoded file
  /// Read from a workbook: each row's own number in its sheet (`第 23 行` is the row of F23).
  /// Empty for CSV, whose rows are numbered from 1 after the header.
  std::vector<std::uint32_t> sheet_rows;
  std::string path;
  std::string encoding;        ///< what the file was read as ("UTF-8", "GB18030")
  /// Rolled up (`rollup`): each row stands for a subject's rows of one coarse period; the number
  /// of the data row it is shown as (its last sub-period's), and the value of every `sub_mean(x)`,
  /// `sub_at(x, "Q4")`, ... call, by the call's expression id.
  std::vector<std::uint32_t> data_rows;
  std::unordered_map<std::uint32_t, Column> sub_values;

  /// Row `r` (0-based) as every message numbers it: from 1 after the header in a CSV file, the
  /// sheet's own row number in a workbook (as the loader's messages do).
  [[nodiscard]] std::uint32_t shown_row(std::size_t r) const {
    return r < sheet_rows.size() ? sheet_rows[r] : r < data_rows.size() ? data_rows[r] : static_cast<std::uint32_t>(r + 1);
  }
  /// Where row `r` starts in the decoded file, for a note "the row is here". None for a workbook:
  /// the text a sheet was turned into is not what the user sees, and the message names the row.
  [[nodiscard]] Span row_span(std::size_t r) const {
    return sheet_rows.empty() && r < row_offsets.size() ? Span{source, row_offsets[r], row_offsets[r] + 1} : Span{};
  }
};

}  // namespace jixiao::engine
