#include "budget/budget.hpp"
#include "budget/budget_totals.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>

#include <Eigen/Core>

#include "accumulate/power_of_two_scale.hpp"
#include "estimate/finite.hpp"
#include "estimate/paired_proportion_choice.hpp"
#include "resample/block_scheduler.hpp"
#include "resample/canonical_buckets.hpp"
#include "io/csv_reader.hpp"
#include <referee/error.hpp>
#include "estimate/quantile_interval.hpp"

namespace referee {

const BudgetFigure* BudgetResults::find(BudgetMetric m) const {
  for (const BudgetFigure& f : figures)
    if (f.metric == m) return &f;
  return nullptr;
}

namespace {

constexpr std::array<std::string_view, 2> kModelNames{"champion", "challenger"};
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

LatencySamples read_latency_csv(const std::filesystem::path& path, const Limits& limits) {
  const std::array<CsvColumnRequest, 2> requests{{{"model", CsvColumnKind::text}, {"latency_ms"}}};
  CsvTable csv = read_csv(path, requests, limits);
  LatencySamples samples;
  samples.origin = path.string();
  samples.sha256 = csv.sha256;
  const CsvColumn& model = csv.columns[0];
  const std::vector<double>& ms = csv.columns[1].numbers;
  std::vector<int> which(model.dictionary.size(), -1);
  for (std::size_t c = 0; c < model.dictionary.size(); ++c)
    for (std::size_t m = 0; m < 2; ++m)
      if (model.dictionary[c] == kModelNames[m]) which[c] = static_cast<int>(m);
  for (std::size_t row = 0; row < csv.rows; ++row) {
    const int m = which[model.codes[row]];
    const std::string place = samples.origin + ": row " + std::to_string(row + 1);
    if (m < 0)
      throw DataError(place + ", column \"model\": the value is not a model; expected \"champion\" or \"challenger\"");
    if (ms[row] < 0.0) throw DataError(place + ", column \"latency_ms\": the value is negative");
    samples.ms[static_cast<std::size_t>(m)].push_back(ms[row]);
  }
  validate_latency_samples(samples);
  return samples;
}

void validate_latency_samples(const LatencySamples& samples) {
  for (std::size_t m = 0; m < 2; ++m) {
    const auto& v = samples.ms[m];
    if (v.empty())
      throw DataError(samples.origin + ": no latency samples for the " + std::string(kModelNames[m]) +
                      " (column \"model\" = \"" + std::string(kModelNames[m]) + "\")");
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!std::isfinite(v[i]) || v[i] < 0.0)
        throw DataError(samples.origin + ": the " + std::string(kModelNames[m]) + "'s latency sample " +
                        std::to_string(i + 1) +
                        (std::isfinite(v[i]) ? " is negative" : " is not a finite number") +
                        "; latencies are milliseconds >= 0");
  }
}

namespace {

// Quantities per model, one result column each: latency mean, the five percentiles,
// cost per 1000 and error rate, in BudgetMetric order.
constexpr std::size_t kQuantities = kBudgetQuantities;
constexpr std::size_t index_of(BudgetMetric m) { return budget_index(m); }
std::size_t column_of(std::size_t model, std::size_t q) { return budget_column(model, q); }

// The rows a block visits in one pass, and the value each row contributes.
struct RowSequence {
  std::span<const std::uint32_t> order;  // empty: rows 0..n-1 in order
  std::size_t n = 0;
  std::size_t row(std::size_t i) const { return order.empty() ? i : order[i]; }
};

using LaneSums = std::array<double, kLanes>;

// Every kChunk rows of a pass, each lane's cumulative weight is kept: [chunk][lane]. With
// these a percentile is found by a binary search and a rescan of the few chunks where the
// lanes' targets lie, so a pass over the rows is needed only once per order.
constexpr std::size_t kChunk = 64;
using Checkpoints = std::vector<std::uint32_t>;

std::size_t chunk_count(std::size_t n) { return (n + kChunk - 1) / kChunk; }

// The first chunk whose cumulative weight (in lane l) exceeds t: the chunk holding the
// resample's t-th order statistic (0-based).
std::size_t chunk_of(const Checkpoints& cp, std::size_t chunks, std::size_t lane, double t) {
  std::size_t lo = 0, hi = chunks - 1;
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (static_cast<double>(cp[mid * kLanes + lane]) > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// Type-7 percentiles of each lane's resample, from the checkpoints of a pass over the
// values in ascending order. A lane's resample is the multiset in which a row appears w
// times, so its sorted positions are runs of the cumulative weight: the row whose run
// covers position t is the resample's t-th order statistic. The positions wanted are
// floor(h) and floor(h) + 1, h = (W - 1) p, with W the lane's total weight.
template <class Weights>
void lane_percentiles(const Weights& weights, const RowSequence& rows, std::span<const double> value,
                      const Checkpoints& cp, const LaneSums& total, std::size_t used,
                      std::array<LaneSums, kLatencyQuantileCount>& out) {
  const std::size_t chunks = chunk_count(rows.n);
  LaneWeights w;
  for (std::size_t k = 0; k < kLatencyQuantileCount; ++k) {
    std::array<std::array<double, 2>, kLanes> target{}, found{};
    std::array<unsigned, kLanes> missing{};
    std::size_t first_chunk = chunks, last_chunk = 0;
    for (std::size_t l = 0; l < kLanes; ++l) {
      out[k][l] = kNaN;
      if (l >= used || total[l] <= 0.0) continue;
      const double h = (total[l] - 1.0) * kLatencyProbabilities[k];
      target[l] = {std::floor(h), std::min(std::floor(h) + 1.0, total[l] - 1.0)};
      missing[l] = 2;
      first_chunk = std::min(first_chunk, chunk_of(cp, chunks, l, target[l][0]));
      last_chunk = std::max(last_chunk, chunk_of(cp, chunks, l, target[l][1]));
    }
    if (first_chunk == chunks) continue;
    LaneSums cumulative{};
    if (first_chunk > 0)
      for (std::size_t l = 0; l < kLanes; ++l) cumulative[l] = cp[(first_chunk - 1) * kLanes + l];
    const std::size_t end = std::min(rows.n, (last_chunk + 1) * kChunk);
    for (std::size_t i = first_chunk * kChunk; i < end; ++i) {
      const std::size_t r = rows.row(i);
      weights.fill(r, w);
      for (std::size_t l = 0; l < kLanes; ++l) {
        cumulative[l] += w[l];
        for (std::size_t j = 2 - missing[l]; missing[l] > 0 && cumulative[l] > target[l][j]; ++j) {
          found[l][j] = value[r];
          --missing[l];
        }
      }
    }
    for (std::size_t l = 0; l < kLanes; ++l) {
      if (l >= used || total[l] <= 0.0) continue;
      // numpy's interpolation, as in quantile_type7.
      out[k][l] = lane_type7(found[l][0], found[l][1], (total[l] - 1.0) * kLatencyProbabilities[k]);
    }
  }
}

// What one bootstrap needs: the rows, the order their sums are taken in, and each
// latency column's ascending order.
struct ResamplePlan {
  std::size_t rows = 0;
  RowUnits units;
  RowSequence sum_order;
  // Where each canonical bucket of sum_order ends (positions): the means fold in doubles
  // within a bucket and exactly across them (budget_totals.hpp).
  std::vector<std::size_t> sum_ends;
  int sum_order_latency = -1;  // the model whose latency sum_order ascends, if any
  std::array<std::span<const double>, 2> latency;  // present models only
  std::array<RowSequence, 2> latency_order;
  // Columns averaged per row, the values multiplied by 2^-exponent when a sum of them
  // could overflow (power_of_two_scale.hpp).
  std::vector<MeanSpec> specs;
  std::vector<std::span<const double>> values;
  std::vector<std::unique_ptr<ScaledColumn>> scaled;  // the storage of scaled values
};

// The ends of the runs of one bucket along `rows`, by bucket_of(row).
template <class BucketOf>
std::vector<std::size_t> sequence_ends(const RowSequence& rows, BucketOf&& bucket_of) {
  std::vector<std::size_t> ends;
  for (std::size_t i = 1; i < rows.n; ++i)
    if (bucket_of(rows.row(i)) != bucket_of(rows.row(i - 1))) ends.push_back(i);
  if (rows.n > 0) ends.push_back(rows.n);
  return ends;
}

// One pass in `rows` order; keeps each lane's cumulative weight every kChunk rows, and
// calls visit(position, row, weights) for anything else to accumulate.
template <class Weights, class Visit>
void pass(const Weights& weights, const RowSequence& rows, Checkpoints* cp, Visit&& visit) {
  if (cp) cp->assign(chunk_count(rows.n) * kLanes, 0u);
  LaneSums cumulative{};
  LaneWeights w;
  for (std::size_t i = 0; i < rows.n; ++i) {
    const std::size_t r = rows.row(i);
    weights.fill(r, w);
    for (std::size_t l = 0; l < kLanes; ++l) cumulative[l] += w[l];
    visit(i, r, w);
    if (cp && (i % kChunk == kChunk - 1 || i + 1 == rows.n))
      for (std::size_t l = 0; l < kLanes; ++l)
        (*cp)[(i / kChunk) * kLanes + l] = static_cast<std::uint32_t>(cumulative[l]);
  }
}

template <class Weights>
void resample_block(const ResamplePlan& plan, const Weights& weights, std::size_t used, std::size_t first,
                    Eigen::ArrayXXd& out) {
  LaneSums total{};
  MeanSums sums(plan.specs.size(), used);
  MeanFolds folds(plan.values, sums);
  std::size_t bucket = 0;
  std::array<Checkpoints, 2> cp;
  Checkpoints* first_cp = plan.sum_order_latency >= 0 ? &cp[static_cast<std::size_t>(plan.sum_order_latency)] : nullptr;
  pass(weights, plan.sum_order, first_cp, [&](std::size_t i, std::size_t r, const LaneWeights& w) {
    for (std::size_t l = 0; l < kLanes; ++l) total[l] += w[l];
    folds.row(r, w);
    if (i + 1 == plan.sum_ends[bucket]) {
      folds.close_bucket();
      ++bucket;
    }
  });
  const auto put = [&](std::size_t lane, std::size_t column, double v) {
    out(static_cast<Eigen::Index>(first + lane), static_cast<Eigen::Index>(column)) = v;
  };
  for (std::size_t c = 0; c < plan.specs.size(); ++c)
    for (std::size_t l = 0; l < used; ++l)
      put(l, column_of(plan.specs[c].model, plan.specs[c].quantity), mean_of(plan.specs[c], sums.sum[c][l], sums.weight[l]));
  for (std::size_t m = 0; m < 2; ++m) {
    if (plan.latency[m].empty()) continue;
    if (static_cast<int>(m) != plan.sum_order_latency)
      pass(weights, plan.latency_order[m], &cp[m], [](std::size_t, std::size_t, const LaneWeights&) {});
    std::array<LaneSums, kLatencyQuantileCount> q;
    lane_percentiles(weights, plan.latency_order[m], plan.latency[m], cp[m], total, used, q);
    for (std::size_t k = 0; k < kLatencyQuantileCount; ++k)
      for (std::size_t l = 0; l < used; ++l) put(l, column_of(m, percentile_index(k)), q[k][l]);
  }
}

// B resamples of a plan into rows of `out` (NaN where undefined); blocks over threads.
void run_bootstrap(const ResamplePlan& plan, const BudgetBootstrap& settings, std::uint64_t seed,
                   Eigen::ArrayXXd& out) {
  const std::size_t blocks = (settings.resamples + kLanes - 1) / kLanes;
  run_tasks(
      blocks, settings.threads,
      [&](std::size_t b) {
        const std::size_t first = b * kLanes;
        const std::size_t used = std::min(kLanes, settings.resamples - first);
        if (settings.scheme == ResamplingScheme::poisson)
          resample_block(plan, PoissonWeights(seed, first, plan.units), used, first, out);
        else
          resample_block(plan, MultinomialWeights(seed, first, used, plan.units), used, first, out);
      },
      settings.cancel);
}

// An independent sample's seed: each model's resamples must not share random numbers.
std::uint64_t sample_seed(std::uint64_t seed, std::size_t model) {
  return seed ^ (0x9E3779B97F4A7C15ull * (model + 1));
}

// What estimate_budgets builds up, stage by stage.
struct BudgetWork {
  BudgetWork(const BudgetInputs& inputs, const BudgetBootstrap& bootstrap, const BudgetSources& sources)
      : in(inputs), settings(bootstrap), totals(bootstrap.resamples) {
    totals.source = sources;
    totals.samples = inputs.latency_samples != nullptr;
    totals.clustered = inputs.clustered;
  }
  const BudgetInputs& in;
  const BudgetBootstrap& settings;
  BudgetTotals totals;
  std::array<std::vector<double>, 2> sorted_latency;  // each model's latencies, ascending
  BudgetSource source(std::size_t m, BudgetMetric q) const { return totals.source[m][index_of(q)]; }
};

// A column averaged per row in `plan`. Values beyond 2^900 in magnitude (latencies or
// costs near the largest double) are scaled so that their sums stay finite; a mean that
// itself exceeds a double is undefined.
void add_mean(ResamplePlan& plan, const MeanSpec& spec, std::span<const double> values) {
  MeanSpec s = spec;
  s.exponent = scale_exponent(max_magnitude({values}), 900);
  if (s.exponent != 0) {
    plan.scaled.push_back(std::make_unique<ScaledColumn>(values, s.exponent));
    values = plan.scaled.back()->values;
  }
  plan.specs.push_back(s);
  plan.values.push_back(values);
}

// Every mean's point value: the same bucketed fold as a resample's, each row weighing 1.
void point_means(const ResamplePlan& plan, BudgetTotals& t) {
  MeanSums sums(plan.specs.size(), 1);
  MeanFolds folds(plan.values, sums);
  LaneWeights one{};
  one[0] = 1.0;
  std::size_t bucket = 0;
  for (std::size_t i = 0; i < plan.sum_order.n; ++i) {
    folds.row(plan.sum_order.row(i), one);
    if (i + 1 == plan.sum_ends[bucket]) {
      folds.close_bucket();
      ++bucket;
    }
  }
  for (std::size_t c = 0; c < plan.specs.size(); ++c)
    set_point_mean(t, plan.specs[c], sums.sum[c][0], plan.sum_order.n);
}

// Every order of the evaluation table's rows is fixed by the data (values, then unit key,
// then the row's other values), never by the row order, so that sums round the same
// however the file was sorted. Rows equal in all of these are interchangeable.
std::array<double, 7> row_values(const BudgetInputs& in, std::uint32_t r) {
  std::array<double, 7> v{};
  v[0] = static_cast<double>(in.units.key_of(r));
  for (std::size_t m = 0; m < 2; ++m) {
    v[1 + m] = in.latency[m].empty() ? 0.0 : in.latency[m][r];
    v[3 + m] = in.cost[m].empty() ? 0.0 : in.cost[m][r];
    v[5 + m] = in.error[m].empty() ? 0.0 : in.error[m][r];
  }
  return v;
}

}  // namespace

std::vector<std::uint32_t> budget_rows_ordered_by(const BudgetInputs& in, std::span<const double> first) {
  std::vector<std::uint32_t> order(in.rows);
  std::iota(order.begin(), order.end(), 0u);
  if (first.empty() && in.units.key.empty()) return order;  // unclustered: the row is the key
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (!first.empty() && first[a] != first[b]) return first[a] < first[b];
    if (in.units.key_of(a) != in.units.key_of(b)) return in.units.key_of(a) < in.units.key_of(b);
    return row_values(in, a) < row_values(in, b);
  });
  return order;
}

std::uint64_t budget_sum_bucket(const BudgetInputs& in, int sum_latency, std::size_t r, std::uint64_t total_rows) {
  if (sum_latency >= 0)
    return value_bucket(in.latency[static_cast<std::size_t>(sum_latency)][r], score_bucket_bits(total_rows));
  return key_bucket(in.units.key_of(r), key_bucket_bits(total_rows));
}

int budget_sum_latency(const BudgetSources& source) {
  for (std::size_t m = 0; m < 2; ++m)
    if (source[m][index_of(BudgetMetric::latency_mean)] == BudgetSource::columns) return static_cast<int>(m);
  return -1;
}

void set_point_mean(BudgetTotals& t, const MeanSpec& spec, const ExactSum& sum, std::size_t n) {
  ExactSum weight;
  weight.add(static_cast<double>(n));
  const double mean = n ? mean_of(spec, sum, weight) : 0.0;
  t.point[spec.model][spec.quantity] = !n                    ? MetricValue::undefined("no predictions")
                                       : std::isfinite(mean) ? MetricValue::of(mean)
                                                             : MetricValue::undefined(kBeyondDouble);
  t.n[spec.model][spec.quantity] = n;
}

namespace {

// The evaluation table's plan and the row orders its sequences point into.
struct TablePlan {
  ResamplePlan plan;
  std::array<std::vector<std::uint32_t>, 2> latency_order;
  std::vector<std::uint32_t> canonical;
};

// Each latency column's ascending order; sums follow the first of them, or the canonical
// order when no latency column is given.
void order_table(const BudgetInputs& in, const BudgetSources& source, TablePlan& t) {
  ResamplePlan& plan = t.plan;
  plan.rows = in.rows;
  plan.units = in.units;
  plan.sum_order_latency = budget_sum_latency(source);
  for (std::size_t m = 0; m < 2; ++m)
    if (source[m][index_of(BudgetMetric::latency_mean)] == BudgetSource::columns) {
      t.latency_order[m] = budget_rows_ordered_by(in, in.latency[m]);
      plan.latency_order[m] = {t.latency_order[m], in.rows};
    }
  if (plan.sum_order_latency >= 0) {
    plan.sum_order = plan.latency_order[static_cast<std::size_t>(plan.sum_order_latency)];
  } else if (in.units.key.empty()) {
    plan.sum_order = {{}, in.rows};
  } else {
    t.canonical = budget_rows_ordered_by(in, {});
    plan.sum_order = {t.canonical, in.rows};
  }
  plan.sum_ends = sequence_ends(plan.sum_order, [&](std::size_t r) { return budget_sum_bucket(in, plan.sum_order_latency, r, in.rows); });
}

// The evaluation table's rows: one paired bootstrap for every per-row column.
void bootstrap_table(BudgetWork& w) {
  const BudgetInputs& in = w.in;
  TablePlan table;
  order_table(in, w.totals.source, table);
  ResamplePlan& plan = table.plan;
  for (const MeanSpec& spec : mean_specs(w.totals.source)) {
    const std::size_t m = spec.model;
    const BudgetMetric q = static_cast<BudgetMetric>(spec.quantity);
    add_mean(plan, spec, q == BudgetMetric::cost_per_1k ? in.cost[m] : q == BudgetMetric::error_rate ? in.error[m] : in.latency[m]);
    if (q != BudgetMetric::latency_mean) continue;
    plan.latency[m] = in.latency[m];
    w.sorted_latency[m].reserve(in.rows);
    for (std::uint32_t r : table.latency_order[m]) w.sorted_latency[m].push_back(in.latency[m][r]);
  }
  if (plan.specs.empty()) return;
  point_means(plan, w.totals);
  run_bootstrap(plan, w.settings, w.settings.seed, w.totals.replicates);
}

// Separate latency samples: each model is its own sample, resampled independently. A
// sample is sorted once; its sorted position is the unit key, so equal values (which
// are interchangeable) are all that the input order could change.
void bootstrap_latency_samples(BudgetWork& w) {
  for (std::size_t m = 0; m < 2; ++m) {
    std::vector<double>& sorted = w.sorted_latency[m];
    sorted = w.in.latency_samples->ms[m];
    std::sort(sorted.begin(), sorted.end());
    ResamplePlan plan;
    plan.rows = sorted.size();
    plan.units = {{}, {}, plan.rows};
    plan.sum_order = {{}, plan.rows};
    plan.sum_order_latency = static_cast<int>(m);
    plan.sum_ends = sequence_ends(plan.sum_order, [&](std::size_t r) { return value_bucket(sorted[r], score_bucket_bits(plan.rows)); });
    plan.latency[m] = sorted;
    plan.latency_order[m] = {{}, plan.rows};
    add_mean(plan, {m, index_of(BudgetMetric::latency_mean), 1.0}, sorted);
    point_means(plan, w.totals);
    run_bootstrap(plan, w.settings, sample_seed(w.settings.seed, m), w.totals.replicates);
  }
}

// The order statistics: the percentiles' points and intervals, from each sorted sample.
void latency_order_statistics(BudgetWork& w) {
  for (std::size_t m = 0; m < 2; ++m) {
    if (w.sorted_latency[m].empty()) continue;
    for (std::size_t k = 0; k < kLatencyQuantileCount; ++k) {
      w.totals.point[m][percentile_index(k)] =
          MetricValue::of(quantile_type7(w.sorted_latency[m], kLatencyProbabilities[k]));
      w.totals.n[m][percentile_index(k)] = w.sorted_latency[m].size();
      w.totals.order[m][k] =
          order_statistic_interval(w.sorted_latency[m], kLatencyProbabilities[k], w.settings.confidence);
    }
  }
}

// The error columns' counts: each model's errors, and the paired cells (rows where only
// one model errs), unweighted as every budget is.
void error_counts(BudgetWork& w) {
  for (std::size_t m = 0; m < 2; ++m) {
    double failures = 0.0;
    for (double e : w.in.error[m]) failures += e;
    w.totals.failures[m] = static_cast<std::size_t>(failures);
    w.totals.predictions[m] = w.in.error[m].size();
  }
  if (w.in.error[0].empty() || w.in.error[1].empty()) return;
  for (std::size_t r = 0; r < w.in.error[0].size(); ++r) {
    const bool champion = w.in.error[0][r] != 0.0, challenger = w.in.error[1][r] != 0.0;
    w.totals.cells.denominator.add(1.0);
    if (challenger && !champion) w.totals.cells.challenger_only.add(1.0);
    if (champion && !challenger) w.totals.cells.champion_only.add(1.0);
  }
}

std::vector<double> replicate_column(const BudgetTotals& t, std::size_t m, std::size_t q) {
  const auto c = t.replicates.col(static_cast<Eigen::Index>(column_of(m, q)));
  return std::vector<double>(c.begin(), c.end());
}

// One model's figure: a percentile bootstrap interval, unless a better one exists (an
// exact price, an order statistic for a percentile, Wilson's for the error rate).
void model_figure(const BudgetTotals& t, const BudgetBootstrap& settings, BudgetFigure& f, std::size_t m) {
  const std::size_t q = index_of(f.metric);
  f.subjects[m] = estimate_from_replicates(t.point[m][q], replicate_column(t, m, q), {},
                                           IntervalMethod::percentile, settings.confidence);
  f.interval_kind[m] = "percentile bootstrap";
  if (f.source[m] == BudgetSource::pricing) {
    // A list price has no sampling error (and one beyond a double's range has no interval).
    const MetricValue& price = f.subjects[m].point;
    f.subjects[m].ci =
        price.defined ? Interval::of(price.value, price.value) : Interval::undefined(std::string(price.reason));
    f.subjects[m].standard_error = 0.0;
    f.interval_kind[m] = "exact (price)";
  } else if (is_latency(f.metric) && f.metric != BudgetMetric::latency_mean) {
    f.subjects[m].ci = t.order[m][q - percentile_index(0)].ci;
    f.interval_kind[m] = "order statistic";
  } else if (f.metric == BudgetMetric::error_rate) {
    f.subjects[m].ci = wilson_interval(t.failures[m], t.predictions[m], settings.confidence);
    f.interval_kind[m] = "wilson";
  }
}

// The paired delta of the error rate: rows where only one model errs are its discordant
// rows (estimate/paired_proportion_choice.hpp chooses and marks its interval). Unweighted,
// as every budget is; the cluster key, if any, refuses the score interval.
void choose_error_rate_interval(const BudgetTotals& t, const BudgetBootstrap& s, BudgetFigure& f) {
  const PairedIntervalSettings settings{s.paired_proportions, IntervalMethod::percentile, s.confidence, t.clustered,
                                        false};
  choose_paired_proportion_interval(f.subjects[2], t.cells, settings);
  if (f.subjects[2].interval_method == kTangoScore) f.interval_kind[2] = "tango score";
}

// The challenger minus the champion (s = 2) and relative to it (s = 3).
void delta_figures(const BudgetTotals& t, const BudgetBootstrap& settings, BudgetFigure& f) {
  const std::size_t q = index_of(f.metric);
  for (std::size_t s = 2; s < 4; ++s) {
    const bool relative = s == 3;
    if (f.source[0] == BudgetSource::none || f.source[1] == BudgetSource::none) {
      const std::string why = "needs both models' " + std::string(name_of(f.metric));
      f.subjects[s].point = MetricValue::undefined("needs both models' figures");
      f.subjects[s].ci = Interval::undefined(why);
      continue;
    }
    f.subjects[s] = estimate_from_replicates(difference_value(t.point[0][q], t.point[1][q], relative),
                                             difference_replicates(replicate_column(t, 0, q), replicate_column(t, 1, q), relative),
                                             {}, IntervalMethod::percentile, settings.confidence);
    f.interval_kind[s] = f.source[0] == BudgetSource::pricing && f.source[1] == BudgetSource::pricing
                             ? "exact (price)"
                         : f.paired ? "paired percentile bootstrap"
                                    : "independent percentile bootstrap";
  }
  if (f.metric == BudgetMetric::error_rate && f.source[0] == BudgetSource::columns &&
      f.source[1] == BudgetSource::columns)
    choose_error_rate_interval(t, settings, f);
}

BudgetFigure budget_figure(const BudgetTotals& t, const BudgetBootstrap& settings, BudgetMetric metric) {
  BudgetFigure f;
  f.metric = metric;
  f.paired = !(t.samples && is_latency(metric));
  for (std::size_t m = 0; m < 2; ++m) {
    f.source[m] = t.source[m][index_of(metric)];
    f.n[m] = t.n[m][index_of(metric)];
    if (f.source[m] == BudgetSource::none) {
      f.subjects[m].point = MetricValue::undefined("not measured for this model");
      f.subjects[m].ci = Interval::undefined("not measured for this model");
      continue;
    }
    model_figure(t, settings, f, m);
  }
  delta_figures(t, settings, f);
  return f;
}

// The replicates, row-major [b][model][quantity], as BudgetResults keeps them.
std::vector<double> flat_replicates(const Eigen::ArrayXXd& replicates) {
  const std::size_t B = static_cast<std::size_t>(replicates.rows());
  std::vector<double> flat(B * 2 * kQuantities);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t c = 0; c < 2 * kQuantities; ++c)
      flat[b * 2 * kQuantities + c] = replicates(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(c));
  return flat;
}

bool any_source(const BudgetSources& source) {
  for (const auto& model : source)
    for (BudgetSource x : model)
      if (x != BudgetSource::none) return true;
  return false;
}

}  // namespace

