// The multiclass task's Poisson path (the weight cache filled once per block, the
// whole-weight one-vs-rest passes with their integer runs of negatives, the radix sort of
// the rankings, the AVX2 clones) gives every bit the plain passes give. The plain ranking
// and ranked pass are written out here as they stood before the speed-ups: rows ranked by an
// index sort that reads the probabilities, every row's Poisson weights regenerated, the
// binary AUC's tie-group update per row; the plain confusion sums are confusion_exact_pass's
// (the pass the other weight sources run), regenerating the weights. Both run on the same blocks
// over tables with continuous probabilities (lone rows, positives and negatives
// interleaved), ties (-0 among them), segments (one of them two rows), clusters, fractional
// row weights (the reference is then the binary ranked passes of ovr_passes.hpp, which the
// task runs for them), a run of negatives longer than a 16-bit run holds, and 37 used lanes;
// the task's figures are compared lane by lane, and the one-vs-rest sums themselves.
// Prints the number of values compared.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "accumulate/accumulator_dispatch.hpp"
#include "accumulate/multiclass_accumulator.hpp"
#include "accumulate/multiclass_metrics.hpp"
#include "accumulate/ovr_passes.hpp"
#include "accumulate/replicate_layout.hpp"
#include "tasks/task_definition.hpp"

namespace {

using namespace referee;

struct Case {
  std::size_t classes = 4;
  std::vector<double> label, weight;
  std::array<std::vector<double>, 2> proba;  // n x K, row-major
  std::vector<std::uint64_t> key;             // clusters: a key per row
  std::vector<std::vector<std::uint32_t>> groups;
  std::vector<std::size_t> group_counts;
  std::vector<std::string> names;
  std::size_t rows() const { return label.size(); }
};

// Probabilities on a grid of `step` (0: continuous), so that many rows tie.
Case make_case(std::size_t n, std::size_t K, double step, std::uint64_t seed) {
  Case c;
  c.classes = K;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (std::size_t k = 0; k < K; ++k) c.names.push_back(std::to_string(k));
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t y = rng() % K;
    c.label.push_back(static_cast<double>(y));
    for (auto& p : c.proba) {
      std::vector<double> row(K);
      double sum = 0.0;
      for (std::size_t k = 0; k < K; ++k) sum += (row[k] = uniform(rng) + (k == y ? 0.8 : 0.0));
      for (double& v : row) {
        v /= sum;
        if (step > 0.0) v = std::round(v / step) * step;
        if (v == 0.0 && r % 2 == 1) v = -0.0;  // a probability of -0 ties with +0
        p.push_back(std::min(v, 1.0));
      }
    }
  }
  return c;
}

// The plain ranking, as it was: row indices sorted by the block's probabilities.
RankedClass plain_rank(const Case& c, const ScoreBlock& s, std::size_t k, const RowUnits& units,
                       std::span<const GroupingSpec> groupings) {
  RankedClass ranked;
  ranked.order.resize(c.rows());
  std::iota(ranked.order.begin(), ranked.order.end(), std::uint32_t{0});
  std::sort(ranked.order.begin(), ranked.order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const double pa = s.at(a, k), pb = s.at(b, k);
    if (pa != pb) return pa > pb;
    const std::uint64_t ka = units.key_of(a), kb = units.key_of(b);
    return ka != kb ? ka < kb : a < b;
  });
  const auto score_of = [&](std::uint32_t r) { return s.at(r, k); };
  ranked.ties = tie_marks(ranked.order, score_of, {}, 1);
  for (const GroupingSpec& g : groupings) ranked.group_ties.push_back(tie_marks(ranked.order, score_of, g.group_of_row, g.groups));
  return ranked;
}

// The plain one-vs-rest update of one row, as binary_accumulator.hpp credits ties.
void plain_update(OvrSums& s, const LaneWeights& w, bool positive, std::uint8_t marks) {
  for (std::size_t l = 0; l < kLanes; ++l) {
    if (marks == (kTieStarts | kTieEnds)) {
      if (positive) {
        s.pos[l] += w[l];
      } else {
        s.auc[l] += w[l] * s.pos[l];
        s.neg[l] += w[l];
      }
      continue;
    }
    (positive ? s.pending_pos : s.pending_neg)[l] += w[l];
    if (marks & kTieEnds) {
      s.auc[l] += s.pending_neg[l] * (s.pos[l] + 0.5 * s.pending_pos[l]);
      s.pos[l] += s.pending_pos[l];
      s.neg[l] += s.pending_neg[l];
      s.pending_pos[l] = s.pending_neg[l] = 0.0;
    }
  }
}

