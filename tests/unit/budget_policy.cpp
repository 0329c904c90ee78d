// The policy's budget and drift parts: latency, cost and error columns, pricing, the
// drift block, and the rules on them; every mistake names its JSON path.

#include <doctest/doctest.h>

#include <string>

#include <referee/error.hpp>
#include <referee/policy.hpp>

#include "test_support.hpp"

using namespace referee;
using referee_test::check_error;

namespace {

const std::string kBudgets = R"({
  "version": 1,
  "task": "binary",
  "columns": {
    "label": "y", "champion": "score_prod", "challenger": "score_new",
    "latency": {"champion": "lat_prod_ms", "challenger": "lat_new_ms"},
    "cost": {"champion": "cost_prod", "challenger": "cost_new"},
    "error": {"challenger": "err_new"}
  },
  "drift": {"reference": "reference_sample.csv", "features": ["income", {"name": "region", "type": "categorical"}],
            "predictions": true, "bins": 8},
  "rules": [
    {"id": "p99", "metric": "latency_p99", "subject": "challenger", "max": 45},
    {"id": "cost", "metric": "cost_per_1k", "subject": "relative_delta", "max": 0.4},
    {"id": "errors", "metric": "error_rate", "subject": "challenger", "max": 0.01},
    {"id": "income", "metric": "psi", "feature": "income", "max": 0.25},
    {"id": "region", "metric": "chi2_pvalue", "feature": "region", "min": 0.001}
  ]
})";

std::string with(const std::string& from, const std::string& to) {
  std::string text = kBudgets;
  const auto at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  text.replace(at, from.size(), to);
  return text;
}

void policy_error(const std::string& text, std::initializer_list<std::string> fragments) {
  check_error<PolicyError>([&] { parse_policy_text(text, "gate.json"); }, fragments);
}

}  // namespace

TEST_CASE("a budget and drift policy parses with every field") {
  const Policy p = parse_policy_text(kBudgets, "gate.json");
  CHECK(p.columns.latency.champion == "lat_prod_ms");
  CHECK(p.columns.cost.challenger == "cost_new");
  CHECK(p.columns.error.champion.empty());
  CHECK(p.columns.error.challenger == "err_new");
  REQUIRE(p.drift.enabled);
  CHECK(p.drift.bins == 8);
  REQUIRE(p.drift.features.size() == 4);  // the two features, then both score columns
  CHECK(p.drift.features[1].type == FeatureType::categorical);
  CHECK(p.drift.features[2].name == "score_prod");
  CHECK(p.drift.features[2].prediction);
  CHECK(p.columns.drift == std::vector<std::string>{"income", "region"});
  CHECK(p.rules[0].budget == BudgetMetric::latency_p99);
  CHECK(p.rules[0].metric_name() == "latency_p99");
  CHECK(p.rules[3].drift == DriftStatistic::psi);
  CHECK(p.rules[3].feature == "income");
  CHECK(p.rules[3].decide_on == DecideOn::point);
}

TEST_CASE("pricing: per 1000 predictions, or per hour at a throughput") {
  const std::string priced = with(R"("cost": {"champion": "cost_prod", "challenger": "cost_new"},)", "");
  const std::string text = priced.substr(0, priced.rfind('}')) +
                           R"(, "pricing": {"champion": {"per_1k": 0.12}, "challenger": {"per_hour": 1.21, "throughput_per_s": 350}}})";
  const Policy p = parse_policy_text(text, "gate.json");
  REQUIRE(p.pricing[0]);
  CHECK(p.pricing[0]->cost_per_1k() == 0.12);
  CHECK(p.pricing[1]->cost_per_1k() == doctest::Approx(1.21 / (350.0 * 3600.0) * 1000.0));

  const auto priced_with = [&](const std::string& pricing) {
    return priced.substr(0, priced.rfind('}')) + R"(, "pricing": )" + pricing + "}";
  };
  policy_error(priced_with(R"({"challenger": {"per_hour": 1.21}})"), {"$.pricing.challenger", "throughput_per_s"});
  policy_error(priced_with(R"({"challenger": {"per_1k": 1, "per_hour": 2, "throughput_per_s": 3}})"),
               {"$.pricing.challenger", "give one"});
  policy_error(priced_with(R"({"challenger": {"per_1k": -1}})"), {"$.pricing.challenger.per_1k", ">= 0"});
  policy_error(priced_with(R"({"challenger": {"per_hour": 1, "throughput_per_s": 0}})"),
               {"$.pricing.challenger.throughput_per_s", "positive"});
  policy_error(priced_with(R"({"challenger": {"per_1k": 1, "per_k": 2}})"), {"$.pricing.challenger.per_k", "per_1k"});
  policy_error(priced_with(R"({})"), {"$.pricing", "must price"});
  // A model's cost comes from one source.
  policy_error(kBudgets.substr(0, kBudgets.rfind('}')) + R"(, "pricing": {"champion": {"per_1k": 0.1}}})",
               {"$.pricing.champion", "already measures"});
}

