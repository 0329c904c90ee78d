// The multiclass task: one label of K classes and, per model, K class probabilities (a
// prefix or a list of columns, or one n x K block). The predicted class is the argmax.
// Figures (multiclass_metrics.hpp): accuracy, balanced accuracy, top-k accuracy, log loss,
// Brier, precision/recall/f1 per class or averaged, Cohen's kappa, MCC and one-vs-rest ROC
// AUC, all from one row-order pass and one ranked pass per model and class per block.

#include <array>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "accumulate/accumulator_dispatch.hpp"
#include "accumulate/multiclass_accumulator.hpp"
#include "accumulate/multiclass_metrics.hpp"
#include "accumulate/multiclass_state.hpp"
#include "accumulate/ovr_passes.hpp"
#include "accumulate/power_of_two_scale.hpp"
#include "data/column_checks.hpp"
#include "tasks/partial_blocks.hpp"
#include "tasks/task_definition.hpp"

namespace referee {

namespace {

// Probabilities are finite and in [0, 1]; the label was mapped to a class index when the
// table was built (class_columns.cpp), so it names a class.
void validate_multiclass(const Table& t) {
  const ColumnNames& n = t.columns;
  for (std::size_t m = 0; m < 2; ++m) {
    const ScoreBlock& s = t.class_scores[m];  // its shape was checked with the core columns
    for (std::size_t k = 0; k < s.classes; ++k)
      for (std::size_t r = 0; r < t.rows; ++r) {
        const double p = s.at(r, k);
        const std::string& column = n.class_columns[m].columns[k];
        if (!std::isfinite(p)) throw DataError(where(t, column, r) + "value is not a finite number");
        if (p < 0.0 || p > 1.0) throw DataError(where(t, column, r) + "the value is outside [0, 1] (a probability)");
      }
  }
}

std::vector<MetricInstance> multiclass_defaults(Task) {
  std::vector<MetricInstance> out{metric_instance(Metric::mc_accuracy), metric_instance(Metric::mc_balanced_accuracy),
                                  metric_instance(Metric::top_k_accuracy, std::nullopt, std::size_t{2}),
                                  metric_instance(Metric::mc_log_loss), metric_instance(Metric::mc_brier)};
  for (Metric m : {Metric::mc_precision, Metric::mc_recall, Metric::mc_f1})
    for (Average a : {Average::macro, Average::micro, Average::weighted}) out.push_back(metric_instance(m, a));
  out.push_back(metric_instance(Metric::cohen_kappa));
  out.push_back(metric_instance(Metric::mc_mcc));
  out.push_back(metric_instance(Metric::mc_roc_auc, Average::macro));
  out.push_back(metric_instance(Metric::mc_roc_auc, Average::weighted));
  return out;
}

// One block's sums: the confusion sums of both models ([m], per group [g][j][m]) and the
// one-vs-rest sums of every class ([m][k], per group [m][g][j][k]).
struct MulticlassBlockSums {
  std::array<ConfusionSums, 2> overall;
  std::vector<std::vector<std::array<ConfusionSums, 2>>> grouped;
  std::array<std::vector<OvrSums>, 2> ovr;
  std::array<std::vector<std::vector<std::vector<OvrSums>>>, 2> ovr_grouped;