// The plain ranked pass: overall and per group, the weights regenerated per row.
void plain_ovr(const Case& c, const RankedClass& ranked, std::size_t k, const PoissonWeights& weights,
               std::span<const GroupingSpec> groupings, OvrSums& out, std::vector<std::vector<OvrSums>>& grouped) {
  LaneWeights w{};
  for (std::size_t i = 0; i < ranked.order.size(); ++i) {
    const std::uint32_t r = ranked.order[i];
    weights.fill(r, w);
    if (!c.weight.empty())
      for (double& v : w) v *= c.weight[r];
    const bool positive = c.label[r] == static_cast<double>(k);
    plain_update(out, w, positive, ranked.ties[i]);
    for (std::size_t g = 0; g < groupings.size(); ++g)
      plain_update(grouped[g][groupings[g].group_of_row[r]], w, positive, ranked.group_ties[g][i]);
  }
}

std::size_t compared = 0;

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b)); }

void expect_same_sums(const OvrSums& fast, const OvrSums& plain, const char* what) {
  for (std::size_t l = 0; l < kLanes; ++l) {
    REQUIRE_MESSAGE(same_bits(fast.pos[l], plain.pos[l]), what << ": pos, lane " << l);
    REQUIRE_MESSAGE(same_bits(fast.neg[l], plain.neg[l]), what << ": neg, lane " << l);
    REQUIRE_MESSAGE(same_bits(fast.auc[l], plain.auc[l]), what << ": auc, lane " << l);
    compared += 3;
  }
}

// The rows' units: each row its own, or the rank of its cluster key (`unit` holds them).
RowUnits units_of(const Case& c, std::vector<std::uint32_t>& unit) {
  RowUnits units;
  units.key = c.key;
  units.unit_count = c.rows();
  if (c.key.empty()) return units;
  std::vector<std::uint64_t> keys = c.key;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  unit.resize(c.rows());
  for (std::size_t r = 0; r < c.rows(); ++r)
    unit[r] = static_cast<std::uint32_t>(std::lower_bound(keys.begin(), keys.end(), c.key[r]) - keys.begin());
  units.unit = unit;
  units.unit_count = keys.size();
  return units;
}

// Class k of one model: the plain ranking and pass against the task's ranking and the fast
// pass on the cache, sums compared bit for bit; the plain sums go to `plain`, `by_group`.
void check_class(const Case& c, const ScoreBlock& s, std::size_t k, const RowUnits& units,
                 std::span<const GroupingSpec> groupings, const PoissonWeights& weights, const CachedWeights& cache,
                 OvrSums& plain, std::vector<std::vector<OvrSums>>& by_group, const char* what) {
  const RankedClass ranked = plain_rank(c, s, k, units, groupings);
  std::vector<std::vector<OvrSums>> fast_by_group;
  for (const GroupingSpec& g : groupings) by_group.emplace_back(g.groups);
  fast_by_group = by_group;
  plain_ovr(c, ranked, k, weights, groupings, plain, by_group);
  const RankedClass fast_ranked = rank_class(s, c.label, k, units, groupings);
  REQUIRE(fast_ranked.order == ranked.order);
  REQUIRE(fast_ranked.ties == ranked.ties);
  REQUIRE(fast_ranked.group_ties == ranked.group_ties);
  OvrSums fast;
  multiclass_ovr_pass_whole(fast_ranked, cache, groupings, fast, fast_by_group);
  expect_same_sums(fast, plain, what);
  for (std::size_t g = 0; g < groupings.size(); ++g)
    for (std::size_t j = 0; j < groupings[g].groups; ++j) expect_same_sums(fast_by_group[g][j], by_group[g][j], what);
}

