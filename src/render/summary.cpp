#include <referee/render.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <vector>

#include "data/grouping.hpp"

#include <referee/version.h>

#include "render/escape.hpp"
#include "render/presentation.hpp"

namespace referee {

namespace {

using namespace presentation;
using escape::terminal;

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

std::string segments_text(const Evaluation& ev) {
  if (ev.segments.empty()) return "";
  const std::size_t k = headline_metric(ev.policy);
  const MetricInfo& info = ev.policy.metrics[k].info();
  const std::string& metric = ev.policy.metrics[k].name;
  std::string out = "\nworst segments by delta " + metric + " (challenger - champion):\n";
  constexpr std::size_t kShown = 3;
  for (const SegmentTable& t : ev.segments) {
    const std::vector<const SegmentResult*> ranked = worst_first(t, k, info);
    std::size_t insufficient = 0;
    for (const SegmentResult& seg : t.segments) insufficient += seg.sufficient ? 0 : 1;
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < ranked.size() && i < kShown; ++i)
      rows.push_back({"  " + value_text(t.columns, ranked[i]->value, terminal), "n=" + std::to_string(ranked[i]->rows),
                      estimate_text(ranked[i]->metrics[2][k], true)});
    if (!rows.empty()) out += table(rows);
    if (insufficient)
      out += "  (" + terminal(t.name) + ": " + std::to_string(insufficient) + " of " + std::to_string(t.segments.size()) +
             " segments below segments_min, not ranked)\n";
  }
  return out;
}

std::string fairness_text(const Evaluation& ev) {
  if (ev.fairness.empty()) return "";
  std::string out;
  for (const FairnessTable& t : ev.fairness) {
    out += "\nfairness: " + terminal(t.attribute) + " (" + std::string(name_of(t.method)) + ", " +
           std::to_string(t.groups.size()) + " groups)\n";
    std::vector<std::vector<std::string>> rows{{"  DISPARITY", "CHAMPION", "CHALLENGER", "DELTA"}};
    for (Disparity d : {Disparity::demographic_parity_ratio, Disparity::equalized_odds_difference,
                        Disparity::disparate_impact}) {
      const auto i = static_cast<std::size_t>(d);
      rows.push_back({"  " + std::string(name_of(d)), estimate_text(t.disparities[0][i], false),
                      estimate_text(t.disparities[1][i], false), estimate_text(t.disparities[2][i], true)});
    }
    out += table(rows);
    if (t.disparity_interval) out += "  " + t.disparity_interval_reason + "\n";
  }
  return out;
}

// A table indented under its title, with upper-case headers as the rules table has.
std::string indented(TextRows rows) {
  for (auto& cell : rows.front())
    std::transform(cell.begin(), cell.end(), cell.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (auto& row : rows) row.front() = "  " + row.front();
  return table(rows);
}

std::string budgets_text(const Evaluation& ev) {
  if (ev.budgets.figures.empty()) return "";
  return "\nbudgets (" + budget_note(ev, terminal) + "):\n" + indented(budget_rows(ev));
}

std::string drift_text(const Evaluation& ev) {
  if (!ev.drift.enabled) return "";
  return "\ndrift " + drift_note(ev, terminal) + ":\n" + indented(drift_rows(ev, terminal));
}

}  // namespace

std::string summary_text(const Evaluation& ev) {
  const Policy& p = ev.policy;
  std::string out = "referee " REFEREE_VERSION_STRING;
  if (!p.name.empty()) out += " | " + terminal(p.name);
  out += "\n";
  out += "data:      " + terminal(ev.source.origin) + " (" + std::to_string(ev.rows) + " rows";
  out += presentation::units_text(ev);
  out += ", sha256 " + ev.source.sha256.substr(0, 12) + ")\n";
  char line[160];
  std::snprintf(line, sizeof line, "bootstrap: %zu %s resamples, %g%% %s intervals, seed %llu\n\n",
                ev.bootstrap.resamples, std::string(name_of(ev.bootstrap.scheme)).c_str(),
                ev.bootstrap.confidence * 100.0, std::string(name_of(ev.bootstrap.interval)).c_str(),
                static_cast<unsigned long long>(ev.bootstrap.seed));
  out += line;

  std::vector<std::vector<std::string>> rows{
      {"RULE", "METRIC", "SCOPE", "SUBJECT", "CHAMPION", "CHALLENGER", "ESTIMATE", "CI", "BOUND", "VERDICT"}};
  for (const RuleResult& r : ev.rules) {
    const bool sign = signed_subject(r.rule.subject);
    // A drift rule has no per-model figures: it compares the data, not the models.
    const auto model_point = [&](const Estimate& e) {
      return r.rule.drift ? std::string("-") : rule_point_text(r.rule, e.point, false);
    };
    const std::string ci = interval_text(r.subject, sign);
    std::string verdict(verdict_name(r.verdict));
    if (r.rule.severity == Severity::warn) verdict += " (warn)";
    rows.push_back({terminal(r.rule.id), std::string(r.rule.metric_name()), scope_text(r.rule, terminal),
                    subject_text(r.rule), model_point(r.champion), model_point(r.challenger),
                    rule_point_text(r.rule, r.subject.point, sign),
                    ci,
                    bound_text(r.rule), verdict});
  }
  out += table(rows);
  for (const RuleResult& r : ev.rules) {
    if (r.verdict == Verdict::pass && interval_note(r.subject).empty()) continue;
    out += "  " + terminal(r.rule.id) + ": " + terminal(reason_text(r)) + "\n";
    const std::vector<std::string> columns =
        r.rule.disparity ? std::vector<std::string>{r.rule.sensitive} : split_segment_spec(r.rule.scope.segments);
    for (const PartVerdict& part : r.parts)
      if (part.verdict != Verdict::pass && part.verdict != Verdict::skipped)
        out += "    " + std::string(verdict_name(part.verdict)) + " " + value_text(columns, part.value, terminal) +
               " (n=" + std::to_string(part.rows) + "): " + terminal(part.reason) + "\n";
  }
  out += segments_text(ev);
  out += fairness_text(ev);
  out += budgets_text(ev);
  out += drift_text(ev);
  out += "\nVERDICT: " + std::string(verdict_name(ev.verdict)) + "\n";
  return out;
}

}  // namespace referee
