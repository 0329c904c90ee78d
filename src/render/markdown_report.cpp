#include <referee/render.hpp>

#include <cstdio>
#include <string>

#include <referee/version.h>

#include "render/escape.hpp"
#include "render/presentation.hpp"

namespace referee {

namespace {

using namespace presentation;
using escape::markdown;
using escape::markdown_code;

std::string verdict_mark(const std::string& verdict) {
  if (verdict == "PASS") return "✅";
  if (verdict == "WARN") return "⚠️";
  if (verdict == "FAIL") return "❌";
  if (verdict == "SKIPPED") return "⏭️";
  return "❔";  // INCONCLUSIVE
}

// Table cells cannot hold a raw pipe or a line break. For referee's own text (numbers,
// bounds); text from data or policy goes through markdown(), which covers these too.
std::string cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

// The columns every report for people shows (presentation.hpp), the verdict with its mark.
std::string rules_section(const Evaluation& ev) {
  std::string out = "|";
  for (std::string_view column : kRuleColumns) out += " " + std::string(column) + " |";
  out += "\n|";
  for (std::size_t c = 0; c < kRuleColumns.size(); ++c) out += "---|";
  out += "\n";
  for (const RuleResult& r : ev.rules) {
    const RuleRow row = rule_row(r, markdown);
    out += "| " + verdict_mark(row.verdict) + " " + row.verdict + " | " + row.severity + " | " +
           markdown_code(row.id) + " | " + row.metric + " | " + row.scope + " | " + row.subject + " | " +
           row.champion + " | " + row.challenger + " | " + row.estimate + " | " + cell(row.bound) +
           " | " + row.n + " | " + row.reason + " |\n";
  }
  return out;
}

std::string segment_findings(const Evaluation& ev) {
  std::string out;
  for (const RuleResult& r : ev.rules) {
    if (r.parts.empty()) continue;
    const auto columns = r.rule.disparity ? std::vector<std::string>{r.rule.sensitive}
                                          : split_segment_spec(r.rule.scope.segments);
    std::string failing;
    for (const PartVerdict& part : r.parts)
      if (part.verdict != Verdict::pass && part.verdict != Verdict::skipped)
        failing += "- " + verdict_mark(std::string(verdict_name(part.verdict))) + " **" +
                   value_text(columns, part.value, markdown) + "** (n = " + std::to_string(part.rows) + "): " +
                   markdown(part.reason) + "\n";
    if (!failing.empty()) out += "\n" + markdown_code(r.rule.id) + ":\n\n" + failing;
  }
  if (ev.segments.empty()) return out;
  const std::size_t k = headline_metric(ev.policy);
  const MetricInfo& info = ev.policy.metrics[k].info();
  const std::string& metric = ev.policy.metrics[k].name;
  out += "\n### Worst segments by delta " + markdown(metric) + "\n\n"
         "| segment | n | champion | challenger | delta [CI] |\n|---|---|---|---|---|\n";
  for (const SegmentTable& t : ev.segments) {
    const auto ranked = worst_first(t, k, info);
    for (std::size_t i = 0; i < ranked.size() && i < 3; ++i)
      out += "| " + value_text(t.columns, ranked[i]->value, markdown) + " | " + std::to_string(ranked[i]->rows) + " | " +
             estimate_text(ranked[i]->metrics[0][k], false) + " | " + estimate_text(ranked[i]->metrics[1][k], false) +
             " | " + estimate_text(ranked[i]->metrics[2][k], true) + " |\n";
  }
  return out;
}

std::string fairness_section(const Evaluation& ev) {
  std::string out;
  for (const FairnessTable& t : ev.fairness) {
    out += "\n### Fairness: " + markdown(t.attribute) + " (" + std::string(name_of(t.method)) + ")\n\n"
           "| disparity | champion | challenger | delta |\n|---|---|---|---|\n";
    for (Disparity d : {Disparity::demographic_parity_ratio, Disparity::demographic_parity_difference,
                        Disparity::equalized_odds_difference, Disparity::equal_opportunity_difference,
                        Disparity::disparate_impact}) {
      const auto i = static_cast<std::size_t>(d);
      out += "| " + std::string(name_of(d)) + " | " + estimate_text(t.disparities[0][i], false) + " | " +
             estimate_text(t.disparities[1][i], false) + " | " + estimate_text(t.disparities[2][i], true) + " |\n";
    }
    if (t.disparity_interval) out += "\n" + markdown(t.disparity_interval_reason) + ".\n";
  }
  return out;
}

std::string markdown_table(const TextRows& rows) {
  std::string out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out += "|";
    for (const auto& c : rows[i]) {
      out += ' ';
      out += c;  // numbers, or text escaped by markdown() where it was made (drift_rows)
      out += " |";
    }
    out += "\n";
    if (i == 0) {
      out += "|";
      for (std::size_t c = 0; c < rows[i].size(); ++c) out += "---|";
      out += "\n";
    }
  }
  return out;
}

std::string budgets_section(const Evaluation& ev) {
  if (ev.budgets.figures.empty()) return "";
  std::string out = "\n### Budgets\n\n";
  out += budget_note(ev, markdown);
  out += ".\n\n";
  return out + markdown_table(budget_rows(ev));
}

std::string drift_section(const Evaluation& ev) {
  if (!ev.drift.enabled) return "";
  std::string out = "\n### Drift ";
  out += drift_note(ev, markdown);
  out += "\n\n";
  return out + markdown_table(drift_rows(ev, markdown));
}

}  // namespace

std::string markdown_report(const Evaluation& ev) {
  const Policy& p = ev.policy;
  const std::string verdict(verdict_name(ev.verdict));
  std::string out = "## " + verdict_mark(verdict) + " referee: " + verdict + "\n\n";
  if (!p.name.empty()) out += "**" + markdown(p.name) + "**. ";
  out += std::string(ev.passed ? "The challenger may replace the champion." : "The challenger may not replace the champion.") +
         "\n\n";
  out += rules_section(ev);
  const std::string segments = segment_findings(ev);
  if (!segments.empty()) out += "\n### Segments\n" + segments;
  out += fairness_section(ev);
  out += budgets_section(ev);
  out += drift_section(ev);
  char bootstrap[160];
  std::snprintf(bootstrap, sizeof bootstrap, "%zu %s resamples, %g%% %s intervals, seed %llu", ev.bootstrap.resamples,
                std::string(name_of(ev.bootstrap.scheme)).c_str(), ev.bootstrap.confidence * 100.0,
                std::string(name_of(ev.bootstrap.interval)).c_str(),
                static_cast<unsigned long long>(ev.bootstrap.seed));
  // Concatenated, not formatted into a fixed buffer: a long file name must not be cut.
  out += "\n<details><summary>Audit</summary>\n\n- referee " REFEREE_VERSION_STRING "\n- data: " +
         markdown_code(ev.source.origin) + ", " + std::to_string(ev.rows) + " rows" +
         presentation::units_text(ev) + ", sha256 `" + ev.source.sha256 +
         "` (" + ev.source.hashed + ")\n- policy sha256 `" + p.sha256 + "`\n- bootstrap: " + bootstrap +
         "\n\n</details>\n";
  return out;
}

}  // namespace referee
