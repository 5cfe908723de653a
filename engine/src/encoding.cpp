// Decoding data files to UTF-8 (see encoding.hpp): UTF-8 validation with the offset of the first
// bad byte, and GB18030 conversion through glibc iconv.
#include "jixiao/engine/encoding.hpp"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace jixiao::engine {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kExcelUtf8Advice = "save the file as UTF-8 (Excel: 另存为 → CSV UTF-8)";

/// How a decoder stopped: at `offset`, and whether only because the input ended mid-character.
struct Failure {
  std::size_t offset = 0;
  bool truncated = false;
};

/// Length of the well-formed UTF-8 sequence starting at `s[i]`, 0 if it is not well-formed.
/// Sets `truncated` when the bytes up to the end of input are a valid prefix of a sequence.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i, bool& truncated) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = at(i);
  std::size_t len = 0;
  unsigned char lo = 0x80;  // allowed range of the second byte (rules out overlongs, surrogates)
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
  } else {
    return 0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) {
      truncated = true;
      return 0;
    }
    const unsigned char cc = at(i + k);
    const unsigned char min = k == 1 ? lo : 0x80;
    const unsigned char max = k == 1 ? hi : 0xBF;
    if (cc < min || cc > max) return 0;
  }
  return len;
}

/// The first offset at which `s` stops being well-formed UTF-8, or nullopt if it is valid.
std::optional<Failure> find_invalid_utf8(std::string_view s) {
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    // ASCII fast path: eight bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t word = 0;
      std::memcpy(&word, s.data() + i, sizeof word);
      if ((word & kHighBits) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    bool truncated = false;
    const std::size_t len = utf8_sequence_length(s, i, truncated);
    if (len == 0) return Failure{i, truncated};
    i += len;
  }
  return std::nullopt;
}

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

std::string hex_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(b));
  return buf;
}

/// 1-based line of `offset` in `bytes`.
std::size_t line_of(std::string_view bytes, std::size_t offset) {
  const std::string_view before = bytes.substr(0, offset);
  return static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
}

DecodeError make_error(std::string_view bytes, std::size_t offset, std::string message,
                       std::string hint) {
  const std::size_t last_nl = bytes.substr(0, offset).rfind('\n');
  const std::size_t line_start = last_nl == std::string_view::npos ? 0 : last_nl + 1;
  return DecodeError{offset, line_of(bytes, offset), offset - line_start + 1, std::move(message),
                     std::move(hint)};
}

/// "byte 0xFF at line 3" for the byte at `offset`.
std::string describe_byte(std::string_view bytes, std::size_t offset) {
  return "byte " + hex_byte(static_cast<unsigned char>(bytes[offset])) + " at line " +
         std::to_string(line_of(bytes, offset));
}

std::optional<DecodeError> check_utf16(std::string_view bytes) {
  if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
    return make_error(bytes, 0,
                      "the file is UTF-16 (it starts with a UTF-16 byte order mark), which is not "
                      "supported",
                      std::string(kExcelUtf8Advice));
  }
  return std::nullopt;
}

DecodeError utf8_error(std::string_view bytes, const Failure& f, bool from_bom) {
  std::string message = describe_byte(bytes, f.offset);
  message += f.truncated ? " starts a UTF-8 character that the end of the file cuts off"
                         : " is not valid UTF-8";
  std::string hint;
  if (from_bom) {
    message += " (the file starts with a UTF-8 byte order mark)";
    hint = "the file is damaged or mixes encodings; " + std::string(kExcelUtf8Advice) + " again";
  } else {
    hint = "if the file came from Excel on Chinese Windows, pass `--encoding gbk`; or " +
           std::string(kExcelUtf8Advice);
  }
  return make_error(bytes, f.offset, std::move(message), std::move(hint));
}

DecodeResult decode_gb18030_result(std::string out) {
  bool had_bom = false;
  if (std::string_view(out).starts_with(kUtf8Bom)) {  // U+FEFF, encoded in GB18030 as 84 31 95 33
    out.erase(0, kUtf8Bom.size());
    had_bom = true;
  }
  return DecodeResult{std::move(out), Encoding::kGb18030, had_bom};
}

std::variant<DecodeResult, DecodeError> decode_utf8(std::string_view bytes, bool bom_decides) {
  const bool has_bom = bytes.starts_with(kUtf8Bom);
  const std::size_t start = has_bom ? kUtf8Bom.size() : 0;
  if (auto bad = find_invalid_utf8(bytes.substr(start))) {
    bad->offset += start;
    return utf8_error(bytes, *bad, bom_decides && has_bom);
  }
  return DecodeResult{std::string(bytes.substr(start)), Encoding::kUtf8, has_bom};
}

std::variant<DecodeResult, DecodeError> decode_gb18030(std::string_view bytes) {
  std::string out;
  if (auto bad = gb18030_to_utf8(bytes, out)) {
    std::string message = describe_byte(bytes, bad->offset);
    message += bad->truncated ? " starts a GB18030 character that the end of the file cuts off"
                              : " is not valid GB18030";
    return make_error(bytes, bad->offset, std::move(message),
                      "if the file is UTF-8, pass `--encoding utf-8` or `--encoding auto`");
  }
  return decode_gb18030_result(std::move(out));
}

std::variant<DecodeResult, DecodeError> decode_auto(std::string_view bytes) {
  if (bytes.starts_with(kUtf8Bom)) return decode_utf8(bytes, /*bom_decides=*/true);
  const std::optional<Failure> utf8_bad = find_invalid_utf8(bytes);
  if (!utf8_bad) return DecodeResult{std::string(bytes), Encoding::kUtf8, false};
  std::string out;
  const std::optional<Failure> gb_bad = gb18030_to_utf8(bytes, out);
  if (!gb_bad) return decode_gb18030_result(std::move(out));
  // Every byte before the later failure point is accepted by at least one of the encodings.
  const std::size_t offset = std::max(utf8_bad->offset, gb_bad->offset);
  return make_error(
      bytes, offset, describe_byte(bytes, offset) + " is not valid UTF-8 or GB18030",
      "the file may be damaged or in another encoding; " + std::string(kExcelUtf8Advice));
}

}  // namespace

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
  if (auto utf16 = check_utf16(bytes)) return std::move(*utf16);
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

std::variant<DecodeResult, DecodeError> decode_owned_text(std::string&& bytes, Encoding enc) {
  // Valid UTF-8 is the common case: keep the bytes, only the BOM is dropped.
  if (enc != Encoding::kGb18030 && !check_utf16(bytes)) {
    const bool has_bom = std::string_view(bytes).starts_with(kUtf8Bom);
    const std::size_t start = has_bom ? kUtf8Bom.size() : 0;
    if (!find_invalid_utf8(std::string_view(bytes).substr(start))) {
      bytes.erase(0, start);
      return DecodeResult{std::move(bytes), Encoding::kUtf8, has_bom};
    }
  }
  return decode_text(std::string_view(bytes), enc);
}

}  // namespace jixiao::engine
