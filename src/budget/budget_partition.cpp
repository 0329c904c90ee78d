// Serving budgets in a partitioned evaluation: budget_partition.hpp, docs/partitioned.md.

#include "budget/budget_partition.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <thread>

#include <referee/error.hpp>

#include "accumulate/power_of_two_scale.hpp"
#include "budget/budget_state.hpp"
#include "budget/budget_totals.hpp"
#include "resample/block_scheduler.hpp"
#include "resample/canonical_buckets.hpp"
#include "tasks/task_definition.hpp"

namespace referee::partitioned {

namespace {

constexpr std::array<std::string_view, 2> kModels{"champion", "challenger"};
// Slots per lane: x_(floor h) and the next, per percentile; the point estimate's lane also
// holds each percentile's order-statistic interval ends.
constexpr std::size_t kSlots = 2 * kLatencyQuantileCount;
constexpr std::size_t kPointSlots = 2 * kSlots;
constexpr std::uint64_t kNoRank = std::numeric_limits<std::uint64_t>::max();

// What the passes are, from the policy alone: each is a latency model (or -1, the
// order-free means pass), and one of them folds the means.
struct BudgetPasses {
  BudgetSources source{};
  std::vector<int> model;
  std::size_t means = 0;
  bool any_means = false;
};

BudgetPasses budget_passes(const Policy& policy) {
  BudgetPasses p;
  BudgetColumnsGiven given;
  for (std::size_t m = 0; m < 2; ++m) {
    given.latency[m] = !policy.columns.latency[m].empty();
    given.cost[m] = !policy.columns.cost[m].empty();
    given.error[m] = !policy.columns.error[m].empty();
  }
  p.source = budget_sources(given, policy.pricing, false);
  p.any_means = !mean_specs(p.source).empty();
  for (std::size_t m = 0; m < 2; ++m)
    if (given.latency[m]) p.model.push_back(static_cast<int>(m));
  if (p.model.empty() && p.any_means) p.model.push_back(-1);
  return p;
}

std::string pass_label(int model) {
  return model < 0 ? "budget" : "budget/" + std::string(kModels[static_cast<std::size_t>(model)]) + " latency";
}

BudgetShape shape_of(const Plan& plan, const BudgetPasses& passes, std::size_t b) {
  BudgetShape shape;
  const std::size_t B = plan.bootstrap().resamples;
  shape.lanes.push_back(1);
  for (std::size_t first = 0; first < B; first += kLanes) shape.lanes.push_back(std::min(kLanes, B - first));
  if (b == passes.means) shape.means = mean_specs(passes.source).size();
  if (passes.model[b] >= 0) {
    shape.slots = kSlots;
    shape.point_slots = kPointSlots;
  }
  return shape;
}

// A partition's budget columns, keyed as the single process keys them.
BudgetInputs inputs_of(const Table& part, const Policy& policy) {
  BudgetInputs in;
  in.latency = part.latency;
  in.cost = part.cost;
  in.error = part.error;
  in.units = {part.unit_key, {}, 0};
  in.rows = part.rows;
  in.price = policy.pricing;
  return in;
}

std::span<const double> mean_values(const BudgetInputs& in, const MeanSpec& s) {
  const auto q = static_cast<BudgetMetric>(s.quantity);
  return q == BudgetMetric::cost_per_1k ? in.cost[s.model] : q == BudgetMetric::error_rate ? in.error[s.model] : in.latency[s.model];
}

// The ranks a lane looks for, from the pass's total weight W of that lane (none without one).
std::vector<std::uint64_t> lane_targets(std::uint64_t W, bool point, double confidence) {
  std::vector<std::uint64_t> t(point ? kPointSlots : kSlots, kNoRank);
  if (W == 0) return t;
  for (std::size_t k = 0; k < kLatencyQuantileCount; ++k) {
    const double h = static_cast<double>(W - 1) * kLatencyProbabilities[k];
    t[2 * k] = static_cast<std::uint64_t>(std::floor(h));
    t[2 * k + 1] = std::min(t[2 * k] + 1, W - 1);
    if (!point) continue;
    const QuantileInterval qi = order_statistic_ranks(W, kLatencyProbabilities[k], confidence);
    if (qi.lower_rank == 0) continue;
    t[kSlots + 2 * k] = qi.lower_rank - 1;
    t[kSlots + 2 * k + 1] = qi.upper_rank - 1;
  }
  return t;
}

// One partition's pass over its rows in canonical order.
struct ShareWork {
  const BudgetInputs& in;
  std::vector<std::uint32_t> order;
  std::vector<std::size_t> ends;  // bucket ends along order
  std::vector<std::span<const double>> means;
  std::span<const double> latency;  // the ranked value, if a latency pass
  const BudgetPassState* above = nullptr;
  double confidence = 0.95;
};

// A lane's walk up its rows: the weight below (from the above) and the ranks still sought.
struct LaneWalk {
  std::uint64_t at = 0;
  std::vector<std::size_t> by_rank;  // slot indices by target
  std::vector<std::uint64_t> target;
  std::size_t next = 0;
};

std::vector<LaneWalk> lane_walks(const ShareWork& w, const BudgetBlock& out, std::size_t block) {
  std::vector<LaneWalk> walks(out.lanes());
  if (!w.above || w.latency.empty()) return walks;
  const BudgetBlock& a = w.above->blocks[block];
  for (std::size_t l = 0; l < out.lanes(); ++l) {
    LaneWalk& k = walks[l];
    k.at = a.weight[l];
    k.target = lane_targets(a.total[l], block == 0, w.confidence);
    k.by_rank.resize(k.target.size());
    std::iota(k.by_rank.begin(), k.by_rank.end(), 0u);
    std::stable_sort(k.by_rank.begin(), k.by_rank.end(), [&](std::size_t x, std::size_t y) { return k.target[x] < k.target[y]; });
    while (k.next < k.by_rank.size() && k.target[k.by_rank[k.next]] < k.at) ++k.next;  // below these rows
  }
  return walks;
}

template <class Weights>
void fill_block(const ShareWork& w, const Weights& weights, std::size_t block, BudgetBlock& out) {
  std::vector<LaneWalk> walks = lane_walks(w, out, block);
  MeanFolds folds(w.means, out.means);
  const bool fold = !w.means.empty() && (w.above || w.latency.empty());  // a ranked round 1 needs weights only
  LaneWeights lw{};
  std::size_t bucket = 0;
  for (std::size_t i = 0; i < w.order.size(); ++i) {
    const std::uint32_t r = w.order[i];
    weights.fill(r, lw);
    for (std::size_t l = 0; l < out.lanes(); ++l) {
      const auto c = static_cast<std::uint64_t>(lw[l]);
      LaneWalk& k = walks[l];
      for (; k.next < k.by_rank.size() && k.target[k.by_rank[k.next]] < k.at + c; ++k.next) {
        out.found[l][k.by_rank[k.next]] = 1;
        out.value[l][k.by_rank[k.next]] = w.latency[r];
      }
      k.at += c;
      out.weight[l] += c;
    }
    if (!fold) continue;
    folds.row(r, lw);
    if (i + 1 == w.ends[bucket]) {
      folds.close_bucket();
      ++bucket;
    }
  }
}

// The partition's errors and paired cells (the means pass only), as error_counts does.
void error_counts(const BudgetInputs& in, BudgetPassState& s) {
  for (std::size_t m = 0; m < 2; ++m)
    for (double e : in.error[m]) s.failures[m] += e != 0.0 ? 1 : 0;
  if (in.error[0].empty() || in.error[1].empty()) return;
  for (std::size_t r = 0; r < in.rows; ++r) {
    const bool champion = in.error[0][r] != 0.0, challenger = in.error[1][r] != 0.0;
    ++s.cells[0];
    if (challenger && !champion) ++s.cells[1];
    if (champion && !challenger) ++s.cells[2];
  }
}

void check_magnitudes(const BudgetInputs& in, const std::vector<MeanSpec>& specs) {
  for (const MeanSpec& s : specs)
    if (scale_exponent(max_magnitude({mean_values(in, s)}), 900) != 0)
      throw PolicyError("partitioned evaluation does not compute serving budgets over latencies or costs beyond "
                        "2^900 yet; evaluate in one process (docs/partitioned.md)");
}

std::string write_state(const Plan& plan, std::size_t pass, const BudgetPassState& s) {
  std::string bytes;
  ByteWriter out(bytes);
  write_header(out, StateKind::budget, plan.id);
  out.u64(pass);
  write_budget_state(out, s);
  return bytes;
}

BudgetPassState read_state(const Plan& plan, const BudgetPasses& passes, std::size_t b, std::string_view bytes) {
  ByteReader in(bytes, "partial state");
  std::array<std::uint8_t, 32> id{};
  if (read_header(in, id) != StateKind::budget) in.fail("not a budget pass's state");
  check_plan(plan, id, in);
  if (in.u64() != b) in.fail("a state of another budget pass");
  BudgetPassState s = read_budget_state(in, shape_of(plan, passes, b));
  if (!in.done()) in.fail("trailing bytes");
  return s;
}

std::uint64_t bucket_of(const Plan& plan, int model, const BudgetInputs& in, std::size_t r) {
  return budget_sum_bucket(in, model, r, plan.facts.rows);
}

}  // namespace

std::vector<std::string> budget_pass_names(const Policy& policy) {
  std::vector<std::string> names;
  for (int m : budget_passes(policy).model) names.push_back(pass_label(m));
  return names;
}

bool budget_pass_ranked(const Policy& policy, std::size_t b) { return budget_passes(policy).model.at(b) >= 0; }

std::vector<std::uint64_t> budget_buckets(const Plan& plan, std::size_t b, const Table& part) {
  const int model = budget_passes(plan.policy).model.at(b);
  const BudgetInputs in = inputs_of(part, plan.policy);
  std::vector<std::uint64_t> out(part.rows);
  for (std::size_t r = 0; r < part.rows; ++r) out[r] = bucket_of(plan, model, in, r);
  return out;
}

std::string budget_pass_state(const Plan& plan, std::size_t b, const Table& part, std::string_view above,
                              unsigned threads) {
  const BudgetPasses passes = budget_passes(plan.policy);
  const int model = passes.model.at(b);
  const BudgetInputs in = inputs_of(part, plan.policy);
  const std::vector<MeanSpec> specs = b == passes.means ? mean_specs(passes.source) : std::vector<MeanSpec>{};
  check_magnitudes(in, specs);
  BudgetPassState above_state;
  if (!above.empty()) {
    above_state = read_state(plan, passes, b, above);
    if (!above_state.has_total) throw UsageError("a budget pass's above carries no total; make the aboves with aboves()");
  }
  ShareWork w{in, budget_rows_ordered_by(in, model >= 0 ? in.latency[static_cast<std::size_t>(model)] : std::span<const double>{}),
              {}, {}, model >= 0 ? in.latency[static_cast<std::size_t>(model)] : std::span<const double>{},
              above.empty() ? nullptr : &above_state, plan.bootstrap().confidence};
  for (const MeanSpec& s : specs) w.means.push_back(mean_values(in, s));
  BudgetPassState s = budget_pass_state(shape_of(plan, passes, b));
  s.rows = part.rows;
  // Each row's bucket once, in the pass's order: the bucket ends and the range read it.
  std::vector<std::uint64_t> ordered(w.order.size());
  for (std::size_t i = 0; i < w.order.size(); ++i) ordered[i] = bucket_of(plan, model, in, w.order[i]);
  for (std::size_t i = 0; i < ordered.size(); ++i)
    if (i + 1 == ordered.size() || ordered[i] != ordered[i + 1]) w.ends.push_back(i + 1);
  if (!ordered.empty()) {
    s.first_bucket = ordered.front();
    s.last_bucket = ordered.back();
  }
  const BootstrapSettings boot = plan.bootstrap();
  run_tasks(s.blocks.size(), threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency()),
            [&](std::size_t k) {
              if (k == 0) fill_block(w, UnitWeights{}, 0, s.blocks[0]);
              else fill_block(w, PoissonWeights(boot.seed, (k - 1) * kLanes, in.units), k, s.blocks[k]);
            });
  if (b == passes.means) error_counts(in, s);
  if (model < 0)
    for (std::size_t e : w.ends) s.key_buckets.push_back(ordered[e - 1]);
  return write_state(plan, b, s);
}

