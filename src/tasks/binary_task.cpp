// The binary task: labels 0 and 1, scores that are probabilities. All 13 metrics come from
// one ranked pass per model (binary_accumulator.hpp); sensitive attributes keep only the
// weighted confusion cells, from which fairness rates are derived.

#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <mutex>
#include <type_traits>

#include "accumulate/accumulator_dispatch.hpp"
#include "accumulate/binary_accumulator.hpp"
#include "accumulate/power_of_two_scale.hpp"
#include "data/column_checks.hpp"
#include "tasks/partial_blocks.hpp"
#include "tasks/task_definition.hpp"

namespace referee {

namespace {

void validate_binary(const Table& t) {
  const ColumnNames& n = t.columns;
  for (std::size_t r = 0; r < t.rows; ++r) {
    const double y = t.label[r];
    if (y != 0.0 && y != 1.0)
      throw DataError(where(t, n.label, r) + "the label is not 0 or 1 (task \"binary\")");
  }
  // Decision scores (margins, logits) are any finite number; probabilities lie in [0, 1].
  const bool decision = n.scores == ScoreKind::decision;
  const double lo = decision ? -std::numeric_limits<double>::infinity() : 0.0;
  const double hi = decision ? std::numeric_limits<double>::infinity() : 1.0;
  const char* range = decision ? "the finite numbers" : "[0, 1] (the scores are probabilities; "
                                                        "declare \"scores\": \"decision\" for margins or logits)";
  check_column(t, t.champion, n.champion, lo, hi, range);
  check_column(t, t.challenger, n.challenger, lo, hi, range);
}

using BinaryPartial = StatePartial<BinaryPassState>;

// Round 1 of a ranked pass: the totals round 2's `above` is made of (binary_totals.hpp).
using BinaryTotalsPartial = StatePartial<BinaryTotalsState>;

class BinaryTaskAccumulator : public TaskAccumulatorFor<BinaryTaskAccumulator> {
 public:
  BinaryTaskAccumulator(const PairedColumns& c, const ReplicateLayout& layout)
      : c_(c), layout_(layout), weight_(c.weight, scale_exponent(c.weight_magnitude > 0.0 ? c.weight_magnitude : max_magnitude({c.weight}),
                                          kWeightScaleLimit)) {}

  template <class Weights>
  void compute(const Weights& weights, std::size_t used, const BlockWriter& writer) const {
    std::array<BinaryPassState, 2> states;
    for (std::size_t m = 0; m < 2; ++m) pass(columns(m), ranked(m), weights, nullptr, states[m]);
    write_states({&states[0], &states[1]}, used, writer);
  }

  // Partitioned evaluation: one model's exact sums over these rows (whole score buckets).
  template <class Weights>
  std::unique_ptr<PartialBlock> partial_block(const Weights& weights, std::size_t m, const PartialBlock* above) const {
    auto out = std::make_unique<BinaryPartial>();
    pass(columns(m), ranked(m), weights, above ? &static_cast<const BinaryTotalsPartial&>(*above).state : nullptr,
         out->state);
    return out;
  }

  // Round 1: one model's totals over these rows. With whole weights the row order does not
  // matter, so the model's ranking (a sort of the partition) is not built for it.
  template <class Weights>
  std::unique_ptr<PartialBlock> totals_block(const Weights& weights, std::size_t m) const {
    auto out = std::make_unique<BinaryTotalsPartial>();
    const RankedModel* order = weight_.values.empty() ? nullptr : &ranked(m);
    if constexpr (std::is_same_v<Weights, UnitWeights>)
      binary_totals_pass(columns(m), order, weights, c_.groupings, out->state);
    else
      binary_totals(columns(m), order, weights, c_.groupings, out->state);
    return out;
  }

  std::unique_ptr<PartialBlock> read_totals_block(ByteReader& in, std::size_t lanes, std::size_t) const {
    auto out = std::make_unique<BinaryTotalsPartial>();
    out->state = referee::read_totals(in, lanes, group_counts(c_.groupings));
    return out;
  }

  std::unique_ptr<PartialBlock> read_partial_block(ByteReader& in, std::size_t lanes) const {
    auto out = std::make_unique<BinaryPartial>();
    out->state = read_state(in, lanes, group_counts(c_.groupings));
    return out;
  }

  void write_partial_blocks(const PartialBlock& champion, const PartialBlock& challenger, std::size_t used,
                            const BlockWriter& writer) const {
    write_states({&static_cast<const BinaryPartial&>(champion).state,
                  &static_cast<const BinaryPartial&>(challenger).state},
                 used, writer);
  }

