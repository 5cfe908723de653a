// What the parts of `jixiao diff` share: lists of names, and canonical texts that are catalogue messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/message.hpp"

namespace jixiao::engine::diff_detail {

using ast::ExprId;
using dsl::CheckedPolicy;
using dsl::SymbolKind;
using dsl::TypeKind;
using Names = std::vector<std::string>;

inline constexpr std::string_view kArrow = " → ";

inline std::string join(const Names& items, std::string_view sep) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) s += sep;
    s += items[i];
  }
  return s;
}

// Canonical texts that are not policy text are the English rendering of a catalogue message; the
// text output shows them in the chosen language (side() in render.cpp).
inline std::string canonical(const Message& m) { return m.str(Lang::kEn); }

}  // namespace jixiao::engine::diff_detail
