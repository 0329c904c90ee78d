// ExactSum's cost (issue 16): ns per add(double) beside a plain double `+=` over the same
// terms, for terms of ordinary magnitude (log-loss-like, 1e-3 .. 10) and of any finite
// exponent; and ns per merge, value() and write(), the calls made once per bucket.
// Run: ./build-bench/benchmarks/bench_exact_sum (see benchmarks/RESULTS.md).

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "accumulate/exact_sum.hpp"

namespace {

// 4096 terms (32 KiB, in L1): the loop measures the accumulator, not memory.
constexpr std::size_t kTerms = 4096;

std::vector<double> terms(bool wide) {
  std::mt19937_64 rng(20261203);
  std::uniform_real_distribution<double> ordinary(1e-3, 10.0);
  std::uniform_int_distribution<int> exponent(-1074, 1023);
  std::vector<double> out(kTerms);
  for (double& x : out) {
    if (wide) {
      const auto significand = static_cast<double>((rng() >> 11) | (std::uint64_t{1} << 52));
      x = std::ldexp(significand, exponent(rng) - 52);
      if (rng() & 1) x = -x;
    } else {
      x = ordinary(rng);
    }
  }
  return out;
}

void set_ns_per_term(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kTerms));
}

void BM_PlainDoubleAdd(benchmark::State& state) {
  const std::vector<double> x = terms(state.range(0) != 0);
  for (auto _ : state) {
    double s = 0.0;
    for (double v : x) s += v;
    benchmark::DoNotOptimize(s);
  }
  set_ns_per_term(state);
}

void BM_ExactSumAdd(benchmark::State& state) {
  const std::vector<double> x = terms(state.range(0) != 0);
  for (auto _ : state) {
    referee::ExactSum s;
    for (double v : x) s.add(v);
    benchmark::DoNotOptimize(&s);
  }
  set_ns_per_term(state);
}

// A partition's state merged into another: once per (bucket, lane, quantity).
void BM_ExactSumMerge(benchmark::State& state) {
  const std::vector<double> x = terms(true);
  referee::ExactSum part;
  for (double v : x) part.add(v);
  referee::ExactSum total;
  for (auto _ : state) {
    total.add(part);
    benchmark::DoNotOptimize(&total);
  }
}

void BM_ExactSumValue(benchmark::State& state) {
  const std::vector<double> x = terms(state.range(0) != 0);
  referee::ExactSum s;
  for (double v : x) s.add(v);
  for (auto _ : state) benchmark::DoNotOptimize(s.value());
}

void BM_ExactSumWrite(benchmark::State& state) {
  const std::vector<double> x = terms(true);
  referee::ExactSum s;
  for (double v : x) s.add(v);
  unsigned char out[referee::ExactSum::kBytes];
  for (auto _ : state) {
    s.write(out);
    benchmark::DoNotOptimize(out);
  }
}

}  // namespace

// Argument: 0 = ordinary magnitudes, 1 = any finite exponent.
BENCHMARK(BM_PlainDoubleAdd)->Arg(0)->Arg(1);
BENCHMARK(BM_ExactSumAdd)->Arg(0)->Arg(1);
BENCHMARK(BM_ExactSumMerge);
BENCHMARK(BM_ExactSumValue)->Arg(0)->Arg(1);
BENCHMARK(BM_ExactSumWrite);
BENCHMARK_MAIN();
