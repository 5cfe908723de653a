// Parsing one policy file into the typed AST.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/dsl/keywords.hpp"
#include "jixiao/dsl/source.hpp"

namespace jixiao::dsl {

/// The deepest nesting a policy may have (docs/language.md, Limits): an indicator group inside
/// another, and within an expression each parenthesis, function call or argument, `if` branch,
/// `coef`/`bands`/table entry, `not` and unary `-` is one level; each declaration's expression and
/// each indicator body start at the level of where they are written. A deeper construct is
/// reported as `too-deep` where it passes the limit, so that every later pass recurses at most this
/// deep (a chain of operators at one level, `a + b + c ...`, is no deeper: passes walk it in a loop).
inline constexpr int kMaxNesting = 256;

/// Parses the file `id` of `sources`. Reports every full-width punctuation mark outside text and
/// comments, then the first syntax error (parsing stops there), to `sink`. Returns nullopt iff at
/// least one error was reported. The SourceSet must outlive the returned Module's spans.
std::optional<ast::Module> parse(const SourceSet& sources, SourceId id, DiagnosticSink& sink);

/// The words of the language's keywords (keywords.def): each English word (a phrase gives each of
/// its words) and each Chinese spelling, sorted byte-wise and unique; editor-support/keywords.txt
/// must list exactly these (checked by a test).
const std::vector<std::string_view>& keywords();

/// Every `#` comment outside string literals of `text`, in order, as [begin, end) byte ranges
/// (a line's `\r` excluded). Meant for text that parsed, where a `#` outside a string always
/// starts a comment and strings never span lines.
std::vector<std::pair<std::size_t, std::size_t>> comment_ranges(std::string_view text);

}  // namespace jixiao::dsl
