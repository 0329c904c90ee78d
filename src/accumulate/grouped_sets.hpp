#pragma once
// A pass's sums for the overall rows and for every group of every grouping (segments,
// sensitive attributes): one `Set` each, of the same lanes. Partial states add set by set.

#include <cstddef>
#include <span>
#include <vector>

namespace referee {

template <class Set>
struct GroupedSets {
  Set overall;
  std::vector<std::vector<Set>> groups;  // [grouping][group]

  GroupedSets() = default;
  GroupedSets(std::size_t lanes, std::span<const std::size_t> group_counts) : overall(lanes) {
    for (std::size_t n : group_counts) groups.emplace_back(n, Set(lanes));
  }

  void add(const GroupedSets& other) {
    overall.add(other.overall);
    for (std::size_t g = 0; g < groups.size(); ++g)
      for (std::size_t j = 0; j < groups[g].size(); ++j) groups[g][j].add(other.groups[g][j]);
  }
};

}  // namespace referee
