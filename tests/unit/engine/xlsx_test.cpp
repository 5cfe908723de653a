// The number rule of Excel workbooks (xlsx.hpp): a number cell's stored text taken at 15
// significant digits, exactly, on its decimal digits.
#include "jixiao/engine/xlsx.hpp"

#include <gtest/gtest.h>

#include <string>

namespace jixiao::engine {
namespace {

std::string number(std::string_view stored) { return excel_number(stored).value_or("<not a number>"); }

TEST(ExcelNumber, PlainNumbersAreKept) {
  EXPECT_EQ(number("85"), "85");
  EXPECT_EQ(number("85.5"), "85.5");
  EXPECT_EQ(number("0"), "0");
  EXPECT_EQ(number("-3"), "-3");
  EXPECT_EQ(number("1000"), "1000");
  EXPECT_EQ(number("0.25"), "0.25");
  EXPECT_EQ(number("85.50"), "85.5");
  EXPECT_EQ(number("007"), "7");
  EXPECT_EQ(number("-0"), "0");
  EXPECT_EQ(number("+2.5"), "2.5");
}

TEST(ExcelNumber, SeventeenDigitsAreReadAsExcelShowsThem) {
  EXPECT_EQ(number("85.299999999999997"), "85.3");
  EXPECT_EQ(number("0.30000000000000004"), "0.3");
  EXPECT_EQ(number("2.0000000000000004"), "2");
  EXPECT_EQ(number("1.0000001"), "1.0000001");  // 8 digits: kept, and too many decimals for the loader
  EXPECT_EQ(number("3000.123"), "3000.123");
  EXPECT_EQ(number("0.1234567890123449"), "0.123456789012345");
  EXPECT_EQ(number("-85.299999999999997"), "-85.3");
}

TEST(ExcelNumber, RoundsHalfAwayFromZeroAtTheFifteenthDigit) {
  EXPECT_EQ(number("1.234567890123455"), "1.23456789012346");   // 16th digit 5: up
  EXPECT_EQ(number("1.234567890123454"), "1.23456789012345");   // 16th digit 4: down
  EXPECT_EQ(number("-1.234567890123455"), "-1.23456789012346"); // away from zero
  EXPECT_EQ(number("1.2345678901234549999"), "1.23456789012345");  // only the 16th digit decides
  EXPECT_EQ(number("9.999999999999995"), "10");                 // the carry adds a digit
  EXPECT_EQ(number("-9.9999999999999951"), "-10");
  EXPECT_EQ(number("0.99999999999999994"), "1");
}

TEST(ExcelNumber, LargeNumbersKeepFifteenDigits) {
  EXPECT_EQ(number("123456789012345678"), "123456789012346000");
  EXPECT_EQ(number("1E+15"), "1000000000000000");
  EXPECT_EQ(number("123456789012345"), "123456789012345");
  EXPECT_EQ(number("1234567890123456"), "1234567890123460");
  EXPECT_EQ(number("9.9999999999999999E+307").substr(0, 4), "1000");
  EXPECT_EQ(number("9.9999999999999999E+307").size(), 309U);
}

TEST(ExcelNumber, ExponentsAreExact) {
  EXPECT_EQ(number("1E-3"), "0.001");
  EXPECT_EQ(number("1e-3"), "0.001");
  EXPECT_EQ(number("1.2345E+5"), "123450");
  EXPECT_EQ(number("1.2345E5"), "123450");
  EXPECT_EQ(number("-2.5E-7"), "-0.00000025");
  EXPECT_EQ(number("12.5E-1"), "1.25");
  EXPECT_EQ(number("0.000123E+2"), "0.0123");
  EXPECT_EQ(number("5E-324"), "0." + std::string(323, '0') + "5");
  EXPECT_EQ(number("0E+5"), "0");
}

TEST(ExcelNumber, RefusesWhatIsNoNumber) {
  EXPECT_FALSE(excel_number(""));
  EXPECT_FALSE(excel_number("-"));
  EXPECT_FALSE(excel_number("."));
  EXPECT_FALSE(excel_number("abc"));
  EXPECT_FALSE(excel_number("1,5"));
  EXPECT_FALSE(excel_number("1.5.2"));
  EXPECT_FALSE(excel_number("1E"));
  EXPECT_FALSE(excel_number("1E+"));
  EXPECT_FALSE(excel_number(" 1"));
  EXPECT_FALSE(excel_number("1 "));
  EXPECT_FALSE(excel_number("NaN"));
  EXPECT_FALSE(excel_number("inf"));
  EXPECT_FALSE(excel_number("1E+999"));    // far beyond what Excel holds
  EXPECT_FALSE(excel_number("1E-999"));
  EXPECT_FALSE(excel_number("1E+99999999999999999999"));  // the exponent is capped, not overflowed
}

TEST(ExcelNumber, ManyDigitsCostNoMore) {
  const std::string many = "1." + std::string(100000, '3');
  EXPECT_EQ(number(many), "1.33333333333333");
  EXPECT_FALSE(excel_number(std::string(100000, '9')));  // a whole number of 100,000 digits: beyond 1E+400
}

TEST(Xlsx, ColumnLetters) {
  EXPECT_EQ(column_letters(1), "A");
  EXPECT_EQ(column_letters(26), "Z");
  EXPECT_EQ(column_letters(27), "AA");
  EXPECT_EQ(column_letters(16384), "XFD");
}

TEST(Xlsx, RecognisesWorkbooks) {
  EXPECT_TRUE(looks_like_zip(std::string_view("PK\x03\x04rest", 8)));
  EXPECT_FALSE(looks_like_zip("编码,得分\n"));
  EXPECT_TRUE(has_workbook_extension("表.xlsx"));
  EXPECT_TRUE(has_workbook_extension("data/A.XLSX"));
  EXPECT_FALSE(has_workbook_extension("data.csv"));
  EXPECT_FALSE(has_workbook_extension("xlsx"));
}

}  // namespace
}  // namespace jixiao::engine
