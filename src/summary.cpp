#include <referee/summary.hpp>

#include <algorithm>
#include <cstdio>
#include <vector>

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
      {"RULE", "METRIC", "SUBJECT", "CHAMPION", "CHALLENGER", "ESTIMATE", "CI", "BOUND", "VERDICT"}};
  for (const RuleResult& r : ev.rules) {
    const bool signed_subject = r.rule.subject == Subject::delta || r.rule.subject == Subject::relative_delta;
    auto point = [](const Estimate& e, bool sign) { return e.point.defined ? fixed(e.point.value, sign) : "undefined"; };
    const std::string ci = r.subject.ci.defined
                               ? "[" + fixed(r.subject.ci.lo, signed_subject) + ", " +
                                     fixed(r.subject.ci.hi, signed_subject) + "]"
                               : "-";
    std::string verdict(verdict_name(r.verdict));
    if (r.rule.severity == Severity::warn) verdict += " (warn)";
    rows.push_back({r.rule.id, std::string(metric_name(r.rule.metric)),
                    std::string(subject_name(r.rule.subject)), point(r.champion, false),
                    point(r.challenger, false), point(r.subject, signed_subject), ci,
                    bound_text(r.rule), verdict});
  }
  out += table(rows);
  for (const RuleResult& r : ev.rules)
    if (r.verdict != Verdict::pass) out += "  " + r.rule.id + ": " + r.reason + "\n";
  out += "\nVERDICT: " + std::string(verdict_name(ev.verdict)) + "\n";
  return out;
}

}  // namespace referee
