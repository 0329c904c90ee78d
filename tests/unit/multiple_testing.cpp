#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "estimate/multiple_testing.hpp"

#include "test_support.hpp"

using namespace referee;

namespace {
constexpr Correction all_corrections[] = {Correction::none, Correction::bonferroni, Correction::holm};

void check_approx(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(want[i]));
  }
}

// Fixed-seed p-value vectors for the property tests. Half are rounded to a 1/20 grid so
// that ties, and values at 0 and 1, occur often.
std::vector<std::vector<double>> sample_families() {
  std::mt19937_64 engine(20240601);
  std::vector<std::vector<double>> families;
  for (std::size_t trial = 0; trial < 200; ++trial) {
    const std::size_t K = 1 + engine() % 9;
    std::vector<double> p(K);
    for (double& v : p) {
      v = static_cast<double>(engine() >> 11) * 0x1.0p-53;  // uniform in [0, 1)
      if (trial % 2 == 1) v = std::round(v * 20.0) / 20.0;
    }
    families.push_back(std::move(p));
  }
  return families;
}

// The procedures as their papers state them, one comparison at a time, to check
// rejected() (which goes through adjusted p-values) against.
std::vector<bool> sequential_rejections(const std::vector<double>& p, double alpha, Correction c) {
  const std::size_t K = p.size();
  std::vector<std::size_t> order(K);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  std::vector<bool> out(K, false);
  for (std::size_t rank = 0; rank < K; ++rank) {
    const bool below = p[order[rank]] <= per_test_level(K, rank, alpha, c);
    if (!below && c == Correction::holm) break;  // step-down: the first retained hypothesis stops it
    out[order[rank]] = below;
  }
  return out;
}
}  // namespace

// Holm (1979); the example of the Wikipedia article "Holm-Bonferroni method": four
// hypotheses, alpha = 0.05. Ascending: H4 0.005 <= 0.05/4, H1 0.01 <= 0.05/3,
// H3 0.03 > 0.05/2 stops. Bonferroni's 0.0125 admits the same two.
TEST_CASE("Holm and Bonferroni both reject H1 and H4 in the Holm-Bonferroni textbook example") {
  const std::vector<double> p{0.01, 0.04, 0.03, 0.005};
  CHECK(rejected(p, 0.05, Correction::holm) == std::vector<bool>{true, false, false, true});
  CHECK(rejected(p, 0.05, Correction::bonferroni) == std::vector<bool>{true, false, false, true});
  CHECK(rejected(p, 0.05, Correction::none) == std::vector<bool>{true, true, true, true});
}

// 0.01 <= 0.05/4 and 0.015 <= 0.05/3, then 0.03 > 0.05/2 stops; Bonferroni holds every
// test to 0.0125, which only 0.01 meets.
TEST_CASE("Holm rejects more than Bonferroni when the second p-value clears alpha / (K - 1)") {
  const std::vector<double> p{0.01, 0.015, 0.03, 0.04};
  CHECK(rejected(p, 0.05, Correction::bonferroni) == std::vector<bool>{true, false, false, false});
  CHECK(rejected(p, 0.05, Correction::holm) == std::vector<bool>{true, true, false, false});
  CHECK(rejected(p, 0.05, Correction::none) == std::vector<bool>{true, true, true, true});
}

