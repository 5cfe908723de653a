// The CSV loader: decode, map headers to inputs, convert and validate every cell.
#include "jixiao/engine/loader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/edit_distance.hpp"
#include "jixiao/dsl/utf8.hpp"
#include "rollup.hpp"
#include "jixiao/engine/csv.hpp"
#include "jixiao/engine/xlsx.hpp"
#include "parallel.hpp"

namespace jixiao::engine {

namespace {

using ast::InputKind;
constexpr std::int64_t kOne = decimal::kOne;

bool is_list(InputKind k) {
  return k == InputKind::kTextList || k == InputKind::kNumberList || k == InputKind::kScoreList;
}

// Length of the space look-alike (utf8::is_unusual_space) whose bytes are s[at, at + 2) or
// s[at, at + 3), or 0: U+00A0 is C2 A0, U+1680 E1 9A 80, U+2000–U+200A E2 80 80–8A, U+202F
// E2 80 AF, U+205F E2 81 9F, U+3000 E3 80 80. Compared byte by byte: this runs for every cell.
std::size_t look_alike_at(std::string_view s, std::size_t at) {
  const auto b = [&](std::size_t k) { return at + k < s.size() ? static_cast<unsigned char>(s[at + k]) : 0U; };
  const unsigned c = b(0);
  if (c == 0xC2) return b(1) == 0xA0 ? 2 : 0;
  if (c == 0xE1) return b(1) == 0x9A && b(2) == 0x80 ? 3 : 0;
  if (c == 0xE2) return (b(1) == 0x80 && ((b(2) >= 0x80 && b(2) <= 0x8A) || b(2) == 0xAF)) || (b(1) == 0x81 && b(2) == 0x9F) ? 3 : 0;
  if (c == 0xE3) return b(1) == 0x80 && b(2) == 0x80 ? 3 : 0;
  return 0;
}

// `s` without the spaces around it: ASCII spaces and tabs, and space look-alikes such as the
// no-break space U+00A0 and the ideographic space U+3000, which cannot be told from a space.
std::string_view trim(std::string_view s) {
  while (true) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    const std::size_t n = s.empty() || static_cast<unsigned char>(s.front()) < 0xC2 ? 0 : look_alike_at(s, 0);
    if (n == 0) break;
    s.remove_prefix(n);
  }
  while (true) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    if (s.empty() || static_cast<unsigned char>(s.back()) < 0x80) break;  // (every look-alike ends with such a byte)
    if (s.size() >= 2 && look_alike_at(s, s.size() - 2) == 2) {
      s.remove_suffix(2);
    } else if (s.size() >= 3 && look_alike_at(s, s.size() - 3) == 3) {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

// A value as messages quote it: cut to 60 columns (around byte `focus`), controls made visible.
std::string quote_value(std::string_view value, std::size_t focus = 0) { return "`" + utf8::shorten(value, 60, focus) + "`"; }

// "`x` is not a number", naming the first full-width character of the value (typed with a Chinese
// input method) when it has one: "`８` (U+FF18) is the full-width form of `8`".
Message not_a_number(std::string_view v, const std::string& shown) {
  for (std::size_t pos = 0; pos < v.size();) {
    const std::size_t at = pos;
    const char32_t cp = utf8::decode(v, pos);
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
      return msg::eng_not_number_full_width(shown, v.substr(at, pos - at), utf8::code_point_name(cp),
                                            std::string(1, static_cast<char>(cp - 0xFEE0)));
    }
  }
  return msg::eng_not_number(shown);
}

// `items` quoted and listed: "`a`, `b`, `c`" (English) or "`a`、`b`、`c`" (Chinese); nullopt when empty.
std::optional<Message> quoted_list(const std::vector<std::string>& items) {
  std::optional<Message> list;
  // Each step moves the list built so far into the next (a copy would make this quadratic).
  for (const std::string& item : items) list = list ? msg::eng_list_next(std::move(*list), item) : msg::eng_list_first(item);
  return list;
}

// The largest money and number a cell can hold, for "too large" messages.
std::string largest_amount() { return decimal::format_yuan_grouped(std::numeric_limits<std::int64_t>::max()) + "元"; }
std::string largest_number() { return decimal::to_string(std::numeric_limits<std::int64_t>::max()); }

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// What a cell of an input must look like, for hints.
Message expected_text(const ast::InputDecl& in, const dsl::Symbol& s, const dsl::Domain* domain) {
  const bool bounded = !s.range.lo_inf && !s.range.hi_inf;
  const std::string lo = decimal::to_string(s.range.lo);
  const std::string hi = decimal::to_string(s.range.hi);
  switch (in.kind) {
    case InputKind::kScore:
      return msg::eng_expect_score(lo, hi);
    case InputKind::kPercent:
      return msg::eng_expect_percent(lo, hi);
    case InputKind::kNumber:
      return bounded ? msg::eng_expect_number_range(lo, hi) : msg::eng_expect_number();
    case InputKind::kCount:
      return s.range.hi_inf ? msg::eng_expect_count() : msg::eng_expect_count_range(lo, hi);
    case InputKind::kMoney:
      return bounded ? msg::eng_expect_money_range(decimal::format_yuan(s.range.lo), decimal::format_yuan(s.range.hi))
                     : msg::eng_expect_money();
    case InputKind::kBool:
      return msg::eng_expect_bool();
    case InputKind::kOneOf: {
      std::vector<std::string> labels;
      if (domain) {
        for (const auto& l : domain->labels) labels.push_back("`" + l + "`");
      }
      return msg::eng_expect_one_of(quoted_list(labels).value_or(msg::eng_list_first("")));
    }
    case InputKind::kText:
      return msg::eng_expect_text();
    case InputKind::kTextList:
      return msg::eng_expect_text_list();
    case InputKind::kNumberList:
    case InputKind::kScoreList:
      return bounded ? msg::eng_expect_number_list_range(lo, hi) : msg::eng_expect_number_list();
  }
  return msg::eng_expect_text();
}

// Old Mac line ends: no line feed ends a line (outside quoted fields) but carriage returns do.
// Excel for Mac's "CSV (Macintosh)" writes files like this; read with LF only, they would be one
// line.
bool old_mac_lines(std::string_view text) {
  bool quoted = false;
  bool has_cr = false;
  for (const char c : text) {
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '\n') {
      return false;
    } else if (!quoted && c == '\r') {
      has_cr = true;
    }
  }
  return has_cr;
}

// With old Mac line ends, every CR that ends a line becomes a LF, in place.
void end_old_mac_lines(std::string& text) {
  if (!old_mac_lines(text)) return;
  bool quoted = false;
  for (char& c : text) {
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '\r') c = '\n';
  }
}

// The bytes of the cell that starts at `start` (its quotes dropped), up to the first separator or
// line end at or after `at`.
std::string_view raw_cell(std::string_view bytes, std::size_t start, std::size_t at) {
  std::size_t end = bytes.find_first_of(",\r\n", std::max(start, at));
  if (end == std::string_view::npos) end = bytes.size();
  std::string_view cell = bytes.substr(start, end - start);
  if (cell.starts_with('"')) cell.remove_prefix(1);
  if (cell.ends_with('"')) cell.remove_suffix(1);
  return cell;
}

// The message of a decoding error with where its byte is, as the CSV reads: "row 2, column
// `违规事项` (`caf\xE9s`): ..." or "the header, column 3 (`名\xE9`): ..."; the message alone when
// the bytes up to it do not read as CSV. CSV's separators and quotes are ASCII, which no byte of a
// UTF-8 or GB18030 character can be, so reading the undecoded bytes finds the same records.
Message byte_context(std::string_view bytes, const DecodeError& err) {
  if (bytes.size() > std::numeric_limits<std::uint32_t>::max() || err.offset >= bytes.size()) return err.message;
  CsvReader reader(bytes);
  std::vector<CsvField> fields;
  std::vector<std::uint32_t> starts;  // of the fields of the record holding the byte
  std::vector<std::uint32_t> header;
  std::uint32_t record = 0;
  bool complete = false;
  while (reader.next(fields)) {
    if (reader.record_offset() > err.offset) {
      complete = true;
      break;
    }
    ++record;
    starts.clear();
    for (const CsvField& f : fields) starts.push_back(f.offset);
    if (record == 1) header = starts;
  }
  if (record == 0 || (!complete && reader.error())) return err.message;
  std::size_t k = 0;
  while (k + 1 < starts.size() && starts[k + 1] <= err.offset) ++k;
  const std::string_view cell = raw_cell(bytes, starts[k], err.offset);
  const std::size_t cell_start = static_cast<std::size_t>(cell.data() - bytes.data());
  const std::string readable = readable_bytes(cell, err.reading);
  const std::size_t focus = err.offset >= cell_start ? readable_bytes(cell.substr(0, err.offset - cell_start), err.reading).size() : 0;
  const std::string value = "`" + utf8::shorten(readable, 40, focus) + "`";
  if (record == 1) return msg::eng_decode_in_header(k + 1, value, err.message);
  Message column = msg::eng_column_number(k + 1);
  if (k < header.size()) {
    const std::string name(trim(readable_bytes(raw_cell(bytes, header[k], header[k]), err.reading)));
    if (!name.empty()) column = msg::eng_column_named(utf8::shorten(name, 30));
  }
  return msg::eng_decode_in_row(record - 1, column, value, err.message);
}

