// Extreme but finite numbers (issue 14, class 4): a finite input never yields NaN, an
// infinity or an internal error. The oracles are facts outside referee: mae and rmse are
// homogeneous of degree 1 in the data (so data times 2^k gives figures times 2^k, exactly,
// in binary floating point), r2, mape and every binary metric are unchanged by it, and
// every weighted metric is unchanged by scaling the weights.

#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <referee/error.hpp>
#include <referee/evaluate.hpp>
#include <referee/render.hpp>

#include "budget/budget.hpp"
#include "estimate/estimate.hpp"
#include "estimate/finite.hpp"
#include "estimate/interval.hpp"
#include "test_support.hpp"

using namespace referee;

namespace {

struct Sample {
  std::vector<double> y, a, b, w;
};

Sample simulate(Task task, std::size_t n = 400) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  Sample s;
  for (std::size_t i = 0; i < n; ++i) {
    const double y = task == Task::binary ? static_cast<double>(i % 3 == 0) : 10.0 + 3.0 * normal(rng);
    s.y.push_back(y);
    if (task == Task::binary) {
      s.a.push_back(std::round(100.0 / (1.0 + std::exp(-(normal(rng) + y - 0.5)))) / 100.0);
      s.b.push_back(std::round(100.0 / (1.0 + std::exp(-(normal(rng) + 1.4 * y - 0.5)))) / 100.0);
    } else {
      s.a.push_back(y + normal(rng));
      s.b.push_back(y + 0.8 * normal(rng));
    }
    s.w.push_back(1.0 + static_cast<double>(i % 3));
  }
  return s;
}

Policy policy_for(Task task, const std::string& interval = "bca") {
  const std::string metric = task == Task::binary ? "roc_auc" : "mae";
  return parse_policy_text(R"({"version": 1, "task": ")" + std::string(task_name(task)) +
                           R"(", "columns": {"label": "y", "champion": "a", "challenger": "b", "weight": "w"},
    "bootstrap": {"resamples": 300, "interval": ")" + interval + R"(", "seed": 5},
    "rules": [{"id": "m", "metric": ")" + metric + R"(", "subject": "delta", "min": -1e300}]})");
}

Evaluation run(Task task, const Sample& s, const std::string& interval = "bca") {
  Table t = owned_table(s.y, s.a, s.b, s.w, {}, {"y", "a", "b", "w", ""});
  validate_table(t, task);
  return evaluate(t, policy_for(task, interval), {.threads = 1});
}

Sample scaled(Sample s, int k, bool values, bool weights) {
  for (auto* column : {&s.y, &s.a, &s.b})
    for (double& v : *column) v = values ? std::ldexp(v, k) : v;
  for (double& v : s.w) v = weights ? std::ldexp(v, k) : v;
  return s;
}

// got == want * 2^k, bit for bit (k = 0: equal).
void check_scaled(const Estimate& got, const Estimate& want, int k, const std::string& what) {
  INFO(what);
  REQUIRE(got.point.defined == want.point.defined);
  if (!got.point.defined) return;
  CHECK(got.point.value == std::ldexp(want.point.value, k));
  REQUIRE(got.ci.defined == want.ci.defined);
  if (!got.ci.defined) return;
  CHECK(got.ci.lo == std::ldexp(want.ci.lo, k));
  CHECK(got.ci.hi == std::ldexp(want.ci.hi, k));
}

// Every figure is a finite number or undefined with a reason; no text says nan or inf.
void check_finite(const Evaluation& ev, const std::string& what) {
  INFO(what);
  const auto finite = [&](const Estimate& e) {
    if (e.point.defined) CHECK(std::isfinite(e.point.value));
    else CHECK(!e.point.reason.empty());
    if (e.ci.defined) CHECK((std::isfinite(e.ci.lo) && std::isfinite(e.ci.hi)));
    CHECK(std::isfinite(e.standard_error));
  };
  for (const auto& subject : ev.metrics)
    for (const Estimate& e : subject) finite(e);
  for (const BudgetFigure& f : ev.budgets.figures)
    for (const Estimate& e : f.subjects) finite(e);
  for (const std::string& text : {summary_text(ev), markdown_report(ev), report_text(ev)})
    for (const char* word : {"nan", "inf", "NaN", "Infinity"})
      CHECK_MESSAGE(text.find(std::string(" ") + word) == std::string::npos, "found " << word);
}

}  // namespace

TEST_CASE("regression data times 2^1000 or 2^-1000: mae and rmse scale exactly, r2 and mape do not move") {
  const Sample base = simulate(Task::regression);
  const Evaluation want = run(Task::regression, base);
  for (int k : {1000, -1000, 700}) {
    const Evaluation got = run(Task::regression, scaled(base, k, true, false));
    const auto metrics = task_metrics(Task::regression);
    for (std::size_t m = 0; m < metrics.size(); ++m)
      for (std::size_t s = 0; s < 3; ++s) {
        const std::string what = std::string(metrics[m].name) + " k=" + std::to_string(k) + " s=" + std::to_string(s);
        if (metrics[m].id == Metric::mse && k > 0) {
          // mse is in squared units: 2^2000 (and 2^1400) lies beyond a double.
          CHECK(!got.metrics[s][m].point.defined);
          CHECK(got.metrics[s][m].point.reason == kBeyondDouble);
        } else if (metrics[m].id == Metric::mse) {
          CHECK(got.metrics[s][m].point.defined);  // 2^-2000 underflows to 0 or a denormal, finitely
        } else if (metrics[m].id == Metric::mae || metrics[m].id == Metric::rmse) {
          check_scaled(got.metrics[s][m], want.metrics[s][m], k, what);
        } else if (metrics[m].id == Metric::r2) {
          check_scaled(got.metrics[s][m], want.metrics[s][m], 0, what);
        }
      }
    check_finite(got, "k=" + std::to_string(k));
  }
}

