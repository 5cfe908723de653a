// The streaming CSV reader (see csv.hpp): a table-driven scan for unquoted fields and memchr for
// quoted ones; only fields containing `""` are copied.
#include "jixiao/engine/csv.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "jixiao/dsl/utf8.hpp"

namespace jixiao::engine {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::size_t kScratchReserve = 4096;
constexpr std::size_t kUnescapedReserve = 16;

/// Bytes that end an unquoted field's plain run: the separator, LF, CR and a stray quote.
constexpr std::array<bool, 256> kStops = [] {
  std::array<bool, 256> t{};
  t[static_cast<unsigned char>(',')] = true;
  t[static_cast<unsigned char>('\n')] = true;
  t[static_cast<unsigned char>('\r')] = true;
  t[static_cast<unsigned char>('"')] = true;
  return t;
}();


std::uint32_t to_u32(std::size_t v) { return static_cast<std::uint32_t>(v); }

bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// How a message names the character at `text[pos]`: "`x`", "space", "U+0007", ...
Message describe_char(std::string_view text, std::size_t pos) {
  switch (text[pos]) {
    case ' ':
      return msg::eng_char_space();
    case '\t':
      return msg::eng_char_tab();
    case '\r':
      return msg::eng_char_cr();
    case '`':
      return msg::eng_char_backtick();
    default:
      break;
  }
  std::size_t end = pos;
  const char32_t cp = utf8::decode(text, end);
  if (cp < 0x20 || cp == 0x7F) return msg::eng_char_code(utf8::code_point_name(cp));
  return msg::eng_char_quoted(text.substr(pos, end - pos));
}

}  // namespace

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.starts_with(kUtf8Bom)) pos_ = kUtf8Bom.size();
  if (text_.size() > std::numeric_limits<std::uint32_t>::max()) {
    error_ = CsvSyntaxError{0, msg::eng_csv_too_large(), msg::eng_hint_csv_split()};
  }
  scratch_.reserve(kScratchReserve);
  unescaped_.reserve(kUnescapedReserve);
}

bool csv_needs_quotes(std::string_view value) {
  // Byte by byte (find_first_of looks each byte up in the set with a call of memchr).
  return std::any_of(value.begin(), value.end(), [](char c) { return c == ',' || c == '"' || c == '\r' || c == '\n'; });
}

