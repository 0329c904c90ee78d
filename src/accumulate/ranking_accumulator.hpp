#pragma once
// The ranking task's figures of both models for a block of replicates.
//
// The query is the resampling unit: every document of a query moves with it, so a query's
// metric values (ranking_metrics.hpp) never change between resamples. The plan computes
// them once per query, model and figure; a block is then one pass over the queries adding
// each query's weight times its values into 64 lanes, and a figure is the weighted mean
// over the counted queries: a few multiply-adds per query and figure, whatever the
// query's length.
//
// Queries with no relevant document (relevance > 0) follow the policy's rule
// (docs/ranking.md): "skip" leaves them out of every mean (they are counted in the
// report), "zero" counts their values, all 0 (scikit-learn's ndcg_score does this).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "accumulate/ranking_metrics.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

enum class RankingMeasure { ndcg, dcg, map, mrr, precision, recall };

// One figure: a measure at a cut-off (ndcg@10; nullopt = all documents).
struct RankingFigure {
  RankingMeasure measure = RankingMeasure::ndcg;
  RankCutoff k;
};

inline double query_value(const RankedQuery& q, const RankingFigure& f) {
  switch (f.measure) {
    case RankingMeasure::ndcg: return q.ndcg(f.k);
    case RankingMeasure::dcg: return q.dcg(f.k);
    case RankingMeasure::map: return q.average_precision(f.k);
    case RankingMeasure::mrr: return q.reciprocal_rank(f.k);
    case RankingMeasure::precision: return q.precision(f.k);
    case RankingMeasure::recall: return q.recall(f.k);
  }
  return 0.0;
}

struct RankingColumns {
  std::span<const double> relevance;
  std::array<std::span<const double>, 2> score;  // champion, challenger
  std::span<const double> weight;                // per row, constant within a query; empty: 1
  std::span<const std::uint32_t> query;          // per row, the query's index
  std::size_t queries = 0;
};

// What the pass reads, per counted query in index order: a row of it (for its resampling
// weight), its weight, and its values, [model][figure] (2F doubles).
struct RankingPlan {
  std::size_t figures = 0;
  std::vector<std::uint32_t> row;
  std::vector<double> weight;
  std::vector<double> values;
  std::vector<std::vector<std::uint32_t>> group;  // per grouping, per counted query
  std::size_t queries = 0, empty = 0;              // all queries; those with no relevant document
};

namespace ranking_detail {

// Each query's rows, queries in index order (a counting sort; rows ascending within).
inline std::vector<std::uint32_t> rows_by_query(const RankingColumns& c, std::vector<std::size_t>& first) {
  first.assign(c.queries + 1, 0);
  for (std::uint32_t q : c.query) ++first[q + 1];
  std::partial_sum(first.begin(), first.end(), first.begin());
  std::vector<std::uint32_t> rows(c.query.size());
  std::vector<std::size_t> next(first.begin(), first.end() - 1);
  for (std::uint32_t r = 0; r < c.query.size(); ++r) rows[next[c.query[r]]++] = r;
  return rows;
}

}  // namespace ranking_detail

// `group_of_row`: per grouping, each row's group (constant within a query: checked when
// the table is validated). `skip_empty`: the "skip" rule.
inline RankingPlan plan_ranking(const RankingColumns& c, std::span<const RankingFigure> figures, bool skip_empty,
                                std::span<const std::span<const std::uint32_t>> group_of_row) {
  RankingPlan plan;
  plan.figures = figures.size();
  plan.queries = c.queries;
  plan.group.resize(group_of_row.size());
  std::vector<std::size_t> first;
  const std::vector<std::uint32_t> rows = ranking_detail::rows_by_query(c, first);
  std::vector<double> relevance, score;
  RankedQuery ranked;
  for (std::size_t q = 0; q < c.queries; ++q) {
    const std::span<const std::uint32_t> mine(rows.data() + first[q], first[q + 1] - first[q]);
    if (mine.empty()) continue;
    relevance.clear();
    for (std::uint32_t r : mine) relevance.push_back(c.relevance[r]);
    const bool empty = std::none_of(relevance.begin(), relevance.end(), [](double x) { return x > 0.0; });
    plan.empty += empty ? 1 : 0;
    if (empty && skip_empty) continue;
    plan.row.push_back(mine[0]);
    plan.weight.push_back(c.weight.empty() ? 1.0 : c.weight[mine[0]]);
    for (std::size_t g = 0; g < group_of_row.size(); ++g) plan.group[g].push_back(group_of_row[g][mine[0]]);
    for (std::size_t m = 0; m < 2; ++m) {
      score.clear();
      for (std::uint32_t r : mine) score.push_back(c.score[m][r]);
      ranked.rank(relevance, score);
      for (const RankingFigure& f : figures) plan.values.push_back(query_value(ranked, f));
    }
  }
  return plan;
}

// One sample's (the whole table's, or one group's) weighted sums per lane: the counted
// queries' weight, and per [model][figure] their weighted values.
struct RankingSums {
  LaneWeights weight{};
  std::vector<LaneWeights> value;  // 2F
  explicit RankingSums(std::size_t figures = 0) : value(2 * figures, LaneWeights{}) {}
};

namespace ranking_detail {

template <std::size_t L>
inline void add_query(RankingSums& s, const LaneWeights& w, const double* values) {
  for (std::size_t l = 0; l < L; ++l) s.weight[l] += w[l];
  for (std::size_t j = 0; j < s.value.size(); ++j) {
    const double v = values[j];
    LaneWeights& sum = s.value[j];
    for (std::size_t l = 0; l < L; ++l) sum[l] += w[l] * v;
  }
}

}  // namespace ranking_detail

// A block's pass over the counted queries: the overall sums and, per grouping, each
// group's ([grouping][group], sized by the caller).
template <class Weights>
RankingSums accumulate_ranking(const RankingPlan& plan, const Weights& weights,
                               std::vector<std::vector<RankingSums>>& grouped) {
  constexpr std::size_t L = Weights::lanes;
  RankingSums s(plan.figures);
  LaneWeights w{};
  const std::size_t width = 2 * plan.figures;
  for (std::size_t i = 0; i < plan.row.size(); ++i) {
    weights.fill(plan.row[i], w);
    const double qw = plan.weight[i];
    if (qw != 1.0)
      for (std::size_t l = 0; l < L; ++l) w[l] *= qw;
    const double* values = plan.values.data() + i * width;
    ranking_detail::add_query<L>(s, w, values);
    for (std::size_t g = 0; g < grouped.size(); ++g)
      ranking_detail::add_query<L>(grouped[g][plan.group[g][i]], w, values);
  }
  return s;
}

}  // namespace referee
