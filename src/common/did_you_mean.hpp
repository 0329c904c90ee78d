#pragma once
// Suggestions for misspelt names (policy keys, metric names, CSV columns): an error that
// says `did you mean "roc_auc"?` saves the user a trip to the docs.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/quoted.hpp"

namespace referee {

inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

inline bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
         });
}

// The closest candidate within a distance that scales with the word's length, or "".
// A candidate equal but for case ("M" for "m") wins outright; one that starts with the
// word, or that the word starts with ("warning" for "warn"), counts as close, and wins a
// tie on distance.
template <class Range>
std::string closest_match(std::string_view wanted, const Range& candidates) {
  for (const auto& candidate : candidates)
    if (equal_ignoring_case(wanted, std::string_view(candidate))) return std::string(candidate);
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, wanted.size() / 3) + 1;
  bool best_is_prefix = false;
  for (const auto& candidate : candidates) {
    const std::string_view c(candidate);
    const bool prefix = (c.size() >= 3 && wanted.substr(0, c.size()) == c) ||
                        (!wanted.empty() && c.substr(0, wanted.size()) == wanted);
    const std::size_t d = prefix ? std::min<std::size_t>(1, edit_distance(wanted, c))
                                 : edit_distance(wanted, c);
    if (d < best_distance || (d == best_distance && prefix && !best_is_prefix && !best.empty())) {
      best_distance = d;
      best_is_prefix = prefix;
      best = std::string(candidate);
    }
  }
  return best;
}

// " (did you mean \"x\"?)" or "" when nothing is close. The suggestion is escaped: a
// CSV header or a policy key is text from the file, and may hold control bytes.
template <class Range>
std::string did_you_mean(std::string_view wanted, const Range& candidates) {
  const std::string best = closest_match(wanted, candidates);
  return best.empty() ? std::string() : " (did you mean " + quoted_excerpt(best) + "?)";
}

// The names a policy declares, for a message: "a", "b" (or none).
inline std::string declared_list(const std::vector<std::string>& names) {
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + quoted_excerpt(n);
  return list.empty() ? "none" : list;
}

}  // namespace referee
