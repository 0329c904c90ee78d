#include <referee/evaluate.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>
#include <vector>

#include "budget/budget.hpp"
#include "data/ranking_queries.hpp"
#include "data/row_units.hpp"
#include "decide/decision.hpp"
#include "decide/rule_judgments.hpp"
#include "decide/next_step.hpp"
#include "drift/feature_drift.hpp"
#include "evaluate/confusion_matrix.hpp"
#include "evaluate/estimation.hpp"
#include "evaluate/stages.hpp"
#include "evaluate/validate_inputs.hpp"

namespace referee {

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

namespace {



// What the report says about the run before anything is estimated: the data (and any
// separate latency samples), the bootstrap as used (seed override applied), the
// resampling units and threads.
Evaluation describe_run(const Table& table, const Policy& policy, const EvaluateOptions& options) {
  Evaluation ev;
  ev.run.started_at = utc_now();
  ev.policy = policy;
  ev.bootstrap = policy.bootstrap;
  if (options.seed) ev.bootstrap.seed = *options.seed;
  ev.rows = table.rows;
  ev.clustered = table.clustered();
  ev.units = table.clustered() ? table.unit_count : table.rows;
  ev.queries = table.query_text.size();
  ev.empty_queries = empty_queries(table);
  ev.source = table.source;
  ev.source.sha256 = data_digest(table);
  ev.source.hashed = data_digest_kind(table);
  if (options.latency_samples) {
    ev.latency_origin = options.latency_samples->origin;
    ev.latency_sha256 = options.latency_samples->sha256;
  }
  ev.jackknife_groups =
      ev.bootstrap.interval == IntervalMethod::bca ? std::min(ev.units, kMaxJackknifeGroups) : 0;
  ev.run.threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  return ev;
}

// The serving figures, resampled with the gate's seed and scheme.
BudgetResults estimate_serving_budgets(const Table& table, const Policy& policy, const EvaluateOptions& options,
                                       const Evaluation& ev) {
  BudgetInputs inputs;
  inputs.latency = table.latency;
  inputs.cost = table.cost;
  inputs.error = table.error;
  inputs.units = row_units(table);
  inputs.clustered = ev.clustered;
  inputs.rows = table.rows;
  inputs.latency_samples = options.latency_samples;
  inputs.price = policy.pricing;
  return estimate_budgets(inputs, {ev.bootstrap.resamples, ev.bootstrap.confidence, ev.bootstrap.scheme,
                                   ev.bootstrap.seed, ev.run.threads, options.cancel,
                                   ev.bootstrap.paired_proportions});
}

Verdict gate_verdict(const Policy& policy, const std::vector<RuleResult>& rules) {
  std::vector<RuleOutcome> outcomes;
  outcomes.reserve(rules.size());
  for (const RuleResult& r : rules) outcomes.push_back({r.rule.severity, r.verdict});
  return overall_verdict(outcomes, policy.on_inconclusive);
}

}  // namespace

void estimate_figures(Evaluation& ev, const ReplicateRun& run, const GroupingSet& groups,
                      const ProportionCellTable& cells, std::string_view origin) {
  ev.metrics = estimate_overall(run, ev.bootstrap);
  ev.segments = estimate_segments(run, groups, ev.policy, ev.bootstrap);
  choose_intervals(ev, cells);
  ev.fairness = estimate_fairness(run, groups, ev.policy, ev.bootstrap, origin);
}

void decide_gate(Evaluation& ev, const ReplicateRun& run, const GroupingSet& groups, std::string_view origin) {
  ev.rules = judge_rules({ev.policy, ev, run, groups, origin});
  plan_next_steps(ev.rules, ev.bootstrap.confidence);
  ev.verdict = gate_verdict(ev.policy, ev.rules);
  ev.passed = verdict_passes(ev.verdict);
}

Evaluation evaluate(const Table& table, const Policy& policy, const EvaluateOptions& options) {
  const auto clock_start = std::chrono::steady_clock::now();
  validate_inputs(table, policy, options);
  Evaluation ev = describe_run(table, policy, options);

  const GroupingSet groups = build_groupings(table, policy, options.limits);
  const ReplicateRun run = run_replicates(table, policy, groups, ev, options);
  estimate_figures(ev, run, groups, proportion_cells(table, groups, policy), table.source.origin);
  ev.budgets = estimate_serving_budgets(table, policy, options, ev);
  if (policy.drift.enabled) ev.drift = check_drift(table, policy.drift, *options.drift_reference, options.limits);
  if (table.columns.multiclass()) ev.confusion = confusion_matrix(table);

  decide_gate(ev, run, groups, table.source.origin);
  ev.run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
  return ev;
}

}  // namespace referee