  MulticlassBlockSums(std::size_t classes, std::size_t top_k_slots, std::span<const GroupingSpec> groupings,
                      bool auc)
      : overall{ConfusionSums(classes, top_k_slots), ConfusionSums(classes, top_k_slots)} {
    const ConfusionSums empty(classes, top_k_slots);
    for (const GroupingSpec& g : groupings) grouped.emplace_back(g.groups, std::array<ConfusionSums, 2>{empty, empty});
    for (std::size_t m = 0; m < 2; ++m) {
      ovr[m].resize(auc ? classes : 0);
      for (const GroupingSpec& g : groupings) ovr_grouped[m].emplace_back(g.groups, std::vector<OvrSums>(ovr[m].size()));
    }
  }
};

using MulticlassPartial = KeyedPartial<MulticlassPassState>;
// A one-vs-rest pass's share: the binary ranked pass's exact sums.
using OvrPartial = StatePartial<BinaryPassState>;
using OvrTotalsPartial = StatePartial<BinaryTotalsState>;

class MulticlassTaskAccumulator : public TaskAccumulatorFor<MulticlassTaskAccumulator> {
 public:
  MulticlassTaskAccumulator(const PairedColumns& c, const ReplicateLayout& layout)
      : c_(c), layout_(layout),
        weight_(c.weight, scale_exponent(c.weight_magnitude > 0.0 ? c.weight_magnitude : max_magnitude({c.weight}),
                                         kWeightScaleLimit)),
        figures_(resolve_figures(c.metrics, c.classes, top_ks_)) {
    for (const GroupingSpec& g : c.groupings) segments_.push_back(g);
    auc_ = std::any_of(figures_.begin(), figures_.end(), [](const MulticlassFigure& f) {
      return f.id == Metric::mc_roc_auc;
    });
    for (const GroupingSpec& g : segments_) group_counts_.push_back(g.groups);
    plan_ = plan_multiclass(columns(0), c.class_scores[1], c.units, c.total_rows);
    ovr_ = std::make_unique<OvrPasses>(std::array{columns(0), columns(1)}, c_.units, segments_, c.total_rows);
    // Whole weights keep every one-vs-rest sum an exact integer (or half) below 2^53 while the
    // total weight stays below 2^26 (a Poisson block checks its own totals): the fast passes
    // then give the binary passes' bits. A partition always runs the binary passes.
    whole_ = auc_ && c.weight.empty() && c.total_rows == 0 && c.label.size() < (std::size_t{1} << 26);
    for (std::size_t m = 0; m < 2; ++m) {
      rows_[m] = multiclass_rows(columns(m), top_ks_);
      if (whole_)
        for (std::size_t k = 0; k < classes(); ++k)
          ranked_[m].push_back(rank_class(c.class_scores[m], c.label, k, c.units, segments_));
    }
  }

  template <class Weights>
  void compute(const Weights& weights, std::size_t used, const BlockWriter& writer) const {
    if constexpr (std::is_same_v<Weights, PoissonWeights>) {
      // Every ranked pass reads the same weights: generate them once.
      if (auc_) return accumulate_cached(weights, used, writer);
    }
    accumulate(weights, used, writer);
  }

  // Partitioned evaluation: model passes 0 and 1 are each model's confusion sums over these
  // rows (whole key buckets; order-free, no above); pass 2 + m K + k is the one-vs-rest pass
  // of model m and class k (whole score buckets of p_k; ranked, with its above).
  template <class Weights>
  std::unique_ptr<PartialBlock> partial_block(const Weights& weights, std::size_t m, const PartialBlock* above) const {
    if (m >= 2) {
      auto out = std::make_unique<OvrPartial>();
      ovr_->run(weights, (m - 2) / classes(), (m - 2) % classes(),
                above ? &static_cast<const OvrTotalsPartial&>(*above).state : nullptr, out->state);
      return out;
    }
    if (above) throw UsageError("the multiclass confusion passes are order-free; they run once and take no above");
    auto out = std::make_unique<MulticlassPartial>();
    out->state = empty_state(Weights::lanes);
    std::array<MulticlassPassState*, 2> states{};
    states[m] = &out->state;
    confusion(weights, states);
    if constexpr (std::is_same_v<Weights, UnitWeights>)
      for (std::size_t start = 0; std::size_t end : plan_.bucket_ends) {
        out->buckets.push_back(key_bucket(c_.units.key_of(plan_.order[start]), plan_.bucket_bits));
        start = end;
      }
    return out;
  }

  // Round 1 of a one-vs-rest pass: its totals (the confusion passes are order-free: no round 1).
  template <class Weights>
  std::unique_ptr<PartialBlock> totals_block(const Weights& weights, std::size_t m) const {
    if (m < 2) throw UsageError("the multiclass confusion passes are order-free; they have no round 1");
    auto out = std::make_unique<OvrTotalsPartial>();
    ovr_->totals(weights, (m - 2) / classes(), (m - 2) % classes(), out->state);
    return out;
  }

  std::unique_ptr<PartialBlock> read_totals_block(ByteReader& in, std::size_t lanes, std::size_t m) const {
    if (m < 2) in.fail("the multiclass confusion passes are order-free; they have no round 1");
    auto out = std::make_unique<OvrTotalsPartial>();
    out->state = referee::read_totals(in, lanes, group_counts_);
    return out;
  }

  std::unique_ptr<PartialBlock> read_partial_block(ByteReader& in, std::size_t lanes, std::size_t m) const {
    if (m >= 2) {
      auto out = std::make_unique<OvrPartial>();
      out->state = read_state(in, lanes, group_counts_);
      return out;
    }
    auto out = std::make_unique<MulticlassPartial>();
    out->state = read_multiclass_state(in, classes(), top_ks_.size(), lanes, group_counts_);
    out->buckets = read_buckets(in);
    return out;
  }

