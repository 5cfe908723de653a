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

// The edit distance of x and y when it is at most `limit`, else limit + 1. Only the cells within
// `limit` of the diagonal are computed, and it stops at the first row that is all above `limit`:
// O(length × limit) instead of O(length²), and names of very different lengths cost nothing.
std::size_t bounded_distance(const std::u32string& x, const std::u32string& y, std::size_t limit,
                             std::vector<std::size_t>& row) {
  const std::size_t n = x.size();
  const std::size_t m = y.size();
  const std::size_t over = limit + 1;
  if ((n > m ? n - m : m - n) > limit) return over;
  row.assign(m + 1, over);
  for (std::size_t j = 0; j <= std::min(m, limit); ++j) row[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    const std::size_t lo = i > limit ? i - limit : 1;
    const std::size_t hi = std::min(m, i + limit);
    std::size_t diag = row[lo - 1];                             // D[i-1][lo-1]
    std::size_t left = lo == 1 ? std::min(i, over) : over;     // D[i][lo-1]
    if (lo == 1) row[0] = left;
    std::size_t lowest = lo == 1 ? left : over;
    for (std::size_t j = lo; j <= hi; ++j) {
      const std::size_t up = row[j];
      const std::size_t value = std::min({up + 1, left + 1, diag + (x[i - 1] == y[j - 1] ? 0u : 1u), over});
      diag = up;
      row[j] = value;
      left = value;
      lowest = std::min(lowest, value);
    }
    if (lowest > limit) return over;
  }
  return std::min(row[m], over);
}

}  // namespace

std::u32string code_points(std::string_view text) { return decode_all(text); }

std::size_t edit_distance_at_most(const std::u32string& a, const std::u32string& b, std::size_t limit) {
  thread_local std::vector<std::size_t> row;
  return bounded_distance(a, b, limit, row);
}

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
  const std::u32string x = decode_all(name);
  const std::size_t length = x.size();
  max_distance = std::min(max_distance, std::max<std::size_t>(1, length / 3));
  std::optional<std::string> best;
  std::size_t best_distance = max_distance + 1;
  std::vector<std::size_t> row;
  for (const std::string& c : candidates) {
    if (c == name || c.empty()) continue;
    const bool contains = !name.empty() && (c.find(name) != std::string::npos ||
                                            name.find(c) != std::string_view::npos);
    // Only a distance below the best so far can change the choice; a candidate that contains the
    // name counts as max_distance edits at most.
    const std::size_t limit = contains ? max_distance : best_distance - 1;
    std::size_t d = bounded_distance(x, decode_all(c), limit, row);
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
