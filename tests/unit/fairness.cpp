// Fairness figures against their references: fairlearn's MetricFrame and disparity
// functions (fixtures made by tests/fixtures/make_fairness_fixtures.py), SageMaker
// Clarify's documented formulas on a hand-computed case, and the undefined corners.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <referee/evaluate.hpp>
#include "estimate/fairness.hpp"

#include "test_support.hpp"

using namespace referee;
using referee_test::load_fixture;

namespace {

Table fairness_table(const nlohmann::json& c) {
  const auto y = c["y"].get<std::vector<double>>();
  const auto score = c["score"].get<std::vector<double>>();
  std::vector<double> weight;
  if (!c["weight"].is_null()) weight = c["weight"].get<std::vector<double>>();
  Table t = owned_table(y, score, score, weight, {}, {"y", "a", "b", weight.empty() ? "" : "w", ""});
  const auto groups = c["groups"].get<std::vector<std::string>>();
  std::vector<std::uint32_t> codes;
  for (const auto& g : c["group"].get<std::vector<std::string>>())
    codes.push_back(static_cast<std::uint32_t>(std::find(groups.begin(), groups.end(), g) - groups.begin()));
  add_categorical(t, "g", codes, groups);
  return t;
}

Evaluation evaluate_fairness(const nlohmann::json& c, const std::string& method) {
  Table t = fairness_table(c);
  const bool weighted = !c["weight"].is_null();
  const Policy p = parse_policy_text(std::string(R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b")") +
                                     (weighted ? R"(, "weight": "w")" : "") + R"(, "sensitive": ["g"]},
    "threshold": )" + c["threshold"].dump() + R"(,
    "fairness": {"method": ")" + method + R"("},
    "bootstrap": {"resamples": 100, "interval": "percentile", "seed": 3},
    "rules": [{"id": "dp", "metric": "demographic_parity_ratio", "sensitive": "g", "subject": "challenger", "min": 0}]})");
  return evaluate(t, p, {.threads = 1});
}

}  // namespace

TEST_CASE("group rates and disparities equal fairlearn's, between groups and to overall") {
  const auto fixture = load_fixture("fairness_cases.json");
  REQUIRE(fixture["cases"].size() >= 10);
  for (const auto& c : fixture["cases"]) {
    for (const std::string method : {"between_groups", "to_overall"}) {
      INFO(c["name"].get<std::string>() << " " << method);
      const Evaluation ev = evaluate_fairness(c, method);
      REQUIRE(ev.fairness.size() == 1);
      const FairnessTable& t = ev.fairness[0];
      REQUIRE(t.groups.size() == c["groups"].size());
      for (const FairnessGroup& g : t.groups) {
        const auto& want = c["by_group"][g.value];
        CHECK(g.rows == want["n"].get<std::size_t>());
        for (std::size_t q = 0; q < kGroupRateCount; ++q)
          for (std::size_t model = 0; model < 2; ++model) {
            INFO(g.value << " " << EnumNames<GroupRate>::names[q]);
            REQUIRE(g.rates[model][q].point.defined);
            CHECK(g.rates[model][q].point.value ==
                  doctest::Approx(want[std::string(EnumNames<GroupRate>::names[q])].get<double>()).epsilon(1e-12));
          }
      }
      for (std::size_t d = 0; d < kGroupDisparityCount; ++d) {
        const std::string name(EnumNames<Disparity>::names[d]);
        INFO(name);
        const double want = name == "disparate_impact" ? c["disparate_impact"].get<double>() : c[method][name].get<double>();
        for (std::size_t model = 0; model < 2; ++model) {
          REQUIRE(t.disparities[model][d].point.defined);
          CHECK(t.disparities[model][d].point.value == doctest::Approx(want).epsilon(1e-12).scale(1.0));
        }
        // The two models are the same here, so the paired delta is exactly 0 in every resample.
        CHECK(t.disparities[2][d].point.value == 0.0);
        if (t.disparities[2][d].ci.defined) {
          CHECK(t.disparities[2][d].ci.lo == 0.0);
          CHECK(t.disparities[2][d].ci.hi == 0.0);
        }
      }
    }
  }
}

