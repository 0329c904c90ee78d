#include <referee/policy.hpp>

#include <array>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "tasks/task_definition.hpp"
#include "common/did_you_mean.hpp"
#include "common/limit_text.hpp"
#include "common/option_ranges.hpp"
#include <referee/error.hpp>
#include "data/grouping.hpp"
#include "io/input_file.hpp"
#include "io/sha256.hpp"
#include "policy/json_text.hpp"
#include "policy/object_reader.hpp"
#include "policy/rule_parser.hpp"

namespace referee {

std::string_view Rule::metric_name() const {
  if (disparity) return name_of(*disparity);
  if (budget) return name_of(*budget);
  if (drift) return name_of(*drift);
  return metric.name;
}

const std::string* FairnessSettings::reference_of(std::string_view attribute) const {
  for (const auto& [name, group] : reference)
    if (name == attribute) return &group;
  return nullptr;
}

namespace {

using json = nlohmann::json;

// A list of distinct, non-empty column names (or segment specs).
std::vector<std::string> string_list(ObjectReader& r, std::string_view key, const json& v) {
  if (!v.is_array()) r.fail(r.path_of(key), "must be an array of column names");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string path = r.path_of(key) + "[" + std::to_string(i) + "]";
    if (!v[i].is_string() || v[i].get<std::string>().empty()) r.fail(path, "must be a non-empty string");
    const std::string name = v[i].get<std::string>();
    if (std::find(out.begin(), out.end(), name) != out.end()) r.fail(path, "repeats " + quoted_excerpt(name));
    out.push_back(name);
  }
  return out;
}

// {"champion": "lat_prod_ms", "challenger": "lat_new_ms"}: one column per model, at least one.
ModelColumnNames parse_model_columns(ObjectReader& parent, std::string_view key, const json& v, const JsonSource& origin) {
  ObjectReader r(v, parent.path_of(key), origin);
  ModelColumnNames c;
  if (const json* x = r.find("champion")) c.champion = r.string("champion", *x);
  if (const json* x = r.find("challenger")) c.challenger = r.string("challenger", *x);
  r.reject_unknown_keys();
  if (c.empty())
    r.fail(parent.path_of(key), "must name a column for \"champion\", \"challenger\" or both");
  for (std::string_view model : {"champion", "challenger"})
    if (v.contains(model) && v[std::string(model)].get<std::string>().empty())
      r.fail(r.path_of(model), "must not be empty");
  return c;
}

// The columns with a role, in the order messages name them.
using RoleColumns = std::array<std::pair<std::string_view, const std::string*>, 7>;

RoleColumns role_columns(const ColumnNames& c) {
  return {{{"label", &c.label},
           {"champion", &c.champion},
           {"challenger", &c.challenger},
           {"weight", &c.weight},
           {"cluster", &c.cluster},
           {"id", &c.id},
           {"query", &c.query}}};
}

// Segment and sensitive columns are categorical, never a role's column; c.categorical
// lists each once.
void add_categorical_columns(const ObjectReader& r, const Policy& policy, ColumnNames& c) {
  const RoleColumns roles = role_columns(c);
  auto add_categorical = [&](const std::string& name, const std::string& path) {
    for (const auto& [role, column] : roles)
      if (*column == name)
        r.fail(path, "names column " + quoted_excerpt(name) + ", which is the " + std::string(role) +
                         " column; a segment or sensitive column must be categorical");
    if (std::find(c.categorical.begin(), c.categorical.end(), name) == c.categorical.end())
      c.categorical.push_back(name);
  };
  for (std::size_t i = 0; i < policy.segments.size(); ++i) {
    const std::string path = r.path_of("segments") + "[" + std::to_string(i) + "]";
    const auto parts = split_segment_spec(policy.segments[i]);
    for (std::size_t k = 0; k < parts.size(); ++k) {
      if (parts[k].empty()) r.fail(path, quoted_excerpt(policy.segments[i]) + " has an empty column name around '*'");
      if (std::find(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(k), parts[k]) != parts.begin() + static_cast<std::ptrdiff_t>(k))
        r.fail(path, quoted_excerpt(policy.segments[i]) + " crosses column " + quoted_excerpt(parts[k]) + " with itself");
      add_categorical(parts[k], path);
    }
  }
  for (std::size_t i = 0; i < policy.sensitive.size(); ++i)
    add_categorical(policy.sensitive[i], r.path_of("sensitive") + "[" + std::to_string(i) + "]");
}

// The label and both scores are required; a weight, cluster key or row id, once given, must not
// be empty; no two roles share a column.
void check_role_columns(const ObjectReader& r, const json& v, const ColumnNames& c, bool labelled) {
  const RoleColumns roles = role_columns(c);
  for (std::size_t i = 0; i < roles.size(); ++i) {
    if (roles[i].second->empty()) {
      if ((i < 3 && (i > 0 || labelled)) || v.contains(roles[i].first))
        r.fail(r.path_of(roles[i].first), "must not be empty");
      continue;
    }
    for (std::size_t j = 0; j < i; ++j)
      if (*roles[j].second == *roles[i].second)
        r.fail(r.path_of(roles[i].first), "names column \"" + *roles[i].second +
                                              "\", which is already the " +
                                              std::string(roles[j].first) + " column");
  }
}

// A serving column (latency, cost, error) is its own column: sharing one with a score,
// the label or another serving figure is a slip of the pen.
void check_serving_columns(const ObjectReader& r, const ColumnNames& c) {
  std::vector<std::pair<std::string, std::string>> used;  // column -> JSON path
  for (const auto& [role, column] : role_columns(c))
    if (!column->empty()) used.emplace_back(*column, r.path_of(role));
  const std::array<std::pair<std::string_view, const ModelColumnNames*>, 3> serving{
      {{"latency", &c.latency}, {"cost", &c.cost}, {"error", &c.error}}};
  for (const auto& [key, pair] : serving)
    for (std::size_t m = 0; m < 2; ++m) {
      const std::string& name = (*pair)[m];
      if (name.empty()) continue;
      const std::string path = r.path_of(key) + (m == 0 ? ".champion" : ".challenger");
      for (const auto& [column, where] : used)
        if (column == name) r.fail(path, "names column " + quoted_excerpt(name) + ", which " + where + " already names");
      used.emplace_back(name, path);
    }
}

// "positive_label": "benign" | 2 | true; only the binary task has a positive class.
LabelValue parse_positive_label(const ObjectReader& r, const json& v) {
  LabelValue out;
  if (v.is_string()) {
    out.text = v.get<std::string>();
    if (out.text.empty()) r.fail(r.path_of("positive_label"), "must not be empty");
  } else if (v.is_boolean()) {
    out.kind = LabelValue::Kind::boolean;
    out.number = v.get<bool>() ? 1.0 : 0.0;
  } else if (v.is_number()) {
    out.kind = LabelValue::Kind::number;
    out.number = v.get<double>();
  } else {
    r.fail(r.path_of("positive_label"), "must be the positive class's label: a string, a number or a boolean");
  }
  return out;
}

// "scores" and "positive_label": what the binary task's columns hold.
void parse_label_and_scores(ObjectReader& r, Task task, ColumnNames& c) {
  for (std::string_view key : {"scores", "positive_label"})
    if (r.find(key) && !task_definition(task).classes)
      r.fail(r.path_of(key), "applies only to the binary task");
  if (const json* x = r.find("scores")) c.scores = r.choice<ScoreKind>("scores", *x);
  if (const json* x = r.find("positive_label")) c.positive_label = parse_positive_label(r, *x);
}

// A multiclass model's probability columns: {"prefix": "p_new_"} (the classes are the
// suffixes) or a list in the order of "classes", which a list needs. `champion` and
// `challenger` keep a name for messages: the prefix followed by '*', or the first column.
ClassColumns parse_model_classes(ObjectReader& r, std::string_view key, std::optional<std::size_t> classes) {
  const json& v = r.require(key);
  ClassColumns out;
  if (v.is_array()) {
    out.columns = string_list(r, key, v);
    if (!classes)
      r.fail(r.path_of(key), "lists probability columns; add \"classes\": the class of each column, in order "
                             "(or give {\"prefix\": ...} and let the column names say)");
    if (out.columns.size() != *classes)
      r.fail(r.path_of(key), "lists " + std::to_string(out.columns.size()) + " columns for " +
                                 std::to_string(*classes) + " classes");
    return out;
  }
  if (!v.is_object())
    r.fail(r.path_of(key), "must be {\"prefix\": \"p_new_\"} or a list of probability columns, one per class");
  ObjectReader prefix(v, r.path_of(key), r.source());
  out.prefix = prefix.string("prefix", prefix.require("prefix"));
  prefix.reject_unknown_keys();
  if (out.prefix.empty()) prefix.fail(prefix.path_of("prefix"), "must not be empty");
  return out;
}

void parse_class_columns(ObjectReader& r, ColumnNames& c) {
  std::optional<std::size_t> count;
  if (const json* x = r.find("classes")) {
    c.classes = string_list(r, "classes", *x);
    if (c.classes.size() < 2) r.fail(r.path_of("classes"), "must list at least 2 classes");
    count = c.classes.size();
  }
  c.class_columns[0] = parse_model_classes(r, "champion", count);
  c.class_columns[1] = parse_model_classes(r, "challenger", count);
  std::string* display[2] = {&c.champion, &c.challenger};
  for (std::size_t m = 0; m < 2; ++m) {
    const ClassColumns& k = c.class_columns[m];
    *display[m] = k.prefix.empty() ? k.columns.front() : k.prefix + "*";
  }
  if (c.class_columns[0].prefix.empty() != c.class_columns[1].prefix.empty() && !count)
    r.fail(r.path(), "gives one model a prefix and the other a list; a list needs \"classes\"");
}

ColumnNames parse_columns(const json& v, const JsonSource& origin, Policy& policy) {
  ObjectReader r(v, "$.columns", origin);
  ColumnNames c;
  if (task_definition(policy.task).labelled)
    c.label = r.string("label", r.require("label"));
  else if (r.find("label"))
    r.fail(r.path_of("label"), "does not apply to the \"" + std::string(task_name(policy.task)) +
                                   "\" task: each model's column holds its own result, with no label");
  if (policy.task == Task::multiclass) {
    parse_class_columns(r, c);
  } else {
    if (r.find("classes")) r.fail(r.path_of("classes"), "applies only to the multiclass task");
    c.champion = r.string("champion", r.require("champion"));
    c.challenger = r.string("challenger", r.require("challenger"));
  }
  if (const json* w = r.find("weight")) c.weight = r.string("weight", *w);
  if (const json* k = r.find("cluster")) c.cluster = r.string("cluster", *k);
  if (const json* k = r.find("id")) c.id = r.string("id", *k);
  if (task_definition(policy.task).queries)
    c.query = r.string("query", r.require("query"));
  else if (r.find("query"))
    r.fail(r.path_of("query"), "applies only to the ranking task");
  if (const json* x = r.find("segments")) policy.segments = string_list(r, "segments", *x);
  if (const json* x = r.find("sensitive")) policy.sensitive = string_list(r, "sensitive", *x);
  if (const json* x = r.find("latency")) c.latency = parse_model_columns(r, "latency", *x, origin);
  if (const json* x = r.find("cost")) c.cost = parse_model_columns(r, "cost", *x, origin);
  if (const json* x = r.find("error")) c.error = parse_model_columns(r, "error", *x, origin);
  parse_label_and_scores(r, policy.task, c);
  r.reject_unknown_keys();
  add_categorical_columns(r, policy, c);
  check_role_columns(r, v, c, task_definition(policy.task).labelled);
  check_serving_columns(r, c);
  return c;
}

BootstrapSettings parse_bootstrap(const json& v, const JsonSource& origin) {
  ObjectReader r(v, "$.bootstrap", origin);
  BootstrapSettings b;
  if (const json* x = r.find("resamples")) {
    if (!x->is_number_integer() || x->get<std::int64_t>() < 100 || x->get<std::int64_t>() > 1000000)
      r.fail(r.path_of("resamples"), "must be an integer from 100 to 1000000");
    b.resamples = x->get<std::size_t>();
  }
  if (const json* x = r.find("confidence")) {
    b.confidence = r.number("confidence", *x);
    if (!(b.confidence > 0.5 && b.confidence < 1.0))
      r.fail(r.path_of("confidence"), "must be between 0.5 and 1 (exclusive), e.g. 0.95");
  }
  if (const json* x = r.find("interval"))
    b.interval = r.choice<IntervalMethod>("interval", *x);
  if (const json* x = r.find("scheme"))
    b.scheme = r.choice<ResamplingScheme>("scheme", *x);
  if (const json* x = r.find("paired_proportions"))
    b.paired_proportions = r.choice<PairedProportionInterval>("paired_proportions", *x);
  if (const json* x = r.find("seed")) {
    if (!x->is_number_unsigned() && !(x->is_number_integer() && x->get<std::int64_t>() >= 0))
      r.fail(r.path_of("seed"), std::string(kSeedRange));
    b.seed = x->get<std::uint64_t>();
  }
  r.reject_unknown_keys();
  return b;
}

SegmentsMin parse_segments_min(const json& v, Task task, const JsonSource& origin) {
  ObjectReader r(v, "$.segments_min", origin);
  SegmentsMin m;
  auto count = [&](std::string_view key, const json& x, std::int64_t lowest) {
    if (!x.is_number_integer() || x.get<std::int64_t>() < lowest)
      r.fail(r.path_of(key), "must be an integer of at least " + std::to_string(lowest));
    return x.get<std::size_t>();
  };
  if (const json* x = r.find("rows")) m.rows = count("rows", *x, 1);
  if (const json* x = r.find("positives")) {
    if (!task_definition(task).classes) r.fail(r.path_of("positives"), "applies only to the binary task");
    m.positives = count("positives", *x, 0);
  }
  r.reject_unknown_keys();
  if (!task_definition(task).classes) m.positives = 0;
  return m;
}

FairnessSettings parse_fairness(const json& v, const Policy& p, const JsonSource& origin) {
  ObjectReader r(v, "$.fairness", origin);
  FairnessSettings f;
  if (const json* x = r.find("method"))
    f.method = r.choice<DisparityMethod>("method", *x);
  if (const json* x = r.find("reference")) {
    ObjectReader refs(*x, r.path_of("reference"), origin);
    for (const auto& [attribute, group] : x->items()) {
      if (std::find(p.sensitive.begin(), p.sensitive.end(), attribute) == p.sensitive.end())
        refs.fail(refs.path_of(attribute), "is not in $.columns.sensitive (declared: " + declared_list(p.sensitive) + ")" +
                                               did_you_mean(attribute, p.sensitive));
      if (!group.is_string()) refs.fail(refs.path_of(attribute), "must be a group value (a string)");
      f.reference.emplace_back(attribute, group.get<std::string>());
    }
  }
  r.reject_unknown_keys();
  return f;
}


std::array<std::optional<ModelPrice>, 2> parse_pricing(const json& v, const Policy& p, const JsonSource& origin) {
  ObjectReader r(v, "$.pricing", origin);
  std::array<std::optional<ModelPrice>, 2> out;
  const std::array<std::string_view, 2> models{"champion", "challenger"};
  for (std::size_t m = 0; m < 2; ++m) {
    const json* x = r.find(models[m]);
    if (!x) continue;
    const std::string path = r.path_of(models[m]);
    if (!p.columns.cost[m].empty())
      r.fail(path, "prices the " + std::string(models[m]) + ", whose cost $.columns.cost." + std::string(models[m]) +
                       " already measures per row; give one source");
    ObjectReader price(*x, path, origin);
    ModelPrice mp;
    const auto positive = [&](std::string_view key, const json& value) {
      const double d = price.number(key, value);
      if (!(d > 0.0) || !std::isfinite(d)) price.fail(price.path_of(key), "must be a positive number");
      return d;
    };
    if (const json* y = price.find("per_1k")) {
      mp.per_1k = price.number("per_1k", *y);
      if (!(*mp.per_1k >= 0.0) || !std::isfinite(*mp.per_1k))
        price.fail(price.path_of("per_1k"), "must be a number >= 0 (the price of 1000 predictions)");
    }
    if (const json* y = price.find("per_hour")) mp.per_hour = positive("per_hour", *y);
    if (const json* y = price.find("throughput_per_s")) mp.throughput_per_s = positive("throughput_per_s", *y);
    price.reject_unknown_keys();
    const bool hourly = mp.per_hour || mp.throughput_per_s;
    if (mp.per_1k && hourly)
      price.fail(path, "gives both \"per_1k\" and an hourly price; give one");
    if (!mp.per_1k && !(mp.per_hour && mp.throughput_per_s))
      price.fail(path, "needs \"per_1k\", or \"per_hour\" together with \"throughput_per_s\" (predictions per second)");
    out[m] = mp;
  }
  r.reject_unknown_keys();
  if (!out[0] && !out[1]) r.fail("$.pricing", "must price \"champion\", \"challenger\" or both");
  return out;
}

DriftSettings parse_drift(const json& v, const Policy& p, const JsonSource& origin) {
  ObjectReader r(v, "$.drift", origin);
  DriftSettings d;
  d.enabled = true;
  d.reference = r.string("reference", r.require("reference"));
  if (d.reference.empty()) r.fail(r.path_of("reference"), "must name the reference CSV");
  if (const json* x = r.find("predictions")) {
    if (!x->is_boolean()) r.fail(r.path_of("predictions"), "must be true or false");
    d.predictions = x->get<bool>();
    if (d.predictions && p.task == Task::multiclass)
      r.fail(r.path_of("predictions"), "compares one score column per model; a multiclass model has one per class: "
                                       "list the probability columns you want compared in \"features\"");
  }
  if (const json* x = r.find("bins")) {
    if (!x->is_number_integer() || x->get<std::int64_t>() < 2 || x->get<std::int64_t>() > 100)
      r.fail(r.path_of("bins"), "must be an integer from 2 to 100");
    d.bins = x->get<std::size_t>();
  }
  if (const json* x = r.find("features")) {
    if (!x->is_array()) r.fail(r.path_of("features"), "must be an array of column names or {\"name\", \"type\"} objects");
    for (std::size_t i = 0; i < x->size(); ++i) {
      const std::string path = r.path_of("features") + "[" + std::to_string(i) + "]";
      const json& f = (*x)[i];
      DriftFeature feature;
      if (f.is_string()) {
        feature.name = f.get<std::string>();
      } else if (f.is_object()) {
        ObjectReader fr(f, path, origin);
        feature.name = fr.string("name", fr.require("name"));
        if (const json* t = fr.find("type"))
          feature.type = fr.choice<FeatureType>("type", *t, 1);
        fr.reject_unknown_keys();
      } else {
        r.fail(path, "must be a column name or {\"name\": ..., \"type\": \"numeric\" | \"categorical\"}");
      }
      if (feature.name.empty()) r.fail(path, "must name a column");
      if (d.find(feature.name)) r.fail(path, "repeats " + quoted_excerpt(feature.name));
      d.features.push_back(std::move(feature));
    }
  }
  r.reject_unknown_keys();
  if (d.predictions)
    for (const std::string* score : {&p.columns.champion, &p.columns.challenger}) {
      if (d.find(*score))
        r.fail(r.path_of("features"), "lists the score column \"" + *score + "\"; \"predictions\": true compares the "
                                      "scores already");
      d.features.push_back({*score, FeatureType::numeric, true});
    }
  if (d.features.empty())
    r.fail("$.drift", "compares nothing: list \"features\" or set \"predictions\": true");
  return d;
}

// The evaluation's figures: the task's defaults, then each figure a rule names that is
// not among them, in rule order; each model-metric rule learns its figure's index.
void assign_metrics(Policy& p) {
  p.metrics = task_definition(p.task).default_metrics(p.task);
  for (Rule& rule : p.rules) {
    if (rule.disparity || rule.budget || rule.drift) continue;
    const auto found = std::find(p.metrics.begin(), p.metrics.end(), rule.metric);
    rule.metric_index = static_cast<std::size_t>(found - p.metrics.begin());
    if (found == p.metrics.end()) p.metrics.push_back(rule.metric);
  }
}

// "ranking": {"empty_queries": "skip" | "zero"}: what a query with no relevant document
// does (docs/ranking.md).
EmptyQueries parse_ranking(const json& v, Task task, const JsonSource& origin) {
  ObjectReader r(v, "$.ranking", origin);
  if (!task_definition(task).queries) r.fail("$.ranking", "applies only to the ranking task");
  EmptyQueries out = EmptyQueries::skip;
  if (const json* x = r.find("empty_queries")) out = r.choice<EmptyQueries>("empty_queries", *x);
  r.reject_unknown_keys();
  return out;
}

Policy parse_policy_document(const json& document, const JsonSource& origin, const Limits& limits) {
  ObjectReader r(document, "$", origin);
  Policy p;
  const json& version = r.require("version");
  if (!version.is_number_integer() || version.get<std::int64_t>() != 1)
    r.fail("$.version", "is " + json_excerpt(version) + "; this referee reads policy version 1");
  if (const json* x = r.find("name")) p.name = r.string("name", *x);
  p.task = r.choice<Task>("task", r.require("task"));
  p.columns = parse_columns(r.require("columns"), origin, p);
  if (!p.sensitive.empty() && !task_definition(p.task).classes)
    r.fail("$.columns.sensitive", "needs the binary task: fairness rates compare thresholded predictions");
  if (const json* x = r.find("segments_min")) p.segments_min = parse_segments_min(*x, p.task, origin);
  else if (!task_definition(p.task).classes) p.segments_min.positives = 0;
  if (const json* x = r.find("fairness")) p.fairness = parse_fairness(*x, p, origin);
  if (const json* x = r.find("pricing")) p.pricing = parse_pricing(*x, p, origin);
  if (const json* x = r.find("ranking")) p.empty_queries = parse_ranking(*x, p.task, origin);
  if (const json* x = r.find("drift")) {
    p.drift = parse_drift(*x, p, origin);
    for (const DriftFeature& f : p.drift.features)
      if (!f.prediction) p.columns.drift.push_back(f.name);
  }
  const TaskDefinition& task = task_definition(p.task);
  const ScoreKind scale = threshold_scale(p.columns.scores, task.pass_mark);
  p.threshold = default_threshold(p.columns.scores);
  if (const json* x = r.find("threshold")) {
    if (!task.threshold) r.fail("$.threshold", "applies only to the binary task (a decision cut) and the outcome task (a pass mark)");
    p.threshold = r.number("threshold", *x);
    if (!threshold_in_range(p.threshold, scale)) r.fail("$.threshold", std::string(threshold_range(scale)));
  }
  if (const json* x = r.find("bootstrap")) p.bootstrap = parse_bootstrap(*x, origin);
  if (const json* x = r.find("on_inconclusive"))
    p.on_inconclusive = r.choice<OnInconclusive>("on_inconclusive", *x);
  const json& rules = r.require("rules");
  if (!rules.is_array() || rules.empty())
    r.fail("$.rules", "must be a non-empty array: a gate without rules cannot decide");
  if (rules.size() > limits.max_rules)
    r.fail("$.rules", "has " + std::to_string(rules.size()) + " rules, more than " + limit_text(limits, "max_rules"));
  std::set<std::string> ids;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    Rule rule = parse_rule(rules[i], i, p, origin);
    if (!ids.insert(rule.id).second)
      r.fail("$.rules[" + std::to_string(i) + "].id", quoted_excerpt(rule.id) + " is used twice");
    p.rules.push_back(std::move(rule));
  }
  r.reject_unknown_keys();
  assign_metrics(p);
  p.source = document;
  p.sha256 = sha256_hex(document.dump());
  return p;
}

}  // namespace

Policy parse_policy(const json& document, std::string_view origin, const Limits& limits) {
  JsonSource source;
  source.name = std::string(origin);
  check_json_depth(document, source, limits);
  return parse_policy_document(document, source, limits);
}

Policy parse_policy_text(std::string_view text, std::string_view origin, const Limits& limits) {
  const JsonText parsed = read_json_text(text, std::string(origin), limits);
  return parse_policy_document(parsed.document, parsed.source, limits);
}

Policy load_policy(const std::filesystem::path& path, const Limits& limits) {
  // A regular file only (a FIFO or /dev/zero is refused before a byte is read), and no
  // larger than the cap, which holds while reading.
  Policy p = parse_policy_text(read_small_file(path, limits, "policy file"), path.string(), limits);
  p.base_directory = path.parent_path();
  return p;
}

}  // namespace referee
