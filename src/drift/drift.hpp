#pragma once
// Distribution shift between a reference sample (the data a model was validated on) and
// the current one. Each statistic is defined as its peer computes it, so an auditor can
// rerun it there: PSI from its textbook formula over reference-quantile bins, the KS test
// as scipy.stats.ks_2samp, Wasserstein-1 as scipy.stats.wasserstein_distance, the
// Jensen-Shannon distance as scipy.spatial.distance.jensenshannon(base=2) and the
// chi-square test as scipy.stats.chi2_contingency(correction=False).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <referee/evaluation.hpp>

namespace referee {

// The share given to an empty bin in PSI, so that ln(c / r) stays finite. Shares are not
// renormalised afterwards, as in the usual credit-risk practice.
inline constexpr double kPsiEmptyShare = 1e-4;

// PSI = sum (c - r) ln(c / r) over bins, r and c the reference and current shares.
MetricValue psi_from_counts(std::span<const std::size_t> reference, std::span<const std::size_t> current);

// Jensen-Shannon distance in bits, sqrt of the JS divergence, in [0, 1].
MetricValue js_distance_from_counts(std::span<const std::size_t> reference, std::span<const std::size_t> current);

struct KsTest {
  double statistic = 0.0;
  double pvalue = 1.0;
  std::string_view method;  // "exact" or "asymp"
};

// Two-sided two-sample KS test on sorted, non-empty samples, as ks_2samp(method="auto"):
// the exact lattice-path count when neither sample exceeds 10 000 values (the statistic
// then rounded to the lattice, as scipy reports it), else the Kolmogorov distribution
// with n = round(n1 n2 / (n1 + n2)).
KsTest ks_2samp(std::span<const double> sorted_reference, std::span<const double> sorted_current);

// P(D >= h / lcm(m, n)) under the null for the two-sample statistic: exact, from the
// lattice-path recursion for 1 - p (Hodges 1958; Viehmann 2021, arXiv:2102.08037).
double ks_2samp_exact_pvalue(std::size_t m, std::size_t n, std::int64_t h);

// Wasserstein-1 between the empirical distributions of two sorted, non-empty samples:
// the integral of |F_u - F_v|.
double wasserstein_1(std::span<const double> sorted_u, std::span<const double> sorted_v);


// Bins are left-closed at the edges as numpy.searchsorted(edges, x, side="left"): a value
// equal to an edge falls in the bin below it. Edges are the type-7 quantiles of the
// reference, deduplicated, so a heavily tied reference yields fewer, wider bins.
NumericDrift numeric_drift(std::span<const double> reference, std::span<const double> current, std::size_t bins = 10);


// Both samples as codes into one dictionary; categories seen in neither are left out.
CategoricalDrift categorical_drift(std::span<const std::uint32_t> reference, std::span<const std::uint32_t> current,
                                   std::span<const std::string> dictionary);

}  // namespace referee
