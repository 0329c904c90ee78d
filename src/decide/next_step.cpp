#include "decide/next_step.hpp"

#include <cmath>
#include <limits>

#include <boost/math/distributions/normal.hpp>

namespace referee {

namespace {

// The bound the interval straddles, nearest the estimate: the one more data would clear.
std::optional<double> straddled_bound(const Rule& rule, const Estimate& e) {
  std::optional<double> best;
  for (const std::optional<double>& bound : {rule.min, rule.max}) {
    if (!bound || !(e.ci.lo <= *bound && *bound <= e.ci.hi)) continue;
    if (!best || std::abs(e.point.value - *bound) < std::abs(e.point.value - *best)) best = bound;
  }
  return best;
}

bool plannable(const RuleResult& r) {
  const Estimate& e = r.subject;
  return r.verdict == Verdict::inconclusive && r.rule.decide_on == DecideOn::interval && r.parts.empty() &&
         !r.rule.drift && e.point.defined && e.ci.defined && e.standard_error > 0.0 && r.n > 0;
}

}  // namespace

std::optional<NextStep> plan_next_step(const RuleResult& r, double confidence) {
  if (!plannable(r)) return std::nullopt;
  const std::optional<double> bound = straddled_bound(r.rule, r.subject);
  if (!bound) return std::nullopt;
  const double z = quantile(boost::math::normal(), 0.5 + confidence / 2.0);
  NextStep step;
  step.bound = *bound;
  step.margin = z * r.subject.standard_error;
  // The value of the figure, on the passing side of the bound, that this data would decide.
  step.detectable_effect = r.rule.min && *bound == *r.rule.min ? *bound + step.margin : *bound - step.margin;
  const double distance = std::abs(r.subject.point.value - *bound);
  const double n = static_cast<double>(r.n);
  const double factor = distance > 0.0 ? std::pow(step.margin / distance, 2.0) : 0.0;
  if (distance == 0.0 || !std::isfinite(factor) || n * factor > 1e15) {
    step.reason = "the estimate sits on the bound: no number of rows decides it at the observed effect";
    return step;
  }
  step.rows_needed = static_cast<std::uint64_t>(std::ceil(n * std::max(factor, 1.0)));
  step.defined = true;
  return step;
}

void plan_next_steps(std::vector<RuleResult>& rules, double confidence) {
  for (RuleResult& r : rules) r.next_step = plan_next_step(r, confidence);
}

}  // namespace referee
