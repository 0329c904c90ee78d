// The two-sided one-sample Kolmogorov-Smirnov distribution, computed as scipy.stats.kstwo
// does (scipy/stats/_ksstats.py, _kolmogn with cdf=False): the same method for the same
// (n, d), so that referee's p-values agree with scipy's, approximations included.
//
// References:
//   Simard R, L'Ecuyer P (2011). Computing the two-sided Kolmogorov-Smirnov distribution.
//     J. Stat. Softw. 39(11). (Which method where; the Ruben-Gambino end formulas.)
//   Durbin J (1968); Marsaglia G, Tsang WW, Wang J (2003). Evaluating Kolmogorov's
//     distribution. J. Stat. Softw. 8(18). (The matrix power.)
//   Pomeranz J (1974). Exact cumulative distribution of the Kolmogorov-Smirnov statistic
//     for small samples (Algorithm 487). CACM 17(12).
//   Pelz W, Good IJ (1976). Approximating the lower tail-areas of the Kolmogorov-Smirnov
//     one-sample statistic. JRSS B 38(2).
//   Birnbaum ZW, Tingey FH (1951). One-sided confidence contours for probability
//     distribution functions. Ann. Math. Statist. 22(4). (The one-sided D+ tail.)
//   van Mulbregt P (2018). Computing the CDF and quantiles of the one-sided
//     Kolmogorov-Smirnov statistic. arXiv:1802.06966. (scipy.special.smirnov.)

#include "drift/kolmogorov_distribution.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include <Eigen/Dense>
#include <boost/math/special_functions/factorials.hpp>

namespace referee {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
// Intermediate results are rescaled by 2^128 to stay inside double's range, as in scipy.
constexpr int kScaleBits = 128;
constexpr double kTwoPow128 = 0x1p128;
constexpr double kTwoPowMinus128 = 0x1p-128;

double clip_probability(double p) { return std::clamp(p, 0.0, 1.0); }

// log(n! / n^n) by Stirling's series with n log n cancelled analytically; scipy's
// _log_nfactorial_div_n_pow_n, whose coefficients are B_2j / (2j (2j - 1)).
double log_factorial_over_power(double n) {
  static constexpr double kCoefficients[] = {
      -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
      8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
      -2.7777777777777777778e-3, 8.3333333333333333333e-2};
  const double rn = 1.0 / n;
  const double y = rn / n;
  double series = 0.0;
  for (double c : kCoefficients) series = series * y + c;
  return std::log(n) / 2 - n + std::log(2 * kPi) / 2 + rn * series;
}

// delta(k) = log(k!) - [(k + 1/2) log k - k + log(2 pi) / 2], k >= 1. Keeping it apart
// lets log C(n, v) be formed without the n log n terms that would cancel.
double stirling_error(double k) {
  if (k < 16) {
    return std::log(boost::math::factorial<double>(static_cast<unsigned>(k))) - (k + 0.5) * std::log(k) + k -
           std::log(2 * kPi) / 2;
  }
  const double r = 1.0 / k;
  const double r2 = r * r;
  // 1/(12k) - 1/(360k^3) + 1/(1260k^5) - 1/(1680k^7) + 1/(1188k^9); the next term is < 3e-16.
  return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 / 1188))));
}

// Multiplies a matrix by a power of two so its largest entry is near 1, adding the
// power to `exponent`: powers of the Durbin matrix grow like e^n.
void normalise(Eigen::MatrixXd& m, long& exponent) {
  const double largest = m.cwiseAbs().maxCoeff();
  if (!(largest > 0) || !std::isfinite(largest)) return;
  const int e = std::ilogb(largest);
  m *= std::ldexp(1.0, -e);
  exponent += e;
}

