// Levenshtein distance over code points, and the "did you mean" choice.
#include "jixiao/dsl/edit_distance.hpp"

#include <algorithm>

#include "jixiao/dsl/utf8.hpp"

namespace jixiao {
namespace {

std::u32string decode_all(std::string_view s) {
  std::u32string out;
  std::size_t pos = 0;
  while (pos < s.size()) out.push_back(utf8::decode(s, pos));
  return out;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::u32string x = decode_all(a);
  const std::u32string y = decode_all(b);
  std::vector<std::size_t> row(y.size() + 1);
  for (std::size_t j = 0; j <= y.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= x.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= y.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (x[i - 1] == y[j - 1] ? 0u : 1u)});
      diag = up;
    }
  }
  return row[y.size()];
}

std::optional<std::string> closest_name(std::string_view name,
                                        const std::vector<std::string>& candidates,
                                        std::size_t max_distance) {
  // Short names get fewer edits: two edits turn any two-character name into any other.
  const std::size_t length = utf8::count_code_points(name);
  max_distance = std::min(max_distance, std::max<std::size_t>(1, length / 3));
  std::optional<std::string> best;
  std::size_t best_distance = max_distance + 1;
  for (const std::string& c : candidates) {
    if (c == name || c.empty()) continue;
    std::size_t d = edit_distance(name, c);
    const bool contains = !name.empty() && (c.find(name) != std::string::npos ||
                                            name.find(c) != std::string_view::npos);
    if (contains) d = std::min(d, max_distance);
    // Replacing every character of a name is not a typo: `E` is not "almost `A`".
    if (d >= length && !contains) continue;
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace jixiao
