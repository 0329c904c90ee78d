// evaluate() checks a Policy or Table built by hand as the parser and readers check theirs:
// each test parses a valid policy, corrupts one field as a C++ caller could, and expects an
// error that names the rule, setting or column at fault (never a read out of bounds).

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <referee/error.hpp>
#include <referee/evaluate.hpp>

#include "test_support.hpp"

using namespace referee;
using referee_test::check_error;

namespace {

const char* const kPolicy = R"({"version": 1, "task": "binary",
  "columns": {"label": "y", "champion": "a", "challenger": "b", "segments": ["region"], "sensitive": ["sex"]},
  "bootstrap": {"resamples": 100, "interval": "percentile", "seed": 1},
  "segments_min": {"rows": 5, "positives": 1},
  "rules": [
    {"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.5},
    {"id": "auc-north", "metric": "roc_auc", "subject": "delta", "min": -0.5,
     "scope": {"segment": {"region": "north"}}},
    {"id": "auc-each", "metric": "roc_auc", "subject": "delta", "min": -0.5, "scope": {"each_segment": "region"}},
    {"id": "dp", "metric": "demographic_parity_ratio", "sensitive": "sex", "subject": "challenger", "min": 0}
  ]})";

const char* const kDriftPolicy = R"({"version": 1, "task": "binary",
  "columns": {"label": "y", "champion": "a", "challenger": "b"},
  "bootstrap": {"resamples": 100, "interval": "percentile", "seed": 1},
  "drift": {"reference": "reference.csv", "features": ["income"]},
  "rules": [{"id": "income-psi", "metric": "psi", "feature": "income", "max": 0.25}]})";

Rule& rule(Policy& p, const std::string& id) {
  const auto it = std::find_if(p.rules.begin(), p.rules.end(), [&](const Rule& r) { return r.id == id; });
  REQUIRE(it != p.rules.end());
  return *it;
}

// 40 rows: both labels, both regions and both sexes in every combination.
Table table_for(const Policy& p) {
  std::vector<double> y, a, b;
  std::vector<std::uint32_t> region, sex;
  for (std::size_t i = 0; i < 40; ++i) {
    y.push_back(static_cast<double>(i % 2));
    a.push_back(0.1 + 0.02 * static_cast<double>(i));
    b.push_back(0.9 - 0.02 * static_cast<double>(i));
    region.push_back(static_cast<std::uint32_t>((i / 2) % 2));
    sex.push_back(static_cast<std::uint32_t>((i / 4) % 2));
  }
  Table t = owned_table(y, a, b, {}, {}, p.columns);
  const std::vector<std::string> regions{"north", "south"}, sexes{"F", "M"};
  if (!p.segments.empty()) add_categorical(t, "region", region, regions);
  if (!p.sensitive.empty()) add_categorical(t, "sex", sex, sexes);
  return t;
}

}  // namespace

TEST_CASE("the valid policy evaluates, so each failure below is the corruption's") {
  const Policy p = parse_policy_text(kPolicy);
  const Table t = table_for(p);
  const Evaluation ev = evaluate(t, p, {.threads = 1});
  CHECK(ev.rules.size() == 4);
}

TEST_CASE("a rule scoped to a segment spec the policy does not declare") {
  Policy p = parse_policy_text(kPolicy);
  const Table t = table_for(p);
  // "sex" is a grouping of the evaluation, but a sensitive one: never a segment.
  rule(p, "auc-each").scope.segments = "sex";
  check_error<PolicyError>([&] { evaluate(t, p, {.threads = 1}); },
                           {"rule \"auc-each\"", "segment spec \"sex\"", "policy.segments", "\"region\""});
  p = parse_policy_text(kPolicy);
  rule(p, "auc-north").scope.segments = "channel";
  check_error<PolicyError>([&] { evaluate(t, p, {.threads = 1}); }, {"rule \"auc-north\"", "\"channel\""});
}

