// Edit distance over code points, for "did you mean" hints.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jixiao {

/// Levenshtein distance between `a` and `b`, counted in code points (a CJK character is one edit).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The code points of `text`, for comparing one text with many.
std::u32string code_points(std::string_view text);

/// Levenshtein distance between `a` and `b` when it is at most `limit`, else limit + 1. Costs
/// O(length × limit) and stops as soon as no alignment can stay within `limit`.
std::size_t edit_distance_at_most(const std::u32string& a, const std::u32string& b, std::size_t limit);

/// The candidate closest to `name` within `max_distance` edits (ties: first in `candidates`), or
/// nullopt. At most one edit per three code points of `name` is allowed (at least one), and never
/// as many edits as `name` has code points. A candidate that contains `name` or is contained in it
/// also counts as close; an empty candidate is never suggested.
std::optional<std::string> closest_name(std::string_view name,
                                        const std::vector<std::string>& candidates,
                                        std::size_t max_distance = 2);

/// "Did you mean" over many names at once, with bounded work: each closest() compares `name` with
/// every candidate, until `budget` comparisons have been made in all; after that it suggests
/// nothing. (10,000 unknown names against 10,000 declared ones took minutes.)
class Suggester {
 public:
  static constexpr std::size_t kBudget = 2'000'000;
  explicit Suggester(std::size_t budget = kBudget) : left_(budget) {}

  /// closest_name(name, candidates, max_distance), while the budget lasts.
  std::optional<std::string> closest(std::string_view name, const std::vector<std::string>& candidates,
                                     std::size_t max_distance = 2) {
    if (left_ < candidates.size()) {
      left_ = 0;
      return std::nullopt;
    }
    left_ -= candidates.size();
    return closest_name(name, candidates, max_distance);
  }

 private:
  std::size_t left_;
};

}  // namespace jixiao
