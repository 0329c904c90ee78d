// The ranking task's queries (src/data/ranking_queries.cpp) and its per-query pass
// (src/accumulate/ranking_accumulator.hpp): queries as resampling units, nested in
// clusters, one weight and one segment per query, and the weighted mean over queries with
// either rule for queries with no relevant document.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <referee/error.hpp>
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
  std::vector<std::vector<RankingSums>> none;
  const RankingSums s = accumulate_ranking(skip, UnitWeights{}, none);
  CHECK(s.weight[0] == 3.0);  // "a" weighs 1, "b" 2
  CHECK(s.value[0][0] / s.weight[0] == doctest::Approx((0.5 * 1 + 1.0 * 2) / 3));
  CHECK(s.value[1][0] / s.weight[0] == doctest::Approx((0.0 * 1 + 1.0 * 2) / 3));
  CHECK(s.value[2][0] / s.weight[0] == doctest::Approx((1.0 * 1 + 0.5 * 2) / 3));
  CHECK(s.value[3][0] / s.weight[0] == doctest::Approx((1.0 * 1 + 0.0 * 2) / 3));
  // "zero": query "c" counts, with weight 3 and every value 0.
  const RankingSums z = accumulate_ranking(plan_of(t, figures, false), UnitWeights{}, none);
  CHECK(z.weight[0] == 6.0);
  CHECK(z.value[0][0] / z.weight[0] == doctest::Approx((0.5 * 1 + 1.0 * 2) / 6));
}