TEST_CASE("weights times 2^1000 or 2^-1060: every metric of both tasks is unchanged, bit for bit") {
  for (Task task : {Task::binary, Task::regression}) {
    const Sample base = simulate(task);
    const Evaluation want = run(task, base, "percentile");
    for (int k : {1000, -1060}) {
      const Evaluation got = run(task, scaled(base, k, false, true), "percentile");
      for (std::size_t s = 0; s < 4; ++s)
        for (std::size_t m = 0; m < got.metrics[s].size(); ++m)
          check_scaled(got.metrics[s][m], want.metrics[s][m], 0,
                       std::string(task_name(task)) + " k=" + std::to_string(k) + " metric " + std::to_string(m));
    }
  }
}

TEST_CASE("every extreme in every column of both tasks: a data error or finite figures") {
  const double extremes[] = {0.0, 5e-324, -5e-324, DBL_MIN, 1e-300, -1e-300, 1e300, -1e300, DBL_MAX, -DBL_MAX};
  for (Task task : {Task::binary, Task::regression})
    for (int column = 0; column < 4; ++column)
      for (double x : extremes)
        for (int mode = 0; mode < 3; ++mode) {
          Sample s = simulate(task, 120);
          std::vector<double>* target[] = {&s.y, &s.a, &s.b, &s.w};
          for (std::size_t r = 0; r < s.y.size(); ++r)
            if (mode == 2 || (mode == 1 && r % 2 == 0) || (mode == 0 && r == 3)) (*target[column])[r] = x;
          const std::string what = std::string(task_name(task)) + " column " + std::to_string(column) + " = " +
                                   std::to_string(x) + " mode " + std::to_string(mode);
          try {
            check_finite(run(task, s), what);
          } catch (const DataError&) {
            // A value the task does not accept (a label of 1e300, a negative weight).
          }
        }
}

TEST_CASE("the safety net: infinite points, replicates and spreads are undefined with a reason") {
  const double inf = std::numeric_limits<double>::infinity();
  const Estimate e = estimate_from_replicates(MetricValue::of(inf), {1.0, 2.0}, {}, IntervalMethod::percentile, 0.95);
  CHECK(!e.point.defined);
  CHECK(e.point.reason == kBeyondDouble);
  CHECK(!difference_value(MetricValue::of(-DBL_MAX), MetricValue::of(DBL_MAX), false).defined);
  // Replicates at both ends of the range: the spread overflows, the interval does not.
  std::vector<double> wide;
  for (int i = 0; i < 100; ++i) wide.push_back(i % 2 ? DBL_MAX : -DBL_MAX);
  const Estimate w = estimate_from_replicates(MetricValue::of(0.0), wide, {}, IntervalMethod::percentile, 0.95);
  CHECK(std::isfinite(w.standard_error));
  if (w.ci.defined) CHECK((std::isfinite(w.ci.lo) && std::isfinite(w.ci.hi)));
  const std::vector<double> ends{-DBL_MAX, DBL_MAX};
  CHECK(quantile_type7(ends, 0.5) == 0.0);
  CHECK(quantile_type7(ends, 0.25) == -DBL_MAX / 2.0);
}

TEST_CASE("jackknife acceleration is scale-free: values near 1e300 or 1e-300 give the unscaled value") {
  const std::vector<double> base{1.0, 2.0, 4.0, 7.5, 3.0, 9.0, -2.0};
  const double want = jackknife_acceleration(base);
  CHECK(want != 0.0);
  for (int k : {1000, -1000, 1020}) {
    std::vector<double> v;
    for (double x : base) v.push_back(std::ldexp(x, k - 4));
    CHECK(jackknife_acceleration(v) == doctest::Approx(want).epsilon(1e-14));
  }
}

TEST_CASE("latencies and costs near the largest double: means exact where they fit, else undefined") {
  const std::vector<double> latency(50, DBL_MAX), cost(50, DBL_MAX / 10.0);
  BudgetInputs in;
  in.rows = 50;
  in.units = {{}, {}, in.rows};
  in.latency = {latency, latency};
  in.cost = {cost, cost};
  const BudgetResults r = estimate_budgets(in, {.resamples = 200, .seed = 3});
  const BudgetFigure* mean = r.find(BudgetMetric::latency_mean);
  REQUIRE(mean != nullptr);
  CHECK(mean->subjects[0].point.value == DBL_MAX);  // the mean of equal values is that value
  CHECK(mean->subjects[2].point.value == 0.0);
  const BudgetFigure* per_1k = r.find(BudgetMetric::cost_per_1k);
  REQUIRE(per_1k != nullptr);
  CHECK(!per_1k->subjects[0].point.defined);  // 1000 * DBL_MAX / 10 exceeds a double
  CHECK(per_1k->subjects[0].point.reason == kBeyondDouble);
}