// `s` without the characters that cannot be seen (utf8::is_invisible) and without space
// look-alikes: what a reader sees of a header name.
std::string visible_part(std::string_view s) {
  std::string out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t at = pos;
    const char32_t cp = utf8::decode(s, pos);
    if (!utf8::is_invisible(cp) && !utf8::is_unusual_space(cp)) out.append(s.substr(at, pos - at));
  }
  return out;
}

// Whether `text` is a policy: its first line that is not blank or a comment starts with
// `policy "` (a `.jx` file given as the data).
bool looks_like_policy(std::string_view text) {
  std::size_t pos = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (pos < text.size()) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r' || text[pos] == '\n')) ++pos;
    if (pos < text.size() && text[pos] == '#') {
      pos = text.find('\n', pos);
      if (pos == std::string_view::npos) return false;
      continue;
    }
    return text.substr(pos).starts_with("policy \"") || text.substr(pos).starts_with("policy “");
  }
  return false;
}

// Narrow columns (Column::narrow()): storing values keeps the column's invariants as the rows come,
// the power of ten lowered when a cell has more decimals than the rows before, the column widened
// when a value does not fit an int32 at its power.

// The largest power a column of input kind `kind` may have when narrow (Column::kMaxPower).
int largest_power(InputKind kind) { return kind == InputKind::kMoney ? Column::kMaxMoneyPower : Column::kMaxPower; }

// Whether `v` is a multiple of 10^P, `m` set to v / 10^P (a constant divisor: a multiplication).
template <int P>
bool split(std::int64_t v, std::int64_t& m) {
  m = v / Column::kPowers[P];
  return m * Column::kPowers[P] == v;
}

bool fits_int32(std::int64_t v) { return v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max(); }

// Whether v / 10^power is a whole number that fits an int32, set in `m`.
bool mantissa_of(std::int64_t v, int power, std::int64_t& m) {
  bool whole = false;
  switch (power) {
    case 0: m = v; whole = true; break;
    case 1: whole = split<1>(v, m); break;
    case 2: whole = split<2>(v, m); break;
    case 3: whole = split<3>(v, m); break;
    case 4: whole = split<4>(v, m); break;
    case 5: whole = split<5>(v, m); break;
    default: whole = split<6>(v, m); break;
  }
  return whole && fits_int32(m);
}

// Makes narrow `col` wide, for good.
void widen(Column& col) {
  std::vector<std::int64_t> values;
  values.reserve(col.mantissas.capacity());  // the rows reserved for, as they were
  for (const std::int32_t m : col.mantissas) values.push_back(std::int64_t{m} * Column::kPowers[col.power]);
  col.values = std::move(values);
  std::vector<std::int32_t>().swap(col.mantissas);
  col.power = Column::kWide;
}

// Lowers narrow `col`'s power to `power`, its mantissas multiplied to keep every value; widens it
// instead when one of them would not fit an int32.
void lower_power(Column& col, int power) {
  const std::int64_t by = Column::kPowers[col.power - power];
  if (!std::all_of(col.mantissas.begin(), col.mantissas.end(), [by](std::int32_t m) { return fits_int32(m * by); })) return widen(col);
  for (std::int32_t& m : col.mantissas) m = static_cast<std::int32_t>(m * by);
  col.power = power;
}

// Appends `v` to narrow `col` when v / 10^col.power is not a whole number that fits an int32: the
// column takes the power this value allows, or becomes wide.
[[gnu::noinline]] void push_rescaled(Column& col, std::int64_t v) {
  int power = col.power;
  while (power > 0 && v % Column::kPowers[power] != 0) --power;  // the most this value allows
  if (power < col.power) lower_power(col, power);
  std::int64_t m = 0;
  if (col.narrow() && mantissa_of(v, col.power, m)) {
    col.mantissas.push_back(static_cast<std::int32_t>(m));
    return;
  }
  if (col.narrow()) widen(col);
  col.values.push_back(v);
}

// Appends `v` to `col`, narrow or wide (the cells of every other kind of input go straight to
// Column::values).
inline void push_value(Column& col, std::int64_t v) {
  std::int64_t m = 0;
  if (!col.narrow()) {
    col.values.push_back(v);
  } else if (mantissa_of(v, col.power, m)) {
    col.mantissas.push_back(static_cast<std::int32_t>(m));
  } else {
    push_rescaled(col, v);
  }
}

// Appends the values of `from`, the column of a number or money input read from later rows, to
// `to`, the same input's: into the form a serial load gives (the least of the two powers, or wide
// when a value does not fit an int32 at it, or when either is wide).
void append_numbers(Column& to, const Column& from) {
  if (to.narrow() && from.narrow() && from.power < to.power) lower_power(to, from.power);
  if (to.narrow() && from.narrow()) {
    const std::int64_t by = Column::kPowers[from.power - to.power];
    if (by == 1 || std::all_of(from.mantissas.begin(), from.mantissas.end(), [by](std::int32_t m) { return fits_int32(m * by); })) {
      const std::size_t at = to.mantissas.size();
      to.mantissas.insert(to.mantissas.end(), from.mantissas.begin(), from.mantissas.end());
      for (std::size_t r = at; by != 1 && r < to.mantissas.size(); ++r) to.mantissas[r] = static_cast<std::int32_t>(to.mantissas[r] * by);
      return;
    }
  }
  if (to.narrow()) widen(to);
  const std::size_t rows = from.narrow() ? from.mantissas.size() : from.values.size();
  for (std::size_t r = 0; r < rows; ++r) to.values.push_back(from.value(r));
}

// How a cell is checked for characters that cannot be seen (Loader::cell_value).
enum class CellKind {
  kKey,    ///< a key or a period: nothing invisible, no space look-alike inside
  kText,   ///< a text or a list of texts: line breaks and tabs allowed, space look-alikes too
  kOther,  ///< a number, an amount, yes/no, an option: nothing invisible, no space look-alike
};

class Loader {
 public:
  Loader(SourceSet& sources, const dsl::CheckedPolicy& policy, const LoadOptions& options, DiagnosticSink& sink)
      : sources_(sources), policy_(policy), options_(options), sink_(sink) {}

  // Reports a file that could not be decoded: the byte, and when the bytes before it read as CSV,
  // the row and column it is in and the cell around it.
  void report_decode_error(const std::string& path, std::string_view bytes, const DecodeError& err) {
    Diagnostic d = diagnose(DiagCode::data_encoding, Span{}, err.at_byte ? byte_context(bytes, err) : err.message, err.hint);
    d.file = path;
    d.line = static_cast<std::uint32_t>(err.line);
    d.column = static_cast<std::uint32_t>(err.column);
    sink_.report(std::move(d));
  }

  // Loads the table read from a sheet (its text moves into the source set): every diagnostic
  // names its cell, and rows are numbered as in the sheet.
  std::optional<Dataset> load_sheet(const std::string& path, SheetTable& table) {
    sheet_ = &table;
    auto data = load(path, DecodeResult{std::move(table.csv), Encoding::kUtf8, false});
    if (data) {
      data->encoding = "XLSX";
      data->sheet_rows.assign(table.record_rows.begin() + 1, table.record_rows.end());
      data->sheet_rows.resize(data->rows);  // a row per record after the header
    }
    return data;
  }

  std::optional<Dataset> load(const std::string& path, DecodeResult&& decoded) {
    data_.encoding = std::string(encoding_name(decoded.used));
    end_old_mac_lines(decoded.text);
    return read(path, sources_.add(path, std::move(decoded.text)));
  }

  // Loads a mapped file that is read as it is (UTF-8), without its byte order mark of `bom` bytes.
  // The text stays in the mapping, whose pages are let go as the rows are read.
  std::optional<Dataset> load_mapped(const std::string& path, const FileBytes& bytes, std::size_t bom) {
    const std::string_view text = bytes.view().substr(bom);
    if (old_mac_lines(text)) {
      std::string copy(text);  // its line ends change
      bytes.release(bytes.view());
      return load(path, DecodeResult{std::move(copy), Encoding::kUtf8, bom > 0});
    }
    data_.encoding = std::string(encoding_name(Encoding::kUtf8));
    mapped_text_ = true;
    auto data = read(path, sources_.add(path, text, bytes.keeper()));
    bytes.release(bytes.view());  // a row quoted in a message later is read again
    return data;
  }

