// The ranking task: one row per (query, document), a graded relevance label and each
// model's score; the query is the resampling unit (queries nest in clusters when a cluster
// column is given). Figures (docs/ranking.md): ndcg@k, dcg@k (scikit-learn), map@k, mrr,
// precision@k, recall@k (ranx), each a weighted mean over queries of values computed once
// per query (ranking_accumulator.hpp).

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <memory>
#include <vector>

#include <referee/error.hpp>

#include "accumulate/power_of_two_scale.hpp"
#include "accumulate/ranking_accumulator.hpp"
#include "accumulate/ranking_state.hpp"
#include "resample/canonical_buckets.hpp"
#include "data/column_checks.hpp"
#include "data/ranking_queries.hpp"
#include "tasks/task_definition.hpp"

namespace referee {

namespace {

void validate_ranking(const Table& t) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  const ColumnNames& n = t.columns;
  if (t.query_index.size() != t.rows)
    throw DataError(t.source.origin + ": the ranking task needs each row's query ($.columns.query)");
  check_column(t, t.label, n.label, 0.0, inf, "[0, inf) (a graded relevance: 0 is not relevant)");
  check_column(t, t.champion, n.champion, -inf, inf, "");
  check_column(t, t.challenger, n.challenger, -inf, inf, "");
  if (!t.weight.empty()) check_column(t, t.weight, n.weight, 0.0, inf, "[0, inf) (weights cannot be negative)");
  check_constant_within_queries(t);
}

std::vector<MetricInstance> ranking_defaults(Task) {
  constexpr std::size_t ten = 10;
  return {metric_instance(Metric::ndcg, std::nullopt, ten),     metric_instance(Metric::ndcg),
          metric_instance(Metric::dcg, std::nullopt, ten),      metric_instance(Metric::map, std::nullopt, ten),
          metric_instance(Metric::mrr),                         metric_instance(Metric::rank_precision, std::nullopt, ten),
          metric_instance(Metric::rank_recall, std::nullopt, ten)};
}

RankingMeasure measure_of(Metric m) {
  switch (m) {
    case Metric::ndcg: return RankingMeasure::ndcg;
    case Metric::dcg: return RankingMeasure::dcg;
    case Metric::map: return RankingMeasure::map;
    case Metric::mrr: return RankingMeasure::mrr;
    case Metric::rank_precision: return RankingMeasure::precision;
    case Metric::rank_recall: return RankingMeasure::recall;
    default: break;
  }
  throw UsageError("the ranking task has no metric " + std::string(metric_name(m)));
}

std::vector<RankingFigure> figures_of(std::span<const MetricInstance> metrics) {
  std::vector<RankingFigure> out;
  for (const MetricInstance& m : metrics) out.push_back({measure_of(m.id), m.k});
  return out;
}

struct RankingPartial : PartialBlock {
  RankingPassState state;
  void add(const PartialBlock& other) override { state.add(static_cast<const RankingPartial&>(other).state); }
  void write(ByteWriter& out) const override { write_state(out, state); }
};

class RankingTaskAccumulator : public TaskAccumulatorFor<RankingTaskAccumulator> {
 public:
  RankingTaskAccumulator(const PairedColumns& c, const ReplicateLayout& layout)
      : c_(c), layout_(layout), figures_(figures_of(c.metrics)),
        // Relevance beyond 2^400 is scaled so that DCG sums stay finite (NDCG and the binary
        // metrics do not change with the scale; DCG scales back). Weights likewise. A
        // partition scales by the whole evaluation's magnitudes (from the plan's facts).
        relevance_(c.label, scale_exponent(c.label_magnitude > 0.0 ? c.label_magnitude : max_magnitude({c.label}), 400)),
        weight_(c.weight, scale_exponent(c.weight_magnitude > 0.0 ? c.weight_magnitude : max_magnitude({c.weight}),
                                         kWeightScaleLimit)) {
    std::vector<std::span<const std::uint32_t>> group_of_row;
    for (const GroupingSpec& g : c.groupings) {
      group_of_row.push_back(g.group_of_row);
      group_counts_.push_back(g.groups);
    }
    const RankingColumns columns{relevance_.values, {c.champion, c.challenger}, weight_.values, c.query, c.queries,
                                 c.units,           c.total_rows};
    plan_ = plan_ranking(columns, figures_, c.skip_empty_queries, group_of_row);
  }

