#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "estimate/interval.hpp"

#include "test_support.hpp"

using namespace referee;

namespace {
std::vector<double> leave_one_out_means(const std::vector<double>& x) {
  double total = 0.0;
  for (double v : x) total += v;
  std::vector<double> out;
  for (double v : x) out.push_back((total - v) / static_cast<double>(x.size() - 1));
  return out;
}
}  // namespace

TEST_CASE("intervals equal scipy.stats.bootstrap's on the same replicates") {
  const auto fixture = referee_test::load_fixture("intervals.json");
  for (const auto& c : fixture["cases"]) {
    CAPTURE(c["name"].get<std::string>());
    const auto x = c["data"].get<std::vector<double>>();
    auto replicates = c["replicates"].get<std::vector<double>>();
    std::sort(replicates.begin(), replicates.end());
    const double confidence = c["confidence"];
    double mean = 0.0;
    for (double v : x) mean += v;
    mean /= static_cast<double>(x.size());
    const auto& expected = c["expected"];
    const auto jackknife = leave_one_out_means(x);

    CHECK(jackknife_acceleration(jackknife) == doctest::Approx(expected["acceleration"].get<double>()).epsilon(1e-10));
    const Interval pct = percentile_interval(replicates, confidence);
    CHECK(pct.lo == doctest::Approx(expected["percentile"][0].get<double>()).epsilon(1e-12));
    CHECK(pct.hi == doctest::Approx(expected["percentile"][1].get<double>()).epsilon(1e-12));
    const Interval basic = basic_interval(mean, replicates, confidence);
    CHECK(basic.lo == doctest::Approx(expected["basic"][0].get<double>()).epsilon(1e-12));
    CHECK(basic.hi == doctest::Approx(expected["basic"][1].get<double>()).epsilon(1e-12));
    const Interval bca = bca_interval(mean, replicates, jackknife, confidence);
    REQUIRE(bca.defined);
    CHECK(bca.lo == doctest::Approx(expected["bca"][0].get<double>()).epsilon(1e-10));
    CHECK(bca.hi == doctest::Approx(expected["bca"][1].get<double>()).epsilon(1e-10));
  }
}

TEST_CASE("type-7 quantiles match numpy's linear method") {
  const std::vector<double> v{1.0, 2.0, 4.0, 8.0};
  CHECK(quantile_type7(v, 0.0) == 1.0);
  CHECK(quantile_type7(v, 1.0) == 8.0);
  CHECK(quantile_type7(v, 0.5) == doctest::Approx(3.0));     // np.quantile([1,2,4,8], .5)
  CHECK(quantile_type7(v, 0.25) == doctest::Approx(1.75));   // np.quantile(..., .25)
  CHECK(quantile_type7(std::vector<double>{5.0}, 0.3) == 5.0);
}

TEST_CASE("BCa is undefined, with a reason, when all replicates lie on one side") {
  const std::vector<double> replicates{1.0, 1.1, 1.2};
  const Interval i = bca_interval(0.5, replicates, {}, 0.95);
  CHECK_FALSE(i.defined);
  CHECK(i.reason.find("one side") != std::string::npos);
}

TEST_CASE("a degenerate distribution equal to the estimate gives a zero-width BCa interval") {
  const std::vector<double> replicates(50, 1.0);
  const Interval i = bca_interval(1.0, replicates, std::vector<double>(10, 1.0), 0.95);
  REQUIRE(i.defined);
  CHECK(i.lo == 1.0);
  CHECK(i.hi == 1.0);
}