  // Loads the text of source `source`.
  std::optional<Dataset> read(const std::string& path, SourceId source) {
    data_.path = path;
    data_.source = source;
    text_ = sources_.get(data_.source).text();
    const std::size_t errors_before = sink_.error_count();

    if (looks_like_policy(text_)) {
      report(DiagCode::data_syntax, Span{data_.source, 0, 0}, msg::eng_data_is_policy(path), msg::eng_hint_data_is_policy());
      return std::nullopt;
    }
    CsvReader reader(text_);
    std::vector<CsvField> fields;
    if (!reader.next(fields)) {
      if (reader.error()) {
        syntax_error(*reader.error());
      } else {
        report(DiagCode::missing_column, Span{data_.source, 0, 0}, msg::eng_data_empty(path),
               msg::eng_hint_data_empty(policy_.symbol(policy_.key).name));
      }
      return std::nullopt;
    }
    if (!map_header(fields, reader.record_offset())) return std::nullopt;
    if (options_.threads > 1) {
      // A copy of this loader tries, so that a failed try leaves nothing behind. Nullopt when the
      // data has an error somewhere: the serial pass below finds and reports it, so the messages
      // never depend on the thread count.
      Loader attempt(*this);
      if (auto merged = attempt.load_parallel(reader.position()); merged && merged->rows > 0) return merged;
    }
    const std::uint32_t header_offset = reader.record_offset();
    reserve_rows(count_rows(reader.record_offset(), text_.size()), true);

    std::vector<std::uint32_t> key_offsets;
    data_.rows = read_records(reader, &key_offsets);
    if (sink_.error_count() > errors_before) return std::nullopt;
    if (data_.rows == 0) {
      const std::string subject = policy_.module.subject ? policy_.module.subject->subject.name : "row";
      report(DiagCode::no_rows, Span{data_.source, header_offset, header_offset + 1}, msg::eng_no_rows(path),
             msg::eng_hint_no_rows(subject));
      return std::nullopt;
    }
    if (period_column_ != kUnmapped) index_periods();
    return std::move(data_);
  }

  // Reads every record `reader` has into data_; returns how many there were. With `key_offsets`
  // (serial loading) errors are reported and keys chained as they are read; without (a part of a
  // parallel load) the first error only sets failed_ and stops reading.
  std::uint32_t read_records(CsvReader& reader, std::vector<std::uint32_t>* key_offsets) {
    std::vector<CsvField> fields;
    std::uint32_t row = 0;
    std::size_t kept_from = reader.position();  // the rows before it were read: their pages may go
    while (!failed_ && reader.next(fields)) {
      ++row;
      if (mapped_text_ && reader.record_offset() - kept_from >= kReleaseBytes) {
        release_pages(text_.substr(kept_from, reader.record_offset() - kept_from));
        kept_from = reader.record_offset();
      }
      data_.row_offsets.push_back(reader.record_offset());
      if (fields.size() != header_size_) {
        const std::uint32_t at = reader.record_offset();
        data_.key.values.push_back(-1);  // keeps key rows aligned with row numbers
        if (key_offsets != nullptr) key_offsets->push_back(at);
        report(DiagCode::data_syntax, Span{data_.source, at, at + 1}, msg::eng_field_count(shown(row), fields.size(), header_size_),
               field_count_hint(fields));
        continue;
      }
      if (repeats_header(fields)) {
        const std::uint32_t at = reader.record_offset();
        data_.key.values.push_back(-1);  // keeps key rows aligned with row numbers
        if (key_offsets != nullptr) key_offsets->push_back(at);
        report(DiagCode::data_syntax, Span{data_.source, at, at + 1}, msg::eng_repeated_header(shown(row)),
               msg::eng_hint_remove_repeated_header());
        continue;
      }
      // The next row's key, when it is the first cell and not quoted: its place in the pool's
      // table is fetched while this row is read (one cache miss a row less to wait for).
      if (key_column_ == 0) {
        const std::string_view rest = text_.substr(reader.position(), 64);
        if (!rest.empty() && rest.front() != '"') {
          // (Byte by byte: find_first_of would call memchr for each byte.)
          const auto end = std::find_if(rest.begin(), rest.end(), [](char c) { return c == ',' || c == '\r' || c == '\n'; });
          data_.strings.prefetch(trim(rest.substr(0, static_cast<std::size_t>(end - rest.begin()))));
        }
      }
      std::uint32_t period_id = 0;
      if (period_column_ != kUnmapped) period_id = read_period(fields[period_column_], row);
      read_key(fields[key_column_], row, period_id, key_offsets);
      for (std::size_t i = 0; i < mapped_.size(); ++i) {
        if (mapped_[i] == kUnmapped) continue;
        read_cell(i, fields[mapped_[i]], row);
      }
    }
    if (reader.error()) syntax_error(*reader.error());
    return row;
  }

