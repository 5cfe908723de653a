// Canonical text of expressions and intervals: one spelling for every meaning, so that formulas
// can be compared (`jixiao diff`) and printed (`jixiao fmt`, `jixiao graph`).
#pragma once

#include <string>

#include "jixiao/dsl/ast.hpp"

namespace jixiao::dsl {

/// The canonical text of `e`: single spaces around binary operators and after commas, ASCII
/// operators (`*` not `×`), the fewest parentheses that keep the meaning, numbers without
/// trailing zeros (`0.50` → `0.5`), money in the largest unit that keeps it whole (`5000万元`,
/// `12.5元`), and the written units of percentages and points (`40%`, `10分`).
std::string unparse(const ast::Module& m, ast::ExprId e);

/// `[90, 100]`, `[75, 90)`, `(-∞, 60)` style, with `inf` for open ends.
std::string unparse(const ast::Interval& iv);

/// A roll-up's sub-periods as written: `{ "Q1", "Q2" }`, or with the table form
/// `{ "-01": "Q1", "-02": "Q1" }`.
std::string unparse_rollup_parts(const ast::Module& m, const ast::RollupDecl& r);

/// A roll-up as `--show-variant` and `diff` show it: `年度 { "Q1", "Q2", "Q3", "Q4" } missing reweight`.
std::string rollup_text(const ast::Module& m, const ast::RollupDecl& r);

/// `15%`, `10分`, or the bare number.
std::string unparse(const ast::Weight& w);

/// A string literal: `"..."` with `"`, `\\` and line breaks escaped.
std::string quote_text(const std::string& s);

/// A grade or alert label as written: bare (`A`, `优秀`) or quoted.
std::string unparse(const ast::Label& l);

}  // namespace jixiao::dsl
