#pragma once
// Serving budgets in a partitioned evaluation (docs/partitioned.md, "Budgets"): the passes
// the plan adds after the rows pass, their shares, aboves and merges, and the finish that
// turns the merged shares into the BudgetResults evaluate() computes on every row.
//
// One ranked pass per model with latency columns ("budget/champion latency",
// "budget/challenger latency"), bucketed by that model's latency in ascending order: its
// round 2 reports the order statistics its rows hold. The means (latency mean, cost, error
// rate) fold in the first latency pass, as the single process folds them in that model's
// latency order; with no latency columns, in one order-free pass ("budget") by key bucket.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <referee/evaluation.hpp>
#include <referee/policy.hpp>
#include <referee/table.hpp>

#include "evaluate/partition_plan.hpp"

namespace referee::partitioned {

// The budget passes' names, in the finish's order (none when the policy names no column).
std::vector<std::string> budget_pass_names(const Policy& policy);
// Budget pass b (an index into budget_pass_names) ranks by a latency: it runs in two rounds.
bool budget_pass_ranked(const Policy& policy, std::size_t b);
std::vector<std::uint64_t> budget_buckets(const Plan& plan, std::size_t b, const Table& part);
// A share (round 2, or an order-free pass) or, with no above for a ranked pass, round 1.
std::string budget_pass_state(const Plan& plan, std::size_t b, const Table& part, std::string_view above,
                              unsigned threads);
std::vector<std::string> budget_aboves(const Plan& plan, std::size_t b, std::span<const std::string> round1);
std::string budget_merge(const Plan& plan, std::size_t b, std::span<const std::string> states);
// The budgets from every budget pass's merged state (in budget_pass_names order); empty
// when the policy measures none.
BudgetResults budget_finish(const Plan& plan, std::span<const std::string> merged);

}  // namespace referee::partitioned
