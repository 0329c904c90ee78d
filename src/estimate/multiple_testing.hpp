#pragma once
// Family-wise error control over K hypotheses judged together (the segments of an
// each_segment rule): Bonferroni, and Holm's step-down, which is uniformly more powerful
// at the same family-wise error rate (Holm 1979).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <referee/vocabulary.hpp>

namespace referee {


// Adjusted p-values, in input order: a hypothesis is rejected at level alpha exactly when
// its adjusted p-value is <= alpha. Holm's are the step-down values
//   p~(j) = max_{k <= j} min(1, (K - k + 1) p(k))   over the ascending order p(1) <= ... <= p(K),
// as statsmodels' multipletests(method="holm") returns them. Every p must lie in [0, 1];
// a NaN (an undefined test) throws rather than silently ordering anywhere. K = 0 gives {}.
inline std::vector<double> adjusted_p_values(std::span<const double> p, Correction c) {
  for (std::size_t i = 0; i < p.size(); ++i)
    if (!(p[i] >= 0.0 && p[i] <= 1.0))  // also false for NaN
      throw std::invalid_argument("p-value " + std::to_string(i) + " is " + std::to_string(p[i]) +
                                  "; p-values must lie in [0, 1]");
  const std::size_t K = p.size();
  std::vector<double> out(p.begin(), p.end());
  if (c == Correction::none) return out;
  if (c == Correction::bonferroni) {
    for (double& v : out) v = std::min(1.0, static_cast<double>(K) * v);
    return out;
  }
  // Tied p-values all receive the adjusted value of the first of them in the order (the
  // running max carries its larger multiplier forward), so the order among ties cannot
  // matter; the stable sort just makes that order well defined.
  std::vector<std::size_t> order(K);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  double running = 0.0;
  for (std::size_t rank = 0; rank < K; ++rank) {
    const std::size_t i = order[rank];
    running = std::max(running, std::min(1.0, static_cast<double>(K - rank) * p[i]));
    out[i] = running;
  }
  return out;
}

// Which hypotheses the procedure rejects at family-wise level alpha, in input order.
inline std::vector<bool> rejected(std::span<const double> p, double alpha, Correction c) {
  const std::vector<double> adjusted = adjusted_p_values(p, c);
  std::vector<bool> out(adjusted.size());
  for (std::size_t i = 0; i < adjusted.size(); ++i) out[i] = adjusted[i] <= alpha;
  return out;
}

// The level the procedure compares the p-value of ascending rank `rank` (0-based) with,
// for reporting "the level this segment was judged at". Holm stops at the first rank
// whose p-value exceeds its level; later ranks are retained whatever their level says.
// rank must be < K: outside the family there is no level, and K - rank would wrap.
inline double per_test_level(std::size_t K, std::size_t rank, double alpha, Correction c) {
  if (rank >= K)
    throw std::invalid_argument("rank " + std::to_string(rank) + " is outside a family of " + std::to_string(K) +
                                " hypotheses");
  switch (c) {
    case Correction::none: return alpha;
    case Correction::bonferroni: return alpha / static_cast<double>(K);
    case Correction::holm: return alpha / static_cast<double>(K - rank);
  }
  return alpha;
}

}  // namespace referee
