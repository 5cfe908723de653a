// Applying some of a policy diff's changes to a copy of the old policy's merged module, to find what
// each change does alone (impact.cpp; docs/diff.md, "Causes").
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/check.hpp"
#include "jixiao/engine/diff.hpp"

namespace jixiao::engine {

/// The module being changed (a copy of the old policy's), the new policy's module that changes
/// take their declarations from, and the `--param` overrides the changed module is checked with.
class ChangePatch {
 public:
  ChangePatch(ast::Module& changed, const ast::Module& source, std::vector<dsl::ParamOverride>& overrides)
      : module(changed), from(source), params(overrides) {}

  /// A copy in `module` of expression `e` of `from` (kNoExpr stays kNoExpr).
  ast::ExprId copy(ast::ExprId e);
  /// One entry of a `coef` table (`else` for its otherwise): set to, added as, or removed like the
  /// entry of the same label in `from_coef`.
  void coef(ast::ExprId module_coef, ast::ExprId from_coef, const std::string& label);
  /// A copy in `module` of its own expression `root`, for changing it where other declarations
  /// share it (the segments' copies of a tree share their formulas); `inner`, an expression under
  /// `root`, becomes its copy.
  ast::ExprId own(ast::ExprId root, ast::ExprId& inner);
  /// `--param NAME=VALUE` in place of any override of `name`.
  void override_param(const std::string& name, const std::string& value);

  ast::Module& module;
  const ast::Module& from;
  std::vector<dsl::ParamOverride>& params;
  /// False once a copied expression cannot be evaluated on the old policy's data: a `sub_mean(x)`,
  /// ... of a roll-up, whose values the loader computed for the old policy's calls only.
  bool evaluable = true;

 private:
  // A copy in `module` of expression `e` of `source`; each copied id's copy in `copies`.
  ast::ExprId copy_tree(const ast::Module& source, ast::ExprId e, std::unordered_map<std::uint32_t, ast::ExprId>& copies);
};

}  // namespace jixiao::engine