  // Whether a row is the header again (two exports joined): its key cell is the key's column
  // name and every cell is the header's.
  bool repeats_header(const std::vector<CsvField>& fields) const {
    // (The second file's byte order mark may come along.)
    const auto cell = [&](std::size_t i) {
      std::string_view v = trim(fields[i].value);
      if (i == 0 && v.starts_with("\xEF\xBB\xBF")) v.remove_prefix(3);
      return v;
    };
    if (key_column_ == kUnmapped || cell(key_column_) != header_names_[key_column_]) return false;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (cell(i) != header_names_[i]) return false;
    }
    return true;
  }

  // Why a row has another number of fields than the header, as far as can be seen.
  Message field_count_hint(const std::vector<CsvField>& fields) const {
    const auto empty_from = [](auto first, auto last) {
      return std::all_of(first, last, [](const auto& v) { return trim(v).empty(); });
    };
    if (fields.size() < header_size_) {
      if (empty_from(header_names_.begin() + static_cast<std::ptrdiff_t>(fields.size()), header_names_.end())) {
        return header_size_ - fields.size() == 1 ? msg::eng_hint_header_empty_name() : msg::eng_hint_header_empty_names();
      }
      if (fields.size() == 1) {
        const std::string_view v = fields[0].value;
        if (v.find('\t') != std::string_view::npos) return msg::eng_hint_row_tabs();
        if (v.find(';') != std::string_view::npos) return msg::eng_hint_row_semicolons();
        if (v.find("，") != std::string_view::npos) return msg::eng_hint_row_full_width_commas();
      }
      return msg::eng_hint_cell_missing();
    }
    std::vector<std::string_view> values;
    for (std::size_t i = header_size_; i < fields.size(); ++i) values.push_back(fields[i].value);
    if (empty_from(values.begin(), values.end())) {
      const std::size_t extra = fields.size() - header_size_;
      return (extra == 1 ? msg::eng_hint_row_extra_empty_one : msg::eng_hint_row_extra_empty_many)(extra);
    }
    return msg::eng_hint_unquoted_comma();
  }

  // Loads the records after `body` in parallel: the text is cut into options_.threads parts at
  // line ends outside quotes, each part read by its own copy of this loader into its own columns
  // and string pool, then the parts are appended to the first in order, their texts interned
  // again (so every text gets the id a serial load gives it). Nullopt when the data is too small
  // to be worth it, or has an error (a bad cell, a duplicate key, ...): the caller then loads it
  // serially, which reports the errors.
  std::optional<Dataset> load_parallel(std::size_t body) {
    const std::size_t size = text_.size() - std::min(body, text_.size());
    const std::size_t parts_wanted = std::min<std::size_t>(options_.threads, size / std::max<std::size_t>(1, options_.parallel_min_bytes) + 1);
    if (parts_wanted < 2) return std::nullopt;
    // Cuts: just after a newline whose count of quotes before it is even (RFC 4180 quoting keeps
    // every field's quotes paired, so an odd count means the newline is inside a quoted field).
    std::vector<std::size_t> cuts{body};
    std::size_t quotes = 0;
    std::size_t counted = body;
    for (std::size_t k = 1; k < parts_wanted; ++k) {
      std::size_t at = std::max(cuts.back(), body + size * k / parts_wanted);
      while (true) {
        const std::size_t nl = text_.find('\n', at);
        if (nl == std::string_view::npos) break;
        quotes += static_cast<std::size_t>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(counted), text_.begin() + static_cast<std::ptrdiff_t>(nl), '"'));
        counted = nl;
        if (quotes % 2 == 0) {
          at = nl + 1;
          break;
        }
        at = nl + 1;
      }
      if (at <= cuts.back() || at >= text_.size()) break;
      cuts.push_back(at);
    }
    cuts.push_back(text_.size());
    const std::size_t parts = cuts.size() - 1;
    if (parts < 2) return std::nullopt;

    std::vector<Loader> loaders(parts, *this);
    std::vector<std::size_t> lines(parts, 0);
    detail::run_parallel(parts, [&](std::size_t k) { lines[k] = count_rows(cuts[k], cuts[k + 1]); });
    std::vector<std::uint32_t> rows(parts, 0);
    auto job = [&](std::size_t k) {
      Loader& l = loaders[k];
      l.parallel_part_ = true;
      // The first part's columns take every row.
      l.reserve_rows(k == 0 ? std::accumulate(lines.begin(), lines.end(), std::size_t{0}) : lines[k], true);
      CsvReader reader(text_, cuts[k], cuts[k + 1]);
      rows[k] = l.read_records(reader, nullptr);
    };
    detail::run_parallel(parts, job);
    if (std::any_of(loaders.begin(), loaders.end(), [](const Loader& l) { return l.failed_; })) return std::nullopt;

    data_ = std::move(loaders[0].data_);
    std::size_t total = rows[0];
    for (std::size_t k = 1; k < parts; ++k) {
      append(loaders[k].data_);
      total += rows[k];
      loaders[k].data_ = Dataset{};  // frees the part's pool before the next is appended
    }
    data_.rows = total;
    // Chains the keys as a serial load does; a duplicate is an error, reported by the serial pass.
    next_row_.reserve(total);
    for (std::size_t r = 0; r < total; ++r) {
      const std::uint32_t period_id = period_column_ != kUnmapped ? static_cast<std::uint32_t>(data_.period.values[r]) : 0;
      if (chain_key(static_cast<std::uint32_t>(data_.key.values[r]), static_cast<std::uint32_t>(r + 1), period_id) != 0) {
        return std::nullopt;
      }
    }
    if (period_column_ != kUnmapped) index_periods();
    return std::move(data_);
  }

  // Appends the rows of `part` (read by another loader from later in the text) to data_, its
  // text ids mapped to data_'s pool. Each of the part's columns is let go once appended, so that
  // the rows are held about once, not twice, until the last column is appended.
  void append(Dataset& part) {
    std::vector<std::uint32_t> remap(part.strings.size());
    for (std::size_t id = 0; id < remap.size(); ++id) remap[id] = data_.strings.intern(part.strings.text(static_cast<std::uint32_t>(id)));
    auto ids = [&remap](std::vector<std::int64_t>& to, const std::vector<std::int64_t>& from) {
      for (const std::int64_t v : from) to.push_back(remap[static_cast<std::size_t>(v)]);
    };
    auto extend = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    ids(data_.key.values, part.key.values);
    part.key = Column{};
    if (period_column_ != kUnmapped) ids(data_.period.values, part.period.values);
    extend(data_.row_offsets, part.row_offsets);
    std::vector<std::uint32_t>().swap(part.row_offsets);
    const auto& inputs = policy_.module.inputs;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (mapped_[i] == kUnmapped) continue;
      Column& to = data_.inputs[i];
      Column& from = part.inputs[i];
      if (inputs[i].kind == InputKind::kText) {
        // An optional text's missing cells hold 0, not a text id: kept as they are.
        for (std::size_t r = 0; r < from.values.size(); ++r) {
          const bool missing = !from.missing.empty() && from.missing[r] != 0;
          to.values.push_back(missing ? from.values[r] : remap[static_cast<std::size_t>(from.values[r])]);
        }
      } else if (to.narrow() || from.narrow()) {
        append_numbers(to, from);
      } else {
        extend(to.values, from.values);
      }
      extend(to.missing, from.missing);
      if (is_list(inputs[i].kind)) {
        const std::uint32_t base = inputs[i].kind == InputKind::kTextList ? static_cast<std::uint32_t>(to.list_items.size())
                                                                           : static_cast<std::uint32_t>(to.list_numbers.size());
        for (std::size_t r = 1; r < from.list_offsets.size(); ++r) to.list_offsets.push_back(base + from.list_offsets[r]);
        for (const std::uint32_t item : from.list_items) to.list_items.push_back(remap[item]);
        extend(to.list_numbers, from.list_numbers);
      }
      from = Column{};
    }
  }

  // Sorts the periods by their text and links each row to the same key's row in the period before.
  void index_periods() {
    std::vector<std::uint32_t> ids(data_.period.values.begin(), data_.period.values.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::sort(ids.begin(), ids.end(), [&](std::uint32_t a, std::uint32_t b) {
      return data_.strings.text(a) < data_.strings.text(b);
    });
    std::unordered_map<std::uint32_t, std::int32_t> index;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      index[ids[i]] = static_cast<std::int32_t>(i);
      data_.periods.push_back(data_.strings.text(ids[i]));
    }
    data_.period_index.resize(data_.rows);
    data_.prev_row.assign(data_.rows, -1);
    for (std::size_t r = 0; r < data_.rows; ++r) {
      const std::int32_t p = index.at(static_cast<std::uint32_t>(data_.period.values[r]));
      data_.period_index[r] = p;
      if (p == 0) continue;
      const auto before = static_cast<std::int64_t>(ids[static_cast<std::size_t>(p - 1)]);
      const std::uint32_t at = row_of(static_cast<std::uint32_t>(data_.key.values[r]), before);
      if (at != 0) data_.prev_row[r] = static_cast<std::int64_t>(at) - 1;
    }
  }

  // At least as many rows as text_[begin, end) holds: its lines that are not empty (the reader
  // skips empty ones, and a file of 100 MB of line breaks must not reserve 100 million rows;
  // quoted line breaks only make this larger).
  std::size_t count_rows(std::size_t begin, std::size_t end) const {
    const std::string_view rest = text_.substr(begin, end - begin);
    std::size_t rows = 1;
    for (std::size_t at = rest.find('\n'); at != std::string_view::npos && at + 1 < rest.size(); at = rest.find('\n', at + 1)) {
      if (rest[at + 1] != '\n' && rest[at + 1] != '\r') ++rows;
    }
    return rows;
  }

  // Reserves the columns for `rows` rows, so that no column is copied as it grows; with `pool`,
  // the string pool too. Reserved memory that is never written is never touched.
  void reserve_rows(std::size_t rows, bool pool) {
    data_.key.values.reserve(rows);
    data_.row_offsets.reserve(rows);
    if (period_column_ != kUnmapped) data_.period.values.reserve(rows);
    for (std::size_t i = 0; i < mapped_.size(); ++i) {
      if (mapped_[i] == kUnmapped) continue;
      Column& col = data_.inputs[i];
      if (col.narrow()) {
        col.mantissas.reserve(rows);
      } else {
        col.values.reserve(rows);
      }
    }
    if (!parallel_part_) next_row_.reserve(rows);
    if (pool) data_.strings.reserve(rows + 64);
  }

  std::uint32_t read_period(const CsvField& f, std::uint32_t row) {
    const std::string& name = policy_.module.subject->period->name;  // the data's column (a roll-up names its symbol)
    std::string_view value;
    if ((sheet_ != nullptr && special_cell(f, row, [&] { return name; }, std::nullopt)) ||
        !cell_value(f, row, [&] { return name; }, CellKind::kKey, value)) {
      data_.period.values.push_back(0);
      return 0;
    }
    if (value.empty()) {
      report(DiagCode::bad_cell, cell_span(f), msg::eng_row_column(shown(row), name, msg::eng_period_empty()),
             msg::eng_hint_period_empty());
      data_.period.values.push_back(0);
      return 0;
    }
    const std::uint32_t id = data_.strings.intern(value);
    data_.period.values.push_back(id);
    return id;
  }

 private:
  static constexpr std::size_t kUnmapped = static_cast<std::size_t>(-1);
  /// A mapped text's pages are let go in pieces of this size as its rows are read.
  static constexpr std::size_t kReleaseBytes = std::size_t{1} << 21;

  // The value of cell `f` as it is read: without the spaces around it (trim). False, after a
  // report, when it holds a character that cannot be seen (utf8::is_invisible; line breaks and
  // tabs are allowed in texts), a space look-alike inside a key or a value that is not a text, or
  // when it is an Excel formula such as `="00123"`. Two keys or texts that look the same are
  // never silently two different values.
  // `column()` gives the column's name for messages (only called when there is one to write).
  // The value is set in `v` (also when false is returned).
  template <typename ColumnName>
  bool cell_value(const CsvField& f, std::uint32_t row, const ColumnName& column, CellKind kind, std::string_view& v) {
    v = trim(f.value);
    return !suspect(v) || check_suspect_cell(f, v, row, column(), kind);  // nearly every cell: not suspect
  }

  // Whether `v` may hold something cell_value refuses (most cells do not: quick to see).
  static bool suspect(std::string_view v) {
    bool found = !v.empty() && v.front() == '=';
    for (const char c : v) found |= utf8::may_start_invisible(static_cast<unsigned char>(c));
    return found;
  }

  // The slow part of cell_value: reports and returns false when the cell has a problem.
  bool check_suspect_cell(const CsvField& f, std::string_view v, std::uint32_t row, const std::string& column, CellKind kind) {
    const bool text = kind == CellKind::kText;
    const std::size_t at = utf8::find_invisible(v, !text, text);
    if (at != std::string_view::npos) {
      std::size_t end = at;
      const char32_t cp = utf8::decode(v, end);
      Span span = cell_span(f);
      if (v.data() >= text_.data() && v.data() + v.size() <= text_.data() + text_.size()) {
        const auto begin = static_cast<std::uint32_t>(static_cast<std::size_t>(v.data() - text_.data()) + at);
        span = Span{data_.source, begin, static_cast<std::uint32_t>(begin + (end - at))};
      }
      const bool space = utf8::is_unusual_space(cp);
      Message hint;
      if (cp == 0xFFFD) {
        hint = msg::eng_hint_replacement_char();
      } else if (cp == 0xFEFF) {
        hint = msg::eng_hint_inner_bom();
      } else if (space) {
        hint = kind == CellKind::kKey ? msg::eng_hint_space_key() : msg::eng_hint_space_value();
      } else if (kind == CellKind::kOther) {
        hint = msg::eng_hint_invisible_value();
      } else {
        hint = kind == CellKind::kKey ? msg::eng_hint_invisible_key() : msg::eng_hint_invisible_text();
      }
      const std::size_t character = utf8::count_code_points(v.substr(0, at)) + 1;
      report(DiagCode::invisible_character, span,
             msg::eng_row_column(shown(row), column,
                                 (space || cp == 0xFFFD ? msg::eng_cell_look_alike : msg::eng_cell_invisible)(
                                     quote_value(v, at), describe_char(cp), character)),
             std::move(hint));
      return false;
    }
    if (v.size() >= 3 && v[0] == '=' && v[1] == '"' && v.back() == '"') {
      report(DiagCode::bad_cell, cell_span(f), msg::eng_row_column(shown(row), column, msg::eng_cell_excel_formula(quote_value(v))),
             msg::eng_hint_excel_formula(quote_value(v.substr(2, v.size() - 3))));
      return false;
    }
    return true;
  }

  void report(DiagCode code, Span span, Message message, std::optional<Message> hint = {}) {
    if (parallel_part_) {
      failed_ = true;  // the serial pass reports it
      return;
    }
    Diagnostic d = diagnose(code, span, std::move(message), std::move(hint));
    locate_in_sheet(d);
    sink_.report(std::move(d));
  }

  // Row `row` of the data (1-based; 0: the header) as messages number it: in a sheet, its row
  // number there (`第 23 行` is the row of F23).
  [[nodiscard]] std::uint32_t shown(std::uint32_t row) const {
    return sheet_ != nullptr && row < sheet_->record_rows.size() ? sheet_->record_rows[row] : row;
  }

  // In a sheet, a diagnostic names the cell (`表.xlsx!Sheet1!F23`) instead of a place in the text
  // the sheet was turned into.
  void locate_in_sheet(Diagnostic& d) const {
    if (sheet_ == nullptr) return;
    if (d.span.valid() && d.span.source == data_.source) {
      d.file = sheet_->cell_at(text_, d.span.begin);
      d.span = Span{};
    }
    // (A note that points into the text, such as the row with the same key, says no more than
    // the message, which names the sheet's rows.)
    std::erase_if(d.notes, [this](const Note& n) { return n.span.source == data_.source; });
  }

  // A cell of a sheet holding an Excel error value (in any column read), or a date (in a column of
  // numbers: `numbers`, what it expects): reported, and true.
  template <typename ColumnName>
  bool special_cell(const CsvField& f, std::uint32_t row, const ColumnName& column, const std::optional<Message>& numbers) {
    if (sheet_ == nullptr || sheet_->specials.empty()) return false;
    const SheetTable::SpecialCell* c = sheet_->special_at(f.offset);
    if (c == nullptr) return false;
    const std::string shown_value = quote_value(trim(f.value));
    if (c->kind == SheetTable::Special::kError) {
      report(DiagCode::xlsx_cell, cell_span(f), msg::eng_row_column(shown(row), column(), msg::xin_cell_error(shown_value)),
             msg::xin_hint_cell_error());
      return true;
    }
    if (c->kind == SheetTable::Special::kUncomputed) {
      report(DiagCode::xlsx_cell, cell_span(f), msg::eng_row_column(shown(row), column(), msg::xin_cell_uncomputed(shown_value)),
             msg::xin_hint_cell_uncomputed());
      return true;
    }
    if (!numbers) return false;
    report(DiagCode::xlsx_cell, cell_span(f), msg::eng_row_column(shown(row), column(), msg::xin_cell_date(shown_value)),
           msg::xin_hint_cell_date(msg::eng_hint_expected(*numbers)));
    return true;
  }

  void syntax_error(const CsvSyntaxError& e) {
    report(DiagCode::data_syntax, Span{data_.source, e.offset, e.offset + 1}, e.message, e.hint);
  }

  Span cell_span(const CsvField& f) const {
    std::uint32_t begin = f.offset;
    if (begin < text_.size() && text_[begin] == '"') ++begin;
    return Span{data_.source, begin, begin + static_cast<std::uint32_t>(std::max<std::size_t>(1, f.value.size()))};
  }

  // A header of one field that holds tabs, semicolons or full-width commas: the file is not
  // comma-separated. Reported (once, instead of a missing column per input); true if so.
  bool wrong_separator(const std::vector<CsvField>& header, Span at) {
    if (header.size() != 1) return false;
    const std::string_view h = header[0].value;
    struct Separator {
      std::string_view text;
      MessageDef<msg::Int> problem;  ///< "the header has no commas but N tabs: ..."
      MessageDef<> hint;
    };
    static constexpr Separator kSeparators[] = {
        {"\t", msg::eng_header_tabs, msg::eng_hint_header_tabs},
        {";", msg::eng_header_semicolons, msg::eng_hint_header_semicolons},
        {"，", msg::eng_header_full_width_commas, msg::eng_hint_header_full_width_commas},
    };
    const Separator* found = nullptr;
    std::size_t most = 0;
    for (const Separator& sep : kSeparators) {
      std::size_t n = 0;
      for (std::size_t at_ = h.find(sep.text); at_ != std::string_view::npos; at_ = h.find(sep.text, at_ + sep.text.size())) ++n;
      if (n > most) {
        most = n;
        found = &sep;
      }
    }
    if (found == nullptr) return false;
    report(DiagCode::data_syntax, at, found->problem(most), found->hint());
    return true;
  }

  bool map_header(const std::vector<CsvField>& header, std::uint32_t offset) {
    header_size_ = header.size();
    const Span header_span{data_.source, offset, offset + 1};
    if (wrong_separator(header, header_span)) return false;
    std::unordered_map<std::string, std::size_t> index;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < header.size(); ++i) {
      std::string name(trim(header[i].value));
      names.push_back(name);
      if (!index.emplace(name, i).second) duplicates_.emplace(name, i);
    }
    header_names_ = names;
    const std::size_t errors_before = sink_.error_count();
    Suggester suggester;
    auto find = [&](const std::string& input, const Message& what) -> std::size_t {
      std::string column = input;
      bool via_map = false;
      if (auto it = options_.column_map.columns.find(input); it != options_.column_map.columns.end()) {
        column = it->second;
        via_map = true;
      }
      if (duplicates_.count(column)) {
        report(DiagCode::duplicate_column, cell_span(header[duplicates_.at(column)]), msg::eng_duplicate_column(column),
               msg::eng_hint_duplicate_column());
        return kUnmapped;
      }
      if (auto it = index.find(column); it != index.end()) return it->second;
      // A header that is the column but for a character that cannot be seen: name that character.
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i].size() <= column.size() || visible_part(names[i]) != column) continue;
        const std::size_t bad_at = utf8::find_invisible(names[i], true);
        std::size_t end = bad_at;
        const char32_t cp = utf8::decode(names[i], end);
        report(DiagCode::invisible_character, cell_span(header[i]),
               msg::eng_header_invisible(quote_value(names[i], bad_at), column, describe_char(cp),
                                         utf8::count_code_points(std::string_view(names[i]).substr(0, bad_at)) + 1),
               msg::eng_hint_header_invisible(column));
        return kUnmapped;
      }
      std::optional<Message> hint;
      if (auto best = suggester.closest(column, names)) {
        hint = msg::eng_hint_missing_column_guess(quote_value(*best));
      } else {
        constexpr std::size_t kListed = 20;
        std::vector<std::string> listed;
        for (std::size_t i = 0; i < std::min(names.size(), kListed); ++i) listed.push_back(quote_value(names[i]));
        std::optional<Message> list = quoted_list(listed);
        if (list && names.size() > kListed) list = msg::eng_list_columns_cut(std::move(*list), names.size());
        if (list) hint = msg::eng_hint_header_has(std::move(*list));
      }
      if (sheet_ != nullptr && sheet_->record_rows.size() > 1) {
        // A header row of one value: a title above the header (`2024年度社区绩效评价表`).
        const auto filled = std::count_if(names.begin(), names.end(), [](const std::string& n) { return !n.empty(); });
        const auto only = std::find_if(names.begin(), names.end(), [](const std::string& n) { return !n.empty(); });
        if (filled == 1) hint = msg::xin_hint_title_row(shown(0), quote_value(*only), sheet_->record_rows[1]);
      }
      report(DiagCode::missing_column, header_span,
             (via_map ? msg::eng_missing_column_mapped : msg::eng_missing_column)(data_.path, column, what), hint);
      return kUnmapped;
    };
    const dsl::Symbol& key = policy_.symbol(policy_.key);
    key_column_ = find(key.name, msg::eng_for_key(key.name));
    if (policy_.period != dsl::kNoSymbol) {
      const std::string& period = policy_.module.subject->period->name;  // the data's column (a roll-up names its symbol)
      period_column_ = find(period, msg::eng_for_period(period));
    }
    const auto& inputs = policy_.module.inputs;
    mapped_.assign(inputs.size(), kUnmapped);
    symbols_.clear();
    for (const auto& in : inputs) symbols_.push_back(&policy_.symbol(policy_.find(in.name.name)));
    data_.inputs.assign(inputs.size(), Column{});
    // A skipped input's column is found like the others, then not read (LoadOptions::skip).
    const bool skipping = !options_.skip.empty() && !policy_.module.rollup;
    const bool narrowing = !options_.narrow.empty() && !policy_.module.rollup;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      mapped_[i] = find(inputs[i].name.name, msg::eng_for_input(inputs[i].name.name));
      if (skipping && options_.skip.at(i)) {
        mapped_[i] = kUnmapped;
      } else if (is_list(inputs[i].kind)) {
        data_.inputs[i].list_offsets.push_back(0);
      } else if (narrowing && options_.narrow.at(i) && holds_numbers(i)) {
        data_.inputs[i].power = largest_power(inputs[i].kind);  // whole numbers until a cell has decimals
      }
    }
    return sink_.error_count() == errors_before;
  }

  // The first row (1-based) with key `key` in period `period` (a text id; ignored without
  // periods), or 0.
  std::uint32_t row_of(std::uint32_t key, std::int64_t period) const {
    std::uint32_t found = 0;
    if (key >= first_row_.size()) return found;
    for (std::uint32_t r = first_row_[key]; r != 0; r = next_row_[r - 1]) {  // latest row first
      if (period_column_ == kUnmapped || data_.period.values[r - 1] == period) found = r;
    }
    return found;
  }

  // Chains row `row` (1-based) of key `id` to the key's earlier rows (first_row_, next_row_); a
  // key repeats at most once per period. Returns the earlier row of the same key and period, or 0.
  std::uint32_t chain_key(std::uint32_t id, std::uint32_t row, std::uint32_t period_id) {
    if (first_row_.size() <= id) first_row_.resize(std::max<std::size_t>(id + 1, first_row_.size() * 2), 0);
    next_row_.resize(row, 0);
    const std::uint32_t earlier = row_of(id, period_id);
    next_row_[row - 1] = first_row_[id];
    first_row_[id] = row;
    return earlier;
  }

  // Reads the key; with `key_offsets` (a serial load) also chains it and reports a duplicate.
  void read_key(const CsvField& f, std::uint32_t row, std::uint32_t period_id, std::vector<std::uint32_t>* key_offsets) {
    const std::string& key = policy_.symbol(policy_.key).name;
    std::string_view value;
    if ((sheet_ != nullptr && special_cell(f, row, [&] { return key; }, std::nullopt)) ||
        !cell_value(f, row, [&] { return key; }, CellKind::kKey, value)) {
      data_.key.values.push_back(-1);
      if (key_offsets != nullptr) key_offsets->push_back(f.offset);
      return;
    }
    if (value.empty()) {
      report(DiagCode::bad_cell, cell_span(f), msg::eng_row_column(shown(row), key, msg::eng_key_empty()), msg::eng_hint_key_empty(key));
      data_.key.values.push_back(-1);
      if (key_offsets != nullptr) key_offsets->push_back(f.offset);
      return;
    }
    const std::uint32_t id = data_.strings.intern(value);
    data_.key.values.push_back(id);
    if (key_offsets == nullptr) return;
    key_offsets->push_back(f.offset);
    const std::uint32_t earlier = chain_key(id, row, period_id);
    if (earlier != 0) {
      const bool periods = period_column_ != kUnmapped;
      Diagnostic d = diagnose(
          DiagCode::duplicate_key, cell_span(f),
          periods ? msg::eng_duplicate_key_period(shown(row), quote_value(value), quote_value(data_.strings.text(period_id)), shown(earlier))
                  : msg::eng_duplicate_key(shown(row), quote_value(value), shown(earlier)),
          periods ? msg::eng_hint_duplicate_key_period(key) : msg::eng_hint_duplicate_key(key));
      d.notes.push_back(Note{Span{data_.source, (*key_offsets)[earlier - 1], (*key_offsets)[earlier - 1] + 1},
                             msg::eng_note_same_key(shown(earlier))});
      locate_in_sheet(d);
      sink_.report(std::move(d));
    }
  }

  void bad(const CsvField& f, std::uint32_t row, std::size_t input, Message problem, DiagCode code = DiagCode::bad_cell) {
    // A number, yes/no or option is checked for invisible characters only when it does not read
    // (read_cell): then they are the problem to name.
    const std::string_view v = trim(f.value);
    if (!checked_first(input) && suspect(v) && !check_suspect_cell(f, v, row, header_name(input), CellKind::kOther)) return;
    report(code, cell_span(f), msg::eng_row_column(shown(row), header_name(input), std::move(problem)),
           msg::eng_hint_expected(expected_of(input)));
  }

  // `list<...> size lo..hi`: the cell just read holds from lo to hi items.
  void check_list_size(const CsvField& f, std::uint32_t row, std::size_t input, const std::string& shown, std::int64_t items) {
    const std::optional<ast::RangeSpec>& size = policy_.module.inputs[input].size;
    if (!size) return;
    if (items * decimal::kOne < size->lo || items * decimal::kOne > size->hi) {
      bad(f, row, input, msg::trp_list_size(shown, items, decimal::to_string(size->lo), decimal::to_string(size->hi)),
          DiagCode::out_of_range);
    }
  }

  // What a cell of input `input` must hold, for hints.
  Message expected_of(std::size_t input) const {
    const ast::InputDecl& in = policy_.module.inputs[input];
    const dsl::Domain* domain = in.kind == InputKind::kOneOf ? &policy_.domains[policy_.input_domain[input]] : nullptr;
    return expected_text(in, *symbols_[input], domain);
  }

  // Whether input `input` holds numbers (a date in a sheet is no number for it).
  bool holds_numbers(std::size_t input) const {
    switch (policy_.module.inputs[input].kind) {
      case InputKind::kScore:
      case InputKind::kPercent:
      case InputKind::kNumber:
      case InputKind::kCount:
      case InputKind::kMoney:
      case InputKind::kNumberList:
      case InputKind::kScoreList:
        return true;
      default:
        return false;
    }
  }

  // Texts (accepted whatever they hold) and lists are checked by cell_value before they are read;
  // other cells only when they do not read (bad).
  bool checked_first(std::size_t input) const {
    const InputKind k = policy_.module.inputs[input].kind;
    return k == InputKind::kText || is_list(k);
  }

  std::string header_name(std::size_t input) const {
    const std::string& name = policy_.module.inputs[input].name.name;
    if (auto it = options_.column_map.columns.find(name); it != options_.column_map.columns.end()) return it->second;
    return name;
  }

  // Calls f with each non-empty item of a list cell: separated by `;`, `；`, `、` or `|`, trimmed.
  // Items are views into the cell. Returns the number (from 1) of the first empty item (`80;;90`,
  // `80;90;`), or 0: in a list of numbers it may be a lost value and is an error (read_cell).
  template <typename F>
  static std::int64_t for_each_item(std::string_view v, F f) {
    std::size_t pos = 0;
    std::size_t start = 0;
    std::int64_t index = 0;
    std::int64_t empty = 0;
    auto flush = [&](std::size_t end) {
      const std::string_view t = trim(v.substr(start, end - start));
      ++index;
      if (!t.empty()) {
        f(t);
      } else if (empty == 0) {
        empty = index;
      }
    };
    if (v.empty()) return 0;
    while (pos < v.size()) {
      const std::size_t at = pos;
      const char32_t cp = utf8::decode(v, pos);
      if (cp == ';' || cp == 0xFF1B || cp == 0x3001 || cp == '|') {
        flush(at);
        start = pos;
      }
    }
    flush(v.size());
    return empty;
  }

  void read_cell(std::size_t input, const CsvField& f, std::uint32_t row) {
    const ast::InputDecl& in = policy_.module.inputs[input];
    Column& col = data_.inputs[input];
    const bool text = in.kind == InputKind::kText || in.kind == InputKind::kTextList;
    std::string_view v = trim(f.value);
    const bool special = sheet_ != nullptr && special_cell(f, row, [&] { return header_name(input); },
                                                           holds_numbers(input) ? std::optional<Message>(expected_of(input)) : std::nullopt);
    if (special || (checked_first(input) &&
                    !cell_value(f, row, [&] { return header_name(input); }, text ? CellKind::kText : CellKind::kOther, v))) {
      // Reported; a placeholder keeps the columns aligned.
      if (in.optional || in.only) col.missing.push_back(0);
      push_value(col, 0);
      if (is_list(in.kind)) col.list_offsets.push_back(col.list_offsets.back());
      return;
    }
    // Messages quote the cell; built only when there is one to write.
    const auto quoted = [v] { return quote_value(v); };
    if (in.optional || in.only) {
      // An empty cell of an optional input is "not available": value 0, flagged missing. One given
      // `only` in a sub-period is empty in the others (rollup.cpp checks where it is required).
      col.missing.push_back(v.empty() ? 1 : 0);
      if (v.empty()) {
        push_value(col, 0);
        if (is_list(in.kind)) col.list_offsets.push_back(col.list_offsets.back());
        return;
      }
    }
    switch (in.kind) {
      case InputKind::kText:
        col.values.push_back(data_.strings.intern(v));
        return;
      case InputKind::kTextList: {
        // An empty item of a text list names nothing and is dropped (`甲;乙;`).
        for_each_item(v, [&](std::string_view item) { col.list_items.push_back(data_.strings.intern(item)); });
        col.list_offsets.push_back(static_cast<std::uint32_t>(col.list_items.size()));
        col.values.push_back(0);
        check_list_size(f, row, input, quoted(), col.list_offsets.back() - col.list_offsets[col.list_offsets.size() - 2]);
        return;
      }
      case InputKind::kNumberList:
      case InputKind::kScoreList: {
        const dsl::Symbol& sym = *symbols_[input];
        const std::string shown = quoted();
        std::int64_t items = 0;
        const std::int64_t empty = for_each_item(v, [&](std::string_view item) {
          ++items;
          decimal::ParseError why{};
          const auto value = decimal::parse(item, decimal::kPlaces, &why);
          if (!value) {
            bad(f, row, input, msg::eng_item_not_number(quote_value(item), shown));
          } else if (!sym.range.contains(*value)) {
            bad(f, row, input, msg::eng_item_out_of_range(quote_value(item), shown), DiagCode::out_of_range);
          } else {
            col.list_numbers.push_back(*value);
          }
        });
        col.list_offsets.push_back(static_cast<std::uint32_t>(col.list_numbers.size()));
        col.values.push_back(0);
        if (empty != 0) return bad(f, row, input, msg::eng_item_empty(shown, empty));
        check_list_size(f, row, input, shown, items);
        return;
      }
      case InputKind::kBool: {
        const std::string l = lower_ascii(v);
        if (l == "是" || l == "true" || l == "1" || l == "y" || l == "yes") {
          col.values.push_back(1);
        } else if (l == "否" || l == "false" || l == "0" || l == "n" || l == "no") {
          col.values.push_back(0);
        } else {
          bad(f, row, input, v.empty() ? msg::eng_cell_empty() : msg::eng_not_yes_no(quoted()));
          col.values.push_back(0);
        }
        return;
      }
      case InputKind::kOneOf: {
        const dsl::Domain& d = policy_.domains[policy_.input_domain[input]];
        const auto it = std::find(d.labels.begin(), d.labels.end(), v);
        if (it == d.labels.end()) {
          Message problem = v.empty() ? msg::eng_cell_empty() : msg::eng_not_an_option(quoted());
          if (auto best = closest_name(v, d.labels)) problem = msg::eng_with_guess(problem, *best);
          bad(f, row, input, problem);
          col.values.push_back(0);
        } else {
          col.values.push_back(it - d.labels.begin());
        }
        return;
      }
      default:
        break;
    }
    // Numbers and money.
    if (v.empty()) {
      bad(f, row, input, msg::eng_cell_empty());
      push_value(col, 0);
      return;
    }
    std::string_view digits = v;
    if (in.kind == InputKind::kPercent && digits.back() == '%') digits.remove_suffix(1);
    std::string plain_digits;  // money written with thousands separators, without them
    if (in.kind == InputKind::kMoney) {
      // Thousands separators as Excel writes them: 1,234,567.89.
      if (digits.find(',') != std::string_view::npos) {
        std::string plain;
        const std::size_t point = digits.find('.');
        const std::string_view whole = digits.substr(0, point);
        // Groups of three after each comma, and one to three digits before the first.
        const std::size_t first_comma = whole.find(',');
        bool ok = first_comma >= 1 && first_comma <= 3;
        int since = 0;
        for (std::size_t i = whole.size(); i-- > 0;) {
          if (whole[i] == ',') {
            ok = ok && since == 3;
            since = 0;
          } else {
            ++since;
          }
        }
        for (const char c : digits) {
          if (c != ',') plain.push_back(c);
        }
        plain_digits = ok ? plain : std::string("x");
        digits = plain_digits;
      }
    }
    const int places = in.kind == InputKind::kMoney ? 2 : decimal::kPlaces;
    decimal::ParseError why{};
    const auto parsed = decimal::parse(digits, places, &why);
    if (!parsed) {
      const std::string shown = quoted();
      Message problem = not_a_number(v, shown);
      if (why == decimal::ParseError::kTooManyPlaces) {
        problem = in.kind == InputKind::kMoney ? msg::eng_fraction_of_fen(shown) : msg::eng_too_many_places(shown);
      } else if (why == decimal::ParseError::kOutOfRange) {
        problem = in.kind == InputKind::kMoney ? msg::eng_amount_too_large(shown, largest_amount())
                                               : msg::eng_number_too_large(shown, largest_number());
      }
      bad(f, row, input, problem);
      push_value(col, 0);
      return;
    }
    const std::int64_t value = *parsed;
    if (in.kind == InputKind::kCount && value % kOne != 0) {
      bad(f, row, input, msg::eng_not_whole_number(quoted()));
      push_value(col, 0);
      return;
    }
    const dsl::Symbol& s = *symbols_[input];
    if (!s.range.contains(value)) {
      bad(f, row, input, msg::eng_out_of_range(quoted()), DiagCode::out_of_range);
      push_value(col, 0);
      return;
    }
    push_value(col, value);
  }

  SourceSet& sources_;
  const dsl::CheckedPolicy& policy_;
  const LoadOptions& options_;
  DiagnosticSink& sink_;
  Dataset data_;
  std::string_view text_;
  std::size_t header_size_ = 0;
  std::size_t key_column_ = kUnmapped;
  std::size_t period_column_ = kUnmapped;
  std::vector<std::size_t> mapped_;
  std::vector<const dsl::Symbol*> symbols_;  ///< parallel to Module::inputs
  std::vector<std::uint32_t> first_row_;      ///< per key text id: its latest row (1-based), or 0
  std::vector<std::uint32_t> next_row_;       ///< per row: the row before it with the same key, or 0
  std::unordered_map<std::string, std::size_t> duplicates_;
  std::vector<std::string> header_names_;  ///< the header's names, trimmed
  const SheetTable* sheet_ = nullptr;  ///< the sheet the text was made from, when it was
  bool parallel_part_ = false;  ///< reads one part of a parallel load: no reports, no key chains
  bool failed_ = false;         ///< a part met an error (and stopped reading)
  bool mapped_text_ = false;    ///< text_ lies in a file mapping (load_mapped)
};

}  // namespace

