// The next step of an INCONCLUSIVE rule (decide/next_step): rows_needed = n (z SE / d)^2
// and margin = z SE, with z from scipy.stats.norm.ppf (the outside oracle).

#include <doctest/doctest.h>

#include <cmath>

#include "decide/next_step.hpp"

using namespace referee;

namespace {

constexpr double kZ95 = 1.959963984540054;   // scipy.stats.norm.ppf(0.975)
constexpr double kZ99 = 2.5758293035489004;  // scipy.stats.norm.ppf(0.995)

RuleResult inconclusive(double estimate, double lo, double hi, double se, std::size_t n) {
  RuleResult r;
  r.rule.id = "r";
  r.rule.min = -0.005;
  r.verdict = Verdict::inconclusive;
  r.subject.point = MetricValue::of(estimate);
  r.subject.ci = Interval::of(lo, hi);
  r.subject.standard_error = se;
  r.n = n;
  return r;
}

}  // namespace

TEST_CASE("rows_needed scales n by (z SE / distance to the bound)^2") {
  const RuleResult r = inconclusive(0.01, -0.02, 0.04, 0.015, 1000);
  const auto step = plan_next_step(r, 0.95);
  REQUIRE(step);
  REQUIRE(step->defined);
  const double factor = std::pow(kZ95 * 0.015 / 0.015, 2.0);
  CHECK(step->rows_needed == static_cast<std::uint64_t>(std::ceil(1000 * factor)));  // 3842
  CHECK(step->rows_needed == 3842);
  CHECK(step->bound == -0.005);
  CHECK(step->margin == doctest::Approx(kZ95 * 0.015).epsilon(1e-14));
  CHECK(step->detectable_effect == doctest::Approx(-0.005 + kZ95 * 0.015).epsilon(1e-14));

  const auto step99 = plan_next_step(r, 0.99);
  REQUIRE(step99);
  CHECK(step99->rows_needed == static_cast<std::uint64_t>(std::ceil(1000 * std::pow(kZ99, 2.0))));
}

TEST_CASE("an upper bound: the passing side is below it") {
  RuleResult r = inconclusive(0.03, 0.01, 0.05, 0.01, 500);
  r.rule.min.reset();
  r.rule.max = 0.02;
  const auto step = plan_next_step(r, 0.95);
  REQUIRE(step);
  CHECK(step->bound == 0.02);
  CHECK(step->detectable_effect == doctest::Approx(0.02 - kZ95 * 0.01).epsilon(1e-14));
  CHECK(step->rows_needed == static_cast<std::uint64_t>(std::ceil(500 * std::pow(kZ95 * 0.01 / 0.01, 2.0))));
}

TEST_CASE("of two bounds, the straddled one nearest the estimate is planned for") {
  RuleResult r = inconclusive(0.5, 0.0, 1.0, 0.2, 100);
  r.rule.min = 0.1;
  r.rule.max = 0.6;
  const auto step = plan_next_step(r, 0.95);
  REQUIRE(step);
  CHECK(step->bound == 0.6);
}

TEST_CASE("an estimate on the bound has no row count, and says why") {
  const auto step = plan_next_step(inconclusive(-0.005, -0.02, 0.01, 0.01, 100), 0.95);
  REQUIRE(step);
  CHECK_FALSE(step->defined);
  CHECK(step->reason.find("sits on the bound") != std::string::npos);
}

TEST_CASE("nothing to plan: decided rules, point rules, rules with parts, no spread") {
  RuleResult pass = inconclusive(0.01, 0.0, 0.02, 0.005, 100);
  pass.verdict = Verdict::pass;
  CHECK_FALSE(plan_next_step(pass, 0.95));
  RuleResult point = inconclusive(0.01, -0.02, 0.04, 0.015, 100);
  point.rule.decide_on = DecideOn::point;
  CHECK_FALSE(plan_next_step(point, 0.95));
  RuleResult parts = inconclusive(0.01, -0.02, 0.04, 0.015, 100);
  parts.parts.emplace_back();
  CHECK_FALSE(plan_next_step(parts, 0.95));
  CHECK_FALSE(plan_next_step(inconclusive(0.01, -0.02, 0.04, 0.0, 100), 0.95));
  RuleResult undefined = inconclusive(0.01, -0.02, 0.04, 0.015, 100);
  undefined.subject.ci = Interval::undefined("no interval");
  CHECK_FALSE(plan_next_step(undefined, 0.95));
}
