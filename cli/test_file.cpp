// Reading policy test files (`*.test.toml`) into cases; see test_file.hpp and docs/testing.md.
#include "test_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/edit_distance.hpp"
#include "jixiao/dsl/utf8.hpp"
#include "jixiao/engine/csv.hpp"
#include "files.hpp"

namespace jixiao::cli {

namespace {

namespace fs = std::filesystem;

TomlPlace place_of(const toml::source_position& p) {
  if (!p) return {};
  return {static_cast<std::uint32_t>(p.line), static_cast<std::uint32_t>(p.column)};
}

Message type_words(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return msg::cli_tf_a_text();
    case toml::node_type::integer: return msg::cli_tf_an_integer();
    case toml::node_type::floating_point: return msg::cli_tf_a_number();
    case toml::node_type::boolean: return msg::cli_tf_a_bool();
    case toml::node_type::array: return msg::cli_tf_an_array();
    case toml::node_type::table: return msg::cli_tf_a_table();
    default: return msg::cli_tf_a_date();
  }
}

/// `a`, `b` and `c`.
Message quoted_list(const std::vector<std::string>& names) {
  if (names.size() < 2) return msg::cli_list_first(names.empty() ? "" : names.front());
  return msg::cli_tf_names_and(backticked_list({names.begin(), names.end() - 1}), names.back());
}

/// Resolves `p` against the directory of the test file.
std::string resolve(const std::string& test_path, const std::string& p) {
  const fs::path given(p);
  if (given.is_absolute()) return given.lexically_normal().string();
  return (fs::path(test_path).parent_path() / given).lexically_normal().string();
}

class Reader {
 public:
  Reader(std::string_view text, std::vector<TestFileError>& errors) : text_(text), errors_(errors) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  void error(const toml::source_position& at, Message message, Message hint) {
    errors_.push_back({place_of(at), std::move(message), std::move(hint)});
  }

  /// Byte offset of a toml++ position (columns count code points).
  [[nodiscard]] std::size_t offset(const toml::source_position& p) const {
    if (!p || p.line > line_starts_.size()) return text_.size();
    std::size_t pos = line_starts_[p.line - 1];
    for (std::uint32_t c = 1; c < p.column && pos < text_.size() && text_[pos] != '\n'; ++c) utf8::decode(text_, pos);
    return pos;
  }

