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
#include "accumulate/grouped_state.hpp"
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
using BinaryPassState = GroupedState<BinaryExact>;

inline BinaryPassState binary_pass_state(std::size_t lanes, std::span<const std::size_t> group_counts) {
  return BinaryPassState(BinaryExact(lanes), group_counts);
}

// The serial form (grouped_state.hpp): the shape, then every exact sum. The reader is told
// the shape the plan expects and refuses any other.
inline void write_state(ByteWriter& out, const BinaryPassState& s) { write_grouped(out, s); }

// The state in its own shape (bounded: 64 lanes, `max_groups` groups in all).
inline BinaryPassState read_state(ByteReader& in, std::size_t max_groups) {
  const std::size_t lanes = in.count(kLanes, "lane");
  std::vector<std::size_t> counts(in.count(max_groups, "grouping"));
  std::size_t total = 0;
  for (std::size_t& n : counts) total += n = in.count(max_groups, "group");
  if (total > max_groups) in.fail("more than " + std::to_string(max_groups) + " groups");
  BinaryPassState s = binary_pass_state(lanes, counts);
  read_sums(in, s);
  return s;
}

inline BinaryPassState read_state(ByteReader& in, std::size_t lanes, std::span<const std::size_t> group_counts) {
  return read_grouped(in, BinaryExact(lanes), group_counts);
}

// Round 1 of a ranked pass (docs/partitioned.md): per lane, the exact positive and negative
// weight of some rows, which is all that the partitions ranked below them offset by. Each is
// the same exact sum a full pass's pos and neg hold (the same bucket folds, added exactly),
// at a fraction of the pass's work. [0] positive, [1] negative, as BinaryExact's first two.
struct BinaryTotals {
  std::array<std::vector<ExactSum>, 2> q;

  explicit BinaryTotals(std::size_t lanes = 0) {
    for (auto& v : q) v.assign(lanes, ExactSum{});
  }
  std::size_t lanes() const { return q[0].size(); }
  const std::vector<ExactSum>& pos() const { return q[0]; }
  const std::vector<ExactSum>& neg() const { return q[1]; }

  void add(const BinaryTotals& other) {
    for (std::size_t k = 0; k < q.size(); ++k)
      for (std::size_t l = 0; l < q[k].size(); ++l) q[k][l].add(other.q[k][l]);
  }
};

// The totals of the overall rows and of every group of every grouping; serialised as a
// state is (grouped_state.hpp: the shape, then every exact sum).
using BinaryTotalsState = GroupedState<BinaryTotals>;

inline BinaryTotalsState binary_totals_state(std::size_t lanes, std::span<const std::size_t> group_counts) {
  return BinaryTotalsState(BinaryTotals(lanes), group_counts);
}

inline void write_state(ByteWriter& out, const BinaryTotalsState& s) { write_grouped(out, s); }

inline BinaryTotalsState read_totals(ByteReader& in, std::size_t lanes, std::span<const std::size_t> group_counts) {
  return read_grouped(in, BinaryTotals(lanes), group_counts);
}

}  // namespace referee
