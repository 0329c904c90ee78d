#pragma once
// What the budget figures are read from, however it was gathered: one pass of
// estimate_budgets() over every row, or the merged partial states of a partitioned
// evaluation (budget_partition.hpp). Both fill a BudgetTotals and call budget_results(), so
// the figures, their intervals and the replicates come out of the same code.
//
// The means (latency mean, cost per 1000, error rate) are ratios of sums; those sums are
// folded in doubles only within a canonical bucket and added across buckets exactly
// (MeanFolds below), so their bits do not depend on how the rows were partitioned.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "accumulate/exact_sum.hpp"
#include "budget/budget.hpp"
#include "estimate/discreteness.hpp"
#include "estimate/quantile_interval.hpp"

namespace referee {

inline constexpr std::size_t kBudgetQuantities = kBudgetMetricCount;
constexpr std::size_t budget_index(BudgetMetric m) { return static_cast<std::size_t>(m); }
// The k-th latency percentile (kLatencyProbabilities[k]): latency_p50 + k.
constexpr std::size_t percentile_index(std::size_t k) { return budget_index(BudgetMetric::latency_p50) + k; }
inline std::size_t budget_column(std::size_t model, std::size_t q) { return model * kBudgetQuantities + q; }

using BudgetSources = std::array<std::array<BudgetSource, kBudgetQuantities>, 2>;

// Where each model's figures come from, per quantity: from the inputs, or from which
// columns a policy names (a partitioned evaluation's plan).
struct BudgetColumnsGiven {
  std::array<bool, 2> latency{}, cost{}, error{};
};
BudgetSources budget_sources(const BudgetColumnsGiven& given, const std::array<std::optional<ModelPrice>, 2>& price,
                             bool samples);
BudgetSources budget_sources(const BudgetInputs& in);

// A column averaged per row: (model, quantity), in the order both paths fold them.
struct MeanSpec {
  std::size_t model, quantity;
  double scale;  // 1000 for the cost per 1000 predictions, else 1
  int exponent = 0;  // the values were multiplied by 2^-exponent (power_of_two_scale.hpp)
};
// For each model: cost, error rate, latency mean, when given as per-row columns.
std::vector<MeanSpec> mean_specs(const BudgetSources& source);

// The exact sums of the means of one block of lanes: weight[lane], sum[mean][lane].
struct MeanSums {
  std::vector<ExactSum> weight;
  std::vector<std::vector<ExactSum>> sum;
  MeanSums(std::size_t means = 0, std::size_t lanes = 0) : weight(lanes), sum(means, std::vector<ExactSum>(lanes)) {}
  void add(const MeanSums& o) {
    for (std::size_t l = 0; l < weight.size(); ++l) weight[l].add(o.weight[l]);
    for (std::size_t c = 0; c < sum.size(); ++c)
      for (std::size_t l = 0; l < weight.size(); ++l) sum[c][l].add(o.sum[c][l]);
  }
};

// Folds rows into a MeanSums: doubles within a bucket (in the caller's canonical order),
// one ExactSum::add per mean and lane when the bucket closes.
class MeanFolds {
 public:
  MeanFolds(std::span<const std::span<const double>> values, MeanSums& out)
      : values_(values), out_(out), sums_(values.size()) {}
  void row(std::size_t r, const LaneWeights& w) {
    for (std::size_t l = 0; l < kLanes; ++l) weight_[l] += w[l];
    for (std::size_t c = 0; c < values_.size(); ++c) {
      const double x = values_[c][r];
      for (std::size_t l = 0; l < kLanes; ++l) sums_[c][l] += w[l] * x;
    }
  }
  void close_bucket() {
    const std::size_t lanes = out_.weight.size();
    for (std::size_t l = 0; l < lanes; ++l) out_.weight[l].add(weight_[l]);
    for (std::size_t c = 0; c < values_.size(); ++c)
      for (std::size_t l = 0; l < lanes; ++l) out_.sum[c][l].add(sums_[c][l]);
    weight_ = {};
    for (auto& s : sums_) s = {};
  }

 private:
  std::span<const std::span<const double>> values_;
  MeanSums& out_;
  LaneWeights weight_{};
  std::vector<LaneWeights> sums_;
};

// A mean back from its exact sums; NaN (undefined) with no weight or beyond a double.
inline double mean_of(const MeanSpec& m, const ExactSum& sum, const ExactSum& weight) {
  const double w = weight.value();
  if (!(w > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  const double v = std::ldexp(m.scale * sum.value() / w, m.exponent);
  return std::isfinite(v) ? v : std::numeric_limits<double>::quiet_NaN();
}

// numpy's type-7 interpolation between the order statistics a = x_(floor h) and b (the next
// one), h = (n - 1) p, as quantile_type7 computes it on a sorted sample.
inline double type7_between(double a, double b, double h, double n) {
  if (h >= n - 1.0) return a;
  const double t = h - std::floor(h), step = b - a;
  if (!std::isfinite(step)) return 2.0 * (a / 2.0 + (b / 2.0 - a / 2.0) * t);
  return t >= 0.5 ? b - step * (1.0 - t) : a + step * t;
}

// A resample's interpolation between its order statistics floor(h) and floor(h) + 1,
// h = (W - 1) p with W the lane's total weight (h < W - 1 for p < 1).
inline double lane_type7(double a, double b, double h) {
  const double t = h - std::floor(h), step = b - a;
  return t >= 0.5 ? b - step * (1.0 - t) : a + step * t;
}

struct BudgetTotals {
  BudgetSources source{};
  bool samples = false;    // latency came as separate samples: its deltas are independent
  bool clustered = false;  // the table's rows are keyed units (refuses the score interval)
  std::array<std::array<MetricValue, kBudgetQuantities>, 2> point;
  std::array<std::array<std::size_t, kBudgetQuantities>, 2> n{};
  Eigen::ArrayXXd replicates;  // [resample][budget_column(m, q)], NaN where undefined
  // Each model's latency percentiles' order-statistic intervals.
  std::array<std::array<QuantileInterval, kLatencyQuantileCount>, 2> order;
  std::array<std::size_t, 2> failures{}, predictions{};  // the error columns' counts
  ProportionCells cells;  // the error columns' paired cells (unit weights)

  explicit BudgetTotals(std::size_t resamples);
};

// The canonical orders the means fold in: the rows ascending in `first` (if given; a
// latency column), then by unit key, then by the row's budget values, so that equal rows
// are interchangeable and no order depends on where a row sits.
std::vector<std::uint32_t> budget_rows_ordered_by(const BudgetInputs& in, std::span<const double> first);
// The model whose latency order the means fold in (the first with latency columns), or -1:
// then they fold in the canonical order by unit key.
int budget_sum_latency(const BudgetSources& source);
// A row's canonical bucket in that fold: the value bucket of its latency, or its key bucket.
std::uint64_t budget_sum_bucket(const BudgetInputs& in, int sum_latency, std::size_t r, std::uint64_t total_rows);
// A mean's point value from its exact sum over n rows of weight 1.
void set_point_mean(BudgetTotals& t, const MeanSpec& spec, const ExactSum& sum, std::size_t n);

// A listed price: the cost's point and every replicate (no sampling error).
void apply_prices(const std::array<std::optional<ModelPrice>, 2>& price, BudgetTotals& t);

// The figures, their intervals and the replicates, from the totals.
BudgetResults budget_results(const BudgetTotals& totals, const BudgetBootstrap& settings);

}  // namespace referee
