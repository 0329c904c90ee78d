#pragma once
// The exact sums of a regression pass over whole key buckets: what a partition of the rows
// contributes, and, merged over every partition, what the metrics are read from.
//
// Within a bucket the pass folds doubles in the canonical row order (regression_accumulator.hpp);
// each bucket's fold then goes into an ExactSum, so adding two states is exact and the
// result does not depend on how the buckets were split or in which order they merge.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include <referee/error.hpp>

#include "accumulate/exact_sum.hpp"
#include "accumulate/exact_sum_serial.hpp"
#include "accumulate/grouped_state.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

// Per-lane sums after a pass, as doubles: what regression_metrics reads. Labels are
// centred (RegressionPlan::label_center); errors are per model (0 champion, 1 challenger).
struct RegressionSums {
  LaneWeights weight{}, label{}, label_squared{};
  std::array<LaneWeights, 2> abs_error{}, squared_error{}, abs_pct_error{};
};

// The quantities of one lane, in this order: the three shared ones (weight, centred label
// and its square), then each model's absolute, squared and absolute percentage error.
inline constexpr std::size_t kRegressionShared = 3, kRegressionPerModel = 3;
inline constexpr std::size_t kRegressionQuantities = kRegressionShared + 2 * kRegressionPerModel;

// The lanes of quantity k in a set of double sums.
inline LaneWeights& regression_quantity(RegressionSums& s, std::size_t k) {
  if (k < kRegressionShared) return k == 0 ? s.weight : k == 1 ? s.label : s.label_squared;
  const std::size_t m = (k - kRegressionShared) / kRegressionPerModel;
  const std::size_t q = (k - kRegressionShared) % kRegressionPerModel;
  return q == 0 ? s.abs_error[m] : q == 1 ? s.squared_error[m] : s.abs_pct_error[m];
}

inline const LaneWeights& regression_quantity(const RegressionSums& s, std::size_t k) {
  return regression_quantity(const_cast<RegressionSums&>(s), k);
}

// Which quantities a pass folds: the single process folds all of them in one pass; the
// partitioned champion pass folds the shared ones and model 0's, the challenger pass model
// 1's (docs/partitioned.md). A quantity's fold never reads another's, so the split changes
// no bit.
struct RegressionParts {
  bool shared = true;
  std::array<bool, 2> model{true, true};

  static RegressionParts all() { return {}; }
  static RegressionParts of_model(std::size_t m) { return {m == 0, {m == 0, m == 1}}; }
  bool folds(std::size_t k) const {
    return k < kRegressionShared ? shared : model[(k - kRegressionShared) / kRegressionPerModel];
  }
};

// One set of exact sums (the overall rows, or one group), [quantity][lane].
struct RegressionExact {
  std::array<std::vector<ExactSum>, kRegressionQuantities> q;

  explicit RegressionExact(std::size_t lanes = 0) {
    for (auto& v : q) v.assign(lanes, ExactSum{});
  }
  std::size_t lanes() const { return q[0].size(); }

  void add(const RegressionExact& other) {
    for (std::size_t k = 0; k < kRegressionQuantities; ++k)
      for (std::size_t l = 0; l < q[k].size(); ++l) q[k][l].add(other.q[k][l]);
  }

  // A bucket's double folds of the quantities `parts` names, added exactly.
  void add(const RegressionSums& fold, RegressionParts parts) {
    for (std::size_t k = 0; k < kRegressionQuantities; ++k)
      if (parts.folds(k)) {
        const LaneWeights& v = regression_quantity(fold, k);
        for (std::size_t l = 0; l < q[k].size(); ++l) q[k][l].add(v[l]);
      }
  }

  // The sums rounded to doubles (each correctly rounded from its exact value).
  RegressionSums rounded() const {
    RegressionSums s;
    for (std::size_t k = 0; k < kRegressionQuantities; ++k)
      for (std::size_t l = 0; l < q[k].size(); ++l) regression_quantity(s, k)[l] = q[k][l].value();
    return s;
  }
};

// A pass's exact sums: the overall rows, and every group of every grouping.
using RegressionPassState = GroupedState<RegressionExact>;

inline RegressionPassState regression_pass_state(std::size_t lanes, std::span<const std::size_t> group_counts) {
  return RegressionPassState(RegressionExact(lanes), group_counts);
}

// The serial form (grouped_state.hpp): the shape, then every exact sum. The reader is told
// the shape the plan expects and refuses any other.
inline void write_state(ByteWriter& out, const RegressionPassState& s) { write_grouped(out, s); }

inline RegressionPassState read_regression_state(ByteReader& in, std::size_t lanes,
                                                 std::span<const std::size_t> group_counts) {
  return read_grouped(in, RegressionExact(lanes), group_counts);
}

}  // namespace referee
