// The outcome task (issue 15, item 5): no label, each model's own result per example.
// Figures are checked here against values worked by hand; tests/python/test_outcome.py
// checks them against numpy (weighted "inverted_cdf" quantiles) and scipy's bootstrap.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <referee/error.hpp>
#include <referee/evaluate.hpp>
#include <referee/policy.hpp>
#include <referee/table.hpp>

#include "test_support.hpp"

using namespace referee;
using referee_test::check_error;

namespace {

std::string outcome_policy(const std::string& extra = "", const std::string& columns_extra = "") {
  return R"({"version": 1, "task": "outcome", )" + extra +
         R"("columns": {"champion": "v1", "challenger": "v2")" + columns_extra + R"(},
             "bootstrap": {"resamples": 400, "seed": 9},
             "rules": [{"id": "success", "metric": "pass_rate", "subject": "delta", "min": -0.05}]})";
}

Table outcome_table(const std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& w = {}) {
  TableBuilder builder(a.size());
  builder.add_numeric("v1", a);
  builder.add_numeric("v2", b);
  if (!w.empty()) builder.add_numeric("w", w);
  ColumnNames names = role_columns("", "v1", "v2", w.empty() ? "" : "w");
  return std::move(builder).build(names, Task::outcome);
}

std::size_t k(Metric m) { return static_cast<std::size_t>(m) - static_cast<std::size_t>(Metric::mean); }

}  // namespace

TEST_CASE("outcome: the policy has no label, and $.threshold is the pass mark on any finite number") {
  const Policy p = parse_policy_text(outcome_policy(R"("threshold": 7, )"));
  CHECK(p.task == Task::outcome);
  CHECK(p.columns.label.empty());
  CHECK(p.threshold == 7.0);
  CHECK(parse_policy_text(outcome_policy(R"("threshold": -3.5, )")).threshold == -3.5);
  check_error<PolicyError>([] { parse_policy_text(outcome_policy("", R"(, "label": "y")")); },
                           {"$.columns.label", "\"outcome\" task", "no label"});
  check_error<PolicyError>([] { parse_policy_text(outcome_policy(R"("sensitive": [], )")); }, {"$.sensitive"});
  const std::string bad_metric = R"({"version": 1, "task": "outcome", "columns": {"champion": "a", "challenger": "b"},
      "rules": [{"id": "x", "metric": "roc_auc", "subject": "delta", "min": 0}]})";
  check_error<PolicyError>([&] { parse_policy_text(bad_metric); }, {"roc_auc", "binary metric", "mean, pass_rate"});
}

TEST_CASE("outcome: mean, pass rate and inverted-cdf quantiles of a worked example") {
  // Ten results 1..10 and the challenger's 2..11: the mean is 5.5; at the pass mark 0.5
  // every result passes; the q-quantile is the smallest value whose share of the sorted
  // weight reaches q: the 5th value for 0.5, the 9th for 0.9, the 10th for 0.95 and 0.99.
  const std::vector<double> a{3, 1, 2, 10, 9, 4, 8, 5, 7, 6}, b{4, 2, 3, 11, 10, 5, 9, 6, 8, 7};
  Policy p = parse_policy_text(outcome_policy());
  const Evaluation ev = evaluate(outcome_table(a, b), p);
  CHECK(ev.metrics[0][k(Metric::mean)].point.value == 5.5);
  CHECK(ev.metrics[1][k(Metric::mean)].point.value == 6.5);
  CHECK(ev.metrics[2][k(Metric::mean)].point.value == 1.0);  // the delta
  CHECK(ev.metrics[0][k(Metric::pass_rate)].point.value == 1.0);
  CHECK(ev.metrics[0][k(Metric::quantile_50)].point.value == 5.0);
  CHECK(ev.metrics[0][k(Metric::quantile_90)].point.value == 9.0);
  CHECK(ev.metrics[0][k(Metric::quantile_95)].point.value == 10.0);
  CHECK(ev.metrics[1][k(Metric::quantile_99)].point.value == 11.0);

  // A pass mark of 6: results 6..10 pass for the champion (half), 6..11 for the challenger.
  p.threshold = 6.0;
  const Evaluation marked = evaluate(outcome_table(a, b), p);
  CHECK(marked.metrics[0][k(Metric::pass_rate)].point.value == 0.5);
  CHECK(marked.metrics[1][k(Metric::pass_rate)].point.value == 0.6);

  // Weights: value 1 weighs 8 of 10, so every quantile up to 0.8 is 1; 0.9 needs value 2.
  const std::vector<double> c{1, 2, 3}, w{8, 1, 1};
  const Evaluation weighted = evaluate(outcome_table(c, c, w), parse_policy_text(outcome_policy(
      "", R"(, "weight": "w")")));
  CHECK(weighted.metrics[0][k(Metric::quantile_50)].point.value == 1.0);
  CHECK(weighted.metrics[0][k(Metric::quantile_90)].point.value == 2.0);
  CHECK(weighted.metrics[0][k(Metric::quantile_95)].point.value == 3.0);
  CHECK(weighted.metrics[0][k(Metric::mean)].point.value == doctest::Approx(1.3).epsilon(1e-15));
}

TEST_CASE("outcome: paired by example, so equal results give a zero-width delta") {
  std::vector<double> a;
  for (int i = 0; i < 300; ++i) a.push_back((i * 37) % 11);
  const Evaluation ev = evaluate(outcome_table(a, a), parse_policy_text(outcome_policy()));
  for (Metric m : {Metric::mean, Metric::pass_rate, Metric::quantile_90}) {
    const Estimate& delta = ev.metrics[2][k(m)];
    REQUIRE(delta.ci.defined);
    CHECK(ev.metrics[0][k(m)].ci.hi > ev.metrics[0][k(m)].ci.lo);  // each model's own interval is not
    if (m == Metric::pass_rate) {
      // A pass rate's delta with no discordant examples gets Tango's score interval (issue 18,
      // docs/intervals.md): +-z^2 / (n + z^2), not the bootstrap's single point.
      const double z = 1.959963984540054, half = z * z / (300.0 + z * z);
      CHECK(delta.interval_reason == "0 discordant rows");
      CHECK(delta.ci.lo == doctest::Approx(-half).epsilon(1e-9));
      CHECK(delta.ci.hi == doctest::Approx(half).epsilon(1e-9));
      continue;
    }
    CHECK(delta.ci.lo == 0.0);
    CHECK(delta.ci.hi == 0.0);
  }
}