// Runs the task's block and the plain passes on the same Poisson weights; compares every
// figure of both models, overall and per group, in lanes [0, used).
void check(const Case& c, std::size_t first_replicate, std::size_t used, const char* what) {
  std::vector<std::uint32_t> unit;
  const RowUnits units = units_of(c, unit);
  PairedColumns columns{Task::multiclass, c.label, {}, {}, c.weight, 0.5, units, {}};
  for (std::size_t g = 0; g < c.groups.size(); ++g) columns.groupings.push_back({c.groups[g], c.group_counts[g], false});
  columns.metrics = task_definition(Task::multiclass).default_metrics(Task::multiclass);
  columns.metrics.push_back(metric_instance(Metric::top_k_accuracy, std::nullopt, std::size_t{3}));
  for (std::size_t m = 0; m < 2; ++m) columns.class_scores[m] = ScoreBlock{c.proba[m], c.classes, c.classes, 1};
  columns.classes = c.names;
  const ReplicateLayout layout(columns.metrics.size(), false, columns.groupings);
  const auto accumulator = task_definition(Task::multiclass).accumulator(columns, layout);
  const PoissonWeights weights(20261203, first_replicate, units);
  ReplicateMatrix fast(kLanes, static_cast<Eigen::Index>(layout.columns));
  accumulator->block(weights, used, BlockWriter{fast, 0, nullptr});

  // The plain sums.
  std::vector<std::size_t> top_ks;
  const std::vector<MulticlassFigure> figures = resolve_figures(columns.metrics, c.names, top_ks);
  const std::span<const GroupingSpec> groupings = columns.groupings;
  std::array<MulticlassRows, 2> rows;
  for (std::size_t m = 0; m < 2; ++m) rows[m] = multiclass_rows({c.label, columns.class_scores[m], c.weight}, top_ks);
  const MulticlassColumns champion{c.label, columns.class_scores[0], c.weight};
  const MulticlassPlan plan = plan_multiclass(champion, columns.class_scores[1], units);
  std::array<MulticlassPassState, 2> states;
  for (auto& s : states)
    s = MulticlassPassState(MulticlassExact(c.classes, top_ks.size(), kLanes), group_counts(groupings));
  confusion_exact_pass(champion, rows, plan, weights, groupings, {&states[0], &states[1]});
  const ConfusionSums empty(c.classes, top_ks.size());
  std::array<ConfusionSums, 2> overall{states[0].overall.rounded(), states[1].overall.rounded()};
  std::vector<std::vector<std::array<ConfusionSums, 2>>> grouped;
  for (std::size_t g = 0; g < groupings.size(); ++g) {
    grouped.emplace_back(groupings[g].groups, std::array<ConfusionSums, 2>{empty, empty});
    for (std::size_t j = 0; j < groupings[g].groups; ++j)
      for (std::size_t m = 0; m < 2; ++m) grouped[g][j][m] = states[m].groups[g][j].rounded();
  }

  CachedWeights cache(c.rows());
  fill_cache(weights, c.rows(), cache);
  const OvrPasses binary_ovr({champion, MulticlassColumns{c.label, columns.class_scores[1], c.weight}}, units,
                             groupings, 0);  // the cache the fast passes read, filled as the task fills it
  for (std::size_t m = 0; m < 2; ++m) {
    std::vector<OvrSums> ovr(c.classes);
    std::vector<std::vector<std::vector<OvrSums>>> ovr_grouped;  // [g][j][k]
    for (const GroupingSpec& g : groupings) ovr_grouped.emplace_back(g.groups, std::vector<OvrSums>(c.classes));
    for (std::size_t k = 0; k < c.classes; ++k) {
      std::vector<std::vector<OvrSums>> by_group;
      if (c.weight.empty()) {
        check_class(c, columns.class_scores[m], k, units, groupings, weights, cache, ovr[k], by_group, what);
      } else {  // row weights: the task runs the binary ranked passes (ovr_passes.hpp)
        BinaryPassState state;
        binary_ovr.run(weights, m, k, nullptr, state);
        ovr[k] = ovr_sums(state.overall);
        for (std::size_t g = 0; g < groupings.size(); ++g) {
          by_group.emplace_back();
          for (const BinaryExact& e : state.groups[g]) by_group.back().push_back(ovr_sums(e));
        }
      }
      for (std::size_t g = 0; g < groupings.size(); ++g)
        for (std::size_t j = 0; j < groupings[g].groups; ++j) ovr_grouped[g][j][k] = by_group[g][j];
    }
    for (std::size_t lane = 0; lane < used; ++lane)
      for (std::size_t f = 0; f < figures.size(); ++f) {
        const auto value = [](const MetricValue& v) { return v.defined ? v.value : std::nan(""); };
        REQUIRE_MESSAGE(same_bits(fast(static_cast<Eigen::Index>(lane), static_cast<Eigen::Index>(layout.metric(m, f))),
                                  value(multiclass_value(figures[f], overall[m], ovr, lane))),
                        what << ", model " << m << ", figure " << f << ", lane " << lane);
        ++compared;
        for (std::size_t g = 0; g < groupings.size(); ++g)
          for (std::size_t j = 0; j < groupings[g].groups; ++j) {
            const double got = fast(static_cast<Eigen::Index>(lane), static_cast<Eigen::Index>(layout.group(g, j, m, f)));
            REQUIRE_MESSAGE(same_bits(got, value(multiclass_value(figures[f], grouped[g][j][m], ovr_grouped[g][j], lane))),
                            what << ", group " << g << "/" << j << ", model " << m << ", figure " << f);
            ++compared;
          }
      }
  }
}

