// The regression task: any finite label and predictions. All 5 metrics are ratios of
// weighted sums over centred labels, so one pass serves both models.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include <referee/error.hpp>

#include "accumulate/accumulator_dispatch.hpp"
#include "accumulate/power_of_two_scale.hpp"
#include "accumulate/regression_accumulator.hpp"
#include "accumulate/regression_state.hpp"
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

struct RegressionPartial : PartialBlock {
  RegressionPassState state;
  // The point estimate's block only: the key buckets folded, so that a merge refuses two
  // shares of one bucket (the resample blocks cover the same rows).
  std::vector<std::uint64_t> buckets;
  void add(const PartialBlock& other) override {
    const auto& o = static_cast<const RegressionPartial&>(other);
    state.add(o.state);
    buckets = joined_buckets(buckets, o.buckets);
  }
  void write(ByteWriter& out) const override {
    write_state(out, state);
    write_buckets(out, buckets);
  }
};

class RegressionTaskAccumulator : public TaskAccumulatorFor<RegressionTaskAccumulator> {
 public:
  RegressionTaskAccumulator(const PairedColumns& c, const ReplicateLayout& layout)
      : c_(c), layout_(layout), value_exponent_(value_exponent(c)), label_(c.label, value_exponent_),
        champion_(c.champion, value_exponent_), challenger_(c.challenger, value_exponent_),
        weight_(c.weight, scale_exponent(c.weight_magnitude > 0.0 ? c.weight_magnitude : max_magnitude({c.weight}),
                                         kWeightScaleLimit)),
        plan_(plan_regression(columns(), c.units, c.total_rows)) {
    const std::uint64_t rows = c.total_rows != 0 ? c.total_rows : c.label.size();
    plan_.label_center = label_center(c.label_sum ? *c.label_sum : exact_sum_of(c.label), value_exponent_, rows);
    plan_.pct_floor = std::max(std::ldexp(plan_.pct_floor, -value_exponent_), std::numeric_limits<double>::min());
    for (const GroupingSpec& g : c_.groupings) {
      group_of_row_.push_back(g.group_of_row);
      group_counts_.push_back(g.groups);
    }
  }

  template <class Weights>
  void compute(const Weights& weights, std::size_t used, const BlockWriter& writer) const {
    RegressionPassState state = regression_pass_state(Weights::lanes, group_counts_);
    pass(weights, RegressionParts::all(), state);
    write_state(state, used, writer);
  }

  // Partitioned evaluation: the champion pass folds the shared sums and model 0's errors,
  // the challenger pass model 1's, over these rows (whole key buckets). Order-free: no above.
  template <class Weights>
  std::unique_ptr<PartialBlock> partial_block(const Weights& weights, std::size_t m, const PartialBlock* above) const {
    if (above) throw UsageError("the regression passes are order-free; they run once and take no above");
    auto out = std::make_unique<RegressionPartial>();
    out->state = regression_pass_state(Weights::lanes, group_counts_);
    pass(weights, RegressionParts::of_model(m), out->state);
    if constexpr (std::is_same_v<Weights, UnitWeights>)
      for (std::size_t start = 0; std::size_t end : plan_.bucket_ends) {
        out->buckets.push_back(key_bucket(c_.units.key_of(plan_.order[start]), plan_.bucket_bits));
        start = end;
      }
    return out;
  }

  std::unique_ptr<PartialBlock> read_partial_block(ByteReader& in, std::size_t lanes) const {
    auto out = std::make_unique<RegressionPartial>();
    out->state = read_regression_state(in, lanes, group_counts_);
    out->buckets = read_buckets(in);
    return out;
  }

  // Each pass holds zeros where it folds nothing, so the two add exactly into one state.
  void write_partial_blocks(const PartialBlock& champion, const PartialBlock& challenger, std::size_t used,
                            const BlockWriter& writer) const {
    RegressionPassState both = static_cast<const RegressionPartial&>(champion).state;
    both.add(static_cast<const RegressionPartial&>(challenger).state);
    write_state(both, used, writer);
  }

  std::pair<std::uint64_t, std::uint64_t> model_bucket_range(std::size_t) const {
    if (plan_.order.empty()) return {1, 0};
    auto bucket = [&](std::uint32_t r) { return key_bucket(c_.units.key_of(r), plan_.bucket_bits); };
    return {bucket(plan_.order.front()), bucket(plan_.order.back())};
  }

 private:
  // Values beyond 2^400 (or below 2^-400) in magnitude are scaled to [1, 2), so that
  // squared errors summed over the rows stay finite and nonzero. A partition scales by the
  // whole evaluation's magnitude (from the plan).
  static int value_exponent(const PairedColumns& c) {
    const double magnitude =
        c.value_magnitude > 0.0 ? c.value_magnitude : max_magnitude({c.label, c.champion, c.challenger});
    return scale_exponent(magnitude, 400);
  }

  RegressionColumns columns() const {
    return {label_.values, champion_.values, challenger_.values, weight_.values};
  }

  // Both models' metrics of one block's exact sums, rounded, overall and per group.
  void write_state(const RegressionPassState& state, std::size_t used, const BlockWriter& writer) const {
    put_block(state.rounded<RegressionSums>(), used, layout_,
              [&](const RegressionSums& sums, std::size_t m, std::size_t lane, auto&& column) {
                put_metrics(writer, sums, m, lane, column);
              });
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
  void pass(const Weights& weights, RegressionParts parts, RegressionPassState& out) const {
    if constexpr (std::is_same_v<Weights, UnitWeights>)
      regression_exact_pass(columns(), plan_, weights, group_of_row_, parts, out);
    else
      regression_pass(columns(), plan_, weights, group_of_row_, parts, out);
  }

  const PairedColumns& c_;
  const ReplicateLayout& layout_;
  int value_exponent_;
  ScaledColumn label_, champion_, challenger_, weight_;
  RegressionPlan plan_;
  std::vector<std::span<const std::uint32_t>> group_of_row_;
  std::vector<std::size_t> group_counts_;
};

std::unique_ptr<TaskAccumulator> regression_accumulator(const PairedColumns& c, const ReplicateLayout& layout) {
  return std::make_unique<RegressionTaskAccumulator>(c, layout);
}

}  // namespace

extern const TaskDefinition kRegressionTask{Task::regression, false, Metric::rmse, validate_regression,
                                            regression_accumulator, true, false, false, catalogue_instances,
                                            false, true};

}  // namespace referee
