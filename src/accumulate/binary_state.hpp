#pragma once
// The exact sums of a binary ranked pass over whole score buckets: what a partition of the
// rows contributes, and, merged over every partition, what the metrics are read from.
//
// Within a bucket the pass folds doubles in the canonical order (binary_accumulator.hpp);
// each bucket's fold then goes into an ExactSum, so adding two states is exact and the
// result does not depend on how the buckets were split or in which order they merge.

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "accumulate/exact_sum.hpp"
#include "accumulate/exact_sum_serial.hpp"
#include "accumulate/grouped_sets.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

// The quantities of one lane, in this order: total positive and negative weight, positive
// and negative weight at or above the threshold, the Mann-Whitney sum, the average
// precision sum, log loss and Brier sums.
enum class BinaryQuantity : std::size_t { pos, neg, tp, fp, auc, ap, loss, brier };
inline constexpr std::size_t kBinaryQuantities = 8;

// Per-lane sums after a pass, as doubles: what binary_metrics reads.
struct BinarySums {
  LaneWeights pos{}, neg{}, tp{}, fp{}, auc{}, ap{}, loss{}, brier{};
};

// One set of exact sums (the overall rows, or one group), [quantity][lane].
struct BinaryExact {
  std::array<std::vector<ExactSum>, kBinaryQuantities> q;

  explicit BinaryExact(std::size_t lanes = 0) {
    for (auto& v : q) v.assign(lanes, ExactSum{});
  }
  std::size_t lanes() const { return q[0].size(); }
  std::vector<ExactSum>& operator[](BinaryQuantity k) { return q[static_cast<std::size_t>(k)]; }
  const std::vector<ExactSum>& operator[](BinaryQuantity k) const { return q[static_cast<std::size_t>(k)]; }

  void add(const BinaryExact& other) {
    for (std::size_t k = 0; k < kBinaryQuantities; ++k)
      for (std::size_t l = 0; l < q[k].size(); ++l) q[k][l].add(other.q[k][l]);
  }

  // The sums rounded to doubles (each correctly rounded from its exact value).
  BinarySums rounded() const {
    BinarySums s;
    LaneWeights* fields[kBinaryQuantities] = {&s.pos, &s.neg, &s.tp, &s.fp, &s.auc, &s.ap, &s.loss, &s.brier};
    for (std::size_t k = 0; k < kBinaryQuantities; ++k)
      for (std::size_t l = 0; l < q[k].size(); ++l) (*fields[k])[l] = q[k][l].value();
    return s;
  }
};

// A pass's exact sums: the overall rows, and every group of every grouping.
using BinaryPassState = GroupedSets<BinaryExact>;

// A state's shape, first in its serial form: lanes, the grouping count, each grouping's
// group count. The reader is told the shape the plan expects and refuses any other.
template <class Groups>
void write_shape(ByteWriter& out, std::size_t lanes, const Groups& groups) {
  out.u64(lanes);
  out.u64(groups.size());
  for (const auto& g : groups) out.u64(g.size());
}

inline void read_shape(ByteReader& in, std::size_t lanes, std::span<const std::size_t> group_counts) {
  if (in.u64() != lanes) in.fail("a block's lane count differs from the plan's");
  if (in.u64() != group_counts.size()) in.fail("the grouping count differs from the plan's");
  for (std::size_t n : group_counts)
    if (in.u64() != n) in.fail("a grouping's group count differs from the plan's");
}

// Round 1 of a ranked pass (docs/partitioned.md): per lane, the exact positive and negative
// weight of some rows, which is all that the partitions ranked below them offset by. Each is
// the same exact sum a full pass's pos and neg hold (the same bucket folds, added exactly),
// at a fraction of the pass's work.
struct BinaryTotals {
  std::vector<ExactSum> pos, neg;

  explicit BinaryTotals(std::size_t lanes = 0) : pos(lanes), neg(lanes) {}
  void add(const BinaryTotals& other) {
    for (std::size_t l = 0; l < pos.size(); ++l) {
      pos[l].add(other.pos[l]);
      neg[l].add(other.neg[l]);
    }
  }
};

// The totals of the overall rows and of every group of every grouping.
using BinaryTotalsState = GroupedSets<BinaryTotals>;

// The serial form of totals: the shape (lanes, groupings, each one's group count) as a full
// state writes it, then each set's pos and neg, the overall rows' first.
inline void write_totals(ByteWriter& out, const BinaryTotalsState& s) {
  write_shape(out, s.overall.pos.size(), s.groups);
  auto put = [&](const BinaryTotals& t) {
    for (const ExactSum& v : t.pos) write_exact(out, v);
    for (const ExactSum& v : t.neg) write_exact(out, v);
  };
  put(s.overall);
  for (const auto& g : s.groups)
    for (const BinaryTotals& t : g) put(t);
}

inline BinaryTotalsState read_totals(ByteReader& in, std::size_t lanes, std::span<const std::size_t> group_counts) {
  read_shape(in, lanes, group_counts);
  BinaryTotalsState s(lanes, group_counts);
  auto get = [&](BinaryTotals& t) {
    for (ExactSum& v : t.pos) v = read_exact(in);
    for (ExactSum& v : t.neg) v = read_exact(in);
  };
  get(s.overall);
  for (auto& g : s.groups)
    for (BinaryTotals& t : g) get(t);
  return s;
}

inline BinaryPassState read_sums(ByteReader& in, std::size_t lanes, std::span<const std::size_t> group_counts) {
  BinaryPassState s(lanes, group_counts);
  auto get = [&](BinaryExact& e) {
    for (auto& q : e.q)
      for (ExactSum& v : q) v = read_exact(in);
  };
  get(s.overall);
  for (auto& g : s.groups)
    for (BinaryExact& e : g) get(e);
  return s;
}

// The serial form: lanes, the group count of each grouping, then every exact sum, the
// overall rows' first and then each group's, [quantity][lane]. The reader is told the shape
// the plan expects and refuses any other.
inline void write_state(ByteWriter& out, const BinaryPassState& s) {
  write_shape(out, s.overall.lanes(), s.groups);
  auto put = [&](const BinaryExact& e) {
    for (const auto& q : e.q)
      for (const ExactSum& v : q) write_exact(out, v);
  };
  put(s.overall);
  for (const auto& g : s.groups)
    for (const BinaryExact& e : g) put(e);
}

// The state in its own shape (bounded: 64 lanes, `max_groups` groups in all).
inline BinaryPassState read_state(ByteReader& in, std::size_t max_groups) {
  const std::size_t lanes = in.count(kLanes, "lane");
  std::vector<std::size_t> counts(in.count(max_groups, "grouping"));
  std::size_t total = 0;
  for (std::size_t& n : counts) total += n = in.count(max_groups, "group");
  if (total > max_groups) in.fail("more than " + std::to_string(max_groups) + " groups");
  return read_sums(in, lanes, counts);
}

inline BinaryPassState read_state(ByteReader& in, std::size_t lanes, std::span<const std::size_t> group_counts) {
  read_shape(in, lanes, group_counts);
  return read_sums(in, lanes, group_counts);
}

}  // namespace referee
