// The ranking task: one row per (query, document), a graded relevance label and each
// model's score; the query is the resampling unit (queries nest in clusters when a cluster
// column is given). Figures (docs/ranking.md): ndcg@k, dcg@k (scikit-learn), map@k, mrr,
// precision@k, recall@k (ranx), each a weighted mean over queries of values computed once
// per query (ranking_accumulator.hpp).

#include <limits>
#include <memory>
#include <vector>

#include <referee/error.hpp>

#include "accumulate/power_of_two_scale.hpp"
#include "accumulate/ranking_accumulator.hpp"
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

class RankingTaskAccumulator : public TaskAccumulatorFor<RankingTaskAccumulator> {
 public:
  RankingTaskAccumulator(const PairedColumns& c, const ReplicateLayout& layout)
      : c_(c), layout_(layout), figures_(figures_of(c.metrics)),
        // Relevance beyond 2^400 is scaled so that DCG sums stay finite (NDCG and the binary
        // metrics do not change with the scale; DCG scales back). Weights likewise.
        relevance_(c.label, scale_exponent(max_magnitude({c.label}), 400)),
        weight_(c.weight, scale_exponent(max_magnitude({c.weight}), kWeightScaleLimit)) {
    std::vector<std::span<const std::uint32_t>> group_of_row;
    for (const GroupingSpec& g : c.groupings) group_of_row.push_back(g.group_of_row);
    const RankingColumns columns{relevance_.values, {c.champion, c.challenger}, weight_.values, c.query, c.queries};
    plan_ = plan_ranking(columns, figures_, c.skip_empty_queries, group_of_row);
  }

  template <class Weights>
  void compute(const Weights& weights, std::size_t used, const BlockWriter& writer) const {
    std::vector<std::vector<RankingSums>> grouped;
    for (const GroupingSpec& g : c_.groupings) grouped.emplace_back(g.groups, RankingSums(figures_.size()));
    const RankingSums sums = accumulate_ranking(plan_, weights, grouped);
    for (std::size_t lane = 0; lane < used; ++lane)
      for (std::size_t m = 0; m < 2; ++m) {
        put(writer, sums, m, lane, [&](std::size_t f) { return layout_.metric(m, f); });
        for (std::size_t g = 0; g < grouped.size(); ++g)
          for (std::size_t j = 0; j < grouped[g].size(); ++j)
            put(writer, grouped[g][j], m, lane, [&](std::size_t f) { return layout_.group(g, j, m, f); });
      }
  }

 private:
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
};

std::unique_ptr<TaskAccumulator> ranking_accumulator(const PairedColumns& c, const ReplicateLayout& layout) {
  return std::make_unique<RankingTaskAccumulator>(c, layout);
}

}  // namespace

extern const TaskDefinition kRankingTask{Task::ranking, false, Metric::ndcg, validate_ranking, ranking_accumulator,
                                         true,          false, false,        ranking_defaults, true};

}  // namespace referee
