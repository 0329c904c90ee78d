#pragma once
// The report as Markdown, for a pull request or a CI job summary ($GITHUB_STEP_SUMMARY):
// the verdict first, then a table of rules, the worst segments, the fairness findings and
// the audit facts an approver needs to reproduce it.

#include <string>

#include <referee/evaluate.hpp>

namespace referee {

std::string markdown_report(const Evaluation& evaluation);

}  // namespace referee
