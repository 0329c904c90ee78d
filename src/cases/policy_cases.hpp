#pragma once
// Unit tests for a policy: before a gate blocks real promotions, its authors check that it
// says what they mean on cases they can reason about. A case is either a small inline
// table (evaluated exactly as `referee run` would) or summary figures (an estimate and a
// CI per rule, decided by the same rule logic without any data), with the expected
// verdict and, optionally, the expected verdict of each rule. Format: docs/policy-testing.md.

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <referee/limits.hpp>
#include <referee/policy.hpp>

namespace referee {

struct PolicyCaseResult {
  std::string name;
  bool held = true;
  std::string verdict;                    // what the gate said
  std::vector<std::string> differences;  // expected X, got Y; one line each
};

// What a case expects: the gate's verdict (PASS, WARN, FAIL, INCONCLUSIVE) and, for some
// rules, theirs (SKIPPED too). Read from a case object's "expect" and "rules".
struct CaseExpectation {
  std::optional<Verdict> verdict;
  std::vector<std::pair<std::size_t, Verdict>> rules;  // (index into policy.rules, verdict)
};
CaseExpectation parse_case_expectation(const Policy& policy, const nlohmann::json& c, std::string_view origin,
                                       const std::string& path);
// The same from JSON text (Python's expected= argument), read under the limits.
CaseExpectation parse_case_expectation_text(const Policy& policy, std::string_view text, std::string_view origin,
                                            const Limits& limits = {});

// "verdict: expected X, got Y" and "rule R: expected X, got Y (reason)", one line each;
// `rules` holds each rule's verdict and reason in policy order. Empty when the case holds.
std::vector<std::string> case_differences(const Policy& policy, const CaseExpectation& expected, Verdict got,
                                          std::span<const std::pair<Verdict, std::string>> rules);

// Runs every case of `cases` ({"cases": [...]}) against `policy`. A malformed cases file is
// a PolicyError naming its JSON path; a case that does not hold is a result, not an error.
std::vector<PolicyCaseResult> run_policy_cases(const Policy& policy, const nlohmann::json& cases,
                                               std::string_view origin = "cases");
// The same from the text of a cases file: read as a policy is (json_text.hpp), so its
// errors carry line and column and its nesting, size and duplicate keys are bounded.
std::vector<PolicyCaseResult> run_policy_cases_text(const Policy& policy, std::string_view text,
                                                    std::string_view origin, const Limits& limits = {});

}  // namespace referee
