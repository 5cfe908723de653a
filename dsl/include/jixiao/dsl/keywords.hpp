// The keywords of the policy language, English and Chinese (the table is keywords.def).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace jixiao::dsl {

/// One row of keywords.def.
enum class KwId : std::uint8_t {
#define JIXIAO_KEYWORD(id, en, zh, reserved, where, description) kw_##id,
#include "jixiao/dsl/keywords.def"
#undef JIXIAO_KEYWORD
};

struct KeywordInfo {
  KwId id;
  std::string_view english;  ///< a phrase is its words separated by one space
  std::string_view chinese;
  bool reserved;  ///< the first English word cannot be a name
  std::string_view where;
  std::string_view description;
  std::string_view where_zh;        ///< `where` in Chinese (keywords_zh.def)
  std::string_view description_zh;  ///< `description` in Chinese (keywords_zh.def)
};

/// Every row of keywords.def, in its order.
const std::vector<KeywordInfo>& keyword_table();
const KeywordInfo& keyword_info(KwId id);

/// Which spelling `jixiao fmt` writes: each keyword as written, or all in one set.
enum class KeywordSet { kAsWritten, kEnglish, kChinese };

/// Where one keyword is written in a policy: [begin, end) bytes, and which spelling.
struct KeywordUse {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  KwId id{};
  bool chinese = false;
};

}  // namespace jixiao::dsl
