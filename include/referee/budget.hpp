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

#include <referee/enum_names.hpp>
#include <referee/estimate.hpp>
#include <referee/resample_weights.hpp>

namespace referee {

enum class BudgetMetric : std::size_t {
  latency_mean,
  latency_p50,
  latency_p90,
  latency_p95,
  latency_p99,
  latency_p999,
  cost_per_1k,
  error_rate,
};
inline constexpr std::size_t kBudgetMetricCount = 8;
inline constexpr std::size_t kLatencyQuantileCount = 5;
// The probabilities of latency_p50 .. latency_p999, in catalogue order.
inline constexpr std::array<double, kLatencyQuantileCount> kLatencyProbabilities{0.5, 0.9, 0.95, 0.99, 0.999};
inline constexpr std::array<std::string_view, kBudgetMetricCount> kBudgetMetricNames{
    "latency_mean", "latency_p50", "latency_p90", "latency_p95",
    "latency_p99",  "latency_p999", "cost_per_1k", "error_rate"};

inline constexpr std::string_view budget_metric_name(BudgetMetric m) {
  return kBudgetMetricNames[static_cast<std::size_t>(m)];
}
inline std::optional<BudgetMetric> budget_metric_from_name(std::string_view name) {
  return enum_from_name<BudgetMetric>(kBudgetMetricNames, name);
}
inline constexpr bool is_latency(BudgetMetric m) { return m <= BudgetMetric::latency_p999; }

// Where a model's figures come from.
enum class BudgetSource { none, columns, samples, pricing };
std::string_view budget_source_name(BudgetSource s);

// A model's price when cost is not measured per row: either per 1000 predictions, or an
// hourly instance price at a sustained throughput.
struct ModelPrice {
  std::optional<double> per_1k, per_hour, throughput_per_s;
  double cost_per_1k() const { return per_1k ? *per_1k : *per_hour / (*throughput_per_s * 3600.0) * 1000.0; }
};

// Latency measured apart from the evaluation table (a load test): two independent samples.
struct LatencySamples {
  std::array<std::vector<double>, 2> ms;  // [champion, challenger]
  std::string origin;                     // file path, or "memory"
  std::string sha256;                     // of the file's bytes (empty for memory)
};

// Reads a CSV with the columns model (champion | challenger) and latency_ms.
LatencySamples read_latency_csv(const std::filesystem::path& path);
// Checks every latency is finite and >= 0 and both models have samples; messages name the
// origin, model and 1-based position.
void validate_latency_samples(const LatencySamples& samples);

struct BudgetInputs {
  // Per-row columns of the evaluation table, [champion, challenger]; empty = not given.
  std::array<std::span<const double>, 2> latency, cost, error;
  RowUnits units;  // the evaluation table's resampling units
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
};

struct BudgetFigure {
  BudgetMetric metric = BudgetMetric::latency_mean;
  std::array<BudgetSource, 2> source{BudgetSource::none, BudgetSource::none};
  std::array<std::size_t, 2> n{};
  std::array<Estimate, 4> subjects;               // champion, challenger, delta, relative_delta
  std::array<std::string_view, 4> interval_kind;  // how each interval was made
  bool paired = true;                             // delta from one resample of both models
};

struct BudgetResults {
  std::vector<BudgetFigure> figures;  // catalogue order, only the metrics with a source
  const BudgetFigure* find(BudgetMetric m) const;

  // The bootstrap replicates behind the figures (NaN where undefined or not measured),
  // kept so that a test or an auditor can recompute any interval.
  std::size_t resamples = 0;
  std::vector<double> replicates;  // [b][model][metric], row-major
  double replicate(std::size_t b, std::size_t model, BudgetMetric m) const {
    return replicates[(b * 2 + model) * kBudgetMetricCount + static_cast<std::size_t>(m)];
  }
};

// Nothing is computed (and the result is empty) when no budget input is given.
BudgetResults estimate_budgets(const BudgetInputs& inputs, const BudgetBootstrap& settings);

}  // namespace referee
