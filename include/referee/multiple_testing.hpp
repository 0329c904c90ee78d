#pragma once
// Family-wise error control over K hypotheses judged together (the segments of an
// each_segment rule): Bonferroni, and Holm's step-down, which is uniformly more powerful
// at the same family-wise error rate.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace referee {

enum class Correction { none, bonferroni, holm };

inline std::string_view correction_name(Correction c) {
  switch (c) {
    case Correction::none: return "none";
    case Correction::bonferroni: return "bonferroni";
    case Correction::holm: return "holm";
  }
  return "none";
}

inline std::optional<Correction> correction_from_name(std::string_view name) {
  for (Correction c : {Correction::none, Correction::bonferroni, Correction::holm})
    if (correction_name(c) == name) return c;
  return std::nullopt;
}

// Adjusted p-values, in input order: a hypothesis is rejected at level alpha exactly when
// its adjusted p-value is <= alpha. Holm's are the step-down values
//   p~(j) = max_{k <= j} min(1, (K - k + 1) p(k))   over the ascending order p(1) <= ... <= p(K),
// as statsmodels' multipletests(method="holm") returns them.
inline std::vector<double> adjusted_p_values(std::span<const double> p, Correction c) {
  for (double v : p)
    if (std::isnan(v) || v < 0.0 || v > 1.0) throw std::invalid_argument("p-values must lie in [0, 1]");
  const std::size_t K = p.size();
  std::vector<double> out(p.begin(), p.end());
  if (c == Correction::none) return out;
  if (c == Correction::bonferroni) {
    for (double& v : out) v = std::min(1.0, static_cast<double>(K) * v);
    return out;
  }
  // Ties are ordered by position so the result depends only on the values.
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

inline std::vector<bool> rejected(std::span<const double> p, double alpha, Correction c) {
  const std::vector<double> adjusted = adjusted_p_values(p, c);
  std::vector<bool> out(adjusted.size());
  for (std::size_t i = 0; i < adjusted.size(); ++i) out[i] = adjusted[i] <= alpha;
  return out;
}

// The level the procedure compares the p-value of ascending rank `rank` (0-based) with.
inline double per_test_level(std::size_t K, std::size_t rank, double alpha, Correction c) {
  switch (c) {
    case Correction::none: return alpha;
    case Correction::bonferroni: return alpha / static_cast<double>(K);
    case Correction::holm: return alpha / static_cast<double>(K - rank);
  }
  return alpha;
}

}  // namespace referee
