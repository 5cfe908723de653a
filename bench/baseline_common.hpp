// What the hand-written baselines of bench/ share (baseline_3x.cpp, baseline_newcomer.cpp):
// reading a UTF-8 CSV file into views without allocating per cell, exact fixed-point numbers,
// checked cells, a unique-key set, the largest-remainder split to the fen and buffered output to a
// file renamed into place, and the driver (`--data FILE --out FILE`). Standard C++20 and POSIX
// only; no jixiao code. Each baseline includes it once, into its own program.
#pragma once

#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jixiao_baseline {

using std::int64_t;
using std::size_t;
using std::string_view;
using std::uint32_t;
using std::uint64_t;

__extension__ typedef __int128 Int128;  // for quotients of unbounded amounts

// ---------------------------------------------------------------------------------------------
// Errors: one line on stderr and an exit code, thrown up to main().

struct Failure {
  int exit_code;    // 1: the data (or the fund split); 2: usage or I/O
  std::string message;
};

[[noreturn]] void fail(int exit_code, std::string message) { throw Failure{exit_code, std::move(message)}; }

// ---------------------------------------------------------------------------------------------
// Fixed-point arithmetic. "raw" values are numbers × 10^6; money is in fen.

constexpr int64_t kOne = 1'000'000;       // raw 1
constexpr int64_t kHundred = 100 * kOne;  // raw 100: full marks of a `%` formula
constexpr int64_t kHundredth = kOne / 100;  // raw 0.01: the policy's precision (2 decimals)

/// n / d rounded half away from zero (四舍五入); d > 0. (The remainder is n − q × d rather than
/// n % d so that a constant d compiles to a multiplication, not a division instruction.)
constexpr int64_t div_round(int64_t n, int64_t d) {
  int64_t q = n / d;
  int64_t r = n - q * d;
  if (r < 0) r = -r;
  if (2 * r >= d) q += n < 0 ? -1 : 1;
  return q;
}
constexpr Int128 div_round(Int128 n, Int128 d) {
  Int128 q = n / d;
  Int128 r = n % d;
  if (r < 0) r = -r;
  if (2 * r >= d) q += n < 0 ? -1 : 1;
  return q;
}

/// raw × raw → raw (the language's `*` between numbers).
constexpr int64_t mul(int64_t a, int64_t b) { return div_round(a * b, kOne); }

/// `a / b * 100` for amounts a (unbounded) and b > 0, in fen: the quotient rounded to 6 decimals,
/// then × 100, raw. The quotient is computed in 128 bits, and a result too large to hold is an
/// error on the row, as in the language (`what` names the column and the expression).
inline int64_t money_percent(size_t row_number, int64_t a, int64_t b, const char* what) {
  constexpr int64_t kNarrow = std::numeric_limits<int64_t>::max() / kOne;  // |a| up to ~9.2 × 10^10元
  const Int128 ratio = a <= kNarrow && a >= -kNarrow ? Int128{div_round(a * kOne, b)} : div_round(Int128{a} * kOne, Int128{b});
  int64_t percent = 0;
  if (ratio > std::numeric_limits<int64_t>::max() || ratio < std::numeric_limits<int64_t>::min() ||
      __builtin_mul_overflow(static_cast<int64_t>(ratio), int64_t{100}, &percent)) {
    fail(1, "row " + std::to_string(row_number) + ", " + what + " is too large to hold exactly");
  }
  return percent;
}

// ---------------------------------------------------------------------------------------------
// A policy's inputs: type and declared range.

enum class Kind { kText, kPercent, kScore, kCount, kNumber, kMoney, kTextList };

struct InputSpec {
  string_view name;
  Kind kind;
  bool has_lo, has_hi;
  int64_t lo, hi;  // raw, or fen for money
};
// ---------------------------------------------------------------------------------------------
// Reading the file.