  /// The entries of a table in the order they are written (toml++ keeps them sorted by key).
  static std::vector<std::pair<const toml::key*, const toml::node*>> written_order(const toml::table& t) {
    std::vector<std::pair<const toml::key*, const toml::node*>> out;
    for (const auto& [k, v] : t) out.emplace_back(&k, &v);
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      const auto& pa = a.first->source().begin;
      const auto& pb = b.first->source().begin;
      return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
    });
    return out;
  }

  /// Reports keys of `t` that are not in `known`, with the closest known key as a hint.
  void unknown_keys(const toml::table& t, const std::vector<std::string>& known, const Message& where,
                    const std::vector<std::string>& also_allowed = {}) {
    for (const auto& [k, v] : written_order(t)) {
      const std::string name(k->str());
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      if (std::find(also_allowed.begin(), also_allowed.end(), name) != also_allowed.end()) continue;
      const auto best = closest_name(name, known);
      error(k->source().begin, msg::cli_tf_unknown_key(name, where),
            best ? msg::did_you_mean(*best) : msg::cli_tf_keys_are(quoted_list(known)));
    }
  }

  /// The decimal text of a number written in TOML (an integer, or a float's own digits).
  std::optional<std::string> number_text(const toml::node& n) {
    if (const auto* i = n.as_integer()) return std::to_string(i->get());
    if (n.is_floating_point()) {
      const auto& src = n.source();
      const std::size_t begin = offset(src.begin);
      std::size_t end = src.end && src.end.line == src.begin.line ? offset(src.end) : begin;
      if (end <= begin) {  // no end position: the token runs while it looks like a number
        end = begin;
        while (end < text_.size() && std::string_view("0123456789+-._eEinfa").find(text_[end]) != std::string_view::npos) ++end;
      }
      const std::string_view written = text_.substr(begin, end - begin);
      auto exact = decimal_text_of_toml_float(written);
      if (!exact) {
        error(src.begin, msg::cli_tf_not_decimal(written), msg::cli_tf_hint_number());
        return std::nullopt;
      }
      // Guard against a position that does not point at the number: the text must read as it.
      if (std::strtod(exact->c_str(), nullptr) == n.as_floating_point()->get()) return exact;
      error(src.begin, msg::cli_tf_not_exact(written), msg::cli_tf_hint_as_text());
      return std::nullopt;
    }
    return std::nullopt;
  }

  /// A scalar as text, for row cells and params: texts as they are, numbers exactly, booleans
  /// as 是/否. Reports `what` with the right form on anything else and returns nullopt.
  std::optional<std::string> scalar_text(const toml::node& n, const Message& what) {
    if (const auto* s = n.as_string()) return s->get();
    if (const auto* b = n.as_boolean()) return std::string(b->get() ? "是" : "否");
    if (n.is_integer() || n.is_floating_point()) return number_text(n);
    error(n.source().begin, msg::cli_tf_not_value(what, type_words(n)), msg::cli_tf_hint_value());
    return std::nullopt;
  }

  /// A tolerance: a number (or a decimal text) 0 or more, at most 6 decimals.
  std::optional<std::int64_t> tolerance(const toml::node& n) {
    std::optional<std::string> text;
    if (const auto* s = n.as_string()) {
      text = s->get();
    } else if (n.is_integer() || n.is_floating_point()) {
      text = number_text(n);
      if (!text) return std::nullopt;
    }
    if (text) {
      const auto v = decimal::parse(*text, decimal::kPlaces);
      if (v && *v >= 0) return v;
    }
    error(n.source().begin, msg::cli_tf_bad_tolerance(), msg::cli_tf_hint_tolerance());
    return std::nullopt;
  }

  std::optional<std::string> text_value(const toml::node& n, const std::string& key, const std::string& example) {
    if (const auto* s = n.as_string()) return s->get();
    error(n.source().begin, msg::cli_tf_not_text(key, type_words(n)), msg::cli_tf_hint_example(key, example));
    return std::nullopt;
  }

  /// `[params]` or `params = { ... }`: NAME = VALUE in written order.
  std::vector<dsl::ParamOverride> params(const toml::node& n) {
    std::vector<dsl::ParamOverride> out;
    const auto* t = n.as_table();
    if (t == nullptr) {
      error(n.source().begin, msg::cli_tf_params_not_table(type_words(n)), msg::cli_tf_hint_params());
      return out;
    }
    for (const auto& [k, v] : written_order(*t)) {
      const std::string name(k->str());
      if (auto value = scalar_text(*v, msg::cli_tf_the_param(name))) out.push_back({name, *value});
    }
    return out;
  }

  /// One inline row: (column, cell) pairs in written order.
  std::vector<std::pair<std::string, std::string>> row(const toml::table& t) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [k, v] : written_order(t)) {
      const std::string column(k->str());
      if (const auto* a = v->as_array()) {
        std::string joined;
        bool ok = true;
        for (const auto& item : *a) {
          const auto* s = item.as_string();
          if (s == nullptr) {
            error(item.source().begin, msg::cli_tf_item_not_text(column, type_words(item)), msg::cli_tf_hint_list_cell());
            ok = false;
            break;
          }
          if (!joined.empty()) joined += ';';
          joined += s->get();
        }
        if (ok) out.emplace_back(column, joined);
        continue;
      }
      if (auto cell = scalar_text(*v, msg::cli_tf_the_cell(column))) out.emplace_back(column, *cell);
    }
    return out;
  }

  /// One expected cell.
  std::optional<ExpectedValue> expected(const toml::node& n, const std::string& column) {
    ExpectedValue v;
    if (const auto* s = n.as_string()) {
      v.text = s->get();
      return v;
    }
    if (const auto* b = n.as_boolean()) {
      v.kind = ExpectedValue::Kind::kBool;
      v.text = b->get() ? "是" : "否";
      return v;
    }
    if (n.is_integer() || n.is_floating_point()) {
      auto text = number_text(n);
      if (!text) return std::nullopt;
      v.kind = ExpectedValue::Kind::kNumber;
      v.text = *text;
      return v;
    }
    if (const auto* a = n.as_array()) {
      v.kind = ExpectedValue::Kind::kList;
      for (const auto& item : *a) {
        const auto* s = item.as_string();
        if (s == nullptr) {
          error(item.source().begin, msg::cli_tf_expected_item_not_text(column, type_words(item)), msg::cli_tf_hint_items_texts());
          return std::nullopt;
        }
        v.items.push_back(s->get());
      }
      return v;
    }
    error(n.source().begin, msg::cli_tf_expected_not_value(column, type_words(n)), msg::cli_tf_hint_expected_value());
    return std::nullopt;
  }

  std::optional<Expectation> expectation(const toml::table& t) {
    Expectation e;
    const std::size_t before = errors_.size();
    const toml::node* key = t.get("key");
    if (key == nullptr) {
      error(t.source().begin, msg::cli_tf_no_key(), msg::cli_tf_hint_key());
    } else if (const auto* s = key->as_string()) {
      e.key = s->get();
    } else if (const auto* i = key->as_integer()) {
      e.key = std::to_string(i->get());
    } else {
      error(key->source().begin, msg::cli_tf_not_text("key", type_words(*key)), msg::cli_tf_hint_example("key", "\"C1\""));
    }
    for (const auto& [k, v] : written_order(t)) {
      const std::string column(k->str());
      if (column == "key") continue;
      if (column == "tolerance") {
        e.tolerance = tolerance(*v);
        continue;
      }
      if (auto value = expected(*v, column)) e.cells.push_back({column, std::move(*value)});
    }
    if (errors_.size() != before) return std::nullopt;
    return e;
  }

  /// An array of tables (`[[case]]`, `[[case.expect]]`, `rows = [...]`), or nullptr after
  /// reporting what was written instead.
  const toml::array* tables(const toml::node& n, const std::string& key, const Message& hint) {
    const auto* a = n.as_array();
    if (a != nullptr && a->empty()) return a;
    if (a == nullptr || !a->is_array_of_tables()) {
      error(n.source().begin, msg::cli_tf_not_tables(key, a == nullptr ? type_words(n) : msg::cli_tf_other_array()), hint);
      return nullptr;
    }
    return a;
  }

  void test_case(const std::string& path, const toml::table& t, TestFile& file,
                 const std::vector<dsl::ParamOverride>& file_params, const std::optional<std::string>& file_data,
                 std::int64_t file_tolerance) {
    TestCase c;
    c.tolerance = file_tolerance;
    c.params = file_params;
    unknown_keys(t, {"name", "params", "data", "rows", "period", "tolerance", "expect", "sheet", "header_row"}, msg::cli_tf_in_case());
    const toml::node* name = t.get("name");
    if (name == nullptr) {
      error(t.source().begin, msg::cli_tf_case_no_name(), msg::cli_tf_hint_name());
    } else if (auto n = text_value(*name, "name", "\"负面清单否决\"")) {
      c.name = *n;
      if (c.name.empty()) error(name->source().begin, msg::cli_tf_name_empty(), msg::cli_tf_hint_name());
      for (const TestCase& other : file.cases) {
        if (!c.name.empty() && other.name == c.name) {
          error(name->source().begin, msg::cli_tf_name_twice(c.name), msg::cli_tf_hint_name_own());
        }
      }
    }
    if (const toml::node* p = t.get("params")) {
      for (dsl::ParamOverride& o : params(*p)) {
        auto same = std::find_if(c.params.begin(), c.params.end(), [&](const dsl::ParamOverride& x) { return x.name == o.name; });
        if (same != c.params.end()) {
          same->value = o.value;
        } else {
          c.params.push_back(std::move(o));
        }
      }
    }
    if (const toml::node* tol = t.get("tolerance")) {
      if (auto v = tolerance(*tol)) c.tolerance = *v;
    }
    if (const toml::node* p = t.get("period")) {
      if (auto v = text_value(*p, "period", "\"2023\"")) c.period = *v;
    }
    if (const toml::node* p = t.get("sheet")) {
      if (auto v = text_value(*p, "sheet", "\"Sheet1\"")) c.sheet = *v;
    }
    if (const toml::node* p = t.get("header_row")) {
      const auto v = p->value_exact<std::int64_t>();
      if (!v || *v < 1 || *v > 1048576) {
        error(p->source().begin, msg::xin_tf_header_row(), msg::xin_tf_hint_header_row());
      } else {
        c.header_row = static_cast<std::uint32_t>(*v);
      }
    }
    const toml::node* data = t.get("data");
    const toml::node* rows = t.get("rows");
    if (data != nullptr && rows != nullptr) {
      error(rows->source().begin, msg::cli_tf_data_and_rows(), msg::cli_tf_hint_data_or_rows());
    } else if (rows != nullptr) {
      if (const auto* a = tables(*rows, "rows", msg::cli_tf_hint_rows())) {
        std::vector<std::vector<std::pair<std::string, std::string>>> cells;
        for (const auto& r : *a) cells.push_back(row(*r.as_table()));
        c.rows_csv = rows_to_csv(cells);
      }
    } else if (data != nullptr) {
      if (auto d = text_value(*data, "data", "\"data/communities.csv\"")) c.data_path = resolve(path, *d);
    } else if (file_data) {
      c.data_path = *file_data;
    } else {
      error(t.source().begin, c.name.empty() ? msg::cli_tf_case_no_data() : msg::cli_tf_named_case_no_data(c.name),
            msg::cli_tf_hint_give_data());
    }
    if (const toml::node* e = t.get("expect")) {
      if (const auto* a = tables(*e, "expect", msg::cli_tf_hint_expect())) {
        for (const auto& x : *a) {
          if (auto exp = expectation(*x.as_table())) c.expect.push_back(std::move(*exp));
        }
      }
    }
    file.cases.push_back(std::move(c));
  }

  void file(const std::string& path, const toml::table& root, TestFile& out) {
    unknown_keys(root, {"policy", "data", "tolerance", "params", "case"}, msg::cli_tf_in_test_file());
    const toml::node* policy = root.get("policy");
    if (policy == nullptr) {
      error(toml::source_position{1, 1}, msg::cli_tf_no_policy(), msg::cli_tf_hint_policy());
    } else if (auto p = text_value(*policy, "policy", "\"policy.jx\"")) {
      out.policy_path = resolve(path, *p);
    }
    std::optional<std::string> data;
    if (const toml::node* d = root.get("data")) {
      if (auto v = text_value(*d, "data", "\"data/communities.csv\"")) data = resolve(path, *v);
    }
    std::int64_t tol = 0;
    if (const toml::node* t = root.get("tolerance")) {
      if (auto v = tolerance(*t)) tol = *v;
    }
    std::vector<dsl::ParamOverride> file_params;
    if (const toml::node* p = root.get("params")) file_params = params(*p);
    const toml::node* cases = root.get("case");
    const auto* case_array = cases == nullptr ? nullptr : cases->as_array();
    if (cases == nullptr || (case_array != nullptr && case_array->empty())) {
      error(toml::source_position{1, 1}, msg::cli_tf_no_cases(), msg::cli_tf_hint_cases());
      return;
    }
    if (const auto* a = tables(*cases, "case", msg::cli_tf_hint_case_brackets())) {
      for (const auto& c : *a) test_case(path, *c.as_table(), out, file_params, data, tol);
    }
  }

 private:
  std::string_view text_;
  std::vector<TestFileError>& errors_;
  std::vector<std::size_t> line_starts_;
};

}  // namespace