// Worked by hand from the definitions (statsmodels' multipletests gives the same).
// Ascending 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 is 0.02, 0.03, 0.06, 0.04; the
// running max makes the last 0.06.
TEST_CASE("Holm and Bonferroni adjusted p-values match hand-computed values") {
  const std::vector<double> p{0.01, 0.04, 0.03, 0.005};
  check_approx(adjusted_p_values(p, Correction::holm), {0.03, 0.06, 0.06, 0.02});
  check_approx(adjusted_p_values(p, Correction::bonferroni), {0.04, 0.16, 0.12, 0.02});
  CHECK(adjusted_p_values(p, Correction::none) == p);

  // 0.01, 0.015, 0.03, 0.04 times 4, 3, 2, 1: 0.04, 0.045, 0.06, 0.04 -> 0.06.
  const std::vector<double> q{0.01, 0.015, 0.03, 0.04};
  check_approx(adjusted_p_values(q, Correction::holm), {0.04, 0.045, 0.06, 0.06});
  check_approx(adjusted_p_values(q, Correction::bonferroni), {0.04, 0.06, 0.12, 0.16});

  // Capped at 1: 0.3, 0.5, 0.9 times 3, 2, 1 is 0.9, 1.0, 0.9 -> 0.9, 1, 1.
  const std::vector<double> r{0.5, 0.3, 0.9};
  check_approx(adjusted_p_values(r, Correction::holm), {1.0, 0.9, 1.0});
  check_approx(adjusted_p_values(r, Correction::bonferroni), {1.0, 0.9, 1.0});
}

TEST_CASE("Holm's adjusted p-values are nondecreasing in p, at least p, at most Bonferroni's, and capped at 1") {
  for (const std::vector<double>& p : sample_families()) {
    CAPTURE(p.size());
    const auto holm = adjusted_p_values(p, Correction::holm);
    const auto bonf = adjusted_p_values(p, Correction::bonferroni);
    std::vector<std::size_t> order(p.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
    for (std::size_t rank = 0; rank < order.size(); ++rank) {
      const std::size_t i = order[rank];
      CHECK(holm[i] >= p[i]);
      CHECK(holm[i] <= bonf[i]);
      CHECK(holm[i] <= 1.0);
      CHECK(bonf[i] <= 1.0);
      if (rank > 0) CHECK(holm[i] >= holm[order[rank - 1]]);
    }
  }
  CHECK(adjusted_p_values(std::vector<double>{1.0, 0.9}, Correction::holm) == std::vector<double>{1.0, 1.0});
  CHECK(adjusted_p_values(std::vector<double>{0.6, 0.7}, Correction::bonferroni) == std::vector<double>{1.0, 1.0});
}

TEST_CASE("rejecting by adjusted p-value is the sequential Holm and Bonferroni procedure") {
  for (const std::vector<double>& p : sample_families())
    for (double alpha : {0.01, 0.05, 0.1, 0.5})
      for (Correction c : all_corrections) {
        CAPTURE(alpha);
        CAPTURE(name_of(c));
        CHECK(rejected(p, alpha, c) == sequential_rejections(p, alpha, c));
      }
}

TEST_CASE("with one hypothesis every correction is no correction") {
  const std::vector<double> p{0.03};
  for (Correction c : all_corrections) {
    CAPTURE(name_of(c));
    CHECK(adjusted_p_values(p, c) == p);
    CHECK(rejected(p, 0.05, c) == std::vector<bool>{true});
    CHECK(rejected(p, 0.01, c) == std::vector<bool>{false});
    CHECK(per_test_level(1, 0, 0.05, c) == 0.05);
  }
}

TEST_CASE("an empty family gives empty results under every correction") {
  for (Correction c : all_corrections) {
    CHECK(adjusted_p_values(std::span<const double>{}, c).empty());
    CHECK(rejected(std::span<const double>{}, 0.05, c).empty());
  }
}

// Exact equality: the same values go through the same arithmetic whatever their order.
TEST_CASE("permuting the p-values permutes the Holm and Bonferroni results, ties included") {
  const std::vector<std::vector<double>> families{
      {0.01, 0.04, 0.03, 0.005},
      {0.02, 0.01, 0.02, 0.02},  // a three-way tie
      {0.04, 0.04, 0.01, 0.01},  // two pairs
      {1.0, 0.0, 1.0, 0.5},
  };
  for (const std::vector<double>& p : families) {
    const std::size_t K = p.size();
    for (Correction c : all_corrections) {
      const auto base = adjusted_p_values(p, c);
      std::vector<std::size_t> perm(K);
      std::iota(perm.begin(), perm.end(), std::size_t{0});
      do {
        std::vector<double> permuted(K);
        for (std::size_t i = 0; i < K; ++i) permuted[i] = p[perm[i]];
        const auto got = adjusted_p_values(permuted, c);
        const auto got_rejected = rejected(permuted, 0.05, c);
        const auto base_rejected = rejected(p, 0.05, c);
        for (std::size_t i = 0; i < K; ++i) {
          CHECK(got[i] == base[perm[i]]);
          CHECK(got_rejected[i] == base_rejected[perm[i]]);
        }
      } while (std::next_permutation(perm.begin(), perm.end()));
    }
  }
  // Tied p-values share one adjusted value: ascending 0.01, 0.02, 0.02, 0.02 times
  // 4, 3, 2, 1 is 0.04, 0.06, 0.04, 0.02, so every 0.02 becomes 0.06.
  check_approx(adjusted_p_values(std::vector<double>{0.02, 0.01, 0.02, 0.02}, Correction::holm),
               {0.06, 0.04, 0.06, 0.06});
}

TEST_CASE("a NaN or out-of-range p-value throws std::invalid_argument under every correction") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (Correction c : all_corrections) {
    CAPTURE(name_of(c));
    CHECK_THROWS_AS(adjusted_p_values(std::vector<double>{0.01, nan}, c), std::invalid_argument);
    CHECK_THROWS_AS(rejected(std::vector<double>{nan}, 0.05, c), std::invalid_argument);
    CHECK_THROWS_AS(adjusted_p_values(std::vector<double>{-0.1}, c), std::invalid_argument);
    CHECK_THROWS_AS(adjusted_p_values(std::vector<double>{1.5}, c), std::invalid_argument);
    CHECK_THROWS_AS(adjusted_p_values(std::vector<double>{std::numeric_limits<double>::infinity()}, c),
                    std::invalid_argument);
  }
  CHECK_NOTHROW(adjusted_p_values(std::vector<double>{0.0, 1.0}, Correction::holm));
  CHECK_THROWS_WITH(adjusted_p_values(std::vector<double>{0.01, nan}, Correction::holm),
                    doctest::Contains("p-value 1"));
}

