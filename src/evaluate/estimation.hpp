#pragma once
// The estimation stages of an evaluation: the groupings to resample, the replicates, and
// from them the overall metrics, the segment tables and the fairness tables, each figure
// for both models and their difference at the policy's confidence.

#include <string_view>
#include <vector>

#include "estimate/discreteness.hpp"
#include "estimate/quantities.hpp"
#include <referee/evaluate.hpp>

namespace referee {

// The policy's segment specs, then its sensitive attributes, as groupings of the table.
GroupingSet build_groupings(const Table& table, const Policy& policy, const Limits& limits);

// The point estimate, the bootstrap replicates and (for BCa) the jackknife of every
// quantity the layout places, for both models.
ReplicateRun run_replicates(const Table& table, const Policy& policy, const GroupingSet& groups,
                            const Evaluation& ev, const EvaluateOptions& options);

SubjectEstimates estimate_overall(const ReplicateRun& run, const BootstrapSettings& b);

std::vector<SegmentTable> estimate_segments(const ReplicateRun& run, const GroupingSet& groups, const Policy& policy,
                                            const BootstrapSettings& b);

// Issue 18: marks intervals with few distinct bootstrap values, and gives every paired
// delta of a proportion (accuracy, recall, specificity, fpr, fnr, pass_rate), overall and per
// segment, its discordant rows and the interval bootstrap.paired_proportions chooses.
// Before the rules are judged, so a rule judges the interval the report shows.
// The paired proportions' discordant cells, exactly: overall, and per group of each segment
// grouping. `largest_weight`: the whole evaluation's (a partition's plan), or 0 for the table's.
struct ProportionCellTable {
  std::vector<ExactProportionCellSet> overall;                // one
  std::vector<std::vector<ExactProportionCellSet>> segments;  // [segment grouping][group]
  bool weighted = false;
};
ProportionCellTable proportion_cells(const Table& table, const GroupingSet& groups, const Policy& policy,
                                     double largest_weight = 0.0);
void choose_intervals(Evaluation& ev, const ProportionCellTable& cells);

// `origin` (the table's) names the data in messages, e.g. an unknown reference group.
std::vector<FairnessTable> estimate_fairness(const ReplicateRun& run, const GroupingSet& groups, const Policy& policy,
                                             const BootstrapSettings& b, std::string_view origin);

}  // namespace referee
