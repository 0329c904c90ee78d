// Issue 15, items 1 and 2: binary scores that are decision values (margins, logits), and
// labels as they come (strings, booleans, numbers other than 0/1) with a positive_label.
// The metric values themselves are checked against scikit-learn in
// tests/python/test_labels_and_scores.py; here: the policy words, the label mapping and
// its errors, and the rank and threshold invariance a monotone score transform must keep.

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <referee/error.hpp>
#include <referee/evaluate.hpp>
#include <referee/policy.hpp>
#include <referee/table.hpp>

#include "test_support.hpp"

using namespace referee;
using referee_test::check_error;

namespace {

std::string policy_text(const std::string& columns_extra, const std::string& rules, const std::string& top = "") {
  return R"({"version": 1, "task": "binary", )" + top +
         R"("columns": {"label": "y", "champion": "a", "challenger": "b")" + columns_extra + R"(},
             "bootstrap": {"resamples": 200, "seed": 3}, "rules": [)" + rules + "]}";
}

const std::string kAucRule = R"({"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.1})";

// A text label column through the one table builder, as every door hands it over.
Table text_label_table(const Policy& p, const std::vector<std::string>& labels, const std::vector<double>& a,
                       const std::vector<double>& b) {
  TableBuilder builder(labels.size());
  EncodedText encoded = encode_text(labels);
  builder.add_text("y", std::move(encoded.codes), std::move(encoded.dictionary));
  builder.add_numeric("a", a);
  builder.add_numeric("b", b);
  return std::move(builder).build(p.columns, p.task);
}

}  // namespace

TEST_CASE("policy: scores and positive_label are read, and their threshold follows the scores") {
  const Policy decision = parse_policy_text(policy_text(R"(, "scores": "decision", "positive_label": "benign")", kAucRule));
  CHECK(decision.columns.scores == ScoreKind::decision);
  REQUIRE(decision.columns.positive_label);
  CHECK(decision.columns.positive_label->matches("benign"));
  CHECK_FALSE(decision.columns.positive_label->matches("Benign"));
  CHECK(decision.threshold == 0.0);  // scikit-learn's predict() on a decision_function
  CHECK(parse_policy_text(policy_text("", kAucRule)).threshold == 0.5);

  const Policy margin = parse_policy_text(policy_text(R"(, "scores": "decision")", kAucRule, R"("threshold": -2.5, )"));
  CHECK(margin.threshold == -2.5);
  check_error<PolicyError>([] { parse_policy_text(policy_text("", kAucRule, R"("threshold": -2.5, )")); },
                           {"$.threshold", "within [0, 1]"});

  const Policy number = parse_policy_text(policy_text(R"(, "positive_label": 2)", kAucRule));
  CHECK(number.columns.positive_label->matches("2"));
  CHECK(number.columns.positive_label->matches("2.0"));
  CHECK_FALSE(number.columns.positive_label->matches("1"));
  const Policy boolean = parse_policy_text(policy_text(R"(, "positive_label": true)", kAucRule));
  for (const char* yes : {"true", "True", "TRUE", "1"}) CHECK(boolean.columns.positive_label->matches(yes));
  CHECK_FALSE(boolean.columns.positive_label->matches("False"));
}

TEST_CASE("policy: log_loss and brier need probabilities, and say so by name") {
  for (const char* metric : {"log_loss", "brier"}) {
    const std::string rule = std::string(R"({"id": "p", "metric": ")") + metric + R"(", "subject": "delta", "max": 0.1})";
    check_error<PolicyError>([&] { parse_policy_text(policy_text(R"(, "scores": "decision")", rule)); },
                             {"$.rules[0].metric", metric, "needs probabilities", "\"decision\""});
    CHECK_NOTHROW(parse_policy_text(policy_text("", rule)));
  }
  check_error<PolicyError>([] { parse_policy_text(policy_text(R"(, "scores": "logits")", kAucRule)); },
                           {"$.columns.scores", "probability", "decision"});
  check_error<PolicyError>([] { parse_policy_text(policy_text(R"(, "positive_label": null)", kAucRule)); },
                           {"$.columns.positive_label", "a string, a number or a boolean"});
  const std::string regression = R"({"version": 1, "task": "regression",
      "columns": {"label": "y", "champion": "a", "challenger": "b", "positive_label": "x"},
      "rules": [{"id": "m", "metric": "mae", "subject": "delta", "max": 0}]})";
  check_error<PolicyError>([&] { parse_policy_text(regression); }, {"$.columns.positive_label", "binary task"});
}

