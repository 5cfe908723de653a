// The public entry points of `jixiao fmt` (dsl::format, dsl::format_file) and the checks they make
// on the result: the layout itself is under format/ (doc: the document printer, speller: keywords
// and declaration texts, formatter: the layout, summary: what must not change). The rules are
// documented in docs/fmt.md.
#include "jixiao/dsl/format.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include "format/doc.hpp"
#include "format/formatter.hpp"
#include "jixiao/dsl/parse.hpp"

namespace jixiao::dsl {
namespace {

using format_detail::rtrim;

// The comments of `text`, as written.
std::vector<std::string> comment_texts(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& [begin, end] : comment_ranges(text)) out.push_back(rtrim(std::string(text.substr(begin, end - begin))));
  return out;
}


// The keyword spellings of `m` as (keyword, Chinese) pairs, sorted: what fmt must keep. (`asc`,
// the default order of a tie key, is not printed.)
std::vector<std::pair<KwId, bool>> spellings(const ast::Module& m) {
  std::vector<std::pair<KwId, bool>> out;
  for (const KeywordUse& u : m.keywords) {
    if (u.id != KwId::kw_asc) out.emplace_back(u.id, u.chinese);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string format(const ast::Module& m, std::string_view text, KeywordSet keywords) {
  std::string out = format_detail::layout(m, text, keywords);
  std::vector<std::string> before;
  for (const ast::Comment& c : m.comments) before.push_back(rtrim(std::string(text.substr(c.span.begin, c.span.end - c.span.begin))));
  const std::vector<std::string> after = comment_texts(out);
  if (after != before) {
    std::size_t i = 0;
    while (i < after.size() && i < before.size() && after[i] == before[i]) ++i;
    throw std::logic_error("fmt would lose or reorder a comment (`" + (i < before.size() ? before[i] : after[i]) + "`)");
  }
  return out;
}

std::optional<std::string> format_file(const SourceSet& sources, SourceId id, DiagnosticSink& sink, KeywordSet keywords) {
  auto module = parse(sources, id, sink);
  if (!module) return std::nullopt;
  const std::string_view text = sources.get(id).text();
  std::string out = format(*module, text, keywords);
  // Verify: the result must mean the same.
  SourceSet check_sources;
  const SourceId check_id = check_sources.add(sources.get(id).path(), out);
  CollectingSink check_sink;
  auto again = parse(check_sources, check_id, check_sink);
  if (!again) throw std::logic_error("fmt produced text that does not parse");
  if (ast_summary(*again) != ast_summary(*module)) throw std::logic_error("fmt would change the meaning of the policy");
  // Every keyword is kept as written, or written in the set asked for.
  std::vector<std::pair<KwId, bool>> expected = spellings(*module);
  if (keywords != KeywordSet::kAsWritten) {
    for (auto& [kw, chinese] : expected) chinese = keywords == KeywordSet::kChinese;
    std::sort(expected.begin(), expected.end());
  }
  const std::vector<std::pair<KwId, bool>> written = spellings(*again);
  if (written != expected) {
    std::size_t i = 0;
    while (i < written.size() && i < expected.size() && written[i] == expected[i]) ++i;
    const auto& [kw, chinese] = i < expected.size() ? expected[i] : written[i];
    const KeywordInfo& k = keyword_info(kw);
    throw std::logic_error("fmt would change how a keyword is spelled (`" + std::string(chinese ? k.chinese : k.english) + "`)");
  }
  return out;
}

}  // namespace jixiao::dsl