// P(D_n <= d) by Durbin's matrix: with d = (k - h) / n, it is n!/n^n times the (k, k)
// entry of H^n for a (2k-1)-square H (Marsaglia-Tsang-Wang). Cost O(k^3 log n).
double durbin_cdf(std::size_t n, double d) {
  if (d >= 1.0) return 1.0;
  const double nd = static_cast<double>(n) * d;
  if (nd <= 0.5) return 0.0;
  const auto k = static_cast<Eigen::Index>(std::ceil(nd));
  const double h = static_cast<double>(k) - nd;
  const Eigen::Index m = 2 * k - 1;

  // first column v (and, reversed, the last row): (1 - h^j) / j!, with the corner
  // corrected; inside, H(r, c) = 1 / (r - c + 1)! on and below the superdiagonal.
  std::vector<double> v(static_cast<std::size_t>(m)), inverse_factorial(static_cast<std::size_t>(m));
  double fac = 1.0;
  for (Eigen::Index j = 1; j <= m; ++j) {
    inverse_factorial[static_cast<std::size_t>(j - 1)] = fac;
    fac /= static_cast<double>(j);  // may underflow for large m: those entries are negligible
    v[static_cast<std::size_t>(j - 1)] = (1.0 - std::pow(h, static_cast<double>(j))) * fac;
  }
  const double corner = std::pow(std::max(2 * h - 1.0, 0.0), static_cast<double>(m)) -
                        2 * std::pow(h, static_cast<double>(m));
  v.back() = (1.0 + corner) * fac;

  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(m, m);
  for (Eigen::Index c = 1; c < m; ++c)
    for (Eigen::Index r = c - 1; r < m; ++r) H(r, c) = inverse_factorial[static_cast<std::size_t>(r - c + 1)];
  for (Eigen::Index r = 0; r < m; ++r) H(r, 0) = v[static_cast<std::size_t>(r)];
  for (Eigen::Index c = 0; c < m; ++c) H(m - 1, c) = v[static_cast<std::size_t>(m - 1 - c)];

  // H^n by repeated squaring; both factors carry a binary exponent of their own.
  Eigen::MatrixXd power = Eigen::MatrixXd::Identity(m, m);
  long power_exponent = 0;
  long h_exponent = 0;
  for (std::size_t rest = n; rest > 0; rest /= 2) {
    if (rest % 2) {
      power = power * H;
      power_exponent += h_exponent;
      normalise(power, power_exponent);
    }
    if (rest > 1) {
      H = H * H;
      h_exponent *= 2;
      normalise(H, h_exponent);
    }
  }

  // times n!/n^n = sqrt(2 pi n) e^(delta(n)) e^(-n), with e^(-n) = 2^-q e^r: O(1) where
  // scipy multiplies n factors i/n (the same number to rounding). ln 2 is split in two so
  // that q ln2_hi is exact and r = q ln 2 - n keeps full precision.
  const double nn = static_cast<double>(n);
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 32 significant bits
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const double q = std::floor(nn / std::numbers::ln2);
  const double r = (q * kLn2Hi - nn) + q * kLn2Lo;
  const double p = power(k - 1, k - 1) * std::sqrt(2 * kPi * nn) * std::exp(stirling_error(nn) + r);
  const long exponent = std::clamp<long>(power_exponent - static_cast<long>(q), -100000, 100000);
  return clip_probability(std::ldexp(p, static_cast<int>(exponent)));
}

// The first and last non-zero entries of row i of Pomeranz's table (scipy's
// _pomeranz_compute_j1j2).
void pomeranz_row_bounds(long i, long n, long ll, long ceilf, long roundf, long& j1, long& j2) {
  long lo, hi;
  if (i == 0) {
    lo = -ll - ceilf - 1;
    hi = ll + ceilf - 1;
  } else {
    const long half = (i + 1) / 2;
    if ((i + 1) % 2 == 0) {
      if (half == n + 1) {
        lo = n - ll - ceilf - 1;
        hi = n + ll + ceilf - 1;
      } else {
        lo = half - 1 - ll - roundf - 1;
        hi = half + ll - 1 + ceilf - 1;
      }
    } else {
      lo = half - 1 - ll - 1;
      hi = half + ll + roundf - 1;
    }
  }
  j1 = std::max(lo + 2, 0L);
  j2 = std::min(hi, n);
}

