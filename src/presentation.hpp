#pragma once
// How figures are written for people (the CLI summary, the Markdown and HTML reports):
// one place, so the three say the same thing the same way.

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <referee/evaluate.hpp>
#include <referee/grouping.hpp>

namespace referee::presentation {

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

inline std::string scope_text(const Rule& rule) {
  if (rule.disparity) return rule.sensitive;
  switch (rule.scope.kind) {
    case ScopeKind::overall: return "overall";
    case ScopeKind::segment: {
      const auto columns = split_segment_spec(rule.scope.segments);
      std::string text;
      for (std::size_t i = 0; i < columns.size(); ++i)
        text += (i ? "," : "") + columns[i] + "=" + rule.scope.value[i];
      return text;
    }
    case ScopeKind::each_segment: return "each " + rule.scope.segments;
    case ScopeKind::worst_segment: return "worst " + rule.scope.segments;
  }
  return "";
}

inline std::string value_text(const std::vector<std::string>& columns, const std::vector<std::string>& value) {
  std::string text;
  for (std::size_t i = 0; i < value.size() && i < columns.size(); ++i)
    text += (i ? "," : "") + columns[i] + "=" + value[i];
  return text;
}

inline std::string estimate_text(const Estimate& e, bool sign) {
  if (!e.point.defined) return "undefined";
  std::string text = fixed(e.point.value, sign);
  if (e.ci.defined) text += " [" + fixed(e.ci.lo, sign) + ", " + fixed(e.ci.hi, sign) + "]";
  return text;
}

// The metric the summary ranks segments by: the first segment-scoped rule's, else the
// first overall rule's, else the task's headline metric.
inline std::size_t headline_metric(const Policy& p) {
  const auto metrics = task_metrics(p.task);
  std::optional<Metric> chosen;
  for (const Rule& r : p.rules)
    if (!r.disparity && r.scope.kind != ScopeKind::overall) { chosen = r.metric; break; }
  if (!chosen)
    for (const Rule& r : p.rules)
      if (!r.disparity) { chosen = r.metric; break; }
  if (!chosen) chosen = p.task == Task::binary ? Metric::roc_auc : Metric::rmse;
  for (std::size_t k = 0; k < metrics.size(); ++k)
    if (metrics[k].id == *chosen) return k;
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
  return r.skipped ? "SKIPPED" : std::string(verdict_name(r.verdict));
}

inline std::string interval_text(const Estimate& e, bool sign) {
  if (!e.ci.defined) return "-";
  return std::string("[") + fixed(e.ci.lo, sign) + ", " + fixed(e.ci.hi, sign) + "]";
}

inline bool signed_subject(Subject s) { return s == Subject::delta || s == Subject::relative_delta; }

}  // namespace referee::presentation
