#pragma once
// The ranking task's figures of both models for a block of replicates.
//
// The query is the resampling unit: every document of a query moves with it, so a query's
// metric values (ranking_metrics.hpp) never change between resamples. The plan computes
// them once per query, model and figure; a block is then one pass over the queries adding
// each query's weight times its values into 64 lanes, and a figure is the weighted mean
// over the counted queries: a few multiply-adds per query and figure, whatever the
// query's length. The sums are canonical (docs/partitioned.md): doubles fold only within
// a key bucket of the queries' unit keys, visiting queries by (unit key, query id), and
// each bucket's folds go into exact sums; so a shuffled file, or any partitioning of the
// rows into whole key buckets, gives every bit.
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

#include "accumulate/group_folds.hpp"
#include "accumulate/ranking_metrics.hpp"
#include "accumulate/ranking_state.hpp"
#include "resample/canonical_buckets.hpp"
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
  RowUnits units;                                // each row's unit (its query's, or its cluster's)
  std::uint64_t total_rows = 0;                  // the whole evaluation's rows (bucket width); 0: these
};

// What the pass reads, per counted query in the canonical order (unit key, then query
// index: a query's index is its id's rank, so within a unit the order is the ids' order
// whatever rows a partition holds): a row of it (for its resampling weight), its weight,
// and its values, [model][figure] (2F doubles); where each key bucket's queries end.
struct RankingPlan {
  std::size_t figures = 0;
  std::vector<std::uint32_t> row;
  std::vector<double> weight;
  std::vector<double> values;
  std::vector<std::vector<std::uint32_t>> group;  // per grouping, per counted query
  std::vector<std::size_t> bucket_ends;
  std::span<const std::uint64_t> keys;             // each row's unit key (empty: none), for prefetching
  std::size_t queries = 0, empty = 0;              // queries with rows; those with no relevant document
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

// The queries that have rows, by (unit key, query index): the canonical visiting order.
inline std::vector<std::uint32_t> canonical_queries(const RankingColumns& c, const std::vector<std::uint32_t>& rows,
                                                    const std::vector<std::size_t>& first) {
  std::vector<std::uint32_t> order;
  for (std::uint32_t q = 0; q < c.queries; ++q)
    if (first[q + 1] > first[q]) order.push_back(q);
  auto key = [&](std::uint32_t q) { return c.units.key_of(rows[first[q]]); };
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::uint64_t ka = key(a), kb = key(b);
    return ka < kb || (ka == kb && a < b);
  });
  return order;
}

}  // namespace ranking_detail

// `group_of_row`: per grouping, each row's group (constant within a query: checked when
// the table is validated). `skip_empty`: the "skip" rule.
inline RankingPlan plan_ranking(const RankingColumns& c, std::span<const RankingFigure> figures, bool skip_empty,
                                std::span<const std::span<const std::uint32_t>> group_of_row) {
  RankingPlan plan;
  plan.figures = figures.size();
  plan.group.resize(group_of_row.size());
  std::vector<std::size_t> first;
  const std::vector<std::uint32_t> rows = ranking_detail::rows_by_query(c, first);
  std::vector<double> relevance, score;
  RankedQuery ranked;
  for (std::uint32_t q : ranking_detail::canonical_queries(c, rows, first)) {
    const std::span<const std::uint32_t> mine(rows.data() + first[q], first[q + 1] - first[q]);
    ++plan.queries;
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
  const unsigned bits = key_bucket_bits(c.total_rows != 0 ? c.total_rows : c.query.size());
  plan.keys = c.units.key;
  plan.bucket_ends = bucket_ends(plan.row, [&](std::uint32_t r) { return key_bucket(c.units.key_of(r), bits); });
  return plan;
}

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

// One pass over the counted queries of whole key buckets: doubles fold within a bucket, in
// the plan's canonical order, and each bucket's folds of the quantities `parts` names go
// into `out`'s exact sums, overall and per group ([grouping][group], shaped by the caller).
inline constexpr std::size_t kPrefetch = 16;

template <class Weights>
void ranking_exact_pass(const RankingPlan& plan, const Weights& weights, RankingParts parts, RankingPassState& out) {
  constexpr std::size_t L = Weights::lanes;
  RankingSums s(plan.figures);
  GroupFolds<RankingSums> grouped(out.groups, RankingSums(plan.figures));
  LaneWeights w{};
  const std::size_t width = 2 * plan.figures;
  std::size_t start = 0;
  for (std::size_t end : plan.bucket_ends) {
    for (std::size_t i = start; i < end; ++i) {
      // The canonical order visits rows out of file order: fetch a later query's key (the
      // resampling weight's input) ahead, or each fill waits on a cache miss.
      if (i + kPrefetch < plan.row.size() && !plan.keys.empty()) __builtin_prefetch(&plan.keys[plan.row[i + kPrefetch]]);
      weights.fill(plan.row[i], w);
      const double qw = plan.weight[i];
      if (qw != 1.0)
        for (std::size_t l = 0; l < L; ++l) w[l] *= qw;
      const double* values = plan.values.data() + i * width;
      ranking_detail::add_query<L>(s, w, values);
      for (std::size_t g = 0; g < plan.group.size(); ++g)
        ranking_detail::add_query<L>(grouped.at(g, plan.group[g][i]), w, values);
    }
    out.overall.add(s, parts);
    s = RankingSums(plan.figures);
    grouped.flush(out.groups, parts);
    start = end;
  }
  out.queries += plan.queries;
}

// The overall sums of one pass over every counted query, rounded to doubles.
template <class Weights>
RankingSums accumulate_ranking(const RankingPlan& plan, const Weights& weights) {
  RankingPassState state(plan.figures, Weights::lanes, {});
  ranking_exact_pass(plan, weights, RankingParts::all(), state);
  return state.overall.rounded();
}

}  // namespace referee