  // Buckets are numbered in descending score order, so the range is the buckets of the
  // highest and the lowest score (found without the ranking, which round 1 may not build).
  std::pair<std::uint64_t, std::uint64_t> model_bucket_range(std::size_t m) const {
    const std::span<const double> score = columns(m).score;
    if (score.empty()) return {1, 0};
    const unsigned bits = score_bucket_bits(c_.total_rows != 0 ? c_.total_rows : score.size());
    const auto [low, high] = std::minmax_element(score.begin(), score.end());
    return {score_bucket(*high, bits), score_bucket(*low, bits)};
  }

  // Both models' exact sums of one block, rounded, to metrics and confusion cells.
  void write_states(const std::array<const BinaryPassState*, 2>& states, std::size_t used,
                    const BlockWriter& writer) const {
    for (std::size_t m = 0; m < 2; ++m) {
      const BinarySums sums = states[m]->overall.rounded();
      for (std::size_t lane = 0; lane < used; ++lane) {
        put_metrics(writer, sums, lane, [&](std::size_t k) { return layout_.metric(m, k); });
        writer.put_cells(lane, confusion_cells(sums, lane), [&](std::size_t q) { return layout_.cell(m, q); });
      }
      for (std::size_t g = 0; g < c_.groupings.size(); ++g)
        for (std::size_t j = 0; j < c_.groupings[g].groups; ++j)
          write_group(states[m]->groups[g][j].rounded(), used, writer, m, g, j);
    }
  }

 private:
  BinaryColumns columns(std::size_t model) const {
    return {c_.label, model == 0 ? c_.champion : c_.challenger, weight_.values};
  }

  // Log loss and Brier read a score as a probability: on decision scores they are
  // undefined, with the reason, whatever the sums say.
  template <class Column>
  void put_metrics(const BlockWriter& writer, const BinarySums& sums, std::size_t lane, Column&& column) const {
    std::array<MetricValue, kBinaryMetricCount> values;
    binary_metrics(sums, lane, std::span<MetricValue, kBinaryMetricCount>(values));
    const auto metrics = task_metrics(Task::binary);
    for (std::size_t k = 0; k < kBinaryMetricCount; ++k) {
      if (c_.scores == ScoreKind::decision && metrics[k].needs_probabilities)
        values[k] = MetricValue::undefined("needs probabilities; the scores are decision values");
      writer.put(lane, column(k), values[k]);
    }
  }

  void write_group(const BinarySums& gs, std::size_t used, const BlockWriter& writer, std::size_t m, std::size_t g,
                   std::size_t j) const {
    const auto column = [&](std::size_t q) { return layout_.group(g, j, m, q); };
    for (std::size_t lane = 0; lane < used; ++lane) {
      if (c_.groupings[g].confusion_only)
        writer.put_cells(lane, confusion_cells(gs, lane), column);
      else
        put_metrics(writer, gs, lane, column);
    }
  }

  // Resamples go through the dispatched passes (baseline and AVX2 clones); the one-lane
  // point estimate inlines the template.
  // A model's ranking, built when a pass first needs it: a partition's ranked pass needs
  // one model's, its round 1 with whole weights none.
  const RankedModel& ranked(std::size_t m) const {
    std::call_once(ranked_once_[m], [&] {
      ranked_[m] = rank_model(columns(m), c_.units, c_.threshold, c_.groupings, c_.total_rows);
    });
    return ranked_[m];
  }

  template <class Weights>
  void pass(const BinaryColumns& c, const RankedModel& ranked, const Weights& weights, const BinaryTotalsState* above,
            BinaryPassState& out) const {
    if constexpr (std::is_same_v<Weights, UnitWeights>)
      binary_exact_pass(c, ranked, weights, c_.groupings, above, out);
    else
      binary_pass(c, ranked, weights, c_.groupings, above, out);
  }

  const PairedColumns& c_;
  const ReplicateLayout& layout_;
  // Weights of 1e-300 or 1e300 would underflow or overflow the weighted sums; every metric
  // and confusion-cell ratio is the same for weights scaled by a power of two.
  ScaledColumn weight_;
  mutable std::array<std::once_flag, 2> ranked_once_;
  mutable std::array<RankedModel, 2> ranked_;
};

std::unique_ptr<TaskAccumulator> binary_accumulator(const PairedColumns& c, const ReplicateLayout& layout) {
  return std::make_unique<BinaryTaskAccumulator>(c, layout);
}

}  // namespace

extern const TaskDefinition kBinaryTask{Task::binary, true, Metric::roc_auc, validate_binary, binary_accumulator,
                                        true, true, false, catalogue_instances};

}  // namespace referee
