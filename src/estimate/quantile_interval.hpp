#pragma once
// Distribution-free intervals for one sample: a quantile's order-statistic interval and a
// proportion's Wilson interval. Both are exact in their assumptions (independent draws)
// and need no resampling, so a single model's latency percentile or error rate carries a
// CI whatever the sample size.

#include <cmath>
#include <cstdio>
#include <cstddef>
#include <span>
#include <string>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>

#include "estimate/interval.hpp"

namespace referee {

struct QuantileInterval {
  Interval ci;
  std::size_t lower_rank = 0, upper_rank = 0;  // 1-based order statistics, when defined
  double coverage = 0.0;                       // P(lower <= true quantile <= upper), >= confidence
};

// The equal-tailed order-statistic interval [x_(l), x_(u)] for the p-quantile. With
// K ~ Binomial(n, p) the number of draws below the true quantile,
//   l = min{k : P(K <= k) >= alpha/2},  u = 1 + min{k : P(K > k) <= alpha/2},
// so each tail holds at most alpha/2 and coverage is at least 1 - alpha. This is
// scipy.stats.quantile_test(x, p=p).confidence_interval(confidence). When the sample is
// too small for an order statistic to bound a tail, the interval is undefined and says
// how many draws it needs.
// The ranks alone, from the sample size: `ci` is left undefined (with the reason when no
// order statistic bounds a tail), for a caller that finds the values elsewhere (a
// partitioned evaluation's budget passes).
inline QuantileInterval order_statistic_ranks(std::size_t n, double p, double confidence) {
  QuantileInterval out;
  const double tail = (1.0 - confidence) / 2.0;
  if (n == 0) {
    out.ci = Interval::undefined("the sample is empty");
    return out;
  }
  const boost::math::binomial_distribution<double> count(static_cast<double>(n), p);
  // Smallest k in [0, n] with predicate(k) true; predicate is monotone in k.
  const auto first = [n](auto&& predicate) {
    std::size_t lo = 0, hi = n;
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (predicate(mid)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const auto cdf_at = [&](std::size_t k) { return boost::math::cdf(count, static_cast<double>(k)); };
  const auto sf_at = [&](std::size_t k) {
    return boost::math::cdf(boost::math::complement(count, static_cast<double>(k)));
  };
  const std::size_t lower = first([&](std::size_t k) { return cdf_at(k) >= tail; });
  const std::size_t upper = first([&](std::size_t k) { return sf_at(k) <= tail; }) + 1;
  const auto text = [](double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", v);
    return std::string(buffer);
  };
  const std::string claim = " the " + text(p) + " quantile with " + text(100.0 * confidence) + "% confidence";
  const auto needed = [&](double share) {
    // The fewest draws for which share^n <= tail, i.e. one order statistic bounds the tail.
    return std::to_string(static_cast<std::size_t>(std::ceil(std::log(tail) / std::log(share))));
  };
  if (lower == 0) {
    out.ci = Interval::undefined("with " + std::to_string(n) + " samples no order statistic lies below" + claim +
                                 " (needs at least " + needed(1.0 - p) + " samples)");
    return out;
  }
  if (upper > n) {
    out.ci = Interval::undefined("with " + std::to_string(n) + " samples no order statistic lies above" + claim +
                                 " (needs at least " + needed(p) + " samples)");
    return out;
  }
  out.lower_rank = lower;
  out.upper_rank = upper;
  out.coverage = cdf_at(upper - 1) - cdf_at(lower - 1);
  return out;
}

inline QuantileInterval order_statistic_interval(std::span<const double> sorted, double p, double confidence) {
  QuantileInterval out = order_statistic_ranks(sorted.size(), p, confidence);
  if (out.lower_rank > 0) out.ci = Interval::of(sorted[out.lower_rank - 1], sorted[out.upper_rank - 1]);
  return out;
}

// Wilson's score interval for a proportion: the interval of p whose score test does not
// reject at 1 - confidence. Unlike the Wald interval it stays inside [0, 1] and is not
// degenerate at 0 or n successes. scipy.stats.binomtest(k, n).proportion_ci(method="wilson").
inline Interval wilson_interval(std::size_t successes, std::size_t n, double confidence) {
  if (n == 0) return Interval::undefined("no predictions");
  const double z = boost::math::quantile(boost::math::normal_distribution<double>(), 1.0 - (1.0 - confidence) / 2.0);
  const double nn = static_cast<double>(n);
  const double phat = static_cast<double>(successes) / nn;
  const double z2 = z * z;
  const double denominator = 1.0 + z2 / nn;
  const double centre = (phat + z2 / (2.0 * nn)) / denominator;
  const double half = z / denominator * std::sqrt(phat * (1.0 - phat) / nn + z2 / (4.0 * nn * nn));
  return Interval::of(std::max(0.0, centre - half), std::min(1.0, centre + half));
}

}  // namespace referee
