// Canonical texts of declarations and their parts, as the policy diff compares and shows them:
// policy text (`dsl::unparse`) where there is one, defaults written out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/check.hpp"

namespace jixiao::engine::diff_detail {

/// Money in the canonical spelling of unparse (`100万元`, `12.5元`).
std::string money_text(std::int64_t fen);
/// The text of `e`, or empty when absent.
std::string expr_text(const ast::Module& m, ast::ExprId e);
/// An input's type with its range, size, `only` and `optional` (`score 0..100` for `score`).
std::string input_type_text(const ast::InputDecl& in);
/// A scalar param's value.
std::string scalar_text(dsl::TypeKind kind, std::int64_t number, const std::string& text, bool boolean);
bool same_scalar(const dsl::ParamValue& a, const dsl::ParamValue& b);
std::string deadline_text(const std::optional<ast::Deadline>& d);
std::string interval_text(const ast::Band& b);
/// A band's interval, deadline and text.
std::string band_description(const ast::Band& b);
/// `0.5 per 投诉, max 8` (without the keyword, which the change's aspect names).
std::string adjust_text(const ast::Module& m, const ast::Adjust& a);
/// How a track splits (`by 总分`, `equally`, `among top 10% by 总分`).
std::string split_text(const ast::Module& m, const ast::Track& t);
std::string track_description(const ast::Module& m, const ast::Track& t);
std::string ties_text(const ast::Module& m, const ast::FundDecl& f);
std::string effect_text(const dsl::CheckedPolicy& p, const dsl::ResolvedEffect& e);
std::string missing_text(ast::MissingRule r);

}  // namespace jixiao::engine::diff_detail
