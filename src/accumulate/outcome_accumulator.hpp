#pragma once
// The outcome task's metrics of both models for a block of replicates: the weighted mean,
// the pass rate, and weighted quantiles at kOutcomeQuantiles.
//
// The mean and the pass rate are ratios of weighted sums. They are canonical
// (docs/partitioned.md): each model's sums fold doubles only within a value bucket
// (canonical_buckets.hpp), visiting its rows in ascending order, and each bucket's folds go
// into exact sums (outcome_state.hpp), so any partitioning of the rows into whole value
// buckets gives every bit. A quantile is a selection: numpy's "inverted_cdf" with
// weights, the smallest value whose cumulative weight share reaches q. The walk needs the
// lane's total weight first, so a block makes one summing pass per model and then one walk
// per model over its values in order; the walk stops as soon as every lane and group has
// passed its last level. Walking up with weights that are not whole, the cumulative weight
// restarts at every bucket from the exact weight below the bucket, rounded (a level that
// the rounded prefix passes is reached at the sample's last row below it), so a partition
// starting at a bucket walks on exactly as one pass over every row does.
//
// Three things keep the walk cheap without changing a bit (issue 15's benchmark). The test
// cdf >= q, with cdf = cumulative / total, becomes cumulative >= T, T the smallest double
// whose quotient by the total reaches q (the rounded quotient is monotone in the
// numerator), worked out once per lane and block: a row then costs an add and a compare
// per lane, and only a row where some lane reaches a level does more. And when every row
// weight is a whole number (no weight column, or whole weights: the resampling counts
// are), every running sum is exact, so the cumulative weight below a row equals the total
// less the weight above it: the walk then runs from the largest value down. And, walking
// down, it stops at the 0.9 level and finds the median walking up from a pivot a little
// below every sample's median, the weight under the pivot summed in the summing pass
// (OutcomePlan): about 12% of the rows instead of 99% (benchmarks/RESULTS.md).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <tuple>
#include <vector>

#include <referee/vocabulary.hpp>
#include "accumulate/exact_sum.hpp"
#include "accumulate/group_folds.hpp"
#include "accumulate/outcome_state.hpp"
#include "resample/canonical_buckets.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

struct OutcomeColumns {
  std::array<std::span<const double>, 2> value;  // per model, possibly scaled by 2^-e
  std::span<const double> weight;                // empty: every row weighs 1
};

