#pragma once
// Budgets: what a prediction costs to serve. Latency (mean and percentiles), cost per
// 1000 predictions and the error rate, for each model and for their difference.
//
// Single-model intervals need no resampling: a percentile gets its order-statistic
// interval (quantile_interval.hpp), an error rate its Wilson interval. The mean latency,
// the cost and every delta come from a bootstrap with the gate's own weights: paired when
// the figures are columns of the evaluation table (a resample reweights a row's latency
// under both models at once), independent when latency comes as two separate samples.
//
// Sample weights are not applied: they reweight the population the models are judged
// on, while a budget describes the serving system, one prediction at a time.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <referee/evaluation.hpp>

#include "estimate/estimate.hpp"
#include "resample/resample_weights.hpp"

namespace referee {


inline constexpr std::size_t kLatencyQuantileCount = 5;
// The probabilities of latency_p50 .. latency_p999, in catalogue order.
inline constexpr std::array<double, kLatencyQuantileCount> kLatencyProbabilities{0.5, 0.9, 0.95, 0.99, 0.999};




struct BudgetInputs {
  // Per-row columns of the evaluation table, [champion, challenger]; empty = not given.
  std::array<std::span<const double>, 2> latency, cost, error;
  RowUnits units;  // the evaluation table's resampling units
  // The rows are not independent (a cluster column, or a ranking task's queries), as the
  // metrics' intervals see them: the score interval of the error rate's delta is refused.
  // A row id alone keys the units but leaves each row its own unit.
  bool clustered = false;
  std::size_t rows = 0;
  const LatencySamples* latency_samples = nullptr;  // instead of latency columns
  std::array<std::optional<ModelPrice>, 2> price;   // instead of cost columns
};

struct BudgetBootstrap {
  std::size_t resamples = 2000;
  double confidence = 0.95;
  ResamplingScheme scheme = ResamplingScheme::poisson;
  std::uint64_t seed = 0;
  unsigned threads = 1;
  const std::atomic<bool>* cancel = nullptr;
  // The delta of the error rate is a paired difference of proportions (issue 18).
  PairedProportionInterval paired_proportions = PairedProportionInterval::automatic;
};


// Nothing is computed (and the result is empty) when no budget input is given.
BudgetResults estimate_budgets(const BudgetInputs& inputs, const BudgetBootstrap& settings);

}  // namespace referee
