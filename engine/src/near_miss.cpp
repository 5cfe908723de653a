// List items close to a set's items: reported after a run (near_miss.hpp).
#include "jixiao/engine/near_miss.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "jixiao/dsl/edit_distance.hpp"
#include "jixiao/dsl/unparse.hpp"

namespace jixiao::engine {
namespace {

using ast::ExprId;

// One membership test of a list<text> input against a set: `违规事项 any_in 负面清单`.
struct ListTest {
  std::uint32_t input = 0;
  ExprId where = ast::kNoExpr;  ///< the test, for the diagnostic's place in the policy
  Message set;                  ///< how the message names the set
  std::vector<std::string> items;
};

// What is found: one item of one input's rows near one item of one set.
struct Found {
  std::size_t first_row = 0;
  std::size_t last_row = 0;
  std::size_t more_rows = 0;
  std::string near;
};

std::vector<ListTest> list_tests(const dsl::CheckedPolicy& p) {
  const ast::Module& m = p.module;
  std::vector<ListTest> out;
  std::set<std::pair<std::uint32_t, std::string>> seen;  // (input, the set as written)
  for (std::uint32_t i = 0; i < m.exprs.size(); ++i) {
    const ExprId e{i};
    ExprId list = ast::kNoExpr;
    ExprId set = ast::kNoExpr;
    if (const auto* b = std::get_if<ast::Binary>(&m.expr(e)); b && (b->op == ast::BinaryOp::kAnyIn || b->op == ast::BinaryOp::kAllIn)) {
      list = b->lhs;
      set = b->rhs;
    } else if (const auto* c = std::get_if<ast::Call>(&m.expr(e)); c && p.builtin(e) == dsl::Builtin::kCountIn && c->args.size() == 2) {
      list = c->args[0];
      set = c->args[1];
    }
    // Only what the checker typed (a test in a removed declaration has no type).
    if (!ast::present(list) || p.type(e).kind == dsl::TypeKind::kError || p.type(list).kind != dsl::TypeKind::kTextList) continue;
    const dsl::SymbolId input = p.ref(list);
    if (input == dsl::kNoSymbol || p.symbol(input).kind != dsl::SymbolKind::kInput) continue;
    ListTest t;
    t.input = p.symbol(input).index;
    t.where = e;
    const ast::Expr* node = &m.expr(set);
    if (std::holds_alternative<ast::NameRef>(*node)) {
      const dsl::SymbolId s = p.ref(set);
      if (s == dsl::kNoSymbol || p.symbol(s).kind != dsl::SymbolKind::kSet) continue;
      t.set = msg::trp_the_set(p.symbol(s).name);
      node = &m.expr(m.sets[p.symbol(s).index].value);
    } else {
      t.set = msg::trp_the_written_set(dsl::unparse(m, set));
    }
    const auto* lit = std::get_if<ast::SetLit>(node);
    if (lit == nullptr) continue;
    for (const ExprId item : lit->items) {
      if (const auto* str = std::get_if<ast::StringLit>(&m.expr(item))) t.items.push_back(str->value);
    }
    if (!seen.emplace(t.input, t.set.str(Lang::kEn)).second) continue;
    out.push_back(std::move(t));
  }
  return out;
}

// How far `item` is from `set_item` when they are close (near_item()), if that is less than
// `below`; else nullopt. The length rule comes first: most pairs stop there.
std::optional<std::size_t> near_distance(const std::u32string& item, const std::u32string& set_item, std::size_t below) {
  const std::size_t longer = std::max(item.size(), set_item.size());
  const std::size_t shorter = std::min(item.size(), set_item.size());
  if (longer < 3 || shorter == 0) return std::nullopt;
  // At most one edit per three characters (at least one), and fewer edits than the shorter has
  // characters.
  const std::size_t limit = std::min({std::max<std::size_t>(1, longer / 3), shorter - 1, below - 1});
  if (limit == 0 || longer - shorter > limit) return std::nullopt;  // more insertions than allowed
  const std::size_t d = edit_distance_at_most(item, set_item, limit);
  if (d == 0 || d > limit) return std::nullopt;
  return d;
}

// A set's items, decoded, with an index from each character to the items holding it: an item
// within k edits of a text holds all but at most k of the text's distinct characters (an edit
// removes at most one), so only items sharing enough characters are compared (near_distance).
class NearIndex {
 public:
  explicit NearIndex(const std::vector<std::string>& items) : items_(items) {
    for (std::uint32_t k = 0; k < items.size(); ++k) {
      decoded_.push_back(code_points(items[k]));
      for (const char32_t c : distinct(decoded_.back())) holding_[c].push_back(k);
    }
    shared_.assign(items.size(), 0);
  }

