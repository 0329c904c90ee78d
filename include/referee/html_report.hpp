#pragma once
// The report as one self-contained HTML page for an approver: a verdict banner, a forest
// plot in inline SVG (each rule's and each judged segment's estimate and interval against
// its bound, coloured by verdict), the tables, and the audit block. No JavaScript, no
// network: it opens the same in a browser, an email client or an archive years later.

#include <string>

#include <referee/evaluate.hpp>

namespace referee {

std::string html_report(const Evaluation& evaluation);

}  // namespace referee
