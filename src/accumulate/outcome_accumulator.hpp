#pragma once
// The outcome task's metrics of both models for a block of replicates: the weighted mean,
// the pass rate, and weighted quantiles at kOutcomeQuantiles.
//
// The mean and the pass rate are ratios of weighted sums, summed in one fixed order (key
// order, as regression sums). A quantile is a selection: numpy's "inverted_cdf" with
// weights, the smallest value whose cumulative weight share reaches q. The walk needs the
// lane's total weight first, so a block makes one summing pass and then one walk per
// model over its values in order; the walk stops as soon as every lane and group has
// passed its last level.
//
// Two things keep the walk cheap without changing a bit (issue 15's benchmark). The test
// cdf >= q, with cdf = cumulative / total, becomes cumulative >= T, T the smallest double
// whose quotient by the total reaches q (the rounded quotient is monotone in the
// numerator), worked out once per lane and block: a row then costs an add and a compare
// per lane, and only a row where some lane reaches a level does more. And when every row
// weight is a whole number (no weight column, or whole weights: the resampling counts
// are), every running sum is exact, so the cumulative weight below a row equals the total
// less the weight above it: the walk then runs from the largest value down and stops at
// the lowest level (the median), half the rows instead of 99% of them.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <ranges>
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
// `from_top`: every weight is whole and every running sum exact, so the walks may run
// downwards (see the top of this file).
struct OutcomePlan {
  std::vector<std::uint32_t> key_order;
  std::array<std::vector<std::uint32_t>, 2> ascending;
  std::array<std::vector<unsigned char>, 2> passed;
  bool from_top = false;
};

// Whether every replicate's row weight (a count of at most max(n, 16), the Poisson count is
// below 13, times the row's weight) is a whole number and every sum of them stays below
// 2^53, where doubles hold every whole number exactly.
inline bool outcome_sums_exact(const OutcomeColumns& c) {
  const auto n = static_cast<double>(c.value[0].size());
  double largest = 1.0;
  for (double w : c.weight) {
    if (!(w >= 0.0) || w != std::floor(w)) return false;
    largest = std::max(largest, w);
  }
  return largest * n * std::max(n, 16.0) <= 0x1p53;
}

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
  plan.from_top = outcome_sums_exact(c);
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

// The smallest cumulative weight c with fl(c / total) >= q, numpy's test on the cdf.
// fl(c / total) never decreases as c grows, so the cumulative weight reaches level q
// exactly when it reaches c. Needs total > 0.
inline double share_threshold(double q, double total) {
  double c = q * total;
  while (c > 0.0 && c / total >= q) c = std::nextafter(c, 0.0);
  while (!(c / total >= q)) c = std::nextafter(c, std::numeric_limits<double>::infinity());
  return c;
}

// The state of one sample's walk, per lane: the weight walked so far, and the bounds it
// must pass (running > bound) to reach each level in the walk's order; +inf once done.
struct Walk {
  LaneWeights running{};
  LaneWeights bound{};
  std::array<std::array<double, kQuantileLevels>, kLanes> bounds{};
  std::array<std::uint8_t, kLanes> next{};  // levels reached so far
  std::size_t unfinished = 0;               // lanes with a level still to reach
  bool from_top = false;
};

// Level k in ascending order: cumulative >= T_k, i.e. cumulative > the double below T_k.
// From the top, level k is reached at the row whose weight takes the weight above it past
// total - ceil(T_k) (the cumulative weight is whole, so >= T_k is >= ceil(T_k)); the
// levels come in descending order.
inline void set_bounds(Walk& walk, std::size_t l, double total) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < kQuantileLevels; ++j) {
    const std::size_t k = walk.from_top ? kQuantileLevels - 1 - j : j;
    const double t = share_threshold(kOutcomeQuantiles[k], total);
    walk.bounds[l][j] = walk.from_top ? total - std::ceil(t) : std::nextafter(t, -inf);
  }
  walk.bound[l] = walk.bounds[l][0];
}

template <std::size_t L>
inline Walk start_walk(const OutcomeSums& s, std::size_t used, bool from_top) {
  Walk walk;
  walk.from_top = from_top;
  walk.bound.fill(std::numeric_limits<double>::infinity());
  for (std::size_t l = 0; l < L; ++l) {
    // A lane with no weight has no quantile: it never starts (its figures are undefined).
    const bool live = l < used && s.weight[l] > 0.0;
    walk.next[l] = live ? 0 : static_cast<std::uint8_t>(kQuantileLevels);
    walk.unfinished += live ? 1 : 0;
    if (live) set_bounds(walk, l, s.weight[l]);
  }
  return walk;
}

