// Latency budgets at scale: N latency samples, half per model, through the percentiles,
// their order-statistic intervals and the bootstrap of every delta: as a load test's two
// samples (independent bootstrap) or, with "paired", as two per-row columns of N/2 rows
// (paired bootstrap, one weight per row for both models). Prints wall time, ns per
// (sample x resample) and peak RSS against the input.
// Run: ./build-bench/benchmarks/bench_latency N B THREADS [paired] (benchmarks/RESULTS.md).

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "budget/budget.hpp"

namespace {

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000'000;
  const std::size_t resamples = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200;
  const unsigned threads = argc > 3 ? static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10)) : 1;
  const bool paired = argc > 4 && std::string(argv[4]) == "paired";

  referee::LatencySamples samples;
  samples.origin = "memory";
  std::mt19937_64 rng(20261124);
  std::lognormal_distribution<double> champion(std::log(18.0), 0.35), challenger(std::log(20.7), 0.38);
  samples.ms[0].reserve(n / 2);
  samples.ms[1].reserve(n - n / 2);
  for (std::size_t i = 0; i < n / 2; ++i) samples.ms[0].push_back(std::round(champion(rng) * 1000.0) / 1000.0);
  for (std::size_t i = n / 2; i < n; ++i) samples.ms[1].push_back(std::round(challenger(rng) * 1000.0) / 1000.0);
  if (paired) samples.ms[1].resize(n / 2);  // rows of a table: both models' latency per request
  const double input_mib = static_cast<double>(n * sizeof(double)) / (1024.0 * 1024.0);
  const double before_mib = peak_rss_mib();

  referee::BudgetInputs in;
  if (paired) {
    in.latency = {samples.ms[0], samples.ms[1]};
    in.rows = n / 2;
    in.units.unit_count = n / 2;  // each row its own resampling unit
  } else {
    in.latency_samples = &samples;
  }
  const auto start = std::chrono::steady_clock::now();
  const referee::BudgetResults r =
      referee::estimate_budgets(in, {resamples, 0.95, referee::ResamplingScheme::poisson, 7, threads, nullptr});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const referee::BudgetFigure& p99 = *r.find(referee::BudgetMetric::latency_p99);
  std::printf("%s N=%zu B=%zu threads=%u: %.2f s, %.2f ns per sample x resample\n",
              paired ? "paired" : "independent", n, resamples, threads, seconds,
              seconds * 1e9 / (static_cast<double>(n) * static_cast<double>(resamples)));
  std::printf("peak RSS %.1f MiB (%.1f MiB after generating the input; input %.1f MiB; extra %.2fx input)\n",
              peak_rss_mib(), before_mib, input_mib, (peak_rss_mib() - before_mib) / input_mib);
  std::printf("challenger p99 %.3f ms [%.3f, %.3f]; delta %+.3f [%+.3f, %+.3f]\n", p99.subjects[1].point.value,
              p99.subjects[1].ci.lo, p99.subjects[1].ci.hi, p99.subjects[2].point.value, p99.subjects[2].ci.lo,
              p99.subjects[2].ci.hi);
  return 0;
}
