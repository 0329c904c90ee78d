#pragma once
// What an evaluation found: every figure with its interval for both models and their
// difference, per segment and fairness group, the budgets and drift, each rule's verdict
// and the gate's. The renderers (render.hpp) turn it into the report, summary, Markdown
// and HTML; a C++ caller may read it directly.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <referee/policy.hpp>
#include <referee/table.hpp>
#include <referee/vocabulary.hpp>

namespace referee {

// --- budgets ---------------------------------------------------------------------------

struct BudgetFigure {
  BudgetMetric metric = BudgetMetric::latency_mean;
  std::array<BudgetSource, 2> source{BudgetSource::none, BudgetSource::none};
  std::array<std::size_t, 2> n{};
  std::array<Estimate, 4> subjects;               // champion, challenger, delta, relative_delta
  std::array<std::string_view, 4> interval_kind;  // how each interval was made
  bool paired = true;                             // delta from one resample of both models
};

struct BudgetResults {
  std::vector<BudgetFigure> figures;  // catalogue order, only the metrics with a source
  const BudgetFigure* find(BudgetMetric m) const;

  // The bootstrap replicates behind the figures (NaN where undefined or not measured),
  // kept so that a test or an auditor can recompute any interval.
  std::size_t resamples = 0;
  std::vector<double> replicates;  // [b][model][metric], row-major
  double replicate(std::size_t b, std::size_t model, BudgetMetric m) const {
    return replicates[(b * 2 + model) * kBudgetMetricCount + static_cast<std::size_t>(m)];
  }
};

// --- drift -----------------------------------------------------------------------------

struct NumericDrift {
  std::size_t reference_n = 0, current_n = 0;
  std::vector<double> edges;  // the distinct reference quantiles i / bins, i = 1..bins-1
  std::vector<std::size_t> reference_counts, current_counts;  // edges.size() + 1 bins
  MetricValue psi, ks_statistic, ks_pvalue, wasserstein, js_distance;
  std::string_view ks_method;
};

struct CategoricalDrift {
  std::size_t reference_n = 0, current_n = 0;
  std::vector<std::string> categories;  // seen in either sample, ordered by bytes
  std::vector<std::size_t> reference_counts, current_counts;
  MetricValue psi, chi2_statistic, chi2_pvalue, js_distance;
  std::size_t chi2_dof = 0;
};

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

// --- rules, segments, fairness ---------------------------------------------------------

// One segment's (or one Clarify group's) part in a rule that judges several.
struct PartVerdict {
  std::vector<std::string> value;  // the segment's values, one per column; or {group}
  std::size_t rows = 0;
  Verdict verdict = Verdict::inconclusive;
  bool insufficient = false;
  std::string reason;
  Estimate subject;
  Estimate champion, challenger;
  // With a multiple-testing correction: the level the decision was made at, and the
  // bootstrap p-values of "the bound is broken" and "the bound is met" (see docs/policy.md).
  std::optional<double> decision_confidence;
  std::optional<double> p_fail, p_pass, p_fail_adjusted, p_pass_adjusted;
};

// What would decide an INCONCLUSIVE rule, at the observed estimate (src/decide/next_step.hpp
// gives the arithmetic): about rows_needed rows would clear `bound`; with the current rows,
// an estimate at least `margin` from the bound (at `detectable_effect` on its passing side)
// would decide it. Planning figures from the bootstrap SE scaled as 1/sqrt(n).
struct NextStep {
  bool defined = false;       // rows_needed is set; otherwise `reason` says why not
  std::uint64_t rows_needed = 0;
  double bound = 0.0;              // the bound the interval straddles, nearest the estimate
  double margin = 0.0;             // z * SE: the smallest distance from the bound now resolvable
  double detectable_effect = 0.0;  // bound +/- margin, on the passing side
  std::string reason;
};

struct RuleResult {
  Rule rule;
  Verdict verdict = Verdict::inconclusive;
  std::string reason;
  Estimate subject;                // the figure the rule judged
  Estimate champion, challenger;  // the metric for each model, for context
  std::size_t n = 0;               // rows behind the figure
  std::vector<std::string> segment;  // scope segment / worst_segment: the segment judged
  std::vector<PartVerdict> parts;    // each_segment / worst_segment / Clarify groups
  std::optional<NextStep> next_step;  // INCONCLUSIVE rules judged on one interval
};

// [subject][k]: champion, challenger, delta, relative_delta of quantity k.
using SubjectEstimates = std::array<std::vector<Estimate>, 4>;

struct SegmentResult {
  std::vector<std::string> value;  // one per column of the segment spec
  std::size_t rows = 0, positives = 0;
  bool sufficient = true;
  std::string insufficient_reason;
  SubjectEstimates metrics;  // k indexing Policy::metrics
};

struct SegmentTable {
  std::string name;  // the spec, e.g. "region*channel"
  std::vector<std::string> columns;
  std::vector<SegmentResult> segments;
};

struct FairnessGroup {
  std::string value;
  std::size_t rows = 0, positives = 0;
  std::array<std::vector<Estimate>, 2> rates;  // [model][GroupRate]
};

struct ClarifyResult {
  std::string group;            // facet d
  SubjectEstimates metrics;     // k indexing the nine Clarify metrics, DPPL first
};

struct FairnessTable {
  std::string attribute;
  DisparityMethod method = DisparityMethod::between_groups;
  std::vector<FairnessGroup> groups;
  SubjectEstimates disparities;  // k indexing the 12 fairlearn-style disparities
  // Set when the disparities' intervals use another method than the policy's, and why: over
  // more than two groups a disparity is a max and a min, not a smooth statistic, and BCa's
  // bias correction assumes one (issue 18), so BCa is replaced by percentile there.
  std::optional<IntervalMethod> disparity_interval;
  std::string disparity_interval_reason;
  std::string reference;         // facet a for the Clarify metrics ("" = none)
  std::vector<ClarifyResult> clarify;
};

// Multiclass: each model's confusion matrix on the whole sample (no resampling), as
// scikit-learn's confusion_matrix: row = the actual class, column = the predicted one (the
// argmax, the first class on ties), each cell the rows' total weight (their count when the
// policy names no weight column). Model Monitor's multiclass layout reads it.
struct ConfusionMatrix {
  std::vector<std::string> classes;  // class order
  bool weighted = false;
  std::array<std::vector<double>, 2> cells;  // [model][actual * classes + predicted]
  double at(std::size_t model, std::size_t actual, std::size_t predicted) const {
    return cells[model][actual * classes.size() + predicted];
  }
};

struct RunInfo {
  std::string started_at;  // UTC, ISO 8601
  double seconds = 0.0;
  unsigned threads = 1;
};

struct Evaluation {
  Policy policy;
  BootstrapSettings bootstrap;  // as used (seed override applied)
  std::size_t jackknife_groups = 0;
  std::size_t rows = 0;
  std::size_t units = 0;
  bool clustered = false;
  // Ranking: the queries, and those with no relevant document ($.ranking.empty_queries).
  std::size_t queries = 0, empty_queries = 0;
  DataSource source;
  // [subject][k], k indexing policy.metrics (the figures: MetricInstance).
  std::array<std::vector<Estimate>, 4> metrics;
  std::vector<SegmentTable> segments;
  std::vector<FairnessTable> fairness;
  BudgetResults budgets;
  std::string latency_origin, latency_sha256;  // separate latency samples, if any
  DriftResults drift;
  std::optional<ConfusionMatrix> confusion;  // multiclass only
  std::vector<RuleResult> rules;
  Verdict verdict = Verdict::inconclusive;
  bool passed = false;
  RunInfo run;
};

}  // namespace referee
