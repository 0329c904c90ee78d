#pragma once
// The words every stage of referee speaks: the enums of the policy and the report with
// their one name table each, the metric catalogue, and the value types a figure is made
// of (MetricValue, Interval, Estimate). The policy parser, the renderers, the C API and
// the Python package all read these tables; no other copy of a name exists.

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace referee {

// One name table per enum: EnumNames<E>::names[i] is the spelling of E(i) in policies,
// reports and bindings. Matching is exact and case-sensitive.
template <class Enum>
struct EnumNames;

template <class Enum>
constexpr std::string_view name_of(Enum value) {
  return EnumNames<Enum>::names[static_cast<std::size_t>(value)];
}

template <class Enum>
constexpr std::optional<Enum> enum_from_name(std::string_view name) {
  const auto& names = EnumNames<Enum>::names;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<Enum>(i);
  return std::nullopt;
}

#define REFEREE_ENUM_NAMES(Enum, ...)                                       \
  template <>                                                               \
  struct EnumNames<Enum> {                                                  \
    static constexpr auto names = std::to_array<std::string_view>({__VA_ARGS__}); \
  }

// --- tasks and metrics ------------------------------------------------------------------

// outcome: each model's own per-example result on an evaluation set, with no label (a
// pass/fail, a graded score, a judge's rating, a whole task's latency): how a team gates
// a new LLM prompt or model version on its eval set.
// multiclass: one label of K classes and, per model, K class probabilities.
// ranking: one row per (query, document), a graded relevance and each model's score; the
// query is the resampling unit (docs/ranking.md).
enum class Task { binary, regression, outcome, multiclass, ranking };
REFEREE_ENUM_NAMES(Task, "binary", "regression", "outcome", "multiclass", "ranking");

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
  // outcome: the weighted mean of the results, the share at or above the policy's pass
  // mark ($.threshold), and weighted quantiles (numpy's "inverted_cdf").
  mean,
  pass_rate,
  quantile_50,
  quantile_90,
  quantile_95,
  quantile_99,
  // multiclass, as scikit-learn defines each: the predicted class is the argmax of the K
  // probabilities. precision, recall and f1 take an average or a class, roc_auc (one-vs-
  // rest) an average, top_k_accuracy a k.
  mc_accuracy,
  mc_balanced_accuracy,
  top_k_accuracy,
  mc_log_loss,
  mc_brier,
  mc_precision,
  mc_recall,
  mc_f1,
  cohen_kappa,
  mc_mcc,
  mc_roc_auc,
  // ranking, per query then averaged over queries (docs/ranking.md): ndcg and dcg as
  // scikit-learn defines them, map, mrr, precision and recall as ranx does; each takes a
  // cut-off k (none: all of a query's documents).
  ndcg,
  dcg,
  map,
  mrr,
  rank_precision,
  rank_recall,
};
inline constexpr std::size_t kMetricCount = 41;

// What parameter a metric takes in a rule ("average", "class", "k"); see MetricInstance.
enum MetricParameter : unsigned { kNoParameter = 0, kTakesAverage = 1, kTakesClass = 2, kTakesK = 4 };

