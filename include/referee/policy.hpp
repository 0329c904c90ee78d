#pragma once
// The gate's policy: which columns to read, how to bootstrap, and the rules that decide.
// Parsed strictly from JSON (version 1, docs/policy.md): an unknown key, a misspelt
// metric or a contradictory bound is an error that names its JSON path.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <referee/interval.hpp>
#include <referee/metric.hpp>
#include <referee/replicate_engine.hpp>
#include <referee/table.hpp>

namespace referee {

enum class Subject { champion, challenger, delta, relative_delta };
enum class DecideOn { interval, point };
enum class Severity { block, warn };
enum class OnInconclusive { fail, warn, pass };

std::string_view subject_name(Subject s);
std::string_view interval_name(IntervalMethod m);
std::string_view scheme_name(ResamplingScheme s);
std::string_view on_inconclusive_name(OnInconclusive o);

struct BootstrapSettings {
  std::size_t resamples = 2000;
  double confidence = 0.95;
  IntervalMethod interval = IntervalMethod::bca;
  ResamplingScheme scheme = ResamplingScheme::poisson;
  std::uint64_t seed = 0;
};

struct Rule {
  std::string id;
  Metric metric = Metric::roc_auc;
  Subject subject = Subject::delta;
  std::optional<double> min, max;
  DecideOn decide_on = DecideOn::interval;
  Severity severity = Severity::block;
};

struct Policy {
  int version = 1;
  std::string name;
  Task task = Task::binary;
  ColumnNames columns;
  double threshold = 0.5;
  BootstrapSettings bootstrap;
  OnInconclusive on_inconclusive = OnInconclusive::fail;
  std::vector<Rule> rules;

  nlohmann::json source;  // the policy as given
  std::string sha256;     // of source's canonical serialisation (sorted keys, compact)
};

// `origin` names the policy in messages (a path, or "policy").
Policy parse_policy(const nlohmann::json& document, std::string_view origin = "policy");
Policy parse_policy_text(std::string_view text, std::string_view origin = "policy");
Policy load_policy(const std::filesystem::path& path);

}  // namespace referee
