// The outcome task: no label, each model's own result per example (a pass/fail, a graded
// score, a judge's rating, a whole task's latency), paired by example and resampled by
// example or by cluster (several generations of one prompt). Metrics: the mean, the pass
// rate at the policy's pass mark ($.threshold) and quantiles (outcome_accumulator.hpp).

#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "accumulate/accumulator_dispatch.hpp"
#include "accumulate/outcome_accumulator.hpp"
#include "accumulate/power_of_two_scale.hpp"
#include "data/column_checks.hpp"
#include "tasks/task_definition.hpp"

namespace referee {

namespace {

void validate_outcome(const Table& t) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  check_column(t, t.champion, t.columns.champion, -inf, inf, "");
  check_column(t, t.challenger, t.columns.challenger, -inf, inf, "");
}

class OutcomeTaskAccumulator : public TaskAccumulatorFor<OutcomeTaskAccumulator> {
 public:
  OutcomeTaskAccumulator(const PairedColumns& c, const ReplicateLayout& layout)
      : c_(c), layout_(layout),
        // Results beyond 2^400 in magnitude are scaled, so weighted sums stay finite; a
        // quantile is a selection and scales back exactly.
        exponent_(scale_exponent(max_magnitude({c.champion, c.challenger}), 400)),
        champion_(c.champion, exponent_), challenger_(c.challenger, exponent_),
        weight_(c.weight, scale_exponent(max_magnitude({c.weight}), kWeightScaleLimit)) {
    for (const GroupingSpec& g : c_.groupings) group_of_row_.push_back(g.group_of_row);
    plan_ = plan_outcome(columns(), c.units, {c.champion, c.challenger}, c.threshold, group_of_row_);
  }

  template <class Weights>
  void compute(const Weights& weights, std::size_t used, const BlockWriter& writer) const {
    std::vector<std::vector<OutcomeSums>> grouped;
    for (const GroupingSpec& g : c_.groupings) grouped.emplace_back(g.groups);
    const OutcomeSums sums = pass(weights, used, grouped);
    for (std::size_t lane = 0; lane < used; ++lane)
      for (std::size_t m = 0; m < 2; ++m) {
        put_metrics(writer, sums, m, lane, [&](std::size_t k) { return layout_.metric(m, k); });
        for (std::size_t g = 0; g < c_.groupings.size(); ++g)
          for (std::size_t j = 0; j < c_.groupings[g].groups; ++j)
            put_metrics(writer, grouped[g][j], m, lane, [&](std::size_t k) { return layout_.group(g, j, m, k); });
      }
  }

 private:
  OutcomeColumns columns() const { return {{champion_.values, challenger_.values}, weight_.values}; }

  // Resamples go through the dispatched passes; the one-lane point estimate inlines.
  template <class Weights>
  OutcomeSums pass(const Weights& weights, std::size_t used, std::vector<std::vector<OutcomeSums>>& grouped) const {
    if constexpr (std::is_same_v<Weights, UnitWeights>)
      return accumulate_outcome(columns(), plan_, weights, used, group_of_row_, grouped);
    else
      return outcome_pass(columns(), plan_, weights, used, group_of_row_, grouped);
  }

  template <class Column>
  void put_metrics(const BlockWriter& writer, const OutcomeSums& s, std::size_t m, std::size_t lane,
                   Column&& column) const {
    const double total = s.weight[lane];
    if (!(total > 0.0)) {
      for (std::size_t k = 0; k < kOutcomeMetricCount; ++k)
        writer.put(lane, column(k), MetricValue::undefined("the sample has no weight"));
      return;
    }
    writer.put(lane, column(0), unscaled(s.value[m][lane] / total, exponent_));
    writer.put(lane, column(1), MetricValue::of(s.passed[m][lane] / total));
    for (std::size_t q = 0; q < kQuantileLevels; ++q)
      writer.put(lane, column(2 + q), unscaled(s.quantile[m][q][lane], exponent_));
  }

  const PairedColumns& c_;
  const ReplicateLayout& layout_;
  int exponent_;
  ScaledColumn champion_, challenger_, weight_;
  OutcomePlan plan_;
  std::vector<std::span<const std::uint32_t>> group_of_row_;
};

std::unique_ptr<TaskAccumulator> outcome_accumulator(const PairedColumns& c, const ReplicateLayout& layout) {
  return std::make_unique<OutcomeTaskAccumulator>(c, layout);
}

}  // namespace

extern const TaskDefinition kOutcomeTask{Task::outcome,      false, Metric::mean, validate_outcome,
                                         outcome_accumulator, false, true,  true, catalogue_instances};

}  // namespace referee