// As aboves() (partitioned.cpp): the states are read twice (their ranges and the total, then
// their sums in rank order), so the driver holds one partition's state at a time.
std::vector<std::string> budget_aboves(const Plan& plan, std::size_t b, std::span<const std::string> round1) {
  const BudgetPasses passes = budget_passes(plan.policy);
  BudgetPassState total = budget_pass_state(shape_of(plan, passes, b)), below = total;
  std::vector<RankedRange> ranges;
  for (std::size_t i = 0; i < round1.size(); ++i) {
    const BudgetPassState s = read_state(plan, passes, b, round1[i]);
    if (!s.empty()) ranges.push_back({i, s.first_bucket, s.last_bucket});
    add_budget_state(total, s);
  }
  std::vector<std::string> out(round1.size());
  for (const RankedRange& r : rank_order(std::move(ranges), pass_label(passes.model[b]), "latency")) {
    BudgetPassState above = below;
    above.has_total = true;
    for (std::size_t i = 0; i < above.blocks.size(); ++i) above.blocks[i].total = total.blocks[i].weight;
    out[r.index] = write_state(plan, b, above);
    add_budget_state(below, read_state(plan, passes, b, round1[r.index]));
  }
  return out;
}

std::string budget_merge(const Plan& plan, std::size_t b, std::span<const std::string> states) {
  const BudgetPasses passes = budget_passes(plan.policy);
  BudgetPassState merged = budget_pass_state(shape_of(plan, passes, b));
  for (const std::string& bytes : states) {
    const BudgetPassState s = read_state(plan, passes, b, bytes);
    if (s.has_total) throw UsageError("an above is not a share; merge the states of round 2");
    add_budget_state(merged, s);
  }
  return write_state(plan, b, merged);
}

