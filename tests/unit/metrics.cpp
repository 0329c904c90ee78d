// Metric values against scikit-learn, on the cases tests/fixtures/make_fixtures.py
// computed with sklearn itself (the oracle, never our own output).

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "accumulate/binary_accumulator.hpp"
#include "accumulate/regression_accumulator.hpp"

#include "test_support.hpp"

using namespace referee;

namespace {

std::vector<double> numbers(const nlohmann::json& j) {
  std::vector<double> v;
  for (const auto& x : j) v.push_back(x.get<double>());
  return v;
}

void check_value(const MetricValue& got, const nlohmann::json& expected, std::string_view name) {
  CAPTURE(name);
  if (expected.is_null()) {
    CHECK_MESSAGE(!got.defined, name << " should be undefined, got " << got.value);
    CHECK(!got.reason.empty());
  } else {
    REQUIRE_MESSAGE(got.defined, name << " is undefined: " << got.reason);
    CHECK(got.value == doctest::Approx(expected.get<double>()).epsilon(1e-9).scale(1e-12));
  }
}

}  // namespace

TEST_CASE("binary metrics equal scikit-learn's") {
  const auto fixture = referee_test::load_fixture("binary_cases.json");
  REQUIRE(fixture["cases"].size() >= 12);
  for (const auto& c : fixture["cases"]) {
    CAPTURE(c["name"].get<std::string>());
    const auto y = numbers(c["y"]);
    const auto score = numbers(c["score"]);
    const auto weight = c["weight"].is_null() ? std::vector<double>{} : numbers(c["weight"]);
    const BinaryColumns columns{y, score, weight};
    const RankedModel ranked = rank_model(columns, RowUnits{}, c["threshold"].get<double>());
    const BinarySums sums = accumulate_binary(columns, ranked, UnitWeights{});
    std::array<MetricValue, kBinaryMetricCount> values;
    binary_metrics(sums, 0, values);
    for (const auto& info : task_metrics(Task::binary))
      check_value(values[static_cast<std::size_t>(info.id)], c["expected"][std::string(info.name)], info.name);
  }
}

TEST_CASE("regression metrics equal scikit-learn's") {
  const auto fixture = referee_test::load_fixture("regression_cases.json");
  REQUIRE(fixture["cases"].size() >= 5);
  for (const auto& c : fixture["cases"]) {
    CAPTURE(c["name"].get<std::string>());
    const auto y = numbers(c["y"]);
    const auto prediction = numbers(c["prediction"]);
    const auto weight = c["weight"].is_null() ? std::vector<double>{} : numbers(c["weight"]);
    // The case's prediction plays both models; each must give sklearn's values.
    const RegressionColumns columns{y, prediction, prediction, weight};
    const RegressionPlan plan = plan_regression(columns, RowUnits{});
    const RegressionSums sums = accumulate_regression(columns, plan, UnitWeights{});
    for (std::size_t model = 0; model < 2; ++model) {
      std::array<MetricValue, kRegressionMetricCount> values;
      regression_metrics(sums, model, 0, values);
      const auto infos = task_metrics(Task::regression);
      for (std::size_t k = 0; k < infos.size(); ++k)
        check_value(values[k], c["expected"][std::string(infos[k].name)], infos[k].name);
    }
  }
}

TEST_CASE("permuting the rows does not change the metrics") {
  const std::vector<double> y{1, 0, 1, 0, 0, 1, 1, 0};
  const std::vector<double> s{0.3, 0.3, 0.7, 0.1, 0.7, 0.3, 0.9, 0.5};
  const std::vector<double> y2{0, 1, 1, 0, 0, 1, 1, 0};  // rows permuted
  const std::vector<double> s2{0.5, 0.9, 0.3, 0.7, 0.1, 0.7, 0.3, 0.3};
  auto metrics_of = [](const std::vector<double>& yy, const std::vector<double>& ss) {
    const BinaryColumns c{yy, ss, {}};
    std::array<MetricValue, kBinaryMetricCount> v;
    binary_metrics(accumulate_binary(c, rank_model(c, RowUnits{}, 0.5), UnitWeights{}), 0, v);
    return v;
  };
  const auto a = metrics_of(y, s), b = metrics_of(y2, s2);
  for (std::size_t k = 0; k < kBinaryMetricCount; ++k) CHECK(a[k].value == b[k].value);
}
