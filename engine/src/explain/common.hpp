// Internal to `jixiao explain`: what its files share (select.cpp, model.cpp, text.cpp, json.cpp).
#pragma once

#include <string>

#include "jixiao/engine/explain_model.hpp"
#include "weights.hpp"

namespace jixiao::engine::explain {

/// The named argument `arg` of a call, or null.
inline const ast::NamedArg* named_arg(const ast::Call& c, dsl::NamedArg arg) {
  for (const auto& a : c.named) {
    if (dsl::named_arg(a.name.name) == arg) return &a;
  }
  return nullptr;
}

/// A track's weight w (over the track's denominator), exactly (detail::exact_decimal).
inline std::string exact_weight_text(const TrackStep& t, Int128 w, int precision, bool mark_inexact) {
  const bool score = t.weight && t.weight->value.kind == Val::Kind::kScore;
  return detail::exact_decimal(w, t.denominator, t.money_weight, score ? precision : 0, mark_inexact);
}

/// A Val's exact value (Val::exact), exactly.
inline std::string exact_val_text(const Val& v, int precision, bool mark_inexact) {
  return detail::exact_decimal(v.exact->first, v.exact->second, v.kind == Val::Kind::kMoney,
                               v.kind == Val::Kind::kScore ? precision : 0, mark_inexact);
}

/// The explanation as text (text.cpp) and as JSON (json.cpp).
std::string write_text(const Explanation& x);
std::string write_json(const Explanation& x);

}  // namespace jixiao::engine::explain