namespace {

// The value at slot j of lane l, which exactly one partition must have reported.
double slot(const BudgetBlock& b, std::size_t l, std::size_t j, std::string_view pass) {
  if (!b.found[l][j])
    throw UsageError("no partition of the " + std::string(pass) + " pass reported a latency order statistic: a "
                     "partition ran round 2 without its above (docs/partitioned.md)");
  return b.value[l][j];
}

// Model m's percentiles: the point, the order-statistic intervals and every replicate.
void latency_totals(const Plan& plan, std::size_t m, const BudgetPassState& s, std::string_view pass, BudgetTotals& t) {
  const std::size_t n = static_cast<std::size_t>(s.rows);
  const double confidence = plan.bootstrap().confidence;
  for (std::size_t k = 0; k < kLatencyQuantileCount && n > 0; ++k) {
    const double p = kLatencyProbabilities[k];
    const BudgetBlock& point = s.blocks[0];
    t.point[m][percentile_index(k)] = MetricValue::of(type7_between(
        slot(point, 0, 2 * k, pass), slot(point, 0, 2 * k + 1, pass), static_cast<double>(n - 1) * p, static_cast<double>(n)));
    t.n[m][percentile_index(k)] = n;
    QuantileInterval qi = order_statistic_ranks(n, p, confidence);
    if (qi.lower_rank > 0) qi.ci = Interval::of(slot(point, 0, kSlots + 2 * k, pass), slot(point, 0, kSlots + 2 * k + 1, pass));
    t.order[m][k] = qi;
  }
  for (std::size_t i = 1; i < s.blocks.size(); ++i) {
    const BudgetBlock& b = s.blocks[i];
    for (std::size_t l = 0; l < b.lanes(); ++l) {
      if (b.weight[l] == 0) continue;
      const double W = static_cast<double>(b.weight[l]);
      for (std::size_t k = 0; k < kLatencyQuantileCount; ++k)
        t.replicates(static_cast<Eigen::Index>((i - 1) * kLanes + l), static_cast<Eigen::Index>(budget_column(m, percentile_index(k)))) = lane_type7(
            slot(b, l, 2 * k, pass), slot(b, l, 2 * k + 1, pass), (W - 1.0) * kLatencyProbabilities[k]);
    }
  }
}

// The means (point and replicates) and the error counts, from the pass that folds them.
void mean_totals(const BudgetPasses& passes, const BudgetPassState& s, BudgetTotals& t) {
  const std::vector<MeanSpec> specs = mean_specs(passes.source);
  for (std::size_t c = 0; c < specs.size(); ++c) {
    set_point_mean(t, specs[c], s.blocks[0].means.sum[c][0], static_cast<std::size_t>(s.rows));
    for (std::size_t i = 1; i < s.blocks.size(); ++i)
      for (std::size_t l = 0; l < s.blocks[i].lanes(); ++l)
        t.replicates(static_cast<Eigen::Index>((i - 1) * kLanes + l),
                     static_cast<Eigen::Index>(budget_column(specs[c].model, specs[c].quantity))) =
            mean_of(specs[c], s.blocks[i].means.sum[c][l], s.blocks[i].means.weight[l]);
  }
  for (std::size_t m = 0; m < 2; ++m) {
    t.failures[m] = static_cast<std::size_t>(s.failures[m]);
    t.predictions[m] = passes.source[m][budget_index(BudgetMetric::error_rate)] == BudgetSource::columns ? s.rows : 0;
  }
  if (passes.source[0][budget_index(BudgetMetric::error_rate)] != BudgetSource::columns ||
      passes.source[1][budget_index(BudgetMetric::error_rate)] != BudgetSource::columns)
    return;
  // Unit weights: each cell's weight and squared weight are its row count.
  const auto cell = [](std::uint64_t rows) {
    CellSums c;
    c.rows = static_cast<std::size_t>(rows);
    c.weight = c.weight_squared = static_cast<double>(rows);
    return c;
  };
  t.cells = {cell(s.cells[0]), cell(s.cells[1]), cell(s.cells[2])};
}

}  // namespace