// The catalogue: a metric's name, its task, and which direction is better (for summaries;
// rules state their bounds explicitly and never rely on it). `needs_probabilities`: the
// metric reads the score as a probability (log loss, Brier), so decision scores
// ($.columns.scores "decision") leave it undefined. A name is unique within its task
// (multiclass reuses binary names): look names up with metric_from_name(task, name).
struct MetricInfo {
  Metric id;
  std::string_view name;
  Task task;
  bool higher_is_better;
  bool needs_probabilities = false;
  unsigned parameters = kNoParameter;
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
    {Metric::log_loss, "log_loss", Task::binary, false, true},
    {Metric::brier, "brier", Task::binary, false, true},
    {Metric::mae, "mae", Task::regression, false},
    {Metric::mse, "mse", Task::regression, false},
    {Metric::rmse, "rmse", Task::regression, false},
    {Metric::r2, "r2", Task::regression, true},
    {Metric::mape, "mape", Task::regression, false},
    {Metric::mean, "mean", Task::outcome, true},
    {Metric::pass_rate, "pass_rate", Task::outcome, true},
    {Metric::quantile_50, "quantile@0.5", Task::outcome, true},
    {Metric::quantile_90, "quantile@0.9", Task::outcome, true},
    {Metric::quantile_95, "quantile@0.95", Task::outcome, true},
    {Metric::quantile_99, "quantile@0.99", Task::outcome, true},
    {Metric::mc_accuracy, "accuracy", Task::multiclass, true},
    {Metric::mc_balanced_accuracy, "balanced_accuracy", Task::multiclass, true},
    {Metric::top_k_accuracy, "top_k_accuracy", Task::multiclass, true, false, kTakesK},
    {Metric::mc_log_loss, "log_loss", Task::multiclass, false},
    {Metric::mc_brier, "brier", Task::multiclass, false},
    {Metric::mc_precision, "precision", Task::multiclass, true, false, kTakesAverage | kTakesClass},
    {Metric::mc_recall, "recall", Task::multiclass, true, false, kTakesAverage | kTakesClass},
    {Metric::mc_f1, "f1", Task::multiclass, true, false, kTakesAverage | kTakesClass},
    {Metric::cohen_kappa, "cohen_kappa", Task::multiclass, true},
    {Metric::mc_mcc, "mcc", Task::multiclass, true},
    {Metric::mc_roc_auc, "roc_auc", Task::multiclass, true, false, kTakesAverage},
    {Metric::ndcg, "ndcg", Task::ranking, true, false, kTakesK},
    {Metric::dcg, "dcg", Task::ranking, true, false, kTakesK},
    {Metric::map, "map", Task::ranking, true, false, kTakesK},
    {Metric::mrr, "mrr", Task::ranking, true, false, kTakesK},
    {Metric::rank_precision, "precision", Task::ranking, true, false, kTakesK},
    {Metric::rank_recall, "recall", Task::ranking, true, false, kTakesK},
}};

template <>
struct EnumNames<Metric> {
  static constexpr auto names = [] {
    std::array<std::string_view, kMetricCount> out{};
    for (std::size_t i = 0; i < kMetricCount; ++i) out[i] = kMetricCatalogue[i].name;
    return out;
  }();
};

inline constexpr std::size_t kBinaryMetricCount = 13;
inline constexpr std::size_t kRegressionMetricCount = 5;
inline constexpr std::size_t kOutcomeMetricCount = 6;
// The outcome task's quantile levels, in catalogue order (quantile_50 ...).
inline constexpr std::array<double, 4> kOutcomeQuantiles{0.5, 0.9, 0.95, 0.99};

inline constexpr const MetricInfo& metric_info(Metric m) { return kMetricCatalogue[static_cast<std::size_t>(m)]; }
inline constexpr std::string_view metric_name(Metric m) { return name_of(m); }
inline constexpr std::string_view task_name(Task t) { return name_of(t); }

// The metrics of a task, in catalogue order (the order of the report): a task's metrics
// are one contiguous run of the catalogue.
inline constexpr std::span<const MetricInfo> task_metrics(Task task) {
  std::size_t first = 0;
  while (first < kMetricCount && kMetricCatalogue[first].task != task) ++first;
  std::size_t last = first;
  while (last < kMetricCount && kMetricCatalogue[last].task == task) ++last;
  return std::span<const MetricInfo>(kMetricCatalogue.data() + first, last - first);
}

// A task's metric by its base name ("f1", not "f1_macro").
inline constexpr std::optional<Metric> metric_from_name(Task task, std::string_view name) {
  for (const MetricInfo& info : task_metrics(task))
    if (info.name == name) return info.id;
  return std::nullopt;
}

// How a multiclass precision, recall, f1 or roc_auc averages its per-class figures, as
// scikit-learn's `average=` does.
enum class Average { macro, micro, weighted };
REFEREE_ENUM_NAMES(Average, "macro", "micro", "weighted");

// One figure an evaluation computes: a catalogue metric and its parameters. Its name is
// canonical and unique within the evaluation: the base name, then "_<average>", "@<k>" or
// "[<class>]" (f1_macro, roc_auc_weighted, top_k_accuracy@3, recall[fraud]). Binary,
// regression and outcome metrics take no parameter, so their names are the catalogue's.
struct MetricInstance {
  Metric id = Metric::roc_auc;
  std::optional<Average> average;
  std::optional<std::size_t> k;
  std::optional<std::string> class_name;
  std::string name;

  const MetricInfo& info() const { return metric_info(id); }
  bool operator==(const MetricInstance& other) const { return name == other.name && id == other.id; }
};

inline MetricInstance metric_instance(Metric id, std::optional<Average> average = std::nullopt,
                                      std::optional<std::size_t> k = std::nullopt,
                                      std::optional<std::string> class_name = std::nullopt) {
  MetricInstance m{id, average, k, std::move(class_name), std::string(metric_name(id))};
  if (m.average) m.name += "_" + std::string(name_of(*m.average));
  if (m.k) m.name += "@" + std::to_string(*m.k);
  if (m.class_name) m.name += "[" + *m.class_name + "]";
  return m;
}

