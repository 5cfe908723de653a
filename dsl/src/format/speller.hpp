// Internal to `jixiao fmt`: keywords printed as written or all in one set (Speller), and the texts of
// declaration parts spelled with them (intervals, veto effects, deadlines, input types, ...).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/keywords.hpp"

namespace jixiao::dsl::format_detail {

// ---- keywords: each printed as written (Module::keywords), or all in one set ----

class Speller {
 public:
  Speller(const ast::Module& m, KeywordSet set) : uses_(m.keywords), set_(set) {}

  /// The keyword `id` in the spelling of its use written first at or after `from`.
  [[nodiscard]] std::string after(KwId id, std::uint32_t from) const {
    const auto it = std::find_if(first_at(from), uses_.end(), [&](const KeywordUse& u) { return u.id == id; });
    return spell(id, it != uses_.end() && it->chinese);
  }
  /// The keyword `id` in the spelling of its use written last at or before `at`.
  [[nodiscard]] std::string before(KwId id, std::uint32_t at) const {
    for (auto it = first_at(at + 1); it != uses_.begin();) {
      --it;
      if (it->id == id) return spell(id, it->chinese);
    }
    return spell(id, false);
  }
  /// `inf`: Chinese when a Chinese `inf` is written inside `span`.
  [[nodiscard]] std::string inside(KwId id, Span span) const {
    bool chinese = false;
    for (auto it = first_at(span.begin); it != uses_.end() && it->begin < span.end; ++it) {
      chinese = chinese || (it->id == id && it->chinese);
    }
    return spell(id, chinese);
  }
  [[nodiscard]] std::string spell(KwId id, bool written_chinese) const {
    const KeywordInfo& k = keyword_info(id);
    const bool chinese = set_ == KeywordSet::kChinese || (set_ == KeywordSet::kAsWritten && written_chinese);
    return std::string(chinese ? k.chinese : k.english);
  }

 private:
  [[nodiscard]] std::vector<KeywordUse>::const_iterator first_at(std::uint32_t from) const {
    return std::lower_bound(uses_.begin(), uses_.end(), from, [](const KeywordUse& u, std::uint32_t at) { return u.begin < at; });
  }
  const std::vector<KeywordUse>& uses_;
  KeywordSet set_;
};

std::string interval_text(const ast::Interval& iv, const Speller& k);
std::string effect_text(const ast::VetoEffect& e, const Speller& k);
std::string deadline_text(const ast::Deadline& d, const Speller& k);
std::string input_type(const ast::InputDecl& in, const Speller& k);
// `of all rounded up ` (with its space) as written after a top p%, or nothing.
std::string top_options(const ast::Track& t, const Speller& k);
std::string missing_text(const ast::IndicatorNode& n, const Speller& k);

}  // namespace jixiao::dsl::format_detail