BudgetResults budget_finish(const Plan& plan, std::span<const std::string> merged) {
  const BudgetPasses passes = budget_passes(plan.policy);
  bool any = false;
  for (const auto& model : passes.source)
    for (BudgetSource x : model) any = any || x != BudgetSource::none;
  if (!any) return {};
  const BootstrapSettings boot = plan.bootstrap();
  BudgetTotals t(boot.resamples);
  t.source = passes.source;
  // Clustered as describe_partitioned() says, as estimate_serving_budgets() passes it.
  t.clustered = !plan.policy.columns.cluster.empty() || task_definition(plan.policy.task).queries;
  for (std::size_t b = 0; b < passes.model.size(); ++b) {
    const BudgetPassState s = read_state(plan, passes, b, merged[b]);
    const std::string pass = pass_label(passes.model[b]);
    if (s.rows != plan.facts.rows)
      throw UsageError("the " + pass + " pass saw " + std::to_string(s.rows) + " rows, the facts " +
                       std::to_string(plan.facts.rows) + "; every pass must see every row once");
    if (b == passes.means && passes.any_means) mean_totals(passes, s, t);
    if (passes.model[b] >= 0) latency_totals(plan, static_cast<std::size_t>(passes.model[b]), s, pass, t);
  }
  apply_prices(plan.policy.pricing, t);
  return budget_results(t, {boot.resamples, boot.confidence, boot.scheme, boot.seed, 1, nullptr, boot.paired_proportions});
}

}  // namespace referee::partitioned
