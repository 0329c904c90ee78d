// The ranking task's queries (src/data/ranking_queries.cpp) and its per-query pass
// (src/accumulate/ranking_accumulator.hpp): queries as resampling units, nested in
// clusters, one weight and one segment per query, and the weighted mean over queries with
// either rule for queries with no relevant document.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <referee/error.hpp>
#include <referee/evaluate.hpp>
#include <referee/policy.hpp>
#include <referee/table.hpp>

#include "accumulate/ranking_accumulator.hpp"
#include "data/ranking_queries.hpp"
#include "test_support.hpp"

using namespace referee;
using referee_test::check_error;

namespace {

// Three queries: "b" (2 documents), "a" (3), "c" (2, no relevant document).
const std::vector<std::string> kQueries{"b", "b", "a", "a", "a", "c", "c"};
const std::vector<double> kRelevance{1, 0, 0, 2, 1, 0, 0};
const std::vector<double> kChampion{0.9, 0.1, 0.8, 0.3, 0.3, 0.5, 0.4};
const std::vector<double> kChallenger{0.1, 0.9, 0.1, 0.9, 0.5, 0.5, 0.4};

Table query_table(const std::vector<std::string>& clusters = {}, const std::vector<double>& weight = {}) {
  Table t = owned_table(kRelevance, kChampion, kChallenger, weight, clusters);
  const EncodedText q = encode_text(kQueries);
  set_queries(t, "q", q.codes, q.dictionary);
  return t;
}

RankingPlan plan_of(const Table& t, std::span<const RankingFigure> figures, bool skip_empty) {
  const RankingColumns c{t.label, {t.champion, t.challenger}, t.weight, t.query_index, t.query_text.size()};
  return plan_ranking(c, figures, skip_empty, {});
}

}  // namespace

TEST_CASE("a query column makes the queries the resampling units") {
  const Table t = query_table();
  CHECK(t.query_text == std::vector<std::string>{"a", "b", "c"});
  CHECK(t.query_index == std::vector<std::uint32_t>{1, 1, 0, 0, 0, 2, 2});
  REQUIRE(t.clustered());
  CHECK(t.unit_count == 3);
  CHECK(t.unit_key[0] == hash_key("b"));
  CHECK(t.unit_index[2] == t.unit_index[4]);
  CHECK(t.unit_index[0] != t.unit_index[2]);
}

TEST_CASE("queries nest in clusters, and a query split across clusters names its row") {
  const Table nested = query_table({"u1", "u1", "u2", "u2", "u2", "u1", "u1"});
  CHECK(nested.unit_count == 2);  // the clusters stay the units
  CHECK(nested.unit_key[0] == hash_key("u1"));
  check_error<DataError>([] { (void)query_table({"u1", "u1", "u2", "u3", "u2", "u1", "u1"}); },
                         {"row 4", "column \"q\"", "two clusters", "\"cluster\""});
}

TEST_CASE("a missing query id names its row") {
  Table t = owned_table(kRelevance, kChampion, kChallenger);
  const EncodedText q = encode_text(std::vector<std::string>{"b", "b", "a", "", "a", "c", "c"});
  check_error<DataError>([&] { set_queries(t, "q", q.codes, q.dictionary); }, {"row 4", "query id is missing"});
}

TEST_CASE("a query has one weight and lies in one segment") {
  check_constant_within_queries(query_table({}, {2, 2, 1, 1, 1, 3, 3}));
  check_error<DataError>([] { check_constant_within_queries(query_table({}, {2, 2, 1, 1, 5, 3, 3})); },
                         {"row 5", "column \"weight\"", "a query has one weight"});
  Table t = query_table();
  const std::vector<std::string> market{"web", "web", "app", "app", "web", "app", "app"};
  const EncodedText m = encode_text(market);
  add_categorical(t, "market", m.codes, m.dictionary);
  check_error<DataError>([&] { check_constant_within_queries(t); }, {"row 5", "column \"market\"", "one segment"});
}

