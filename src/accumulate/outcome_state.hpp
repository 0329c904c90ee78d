#pragma once
// The exact sums and quantile levels of one model's outcome pass over whole value buckets
// (docs/partitioned.md): what a partition of the rows contributes, and, merged over every
// partition, what the metrics are read from.
//
// Within a bucket the pass folds doubles in the canonical ascending order
// (outcome_accumulator.hpp); each bucket's fold goes into an ExactSum, so adding two states
// is exact and does not depend on how the buckets were split or merged. A quantile level is
// a selection: exactly one partition, the one holding the row that reaches it, reports it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <referee/error.hpp>
#include <referee/vocabulary.hpp>

#include "accumulate/exact_sum.hpp"
#include "accumulate/exact_sum_serial.hpp"
#include "accumulate/grouped_state.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

inline constexpr std::size_t kQuantileLevels = kOutcomeQuantiles.size();

// A bucket's double folds of one model's pass, per lane: weight, weighted result, weighted
// passes.
struct OutcomeFold {
  LaneWeights weight{}, value{}, passed{};
};

inline constexpr std::size_t kOutcomeSums = 3;

// One sample's (the overall rows', or one group's) share of one model's pass: the exact
// sums [quantity][lane], and the quantile levels this share's rows reached [lane][level].
struct OutcomeExact {
  std::array<std::vector<ExactSum>, kOutcomeSums> q;
  std::vector<std::array<double, kQuantileLevels>> level;
  std::vector<std::array<std::uint8_t, kQuantileLevels>> found;

  explicit OutcomeExact(std::size_t lanes = 0) : level(lanes), found(lanes) {
    for (auto& v : q) v.assign(lanes, ExactSum{});
  }
  std::size_t lanes() const { return q[0].size(); }

  // A bucket's folds, added exactly (GroupFolds::flush passes its parts; all are folded).
  void add(const OutcomeFold& f, int = 0) {
    for (std::size_t l = 0; l < lanes(); ++l) {
      q[0][l].add(f.weight[l]);
      q[1][l].add(f.value[l]);
      q[2][l].add(f.passed[l]);
    }
  }

  // Another share of the same pass: sums add; a level comes from the one share reaching it.
  void add(const OutcomeExact& other) {
    for (std::size_t k = 0; k < kOutcomeSums; ++k)
      for (std::size_t l = 0; l < lanes(); ++l) q[k][l].add(other.q[k][l]);
    for (std::size_t l = 0; l < lanes(); ++l)
      for (std::size_t j = 0; j < kQuantileLevels; ++j) {
        if (!other.found[l][j]) continue;
        if (found[l][j])
          throw UsageError("two partitions of an outcome pass both reach one quantile level; range-partition the "
                           "rows by buckets()");
        found[l][j] = 1;
        level[l][j] = other.level[l][j];
      }
  }
};

// A pass's shares: the overall rows, and every group of every grouping.
using OutcomePassState = GroupedState<OutcomeExact>;

inline OutcomePassState outcome_pass_state(std::size_t lanes, std::span<const std::size_t> group_counts) {
  return OutcomePassState(OutcomeExact(lanes), group_counts);
}

// The serial form: the shape and every exact sum (grouped_state.hpp), then per sample (the
// overall rows first, then each group) its levels [lane][level] as a u8 flag and, when
// reached, the value. The reader is told the shape the plan expects and refuses any other.
template <class State, class F>
void each_sample(State& s, F&& f) {
  f(s.overall);
  for (auto& g : s.groups)
    for (auto& e : g) f(e);
}

inline void write_state(ByteWriter& out, const OutcomePassState& s) {
  write_shape(out, s);
  write_sums(out, s);
  each_sample(s, [&](const OutcomeExact& e) {
    for (std::size_t l = 0; l < e.lanes(); ++l)
      for (std::size_t j = 0; j < kQuantileLevels; ++j) {
        out.u8(e.found[l][j]);
        if (e.found[l][j]) out.f64(e.level[l][j]);
      }
  });
}

inline OutcomePassState read_outcome_state(ByteReader& in, std::size_t lanes, std::span<const std::size_t> group_counts) {
  check_shape(in, lanes, group_counts);
  OutcomePassState s = outcome_pass_state(lanes, group_counts);
  read_sums(in, s);
  each_sample(s, [&](OutcomeExact& e) {
    for (std::size_t l = 0; l < lanes; ++l)
      for (std::size_t j = 0; j < kQuantileLevels; ++j) {
        const std::uint8_t f = in.u8();
        if (f > 1) in.fail("a quantile level's flag is not 0 or 1");
        e.found[l][j] = f;
        if (f) e.level[l][j] = in.f64();
      }
  });
  return s;
}

}  // namespace referee
