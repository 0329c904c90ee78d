#include <doctest/doctest.h>

#include <string>

#include <referee/error.hpp>
#include <referee/policy.hpp>

#include "test_support.hpp"

using namespace referee;
using referee_test::check_error;

namespace {
const std::string kValid = R"({
  "version": 1,
  "name": "credit-risk promotion gate",
  "task": "binary",
  "columns": {"label": "y", "champion": "score_prod", "challenger": "score_new", "weight": "w", "cluster": "customer_id"},
  "threshold": 0.5,
  "bootstrap": {"resamples": 2000, "confidence": 0.95, "interval": "bca", "scheme": "poisson", "seed": 7},
  "on_inconclusive": "fail",
  "rules": [
    {"id": "auc-non-inferior", "metric": "roc_auc", "subject": "delta", "min": -0.005},
    {"id": "recall-floor", "metric": "recall", "subject": "challenger", "min": 0.80, "severity": "warn"},
    {"id": "brier-point", "metric": "brier", "subject": "relative_delta", "max": 0.02, "decide_on": "point"}
  ]
})";

// `text` with one substring replaced.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  text.replace(at, from.size(), to);
  return text;
}

// The valid policy with one substring replaced.
std::string with(const std::string& from, const std::string& to) { return replaced(kValid, from, to); }

void policy_error(const std::string& text, std::initializer_list<std::string> fragments) {
  check_error<PolicyError>([&] { parse_policy_text(text, "gate.json"); }, fragments);
}
}  // namespace

TEST_CASE("the issue's example policy parses with every field") {
  const Policy p = parse_policy_text(kValid, "gate.json");
  CHECK(p.name == "credit-risk promotion gate");
  CHECK(p.task == Task::binary);
  CHECK(p.columns.cluster == "customer_id");
  CHECK(p.bootstrap.seed == 7);
  CHECK(p.bootstrap.interval == IntervalMethod::bca);
  REQUIRE(p.rules.size() == 3);
  CHECK(p.rules[0].metric.id == Metric::roc_auc);
  CHECK(p.rules[0].min == -0.005);
  CHECK(p.rules[1].severity == Severity::warn);
  CHECK(p.rules[2].decide_on == DecideOn::point);
  CHECK(p.rules[2].subject == Subject::relative_delta);
  CHECK(p.sha256.size() == 64);
}

TEST_CASE("defaults: B 2000, 95%, bca, poisson, threshold 0.5, on_inconclusive fail") {
  const Policy p = parse_policy_text(R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b"},
    "rules": [{"id": "x", "metric": "accuracy", "subject": "delta", "min": 0}]})");
  CHECK(p.bootstrap.resamples == 2000);
  CHECK(p.bootstrap.confidence == 0.95);
  CHECK(p.bootstrap.interval == IntervalMethod::bca);
  CHECK(p.bootstrap.scheme == ResamplingScheme::poisson);
  CHECK(p.threshold == 0.5);
  CHECK(p.on_inconclusive == OnInconclusive::fail);
  CHECK(p.rules[0].decide_on == DecideOn::interval);
  CHECK(p.rules[0].severity == Severity::block);
}

TEST_CASE("the policy hash ignores formatting and key order") {
  const Policy a = parse_policy_text(kValid);
  const nlohmann::json reordered = nlohmann::json::parse(kValid);
  CHECK(parse_policy(reordered).sha256 == a.sha256);
  CHECK(parse_policy_text(with("\"seed\": 7", "\"seed\": 8")).sha256 != a.sha256);
}