/// The bytes of the data file, writable (a private mapping, or a buffer for pipes): quoted fields
/// are unescaped in place.
class FileText {
 public:
  explicit FileText(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(2, "cannot read data file `" + path + "`: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      size_ = static_cast<size_t>(st.st_size);
      void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        ::madvise(p, size_, MADV_SEQUENTIAL);
        mapped_ = static_cast<char*>(p);
        ::close(fd);
        return;
      }
    }
    // Not a regular file (or mapping failed): read it all.
    size_ = 0;
    for (;;) {
      if (buffer_.size() - size_ < 65536) buffer_.resize(std::max<size_t>(1 << 20, buffer_.size() * 2));
      const ssize_t n = ::read(fd, buffer_.data() + size_, buffer_.size() - size_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int e = errno;
        ::close(fd);
        fail(2, "cannot read data file `" + path + "`: " + std::strerror(e));
      }
      if (n == 0) break;
      size_ += static_cast<size_t>(n);
    }
    ::close(fd);
  }
  FileText(const FileText&) = delete;
  FileText& operator=(const FileText&) = delete;
  ~FileText() {
    if (mapped_ != nullptr) ::munmap(mapped_, size_);
  }
  char* data() { return mapped_ != nullptr ? mapped_ : buffer_.data(); }
  [[nodiscard]] size_t size() const { return size_; }

 private:
  char* mapped_ = nullptr;
  std::vector<char> buffer_;
  size_t size_ = 0;
};

/// Throws unless `s` is well-formed UTF-8 (jixiao would read a non-UTF-8 file as GB18030; this
/// baseline reads UTF-8 only, so it refuses rather than write different results).
void check_utf8(string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {  // eight ASCII bytes at a time
      uint64_t word = 0;
      std::memcpy(&word, p + i, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80;  // allowed second byte (no overlongs, no surrogates)
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    bool ok = len > 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) {
      const unsigned char cc = p[i + k];
      ok = cc >= (k == 1 ? lo : 0x80) && cc <= (k == 1 ? hi : 0xBF);
    }
    if (!ok) {
      const auto line = 1 + std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(i), '\n');
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned>(c));
      fail(1, "the data is not valid UTF-8 (byte " + std::string(byte) + " at line " + std::to_string(line) +
                  "); this baseline reads UTF-8 only");
    }
    i += len;
  }
}

/// A CSV reader over the text, RFC 4180 with jixiao's tolerances: LF or CRLF line ends, empty
/// lines skipped, quoted fields with "" for a quote (unescaped in place). Fields are views into
/// the text; `next` reuses the caller's vector.
class CsvReader {
 public:
  CsvReader(char* text, size_t size) : t_(text), n_(size) {
    if (string_view(t_, n_).starts_with("\xEF\xBB\xBF")) pos_ = 3;  // UTF-8 byte order mark
  }

  bool next(std::vector<string_view>& fields) {
    fields.clear();
    while (pos_ < n_) {  // skip empty lines (a CR before LF or the end counts as a line end)
      if (t_[pos_] == '\n' || (t_[pos_] == '\r' && (pos_ + 1 == n_ || t_[pos_ + 1] == '\n'))) {
        ++pos_;
      } else {
        break;
      }
    }
    if (pos_ >= n_) return false;
    ++record_;
    for (;;) {
      if (t_[pos_] == '"') {
        read_quoted(fields);
      } else {
        const size_t start = pos_;
        size_t i = start;
        while (i < n_ && !kStops[static_cast<unsigned char>(t_[i])]) ++i;
        if (i < n_ && t_[i] == '"') fail(1, where() + ": a `\"` inside an unquoted field");
        size_t end = i;
        if ((i == n_ || t_[i] == '\n') && end > start && t_[end - 1] == '\r') --end;  // CRLF
        fields.emplace_back(t_ + start, end - start);
        pos_ = i;
      }
      // At the separator, at the LF that ends the record, or at the end of the text.
      if (pos_ >= n_) return true;
      if (t_[pos_++] == ',') {
        if (pos_ == n_) {  // a trailing comma at the very end: one more, empty field
          fields.emplace_back(t_ + pos_, 0);
          return true;
        }
        continue;
      }
      return true;  // consumed the LF
    }
  }