TestFile parse_test_file(const std::string& path, std::string_view text, std::vector<TestFileError>& errors) {
  TestFile out;
  out.path = path;
  Reader reader(text, errors);
  // Test files are UTF-8, like policies (TOML requires it): name the first byte that is not.
  if (const utf8::Scan scan = utf8::scan(text); !scan.valid()) {
    const utf8::Place at = utf8::place_of(text, scan.first_bad);
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(text[scan.first_bad])));
    errors.push_back({TomlPlace{at.line, at.column}, msg::cli_tf_not_utf8(hex),
                      scan.plausibly_utf8() ? msg::cli_tf_hint_utf8_byte() : msg::cli_tf_hint_utf8_save()});
    return out;
  }
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    const std::size_t at = reader.offset(e.source().begin);
    const bool non_ascii = at < text.size() && static_cast<unsigned char>(text[at]) >= 0x80;
    reader.error(e.source().begin, msg::cli_tf_not_toml(toml_error(e.description(), non_ascii)),
                 non_ascii ? msg::cli_tf_hint_quote_keys() : msg::cli_tf_hint_see_docs());
    return out;
  }
  reader.file(path, root, out);
  std::stable_sort(errors.begin(), errors.end(), [](const TestFileError& a, const TestFileError& b) {
    return a.at.line != b.at.line ? a.at.line < b.at.line : a.at.column < b.at.column;
  });
  return out;
}