BudgetTotals::BudgetTotals(std::size_t resamples)
    : replicates(Eigen::ArrayXXd::Constant(static_cast<Eigen::Index>(resamples),
                                           static_cast<Eigen::Index>(2 * kQuantities), kNaN)) {
  for (auto& model : point) model.fill(MetricValue::undefined("not measured"));
}

void apply_prices(const std::array<std::optional<ModelPrice>, 2>& price, BudgetTotals& t) {
  const std::size_t q = index_of(BudgetMetric::cost_per_1k);
  for (std::size_t m = 0; m < 2; ++m)
    if (price[m]) {
      // per_hour / throughput_per_s can exceed a double for extreme (finite) prices.
      const double v = price[m]->cost_per_1k();
      t.point[m][q] = std::isfinite(v) ? MetricValue::of(v) : MetricValue::undefined(kBeyondDouble);
      t.replicates.col(static_cast<Eigen::Index>(column_of(m, q))).setConstant(std::isfinite(v) ? v : kNaN);
    }
}

BudgetSources budget_sources(const BudgetColumnsGiven& given, const std::array<std::optional<ModelPrice>, 2>& price,
                             bool samples) {
  BudgetSources source{};
  const auto of = [](bool g) { return g ? BudgetSource::columns : BudgetSource::none; };
  for (std::size_t m = 0; m < 2; ++m) {
    for (std::size_t q = index_of(BudgetMetric::latency_mean); q <= index_of(BudgetMetric::latency_p999); ++q)
      source[m][q] = samples ? BudgetSource::samples : of(given.latency[m]);
    source[m][index_of(BudgetMetric::cost_per_1k)] = price[m] ? BudgetSource::pricing : of(given.cost[m]);
    source[m][index_of(BudgetMetric::error_rate)] = of(given.error[m]);
  }
  return source;
}