namespace {

// A rolled-up policy's data, one row per subject and coarse period (rollup.hpp).
std::optional<Dataset> rolled_up(std::optional<Dataset> data, const dsl::CheckedPolicy& policy, DiagnosticSink& sink) {
  if (data && !detail::roll_up(policy, *data, sink)) return std::nullopt;
  if (data) data->strings.shrink_to_fit();  // the room reserved for one text a row, or doubled past it
  return data;
}

}  // namespace

std::optional<Dataset> load_csv(SourceSet& sources, const std::string& path, std::string_view bytes,
                                const dsl::CheckedPolicy& policy, const LoadOptions& options,
                                DiagnosticSink& sink) {
  Loader loader(sources, policy, options, sink);
  auto decoded = decode_text(bytes, options.encoding);
  if (const auto* err = std::get_if<DecodeError>(&decoded)) {
    loader.report_decode_error(path, bytes, *err);
    return std::nullopt;
  }
  return rolled_up(loader.load(path, std::get<DecodeResult>(std::move(decoded))), policy, sink);
}

std::optional<Dataset> load_csv(SourceSet& sources, const std::string& path, std::string&& bytes,
                                const dsl::CheckedPolicy& policy, const LoadOptions& options,
                                DiagnosticSink& sink) {
  Loader loader(sources, policy, options, sink);
  auto decoded = decode_owned_text(std::move(bytes), options.encoding);
  if (const auto* err = std::get_if<DecodeError>(&decoded)) {
    loader.report_decode_error(path, bytes, *err);  // on an error the bytes were not moved
    return std::nullopt;
  }
  return rolled_up(loader.load(path, std::get<DecodeResult>(std::move(decoded))), policy, sink);
}

