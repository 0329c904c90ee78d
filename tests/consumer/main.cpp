// Evaluates a tiny in-memory table through the installed package, with nothing but the
// one public include, and prints the summary the CLI would print.
#include <iostream>

#include <referee/referee.hpp>

int main() {
  referee::ColumnNames columns;
  columns.label = "y";
  columns.champion = "a";
  columns.challenger = "b";
  referee::Table table = referee::owned_table(
      {0, 0, 1, 1, 0, 1, 0, 1, 1, 0}, {0.2, 0.4, 0.6, 0.7, 0.5, 0.4, 0.1, 0.8, 0.9, 0.3},
      {0.1, 0.3, 0.7, 0.8, 0.4, 0.6, 0.1, 0.9, 0.9, 0.2}, {}, {}, columns);
  referee::validate_table(table, referee::Task::binary);
  const referee::Policy policy = referee::parse_policy_text(R"({"version": 1, "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b"},
    "bootstrap": {"resamples": 200, "seed": 1},
    "rules": [{"id": "auc", "metric": "roc_auc", "subject": "challenger", "min": 0.5, "decide_on": "point"}]})");
  referee::EvaluateOptions options;
  options.threads = 1;
  const referee::Evaluation ev = referee::evaluate(table, policy, options);
  const std::string summary = referee::summary_text(ev);
  std::cout << "referee " << REFEREE_VERSION_STRING << " (C++):\n" << summary;
  if (summary.find("auc") == std::string::npos) {
    std::cerr << "the summary does not name the rule\n";
    return 1;
  }
  return ev.verdict == referee::Verdict::pass ? 0 : 1;
}
