#pragma once
// From replicate values to an estimate with its confidence interval, for one subject
// (champion, challenger, delta or relative delta) of one metric.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "estimate/finite.hpp"
#include "estimate/interval.hpp"
#include <referee/vocabulary.hpp>

namespace referee {


// A bootstrap distribution where the metric is undefined in more than this share of
// resamples says more about the sample than about the models; no interval is given.
inline constexpr double kMaxUndefinedShare = 0.01;

// `replicates` and `jackknife` hold NaN where the metric was undefined. A value beyond the
// range of a double (an infinity) counts as undefined too, and an interval or standard
// error that would be one is undefined with its reason (finite.hpp): the safety net that
// keeps NaN and infinity out of every decision and report.
inline Estimate estimate_from_replicates(MetricValue point, std::vector<double> replicates,
                                         std::vector<double> jackknife, IntervalMethod method,
                                         double confidence) {
  Estimate e;
  e.point = point = finite_or_undefined(point);
  e.replicates = replicates.size();
  std::erase_if(replicates, [](double v) { return !std::isfinite(v); });
  std::erase_if(jackknife, [](double v) { return !std::isfinite(v); });
  e.defined_replicates = replicates.size();
  if (!point.defined) {
    e.ci = Interval::undefined("the estimate is undefined: " + std::string(point.reason));
    return e;
  }
  const std::size_t undefined = e.replicates - e.defined_replicates;
  if (e.defined_replicates < 2 ||
      static_cast<double>(undefined) > kMaxUndefinedShare * static_cast<double>(e.replicates)) {
    e.ci = Interval::undefined("the metric is undefined in " + std::to_string(undefined) + " of " +
                               std::to_string(e.replicates) + " bootstrap resamples");
    return e;
  }
  e.standard_error = sample_standard_deviation(replicates);

  std::sort(replicates.begin(), replicates.end());
  e.distinct_replicates = replicates.empty() ? 0 : 1;
  for (std::size_t b = 1; b < replicates.size(); ++b) e.distinct_replicates += replicates[b] != replicates[b - 1];
  switch (method) {
    case IntervalMethod::percentile:
      e.ci = percentile_interval(replicates, confidence);
      break;
    case IntervalMethod::basic:
      e.ci = basic_interval(point.value, replicates, confidence);
      break;
    case IntervalMethod::bca:
      e.ci = bca_interval(point.value, replicates, jackknife, confidence);
      break;
  }
  e.ci = finite_or_undefined(e.ci);
  if (!std::isfinite(e.standard_error)) {
    e.ci = Interval::undefined(std::string(kBeyondDouble) + " (the replicates' spread)");
    e.standard_error = 0.0;
  }
  return e;
}

// A difference between the models from paired replicates: replicate b of the delta uses
// resample b of both, so its spread carries their correlation. Relative differences are
// taken against the champion's magnitude and are undefined (NaN) where it is 0.
inline std::vector<double> difference_replicates(const std::vector<double>& champion,
                                                 const std::vector<double>& challenger, bool relative) {
  std::vector<double> out(champion.size());
  for (std::size_t b = 0; b < out.size(); ++b) {
    const double delta = challenger[b] - champion[b];
    out[b] = !relative               ? delta
             : champion[b] != 0.0    ? delta / std::abs(champion[b])
                                     : std::numeric_limits<double>::quiet_NaN();
  }
  return out;
}

inline MetricValue difference_value(MetricValue champion, MetricValue challenger, bool relative) {
  if (!champion.defined) return MetricValue::undefined(champion.reason);
  if (!challenger.defined) return MetricValue::undefined(challenger.reason);
  const double delta = challenger.value - champion.value;
  if (!relative) return finite_or_undefined(MetricValue::of(delta));
  if (champion.value == 0.0)
    return MetricValue::undefined("the champion's value is 0, so a relative delta is undefined");
  return finite_or_undefined(MetricValue::of(delta / std::abs(champion.value)));
}

}  // namespace referee
