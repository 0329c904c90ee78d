// The core figure: ns per (row x resample) for the binary task, all 13 metrics on both
// models, paired Poisson bootstrap, at N = 10^6 and B = 1000, with 1 and 2 threads; and
// the outcome task (issue 15: mean, pass rate, 4 quantiles, both models) at the same N, B
// and threads, its target being at most the binary core's cost; and the ranking task
// (issue 15: 10^5 queries x 10 documents, its 7 default figures, both models), its target
// at most 3x the binary core per row (a document). Reported through Google
// Benchmark's counters, plus the process's peak RSS against the size of the input
// columns. And the multiclass task (issue 15: K = 10 classes, its 18 default figures, both
// models), its target being at most 4x the binary core's cost.
// Run: ./build-bench/bench_core (see benchmarks/RESULTS.md).

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "accumulate/replicate_engine.hpp"
#include "tasks/task_definition.hpp"

namespace {

struct Data {
  std::vector<double> y, champion, challenger;
  // Issue 4's load: two segment columns with 20 values in all, two sensitive attributes.
  std::vector<std::uint32_t> region, channel, sex, age_band;
};

const Data& data(std::size_t n) {
  static Data d = [n] {
    Data out;
    std::mt19937_64 rng(20261124);
    std::normal_distribution<double> normal;
    std::bernoulli_distribution label(0.12);
    out.y.reserve(n);
    out.champion.reserve(n);
    out.challenger.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double y = label(rng) ? 1.0 : 0.0;
      const double common = normal(rng);
      auto score = [&](double separation) {
        return 1.0 / (1.0 + std::exp(-(common + 0.7 * normal(rng) + separation * y - 2.0)));
      };
      out.y.push_back(y);
      out.champion.push_back(score(1.1));
      out.challenger.push_back(score(1.3));
      out.region.push_back(static_cast<std::uint32_t>(rng() % 8));
      out.channel.push_back(static_cast<std::uint32_t>(rng() % 12));
      out.sex.push_back(static_cast<std::uint32_t>(rng() % 2));
      out.age_band.push_back(static_cast<std::uint32_t>(rng() % 4));
    }
    return out;
  }();
  return d;
}

// Issue 15's outcome load: a graded result in (0, 1) per example and model (a judge's
// score), the two models correlated through the example, all values distinct; the same
// segment columns as the binary load.
struct OutcomeData {
  std::vector<double> champion, challenger;
  std::vector<std::uint32_t> region, channel;
};

const OutcomeData& outcome_data(std::size_t n) {
  static OutcomeData d = [n] {
    OutcomeData out;
    std::mt19937_64 rng(20261203);
    std::normal_distribution<double> normal;
    for (std::size_t i = 0; i < n; ++i) {
      const double common = normal(rng);
      auto result = [&](double shift) { return 1.0 / (1.0 + std::exp(-(common + 0.7 * normal(rng) + shift))); };
      out.champion.push_back(result(0.0));
      out.challenger.push_back(result(0.1));
      out.region.push_back(static_cast<std::uint32_t>(rng() % 8));
      out.channel.push_back(static_cast<std::uint32_t>(rng() % 12));
    }
    return out;
  }();
  return d;
}

// Issue 15's ranking load: 10^5 queries of 10 documents (N = 10^6 rows), graded relevance
// 0-3, both rankers' scores correlated through the document (rounded to 0.01, so ties
// occur), each query its own resampling unit; the segment columns hold one value per query.
struct RankingData {
  std::vector<double> relevance, champion, challenger;
  std::vector<std::uint32_t> query, region, channel;
  std::vector<std::uint64_t> key;
};

const RankingData& ranking_data(std::size_t n) {
  static RankingData d = [n] {
    RankingData out;
    std::mt19937_64 rng(20261204);
    std::normal_distribution<double> normal;
    std::uint32_t region = 0, channel = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto q = static_cast<std::uint32_t>(i / 10);
      if (i % 10 == 0) region = static_cast<std::uint32_t>(rng() % 8), channel = static_cast<std::uint32_t>(rng() % 12);
      const double latent = normal(rng), shared = 0.8 * normal(rng);
      const double rel = latent < 0.3 ? 0.0 : latent < 1.0 ? 1.0 : latent < 1.7 ? 2.0 : 3.0;
      out.relevance.push_back(rel);
      out.champion.push_back(std::round(100.0 * (0.6 * rel + shared + 0.7 * normal(rng))) / 100.0);
      out.challenger.push_back(std::round(100.0 * (0.8 * rel + shared + 0.7 * normal(rng))) / 100.0);
      out.query.push_back(q);
      out.key.push_back(0x9e3779b97f4a7c15ull * (q + 1));
      out.region.push_back(region);
      out.channel.push_back(channel);
    }
    return out;
  }();
  return d;
}

