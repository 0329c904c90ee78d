// Drift statistics against numpy and scipy (tests/fixtures/make_drift_fixtures.py).

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "drift/drift.hpp"
#include <referee/table.hpp>

#include "test_support.hpp"

using referee_test::load_fixture;

namespace {

void check_close(const referee::MetricValue& v, double expected, double rel, const std::string& what) {
  REQUIRE_MESSAGE(v.defined, what << ": undefined (" << v.reason << ")");
  if (expected == 0.0)
    CHECK_MESSAGE(std::abs(v.value) <= 1e-15, what << ": " << v.value << " vs 0");
  else
    CHECK_MESSAGE(v.value == doctest::Approx(expected).epsilon(rel), what << ": " << v.value << " vs " << expected);
}

std::vector<std::size_t> counts_of(const nlohmann::json& j) { return j.get<std::vector<std::size_t>>(); }

// What numeric and categorical drift share: the counts behind PSI and the JS distance.
template <class Drift>
void check_counts_psi_js(const Drift& d, const nlohmann::json& c, const std::string& name) {
  CHECK(d.reference_counts == counts_of(c["reference_counts"]));
  CHECK(d.current_counts == counts_of(c["current_counts"]));
  check_close(d.psi, c["psi"], 1e-12, name + " psi");
  check_close(d.js_distance, c["js_distance"], 1e-10, name + " js_distance");
}

}  // namespace

TEST_CASE("numeric drift matches numpy quantile bins, ks_2samp, wasserstein_distance and jensenshannon") {
  const auto fixture = load_fixture("drift_cases.json");
  for (const auto& c : fixture["numeric"]) {
    const std::string name = c["name"];
    CAPTURE(name);
    const auto ref = c["reference"].get<std::vector<double>>();
    const auto cur = c["current"].get<std::vector<double>>();
    const auto d = referee::numeric_drift(ref, cur, c["bins"].get<std::size_t>());
    CHECK(d.reference_n == ref.size());
    CHECK(d.current_n == cur.size());
    // Bin edges are numpy.quantile's, bit for bit.
    CHECK(d.edges == c["edges"].get<std::vector<double>>());
    check_counts_psi_js(d, c, name);
    check_close(d.ks_statistic, c["ks_statistic"], 1e-14, name + " ks_statistic");
    check_close(d.ks_pvalue, c["ks_pvalue"], 1e-9, name + " ks_pvalue");
    CHECK(d.ks_method == c["ks_method"].get<std::string>());
    check_close(d.wasserstein, c["wasserstein"], 1e-10, name + " wasserstein");
  }
}

TEST_CASE("the exact two-sample KS p-value matches scipy's lattice-path count") {
  const auto fixture = load_fixture("drift_cases.json");
  for (const auto& c : fixture["ks_exact"]) {
    const auto m = c["m"].get<std::size_t>(), n = c["n"].get<std::size_t>();
    const auto h = c["h"].get<std::int64_t>();
    const double expected = c["pvalue"];
    const double p = referee::ks_2samp_exact_pvalue(m, n, h);
    CHECK_MESSAGE(p == doctest::Approx(expected).epsilon(1e-9), "m=" << m << " n=" << n << " h=" << h);
    // Symmetric in the two sample sizes.
    CHECK(referee::ks_2samp_exact_pvalue(n, m, h) == p);
  }
  CHECK(referee::ks_2samp_exact_pvalue(10, 20, 0) == 1.0);
}

TEST_CASE("categorical drift matches chi2_contingency(correction=False) and jensenshannon") {
  const auto fixture = load_fixture("drift_cases.json");
  for (const auto& c : fixture["categorical"]) {
    const std::string name = c["name"];
    CAPTURE(name);
    // Both samples in one dictionary, as the drift check hands them over.
    auto cells = c["reference"].get<std::vector<std::string>>();
    const std::size_t n_reference = cells.size();
    for (const auto& s : c["current"]) cells.push_back(s.get<std::string>());
    const referee::EncodedText e = referee::encode_text(cells);
    const std::span<const std::uint32_t> codes(e.codes);
    const auto d = referee::categorical_drift(codes.first(n_reference), codes.subspan(n_reference), e.dictionary);
    CHECK(d.categories == c["categories"].get<std::vector<std::string>>());
    check_counts_psi_js(d, c, name);
    check_close(d.chi2_statistic, c["chi2_statistic"], 1e-12, name + " chi2_statistic");
    check_close(d.chi2_pvalue, c["chi2_pvalue"], 1e-9, name + " chi2_pvalue");
    CHECK(d.chi2_dof == c["chi2_dof"].get<std::size_t>());
  }
}

TEST_CASE("drift of an empty sample is undefined with a reason, never a crash") {
  const std::vector<double> some{1.0, 2.0, 3.0}, none;
  for (const auto& [ref, cur] : {std::pair{&some, &none}, std::pair{&none, &some}, std::pair{&none, &none}}) {
    const auto d = referee::numeric_drift(*ref, *cur);
    for (const auto* v : {&d.psi, &d.ks_statistic, &d.ks_pvalue, &d.wasserstein, &d.js_distance}) {
      CHECK_FALSE(v->defined);
      CHECK(v->reason.find("no values") != std::string_view::npos);
    }
  }
  const std::vector<std::string> dictionary{"a", "b"};
  const std::vector<std::uint32_t> codes{0, 1, 1}, empty;
  const auto c = referee::categorical_drift(codes, empty, dictionary);
  CHECK_FALSE(c.psi.defined);
  CHECK_FALSE(c.chi2_pvalue.defined);
  CHECK(c.reference_counts == std::vector<std::size_t>{1, 2});
  CHECK(c.current_counts == std::vector<std::size_t>{0, 0});
}

TEST_CASE("identical samples show no drift, and drift statistics do not depend on row order") {
  std::vector<double> a;
  for (int i = 0; i < 500; ++i) a.push_back(std::sin(i * 0.37) * 10.0 + (i % 7));
  const auto same = referee::numeric_drift(a, a);
  CHECK(same.psi.value == 0.0);
  CHECK(same.ks_statistic.value == 0.0);
  CHECK(same.ks_pvalue.value == 1.0);
  CHECK(same.wasserstein.value == 0.0);
  CHECK(same.js_distance.value == 0.0);

  std::vector<double> b(a.rbegin(), a.rend());
  for (double& x : b) x += 0.5;
  const auto forward = referee::numeric_drift(a, b);
  std::vector<double> shuffled = b;
  for (std::size_t i = 0; i + 3 < shuffled.size(); i += 3) std::swap(shuffled[i], shuffled[i + 2]);
  const auto reordered = referee::numeric_drift(a, shuffled);
  CHECK(forward.psi.value == reordered.psi.value);
  CHECK(forward.ks_pvalue.value == reordered.ks_pvalue.value);
  CHECK(forward.wasserstein.value == reordered.wasserstein.value);
  // A shift by a constant moves every value by that constant: Wasserstein-1 is the shift.
  CHECK(forward.wasserstein.value == doctest::Approx(0.5).epsilon(1e-12));
}