// The visiting orders, made once: each model's rows ascending by (value, key, row tuple),
// for the sums and the quantiles, so that ties and the sums' order do not depend on how
// the rows arrived, and where each value bucket ends in that order. `passed` holds each row's result >= the pass mark, per model.
// `from_top`: every weight is whole and every running sum exact, so the walks may run
// downwards (see the top of this file). Then, per model, `pivot` is a position in the
// ascending order a little below every sample's median (0: none), and `below` flags the
// rows under it, whose weight the sums pass adds up so that the walk to the median can
// start at the pivot instead of running down from the 90% level.
struct OutcomePlan {
  std::vector<std::uint32_t> key_order;
  std::array<std::vector<std::uint32_t>, 2> ascending;
  std::array<std::vector<std::size_t>, 2> bucket_ends;
  std::array<std::vector<unsigned char>, 2> passed, below;
  std::array<std::size_t, 2> pivot{};
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

// The position in `ascending` below which every sample (the table, each group) holds, at
// its point weights, less than 1/2 - 3 / sqrt(its effective size) of its weight: six
// standard deviations of a resample's share below a fixed point, so that a resample's
// median is rarely below it. A resample where one is takes the longer walk; the result is
// the same either way. 0 when a sample is too small for this to help.
inline std::size_t median_pivot(const OutcomeColumns& c, const std::vector<std::uint32_t>& ascending,
                                std::span<const std::span<const std::uint32_t>> group_of_row) {
  const auto weight_of = [&](std::uint32_t r) { return c.weight.empty() ? 1.0 : c.weight[r]; };
  std::vector<std::size_t> first{1};  // sample 0 is the table; then each group of each grouping
  for (auto groups : group_of_row)
    first.push_back(first.back() + (groups.empty() ? 0 : *std::max_element(groups.begin(), groups.end()) + 1));
  const auto each_sample = [&](std::uint32_t r, auto&& f) {
    bool any = f(std::size_t{0});
    for (std::size_t g = 0; g < group_of_row.size(); ++g) any = f(first[g] + group_of_row[g][r]) || any;
    return any;
  };
  std::vector<double> total(first.back(), 0.0), squares(first.back(), 0.0), target(first.back(), 0.0);
  for (std::uint32_t r = 0; r < ascending.size(); ++r)
    each_sample(r, [&](std::size_t k) {
      total[k] += weight_of(r), squares[k] += weight_of(r) * weight_of(r);
      return false;
    });
  for (std::size_t k = 0; k < total.size(); ++k) {
    const double share = total[k] > 0.0 ? 0.5 - 3.0 * std::sqrt(squares[k]) / total[k] : 0.0;
    if (!(share > 0.0)) return 0;
    target[k] = share * total[k];
  }
  std::vector<double> seen(total.size(), 0.0);
  for (std::size_t i = 0; i < ascending.size(); ++i) {
    const std::uint32_t r = ascending[i];
    const auto reaches = [&](std::size_t k) { return (seen[k] += weight_of(r)) >= target[k]; };
    if (each_sample(r, reaches)) return i;  // the first row to take a sample to its mark
  }
  return 0;
}

// `raw`: the results before scaling, which order and bucket the rows; `total_rows`: the
// whole evaluation's row count, which sets the bucket width (0: these columns are every row).
inline OutcomePlan plan_outcome(const OutcomeColumns& c, const RowUnits& units,
                                const std::array<std::span<const double>, 2>& raw, double pass_mark,
                                std::span<const std::span<const std::uint32_t>> group_of_row,
                                std::uint64_t total_rows = 0) {
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
  const unsigned bits = score_bucket_bits(total_rows != 0 ? total_rows : n);
  for (std::size_t m = 0; m < 2; ++m) {
    plan.ascending[m] = plan.key_order;
    std::stable_sort(plan.ascending[m].begin(), plan.ascending[m].end(),
                     [&](std::uint32_t a, std::uint32_t b) { return raw[m][a] < raw[m][b]; });
    plan.bucket_ends[m] =
        bucket_ends(plan.ascending[m], [&](std::uint32_t r) { return value_bucket(raw[m][r], bits); });
    plan.passed[m].resize(n);
    for (std::size_t r = 0; r < n; ++r) plan.passed[m][r] = raw[m][r] >= pass_mark ? 1 : 0;
  }
  plan.from_top = outcome_sums_exact(c);
  // With clusters a resample's share moves by whole clusters, more than the bound allows.
  for (std::size_t m = 0; m < 2 && plan.from_top && units.key.empty(); ++m) {
    plan.pivot[m] = median_pivot(c, plan.ascending[m], group_of_row);
    plan.below[m].assign(n, 0);
    for (std::size_t i = 0; i < plan.pivot[m]; ++i) plan.below[m][plan.ascending[m][i]] = 1;
  }
  return plan;
}

// One sample's (the whole table's, or one group's) sums and quantiles, per lane.
struct OutcomeSums {
  LaneWeights weight{};
  std::array<LaneWeights, 2> value{}, passed{};
  std::array<LaneWeights, 2> below{};  // weight under each model's pivot (from the top only)
  std::array<std::array<LaneWeights, kQuantileLevels>, 2> quantile{};
};

namespace outcome_detail {

template <std::size_t L>
inline void add_fold(OutcomeFold& f, const LaneWeights& w, double x, double pass) {
  for (std::size_t l = 0; l < L; ++l) {
    f.weight[l] += w[l];
    f.value[l] += w[l] * x;
    f.passed[l] += w[l] * pass;
  }
}

// The weight under the pivot: whole weights, so a running double sum is exact.
template <std::size_t L>
inline void add_below(LaneWeights& below, const LaneWeights& w, double flag) {
  for (std::size_t l = 0; l < L; ++l) below[l] += w[l] * flag;
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
  std::size_t goal = kQuantileLevels;       // levels to reach in this stretch of the walk
  std::size_t unfinished = 0;               // lanes short of the goal
  bool from_top = false;
  // Walking up bucket by bucket: the exact weight below the open bucket, the open bucket's
  // own fold, its number (0: none open) and the sample's last value in it; and the levels
  // passed before the walk's first row (a partition's, docs/partitioned.md).
  std::vector<ExactSum> prefix;
  LaneWeights own{};
  std::size_t bucket = 0;
  double last = 0.0;
  std::array<std::uint8_t, kLanes> first{};
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
  walk.next.fill(static_cast<std::uint8_t>(kQuantileLevels));
  for (std::size_t l = 0; l < L; ++l) {
    // A lane with no weight has no quantile: it never starts (its figures are undefined).
    const bool live = l < used && s.weight[l] > 0.0;
    walk.next[l] = live ? 0 : static_cast<std::uint8_t>(kQuantileLevels);
    walk.unfinished += live ? 1 : 0;
    if (live) set_bounds(walk, l, s.weight[l]);
  }
  if (!from_top) walk.prefix.assign(L, ExactSum{});
  return walk;
}

// Records x for the levels lane l has just reached.
inline void reach_levels(Walk& walk, std::array<LaneWeights, kQuantileLevels>& quantile, std::size_t l, double x) {
  while (walk.running[l] > walk.bound[l]) {
    const std::size_t j = walk.next[l]++;
    quantile[walk.from_top ? kQuantileLevels - 1 - j : j][l] = x;
    if (walk.next[l] == walk.goal) --walk.unfinished;
    walk.bound[l] = walk.next[l] == kQuantileLevels ? std::numeric_limits<double>::infinity()
                                                     : walk.bounds[l][walk.next[l]];
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

// One model's sums pass over whole value buckets, ascending: the exact sums of the overall
// rows and of each group ([grouping][group], shaped by `out`). With `below`, also the weight
// under the model's pivot, into the double sums `s` and `grouped` (from the top only).
template <bool WithBelow, class Weights>
void outcome_model_sums(const OutcomeColumns& c, const OutcomePlan& plan, const Weights& weights, std::size_t m,
                        std::span<const std::span<const std::uint32_t>> group_of_row, OutcomePassState& out,
                        OutcomeSums* s = nullptr, std::vector<std::vector<OutcomeSums>>* grouped = nullptr) {
  constexpr std::size_t L = Weights::lanes;
  OutcomeFold fold;
  GroupFolds<OutcomeFold> folds(out.groups, OutcomeFold{});
  LaneWeights w{};
  const std::vector<std::uint32_t>& order = plan.ascending[m];
  const std::size_t n = order.size();
  std::size_t start = 0;
  for (std::size_t end : plan.bucket_ends[m]) {
    for (std::size_t i = start; i < end; ++i) {
      if (i + 16 < n) {  // the ascending order visits rows in random memory order; fetch ahead
        __builtin_prefetch(&c.value[m][order[i + 16]]);
        for (std::span<const std::uint32_t> g : group_of_row) __builtin_prefetch(&g[order[i + 16]]);
      }
      const std::uint32_t r = order[i];
      outcome_detail::fill_weights(c, weights, r, w);
      const double x = c.value[m][r], pass = plan.passed[m][r];
      outcome_detail::add_fold<L>(fold, w, x, pass);
      for (std::size_t g = 0; g < group_of_row.size(); ++g)
        outcome_detail::add_fold<L>(folds.at(g, group_of_row[g][r]), w, x, pass);
      if constexpr (WithBelow) {
        const double flag = plan.below[m][r];
        outcome_detail::add_below<L>(s->below[m], w, flag);
        for (std::size_t g = 0; g < group_of_row.size(); ++g)
          outcome_detail::add_below<L>((*grouped)[g][group_of_row[g][r]].below[m], w, flag);
      }
    }
    out.overall.add(fold);
    fold = OutcomeFold{};
    folds.flush(out.groups, 0);
    start = end;
  }
}

namespace outcome_detail {

// One sample's exact sums of model m's pass, rounded into its double sums.
inline void round_sums(const OutcomeExact& e, std::size_t m, OutcomeSums& s) {
  for (std::size_t l = 0; l < e.lanes(); ++l) {
    s.weight[l] = e.q[0][l].value();
    s.value[m][l] = e.q[1][l].value();
    s.passed[m][l] = e.q[2][l].value();
  }
}

inline void round_state(const OutcomePassState& state, std::size_t m, OutcomeSums& s,
                        std::vector<std::vector<OutcomeSums>>& grouped) {
  round_sums(state.overall, m, s);
  for (std::size_t g = 0; g < grouped.size(); ++g)
    for (std::size_t j = 0; j < grouped[g].size(); ++j) round_sums(state.groups[g][j], m, grouped[g][j]);
}

inline std::vector<std::size_t> group_sizes(const std::vector<std::vector<OutcomeSums>>& grouped) {
  std::vector<std::size_t> counts;
  for (const auto& g : grouped) counts.push_back(g.size());
  return counts;
}

}  // namespace outcome_detail

// The sums passes of both models: the overall sums and, per grouping, each group's
// ([grouping][group]), rounded from their exact sums.
template <bool WithBelow, class Weights>
OutcomeSums accumulate_outcome_sums(const OutcomeColumns& c, const OutcomePlan& plan, const Weights& weights,
                                    std::span<const std::span<const std::uint32_t>> group_of_row,
                                    std::vector<std::vector<OutcomeSums>>& grouped) {
  constexpr std::size_t L = Weights::lanes;
  OutcomeSums s;
  const std::vector<std::size_t> counts = outcome_detail::group_sizes(grouped);
  for (std::size_t m = 0; m < 2; ++m) {
    OutcomePassState state = outcome_pass_state(L, counts);
    outcome_model_sums<WithBelow>(c, plan, weights, m, group_of_row, state, &s, &grouped);
    outcome_detail::round_state(state, m, s, grouped);
  }
  return s;
}

namespace outcome_detail {

// One model's walks: the whole table's and each group's ([grouping][group]).
struct Walks {
  Walk overall;
  std::vector<std::vector<Walk>> group;
  std::size_t unfinished = 0;  // lanes of all the walks short of their goal

  template <class F>
  void each(F&& f) {
    f(overall, std::size_t{0}, std::size_t{0}, true);
    for (std::size_t g = 0; g < group.size(); ++g)
      for (std::size_t j = 0; j < group[g].size(); ++j) f(group[g][j], g, j, false);
  }
  // Sets every walk's goal and recounts the lanes short of it.
  void aim(std::size_t goal) {
    unfinished = 0;
    each([&](Walk& walk, std::size_t, std::size_t, bool) {
      walk.goal = goal;
      walk.unfinished = 0;
      for (std::size_t l = 0; l < kLanes; ++l) walk.unfinished += walk.next[l] < goal ? 1 : 0;
      // Lanes that never started count as done (next = kQuantileLevels).
      unfinished += walk.unfinished;
    });
  }
};

template <std::size_t L>
inline Walks start_walks(const OutcomeSums& s, const std::vector<std::vector<OutcomeSums>>& grouped,
                         std::size_t used, bool from_top) {
  Walks walks;
  walks.overall = start_walk<L>(s, used, from_top);
  walks.group.resize(grouped.size());
  for (std::size_t g = 0; g < grouped.size(); ++g)
    for (const OutcomeSums& gs : grouped[g]) walks.group[g].push_back(start_walk<L>(gs, used, from_top));
  walks.aim(kQuantileLevels);
  return walks;
}

// Steps through order[i] for i = from, from + stride, ... short of `to`, until every
// lane of every walk has reached its goal; returns where it stopped.
template <class Weights>
std::ptrdiff_t walk_rows(const OutcomeColumns& c, const std::vector<std::uint32_t>& order, std::ptrdiff_t from,
                         std::ptrdiff_t to, std::ptrdiff_t stride, const Weights& weights, std::size_t model,
                         Walks& walks, OutcomeSums& s, std::span<const std::span<const std::uint32_t>> group_of_row,
                         std::vector<std::vector<OutcomeSums>>& grouped) {
  constexpr std::size_t L = Weights::lanes;
  LaneWeights w{};
  std::ptrdiff_t i = from;
  for (; i != to && walks.unfinished != 0; i += stride) {
    const std::uint32_t r = order[static_cast<std::size_t>(i)];
    fill_weights(c, weights, r, w);
    const double x = c.value[model][r];
    std::size_t before = walks.overall.unfinished;
    step<L>(walks.overall, s.quantile[model], w, x);
    walks.unfinished -= before - walks.overall.unfinished;
    for (std::size_t g = 0; g < grouped.size(); ++g) {
      const std::uint32_t j = group_of_row[g][r];
      Walk& walk = walks.group[g][j];
      before = walk.unfinished;
      step<L>(walk, grouped[g][j].quantile[model], w, x);
      walks.unfinished -= before - walk.unfinished;
    }
  }
  return i;
}

// From the top, the levels above the median reached: whether every lane still short of
// the median has its median at or above the pivot (the weight under the pivot is below
// ceil(T)); if so, turns those lanes round to walk up from the pivot, their running
// weight now the exact weight under it, the median reached once it passes ceil(T) - 1.
inline bool turn_at_pivot(Walks& walks, std::size_t model, const OutcomeSums& s,
                          const std::vector<std::vector<OutcomeSums>>& grouped) {
  constexpr std::size_t last = kQuantileLevels - 1;
  bool fits = true;
  walks.each([&](Walk& walk, std::size_t g, std::size_t j, bool overall) {
    const OutcomeSums& sums = overall ? s : grouped[g][j];
    for (std::size_t l = 0; l < kLanes; ++l)
      if (walk.next[l] == last) fits = fits && sums.below[model][l] < sums.weight[l] - walk.bounds[l][last];
  });
  if (!fits) return false;
  walks.each([&](Walk& walk, std::size_t g, std::size_t j, bool overall) {
    const OutcomeSums& sums = overall ? s : grouped[g][j];
    for (std::size_t l = 0; l < kLanes; ++l)
      if (walk.next[l] == last) {
        walk.bounds[l][last] = sums.weight[l] - walk.bounds[l][last] - 1.0;
        walk.bound[l] = walk.bounds[l][last];
        walk.running[l] = sums.below[model][l];
      }
  });
  return true;
}

// Walking up: closes a sample's open bucket. Its running weight becomes the exact weight
// below the next bucket, rounded; levels that passes are reached at the sample's last row.
template <std::size_t L>
inline void close_bucket(Walk& walk, std::array<LaneWeights, kQuantileLevels>& quantile) {
  if (walk.bucket == 0) return;
  for (std::size_t l = 0; l < L; ++l) {
    walk.prefix[l].add(walk.own[l]);
    walk.own[l] = 0.0;
    walk.running[l] = walk.prefix[l].value();
    reach_levels(walk, quantile, l, walk.last);
  }
  walk.bucket = 0;
}

// Walking up: a row of value x in bucket `bucket` (numbered from 1 in the walk), for one
// sample's walk.
template <std::size_t L>
inline void visit(Walks& walks, Walk& walk, std::array<LaneWeights, kQuantileLevels>& quantile, const LaneWeights& w,
                  double x, std::size_t bucket) {
  const std::size_t before = walk.unfinished;
  if (walk.bucket != bucket) {
    close_bucket<L>(walk, quantile);
    walk.bucket = bucket;
  }
  for (std::size_t l = 0; l < L; ++l) walk.own[l] += w[l];
  step<L>(walk, quantile, w, x);
  walk.last = x;
  walks.unfinished -= before - walk.unfinished;
}

// Walks up the ascending order bucket by bucket until every lane of every walk has reached
// every level, then closes every sample's open bucket.
template <class Weights>
void walk_buckets(const OutcomeColumns& c, const OutcomePlan& plan, const Weights& weights, std::size_t model,
                  Walks& walks, OutcomeSums& s, std::span<const std::span<const std::uint32_t>> group_of_row,
                  std::vector<std::vector<OutcomeSums>>& grouped) {
  constexpr std::size_t L = Weights::lanes;
  LaneWeights w{};
  const std::vector<std::uint32_t>& up = plan.ascending[model];
  std::size_t start = 0, bucket = 0;
  for (std::size_t end : plan.bucket_ends[model]) {
    ++bucket;
    for (std::size_t i = start; i < end && walks.unfinished != 0; ++i) {
      const std::uint32_t r = up[i];
      fill_weights(c, weights, r, w);
      const double x = c.value[model][r];
      visit<L>(walks, walks.overall, s.quantile[model], w, x, bucket);
      for (std::size_t g = 0; g < grouped.size(); ++g) {
        const std::uint32_t j = group_of_row[g][r];
        visit<L>(walks, walks.group[g][j], grouped[g][j].quantile[model], w, x, bucket);
      }
    }
    start = end;
  }
  walks.each([&](Walk& walk, std::size_t g, std::size_t j, bool overall) {
    close_bucket<L>(walk, (overall ? s : grouped[g][j]).quantile[model]);
  });
}

}  // namespace outcome_detail

// The walk of one model: the quantiles of the whole table and of every group. From the
// top with a pivot, the walk stops once the levels above the median are reached, and the
// median is found walking up from the pivot; else (or when a resample's median lies under
// the pivot) it runs on down to the median.
template <class Weights>
void walk_outcome_quantiles(const OutcomeColumns& c, const OutcomePlan& plan, const Weights& weights,
                            std::size_t model, std::size_t used, OutcomeSums& s,
                            std::span<const std::span<const std::uint32_t>> group_of_row,
                            std::vector<std::vector<OutcomeSums>>& grouped) {
  constexpr std::size_t L = Weights::lanes;
  const std::vector<std::uint32_t>& up = plan.ascending[model];
  const auto n = static_cast<std::ptrdiff_t>(up.size());
  outcome_detail::Walks walks = outcome_detail::start_walks<L>(s, grouped, used, plan.from_top);
  if (!plan.from_top) {
    outcome_detail::walk_buckets(c, plan, weights, model, walks, s, group_of_row, grouped);
    return;
  }
  const auto pivot = static_cast<std::ptrdiff_t>(plan.pivot[model]);
  std::ptrdiff_t i = n - 1;
  if (pivot > 0) {
    walks.aim(kQuantileLevels - 1);
    i = outcome_detail::walk_rows(c, up, i, pivot - 1, -1, weights, model, walks, s, group_of_row, grouped);
    const bool turned = walks.unfinished == 0 && outcome_detail::turn_at_pivot(walks, model, s, grouped);
    walks.aim(kQuantileLevels);
    if (turned) {
      outcome_detail::walk_rows(c, up, pivot, n, 1, weights, model, walks, s, group_of_row, grouped);
      return;
    }
  }
  outcome_detail::walk_rows(c, up, i, -1, -1, weights, model, walks, s, group_of_row, grouped);
}

// A block's whole computation: the sums, then each model's walk. Lanes at `used` and
// beyond are left unset.
template <class Weights>
OutcomeSums accumulate_outcome(const OutcomeColumns& c, const OutcomePlan& plan, const Weights& weights,
                               std::size_t used, std::span<const std::span<const std::uint32_t>> group_of_row,
                               std::vector<std::vector<OutcomeSums>>& grouped) {
  OutcomeSums sums = plan.pivot[0] + plan.pivot[1] > 0
                         ? accumulate_outcome_sums<true>(c, plan, weights, group_of_row, grouped)
                         : accumulate_outcome_sums<false>(c, plan, weights, group_of_row, grouped);
  for (std::size_t m = 0; m < 2; ++m) walk_outcome_quantiles(c, plan, weights, m, used, sums, group_of_row, grouped);
  return sums;
}

namespace outcome_detail {

// A partition's walk starts where the exact weight below its rows (`below`, per lane) puts
// it: the levels that weight passes were reached below, by another partition.
template <std::size_t L>
inline void start_above(Walk& walk, std::span<const ExactSum> below) {
  for (std::size_t l = 0; l < L; ++l) {
    walk.prefix[l] = below[l];
    walk.running[l] = below[l].value();
    while (walk.running[l] > walk.bound[l]) {
      ++walk.next[l];
      walk.bound[l] = walk.next[l] == kQuantileLevels ? std::numeric_limits<double>::infinity()
                                                       : walk.bounds[l][walk.next[l]];
    }
    walk.first[l] = walk.next[l];
  }
}

// The levels a partition's walk reached: [first, next) of each lane, with their values.
template <std::size_t L>
inline void keep_levels(const Walk& walk, const std::array<LaneWeights, kQuantileLevels>& quantile, OutcomeExact& out) {
  for (std::size_t l = 0; l < L; ++l)
    for (std::size_t k = walk.first[l]; k < walk.next[l]; ++k) {
      out.found[l][k] = 1;
      out.level[l][k] = quantile[k][l];
    }
}

}  // namespace outcome_detail

// Partitioned evaluation (docs/partitioned.md): model m's share over these rows, whole value
// buckets forming a range of the ascending order. Round 1 (`below` null): the exact sums.
// Round 2: also the quantile levels reached among these rows, walking up from `below` (the
// exact sums of every bucket under these rows) towards thresholds set by `total` (the
// whole pass's), exactly as one pass over every row walks through them.
template <class Weights>
void outcome_share(const OutcomeColumns& c, const OutcomePlan& plan, const Weights& weights, std::size_t m,
                   std::span<const std::span<const std::uint32_t>> group_of_row, const OutcomePassState* below,
                   const OutcomePassState* total, OutcomePassState& out) {
  constexpr std::size_t L = Weights::lanes;
  outcome_model_sums<false>(c, plan, weights, m, group_of_row, out);
  if (below == nullptr) return;
  OutcomeSums s;
  std::vector<std::vector<OutcomeSums>> grouped;
  for (const auto& g : out.groups) grouped.emplace_back(g.size());
  outcome_detail::round_state(*total, m, s, grouped);
  outcome_detail::Walks walks = outcome_detail::start_walks<L>(s, grouped, L, false);
  walks.each([&](outcome_detail::Walk& walk, std::size_t g, std::size_t j, bool overall) {
    outcome_detail::start_above<L>(walk, (overall ? below->overall : below->groups[g][j]).q[0]);
  });
  walks.aim(kQuantileLevels);
  outcome_detail::walk_buckets(c, plan, weights, m, walks, s, group_of_row, grouped);
  walks.each([&](outcome_detail::Walk& walk, std::size_t g, std::size_t j, bool overall) {
    outcome_detail::keep_levels<L>(walk, (overall ? s : grouped[g][j]).quantile[m],
                                   overall ? out.overall : out.groups[g][j]);
  });
}

}  // namespace referee
