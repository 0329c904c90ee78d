// libFuzzer harness: the policy-case reader (cases/policy_cases.hpp), as `referee test` and
// Python's assert_verdict read it: run_policy_cases_text() over a cases file (figures
// decided by the rule logic, inline tables evaluated as `referee run` would) and
// parse_case_expectation_text() over an expectation.
//
// Input: one byte choosing the policy (a binary gate with weights and clusters, a
// segmented gate with fairness rules, a regression gate with serving budgets; each with
// 100 resamples so that an inline table evaluates in milliseconds), then the JSON text.
//
// Invariants: only PolicyError (a malformed case) or DataError (an inline table the table
// checks refuse) escapes, with a message fit for a log (fuzz_invariants.hpp); every result
// has a verdict word, holds exactly when it lists no difference, and its differences are
// fit for a log too.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <referee/policy.hpp>

#include "cases/policy_cases.hpp"
#include "fuzz_invariants.hpp"

namespace {

using namespace referee;
using fuzz::require;

constexpr std::array<const char*, 3> kPolicies{
    R"({"version": 1, "task": "binary", "threshold": 0.2,
  "columns": {"label": "y", "champion": "score_prod", "challenger": "score_new", "weight": "w", "cluster": "customer_id"},
  "bootstrap": {"resamples": 100, "seed": 7},
  "rules": [
    {"id": "auc-non-inferior", "metric": "roc_auc", "subject": "delta", "min": -0.005},
    {"id": "log-loss-no-worse", "metric": "log_loss", "subject": "relative_delta", "max": 0.02},
    {"id": "recall-floor", "metric": "recall", "subject": "challenger", "min": 0.45, "severity": "warn"},
    {"id": "brier-point", "metric": "brier", "subject": "relative_delta", "max": 0.05, "decide_on": "point"}]})",
    R"({"version": 1, "task": "binary", "threshold": 0.4,
  "columns": {"label": "y", "champion": "score_prod", "challenger": "score_new",
              "segments": ["region", "region*channel"], "sensitive": ["sex"]},
  "segments_min": {"rows": 2, "positives": 1},
  "bootstrap": {"resamples": 100, "interval": "percentile", "seed": 11},
  "fairness": {"reference": {"sex": "M"}},
  "on_inconclusive": "warn",
  "rules": [
    {"id": "auc-overall", "metric": "roc_auc", "subject": "delta", "min": -0.005},
    {"id": "auc-every-region", "metric": "roc_auc", "subject": "delta", "min": -0.02,
     "scope": {"each_segment": "region"}, "correction": "holm", "on_insufficient": "skip"},
    {"id": "acc-worst", "metric": "accuracy", "subject": "challenger", "min": 0.5, "scope": {"worst_segment": "region*channel"}},
    {"id": "dp-ratio", "metric": "demographic_parity_ratio", "sensitive": "sex", "subject": "challenger", "min": 0.8, "severity": "warn"},
    {"id": "eo-no-worse", "metric": "equalized_odds_difference", "sensitive": "sex", "subject": "delta", "max": 0.05}]})",
    R"({"version": 1, "task": "regression",
  "columns": {"label": "y", "champion": "score_prod", "challenger": "score_new",
              "latency": {"champion": "lat_prod_ms", "challenger": "lat_new_ms"},
              "cost": {"champion": "cost_prod", "challenger": "cost_new"},
              "error": {"champion": "err_prod", "challenger": "err_new"}},
  "bootstrap": {"resamples": 100, "interval": "basic", "scheme": "multinomial", "seed": 3},
  "rules": [
    {"id": "mae", "metric": "mae", "subject": "delta", "max": 0},
    {"id": "r2-floor", "metric": "r2", "subject": "challenger", "min": 0.1, "severity": "warn"},
    {"id": "p99", "metric": "latency_p99", "subject": "challenger", "max": 45},
    {"id": "cost", "metric": "cost_per_1k", "subject": "relative_delta", "max": 0.4},
    {"id": "errors", "metric": "error_rate", "subject": "challenger", "max": 0.01}]})",
};

const std::vector<Policy>& policies() {
  static const std::vector<Policy> parsed = [] {
    std::vector<Policy> out;
    for (const char* text : kPolicies) out.push_back(parse_policy_text(text, "policy"));
    return out;
  }();
  return parsed;
}

Limits small_limits() {
  Limits limits;
  limits.max_json_depth = 16;
  limits.max_policy_bytes = 16384;
  return limits;
}

void check_results(const std::vector<PolicyCaseResult>& results) {
  require(!results.empty(), "a cases file that runs has at least one result");
  for (const PolicyCaseResult& r : results) {
    require(r.verdict == "PASS" || r.verdict == "WARN" || r.verdict == "FAIL" || r.verdict == "INCONCLUSIVE",
            "a case's verdict is a gate verdict", r.verdict);
    require(r.held == r.differences.empty(), "a case holds exactly when it lists no difference");
    for (const std::string& d : r.differences) fuzz::check_message(d);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)policies();  // parsed once, outside the measured runs
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return -1;
  const Policy& policy = policies()[data[0] % kPolicies.size()];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Limits limits = small_limits();
  std::vector<PolicyCaseResult> results;
  if (fuzz::only_referee_errors({ErrorKind::policy, ErrorKind::data},
                                [&] { results = run_policy_cases_text(policy, text, "cases", limits); }))
    check_results(results);
  CaseExpectation expected;
  if (fuzz::only_referee_errors({ErrorKind::policy}, [&] {
        expected = parse_case_expectation_text(policy, text, "expected", limits);
      }))
    for (const auto& [index, verdict] : expected.rules)
      require(index < policy.rules.size(), "an expectation names a rule of the policy");
  return 0;
}