TEST_CASE("a segment rule's values must match its spec's columns") {
  Policy p = parse_policy_text(kPolicy);
  const Table t = table_for(p);
  rule(p, "auc-north").scope.value = {"north", "web"};
  check_error<PolicyError>([&] { evaluate(t, p, {.threads = 1}); }, {"rule \"auc-north\"", "2 values", "\"region\""});
}

TEST_CASE("a disparity rule over an attribute that is not sensitive") {
  Policy p = parse_policy_text(kPolicy);
  const Table t = table_for(p);
  rule(p, "dp").sensitive = "region";
  check_error<PolicyError>([&] { evaluate(t, p, {.threads = 1}); },
                           {"rule \"dp\"", "sensitive attribute \"region\"", "policy.sensitive", "\"sex\""});
}

TEST_CASE("a metric of another task") {
  Policy p = parse_policy_text(kPolicy);
  const Table t = table_for(p);
  rule(p, "auc").metric = metric_instance(Metric::mae);
  check_error<PolicyError>([&] { evaluate(t, p, {.threads = 1}); },
                           {"rule \"auc\"", "\"mae\"", "task \"binary\""});
  p = parse_policy_text(kPolicy);
  rule(p, "auc-each").metric = metric_instance(Metric::r2);
  check_error<PolicyError>([&] { evaluate(t, p, {.threads = 1}); }, {"rule \"auc-each\"", "\"r2\""});
}

TEST_CASE("a drift rule over a feature the drift check does not compare") {
  Policy p = parse_policy_text(kDriftPolicy);
  const Table t = table_for(p);
  rule(p, "income-psi").feature = "age";
  check_error<PolicyError>([&] { evaluate(t, p, {.threads = 1}); },
                           {"rule \"income-psi\"", "drift feature \"age\"", "\"income\""});
  p.drift.enabled = false;
  rule(p, "income-psi").feature = "income";
  check_error<PolicyError>([&] { evaluate(t, p, {.threads = 1}); }, {"rule \"income-psi\"", "\"income\""});
}

TEST_CASE("bootstrap settings no parser would accept") {
  Policy p = parse_policy_text(kPolicy);
  const Table t = table_for(p);
  p.bootstrap.resamples = 0;
  check_error<PolicyError>([&] { evaluate(t, p, {.threads = 1}); }, {"$.bootstrap.resamples", "0"});
  for (const double confidence : {0.0, 1.0, 1.5, -0.2, std::numeric_limits<double>::quiet_NaN()}) {
    INFO(confidence);
    p = parse_policy_text(kPolicy);
    p.bootstrap.confidence = confidence;
    check_error<PolicyError>([&] { evaluate(t, p, {.threads = 1}); }, {"$.bootstrap.confidence", "between 0 and 1"});
  }
}

TEST_CASE("a table whose columns are shorter than its rows") {
  const Policy p = parse_policy_text(kPolicy);
  SUBCASE("label") {
    Table t = table_for(p);
    t.label = t.label.first(t.rows - 1);
    check_error<DataError>([&] { evaluate(t, p, {.threads = 1}); }, {"column \"y\"", "39 values for 40 rows"});
  }
  SUBCASE("a score, when rows is set past the data") {
    Table t = table_for(p);
    t.rows += 1;
    check_error<DataError>([&] { evaluate(t, p, {.threads = 1}); }, {"column \"y\"", "40 values for 41 rows"});
    t.rows -= 1;
    t.challenger = t.challenger.first(10);
    check_error<DataError>([&] { evaluate(t, p, {.threads = 1}); }, {"column \"b\"", "10 values for 40 rows"});
  }
  SUBCASE("weight") {
    Table t = table_for(p);
    t.columns.weight = "w";
    t.weight = t.label.first(20);
    check_error<DataError>([&] { evaluate(t, p, {.threads = 1}); }, {"column \"w\"", "20 values for 40 rows"});
  }
  SUBCASE("a segment column, and a code outside its values") {
    Table t = table_for(p);
    t.categorical[0].codes.pop_back();
    check_error<DataError>([&] { evaluate(t, p, {.threads = 1}); }, {"column \"region\"", "39 values for 40 rows"});
    t.categorical[0].codes.push_back(7);
    check_error<DataError>([&] { evaluate(t, p, {.threads = 1}); }, {"row 40", "column \"region\"", "code 7"});
  }
  SUBCASE("the values are checked too, as validate_table checks them") {
    Table t = table_for(p);
    t.storage[0][3] = 2.0;  // a binary label
    check_error<DataError>([&] { evaluate(t, p, {.threads = 1}); }, {"column \"y\"", "not 0 or 1"});
  }
}

