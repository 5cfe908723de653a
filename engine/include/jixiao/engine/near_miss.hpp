// After a run: `list<text>` items that are not in the set they are tested against but are close to
// one of its items (`挪用资金` against `挪用专项资金`), so that a typo in the data cannot silently
// escape a veto (docs/language.md §5, "Near misses").
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/engine/dataset.hpp"

namespace jixiao::engine {

/// Whether data item `item` is close to set item `set_item`: 1 ≤ d ≤ max(1, ⌊L / 3⌋) and d < S,
/// where d is their edit distance in code points (a CJK character is one edit), L the length of the
/// longer and S of the shorter, and L ≥ 3 (items of one or two characters are never close: one edit
/// turns any of them into another).
bool near_item(std::string_view item, std::string_view set_item);

/// Reports (`near-miss`, a warning) each item of the `rows` of a `list<text>` input that is tested
/// with `any_in`, `all_in` or `count_in` against a set, is not in the set, and is near_item() to one
/// of its items: once per input, set and item, at its first row, with how many more rows hold it.
void report_near_misses(const dsl::CheckedPolicy& policy, const Dataset& data, std::span<const std::size_t> rows,
                        DiagnosticSink& sink);

}  // namespace jixiao::engine