  /// "row N" for data records (the header is record 0).
  [[nodiscard]] std::string where() const {
    return record_ <= 1 ? std::string("the header") : "row " + std::to_string(record_ - 1);
  }

 private:
  void read_quoted(std::vector<string_view>& fields) {
    const size_t open = pos_;
    char* out = t_ + open + 1;  // write position of the unescaped text (in place)
    size_t from = open + 1;
    for (;;) {
      const void* hit = from < n_ ? std::memchr(t_ + from, '"', n_ - from) : nullptr;
      if (hit == nullptr) fail(1, where() + ": a quoted field is never closed");
      const auto quote = static_cast<size_t>(static_cast<const char*>(hit) - t_);
      const size_t len = quote - from;
      if (out != t_ + from) std::memmove(out, t_ + from, len);
      out += len;
      if (quote + 1 < n_ && t_[quote + 1] == '"') {  // "" is one quote
        *out++ = '"';
        from = quote + 2;
        continue;
      }
      fields.emplace_back(t_ + open + 1, static_cast<size_t>(out - (t_ + open + 1)));
      const size_t after = quote + 1;
      if (after >= n_ || t_[after] == ',' || t_[after] == '\n') {
        pos_ = after;
      } else if (t_[after] == '\r' && (after + 1 == n_ || t_[after + 1] == '\n')) {
        pos_ = after + 1;
      } else {
        fail(1, where() + ": unexpected text after the closing quote of a field");
      }
      return;
    }
  }

  /// The bytes that end an unquoted field: the separator, LF, and a stray quote (an error).
  static constexpr std::array<bool, 256> kStops = [] {
    std::array<bool, 256> stops{};
    stops[','] = stops['\n'] = stops['"'] = true;
    return stops;
  }();

  char* t_;
  size_t n_;
  size_t pos_ = 0;
  size_t record_ = 0;
};

inline string_view trim(string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Parsing a cell.

enum class ParseError { kNone, kNotANumber, kTooManyPlaces, kTooLarge };

/// `[+-]digits[.digits]` into an integer with `places` decimals (6: raw; 2: 元 → fen). Extra
/// decimals are accepted only when they are zeros; no exponent. With `skip_commas`, commas are
/// ignored (thousands separators, already checked by the caller).
ParseError parse_decimal(string_view s, int places, bool skip_commas, int64_t& out) {
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  size_t i = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    i = 1;
  }
  uint64_t value = 0;
  int digits = 0;
  int frac = 0;
  bool point = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      if (point) return ParseError::kNotANumber;
      point = true;
      continue;
    }
    if (c == ',' && skip_commas) continue;
    if (c < '0' || c > '9') return ParseError::kNotANumber;
    if (point) {
      if (frac == places) {
        if (c != '0') return ParseError::kTooManyPlaces;
        continue;
      }
      ++frac;
    }
    const auto d = static_cast<uint64_t>(c - '0');
    if (value >= kMax / 10 && value > (kMax - d) / 10) return ParseError::kTooLarge;
    value = value * 10 + d;
    ++digits;
  }
  if (digits == 0) return ParseError::kNotANumber;
  constexpr std::array<uint64_t, 7> kPow10 = {1, 10, 100, 1'000, 10'000, 100'000, 1'000'000};
  const uint64_t scale = kPow10[static_cast<size_t>(places - frac)];
  if (value > kMax / scale) return ParseError::kTooLarge;
  value *= scale;
  out = negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
  return ParseError::kNone;
}

/// Thousands separators in an amount as Excel writes them (1,234,567.89): one to three
/// characters before the first comma, then groups of three, in the part before the point.
bool thousands_ok(string_view v) {
  const string_view whole = v.substr(0, v.find('.'));
  const size_t first = whole.find(',');
  if (first == string_view::npos || first < 1 || first > 3) return false;
  int since = 0;
  for (size_t i = whole.size(); i-- > 0;) {
    if (whole[i] == ',') {
      if (since != 3) return false;
      since = 0;
    } else {
      ++since;
    }
  }
  return true;
}

