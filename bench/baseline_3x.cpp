// jixiao_baseline_3x: a hand-written evaluator for ONE fixed policy, examples/3x/policy.jx
// (社区服务中心绩效评价(3+X) 2024.1, default params), written the way a careful engineer would
// write it without a rules engine. It is the baseline that jixiao's speed and memory are compared
// against, and a second, independent implementation of the policy's semantics: its output must be
// byte-identical to
//
//     jixiao eval examples/3x/policy.jx --data FILE --out OUT
//
// It shares no code with jixiao: standard C++20 and POSIX only, no jixiao headers or libraries.
// The rules below were re-derived from the policy text and docs/language.md ("Numbers", "The
// order rules apply in") and docs/allocation.md.
//
// Usage: jixiao_baseline_3x --data FILE --out FILE
//   exit 0 on success; 1 when the data is bad (one line naming the row and column on stderr) or
//   the fund cannot be split; 2 on usage and I/O errors.
//
// How it works:
//   - the file is mapped (or read) once and checked to be UTF-8 (unlike jixiao, this baseline
//     does not read GB18030 files from Excel: it refuses them rather than write other results);
//   - one pass over the CSV reads, checks and scores every row: fields are string_views into the
//     text (quoted fields with "" are unescaped in place, in the private mapping), so there is no
//     allocation per cell or per row; 社区编码 is checked to be unique in a hash set;
//   - numbers are exact fixed-point integers: scores at scale 10^6 ("raw"), money in whole fen;
//     every * and / rounds half away from zero (四舍五入) once, to 6 decimals, exactly where the
//     policy language rounds; every indicator score is then kept in hundredths (precision 2);
//   - after the pass, the fund 运营补助 (资金池 2000万元) is split: 绩效分配 70% by
//     基础额度 × coef(等级), exactly (a weight is never rounded: 123456.78元 × 0.65 is
//     80246.907元), 创新奖励 30% among the top 10% by 总分.创新层 in proportion to it, each by the
//     largest-remainder method to the fen, ties by 社区编码;
//   - the results are written in file order through a 1 MiB buffer.
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
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using std::int64_t;
using std::size_t;
using std::string_view;
using std::uint32_t;
using std::uint64_t;

__extension__ typedef __int128 Int128;  // only for 自筹资金 / 运营支出, whose 自筹资金 is unbounded

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

// ---------------------------------------------------------------------------------------------
// The policy, examples/3x/policy.jx, as constants.

// param 持证社工目标 = 50
constexpr int64_t kCertifiedTarget = 50 * kOne;

// deduct 投诉扣分 0.5 per 有效投诉次数, max 10 (in hundredths of a point)
constexpr int64_t kDeductPerComplaint = 50;
constexpr int64_t kDeductMax = 1000;

// set 负面清单
constexpr std::array<string_view, 9> kNegativeList = {
    "挪用专项资金", "虚报服务数据", "违规发包", "截留克扣补助", "超范围列支",
    "以拨代支",     "套取财政资金", "违规收费", "拒不整改"};

// grade 等级 of 总分 { A [90, 100]  B [75, 90)  C [60, 75)  D [0, 60) }, in hundredths
enum Grade : std::uint8_t { kA, kB, kC, kD };
constexpr std::array<string_view, 4> kGradeNames = {"A", "B", "C", "D"};

// alert 预警 of 总分: red [0, 60), yellow [60, 75), blue [75, 100]; 期限 and 措施 per colour. The
// 措施 of red and yellow contain a comma, so they are written quoted.
enum Alert : std::uint8_t { kRed, kYellow, kBlue };
constexpr std::array<string_view, 3> kAlertCells = {
    "red,3天,\"触发应急响应, 3日内整改\"",
    "yellow,5个工作日,\"启动专家会诊, 5个工作日内提出方案\"",
    "blue,,纳入常规管理",
};

