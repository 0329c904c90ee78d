#pragma once
// The gate: a table and a policy in, an Evaluation out. This is the one entry point the
// CLI, the C API and the Python package all call, so they cannot disagree.

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <referee/budget.hpp>
#include <referee/decision.hpp>
#include <referee/estimate.hpp>
#include <referee/feature_drift.hpp>
#include <referee/grouping.hpp>
#include <referee/policy.hpp>
#include <referee/table.hpp>

namespace referee {

// Jackknife groups for the BCa acceleration: leave-one-unit-out up to this many units
// (exactly scipy.stats.bootstrap's jackknife), equal-size delete-a-group beyond it.
inline constexpr std::size_t kMaxJackknifeGroups = 256;

struct EvaluateOptions {
  std::optional<std::uint64_t> seed;  // overrides the policy's seed
  unsigned threads = 0;               // 0: all hardware threads
  std::function<void(double)> progress;
  const std::atomic<bool>* cancel = nullptr;
  // Latency measured apart from the table (a load test), instead of $.columns.latency.
  const LatencySamples* latency_samples = nullptr;
  // Overrides the policy's $.drift.reference.
  std::optional<std::filesystem::path> drift_reference;
};

// One segment's (or one Clarify group's) part in a rule that judges several.
struct PartVerdict {
  std::vector<std::string> value;  // the segment's values, one per column; or {group}
  std::size_t rows = 0;
  Verdict verdict = Verdict::inconclusive;
  bool insufficient = false;
  std::string reason;
  Estimate subject;
  Estimate champion, challenger;
  // With a multiple-testing correction: the level the decision was made at, and the
  // bootstrap p-values of "the bound is broken" and "the bound is met" (see docs/policy.md).
  std::optional<double> decision_confidence;
  std::optional<double> p_fail, p_pass, p_fail_adjusted, p_pass_adjusted;
};

struct RuleResult {
  Rule rule;
  Verdict verdict = Verdict::inconclusive;
  bool skipped = false;  // on_insufficient "skip": the rule had nothing to judge
  std::string reason;
  Estimate subject;                // the figure the rule judged
  Estimate champion, challenger;  // the metric for each model, for context
  std::size_t n = 0;               // rows behind the figure
  std::vector<std::string> segment;  // scope segment / worst_segment: the segment judged
  std::vector<PartVerdict> parts;    // each_segment / worst_segment / Clarify groups
};

// [subject][k]: champion, challenger, delta, relative_delta of quantity k.
using SubjectEstimates = std::array<std::vector<Estimate>, 4>;

struct SegmentResult {
  std::vector<std::string> value;  // one per column of the segment spec
  std::size_t rows = 0, positives = 0;
  bool sufficient = true;
  std::string insufficient_reason;
  SubjectEstimates metrics;  // k indexing task_metrics(task)
};

struct SegmentTable {
  std::string name;  // the spec, e.g. "region*channel"
  std::vector<std::string> columns;
  std::vector<SegmentResult> segments;
};

struct FairnessGroup {
  std::string value;
  std::size_t rows = 0, positives = 0;
  std::array<std::vector<Estimate>, 2> rates;  // [model][GroupRate]
};

struct ClarifyResult {
  std::string group;            // facet d
  SubjectEstimates metrics;     // k indexing the nine Clarify metrics, DPPL first
};

struct FairnessTable {
  std::string attribute;
  DisparityMethod method = DisparityMethod::between_groups;
  std::vector<FairnessGroup> groups;
  SubjectEstimates disparities;  // k indexing the 12 fairlearn-style disparities
  std::string reference;         // facet a for the Clarify metrics ("" = none)
  std::vector<ClarifyResult> clarify;
};

struct RunInfo {
  std::string started_at;  // UTC, ISO 8601
  double seconds = 0.0;
  unsigned threads = 1;
};

struct Evaluation {
  Policy policy;
  BootstrapSettings bootstrap;  // as used (seed override applied)
  std::size_t jackknife_groups = 0;
  std::size_t rows = 0;
  std::size_t units = 0;
  bool clustered = false;
  DataSource source;
  // [subject][k], k indexing task_metrics(policy.task).
  std::array<std::vector<Estimate>, 4> metrics;
  std::vector<SegmentTable> segments;
  std::vector<FairnessTable> fairness;
  BudgetResults budgets;
  std::string latency_origin, latency_sha256;  // separate latency samples, if any
  DriftResults drift;
  std::vector<RuleResult> rules;
  Verdict verdict = Verdict::inconclusive;
  bool passed = false;
  RunInfo run;
};

Evaluation evaluate(const Table& table, const Policy& policy, const EvaluateOptions& options = {});

}  // namespace referee
