#include "decide/decision.hpp"

#include <array>
#include <cstdio>

namespace referee {


std::string number_text(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", v);
  return buffer;
}

std::string bounds_text(const Rule& rule) {
  if (rule.min && rule.max) return "[" + number_text(*rule.min) + ", " + number_text(*rule.max) + "]";
  return rule.min ? ">= " + number_text(*rule.min) : "<= " + number_text(*rule.max);
}

namespace {

bool within(const Rule& rule, double v) {
  return (!rule.min || v >= *rule.min) && (!rule.max || v <= *rule.max);
}

}  // namespace

RuleDecision decide_rule(const Rule& rule, const Estimate& e) {
  if (!e.point.defined)
    return {Verdict::inconclusive, "the estimate is undefined: " + std::string(e.point.reason)};
  const std::string bounds = bounds_text(rule);
  if (rule.decide_on == DecideOn::point) {
    const bool ok = within(rule, e.point.value);
    return {ok ? Verdict::pass : Verdict::fail,
            "estimate " + number_text(e.point.value) + (ok ? " meets " : " breaks ") + bounds};
  }
  if (!e.ci.defined) return {Verdict::inconclusive, "no confidence interval: " + e.ci.reason};
  const double lo = e.ci.lo, hi = e.ci.hi;
  const std::string ci = "CI [" + number_text(lo) + ", " + number_text(hi) + "]";
  if (within(rule, lo) && within(rule, hi)) return {Verdict::pass, ci + " lies within " + bounds};
  const bool below_min = rule.min && hi < *rule.min;
  const bool above_max = rule.max && lo > *rule.max;
  if (below_min || above_max) return {Verdict::fail, ci + " lies entirely outside " + bounds};
  return {Verdict::inconclusive, ci + " straddles " + bounds};
}

Verdict overall_verdict(std::span<const RuleOutcome> rules, OnInconclusive on_inconclusive) {
  bool block_fail = false, block_inconclusive = false, warn = false;
  for (const RuleOutcome& r : rules) {
    if (r.verdict == Verdict::pass || r.verdict == Verdict::skipped) continue;
    if (r.severity == Severity::warn) {
      warn = true;
    } else if (r.verdict == Verdict::fail) {
      block_fail = true;
    } else {
      block_inconclusive = true;
    }
  }
  if (block_fail) return Verdict::fail;
  if (block_inconclusive && on_inconclusive == OnInconclusive::fail) return Verdict::inconclusive;
  if (warn || (block_inconclusive && on_inconclusive == OnInconclusive::warn)) return Verdict::warn;
  return Verdict::pass;
}

}  // namespace referee
