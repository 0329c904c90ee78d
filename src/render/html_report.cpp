#include <referee/render.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include <referee/version.h>

#include "render/palette.hpp"
#include "render/escape.hpp"
#include "render/forest_plot.hpp"
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

std::string percent(double confidence) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g%%", confidence * 100.0);
  return buffer;
}

// A figure "estimate [lo, hi]" may break before its interval, never inside it; a bound
// ">= -0.005" never breaks.
std::string figure_cell(const std::string& figure) {
  const std::string text = html_text(figure);
  const std::size_t interval = text.find(" [");
  std::string cell;
  for (std::size_t i = 0; i < text.size(); ++i) cell += text[i] == ' ' && i != interval ? std::string("&#160;") : std::string(1, text[i]);
  return "<td>" + cell + "</td>";
}

// A metric's name may break after an underscore ("demographic_parity_ratio"), so that a
// narrow notebook output still holds the table.
std::string name_cell(const std::string& name) {
  std::string cell;
  for (char c : html_text(name)) cell += c == '_' ? std::string("_<wbr>") : std::string(1, c);
  return "<td>" + cell + "</td>";
}

// A rule id as code, kept on one line when it is short: a squeezed table would rather break
// "auc-overall" at its hyphen than widen the reason's row.
std::string id_cell(const std::string& id) {
  constexpr std::size_t kShortId = 24;
  return std::string(id.size() <= kShortId ? "<td class=\"nowrap\">" : "<td>") + "<code>" + html_text(id) +
         "</code></td>";
}

// The columns of kRuleColumns, the reason on a line of its own under its rule: a sentence
// that squeezed into a column would stretch every row. Text from data or policy is escaped
// whole, cell by cell; ids are set as code.
std::string rules_table(const Evaluation& ev) {
  std::string out = "<div class=\"scroll\"><table class=\"grid rules\"><thead><tr>";
  for (std::size_t c = 0; c + 1 < kRuleColumns.size(); ++c) out += "<th>" + std::string(kRuleColumns[c]) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (const RuleResult& r : ev.rules) {
    const RuleRow row = rule_row(r, raw);
    const auto td = [](const std::string& cell) { return "<td>" + html_text(cell) + "</td>"; };
    out += "<tr><td style=\"color:" + colour(row.verdict) + ";font-weight:bold\">" + row.verdict + "</td>" +
           td(row.severity) + id_cell(row.id) + name_cell(row.metric) +
           td(row.scope) + td(row.subject) + figure_cell(row.champion) + figure_cell(row.challenger) +
           figure_cell(row.estimate) + figure_cell(row.bound) + td(row.n) + "</tr>\n<tr class=\"reason\"><td colspan=\"" +
           std::to_string(kRuleColumns.size() - 1) + "\">" + html_text(row.reason) + "</td></tr>\n";
  }
  return out + "</tbody></table></div>\n";
}

