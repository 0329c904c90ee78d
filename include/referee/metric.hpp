#pragma once
// The catalogue of model-quality metrics: names as they appear in policies and reports,
// which task each belongs to, and which direction is better (for summaries; rules state
// their bounds explicitly and never rely on it).

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace referee {

enum class Task { binary, regression };

enum class Metric : std::size_t {
  // binary, threshold-based (score >= threshold is the positive class)
  accuracy,
  balanced_accuracy,
  precision,
  recall,
  specificity,
  f1,
  mcc,
  fpr,
  fnr,
  // binary, ranking and probabilistic
  roc_auc,
  average_precision,
  log_loss,
  brier,
  // regression
  mae,
  mse,
  rmse,
  r2,
  mape,
};

inline constexpr std::size_t kMetricCount = 18;

struct MetricInfo {
  Metric id;
  std::string_view name;
  Task task;
  bool higher_is_better;
};

inline constexpr std::array<MetricInfo, kMetricCount> kMetricCatalogue{{
    {Metric::accuracy, "accuracy", Task::binary, true},
    {Metric::balanced_accuracy, "balanced_accuracy", Task::binary, true},
    {Metric::precision, "precision", Task::binary, true},
    {Metric::recall, "recall", Task::binary, true},
    {Metric::specificity, "specificity", Task::binary, true},
    {Metric::f1, "f1", Task::binary, true},
    {Metric::mcc, "mcc", Task::binary, true},
    {Metric::fpr, "fpr", Task::binary, false},
    {Metric::fnr, "fnr", Task::binary, false},
    {Metric::roc_auc, "roc_auc", Task::binary, true},
    {Metric::average_precision, "average_precision", Task::binary, true},
    {Metric::log_loss, "log_loss", Task::binary, false},
    {Metric::brier, "brier", Task::binary, false},
    {Metric::mae, "mae", Task::regression, false},
    {Metric::mse, "mse", Task::regression, false},
    {Metric::rmse, "rmse", Task::regression, false},
    {Metric::r2, "r2", Task::regression, true},
    {Metric::mape, "mape", Task::regression, false},
}};

inline constexpr std::size_t kBinaryMetricCount = 13;
inline constexpr std::size_t kRegressionMetricCount = 5;

inline constexpr const MetricInfo& metric_info(Metric m) {
  return kMetricCatalogue[static_cast<std::size_t>(m)];
}
inline constexpr std::string_view metric_name(Metric m) { return metric_info(m).name; }

// The metrics of a task, in catalogue order (the order of the report).
inline constexpr std::span<const MetricInfo> task_metrics(Task task) {
  return task == Task::binary
             ? std::span<const MetricInfo>(kMetricCatalogue.data(), kBinaryMetricCount)
             : std::span<const MetricInfo>(kMetricCatalogue.data() + kBinaryMetricCount,
                                           kRegressionMetricCount);
}

inline std::optional<Metric> metric_from_name(std::string_view name) {
  for (const auto& info : kMetricCatalogue)
    if (info.name == name) return info.id;
  return std::nullopt;
}

inline constexpr std::string_view task_name(Task t) {
  return t == Task::binary ? "binary" : "regression";
}

// A metric's value on one sample. Undefined values carry the reason instead of a NaN.
struct MetricValue {
  double value = 0.0;
  bool defined = false;
  std::string_view reason;  // static text, set when !defined

  static MetricValue of(double v) { return {v, true, {}}; }
  static MetricValue undefined(std::string_view why) { return {0.0, false, why}; }
};

}  // namespace referee
