#pragma once
// The finite-sample distribution of the two-sided one-sample Kolmogorov-Smirnov
// statistic D_n = sup |F_n(x) - F(x)|, as scipy.stats.kstwo: ks_2samp's p-value for
// samples too large for the exact two-sample count uses it with n = round(n1 n2 / (n1 + n2)).

#include <cstddef>

namespace referee {

// P(D_n > d) (scipy.stats.kstwo.sf(d, n)); 1 for d <= 0 and 0 for d >= 1. n >= 1.
double kolmogorov_sf(std::size_t n, double d);

// P(D_n+ > d) for the one-sided statistic D_n+ = sup (F_n - F) (scipy.special.smirnov(n, d));
// 1 for d <= 0 and 0 for d >= 1. kolmogorov_sf is twice this for d >= 1/2.
double smirnov_sf(std::size_t n, double d);

}  // namespace referee
