#include <doctest/doctest.h>

#include <vector>

#include "decide/decision.hpp"

using namespace referee;

namespace {
Estimate with_ci(double point, double lo, double hi) {
  Estimate e;
  e.point = MetricValue::of(point);
  e.ci = Interval::of(lo, hi);
  return e;
}
Rule rule_min(double min, DecideOn on = DecideOn::interval) {
  Rule r;
  r.id = "r";
  r.min = min;
  r.decide_on = on;
  return r;
}
Rule rule_max(double max) {
  Rule r;
  r.id = "r";
  r.max = max;
  return r;
}
}  // namespace

TEST_CASE("a rule is PASS, FAIL or INCONCLUSIVE by where its interval lies") {
  CHECK(decide_rule(rule_min(0.0), with_ci(0.02, 0.01, 0.03)).verdict == Verdict::pass);
  CHECK(decide_rule(rule_min(0.0), with_ci(0.0, 0.0, 0.03)).verdict == Verdict::pass);  // meets
  CHECK(decide_rule(rule_min(0.0), with_ci(-0.02, -0.03, -0.01)).verdict == Verdict::fail);
  CHECK(decide_rule(rule_min(0.0), with_ci(0.01, -0.01, 0.03)).verdict == Verdict::inconclusive);
  CHECK(decide_rule(rule_max(0.1), with_ci(0.05, 0.02, 0.08)).verdict == Verdict::pass);
  CHECK(decide_rule(rule_max(0.1), with_ci(0.2, 0.15, 0.25)).verdict == Verdict::fail);
  CHECK(decide_rule(rule_max(0.1), with_ci(0.1, 0.05, 0.15)).verdict == Verdict::inconclusive);

  Rule both = rule_min(0.0);
  both.max = 1.0;
  CHECK(decide_rule(both, with_ci(0.5, 0.2, 0.8)).verdict == Verdict::pass);
  CHECK(decide_rule(both, with_ci(1.5, 1.2, 1.8)).verdict == Verdict::fail);
  CHECK(decide_rule(both, with_ci(0.5, -0.2, 1.2)).verdict == Verdict::inconclusive);

  const RuleDecision d = decide_rule(rule_min(0.0), with_ci(0.01, -0.01, 0.03));
  CHECK(d.reason.find("straddles") != std::string::npos);
}

TEST_CASE("decide_on point uses the estimate only") {
  CHECK(decide_rule(rule_min(0.0, DecideOn::point), with_ci(0.01, -0.5, 0.5)).verdict == Verdict::pass);
  CHECK(decide_rule(rule_min(0.0, DecideOn::point), with_ci(-0.01, -0.5, 0.5)).verdict == Verdict::fail);
}

TEST_CASE("an undefined figure is INCONCLUSIVE with its reason, never a pass") {
  Estimate undefined;
  undefined.point = MetricValue::undefined("only one class present");
  const RuleDecision d = decide_rule(rule_min(0.0), undefined);
  CHECK(d.verdict == Verdict::inconclusive);
  CHECK(d.reason.find("only one class present") != std::string::npos);
  CHECK(decide_rule(rule_min(0.0, DecideOn::point), undefined).verdict == Verdict::inconclusive);

  Estimate no_ci;
  no_ci.point = MetricValue::of(0.3);
  no_ci.ci = Interval::undefined("the metric is undefined in 40 of 2000 bootstrap resamples");
  CHECK(decide_rule(rule_min(0.0), no_ci).verdict == Verdict::inconclusive);
  CHECK(decide_rule(rule_min(0.0, DecideOn::point), no_ci).verdict == Verdict::pass);
}

TEST_CASE("the overall verdict: FAIL, then INCONCLUSIVE, then WARN, then PASS") {
  using O = RuleOutcome;
  const auto block = Severity::block;
  const auto warn = Severity::warn;
  struct Row {
    std::vector<O> rules;
    OnInconclusive on;
    Verdict expected;
  };
  const std::vector<Row> table{
      {{{block, Verdict::pass}, {warn, Verdict::pass}}, OnInconclusive::fail, Verdict::pass},
      {{{block, Verdict::pass}, {warn, Verdict::fail}}, OnInconclusive::fail, Verdict::warn},
      {{{block, Verdict::pass}, {warn, Verdict::inconclusive}}, OnInconclusive::fail, Verdict::warn},
      {{{block, Verdict::fail}, {warn, Verdict::fail}}, OnInconclusive::fail, Verdict::fail},
      {{{block, Verdict::fail}, {block, Verdict::inconclusive}}, OnInconclusive::fail, Verdict::fail},
      {{{block, Verdict::inconclusive}, {warn, Verdict::fail}}, OnInconclusive::fail, Verdict::inconclusive},
      {{{block, Verdict::inconclusive}}, OnInconclusive::warn, Verdict::warn},
      {{{block, Verdict::inconclusive}}, OnInconclusive::pass, Verdict::pass},
      {{{block, Verdict::inconclusive}, {warn, Verdict::fail}}, OnInconclusive::pass, Verdict::warn},
      {{{block, Verdict::fail}}, OnInconclusive::pass, Verdict::fail},
  };
  for (std::size_t i = 0; i < table.size(); ++i) {
    CAPTURE(i);
    CHECK(overall_verdict(table[i].rules, table[i].on) == table[i].expected);
  }
  CHECK(verdict_passes(Verdict::pass));
  CHECK(verdict_passes(Verdict::warn));
  CHECK_FALSE(verdict_passes(Verdict::fail));
  CHECK_FALSE(verdict_passes(Verdict::inconclusive));
}