// What a binary model's scores are: probabilities in [0, 1], or decision values (margins,
// logits, any real number: scikit-learn's decision_function). Rank and threshold metrics
// read both (the threshold is in score units); log loss and Brier need probabilities.
enum class ScoreKind { probability, decision };
REFEREE_ENUM_NAMES(ScoreKind, "probability", "decision");

// Ranking: what a query with no relevant document does ($.ranking.empty_queries,
// docs/ranking.md): left out of every mean and counted in the report, or counted as 0.
enum class EmptyQueries { skip, zero };
REFEREE_ENUM_NAMES(EmptyQueries, "skip", "zero");

// --- bootstrap -------------------------------------------------------------------------

// How resamples are drawn: independent Poisson(1) unit weights, or n units with replacement.
enum class ResamplingScheme { poisson, multinomial };
REFEREE_ENUM_NAMES(ResamplingScheme, "poisson", "multinomial");

enum class IntervalMethod { percentile, basic, bca };
REFEREE_ENUM_NAMES(IntervalMethod, "percentile", "basic", "bca");

// The interval of a paired difference of proportions (delta accuracy, recall, specificity,
// fpr, fnr): Tango's score interval when the bootstrap has few discordant rows (automatic),
// always (score), or never (bootstrap). docs/intervals.md.
enum class PairedProportionInterval { automatic, score, bootstrap };
REFEREE_ENUM_NAMES(PairedProportionInterval, "auto", "score", "bootstrap");

// --- rules -----------------------------------------------------------------------------

enum class Subject { champion, challenger, delta, relative_delta };
REFEREE_ENUM_NAMES(Subject, "champion", "challenger", "delta", "relative_delta");

enum class DecideOn { interval, point };
REFEREE_ENUM_NAMES(DecideOn, "interval", "point");

enum class Severity { block, warn };
REFEREE_ENUM_NAMES(Severity, "block", "warn");

enum class OnInconclusive { fail, warn, pass };
REFEREE_ENUM_NAMES(OnInconclusive, "fail", "warn", "pass");

enum class OnInsufficient { inconclusive, skip };
REFEREE_ENUM_NAMES(OnInsufficient, "inconclusive", "skip");

enum class ScopeKind { overall, segment, each_segment, worst_segment };
REFEREE_ENUM_NAMES(ScopeKind, "overall", "segment", "each_segment", "worst_segment");

enum class Correction { none, bonferroni, holm };
REFEREE_ENUM_NAMES(Correction, "none", "bonferroni", "holm");

// A rule's verdict, and the gate's. `skipped` is a rule's only: on_insufficient "skip"
// left it nothing to judge; it counts as passed and never becomes the gate's verdict.
enum class Verdict { pass, warn, fail, inconclusive, skipped };
REFEREE_ENUM_NAMES(Verdict, "PASS", "WARN", "FAIL", "INCONCLUSIVE", "SKIPPED");
inline constexpr std::string_view verdict_name(Verdict v) { return name_of(v); }
// Whether the verdict lets the challenger through (PASS or WARN; a rule's SKIPPED).
inline constexpr bool verdict_passes(Verdict v) {
  return v == Verdict::pass || v == Verdict::warn || v == Verdict::skipped;
}

// --- fairness --------------------------------------------------------------------------

enum class Disparity : std::size_t {
  demographic_parity_difference,
  demographic_parity_ratio,
  equalized_odds_difference,
  equalized_odds_ratio,
  equal_opportunity_difference,
  equal_opportunity_ratio,
  false_positive_rate_difference,
  false_positive_rate_ratio,
  false_negative_rate_difference,
  accuracy_difference,
  predictive_parity_difference,
  disparate_impact,
  // SageMaker Clarify post-training bias metrics: facet d (a group) against facet a (the
  // reference group).
  DPPL,
  DI,
  DCAcc,
  DCR,
  RD,
  DAR,
  DRR,
  AD,
  TE,
};
REFEREE_ENUM_NAMES(Disparity, "demographic_parity_difference", "demographic_parity_ratio",
                   "equalized_odds_difference", "equalized_odds_ratio", "equal_opportunity_difference",
                   "equal_opportunity_ratio", "false_positive_rate_difference", "false_positive_rate_ratio",
                   "false_negative_rate_difference", "accuracy_difference", "predictive_parity_difference",
                   "disparate_impact", "DPPL", "DI", "DCAcc", "DCR", "RD", "DAR", "DRR", "AD", "TE");
