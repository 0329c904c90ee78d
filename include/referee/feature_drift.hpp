#pragma once
// The drift check: the policy's features, read from a reference sample and from the
// evaluation table, typed, and compared with the statistics of drift.hpp.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <referee/drift.hpp>
#include <referee/drift_settings.hpp>
#include <referee/table.hpp>

namespace referee {

struct FeatureDrift {
  std::string name;
  bool prediction = false;  // a model's score column
  bool numeric = true;
  std::size_t reference_missing = 0, current_missing = 0;  // empty cells, left out
  NumericDrift numeric_result;          // when numeric
  CategoricalDrift categorical_result;  // when categorical

  std::size_t reference_n() const { return numeric ? numeric_result.reference_n : categorical_result.reference_n; }
  std::size_t current_n() const { return numeric ? numeric_result.current_n : categorical_result.current_n; }
  // Undefined, with the reason, when the statistic does not apply to the feature's type.
  MetricValue statistic(DriftStatistic s) const;
};

struct DriftResults {
  bool enabled = false;
  std::string reference_origin, reference_sha256;
  std::size_t reference_rows = 0;
  std::size_t bins = 0;
  std::vector<FeatureDrift> features;  // policy order
  const FeatureDrift* find(std::string_view name) const;
};

// Reads `reference` (a CSV with the policy's feature columns, and the score columns when
// predictions are compared) and compares each feature with the evaluation table's.
// A feature is numeric when declared so, or (automatic) when every non-empty cell of
// both samples is a number; empty cells are missing values and are left out, counted.
DriftResults check_drift(const Table& current, const DriftSettings& settings,
                         const std::filesystem::path& reference);

}  // namespace referee
