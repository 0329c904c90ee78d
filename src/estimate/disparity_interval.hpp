#pragma once
// The interval method for a fairlearn-style disparity (issue 18): the policy's, except that
// over more than two groups BCa gives way to percentile. A max minus a min (or a min over
// a max) of group rates is not smooth where the extreme groups change places, and BCa's
// bias correction assumes a smooth statistic: in the statistical audit of issue 18, a
// three-group equalized_odds_difference covered 90.8% with BCa (scipy's BCa: 90.4%) and
// 96.7% with percentile at a nominal 95%. Two groups keep the policy's method: |a - b| is
// smooth away from a tie, and the audit measured no shortfall there. One rule, read by the
// fairness table and by the disparity rules, so both always show the same interval.

#include <cstddef>
#include <string>

#include <referee/vocabulary.hpp>

namespace referee {

struct IntervalChoice {
  IntervalMethod method;
  std::string reason;  // "" when the policy's method is kept
};

inline IntervalChoice disparity_interval(IntervalMethod asked, std::size_t groups) {
  if (asked != IntervalMethod::bca || groups <= 2) return {asked, {}};
  return {IntervalMethod::percentile,
          "over " + std::to_string(groups) +
              " groups a disparity is a max and a min of group rates, not a smooth statistic, and BCa assumes one: "
              "its interval is a percentile interval"};
}

}  // namespace referee