// P(D_n <= x) by Pomeranz's recursion: 2n + 1 rows, each the convolution of the one
// before with truncated Poisson weights; the answer is n! times the last entry. Only the
// two current rows, and only their few non-zero entries, are kept.
double pomeranz_cdf(std::size_t n_size, double x) {
  const long n = static_cast<long>(n_size);
  const double nd = static_cast<double>(n_size);
  const double t = nd * x;
  const long ll = static_cast<long>(std::floor(t));
  const double f = t - static_cast<double>(ll);
  const double g = std::min(f, 1.0 - f);
  const long ceilf = f > 0 ? 1 : 0;
  const long roundf = f > 0.5 ? 1 : 0;
  const long width = 2 * (ll + 1);  // the most entries a row can hold
  const auto w = static_cast<std::size_t>(width);

  // (a/n)^m / m! for a = g, 2g, 1 - 2g: Poisson weights without their normalising factor
  std::vector<double> g_powers(w), two_g_powers(w), one_minus_two_g_powers(w);
  g_powers[0] = two_g_powers[0] = one_minus_two_g_powers[0] = 1.0;
  for (std::size_t m = 1; m < w; ++m) {
    const double md = static_cast<double>(m);
    g_powers[m] = g_powers[m - 1] * (g / nd) / md;
    two_g_powers[m] = two_g_powers[m - 1] * (2 * g / nd) / md;
    one_minus_two_g_powers[m] = one_minus_two_g_powers[m - 1] * ((1 - 2 * g) / nd) / md;
  }

  std::vector<double> previous(w, 0.0), current(w, 0.0);
  current[0] = 1.0;
  long current_start = 0, previous_start = 0;  // the j that position 0 of each row holds
  long exponent = 0;
  long j1, j2;
  pomeranz_row_bounds(0, n, ll, ceilf, roundf, j1, j2);
  for (long i = 1; i <= 2 * n + 1; ++i) {
    const long k1 = j1;
    std::swap(previous, current);
    std::swap(previous_start, current_start);
    std::fill(current.begin(), current.end(), 0.0);
    pomeranz_row_bounds(i, n, ll, ceilf, roundf, j1, j2);
    const std::vector<double>& weights =
        (i == 1 || i == 2 * n + 1) ? g_powers : (i % 2 ? two_g_powers : one_minus_two_g_powers);
    const long span = j2 - k1 + 1;
    if (span <= 0) continue;
    // entry j of the new row = sum over l of previous(k1 + l) * weights(j - k1 - l)
    const long offset = k1 - previous_start;
    const long terms = std::min(span, width);
    double largest = 0.0;
    for (long j = j1; j <= j2 && j - j1 < width; ++j) {
      const long c = j - k1;  // index into the full convolution
      double sum = 0.0;
      const long l_end = std::min({c, terms - 1, width - 1 - offset});
      for (long l = std::max({0L, c - terms + 1, -offset}); l <= l_end; ++l)
        sum += previous[static_cast<std::size_t>(offset + l)] * weights[static_cast<std::size_t>(c - l)];
      current[static_cast<std::size_t>(j - j1)] = sum;
      largest = std::max(largest, sum);
    }
    if (largest > 0 && largest < kTwoPowMinus128) {
      for (double& e : current) e *= kTwoPow128;
      exponent -= kScaleBits;
    }
    current_start = previous_start + j1 - k1;
  }

  double answer = current[static_cast<std::size_t>(n - current_start)];
  for (long m = 1; m <= n; ++m) {
    if (std::abs(answer) > kTwoPow128) {
      answer *= kTwoPowMinus128;
      exponent += kScaleBits;
    }
    answer *= static_cast<double>(m);
  }
  return clip_probability(std::ldexp(answer, static_cast<int>(exponent)));
}

