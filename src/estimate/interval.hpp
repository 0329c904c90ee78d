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

#include "estimate/finite.hpp"

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
  // Neighbours of opposite sign near the ends of the range: their difference overflows, so
  // interpolate between the halves (exact) and double back.
  if (!std::isfinite(step)) return 2.0 * (a / 2.0 + (b / 2.0 - a / 2.0) * t);
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
// a does not change when every d is multiplied by a constant, so values and deviations
// whose cubes would overflow (or underflow) are scaled by a power of two: 2^-e for the
// values, 2^-f for the deviations. The common case (e = f = 0) is the plain two passes.
inline double jackknife_acceleration(std::span<const double> jackknife) {
  if (jackknife.size() < 2) return 0.0;
  const auto n = static_cast<double>(jackknife.size());
  const auto scaled = [](double v, int by) { return by == 0 ? v : std::ldexp(v, -by); };
  double biggest = 0.0, mean = 0.0;
  for (double v : jackknife) {
    biggest = std::max(biggest, std::abs(v));
    mean += v;
  }
  const int e = magnitude_exponent(std::span<const double>(&biggest, 1), 300);
  if (e != 0) {
    mean = 0.0;
    for (double v : jackknife) mean += scaled(v, e);
  }
  mean /= n;
  const auto sums = [&](int f, double& s2, double& s3) {
    double widest = 0.0;
    s2 = s3 = 0.0;
    for (double v : jackknife) {
      const double d = scaled(mean - scaled(v, e), f);
      widest = std::max(widest, std::abs(d));
      s2 += d * d;
      s3 += d * d * d;
    }
    return widest;
  };
  double s2 = 0.0, s3 = 0.0;
  const double widest = sums(0, s2, s3);
  const int f = magnitude_exponent(std::span<const double>(&widest, 1), 300);
  if (f != 0) sums(f, s2, s3);
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
  const auto argument = [&](double z) {
    const double shifted = z0 + z;
    return z0 + shifted / (1.0 - a * shifted);
  };
  const double lo = argument(z_alpha), hi = argument(-z_alpha);
  // boost refuses NaN (an internal error); say why instead.
  if (std::isnan(lo) || std::isnan(hi))
    return Interval::undefined("BCa is undefined: the jackknife acceleration is not a finite number");
  return Interval::of(quantile_type7(sorted, cdf(standard_normal, lo)),
                      quantile_type7(sorted, cdf(standard_normal, hi)));
}

}  // namespace referee
