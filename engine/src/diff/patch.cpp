// Applying changes to a copy of the old policy's merged module (patch.hpp).
#include "patch.hpp"

#include <algorithm>
#include <unordered_map>

namespace jixiao::engine {

ast::ExprId ChangePatch::copy(ast::ExprId e) {
  std::unordered_map<std::uint32_t, ast::ExprId> copies;
  return copy_tree(from, e, copies);
}

ast::ExprId ChangePatch::own(ast::ExprId root, ast::ExprId& inner) {
  std::unordered_map<std::uint32_t, ast::ExprId> copies;
  const ast::ExprId made = copy_tree(module, root, copies);
  inner = copies.at(static_cast<std::uint32_t>(inner));
  return made;
}

ast::ExprId ChangePatch::copy_tree(const ast::Module& source, ast::ExprId e, std::unordered_map<std::uint32_t, ast::ExprId>& copies) {
  if (!ast::present(e)) return e;
  // Every expression under `e`, found with a stack (a long chain of `+` is deep), then copied in
  // that order with its children re-pointed to their copies.
  std::vector<ast::ExprId> order;
  std::vector<ast::ExprId> stack = {e};
  while (!stack.empty()) {
    const ast::ExprId x = stack.back();
    stack.pop_back();
    order.push_back(x);
    ast::for_each_child(source.expr(x), [&](ast::ExprId c) { stack.push_back(c); });
  }
  const auto base = static_cast<std::uint32_t>(module.exprs.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    copies.emplace(static_cast<std::uint32_t>(order[i]), ast::ExprId{base + static_cast<std::uint32_t>(i)});
  }
  for (const ast::ExprId x : order) {
    ast::Expr copied = source.expr(x);  // a copy: adding to `module` may move `source`'s arena when it is `module`
    ast::for_each_child(copied, [&](ast::ExprId& c) { c = copies.at(static_cast<std::uint32_t>(c)); });
    if (const auto* call = std::get_if<ast::Call>(&copied); call != nullptr && call->callee.name.starts_with("sub_")) {
      evaluable = false;
    }
    module.add(std::move(copied), source.span(x));
  }
  return copies.at(static_cast<std::uint32_t>(e));
}

void ChangePatch::coef(ast::ExprId module_coef, ast::ExprId from_coef, const std::string& label) {
  const auto& source = std::get<ast::Coef>(from.expr(from_coef));
  ast::ExprId value = ast::kNoExpr;
  if (label == "else") {
    value = copy(source.otherwise);
    std::get<ast::Coef>(module.exprs[static_cast<std::uint32_t>(module_coef)]).otherwise = value;
    return;
  }
  const auto has = [&](const ast::TableEntry& en) { return en.key.text == label; };
  const auto from_entry = std::find_if(source.entries.begin(), source.entries.end(), has);
  if (from_entry != source.entries.end()) value = copy(from_entry->value);
  // After the copy: copying adds expressions, which may move the arena.
  auto& target = std::get<ast::Coef>(module.exprs[static_cast<std::uint32_t>(module_coef)]);
  const auto entry = std::find_if(target.entries.begin(), target.entries.end(), has);
  if (from_entry == source.entries.end()) {
    if (entry != target.entries.end()) target.entries.erase(entry);
  } else if (entry != target.entries.end()) {
    entry->value = value;
  } else {
    target.entries.push_back({from_entry->key, value});
  }
}

void ChangePatch::override_param(const std::string& name, const std::string& value) {
  std::erase_if(params, [&](const dsl::ParamOverride& o) { return o.name == name; });
  params.push_back({name, value});
}

}  // namespace jixiao::engine
