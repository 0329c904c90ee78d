#pragma once
// The outcome task's metrics of both models for a block of replicates: the weighted mean,
// the pass rate, and weighted quantiles at kOutcomeQuantiles.
//
// The mean and the pass rate are ratios of weighted sums, summed in one fixed order (key
// order, as regression sums). A quantile is a selection: numpy's "inverted_cdf" with
// weights, the smallest value whose cumulative weight share reaches q, read while walking
// each model's values in ascending order. The walk needs the lane's total weight first,
// so a block makes one summing pass and one ascending walk per model; the walk stops as
// soon as every lane and group has passed its last level.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <tuple>
#include <vector>

#include <referee/vocabulary.hpp>
#include "resample/resample_weights.hpp"

namespace referee {

inline constexpr std::size_t kQuantileLevels = kOutcomeQuantiles.size();

struct OutcomeColumns {
  std::array<std::span<const double>, 2> value;  // per model, possibly scaled by 2^-e
  std::span<const double> weight;                // empty: every row weighs 1
};

// The visiting orders, made once: key order for the sums; each model's rows ascending by
// (value, key) for the quantiles, so that ties and the sums' order do not depend on how
// the rows arrived. `passed` holds each row's result >= the pass mark, per model.
struct OutcomePlan {
  std::vector<std::uint32_t> key_order;
  std::array<std::vector<std::uint32_t>, 2> ascending;
  std::array<std::vector<unsigned char>, 2> passed;
};

inline OutcomePlan plan_outcome(const OutcomeColumns& c, const RowUnits& units,
                                const std::array<std::span<const double>, 2>& raw, double pass_mark) {
  OutcomePlan plan;
  const std::size_t n = c.value[0].size();
  plan.key_order.resize(n);
  std::iota(plan.key_order.begin(), plan.key_order.end(), std::uint32_t{0});
  const auto weight_of = [&](std::uint32_t r) { return c.weight.empty() ? 1.0 : c.weight[r]; };
  if (!units.key.empty())
    std::sort(plan.key_order.begin(), plan.key_order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return std::tuple(units.key[a], c.value[0][a], c.value[1][a], weight_of(a)) <
             std::tuple(units.key[b], c.value[0][b], c.value[1][b], weight_of(b));
    });
  for (std::size_t m = 0; m < 2; ++m) {
    plan.ascending[m] = plan.key_order;
    std::stable_sort(plan.ascending[m].begin(), plan.ascending[m].end(),
                     [&](std::uint32_t a, std::uint32_t b) { return c.value[m][a] < c.value[m][b]; });
    plan.passed[m].resize(n);
    for (std::size_t r = 0; r < n; ++r) plan.passed[m][r] = raw[m][r] >= pass_mark ? 1 : 0;
  }
  return plan;
}

// One sample's (the whole table's, or one group's) sums and quantiles, per lane.
struct OutcomeSums {
  LaneWeights weight{};
  std::array<LaneWeights, 2> value{}, passed{};
  std::array<std::array<LaneWeights, kQuantileLevels>, 2> quantile{};
};

