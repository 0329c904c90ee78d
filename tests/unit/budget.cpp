// Budgets: latency percentiles as numpy computes them, their order-statistic intervals as
// scipy computes them (and as the exact binomial defines them), Wilson intervals, and a
// bootstrap whose every replicate is the percentile of an explicit resample.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "budget/budget.hpp"
#include <referee/error.hpp>
#include "estimate/quantile_interval.hpp"
#include <referee/table.hpp>

#include "test_support.hpp"

using namespace referee;
using referee_test::check_error;
using referee_test::load_fixture;
using referee_test::TempFile;

namespace {

std::vector<double> sorted_copy(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// P(K <= k) for K ~ Binomial(n, p), summed term by term in log space: the definition,
// independent of Boost's incomplete beta.
double binomial_cdf_by_sum(std::size_t n, double p, long k) {
  double total = 0.0;
  for (long i = 0; i <= k; ++i) {
    const double log_term = std::lgamma(static_cast<double>(n) + 1.0) - std::lgamma(static_cast<double>(i) + 1.0) -
                            std::lgamma(static_cast<double>(n - static_cast<std::size_t>(i)) + 1.0) +
                            static_cast<double>(i) * std::log(p) +
                            static_cast<double>(n - static_cast<std::size_t>(i)) * std::log1p(-p);
    total += std::exp(log_term);
  }
  return total;
}

}  // namespace

TEST_CASE("latency percentiles equal numpy.quantile bit for bit") {
  const auto fixture = load_fixture("latency_cases.json");
  std::size_t compared = 0;
  for (const auto& c : fixture["quantiles"]) {
    const auto sorted = sorted_copy(c["sample"].get<std::vector<double>>());
    for (const auto& q : c["quantiles"]) {
      CAPTURE(c["name"].get<std::string>());
      CAPTURE(q["p"].get<double>());
      CHECK(quantile_type7(sorted, q["p"].get<double>()) == q["quantile"].get<double>());
      ++compared;
    }
  }
  CHECK(compared == 13 * 5);
}

TEST_CASE("order-statistic intervals equal scipy.stats.quantile_test's") {
  const auto fixture = load_fixture("latency_cases.json");
  for (const auto& c : fixture["quantiles"]) {
    const auto sorted = sorted_copy(c["sample"].get<std::vector<double>>());
    for (const auto& q : c["quantiles"])
      for (const auto& [level, expected] : q["ci"].items()) {
        CAPTURE(c["name"].get<std::string>());
        CAPTURE(q["p"].get<double>());
        CAPTURE(level);
        const QuantileInterval got = order_statistic_interval(sorted, q["p"].get<double>(), std::stod(level));
        if (expected.is_null()) {
          CHECK_FALSE(got.ci.defined);
          CHECK(got.ci.reason.find("needs at least") != std::string::npos);
        } else {
          REQUIRE(got.ci.defined);
          CHECK(got.ci.lo == expected[0].get<double>());
          CHECK(got.ci.hi == expected[1].get<double>());
        }
      }
  }
}

TEST_CASE("order-statistic ranks meet the exact binomial definition, and are the tightest that do") {
  // l = min{k : P(K <= k) >= a/2}, u = 1 + min{k : P(K > k) <= a/2}: checked with a
  // term-by-term binomial sum, including that l + 1 and u - 1 would break a tail.
  const double confidence = 0.95, tail = 0.025;
  for (std::size_t n : {10u, 37u, 100u, 500u, 4000u})
    for (double p : {0.5, 0.9, 0.95, 0.99}) {
      std::vector<double> x(n);
      std::iota(x.begin(), x.end(), 1.0);
      const QuantileInterval qi = order_statistic_interval(x, p, confidence);
      CAPTURE(n);
      CAPTURE(p);
      if (!qi.ci.defined) {
        // Undefined only when even the extreme order statistic cannot bound a tail.
        CHECK((std::pow(p, static_cast<double>(n)) > tail || std::pow(1.0 - p, static_cast<double>(n)) > tail));
        continue;
      }
      const auto l = static_cast<long>(qi.lower_rank), u = static_cast<long>(qi.upper_rank);
      const double below = binomial_cdf_by_sum(n, p, l - 1);  // P(K <= l - 1)
      const double above = 1.0 - binomial_cdf_by_sum(n, p, u - 1);  // P(K >= u)
      CHECK(below <= tail + 1e-12);
      CHECK(above <= tail + 1e-12);
      CHECK(binomial_cdf_by_sum(n, p, l) >= tail - 1e-12);              // l + 1 would overshoot
      CHECK(1.0 - binomial_cdf_by_sum(n, p, u - 2) >= tail - 1e-12);    // so would u - 1
      CHECK(qi.coverage == doctest::Approx(1.0 - below - above).epsilon(1e-9));
      CHECK(qi.coverage >= confidence - 1e-12);
      CHECK(qi.ci.lo == x[static_cast<std::size_t>(l - 1)]);
      CHECK(qi.ci.hi == x[static_cast<std::size_t>(u - 1)]);
    }
}

TEST_CASE("tiny samples: the interval is undefined with a reason, never a crash") {
  for (std::size_t n : {0u, 1u, 2u, 3u}) {
    std::vector<double> x(n, 5.0);
    const QuantileInterval qi = order_statistic_interval(x, 0.99, 0.95);
    CHECK_FALSE(qi.ci.defined);
    CHECK_FALSE(qi.ci.reason.empty());
  }
  const QuantileInterval p999 = order_statistic_interval(std::vector<double>(3000, 1.0), 0.999, 0.95);
  CHECK_FALSE(p999.ci.defined);
  CHECK(p999.ci.reason.find("needs at least 3688 samples") != std::string::npos);
}

TEST_CASE("Wilson intervals equal scipy.stats.binomtest's") {
  const auto fixture = load_fixture("latency_cases.json");
  for (const auto& w : fixture["wilson"]) {
    const Interval ci = wilson_interval(w["k"].get<std::size_t>(), w["n"].get<std::size_t>(), w["level"].get<double>());
    CAPTURE(w.dump());
    REQUIRE(ci.defined);
    CHECK(ci.lo == doctest::Approx(w["ci"][0].get<double>()).epsilon(1e-12));
    CHECK(ci.hi == doctest::Approx(w["ci"][1].get<double>()).epsilon(1e-12));
  }
  CHECK_FALSE(wilson_interval(0, 0, 0.95).defined);
}

namespace {

struct Serving {
  std::vector<double> lat0, lat1, cost0, cost1, err0, err1;
  std::vector<std::uint64_t> key;
  std::vector<std::uint32_t> unit;
};

// Per-row serving figures with clusters of 1-3 rows; latencies rounded to 0.1 ms (ties).
Serving simulate_serving(std::size_t clusters, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> fast(std::log(18.0), 0.35), slow(std::log(21.0), 0.4);
  std::uniform_int_distribution<int> size(1, 3), pct(0, 999);
  Serving s;
  for (std::size_t c = 0; c < clusters; ++c) {
    const int rows = size(rng);
    for (int r = 0; r < rows; ++r) {
      s.lat0.push_back(std::round(fast(rng) * 10.0) / 10.0);
      s.lat1.push_back(std::round(slow(rng) * 10.0) / 10.0);
      s.cost0.push_back(0.00012 * (1.0 + pct(rng) / 10000.0));
      s.cost1.push_back(0.00015 * (1.0 + pct(rng) / 10000.0));
      s.err0.push_back(pct(rng) < 5 ? 1.0 : 0.0);
      s.err1.push_back(pct(rng) < 8 ? 1.0 : 0.0);
      s.key.push_back(hash_key("customer-" + std::to_string(c)));
    }
  }
  // Dense unit indices: the rank of each key.
  std::vector<std::uint64_t> keys = s.key;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (std::uint64_t k : s.key)
    s.unit.push_back(static_cast<std::uint32_t>(std::lower_bound(keys.begin(), keys.end(), k) - keys.begin()));
  return s;
}

BudgetInputs inputs_of(const Serving& s) {
  BudgetInputs in;
  in.latency = {s.lat0, s.lat1};
  in.cost = {s.cost0, s.cost1};
  in.error = {s.err0, s.err1};
  in.rows = s.lat0.size();
  std::vector<std::uint64_t> keys = s.key;
  std::sort(keys.begin(), keys.end());
  in.units = {s.key, s.unit, static_cast<std::size_t>(std::unique(keys.begin(), keys.end()) - keys.begin())};
  return in;
}

}  // namespace

TEST_CASE("each bootstrap replicate is numpy's percentile of the explicit resample") {
  const Serving s = simulate_serving(300, 11);
  const BudgetInputs in = inputs_of(s);
  for (ResamplingScheme scheme : {ResamplingScheme::poisson, ResamplingScheme::multinomial}) {
    const BudgetBootstrap settings{130, 0.95, scheme, 99, 2, nullptr};
    const BudgetResults r = estimate_budgets(in, settings);
    REQUIRE(r.resamples == 130);
    for (std::size_t b : {0u, 1u, 63u, 64u, 129u}) {
      const std::size_t first = b / kLanes * kLanes, lane = b % kLanes;
      const std::size_t used = std::min(kLanes, settings.resamples - first);
      std::vector<double> weight(in.rows);
      LaneWeights w;
      if (scheme == ResamplingScheme::poisson) {
        const PoissonWeights pw(settings.seed, first, in.units);
        for (std::size_t row = 0; row < in.rows; ++row) weight[row] = (pw.fill(row, w), w[lane]);
      } else {
        const MultinomialWeights mw(settings.seed, first, used, in.units);
        for (std::size_t row = 0; row < in.rows; ++row) weight[row] = (mw.fill(row, w), w[lane]);
      }
      for (std::size_t m = 0; m < 2; ++m) {
        const std::vector<double>& lat = m == 0 ? s.lat0 : s.lat1;
        std::vector<double> resample;
        double cost = 0.0, err = 0.0, total = 0.0;
        for (std::size_t row = 0; row < in.rows; ++row) {
          for (int k = 0; k < static_cast<int>(weight[row]); ++k) resample.push_back(lat[row]);
          total += weight[row];
          cost += weight[row] * (m == 0 ? s.cost0 : s.cost1)[row];
          err += weight[row] * (m == 0 ? s.err0 : s.err1)[row];
        }
        std::sort(resample.begin(), resample.end());
        CAPTURE(b);
        CAPTURE(m);
        for (std::size_t k = 0; k < kLatencyQuantileCount; ++k)
          CHECK(r.replicate(b, m, static_cast<BudgetMetric>(1 + k)) == quantile_type7(resample, kLatencyProbabilities[k]));
        CHECK(r.replicate(b, m, BudgetMetric::cost_per_1k) == doctest::Approx(1000.0 * cost / total).epsilon(1e-12));
        CHECK(r.replicate(b, m, BudgetMetric::error_rate) == doctest::Approx(err / total).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("budgets do not depend on the thread count or on the row order") {
  const Serving s = simulate_serving(400, 5);
  const BudgetInputs in = inputs_of(s);
  const BudgetResults one = estimate_budgets(in, {200, 0.95, ResamplingScheme::poisson, 3, 1, nullptr});
  const BudgetResults two = estimate_budgets(in, {200, 0.95, ResamplingScheme::poisson, 3, 2, nullptr});
  CHECK(one.replicates.size() == two.replicates.size());
  CHECK(std::equal(one.replicates.begin(), one.replicates.end(), two.replicates.begin(),
                   [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }));

  // Reverse the rows: the cluster keys carry the resampling, so every bit must agree.
  Serving rev = s;
  for (auto* v : {&rev.lat0, &rev.lat1, &rev.cost0, &rev.cost1, &rev.err0, &rev.err1}) std::reverse(v->begin(), v->end());
  std::reverse(rev.key.begin(), rev.key.end());
  std::reverse(rev.unit.begin(), rev.unit.end());
  const BudgetResults back = estimate_budgets(inputs_of(rev), {200, 0.95, ResamplingScheme::poisson, 3, 2, nullptr});
  REQUIRE(back.figures.size() == one.figures.size());
  for (std::size_t i = 0; i < one.figures.size(); ++i)
    for (std::size_t subject = 0; subject < 4; ++subject) {
      const Estimate& a = one.figures[i].subjects[subject];
      const Estimate& b = back.figures[i].subjects[subject];
      CAPTURE(name_of(one.figures[i].metric));
      CHECK(a.point.value == b.point.value);
      CHECK(a.ci.lo == b.ci.lo);
      CHECK(a.ci.hi == b.ci.hi);
    }
}

TEST_CASE("separate latency samples: independent bootstrap, order of the samples irrelevant") {
  std::mt19937_64 rng(8);
  std::lognormal_distribution<double> a(std::log(18.0), 0.35), b(std::log(21.0), 0.4);
  LatencySamples samples;
  samples.origin = "memory";
  for (int i = 0; i < 3000; ++i) samples.ms[0].push_back(std::round(a(rng) * 100.0) / 100.0);
  for (int i = 0; i < 2000; ++i) samples.ms[1].push_back(std::round(b(rng) * 100.0) / 100.0);
  BudgetInputs in;
  in.latency_samples = &samples;
  const BudgetResults r = estimate_budgets(in, {300, 0.95, ResamplingScheme::poisson, 1, 2, nullptr});
  const BudgetFigure* p99 = r.find(BudgetMetric::latency_p99);
  REQUIRE(p99);
  CHECK_FALSE(p99->paired);
  CHECK(p99->source[0] == BudgetSource::samples);
  CHECK(p99->n[0] == 3000);
  CHECK(p99->n[1] == 2000);
  CHECK(p99->interval_kind[2] == "independent percentile bootstrap");
  CHECK(p99->subjects[0].point.value == quantile_type7(sorted_copy(samples.ms[0]), 0.99));
  CHECK(p99->subjects[2].ci.defined);
  CHECK(p99->subjects[2].ci.lo < p99->subjects[2].point.value);
  CHECK(p99->subjects[2].point.value < p99->subjects[2].ci.hi);
  CHECK(r.find(BudgetMetric::cost_per_1k) == nullptr);

  LatencySamples shuffled = samples;
  for (auto& v : shuffled.ms) std::shuffle(v.begin(), v.end(), rng);
  in.latency_samples = &shuffled;
  const BudgetResults again = estimate_budgets(in, {300, 0.95, ResamplingScheme::poisson, 1, 1, nullptr});
  CHECK(std::equal(r.replicates.begin(), r.replicates.end(), again.replicates.begin(),
                   [](double x, double y) { return (std::isnan(x) && std::isnan(y)) || x == y; }));
}

TEST_CASE("heavy tails, ties, constants and tiny samples stay defined or say why") {
  SUBCASE("constant latency: every percentile and its interval is the constant, the delta 0") {
    std::vector<double> c0(500, 12.0), c1(500, 12.0);
    BudgetInputs in;
    in.latency = {c0, c1};
    in.rows = 500;
    in.units.unit_count = 500;
    const BudgetResults r = estimate_budgets(in, {200, 0.95, ResamplingScheme::poisson, 1, 1, nullptr});
    const BudgetFigure* p95 = r.find(BudgetMetric::latency_p95);
    CHECK(p95->subjects[0].point.value == 12.0);
    CHECK(p95->subjects[0].ci.lo == 12.0);
    CHECK(p95->subjects[0].ci.hi == 12.0);
    CHECK(p95->subjects[2].point.value == 0.0);
    CHECK(p95->subjects[2].ci.lo == 0.0);
    CHECK(p95->subjects[2].ci.hi == 0.0);
  }
  SUBCASE("one row: percentiles defined, their intervals undefined with a reason") {
    std::vector<double> a{10.0}, b{11.0};
    BudgetInputs in;
    in.latency = {a, b};
    in.rows = 1;
    in.units.unit_count = 1;
    const BudgetResults r = estimate_budgets(in, {100, 0.95, ResamplingScheme::poisson, 1, 1, nullptr});
    const BudgetFigure* p99 = r.find(BudgetMetric::latency_p99);
    CHECK(p99->subjects[1].point.value == 11.0);
    CHECK_FALSE(p99->subjects[1].ci.defined);
    CHECK(p99->subjects[1].ci.reason.find("needs at least") != std::string::npos);
    // A resample with no rows has no percentile: more than 1% of them, so no interval.
    CHECK_FALSE(p99->subjects[2].ci.defined);
    CHECK(p99->subjects[2].ci.reason.find("undefined in") != std::string::npos);
  }
  SUBCASE("a Pareto tail: p999 far above p99, ordered intervals") {
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> a(20000), b(20000);
    for (auto& x : a) x = 5.0 / std::pow(1.0 - u(rng), 1.0 / 1.1);
    for (auto& x : b) x = 5.0 / std::pow(1.0 - u(rng), 1.0 / 1.1);
    BudgetInputs in;
    in.latency = {a, b};
    in.rows = a.size();
    in.units.unit_count = a.size();
    const BudgetResults r = estimate_budgets(in, {200, 0.95, ResamplingScheme::poisson, 1, 2, nullptr});
    const Estimate& p99 = r.find(BudgetMetric::latency_p99)->subjects[0];
    const Estimate& p999 = r.find(BudgetMetric::latency_p999)->subjects[0];
    CHECK(p999.point.value > 5.0 * p99.point.value);
    CHECK(p99.ci.lo <= p99.point.value);
    CHECK(p99.point.value <= p99.ci.hi);
    CHECK(p999.ci.defined);
  }
}

TEST_CASE("pricing: a list price is exact, an hourly price is converted per 1000 predictions") {
  BudgetInputs in;
  in.price[0] = ModelPrice{0.12, {}, {}};
  in.price[1] = ModelPrice{{}, 1.21, 350.0};
  const BudgetResults r = estimate_budgets(in, {100, 0.95, ResamplingScheme::poisson, 1, 1, nullptr});
  const BudgetFigure* cost = r.find(BudgetMetric::cost_per_1k);
  REQUIRE(cost);
  CHECK(cost->subjects[0].point.value == 0.12);
  CHECK(cost->subjects[1].point.value == doctest::Approx(1.21 / (350.0 * 3600.0) * 1000.0).epsilon(1e-15));
  CHECK(cost->subjects[1].ci.lo == cost->subjects[1].point.value);
  CHECK(cost->interval_kind[0] == "exact (price)");
  CHECK(cost->subjects[3].point.value == doctest::Approx((cost->subjects[1].point.value - 0.12) / 0.12));
  CHECK(cost->subjects[3].ci.lo == doctest::Approx(cost->subjects[3].point.value));
}

TEST_CASE("latency files: a clear error for bad models, negative, NaN or missing latencies") {
  SUBCASE("valid") {
    TempFile f("model,latency_ms\nchampion,12.5\nchallenger,14\nchampion,0\n");
    const LatencySamples s = read_latency_csv(f.path());
    CHECK(s.ms[0] == std::vector<double>{12.5, 0.0});
    CHECK(s.ms[1] == std::vector<double>{14.0});
    CHECK(s.sha256.size() == 64);
  }
  SUBCASE("negative") {
    TempFile f("model,latency_ms\nchampion,12.5\nchallenger,-3\n");
    check_error<DataError>([&] { read_latency_csv(f.path()); }, {f.name(), "row 2", "latency_ms", "the value is negative"});
  }
  SUBCASE("NaN") {
    TempFile f("model,latency_ms\nchampion,NaN\nchallenger,3\n");
    check_error<DataError>([&] { read_latency_csv(f.path()); }, {f.name(), "row 1", "latency_ms", "not a finite number"});
  }
  SUBCASE("unknown model") {
    TempFile f("model,latency_ms\nchampion,1\nchalenger,3\n");
    check_error<DataError>([&] { read_latency_csv(f.path()); }, {"row 2", "column \"model\": the value is not a model"});
  }
  SUBCASE("a model without samples") {
    TempFile f("model,latency_ms\nchampion,1\n");
    check_error<DataError>([&] { read_latency_csv(f.path()); }, {"no latency samples for the challenger"});
  }
  SUBCASE("missing column") {
    TempFile f("model,latency\nchampion,1\n");
    check_error<DataError>([&] { read_latency_csv(f.path()); }, {"latency_ms"});
  }
  SUBCASE("in memory") {
    LatencySamples s;
    s.origin = "memory";
    s.ms[0] = {1.0, std::nan("")};
    s.ms[1] = {2.0};
    check_error<DataError>([&] { validate_latency_samples(s); }, {"champion's latency sample 2", "not a finite number"});
  }
}
