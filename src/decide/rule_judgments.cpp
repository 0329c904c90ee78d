#include "common/quoted.hpp"
#include "decide/rule_judgments.hpp"
#include "estimate/disparity_interval.hpp"

#include <stdexcept>
#include <algorithm>
#include <utility>

#include <referee/error.hpp>

#include "estimate/finite.hpp"

namespace referee {

RuleResult new_result(const JudgmentContext& c, const Rule& rule) {
  RuleResult r;
  r.rule = rule;
  r.n = c.ev.rows;
  return r;
}

// The decision's safety net (estimate/finite.hpp): whatever computed a figure, one that is
// not a finite number is judged, and reported, as undefined with its reason.
void decide_part(const Rule& rule, PartVerdict& part) {
  for (Estimate* e : {&part.subject, &part.champion, &part.challenger}) {
    e->point = finite_or_undefined(e->point);
    e->ci = finite_or_undefined(e->ci);
  }
  RuleDecision d = decide_rule(rule, part.subject);
  part.verdict = d.verdict;
  part.reason = std::move(d.reason);
}

void part_from_table(const Rule& rule, const SubjectEstimates& table, std::size_t k, PartVerdict& part) {
  part.subject = table[static_cast<std::size_t>(rule.subject)][k];
  part.champion = table[0][k];
  part.challenger = table[1][k];
}

void judge_part(const JudgmentContext& c, const Rule& rule, const QuantityReplicates& q, double confidence,
                PartVerdict& part, std::optional<IntervalMethod> method) {
  const BootstrapSettings& b = c.ev.bootstrap;
  const IntervalMethod interval = method.value_or(b.interval);
  part.subject = estimate_subject(q, rule.subject, interval, confidence);
  part.champion = estimate_subject(q, Subject::champion, interval, b.confidence);
  part.challenger = estimate_subject(q, Subject::challenger, interval, b.confidence);
  decide_part(rule, part);
}

void adopt(RuleResult& r, const PartVerdict& part) {
  r.subject = part.subject;
  r.champion = part.champion;
  r.challenger = part.challenger;
  r.verdict = part.verdict;
  r.reason = part.reason;
}

void combine_parts(RuleResult& r, const std::string& what) {
  const PartVerdict* worst = nullptr;
  std::size_t judged = 0;
  for (const PartVerdict& p : r.parts) {
    if (p.verdict == Verdict::skipped) continue;
    ++judged;
    if (!worst || (p.verdict == Verdict::fail && worst->verdict != Verdict::fail) ||
        (p.verdict == Verdict::inconclusive && worst->verdict == Verdict::pass))
      worst = &p;
  }
  if (!worst) {
    r.verdict = Verdict::skipped;
    r.reason = "skipped: no " + what + " has enough support (segments_min)";
    return;
  }
  adopt(r, *worst);
  r.segment = worst->value;
  r.n = worst->rows;
  if (worst->verdict == Verdict::pass && judged > 1)
    r.reason = "all " + std::to_string(judged) + " " + what + "s pass";
  else
    r.reason = what + " " + joined_values(worst->value) + ": " + worst->reason;
}

std::size_t segment_index(const Policy& policy, const std::string& spec) {
  return static_cast<std::size_t>(std::find(policy.segments.begin(), policy.segments.end(), spec) -
                                  policy.segments.begin());
}

// --- one function per kind -------------------------------------------------------------

RuleResult judge_budget(const JudgmentContext& c, const Rule& rule) {
  const BudgetFigure* figure = c.ev.budgets.find(*rule.budget);
  if (!figure || (rule.subject != Subject::challenger && figure->source[0] == BudgetSource::none) ||
      (rule.subject != Subject::champion && figure->source[1] == BudgetSource::none))
    throw UsageError("rule " + quoted_excerpt(rule.id) + " judges " + std::string(name_of(*rule.budget)) +
                     ", which was not measured: " +
                     (is_latency(*rule.budget) ? "set $.columns.latency in the policy or pass latency samples "
                                                 "(--latency FILE)"
                                               : "see $.columns.cost, $.pricing and $.columns.error"));
  RuleResult r = new_result(c, rule);
  PartVerdict part;
  part.subject = figure->subjects[static_cast<std::size_t>(rule.subject)];
  part.champion = figure->subjects[0];
  part.challenger = figure->subjects[1];
  decide_part(rule, part);
  adopt(r, part);
  r.n = figure->n[rule.subject == Subject::champion ? 0 : 1];
  return r;
}

RuleResult judge_drift(const JudgmentContext& c, const Rule& rule) {
  const FeatureDrift* feature = c.ev.drift.find(rule.feature);
  if (!feature)
    throw UsageError("rule " + quoted_excerpt(rule.id) + " judges the drift of " + quoted_excerpt(rule.feature) +
                     ", which the drift check did not compare (see $.drift.features)");
  if (!drift_statistic_applies(*rule.drift, feature->numeric))
    throw DataError("rule " + quoted_excerpt(rule.id) + ": \"" + std::string(name_of(*rule.drift)) + "\" needs a " +
                    std::string(drift_statistic_needs(*rule.drift)) + " feature, but " + quoted_excerpt(rule.feature) +
                    " holds " + (feature->numeric ? "numbers" : "text") +
                    " (declare its type in $.drift.features to be explicit)");
  RuleResult r = new_result(c, rule);
  PartVerdict part;
  part.subject.point = feature->statistic(*rule.drift);
  part.subject.ci = Interval::undefined("drift statistics are judged on their value");
  decide_part(rule, part);
  adopt(r, part);
  r.n = feature->current_n();
  return r;
}

namespace {

std::size_t sensitive_grouping(const JudgmentContext& c, const Rule& rule) {
  const auto& sensitive = c.policy.sensitive;
  const auto a = static_cast<std::size_t>(std::find(sensitive.begin(), sensitive.end(), rule.sensitive) -
                                          sensitive.begin());
  return c.groups.sensitive(a);
}

}  // namespace

RuleResult judge_disparity(const JudgmentContext& c, const Rule& rule) {
  const std::size_t g = sensitive_grouping(c, rule);
  const std::size_t groups = c.groups.groupings[g].size();
  DisparityQuantity quantity(c.run.layout, g, groups, *rule.disparity, rule.method);
  const IntervalChoice interval = disparity_interval(c.ev.bootstrap.interval, groups);
  RuleResult r = new_result(c, rule);
  PartVerdict part;
  judge_part(c, rule, replicate(c.run.results, quantity), c.ev.bootstrap.confidence, part, interval.method);
  adopt(r, part);
  if (!interval.reason.empty()) r.reason += " (" + interval.reason + ")";
  return r;
}

RuleResult judge_clarify(const JudgmentContext& c, const Rule& rule) {
  const std::size_t g = sensitive_grouping(c, rule);
  const Grouping& grouping = c.groups.groupings[g];
  const std::size_t ref = group_index(grouping, rule.reference, "reference group", c.origin);
  RuleResult r = new_result(c, rule);
  for (std::size_t j = 0; j < grouping.size(); ++j) {
    if (j == ref) continue;
    if (!rule.group.empty() && grouping.value_text(j) != rule.group) continue;
    PartVerdict part;
    part.value = {grouping.value_text(j)};
    part.rows = grouping.rows[j];
    const ClarifyQuantity quantity{c.run.layout, g, *rule.disparity, ref, j};
    judge_part(c, rule, replicate(c.run.results, quantity), c.ev.bootstrap.confidence, part);
    r.parts.push_back(std::move(part));
  }
  if (!rule.group.empty() && r.parts.empty()) group_index(grouping, rule.group, "group", c.origin);  // throws
  combine_parts(r, "group");
  if (r.parts.size() == 1) r.parts.clear();
  return r;
}

RuleResult judge_overall_metric(const JudgmentContext& c, const Rule& rule) {
  const std::size_t k = rule.metric_index;
  RuleResult r = new_result(c, rule);
  PartVerdict part;
  part_from_table(rule, c.ev.metrics, k, part);
  decide_part(rule, part);
  adopt(r, part);
  return r;
}

RuleResult judge_rule(const JudgmentContext& c, const Rule& rule) {
  if (rule.budget) return judge_budget(c, rule);
  if (rule.drift) return judge_drift(c, rule);
  if (rule.disparity) return is_clarify(*rule.disparity) ? judge_clarify(c, rule) : judge_disparity(c, rule);
  switch (rule.scope.kind) {
    case ScopeKind::overall: return judge_overall_metric(c, rule);
    case ScopeKind::segment: return judge_segment(c, rule);
    case ScopeKind::worst_segment: return judge_worst_segment(c, rule);
    case ScopeKind::each_segment: return judge_each_segment(c, rule);
  }
  throw std::logic_error("rule \"" + rule.id + "\" has an unknown scope");  // validate_inputs rules it out
}

std::vector<RuleResult> judge_rules(const JudgmentContext& c) {
  std::vector<RuleResult> out;
  out.reserve(c.policy.rules.size());
  for (const Rule& rule : c.policy.rules) out.push_back(judge_rule(c, rule));
  return out;
}

}  // namespace referee
