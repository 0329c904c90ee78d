#pragma once
// An Evaluation for its readers. The JSON report is for machines and auditors: everything
// outside its "run" section is a pure function of (data, policy, seed), so two runs compare
// byte for byte (layout in docs/report.md). The summary is what the CLI prints; Markdown is
// for a pull request or a CI job summary; HTML is one self-contained page with an inline
// SVG forest plot, no JavaScript and no network.

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include <referee/evaluation.hpp>

namespace referee {

nlohmann::ordered_json report_json(const Evaluation& evaluation);
std::string report_text(const Evaluation& evaluation);  // 2-space indented, trailing newline

// Writes the report next to its destination and renames it into place, so a reader
// never sees a partial report.
void write_report(const Evaluation& evaluation, const std::filesystem::path& path);

// The human-readable summary the CLI prints: one line per rule, then the verdict.
std::string summary_text(const Evaluation& evaluation);

// The verdict first, then a table of rules, the worst segments, the fairness findings and
// the audit facts an approver needs to reproduce it ($GITHUB_STEP_SUMMARY).
std::string markdown_report(const Evaluation& evaluation);

// A verdict banner, a forest plot (each rule's and each judged segment's estimate and
// interval against its bound, coloured by verdict), the tables and the audit block.
std::string html_report(const Evaluation& evaluation);

// The same verdict, forest plot and rules table as a fragment for a notebook cell
// (Jupyter's _repr_html_): one <div> with its CSS scoped to it, a one-line audit note; no
// <html> or <head>, no script, nothing loaded from anywhere.
std::string html_fragment(const Evaluation& evaluation);

}  // namespace referee
