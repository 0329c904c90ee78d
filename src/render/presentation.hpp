#pragma once
// How figures are written for people (the CLI summary, the Markdown and HTML reports):
// one place, so the three say the same thing the same way.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <referee/evaluate.hpp>
#include "tasks/task_definition.hpp"
#include "data/grouping.hpp"

namespace referee::presentation {

// Text from data or policy goes through the medium's escaper (render/escape.hpp) where it
// is put together with the renderer's own words; `raw` for a medium that escapes whole
// cells afterwards (HTML).
using Escaper = std::string (*)(std::string_view);
inline std::string raw(std::string_view s) { return std::string(s); }

// What follows the row count: the resampling units (", 30 clusters"), and a ranking
// table's queries (", 400 queries, 59 with no relevant document").
inline std::string units_text(const Evaluation& ev) {
  std::string out;
  if (ev.clustered && !ev.policy.columns.cluster.empty()) out += ", " + std::to_string(ev.units) + " clusters";
  if (ev.queries > 0)
    out += ", " + std::to_string(ev.queries) + " queries, " + std::to_string(ev.empty_queries) +
           " with no relevant document";
  return out;
}

inline std::string fixed(double v, bool sign) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, sign ? "%+.4f" : "%.4f", v);
  return buffer;
}

inline std::string bound_text(const Rule& rule) {
  char buffer[64];
  if (rule.min && rule.max)
    std::snprintf(buffer, sizeof buffer, "[%g, %g]", *rule.min, *rule.max);
  else if (rule.min)
    std::snprintf(buffer, sizeof buffer, ">= %g", *rule.min);
  else
    std::snprintf(buffer, sizeof buffer, "<= %g", *rule.max);
  return buffer;
}

inline std::string scope_text(const Rule& rule, Escaper esc) {
  if (rule.disparity) return esc(rule.sensitive);
  if (rule.drift) return "drift " + esc(rule.feature);
  switch (rule.scope.kind) {
    case ScopeKind::overall: return "overall";
    case ScopeKind::segment: {
      const auto columns = split_segment_spec(rule.scope.segments);
      std::string text;
      for (std::size_t i = 0; i < columns.size(); ++i)
        text += (i ? "," : "") + esc(columns[i]) + "=" + esc(rule.scope.value[i]);
      return text;
    }
    case ScopeKind::each_segment: return "each " + esc(rule.scope.segments);
    case ScopeKind::worst_segment: return "worst " + esc(rule.scope.segments);
  }
  return "";
}

inline std::string value_text(const std::vector<std::string>& columns, const std::vector<std::string>& value,
                              Escaper esc) {
  std::string text;
  for (std::size_t i = 0; i < value.size() && i < columns.size(); ++i)
    text += (i ? "," : "") + esc(columns[i]) + "=" + esc(value[i]);
  return text;
}

// A figure that is not a finite number is shown as undefined (the last safety net; the
// estimates never hold one: estimate/finite.hpp).
inline bool shown(const MetricValue& v) { return v.defined && std::isfinite(v.value); }
inline bool shown(const Interval& i) { return i.defined && std::isfinite(i.lo) && std::isfinite(i.hi); }

inline std::string estimate_text(const Estimate& e, bool sign) {
  if (!shown(e.point)) return "undefined";
  std::string text = fixed(e.point.value, sign);
  if (shown(e.ci)) text += " [" + fixed(e.ci.lo, sign) + ", " + fixed(e.ci.hi, sign) + "]";
  return text;
}

// A rule on a model-quality metric (not fairness, budget or drift).
inline bool is_model_metric(const Rule& r) { return !r.disparity && !r.budget && !r.drift; }

