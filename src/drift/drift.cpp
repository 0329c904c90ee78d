#include "drift/drift.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <boost/math/special_functions/gamma.hpp>

#include "estimate/interval.hpp"
#include "drift/kolmogorov_distribution.hpp"

namespace referee {

namespace {

constexpr std::string_view kEmptySample = "the reference or the current sample has no values";

std::vector<double> shares_of(std::span<const std::size_t> counts) {
  const double total = static_cast<double>(std::accumulate(counts.begin(), counts.end(), std::size_t{0}));
  std::vector<double> shares(counts.size());
  for (std::size_t i = 0; i < counts.size(); ++i) shares[i] = static_cast<double>(counts[i]) / total;
  return shares;
}

bool empty_total(std::span<const std::size_t> counts) {
  return std::all_of(counts.begin(), counts.end(), [](std::size_t c) { return c == 0; });
}

// x ln(x / y), with 0 ln 0 = 0 (scipy.special.rel_entr for y > 0).
double relative_entropy_term(double x, double y) { return x > 0.0 ? x * std::log(x / y) : 0.0; }

// The number of values <= x in a sorted sample, advancing a cursor that only moves up.
std::size_t advance_through(std::span<const double> sorted, std::size_t cursor, double x) {
  while (cursor < sorted.size() && sorted[cursor] <= x) ++cursor;
  return cursor;
}

// scipy's closed form for m == n: P = 2 sum_k (-1)^(k+1) C(2n, n - k h) / C(2n, n),
// evaluated in Horner form to avoid the cancellation of the alternating sum.
double prob_outside_square(std::int64_t n, std::int64_t h) {
  double p = 0.0;
  for (std::int64_t k = n / h; k >= 0; --k) {
    double ratio = 1.0;
    for (std::int64_t j = 0; j < h; ++j)
      ratio = static_cast<double>(n - k * h - j) * ratio / static_cast<double>(n + k * h + j + 1);
    p = ratio * (1.0 - p);
  }
  return 2.0 * p;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

}  // namespace

MetricValue psi_from_counts(std::span<const std::size_t> reference, std::span<const std::size_t> current) {
  if (empty_total(reference) || empty_total(current)) return MetricValue::undefined(kEmptySample);
  const auto r = shares_of(reference), c = shares_of(current);
  double psi = 0.0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const double ri = r[i] == 0.0 ? kPsiEmptyShare : r[i];
    const double ci = c[i] == 0.0 ? kPsiEmptyShare : c[i];
    psi += (ci - ri) * std::log(ci / ri);
  }
  return MetricValue::of(psi);
}

MetricValue js_distance_from_counts(std::span<const std::size_t> reference, std::span<const std::size_t> current) {
  if (empty_total(reference) || empty_total(current)) return MetricValue::undefined(kEmptySample);
  const auto p = shares_of(reference), q = shares_of(current);
  double left = 0.0, right = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double m = (p[i] + q[i]) / 2.0;
    left += relative_entropy_term(p[i], m);
    right += relative_entropy_term(q[i], m);
  }
  const double divergence = (left + right) / std::log(2.0);
  // Rounding can leave a hair below zero for identical distributions.
  return MetricValue::of(std::sqrt(std::max(divergence / 2.0, 0.0)));
}

