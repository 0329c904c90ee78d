#pragma once
// The shape every task's partial state shares: one set of exact sums for the overall rows
// and one for every group of every grouping, each set [quantity][lane] (BinaryExact,
// RegressionExact, RankingExact), with its serial form and the walk that writes a block's
// metrics from it. One definition, so that a state's layout on disk, its shape checks and
// the order its figures reach the layout are the same for every task.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "accumulate/exact_sum_serial.hpp"
#include "common/byte_stream.hpp"

namespace referee {

template <class Exact>
struct GroupedState {
  Exact overall;
  std::vector<std::vector<Exact>> groups;  // [grouping][group]

  GroupedState() = default;
  // `empty`: one set of zero sums of the pass's shape (quantities, lanes).
  GroupedState(const Exact& empty, std::span<const std::size_t> group_counts) : overall(empty) {
    for (std::size_t n : group_counts) groups.emplace_back(n, empty);
  }

  void add(const GroupedState& other) {
    overall.add(other.overall);
    for (std::size_t g = 0; g < groups.size(); ++g)
      for (std::size_t j = 0; j < groups[g].size(); ++j) groups[g][j].add(other.groups[g][j]);
  }

  // Every set's sums rounded to doubles, in the same shape.
  template <class Sums>
  GroupedState<Sums> rounded() const {
    GroupedState<Sums> out;
    out.overall = overall.rounded();
    for (const auto& g : groups) {
      out.groups.emplace_back();
      for (const Exact& e : g) out.groups.back().push_back(e.rounded());
    }
    return out;
  }
};

// Both models' figures of a block, lane by lane: `put(sums, model, lane, column)` with
// column(k) the layout's column of figure k, for the overall rows and then every group.
// (Layout: ReplicateLayout, a template parameter because that header includes this one.)
template <class Sums, class Layout, class Put>
void put_block(const GroupedState<Sums>& s, std::size_t used, const Layout& layout, Put&& put) {
  for (std::size_t lane = 0; lane < used; ++lane)
    for (std::size_t m = 0; m < 2; ++m) {
      put(s.overall, m, lane, [&](std::size_t k) { return layout.metric(m, k); });
      for (std::size_t g = 0; g < s.groups.size(); ++g)
        for (std::size_t j = 0; j < s.groups[g].size(); ++j)
          put(s.groups[g][j], m, lane, [&](std::size_t k) { return layout.group(g, j, m, k); });
    }
}

// The serial form's shape: lanes, the grouping count, each grouping's group count.
template <class Exact>
void write_shape(ByteWriter& out, const GroupedState<Exact>& s) {
  out.u64(s.overall.lanes());
  out.u64(s.groups.size());
  for (const auto& g : s.groups) out.u64(g.size());
}

// Refuses a state whose shape is not the one the plan expects.
inline void check_shape(ByteReader& in, std::size_t lanes, std::span<const std::size_t> group_counts) {
  if (in.u64() != lanes) in.fail("a block's lane count differs from the plan's");
  if (in.u64() != group_counts.size()) in.fail("the grouping count differs from the plan's");
  for (std::size_t n : group_counts)
    if (in.u64() != n) in.fail("a grouping's group count differs from the plan's");
}

// Every exact sum, the overall rows' first and then each group's, [quantity][lane].
template <class Exact>
void write_sums(ByteWriter& out, const GroupedState<Exact>& s) {
  auto put = [&](const Exact& e) {
    for (const auto& q : e.q)
      for (const ExactSum& v : q) write_exact(out, v);
  };
  put(s.overall);
  for (const auto& g : s.groups)
    for (const Exact& e : g) put(e);
}

// Reads into a state already of the expected shape.
template <class Exact>
void read_sums(ByteReader& in, GroupedState<Exact>& s) {
  auto get = [&](Exact& e) {
    for (auto& q : e.q)
      for (ExactSum& v : q) v = read_exact(in);
  };
  get(s.overall);
  for (auto& g : s.groups)
    for (Exact& e : g) get(e);
}

// The serial form of a state that is its sets alone: the shape, then every exact sum.
template <class Exact>
void write_grouped(ByteWriter& out, const GroupedState<Exact>& s) {
  write_shape(out, s);
  write_sums(out, s);
}

// Such a state of the shape the plan expects (`empty`: one set of zero sums of the pass's
// lanes), refusing any other.
template <class Exact>
GroupedState<Exact> read_grouped(ByteReader& in, const Exact& empty, std::span<const std::size_t> group_counts) {
  check_shape(in, empty.lanes(), group_counts);
  GroupedState<Exact> s(empty, group_counts);
  read_sums(in, s);
  return s;
}

}  // namespace referee