TEST_CASE("drift needs a reference read by the caller; evaluate() reads no file") {
  const Policy p = parse_policy_text(kDriftPolicy);
  Table t = table_for(p);
  t.drift.push_back({"income", std::vector<std::uint32_t>(t.rows, 0), {"10"}});
  check_error<UsageError>([&] { evaluate(t, p, {.threads = 1}); },
                          {"drift reference", "read_drift_reference()", "EvaluateOptions::drift_reference"});

  // A reference built by hand must hold the policy's features, one value per row.
  DriftReference reference;
  reference.origin = "memory";
  reference.rows = 3;
  check_error<UsageError>([&] { evaluate(t, p, {.threads = 1, .drift_reference = &reference}); },
                          {"memory", "no column \"income\""});
  reference.features.push_back({"income", {0, 1}, {"1", "2"}});
  check_error<DataError>([&] { evaluate(t, p, {.threads = 1, .drift_reference = &reference}); },
                         {"column \"income\"", "2 values for 3 rows"});
  reference.features[0].codes.push_back(0);
  const Evaluation ev = evaluate(t, p, {.threads = 1, .drift_reference = &reference});
  REQUIRE(ev.drift.features.size() == 1);
  CHECK(ev.drift.reference_origin == "memory");
  CHECK(ev.drift.features[0].reference_n() == 3);
}

TEST_CASE("read_drift_reference resolves the policy's path against its directory, or takes an override") {
  const referee_test::TempFile file("income\n1\n2\n3\n");
  Policy p = parse_policy_text(kDriftPolicy);
  p.drift.reference = file.path().filename().string();
  p.base_directory = file.path().parent_path();
  const DriftReference reference = read_drift_reference(p);
  CHECK(reference.origin == file.name());
  CHECK(reference.rows == 3);
  REQUIRE(reference.features.size() == 1);
  CHECK(reference.features[0].name == "income");
  CHECK(reference.sha256.size() == 64);

  p.base_directory = "/nonexistent-directory";
  CHECK(read_drift_reference(p, file.path()).rows == 3);
  check_error<IoError>([&] { read_drift_reference(p); }, {"/nonexistent-directory"});

  Policy without = parse_policy_text(kPolicy);
  check_error<UsageError>([&] { read_drift_reference(without); }, {"no \"drift\" block"});
}

TEST_CASE("a threshold outside [0, 1] or a thread count over 1024, set by hand, is refused") {
  Policy p = parse_policy_text(kPolicy);
  const Table t = table_for(p);
  for (const double threshold : {std::nan(""), -0.1, 1.5}) {
    p.threshold = threshold;
    check_error<PolicyError>([&] { evaluate(t, p, {.threads = 1}); }, {"$.threshold", "must be within [0, 1]"});
  }
  p.threshold = 0.5;
  check_error<UsageError>([&] { evaluate(t, p, {.threads = 1025}); }, {"threads must be from 1 to 1024"});
  CHECK(evaluate(t, p, {.threads = 1024}).rules.size() == 4);
}

TEST_CASE("a rule whose figure is not the policy's figure at its index") {
  Policy p = parse_policy_text(kPolicy);
  const Table t = table_for(p);
  rule(p, "auc").metric_index = p.metrics.size();
  check_error<PolicyError>([&] { evaluate(t, p, {.threads = 1}); }, {"rule \"auc\"", "policy.metrics["});
}
