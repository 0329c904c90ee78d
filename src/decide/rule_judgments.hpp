#pragma once
// Rule judgments: one function per kind of rule, each turning the figures an evaluation
// estimated (and, where a table holds no such figure, the replicates behind them) into a
// RuleResult. judge_rule() picks the function for a rule.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decide/decision.hpp"
#include "estimate/quantities.hpp"
#include <referee/evaluation.hpp>

namespace referee {

// What the judgments read: the tables already estimated (overall metrics, segments,
// budgets, drift) and the replicates for figures no table holds.
struct JudgmentContext {
  const Policy& policy;
  const Evaluation& ev;  // its bootstrap is the one used (seed override applied)
  const ReplicateRun& run;
  const GroupingSet& groups;
  std::string_view origin;  // the table's, for messages
};

std::vector<RuleResult> judge_rules(const JudgmentContext& c);
RuleResult judge_rule(const JudgmentContext& c, const Rule& rule);

RuleResult judge_budget(const JudgmentContext& c, const Rule& rule);
RuleResult judge_drift(const JudgmentContext& c, const Rule& rule);
RuleResult judge_disparity(const JudgmentContext& c, const Rule& rule);  // fairlearn-style
RuleResult judge_clarify(const JudgmentContext& c, const Rule& rule);    // per group
RuleResult judge_overall_metric(const JudgmentContext& c, const Rule& rule);
RuleResult judge_segment(const JudgmentContext& c, const Rule& rule);
RuleResult judge_worst_segment(const JudgmentContext& c, const Rule& rule);
RuleResult judge_each_segment(const JudgmentContext& c, const Rule& rule);

// The segments an each_segment rule judges: its grouping, metric and the sufficient
// segments (`judged`, whose parts r.parts[j] the caller made, one per segment j).
struct EachSegment {
  std::size_t g, k;
  std::vector<std::size_t> judged;
};
// Holm: each judged segment's bootstrap p-values of "broken" and "met", adjusted together.
void judge_each_segment_holm(const JudgmentContext& c, const Rule& rule, const EachSegment& s, RuleResult& r);
// Bonferroni: each judged segment's interval at confidence 1 - alpha / K.
void judge_each_segment_bonferroni(const JudgmentContext& c, const Rule& rule, const EachSegment& s,
                                   RuleResult& r);

// --- pieces shared by the judgments ----------------------------------------------------

// A result for `rule` with nothing judged yet; n is the evaluation's row count.
RuleResult new_result(const JudgmentContext& c, const Rule& rule);

// Decides a part on its subject estimate.
void decide_part(const Rule& rule, PartVerdict& part);

// A part's figures read from a table already estimated at the policy's confidence.
void part_from_table(const Rule& rule, const SubjectEstimates& table, std::size_t k, PartVerdict& part);

// Estimates a part's subject at `confidence` (both models at the policy's) and decides it,
// with the policy's interval method unless `method` says otherwise.
void judge_part(const JudgmentContext& c, const Rule& rule, const QuantityReplicates& q, double confidence,
                PartVerdict& part, std::optional<IntervalMethod> method = std::nullopt);

// The rule's figures and verdict become the part's.
void adopt(RuleResult& r, const PartVerdict& part);

// A rule over several parts fails if one fails; else it is inconclusive if one is. The
// worst part gives the rule its figures; `what` names a part ("segment", "group").
void combine_parts(RuleResult& r, const std::string& what);


// The grouping index of a segment spec among the policy's segments (validated beforehand).
std::size_t segment_index(const Policy& policy, const std::string& spec);

}  // namespace referee