  void write_partial_blocks(std::span<const PartialBlock* const> passes, std::size_t used,
                            const BlockWriter& writer) const {
    const std::size_t K = auc_ ? classes() : 0;
    if (passes.size() != 2 + 2 * K)
      throw UsageError("the multiclass task has " + std::to_string(2 + 2 * K) + " model passes, not " +
                       std::to_string(passes.size()));
    MulticlassBlockSums sums = empty_sums();
    round_into(sums, {&static_cast<const MulticlassPartial&>(*passes[0]).state,
                      &static_cast<const MulticlassPartial&>(*passes[1]).state});
    for (std::size_t m = 0; m < 2; ++m)
      for (std::size_t k = 0; k < K; ++k)
        put_ovr(sums, m, k, static_cast<const OvrPartial&>(*passes[2 + m * K + k]).state);
    write(sums, used, writer);
  }

  std::pair<std::uint64_t, std::uint64_t> model_bucket_range(std::size_t m) const {
    if (m >= 2) return ovr_->bucket_range((m - 2) / classes(), (m - 2) % classes());
    if (plan_.order.empty()) return {1, 0};
    auto bucket = [&](std::uint32_t r) { return key_bucket(c_.units.key_of(r), plan_.bucket_bits); };
    return {bucket(plan_.order.front()), bucket(plan_.order.back())};
  }

 private:
  std::size_t classes() const { return c_.classes.size(); }
  MulticlassColumns columns(std::size_t m) const { return {c_.label, c_.class_scores[m], weight_.values}; }
  MulticlassBlockSums empty_sums() const { return {classes(), top_ks_.size(), segments_, auc_}; }
  MulticlassPassState empty_state(std::size_t lanes) const {
    return {MulticlassExact(classes(), top_ks_.size(), lanes), group_counts_};
  }

  // Both models' exact confusion sums (those of `out` set), through the dispatched passes;
  // the one-lane point estimate inlines the template.
  template <class Weights>
  void confusion(const Weights& weights, const std::array<MulticlassPassState*, 2>& out) const {
    if constexpr (std::is_same_v<Weights, UnitWeights>)
      confusion_exact_pass(columns(0), rows_, plan_, weights, segments_, out);
    else
      multiclass_confusion_pass(columns(0), rows_, plan_, weights, segments_, out);
  }

  // The block's confusion sums of both models, rounded from their exact sums.
  void round_into(MulticlassBlockSums& sums, const std::array<const MulticlassPassState*, 2>& states) const {
    for (std::size_t m = 0; m < 2; ++m) {
      sums.overall[m] = states[m]->overall.rounded();
      for (std::size_t g = 0; g < segments_.size(); ++g)
        for (std::size_t j = 0; j < segments_[g].groups; ++j) sums.grouped[g][j][m] = states[m]->groups[g][j].rounded();
    }
  }

  template <class Weights>
  void confusion_sums(const Weights& weights, MulticlassBlockSums& sums) const {
    std::array<MulticlassPassState, 2> states{empty_state(Weights::lanes), empty_state(Weights::lanes)};
    confusion(weights, {&states[0], &states[1]});
    round_into(sums, {&states[0], &states[1]});
  }

  // Runs `pass(ranked, out, by_group)` for every model and class into `sums`.
  template <class Pass>
  void ranked_passes(MulticlassBlockSums& sums, Pass&& pass) const {
    for (std::size_t m = 0; m < 2; ++m)
      for (std::size_t k = 0; k < sums.ovr[m].size(); ++k) {
        std::vector<std::vector<OvrSums>> by_group(segments_.size());
        for (std::size_t g = 0; g < segments_.size(); ++g) by_group[g].resize(segments_[g].groups);
        pass(m, k, sums.ovr[m][k], by_group);
        for (std::size_t g = 0; g < segments_.size(); ++g)
          for (std::size_t j = 0; j < segments_[g].groups; ++j) sums.ovr_grouped[m][g][j][k] = by_group[g][j];
      }
  }