std::string expected(const InputSpec& in) {
  auto num = [](int64_t raw) {
    std::string s = std::to_string(raw / kOne);
    if (raw % kOne != 0) {
      std::string f = std::to_string(raw % kOne + kOne).substr(1);
      while (f.back() == '0') f.pop_back();
      s += "." + f;
    }
    return s;
  };
  switch (in.kind) {
    case Kind::kPercent: return "a percentage from 0 to 100, e.g. `85` or `85.5%`";
    case Kind::kScore: return "a score from " + num(in.lo) + " to " + num(in.hi) + ", e.g. `85` or `85.5`";
    case Kind::kNumber: return "a number from " + num(in.lo) + " to " + num(in.hi);
    case Kind::kCount:
      return in.has_hi ? "a whole number from " + num(in.lo) + " to " + num(in.hi) : "a whole number of 0 or more";
    case Kind::kMoney:
      return in.has_hi ? "an amount in 元 from " + std::to_string(in.lo / 100) + " to " + std::to_string(in.hi / 100)
                       : "an amount in 元 with at most 2 decimals";
    default: return "a text";
  }
}

[[noreturn]] void bad_cell(size_t row, const InputSpec& in, string_view v, const std::string& problem) {
  fail(1, "row " + std::to_string(row) + ", column `" + std::string(in.name) + "`: `" + std::string(v) + "` " + problem +
              " (expected " + expected(in) + ")");
}

/// A numeric cell (score, percent, count, number, money), checked against its type and range.
int64_t read_number(size_t row, const InputSpec& in, string_view v) {
  const string_view shown = v;
  if (v.empty()) bad_cell(row, in, v, "is empty");
  if (in.kind == Kind::kPercent && v.back() == '%') v.remove_suffix(1);
  bool commas = false;
  if (in.kind == Kind::kMoney && v.find(',') != string_view::npos) {
    if (!thousands_ok(v)) bad_cell(row, in, shown, "is not a number");
    commas = true;
  }
  int64_t value = 0;
  switch (parse_decimal(v, in.kind == Kind::kMoney ? 2 : 6, commas, value)) {
    case ParseError::kNone: break;
    case ParseError::kNotANumber: bad_cell(row, in, shown, "is not a number");
    case ParseError::kTooManyPlaces:
      bad_cell(row, in, shown, in.kind == Kind::kMoney ? "has a fraction of a fen" : "has more than 6 decimal places");
    case ParseError::kTooLarge: bad_cell(row, in, shown, "is too large");
  }
  if (in.kind == Kind::kCount && value % kOne != 0) bad_cell(row, in, shown, "is not a whole number");
  if ((in.has_lo && value < in.lo) || (in.has_hi && value > in.hi)) bad_cell(row, in, shown, "is outside the declared range");
  return value;
}

/// veto 负面清单否决 when 违规事项 any_in 负面清单: the items of a list cell are separated by `;`,
/// `；`, `、` or `|` and trimmed; empty items are dropped. (The text is valid UTF-8, so the
/// multi-byte separators can be matched byte by byte.)

