#pragma once
// Partitioned evaluation (docs/partitioned.md): an evaluation split into partial states, one
// per partition of the rows, merged exactly and finished into the Evaluation a single
// process gives on every row, bit for bit outside `run`. Spark, a C++ service over hourly
// shards, or any other driver runs the same protocol:
//
//   0. facts:  facts_state(part) on any partitioning, merge_facts(), make_plan() from the
//              merged facts; broadcast the plan (bytes).
//   1. passes: for each pass of passes(plan), put every row in the partition of its
//              buckets(plan, pass) value (equal buckets in one partition); a ranked pass
//              runs twice: totals_state() per partition (round 1), aboves() on the driver,
//              then pass_state(..., above) per partition (round 2; where mergeable_totals(),
//              round 1 may be taken over pieces of each partition and joined by
//              merge_totals()); an unranked pass runs
//              pass_state() once. merge() each pass's shares (merge_facts() the facts).
//   2. finish(plan, merged states) on the driver.
//
// Every state is bytes in a versioned little-endian format naming its plan, so states of
// another plan, pass or version are refused. A state holds sums, never rows: its size is
// bounded by resamples x quantities x groups (and, for the rows pass, one digest per
// non-empty key bucket). Merges are exact, so any order or grouping of merges gives the
// same bytes, and a retried partition gives the same state.
//
// Threading: every function is reentrant; states and plans are plain bytes.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <referee/evaluate.hpp>
#include <referee/evaluation.hpp>
#include <referee/limits.hpp>
#include <referee/policy.hpp>
#include <referee/table.hpp>

namespace referee::partitioned {

// Refuses, with a PolicyError naming it, what the partitioned path does not compute yet (a
// task, drift, latency as separate samples, the multinomial scheme) or cannot key on (neither
// $.columns.id nor $.columns.cluster).
void check_partitionable(const Policy& policy);

// Round 0: what these rows tell about the whole evaluation (row count, the largest weight,
// the units while there are few, every segment's values). Refuses, with a PolicyError
// naming it, a feature the partitioned path does not compute yet.
std::string facts_state(const Table& part, const Policy& policy, const Limits& limits = {});

// Merges facts states (of one policy): exact and commutative.
std::string merge_facts(std::span<const std::string> facts, const Limits& limits = {});

// The plan: the policy, the seed (an override, as EvaluateOptions::seed), the merged facts.
std::string make_plan(const Policy& policy, std::string_view facts, std::optional<std::uint64_t> seed = {},
                      const Limits& limits = {});

// The policy a plan carries, read under `limits` (its size and nesting caps).
Policy plan_policy(std::string_view plan, const Limits& limits = {});

// The passes of a plan ("champion", "challenger", "rows" for the binary task; the multiclass
// task with roc_auc adds "champion/class 0" ... "challenger/class K-1" before "rows",
// classes by index in class order), and whether
// a pass is ranked (its partitions must hold whole buckets of contiguous ranges, and it
// runs in two rounds).
std::vector<std::string> passes(std::string_view plan);
bool ranked(std::string_view plan, std::string_view pass);

// Each row's canonical bucket in a pass: partition by it (a range partitioning for a ranked
// pass) so no bucket is split.
std::vector<std::uint64_t> buckets(std::string_view plan, std::string_view pass, const Table& part);

// A partition's share of a pass. For a ranked pass, this is round 2, and `above` is what
// aboves() gave this partition (empty for the partition ranked first).
std::string pass_state(std::string_view plan, std::string_view pass, const Table& part, std::string_view above = {},
                       unsigned threads = 0, const Limits& limits = {});

// Round 1 of a ranked pass: only what the partitions ranked below this one offset by (per
// lane, the exact positive and negative weight of its rows), for aboves(). A fraction of
// pass_state()'s work: with whole weights (no weight column) it does not even rank the rows.
// An unranked pass has no round 1 (a UsageError).
std::string totals_state(std::string_view plan, std::string_view pass, const Table& part, unsigned threads = 0,
                         const Limits& limits = {});

// Whether round 1's totals of a ranked pass add exactly when each partition's rows are taken
// in pieces (merge_totals()): with whole weights (no weight column) every total is an integer
// sum, in any order. A driver may then take round 1 alongside the bucket stage, chunk by
// chunk, instead of over the cut partitions. False for a pass whose round 1 folds by rank
// (a weight column), the outcome task's passes and the serving budgets' passes.
bool mergeable_totals(std::string_view plan, std::string_view pass);

// Round 1's totals of one partition, taken over pieces of its rows, as one totals_state():
// exact and commutative. Refuses a pass where mergeable_totals() is false (a UsageError).
std::string merge_totals(std::string_view plan, std::string_view pass, std::span<const std::string> totals);

// Merges the shares of one pass (round 2's, for a ranked pass): exact and commutative. A
// round-1 totals state is refused (a DataError naming it).
std::string merge(std::string_view plan, std::string_view pass, std::span<const std::string> states);

// Round 1 of a ranked pass: each partition's `above` for round 2 from the totals_state()s of
// every partition, aligned with `round1` (empty for a partition with nothing above it).
// Refuses partitions that share a bucket, and a pass_state() share (a DataError naming it).
std::vector<std::string> aboves(std::string_view plan, std::string_view pass, std::span<const std::string> round1);

// The first bucket a state (a share or round 1's totals) holds (partitions order by it), or
// none for an empty partition.
std::optional<std::uint64_t> first_bucket(std::string_view state);

// The Evaluation from each pass's merged state, in the order of passes(plan) (a state of
// another pass is refused). `origin` names the data in the report ("memory" for frames, as
// evaluate() says for them).
Evaluation finish(std::string_view plan, std::span<const std::string> merged_in_passes_order,
                  std::string_view origin = "memory", const Limits& limits = {});

// The same for a plan of three passes (champion, challenger, rows: every task but multiclass
// with roc_auc, whose one-vs-rest passes come between), keyed by pass name.
struct MergedPasses {
  std::string champion, challenger, rows;
};
Evaluation finish(std::string_view plan, const MergedPasses& merged, std::string_view origin = "memory",
                  const Limits& limits = {});

}  // namespace referee::partitioned
