// Decoding data files to UTF-8 (see encoding.hpp): UTF-8 validation with the offset of the first
// bad byte, and GB18030 conversion through glibc iconv.
#include "jixiao/engine/encoding.hpp"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "jixiao/dsl/utf8.hpp"
#include "parallel.hpp"

namespace jixiao::engine {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

using utf8::Scan;

/// How a decoder stopped: at `offset`, and whether only because the input ended mid-character.
struct Failure {
  std::size_t offset = 0;
  bool truncated = false;
};

/// Owns an iconv conversion descriptor.
class Iconv {
 public:
  Iconv(const char* to, const char* from) : cd_(iconv_open(to, from)) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;

  [[nodiscard]] bool ok() const {
    return cd_ != reinterpret_cast<iconv_t>(static_cast<std::intptr_t>(-1));
  }
  [[nodiscard]] iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

/// Converts GB18030 `bytes` to UTF-8 into `out`; on failure returns where the input went wrong.
std::optional<Failure> gb18030_to_utf8(std::string_view bytes, std::string& out) {
  Iconv cd("UTF-8", "GB18030");
  if (!cd.ok()) return Failure{0, false};  // no converter: treat everything as undecodable
  // Two GB18030 bytes become at most three UTF-8 bytes, four become at most four.
  out.assign(bytes.size() + bytes.size() / 2 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());  // iconv's signature is not const-correct
  std::size_t in_left = bytes.size();
  std::size_t written = 0;
  while (true) {
    char* dst = out.data() + written;
    std::size_t out_left = out.size() - written;
    const std::size_t rc = in_left == 0 ? iconv(cd.get(), nullptr, nullptr, &dst, &out_left)
                                        : iconv(cd.get(), &in, &in_left, &dst, &out_left);
    written = static_cast<std::size_t>(dst - out.data());
    if (rc != static_cast<std::size_t>(-1)) {
      if (in_left == 0) {
        // All input consumed; flush (a no-op for stateless GB18030) and stop.
        char* flush_dst = out.data() + written;
        std::size_t flush_left = out.size() - written;
        iconv(cd.get(), nullptr, nullptr, &flush_dst, &flush_left);
        written = static_cast<std::size_t>(flush_dst - out.data());
        break;
      }
      continue;
    }
    const std::size_t consumed = bytes.size() - in_left;
    if (errno == E2BIG) {
      out.resize(out.size() * 2 + 16);
      continue;
    }
    if (errno == EINVAL) return Failure{consumed, true};
    return Failure{consumed, false};  // EILSEQ, or anything unexpected
  }
  out.resize(written);
  return std::nullopt;
}

/// The character a single byte 0x80–0xFF stands for in Windows-1252 (Latin-1 with the printable
/// characters Windows puts at 0x80–0x9F), or "" where it has none: what a stray byte most likely
/// was.
std::string cp1252_char(unsigned char b) {
  static constexpr char32_t kHigh[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                         0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                         0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                         0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
  const char32_t cp = b < 0xA0 ? kHigh[b - 0x80] : char32_t{b};
  if (cp == 0 || cp == 0xA0 || cp == 0xAD) return "";  // undefined, or invisible
  std::string out;
  utf8::append(out, cp);
  return out;
}

/// Where `offset` is: its line, and its column counted in characters as `reading` reads the line
/// up to it (in bytes when that part does not read).
DecodeError place(std::string_view bytes, std::size_t offset, Encoding reading) {
  const utf8::Place at = utf8::place_of(bytes, offset);
  DecodeError e;
  e.offset = offset;
  e.line = at.line;
  e.column = at.column;
  e.reading = reading;
  std::size_t line_start = bytes.substr(0, offset).rfind('\n') + 1;  // npos + 1 == 0
  if (line_start == 0 && offset >= kUtf8Bom.size() && bytes.starts_with(kUtf8Bom)) {
    line_start = kUtf8Bom.size();  // a byte order mark takes no column
    e.column -= 1;
  }
  const std::string_view prefix = bytes.substr(line_start, offset - line_start);
  std::string decoded;
  if (reading == Encoding::kGb18030 && !gb18030_to_utf8(prefix, decoded)) {
    e.column = utf8::count_code_points(decoded) + (line_start == 0 && decoded.starts_with(kUtf8Bom) ? 0 : 1);
  } else if (reading != Encoding::kUtf8 || !utf8::is_valid(prefix)) {
    e.column = prefix.size() + 1;  // the line up to the byte does not read: count bytes
  }
  return e;
}

DecodeError make_error(std::string_view bytes, std::size_t offset, Encoding reading, Message message, Message hint,
                       bool at_byte = true) {
  DecodeError e = place(bytes, offset, reading);
  e.message = std::move(message);
  e.hint = std::move(hint);
  e.at_byte = at_byte;
  return e;
}

/// "0xE9": the byte at `offset`, for "byte 0xE9 ..." messages.
std::string byte_at(std::string_view bytes, std::size_t offset) {
  return utf8::byte_name(static_cast<unsigned char>(bytes[offset])).substr(5);
}

/// Whether the bytes at `at` look like the start of `tag`, ignoring ASCII case.
bool starts_with_tag(std::string_view bytes, std::size_t at, std::string_view tag) {
  if (bytes.size() - at < tag.size()) return false;
  for (std::size_t i = 0; i < tag.size(); ++i) {
    const char c = bytes[at + i];
    const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != tag[i]) return false;
  }
  return true;
}

/// A file that is not text in any encoding jixiao reads, said for what it is; or nullopt.
std::optional<DecodeError> check_not_text(std::string_view bytes) {
  auto whole = [&](Message message, Message hint) {
    return make_error(bytes, 0, Encoding::kUtf8, std::move(message), std::move(hint), false);
  };
  if (bytes.starts_with(std::string_view("\xFF\xFE\0\0", 4)) || bytes.starts_with(std::string_view("\0\0\xFE\xFF", 4))) {
    return whole(msg::eng_enc_utf32(), msg::eng_hint_save_utf8());
  }
  if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
    return whole(msg::eng_enc_utf16(), msg::eng_hint_save_utf8());
  }
  if (bytes.starts_with("PK\x03\x04") || bytes.starts_with("PK\x05\x06")) {
    return whole(msg::eng_enc_zip(), msg::eng_hint_save_csv());
  }
  if (bytes.starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
    return whole(msg::eng_enc_xls(), msg::eng_hint_save_csv());
  }
  if (bytes.starts_with("%PDF-")) {
    return whole(msg::eng_enc_pdf(), msg::eng_hint_export_csv());
  }
  std::size_t at = bytes.starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0;
  while (at < bytes.size() && (bytes[at] == ' ' || bytes[at] == '\t' || bytes[at] == '\r' || bytes[at] == '\n')) ++at;
  for (const std::string_view tag : {"<html", "<table", "<?xml", "<!doctype", "<workbook"}) {
    if (starts_with_tag(bytes, at, tag)) {
      return whole(msg::eng_enc_html(), msg::eng_hint_save_csv());
    }
  }
  const void* nul = std::memchr(bytes.data(), 0, bytes.size());
  if (nul == nullptr) return std::nullopt;
  // UTF-16 without a byte order mark: every ASCII character (commas, digits, line ends) has a
  // NUL byte on the same side, and nothing else is NUL. Chinese text in UTF-16 still has a NUL in
  // a byte of ten, and a damaged file's NULs fall on both sides.
  std::size_t nuls[2] = {0, 0};
  const std::size_t sample = std::min<std::size_t>(bytes.size(), 65536);
  for (std::size_t i = 0; i < sample; ++i) {
    if (bytes[i] == '\0') ++nuls[i % 2];
  }
  if (std::min(nuls[0], nuls[1]) == 0 && std::max(nuls[0], nuls[1]) * 10 >= sample) {
    return whole(msg::eng_enc_utf16_no_bom(), msg::eng_hint_save_utf8());
  }
  const std::size_t offset = static_cast<std::size_t>(static_cast<const char*>(nul) - bytes.data());
  const Encoding reading = utf8::is_valid(bytes.substr(0, offset)) ? Encoding::kUtf8 : Encoding::kGb18030;
  return make_error(bytes, offset, reading, msg::eng_enc_nul(), msg::eng_hint_enc_damaged_not_text());
}

/// Up to `max` characters of well-formed multi-byte UTF-8 starting at `at` (a sample of the text).
std::string utf8_sample(std::string_view bytes, std::size_t at, std::size_t max) {
  std::string out;
  for (std::size_t n = 0; n < max && at < bytes.size(); ++n) {
    const std::size_t len = static_cast<unsigned char>(bytes[at]) < 0x80 ? 0 : utf8::sequence_length(bytes, at);
    if (len == 0) break;
    out.append(bytes.substr(at, len));
    at += len;
  }
  return out;
}

/// What the stray byte of a file that is otherwise UTF-8 probably was, and what to do.
Message stray_hint(std::string_view bytes, const Scan& scan) {
  const std::size_t at = scan.first_bad;
  Message why = (scan.multibyte == 1 ? msg::eng_enc_otherwise_utf8_one : msg::eng_enc_otherwise_utf8_many)(
      scan.multibyte, utf8_sample(bytes, scan.sample, 4));
  const std::string latin = cp1252_char(static_cast<unsigned char>(bytes[at]));
  const bool single = at + 1 >= bytes.size() || static_cast<unsigned char>(bytes[at + 1]) < 0x80 ||
                      (static_cast<unsigned char>(bytes[at + 1]) >= 0xC2 && static_cast<unsigned char>(bytes[at + 1]) <= 0xF4);
  if (!latin.empty() && single && !scan.first_bad_truncated) why = msg::eng_enc_windows_1252(why, byte_at(bytes, at), latin);
  return msg::eng_hint_enc_stray(why);
}

/// Line number (1-based) of byte `offset`.
std::size_t line_of(std::string_view bytes, std::size_t offset) {
  const std::string_view before = bytes.substr(0, offset);
  return static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
}

/// `problem` with " (and 2 more bytes further on, the next at line 9)" when there are more invalid bytes.
Message more_bad(std::string_view bytes, const Scan& scan, Message problem) {
  if (scan.next_bad == std::string_view::npos) return problem;
  const std::size_t more = scan.invalid - 1;
  return (more == 1 ? msg::eng_enc_more_one : msg::eng_enc_more_many)(std::move(problem), more, line_of(bytes, scan.next_bad));
}

Message utf8_problem(std::string_view bytes, const Scan& scan) {
  const std::string b = byte_at(bytes, scan.first_bad);
  return scan.first_bad_truncated ? msg::eng_enc_utf8_cut(b) : msg::eng_enc_not_utf8(b);
}

DecodeResult decode_gb18030_result(std::string out) {
  bool had_bom = false;
  if (std::string_view(out).starts_with(kUtf8Bom)) {  // U+FEFF, encoded in GB18030 as 84 31 95 33
    out.erase(0, kUtf8Bom.size());
    had_bom = true;
  }
  return DecodeResult{std::move(out), Encoding::kGb18030, had_bom};
}

/// Strict UTF-8 (`--encoding utf-8`, or auto with a UTF-8 BOM): an error at the first invalid byte.
std::variant<DecodeResult, DecodeError> decode_utf8(std::string_view bytes, bool bom_decides) {
  const bool has_bom = bytes.starts_with(kUtf8Bom);
  const std::size_t start = has_bom ? kUtf8Bom.size() : 0;
  Scan scan = utf8::scan(bytes.substr(start));
  if (scan.valid()) return DecodeResult{std::string(bytes.substr(start)), Encoding::kUtf8, has_bom};
  scan.first_bad += start;
  if (scan.next_bad != std::string_view::npos) scan.next_bad += start;
  if (scan.sample != std::string_view::npos) scan.sample += start;
  Message message = utf8_problem(bytes, scan);
  Message hint;
  std::string gb;
  Encoding reading = Encoding::kUtf8;
  if (bom_decides && has_bom) {
    message = msg::eng_enc_with_utf8_bom(message);
    hint = msg::eng_hint_enc_damaged_or_mixed();
  } else if (scan.plausibly_utf8()) {
    message = more_bad(bytes, scan, message);
    hint = stray_hint(bytes, scan);
  } else if (!gb18030_to_utf8(bytes, gb)) {
    reading = Encoding::kGb18030;  // the bytes before it are shown as the GBK they are
    hint = msg::eng_hint_enc_reads_as_gb();
  } else {
    hint = msg::eng_hint_enc_damaged();
  }
  return make_error(bytes, scan.first_bad, reading, std::move(message), std::move(hint));
}

/// `--encoding gb18030`.
std::variant<DecodeResult, DecodeError> decode_gb18030(std::string_view bytes) {
  if (bytes.starts_with(kUtf8Bom)) {
    return make_error(bytes, 0, Encoding::kUtf8, msg::eng_enc_bom_but_gb18030(), msg::eng_hint_enc_leave_out(), false);
  }
  std::string out;
  if (auto bad = gb18030_to_utf8(bytes, out)) {
    const std::string b = byte_at(bytes, bad->offset);
    const bool utf8 = utf8::is_valid(bytes);
    return make_error(bytes, bad->offset, Encoding::kGb18030,
                      bad->truncated ? msg::eng_enc_gb18030_cut(b) : msg::eng_enc_not_gb18030(b),
                      utf8 ? msg::eng_hint_enc_valid_utf8() : msg::eng_hint_enc_if_utf8());
  }
  return decode_gb18030_result(std::move(out));
}

/// The first run of non-ASCII bytes from `at` (at most 12 bytes, whole 2-byte sequences).
std::string_view non_ascii_run(std::string_view bytes, std::size_t at) {
  std::size_t end = at;
  while (end < bytes.size() && end - at < 12 && static_cast<unsigned char>(bytes[end]) >= 0x80) end += 2;
  return bytes.substr(at, std::min(end, bytes.size()) - at);
}

/// The maximal runs of non-ASCII bytes of a text, by what they are as UTF-8: runs that are
/// well-formed UTF-8 with at least one 3- or 4-byte character (Chinese text), and runs with a byte
/// that is not UTF-8. In GBK text a whole run is well-formed UTF-8 with a 3-byte character only by
/// accident (about one run in a thousand); in UTF-8 text with bytes from another encoding (a
/// Latin-1 `é`), most runs that are not bad are.
struct Runs {
  std::size_t utf8_wide = 0;
  std::size_t bad = 0;
  std::size_t first_wide = std::string_view::npos;
};

Runs non_ascii_runs(std::string_view bytes) {
  Runs runs;
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (static_cast<unsigned char>(bytes[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    bool bad = false;
    bool wide = false;
    while (i < bytes.size() && static_cast<unsigned char>(bytes[i]) >= 0x80) {
      const std::size_t len = utf8::sequence_length(bytes, i);
      if (len == 0) {
        bad = true;
        ++i;
      } else {
        wide = wide || len >= 3;
        i += len;
      }
    }
    if (bad) {
      ++runs.bad;
    } else if (wide) {
      if (runs.utf8_wide == 0) runs.first_wide = start;
      ++runs.utf8_wide;
    }
  }
  return runs;
}

std::variant<DecodeResult, DecodeError> decode_auto(std::string_view bytes) {
  if (bytes.starts_with(kUtf8Bom)) return decode_utf8(bytes, /*bom_decides=*/true);
  if (bytes.starts_with("\x84\x31\x95\x33")) return decode_gb18030(bytes);  // a GB18030 BOM
  const Scan scan = utf8::scan(bytes);
  std::string gb;
  if (scan.valid()) {
    // Only 2-byte sequences (no CJK) and valid GB18030 as well: GBK Chinese that happens to be
    // valid UTF-8 looks exactly like this. Do not guess.
    if (scan.multibyte > 0 && scan.wide == 0 && !gb18030_to_utf8(bytes, gb)) {
      const std::string_view run = non_ascii_run(bytes, scan.sample);
      std::string as_gb;
      (void)gb18030_to_utf8(run, as_gb);
      return make_error(bytes, scan.sample, Encoding::kUtf8, msg::eng_enc_ambiguous(readable_bytes(run, Encoding::kAuto), run, as_gb),
                        msg::eng_hint_enc_ambiguous());
    }
    return DecodeResult{std::string(bytes), Encoding::kUtf8, false};
  }
  if (scan.plausibly_utf8()) {
    return make_error(bytes, scan.first_bad, Encoding::kUtf8, more_bad(bytes, scan, utf8_problem(bytes, scan)),
                      stray_hint(bytes, scan));
  }
  // UTF-8 Chinese text next to bytes that are not UTF-8 (a few Latin-1 letters outnumber the
  // Chinese characters): the GBK reading would turn the Chinese into other characters without
  // any error. Only accidental UTF-8 runs, rare among many bad ones, are read as GBK.
  const Runs runs = non_ascii_runs(bytes);
  if (runs.utf8_wide > 0 && runs.utf8_wide * 20 >= runs.bad) {
    return make_error(bytes, scan.first_bad, Encoding::kUtf8,
                      msg::eng_enc_mixed(more_bad(bytes, scan, utf8_problem(bytes, scan)), utf8_sample(bytes, runs.first_wide, 4),
                                         line_of(bytes, runs.first_wide)),
                      msg::eng_hint_enc_mixed());
  }
  const std::optional<Failure> gb_bad = gb18030_to_utf8(bytes, gb);
  if (!gb_bad) return decode_gb18030_result(std::move(gb));
  // Every byte before the later failure point is accepted by at least one of the encodings.
  const bool gb_later = gb_bad->offset > scan.first_bad;
  const std::size_t offset = gb_later ? gb_bad->offset : scan.first_bad;
  return make_error(bytes, offset, gb_later ? Encoding::kGb18030 : Encoding::kUtf8, msg::eng_enc_not_either(byte_at(bytes, offset)),
                    msg::eng_hint_enc_damaged());
}

}  // namespace

std::string readable_bytes(std::string_view bytes, Encoding enc) {
  std::string out;
  auto escape = [&](unsigned char b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(b));
    out += buf;
  };
  if (enc == Encoding::kGb18030) {
    std::string part;
    while (!bytes.empty()) {
      const std::optional<Failure> bad = gb18030_to_utf8(bytes, part);
      if (!bad) {
        out += part;
        break;
      }
      if (bad->offset > 0) {
        (void)gb18030_to_utf8(bytes.substr(0, bad->offset), part);
        out += part;
      }
      escape(static_cast<unsigned char>(bytes[bad->offset]));
      bytes.remove_prefix(bad->offset + 1);
    }
    return out;
  }
  // UTF-8, and kAuto: every non-ASCII byte escaped (to show raw bytes).
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    const std::size_t len = enc == Encoding::kUtf8 && c >= 0x80 ? utf8::sequence_length(bytes, i) : 0;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (len > 0) {
      out.append(bytes.substr(i, len));
      i += len;
    } else {
      escape(c);
      ++i;
    }
  }
  return out;
}