TEST_CASE("malformed policies name their JSON path") {
  policy_error(with("\"resamples\"", "\"resample\""),
               {"gate.json", "$.bootstrap.resample", "not a known key", "did you mean \"resamples\""});
  policy_error(with("\"roc_auc\"", "\"roc_acu\""),
               {"$.rules[0].metric", "not a known metric", "did you mean \"roc_auc\""});
  policy_error(with("\"min\": 0.80", "\"min\": 0.80, \"max\": 0.5"),
               {"$.rules[1]", "above max", "no value can pass"});
  policy_error(with("\"version\": 1", "\"version\": 2"), {"$.version", "version 1"});
  policy_error(with("\"task\": \"binary\"", "\"task\": \"binery\""),
               {"$.task", "did you mean \"binary\""});
  policy_error(with("\"recall-floor\"", "\"auc-non-inferior\""), {"$.rules[1].id", "used twice"});
  policy_error(with("\"subject\": \"delta\"", "\"subject\": \"diff\""), {"$.rules[0].subject", "expected one of"});
  policy_error(with("\"confidence\": 0.95", "\"confidence\": 95"), {"$.bootstrap.confidence"});
  policy_error(with("\"resamples\": 2000", "\"resamples\": 10"), {"$.bootstrap.resamples", "100"});
  policy_error(with("\"metric\": \"roc_auc\"", "\"metric\": \"mae\""),
               {"$.rules[0].metric", "regression metric", "task is \"binary\""});
  policy_error(with(", \"min\": -0.005", ""), {"$.rules[0]", "needs \"min\", \"max\""});
  policy_error(with("\"label\": \"y\", ", ""), {"$.columns.label", "is required"});
  policy_error(with("\"challenger\": \"score_new\"", "\"challenger\": \"score_prod\""),
               {"$.columns.challenger", "already the champion column"});
  policy_error(with("\"interval\": \"bca\"", "\"interval\": \"bcа\""), {"$.bootstrap.interval"});
  policy_error(with("\"seed\": 7", "\"seed\": -7"), {"$.bootstrap.seed", "must be an integer from 0 to 18446744073709551615"});
  policy_error(with("\"on_inconclusive\": \"fail\"", "\"on_inconclusive\": \"ignore\""),
               {"$.on_inconclusive"});
  policy_error(with("\"threshold\": 0.5", "\"threshold\": 1.5"), {"$.threshold"});
  policy_error(with("\"severity\": \"warn\"", "\"severity\": \"warning\""),
               {"$.rules[1].severity", "did you mean \"warn\""});
  policy_error(R"({"version": 1, "task": "binary", "columns": {"label": "y", "champion": "a",
    "challenger": "b"}, "rules": []})", {"$.rules", "non-empty"});
  policy_error(R"({"version": 1, "task": "regression", "threshold": 0.5, "columns": {"label": "y",
    "champion": "a", "challenger": "b"}, "rules": [{"id": "m", "metric": "mae", "subject": "delta", "max": 0}]})",
               {"$.threshold", "only to the binary task"});
  policy_error("[1, 2]", {"$", "must be an object"});
}

TEST_CASE("invalid JSON reports its line and column") {
  policy_error("{\n  \"version\": 1,\n  \"task\": binary\n}", {"gate.json:3:", "invalid JSON"});
}

TEST_CASE("a missing policy file is an I/O error") {
  check_error<IoError>([] { load_policy("/nonexistent/gate.json"); }, {"/nonexistent/gate.json"});
}

namespace {
const std::string kSegmented = R"({"version": 1, "task": "binary",
  "columns": {"label": "y", "champion": "a", "challenger": "b",
              "segments": ["region", "region*channel"], "sensitive": ["sex"]},
  "fairness": {"reference": {"sex": "M"}},
  "rules": [
    {"id": "one", "metric": "roc_auc", "subject": "delta", "min": 0, "scope": {"segment": {"channel": "web", "region": "north"}}},
    {"id": "each", "metric": "roc_auc", "subject": "delta", "min": 0, "scope": {"each_segment": "region"}, "correction": "holm", "on_insufficient": "skip"},
    {"id": "worst", "metric": "recall", "subject": "challenger", "min": 0.5, "scope": {"worst_segment": "region*channel"}},
    {"id": "dp", "metric": "demographic_parity_ratio", "sensitive": "sex", "subject": "challenger", "min": 0.8, "method": "to_overall"},
    {"id": "di", "metric": "DI", "sensitive": "sex", "subject": "challenger", "min": 0.8}
  ]})";