inline constexpr std::size_t kDisparityCount = EnumNames<Disparity>::names.size();
inline constexpr std::size_t kGroupDisparityCount = 12;  // the fairlearn-style ones
inline constexpr bool is_clarify(Disparity d) { return static_cast<std::size_t>(d) >= kGroupDisparityCount; }

enum class DisparityMethod { between_groups, to_overall };
REFEREE_ENUM_NAMES(DisparityMethod, "between_groups", "to_overall");

enum class GroupRate : std::size_t { selection_rate, tpr, fpr, fnr, precision, accuracy };
REFEREE_ENUM_NAMES(GroupRate, "selection_rate", "tpr", "fpr", "fnr", "precision", "accuracy");
inline constexpr std::size_t kGroupRateCount = EnumNames<GroupRate>::names.size();

// --- budgets ---------------------------------------------------------------------------

enum class BudgetMetric : std::size_t {
  latency_mean,
  latency_p50,
  latency_p90,
  latency_p95,
  latency_p99,
  latency_p999,
  cost_per_1k,
  error_rate,
};
REFEREE_ENUM_NAMES(BudgetMetric, "latency_mean", "latency_p50", "latency_p90", "latency_p95", "latency_p99",
                   "latency_p999", "cost_per_1k", "error_rate");
inline constexpr std::size_t kBudgetMetricCount = EnumNames<BudgetMetric>::names.size();
inline constexpr bool is_latency(BudgetMetric m) { return m <= BudgetMetric::latency_p999; }

// Where a model's budget figures come from.
enum class BudgetSource { none, columns, samples, pricing };
REFEREE_ENUM_NAMES(BudgetSource, "none", "columns", "samples", "pricing");

// --- drift -----------------------------------------------------------------------------

enum class DriftStatistic : std::size_t {
  psi,
  ks_statistic,
  ks_pvalue,
  wasserstein,
  js_distance,
  chi2_statistic,
  chi2_pvalue,
};
REFEREE_ENUM_NAMES(DriftStatistic, "psi", "ks_statistic", "ks_pvalue", "wasserstein", "js_distance",
                   "chi2_statistic", "chi2_pvalue");
inline constexpr std::size_t kDriftStatisticCount = EnumNames<DriftStatistic>::names.size();

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
REFEREE_ENUM_NAMES(FeatureType, "automatic", "numeric", "categorical");

#undef REFEREE_ENUM_NAMES

// --- values ----------------------------------------------------------------------------

// A metric's value on one sample. Undefined values carry the reason instead of a NaN.
struct MetricValue {
  double value = 0.0;
  bool defined = false;
  std::string_view reason;  // static text, set when !defined

  static MetricValue of(double v) { return {v, true, {}}; }
  static MetricValue undefined(std::string_view why) { return {0.0, false, why}; }
};

// A confidence interval, or the reason there is none.
struct Interval {
  bool defined = false;
  double lo = 0.0;
  double hi = 0.0;
  std::string reason;  // set when !defined

  static Interval of(double lo, double hi) { return {true, lo, hi, {}}; }
  static Interval undefined(std::string why) { return {false, 0.0, 0.0, std::move(why)}; }
};

// The rows where exactly one model has the event a paired proportion counts (rows where
// only one is correct, for accuracy), within the proportion's denominator; with weights,
// also as Kish effective counts (sum w)^2 / sum w^2.
struct DiscordantRows {
  std::size_t challenger_only = 0, champion_only = 0;
  bool weighted = false;
  double effective = 0.0;  // of all discordant rows, when weighted
  // The cells as the score interval takes them (rows, or effective counts), so that a
  // corrected level can recompute it: challenger only, champion only, the denominator.
  double score_challenger_only = 0.0, score_champion_only = 0.0, score_rows = 0.0;
};

// One figure: its point estimate, its interval, and the resamples behind them.
struct Estimate {
  MetricValue point;
  Interval ci;
  std::size_t replicates = 0;          // bootstrap resamples drawn
  std::size_t defined_replicates = 0;  // of which the metric was defined
  double standard_error = 0.0;         // sd of the defined replicates (bootstrap SE)
  std::size_t distinct_replicates = 0;  // distinct values among the defined replicates
  // How the interval was made when it is marked (issue 18), and why: a name such as
  // "tango_score", or the bootstrap's method when it stands despite the reason.
  std::string_view interval_method;  // "" = the policy's bootstrap interval, unmarked
  std::string interval_reason;
  std::optional<DiscordantRows> discordant;  // paired differences of proportions only
};

}  // namespace referee
