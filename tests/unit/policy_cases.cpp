// `referee test` and referee.testing.assert_verdict share the core's expectation reader:
// a rule that on_insufficient "skip" left nothing to judge is SKIPPED in both, never PASS
// (the two doors once disagreed on this).

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <referee/error.hpp>
#include <referee/policy.hpp>

#include "cases/policy_cases.hpp"

using namespace referee;

namespace {

const char* kPolicy = R"({"version": 1, "task": "binary",
  "columns": {"label": "y", "champion": "a", "challenger": "b", "segments": ["seg"]},
  "segments_min": {"rows": 3, "positives": 1},
  "bootstrap": {"resamples": 100, "seed": 1},
  "rules": [{"id": "solo", "metric": "accuracy", "subject": "challenger", "min": 0,
             "scope": {"segment": {"seg": "solo"}}, "on_insufficient": "skip"}]})";

nlohmann::json case_expecting(const std::string& rule_verdict) {
  return nlohmann::json::parse(R"({"cases": [{"name": "skip", "expect": "PASS",
    "data": {"y": [1, 0, 1, 0, 1], "a": [0.9, 0.2, 0.8, 0.3, 0.7], "b": [0.8, 0.1, 0.9, 0.2, 0.6],
             "seg": ["many", "many", "many", "many", "solo"]},
    "rules": {"solo": ")" + rule_verdict + R"("}}]})");
}

}  // namespace

TEST_CASE("a skipped rule is expected as SKIPPED, and PASS does not hold for it") {
  const Policy policy = parse_policy_text(kPolicy);
  const auto skipped = run_policy_cases(policy, case_expecting("SKIPPED"));
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].held);
  CHECK(skipped[0].verdict == "PASS");

  const auto passed = run_policy_cases(policy, case_expecting("PASS"));
  REQUIRE(passed.size() == 1);
  CHECK_FALSE(passed[0].held);
  REQUIRE(passed[0].differences.size() == 1);
  CHECK(passed[0].differences[0].find("rule solo: expected PASS, got SKIPPED") == 0);
}

TEST_CASE("the gate's own verdict is never SKIPPED") {
  const Policy policy = parse_policy_text(kPolicy);
  nlohmann::json cases = case_expecting("SKIPPED");
  cases["cases"][0]["expect"] = "SKIPPED";
  CHECK_THROWS_WITH_AS(run_policy_cases(policy, cases),
                       "cases: $.cases[0].expect must be one of PASS, WARN, FAIL, INCONCLUSIVE", PolicyError);
  cases["cases"][0]["expect"] = "PASS";
  cases["cases"][0]["rules"]["solo"] = "skipped";
  CHECK_THROWS_WITH_AS(run_policy_cases(policy, cases),
                       "cases: $.cases[0].rules.solo must be one of PASS, WARN, FAIL, INCONCLUSIVE, SKIPPED",
                       PolicyError);
}
