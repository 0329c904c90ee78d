#include <referee/render.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <referee/version.h>

#include "render/palette.hpp"
#include "render/escape.hpp"
#include "render/presentation.hpp"

namespace referee {

namespace {

using namespace presentation;

// Every cell is escaped whole: referee's own text has nothing to escape, and text from
// data or policy gets the entities and \xNN for hidden characters (render/escape.hpp).
std::string html_text(std::string_view text) { return escape::html(text); }

std::string colour(const std::string& verdict) {
  return std::string(verdict_colour(enum_from_name<Verdict>(verdict).value_or(Verdict::inconclusive)));
}

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

std::string percent(double confidence) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g%%", confidence * 100.0);
  return buffer;
}

// One row of the forest plot: a label, an estimate with its interval, the rule's bounds.
struct ForestRow {
  std::string label, verdict;
  std::optional<double> estimate, lo, hi;
  std::optional<double> min, max;
  bool sign = false;
  const Rule* rule_def = nullptr;  // how its figures are written
  std::string verdict_note;        // " (warn)" for a rule that only warns
  std::size_t rule = 0;  // rows of one rule (it and its segments) share an axis
};

std::vector<ForestRow> forest_rows(const Evaluation& ev) {
  std::vector<ForestRow> rows;
  for (std::size_t index = 0; index < ev.rules.size(); ++index) {
    const RuleResult& r = ev.rules[index];
    const auto add = [&](const std::string& label, const std::string& verdict, const Estimate& e) {
      ForestRow row{label, verdict, {}, {}, {}, r.rule.min, r.rule.max,
                    !r.rule.drift && signed_subject(r.rule.subject), &r.rule,
                    r.rule.severity == Severity::warn ? " (warn)" : "", index};
      if (e.point.defined) row.estimate = e.point.value;
      if (e.ci.defined && r.rule.decide_on == DecideOn::interval) {
        row.lo = e.ci.lo;
        row.hi = e.ci.hi;
      }
      rows.push_back(row);
    };
    add(r.rule.id + " · " + std::string(r.rule.metric_name()) + " · " +
            (r.rule.drift ? r.rule.feature : std::string(name_of(r.rule.subject))),
        rule_verdict_text(r), r.subject);
    const auto columns = r.rule.disparity ? std::vector<std::string>{r.rule.sensitive}
                                          : split_segment_spec(r.rule.scope.segments);
    for (const PartVerdict& part : r.parts) {
      if (part.insufficient) continue;
      add("    " + value_text(columns, part.value, raw) + " (n=" + std::to_string(part.rows) + ")",
          std::string(verdict_name(part.verdict)), part.subject);
    }
  }
  return rows;
}

// A rule and its segments share an axis; rules differ in scale, so each has its own. The
// bound is a dashed line; the numbers are written beside the plot.
std::string forest_svg(const std::vector<ForestRow>& rows) {
  constexpr double kLabel = 300, kPlot = 380, kText = 250, kRow = 26, kTop = 10;
  const double width = kLabel + kPlot + kText + 110, height = kTop * 2 + kRow * static_cast<double>(rows.size());
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(width) + "\" height=\"" +
                    number(height) + "\" role=\"img\" aria-label=\"forest plot\" font-family=\"sans-serif\" "
                    "font-size=\"12\">\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ForestRow& r = rows[i];
    const double y = kTop + kRow * static_cast<double>(i) + kRow / 2;
    if (r.rule % 2 == 0)
      svg += "<rect x=\"0\" y=\"" + number(y - kRow / 2) + "\" width=\"" + number(width) + "\" height=\"" +
             number(kRow) + "\" fill=\"#f6f8fa\"/>\n";
    svg += "<text x=\"6\" y=\"" + number(y + 4) + "\" xml:space=\"preserve\">" + html_text(r.label) + "</text>\n";
    std::vector<double> span;
    for (const ForestRow& other : rows)
      if (other.rule == r.rule)
        for (const auto& v : {other.estimate, other.lo, other.hi, other.min, other.max})
          if (v) span.push_back(*v);
    if (span.empty() || !r.estimate) {
      svg += "<text x=\"" + number(kLabel) + "\" y=\"" + number(y + 4) + "\" fill=\"" + std::string(kMutedColour) +
             "\">undefined</text>\n";
    } else {
      double lo = *std::min_element(span.begin(), span.end()), hi = *std::max_element(span.begin(), span.end());
      const double pad = hi > lo ? 0.08 * (hi - lo) : std::max(1e-3, 0.05 * std::abs(lo));
      lo -= pad;
      hi += pad;
      const auto x = [&](double v) { return kLabel + kPlot * (v - lo) / (hi - lo); };
      svg += "<line x1=\"" + number(kLabel) + "\" y1=\"" + number(y) + "\" x2=\"" + number(kLabel + kPlot) +
             "\" y2=\"" + number(y) + "\" stroke=\"#d0d7de\"/>\n";
      for (const auto& bound : {r.min, r.max})
        if (bound)
          svg += "<line x1=\"" + number(x(*bound)) + "\" y1=\"" + number(y - 10) + "\" x2=\"" + number(x(*bound)) +
                 "\" y2=\"" + number(y + 10) + "\" stroke=\"#24292f\" stroke-dasharray=\"3,2\"/>\n";
      const std::string c = colour(r.verdict);
      if (r.lo && r.hi)
        svg += "<line x1=\"" + number(x(*r.lo)) + "\" y1=\"" + number(y) + "\" x2=\"" + number(x(*r.hi)) +
               "\" y2=\"" + number(y) + "\" stroke=\"" + c + "\" stroke-width=\"3\"/>\n";
      svg += "<circle cx=\"" + number(x(*r.estimate)) + "\" cy=\"" + number(y) + "\" r=\"5\" fill=\"" + c + "\"/>\n";
      const auto text = [&](double v) { return rule_figure(*r.rule_def, v, r.sign); };
      std::string figures = text(*r.estimate);
      if (r.lo && r.hi) figures += " [" + text(*r.lo) + ", " + text(*r.hi) + "]";
      svg += "<text x=\"" + number(kLabel + kPlot + 12) + "\" y=\"" + number(y + 4) + "\">" + html_text(figures) +
             "</text>\n";
    }
    svg += "<text x=\"" + number(kLabel + kPlot + kText) + "\" y=\"" + number(y + 4) + "\" fill=\"" +
           colour(r.verdict) + "\" font-weight=\"bold\">" + html_text(r.verdict + r.verdict_note) + "</text>\n";
  }
  return svg + "</svg>\n";
}

