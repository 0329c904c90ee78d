#pragma once
// The gate's policy: which columns to read, how to bootstrap, and the rules that decide.
// Parsed strictly from JSON (version 1, docs/policy.md): an unknown key, a misspelt
// metric or a contradictory bound is an error that names its JSON path.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <referee/limits.hpp>

#include <referee/table.hpp>
#include <referee/vocabulary.hpp>

namespace referee {

struct BootstrapSettings {
  std::size_t resamples = 2000;
  double confidence = 0.95;
  IntervalMethod interval = IntervalMethod::bca;
  ResamplingScheme scheme = ResamplingScheme::poisson;
  std::uint64_t seed = 0;
  PairedProportionInterval paired_proportions = PairedProportionInterval::automatic;
};

// Which rows a rule judges: all of them, one segment, or every segment of a segment
// column (each must pass, or only the worst is judged).
struct RuleScope {
  ScopeKind kind = ScopeKind::overall;
  std::string segments;             // the segment spec, e.g. "region" or "region*channel"
  std::vector<std::string> value;   // kind segment: one value per column of the spec
};

struct Rule {
  std::string id;
  // The figure a model-metric rule judges (unless `disparity`, `budget` or `drift` is set),
  // and its index in Policy::metrics.
  MetricInstance metric = metric_instance(Metric::roc_auc);
  std::size_t metric_index = 0;
  Subject subject = Subject::delta;
  std::optional<double> min, max;
  DecideOn decide_on = DecideOn::interval;
  Severity severity = Severity::block;
  RuleScope scope;
  Correction correction = Correction::none;  // each_segment only
  OnInsufficient on_insufficient = OnInsufficient::inconclusive;
  // A fairness rule: a disparity over the groups of one sensitive attribute.
  std::optional<Disparity> disparity;
  std::string sensitive;
  DisparityMethod method = DisparityMethod::between_groups;
  std::string reference;  // Clarify metrics: facet a
  std::string group;      // Clarify metrics: facet d ("" = every group but the reference)
  // A budget rule: latency, cost or error rate (budget.hpp).
  std::optional<BudgetMetric> budget;
  // A drift rule: one statistic of one feature, reference against evaluation data. It has
  // no subject and is decided on the statistic's value.
  std::optional<DriftStatistic> drift;
  std::string feature;

  std::string_view metric_name() const;
};

// Segments with fewer rows (or, for the binary task, positive labels) than this are
// reported as insufficient and never judged.
struct SegmentsMin {
  std::size_t rows = 30;
  std::size_t positives = 5;
};

// Defaults for the report's fairness section; rules may set their own.
struct FairnessSettings {
  DisparityMethod method = DisparityMethod::between_groups;
  std::vector<std::pair<std::string, std::string>> reference;  // attribute -> facet a

  const std::string* reference_of(std::string_view attribute) const;
};

// A model's price when cost is not measured per row: either per 1000 predictions, or an
// hourly instance price at a sustained throughput.
struct ModelPrice {
  std::optional<double> per_1k, per_hour, throughput_per_s;
  double cost_per_1k() const { return per_1k ? *per_1k : *per_hour / (*throughput_per_s * 3600.0) * 1000.0; }
};

// The policy's drift block: a reference sample (the data the model was validated on),
// the features to compare with the evaluation data, and the statistics rules may judge.
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

struct Policy {
  int version = 1;
  std::string name;
  Task task = Task::binary;
  ColumnNames columns;
  double threshold = 0.5;
  EmptyQueries empty_queries = EmptyQueries::skip;  // ranking only: $.ranking.empty_queries
  BootstrapSettings bootstrap;
  OnInconclusive on_inconclusive = OnInconclusive::fail;
  std::vector<std::string> segments;   // specs: "region", "region*channel"
  std::vector<std::string> sensitive;  // sensitive attribute columns
  SegmentsMin segments_min;
  FairnessSettings fairness;
  std::array<std::optional<ModelPrice>, 2> pricing;  // [champion, challenger]
  DriftSettings drift;
  std::vector<Rule> rules;
  // The figures the evaluation computes, in report order: the task's defaults, then each
  // figure a rule names that is not among them. Every estimate list indexes this.
  std::vector<MetricInstance> metrics;

  // Relative paths in the policy (the drift reference) are relative to this directory:
  // the policy file's, or the working directory for a policy given as text.
  std::filesystem::path base_directory;

  nlohmann::json source;  // the policy as given
  std::string sha256;     // of source's canonical serialisation (sorted keys, compact)
};

// `origin` names the policy in messages (a path, or "policy").
Policy parse_policy(const nlohmann::json& document, std::string_view origin = "policy", const Limits& limits = {});
Policy parse_policy_text(std::string_view text, std::string_view origin = "policy", const Limits& limits = {});
// Reads the policy file (a regular file of at most limits.max_policy_bytes) and parses it.
Policy load_policy(const std::filesystem::path& path, const Limits& limits = {});

}  // namespace referee
