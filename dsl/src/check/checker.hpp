// Internal: the checker's shared state, used by the pass files under dsl/src/check/.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "jixiao/dsl/check.hpp"

namespace jixiao::dsl::check_detail {

/// Range arithmetic helpers (saturating to an infinite end when int64 overflows).
NumRange range_add(const NumRange& a, const NumRange& b);
NumRange range_sub(const NumRange& a, const NumRange& b);
NumRange range_neg(const NumRange& a);
NumRange range_mul(const NumRange& a, const NumRange& b, std::int64_t scale);
NumRange range_div(const NumRange& a, const NumRange& b, std::int64_t scale);
NumRange range_union(const NumRange& a, const NumRange& b);
NumRange range_min(const NumRange& a, const NumRange& b);
NumRange range_max(const NumRange& a, const NumRange& b);

/// "[0, 100]" / "(-∞, 60)" etc. for messages.
std::string range_text(const NumRange& r);

/// One band for the tiling check.
struct BandRef {
  ast::Interval interval;
  std::string label;
  Span span;
};

/// Reports empty bands, gaps and overlaps between `bands`, and values of `covered` that no band
/// covers. `what` names the declaration in messages ("grade `等级`").
void check_tiling(std::vector<BandRef> bands, const NumRange& covered, const Message& what,
                  DiagnosticSink& sink);

/// Parses a literal given on the command line (`5000万元`, `80`, `15%`, `"文本"`, `true`).
/// Returns false (and fills `error` with what was expected) when it does not parse as `want`.
bool parse_param_literal(const std::string& text, TypeKind want, std::int64_t& number,
                         std::string& string_value, bool& boolean, Message& error);

/// The value of `e` when it is a constant (literals and params, after --param overrides), else
/// nullopt.
using ConstantOf = std::function<std::optional<std::int64_t>(ast::ExprId)>;

/// Reports every constant outside the range where it means something (constants.cpp): negative
/// or zero deduction and bonus amounts and caps, negative fund weights and pools, reversed `clamp`
/// bounds, `ratio` targets and caps of 0 or below, `trimmed_mean` that trims nothing or
/// everything, leaf formulas always outside their full marks, a tree's full marks of 0.
void check_constants(const CheckedPolicy& policy, const ConstantOf& constant, DiagnosticSink& sink);
/// Resolves a name to its symbol without reporting anything (kNoSymbol when it names nothing).
using NameLookup = std::function<SymbolId(const ast::NameRef&)>;

/// The order to check symbols in, and the cycles among them.
struct CheckOrder {
  std::vector<SymbolId> order;         ///< every symbol; what one reads comes before it, except on a cycle
  std::vector<std::uint32_t> component;  ///< by symbol: its strongly connected component
  std::vector<bool> cyclic;            ///< by component: several symbols that read each other
};

/// Checking a symbol needs the types of the symbols it reads, so the checker checks those first,
/// recursively; in this order that recursion finds them already checked, so it stays shallow
/// however long a chain of lets (or of indicators reading indicators) is. Symbols on a cycle read
/// each other unchecked, which the planner reports as a dependency cycle.
CheckOrder check_order(const CheckedPolicy& p, const NameLookup& lookup);

}  // namespace jixiao::dsl::check_detail