/// `list any_in set`: the items of a list cell are separated by `;`, `；`, `、` or `|` and
/// trimmed; empty items are dropped. (The text is valid UTF-8, so the multi-byte separators can be
/// matched byte by byte.)
template <class Set>
bool any_in(string_view list, const Set& set) {
  size_t start = 0;
  for (size_t i = 0; i <= list.size();) {
    size_t sep = 0;  // length of the separator at i, 0 if none
    if (i == list.size() || list[i] == ';' || list[i] == '|') {
      sep = 1;
    } else if (list.substr(i, 3) == "；" || list.substr(i, 3) == "、") {
      sep = 3;
    }
    if (sep == 0) {
      ++i;
      continue;
    }
    const string_view item = trim(list.substr(start, i - start));
    if (!item.empty() && std::find(set.begin(), set.end(), item) != set.end()) return true;
    i += sep;
    start = i;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Scoring one community.

/// Points of a weighted leaf (a `%` item) in hundredths: the formula's value clamped into
/// [0, 100], scaled to the leaf's full marks (its weight in points, e.g. 设施覆盖率 15% → 15)
/// and rounded to 6 decimals, then rounded to the policy's precision, 2 decimals. Two roundings,
/// both half away from zero, as the language defines.
constexpr int64_t leaf(int64_t value, int64_t full_points) {
  const int64_t v = std::clamp<int64_t>(value, 0, kHundred);
  const int64_t points = div_round(v * full_points * kOne, kHundred);
  return div_round(points, kHundredth);
}


// ---------------------------------------------------------------------------------------------
// The key (社区编码) must be unique: an open-addressing hash set of row numbers, sized once for the number
// of lines (at most half full), each slot holding 32 bits of the key's hash beside the row so that
// a probe rarely has to look at the key text. `Row` has the key's place in the text: key_at, key_len.

template <class Row>
class KeySet {
 public:
  KeySet(const char* text, const std::vector<Row>& rows, size_t max_rows) : text_(text), rows_(rows) {
    size_t capacity = 1024;
    while (capacity < 2 * max_rows) capacity *= 2;
    slots_.assign(capacity, 0);
  }

  /// The hash of row index `r`'s key (already in rows[r]); starts loading its slot, so that a
  /// later `insert` rarely waits for memory.
  uint64_t prepare(uint32_t r) const {
    const uint64_t h = hash(key_of(r));
    __builtin_prefetch(&slots_[static_cast<size_t>(h) & (slots_.size() - 1)]);
    return h;
  }

  /// Adds row index `r` with its key's hash `h`; returns the earlier row with the same key, or -1.
  int64_t insert(uint32_t r, uint64_t h) {
    const string_view key = key_of(r);
    const uint64_t tag = h >> 32;
    const size_t mask = slots_.size() - 1;
    for (size_t i = static_cast<size_t>(h) & mask;; i = (i + 1) & mask) {
      const uint64_t slot = slots_[i];
      if (slot == 0) {
        slots_[i] = tag << 32 | (uint64_t{r} + 1);
        return -1;
      }
      const auto other = static_cast<uint32_t>(slot) - 1;
      if (slot >> 32 == tag && key_of(other) == key) return other;
    }
  }

 private:
  [[nodiscard]] string_view key_of(uint32_t r) const { return {text_ + rows_[r].key_at, rows_[r].key_len}; }

  /// Eight bytes at a time, then a 64-bit finalizer (splitmix64's).
  static uint64_t hash(string_view s) {
    uint64_t h = s.size() * 0x9E3779B97F4A7C15ULL;
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t w = 0;
      std::memcpy(&w, s.data() + i, 8);
      h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
      h ^= h >> 31;
    }
    uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    h ^= w;
    h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
    h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
    return h ^ (h >> 31);
  }

  const char* text_;
  const std::vector<Row>& rows_;
  std::vector<uint64_t> slots_;
};

// ---------------------------------------------------------------------------------------------
// A fund's track: largest-remainder splits to the fen, ties by the key.

/// Splits `pool` fen among the rows `who` in proportion to `weight(row)` (>= 0): each row gets
/// floor(pool × w / W); the fen left over go one each to the rows with the largest remainders,
/// equal remainders by the key, in byte order (keys are unique). Adds the shares to `row.*share`. False when
/// the weights add up to 0 (nobody can receive the pool).
template <class Row, class Weight>
bool split_largest_remainder(int64_t pool, const std::vector<uint32_t>& who, Weight weight, const char* text,
                             std::vector<Row>& rows, int64_t Row::*share) {
  uint64_t total = 0;
  for (const uint32_t r : who) total += weight(rows[r]);
  if (total == 0) return false;
  struct Candidate {
    uint64_t remainder;
    uint32_t row;
  };
  std::vector<Candidate> candidates;
  uint64_t paid = 0;
  const auto p = static_cast<uint64_t>(pool);
  for (const uint32_t r : who) {
    const uint64_t product = p * weight(rows[r]);
    const uint64_t q = product / total;
    rows[r].*share += static_cast<int64_t>(q);
    paid += q;
    if (product != q * total) candidates.push_back({product - q * total, r});
  }
  // The sum of the remainders is (pool − paid) × total and each is below total: there are always
  // more candidates than fen left over.
  const size_t left = static_cast<size_t>(p - paid);
  if (left > 0) {
    auto first = [&](const Candidate& a, const Candidate& b) {
      if (a.remainder != b.remainder) return a.remainder > b.remainder;
      return string_view(text + rows[a.row].key_at, rows[a.row].key_len) <
             string_view(text + rows[b.row].key_at, rows[b.row].key_len);
    };
    const auto nth = candidates.begin() + static_cast<std::ptrdiff_t>(left);
    if (left < candidates.size()) std::nth_element(candidates.begin(), nth, candidates.end(), first);
    for (auto it = candidates.begin(); it != nth; ++it) rows[it->row].*share += 1;
  }
  return true;
}


/// The rows (indexes, in file order) for which `eligible(row)` holds: a track's recipients.
template <class Row, class Eligible>
std::vector<uint32_t> rows_where(const std::vector<Row>& rows, Eligible eligible) {
  std::vector<uint32_t> who;
  who.reserve(rows.size());
  for (uint32_t r = 0; r < rows.size(); ++r) {
    if (eligible(rows[r])) who.push_back(r);
  }
  return who;
}

/// Conservation: every fen of the pool was paid, exactly (`paid(row)` is a row's whole share).
template <class Row, class Paid>
void check_paid_out(const std::vector<Row>& rows, int64_t pool_fen, Paid paid) {
  int64_t total = 0;
  for (const Row& r : rows) total += paid(r);
  if (total != pool_fen) fail(1, "internal error: paid " + std::to_string(total) + " fen of " + std::to_string(pool_fen));
}

/// `split among top p% by V`: keeps in `who` the floor(n × p / 100) rows (at least one) with the
/// highest `value(row)`, equal values by the key (in no particular order).
template <class Row, class Value>
void keep_top_percent(std::vector<uint32_t>& who, size_t percent, Value value, const char* text, const std::vector<Row>& rows) {
  size_t top = who.size() * percent / 100;
  if (top == 0 && !who.empty()) top = 1;
  auto better = [&](uint32_t a, uint32_t b) {
    if (value(rows[a]) != value(rows[b])) return value(rows[a]) > value(rows[b]);
    return string_view(text + rows[a].key_at, rows[a].key_len) < string_view(text + rows[b].key_at, rows[b].key_len);
  };
  if (top < who.size()) {
    std::nth_element(who.begin(), who.begin() + static_cast<std::ptrdiff_t>(top), who.end(), better);
    who.resize(top);
  }
}

/// The error of a track whose eligible rows' weights add up to 0: the money cannot be paid.
[[noreturn]] inline void cannot_pay(const std::string& track, int64_t pool_fen, size_t eligible) {
  fail(1, "track `" + track + "` cannot pay out its " + std::to_string(pool_fen / 100) +
              ".00元: the weights add up to 0 (" + std::to_string(eligible) + " eligible rows)");
}

// ---------------------------------------------------------------------------------------------
// Writing the results.

/// Buffered writes to a temporary file beside the target, renamed over it by `commit`: a reader
/// never sees half a file, nothing is left behind on failure, and `--out` may even name the data
/// file (which is still mapped while the results are written).
class Output {
 public:
  explicit Output(const std::string& path) : path_(path), temp_(path + ".tmp.XXXXXX"), buffer_(new char[kSize]) {
    fd_ = ::mkstemp(temp_.data());
    if (fd_ < 0) fail(2, "cannot create a file beside `" + path + "`: " + std::strerror(errno));
  }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(temp_.c_str());
    }
  }

  void text(string_view s) {
    if (kSize - used_ < s.size()) flush();
    if (s.size() > kSize) {
      write_all(s.data(), s.size());
      return;
    }
    std::memcpy(buffer_.get() + used_, s.data(), s.size());
    used_ += s.size();
  }
  void ch(char c) {
    if (used_ == kSize) flush();
    buffer_[used_++] = c;
  }
  /// A CSV cell: quoted (with "" for ") when it holds a comma, a quote or a line break.
  void cell(string_view s) {
    if (std::none_of(s.begin(), s.end(), [](char c) { return c == ',' || c == '"' || c == '\n' || c == '\r'; })) {
      return text(s);
    }
    ch('"');
    for (const char c : s) {
      if (c == '"') ch('"');
      ch(c);
    }
    ch('"');
  }
  /// A non-negative integer in hundredths with two decimals: 7533 → "75.33" (scores; fen as 元).
  void hundredths(int64_t v) {
    char digits[24];
    char* p = digits + sizeof digits;
    auto u = static_cast<uint64_t>(v);
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
    *--p = '.';
    do {
      *--p = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u != 0);
    text(string_view(p, static_cast<size_t>(digits + sizeof digits - p)));
  }
  /// The 触发规则 cell: the names of the rules that fired, in the order the policy writes them,
  /// separated by `;`.
  void reasons(std::initializer_list<std::pair<bool, string_view>> rules) {
    bool first = true;
    for (const auto& [fired, name] : rules) {
      if (!fired) continue;
      if (!first) ch(';');
      text(name);
      first = false;
    }
  }
  /// Writes what is buffered, gives the file the usual permissions (mkstemp makes it 0600) and
  /// renames it to the target.
  void commit() {
    flush();
    const mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd_, 0666 & ~mask) != 0) io_error();
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0 || std::rename(temp_.c_str(), path_.c_str()) != 0) {
      const int e = errno;
      ::unlink(temp_.c_str());
      errno = e;
      io_error();
    }
  }

 private:
  static constexpr size_t kSize = size_t{1} << 20;

  void flush() {
    write_all(buffer_.get(), used_);
    used_ = 0;
  }
  void write_all(const char* p, size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) io_error();
      p += w;
      n -= static_cast<size_t>(w);
    }
  }

  [[noreturn]] void io_error() const { fail(2, "cannot write `" + path_ + "`: " + std::strerror(errno)); }

  std::string path_;
  std::string temp_;
  std::unique_ptr<char[]> buffer_;
  size_t used_ = 0;
  int fd_ = -1;
};


