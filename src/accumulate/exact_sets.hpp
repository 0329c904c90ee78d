#pragma once
// The sets of exact sums a pass state holds (docs/partitioned.md): the overall rows' set and
// one per group of each grouping, each [quantity][lane]. What every task's state does with
// them, in one place: shape them, add another state's, and write or read them in the serial
// form (the overall set first, then each group's in [grouping][group] order, every sum as
// write_exact gives it; the group counts in the state's header, checked against the plan's).

#include <cstddef>
#include <span>
#include <vector>

#include "accumulate/exact_sum.hpp"
#include "accumulate/exact_sum_serial.hpp"
#include "common/byte_stream.hpp"

namespace referee {

template <class Exact>
using GroupSets = std::vector<std::vector<Exact>>;  // [grouping][group]

template <class Exact>
GroupSets<Exact> group_sets(std::span<const std::size_t> group_counts, const Exact& zero) {
  GroupSets<Exact> groups;
  for (std::size_t n : group_counts) groups.emplace_back(n, zero);
  return groups;
}

template <class Exact>
void add_sets(Exact& overall, GroupSets<Exact>& groups, const Exact& other_overall, const GroupSets<Exact>& other) {
  overall.add(other_overall);
  for (std::size_t g = 0; g < groups.size(); ++g)
    for (std::size_t j = 0; j < groups[g].size(); ++j) groups[g][j].add(other[g][j]);
}

// A pass's exact sums: the overall rows' set, and one per group of every grouping. `Exact`
// is a task's set of sums; one of `lanes` lanes is Exact(lanes) where the task has that.
template <class Exact>
struct ExactPassState {
  Exact overall;
  GroupSets<Exact> groups;

  ExactPassState() = default;
  ExactPassState(const Exact& zero, std::span<const std::size_t> group_counts)
      : overall(zero), groups(group_sets(group_counts, zero)) {}
  ExactPassState(std::size_t lanes, std::span<const std::size_t> group_counts)
      : ExactPassState(Exact(lanes), group_counts) {}

  void add(const ExactPassState& other) { add_sets(overall, groups, other.overall, other.groups); }
};

template <class Exact>
void write_group_counts(ByteWriter& out, const GroupSets<Exact>& groups) {
  out.u64(groups.size());
  for (const auto& g : groups) out.u64(g.size());
}

inline void check_group_counts(ByteReader& in, std::span<const std::size_t> group_counts) {
  if (in.u64() != group_counts.size()) in.fail("the grouping count differs from the plan's");
  for (std::size_t n : group_counts)
    if (in.u64() != n) in.fail("a grouping's group count differs from the plan's");
}

template <class Exact>
void write_sets(ByteWriter& out, const Exact& overall, const GroupSets<Exact>& groups) {
  auto put = [&](const Exact& e) {
    for (const auto& q : e.q)
      for (const ExactSum& v : q) write_exact(out, v);
  };
  put(overall);
  for (const auto& g : groups)
    for (const Exact& e : g) put(e);
}

template <class Exact>
void read_sets(ByteReader& in, Exact& overall, GroupSets<Exact>& groups) {
  auto get = [&](Exact& e) {
    for (auto& q : e.q)
      for (ExactSum& v : q) v = read_exact(in);
  };
  get(overall);
  for (auto& g : groups)
    for (Exact& e : g) get(e);
}

}  // namespace referee
