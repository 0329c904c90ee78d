#pragma once
// What would decide an INCONCLUSIVE rule (issue 18): the approximate number of rows at
// which its interval would clear the bound if the estimate stayed where it is, and the
// smallest distance from the bound the current data can resolve.
//
// The arithmetic: the rule is INCONCLUSIVE because its interval, about the estimate
// +/- z * SE wide (z the two-sided normal quantile of the confidence), straddles a bound B.
// The bootstrap SE of a mean-like figure scales as 1/sqrt(n), so at n' rows it is about
// SE * sqrt(n / n'), and the interval clears B once z * SE * sqrt(n / n') < |estimate - B|:
//   rows_needed = n * (z * SE / |estimate - B|)^2,
// and with the current n the smallest resolvable distance is margin = z * SE. Both are
// planning figures, not guarantees: the estimate moves with more data, and BCa or
// percentile intervals are not exactly estimate +/- z * SE. With a cluster key the rows
// are assumed to grow with the clusters, at the current rows per cluster.

#include <vector>

#include <referee/evaluation.hpp>

namespace referee {

// The next step of one rule, or nullopt when there is nothing to plan: the rule is not
// INCONCLUSIVE, is decided on the point, judges parts (each_segment, Clarify groups,
// where each part has its own interval), or its figure has no interval or no spread.
std::optional<NextStep> plan_next_step(const RuleResult& rule, double confidence);

// Sets next_step on every rule it applies to.
void plan_next_steps(std::vector<RuleResult>& rules, double confidence);

}  // namespace referee
