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
struct OutcomePassState {
  OutcomeExact overall;
  std::vector<std::vector<OutcomeExact>> groups;  // [grouping][group]

  OutcomePassState() = default;
  OutcomePassState(std::size_t lanes, std::span<const std::size_t> group_counts) : overall(lanes) {
    for (std::size_t n : group_counts) groups.emplace_back(n, OutcomeExact(lanes));
  }

  template <class F>
  void each(F&& f) {
    f(overall);
    for (auto& g : groups)
      for (OutcomeExact& e : g) f(e);
  }
  template <class F>
  void each(F&& f) const {
    const_cast<OutcomePassState&>(*this).each([&](const OutcomeExact& e) { f(e); });
  }

  void add(const OutcomePassState& other) {
    overall.add(other.overall);
    for (std::size_t g = 0; g < groups.size(); ++g)
      for (std::size_t j = 0; j < groups[g].size(); ++j) groups[g][j].add(other.groups[g][j]);
  }
};

// The serial form: lanes, the group count of each grouping, then per sample (the overall
// rows first, then each group) its exact sums [quantity][lane] and its levels [lane][level]
// as a u8 flag and, when found, the value. The reader is told the shape the plan expects.
inline void write_state(ByteWriter& out, const OutcomePassState& s) {
  out.u64(s.overall.lanes());
  out.u64(s.groups.size());
  for (const auto& g : s.groups) out.u64(g.size());
  s.each([&](const OutcomeExact& e) {
    for (const auto& q : e.q)
      for (const ExactSum& v : q) write_exact(out, v);
    for (std::size_t l = 0; l < e.lanes(); ++l)
      for (std::size_t j = 0; j < kQuantileLevels; ++j) {
        out.u8(e.found[l][j]);
        if (e.found[l][j]) out.f64(e.level[l][j]);
      }
  });
}

inline OutcomePassState read_outcome_state(ByteReader& in, std::size_t lanes, std::span<const std::size_t> group_counts) {
  if (in.u64() != lanes) in.fail("a block's lane count differs from the plan's");
  if (in.u64() != group_counts.size()) in.fail("the grouping count differs from the plan's");
  for (std::size_t n : group_counts)
    if (in.u64() != n) in.fail("a grouping's group count differs from the plan's");
  OutcomePassState s(lanes, group_counts);
  s.each([&](OutcomeExact& e) {
    for (auto& q : e.q)
      for (ExactSum& v : q) v = read_exact(in);
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
