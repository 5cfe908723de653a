// Internal to `jixiao fmt`: the canonical layout of one parsed policy file (formatter.cpp).
#pragma once

#include <string>
#include <string_view>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/keywords.hpp"

namespace jixiao::dsl::format_detail {

/// The text of `m` (parsed from `text`) in the canonical layout, keywords spelled per `set`: what
/// dsl::format returns before it checks the comments.
std::string layout(const ast::Module& m, std::string_view text, KeywordSet set);

}  // namespace jixiao::dsl::format_detail
