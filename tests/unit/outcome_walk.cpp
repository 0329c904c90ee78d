// The outcome task's fast quantile walk (thresholds, from the top, the pivot: the speed-ups
// of benchmarks/RESULTS.md) gives every bit the plain one gives. The plain walk is written out
// here as it stood before the speed-ups: rows ascending, share = cumulative / total,
// numpy's inverted_cdf test share >= q. Both run on the same blocks of weights over
// tables with ties, groups (one of them tiny), clusters, no / whole / fractional row
// weights and zero weights, for Poisson, multinomial and jackknife weights, and on a
// table whose group medians sit far apart (the pivot's fallback). Prints the number of
// lanes compared; stops at the first difference.

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "accumulate/outcome_accumulator.hpp"

namespace {

using namespace referee;

// The plain walk of one sample, one model: the cumulative weight share, level by level.
// With weights that are not whole (no walk from the top), the cumulative weight restarts
// at every value bucket the sample has rows in from the exact weight below, rounded, and a
// level that passes is reached at the sample's last row before it (outcome_accumulator.hpp).
void plain_walk(const OutcomeColumns& c, const OutcomePlan& plan, const auto& weights, std::size_t model,
                std::size_t used, const OutcomeSums& s, std::span<const std::uint32_t> group_of_row,
                std::uint32_t group, std::array<LaneWeights, kQuantileLevels>& out) {
  LaneWeights cumulative{}, own{}, w{};
  std::vector<ExactSum> prefix(used);
  std::array<std::size_t, kLanes> next{};
  const auto reach = [&](std::size_t l, double x) {
    if (!(s.weight[l] > 0.0)) return;
    const double share = cumulative[l] / s.weight[l];
    while (next[l] < kQuantileLevels && share >= kOutcomeQuantiles[next[l]]) out[next[l]++][l] = x;
  };
  std::size_t start = 0;
  double last = 0.0;
  for (std::size_t end : plan.bucket_ends[model]) {
    bool touched = false;
    for (std::size_t i = start; i < end; ++i) {
      const std::uint32_t r = plan.ascending[model][i];
      if (!group_of_row.empty() && group_of_row[r] != group) continue;
      outcome_detail::fill_weights(c, weights, r, w);
      touched = true;
      last = c.value[model][r];
      for (std::size_t l = 0; l < used; ++l) {
        own[l] += w[l];
        cumulative[l] += w[l];
        if (w[l] != 0.0) reach(l, last);
      }
    }
    if (touched && !plan.from_top)
      for (std::size_t l = 0; l < used; ++l) {
        prefix[l].add(own[l]);
        own[l] = 0.0;
        cumulative[l] = prefix[l].value();
        reach(l, last);
      }
    start = end;
  }
}

std::size_t compared = 0;

void expect_same(const OutcomeSums& fast, const std::array<LaneWeights, kQuantileLevels>& plain, std::size_t model,
                 std::size_t used, const char* what) {
  for (std::size_t l = 0; l < used; ++l) {
    if (!(fast.weight[l] > 0.0)) continue;
    for (std::size_t q = 0; q < kQuantileLevels; ++q)
      REQUIRE_MESSAGE(fast.quantile[model][q][l] == plain[q][l],
                      what << ", model " << model << ", lane " << l << ", level " << q);
    ++compared;
  }
}

template <class Weights>
void check(const OutcomeColumns& c, const RowUnits& units, const std::vector<std::vector<std::uint32_t>>& groupings,
           const Weights& weights, std::size_t used, const char* what, std::size_t forced_pivot = 0) {
  std::vector<std::span<const std::uint32_t>> group_of_row(groupings.begin(), groupings.end());
  OutcomePlan plan = plan_outcome(c, units, c.value, 0.5, group_of_row);
  if (forced_pivot != 0 && plan.from_top) {  // a pivot above some medians: the fallback
    for (std::size_t m = 0; m < 2; ++m) {
      plan.pivot[m] = std::min(forced_pivot, c.value[m].size() - 1);
      plan.below[m].assign(c.value[m].size(), 0);
      for (std::size_t i = 0; i < plan.pivot[m]; ++i) plan.below[m][plan.ascending[m][i]] = 1;
    }
  }
  std::vector<std::vector<OutcomeSums>> grouped;
  for (const auto& g : groupings) grouped.emplace_back(*std::max_element(g.begin(), g.end()) + 1);
  const OutcomeSums fast = accumulate_outcome(c, plan, weights, used, group_of_row, grouped);
  for (std::size_t m = 0; m < 2; ++m) {
    std::array<LaneWeights, kQuantileLevels> plain{};
    plain_walk(c, plan, weights, m, used, fast, {}, 0, plain);
    expect_same(fast, plain, m, used, what);
    for (std::size_t g = 0; g < groupings.size(); ++g)
      for (std::uint32_t j = 0; j < grouped[g].size(); ++j) {
        std::array<LaneWeights, kQuantileLevels> in_group{};
        plain_walk(c, plan, weights, m, used, grouped[g][j], groupings[g], j, in_group);
        expect_same(grouped[g][j], in_group, m, used, what);
      }
  }
}

void run_table(std::size_t n, int weighting, bool clustered, bool apart, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  std::vector<double> a(n), b(n), w;
  std::vector<std::vector<std::uint32_t>> groupings(2, std::vector<std::uint32_t>(n));
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> unit_of;
  for (std::size_t i = 0; i < n; ++i) {
    groupings[0][i] = static_cast<std::uint32_t>(rng() % 8);
    groupings[1][i] = i % 500 == 0 ? 12u : static_cast<std::uint32_t>(rng() % 12);  // group 12 is tiny
    const double shift = apart ? 3.0 * groupings[0][i] : 0.0;
    a[i] = std::round(20.0 * (normal(rng) + shift)) / 20.0;  // ties
    b[i] = a[i] + 0.3 * normal(rng);
    if (weighting == 1) w.push_back(static_cast<double>(rng() % 4));  // whole, some zero
    if (weighting == 2) w.push_back(rng() % 5 == 0 ? 0.0 : 0.25 + (rng() % 1000) / 333.0);
  }
  RowUnits units{{}, {}, n};
  if (clustered) {
    for (std::size_t i = 0; i < n; ++i) keys.push_back(i / 3), unit_of.push_back(static_cast<std::uint32_t>(i / 3));
    units = RowUnits{keys, unit_of, (n + 2) / 3};
  }
  const OutcomeColumns c{{a, b}, w};
  char what[96];
  std::snprintf(what, sizeof what, "n %zu, weights %d, clusters %d, apart %d", n, weighting, clustered, apart);
  check(c, units, groupings, PoissonWeights(7, 0, units), kLanes, (std::string(what) + ", poisson").c_str());
  check(c, units, groupings, PoissonWeights(7, 64, units), 37, (std::string(what) + ", poisson 37").c_str());
  check(c, units, groupings, MultinomialWeights(7, 0, kLanes, units), kLanes, (std::string(what) + ", multinomial").c_str());
  check(c, units, groupings, JackknifeWeights{0, 64, units}, kLanes, (std::string(what) + ", jackknife").c_str());
  check(c, units, groupings, PoissonWeights(7, 0, units), kLanes, (std::string(what) + ", pivot n/2").c_str(), n / 2);
  check(c, units, groupings, PoissonWeights(7, 0, units), kLanes, (std::string(what) + ", pivot 0.6 n").c_str(),
        n * 3 / 5);
}

}  // namespace

TEST_CASE("outcome: the fast quantile walk gives every bit of the plain walk") {
  std::mt19937_64 rng(15);
  for (std::size_t n : {3u, 40u, 1000u, 30000u})
    for (int weighting : {0, 1, 2})
      for (bool clustered : {false, true}) run_table(n, weighting, clustered, false, rng);
  run_table(30000, 0, false, true, rng);
  run_table(30000, 1, false, true, rng);
  CHECK(compared > 300000);  // ties, groups, clusters, weights, every weight source, both pivots
}
