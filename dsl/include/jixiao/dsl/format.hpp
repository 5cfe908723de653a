// The canonical layout of one policy file (`jixiao fmt`): printed from the file's AST, with every
// comment of the source kept where it was. docs/fmt.md describes the layout.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/dsl/keywords.hpp"
#include "jixiao/dsl/source.hpp"

namespace jixiao::dsl {

/// The line width the layout aims for, in terminal columns (a CJK character counts 2). Longer
/// lines are broken where the layout allows (call arguments, `and`/`or`/`+` chains, `if`, set,
/// table, `coef` and `bands` literals, `output` lists); a line that cannot be broken stays long.
inline constexpr std::size_t kFormatWidth = 100;

/// The canonical text of the file `m` was parsed from. `text` is that file's contents: the spans of
/// `m` and of its comments index into it. The declarations are printed in the order they are
/// written (a variant stays a variant: `extends`, `import`, `override`, `remove` and `add` are kept
/// as statements); every comment is printed exactly once, in its original order. The result ends
/// with one line break and has no byte-order mark. Each keyword is written as it is written in the
/// source (English or Chinese, `keywords` kAsWritten), or all in one set (kEnglish, kChinese).
/// Throws std::logic_error if it would lose or reorder a comment (a bug in the formatter).
std::string format(const ast::Module& m, std::string_view text, KeywordSet keywords = KeywordSet::kAsWritten);

/// Parses the file `id` of `sources` and formats it. Returns nullopt when the file does not parse
/// (the errors, as `jixiao check` reports them, go to `sink`). Verifies the result before returning
/// it: it must parse, to the same declarations (ast_summary) and the same comments in the same
/// order, and every keyword spelled as asked; throws std::logic_error otherwise, so that a caller
/// never writes a changed meaning. (Both keyword sets are read everywhere, so changing the set
/// changes only keywords; a name never turns into one: docs/language.md, "Keywords".)
std::optional<std::string> format_file(const SourceSet& sources, SourceId id, DiagnosticSink& sink,
                                       KeywordSet keywords = KeywordSet::kAsWritten);

/// A text listing every declaration of `m` in the order written, with every field that carries
/// meaning (expressions as dsl::unparse prints them) and no positions or comments. Two files with
/// the same summary mean the same policy.
std::string ast_summary(const ast::Module& m);

}  // namespace jixiao::dsl