// Facet a = "M" (the reference), facet d = "F". Counts by hand:
//   M: 10 rows, labels 1 1 1 1 1 1 0 0 0 0, predictions 1 1 1 1 1 0 1 0 0 0
//      P=6 N=4 TP=5 FP=1 FN=1 TN=3, predicted positives 6, predicted negatives 4
//   F: 10 rows, labels 1 1 1 1 0 0 0 0 0 0, predictions 1 1 0 0 1 0 0 0 0 0
//      P=4 N=6 TP=2 FP=1 FN=2 TN=5, predicted positives 3, predicted negatives 7
TEST_CASE("Clarify post-training metrics on a hand-computed case") {
  const ConfusionCells a{6, 4, 5, 1}, d{4, 6, 2, 1};
  auto value = [&](Disparity m) {
    const MetricValue v = clarify_metric(m, a, d);
    REQUIRE(v.defined);
    return v.value;
  };
  CHECK(value(Disparity::DPPL) == doctest::Approx(6.0 / 10 - 3.0 / 10));     // q_a - q_d = 0.3
  CHECK(value(Disparity::DI) == doctest::Approx((3.0 / 10) / (6.0 / 10)));   // q_d / q_a = 0.5
  CHECK(value(Disparity::DCAcc) == doctest::Approx(6.0 / 6 - 4.0 / 3));      // c_a - c_d = 1 - 1.333
  CHECK(value(Disparity::DCR) == doctest::Approx(6.0 / 7 - 4.0 / 4));        // r_d - r_a = 0.857 - 1
  CHECK(value(Disparity::RD) == doctest::Approx(5.0 / 6 - 2.0 / 4));         // recall a - recall d
  CHECK(value(Disparity::DAR) == doctest::Approx(5.0 / 6 - 2.0 / 3));        // precision a - precision d
  CHECK(value(Disparity::DRR) == doctest::Approx(5.0 / 7 - 3.0 / 4));        // TN/(TN+FN): d - a
  CHECK(value(Disparity::AD) == doctest::Approx(8.0 / 10 - 7.0 / 10));       // accuracy a - accuracy d
  CHECK(value(Disparity::TE) == doctest::Approx(2.0 / 1 - 1.0 / 1));         // FN/FP: d - a
}

TEST_CASE("Clarify metrics through the gate: reference group, every other group judged") {
  // The hand-computed case above as a table: scores 0.9 (predicted 1) or 0.1 (predicted 0).
  const std::vector<double> y{1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
  const std::vector<double> s{.9, .9, .9, .9, .9, .1, .9, .1, .1, .1, .9, .9, .1, .1, .9, .1, .1, .1, .1, .1};
  Table t = owned_table(y, s, s, {}, {}, {"y", "a", "b", "", ""});
  std::vector<std::uint32_t> codes(20, 1);  // rows 0-9 "M", rows 10-19 "F"
  for (std::size_t i = 10; i < 20; ++i) codes[i] = 0;
  add_categorical(t, "sex", codes, std::vector<std::string>{"F", "M"});
  const Policy p = parse_policy_text(R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b", "sensitive": ["sex"]},
    "fairness": {"reference": {"sex": "M"}},
    "bootstrap": {"resamples": 100, "seed": 1},
    "rules": [{"id": "di", "metric": "DI", "sensitive": "sex", "subject": "challenger", "min": 0.8, "decide_on": "point"}]})");
  const Evaluation ev = evaluate(t, p, {.threads = 1});
  REQUIRE(ev.fairness[0].clarify.size() == 1);
  CHECK(ev.fairness[0].clarify[0].group == "F");
  CHECK(ev.fairness[0].clarify[0].metrics[1][static_cast<std::size_t>(Disparity::DI) - kGroupDisparityCount]
            .point.value == doctest::Approx(0.5));
  CHECK(ev.rules[0].verdict == Verdict::fail);  // DI 0.5 < 0.8: the four-fifths rule
  CHECK(ev.rules[0].subject.point.value == doctest::Approx(0.5));
}

TEST_CASE("undefined corners: a group without positives, without predicted positives, all rates zero") {
  const ConfusionCells no_pos{0, 5, 0, 2}, normal{4, 6, 3, 1}, no_pred{3, 3, 0, 0};
  const ConfusionCells overall{7, 11, 3, 3};
  const std::vector<ConfusionCells> a{no_pos, normal};
  const MetricValue eo = group_disparity(Disparity::equal_opportunity_difference, a, overall, DisparityMethod::between_groups);
  CHECK_FALSE(eo.defined);
  CHECK(std::string(eo.reason) == "the group has no positive labels");
  const std::vector<ConfusionCells> b{no_pred, normal};
  const MetricValue pp = group_disparity(Disparity::predictive_parity_difference, b, overall, DisparityMethod::between_groups);
  CHECK_FALSE(pp.defined);
  CHECK(std::string(pp.reason) == "the group has no predicted positives");
  const std::vector<ConfusionCells> zero{{3, 3, 0, 0}, {2, 4, 0, 0}};
  const MetricValue ratio = group_disparity(Disparity::demographic_parity_ratio, zero, {5, 7, 0, 0}, DisparityMethod::between_groups);
  CHECK_FALSE(ratio.defined);
  CHECK(group_disparity(Disparity::demographic_parity_difference, zero, {5, 7, 0, 0}, DisparityMethod::between_groups).value == 0.0);
  const MetricValue empty = group_rate(GroupRate::selection_rate, ConfusionCells{});
  CHECK_FALSE(empty.defined);
  CHECK_FALSE(clarify_metric(Disparity::TE, normal, ConfusionCells{2, 2, 1, 0}).defined);  // FP_d = 0
}