std::optional<Encoding> parse_encoding_name(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower == "auto") return Encoding::kAuto;
  if (lower == "utf-8" || lower == "utf8") return Encoding::kUtf8;
  if (lower == "gbk" || lower == "gb2312" || lower == "gb18030" || lower == "cp936") {
    return Encoding::kGb18030;
  }
  return std::nullopt;
}

std::string_view encoding_name(Encoding e) {
  switch (e) {
    case Encoding::kAuto:
      return "auto";
    case Encoding::kUtf8:
      return "UTF-8";
    case Encoding::kGb18030:
      return "GB18030";
  }
  return "unknown";
}

std::variant<DecodeResult, DecodeError> decode_text(std::string_view bytes, Encoding enc) {
  if (auto not_text = check_not_text(bytes)) return std::move(*not_text);
  switch (enc) {
    case Encoding::kAuto:
      return decode_auto(bytes);
    case Encoding::kUtf8:
      return decode_utf8(bytes, /*bom_decides=*/false);
    case Encoding::kGb18030:
      return decode_gb18030(bytes);
  }
  return decode_auto(bytes);
}

std::optional<std::size_t> utf8_as_read(std::string_view bytes, Encoding enc, std::size_t threads) {
  // Valid UTF-8 with CJK (or without any non-ASCII character) is the common case: the bytes are
  // kept, only the BOM is dropped.
  if (enc == Encoding::kGb18030 || check_not_text(bytes)) return std::nullopt;
  const bool has_bom = bytes.starts_with(kUtf8Bom);
  const std::size_t start = has_bom ? kUtf8Bom.size() : 0;
  // Scanned in parts (one per thread, of 1 MiB at least) cut before an ASCII byte, which no
  // sequence holds, so that each part's sequences are whole; the counts add up.
  const std::string_view text = bytes.substr(start);
  const std::size_t parts = std::clamp<std::size_t>(text.size() >> 20, 1, std::max<std::size_t>(threads, 1));
  std::vector<std::size_t> cuts{0};
  for (std::size_t k = 1; k < parts; ++k) {
    std::size_t at = std::max(cuts.back(), text.size() * k / parts);
    while (at < text.size() && static_cast<unsigned char>(text[at]) >= 0x80) ++at;
    cuts.push_back(at);
  }
  cuts.push_back(text.size());
  std::vector<Scan> scans(parts);
  detail::run_parallel(parts, [&](std::size_t k) { scans[k] = utf8::scan(text.substr(cuts[k], cuts[k + 1] - cuts[k])); });
  bool valid = true;
  std::size_t multibyte = 0;
  std::size_t wide = 0;
  for (const Scan& scan : scans) {
    valid = valid && scan.valid();
    multibyte += scan.multibyte;
    wide += scan.wide;
  }
  const bool settled = has_bom || enc == Encoding::kUtf8 || multibyte == 0 || wide > 0;
  if (valid && settled) return start;
  return std::nullopt;
}

