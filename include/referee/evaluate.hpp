#pragma once
// The gate: a table and a policy in, an Evaluation out. This is the one entry point the
// CLI, the C API and the Python package all call, so they cannot disagree.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <referee/decision.hpp>
#include <referee/estimate.hpp>
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
};

struct RuleResult {
  Rule rule;
  Verdict verdict = Verdict::inconclusive;
  std::string reason;
  Estimate subject;                // the figure the rule judged
  Estimate champion, challenger;  // the metric for each model, for context
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
  std::vector<RuleResult> rules;
  Verdict verdict = Verdict::inconclusive;
  bool passed = false;
  RunInfo run;
};

Evaluation evaluate(const Table& table, const Policy& policy, const EvaluateOptions& options = {});

}  // namespace referee
