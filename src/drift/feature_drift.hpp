#pragma once
// The drift check: the policy's features, read from a reference sample and from the
// evaluation table, typed, and compared with the statistics of drift.hpp.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "drift/drift.hpp"
#include <referee/evaluation.hpp>

namespace referee {


// Reads `reference` (a CSV with the policy's feature columns, and the score columns when
// predictions are compared) and compares each feature with the evaluation table's.
// A feature is numeric when declared so, or (automatic) when every non-empty cell of
// both samples is a number; empty cells are missing values and are left out, counted.
DriftResults check_drift(const Table& current, const DriftSettings& settings,
                         const std::filesystem::path& reference);

}  // namespace referee