std::variant<DecodeResult, DecodeError> decode_owned_text(std::string&& bytes, Encoding enc) {
  if (const auto bom = utf8_as_read(bytes, enc)) {
    bytes.erase(0, *bom);
    return DecodeResult{std::move(bytes), Encoding::kUtf8, *bom > 0};
  }
  return decode_text(std::string_view(bytes), enc);
}

void append_gb18030(std::string& out, std::string_view utf8) {
  if (utf8.empty()) return;
  Iconv cd("GB18030", "UTF-8");
  if (!cd.ok()) throw std::runtime_error("iconv has no UTF-8 to GB18030 converter");
  char* in = const_cast<char*>(utf8.data());  // iconv's signature is not const-correct
  std::size_t in_left = utf8.size();
  std::size_t written = out.size();
  // A UTF-8 character of n bytes becomes at most 4 bytes of GB18030 (at most twice n).
  out.resize(written + utf8.size() * 2 + 16);
  while (in_left > 0) {
    char* dst = out.data() + written;
    std::size_t out_left = out.size() - written;
    const std::size_t rc = iconv(cd.get(), &in, &in_left, &dst, &out_left);
    written = static_cast<std::size_t>(dst - out.data());
    if (rc != static_cast<std::size_t>(-1)) continue;
    if (errno == E2BIG) {
      out.resize(out.size() * 2 + 16);
      continue;
    }
    throw std::runtime_error("text that is not UTF-8 cannot be converted to GB18030");
  }
  out.resize(written);
}

}  // namespace jixiao::engine