  // The set's item nearest to `item` (ties: the first in the set), if one is close.
  std::optional<std::string> nearest(const std::u32string& item) {
    const std::u32string chars = distinct(item);
    touched_.clear();
    for (const char32_t c : chars) {
      const auto it = holding_.find(c);
      if (it == holding_.end()) continue;
      for (const std::uint32_t k : it->second) {
        if (shared_[k]++ == 0) touched_.push_back(k);
      }
    }
    // In the set's order, for ties: sorted, or by a scan of all when most items share a character.
    if (touched_.size() * 8 < shared_.size()) {
      std::sort(touched_.begin(), touched_.end());
    } else {
      touched_.clear();
      for (std::uint32_t k = 0; k < shared_.size(); ++k) {
        if (shared_[k] != 0) touched_.push_back(k);
      }
    }
    std::optional<std::string> best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const std::uint32_t k : touched_) {
      const std::size_t held = shared_[k];
      shared_[k] = 0;
      // At most as many edits as near_distance allows for these lengths (one per three characters).
      const std::size_t allowed = std::max<std::size_t>(1, std::max(item.size(), decoded_[k].size()) / 3);
      if (best_distance <= 1 || held + allowed < chars.size()) continue;
      if (const auto d = near_distance(item, decoded_[k], best_distance)) {
        best_distance = *d;
        best = items_[k];
      }
    }
    return best;
  }

 private:
  // The characters of `s`, each once.
  static std::u32string distinct(std::u32string s) {
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    return s;
  }

  const std::vector<std::string>& items_;
  std::vector<std::u32string> decoded_;
  std::unordered_map<char32_t, std::vector<std::uint32_t>> holding_;
  std::vector<std::uint32_t> shared_;   ///< per item: distinct characters shared with the text asked about
  std::vector<std::uint32_t> touched_;  ///< the items sharing any
};

}  // namespace

bool near_item(std::string_view item, std::string_view set_item) {
  return near_distance(code_points(item), code_points(set_item), std::numeric_limits<std::size_t>::max()).has_value();
}

void report_near_misses(const dsl::CheckedPolicy& policy, const Dataset& data, std::span<const std::size_t> rows,
                        DiagnosticSink& sink) {
  for (const ListTest& t : list_tests(policy)) {
    const Column& col = data.inputs[t.input];
    const std::set<std::string_view> in_set(t.items.begin(), t.items.end());
    NearIndex index(t.items);
    std::unordered_map<std::uint32_t, std::optional<std::string>> nearest;  // per text id, computed once
    std::map<std::uint32_t, Found> found;                                   // per text id
    std::vector<std::uint32_t> order;                                       // text ids by first row
    for (const std::size_t r : rows) {
      if (!col.missing.empty() && col.missing[r] != 0) continue;
      for (std::uint32_t k = col.list_offsets[r]; k < col.list_offsets[r + 1]; ++k) {
        const std::uint32_t id = col.list_items[k];
        auto [it, fresh] = nearest.try_emplace(id);
        if (fresh) {
          const std::string text = data.strings.text(id);
          if (!in_set.contains(text)) it->second = index.nearest(code_points(text));
        }
        if (!it->second) continue;
        auto [f, first] = found.try_emplace(id, Found{r, r, 0, *it->second});
        if (first) {
          order.push_back(id);
        } else if (f->second.last_row != r) {
          f->second.last_row = r;
          ++f->second.more_rows;
        }
      }
    }
    const std::string& column = policy.module.inputs[t.input].name.name;
    for (const std::uint32_t id : order) {
      const Found& f = found.at(id);
      const std::string item = data.strings.text(id);
      const auto row = data.shown_row(f.first_row);
      Message message = f.more_rows == 0 ? msg::trp_near_miss(row, column, item, t.set, f.near)
                                         : msg::trp_near_miss_more(row, column, item, t.set, f.near, f.more_rows);
      Diagnostic d = diagnose(DiagCode::near_miss, policy.module.span(t.where), std::move(message),
                                        msg::trp_hint_near_miss(item, f.near));
      if (const Span at = data.row_span(f.first_row); at.valid()) d.notes.push_back(Note{at, msg::note_row_here()});
      sink.report(std::move(d));
    }
  }
}

}  // namespace jixiao::engine
