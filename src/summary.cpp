#include <referee/summary.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#include <referee/grouping.hpp>

#include <referee/version.h>

namespace referee {

namespace {

std::string fixed(double v, bool sign) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, sign ? "%+.4f" : "%.4f", v);
  return buffer;
}

std::string bound_text(const Rule& rule) {
  char buffer[64];
  if (rule.min && rule.max)
    std::snprintf(buffer, sizeof buffer, "[%g, %g]", *rule.min, *rule.max);
  else if (rule.min)
    std::snprintf(buffer, sizeof buffer, ">= %g", *rule.min);
  else
    std::snprintf(buffer, sizeof buffer, "<= %g", *rule.max);
  return buffer;
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string scope_text(const Rule& rule) {
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

std::string value_text(const std::vector<std::string>& columns, const std::vector<std::string>& value) {
  std::string text;
  for (std::size_t i = 0; i < value.size() && i < columns.size(); ++i)
    text += (i ? "," : "") + columns[i] + "=" + value[i];
  return text;
}

std::string estimate_text(const Estimate& e, bool sign) {
  if (!e.point.defined) return "undefined";
  std::string text = fixed(e.point.value, sign);
  if (e.ci.defined) text += " [" + fixed(e.ci.lo, sign) + ", " + fixed(e.ci.hi, sign) + "]";
  return text;
}

// The metric the summary ranks segments by: the first segment-scoped rule's, else the
// first overall rule's, else the task's headline metric.
std::size_t headline_metric(const Policy& p) {
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

std::string segments_text(const Evaluation& ev) {
  if (ev.segments.empty()) return "";
  const std::size_t k = headline_metric(ev.policy);
  const MetricInfo& info = task_metrics(ev.policy.task)[k];
  std::string out = "\nworst segments by delta " + std::string(info.name) + " (challenger - champion):\n";
  constexpr std::size_t kShown = 3;
  for (const SegmentTable& t : ev.segments) {
    std::vector<const SegmentResult*> ranked;
    for (const SegmentResult& seg : t.segments)
      if (seg.sufficient && seg.metrics[2][k].point.defined) ranked.push_back(&seg);
    std::sort(ranked.begin(), ranked.end(), [&](const SegmentResult* a, const SegmentResult* b) {
      const double da = a->metrics[2][k].point.value, db = b->metrics[2][k].point.value;
      if (da != db) return info.higher_is_better ? da < db : da > db;
      return a->value < b->value;
    });
    std::size_t insufficient = 0;
    for (const SegmentResult& seg : t.segments) insufficient += seg.sufficient ? 0 : 1;
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < ranked.size() && i < kShown; ++i)
      rows.push_back({"  " + value_text(t.columns, ranked[i]->value), "n=" + std::to_string(ranked[i]->rows),
                      estimate_text(ranked[i]->metrics[2][k], true)});
    if (!rows.empty()) out += table(rows);
    if (insufficient)
      out += "  (" + t.name + ": " + std::to_string(insufficient) + " of " + std::to_string(t.segments.size()) +
             " segments below segments_min, not ranked)\n";
  }
  return out;
}

std::string fairness_text(const Evaluation& ev) {
  if (ev.fairness.empty()) return "";
  std::string out;
  for (const FairnessTable& t : ev.fairness) {
    out += "\nfairness: " + t.attribute + " (" + std::string(disparity_method_name(t.method)) + ", " +
           std::to_string(t.groups.size()) + " groups)\n";
    std::vector<std::vector<std::string>> rows{{"  DISPARITY", "CHAMPION", "CHALLENGER", "DELTA"}};
    for (Disparity d : {Disparity::demographic_parity_ratio, Disparity::equalized_odds_difference,
                        Disparity::disparate_impact}) {
      const auto i = static_cast<std::size_t>(d);
      rows.push_back({"  " + std::string(disparity_name(d)), estimate_text(t.disparities[0][i], false),
                      estimate_text(t.disparities[1][i], false), estimate_text(t.disparities[2][i], true)});
    }
    out += table(rows);
  }
  return out;
}

}  // namespace

std::string summary_text(const Evaluation& ev) {
  const Policy& p = ev.policy;
  std::string out = "referee " REFEREE_VERSION_STRING;
  if (!p.name.empty()) out += " | " + p.name;
  out += "\n";
  out += "data:      " + ev.source.origin + " (" + std::to_string(ev.rows) + " rows";
  if (ev.clustered) out += ", " + std::to_string(ev.units) + " clusters";
  out += ", sha256 " + ev.source.sha256.substr(0, 12) + ")\n";
  char line[160];
  std::snprintf(line, sizeof line, "bootstrap: %zu %s resamples, %g%% %s intervals, seed %llu\n\n",
                ev.bootstrap.resamples, std::string(scheme_name(ev.bootstrap.scheme)).c_str(),
                ev.bootstrap.confidence * 100.0, std::string(interval_name(ev.bootstrap.interval)).c_str(),
                static_cast<unsigned long long>(ev.bootstrap.seed));
  out += line;

  std::vector<std::vector<std::string>> rows{
      {"RULE", "METRIC", "SCOPE", "SUBJECT", "CHAMPION", "CHALLENGER", "ESTIMATE", "CI", "BOUND", "VERDICT"}};
  for (const RuleResult& r : ev.rules) {
    const bool signed_subject = r.rule.subject == Subject::delta || r.rule.subject == Subject::relative_delta;
    auto point = [](const Estimate& e, bool sign) { return e.point.defined ? fixed(e.point.value, sign) : "undefined"; };
    const std::string ci = r.subject.ci.defined
                               ? std::string("[") + fixed(r.subject.ci.lo, signed_subject) + ", " +
                                     fixed(r.subject.ci.hi, signed_subject) + "]"
                               : "-";
    std::string verdict(r.skipped ? "SKIPPED" : verdict_name(r.verdict));
    if (r.rule.severity == Severity::warn) verdict += " (warn)";
    rows.push_back({r.rule.id, std::string(r.rule.metric_name()), scope_text(r.rule),
                    std::string(subject_name(r.rule.subject)), point(r.champion, false),
                    point(r.challenger, false), point(r.subject, signed_subject), ci,
                    bound_text(r.rule), verdict});
  }
  out += table(rows);
  for (const RuleResult& r : ev.rules) {
    if (r.verdict == Verdict::pass && !r.skipped) continue;
    out += "  " + r.rule.id + ": " + r.reason + "\n";
    const std::vector<std::string> columns =
        r.rule.disparity ? std::vector<std::string>{r.rule.sensitive} : split_segment_spec(r.rule.scope.segments);
    for (const PartVerdict& part : r.parts)
      if (part.verdict != Verdict::pass && !(part.insufficient && r.rule.on_insufficient == OnInsufficient::skip))
        out += "    " + std::string(verdict_name(part.verdict)) + " " + value_text(columns, part.value) +
               " (n=" + std::to_string(part.rows) + "): " + part.reason + "\n";
  }
  out += segments_text(ev);
  out += fairness_text(ev);
  out += "\nVERDICT: " + std::string(verdict_name(ev.verdict)) + "\n";
  return out;
}

}  // namespace referee
