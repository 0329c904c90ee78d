#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/poisson.hpp>

#include "resample/resample_weights.hpp"

using namespace referee;

TEST_CASE("the Poisson(1) thresholds are floor(2^32 * CDF) per Boost.Math") {
  const boost::math::poisson_distribution<double> poisson(1.0);
  for (std::size_t m = 0; m < kPoissonOneThresholds.size(); ++m) {
    const double scaled = std::ldexp(cdf(poisson, static_cast<double>(m)), 32);
    CAPTURE(m);
    // Double precision leaves ~1e-6 of slack at 2^32; the constants come from exact
    // decimal arithmetic, so they must agree to within one unit.
    CHECK(std::abs(static_cast<double>(kPoissonOneThresholds[m]) - std::floor(scaled)) <= 1.0);
  }
}

TEST_CASE("Poisson weights follow Poisson(1): chi-square goodness of fit") {
  const RowUnits units;
  std::vector<double> counts(6, 0.0);
  const std::size_t rows = 20000;
  LaneWeights w{};
  for (std::size_t block = 0; block < 4; ++block) {
    const PoissonWeights weights(12345, block * kLanes, units);
    for (std::size_t r = 0; r < rows; ++r) {
      weights.fill(r, w);
      for (double x : w) counts[std::min<std::size_t>(static_cast<std::size_t>(x), 5)] += 1.0;
    }
  }
  const double total = static_cast<double>(rows * 4 * kLanes);
  const boost::math::poisson_distribution<double> poisson(1.0);
  double chi2 = 0.0;
  for (std::size_t k = 0; k < 6; ++k) {
    const double p = k < 5 ? pdf(poisson, static_cast<double>(k)) : cdf(complement(poisson, 4.0));
    chi2 += (counts[k] - total * p) * (counts[k] - total * p) / (total * p);
  }
  const boost::math::chi_squared_distribution<double> chi(5.0);
  CHECK(cdf(complement(chi, chi2)) > 1e-4);  // fails only when the generator is wrong
}

TEST_CASE("a weight depends on (seed, key, replicate), not on the block it is asked from") {
  std::vector<std::uint64_t> keys{42, 7, 99};
  const RowUnits units{keys, {}, 3};
  LaneWeights first{}, again{};
  PoissonWeights(5, 64, units).fill(1, first);
  PoissonWeights(5, 64, units).fill(1, again);
  CHECK(first == again);
  LaneWeights other_seed{};
  PoissonWeights(6, 64, units).fill(1, other_seed);
  CHECK(first != other_seed);
  // Row 1 has key 7: a table where key 7 sits at row 0 gives the same weights.
  std::vector<std::uint64_t> moved{7, 42, 99};
  LaneWeights moved_row{};
  PoissonWeights(5, 64, RowUnits{moved, {}, 3}).fill(0, moved_row);
  CHECK(first == moved_row);
}

TEST_CASE("multinomial counts sum to n in every lane") {
  const std::size_t n = 257;
  RowUnits units;
  units.unit_count = n;
  const MultinomialWeights weights(9, 0, kLanes, units);
  std::vector<double> sums(kLanes, 0.0);
  LaneWeights w{};
  for (std::size_t r = 0; r < n; ++r) {
    weights.fill(r, w);
    for (std::size_t l = 0; l < kLanes; ++l) sums[l] += w[l];
  }
  for (double s : sums) CHECK(s == static_cast<double>(n));
}

TEST_CASE("jackknife lanes each drop exactly one equal-size group") {
  RowUnits units;
  units.unit_count = 100;
  const JackknifeWeights weights{0, 10, units};
  std::vector<double> dropped(kLanes, 0.0);
  LaneWeights w{};
  for (std::size_t r = 0; r < 100; ++r) {
    weights.fill(r, w);
    for (std::size_t l = 0; l < kLanes; ++l) dropped[l] += 1.0 - w[l];
  }
  for (std::size_t l = 0; l < 10; ++l) CHECK(dropped[l] == 10.0);
  for (std::size_t l = 10; l < kLanes; ++l) CHECK(dropped[l] == 0.0);
}

TEST_CASE("multiply_high equals the 128-bit product's high word") {
  CHECK(multiply_high(~0ull, ~0ull) == 0xfffffffffffffffeull);
  CHECK(multiply_high(1ull << 63, 4) == 2);
  CHECK(multiply_high(0x123456789abcdefull, 0xfedcba987654321ull) == 0x121fa00ad77d74ull);
}

TEST_CASE("the vectorised Poisson fill computes exactly philox4x32_10 per lane") {
  std::vector<std::uint64_t> keys{0x0123456789abcdefull, 3, 0xffffffffffffffffull};
  const RowUnits units{keys, {}, 3};
  for (std::uint64_t seed : {0ull, 7ull, 0xdeadbeefcafef00dull}) {
    const PoissonWeights weights(seed, 96, units);
    LaneWeights w{};
    for (std::size_t row = 0; row < keys.size(); ++row) {
      weights.fill(row, w);
      for (std::size_t q = 0; q < kLanes / 4; ++q) {
        const PhiloxCounter out = philox4x32_10(
            {static_cast<std::uint32_t>(96 / 4 + q), 0, static_cast<std::uint32_t>(keys[row]),
             static_cast<std::uint32_t>(keys[row] >> 32)},
            philox_key(seed));
        for (std::size_t j = 0; j < 4; ++j) CHECK(w[4 * q + j] == poisson_one_from_uniform(out[j]));
      }
    }
  }
}

TEST_CASE("the SIMD Poisson fills (dispatched, and SSE2 explicitly) equal the scalar one") {
  std::vector<std::uint64_t> keys;
  for (std::uint64_t k = 0; k < 500; ++k) keys.push_back(k * 0x9e3779b97f4a7c15ull);
  const RowUnits units{keys, {}, keys.size()};
  const PoissonWeights weights(0xfeedull, 4096, units);
  LaneWeights simd{}, scalar{};
  for (std::size_t row = 0; row < keys.size(); ++row) {
    weights.fill(row, simd);
    weights.fill_scalar(keys[row], scalar);
    REQUIRE(simd == scalar);  // AVX2 where the CPU has it
#if defined(__SSE2__)
    LaneWeights sse2{};
    weights.fill_sse2(keys[row], sse2);
    REQUIRE(sse2 == scalar);
#endif
  }
}
