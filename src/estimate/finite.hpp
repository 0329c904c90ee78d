#pragma once
// The safety net for extreme but finite inputs (issue 14, class 4): a figure that is not a
// finite number is undefined, with this reason, before it can reach a decision or a report.
// Where a sum or square could overflow, the figures are computed on values scaled by a
// power of two (exact), so this reason is left for results that truly exceed a double.

#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>

#include <referee/vocabulary.hpp>

namespace referee {

inline constexpr std::string_view kBeyondDouble = "the value lies beyond the range of a double";

inline MetricValue finite_or_undefined(MetricValue v) {
  return v.defined && !std::isfinite(v.value) ? MetricValue::undefined(kBeyondDouble) : v;
}

inline Interval finite_or_undefined(Interval i) {
  return i.defined && !(std::isfinite(i.lo) && std::isfinite(i.hi)) ? Interval::undefined(std::string(kBeyondDouble))
                                                                      : i;
}

// The exponent e for which values * 2^-e keep sums of squares and cubes finite and nonzero,
// or 0 when their largest magnitude lies within [2^-limit, 2^limit].
inline int magnitude_exponent(std::span<const double> values, int limit) {
  double m = 0.0;
  for (double v : values) m = std::max(m, std::abs(v));
  if (!(m > 0.0) || !std::isfinite(m)) return 0;
  const int e = std::ilogb(m);
  return e > limit || e < -limit ? e : 0;
}

// The sample standard deviation (n - 1), computed on values scaled by a power of two when
// their squares could overflow: bit-for-bit the plain formula otherwise.
inline double sample_standard_deviation(std::span<const double> values) {
  const int e = magnitude_exponent(values, 500);
  const auto at = [&](std::size_t i) { return e == 0 ? values[i] : std::ldexp(values[i], -e); };
  double mean = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) mean += at(i);
  mean /= static_cast<double>(values.size());
  double ss = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) ss += (at(i) - mean) * (at(i) - mean);
  return std::ldexp(std::sqrt(ss / static_cast<double>(values.size() - 1)), e);
}

}  // namespace referee