std::string rules_table(const Evaluation& ev) {
  std::string out = "<table><thead><tr><th>verdict</th><th>rule</th><th>metric</th><th>scope</th><th>subject</th>"
                    "<th>champion</th><th>challenger</th><th>estimate</th><th>CI</th><th>bound</th><th>n</th>"
                    "<th>reason</th></tr></thead><tbody>\n";
  for (const RuleResult& r : ev.rules) {
    const bool sign = signed_subject(r.rule.subject);
    const std::string verdict = rule_verdict_text(r);
    out += "<tr><td style=\"color:" + colour(verdict) + ";font-weight:bold\">" + verdict +
           (r.rule.severity == Severity::warn ? " (warn)" : "") + "</td><td><code>" + html_text(r.rule.id) +
           "</code></td><td>" + html_text(std::string(r.rule.metric_name())) + "</td><td>" +
           html_text(scope_text(r.rule, raw)) +
           "</td><td>" + subject_text(r.rule) + "</td><td>" +
           (r.rule.drift ? "-" : html_text(estimate_text(r.champion, false))) + "</td><td>" +
           (r.rule.drift ? "-" : html_text(estimate_text(r.challenger, false))) + "</td><td>" +
           rule_point_text(r.rule, r.subject.point, sign) + "</td><td>" +
           html_text(interval_text(r.subject, sign)) + "</td><td>" + html_text(bound_text(r.rule)) + "</td><td>" +
           std::to_string(r.n) + "</td><td>" + html_text(reason_text(r)) + "</td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string segments_table(const Evaluation& ev) {
  if (ev.segments.empty()) return "";
  const std::size_t k = headline_metric(ev.policy);
  const MetricInfo& info = task_metrics(ev.policy.task)[k];
  std::string out = "<h2>Worst segments by delta " + std::string(info.name) +
                    "</h2>\n<table><thead><tr><th>segment</th><th>n</th><th>champion</th><th>challenger</th>"
                    "<th>delta</th></tr></thead><tbody>\n";
  for (const SegmentTable& t : ev.segments) {
    const auto ranked = worst_first(t, k, info);
    for (std::size_t i = 0; i < ranked.size() && i < 3; ++i)
      out += "<tr><td>" + html_text(value_text(t.columns, ranked[i]->value, raw)) + "</td><td>" +
             std::to_string(ranked[i]->rows) + "</td><td>" + html_text(estimate_text(ranked[i]->metrics[0][k], false)) +
             "</td><td>" + html_text(estimate_text(ranked[i]->metrics[1][k], false)) + "</td><td>" +
             html_text(estimate_text(ranked[i]->metrics[2][k], true)) + "</td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string fairness_tables(const Evaluation& ev) {
  std::string out;
  for (const FairnessTable& t : ev.fairness) {
    out += "<h2>Fairness: " + html_text(t.attribute) + " (" + std::string(name_of(t.method)) +
           ")</h2>\n<table><thead><tr><th>disparity</th><th>champion</th><th>challenger</th><th>delta</th></tr>"
           "</thead><tbody>\n";
    for (std::size_t d = 0; d < kGroupDisparityCount; ++d)
      out += "<tr><td>" + std::string(EnumNames<Disparity>::names[d]) + "</td><td>" + html_text(estimate_text(t.disparities[0][d], false)) +
             "</td><td>" + html_text(estimate_text(t.disparities[1][d], false)) + "</td><td>" +
             html_text(estimate_text(t.disparities[2][d], true)) + "</td></tr>\n";
    out += "</tbody></table>\n";
    if (t.disparity_interval) out += "<p>" + html_text(t.disparity_interval_reason) + ".</p>\n";
  }
  return out;
}

std::string html_table(const TextRows& rows) {
  std::string out = "<table><thead><tr>";
  for (const auto& c : rows.front()) out += "<th>" + html_text(c) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (std::size_t i = 1; i < rows.size(); ++i) {
    out += "<tr>";
    for (const auto& c : rows[i]) out += "<td>" + html_text(c) + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string budgets_and_drift(const Evaluation& ev) {
  std::string out;
  if (!ev.budgets.figures.empty())
    out += "<h2>Budgets</h2>\n<p>" + html_text(budget_note(ev, raw)) + ".</p>\n" + html_table(budget_rows(ev));
  if (ev.drift.enabled)
    out += "<h2>Drift " + html_text(drift_note(ev, raw)) + "</h2>\n" + html_table(drift_rows(ev, raw));
  return out;
}

}  // namespace

std::string html_report(const Evaluation& ev) {
  const Policy& p = ev.policy;
  const std::string verdict(verdict_name(ev.verdict));
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>referee: " + verdict +
      (p.name.empty() ? "" : " · " + html_text(p.name)) +
      "</title>\n<style>\n"
      "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px;color:#24292f;max-width:1200px}\n"
      ".banner{padding:16px 20px;border-radius:6px;color:#fff;font-size:22px;font-weight:bold}\n"
      "table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}\n"
      "th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}\n"
      "th{background:#f6f8fa}\nh2{font-size:17px;margin-top:28px}\ncode{font-size:12px}\n"
      ".audit td:first-child{font-weight:bold;white-space:nowrap}\n</style></head><body>\n";
  out += "<div class=\"banner\" style=\"background:" + colour(verdict) + "\">referee: " + verdict + " — " +
         (ev.passed ? "the challenger may replace the champion" : "the challenger may not replace the champion") +
         "</div>\n";
  if (!p.name.empty()) out += "<p><b>" + html_text(p.name) + "</b></p>\n";
  out += "<h2>Rules</h2>\n<p>Each row: the estimate (dot) and its " + percent(ev.bootstrap.confidence) +
         " interval (bar) against the rule's bound (dashed); a rule's segments follow it on the same axis.</p>\n";
  out += forest_svg(forest_rows(ev));
  out += rules_table(ev);
  out += segments_table(ev);
  out += fairness_tables(ev);
  out += budgets_and_drift(ev);
  char seed[32];
  std::snprintf(seed, sizeof seed, "%llu", static_cast<unsigned long long>(ev.bootstrap.seed));
  out += "<h2>Audit</h2>\n<table class=\"audit\"><tbody>\n"
         "<tr><td>referee</td><td>" REFEREE_VERSION_STRING "</td></tr>\n"
         "<tr><td>data</td><td>" + html_text(ev.source.origin) + ", " + std::to_string(ev.rows) + " rows" +
         (ev.clustered ? ", " + std::to_string(ev.units) + " clusters" : std::string()) + "</td></tr>\n"
         "<tr><td>data sha256</td><td><code>" + ev.source.sha256 + "</code> (" + ev.source.hashed + ")</td></tr>\n"
         "<tr><td>policy sha256</td><td><code>" + p.sha256 + "</code></td></tr>\n"
         "<tr><td>bootstrap</td><td>" + std::to_string(ev.bootstrap.resamples) + " " +
         std::string(name_of(ev.bootstrap.scheme)) + " resamples, " + std::string(name_of(ev.bootstrap.interval)) +
         " intervals at " + percent(ev.bootstrap.confidence) + ", seed " + seed + "</td></tr>\n"
         "</tbody></table>\n</body></html>\n";
  return out;
}

}  // namespace referee
