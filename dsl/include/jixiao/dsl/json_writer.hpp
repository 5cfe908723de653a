// A small streaming JSON writer: objects, arrays, strings with full escaping, integers, raw
// numbers. It inserts commas itself; callers only open, write and close.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jixiao {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  /// Writes `"name":`; must be inside an object and followed by exactly one value.
  void key(std::string_view name);
  void string(std::string_view value);
  void integer(std::int64_t value);
  /// Writes `text` verbatim as a number; the caller guarantees it is a valid JSON number.
  void number_text(std::string_view text);
  void boolean(bool value);
  void null();
  /// Writes `value` as a string, or null when it is empty.
  void string_or_null(std::string_view value);

  /// Appends `value` as a quoted JSON string: `"`, `\` and control characters escaped; UTF-8
  /// passes through unchanged.
  static void quote(std::string& out, std::string_view value);

 private:
  void before_value();
  std::string& out_;
  std::vector<bool> first_;  // one entry per open container: no value written yet
  bool after_key_ = false;
};

}  // namespace jixiao