TEST_CASE("per_test_level is alpha, alpha / K, or Holm's alpha / (K - rank)") {
  const double alpha = 0.05;
  for (std::size_t rank = 0; rank < 4; ++rank) {
    CHECK(per_test_level(4, rank, alpha, Correction::none) == alpha);
    CHECK(per_test_level(4, rank, alpha, Correction::bonferroni) == doctest::Approx(0.0125));
  }
  CHECK(per_test_level(4, 0, alpha, Correction::holm) == doctest::Approx(0.0125));
  CHECK(per_test_level(4, 1, alpha, Correction::holm) == doctest::Approx(0.05 / 3));
  CHECK(per_test_level(4, 2, alpha, Correction::holm) == doctest::Approx(0.025));
  CHECK(per_test_level(4, 3, alpha, Correction::holm) == doctest::Approx(0.05));
  // No level exists outside the family (and K - rank would wrap).
  for (Correction c : all_corrections) {
    CHECK_THROWS_AS(per_test_level(4, 4, alpha, c), std::invalid_argument);
    CHECK_THROWS_AS(per_test_level(0, 0, alpha, c), std::invalid_argument);
  }
}

TEST_CASE("correction names round-trip and unknown names are rejected") {
  for (Correction c : all_corrections) CHECK(enum_from_name<Correction>(name_of(c)) == c);
  CHECK(name_of(Correction::none) == "none");
  CHECK(name_of(Correction::bonferroni) == "bonferroni");
  CHECK(name_of(Correction::holm) == "holm");
  CHECK_FALSE(enum_from_name<Correction>("Holm").has_value());
  CHECK_FALSE(enum_from_name<Correction>("sidak").has_value());
  CHECK_FALSE(enum_from_name<Correction>("").has_value());
}
