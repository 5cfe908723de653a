// Tests of the streaming JSON writer: nesting and commas, string escaping, UTF-8 passthrough,
// integers (including INT64_MIN), raw number text, booleans and null, a string or null when empty; and HTML/XML escaping.
#include "jixiao/dsl/json_writer.hpp"
#include "jixiao/dsl/markup.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace jixiao {
namespace {

std::string quoted(std::string_view value) {
  std::string out;
  JsonWriter::quote(out, value);
  return out;
}

TEST(JsonWriter, EmptyContainers) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.end_array();
  EXPECT_EQ(out, "[{},[]]");
}

TEST(JsonWriter, NestingAndCommas) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("a");
  w.begin_array();
  w.integer(1);
  w.integer(2);
  w.begin_object();
  w.key("b");
  w.null();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.end_array();
  w.key("c");
  w.begin_object();
  w.key("d");
  w.boolean(true);
  w.key("e");
  w.boolean(false);
  w.key("f");
  w.string("x");
  w.end_object();
  w.key("g");
  w.number_text("75.5");
  w.end_object();
  EXPECT_EQ(out, R"({"a":[1,2,{"b":null},[]],"c":{"d":true,"e":false,"f":"x"},"g":75.5})");
}

TEST(JsonWriter, DeepNesting) {
  std::string out;
  JsonWriter w(out);
  for (int i = 0; i < 5; ++i) w.begin_array();
  w.integer(0);
  for (int i = 0; i < 5; ++i) {
    w.end_array();
    if (i < 4) w.integer(i + 1);
  }
  EXPECT_EQ(out, "[[[[[0],1],2],3],4]");
}

TEST(JsonWriter, AppendsToExistingText) {
  std::string out = "prefix ";
  JsonWriter w(out);
  w.begin_array();
  w.string("a");
  w.end_array();
  EXPECT_EQ(out, R"(prefix ["a"])");
}

TEST(JsonWriter, KeysAreEscaped) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("a\"b");
  w.integer(1);
  w.key("总分.创新层");
  w.integer(2);
  w.end_object();
  EXPECT_EQ(out, R"({"a\"b":1,"总分.创新层":2})");
}

TEST(JsonWriterQuote, EscapesQuoteAndBackslash) {
  EXPECT_EQ(quoted(""), R"("")");
  EXPECT_EQ(quoted("plain"), R"("plain")");
  EXPECT_EQ(quoted("say \"hi\""), R"("say \"hi\"")");
  EXPECT_EQ(quoted("C:\\data\\x.csv"), R"("C:\\data\\x.csv")");
  EXPECT_EQ(quoted("\\\""), R"("\\\"")");
  EXPECT_EQ(quoted("/"), R"("/")");  // the solidus need not be escaped
}

TEST(JsonWriterQuote, EscapesControlCharacters) {
  EXPECT_EQ(quoted("a\nb"), R"("a\nb")");
  EXPECT_EQ(quoted("a\tb"), R"("a\tb")");
  EXPECT_EQ(quoted("a\rb"), R"("a\rb")");
  EXPECT_EQ(quoted("\b\f"), R"("\b\f")");
  EXPECT_EQ(quoted("\x01"), R"("\u0001")");
  EXPECT_EQ(quoted("\x1f"), R"("\u001f")");
  EXPECT_EQ(quoted("\x1b[1m"), R"("\u001b[1m")");
  EXPECT_EQ(quoted(std::string_view("a\0b", 3)), R"("a\u0000b")");
  EXPECT_EQ(quoted("\x7f"), "\"\x7f\"");  // DEL is not a JSON control character
  EXPECT_EQ(quoted(" "), R"(" ")");
}

TEST(JsonWriterQuote, Utf8PassesThrough) {
  EXPECT_EQ(quoted("社区服务中心"), "\"社区服务中心\"");
  EXPECT_EQ(quoted("触发应急响应, 3日内整改"), "\"触发应急响应, 3日内整改\"");
  EXPECT_EQ(quoted("\xF0\x9F\x98\x80"), "\"\xF0\x9F\x98\x80\"");
  EXPECT_EQ(quoted("全角，逗号"), "\"全角，逗号\"");
  EXPECT_EQ(quoted("…\n∞"), "\"…\\n∞\"");
}

TEST(JsonWriter, StringValuesUseTheSameEscaping) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  w.string("line 1\nline 2\t\"q\"\\");
  w.string("\x01");
  w.end_array();
  EXPECT_EQ(out, R"(["line 1\nline 2\t\"q\"\\","\u0001"])");
}