// Records x for the levels lane l has just reached.
inline void reach_levels(Walk& walk, std::array<LaneWeights, kQuantileLevels>& quantile, std::size_t l, double x) {
  while (walk.running[l] > walk.bound[l]) {
    const std::size_t j = walk.next[l]++;
    quantile[walk.from_top ? kQuantileLevels - 1 - j : j][l] = x;
    if (walk.next[l] == kQuantileLevels) {
      walk.bound[l] = std::numeric_limits<double>::infinity();
      --walk.unfinished;
    } else {
      walk.bound[l] = walk.bounds[l][walk.next[l]];
    }
  }
}

// Adds a row of value x to the walk; a lane whose running weight passes its bound reaches
// one level or more at x. The lane loop has no branch, so it vectorises.
template <std::size_t L>
inline void step(Walk& walk, std::array<LaneWeights, kQuantileLevels>& quantile, const LaneWeights& w, double x) {
  int reached = 0;
  for (std::size_t l = 0; l < L; ++l) {
    walk.running[l] += w[l];
    reached |= walk.running[l] > walk.bound[l] ? 1 : 0;
  }
  if (reached == 0) return;
  for (std::size_t l = 0; l < L; ++l) reach_levels(walk, quantile, l, x);
}

template <class Weights>
inline void fill_weights(const OutcomeColumns& c, const Weights& weights, std::uint32_t r, LaneWeights& w) {
  weights.fill(r, w);
  if (!c.weight.empty())
    for (std::size_t l = 0; l < Weights::lanes; ++l) w[l] *= c.weight[r];
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
    outcome_detail::fill_weights(c, weights, r, w);
    const double v[2] = {c.value[0][r], c.value[1][r]};
    const unsigned char p[2] = {plan.passed[0][r], plan.passed[1][r]};
    outcome_detail::add_row<L>(s, w, v, p);
    for (std::size_t g = 0; g < group_of_row.size(); ++g)
      outcome_detail::add_row<L>(grouped[g][group_of_row[g][r]], w, v, p);
  }
  return s;
}

// The walk of one model over its rows in `order`: the quantiles of the whole table and of
// every group.
template <class Weights, class Order>
void walk_outcome_quantiles(const OutcomeColumns& c, const Order& order, const Weights& weights,
                            std::size_t model, std::size_t used, bool from_top, OutcomeSums& s,
                            std::span<const std::span<const std::uint32_t>> group_of_row,
                            std::vector<std::vector<OutcomeSums>>& grouped) {
  constexpr std::size_t L = Weights::lanes;
  using outcome_detail::Walk;
  Walk overall = outcome_detail::start_walk<L>(s, used, from_top);
  std::vector<std::vector<Walk>> group_walks(grouped.size());
  std::size_t unfinished = overall.unfinished;
  for (std::size_t g = 0; g < grouped.size(); ++g)
    for (const OutcomeSums& gs : grouped[g]) {
      group_walks[g].push_back(outcome_detail::start_walk<L>(gs, used, from_top));
      unfinished += group_walks[g].back().unfinished;
    }
  LaneWeights w{};
  for (std::uint32_t r : order) {
    if (unfinished == 0) break;  // every lane of every sample has passed its last level
    outcome_detail::fill_weights(c, weights, r, w);
    const double x = c.value[model][r];
    std::size_t before = overall.unfinished;
    outcome_detail::step<L>(overall, s.quantile[model], w, x);
    unfinished -= before - overall.unfinished;
    for (std::size_t g = 0; g < grouped.size(); ++g) {
      const std::uint32_t j = group_of_row[g][r];
      Walk& walk = group_walks[g][j];
      before = walk.unfinished;
      outcome_detail::step<L>(walk, grouped[g][j].quantile[model], w, x);
      unfinished -= before - walk.unfinished;
    }
  }
}

// A block's whole computation: the sums, then each model's walk (from the top when the
// sums are exact). Lanes at `used` and beyond are left unset.
template <class Weights>
OutcomeSums accumulate_outcome(const OutcomeColumns& c, const OutcomePlan& plan, const Weights& weights,
                               std::size_t used, std::span<const std::span<const std::uint32_t>> group_of_row,
                               std::vector<std::vector<OutcomeSums>>& grouped) {
  OutcomeSums sums = accumulate_outcome_sums(c, plan, weights, group_of_row, grouped);
  for (std::size_t m = 0; m < 2; ++m) {
    const std::vector<std::uint32_t>& up = plan.ascending[m];
    if (plan.from_top)
      walk_outcome_quantiles(c, std::ranges::reverse_view(up), weights, m, used, true, sums, group_of_row, grouped);
    else
      walk_outcome_quantiles(c, up, weights, m, used, false, sums, group_of_row, grouped);
  }
  return sums;
}

}  // namespace referee
