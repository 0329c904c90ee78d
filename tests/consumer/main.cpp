// Evaluates a tiny in-memory table through the installed package and prints the verdict.
#include <iostream>

#include <referee/evaluate.hpp>
#include <referee/version.h>

int main() {
  referee::Table table = referee::owned_table(
      {0, 0, 1, 1, 0, 1, 0, 1, 1, 0}, {0.2, 0.4, 0.6, 0.7, 0.5, 0.4, 0.1, 0.8, 0.9, 0.3},
      {0.1, 0.3, 0.7, 0.8, 0.4, 0.6, 0.1, 0.9, 0.9, 0.2}, {}, {}, {"y", "a", "b", "", ""});
  referee::validate_table(table, referee::Task::binary);
  const referee::Policy policy = referee::parse_policy_text(R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b"},
    "bootstrap": {"resamples": 200, "seed": 1},
    "rules": [{"id": "auc", "metric": "roc_auc", "subject": "challenger", "min": 0.5, "decide_on": "point"}]})");
  const referee::Evaluation ev = referee::evaluate(table, policy, {.threads = 1});
  std::cout << "referee " << REFEREE_VERSION_STRING << " consumer: "
            << referee::verdict_name(ev.verdict) << "\n";
  return ev.verdict == referee::Verdict::pass ? 0 : 1;
}
