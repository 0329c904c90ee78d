#pragma once
// Unit tests for a policy: before a gate blocks real promotions, its authors check that it
// says what they mean on cases they can reason about. A case is either a small inline
// table (evaluated exactly as `referee run` would) or summary figures (an estimate and a
// CI per rule, decided by the same rule logic without any data), with the expected
// verdict and, optionally, the expected verdict of each rule. Format: docs/policy-testing.md.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <referee/policy.hpp>

namespace referee {

struct PolicyCaseResult {
  std::string name;
  bool held = true;
  std::string verdict;                    // what the gate said
  std::vector<std::string> differences;  // expected X, got Y; one line each
};

// Runs every case of `cases` ({"cases": [...]}) against `policy`. A malformed cases file is
// a PolicyError naming its JSON path; a case that does not hold is a result, not an error.
std::vector<PolicyCaseResult> run_policy_cases(const Policy& policy, const nlohmann::json& cases,
                                               std::string_view origin = "cases");

}  // namespace referee