std::string segments_table(const Evaluation& ev) {
  if (ev.segments.empty()) return "";
  const std::size_t k = headline_metric(ev.policy);
  const MetricInfo& info = ev.policy.metrics[k].info();
  const std::string& metric = ev.policy.metrics[k].name;
  std::string out = "<h2>Worst segments by delta " + html_text(metric) +
                    "</h2>\n<table class=\"grid\"><thead><tr><th>segment</th><th>n</th><th>champion</th><th>challenger</th>"
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
           ")</h2>\n<table class=\"grid\"><thead><tr><th>disparity</th><th>champion</th><th>challenger</th><th>delta</th></tr>"
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
  std::string out = "<table class=\"grid\"><thead><tr>";
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

// Every selector sits under .referee-report, so that the notebook view can share a page
// with the notebook's own styles, and names two classes, so that it outranks a notebook's
// rules for tables in its output (JupyterLab right-aligns cells with two classes and an
// element). The page itself (font, margins) is styled by html_report() alone.
constexpr const char* kStyle =
    ".referee-report{color:#24292f;line-height:1.45;text-align:left}\n"
    ".referee-report .banner{padding:16px 20px;border-radius:6px;color:#fff;font-size:22px;font-weight:bold;"
    "line-height:1.3}\n"
    ".referee-report h2{font-size:17px;margin:28px 0 8px}\n"
    ".referee-report p{margin:8px 0;text-align:left}\n"
    ".referee-report .scroll{overflow-x:auto}\n"
    ".referee-report table.grid{border-collapse:collapse;margin:8px 0 20px;font-size:13px;table-layout:auto;"
    "color:inherit}\n"
    ".referee-report table.grid th,.referee-report table.grid td{border:1px solid #d0d7de;padding:4px 7px;"
    "text-align:left;vertical-align:top;white-space:normal;line-height:1.4}\n"
    ".referee-report table.grid th{background:#f6f8fa}\n"
    ".referee-report table.rules tr.reason td{color:#57606a;font-size:12px;padding-bottom:8px}\n"
    ".referee-report table.grid code{font-size:12px}\n"
    ".referee-report table.grid td.nowrap{white-space:nowrap}\n"
    ".referee-report svg.forest{display:block;max-width:100%;height:auto;margin:8px 0 12px}\n"
    ".referee-report table.audit td:first-child{font-weight:bold;white-space:nowrap}\n"
    ".referee-report p.note{color:#6e7781;font-size:12px}\n";

std::string banner(const Evaluation& ev) {
  const std::string verdict(verdict_name(ev.verdict));
  std::string out = "<div class=\"banner\" style=\"background:" + colour(verdict) + "\">referee: " + verdict + " — " +
                    (ev.passed ? "the challenger may replace the champion" : "the challenger may not replace the champion") +
                    "</div>\n";
  if (!ev.policy.name.empty()) out += "<p><b>" + html_text(ev.policy.name) + "</b></p>\n";
  return out;
}

// The forest plot and the rules table: what the notebook view shows too.
std::string rules_section(const Evaluation& ev) {
  return "<p>Each row: the estimate (dot) and its " + percent(ev.bootstrap.confidence) +
         " interval (bar) against the rule's bound (dashed); rules on the same metric and scale share an axis "
         "(solid: zero difference), a rule's segments follow it.</p>\n" +
         forest_svg(ev) + rules_table(ev);
}

std::string seed_text(const Evaluation& ev) {
  char seed[32];
  std::snprintf(seed, sizeof seed, "%llu", static_cast<unsigned long long>(ev.bootstrap.seed));
  return seed;
}

std::string bootstrap_text(const Evaluation& ev) {
  return std::to_string(ev.bootstrap.resamples) + " " + std::string(name_of(ev.bootstrap.scheme)) + " resamples, " +
         std::string(name_of(ev.bootstrap.interval)) + " intervals at " + percent(ev.bootstrap.confidence) +
         ", seed " + seed_text(ev);
}

std::string data_text(const Evaluation& ev) {
  return html_text(ev.source.origin) + ", " + std::to_string(ev.rows) + " rows" +
         presentation::units_text(ev);
}

std::string audit_table(const Evaluation& ev) {
  return "<h2>Audit</h2>\n<table class=\"grid audit\"><tbody>\n"
         "<tr><td>referee</td><td>" REFEREE_VERSION_STRING "</td></tr>\n"
         "<tr><td>data</td><td>" + data_text(ev) + "</td></tr>\n"
         "<tr><td>data sha256</td><td><code>" + ev.source.sha256 + "</code> (" + ev.source.hashed + ")</td></tr>\n"
         "<tr><td>policy sha256</td><td><code>" + ev.policy.sha256 + "</code></td></tr>\n"
         "<tr><td>bootstrap</td><td>" + bootstrap_text(ev) + "</td></tr>\n"
         "</tbody></table>\n";
}

}  // namespace

std::string html_report(const Evaluation& ev) {
  const Policy& p = ev.policy;
  const std::string verdict(verdict_name(ev.verdict));
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>referee: " + verdict +
      (p.name.empty() ? "" : " · " + html_text(p.name)) +
      "</title>\n<style>\n"
      "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px;max-width:1200px}\n" +
      kStyle + "</style></head><body><main class=\"referee-report\">\n";
  out += banner(ev);
  out += "<h2>Rules</h2>\n" + rules_section(ev);
  out += segments_table(ev);
  out += fairness_tables(ev);
  out += budgets_and_drift(ev);
  return out + audit_table(ev) + "</main></body></html>\n";
}

std::string html_fragment(const Evaluation& ev) {
  return "<div class=\"referee-report\">\n<style>\n" + std::string(kStyle) + "</style>\n" + banner(ev) +
         rules_section(ev) + "<p class=\"note\">referee " REFEREE_VERSION_STRING " · data " + data_text(ev) +
         ", sha256 " + ev.source.sha256.substr(0, 12) + " · policy sha256 " + ev.policy.sha256.substr(0, 12) +
         " · " + bootstrap_text(ev) + "</p>\n</div>\n";
}

}  // namespace referee