std::optional<std::string> decimal_text_of_toml_float(std::string_view source) {
  std::string s;
  for (const char c : source) {
    if (c != '_') s.push_back(c);
  }
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  auto digits = [&]() {
    std::string d;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') d.push_back(s[i++]);
    return d;
  };
  const std::string whole = digits();
  if (whole.empty()) return std::nullopt;  // also `inf` and `nan`
  std::string fraction;
  if (i < s.size() && s[i] == '.') {
    ++i;
    fraction = digits();
    if (fraction.empty()) return std::nullopt;
  }
  long exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    const std::string e = digits();
    if (e.empty() || e.size() > 4) return std::nullopt;
    exponent = std::stol(e);
    if (exp_negative) exponent = -exponent;
  }
  if (i != s.size()) return std::nullopt;
  // Move the decimal point by the exponent.
  const std::string all = whole + fraction;
  const long point = static_cast<long>(whole.size()) + exponent;
  std::string int_part;
  std::string frac_part;
  if (point <= 0) {
    int_part = "0";
    frac_part = std::string(static_cast<std::size_t>(-point), '0') + all;
  } else if (static_cast<std::size_t>(point) >= all.size()) {
    int_part = all + std::string(static_cast<std::size_t>(point) - all.size(), '0');
  } else {
    int_part = all.substr(0, static_cast<std::size_t>(point));
    frac_part = all.substr(static_cast<std::size_t>(point));
  }
  const std::size_t first = int_part.find_first_not_of('0');
  int_part = first == std::string::npos ? "0" : int_part.substr(first);
  while (!frac_part.empty() && frac_part.back() == '0') frac_part.pop_back();
  const bool zero = int_part == "0" && frac_part.empty();
  std::string out = negative && !zero ? "-" : "";
  out += int_part;
  if (!frac_part.empty()) out += "." + frac_part;
  return out;
}

std::string rows_to_csv(const std::vector<std::vector<std::pair<std::string, std::string>>>& rows) {
  std::vector<std::string> header;
  std::map<std::string, std::size_t, std::less<>> index;
  for (const auto& r : rows) {
    for (const auto& [column, cell] : r) {
      if (index.emplace(column, header.size()).second) header.push_back(column);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (i > 0) out.push_back(',');
    engine::append_csv_field(out, header[i]);
  }
  out.push_back('\n');
  for (const auto& r : rows) {
    std::vector<const std::string*> cells(header.size(), nullptr);
    for (const auto& [column, cell] : r) cells[index.find(column)->second] = &cell;
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (i > 0) out.push_back(',');
      if (cells[i] != nullptr) engine::append_csv_field(out, *cells[i]);
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace jixiao::cli
