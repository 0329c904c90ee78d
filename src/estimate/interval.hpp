#pragma once
// Bootstrap confidence intervals from a replicate distribution: percentile, basic and
// BCa, defined as scipy.stats.bootstrap defines them (Efron & Tibshirani 1993, ch. 14),
// so that a user can reproduce a referee interval with scipy on the same replicates.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include <referee/vocabulary.hpp>

namespace referee {


// numpy.quantile's default (linear, Hyndman & Fan type 7) on sorted values, computed as
// numpy computes it, so the bits agree: h = (n - 1) p, and the interpolation between the
// neighbours runs from the nearer one (numpy's _lerp).
inline double quantile_type7(std::span<const double> sorted, double p) {
  const std::size_t n = sorted.size();
  const double h = static_cast<double>(n - 1) * std::clamp(p, 0.0, 1.0);
  if (h >= static_cast<double>(n - 1)) return sorted[n - 1];
  const double below = std::floor(h);
  const auto lo = static_cast<std::size_t>(below);
  const double a = sorted[lo], b = sorted[lo + 1], t = h - below;
  const double step = b - a;
  return t >= 0.5 ? b - step * (1.0 - t) : a + step * t;
}

inline Interval percentile_interval(std::span<const double> sorted, double confidence) {
  const double alpha = (1.0 - confidence) / 2.0;
  return Interval::of(quantile_type7(sorted, alpha), quantile_type7(sorted, 1.0 - alpha));
}

// The "basic" (reverse percentile) interval: 2*theta - q(1-a), 2*theta - q(a).
inline Interval basic_interval(double estimate, std::span<const double> sorted, double confidence) {
  const double alpha = (1.0 - confidence) / 2.0;
  return Interval::of(2.0 * estimate - quantile_type7(sorted, 1.0 - alpha),
                      2.0 * estimate - quantile_type7(sorted, alpha));
}

// The jackknife acceleration a = sum(d^3) / (6 (sum d^2)^1.5), d = mean - theta_(i).
// Zero when the jackknife values do not vary (the statistic is locally constant).
inline double jackknife_acceleration(std::span<const double> jackknife) {
  if (jackknife.size() < 2) return 0.0;
  double mean = 0.0;
  for (double v : jackknife) mean += v;
  mean /= static_cast<double>(jackknife.size());
  double s2 = 0.0, s3 = 0.0;
  for (double v : jackknife) {
    const double d = mean - v;
    s2 += d * d;
    s3 += d * d * d;
  }
  return s2 > 0.0 ? s3 / (6.0 * std::pow(s2, 1.5)) : 0.0;
}

// BCa. The bias correction uses scipy's mid-rank proportion of replicates below the
// estimate: (#{theta_b < theta} + #{theta_b <= theta}) / 2B.
inline Interval bca_interval(double estimate, std::span<const double> sorted,
                             std::span<const double> jackknife, double confidence) {
  const auto B = static_cast<double>(sorted.size());
  const auto below = std::lower_bound(sorted.begin(), sorted.end(), estimate) - sorted.begin();
  const auto at_or_below = std::upper_bound(sorted.begin(), sorted.end(), estimate) - sorted.begin();
  const double proportion = (static_cast<double>(below) + static_cast<double>(at_or_below)) / (2.0 * B);
  if (proportion <= 0.0 || proportion >= 1.0)
    return Interval::undefined(
        "BCa is undefined: every bootstrap replicate lies on one side of the estimate");
  const boost::math::normal standard_normal;
  const double z0 = quantile(standard_normal, proportion);
  const double a = jackknife_acceleration(jackknife);
  const double z_alpha = quantile(standard_normal, (1.0 - confidence) / 2.0);
  auto adjusted = [&](double z) {
    const double shifted = z0 + z;
    return cdf(standard_normal, z0 + shifted / (1.0 - a * shifted));
  };
  return Interval::of(quantile_type7(sorted, adjusted(z_alpha)),
                      quantile_type7(sorted, adjusted(-z_alpha)));
}

}  // namespace referee
