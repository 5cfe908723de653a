// Literals given on the command line with --param, read with the language's own rules.
#include <cctype>
#include <limits>

#include "checker.hpp"
#include "jixiao/dsl/decimal.hpp"

namespace jixiao::dsl::check_detail {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string trim(const std::string& s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

}  // namespace

bool parse_param_literal(const std::string& raw_text, TypeKind want, std::int64_t& number,
                         std::string& string_value, bool& boolean, Message& error) {
  const std::string text = trim(raw_text);
  switch (want) {
    case TypeKind::kMoney: {
      int places = -1;
      std::string digits;
      for (const auto& [suffix, p] : {std::pair{"亿元", 10}, std::pair{"万元", 6}, std::pair{"元", 2}}) {
        if (ends_with(text, suffix)) {
          places = p;
          digits = text.substr(0, text.size() - std::string(suffix).size());
          break;
        }
      }
      if (places < 0) {
        error = msg::chk_expected_amount_unit_eg();
        return false;
      }
      decimal::ParseError why{};
      if (auto v = decimal::parse(digits, places, &why)) {
        number = *v;
        return true;
      }
      error = why == decimal::ParseError::kTooManyPlaces ? msg::chk_expected_whole_fen()
              : why == decimal::ParseError::kOutOfRange
                  ? msg::chk_expected_amount_up_to(decimal::format_yuan_grouped(std::numeric_limits<std::int64_t>::max()))
                  : msg::chk_expected_amount_unit();
      return false;
    }
    case TypeKind::kNumber: {
      std::string digits = text;
      bool percent = false;
      if (ends_with(digits, "%")) {
        percent = true;
        digits.pop_back();
      } else if (ends_with(digits, "分")) {
        digits.resize(digits.size() - std::string("分").size());
      }
      decimal::ParseError why{};
      if (auto v = decimal::parse(digits, decimal::kPlaces, &why)) {
        number = percent ? static_cast<std::int64_t>(decimal::div_round(*v, 100)) : *v;
        return true;
      }
      error = why == decimal::ParseError::kTooManyPlaces ? msg::chk_expected_number_places()
              : why == decimal::ParseError::kOutOfRange
                  ? msg::chk_expected_number_up_to(decimal::to_string(std::numeric_limits<std::int64_t>::max()))
                  : msg::chk_expected_number_eg();
      return false;
    }
    case TypeKind::kBool:
      if (text == "true" || text == "是") {
        boolean = true;
        return true;
      }
      if (text == "false" || text == "否") {
        boolean = false;
        return true;
      }
      error = msg::chk_expected_bool();
      return false;
    case TypeKind::kText:
      if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
        string_value = text.substr(1, text.size() - 2);
      } else {
        string_value = text;
      }
      return true;
    default:
      error = msg::chk_expected_cli_value();
      return false;
  }
}

}  // namespace jixiao::dsl::check_detail