TEST_CASE("labels as they come: the positive label is 1, the one other value 0") {
  const Policy p = parse_policy_text(policy_text(R"(, "positive_label": "benign")", kAucRule));
  const Table t = text_label_table(p, {"benign", "malignant", "benign", "malignant"}, {0.9, 0.2, 0.7, 0.4},
                                   {0.8, 0.1, 0.6, 0.5});
  CHECK(std::vector<double>(t.label.begin(), t.label.end()) == std::vector<double>{1, 0, 1, 0});

  const Policy numeric = parse_policy_text(policy_text(R"(, "positive_label": 2)", kAucRule));
  const Table n = text_label_table(numeric, {"1", "2.0", "1.0", "2"}, {0.1, 0.9, 0.2, 0.8}, {0.1, 0.9, 0.2, 0.8});
  CHECK(std::vector<double>(n.label.begin(), n.label.end()) == std::vector<double>{0, 1, 0, 1});
}

TEST_CASE("labels as they come: a third value, a missing label or no positive row is an error naming the row") {
  const Policy p = parse_policy_text(policy_text(R"(, "positive_label": "benign")", kAucRule));
  const std::vector<double> s{0.1, 0.2, 0.3, 0.4};
  check_error<DataError>([&] { text_label_table(p, {"benign", "malignant", "SECRET-4242", "benign"}, s, s); },
                         {"row 3", "column \"y\"", "a third label value", "\"benign\""});
  try {
    text_label_table(p, {"benign", "malignant", "SECRET-4242", "benign"}, s, s);
  } catch (const DataError& e) {
    CHECK(std::string(e.what()).find("SECRET") == std::string::npos);
  }
  check_error<DataError>([&] { text_label_table(p, {"benign", "", "malignant", "benign"}, s, s); },
                         {"row 2", "the label is missing"});
  check_error<DataError>([&] { text_label_table(p, {"Benign", "Benign", "Benign", "Benign"}, s, s); },
                         {"no row holds the positive label \"benign\""});
}

TEST_CASE("decision scores: rank and threshold metrics equal those of the same ranking as probabilities") {
  // The logistic function is strictly increasing, so AUC and AP of margins equal those of
  // their sigmoids, and margin >= t selects the same rows as sigmoid(margin) >= sigmoid(t).
  std::vector<double> y, margin_a, margin_b, prob_a, prob_b;
  for (int i = 0; i < 400; ++i) {
    const double u = std::sin(i * 12.9898) * 43758.5453, noise = u - std::floor(u) - 0.5;
    y.push_back(i % 3 == 0 ? 1.0 : 0.0);
    margin_a.push_back((y.back() - 0.4) * 3.0 + noise * 6.0);
    margin_b.push_back((y.back() - 0.4) * 3.5 + noise * 5.0);
  }
  const auto sigmoid = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
  for (std::size_t i = 0; i < y.size(); ++i) {
    prob_a.push_back(sigmoid(margin_a[i]));
    prob_b.push_back(sigmoid(margin_b[i]));
  }
  const std::string threshold = R"("threshold": )";
  Policy decision = parse_policy_text(policy_text(R"(, "scores": "decision")", kAucRule, threshold + "-0.3, "));
  Policy probability = parse_policy_text(policy_text("", kAucRule, threshold + "0.5, "));
  probability.threshold = sigmoid(-0.3);
  ColumnNames margins = role_columns("y", "a", "b");
  margins.scores = ScoreKind::decision;
  const Evaluation d = evaluate(owned_table(y, margin_a, margin_b, {}, {}, margins), decision);
  const Evaluation p = evaluate(owned_table(y, prob_a, prob_b, {}, {}, role_columns("y", "a", "b")),
                                probability);
  // A table built for other scores than the policy's is refused, not half-checked.
  check_error<UsageError>([&] { evaluate(owned_table(y, margin_a, margin_b, {}, {}, margins), probability); },
                          {"scores", "\"decision\"", "\"probability\""});
  // metrics[subject][k]: k is the catalogue index within the binary task.
  const auto k = [](const char* name) { return static_cast<std::size_t>(*metric_from_name(Task::binary, name)); };
  for (const char* name : {"roc_auc", "average_precision", "accuracy", "recall", "precision", "f1", "mcc"})
    for (std::size_t model = 0; model < 2; ++model)
      CHECK_MESSAGE(d.metrics[model][k(name)].point.value ==
                        doctest::Approx(p.metrics[model][k(name)].point.value).epsilon(1e-12),
                    name);
  for (const char* name : {"log_loss", "brier"}) {
    const Estimate& e = d.metrics[0][k(name)];
    CHECK_FALSE(e.point.defined);
    CHECK(std::string(e.point.reason).find("needs probabilities") != std::string::npos);
  }
}