TEST_CASE("a resample's figure is the weighted mean over its queries") {
  const std::vector<RankingFigure> figures{{RankingMeasure::mrr, {}}, {RankingMeasure::precision, 1}};
  const Table t = query_table({}, {2, 2, 1, 1, 1, 3, 3});
  // Champion: "a" ranks 0.8 (irrelevant) above a tie at 0.3 (both relevant): RR 1/2,
  // P@1 0; "b" ranks the relevant document first: RR 1, P@1 1. Challenger: "a" ranks the
  // relevance-2 document first (RR 1, P@1 1); "b" ranks it second (RR 1/2, P@1 0).
  const RankingPlan skip = plan_of(t, figures, true);
  CHECK(skip.queries == 3);
  CHECK(skip.empty == 1);
  REQUIRE(skip.row.size() == 2);  // "c" is skipped
  const RankingSums s = accumulate_ranking(skip, UnitWeights{});
  CHECK(s.weight[0] == 3.0);  // "a" weighs 1, "b" 2
  CHECK(s.value[0][0] / s.weight[0] == doctest::Approx((0.5 * 1 + 1.0 * 2) / 3));
  CHECK(s.value[1][0] / s.weight[0] == doctest::Approx((0.0 * 1 + 1.0 * 2) / 3));
  CHECK(s.value[2][0] / s.weight[0] == doctest::Approx((1.0 * 1 + 0.5 * 2) / 3));
  CHECK(s.value[3][0] / s.weight[0] == doctest::Approx((1.0 * 1 + 0.0 * 2) / 3));
  // "zero": query "c" counts, with weight 3 and every value 0.
  const RankingSums z = accumulate_ranking(plan_of(t, figures, false), UnitWeights{});
  CHECK(z.weight[0] == 6.0);
  CHECK(z.value[0][0] / z.weight[0] == doctest::Approx((0.5 * 1 + 1.0 * 2) / 6));
}

namespace {

// 60 queries of 2 to 6 documents; scores rounded so that ties occur; every 7th query has
// no relevant document. `order` permutes the rows.
Table ranking_table(const std::vector<std::size_t>& order) {
  std::vector<std::string> query;
  std::vector<double> relevance, a, b;
  for (std::size_t q = 0; q < 60; ++q)
    for (std::size_t d = 0; d < 2 + q % 5; ++d) {
      query.push_back("q" + std::to_string(q));
      relevance.push_back(q % 7 == 0 ? 0.0 : static_cast<double>((q * 3 + d * 5) % 4));
      a.push_back(static_cast<double>((q + 2 * d) % 5) / 4.0);
      b.push_back(static_cast<double>((q * d + 1) % 3) / 2.0);
    }
  TableBuilder builder(order.size());
  std::vector<std::string> qs;
  std::vector<double> rs, as, bs;
  for (std::size_t r : order) qs.push_back(query[r]), rs.push_back(relevance[r]), as.push_back(a[r]), bs.push_back(b[r]);
  const EncodedText q = encode_text(qs);
  builder.add_text("q", q.codes, q.dictionary);
  builder.add_numeric("y", rs);
  builder.add_numeric("a", as);
  builder.add_numeric("b", bs);
  ColumnNames names;
  names.label = "y", names.champion = "a", names.challenger = "b", names.query = "q";
  return std::move(builder).build(names, Task::ranking);
}

}  // namespace

TEST_CASE("a ranking evaluation does not depend on row order or threads") {
  const Policy p = parse_policy_text(R"({"version": 1, "task": "ranking",
      "columns": {"query": "q", "label": "y", "champion": "a", "challenger": "b"},
      "bootstrap": {"resamples": 300, "seed": 5},
      "rules": [{"id": "n", "metric": "ndcg@3", "subject": "delta", "min": -1},
                {"id": "m", "metric": "mrr", "subject": "delta", "min": -1}]})");
  std::vector<std::size_t> order(240);
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const Table sorted = ranking_table(order);
  REQUIRE(sorted.rows == 240);
  std::vector<std::size_t> shuffled = order;
  for (std::size_t i = 0; i < shuffled.size(); ++i) std::swap(shuffled[i], shuffled[(i * 7919 + 13) % shuffled.size()]);
  EvaluateOptions two;
  two.threads = 2;
  const Evaluation x = evaluate(sorted, p), y = evaluate(ranking_table(shuffled), p, two);
  CHECK(x.queries == 60);
  CHECK(x.empty_queries == 9);
  CHECK(x.units == 60);
  REQUIRE(x.metrics[2].size() == p.metrics.size());
  for (std::size_t s = 0; s < 4; ++s)
    for (std::size_t k = 0; k < p.metrics.size(); ++k) {
      CHECK(x.metrics[s][k].point.value == y.metrics[s][k].point.value);
      CHECK(x.metrics[s][k].ci.lo == y.metrics[s][k].ci.lo);
      CHECK(x.metrics[s][k].ci.hi == y.metrics[s][k].ci.hi);
    }
}