// Issue 15's multiclass load, the peer's (benchmarks/peer_multiclass.py): labels uniform
// over K classes; each model's probabilities a softmax of signal x one-hot(label) plus a
// latent shared by both models plus its own noise, the challenger sharper. Row-major
// n x K blocks, as a numpy predict_proba array.
struct MulticlassData {
  std::vector<double> label;
  std::array<std::vector<double>, 2> proba;
  std::vector<std::string> classes;
};

const MulticlassData& multiclass_data(std::size_t n, std::size_t K) {
  static MulticlassData d = [n, K] {
    MulticlassData out;
    std::mt19937_64 rng(20261203);
    std::normal_distribution<double> normal;
    for (std::size_t k = 0; k < K; ++k) out.classes.push_back(std::to_string(k));
    out.label.reserve(n);
    for (auto& p : out.proba) p.reserve(n * K);
    std::vector<double> shared(K), logits(K);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t y = rng() % K;
      out.label.push_back(static_cast<double>(y));
      for (double& s : shared) s = normal(rng);
      for (std::size_t m = 0; m < 2; ++m) {
        const double signal = m == 0 ? 1.5 : 2.0;
        double top = -1e300, sum = 0.0;
        for (std::size_t k = 0; k < K; ++k) {
          logits[k] = (k == y ? signal : 0.0) + shared[k] + 0.7 * normal(rng);
          top = std::max(top, logits[k]);
        }
        for (double& l : logits) sum += (l = std::exp(l - top));
        for (const double l : logits) out.proba[m].push_back(l / sum);
      }
    }
    return out;
  }();
  return d;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

// Times building the engine and running B resamples, and reports the wall time per
// row-resample (all threads together: the figure the targets are set in), the input's size
// (`columns` doubles per row) and the peak RSS.
void time_engine(benchmark::State& state, const referee::PairedColumns& columns, std::size_t n, std::size_t B,
                 unsigned threads, double input_columns) {
  referee::ReplicateRequest request;
  request.bootstrap = B;
  request.seed = 7;
  request.threads = threads;
  double seconds = 0.0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const referee::ReplicateEngine engine(columns);
    auto results = engine.run(request);
    benchmark::DoNotOptimize(results.bootstrap.data());
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double row_resamples = static_cast<double>(n) * static_cast<double>(B);
  state.counters["ns_per_row_resample"] =
      seconds * 1e9 / (row_resamples * static_cast<double>(state.iterations()));
  state.counters["input_MiB"] = input_columns * static_cast<double>(n) * sizeof(double) / (1024.0 * 1024.0);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}

void BM_BinaryPairedBootstrap(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto B = static_cast<std::size_t>(state.range(1));
  const auto threads = static_cast<unsigned>(state.range(2));
  const bool with_groups = state.range(3) != 0;
  const Data& d = data(n);
  referee::PairedColumns columns{referee::Task::binary, d.y, d.champion, d.challenger, {}, 0.5, {}, {}};
  columns.units.unit_count = n;
  columns.metrics = referee::catalogue_instances(referee::Task::binary);
  if (with_groups)
    columns.groupings = {{d.region, 8, false}, {d.channel, 12, false}, {d.sex, 2, true}, {d.age_band, 4, true}};
  time_engine(state, columns, n, B, threads, 3.0);  // the engine includes ranking both models
}

