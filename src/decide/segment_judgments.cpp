// The judgments of rules scoped to segments: one segment, the worst segment, and each
// segment (uncorrected, Holm or Bonferroni).

#include <cstddef>
#include <limits>
#include <optional>
#include <utility>

#include "decide/rule_judgments.hpp"
#include "estimate/paired_proportion_choice.hpp"
#include "estimate/multiple_testing.hpp"

namespace referee {

namespace {

// The segment grouping a rule is scoped to, its results and the rule's metric.
struct SegmentScope {
  std::size_t g, k;
  const Grouping& grouping;
  const SegmentTable& table;
};

SegmentScope segment_scope(const JudgmentContext& c, const Rule& rule) {
  const std::size_t g = segment_index(c.policy, rule.scope.segments);
  return {g, rule.metric_index, c.groups.groupings[g], c.ev.segments[g]};
}

// A segment without enough support is skipped or inconclusive, as the rule says; never judged.
void mark_insufficient(const Rule& rule, std::string reason, PartVerdict& part) {
  part.insufficient = true;
  part.verdict = rule.on_insufficient == OnInsufficient::skip ? Verdict::skipped : Verdict::inconclusive;
  part.reason = "insufficient support: " + std::move(reason);
}

// Segment j's part, figures read from its table. A sufficient segment's part is decided by
// the caller (at the policy's confidence, or corrected); an insufficient one here.
PartVerdict segment_part(const SegmentScope& s, const Rule& rule, std::size_t j) {
  PartVerdict part;
  part.value = s.grouping.values[j];
  part.rows = s.grouping.rows[j];
  part_from_table(rule, s.table.segments[j].metrics, s.k, part);
  if (!s.table.segments[j].sufficient) mark_insufficient(rule, s.table.segments[j].insufficient_reason, part);
  return part;
}

// The worst is the sufficient segment whose estimate lies farthest toward (or past) a
// bound. An undefined estimate cannot be ranked; it is taken as the worst, so the rule is
// decided (inconclusive) on it rather than on a defined segment. size() when none.
std::size_t worst_segment(const SegmentScope& s, const Rule& rule) {
  constexpr double none = -std::numeric_limits<double>::infinity();
  std::size_t worst = s.grouping.size();
  double worst_score = none;
  for (std::size_t j = 0; j < s.grouping.size(); ++j) {
    if (!s.table.segments[j].sufficient) continue;
    const MetricValue v = s.table.segments[j].metrics[static_cast<std::size_t>(rule.subject)][s.k].point;
    if (!v.defined) return j;
    const double score = std::max(rule.min ? *rule.min - v.value : none, rule.max ? v.value - *rule.max : none);
    if (score > worst_score) {
      worst_score = score;
      worst = j;
    }
  }
  return worst;
}

// The part's figure at confidence 1 - alpha: Tango's interval when the figure shows one
// (estimate/paired_proportion_choice.hpp), else the bootstrap's.
Estimate figure_at(const QuantityReplicates& q, const Rule& rule, IntervalMethod method, const Estimate& shown,
                   double confidence) {
  const std::optional<Interval> score = score_interval_at(shown, confidence);
  if (!score) return estimate_subject(q, rule.subject, method, confidence);
  Estimate e = shown;
  e.ci = *score;
  return e;
}

// The smallest alpha at which the interval at confidence 1 - alpha decides `target`
// (intervals are nested, so the decision is monotone in alpha): a bootstrap p-value. B
// resamples cannot resolve a p-value below 1 / (B + 1), so none is reported below it (nor,
// for one scale for every segment, below it for a score interval).
double decision_p_value(const QuantityReplicates& q, const Rule& rule, IntervalMethod method, const Estimate& shown,
                        Verdict target) {
  const auto decides = [&](double alpha) {
    return decide_rule(rule, figure_at(q, rule, method, shown, 1.0 - alpha)).verdict == target;
  };
  const double resolution = 1.0 / static_cast<double>(q.bootstrap[0].size() + 1);
  double lo = resolution, hi = 1.0 - 1e-9;
  if (!decides(hi)) return 1.0;
  if (decides(lo)) return lo;
  for (int i = 0; i < 60 && hi - lo > 1e-9; ++i) {
    const double mid = 0.5 * (lo + hi);
    (decides(mid) ? hi : lo) = mid;
  }
  return hi;
}

// A Holm-adjusted verdict: the adjusted p-values decide, the part's own reason follows.
void decide_holm(const Rule& rule, double alpha, PartVerdict& part) {
  const std::string bounds = bounds_text(rule);
  const double fail = *part.p_fail_adjusted, pass = *part.p_pass_adjusted;
  if (fail <= alpha) {
    part.verdict = Verdict::fail;
    part.reason = "Holm-adjusted p " + number_text(fail) + " <= " + number_text(alpha) + " that " + bounds +
                  " is broken; " + part.reason;
  } else if (pass <= alpha) {
    part.verdict = Verdict::pass;
    part.reason = "Holm-adjusted p " + number_text(pass) + " <= " + number_text(alpha) + " that " + bounds +
                  " is met; " + part.reason;
  } else {
    part.verdict = Verdict::inconclusive;
    part.reason = "Holm-adjusted p-values " + number_text(fail) + " (broken) and " + number_text(pass) +
                  " (met) both exceed " + number_text(alpha) + "; " + part.reason;
  }
}

// A rule judged on one segment (or on none): that part decides it, and is not listed.
RuleResult one_segment_result(const JudgmentContext& c, const Rule& rule, std::optional<PartVerdict> part) {
  RuleResult r = new_result(c, rule);
  if (part) r.parts.push_back(std::move(*part));
  combine_parts(r, "segment");
  r.parts.clear();
  return r;
}

}  // namespace

RuleResult judge_segment(const JudgmentContext& c, const Rule& rule) {
  const SegmentScope s = segment_scope(c, rule);
  const std::size_t j = s.grouping.find(rule.scope.value);
  PartVerdict part;
  part.value = rule.scope.value;
  if (j == s.grouping.size()) {
    mark_insufficient(rule, "no rows in this segment", part);
  } else {
    part = segment_part(s, rule, j);
    if (!part.insufficient) decide_part(rule, part);
  }
  return one_segment_result(c, rule, std::move(part));
}

RuleResult judge_worst_segment(const JudgmentContext& c, const Rule& rule) {
  const SegmentScope s = segment_scope(c, rule);
  const std::size_t worst = worst_segment(s, rule);
  if (worst == s.grouping.size()) return one_segment_result(c, rule, std::nullopt);
  PartVerdict part = segment_part(s, rule, worst);
  decide_part(rule, part);
  return one_segment_result(c, rule, std::move(part));
}

RuleResult judge_each_segment(const JudgmentContext& c, const Rule& rule) {
  const SegmentScope s = segment_scope(c, rule);
  RuleResult r = new_result(c, rule);
  EachSegment each{s.g, s.k, {}};
  for (std::size_t j = 0; j < s.grouping.size(); ++j) {
    r.parts.push_back(segment_part(s, rule, j));
    if (!r.parts.back().insufficient) each.judged.push_back(j);
  }
  if (rule.correction == Correction::holm) {
    judge_each_segment_holm(c, rule, each, r);
  } else if (rule.correction == Correction::bonferroni) {
    judge_each_segment_bonferroni(c, rule, each, r);
  } else {
    for (std::size_t j : each.judged) decide_part(rule, r.parts[j]);
  }
  combine_parts(r, "segment");
  return r;
}

void judge_each_segment_holm(const JudgmentContext& c, const Rule& rule, const EachSegment& s, RuleResult& r) {
  const IntervalMethod method = c.ev.bootstrap.interval;
  std::vector<double> p_fail, p_pass;
  for (std::size_t j : s.judged) {
    const QuantityReplicates q = replicate(c.run.results, SegmentMetric{c.run.layout, s.g, j, s.k});
    decide_part(rule, r.parts[j]);
    p_fail.push_back(decision_p_value(q, rule, method, r.parts[j].subject, Verdict::fail));
    p_pass.push_back(decision_p_value(q, rule, method, r.parts[j].subject, Verdict::pass));
  }
  const auto fail_adjusted = adjusted_p_values(p_fail, Correction::holm);
  const auto pass_adjusted = adjusted_p_values(p_pass, Correction::holm);
  const double alpha = 1.0 - c.ev.bootstrap.confidence;
  for (std::size_t i = 0; i < s.judged.size(); ++i) {
    PartVerdict& part = r.parts[s.judged[i]];
    part.p_fail = p_fail[i];
    part.p_pass = p_pass[i];
    part.p_fail_adjusted = fail_adjusted[i];
    part.p_pass_adjusted = pass_adjusted[i];
    decide_holm(rule, alpha, part);
  }
}

void judge_each_segment_bonferroni(const JudgmentContext& c, const Rule& rule, const EachSegment& s,
                                   RuleResult& r) {
  const double alpha = 1.0 - c.ev.bootstrap.confidence;
  const std::size_t K = s.judged.size();
  const double confidence = K > 0 ? 1.0 - alpha / static_cast<double>(K) : c.ev.bootstrap.confidence;
  for (std::size_t j : s.judged) {
    const Estimate shown = r.parts[j].subject;  // the segment table's figure
    judge_part(c, rule, replicate(c.run.results, SegmentMetric{c.run.layout, s.g, j, s.k}), confidence, r.parts[j]);
    if (const std::optional<Interval> score = score_interval_at(shown, confidence)) {
      r.parts[j].subject = shown;  // its score interval, at the corrected level
      r.parts[j].subject.ci = *score;
      decide_part(rule, r.parts[j]);
    }
    r.parts[j].decision_confidence = confidence;
  }
}

}  // namespace referee
