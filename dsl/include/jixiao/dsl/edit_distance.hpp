// Edit distance over code points, for "did you mean" hints.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jixiao {

/// Levenshtein distance between `a` and `b`, counted in code points (a CJK character is one edit).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `name` within `max_distance` edits (ties: first in `candidates`), or
/// nullopt. At most one edit per three code points of `name` is allowed (at least one), and never
/// as many edits as `name` has code points. A candidate that contains `name` or is contained in it
/// also counts as close; an empty candidate is never suggested.
std::optional<std::string> closest_name(std::string_view name,
                                        const std::vector<std::string>& candidates,
                                        std::size_t max_distance = 2);

}  // namespace jixiao