  // The plain passes: unit, multinomial and jackknife weights, and Poisson without AUC.
  template <class Weights>
  void accumulate(const Weights& weights, std::size_t used, const BlockWriter& writer) const {
    MulticlassBlockSums sums = empty_sums();
    confusion_sums(weights, sums);
    if (whole_)
      ranked_passes(sums, [&](std::size_t m, std::size_t k, OvrSums& out, std::vector<std::vector<OvrSums>>& by_group) {
        ovr_pass(columns(m), ranked_[m][k], k, weights, segments_, out, by_group);
      });
    else
      binary_ovr_passes(weights, sums);
    write(sums, used, writer);
  }

  // The one-vs-rest sums from the binary ranked passes (what a partition computes).
  template <class Weights>
  void binary_ovr_passes(const Weights& weights, MulticlassBlockSums& sums) const {
    for (std::size_t m = 0; m < 2; ++m)
      for (std::size_t k = 0; k < sums.ovr[m].size(); ++k) {
        BinaryPassState state;
        ovr_->run(weights, m, k, nullptr, state);
        put_ovr(sums, m, k, state);
      }
  }

  void put_ovr(MulticlassBlockSums& sums, std::size_t m, std::size_t k, const BinaryPassState& state) const {
    sums.ovr[m][k] = ovr_sums(state.overall);
    for (std::size_t g = 0; g < segments_.size(); ++g)
      for (std::size_t j = 0; j < segments_[g].groups; ++j) sums.ovr_grouped[m][g][j][k] = ovr_sums(state.groups[g][j]);
  }

  // Poisson weights with AUC: the block's weights go into a cache once, which the confusion
  // pass and the 2K ranked passes read (the dispatched clones; the same bits as accumulate()).
  void accumulate_cached(const PoissonWeights& weights, std::size_t used, const BlockWriter& writer) const {
    MulticlassBlockSums sums = empty_sums();
    CachedWeights cache(c_.label.size());
    fill_cache(weights, c_.label.size(), cache);
    confusion_sums(cache, sums);
    if (whole_ && whole_weight_ranking_exact(columns(0), sums.overall[0]))
      ranked_passes(sums, [&](std::size_t m, std::size_t k, OvrSums& out, std::vector<std::vector<OvrSums>>& by_group) {
        multiclass_ovr_pass_whole(ranked_[m][k], cache, segments_, out, by_group);
      });
    else
      binary_ovr_passes(cache, sums);
    write(sums, used, writer);
  }

  void write(const MulticlassBlockSums& sums, std::size_t used, const BlockWriter& writer) const {
    for (std::size_t m = 0; m < 2; ++m)
      for (std::size_t lane = 0; lane < used; ++lane) {
        put(writer, sums.overall[m], sums.ovr[m], lane, [&](std::size_t f) { return layout_.metric(m, f); });
        for (std::size_t g = 0; g < segments_.size(); ++g)
          for (std::size_t j = 0; j < segments_[g].groups; ++j)
            put(writer, sums.grouped[g][j][m], sums.ovr_grouped[m][g][j], lane,
                [&](std::size_t f) { return layout_.group(g, j, m, f); });
      }
  }

  template <class Column>
  void put(const BlockWriter& writer, const ConfusionSums& s, std::span<const OvrSums> ovr, std::size_t lane,
           Column&& column) const {
    for (std::size_t f = 0; f < figures_.size(); ++f) writer.put(lane, column(f), multiclass_value(figures_[f], s, ovr, lane));
  }

  const PairedColumns& c_;
  const ReplicateLayout& layout_;
  // Weights of 1e-300 or 1e300 would underflow or overflow the weighted sums; every
  // figure is a ratio of sums and is the same for weights scaled by a power of two.
  ScaledColumn weight_;
  std::vector<std::size_t> top_ks_;
  std::vector<MulticlassFigure> figures_;
  std::vector<GroupingSpec> segments_;
  std::vector<std::size_t> group_counts_;
  bool auc_ = false, whole_ = false;
  std::unique_ptr<OvrPasses> ovr_;
  MulticlassPlan plan_;
  std::array<MulticlassRows, 2> rows_;
  std::array<std::vector<RankedClass>, 2> ranked_;
};

std::unique_ptr<TaskAccumulator> multiclass_accumulator(const PairedColumns& c, const ReplicateLayout& layout) {
  return std::make_unique<MulticlassTaskAccumulator>(c, layout);
}

}  // namespace

extern const TaskDefinition kMulticlassTask{Task::multiclass, false, Metric::mc_accuracy, validate_multiclass,
                                            multiclass_accumulator, true, false, false, multiclass_defaults,
                                            false, true};

}  // namespace referee
