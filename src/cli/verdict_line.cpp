#include "cli/verdict_line.hpp"

#include <vector>

#include "common/exit_codes.hpp"
#include "render/escape.hpp"

namespace referee::cli {

namespace {

constexpr std::size_t kNamedRules = 5;  // a longer list is cut: the summary has them all

bool blocking(const RuleResult& r) { return r.rule.severity != Severity::warn; }

// The rules behind the overall verdict, by overall_verdict's own reading (decide/decision.hpp).
std::vector<const RuleResult*> deciding_rules(const Evaluation& ev) {
  std::vector<const RuleResult*> out;
  for (const RuleResult& r : ev.rules) {
    if (r.verdict == Verdict::pass || r.verdict == Verdict::skipped) continue;
    const bool counts = ev.verdict == Verdict::fail           ? blocking(r) && r.verdict == Verdict::fail
                        : ev.verdict == Verdict::inconclusive ? blocking(r)
                                                              : true;  // WARN: every rule that did not pass
    if (counts) out.push_back(&r);
  }
  return out;
}

std::string what_they_do(Verdict verdict, std::size_t count) {
  const bool one = count == 1;
  switch (verdict) {
    case Verdict::fail:
      return one ? "blocking rule fails" : "blocking rules fail";
    case Verdict::inconclusive:
      return one ? "blocking rule is inconclusive (more data needed)" : "blocking rules are inconclusive (more data needed)";
    default:
      return one ? "rule does not pass (not blocking)" : "rules do not pass (not blocking)";
  }
}

}  // namespace

std::string verdict_line(const Evaluation& ev) {
  std::string line = "VERDICT: " + std::string(verdict_name(ev.verdict)) + " (exit " +
                     std::to_string(exit_code(exit_code_of(ev.verdict))) + ")";
  const std::vector<const RuleResult*> rules = deciding_rules(ev);
  if (rules.empty()) return line + ": no rule fails or is inconclusive\n";
  line += ": " + std::to_string(rules.size()) + " " + what_they_do(ev.verdict, rules.size()) + ": ";
  for (std::size_t i = 0; i < rules.size() && i < kNamedRules; ++i)
    line += (i ? ", " : "") + escape::terminal(rules[i]->rule.id);
  if (rules.size() > kNamedRules) line += ", ...";
  return line + "\n";
}

}  // namespace referee::cli