TEST_CASE("budget rules need their figure; drift rules need their feature") {
  policy_error(with(R"("error": {"challenger": "err_new"})", R"("error": {"challenger": "err_new"}, "unused": 1)"),
               {"$.columns.unused", "not a known key"});
  policy_error(with(R"("subject": "challenger", "max": 0.01)", R"("subject": "delta", "max": 0.01)"),
               {"$.rules[2].metric", "error_rate", "champion", "$.columns.error.champion"});
  policy_error(with(R"("cost": {"champion": "cost_prod", "challenger": "cost_new"},)", ""),
               {"$.rules[1].metric", "cost_per_1k", "$.pricing.champion"});
  policy_error(with(R"("latency_p99")", R"("latency_p98")"), {"\"latency_p98\" is not a known metric", "did you mean \"latency_p90\""});
  policy_error(with(R"("feature": "income")", R"("feature": "incme")"),
               {"$.rules[3].feature", "not a drift feature", "did you mean \"income\""});
  policy_error(with(R"({"id": "income", "metric": "psi", "feature": "income", "max": 0.25})",
                    R"({"id": "income", "metric": "psi", "max": 0.25})"),
               {"$.rules[3]", "add \"feature\""});
  policy_error(with(R"("metric": "psi", "feature": "income")", R"("metric": "psi", "feature": "income", "subject": "delta")"),
               {"$.rules[3].subject", "drift rule"});
  policy_error(with(R"("metric": "chi2_pvalue", "feature": "region")", R"("metric": "ks_pvalue", "feature": "region")"),
               {"$.rules[4].metric", "numeric feature", "declared categorical"});
  policy_error(with(R"("id": "p99", "metric": "latency_p99")", R"("id": "p99", "metric": "latency_p99", "feature": "x")"),
               {"$.rules[0].feature", "drift statistics"});
  policy_error(with(R"("subject": "challenger", "max": 45})", R"("subject": "challenger", "max": 45, "scope": {"each_segment": "region"}})"),
               {"$.rules[0].scope", "budget rule"});
  policy_error(with(R"("latency": {"champion": "lat_prod_ms", "challenger": "lat_new_ms"})",
                    R"("latency": {"champion": "lat_prod_ms", "challenger": "score_new"})"),
               {"$.columns.latency.challenger", "score_new", "$.columns.challenger"});
  policy_error(with(R"("latency": {"champion": "lat_prod_ms", "challenger": "lat_new_ms"})", R"("latency": {})"),
               {"$.columns.latency", "\"champion\", \"challenger\" or both"});
}

TEST_CASE("the drift block is checked") {
  policy_error(with(R"("reference": "reference_sample.csv", )", ""), {"$.drift.reference", "required"});
  policy_error(with(R"("bins": 8)", R"("bins": 1)"), {"$.drift.bins", "2 to 100"});
  policy_error(with(R"("features": ["income", )", R"("features": ["income", "income", )"), {"$.drift.features[1]", "repeats"});
  policy_error(with(R"({"name": "region", "type": "categorical"})", R"({"name": "region", "type": "categorial"})"),
               {"$.drift.features[1].type", "did you mean \"categorical\""});
  policy_error(with(R"("features": ["income", )", R"("features": ["score_prod", "income", )"),
               {"$.drift.features", "score column"});
  // Without the drift block, a drift rule says what is missing.
  const std::string no_drift = with(R"("drift": {"reference": "reference_sample.csv", "features": ["income", {"name": "region", "type": "categorical"}],
            "predictions": true, "bins": 8},)", "");
  policy_error(no_drift, {"$.rules[3].metric", "add a \"drift\" block"});
}