void add_groups(Case& c) {
  std::vector<std::uint32_t> band(c.rows()), tiny(c.rows(), 0);
  for (std::size_t r = 0; r < c.rows(); ++r) band[r] = static_cast<std::uint32_t>((r * 7) % 3);
  tiny[5] = tiny[c.rows() / 2] = 1;  // a group of two rows
  c.groups = {band, tiny};
  c.group_counts = {3, 2};
}

}  // namespace

TEST_CASE("multiclass: the fast Poisson passes give the plain passes' bits") {
  Case ties = make_case(3000, 4, 0.05, 1);
  add_groups(ties);
  check(ties, 0, kLanes, "ties and segments");
  check(ties, 960, 37, "ties and segments, 37 lanes");

  // Continuous probabilities: lone rows, positives and negatives interleaved (the runs).
  Case continuous = make_case(4000, 4, 0.0, 5);
  add_groups(continuous);
  check(continuous, 192, kLanes, "continuous, segments");
  // A fine grid: mostly lone rows, some small tie groups between them.
  Case fine = make_case(4000, 3, 0.001, 6);
  for (std::size_t r = 0; r < fine.rows(); ++r) fine.key.push_back((r / 2) * 40503u % 65537u);
  check(fine, 256, kLanes, "fine grid, clusters");

  Case clustered = make_case(2500, 3, 0.02, 2);
  add_groups(clustered);
  for (std::size_t r = 0; r < clustered.rows(); ++r) clustered.key.push_back((r / 3) * 2654435761u % 1000003u);
  check(clustered, 64, kLanes, "clusters");

  Case weighted = make_case(2000, 5, 0.1, 3);
  add_groups(weighted);
  for (std::size_t r = 0; r < weighted.rows(); ++r) weighted.weight.push_back(0.25 + static_cast<double>(r % 7) * 0.3);
  check(weighted, 128, kLanes, "fractional row weights");

  // Class 0 rows rank above every other row by p_0, so the 10 800 negatives below them
  // form one run (no positive among them), longer than a 16-bit run sum holds: it is credited in parts.
  Case runs = make_case(12000, 3, 0.0, 4);
  for (std::size_t r = 0; r < runs.rows(); ++r) {
    runs.label[r] = r % 10 == 0 ? 0.0 : static_cast<double>(1 + r % 2);
    for (auto& p : runs.proba) {
      const double p0 = runs.label[r] == 0.0 ? 0.6 + 0.3 * static_cast<double>(r % 97) / 97.0
                                             : 0.3 * static_cast<double>(r % 89) / 89.0 + 1e-7 * static_cast<double>(r);
      p[r * 3] = p0;
      p[r * 3 + 1] = (1.0 - p0) * (runs.label[r] == 1.0 ? 0.7 : 0.3);
      p[r * 3 + 2] = 1.0 - p0 - p[r * 3 + 1];
    }
  }
  check(runs, 0, kLanes, "long runs of negatives");
  std::printf("multiclass fast pass: %zu values compared, every bit the same\n", compared);
}
