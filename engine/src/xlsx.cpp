// The .xlsx reader: libzip opens the archive from the bytes in memory, expat reads each XML part
// as it is inflated (never more than kXlsxMaxPartBytes of one part), and the chosen sheet becomes
// CSV text for the ordinary loader (xlsx.hpp).
#include "jixiao/engine/xlsx.hpp"

#include <expat.h>
#include <zip.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cctype>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <variant>

#include "jixiao/dsl/edit_distance.hpp"
#include "jixiao/engine/csv.hpp"

namespace jixiao::engine {

// ---- numbers ----

std::optional<std::string> excel_number(std::string_view s) {
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  // The value is digits × 10^exp10, with at most 16 significant digits kept: the 16th decides
  // the rounding at the 15th, and no later digit can change it (half away from zero).
  std::string digits;
  long exp10 = 0;
  bool any = false;
  bool point = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      any = true;
      if (digits.empty() && c == '0') {
        if (point) --exp10;
      } else if (digits.size() < 16) {
        digits.push_back(c);
        if (point) --exp10;
      } else if (!point) {
        ++exp10;
      }
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (!any) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    long e = 0;
    const std::size_t first = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) e = std::min(e * 10 + (s[i] - '0'), 100000L);
    if (i == first) return std::nullopt;
    exp10 += exp_negative ? -e : e;
  }
  if (i != s.size()) return std::nullopt;
  if (digits.size() == 16) {
    const bool up = digits[15] >= '5';
    digits.pop_back();
    ++exp10;
    if (up) {
      std::size_t k = digits.size();
      while (k > 0 && digits[k - 1] == '9') digits[--k] = '0';
      if (k == 0) {
        digits.insert(digits.begin(), '1');
        digits.pop_back();
        ++exp10;
      } else {
        ++digits[k - 1];
      }
    }
  }
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exp10;
  }
  if (digits.empty()) return "0";
  if (exp10 > 400 || exp10 < -400) return std::nullopt;
  std::string out = negative ? "-" : "";
  if (exp10 >= 0) {
    out += digits;
    out.append(static_cast<std::size_t>(exp10), '0');
    return out;
  }
  const long whole = static_cast<long>(digits.size()) + exp10;  // digits before the point
  if (whole > 0) {
    out.append(digits, 0, static_cast<std::size_t>(whole));
    out += '.';
    out.append(digits, static_cast<std::size_t>(whole));
  } else {
    out += "0.";
    out.append(static_cast<std::size_t>(-whole), '0');
    out += digits;
  }
  return out;
}

bool looks_like_zip(std::string_view bytes) {
  return bytes.starts_with("PK\x03\x04") || bytes.starts_with("PK\x05\x06") || bytes.starts_with("PK\x07\x08");
}

