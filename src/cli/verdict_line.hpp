#pragma once
// The one line `referee run --quiet` prints: the verdict, the exit code it maps to and the
// rules behind it, e.g.
//   VERDICT: FAIL (exit 1): 1 blocking rule fails: auc-non-inferior
// so that a CI log shows why a step failed without the whole summary.

#include <string>

#include <referee/evaluation.hpp>

namespace referee::cli {

std::string verdict_line(const Evaluation& evaluation);

}  // namespace referee::cli
