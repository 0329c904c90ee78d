// The regression task: any finite label and predictions. All 5 metrics are ratios of
// weighted sums over centred labels, so one pass serves both models.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "accumulate/accumulator_dispatch.hpp"
#include "accumulate/power_of_two_scale.hpp"
#include "accumulate/regression_accumulator.hpp"
#include "data/column_checks.hpp"
#include "tasks/task_definition.hpp"

namespace referee {

namespace {

void validate_regression(const Table& t) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  const ColumnNames& n = t.columns;
  check_column(t, t.label, n.label, -inf, inf, "");
  check_column(t, t.champion, n.champion, -inf, inf, "");
  check_column(t, t.challenger, n.challenger, -inf, inf, "");
}

class RegressionTaskAccumulator : public TaskAccumulatorFor<RegressionTaskAccumulator> {
 public:
  RegressionTaskAccumulator(const PairedColumns& c, const ReplicateLayout& layout)
      : c_(c), layout_(layout), value_exponent_(value_exponent(c)), label_(c.label, value_exponent_),
        champion_(c.champion, value_exponent_), challenger_(c.challenger, value_exponent_),
        weight_(c.weight, scale_exponent(max_magnitude({c.weight}), kWeightScaleLimit)),
        plan_(plan_regression(columns(), c.units)) {
    plan_.pct_floor = std::max(std::ldexp(plan_.pct_floor, -value_exponent_), std::numeric_limits<double>::min());
    for (const GroupingSpec& g : c_.groupings) group_of_row_.push_back(g.group_of_row);
  }

  template <class Weights>
  void compute(const Weights& weights, std::size_t used, const BlockWriter& writer) const {
    std::vector<std::vector<RegressionSums>> grouped;
    for (const GroupingSpec& g : c_.groupings) grouped.emplace_back(g.groups);
    const RegressionSums sums = pass(weights, grouped);
    for (std::size_t lane = 0; lane < used; ++lane)
      for (std::size_t m = 0; m < 2; ++m) {
        put_metrics(writer, sums, m, lane, [&](std::size_t k) { return layout_.metric(m, k); });
        for (std::size_t g = 0; g < c_.groupings.size(); ++g)
          for (std::size_t j = 0; j < c_.groupings[g].groups; ++j)
            put_metrics(writer, grouped[g][j], m, lane, [&](std::size_t k) { return layout_.group(g, j, m, k); });
      }
  }

 private:
  // Values beyond 2^400 (or below 2^-400) in magnitude are scaled to [1, 2), so that
  // squared errors summed over the rows stay finite and nonzero.
  static int value_exponent(const PairedColumns& c) {
    return scale_exponent(max_magnitude({c.label, c.champion, c.challenger}), 400);
  }

  RegressionColumns columns() const {
    return {label_.values, champion_.values, challenger_.values, weight_.values};
  }

  template <class Column>
  void put_metrics(const BlockWriter& writer, const RegressionSums& sums, std::size_t model, std::size_t lane,
                   Column&& column) const {
    std::array<MetricValue, kRegressionMetricCount> values;
    regression_metrics(sums, model, lane, std::span<MetricValue, kRegressionMetricCount>(values), value_exponent_);
    for (std::size_t k = 0; k < kRegressionMetricCount; ++k) writer.put(lane, column(k), values[k]);
  }

  // Resamples go through the dispatched passes; the one-lane point estimate inlines.
  template <class Weights>
  RegressionSums pass(const Weights& weights, std::vector<std::vector<RegressionSums>>& grouped) const {
    if constexpr (std::is_same_v<Weights, UnitWeights>)
      return accumulate_regression(columns(), plan_, weights, group_of_row_, &grouped);
    else
      return regression_pass(columns(), plan_, weights, group_of_row_, &grouped);
  }

  const PairedColumns& c_;
  const ReplicateLayout& layout_;
  int value_exponent_;
  ScaledColumn label_, champion_, challenger_, weight_;
  RegressionPlan plan_;
  std::vector<std::span<const std::uint32_t>> group_of_row_;
};

std::unique_ptr<TaskAccumulator> regression_accumulator(const PairedColumns& c, const ReplicateLayout& layout) {
  return std::make_unique<RegressionTaskAccumulator>(c, layout);
}

}  // namespace

extern const TaskDefinition kRegressionTask{Task::regression, false, Metric::rmse, validate_regression,
                                            regression_accumulator, true, false, false, catalogue_instances};

}  // namespace referee
