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


// Reads `path` (a CSV with the settings' feature columns, and the score columns when
// predictions are compared) into a reference sample; `path` is used as given.
DriftReference read_drift_reference(const DriftSettings& settings, const std::filesystem::path& path,
                                    const Limits& limits);

// Compares each feature of the reference sample with the evaluation table's; reads no file.
// A feature is numeric when declared so, or (automatic) when every non-empty cell of
// both samples is a number; empty cells are missing values and are left out, counted.
// A categorical feature with more than limits.max_segment_values distinct values is a
// DataError naming the cap.
DriftResults check_drift(const Table& current, const DriftSettings& settings, const DriftReference& reference,
                         const Limits& limits);

}  // namespace referee
