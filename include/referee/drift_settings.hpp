#pragma once
// The policy's drift block: a reference sample (the data the model was validated on),
// the features to compare with the evaluation data, and the statistics rules may judge.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <referee/enum_names.hpp>

namespace referee {

enum class DriftStatistic : std::size_t {
  psi,
  ks_statistic,
  ks_pvalue,
  wasserstein,
  js_distance,
  chi2_statistic,
  chi2_pvalue,
};
inline constexpr std::size_t kDriftStatisticCount = 7;
inline constexpr std::array<std::string_view, kDriftStatisticCount> kDriftStatisticNames{
    "psi", "ks_statistic", "ks_pvalue", "wasserstein", "js_distance", "chi2_statistic", "chi2_pvalue"};

inline constexpr std::string_view drift_statistic_name(DriftStatistic s) {
  return kDriftStatisticNames[static_cast<std::size_t>(s)];
}
inline std::optional<DriftStatistic> drift_statistic_from_name(std::string_view name) {
  return enum_from_name<DriftStatistic>(kDriftStatisticNames, name);
}
// Which feature type a statistic needs ("" = either).
inline constexpr std::string_view drift_statistic_needs(DriftStatistic s) {
  switch (s) {
    case DriftStatistic::ks_statistic:
    case DriftStatistic::ks_pvalue:
    case DriftStatistic::wasserstein:
      return "numeric";
    case DriftStatistic::chi2_statistic:
    case DriftStatistic::chi2_pvalue:
      return "categorical";
    default:
      return "";
  }
}

// Whether a statistic is defined for a feature of the given type.
inline constexpr bool drift_statistic_applies(DriftStatistic s, bool numeric) {
  const std::string_view needs = drift_statistic_needs(s);
  return needs.empty() || (needs == "numeric") == numeric;
}

// automatic: numeric when every non-missing value in both samples is a number.
enum class FeatureType { automatic, numeric, categorical };
std::string_view feature_type_name(FeatureType t);

struct DriftFeature {
  std::string name;
  FeatureType type = FeatureType::automatic;
  bool prediction = false;  // a model's score column (predictions: true)
};

struct DriftSettings {
  bool enabled = false;
  std::string reference;              // the reference CSV, as written in the policy
  std::vector<DriftFeature> features;  // features first, then the score columns
  bool predictions = false;
  std::size_t bins = 10;              // PSI bins for numeric features

  const DriftFeature* find(std::string_view name) const {
    for (const auto& f : features)
      if (f.name == name) return &f;
    return nullptr;
  }
};

}  // namespace referee
