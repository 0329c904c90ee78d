// The regression task: any finite label and predictions. All 5 metrics are ratios of
// weighted sums over centred labels, so one pass serves both models.

#include <array>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "accumulate/accumulator_dispatch.hpp"
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
      : c_(c), layout_(layout), plan_(plan_regression(columns(), c.units)) {
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
  RegressionColumns columns() const { return {c_.label, c_.champion, c_.challenger, c_.weight}; }

  template <class Column>
  static void put_metrics(const BlockWriter& writer, const RegressionSums& sums, std::size_t model, std::size_t lane,
                          Column&& column) {
    std::array<MetricValue, kRegressionMetricCount> values;
    regression_metrics(sums, model, lane, std::span<MetricValue, kRegressionMetricCount>(values));
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
  RegressionPlan plan_;
  std::vector<std::span<const std::uint32_t>> group_of_row_;
};

std::unique_ptr<TaskAccumulator> regression_accumulator(const PairedColumns& c, const ReplicateLayout& layout) {
  return std::make_unique<RegressionTaskAccumulator>(c, layout);
}

}  // namespace

extern const TaskDefinition kRegressionTask{Task::regression, false, Metric::rmse, validate_regression,
                                            regression_accumulator};

}  // namespace referee