// A figure that may be tiny (a p-value) or large (a Wasserstein distance in dollars).
inline std::string general(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

// A rule's figure: a drift statistic in general format, anything else fixed, signed when
// it is a difference.
inline std::string rule_figure(const Rule& rule, double v, bool sign) {
  return rule.drift ? general(v) : fixed(v, sign);
}
inline std::string rule_point_text(const Rule& rule, const MetricValue& point, bool sign) {
  return shown(point) ? rule_figure(rule, point.value, sign) : "undefined";
}

inline std::string subject_text(const Rule& rule) {
  return rule.drift ? "-" : std::string(name_of(rule.subject));
}

// The metric the summary ranks segments by: the first segment-scoped rule's, else the
// first overall rule's, else the task's headline metric.
inline std::size_t headline_metric(const Policy& p) {
  for (const Rule& r : p.rules)
    if (is_model_metric(r) && r.scope.kind != ScopeKind::overall) return r.metric_index;
  for (const Rule& r : p.rules)
    if (is_model_metric(r)) return r.metric_index;
  const Metric headline = task_definition(p.task).headline;
  for (std::size_t k = 0; k < p.metrics.size(); ++k)
    if (p.metrics[k].id == headline) return k;
  return 0;
}

// A segment table's sufficient segments, worst delta of metric k first.
inline std::vector<const SegmentResult*> worst_first(const SegmentTable& t, std::size_t k, const MetricInfo& info) {
  std::vector<const SegmentResult*> ranked;
  for (const SegmentResult& seg : t.segments)
    if (seg.sufficient && seg.metrics[2][k].point.defined) ranked.push_back(&seg);
  std::sort(ranked.begin(), ranked.end(), [&](const SegmentResult* a, const SegmentResult* b) {
    const double da = a->metrics[2][k].point.value, db = b->metrics[2][k].point.value;
    if (da != db) return info.higher_is_better ? da < db : da > db;
    return a->value < b->value;
  });
  return ranked;
}

inline std::string rule_verdict_text(const RuleResult& r) {
  return std::string(verdict_name(r.verdict));
}

// The note on a figure whose interval is marked (issue 18), or "": which interval, and why.
// "tango_score interval: 7 discordant rows".
inline std::string interval_note(const Estimate& e) {
  if (e.interval_reason.empty()) return "";
  return std::string(e.interval_method) + " interval: " + e.interval_reason;
}

inline std::string interval_text(const Estimate& e, bool sign) {
  if (!shown(e.ci)) return "-";
  return std::string("[") + fixed(e.ci.lo, sign) + ", " + fixed(e.ci.hi, sign) + "]";
}

inline bool signed_subject(Subject s) { return s == Subject::delta || s == Subject::relative_delta; }

using TextRows = std::vector<std::vector<std::string>>;

// The budgets table: one row per measured figure, header first.
inline TextRows budget_rows(const Evaluation& ev) {
  TextRows rows{{"metric", "champion", "challenger", "delta", "relative"}};
  for (const BudgetFigure& f : ev.budgets.figures) {
    const auto cell = [&](std::size_t s) {
      if (s < 2 && f.source[s] == BudgetSource::none) return std::string("-");
      return estimate_text(f.subjects[s], s >= 2);
    };
    rows.push_back({std::string(name_of(f.metric)), cell(0), cell(1), cell(2), cell(3)});
  }
  return rows;
}

inline std::string budget_note(const Evaluation& ev, Escaper esc) {
  std::string note = ev.latency_origin.empty() ? "" : "latency from " + esc(ev.latency_origin) + ", independent samples; ";
  note += "percentile CIs by order statistics, error rate by Wilson, the rest by bootstrap";
  if (const BudgetFigure* error = ev.budgets.find(BudgetMetric::error_rate))
    if (const std::string marked = interval_note(error->subjects[2]); !marked.empty())
      note += "; error rate delta: " + marked;
  return note;
}

// The drift table: one row per feature, header first; "-" where a statistic does not apply.
inline TextRows drift_rows(const Evaluation& ev, Escaper esc) {
  TextRows rows{{"feature", "type", "psi", "ks", "ks p", "wasserstein", "js", "chi2 p"}};
  for (const FeatureDrift& f : ev.drift.features) {
    const auto cell = [&](DriftStatistic s) {
      if (!drift_statistic_applies(s, f.numeric)) return std::string("-");
      const MetricValue v = f.statistic(s);
      return shown(v) ? general(v.value) : std::string("undefined");
    };
    rows.push_back({esc(f.name) + (f.prediction ? " (scores)" : ""), f.numeric ? "numeric" : "categorical",
                    cell(DriftStatistic::psi), cell(DriftStatistic::ks_statistic), cell(DriftStatistic::ks_pvalue),
                    cell(DriftStatistic::wasserstein), cell(DriftStatistic::js_distance),
                    cell(DriftStatistic::chi2_pvalue)});
  }
  return rows;
}

inline std::string drift_note(const Evaluation& ev, Escaper esc) {
  return "against " + esc(ev.drift.reference_origin) + " (" + std::to_string(ev.drift.reference_rows) + " rows)";
}

// 14000 -> "14,000": a planning figure is read, not parsed.
inline std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The sentence every human format gives an INCONCLUSIVE rule (decide/next_step.hpp), or ""
// when there is nothing to plan.
inline std::string next_step_text(const RuleResult& r) {
  if (!r.next_step) return "";
  const NextStep& step = *r.next_step;
  const bool sign = signed_subject(r.rule.subject);
  const bool above = r.rule.min && step.bound == *r.rule.min;
  const std::string resolvable = "with the current " + grouped(r.n) + " rows, an estimate " +
                                 (above ? "of at least " : "of at most ") + fixed(step.detectable_effect, sign) +
                                 " (" + fixed(step.margin, false) + " past the bound) would pass";
  if (!step.defined) return step.reason + "; " + resolvable;
  return "about " + grouped(step.rows_needed) + " rows would likely decide this at the observed estimate " +
         fixed(r.subject.point.value, sign) + "; " + resolvable;
}

// A rule's reason as every human format shows it: with its interval's note and its next
// step, if it has them.
inline std::string reason_text(const RuleResult& r) {
  std::string text = r.reason;
  if (const std::string note = interval_note(r.subject); !note.empty()) text += "; " + note;
  if (const std::string next = next_step_text(r); !next.empty()) text += "; next step: " + next;
  return text;
}

// The rules table of every report for people (Markdown, HTML, the notebook view), one cell
// per column in kRuleColumns' order: the verdict, how much it weighs, what was judged,
// both models' values and the judged figure (for a delta rule, the delta), each as
// estimate [CI], the bound, n and why. The CLI summary shows the same figures with the
// intervals left out of the models' columns (summary.cpp). `id` is left raw (each medium
// sets it as code); text from data or policy elsewhere goes through `esc`.
inline constexpr std::array<std::string_view, 12> kRuleColumns{
    "verdict", "severity", "rule", "metric", "scope", "subject", "champion", "challenger", "estimate", "bound", "n",
    "reason"};
struct RuleRow {
  std::string verdict, severity, id, metric, scope, subject, champion, challenger, estimate, bound, n, reason;
};

inline RuleRow rule_row(const RuleResult& r, Escaper esc) {
  const bool sign = signed_subject(r.rule.subject);
  // A drift rule has no per-model figures: it compares the data, not the models.
  const auto model = [&](const Estimate& e) { return r.rule.drift ? std::string("-") : estimate_text(e, false); };
  std::string judged = rule_point_text(r.rule, r.subject.point, sign);
  if (shown(r.subject.point) && shown(r.subject.ci))
    judged += " [" + rule_figure(r.rule, r.subject.ci.lo, sign) + ", " + rule_figure(r.rule, r.subject.ci.hi, sign) + "]";
  return {rule_verdict_text(r),
          std::string(name_of(r.rule.severity)),
          r.rule.id,
          std::string(r.rule.metric_name()),
          scope_text(r.rule, esc),
          subject_text(r.rule),
          model(r.champion),
          model(r.challenger),
          judged,
          bound_text(r.rule),
          std::to_string(r.n),
          esc(reason_text(r))};
}

}  // namespace referee::presentation
