#include "evaluate/estimation.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "data/row_units.hpp"
#include "evaluate/paired_columns.hpp"
#include "estimate/disparity_interval.hpp"
#include "estimate/paired_proportion_choice.hpp"
#include "tasks/task_definition.hpp"

namespace referee {

GroupingSet build_groupings(const Table& table, const Policy& policy, const Limits& limits) {
  GroupingSet groups;
  for (const auto& spec : policy.segments)
    groups.groupings.push_back(make_grouping(table, spec, policy.task, limits));
  groups.segment_count = groups.groupings.size();
  for (const auto& attribute : policy.sensitive)
    groups.groupings.push_back(make_grouping(table, attribute, policy.task, limits));
  return groups;
}

ReplicateRun run_replicates(const Table& table, const Policy& policy, const GroupingSet& groups,
                            const Evaluation& ev, const EvaluateOptions& options) {
  PairedColumns columns = paired_columns(table, policy);
  // Sensitive attributes need only the confusion cells of each group, not every metric.
  for (std::size_t g = 0; g < groups.groupings.size(); ++g)
    columns.groupings.push_back({groups.groupings[g].group_of_row, groups.groupings[g].size(),
                                 g >= groups.segment_count});
  ReplicateRequest request;
  request.bootstrap = ev.bootstrap.resamples;
  request.jackknife_groups = ev.jackknife_groups;
  request.scheme = ev.bootstrap.scheme;
  request.seed = ev.bootstrap.seed;
  request.threads = ev.run.threads;
  request.progress = options.progress;
  request.cancel = options.cancel;
  const ReplicateEngine engine(columns);
  return {engine.run(request), engine.layout()};
}

SubjectEstimates estimate_overall(const ReplicateRun& run, const BootstrapSettings& b) {
  SubjectEstimates out;
  for (std::size_t k = 0; k < run.layout.metrics; ++k)
    append(out, all_subjects(replicate(run.results, OverallMetric{run.layout, k}), b));
  return out;
}

namespace {

// A segment below segments_min is reported, but never judged.
void set_support(const SegmentsMin& minimum, Task task, SegmentResult& seg) {
  if (seg.rows < minimum.rows) {
    seg.sufficient = false;
    seg.insufficient_reason =
        std::to_string(seg.rows) + " rows, below segments_min.rows " + std::to_string(minimum.rows);
  } else if (task_definition(task).classes && seg.positives < minimum.positives) {
    seg.sufficient = false;
    seg.insufficient_reason = std::to_string(seg.positives) + " positive labels, below segments_min.positives " +
                              std::to_string(minimum.positives);
  }
}

SegmentTable segment_table(const ReplicateRun& run, const GroupingSet& groups, std::size_t g, const Policy& policy,
                           const BootstrapSettings& b) {
  const Grouping& grouping = groups.groupings[g];
  SegmentTable t;
  t.name = grouping.name;
  t.columns = grouping.columns;
  for (std::size_t j = 0; j < grouping.size(); ++j) {
    SegmentResult seg;
    seg.value = grouping.values[j];
    seg.rows = grouping.rows[j];
    seg.positives = grouping.positives[j];
    set_support(policy.segments_min, policy.task, seg);
    for (std::size_t k = 0; k < run.layout.metrics; ++k)
      append(seg.metrics, all_subjects(replicate(run.results, SegmentMetric{run.layout, g, j, k}), b));
    t.segments.push_back(std::move(seg));
  }
  return t;
}

}  // namespace

std::vector<SegmentTable> estimate_segments(const ReplicateRun& run, const GroupingSet& groups, const Policy& policy,
                                            const BootstrapSettings& b) {
  std::vector<SegmentTable> out;
  for (std::size_t g = 0; g < groups.segment_count; ++g) out.push_back(segment_table(run, groups, g, policy, b));
  return out;
}

namespace {

// Each group's rates, for both models.
std::vector<FairnessGroup> fairness_groups(const ReplicateRun& run, const Grouping& grouping, std::size_t g,
                                           const BootstrapSettings& b) {
  std::vector<FairnessGroup> out;
  for (std::size_t j = 0; j < grouping.size(); ++j) {
    FairnessGroup fg;
    fg.value = grouping.value_text(j);
    fg.rows = grouping.rows[j];
    fg.positives = grouping.positives[j];
    for (std::size_t q = 0; q < kGroupRateCount; ++q) {
      const GroupRateQuantity rate{run.layout, g, j, static_cast<GroupRate>(q)};
      const auto e = all_subjects(replicate(run.results, rate), b);
      fg.rates[0].push_back(e[0]);
      fg.rates[1].push_back(e[1]);
    }
    out.push_back(std::move(fg));
  }
  return out;
}

// Every Clarify metric of each group against the reference group `ref`.
std::vector<ClarifyResult> clarify_results(const ReplicateRun& run, const Grouping& grouping, std::size_t g,
                                           std::size_t ref, const BootstrapSettings& b) {
  std::vector<ClarifyResult> out;
  for (std::size_t j = 0; j < grouping.size(); ++j) {
    if (j == ref) continue;
    ClarifyResult c;
    c.group = grouping.value_text(j);
    for (std::size_t d = kGroupDisparityCount; d < kDisparityCount; ++d) {
      const ClarifyQuantity metric{run.layout, g, static_cast<Disparity>(d), ref, j};
      append(c.metrics, all_subjects(replicate(run.results, metric), b));
    }
    out.push_back(std::move(c));
  }
  return out;
}

// The disparities' bootstrap settings: the policy's, or percentile where
// disparity_interval() says BCa does not apply; the table records which and why.
BootstrapSettings disparity_bootstrap(FairnessTable& t, std::size_t groups, const BootstrapSettings& b) {
  const IntervalChoice choice = disparity_interval(b.interval, groups);
  BootstrapSettings out = b;
  if (choice.reason.empty()) return out;
  out.interval = choice.method;
  t.disparity_interval = choice.method;
  t.disparity_interval_reason = choice.reason;
  return out;
}

FairnessTable fairness_table(const ReplicateRun& run, const GroupingSet& groups, std::size_t a, const Policy& policy,
                             const BootstrapSettings& b, std::string_view origin) {
  const std::size_t g = groups.sensitive(a);
  const Grouping& grouping = groups.groupings[g];
  FairnessTable t;
  t.attribute = grouping.name;
  t.method = policy.fairness.method;
  t.groups = fairness_groups(run, grouping, g, b);
  const BootstrapSettings disparity_settings = disparity_bootstrap(t, grouping.size(), b);
  for (std::size_t d = 0; d < kGroupDisparityCount; ++d) {
    DisparityQuantity quantity(run.layout, g, grouping.size(), static_cast<Disparity>(d), t.method);
    append(t.disparities, all_subjects(replicate(run.results, quantity), disparity_settings));
  }
  if (const std::string* reference = policy.fairness.reference_of(t.attribute)) {
    t.reference = *reference;
    const std::size_t ref = group_index(grouping, *reference, "$.fairness.reference group", origin);
    t.clarify = clarify_results(run, grouping, g, ref, b);
  }
  return t;
}

}  // namespace

std::vector<FairnessTable> estimate_fairness(const ReplicateRun& run, const GroupingSet& groups, const Policy& policy,
                                             const BootstrapSettings& b, std::string_view origin) {
  std::vector<FairnessTable> out;
  for (std::size_t a = 0; a < policy.sensitive.size(); ++a)
    out.push_back(fairness_table(run, groups, a, policy, b, origin));
  return out;
}

namespace {

// Marks coarse bootstrap distributions, then gives each paired delta of a proportion its
// discordant cells and its interval (estimate/paired_proportion_choice.hpp).
void choose_metric_intervals(SubjectEstimates& metrics, std::span<const MetricInstance> infos,
                             const ProportionCellSet& cells, const PairedIntervalSettings& s) {
  for (auto& subject : metrics)
    for (Estimate& e : subject) mark_coarse_bootstrap(e, s.bootstrap);
  for (std::size_t k = 0; k < infos.size(); ++k)
    for (std::size_t p = 0; p < kPairedProportions.size(); ++p)
      if (infos[k].id == kPairedProportions[p].metric)
        choose_paired_proportion_interval(metrics[static_cast<std::size_t>(Subject::delta)][k], cells[p], s);
}

}  // namespace

bool has_paired_proportions(const Policy& policy) {
  // A metric belongs to one task, so the task has paired proportions if one of its metrics is one.
  return std::any_of(policy.metrics.begin(), policy.metrics.end(), [](const MetricInstance& m) {
    return std::any_of(kPairedProportions.begin(), kPairedProportions.end(),
                       [&](const ProportionDefinition& p) { return p.metric == m.id; });
  });
}

ProportionCellTable proportion_cells(const Table& table, const GroupingSet& groups, const Policy& policy,
                                     double largest_weight) {
  ProportionCellTable out;
  out.weighted = !table.weight.empty();
  out.overall.resize(1);
  for (std::size_t g = 0; g < groups.segment_count; ++g) out.segments.emplace_back(groups.groupings[g].size());
  if (!has_paired_proportions(policy)) return out;
  const PairedRows rows{table.label, table.champion, table.challenger, table.weight, policy.threshold};
  const int exponent = cell_weight_exponent(table.weight, largest_weight);
  out.overall = exact_proportion_cells(rows, {}, 1, exponent);
  for (std::size_t g = 0; g < groups.segment_count; ++g)
    out.segments[g] = exact_proportion_cells(rows, groups.groupings[g].group_of_row, groups.groupings[g].size(), exponent);
  return out;
}

void choose_intervals(Evaluation& ev, const ProportionCellTable& cells) {
  const PairedIntervalSettings settings{ev.bootstrap.paired_proportions, ev.bootstrap.interval,
                                        ev.bootstrap.confidence, ev.clustered, cells.weighted};
  const std::vector<MetricInstance>& infos = ev.policy.metrics;
  choose_metric_intervals(ev.metrics, infos, rounded_cells(cells.overall[0]), settings);
  for (std::size_t g = 0; g < ev.segments.size(); ++g)
    for (std::size_t j = 0; j < ev.segments[g].segments.size(); ++j)
      choose_metric_intervals(ev.segments[g].segments[j].metrics, infos, rounded_cells(cells.segments[g][j]), settings);
}

}  // namespace referee
