#pragma once
// The gate: a table and a policy in, an Evaluation out. This is the one entry point the
// CLI, the C API and the Python package all call. It validates what it is given (a
// hand-built Policy or Table is checked as a parsed one is) and reads no file: what lies
// outside the table (load-test latency, the drift reference) the caller reads and passes in.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>

#include <referee/evaluation.hpp>
#include <referee/limits.hpp>
#include <referee/policy.hpp>
#include <referee/table.hpp>

namespace referee {

struct EvaluateOptions {
  std::optional<std::uint64_t> seed;  // overrides the policy's seed
  unsigned threads = 0;               // 0: all hardware threads; the result never depends on it
  std::function<void(double)> progress;
  const std::atomic<bool>* cancel = nullptr;
  // Latency measured apart from the table (a load test), instead of $.columns.latency.
  const LatencySamples* latency_samples = nullptr;
  // The drift reference sample, read by read_drift_reference(); required when the policy
  // enables drift. It must outlive the call.
  const DriftReference* drift_reference = nullptr;
  // The caps on segment values and report size (limits.hpp); defaults suit every example.
  Limits limits;
};

Evaluation evaluate(const Table& table, const Policy& policy, const EvaluateOptions& options = {});

}  // namespace referee
