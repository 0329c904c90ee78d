#include "common/quoted.hpp"
#include "evaluate/validate_inputs.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common/did_you_mean.hpp"
#include "common/option_ranges.hpp"
#include "tasks/task_definition.hpp"
#include "data/grouping.hpp"
#include "decide/decision.hpp"
#include <referee/error.hpp>

namespace referee {

namespace {

// The multinomial scheme tabulates counts per unit; beyond this many it is the wrong tool.
constexpr std::size_t kMaxMultinomialUnits = 500'000;

[[noreturn]] void rule_error(const Rule& rule, const std::string& what) {
  throw PolicyError("rule " + quoted_excerpt(rule.id) + ": " + what);
}

void validate_bootstrap(const BootstrapSettings& b) {
  if (b.resamples == 0) throw PolicyError("$.bootstrap.resamples is 0; the gate needs at least one resample");
  if (!(b.confidence > 0.0 && b.confidence < 1.0))
    throw PolicyError("$.bootstrap.confidence is " + number_text(b.confidence) +
                      "; it must lie strictly between 0 and 1");
}

void validate_segment_scope(const Rule& rule, const Policy& policy) {
  const std::string& spec = rule.scope.segments;
  if (std::find(policy.segments.begin(), policy.segments.end(), spec) == policy.segments.end())
    rule_error(rule, "its scope names the segment spec " + quoted_excerpt(spec) + ", which is not in policy.segments (declared: " +
                         declared_list(policy.segments) + ")" + did_you_mean(spec, policy.segments));
  const std::size_t columns = split_segment_spec(spec).size();
  if (rule.scope.kind == ScopeKind::segment && rule.scope.value.size() != columns)
    rule_error(rule, "its scope gives " + std::to_string(rule.scope.value.size()) + " values for the segment spec " +
                         quoted_excerpt(spec) + ", which has " + std::to_string(columns) + " columns");
}

void validate_metric_rule(const Rule& rule, const Policy& policy) {
  if (rule.metric.info().task != policy.task)
    rule_error(rule, "the metric " + quoted_excerpt(rule.metric.name) + " does not belong to the task \"" +
                         std::string(task_name(policy.task)) + "\"");
  if (rule.metric_index >= policy.metrics.size() || !(policy.metrics[rule.metric_index] == rule.metric))
    rule_error(rule, "the metric " + quoted_excerpt(rule.metric.name) + " is not policy.metrics[" +
                         std::to_string(rule.metric_index) + "]; build policies with parse_policy()");
  if (rule.metric.info().needs_probabilities && policy.columns.scores == ScoreKind::decision)
    rule_error(rule, "the metric " + quoted_excerpt(rule.metric.name) +
                         " needs probabilities, but policy.columns.scores is \"decision\"");
  if (rule.scope.kind != ScopeKind::overall) validate_segment_scope(rule, policy);
}

void validate_rule(const Rule& rule, const Policy& policy) {
  if (rule.budget) return;  // judged against the budgets measured; see judge_budget
  if (rule.drift) {
    if (!policy.drift.enabled || !policy.drift.find(rule.feature)) {
      std::vector<std::string> features;
      for (const DriftFeature& f : policy.drift.features) features.push_back(f.name);
      rule_error(rule, "the drift feature " + quoted_excerpt(rule.feature) + " is not in policy.drift.features (declared: " +
                           declared_list(features) + ")" + did_you_mean(rule.feature, features));
    }
    return;
  }
  if (rule.disparity) {
    const auto& sensitive = policy.sensitive;
    if (std::find(sensitive.begin(), sensitive.end(), rule.sensitive) == sensitive.end())
      rule_error(rule, "the sensitive attribute " + quoted_excerpt(rule.sensitive) + " is not in policy.sensitive (declared: " +
                           declared_list(sensitive) + ")" + did_you_mean(rule.sensitive, sensitive));
    return;
  }
  validate_metric_rule(rule, policy);
}

// The table was checked for its own column words (validate_table reads table.columns): a
// hand-built table must have been built for the policy's scores, or the ranges it was
// checked against are not the ones its metrics assume.
void validate_table_matches_policy(const Table& table, const Policy& policy) {
  if (table.columns.scores != policy.columns.scores)
    throw UsageError("the table was built for scores \"" + std::string(name_of(table.columns.scores)) +
                     "\", the policy reads \"" + std::string(name_of(policy.columns.scores)) +
                     "\" ($.columns.scores); build the table with the policy's columns");
}

void validate_options(const Table& table, const Policy& policy, const EvaluateOptions& options) {
  // 0 is the default (all hardware threads); anything else a caller chose is checked here,
  // so that a door that forgot its check still cannot start 4 billion threads.
  if (options.threads != 0 && !threads_in_range(options.threads))
    throw UsageError("threads " + std::string(kThreadsRange));
  if (options.latency_samples && !table.columns.latency.empty())
    throw UsageError("latency is given twice: by $.columns.latency and by separate samples (" +
                     options.latency_samples->origin + "); give one");
  if (options.latency_samples) validate_latency_samples(*options.latency_samples);
  if (policy.drift.enabled && !options.drift_reference)
    throw UsageError("the policy enables drift, but no drift reference was given: read it with "
                     "read_drift_reference() and pass it as EvaluateOptions::drift_reference");
  const std::size_t units = table.clustered() ? table.unit_count : table.rows;
  if (policy.bootstrap.scheme == ResamplingScheme::multinomial && units > kMaxMultinomialUnits)
    throw DataError(table.source.origin + ": the multinomial scheme tabulates counts per unit and is "
                    "meant for small samples; use \"scheme\": \"poisson\" for " +
                    std::to_string(units) + " units");
}

}  // namespace

void validate_policy(const Policy& policy) {
  validate_bootstrap(policy.bootstrap);
  const ScoreKind scale = threshold_scale(policy.columns.scores, task_definition(policy.task).pass_mark);
  if (!threshold_in_range(policy.threshold, scale))
    throw PolicyError("$.threshold " + std::string(threshold_range(scale)));
  for (const Rule& rule : policy.rules) validate_rule(rule, policy);
}

void validate_inputs(const Table& table, const Policy& policy, const EvaluateOptions& options) {
  validate_policy(policy);
  validate_table_matches_policy(table, policy);
  validate_table(table, policy.task);  // lengths, codes, UTF-8 and values, for a hand-built table too
  validate_options(table, policy, options);
}

}  // namespace referee
