#pragma once
// The 5 regression metrics of both models, for a block of replicates, in one pass.
// Every metric is a ratio of weighted sums, so one pass in any fixed order serves all
// lanes. The sums are canonical (docs/partitioned.md): doubles are folded only within a
// key bucket (canonical_buckets.hpp), visiting its rows by key and then the row tuple, and
// each bucket's folds go into exact sums; the metrics read the exact sums, rounded. So a
// shuffled file, or any partitioning of the rows into whole key buckets, gives every bit.

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
#include "accumulate/group_folds.hpp"
#include "accumulate/power_of_two_scale.hpp"
#include "accumulate/regression_state.hpp"
#include "resample/canonical_buckets.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

struct RegressionColumns {
  std::span<const double> label;
  std::span<const double> champion;
  std::span<const double> challenger;
  std::span<const double> weight;  // empty: every row weighs 1
};

// The visiting order: rows by unit key (so by key bucket), then by the row tuple, so a
// shuffled file or a partition of whole buckets folds the same. Without keys the key is
// the row position: the order is the identity and every row is in bucket 0.
struct RegressionPlan {
  std::vector<std::uint32_t> order;
  std::vector<std::size_t> bucket_ends;  // where each key bucket ends in `order`
  unsigned bucket_bits = 0;
  double label_center = 0.0;  // subtracted from labels so r2's variance is well conditioned
  // sklearn's mean_absolute_percentage_error divides by max(|y|, eps); with values scaled
  // by 2^-e (power_of_two_scale.hpp) the floor is eps * 2^-e, kept a normal number.
  double pct_floor = std::numeric_limits<double>::epsilon();
};

// An exact sum times 2^-e, for e > 0 rounded down to a multiple of 2^-1074 first (an
// arithmetic shift of its canonical integer), then to a double: a pure function of the
// exact sum, finite even where the unscaled sum is beyond DBL_MAX. For e <= 0 the rounded
// sum scales exactly (a sum of values below 2^-400 is far from overflow).
inline double scaled_value(const ExactSum& sum, int e) {
  if (e <= 0) return std::ldexp(sum.value(), -e);
  unsigned char in[ExactSum::kBytes], out[ExactSum::kBytes];
  sum.write(in);
  const std::size_t bits = 8 * ExactSum::kBytes;
  const bool negative = (in[ExactSum::kBytes - 1] & 0x80u) != 0;
  auto bit = [&](std::size_t i) { return i < bits ? ((in[i / 8] >> (i % 8)) & 1u) != 0 : negative; };
  for (std::size_t b = 0; b < ExactSum::kBytes; ++b) {
    unsigned v = 0;
    for (std::size_t k = 0; k < 8; ++k) v |= (bit(8 * b + k + static_cast<std::size_t>(e)) ? 1u : 0u) << k;
    out[b] = static_cast<unsigned char>(v);
  }
  return ExactSum::read(out).value();
}

// The label centre: the exact sum of every label, in the values' scaled units (2^-e), over
// the row count. Order-free, so every partition reads it from the plan's facts.
inline double label_center(const ExactSum& label_sum, int value_exponent, std::uint64_t rows) {
  return rows == 0 ? 0.0 : scaled_value(label_sum, value_exponent) / static_cast<double>(rows);
}

inline ExactSum exact_sum_of(std::span<const double> values) {
  ExactSum s;
  for (double v : values) s.add(v);
  return s;
}

// `total_rows`: the whole evaluation's row count, which sets the bucket width (0: these
// columns are every row).
inline RegressionPlan plan_regression(const RegressionColumns& c, const RowUnits& units, std::uint64_t total_rows = 0) {
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
  plan.bucket_bits = key_bucket_bits(total_rows != 0 ? total_rows : c.label.size());
  plan.bucket_ends =
      bucket_ends(plan.order, [&](std::uint32_t r) { return key_bucket(units.key_of(r), plan.bucket_bits); });
  plan.label_center = label_center(exact_sum_of(c.label), 0, c.label.size());
  return plan;
}

namespace regression_detail {

template <std::size_t L>
inline void add_row(RegressionSums& s, const LaneWeights& w, double yc, const double (&error)[2],
                    const double (&pct)[2], RegressionParts parts) {
  if (parts.shared)
    for (std::size_t l = 0; l < L; ++l) {
      s.weight[l] += w[l];
      s.label[l] += w[l] * yc;
      s.label_squared[l] += w[l] * yc * yc;
    }
  for (std::size_t m = 0; m < 2; ++m) {
    if (!parts.model[m]) continue;
    const double e = error[m], e2 = e * e, p = pct[m];
    for (std::size_t l = 0; l < L; ++l) {
      s.abs_error[m][l] += w[l] * e;
      s.squared_error[m][l] += w[l] * e2;
      s.abs_pct_error[m][l] += w[l] * p;
    }
  }
}

}  // namespace regression_detail

// One pass over whole key buckets: the exact sums of the quantities `parts` names, for the
// overall rows and, per grouping, each group ([grouping][group], shaped by the caller).
template <class Weights>
void regression_exact_pass(const RegressionColumns& c, const RegressionPlan& plan, const Weights& weights,
                           std::span<const std::span<const std::uint32_t>> group_of_row, RegressionParts parts,
                           RegressionPassState& out) {
  constexpr std::size_t L = Weights::lanes;
  const double eps = plan.pct_floor;
  RegressionSums s;
  GroupFolds<RegressionSums> grouped(out.groups, RegressionSums{});
  LaneWeights w{};
  const bool weighted = !c.weight.empty();
  const std::size_t n = plan.order.size();
  std::size_t start = 0;
  for (std::size_t end : plan.bucket_ends) {
    for (std::size_t i = start; i < end; ++i) {
      if (i + 16 < n) {
        // Key order visits rows in random memory order; fetch ahead.
        const std::uint32_t ahead = plan.order[i + 16];
        __builtin_prefetch(&c.label[ahead]);
        __builtin_prefetch(&c.champion[ahead]);
        __builtin_prefetch(&c.challenger[ahead]);
        if (weighted) __builtin_prefetch(&c.weight[ahead]);
        for (std::span<const std::uint32_t> g : group_of_row) __builtin_prefetch(&g[ahead]);
      }
      const std::uint32_t r = plan.order[i];
      weights.fill(r, w);
      if (weighted)
        for (std::size_t l = 0; l < L; ++l) w[l] *= c.weight[r];
      const double y = c.label[r];
      const double yc = y - plan.label_center;
      const double scale = std::max(std::abs(y), eps);
      const double error[2] = {std::abs(c.champion[r] - y), std::abs(c.challenger[r] - y)};
      const double pct[2] = {error[0] / scale, error[1] / scale};
      regression_detail::add_row<L>(s, w, yc, error, pct, parts);
      for (std::size_t g = 0; g < group_of_row.size(); ++g)
        regression_detail::add_row<L>(grouped.at(g, group_of_row[g][r]), w, yc, error, pct, parts);
    }
    out.overall.add(s, parts);
    s = RegressionSums{};
    grouped.flush(out.groups, parts);
    start = end;
  }
}

// The sums of one pass over every row, rounded to doubles (the overall rows').
template <class Weights>
RegressionSums accumulate_regression(const RegressionColumns& c, const RegressionPlan& plan, const Weights& weights) {
  RegressionPassState state = regression_pass_state(Weights::lanes, {});
  regression_exact_pass(c, plan, weights, {}, RegressionParts::all(), state);
  return state.overall.rounded();
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