void append_csv_field(std::string& out, std::string_view value) {
  if (!csv_needs_quotes(value)) {
    out += value;
    return;
  }
  out.push_back('"');
  for (const char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

CsvReader::CsvReader(std::string_view text, std::size_t begin, std::size_t end) : CsvReader(text.substr(0, end)) {
  if (!error_) pos_ = std::max(pos_, begin);
}

bool CsvReader::fail(std::size_t offset, Message message, Message hint) {
  error_ = CsvSyntaxError{to_u32(offset), std::move(message), std::move(hint)};
  pos_ = text_.size();
  return false;
}

bool CsvReader::next(std::vector<CsvField>& fields) {
  fields.clear();
  scratch_.clear();
  unescaped_.clear();
  if (error_) return false;

  const char* data = text_.data();
  const std::size_t n = text_.size();

  // Skip completely empty lines (a CR just before the end of the text counts as a line end).
  while (pos_ < n) {
    if (data[pos_] == '\n') {
      ++pos_;
      ++line_;
    } else if (data[pos_] == '\r' && (pos_ + 1 == n || data[pos_ + 1] == '\n')) {
      pos_ += 1;  // the LF, if any, is consumed on the next turn
    } else {
      break;
    }
  }
  if (pos_ >= n) return false;
  record_offset_ = to_u32(pos_);
  record_line_ = line_;

  while (true) {
    const std::size_t start = pos_;
    if (start < n && data[start] == '"') {
      if (!read_quoted(fields)) {
        fields.clear();
        return false;
      }
    } else {
      std::size_t i = start;
      while (i < n && !kStops[static_cast<unsigned char>(data[i])]) ++i;
      if (i < n && data[i] == '"') {
        fields.clear();
        std::size_t lead = start;
        while (lead < i && is_blank(data[lead])) ++lead;
        if (lead == i) {
          return fail(i, msg::eng_csv_before_quote(describe_char(text_, start)), msg::eng_hint_csv_before_quote());
        }
        if (i - lead == 1 && data[lead] == '=') {
          return fail(i, msg::eng_csv_formula(), msg::eng_hint_csv_formula());
        }
        return fail(i, msg::eng_csv_stray_quote(), msg::eng_hint_csv_stray_quote());
      }
      // A CR right before the LF (or before the end of the text) belongs to the line ending; a
      // CR anywhere else means the file mixes line ends (a file of CR line ends only was
      // turned into LF before: see Loader).
      const std::size_t end = i;
      if (i < n && data[i] == '\r') {
        if (i + 1 < n && data[i + 1] != '\n') {
          fields.clear();
          return fail(i, msg::eng_csv_mixed_line_ends(), msg::eng_hint_csv_mixed_line_ends());
        }
        ++i;
      }
      fields.push_back(CsvField{std::string_view(data + start, end - start), to_u32(start)});
      pos_ = i;
    }
    // pos_ is now at the separator, at the LF ending the record, or at the end of the text.
    if (pos_ >= n) break;
    if (data[pos_] == ',') {
      ++pos_;
      continue;
    }
    ++pos_;  // the LF
    ++line_;
    break;
  }

  for (const Unescaped& u : unescaped_) {
    fields[u.field].value = std::string_view(scratch_.data() + u.begin, u.size);
  }
  return true;
}

bool CsvReader::read_quoted(std::vector<CsvField>& fields) {
  const char* data = text_.data();
  const std::size_t n = text_.size();
  const std::size_t open = pos_;
  std::size_t segment = open + 1;  // start of the text not yet copied to scratch_
  std::size_t search = segment;
  bool escaped = false;
  std::size_t scratch_begin = 0;
  while (true) {
    const void* hit = search < n ? std::memchr(data + search, '"', n - search) : nullptr;
    if (hit == nullptr) {
      return fail(open, msg::eng_csv_never_closed(), msg::eng_hint_csv_close_quote());
    }
    const auto quote = static_cast<std::size_t>(static_cast<const char*>(hit) - data);
    if (quote + 1 < n && data[quote + 1] == '"') {
      if (!escaped) {
        escaped = true;
        scratch_begin = scratch_.size();
      }
      scratch_.append(data + segment, quote + 1 - segment);  // the text and one quote
      search = quote + 2;
      segment = search;
      continue;
    }

    // `quote` closes the field.
    const std::uint32_t open_line = line_;
    line_ += to_u32(static_cast<std::size_t>(std::count(data + open + 1, data + quote, '\n')));
    std::string_view value(data + open + 1, quote - open - 1);
    if (escaped) {
      scratch_.append(data + segment, quote - segment);
      unescaped_.push_back(
          Unescaped{fields.size(), scratch_begin, scratch_.size() - scratch_begin});
      value = {};  // patched once the record is complete and scratch_ no longer grows
    }
    fields.push_back(CsvField{value, to_u32(open)});

    const std::size_t after = quote + 1;
    if (after >= n || data[after] == ',' || data[after] == '\n') {
      pos_ = after;
      return true;
    }
    if (data[after] == '\r' && (after + 1 == n || data[after + 1] == '\n')) {
      pos_ = after + 1;
      return true;
    }
    if (data[after] == '\r') return fail(after, msg::eng_csv_mixed_line_ends(), msg::eng_hint_csv_mixed_line_ends());
    Message hint = is_blank(data[after]) ? msg::eng_hint_csv_after_quote_spaces() : msg::eng_hint_csv_double_quote();
    if (open_line != line_) hint = msg::eng_hint_csv_quote_balance(hint, open_line);
    return fail(after, msg::eng_csv_after_quote(describe_char(text_, after)), std::move(hint));
  }
}

}  // namespace jixiao::engine
