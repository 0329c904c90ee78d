// The outcome task: no label, each model's own result per example (a pass/fail, a graded
// score, a judge's rating, a whole task's latency), paired by example and resampled by
// example or by cluster (several generations of one prompt). Metrics: the mean, the pass
// rate at the policy's pass mark ($.threshold) and quantiles (outcome_accumulator.hpp).

#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include <referee/error.hpp>

#include "accumulate/accumulator_dispatch.hpp"
#include "accumulate/outcome_accumulator.hpp"
#include "accumulate/outcome_state.hpp"
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

// One block of one model's pass over a partition's rows (docs/partitioned.md). An above
// (round 2's input, made by aboves()) also carries the whole pass's total; a total is
// attached to an above, never merged.
struct OutcomePartial : PartialBlock {
  OutcomePassState state;
  std::optional<OutcomePassState> total;
  void add(const PartialBlock& other) override { state.add(static_cast<const OutcomePartial&>(other).state); }
  void write(ByteWriter& out) const override {
    write_state(out, state);
    out.u8(total ? 1 : 0);
    if (total) write_state(out, *total);
  }
};

class OutcomeTaskAccumulator : public TaskAccumulatorFor<OutcomeTaskAccumulator> {
 public:
  OutcomeTaskAccumulator(const PairedColumns& c, const ReplicateLayout& layout)
      : c_(c), layout_(layout),
        // Results beyond 2^400 in magnitude are scaled, so weighted sums stay finite; a
        // quantile is a selection and scales back exactly.
        // A partition scales by the whole evaluation's magnitudes (from the plan).
        exponent_(scale_exponent(
            c.value_magnitude > 0.0 ? c.value_magnitude : max_magnitude({c.champion, c.challenger}), 400)),
        champion_(c.champion, exponent_), challenger_(c.challenger, exponent_),
        weight_(c.weight, scale_exponent(c.weight_magnitude > 0.0 ? c.weight_magnitude : max_magnitude({c.weight}),
                                         kWeightScaleLimit)) {
    for (const GroupingSpec& g : c_.groupings) {
      group_of_row_.push_back(g.group_of_row);
      group_counts_.push_back(g.groups);
    }
    plan_ = plan_outcome(columns(), c.units, raw(), c.threshold, group_of_row_, c.total_rows);
  }

  template <class Weights>
  void compute(const Weights& weights, std::size_t used, const BlockWriter& writer) const {
    std::vector<std::vector<OutcomeSums>> grouped;
    for (const GroupingSpec& g : c_.groupings) grouped.emplace_back(g.groups);
    const OutcomeSums sums = pass(weights, used, grouped);
    write_sums(sums, grouped, used, writer);
  }

  // Partitioned evaluation: model m's share over these rows (whole value buckets). Round 1
  // has no above; round 2's above holds the exact sums below these rows and the total.
  template <class Weights>
  std::unique_ptr<PartialBlock> partial_block(const Weights& weights, std::size_t m, const PartialBlock* above) const {
    const auto* a = static_cast<const OutcomePartial*>(above);
    if (a && !a->total)
      throw UsageError("an outcome pass's above carries no total; make the aboves with aboves() (docs/partitioned.md)");
    auto out = std::make_unique<OutcomePartial>();
    out->state = outcome_pass_state(Weights::lanes, group_counts_);
    outcome_share(columns(), plan_, weights, m, group_of_row_, a ? &a->state : nullptr, a ? &*a->total : nullptr,
                  out->state);
    return out;
  }

  std::unique_ptr<PartialBlock> read_partial_block(ByteReader& in, std::size_t lanes) const {
    auto out = std::make_unique<OutcomePartial>();
    out->state = read_outcome_state(in, lanes, group_counts_);
    const std::uint8_t has_total = in.u8();
    if (has_total > 1) in.fail("the total's flag is not 0 or 1");
    if (has_total) out->total = read_outcome_state(in, lanes, group_counts_);
    return out;
  }

  bool attach_partial_total(PartialBlock& above, const PartialBlock& total) const {
    static_cast<OutcomePartial&>(above).total = static_cast<const OutcomePartial&>(total).state;
    return true;
  }

  // Both models' merged shares: the sums rounded once, every quantile level from the one
  // partition that reached it.
  void write_partial_blocks(const PartialBlock& champion, const PartialBlock& challenger, std::size_t used,
                            const BlockWriter& writer) const {
    OutcomeSums sums;
    std::vector<std::vector<OutcomeSums>> grouped;
    for (std::size_t n : group_counts_) grouped.emplace_back(n);
    const OutcomePartial* share[2] = {&static_cast<const OutcomePartial&>(champion),
                                      &static_cast<const OutcomePartial&>(challenger)};
    for (std::size_t m = 0; m < 2; ++m) {
      merged_sample(share[m]->state.overall, m, used, sums);
      for (std::size_t g = 0; g < grouped.size(); ++g)
        for (std::size_t j = 0; j < grouped[g].size(); ++j) merged_sample(share[m]->state.groups[g][j], m, used, grouped[g][j]);
    }
    write_sums(sums, grouped, used, writer);
  }

  std::pair<std::uint64_t, std::uint64_t> model_bucket_range(std::size_t m) const {
    const std::vector<std::uint32_t>& up = plan_.ascending[m];
    if (up.empty()) return {1, 0};
    const unsigned bits = score_bucket_bits(c_.total_rows != 0 ? c_.total_rows : up.size());
    return {value_bucket(raw()[m][up.front()], bits), value_bucket(raw()[m][up.back()], bits)};
  }

 private:
  std::array<std::span<const double>, 2> raw() const { return {c_.champion, c_.challenger}; }

  // One sample's merged share of model m into its double sums; every level of a lane with
  // weight must have been reached by exactly one partition.
  static void merged_sample(const OutcomeExact& e, std::size_t m, std::size_t used, OutcomeSums& s) {
    outcome_detail::round_sums(e, m, s);
    for (std::size_t l = 0; l < used; ++l)
      for (std::size_t k = 0; k < kQuantileLevels; ++k) {
        if (s.weight[l] > 0.0 && !e.found[l][k])
          throw UsageError("no partition of the " + std::string(m == 0 ? "champion" : "challenger") +
                           " pass reached a quantile level: a partition ran round 2 without its above "
                           "(docs/partitioned.md)");
        s.quantile[m][k][l] = e.level[l][k];
      }
  }

  void write_sums(const OutcomeSums& sums, const std::vector<std::vector<OutcomeSums>>& grouped, std::size_t used,
                  const BlockWriter& writer) const {
    for (std::size_t lane = 0; lane < used; ++lane)
      for (std::size_t m = 0; m < 2; ++m) {
        put_metrics(writer, sums, m, lane, [&](std::size_t k) { return layout_.metric(m, k); });
        for (std::size_t g = 0; g < c_.groupings.size(); ++g)
          for (std::size_t j = 0; j < c_.groupings[g].groups; ++j)
            put_metrics(writer, grouped[g][j], m, lane, [&](std::size_t k) { return layout_.group(g, j, m, k); });
      }
  }

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
  std::vector<std::size_t> group_counts_;
};

std::unique_ptr<TaskAccumulator> outcome_accumulator(const PairedColumns& c, const ReplicateLayout& layout) {
  return std::make_unique<OutcomeTaskAccumulator>(c, layout);
}

}  // namespace

extern const TaskDefinition kOutcomeTask{Task::outcome,      false, Metric::mean, validate_outcome,
                                         outcome_accumulator, false, true,  true, catalogue_instances,
                                         false,               false, true};

}  // namespace referee