std::string segmented_with(const std::string& from, const std::string& to) {
  return replaced(kSegmented, from, to);
}
}  // namespace

TEST_CASE("segments, scopes and fairness rules parse; an intersection matches in any key order") {
  const Policy p = parse_policy_text(kSegmented);
  CHECK(p.segments == std::vector<std::string>{"region", "region*channel"});
  CHECK(p.columns.categorical == std::vector<std::string>{"region", "channel", "sex"});
  CHECK(p.segments_min.rows == 30);
  CHECK(p.segments_min.positives == 5);
  CHECK(p.rules[0].scope.kind == ScopeKind::segment);
  CHECK(p.rules[0].scope.segments == "region*channel");
  CHECK(p.rules[0].scope.value == std::vector<std::string>{"north", "web"});  // spec order, not key order
  CHECK(p.rules[1].correction == Correction::holm);
  CHECK(p.rules[1].on_insufficient == OnInsufficient::skip);
  CHECK(p.rules[2].scope.kind == ScopeKind::worst_segment);
  CHECK(p.rules[3].disparity == Disparity::demographic_parity_ratio);
  CHECK(p.rules[3].method == DisparityMethod::to_overall);
  CHECK(p.rules[4].reference == "M");  // from $.fairness.reference
  CHECK(p.rules[4].metric_name() == "DI");
}

TEST_CASE("malformed segment and fairness policies name their JSON path") {
  const auto error = [](const std::string& text, std::initializer_list<std::string> fragments) {
    check_error<PolicyError>([&] { parse_policy_text(text, "gate.json"); }, fragments);
  };
  error(segmented_with(R"("each_segment": "region")", R"("each_segment": "regoin")"),
        {"$.rules[1].scope.each_segment", "not a declared segment", "did you mean \"region\""});
  error(segmented_with(R"({"channel": "web", "region": "north"})", R"({"channel": "web"})"),
        {"$.rules[0].scope.segment", "not a declared segment"});
  error(segmented_with(R"("correction": "holm")", R"("correction": "hochberg")"),
        {"$.rules[1].correction", "expected one of"});
  error(segmented_with(R"("min": 0.5, "scope")", R"("min": 0.5, "correction": "holm", "scope")"),
        {"$.rules[2].correction", "each_segment"});
  error(segmented_with(R"("sensitive": "sex", "subject": "challenger", "min": 0.8, "method")",
                       R"("sensitive": "race", "subject": "challenger", "min": 0.8, "method")"),
        {"$.rules[3].sensitive", "not in $.columns.sensitive"});
  error(segmented_with(R"("fairness": {"reference": {"sex": "M"}},)", ""), {"$.rules[4]", "add \"reference\""});
  error(segmented_with(R"("metric": "roc_auc", "subject": "delta", "min": 0, "scope": {"segment")",
                       R"("metric": "roc_auc", "sensitive": "sex", "subject": "delta", "min": 0, "scope": {"segment")"),
        {"$.rules[0].sensitive", "fairness metrics"});
  error(segmented_with(R"("segments": ["region", "region*channel"])", R"("segments": ["region", "region**channel"])"),
        {"$.columns.segments[1]", "empty column name"});
  error(segmented_with(R"("segments": ["region", "region*channel"])", R"("segments": ["region", "y"])"),
        {"$.columns.segments[1]", "label column"});
  error(segmented_with(R"("task": "binary")", R"("task": "regression")"), {"$.columns.sensitive", "binary task"});
  error(segmented_with(R"("fairness": {"reference": {"sex": "M"}})", R"("fairness": {"reference": {"gender": "M"}})"),
        {"$.fairness.reference.gender", "not in $.columns.sensitive"});
  error(segmented_with(R"("rules": [)", R"("segments_min": {"rows": 0}, "rules": [)"), {"$.segments_min.rows", "at least 1"});
}