// The Pelz-Good approximation to P(D_n <= x): the Li-Chien/Korolyuk expansion
// K0 + K1/sqrt(n) + K2/n + K3/n^1.5 in z = sqrt(n) x, rewritten through Jacobi's theta
// identity into series that converge fast for small z. Not clipped (scipy's is not).
double pelz_good_cdf(std::size_t n, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double pi2 = kPi * kPi, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
  const double sqrt_2pi = std::sqrt(2 * kPi);
  const double nd = static_cast<double>(n);
  const double z = std::sqrt(nd) * x;
  const double z2 = z * z, z3 = std::pow(z, 3), z4 = std::pow(z, 4), z6 = std::pow(z, 6);

  const double qlog = -pi2 / 8 / z2;
  if (qlog < -708) return 0.0;  // every term underflows (z below about 0.0417)
  double q = std::exp(qlog);

  // K_i as sums over odd m = 2k - 1 of (polynomial in m^2) q^(m^2), by Horner in q^(8k)
  const double k1a = -z2, k1b = pi2 / 4;
  const double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4, k2c = pi4 * (1 - 2 * z2) / 16;
  const double k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16,
               k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * std::pow(z, 8);
  double K[4] = {0, 0, 0, 0};
  const long max_k = static_cast<long>(std::ceil(16 * z / kPi));
  for (long k = max_k; k > 0; --k) {
    const double m = static_cast<double>(2 * k - 1);
    const double m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
    const double q_power = std::pow(q, static_cast<double>(8 * k));
    const double coefficients[4] = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                                    k3a + k3b * m2 + k3c * m4 + k3d * m6};
    for (int i = 0; i < 4; ++i) K[i] = K[i] * q_power + coefficients[i];
  }
  const double divisors[4] = {z, 6 * z4, 72 * std::pow(z, 7), 6480 * std::pow(z, 10)};
  for (int i = 0; i < 4; ++i) K[i] = K[i] * q * sqrt_2pi / divisors[i];

  // the remaining terms of K2 and K3, sums over all k of (poly in k^2) q'^(k^2)
  q = std::exp(-pi2 / 2 / z2);
  const double sqrt3z = std::sqrt(3.0) * z;
  double k2extra = 0.0, k3extra = 0.0;
  for (long k = max_k; k > 0; --k) {
    const double kd = static_cast<double>(k);
    const double k2 = kd * kd;
    const double q_power = std::pow(q, k2);
    const double kpi = kPi * kd;
    k2extra += k2 * q_power;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * q_power;
  }
  K[2] += k2extra * (pi2 * sqrt_2pi / (-36 * z3));
  K[3] += k3extra * (pi2 * sqrt_2pi / (216 * z6));
  K[1] /= std::pow(nd, 0.5);
  K[2] /= nd;
  K[3] /= std::pow(nd, 1.5);
  return K[0] + K[1] + K[2] + K[3];
}

}  // namespace