double ks_2samp_exact_pvalue(std::size_t m_in, std::size_t n_in, std::int64_t h) {
  if (h <= 0) return 1.0;
  auto m = static_cast<std::int64_t>(std::max(m_in, n_in));
  auto n = static_cast<std::int64_t>(std::min(m_in, n_in));
  if (m == n) return prob_outside_square(n, h);
  const std::int64_t g = std::gcd(m, n);
  const std::int64_t mg = m / g, ng = n / g;
  // q[j] after column i: the share of lattice paths from (0,0) to (i,j) that have touched
  // the boundary |ng i - mg j| >= h. Cells outside the band are 1; the band rises by at most
  // one cell per column (ng <= mg), so one column of storage suffices.
  std::vector<double> q(static_cast<std::size_t>(n) + 1, 1.0);
  std::int64_t maxj = std::min(ceil_div(h, mg), n + 1);
  for (std::int64_t j = 0; j < maxj; ++j) q[static_cast<std::size_t>(j)] = 0.0;
  for (std::int64_t i = 1; i <= m; ++i) {
    const std::int64_t minj = std::min(std::max(floor_div(ng * i - h, mg) + 1, std::int64_t{0}), n);
    maxj = std::min(ceil_div(ng * i + h, mg), n + 1);
    if (maxj <= minj) return 1.0;
    double below = minj == 0 ? 0.0 : 1.0;
    for (std::int64_t j = minj; j < maxj; ++j) {
      const auto ju = static_cast<std::size_t>(j);
      below = (q[ju] * static_cast<double>(i) + below * static_cast<double>(j)) / static_cast<double>(i + j);
      q[ju] = below;
    }
    if (maxj <= n) q[static_cast<std::size_t>(maxj)] = 1.0;
  }
  return q[static_cast<std::size_t>(n)];
}

KsTest ks_2samp(std::span<const double> a, std::span<const double> b) {
  const std::size_t n1 = a.size(), n2 = b.size();
  const double fn1 = static_cast<double>(n1), fn2 = static_cast<double>(n2);
  // The ECDF difference at every observed value, walked in merged order.
  double max_diff = -1.0, min_diff = 1.0;
  std::size_t i = 0, j = 0;
  while (i < n1 || j < n2) {
    const double x = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    i = advance_through(a, i, x);
    j = advance_through(b, j, x);
    const double diff = static_cast<double>(i) / fn1 - static_cast<double>(j) / fn2;
    max_diff = std::max(max_diff, diff);
    min_diff = std::min(min_diff, diff);
  }
  const double min_s = std::clamp(-min_diff, 0.0, 1.0);
  double d = min_s > max_diff ? min_s : max_diff;

  KsTest out;
  if (std::max(n1, n2) <= 10000) {
    const auto g = std::gcd(n1, n2);
    const auto lcm = static_cast<std::int64_t>((n1 / g) * n2);
    const auto h = static_cast<std::int64_t>(std::nearbyint(d * static_cast<double>(lcm)));
    d = static_cast<double>(h) / static_cast<double>(lcm);
    const double p = ks_2samp_exact_pvalue(n1, n2, h);
    if (p >= 0.0 && p <= 1.0) {
      out.statistic = d;
      out.pvalue = p;
      out.method = "exact";
      return out;
    }
  }
  const double big = std::max(fn1, fn2), small = std::min(fn1, fn2);
  const double en = big * small / (big + small);
  out.statistic = d;
  out.pvalue = std::clamp(kolmogorov_sf(static_cast<std::size_t>(std::nearbyint(en)), d), 0.0, 1.0);
  out.method = "asymp";
  return out;
}

double wasserstein_1(std::span<const double> u, std::span<const double> v) {
  const double nu = static_cast<double>(u.size()), nv = static_cast<double>(v.size());
  double total = 0.0;
  std::size_t i = 0, j = 0;
  // Between consecutive merged values the two ECDFs are constant.
  double x = std::min(u.front(), v.front());
  while (true) {
    i = advance_through(u, i, x);
    j = advance_through(v, j, x);
    if (i == u.size() && j == v.size()) break;
    const double next = j >= v.size() || (i < u.size() && u[i] <= v[j]) ? u[i] : v[j];
    total += std::abs(static_cast<double>(i) / nu - static_cast<double>(j) / nv) * (next - x);
    x = next;
  }
  return total;
}

