#pragma once
// What evaluate() checks before any work: a Policy or Table built by hand (not parsed or
// read) is held to what the parser and the readers guarantee, so a wrong index or a short
// column is an error naming the rule or column, never a read out of bounds.

#include <referee/evaluate.hpp>

namespace referee {

// Throws PolicyError for a policy whose parts do not fit together (bootstrap settings, a
// rule's metric, segment spec, sensitive attribute or drift feature), DataError for a
// table whose columns do not match its row count or values, UsageError for options that
// do not fit the policy (latency given twice, drift enabled without a reference).
void validate_inputs(const Table& table, const Policy& policy, const EvaluateOptions& options);

void validate_policy(const Policy& policy);

}  // namespace referee
