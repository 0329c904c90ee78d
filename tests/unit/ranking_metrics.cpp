// One query's ranking metrics (src/accumulate/ranking_metrics.hpp), against values worked
// by hand: DCG as scikit-learn's dcg_score (tied scores share their positions' discounts),
// the binary metrics as ranx defines them, averaged over the orders of tied documents.
// tests/python/test_ranking.py checks whole tables against scikit-learn and ranx.

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "accumulate/ranking_metrics.hpp"

using namespace referee;

namespace {

// 1 / log2(i + 2) for positions 0..3.
const double d0 = 1.0, d1 = 1.0 / std::log2(3.0), d2 = 0.5, d3 = 1.0 / std::log2(5.0);

RankedQuery ranked(const std::vector<double>& relevance, const std::vector<double>& score) {
  RankedQuery q;
  q.rank(relevance, score);
  return q;
}

}  // namespace

TEST_CASE("ranking metrics of a query with no ties") {
  // Relevance 3, 2, 0, 1 in score order: relevant documents at ranks 1, 2 and 4.
  const RankedQuery q = ranked({0.0, 1.0, 3.0, 2.0}, {0.7, 0.6, 0.9, 0.8});
  CHECK(q.documents() == 4);
  CHECK(q.relevant() == 3);
  CHECK(q.dcg({}) == doctest::Approx(3 * d0 + 2 * d1 + 1 * d3).epsilon(1e-15));
  CHECK(q.ideal_dcg({}) == doctest::Approx(3 * d0 + 2 * d1 + 1 * d2).epsilon(1e-15));
  CHECK(q.ndcg({}) == doctest::Approx((3 + 2 * d1 + d3) / (3 + 2 * d1 + d2)).epsilon(1e-15));
  CHECK(q.dcg(2) == doctest::Approx(3 + 2 * d1).epsilon(1e-15));
  CHECK(q.ndcg(2) == doctest::Approx(1.0).epsilon(1e-15));
  // AP: (1/1 + 2/2 + 3/4) / 3; at k = 2 the third relevant document counts 0.
  CHECK(q.average_precision({}) == doctest::Approx(2.75 / 3).epsilon(1e-15));
  CHECK(q.average_precision(2) == doctest::Approx(2.0 / 3).epsilon(1e-15));
  CHECK(q.reciprocal_rank({}) == 1.0);
  CHECK(q.precision(3) == doctest::Approx(2.0 / 3).epsilon(1e-15));
  // k beyond the query: ranx divides by k, so 3 relevant of 4 documents give 3 / 10.
  CHECK(q.precision(10) == doctest::Approx(0.3).epsilon(1e-15));
  CHECK(q.precision({}) == doctest::Approx(0.75).epsilon(1e-15));
  CHECK(q.recall(2) == doctest::Approx(2.0 / 3).epsilon(1e-15));
  CHECK(q.recall({}) == 1.0);
}

TEST_CASE("ranking metrics average over the orders of tied documents") {
  // Three documents tied at the top (relevance 0, 1, 2), then one of relevance 0.
  const RankedQuery q = ranked({0.0, 1.0, 2.0, 0.0}, {0.5, 0.5, 0.5, 0.1});
  // scikit-learn: the block's mean gain (3 / 3) times the sum of its three discounts.
  CHECK(q.dcg({}) == doctest::Approx(d0 + d1 + d2).epsilon(1e-15));
  CHECK(q.ndcg({}) == doctest::Approx((d0 + d1 + d2) / (2 * d0 + d1)).epsilon(1e-15));
  // k = 2 cuts the block: two of its three discounts.
  CHECK(q.dcg(2) == doctest::Approx(d0 + d1).epsilon(1e-15));
  CHECK(q.ndcg(2) == doctest::Approx((d0 + d1) / (2 * d0 + d1)).epsilon(1e-15));
  // Of the six orders of the block (the irrelevant document first, second or third, each
  // with probability 1/3), AP is 7/12, 5/6 and 1: mean 29/36.
  CHECK(q.average_precision({}) == doctest::Approx(29.0 / 36).epsilon(1e-15));
  // At k = 1: a relevant document first (2/3), at precision 1, over 2 relevant.
  CHECK(q.average_precision(1) == doctest::Approx(1.0 / 3).epsilon(1e-15));
  // The first relevant document is first with probability 2/3, else second: 2/3 + 1/6.
  CHECK(q.reciprocal_rank({}) == doctest::Approx(5.0 / 6).epsilon(1e-15));
  CHECK(q.reciprocal_rank(1) == doctest::Approx(2.0 / 3).epsilon(1e-15));
  // Expected hits in the top 2: 2 relevant x 2 of 3 places = 4/3.
  CHECK(q.precision(2) == doctest::Approx(2.0 / 3).epsilon(1e-15));
  CHECK(q.recall(2) == doctest::Approx(2.0 / 3).epsilon(1e-15));
  CHECK(q.recall(1) == doctest::Approx(1.0 / 3).epsilon(1e-15));
}

TEST_CASE("ranking metrics do not depend on the documents' order") {
  const RankedQuery a = ranked({0.0, 1.0, 2.0, 0.0, 3.0}, {0.5, 0.5, 0.5, 0.1, 0.2});
  const RankedQuery b = ranked({3.0, 0.0, 2.0, 1.0, 0.0}, {0.2, 0.1, 0.5, 0.5, 0.5});
  for (RankCutoff k : {RankCutoff{}, RankCutoff{1}, RankCutoff{2}, RankCutoff{4}}) {
    CHECK(a.dcg(k) == b.dcg(k));
    CHECK(a.average_precision(k) == b.average_precision(k));
    CHECK(a.reciprocal_rank(k) == b.reciprocal_rank(k));
    CHECK(a.precision(k) == b.precision(k));
  }
}

TEST_CASE("a query with no relevant document") {
  const RankedQuery q = ranked({0.0, 0.0, 0.0}, {0.3, 0.2, 0.2});
  CHECK(q.relevant() == 0);
  // scikit-learn's ndcg_score counts such a query as 0; ranx's metrics are all 0.
  CHECK(q.dcg({}) == 0.0);
  CHECK(q.ndcg({}) == 0.0);
  CHECK(q.average_precision({}) == 0.0);
  CHECK(q.reciprocal_rank({}) == 0.0);
  CHECK(q.precision({}) == 0.0);
  CHECK(q.recall({}) == 0.0);
}

TEST_CASE("a graded relevance that is not a whole number, and a single document") {
  const RankedQuery q = ranked({0.5, 1.5}, {0.1, 0.9});
  CHECK(q.dcg({}) == doctest::Approx(1.5 + 0.5 * d1).epsilon(1e-15));
  CHECK(q.ndcg({}) == 1.0);
  const RankedQuery one = ranked({2.0}, {0.4});
  CHECK(one.ndcg({}) == 1.0);
  CHECK(one.dcg(5) == 2.0);
  CHECK(one.precision(5) == doctest::Approx(0.2).epsilon(1e-15));
}