// ---------------------------------------------------------------------------------------------
// The pass over the rows, and the driver.

/// Reads every data row of the CSV text in file order, checks each numeric cell against its
/// input's type and range (text and list cells are left to `score`), checks that the key column
/// `key_name` is present, non-empty and unique, and calls `score(row_number, values, cells, row)`
/// with the parsed numbers (raw, or fen for money) and the trimmed cells of `inputs`, in order.
template <class Row, size_t N, class Score>
std::vector<Row> read_rows(char* text, size_t size, const std::string& data_path, string_view key_name,
                           const std::array<InputSpec, N>& inputs, Score score) {
  CsvReader csv(text, size);
  std::vector<string_view> fields;
  if (!csv.next(fields)) fail(1, "`" + data_path + "` is empty: it has no header row");

  // The header: find every column by its name.
  const size_t width = fields.size();
  auto column = [&](string_view name) {
    size_t found = width;
    for (size_t i = 0; i < width; ++i) {
      if (trim(fields[i]) != name) continue;
      if (found != width) fail(1, "the header names column `" + std::string(name) + "` twice");
      found = i;
    }
    if (found == width) fail(1, "`" + data_path + "` has no column `" + std::string(name) + "`");
    return found;
  };
  const size_t key_column = column(key_name);
  std::array<size_t, N> input_column{};
  for (size_t i = 0; i < N; ++i) input_column[i] = column(inputs[i].name);

  // At most one row per line: size the rows and the key set once.
  size_t lines = 1;
  for (const char* p = text; (p = static_cast<const char*>(std::memchr(p, '\n', size - static_cast<size_t>(p - text)))) != nullptr; ++p) {
    ++lines;
  }
  std::vector<Row> rows;
  rows.reserve(lines);
  KeySet<Row> keys(text, rows, lines);

  std::array<int64_t, N> values{};
  std::array<string_view, N> cells{};
  while (csv.next(fields)) {
    const size_t row_number = rows.size() + 1;
    if (fields.size() != width) {
      fail(1, "row " + std::to_string(row_number) + " has " + std::to_string(fields.size()) + " fields, the header has " +
                  std::to_string(width));
    }
    Row& r = rows.emplace_back();
    const string_view key = trim(fields[key_column]);
    if (key.empty()) fail(1, "row " + std::to_string(row_number) + ", column `" + std::string(key_name) + "`: the key is empty");
    r.key_at = static_cast<uint32_t>(key.data() - text);
    r.key_len = static_cast<uint32_t>(key.size());
    const uint64_t key_hash = keys.prepare(static_cast<uint32_t>(row_number - 1));
    for (size_t i = 0; i < N; ++i) {
      cells[i] = trim(fields[input_column[i]]);
      if (inputs[i].kind != Kind::kText && inputs[i].kind != Kind::kTextList) values[i] = read_number(row_number, inputs[i], cells[i]);
    }
    score(row_number, values, cells, r);
    if (const int64_t earlier = keys.insert(static_cast<uint32_t>(row_number - 1), key_hash); earlier >= 0) {
      fail(1, "row " + std::to_string(row_number) + ", column `" + std::string(key_name) + "`: key `" + std::string(key) +
                  "` already appears in row " + std::to_string(earlier + 1));
    }
  }
  return rows;
}