namespace {

// Whether the data at `path` is a workbook; a usage error (reported, and nullopt) when it is not
// but the options name a sheet or a header row.
std::optional<bool> is_workbook(const std::string& path, std::string_view bytes, const LoadOptions& options, DiagnosticSink& sink) {
  if (looks_like_zip(bytes) || has_workbook_extension(path)) return true;
  const char* flag = options.sheet ? "--sheet" : options.header_row ? "--header-row" : nullptr;
  if (flag == nullptr) return false;
  Diagnostic d = diagnose(DiagCode::usage, Span{}, msg::xin_flag_not_workbook(flag, path), msg::xin_hint_flag_not_workbook(flag));
  d.file = path;
  sink.report(std::move(d));
  return std::nullopt;
}

// Reads the workbook of `bytes`; `done` lets go of the bytes once the sheet is read.
template <typename Done>
std::optional<Dataset> load_workbook(SourceSet& sources, const std::string& path, std::string_view bytes, const Done& done,
                                     const dsl::CheckedPolicy& policy, const LoadOptions& options, DiagnosticSink& sink) {
  SheetOptions sheet;
  sheet.sheet = options.sheet;
  sheet.header_row = options.header_row.value_or(1);
  auto table = read_xlsx(path, bytes, sheet, sink);
  if (!table) return std::nullopt;
  done();  // the workbook is read: its bytes are no longer needed
  Loader loader(sources, policy, options, sink);
  return rolled_up(loader.load_sheet(path, *table), policy, sink);
}

}  // namespace