double smirnov_sf(std::size_t n, double d) {
  if (std::isnan(d) || n == 0) return kNaN;
  if (d <= 0.0) return 1.0;
  if (d >= 1.0) return 0.0;
  if (n == 1) return 1.0 - d;
  const double nd = static_cast<double>(n);

  // n d = whole + frac, exactly enough that 1 - d - v/n = (n - v - whole - frac) / n
  // keeps full relative precision in the last terms.
  const double nx = nd * d;
  const double nx_error = std::fma(nd, d, -nx);
  double whole = std::floor(nx);
  if (whole == nx && nx_error < 0) whole -= 1;
  double frac = (nx - whole) + nx_error;
  if (frac >= 1.0) {
    whole += 1;
    frac = 0.0;
  }

  if (whole == 0 || (whole == 1 && frac == 0)) return 1.0 - d * std::exp((nd - 1) * std::log1p(d));  // d <= 1/n
  constexpr double kMinLog = -7.08396418532264106224e2;  // log of the smallest normal double
  if (-2 * nd * d * d < kMinLog) return 0.0;
  if (whole >= nd - 1) return std::exp(nd * std::log1p(-d));  // d >= 1 - 1/n: (1 - d)^n
  if (n > 1000000) {
    // scipy does not sum beyond a million terms; it uses exp(-(6nd + 1)^2 / 18n)
    const double logp = -std::pow(6.0 * nd * d + 1, 2) / 18.0 / nd;
    if (logp < -std::numbers::ln2) return std::exp(logp);
    return 1.0 - (-std::expm1(logp));
  }

  // Birnbaum-Tingey: sum over v = 0 .. floor(n (1 - d)) of
  //   C(n, v) d (d + v/n)^(v-1) (1 - d - v/n)^(n-v),
  // all terms positive. With m = n d, term v is rewritten by Stirling's formula as
  //   m/(v + m) sqrt(n / (2 pi v (n-v))) (1 + m/v)^v (1 - m/(n-v))^(n-v)
  //   exp(delta(n) - delta(v) - delta(n-v)),
  // whose logarithms are of the size of m, not n log n, so rounding stays near 1e-16 m.
  // Up to n terms: about 40 ns each.
  const auto last = n - static_cast<std::size_t>(whole) - 1;
  const double delta_n = stirling_error(nd);
  double sum = std::exp(nd * std::log1p(-d));  // v = 0: (1 - d)^n
  double compensation = 0.0;                  // Neumaier summation
  for (std::size_t v = 1; v <= last; ++v) {
    const double vd = static_cast<double>(v);
    const double rest = static_cast<double>(n - v);
    const double ratio = nx / rest;
    const double log_upper = ratio < 0.5 ? std::log1p(-ratio) : std::log(((rest - whole) - frac) / rest);
    const double exponent = vd * std::log1p(nx / vd) + rest * log_upper + delta_n - stirling_error(vd) -
                            stirling_error(rest);
    const double term = nx / (vd + nx) * std::sqrt(nd / (2 * kPi * vd * rest)) * std::exp(exponent);
    const double s = sum + term;
    compensation += std::abs(sum) >= std::abs(term) ? (sum - s) + term : (term - s) + sum;
    sum = s;
    // stop once what is left cannot move the sum (terms fall off past the peak)
    if (term != 0.0) {
      if (4 * static_cast<double>(last + 1 - v) * term < kEpsilon * sum && v != last) break;
    } else if (v > n / 2) {
      break;
    }
  }
  return clip_probability(sum + compensation);
}

double kolmogorov_sf(std::size_t n, double d) {
  if (std::isnan(d) || n == 0) return kNaN;
  if (d >= 1.0) return 0.0;
  if (d <= 0.0) return 1.0;
  const double nd = static_cast<double>(n);
  const double t = nd * d;
  if (t <= 1.0) {
    // Ruben-Gambino: for 1/2n <= d <= 1/n, P(D_n <= d) = n!/n^n (2t - 1)^n
    if (t <= 0.5) return 1.0;
    double cdf;
    if (n <= 140) {
      cdf = 1.0;
      const double inverse_n = 1.0 / nd;
      for (std::size_t i = 1; i <= n; ++i) cdf *= (static_cast<double>(i) * inverse_n) * (2 * t - 1);
    } else {
      cdf = std::exp(log_factorial_over_power(nd) + nd * std::log(2 * t - 1));
    }
    return clip_probability(1.0 - cdf);
  }
  if (t >= nd - 1) return clip_probability(2 * std::pow(1.0 - d, nd));  // Ruben-Gambino
  // From d = 1/2 on, D+ > d and D- > d cannot both hold, so the tail is twice D+'s.
  if (d >= 0.5) return clip_probability(2 * smirnov_sf(n, d));

  const double nxx = t * d;
  if (n <= 140) {
    if (nxx <= 0.754693) return clip_probability(1.0 - durbin_cdf(n, d));
    if (nxx <= 4) return clip_probability(1.0 - pomeranz_cdf(n, d));
    return clip_probability(2 * smirnov_sf(n, d));  // Miller's approximation
  }
  if (nxx >= 370.0) return 0.0;
  if (nxx >= 2.2) return clip_probability(2 * smirnov_sf(n, d));
  // (scipy's cut at n d^2 >= 18, where the CDF is taken as 1, only matters below 2.2 for the CDF)
  const double cdf = (n <= 100000 && nd * std::pow(d, 1.5) <= 1.4) ? durbin_cdf(n, d) : pelz_good_cdf(n, d);
  return clip_probability(1.0 - cdf);
}

}  // namespace referee
