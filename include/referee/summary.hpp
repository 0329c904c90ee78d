#pragma once
// The human-readable summary the CLI prints: one line per rule, then the verdict.

#include <string>

#include <referee/evaluate.hpp>

namespace referee {

std::string summary_text(const Evaluation& evaluation);

}  // namespace referee