NumericDrift numeric_drift(std::span<const double> reference, std::span<const double> current, std::size_t bins) {
  NumericDrift out;
  out.reference_n = reference.size();
  out.current_n = current.size();
  if (reference.empty() || current.empty()) {
    for (MetricValue* v : {&out.psi, &out.ks_statistic, &out.ks_pvalue, &out.wasserstein, &out.js_distance})
      *v = MetricValue::undefined(kEmptySample);
    return out;
  }
  std::vector<double> ref(reference.begin(), reference.end()), cur(current.begin(), current.end());
  std::sort(ref.begin(), ref.end());
  std::sort(cur.begin(), cur.end());

  for (std::size_t i = 1; i < bins; ++i)
    out.edges.push_back(quantile_type7(ref, static_cast<double>(i) / static_cast<double>(bins)));
  out.edges.erase(std::unique(out.edges.begin(), out.edges.end()), out.edges.end());
  const auto count_bins = [&](const std::vector<double>& sorted) {
    // Sorted values fill the bins in order: a value goes to the first edge >= it.
    std::vector<std::size_t> counts(out.edges.size() + 1, 0);
    std::size_t bin = 0;
    for (double x : sorted) {
      while (bin < out.edges.size() && out.edges[bin] < x) ++bin;
      ++counts[bin];
    }
    return counts;
  };
  out.reference_counts = count_bins(ref);
  out.current_counts = count_bins(cur);
  out.psi = psi_from_counts(out.reference_counts, out.current_counts);
  out.js_distance = js_distance_from_counts(out.reference_counts, out.current_counts);

  const KsTest ks = ks_2samp(ref, cur);
  out.ks_statistic = MetricValue::of(ks.statistic);
  out.ks_pvalue = MetricValue::of(ks.pvalue);
  out.ks_method = ks.method;
  out.wasserstein = MetricValue::of(wasserstein_1(ref, cur));
  return out;
}

CategoricalDrift categorical_drift(std::span<const std::uint32_t> reference, std::span<const std::uint32_t> current,
                                   std::span<const std::string> dictionary) {
  CategoricalDrift out;
  out.reference_n = reference.size();
  out.current_n = current.size();
  std::vector<std::size_t> ref_by_code(dictionary.size(), 0), cur_by_code(dictionary.size(), 0);
  for (std::uint32_t c : reference) ++ref_by_code[c];
  for (std::uint32_t c : current) ++cur_by_code[c];
  std::vector<std::uint32_t> seen;
  for (std::uint32_t c = 0; c < dictionary.size(); ++c)
    if (ref_by_code[c] + cur_by_code[c] > 0) seen.push_back(c);
  std::sort(seen.begin(), seen.end(), [&](std::uint32_t x, std::uint32_t y) { return dictionary[x] < dictionary[y]; });
  for (std::uint32_t c : seen) {
    out.categories.push_back(dictionary[c]);
    out.reference_counts.push_back(ref_by_code[c]);
    out.current_counts.push_back(cur_by_code[c]);
  }
  out.psi = psi_from_counts(out.reference_counts, out.current_counts);
  out.js_distance = js_distance_from_counts(out.reference_counts, out.current_counts);
  if (reference.empty() || current.empty()) {
    out.chi2_statistic = out.chi2_pvalue = MetricValue::undefined(kEmptySample);
    return out;
  }
  // Pearson's statistic on the 2 x K table; with one category there is nothing to test
  // and scipy reports 0 with p = 1 and no degrees of freedom.
  const std::size_t k = seen.size();
  out.chi2_dof = k - 1;
  if (k < 2) {
    out.chi2_statistic = MetricValue::of(0.0);
    out.chi2_pvalue = MetricValue::of(1.0);
    return out;
  }
  const double total = static_cast<double>(reference.size() + current.size());
  const double rows[2] = {static_cast<double>(reference.size()), static_cast<double>(current.size())};
  double chi2 = 0.0;
  for (std::size_t c = 0; c < k; ++c) {
    const double column = static_cast<double>(out.reference_counts[c] + out.current_counts[c]);
    const double observed[2] = {static_cast<double>(out.reference_counts[c]), static_cast<double>(out.current_counts[c])};
    for (int r = 0; r < 2; ++r) {
      const double expected = rows[r] * column / total;
      chi2 += (observed[r] - expected) * (observed[r] - expected) / expected;
    }
  }
  out.chi2_statistic = MetricValue::of(chi2);
  out.chi2_pvalue = MetricValue::of(boost::math::gamma_q(static_cast<double>(out.chi2_dof) / 2.0, chi2 / 2.0));
  return out;
}

}  // namespace referee