TEST(JsonWriter, Integers) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  w.integer(0);
  w.integer(42);
  w.integer(-7);
  w.integer(1'000'000'000'000);
  w.integer(std::numeric_limits<std::int64_t>::max());
  w.integer(std::numeric_limits<std::int64_t>::min());
  w.end_array();
  EXPECT_EQ(out, "[0,42,-7,1000000000000,9223372036854775807,-9223372036854775808]");
}

TEST(JsonWriter, NumberTextIsVerbatim) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  w.number_text("75.00");
  w.number_text("-0.5");
  w.number_text("1e3");
  w.number_text("0");
  w.end_array();
  EXPECT_EQ(out, "[75.00,-0.5,1e3,0]");
}

TEST(JsonWriter, BooleansAndNull) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("t");
  w.boolean(true);
  w.key("f");
  w.boolean(false);
  w.key("n");
  w.null();
  w.key("list");
  w.begin_array();
  w.null();
  w.boolean(false);
  w.null();
  w.end_array();
  w.end_object();
  EXPECT_EQ(out, R"({"t":true,"f":false,"n":null,"list":[null,false,null]})");
}

TEST(JsonWriter, StringOrNull) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  w.string_or_null("");
  w.string_or_null("2024");
  w.string_or_null(" ");
  w.end_array();
  EXPECT_EQ(out, R"([null,"2024"," "])");
}

TEST(JsonWriter, ContainersAsKeyedValues) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("o");
  w.begin_object();
  w.key("x");
  w.integer(1);
  w.end_object();
  w.key("a");
  w.begin_array();
  w.end_array();
  w.key("z");
  w.string("");
  w.end_object();
  EXPECT_EQ(out, R"({"o":{"x":1},"a":[],"z":""})");
}

TEST(JsonWriter, UnbalancedCloseThrows) {
  std::string out;
  JsonWriter w(out);
  EXPECT_THROW(w.end_object(), std::logic_error);
  EXPECT_THROW(w.end_array(), std::logic_error);
}

}  // namespace
}  // namespace jixiao

// ---- HTML and XML (jixiao/dsl/markup.hpp) ----

namespace jixiao {
namespace {

TEST(MarkupTest, EscapesEntitiesAndControlsInBothModes) {
  EXPECT_EQ(escape_markup("a&b<c>\"d\"'e'", Markup::kText), "a&amp;b&lt;c&gt;\"d\"'e'");
  EXPECT_EQ(escape_markup("a&b<c>\"d\"'e'", Markup::kAttribute), "a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;");
  // Line breaks and tabs stay in content; an attribute keeps them only as references.
  EXPECT_EQ(escape_markup("一\n二\t三\r", Markup::kText), "一\n二\t三&#13;");
  EXPECT_EQ(escape_markup("一\n二\t三\r", Markup::kAttribute), "一&#10;二&#9;三&#13;");
  // Controls XML cannot hold become U+FFFD; UTF-8 passes through.
  EXPECT_EQ(escape_markup(std::string("x\x01y\x7Fz", 5), Markup::kText), "x\xEF\xBF\xBDy\xEF\xBF\xBDz");
  EXPECT_EQ(escape_markup("社区编码", Markup::kAttribute), "社区编码");
}

}  // namespace
}  // namespace jixiao
