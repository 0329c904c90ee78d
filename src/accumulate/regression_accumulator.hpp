#pragma once
// The 5 regression metrics of both models, for a block of replicates, in one pass.
// Every metric is a ratio of weighted sums, so one pass in any fixed order serves all
// lanes; the order is fixed (row order, or key order with clusters) so that sums are
// bit-for-bit reproducible.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <tuple>
#include <vector>

#include <referee/vocabulary.hpp>
#include "accumulate/power_of_two_scale.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

struct RegressionColumns {
  std::span<const double> label;
  std::span<const double> champion;
  std::span<const double> challenger;
  std::span<const double> weight;  // empty: every row weighs 1
};

// The visiting order: rows by unit key, so a shuffled file with clusters sums the same.
// Without clusters the key is the row position and this is the identity.
struct RegressionPlan {
  std::vector<std::uint32_t> order;
  double label_center = 0.0;  // subtracted from labels so r2's variance is well conditioned
  // sklearn's mean_absolute_percentage_error divides by max(|y|, eps); with values scaled
  // by 2^-e (power_of_two_scale.hpp) the floor is eps * 2^-e, kept a normal number.
  double pct_floor = std::numeric_limits<double>::epsilon();
};

inline RegressionPlan plan_regression(const RegressionColumns& c, const RowUnits& units) {
  RegressionPlan plan;
  plan.order.resize(c.label.size());
  std::iota(plan.order.begin(), plan.order.end(), std::uint32_t{0});
  if (!units.key.empty()) {
    auto row_tuple = [&](std::uint32_t r) {
      return std::tuple(units.key[r], c.label[r], c.champion[r], c.challenger[r],
                        c.weight.empty() ? 1.0 : c.weight[r]);
    };
    std::sort(plan.order.begin(), plan.order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return row_tuple(a) < row_tuple(b); });
  }
  double sum = 0.0;
  for (std::uint32_t r : plan.order) sum += c.label[r];
  plan.label_center = c.label.empty() ? 0.0 : sum / static_cast<double>(c.label.size());
  return plan;
}

struct RegressionSums {
  LaneWeights weight{}, label{}, label_squared{};  // of centred labels
  std::array<LaneWeights, 2> abs_error{}, squared_error{}, abs_pct_error{};
};

namespace regression_detail {

template <std::size_t L>
inline void add_row(RegressionSums& s, const LaneWeights& w, double yc, const double (&error)[2],
                    const double (&pct)[2]) {
  for (std::size_t l = 0; l < L; ++l) {
    s.weight[l] += w[l];
    s.label[l] += w[l] * yc;
    s.label_squared[l] += w[l] * yc * yc;
  }
  for (std::size_t m = 0; m < 2; ++m) {
    const double e = error[m], e2 = e * e, p = pct[m];
    for (std::size_t l = 0; l < L; ++l) {
      s.abs_error[m][l] += w[l] * e;
      s.squared_error[m][l] += w[l] * e2;
      s.abs_pct_error[m][l] += w[l] * p;
    }
  }
}

}  // namespace regression_detail

// One pass: the overall sums and, per grouping, each group's sums ([grouping][group]).
template <class Weights>
RegressionSums accumulate_regression(const RegressionColumns& c, const RegressionPlan& plan,
                                     const Weights& weights,
                                     std::span<const std::span<const std::uint32_t>> group_of_row = {},
                                     std::vector<std::vector<RegressionSums>>* grouped = nullptr) {
  constexpr std::size_t L = Weights::lanes;
  const double eps = plan.pct_floor;
  RegressionSums s;
  LaneWeights w{};
  const bool weighted = !c.weight.empty();
  for (std::uint32_t r : plan.order) {
    weights.fill(r, w);
    if (weighted)
      for (std::size_t l = 0; l < L; ++l) w[l] *= c.weight[r];
    const double y = c.label[r];
    const double yc = y - plan.label_center;
    const double scale = std::max(std::abs(y), eps);
    const double error[2] = {std::abs(c.champion[r] - y), std::abs(c.challenger[r] - y)};
    const double pct[2] = {error[0] / scale, error[1] / scale};
    regression_detail::add_row<L>(s, w, yc, error, pct);
    if (grouped)
      for (std::size_t g = 0; g < group_of_row.size(); ++g)
        regression_detail::add_row<L>((*grouped)[g][group_of_row[g][r]], w, yc, error, pct);
  }
  return s;
}

// The 5 regression metrics of model `model` (0 champion, 1 challenger) in one lane, from
// sums of values scaled by 2^-value_exponent (0: unscaled). r2 and mape are ratios of the
// scaled values, so only mae, mse and rmse are scaled back.
inline void regression_metrics(const RegressionSums& s, std::size_t model, std::size_t lane,
                               std::span<MetricValue, kRegressionMetricCount> out, int value_exponent = 0) {
  const double W = s.weight[lane];
  if (!(W > 0.0)) {
    for (auto& v : out) v = MetricValue::undefined("the sample has no weight");
    return;
  }
  const double mse = s.squared_error[model][lane] / W;
  out[0] = unscaled(s.abs_error[model][lane] / W, value_exponent);
  out[1] = unscaled(mse, 2 * value_exponent);
  out[2] = unscaled(std::sqrt(mse), value_exponent);
  const double label_mean = s.label[lane] / W;
  const double total_ss = s.label_squared[lane] - W * label_mean * label_mean;
  // A relative floor: below it the "variance" is rounding noise of a constant label.
  const double noise_floor = 64.0 * std::numeric_limits<double>::epsilon() * s.label_squared[lane];
  out[3] = total_ss > noise_floor && total_ss > 0.0
               ? MetricValue::of(1.0 - s.squared_error[model][lane] / total_ss)
               : MetricValue::undefined("the labels are constant");
  out[4] = unscaled(s.abs_pct_error[model][lane] / W, 0);
}

}  // namespace referee
