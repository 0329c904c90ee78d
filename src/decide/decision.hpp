#pragma once
// Rules to verdicts. A rule is three-valued: PASS when its whole interval meets the
// bounds, FAIL when the whole interval breaks one, INCONCLUSIVE when the interval
// straddles a bound (or the figure is undefined). With decide_on = point only the
// estimate counts. The overall verdict combines them by severity and on_inconclusive.

#include <span>
#include <string>
#include <string_view>

#include "estimate/estimate.hpp"
#include <referee/policy.hpp>

namespace referee {


struct RuleDecision {
  Verdict verdict = Verdict::inconclusive;
  std::string reason;
};

// How a reason writes a figure (%.6g) and a rule's bounds (">= 0.5", "[0, 1]").
std::string number_text(double v);
std::string bounds_text(const Rule& rule);

RuleDecision decide_rule(const Rule& rule, const Estimate& estimate);

struct RuleOutcome {
  Severity severity;
  Verdict verdict;  // the rule's own verdict: pass, fail or inconclusive
};

// FAIL if a blocking rule failed; else INCONCLUSIVE if a blocking rule was inconclusive
// and on_inconclusive is "fail" (the gate cannot tell, so it does not let the challenger
// through); else WARN if a warn rule did not pass, or a blocking rule was inconclusive
// under on_inconclusive "warn"; else PASS.
Verdict overall_verdict(std::span<const RuleOutcome> rules, OnInconclusive on_inconclusive);


}  // namespace referee
