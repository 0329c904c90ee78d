#pragma once
// The stages of an evaluation after its replicates, shared by evaluate() (one process over a
// table) and the partitioned finish (partial states merged over every partition), so both
// reach their verdict through the same calls.

#include <string>
#include <string_view>

#include "evaluate/estimation.hpp"

namespace referee {

// The time a run starts, as the report's run.started_at gives it (UTC, to the second).
std::string utc_now();

// The overall, segment and fairness estimates, with each paired proportion's interval
// chosen from its discordant cells.
void estimate_figures(Evaluation& ev, const ReplicateRun& run, const GroupingSet& groups,
                      const ProportionCellTable& cells, std::string_view origin);

// The rules judged on the estimates (and on the budgets and drift already in `ev`), the
// next steps, and the gate's verdict.
void decide_gate(Evaluation& ev, const ReplicateRun& run, const GroupingSet& groups, std::string_view origin);

}  // namespace referee