std::optional<Dataset> load_data(SourceSet& sources, const std::string& path, std::string&& bytes,
                                 const dsl::CheckedPolicy& policy, const LoadOptions& options, DiagnosticSink& sink) {
  const auto workbook = is_workbook(path, bytes, options, sink);
  if (!workbook) return std::nullopt;
  if (!*workbook) return load_csv(sources, path, std::move(bytes), policy, options, sink);
  return load_workbook(sources, path, bytes, [&bytes] { std::string().swap(bytes); }, policy, options, sink);
}

std::optional<Dataset> load_data(SourceSet& sources, const std::string& path, FileBytes&& bytes,
                                 const dsl::CheckedPolicy& policy, const LoadOptions& options, DiagnosticSink& sink) {
  if (!bytes.mapped()) return load_data(sources, path, std::move(bytes).take(), policy, options, sink);
  const auto workbook = is_workbook(path, bytes.view(), options, sink);
  if (!workbook) return std::nullopt;
  if (*workbook) return load_workbook(sources, path, bytes.view(), [&bytes] { bytes.release(bytes.view()); }, policy, options, sink);
  Loader loader(sources, policy, options, sink);
  if (const auto bom = utf8_as_read(bytes.view(), options.encoding, options.threads)) {
    return rolled_up(loader.load_mapped(path, bytes, *bom), policy, sink);
  }
  auto decoded = decode_text(bytes.view(), options.encoding);
  if (const auto* err = std::get_if<DecodeError>(&decoded)) {
    loader.report_decode_error(path, bytes.view(), *err);
    return std::nullopt;
  }
  bytes.release(bytes.view());  // the decoded text is a copy
  return rolled_up(loader.load(path, std::get<DecodeResult>(std::move(decoded))), policy, sink);
}