// The outcome task: both models' results, no label, pass mark 0.5. groups = 1 adds the
// two segment columns (sensitive attributes need classes, so the outcome task has none).
void BM_OutcomePairedBootstrap(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto B = static_cast<std::size_t>(state.range(1));
  const auto threads = static_cast<unsigned>(state.range(2));
  const OutcomeData& d = outcome_data(n);
  referee::PairedColumns columns{referee::Task::outcome, {}, d.champion, d.challenger, {}, 0.5, {}, {}};
  columns.units.unit_count = n;
  columns.metrics = referee::catalogue_instances(referee::Task::outcome);
  if (state.range(3) != 0) columns.groupings = {{d.region, 8, false}, {d.channel, 12, false}};
  time_engine(state, columns, n, B, threads, 2.0);  // the engine includes sorting both models' results
}

// The ranking task: the 7 default figures (ndcg@10, ndcg, dcg@10, map@10, mrr,
// precision@10, recall@10) of both models, queries as the units, empty queries skipped.
// groups = 1 adds the two segment columns (per query).
void BM_RankingPairedBootstrap(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto B = static_cast<std::size_t>(state.range(1));
  const auto threads = static_cast<unsigned>(state.range(2));
  const RankingData& d = ranking_data(n);
  const std::size_t queries = n / 10;
  referee::PairedColumns columns{referee::Task::ranking, d.relevance, d.champion, d.challenger, {}, 0.5, {}, {}};
  columns.units = {d.key, d.query, queries};
  columns.metrics = referee::task_definition(referee::Task::ranking).default_metrics(referee::Task::ranking);
  columns.query = d.query;
  columns.queries = queries;
  if (state.range(3) != 0) columns.groupings = {{d.region, 8, false}, {d.channel, 12, false}};
  time_engine(state, columns, n, B, threads, 3.0);  // the engine includes every query's figures
}

// N = 10^6, B = 1000, 1 and 2 threads, without and with the segment (and, binary,
// sensitive) groupings: every task's benchmark runs the same configurations.
void core_configurations(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "B", "threads", "groups"});
  for (long threads : {1, 2})
    for (long groups : {0, 1}) b->Args({1'000'000, 1000, threads, groups});
  b->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
}

// The multiclass task: K class probabilities per model, every default figure of the task
// (18 per model, one-vs-rest ROC AUC macro and weighted among them), no groupings.
void BM_MulticlassPairedBootstrap(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto B = static_cast<std::size_t>(state.range(1));
  const auto threads = static_cast<unsigned>(state.range(2));
  const auto K = static_cast<std::size_t>(state.range(3));
  const MulticlassData& d = multiclass_data(n, K);
  referee::PairedColumns columns{referee::Task::multiclass, d.label, {}, {}, {}, 0.5, {}, {}};
  columns.units.unit_count = n;
  columns.metrics = referee::task_definition(referee::Task::multiclass).default_metrics(referee::Task::multiclass);
  for (std::size_t m = 0; m < 2; ++m) columns.class_scores[m] = referee::ScoreBlock{d.proba[m], K, K, 1};
  columns.classes = d.classes;
  // the engine ranks both models' K classes in the timing
  time_engine(state, columns, n, B, threads, 2.0 * static_cast<double>(K) + 1.0);
  state.counters["figures"] = static_cast<double>(columns.metrics.size());
}

}  // namespace

// groups = 1 adds issue 4's load (2 segment columns, 20 values; 2 sensitive attributes)
// to the same pass; the ratio of the two rows at equal threads is the figure it sets.
BENCHMARK(BM_BinaryPairedBootstrap)->Apply(core_configurations);
// The multiclass quick check's partner: two blocks of 64 replicates.
BENCHMARK(BM_BinaryPairedBootstrap)
    ->ArgNames({"n", "B", "threads", "groups"})
    ->Args({1'000'000, 128, 1, 0})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

BENCHMARK(BM_OutcomePairedBootstrap)->Apply(core_configurations);

BENCHMARK(BM_RankingPairedBootstrap)->Apply(core_configurations);

// Side by side with BM_BinaryPairedBootstrap's groups:0 rows (same N, B, seed, threads).
BENCHMARK(BM_MulticlassPairedBootstrap)
    ->ArgNames({"n", "B", "threads", "K"})
    ->Args({1'000'000, 1000, 1, 10})
    ->Args({1'000'000, 1000, 2, 10})
    ->Args({1'000'000, 128, 1, 10})  // a quick check: two blocks of 64 replicates
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

BENCHMARK_MAIN();