namespace outcome_detail {

template <std::size_t L>
inline void add_row(OutcomeSums& s, const LaneWeights& w, const double (&v)[2], const unsigned char (&p)[2]) {
  for (std::size_t l = 0; l < L; ++l) s.weight[l] += w[l];
  for (std::size_t m = 0; m < 2; ++m) {
    const double x = v[m], pass = p[m];
    for (std::size_t l = 0; l < L; ++l) {
      s.value[m][l] += w[l] * x;
      s.passed[m][l] += w[l] * pass;
    }
  }
}

// The state of one sample's ascending walk: the cumulative weight per lane and the next
// quantile level each lane has yet to reach.
struct Walk {
  LaneWeights cumulative{};
  std::array<std::uint8_t, kLanes> next{};
  std::size_t unfinished = 0;  // lanes with a level still to reach
};

// Adds a row of value x to the walk of sample s; records x for every level whose share
// the cumulative weight now reaches (cdf = cumulative / total >= q, numpy's test).
template <std::size_t L>
inline void step(Walk& walk, OutcomeSums& s, std::size_t model, const LaneWeights& w, double x) {
  for (std::size_t l = 0; l < L; ++l) {
    if (walk.next[l] == kQuantileLevels || w[l] == 0.0) continue;
    walk.cumulative[l] += w[l];
    const double share = walk.cumulative[l] / s.weight[l];
    while (walk.next[l] < kQuantileLevels && share >= kOutcomeQuantiles[walk.next[l]]) {
      s.quantile[model][walk.next[l]][l] = x;
      if (++walk.next[l] == kQuantileLevels) --walk.unfinished;
    }
  }
}

template <std::size_t L>
inline Walk start_walk(const OutcomeSums& s, std::size_t used) {
  Walk walk;
  for (std::size_t l = 0; l < L; ++l) {
    // A lane with no weight has no quantile: it never starts (its figures are undefined).
    const bool live = l < used && s.weight[l] > 0.0;
    walk.next[l] = live ? 0 : static_cast<std::uint8_t>(kQuantileLevels);
    walk.unfinished += live ? 1 : 0;
  }
  return walk;
}

}  // namespace outcome_detail

// The sums pass: the overall sums and, per grouping, each group's ([grouping][group]).
template <class Weights>
OutcomeSums accumulate_outcome_sums(const OutcomeColumns& c, const OutcomePlan& plan, const Weights& weights,
                                    std::span<const std::span<const std::uint32_t>> group_of_row,
                                    std::vector<std::vector<OutcomeSums>>& grouped) {
  constexpr std::size_t L = Weights::lanes;
  OutcomeSums s;
  LaneWeights w{};
  for (std::uint32_t r : plan.key_order) {
    weights.fill(r, w);
    if (!c.weight.empty())
      for (std::size_t l = 0; l < L; ++l) w[l] *= c.weight[r];
    const double v[2] = {c.value[0][r], c.value[1][r]};
    const unsigned char p[2] = {plan.passed[0][r], plan.passed[1][r]};
    outcome_detail::add_row<L>(s, w, v, p);
    for (std::size_t g = 0; g < group_of_row.size(); ++g)
      outcome_detail::add_row<L>(grouped[g][group_of_row[g][r]], w, v, p);
  }
  return s;
}

// The ascending walk of one model: the quantiles of the whole table and of every group.
template <class Weights>
void walk_outcome_quantiles(const OutcomeColumns& c, const OutcomePlan& plan, const Weights& weights,
                            std::size_t model, std::size_t used, OutcomeSums& s,
                            std::span<const std::span<const std::uint32_t>> group_of_row,
                            std::vector<std::vector<OutcomeSums>>& grouped) {
  constexpr std::size_t L = Weights::lanes;
  using outcome_detail::Walk;
  Walk overall = outcome_detail::start_walk<L>(s, used);
  std::vector<std::vector<Walk>> group_walks(grouped.size());
  std::size_t unfinished = overall.unfinished;
  for (std::size_t g = 0; g < grouped.size(); ++g)
    for (const OutcomeSums& gs : grouped[g]) {
      group_walks[g].push_back(outcome_detail::start_walk<L>(gs, used));
      unfinished += group_walks[g].back().unfinished;
    }
  LaneWeights w{};
  for (std::uint32_t r : plan.ascending[model]) {
    if (unfinished == 0) break;  // every lane of every sample has passed its last level
    weights.fill(r, w);
    if (!c.weight.empty())
      for (std::size_t l = 0; l < L; ++l) w[l] *= c.weight[r];
    const double x = c.value[model][r];
    std::size_t before = overall.unfinished;
    outcome_detail::step<L>(overall, s, model, w, x);
    unfinished -= before - overall.unfinished;
    for (std::size_t g = 0; g < grouped.size(); ++g) {
      const std::uint32_t j = group_of_row[g][r];
      Walk& walk = group_walks[g][j];
      before = walk.unfinished;
      outcome_detail::step<L>(walk, grouped[g][j], model, w, x);
      unfinished -= before - walk.unfinished;
    }
  }
}

}  // namespace referee