// fund 运营补助 pool 资金池 (param 资金池 = 2000万元): track 绩效分配 70%, track 创新奖励 30%.
// 70% and 30% of 2,000,000,000 fen are whole fen, so the split into tracks leaves no remainder.
constexpr int64_t kPoolFen = 2000'0000'00;
constexpr int64_t kPerformancePoolFen = kPoolFen * 70 / 100;
constexpr int64_t kInnovationPoolFen = kPoolFen - kPerformancePoolFen;
static_assert(kPoolFen * 70 % 100 == 0);

// coef(等级) { A 0.9, B 0.65, C 0.4, D 0 } in twentieths: 18/20, 13/20, 8/20, 0. 基础额度 (fen) times
// these is the exact weight 基础额度 × coef(等级), in twentieths of a fen.
constexpr std::array<int64_t, 4> kGradeCoefTwentieths = {18, 13, 8, 0};

// Bounds that keep the fund arithmetic in 64 bits: 基础额度 is at most 2,000,000元, so a 绩效分配
// weight is at most 3.6 × 10^9 twentieths of a fen; an 创新层 score is at most 20 points (2,000
// hundredths).
constexpr int64_t kMaxBaseFen = 2'000'000 * int64_t{100};
constexpr uint64_t kMaxPerformanceWeight = kMaxBaseFen * 18;
static_assert(static_cast<uint64_t>(kPerformancePoolFen) * kMaxPerformanceWeight <
              static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
static_assert(kMaxPerformanceWeight * (uint64_t{1} << 32) < std::numeric_limits<uint64_t>::max());

// ---------------------------------------------------------------------------------------------
// The inputs, in the order of the policy's `input { ... }` block, with their types and ranges.

enum class Kind { kText, kPercent, kScore, kCount, kNumber, kMoney, kTextList };

struct InputSpec {
  string_view name;
  Kind kind;
  bool has_lo, has_hi;
  int64_t lo, hi;  // raw, or fen for money
};

constexpr InputSpec kInputs[] = {
    {"所属街道", Kind::kText, false, false, 0, 0},
    {"设施覆盖率", Kind::kPercent, true, true, 0, kHundred},
    {"服务可达性", Kind::kPercent, true, true, 0, kHundred},
    {"持证社工比例", Kind::kPercent, true, true, 0, kHundred},
    {"需求匹配度", Kind::kScore, true, true, 0, kHundred},
    {"服务质量评分", Kind::kScore, true, true, 0, kHundred},
    {"居民评分", Kind::kScore, true, true, 0, kHundred},
    {"第三方评分", Kind::kScore, true, true, 0, kHundred},
    {"部门评分", Kind::kScore, true, true, 0, kHundred},
    {"智慧化水平", Kind::kScore, true, true, 0, kHundred},
    {"品牌项目数", Kind::kCount, true, true, 0, 50 * kOne},
    {"模式创新评分", Kind::kScore, true, true, 0, kHundred},
    {"自筹资金", Kind::kMoney, false, false, 0, 0},
    {"运营支出", Kind::kMoney, true, true, 100, 100'000'000 * int64_t{100}},
    {"资源整合度", Kind::kScore, true, true, 0, kHundred},
    {"志愿服务时长", Kind::kNumber, true, true, 0, 100'000 * kOne},
    {"有效投诉次数", Kind::kCount, true, false, 0, 0},
    {"违规事项", Kind::kTextList, false, false, 0, 0},
    {"基础额度", Kind::kMoney, true, true, 0, kMaxBaseFen},
};
constexpr size_t kInputCount = std::size(kInputs);

enum Input : size_t {
  kStreet, kCoverage, kAccess, kCertified, kNeedMatch, kQuality, kResident, kThirdParty, kDepartment,
  kSmart, kBrands, kModelInnovation, kSelfFunds, kSpending, kIntegration, kVolunteerHours, kComplaints,
  kViolations, kBase,
};
static_assert(kBase + 1 == kInputCount);

constexpr string_view kKeyColumn = "社区编码";

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
bool any_in_negative_list(string_view list) {
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
    if (!item.empty() && std::find(kNegativeList.begin(), kNegativeList.end(), item) != kNegativeList.end()) return true;
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

/// interpolate(x, x0 -> y0, x1 -> y1) with two points: y0 at or below x0, y1 at or above x1, a
/// straight line between (rounded to 6 decimals).
constexpr int64_t interpolate(int64_t x, int64_t x0, int64_t y0, int64_t x1, int64_t y1) {
  if (x <= x0) return y0;
  if (x >= x1) return y1;
  return y0 + div_round((y1 - y0) * (x - x0), x1 - x0);
}

enum Flags : std::uint8_t { kVetoed = 1, kDeducted = 2, kCapped = 4 };

/// What the results need of one row, once it is read and scored.
struct Row {
  uint32_t key_at, key_len;        // 社区编码, trimmed, in the text
  uint32_t street_at, street_len;  // 所属街道, trimmed, in the text
  int32_t total;                   // 总分, hundredths
  std::array<int32_t, 4> layer;    // 基础层, 核心层, 创新层, 可持续层, hundredths
  std::uint8_t grade, alert, flags;
  int64_t performance_weight;      // 基础额度 × coef(等级), in twentieths of a fen (exact)
  int64_t performance_fen;         // 运营补助.绩效分配
  int64_t innovation_fen;          // 运营补助.创新奖励
};

/// Scores a row whose inputs are parsed (`v`: raw, or fen for money) into `r`.
void score(size_t row_number, const std::array<int64_t, kInputCount>& v, bool vetoed, Row& r) {
  // 基础层 30%: 设施覆盖率 15%, 服务可达性 10%, 人员专业化 5% = ratio(持证社工比例, target: 50)
  const int64_t certified = std::clamp<int64_t>(div_round(kHundred * v[kCertified], kCertifiedTarget), 0, kHundred);
  const int64_t basic = leaf(v[kCoverage], 15) + leaf(v[kAccess], 10) + leaf(certified, 5);

  // 核心层 40%: 需求匹配度 20%, 服务质量 12%, 居民满意度 8% = 居民 × 40% + 第三方 × 30% + 部门 × 30%
  const int64_t satisfaction = mul(v[kResident], 400'000) + mul(v[kThirdParty], 300'000) + mul(v[kDepartment], 300'000);
  const int64_t core = leaf(v[kNeedMatch], 20) + leaf(v[kQuality], 12) + leaf(satisfaction, 8);

  // 创新层 20%: 智慧化水平 8%, 品牌建设 6% = bands(品牌项目数) { [0,1) 0, [1,3) 60, [3,5) 80, [5,50] 100 },
  // 模式创新 6%
  const int64_t brands = v[kBrands];
  const int64_t brand_score = brands < 1 * kOne ? 0 : brands < 3 * kOne ? 60 * kOne : brands < 5 * kOne ? 80 * kOne : kHundred;
  const int64_t innovation = leaf(v[kSmart], 8) + leaf(brand_score, 6) + leaf(v[kModelInnovation], 6);

  // 可持续层 10%: 资金自给率 4% = interpolate(自筹资金 / 运营支出 * 100, 0 -> 0, 30 -> 100),
  // 资源整合度 3%, 社会参与度 3% = interpolate(志愿服务时长, 0 -> 0, 2000 -> 100).
  // 自筹资金 has no upper bound: the quotient is computed in 128 bits, and a quotient too large
  // to hold is an error, as in the language.
  constexpr int64_t kNarrow = std::numeric_limits<int64_t>::max() / kOne;  // |自筹资金| up to ~9.2 × 10^10元
  const Int128 ratio = v[kSelfFunds] <= kNarrow && v[kSelfFunds] >= -kNarrow
                           ? Int128{div_round(v[kSelfFunds] * kOne, v[kSpending])}
                           : div_round(Int128{v[kSelfFunds]} * kOne, Int128{v[kSpending]});
  int64_t self_funded = 0;
  if (ratio > std::numeric_limits<int64_t>::max() || ratio < std::numeric_limits<int64_t>::min() ||
      __builtin_mul_overflow(static_cast<int64_t>(ratio), int64_t{100}, &self_funded)) {
    fail(1, "row " + std::to_string(row_number) + ", column `自筹资金`: 自筹资金 / 运营支出 * 100 is too large to hold exactly");
  }
  const int64_t sustainable = leaf(interpolate(self_funded, 0, 0, 30 * kOne, kHundred), 4) + leaf(v[kIntegration], 3) +
                              leaf(interpolate(v[kVolunteerHours], 0, 0, 2000 * kOne, kHundred), 3);

  // 总分 = max(0, the layers − 投诉扣分) ; 投诉扣分 = 0.5 per complaint, at most 10 (扣完为止).
  // Counts are whole numbers, so 0.5 × count is exact.
  const int64_t complaints = v[kComplaints] / kOne;
  const int64_t deduction = complaints > kDeductMax / kDeductPerComplaint ? kDeductMax : complaints * kDeductPerComplaint;
  const int64_t total = std::max<int64_t>(0, basic + core + innovation + sustainable - deduction);

  r.total = static_cast<int32_t>(total);
  r.layer = {static_cast<int32_t>(basic), static_cast<int32_t>(core), static_cast<int32_t>(innovation),
             static_cast<int32_t>(sustainable)};
  r.flags = static_cast<std::uint8_t>((vetoed ? kVetoed : 0) | (complaints > 0 ? kDeducted : 0) |
                                      (complaints * kDeductPerComplaint > kDeductMax ? kCapped : 0));

  // 等级 and 预警 band 总分 (0 to 100); the veto forces D and red.
  const Grade band_grade = total >= 9000 ? kA : total >= 7500 ? kB : total >= 6000 ? kC : kD;
  const Alert band_alert = total >= 7500 ? kBlue : total >= 6000 ? kYellow : kRed;
  r.grade = vetoed ? kD : band_grade;
  r.alert = vetoed ? kRed : band_alert;

  // 绩效分配's weight: money × number, exactly (never rounded to the fen).
  r.performance_weight = v[kBase] * kGradeCoefTwentieths[r.grade];
  r.performance_fen = 0;
  r.innovation_fen = 0;
}

// ---------------------------------------------------------------------------------------------
// 社区编码 must be unique: an open-addressing hash set of row numbers, sized once for the number
// of lines (at most half full), each slot holding 32 bits of the key's hash beside the row so that
// a probe rarely has to look at the key text.

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
// The fund: largest-remainder splits to the fen, ties by 社区编码.

/// Splits `pool` fen among the rows `who` in proportion to `weight(row)` (>= 0): each row gets
/// floor(pool × w / W); the fen left over go one each to the rows with the largest remainders,
/// equal remainders by 社区编码 (keys are unique). Adds the shares to `row.*share`. False when
/// the weights add up to 0 (nobody can receive the pool).
template <class Weight>
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

void allocate_fund(const char* text, std::vector<Row>& rows) {
  // Rows the veto (fund 0) does not exclude, in file order.
  std::vector<uint32_t> eligible;
  eligible.reserve(rows.size());
  for (uint32_t r = 0; r < rows.size(); ++r) {
    if ((rows[r].flags & kVetoed) == 0) eligible.push_back(r);
  }
  auto cannot_pay = [](const char* track, int64_t pool, size_t n) {
    fail(1, "track `运营补助." + std::string(track) + "` cannot pay out its " + std::to_string(pool / 100) +
                ".00元: the weights add up to 0 (" + std::to_string(n) + " eligible rows)");
  };

  // track 绩效分配 70% split by 基础额度 * coef(等级)
  if (!split_largest_remainder(kPerformancePoolFen, eligible,
                               [](const Row& r) { return static_cast<uint64_t>(r.performance_weight); }, text, rows,
                               &Row::performance_fen)) {
    cannot_pay("绩效分配", kPerformancePoolFen, eligible.size());
  }

  // track 创新奖励 30% split among top 10% by 总分.创新层 proportional to 总分.创新层: the
  // floor(eligible × 10 / 100) rows (at least one) with the highest 创新层, equal scores by
  // 社区编码. Weights in hundredths are proportional to the raw scores: same split.
  const size_t eligible_count = eligible.size();
  size_t top = eligible_count * 10 / 100;
  if (top == 0 && eligible_count > 0) top = 1;
  auto better = [&](uint32_t a, uint32_t b) {
    if (rows[a].layer[2] != rows[b].layer[2]) return rows[a].layer[2] > rows[b].layer[2];
    return string_view(text + rows[a].key_at, rows[a].key_len) < string_view(text + rows[b].key_at, rows[b].key_len);
  };
  if (top < eligible.size()) {
    std::nth_element(eligible.begin(), eligible.begin() + static_cast<std::ptrdiff_t>(top), eligible.end(), better);
    eligible.resize(top);
  }
  if (!split_largest_remainder(kInnovationPoolFen, eligible,
                               [](const Row& r) { return static_cast<uint64_t>(r.layer[2]); }, text, rows,
                               &Row::innovation_fen)) {
    cannot_pay("创新奖励", kInnovationPoolFen, eligible_count);
  }

  // Conservation: every fen of the pool is paid, exactly.
  int64_t paid = 0;
  for (const Row& r : rows) paid += r.performance_fen + r.innovation_fen;
  if (paid != kPoolFen) fail(1, "internal error: paid " + std::to_string(paid) + " fen of " + std::to_string(kPoolFen));
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

void write_results(const std::string& path, const char* text, const std::vector<Row>& rows) {
  Output out(path);
  out.text(
      "社区编码,所属街道,总分,总分.基础层,总分.核心层,总分.创新层,总分.可持续层,等级,预警,预警.期限,预警.措施,"
      "运营补助.绩效分配,运营补助.创新奖励,运营补助,触发规则\n");
  for (const Row& r : rows) {
    out.cell(string_view(text + r.key_at, r.key_len));
    out.ch(',');
    out.cell(string_view(text + r.street_at, r.street_len));
    out.ch(',');
    out.hundredths(r.total);
    for (const int32_t layer : r.layer) {
      out.ch(',');
      out.hundredths(layer);
    }
    out.ch(',');
    out.text(kGradeNames[r.grade]);
    out.ch(',');
    out.text(kAlertCells[r.alert]);
    out.ch(',');
    out.hundredths(r.performance_fen);
    out.ch(',');
    out.hundredths(r.innovation_fen);
    out.ch(',');
    out.hundredths(r.performance_fen + r.innovation_fen);
    out.ch(',');
    // 触发规则: the rules that fired, in the order they are written in the policy (a veto with its reason).
    bool first = true;
    auto reason = [&](string_view s) {
      if (!first) out.ch(';');
      out.text(s);
      first = false;
    };
    if ((r.flags & kDeducted) != 0) reason("扣分:投诉扣分");
    if ((r.flags & kCapped) != 0) reason("封顶:投诉扣分");
    if ((r.flags & kVetoed) != 0) reason("否决:负面清单否决（触及负面清单）");
    out.ch('\n');
  }
  out.commit();
}

// ---------------------------------------------------------------------------------------------

/// Reads, checks and scores every row of the data, in file order.
std::vector<Row> read_rows(char* text, size_t size, const std::string& data_path) {
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
  const size_t key_column = column(kKeyColumn);
  std::array<size_t, kInputCount> input_column{};
  for (size_t i = 0; i < kInputCount; ++i) input_column[i] = column(kInputs[i].name);

  // At most one row per line: size the rows and the key set once.
  size_t lines = 1;
  for (const char* p = text; (p = static_cast<const char*>(std::memchr(p, '\n', size - static_cast<size_t>(p - text)))) != nullptr; ++p) {
    ++lines;
  }
  std::vector<Row> rows;
  rows.reserve(lines);
  KeySet keys(text, rows, lines);
  auto offset = [text](string_view s) { return static_cast<uint32_t>(s.data() - text); };
  auto length = [](string_view s) { return static_cast<uint32_t>(s.size()); };

  std::array<int64_t, kInputCount> values{};
  while (csv.next(fields)) {
    const size_t row_number = rows.size() + 1;
    if (fields.size() != width) {
      fail(1, "row " + std::to_string(row_number) + " has " + std::to_string(fields.size()) + " fields, the header has " +
                  std::to_string(width));
    }
    Row& r = rows.emplace_back();
    const string_view key = trim(fields[key_column]);
    if (key.empty()) fail(1, "row " + std::to_string(row_number) + ", column `" + std::string(kKeyColumn) + "`: the key is empty");
    r.key_at = offset(key);
    r.key_len = length(key);
    const uint64_t key_hash = keys.prepare(static_cast<uint32_t>(row_number - 1));
    const string_view street = trim(fields[input_column[kStreet]]);
    r.street_at = offset(street);
    r.street_len = length(street);
    bool vetoed = false;
    for (size_t i = 0; i < kInputCount; ++i) {
      const string_view cell = trim(fields[input_column[i]]);
      switch (kInputs[i].kind) {
        case Kind::kText: break;
        case Kind::kTextList: vetoed = any_in_negative_list(cell); break;
        default: values[i] = read_number(row_number, kInputs[i], cell); break;
      }
    }
    score(row_number, values, vetoed, r);
    if (const int64_t earlier = keys.insert(static_cast<uint32_t>(row_number - 1), key_hash); earlier >= 0) {
      fail(1, "row " + std::to_string(row_number) + ", column `" + std::string(kKeyColumn) + "`: key `" + std::string(key) +
                  "` already appears in row " + std::to_string(earlier + 1));
    }
  }
  return rows;
}

// Not inlined into main(): GCC optimizes main() as code that runs once (for size, e.g. a division
// instruction instead of a multiplication for a constant divisor), which would apply to every
// function inlined into it.
[[gnu::noinline]] void run(const std::string& data_path, const std::string& out_path) {
  FileText file(data_path);
  char* text = file.data();
  if (file.size() > std::numeric_limits<uint32_t>::max()) fail(1, "the data file is 4 GiB or larger, which is not supported");
  check_utf8(string_view(text, file.size()));
  std::vector<Row> rows = read_rows(text, file.size(), data_path);
  allocate_fund(text, rows);
  write_results(out_path, text, rows);
}

constexpr const char* kUsage =
    "usage: jixiao_baseline_3x --data FILE --out FILE\n"
    "  evaluates examples/3x/policy.jx (default params) over a UTF-8 CSV file, by hand-written code,\n"
    "  and writes the same results CSV as `jixiao eval examples/3x/policy.jx --data FILE --out FILE`\n";

}  // namespace

int main(int argc, char** argv) {
  std::string data;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if ((a == "--data" || a == "--out") && i + 1 < argc && argv[i + 1][0] != '\0') {
      (a == "--data" ? data : out) = argv[++i];
      continue;
    }
    std::fprintf(stderr, "jixiao_baseline_3x: error: %s\n%s",
                 a == "--data" || a == "--out" ? (std::string(a) + " needs a file name").c_str()
                                               : ("unknown argument `" + std::string(a) + "`").c_str(),
                 kUsage);
    return 2;
  }
  if (data.empty() || out.empty()) {
    std::fprintf(stderr, "jixiao_baseline_3x: error: both --data and --out are required\n%s", kUsage);
    return 2;
  }
  try {
    run(data, out);
  } catch (const Failure& f) {
    std::fprintf(stderr, "jixiao_baseline_3x: error: %s\n", f.message.c_str());
    return f.exit_code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jixiao_baseline_3x: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