  template <class Weights>
  void compute(const Weights& weights, std::size_t used, const BlockWriter& writer) const {
    RankingPassState state(figures_.size(), Weights::lanes, group_counts_);
    ranking_exact_pass(plan_, weights, RankingParts::all(), state);
    write_state(state, used, writer);
  }

  // Partitioned evaluation: the champion pass folds the weight and model 0's values, the
  // challenger pass model 1's, over these rows (whole key buckets). Order-free: no above.
  template <class Weights>
  std::unique_ptr<PartialBlock> partial_block(const Weights& weights, std::size_t m, const PartialBlock* above) const {
    if (above) throw UsageError("the ranking passes are order-free; they run once and take no above");
    auto out = std::make_unique<RankingPartial>();
    out->state = RankingPassState(figures_.size(), Weights::lanes, group_counts_);
    ranking_exact_pass(plan_, weights, RankingParts::of_model(m), out->state);
    return out;
  }

  std::unique_ptr<PartialBlock> read_partial_block(ByteReader& in, std::size_t lanes) const {
    auto out = std::make_unique<RankingPartial>();
    out->state = read_ranking_state(in, figures_.size(), lanes, group_counts_);
    return out;
  }

  // Each pass holds zeros where it folds nothing, so the two add exactly into one state.
  // Each pass saw every query whole, or a query was split between partitions.
  void write_partial_blocks(const PartialBlock& champion, const PartialBlock& challenger, std::size_t used,
                            const BlockWriter& writer) const {
    RankingPassState both = static_cast<const RankingPartial&>(champion).state;
    const RankingPassState& other = static_cast<const RankingPartial&>(challenger).state;
    for (std::uint64_t seen : {both.queries, other.queries})
      if (seen != c_.queries)
        throw UsageError("a model pass saw " + std::to_string(seen) + " queries, the rows pass " +
                         std::to_string(c_.queries) + ": a query's rows lie in two partitions; partition each pass "
                         "by buckets()");
    both.add(other);
    write_state(both, used, writer);
  }

  std::pair<std::uint64_t, std::uint64_t> model_bucket_range(std::size_t) const {
    if (c_.query.empty()) return {1, 0};
    const unsigned bits = key_bucket_bits(c_.total_rows != 0 ? c_.total_rows : c_.query.size());
    std::uint64_t first = ~std::uint64_t{0}, last = 0;
    for (std::size_t r = 0; r < c_.query.size(); ++r) {
      const std::uint64_t b = key_bucket(c_.units.key_of(r), bits);
      first = std::min(first, b);
      last = std::max(last, b);
    }
    return {first, last};
  }

 private:
  // Both models' figures of one block's exact sums, rounded, overall and per group.
  void write_state(const RankingPassState& state, std::size_t used, const BlockWriter& writer) const {
    put_block(state.rounded<RankingSums>(), used, layout_,
              [&](const RankingSums& sums, std::size_t m, std::size_t lane, auto&& column) {
                put(writer, sums, m, lane, column);
              });
  }

  template <class Column>
  void put(const BlockWriter& writer, const RankingSums& s, std::size_t m, std::size_t lane, Column&& column) const {
    const double total = s.weight[lane];
    for (std::size_t f = 0; f < figures_.size(); ++f) {
      if (!(total > 0.0)) {
        writer.put(lane, column(f),
                   MetricValue::undefined(c_.skip_empty_queries ? "the sample has no query with a relevant document"
                                                                : "the sample has no weight"));
        continue;
      }
      const double mean = s.value[m * figures_.size() + f][lane] / total;
      writer.put(lane, column(f),
                 figures_[f].measure == RankingMeasure::dcg ? unscaled(mean, relevance_.exponent) : MetricValue::of(mean));
    }
  }

  const PairedColumns& c_;
  const ReplicateLayout& layout_;
  std::vector<RankingFigure> figures_;
  ScaledColumn relevance_, weight_;
  RankingPlan plan_;
  std::vector<std::size_t> group_counts_;
};

std::unique_ptr<TaskAccumulator> ranking_accumulator(const PairedColumns& c, const ReplicateLayout& layout) {
  return std::make_unique<RankingTaskAccumulator>(c, layout);
}

}  // namespace

extern const TaskDefinition kRankingTask{Task::ranking, false, Metric::ndcg, validate_ranking, ranking_accumulator,
                                         true,          false, false,        ranking_defaults, true,
                                         true};

}  // namespace referee