// tests/fixtures/clarify_case.json: counts written out by hand from small tables, and each
// metric's value worked from the documented formula (and checked against smclarify 0.5);
// null where a denominator is zero, which referee reports as undefined.
TEST_CASE("Clarify metrics on the hand-computed fixture, both facet conventions, zero denominators") {
  const auto fixture = load_fixture("clarify_case.json");
  std::size_t compared = 0;
  for (const auto& c : fixture["cases"]) {
    for (const auto& comparison : c["comparisons"]) {
      const auto cells = [&](const char* facet) {
        const auto& k = comparison["counts"][facet];
        return ConfusionCells{k["P"].get<double>(), k["N"].get<double>(), k["TP"].get<double>(), k["FP"].get<double>()};
      };
      const ConfusionCells a = cells("a"), d = cells("d");
      for (const auto& [name, want] : comparison["expected"].items()) {
        INFO(c["name"].get<std::string>() << " d=" << comparison["facet_d"].get<std::string>() << " " << name);
        const auto metric = enum_from_name<Disparity>(name == "DCA" ? "DCAcc" : name);
        REQUIRE(metric);
        const MetricValue got = clarify_metric(*metric, a, d);
        if (want.is_null()) {
          CHECK_FALSE(got.defined);
        } else {
          REQUIRE(got.defined);
          CHECK(got.value == doctest::Approx(want.get<double>()).epsilon(1e-12));
        }
        ++compared;
      }
    }
  }
  CHECK(compared >= 9 * 6);
}

namespace {

// 300 rows, `groups` groups, scores that differ by group so the disparities are not zero.
Evaluation evaluate_groups(std::size_t groups, const std::string& interval) {
  std::vector<double> y, a, b;
  std::vector<std::uint32_t> codes;
  std::uint32_t state = 12345;
  const auto next = [&] { return (state = state * 1664525u + 1013904223u) / 4294967296.0; };
  for (std::size_t i = 0; i < 300; ++i) {
    const auto g = static_cast<std::uint32_t>(i % groups);
    y.push_back(next() < 0.4 ? 1.0 : 0.0);
    a.push_back(std::min(1.0, 0.5 * next() + 0.3 * y.back() + 0.05 * g));
    b.push_back(std::min(1.0, 0.5 * next() + 0.35 * y.back() + 0.02 * g));
    codes.push_back(g);
  }
  Table t = owned_table(y, a, b, {}, {}, {"y", "a", "b", "", ""});
  std::vector<std::string> names;
  for (std::size_t g = 0; g < groups; ++g) names.push_back("g" + std::to_string(g));
  add_categorical(t, "grp", codes, names);
  const Policy p = parse_policy_text(R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b", "sensitive": ["grp"]},
    "bootstrap": {"resamples": 400, "interval": ")" + interval + R"(", "seed": 5},
    "rules": [{"id": "eo", "metric": "equalized_odds_difference", "sensitive": "grp", "subject": "challenger", "max": 0.5}]})");
  return evaluate(t, p, {.threads = 1});
}

}  // namespace

TEST_CASE("disparities over more than two groups take percentile intervals when BCa is asked for") {
  // Issue 18: a max minus a min over groups is not smooth; BCa under-covered (90.8%) where
  // percentile held (96.7%). Over three groups the BCa run's disparity intervals are the
  // percentile run's, and the table says why; the group rates keep BCa.
  const Evaluation bca = evaluate_groups(3, "bca"), percentile = evaluate_groups(3, "percentile");
  const FairnessTable& t = bca.fairness[0];
  REQUIRE(t.disparity_interval);
  CHECK(*t.disparity_interval == IntervalMethod::percentile);
  CHECK(t.disparity_interval_reason.find("over 3 groups") != std::string::npos);
  for (std::size_t s = 0; s < 4; ++s)
    for (std::size_t d = 0; d < kGroupDisparityCount; ++d) {
      CHECK(t.disparities[s][d].ci.lo == percentile.fairness[0].disparities[s][d].ci.lo);
      CHECK(t.disparities[s][d].ci.hi == percentile.fairness[0].disparities[s][d].ci.hi);
    }
  CHECK(bca.rules[0].subject.ci.lo == percentile.rules[0].subject.ci.lo);  // the rule judges the same figure
  CHECK(bca.fairness[0].groups[0].rates[1][0].ci.lo != percentile.fairness[0].groups[0].rates[1][0].ci.lo);
  CHECK_FALSE(percentile.fairness[0].disparity_interval);  // nothing replaced when percentile is asked for

  // Two groups: BCa as asked.
  const Evaluation two = evaluate_groups(2, "bca"), two_percentile = evaluate_groups(2, "percentile");
  CHECK_FALSE(two.fairness[0].disparity_interval);
  bool differs = false;
  for (std::size_t d = 0; d < kGroupDisparityCount; ++d)
    differs |= two.fairness[0].disparities[1][d].ci.lo != two_percentile.fairness[0].disparities[1][d].ci.lo;
  CHECK(differs);
}