bool has_workbook_extension(std::string_view path) {
  if (path.size() < 5) return false;
  std::string tail(path.substr(path.size() - 5));
  for (char& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tail == ".xlsx" || tail == ".xlsm";
}

std::string column_letters(std::uint32_t column) {
  std::string out;
  while (column > 0) {
    out.insert(out.begin(), static_cast<char>('A' + (column - 1) % 26));
    column = (column - 1) / 26;
  }
  return out;
}

// ---- SheetTable ----

const SheetTable::SpecialCell* SheetTable::special_at(std::uint32_t offset) const {
  const auto it = std::lower_bound(specials.begin(), specials.end(), offset,
                                   [](const SpecialCell& c, std::uint32_t o) { return c.offset < o; });
  return it != specials.end() && it->offset == offset ? &*it : nullptr;
}

std::size_t SheetTable::record_at(std::uint32_t offset) const {
  const auto it = std::upper_bound(record_offsets.begin(), record_offsets.end(), offset);
  return it == record_offsets.begin() ? 0 : static_cast<std::size_t>(it - record_offsets.begin()) - 1;
}

std::string SheetTable::cell_at(std::string_view text, std::uint32_t offset) const {
  if (record_offsets.empty()) return location.substr(0, location.size() - 1);
  const std::size_t record = record_at(offset);
  const std::size_t begin = record_offsets[record];
  const std::size_t end = record + 1 < record_offsets.size() ? record_offsets[record + 1] : text.size();
  CsvReader reader(text, begin, end);
  std::vector<CsvField> fields;
  std::uint32_t column = 1;
  if (reader.next(fields)) {
    for (std::size_t k = 0; k < fields.size(); ++k) {
      if (fields[k].offset <= offset) column = static_cast<std::uint32_t>(k + 1);
    }
  }
  return location + column_letters(column) + std::to_string(record_rows[record]);
}

namespace {

constexpr std::uint32_t kMaxRow = 1048576;   // Excel's last row
constexpr std::uint32_t kMaxColumn = 16384;  // XFD

// The local part of an expat name ("uri|local" with XML_ParserCreateNS(..., '|')).
std::string_view local_name(const XML_Char* name) {
  std::string_view n(name);
  const std::size_t bar = n.rfind('|');
  return bar == std::string_view::npos ? n : n.substr(bar + 1);
}

// The value of the attribute whose local name is `name`, or nullopt.
std::optional<std::string_view> attribute(const XML_Char** atts, std::string_view name) {
  for (std::size_t i = 0; atts[i] != nullptr; i += 2) {
    if (local_name(atts[i]) == name) return std::string_view(atts[i + 1]);
  }
  return std::nullopt;
}

// A cell reference `F23` → (column, row), both 1-based; nullopt when it is none or beyond Excel's
// last column or row.
std::optional<std::pair<std::uint32_t, std::uint32_t>> parse_cell_ref(std::string_view ref) {
  std::size_t i = 0;
  std::uint32_t column = 0;
  while (i < ref.size() && i < 4 && std::isalpha(static_cast<unsigned char>(ref[i]))) {
    column = column * 26 + static_cast<std::uint32_t>(std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
    ++i;
  }
  if (i == 0 || column > kMaxColumn) return std::nullopt;
  std::uint32_t row = 0;
  const auto [end, ec] = std::from_chars(ref.data() + i, ref.data() + ref.size(), row);
  if (ec != std::errc() || end != ref.data() + ref.size() || row == 0 || row > kMaxRow) return std::nullopt;
  return std::make_pair(column, row);
}

// A part's path from a relationship's target, relative to the directory of the part holding the
// relationship (`xl/` for the workbook); a leading `/` is from the archive's root.
std::string resolve_target(std::string_view base_dir, std::string_view target) {
  std::vector<std::string> parts;
  auto push = [&parts](std::string_view path) {
    std::size_t start = 0;
    while (start <= path.size()) {
      const std::size_t slash = std::min(path.find('/', start), path.size());
      const std::string_view piece = path.substr(start, slash - start);
      if (piece == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!piece.empty() && piece != ".") {
        parts.emplace_back(piece);
      }
      start = slash + 1;
    }
  };
  if (!target.starts_with('/')) push(base_dir);
  push(target);
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

// How a cell's number format shows a number.
enum class NumberStyle : unsigned char { kPlain, kDate, kPercent };

// The style of a number format code (a custom `numFmt`): a date when it has a date or time token
// outside quoted text, escapes and [colour] sections; a percentage when it has `%` there.
NumberStyle style_of_code(std::string_view code) {
  bool percent = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '"') {
      const std::size_t close = code.find('"', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (c == '[') {
      const std::size_t close = code.find(']', i + 1);
      if (close == std::string_view::npos) break;
      const std::string_view inside = code.substr(i + 1, close - i - 1);
      // [h], [mm], [ss]: elapsed time
      if (!inside.empty() && inside.find_first_not_of("hHmMsS") == std::string_view::npos) return NumberStyle::kDate;
      i = close;
    } else if (std::string_view("yYmMdDhHsS").find(c) != std::string_view::npos) {
      return NumberStyle::kDate;
    } else if (c == '%') {
      percent = true;
    }
  }
  return percent ? NumberStyle::kPercent : NumberStyle::kPlain;
}

// The style of a built-in number format (ECMA-376 18.8.30, with the zh-CN dates 27–36, 50–58).
NumberStyle style_of_builtin(std::uint32_t id) {
  if ((id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58)) {
    return NumberStyle::kDate;
  }
  if (id == 9 || id == 10) return NumberStyle::kPercent;
  return NumberStyle::kPlain;
}

// `serial` (a number cell's value, 15 digits) as the date Excel shows: `2024-03-01`, with the time
// when it has one (`2024-03-01 08:30:00`).
std::string date_text(const std::string& serial, bool date1904) {
  const double v = std::strtod(serial.c_str(), nullptr);
  if (!(v >= 0 && v < 2958466)) return serial;  // before 1900 or after 9999: as the number
  auto days = static_cast<long>(std::floor(v));
  auto seconds = static_cast<long>(std::llround((v - static_cast<double>(days)) * 86400.0));
  if (seconds >= 86400) {
    ++days;
    seconds -= 86400;
  }
  // Days since 1970-01-01: the 1900 system counts a 29 February 1900 that never was (serial 60).
  long z = date1904 ? days + 1462 - 25569 : (days >= 61 ? days - 25569 : days - 25568);
  // Howard Hinnant's civil_from_days.
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  const long d = doy - (153 * mp + 2) / 5 + 1;
  const long m = mp < 10 ? mp + 3 : mp - 9;
  const long y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  std::array<char, 40> buf{};
  int n = std::snprintf(buf.data(), buf.size(), "%04ld-%02ld-%02ld", y, m, d);
  if (seconds != 0) {
    n += std::snprintf(buf.data() + n, buf.size() - static_cast<std::size_t>(n), " %02ld:%02ld:%02ld", seconds / 3600,
                       seconds / 60 % 60, seconds % 60);
  }
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

// A number's text ×100 and `%`, as a percentage format shows it: `0.853` → `85.3%`.
// (`number` has at most 15 significant digits already, so shifting it rounds nothing.)
std::string percent_text(const std::string& number) { return excel_number(number + "E2").value_or(number) + "%"; }

// ---- the reader ----

// A problem that stops reading; turned into a diagnostic by read_xlsx.
// What expat found wrong, in the user's language where it is a usual case.
Message xml_error(XML_Error code) {
  switch (code) {
    case XML_ERROR_SYNTAX: return msg::xin_xml_syntax();
    case XML_ERROR_NO_ELEMENTS: return msg::xin_xml_no_elements();
    case XML_ERROR_INVALID_TOKEN: return msg::xin_xml_invalid_token();
    case XML_ERROR_UNCLOSED_TOKEN: return msg::xin_xml_unclosed_token();
    case XML_ERROR_PARTIAL_CHAR: return msg::xin_xml_partial_char();
    case XML_ERROR_TAG_MISMATCH: return msg::xin_xml_tag_mismatch();
    case XML_ERROR_DUPLICATE_ATTRIBUTE: return msg::xin_xml_duplicate_attribute();
    case XML_ERROR_JUNK_AFTER_DOC_ELEMENT: return msg::xin_xml_junk_after();
    case XML_ERROR_UNDEFINED_ENTITY: return msg::xin_xml_undefined_entity();
    case XML_ERROR_BAD_CHAR_REF: return msg::xin_xml_bad_char_ref();
    case XML_ERROR_UNKNOWN_ENCODING:
    case XML_ERROR_INCORRECT_ENCODING: return msg::xin_xml_bad_encoding();
    case XML_ERROR_UNBOUND_PREFIX: return msg::xin_xml_unbound_prefix();
    case XML_ERROR_MISPLACED_XML_PI: return msg::xin_xml_misplaced_pi();
    default: {
      const XML_LChar* text = XML_ErrorString(code);
      return msg::xin_xml_other(text != nullptr ? text : "?");
    }
  }
}

struct Failure {
  DiagCode code;
  std::string where;  ///< the file, `file!sheet!F23` for a cell
  Message message;
  std::optional<Message> hint;
};

// An XML part's handler: elements by their local names.
class PartHandler {
 public:
  virtual ~PartHandler() = default;
  virtual void start(std::string_view name, const XML_Char** atts) = 0;
  virtual void end(std::string_view name) = 0;
  virtual void text(std::string_view) {}
  /// Set by a handler to stop the parse with this failure.
  std::optional<Failure> failure;
};

struct Entry {
  std::string name;
  zip_uint64_t index;
};

class Workbook {
 public:
  Workbook(std::string path, std::string_view bytes) : path_(std::move(path)), bytes_(bytes) {}
  ~Workbook() {
    if (zip_ != nullptr) zip_discard(zip_);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  [[nodiscard]] Failure fail(Message message, std::optional<Message> hint = std::nullopt) const {
    return Failure{DiagCode::xlsx_archive, path_, std::move(message), std::move(hint)};
  }

  std::optional<Failure> open() {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes_.data(), bytes_.size(), 0, &error);
    if (source == nullptr) throw std::bad_alloc();
    zip_ = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (zip_ == nullptr) {
      zip_source_free(source);
      const int code = zip_error_code_zip(&error);
      const std::string reason = zip_error_strerror(&error);
      zip_error_fini(&error);
      if (code == ZIP_ER_MEMORY) throw std::bad_alloc();
      if (code == ZIP_ER_NOZIP) return fail(msg::xin_not_zip(), msg::xin_hint_resave());
      if (code == ZIP_ER_INCONS) return fail(msg::xin_zip_inconsistent(), msg::xin_hint_resave());
      return fail(msg::xin_zip_unreadable(reason), msg::xin_hint_resave());
    }
    zip_error_fini(&error);
    return std::nullopt;
  }

  [[nodiscard]] bool has(const std::string& part) const { return zip_name_locate(zip_, part.c_str(), 0) >= 0; }

  // Parses `part` with `handler`, inflating it piece by piece. A failure names the part.
  std::optional<Failure> parse(const std::string& part, PartHandler& handler) {
    const zip_int64_t index = zip_name_locate(zip_, part.c_str(), 0);
    if (index < 0) return fail(msg::xin_part_missing(part), msg::xin_hint_resave());
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_, static_cast<zip_uint64_t>(index), 0, &st) != 0) {
      return fail(msg::xin_part_damaged(part, zip_strerror(zip_)), msg::xin_hint_resave());
    }
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 && st.encryption_method != ZIP_EM_NONE) {
      return fail(msg::xin_part_encrypted(part), msg::xin_hint_password());
    }
    if ((st.valid & ZIP_STAT_SIZE) != 0 && st.size > kXlsxMaxPartBytes) {
      return fail(msg::xin_part_too_large(part, static_cast<std::int64_t>(kXlsxMaxPartBytes >> 20)), msg::xin_hint_too_large());
    }
    zip_file_t* file = zip_fopen_index(zip_, static_cast<zip_uint64_t>(index), 0);
    if (file == nullptr) return fail(msg::xin_part_damaged(part, zip_strerror(zip_)), msg::xin_hint_resave());
    const std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> closer(file, zip_fclose);
    XML_Parser parser = XML_ParserCreateNS(nullptr, '|');
    if (parser == nullptr) throw std::bad_alloc();
    const std::unique_ptr<std::remove_pointer_t<XML_Parser>, void (*)(XML_Parser)> free_parser(parser, XML_ParserFree);
    struct Context {
      PartHandler* handler;
      XML_Parser parser;
      bool doctype = false;
    } context{&handler, parser};
    XML_SetUserData(parser, &context);
    XML_SetElementHandler(
        parser,
        [](void* data, const XML_Char* name, const XML_Char** atts) {
          auto* c = static_cast<Context*>(data);
          c->handler->start(local_name(name), atts);
          if (c->handler->failure) XML_StopParser(c->parser, XML_FALSE);
        },
        [](void* data, const XML_Char* name) {
          auto* c = static_cast<Context*>(data);
          c->handler->end(local_name(name));
          if (c->handler->failure) XML_StopParser(c->parser, XML_FALSE);
        });
    XML_SetCharacterDataHandler(parser, [](void* data, const XML_Char* s, int len) {
      static_cast<Context*>(data)->handler->text(std::string_view(s, static_cast<std::size_t>(len)));
    });
    // No document type declarations: a workbook has none, and they are how entity expansion
    // attacks begin.
    XML_SetStartDoctypeDeclHandler(parser, [](void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
      auto* c = static_cast<Context*>(data);
      c->doctype = true;
      XML_StopParser(c->parser, XML_FALSE);
    });
    std::array<char, 65536> buffer{};
    std::size_t total = 0;
    while (true) {
      const zip_int64_t n = zip_fread(file, buffer.data(), buffer.size());
      if (n < 0) return fail(msg::xin_part_damaged(part, zip_file_strerror(file)), msg::xin_hint_resave());
      total += static_cast<std::size_t>(n);
      if (total > kXlsxMaxPartBytes) {
        return fail(msg::xin_part_too_large(part, static_cast<std::int64_t>(kXlsxMaxPartBytes >> 20)), msg::xin_hint_too_large());
      }
      const bool last = n == 0;
      if (XML_Parse(parser, buffer.data(), static_cast<int>(n), last ? XML_TRUE : XML_FALSE) != XML_STATUS_OK) {
        if (handler.failure) return handler.failure;
        const auto line = static_cast<std::int64_t>(XML_GetCurrentLineNumber(parser));
        if (context.doctype) return fail(msg::xin_doctype(part, line), msg::xin_hint_resave());
        return fail(msg::xin_bad_xml(part, line, xml_error(XML_GetErrorCode(parser))), msg::xin_hint_resave());
      }
      if (last) break;
    }
    if (handler.failure) return handler.failure;
    return std::nullopt;
  }

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string_view bytes() const { return bytes_; }

 private:
  std::string path_;
  std::string_view bytes_;
  zip_t* zip_ = nullptr;
};

// _rels/*.rels: Id → (Type, Target).
class RelsHandler : public PartHandler {
 public:
  struct Rel {
    std::string type;
    std::string target;
  };
  void start(std::string_view name, const XML_Char** atts) override {
    if (name != "Relationship") return;
    if (attribute(atts, "TargetMode").value_or("") == "External") return;
    rels[std::string(attribute(atts, "Id").value_or(""))] =
        Rel{std::string(attribute(atts, "Type").value_or("")), std::string(attribute(atts, "Target").value_or(""))};
  }
  void end(std::string_view) override {}
  // The target of the first relationship whose type ends with `/suffix`.
  [[nodiscard]] std::optional<std::string> of_type(std::string_view suffix) const {
    for (const auto& [id, rel] : rels) {
      if (rel.type.ends_with("/" + std::string(suffix))) return rel.target;
    }
    return std::nullopt;
  }
  std::map<std::string, Rel> rels;
};

// xl/workbook.xml: the sheets in order, and the date system.
class WorkbookHandler : public PartHandler {
 public:
  struct Sheet {
    std::string name;
    std::string rel;
  };
  void start(std::string_view name, const XML_Char** atts) override {
    if (name == "sheet") {
      sheets.push_back(Sheet{std::string(attribute(atts, "name").value_or("")), std::string(attribute(atts, "id").value_or(""))});
    } else if (name == "workbookPr") {
      const std::string_view v = attribute(atts, "date1904").value_or("0");
      date1904 = v == "1" || v == "true";
    }
  }
  void end(std::string_view) override {}
  std::vector<Sheet> sheets;
  bool date1904 = false;
};

// xl/sharedStrings.xml: every `<si>`, its `<t>` texts (plain or in rich-text runs `<r>`) joined;
// phonetic guides (`<rPh>`) left out. Texts in one buffer, to hold millions in little memory.
class SharedStringsHandler : public PartHandler {
 public:
  explicit SharedStringsHandler(const Workbook& book) : book_(book) {}
  void start(std::string_view name, const XML_Char**) override {
    if (name == "si") {
      in_si_ = true;
      if (offsets.size() > kXlsxMaxCells) failure = book_.fail(msg::xin_too_many_strings(static_cast<std::int64_t>(kXlsxMaxCells)), msg::xin_hint_too_large());
      offsets.push_back(texts.size());
    } else if (name == "rPh") {
      ++in_phonetic_;
    } else if (name == "t" && in_si_ && in_phonetic_ == 0) {
      in_t_ = true;
    }
  }
  void end(std::string_view name) override {
    if (name == "si") in_si_ = false;
    if (name == "rPh") --in_phonetic_;
    if (name == "t") in_t_ = false;
  }
  void text(std::string_view s) override {
    if (in_t_) texts.append(s);
  }
  [[nodiscard]] std::size_t size() const { return offsets.size(); }
  [[nodiscard]] std::string_view get(std::size_t i) const {
    const std::size_t end = i + 1 < offsets.size() ? offsets[i + 1] : texts.size();
    return std::string_view(texts).substr(offsets[i], end - offsets[i]);
  }
  std::string texts;
  std::vector<std::size_t> offsets;

 private:
  const Workbook& book_;
  bool in_si_ = false;
  bool in_t_ = false;
  int in_phonetic_ = 0;
};

// xl/styles.xml: the number style of each cell format (`<cellXfs><xf numFmtId>`).
class StylesHandler : public PartHandler {
 public:
  void start(std::string_view name, const XML_Char** atts) override {
    if (name == "numFmt") {
      std::uint32_t id = 0;
      const std::string_view v = attribute(atts, "numFmtId").value_or("");
      std::from_chars(v.data(), v.data() + v.size(), id);
      custom_[id] = style_of_code(attribute(atts, "formatCode").value_or(""));
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_) {
      std::uint32_t id = 0;
      const std::string_view v = attribute(atts, "numFmtId").value_or("0");
      std::from_chars(v.data(), v.data() + v.size(), id);
      formats_.push_back(id);
    }
  }
  void end(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }
  // The styles of the cell formats, once the part is read.
  [[nodiscard]] std::vector<NumberStyle> styles() const {
    std::vector<NumberStyle> out;
    for (const std::uint32_t id : formats_) {
      const auto it = custom_.find(id);
      out.push_back(it != custom_.end() ? it->second : style_of_builtin(id));
    }
    return out;
  }

 private:
  std::map<std::uint32_t, NumberStyle> custom_;
  std::vector<std::uint32_t> formats_;
  bool in_cell_xfs_ = false;
};

// A cell of the sheet with a value.
struct Cell {
  std::uint32_t row;
  std::uint32_t column;
  std::uint32_t text_begin;  ///< in SheetHandler::texts
  std::uint32_t text_size;
  std::uint8_t special;  ///< 0, or 1 + SheetTable::Special
};

struct Merge {
  std::uint32_t first_row, first_column, last_row, last_column;
};

// The worksheet: every cell with a value, and the merged areas.
class SheetHandler : public PartHandler {
 public:
  SheetHandler(const Workbook& book, std::string location, const SharedStringsHandler* strings,
               const std::vector<NumberStyle>& styles, bool date1904)
      : book_(book), location_(std::move(location)), strings_(strings), styles_(styles), date1904_(date1904) {}

  void start(std::string_view name, const XML_Char** atts) override {
    if (name == "row") {
      const std::string_view r = attribute(atts, "r").value_or("");
      std::uint32_t n = row_ + 1;
      if (!r.empty()) {
        const auto [end, ec] = std::from_chars(r.data(), r.data() + r.size(), n);
        if (ec != std::errc() || end != r.data() + r.size() || n == 0 || n > kMaxRow) {
          failure = at_sheet(msg::xin_bad_row_number(std::string(r)));
          return;
        }
      }
      row_ = n;
      column_ = 0;
    } else if (name == "c") {
      in_cell_ = true;
      value_.clear();
      inline_.clear();
      formula_.clear();
      has_value_ = false;
      has_formula_ = false;
      const std::string_view r = attribute(atts, "r").value_or("");
      if (!r.empty()) {
        const auto ref = parse_cell_ref(r);
        if (!ref) {
          failure = at_sheet(msg::xin_bad_cell_ref(std::string(r)));
          return;
        }
        column_ = ref->first;
        row_ = ref->second;
      } else {
        ++column_;
        if (row_ == 0) row_ = 1;
        if (column_ > kMaxColumn) {
          failure = at_sheet(msg::xin_bad_cell_ref(column_letters(column_) + std::to_string(row_)));
          return;
        }
      }
      type_ = std::string(attribute(atts, "t").value_or("n"));
      style_ = 0;
      const std::string_view s = attribute(atts, "s").value_or("0");
      std::from_chars(s.data(), s.data() + s.size(), style_);
    } else if (in_cell_ && name == "f") {
      in_f_ = true;
      has_formula_ = true;
    } else if (in_cell_ && name == "v") {
      in_v_ = true;
      has_value_ = true;
    } else if (in_cell_ && name == "is") {
      in_is_ = true;
      has_value_ = true;
    } else if (in_is_ && name == "rPh") {
      ++in_phonetic_;
    } else if (in_is_ && name == "t" && in_phonetic_ == 0) {
      in_t_ = true;
    } else if (name == "mergeCell") {
      const std::string_view ref = attribute(atts, "ref").value_or("");
      const std::size_t colon = ref.find(':');
      const auto a = parse_cell_ref(ref.substr(0, colon));
      const auto b = colon == std::string_view::npos ? a : parse_cell_ref(ref.substr(colon + 1));
      if (!a || !b) {
        failure = at_sheet(msg::xin_bad_cell_ref(std::string(ref)));
        return;
      }
      merges.push_back(Merge{std::min(a->second, b->second), std::min(a->first, b->first), std::max(a->second, b->second),
                             std::max(a->first, b->first)});
    }
  }

  void end(std::string_view name) override {
    if (name == "v") {
      in_v_ = false;
    } else if (name == "f") {
      in_f_ = false;
    } else if (name == "t") {
      in_t_ = false;
    } else if (name == "rPh") {
      --in_phonetic_;
    } else if (name == "is") {
      in_is_ = false;
    } else if (name == "c" && in_cell_) {
      in_cell_ = false;
      finish_cell();
    }
  }

  void text(std::string_view s) override {
    if (in_v_) value_.append(s);
    if (in_f_ && formula_.size() < 200) formula_.append(s);
    if (in_t_) inline_.append(s);
  }

  std::vector<Cell> cells;
  std::vector<Merge> merges;
  std::string texts;

 private:
  [[nodiscard]] Failure at_sheet(Message message) const {
    return Failure{DiagCode::xlsx_archive, location_.substr(0, location_.size() - 1), std::move(message), msg::xin_hint_resave()};
  }
  [[nodiscard]] std::string here() const { return location_ + column_letters(column_) + std::to_string(row_); }

  void add(std::string_view text, std::uint8_t special = 0) {
    if (text.empty() && special == 0) return;
    if (cells.size() >= kXlsxMaxCells) {
      failure = at_sheet(msg::xin_too_many_cells(static_cast<std::int64_t>(kXlsxMaxCells)));
      failure->hint = msg::xin_hint_too_large();
      return;
    }
    if (texts.size() + text.size() > std::numeric_limits<std::uint32_t>::max()) {
      failure = at_sheet(msg::xin_too_many_cells(static_cast<std::int64_t>(kXlsxMaxCells)));
      failure->hint = msg::xin_hint_too_large();
      return;
    }
    cells.push_back(Cell{row_, column_, static_cast<std::uint32_t>(texts.size()), static_cast<std::uint32_t>(text.size()), special});
    texts.append(text);
  }

  void cell_failure(Message message) {
    failure = Failure{DiagCode::xlsx_archive, here(), std::move(message), msg::xin_hint_resave()};
  }

  void finish_cell() {
    if (has_formula_ && value_.empty() && type_ != "inlineStr") {
      // A formula whose value was never computed (a file written by a program, not saved by Excel).
      return add("=" + formula_, 1 + static_cast<std::uint8_t>(SheetTable::Special::kUncomputed));
    }
    if (!has_value_) return;  // a cell with only a style
    if (type_ == "s") {
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(value_.data(), value_.data() + value_.size(), index);
      if (strings_ == nullptr) return cell_failure(msg::xin_no_shared_strings(value_));
      if (ec != std::errc() || end != value_.data() + value_.size() || index >= strings_->size()) {
        return cell_failure(msg::xin_bad_shared_string(value_, static_cast<std::int64_t>(strings_->size())));
      }
      return add(strings_->get(index));
    }
    if (type_ == "str") return add(value_);
    if (type_ == "inlineStr") return add(inline_);
    if (type_ == "b") {
      if (value_ == "1") return add("TRUE");
      if (value_ == "0") return add("FALSE");
      return cell_failure(msg::xin_bad_boolean(value_));
    }
    if (type_ == "e") return add(value_, 1 + static_cast<std::uint8_t>(SheetTable::Special::kError));
    if (type_ == "d") return add(value_, 1 + static_cast<std::uint8_t>(SheetTable::Special::kDate));
    if (type_ != "n") return cell_failure(msg::xin_bad_cell_type(type_));
    if (value_.empty()) return;
    const auto number = excel_number(value_);
    if (!number) return cell_failure(msg::xin_bad_number(value_));
    const NumberStyle style = style_ < styles_.size() ? styles_[style_] : NumberStyle::kPlain;
    if (style == NumberStyle::kDate) return add(date_text(*number, date1904_), 1 + static_cast<std::uint8_t>(SheetTable::Special::kDate));
    if (style == NumberStyle::kPercent) return add(percent_text(*number));
    add(*number);
  }

  const Workbook& book_;
  std::string location_;
  const SharedStringsHandler* strings_;
  const std::vector<NumberStyle>& styles_;
  bool date1904_;
  std::uint32_t row_ = 0;
  std::uint32_t column_ = 0;
  std::string type_;
  std::uint32_t style_ = 0;
  std::string value_;
  std::string inline_;
  std::string formula_;  ///< its first 200 bytes, for messages
  bool in_cell_ = false;
  bool in_f_ = false;
  bool has_formula_ = false;
  bool in_v_ = false;
  bool in_is_ = false;
  bool in_t_ = false;
  bool has_value_ = false;
  int in_phonetic_ = 0;
};

// The sheet's cells from `header_row` down as a SheetTable.
std::variant<SheetTable, Failure> build_table(const std::string& path, const std::string& sheet_name, SheetHandler& sheet,
                                              std::uint32_t header_row) {
  SheetTable table;
  table.sheet = sheet_name;
  table.location = path + "!" + sheet_name + "!";
  std::vector<Cell>& cells = sheet.cells;
  const auto by_place = [](const Cell& a, const Cell& b) { return a.row != b.row ? a.row < b.row : a.column < b.column; };
  if (!std::is_sorted(cells.begin(), cells.end(), by_place)) std::stable_sort(cells.begin(), cells.end(), by_place);
  for (std::size_t i = 1; i < cells.size(); ++i) {
    if (cells[i].row == cells[i - 1].row && cells[i].column == cells[i - 1].column) {
      return Failure{DiagCode::xlsx_archive, table.location + column_letters(cells[i].column) + std::to_string(cells[i].row),
                     msg::xin_cell_twice(), msg::xin_hint_resave()};
    }
  }
  if (cells.empty()) {
    return Failure{DiagCode::no_rows, path, msg::xin_sheet_empty(path, sheet_name), msg::xin_hint_sheet_empty()};
  }
  std::uint32_t last_row = cells.back().row;
  for (const Merge& m : sheet.merges) {
    // A merged area that reaches into the table shows its top-left value down to its last row.
    const auto top_left = std::lower_bound(cells.begin(), cells.end(), Cell{m.first_row, m.first_column, 0, 0, 0}, by_place);
    if (top_left != cells.end() && top_left->row == m.first_row && top_left->column == m.first_column) {
      last_row = std::max(last_row, std::min(m.last_row, kMaxRow));
    }
  }
  if (header_row > last_row) {
    return Failure{DiagCode::usage, path, msg::xin_header_row_past(static_cast<std::int64_t>(header_row), sheet_name, path,
                                                                   static_cast<std::int64_t>(last_row)),
                   msg::xin_hint_header_row(static_cast<std::int64_t>(cells.front().row))};
  }
  // Merged areas: a merged area is one value, read in its first column; in each row of the table
  // it spans (a header cell over two header rows, a 街道 over its communities) that column holds
  // the top-left cell's value. Its other columns stay empty, as Excel stores them: a title merged
  // across the table is one value, not a column name repeated.
  std::vector<Cell> filled;
  std::size_t fill_budget = kXlsxMaxTableCells;
  for (const Merge& m : sheet.merges) {
    const auto top_left = std::lower_bound(cells.begin(), cells.end(), Cell{m.first_row, m.first_column, 0, 0, 0}, by_place);
    if (top_left == cells.end() || top_left->row != m.first_row || top_left->column != m.first_column) continue;
    const std::uint32_t from = std::max(m.first_row, header_row);
    if (from > m.last_row) continue;
    const std::size_t area = static_cast<std::size_t>(m.last_row - from + 1);
    if (area > fill_budget) {
      return Failure{DiagCode::xlsx_archive, table.location.substr(0, table.location.size() - 1),
                     msg::xin_too_large_table(static_cast<std::int64_t>(kXlsxMaxTableCells)), msg::xin_hint_too_large()};
    }
    fill_budget -= area;
    for (std::uint32_t r = std::max(from, m.first_row + 1); r <= m.last_row; ++r) {
      filled.push_back(Cell{r, m.first_column, top_left->text_begin, top_left->text_size, top_left->special});
    }
  }
  if (!filled.empty()) {
    // The filled value wins over what the cell holds: Excel shows only the top-left value.
    std::vector<Cell> kept;
    for (const Cell& c : cells) kept.push_back(c);
    std::stable_sort(filled.begin(), filled.end(), by_place);
    std::vector<Cell> merged;
    std::size_t a = 0;
    std::size_t b = 0;
    while (a < kept.size() || b < filled.size()) {
      if (b == filled.size() || (a < kept.size() && by_place(kept[a], filled[b]))) {
        merged.push_back(kept[a++]);
      } else {
        if (a < kept.size() && !by_place(filled[b], kept[a])) ++a;  // same place: the fill replaces it
        if (merged.empty() || merged.back().row != filled[b].row || merged.back().column != filled[b].column) merged.push_back(filled[b]);
        ++b;
      }
    }
    cells = std::move(merged);
  }
  const auto first = std::lower_bound(cells.begin(), cells.end(), Cell{header_row, 0, 0, 0, 0}, by_place);
  std::uint32_t columns = 0;
  std::size_t rows = 0;
  std::uint32_t previous_row = 0;
  for (auto it = first; it != cells.end(); ++it) {
    columns = std::max(columns, it->column);
    if (it->row != previous_row) ++rows;
    previous_row = it->row;
  }
  if (first == cells.end() || first->row != header_row) {
    return Failure{DiagCode::usage, path, msg::xin_header_row_empty(static_cast<std::int64_t>(header_row), sheet_name, path),
                   msg::xin_hint_header_row(static_cast<std::int64_t>(first == cells.end() ? cells.front().row : first->row))};
  }
  if (static_cast<std::size_t>(columns) * rows > kXlsxMaxTableCells) {
    return Failure{DiagCode::xlsx_archive, table.location.substr(0, table.location.size() - 1),
                   msg::xin_too_large_table(static_cast<std::int64_t>(kXlsxMaxTableCells)), msg::xin_hint_too_large()};
  }
  std::string& csv = table.csv;
  csv.append(header_row - 1, '\n');  // line N is row N
  std::uint32_t line_row = header_row;  // the row the next line of the text stands for
  for (auto it = first; it != cells.end();) {
    const std::uint32_t row = it->row;
    if (row > line_row) csv.append(row - line_row, '\n');  // rows without a value
    line_row = row;
    if (csv.size() > std::numeric_limits<std::uint32_t>::max() / 2) {
      return Failure{DiagCode::xlsx_archive, table.location.substr(0, table.location.size() - 1),
                     msg::xin_too_large_table(static_cast<std::int64_t>(kXlsxMaxTableCells)), msg::xin_hint_too_large()};
    }
    table.record_rows.push_back(row);
    table.record_offsets.push_back(static_cast<std::uint32_t>(csv.size()));
    std::uint32_t column = 1;
    for (; it != cells.end() && it->row == row; ++it) {
      for (; column < it->column; ++column) csv += ',';
      if (it->special != 0) {
        table.specials.push_back({static_cast<std::uint32_t>(csv.size()), static_cast<SheetTable::Special>(it->special - 1)});
      }
      const std::string_view text = std::string_view(sheet.texts).substr(it->text_begin, it->text_size);
      append_csv_field(csv, text);
      if (column < columns) csv += ',';
      ++column;
    }
    for (; column < columns; ++column) csv += ',';
    csv += '\n';
    // A line break inside a text moves the next line down.
    line_row = row + 1;
  }
  return table;
}

std::optional<Failure> read(Workbook& book, const SheetOptions& options, std::optional<SheetTable>& out) {
  if (book.bytes().empty()) return book.fail(msg::xin_empty_file(), msg::xin_hint_resave());
  if (book.bytes().starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) return book.fail(msg::xin_ole2(), msg::xin_hint_password());
  if (auto f = book.open()) return f;
  const std::string& path = book.path();
  if (book.has("mimetype") && !book.has("xl/workbook.xml")) return book.fail(msg::xin_opendocument(), msg::xin_hint_save_xlsx());
  // The main part, from the package's relationships (xl/workbook.xml by convention).
  std::string workbook_part = "xl/workbook.xml";
  if (book.has("_rels/.rels")) {
    RelsHandler root;
    if (auto f = book.parse("_rels/.rels", root)) return f;
    if (auto target = root.of_type("officeDocument")) workbook_part = resolve_target("", *target);
  }
  if (!book.has(workbook_part)) return book.fail(msg::xin_part_missing(workbook_part), msg::xin_hint_not_workbook());
  WorkbookHandler workbook;
  if (auto f = book.parse(workbook_part, workbook)) return f;
  const std::size_t slash = workbook_part.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : workbook_part.substr(0, slash);
  const std::string rels_part = (dir.empty() ? "" : dir + "/") + "_rels/" + workbook_part.substr(slash + 1) + ".rels";
  RelsHandler rels;
  if (auto f = book.parse(rels_part, rels)) return f;
  if (workbook.sheets.empty()) return book.fail(msg::xin_no_sheets(), msg::xin_hint_resave());

  const WorkbookHandler::Sheet* chosen = &workbook.sheets.front();
  if (options.sheet) {
    chosen = nullptr;
    for (const auto& s : workbook.sheets) {
      if (s.name == *options.sheet) chosen = &s;
    }
    if (chosen == nullptr) {
      std::vector<std::string> names;
      std::optional<Message> list;
      for (const auto& s : workbook.sheets) {
        names.push_back(s.name);
        const std::string quoted = "`" + s.name + "`";
        list = list ? msg::eng_list_next(std::move(*list), quoted) : msg::eng_list_first(quoted);
      }
      Message hint = msg::xin_hint_sheets(*list);
      if (auto best = closest_name(*options.sheet, names)) hint = msg::xin_hint_sheet_guess(*best, *list);
      return Failure{DiagCode::usage, path, msg::xin_no_such_sheet(*options.sheet, path), hint};
    }
  }
  const auto rel = rels.rels.find(chosen->rel);
  if (rel == rels.rels.end()) return book.fail(msg::xin_sheet_no_part(chosen->name, chosen->rel), msg::xin_hint_resave());
  if (!rel->second.type.ends_with("/worksheet")) return book.fail(msg::xin_not_worksheet(chosen->name), msg::xin_hint_choose_sheet());
  const std::string sheet_part = resolve_target(dir, rel->second.target);
  if (!book.has(sheet_part)) return book.fail(msg::xin_sheet_part_missing(chosen->name, sheet_part), msg::xin_hint_resave());

  std::vector<NumberStyle> styles;
  if (auto target = rels.of_type("styles"); target && book.has(resolve_target(dir, *target))) {
    StylesHandler handler;
    if (auto f = book.parse(resolve_target(dir, *target), handler)) return f;
    styles = handler.styles();
  }
  std::optional<SharedStringsHandler> strings;
  if (auto target = rels.of_type("sharedStrings"); target && book.has(resolve_target(dir, *target))) {
    strings.emplace(book);
    if (auto f = book.parse(resolve_target(dir, *target), *strings)) return f;
  }
  SheetHandler sheet(book, path + "!" + chosen->name + "!", strings ? &*strings : nullptr, styles, workbook.date1904);
  if (auto f = book.parse(sheet_part, sheet)) return f;
  strings.reset();  // its texts are copied into the cells
  auto table = build_table(path, chosen->name, sheet, options.header_row);
  if (auto* f = std::get_if<Failure>(&table)) return std::move(*f);
  out = std::move(std::get<SheetTable>(table));
  return std::nullopt;
}

}  // namespace

std::optional<SheetTable> read_xlsx(const std::string& path, std::string_view bytes, const SheetOptions& options,
                                    DiagnosticSink& sink) {
  Workbook book(path, bytes);
  std::optional<SheetTable> table;
  if (auto f = read(book, options, table)) {
    Diagnostic d = diagnose(f->code, Span{}, std::move(f->message), std::move(f->hint));
    d.file = f->where;
    sink.report(std::move(d));
    return std::nullopt;
  }
  return table;
}

}  // namespace jixiao::engine
