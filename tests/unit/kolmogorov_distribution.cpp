// The Kolmogorov-Smirnov distribution against scipy (tests/fixtures/kolmogorov_cases.json,
// written by make_kolmogorov_fixtures.py): every method scipy switches between, on both
// sides of each cut-off, from n = 1 to n = 2,000,000.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "drift/kolmogorov_distribution.hpp"

#include "test_support.hpp"

using namespace referee;
using referee_test::load_fixture;

namespace {

// scipy's value to 1e-9 relative; exact where scipy answers exactly 0 or 1, and below
// 1e-300 only as far as a denormal can be compared: to within 1e-300.
void check_against_scipy(double got, double expected, std::size_t n, double d, const std::string& what) {
  if (expected == 0.0 || expected == 1.0) {
    CHECK_MESSAGE(got == expected, what << " n=" << n << " d=" << d << ": got " << got << ", scipy " << expected);
  } else if (expected > 1e-300) {
    CHECK_MESSAGE(got == doctest::Approx(expected).epsilon(1e-9),
                  what << " n=" << n << " d=" << d << ": got " << got << ", scipy " << expected);
  } else {
    CHECK_MESSAGE(std::abs(got - expected) <= 1e-300,
                  what << " n=" << n << " d=" << d << ": got " << got << ", scipy " << expected);
  }
}

double relative_error(double got, double expected) {
  if (expected == got) return 0.0;
  return std::abs(got - expected) / std::abs(expected);
}

}  // namespace

TEST_CASE("kolmogorov_sf equals scipy.stats.kstwo.sf in every branch") {
  const auto fixture = load_fixture("kolmogorov_cases.json");
  const auto& cases = fixture.at("kstwo");
  REQUIRE(cases.size() > 500);
  std::map<std::string, double> worst;  // largest relative error per scipy method
  for (const auto& c : cases) {
    const auto n = c.at(0).get<std::size_t>();
    const double d = c.at(1).get<double>();
    const double expected = c.at(2).get<double>();
    const auto branch = c.at(3).get<std::string>();
    const double got = kolmogorov_sf(n, d);
    check_against_scipy(got, expected, n, d, "kstwo.sf [" + branch + "]");
    if (expected > 1e-300) worst[branch] = std::max(worst[branch], relative_error(got, expected));
  }
  for (const auto& [branch, error] : worst) MESSAGE(branch << ": max relative error " << error);
  CHECK(worst.size() >= 10);
}

TEST_CASE("smirnov_sf equals scipy.special.smirnov") {
  const auto fixture = load_fixture("kolmogorov_cases.json");
  const auto& cases = fixture.at("smirnov");
  REQUIRE(cases.size() > 100);
  double worst = 0.0;
  for (const auto& c : cases) {
    const auto n = c.at(0).get<std::size_t>();
    const double d = c.at(1).get<double>();
    const double expected = c.at(2).get<double>();
    const double got = smirnov_sf(n, d);
    check_against_scipy(got, expected, n, d, "smirnov");
    if (expected > 1e-300) worst = std::max(worst, relative_error(got, expected));
  }
  MESSAGE("smirnov: max relative error " << worst);
}

TEST_CASE("kolmogorov_sf is a survival function: in [0, 1] and non-increasing in d") {
  for (std::size_t n : {1, 2, 3, 5, 10, 50, 139, 140, 141, 500, 1000, 3000, 10000, 100000, 100001, 2000000}) {
    const double nd = static_cast<double>(n);
    // evenly on [0, 1], on [0, 4/n] (the Ruben-Gambino end and small Durbin matrices) and
    // in n d^2 across the method cut-offs 0.754693, 2.2, 4 and n d^1.5 = 1.4; coarser in
    // n d^2 for large n, where each point past 2.2 is a sum of up to n terms
    const bool large = n >= 10000 && n <= 1000000;
    std::vector<double> ds;
    for (int i = 0; i <= (large ? 50 : 200); ++i) ds.push_back(i / (large ? 50.0 : 200.0));
    for (int i = 0; i <= 200; ++i) ds.push_back(i * 0.02 / nd);
    for (int i = 0; i <= (large ? 30 : 200); ++i) ds.push_back(std::sqrt(i * (large ? 0.1 : 0.025) / nd));
    // one ulp either side of every cut-off, where two methods meet
    for (double cut : {std::sqrt(0.754693 / nd), std::sqrt(2.2 / nd), std::sqrt(4.0 / nd), std::pow(1.4 / nd, 2.0 / 3.0),
                       0.5, 1.0 / nd, (nd - 1) / nd}) {
      ds.push_back(std::nextafter(cut, 0.0));
      ds.push_back(std::nextafter(cut, 1.0));
    }
    std::sort(ds.begin(), ds.end());
    double previous = 1.0;
    double previous_d = 0.0;
    for (double d : ds) {
      const double sf = kolmogorov_sf(n, d);
      CHECK_MESSAGE((sf >= 0.0 && sf <= 1.0), "n=" << n << " d=" << d << ": sf " << sf);
      // scipy's methods meet at their cut-offs only to within a few parts in 1e6 (Pelz-Good
      // and, for n > 1e6, the one-sided tail are approximations: 3.4e-6 at n = 141, d^1.5 n = 1.4);
      // beyond that the tail must not rise
      CHECK_MESSAGE(sf <= previous * (1 + 1e-5) + 1e-300,
                    "n=" << n << " d=" << d << ": sf " << sf << " above " << previous << " at d=" << previous_d);
      previous = sf;
      previous_d = d;
    }
  }
}

TEST_CASE("kolmogorov_sf and smirnov_sf at the edges") {
  CHECK(kolmogorov_sf(10, 0.0) == 1.0);
  CHECK(kolmogorov_sf(10, -1.0) == 1.0);
  CHECK(kolmogorov_sf(10, 1.0) == 0.0);
  CHECK(kolmogorov_sf(10, 2.0) == 0.0);
  CHECK(kolmogorov_sf(10, 0.05) == 1.0);  // D_n >= 1/2n always
  CHECK(std::isnan(kolmogorov_sf(10, std::numeric_limits<double>::quiet_NaN())));
  CHECK(std::isnan(kolmogorov_sf(0, 0.5)));
  // n = 1: D_1 = max(U, 1 - U), so P(D_1 > d) = 2 (1 - d) on [1/2, 1]
  CHECK(kolmogorov_sf(1, 0.75) == doctest::Approx(0.5).epsilon(1e-15));
  // for d >= 1/2 the two one-sided excursions exclude each other
  for (std::size_t n : {3, 20, 141, 5000})
    for (double d : {0.5, 0.6, 0.7})
      CHECK_MESSAGE(kolmogorov_sf(n, d) == doctest::Approx(2 * smirnov_sf(n, d)).epsilon(1e-15),
                    "n=" << n << " d=" << d);
  CHECK(smirnov_sf(1, 0.3) == doctest::Approx(0.7).epsilon(1e-15));
  CHECK(smirnov_sf(10, 0.0) == 1.0);
  CHECK(smirnov_sf(10, 1.0) == 0.0);
  // Birnbaum-Tingey by hand for n = 3, d = 0.4: 0.6^3 + 3 * 0.4 * (0.6 - 1/3)^2
  CHECK(smirnov_sf(3, 0.4) == doctest::Approx(0.216 + 1.2 * std::pow(0.6 - 1.0 / 3.0, 2)).epsilon(1e-14));
}