BudgetSources budget_sources(const BudgetInputs& in) {
  BudgetColumnsGiven given;
  for (std::size_t m = 0; m < 2; ++m) {
    given.latency[m] = !in.latency[m].empty();
    given.cost[m] = !in.cost[m].empty();
    given.error[m] = !in.error[m].empty();
  }
  return budget_sources(given, in.price, in.latency_samples != nullptr);
}

std::vector<MeanSpec> mean_specs(const BudgetSources& source) {
  std::vector<MeanSpec> specs;
  for (std::size_t m = 0; m < 2; ++m) {
    if (source[m][index_of(BudgetMetric::cost_per_1k)] == BudgetSource::columns)
      specs.push_back({m, index_of(BudgetMetric::cost_per_1k), 1000.0});
    if (source[m][index_of(BudgetMetric::error_rate)] == BudgetSource::columns)
      specs.push_back({m, index_of(BudgetMetric::error_rate), 1.0});
    if (source[m][index_of(BudgetMetric::latency_mean)] == BudgetSource::columns)
      specs.push_back({m, index_of(BudgetMetric::latency_mean), 1.0});
  }
  return specs;
}

BudgetResults budget_results(const BudgetTotals& t, const BudgetBootstrap& settings) {
  BudgetResults results;
  for (std::size_t q = 0; q < kQuantities; ++q) {
    const auto metric = static_cast<BudgetMetric>(q);
    if (t.source[0][q] == BudgetSource::none && t.source[1][q] == BudgetSource::none) continue;
    results.figures.push_back(budget_figure(t, settings, metric));
  }
  results.resamples = settings.resamples;
  results.replicates = flat_replicates(t.replicates);
  return results;
}

BudgetResults estimate_budgets(const BudgetInputs& in, const BudgetBootstrap& settings) {
  const BudgetSources source = budget_sources(in);
  if (!any_source(source)) return {};
  BudgetWork w(in, settings, source);
  bootstrap_table(w);
  if (in.latency_samples) bootstrap_latency_samples(w);
  latency_order_statistics(w);
  error_counts(w);
  apply_prices(in.price, w.totals);
  return budget_results(w.totals, settings);
}

}  // namespace referee
