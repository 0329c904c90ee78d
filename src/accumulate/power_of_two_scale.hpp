#pragma once
// Power-of-two scaling of a column, so that sums and squares of extreme but finite values
// (1e300, 1e-300, denormals) neither overflow nor underflow. Multiplying by 2^k is exact in
// binary floating point (short of underflow), and so is every sum, product, quotient and
// square root of scaled values: a ratio of scaled sums is bit-for-bit the unscaled one.
// Columns in the ordinary range are never scaled, so ordinary results do not change at all.

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <span>
#include <vector>

#include <referee/vocabulary.hpp>

namespace referee {

// The largest |v| of the columns (0 when all are empty or zero).
inline double max_magnitude(std::initializer_list<std::span<const double>> columns) {
  double m = 0.0;
  for (std::span<const double> c : columns)
    for (double v : c) m = std::max(m, std::abs(v));
  return m;
}

// The exponent e to scale by 2^-e so that the largest magnitude lies in [1, 2), or 0 when
// it already lies within [2^-limit, 2^limit] (or is 0): the columns are then left alone.
inline int scale_exponent(double max_magnitude, int limit) {
  if (!(max_magnitude > 0.0) || !std::isfinite(max_magnitude)) return 0;
  const int e = std::ilogb(max_magnitude);
  return e > limit || e < -limit ? e : 0;
}

// values * 2^-e, exactly (ldexp handles exponents beyond a double's 2^1023).
inline std::vector<double> scaled_copy(std::span<const double> values, int e) {
  std::vector<double> out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = std::ldexp(values[i], -e);
  return out;
}

// A column scaled when its magnitude needs it; else a view of the original, copied never.
struct ScaledColumn {
  std::vector<double> storage;
  std::span<const double> values;
  int exponent = 0;  // values = original * 2^-exponent

  ScaledColumn() = default;
  ScaledColumn(std::span<const double> original, int e) : exponent(e) {
    if (e == 0) {
      values = original;
    } else {
      storage = scaled_copy(original, e);
      values = storage;
    }
  }
  // A move keeps `storage`'s buffer, so `values` stays valid; a copy would not.
  ScaledColumn(ScaledColumn&&) = default;
  ScaledColumn& operator=(ScaledColumn&&) = default;
  ScaledColumn(const ScaledColumn&) = delete;
  ScaledColumn& operator=(const ScaledColumn&) = delete;
};

// Weights enter every metric only through ratios of weighted sums, so any power of two
// serves; 2^64 on either side keeps n * w and w * x^2 far from both ends of the range.
inline constexpr int kWeightScaleLimit = 64;

// A figure in the data's units from one computed on values scaled by 2^-e; beyond the
// range of a double it is undefined, never infinite.
inline MetricValue unscaled(double v, int e) {
  const double x = std::ldexp(v, e);
  return std::isfinite(x) ? MetricValue::of(x) : MetricValue::undefined("the value lies beyond the range of a double");
}

}  // namespace referee
