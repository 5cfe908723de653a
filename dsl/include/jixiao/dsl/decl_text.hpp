// The one printer of declaration parts: intervals, deadlines, bands, input types, veto effects,
// missing rules and the options of a top-N track. `jixiao fmt` prints them with each keyword as
// written (a Speller over the module's keyword uses); `jixiao diff`, `--show-variant`, the results,
// the report and `jixiao lsp` print them in one fixed set of words.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/keywords.hpp"
#include "jixiao/dsl/message.hpp"

namespace jixiao::dsl {

/// Keywords printed as written in a module (Module::keywords), or all in one set.
class Speller {
 public:
  Speller(const ast::Module& m, KeywordSet set) : uses_(m.keywords), set_(set) {}
  /// Every keyword in `set` (kEnglish or kChinese), whatever a module wrote.
  explicit Speller(KeywordSet set) : uses_(no_uses()), set_(set) {}

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
  static const std::vector<KeywordUse>& no_uses();
  [[nodiscard]] std::vector<KeywordUse>::const_iterator first_at(std::uint32_t from) const {
    return std::lower_bound(uses_.begin(), uses_.end(), from, [](const KeywordUse& u, std::uint32_t at) { return u.begin < at; });
  }
  const std::vector<KeywordUse>& uses_;
  KeywordSet set_;
};

/// How people read an open end (`--show-variant`, `jixiao lsp`, the checker's labels): `[90, ∞)`.
inline constexpr std::string_view kInfinity = "∞";

/// `[90, 100]`, `[75, 90)`, `(-inf, 60)`: the open ends spelled `inf` (or `kInfinity`, ...).
std::string interval_text(const ast::Interval& iv, std::string_view inf);
/// The interval with `inf` spelled as written inside it.
std::string interval_text(const ast::Interval& iv, const Speller& k);

/// `deadline 5 workdays`, `期限 5 工作日`.
std::string deadline_text(const ast::Deadline& d, const Speller& k);
/// A deadline's length for people: `5 workdays`, `5个工作日`, `5 days`, `5天`.
Message deadline_length(const ast::Deadline& d);

/// A band after its label: `[60, 75) deadline 5 workdays "text"`, with `no_interval` for a band
/// only a veto gives and the deadline's length in English.
std::string band_text(const ast::Band& b, std::string_view inf, std::string_view no_interval);

/// An input's type as written after its `:`: `score 0..100 optional`, `one_of { "城市", 农村 }`.
std::string input_type(const ast::InputDecl& in, const Speller& k);

/// A veto effect, as written or as resolved: what it targets (the band or fund; empty for the one
/// band of its kind, or for every fund), its label as printed, the steps of `grade down`.
struct EffectParts {
  ast::EffectKind kind = ast::EffectKind::kGradeForce;
  std::string target;
  std::string label;
  std::int64_t steps = 0;
};
/// `grade 等级 at most C`, `grade down 1`, `alert 预警 红`, `fund 0`; keywords as written after `at`.
std::string effect_text(const EffectParts& e, const Speller& k, std::uint32_t at = 0);

/// The mode of a `missing` rule: `zero`, `peer_average`, `reweight` (empty for none); keywords as
/// written last at or before `at`.
std::string missing_mode(ast::MissingRule r, const Speller& k, std::uint32_t at = 0);

/// `of all rounded up ` (with its space) as written after a top p%, or nothing.
std::string top_options(const ast::Track& t, const Speller& k);

}  // namespace jixiao::dsl