std::vector<bool> inputs_to_skip(const dsl::CheckedPolicy& policy, const std::vector<dsl::SymbolId>& shown) {
  std::vector<bool> unread(policy.module.inputs.size(), !policy.module.rollup);
  const auto read = [&](dsl::SymbolId id) {
    if (id == dsl::kNoSymbol) return;
    const dsl::Symbol& s = policy.symbol(id);
    if (s.kind == dsl::SymbolKind::kInput) unread[s.index] = false;
  };
  for (const dsl::SymbolId id : policy.expr_ref) read(id);
  for (const dsl::SymbolId id : shown) read(id);
  return unread;
}

std::optional<ColumnMap> read_column_map(SourceSet& sources, const std::string& path, std::string text,
                                         const dsl::CheckedPolicy& policy, DiagnosticSink& sink) {
  // Decoded by the same rule as data (a column map written in Notepad on Chinese Windows is GBK).
  auto decoded = decode_owned_text(std::move(text), Encoding::kAuto);
  if (const auto* err = std::get_if<DecodeError>(&decoded)) {
    Message message = err->message;
    if (err->at_byte) {
      const std::size_t line_start = text.rfind('\n', err->offset) + 1;  // npos + 1 == 0
      const std::size_t line_end = std::min(text.find('\n', err->offset), text.size());
      const std::string_view line = std::string_view(text).substr(line_start, line_end - line_start);
      const std::string before = readable_bytes(line.substr(0, err->offset - line_start), err->reading);
      message = msg::eng_in_line(message, utf8::shorten(readable_bytes(line, err->reading), 60, before.size()));
    }
    // `--encoding` is for the data: the way out for a column map is to save it as UTF-8.
    Diagnostic d = diagnose(DiagCode::data_encoding, Span{}, std::move(message),
                            err->at_byte ? msg::eng_hint_column_map_utf8() : err->hint);
    d.file = path;
    d.line = static_cast<std::uint32_t>(err->line);
    d.column = static_cast<std::uint32_t>(err->column);
    sink.report(std::move(d));
    return std::nullopt;
  }
  const SourceId id = sources.add(path, std::move(std::get<DecodeResult>(decoded).text));
  const SourceFile& file = sources.get(id);
  auto span_at = [&](const toml::source_region& r) {
    const std::uint32_t start = file.line_start(static_cast<std::uint32_t>(r.begin.line));
    // toml++ columns count code points from 1; walk that many code points into the line.
    std::size_t pos = start;
    const std::string_view t = file.text();
    for (std::uint32_t c = 1; c < r.begin.column && pos < t.size() && t[pos] != '\n'; ++c) utf8::decode(t, pos);
    return Span{id, static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(std::min(pos + 1, t.size()))};
  };
  toml::table table;
  try {
    table = toml::parse(file.text(), path);
  } catch (const toml::parse_error& e) {
    const Span at = span_at(e.source());
    const bool non_ascii = at.begin < file.text().size() && static_cast<unsigned char>(file.text()[at.begin]) >= 0x80;
    sink.report(diagnose(DiagCode::column_map, at, msg::eng_column_map_toml(toml_error(e.description(), non_ascii)),
                         non_ascii                                ? msg::eng_hint_column_map_quote_keys()
                         : toml_unclosed_string(e.description()) ? msg::eng_hint_csv_close_quote()
                                                                  : msg::eng_hint_column_map_layout()));
    return std::nullopt;
  }
  ColumnMap map;
  const std::size_t errors_before = sink.error_count();
  const toml::table* columns = table["columns"].as_table();
  if (columns == nullptr) {
    sink.report(diagnose(DiagCode::column_map, Span{id, 0, 0}, msg::eng_column_map_no_table(), msg::eng_hint_column_map_layout()));
    return std::nullopt;
  }
  std::vector<std::string> inputs;
  for (const auto& in : policy.module.inputs) inputs.push_back(in.name.name);
  inputs.push_back(policy.symbol(policy.key).name);
  Suggester suggester;
  for (const auto& [k, v] : *columns) {
    const std::string name(k.str());
    const Span at = span_at(k.source());
    if (std::find(inputs.begin(), inputs.end(), name) == inputs.end()) {
      auto best = suggester.closest(name, inputs);
      sink.report(diagnose(DiagCode::column_map, at, msg::eng_column_map_unknown_input(name),
                           best ? msg::did_you_mean(*best) : msg::eng_hint_column_map_keys()));
      continue;
    }
    const auto* header = v.as_string();
    if (header == nullptr) {
      sink.report(diagnose(DiagCode::column_map, at, msg::eng_column_map_not_text(name), msg::eng_hint_column_map_write(name)));
      continue;
    }
    map.columns[name] = header->get();
  }
  if (sink.error_count() > errors_before) return std::nullopt;
  return map;
}

}  // namespace jixiao::engine