/// Checks that the data file is under 4 GiB (rows keep 32-bit offsets) and is UTF-8.
inline void check_data(FileText& file) {
  if (file.size() > std::numeric_limits<uint32_t>::max()) fail(1, "the data file is 4 GiB or larger, which is not supported");
  check_utf8(string_view(file.data(), file.size()));
}

/// A baseline's whole run: maps the data file, reads and scores its rows (`read_rows`), lets
/// `allocate(text, rows)` split the funds and `write(out_path, text, rows)` write the results.
/// Not inlined into main(): GCC optimizes main() as code that runs once (for size, e.g. a division
/// instruction instead of a multiplication for a constant divisor), which would apply to every
/// function inlined into it.
template <class Row, size_t N, class Score, class Allocate, class Write>
[[gnu::noinline]] void evaluate_file(const std::string& data_path, const std::string& out_path, string_view key_name,
                                     const std::array<InputSpec, N>& inputs, Score score, Allocate allocate, Write write) {
  FileText file(data_path);
  check_data(file);
  char* text = file.data();
  std::vector<Row> rows = read_rows<Row>(text, file.size(), data_path, key_name, inputs,
                                         [&score, text](size_t row_number, const std::array<int64_t, N>& v,
                                                        const std::array<string_view, N>& cells,
                                                        Row& r) { score(text, row_number, v, cells, r); });
  allocate(text, rows);
  write(out_path, text, rows);
}

/// The command line `NAME --data FILE --out FILE`: calls `run(data, out)` and turns a Failure into
/// its message on stderr and its exit code.
template <class Run>
int baseline_main(int argc, char** argv, const char* name, const char* usage, Run run) {
  std::string data;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(usage, stdout);
      return 0;
    }
    if ((a == "--data" || a == "--out") && i + 1 < argc && argv[i + 1][0] != '\0') {
      (a == "--data" ? data : out) = argv[++i];
      continue;
    }
    std::fprintf(stderr, "%s: error: %s\n%s", name,
                 a == "--data" || a == "--out" ? (std::string(a) + " needs a file name").c_str()
                                               : ("unknown argument `" + std::string(a) + "`").c_str(),
                 usage);
    return 2;
  }
  if (data.empty() || out.empty()) {
    std::fprintf(stderr, "%s: error: both --data and --out are required\n%s", name, usage);
    return 2;
  }
  try {
    run(data, out);
  } catch (const Failure& f) {
    std::fprintf(stderr, "%s: error: %s\n", name, f.message.c_str());
    return f.exit_code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", name, e.what());
    return 2;
  }
  return 0;
}

}  // namespace jixiao_baseline
