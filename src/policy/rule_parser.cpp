#include "policy/rule_parser.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "data/grouping.hpp"
#include "policy/object_reader.hpp"

namespace referee {

namespace {

using json = nlohmann::json;

std::vector<std::string> metric_names(Task task) {
  std::vector<std::string> names;
  for (const auto& info : task_metrics(task)) names.emplace_back(info.name);
  return names;
}

// The segment spec whose columns are exactly `columns`, in any order.
const std::string* find_spec(const Policy& p, std::vector<std::string> columns) {
  std::sort(columns.begin(), columns.end());
  for (const auto& spec : p.segments) {
    auto parts = split_segment_spec(spec);
    std::sort(parts.begin(), parts.end());
    if (parts == columns) return &spec;
  }
  return nullptr;
}

RuleScope parse_scope(ObjectReader& rule_reader, const json& v, const Policy& p, const JsonSource& origin) {
  const std::string path = rule_reader.path_of("scope");
  RuleScope scope;
  if (v.is_string()) {
    if (v.get<std::string>() != "overall")
      rule_reader.fail(path, "is \"" + v.get<std::string>() + "\"; a scope is \"overall\" or an object with "
                             "\"segment\", \"each_segment\" or \"worst_segment\"");
    return scope;
  }
  ObjectReader r(v, path, origin);
  const json* one = r.find("segment");
  const json* each = r.find("each_segment");
  const json* worst = r.find("worst_segment");
  r.reject_unknown_keys();
  if ((one ? 1 : 0) + (each ? 1 : 0) + (worst ? 1 : 0) != 1)
    r.fail(path, "needs exactly one of \"segment\", \"each_segment\", \"worst_segment\"");
  if (one) {
    ObjectReader values(*one, r.path_of("segment"), origin);
    if (one->empty()) values.fail(r.path_of("segment"), "must name a value for each column, e.g. {\"region\": \"north\"}");
    std::vector<std::string> columns;
    for (const auto& [column, value] : one->items()) {
      if (!value.is_string()) values.fail(values.path_of(column), "must be a string (segment values are text)");
      columns.push_back(column);
    }
    const std::string* spec = find_spec(p, columns);
    if (!spec)
      r.fail(r.path_of("segment"), "names columns that are not a declared segment (declared: " +
                                       declared_list(p.segments) + ")");
    scope.kind = ScopeKind::segment;
    scope.segments = *spec;
    for (const auto& column : split_segment_spec(*spec)) scope.value.push_back((*one)[column].get<std::string>());
    return scope;
  }
  const json& target = each ? *each : *worst;
  const std::string key = each ? "each_segment" : "worst_segment";
  if (!target.is_string()) r.fail(r.path_of(key), "must name a declared segment, e.g. \"region\"");
  const std::string name = target.get<std::string>();
  const std::string* spec = find_spec(p, split_segment_spec(name));
  if (!spec)
    r.fail(r.path_of(key), quoted_excerpt(name) + " is not a declared segment (declared: " + declared_list(p.segments) + ")" +
                               did_you_mean(name, p.segments));
  scope.kind = each ? ScopeKind::each_segment : ScopeKind::worst_segment;
  scope.segments = *spec;
  return scope;
}

// A budget rule needs its figure for the models its subject involves. Latency may also
// come at run time (--latency), so only a half-declared latency pair is an error here.
void check_budget_source(const ObjectReader& r, const Rule& rule, const Policy& p) {
  const BudgetMetric b = *rule.budget;
  const std::array<std::string_view, 2> models{"champion", "challenger"};
  std::vector<std::size_t> needed;
  if (rule.subject != Subject::challenger) needed.push_back(0);
  if (rule.subject != Subject::champion) needed.push_back(1);
  for (std::size_t m : needed) {
    bool present = true;
    std::string how;
    if (is_latency(b)) {
      present = p.columns.latency.empty() || !p.columns.latency[m].empty();
      how = "$.columns.latency." + std::string(models[m]);
    } else if (b == BudgetMetric::cost_per_1k) {
      present = !p.columns.cost[m].empty() || p.pricing[m].has_value();
      how = "$.columns.cost." + std::string(models[m]) + " or $.pricing." + std::string(models[m]);
    } else {
      present = !p.columns.error[m].empty();
      how = "$.columns.error." + std::string(models[m]);
    }
    if (!present)
      r.fail(r.path_of("metric"), "\"" + std::string(name_of(b)) + "\" of the " + std::string(models[m]) +
                                      " is not measured; add " + how);
  }
}

// What a rule's "metric" names, looked up in every family's name table, and the keys
// that belong to one family only.
struct RuleMetric {
  std::string name;
  std::optional<Metric> model;
  std::optional<Disparity> disparity;
  std::optional<BudgetMetric> budget;
  std::optional<DriftStatistic> drift;
  const json* sensitive = nullptr;  // fairness rules
  const json* feature = nullptr;    // drift rules
  std::optional<std::string> k_in_name;  // "ndcg@10": the text after '@'
  std::optional<Average> average_in_name;  // "f1_macro"
  std::optional<std::string> class_in_name;  // "recall[fraud]"
};

// A figure's canonical name carries its parameter (MetricInstance): "ndcg@10" and
// "top_k_accuracy@3" (k), "f1_macro" and "roc_auc_weighted" (average), "recall[fraud]"
// (class). Sets the base metric and the parameter's text when the name is one of these.
void read_figure_name(RuleMetric& metric, Task task) {
  const std::string& name = metric.name;
  const auto base_taking = [&](std::string_view base, unsigned parameter) -> std::optional<Metric> {
    const std::optional<Metric> m = metric_from_name(task, base);
    return m && (metric_info(*m).parameters & parameter) != 0 ? m : std::nullopt;
  };
  if (const std::size_t at = name.rfind('@'); at != std::string::npos && at > 0) {
    if ((metric.model = base_taking(std::string_view(name).substr(0, at), kTakesK))) metric.k_in_name = name.substr(at + 1);
    return;
  }
  if (const std::size_t open = name.find('['); open != std::string::npos && open > 0 && name.back() == ']') {
    if ((metric.model = base_taking(std::string_view(name).substr(0, open), kTakesClass)))
      metric.class_in_name = name.substr(open + 1, name.size() - open - 2);
    return;
  }
  if (const std::size_t underscore = name.rfind('_'); underscore != std::string::npos && underscore > 0) {
    const std::optional<Average> average = enum_from_name<Average>(std::string_view(name).substr(underscore + 1));
    if (average && (metric.model = base_taking(std::string_view(name).substr(0, underscore), kTakesAverage)))
      metric.average_in_name = average;
  }
}

RuleMetric read_rule_metric(ObjectReader& r, Task task) {
  RuleMetric metric;
  metric.name = r.string("metric", r.require("metric"));
  metric.sensitive = r.find("sensitive");
  metric.feature = r.find("feature");
  metric.model = metric_from_name(task, metric.name);
  if (!metric.model) read_figure_name(metric, task);
  metric.disparity = enum_from_name<Disparity>(metric.name);
  metric.budget = enum_from_name<BudgetMetric>(metric.name);
  metric.drift = enum_from_name<DriftStatistic>(metric.name);
  if (!metric.model && !metric.disparity && !metric.budget && !metric.drift) {
    for (const MetricInfo& info : kMetricCatalogue)
      if (info.name == metric.name) {
        std::string list;
        for (const auto& name : metric_names(task)) list += (list.empty() ? "" : ", ") + name;
        const std::string task_text(task_name(info.task));
        const char* article = task_text.find_first_of("aeiou") == 0 ? " is an " : " is a ";
        r.fail(r.path_of("metric"), quoted_excerpt(metric.name) + article + task_text +
                                        " metric, but the task is \"" + std::string(task_name(task)) +
                                        "\" (its metrics: " + list + ")");
      }
    std::vector<std::string> all;
    for (const auto& info : task_metrics(task)) all.emplace_back(info.name);
    for (const auto& info : kMetricCatalogue)
      if (info.task != task) all.emplace_back(info.name);
    for (auto name : EnumNames<Disparity>::names) all.emplace_back(name);
    for (auto name : EnumNames<BudgetMetric>::names) all.emplace_back(name);
    for (auto name : EnumNames<DriftStatistic>::names) all.emplace_back(name);
    r.fail(r.path_of("metric"), quoted_excerpt(metric.name) + " is not a known metric" + did_you_mean(metric.name, all));
  }
  return metric;
}

// A fairness rule: a disparity over the groups of one declared sensitive attribute;
// "sensitive" belongs to fairness rules only.
void parse_fairness_rule(ObjectReader& r, const json& v, const RuleMetric& metric, const Policy& p, Rule& rule) {
  if (!metric.disparity) {
    if (metric.sensitive)
      r.fail(r.path_of("sensitive"), "applies to fairness metrics (demographic_parity_ratio, ...), not to \"" +
                                         metric.name + "\"");
    return;
  }
  if (!metric.sensitive)
    r.fail(r.path_of("metric"), quoted_excerpt(metric.name) + " is a fairness metric; the rule needs \"sensitive\": "
                                "the attribute whose groups it compares");
  const Disparity d = *metric.disparity;
  rule.disparity = d;
  rule.sensitive = r.string("sensitive", *metric.sensitive);
  if (std::find(p.sensitive.begin(), p.sensitive.end(), rule.sensitive) == p.sensitive.end())
    r.fail(r.path_of("sensitive"), quoted_excerpt(rule.sensitive) + " is not in $.columns.sensitive (declared: " +
                                       declared_list(p.sensitive) + ")" + did_you_mean(rule.sensitive, p.sensitive));
  rule.method = p.fairness.method;
  if (const json* x = r.find("method"))
    rule.method = r.choice<DisparityMethod>("method", *x);
  if (const std::string* ref = p.fairness.reference_of(rule.sensitive)) rule.reference = *ref;
  if (const json* x = r.find("reference")) rule.reference = r.string("reference", *x);
  if (const json* x = r.find("group")) rule.group = r.string("group", *x);
  if (is_clarify(d) && rule.reference.empty())
    r.fail(r.path(), "uses the Clarify metric " + quoted_excerpt(metric.name) + ", which compares a group with a reference group; "
                     "add \"reference\" (or $.fairness.reference." + rule.sensitive + ")");
  if (!is_clarify(d) && (v.contains("reference") || v.contains("group")))
    r.fail(r.path(), "sets \"reference\"/\"group\", which only the Clarify metrics (DPPL, DI, ...) use");
  if (!rule.group.empty() && rule.group == rule.reference)
    r.fail(r.path_of("group"), "is the reference group itself");
}

// A drift rule: one statistic of one declared drift feature, judged on its value and
// without a subject; "feature" belongs to drift rules only.
void parse_drift_rule(ObjectReader& r, const json& v, const RuleMetric& metric, const Policy& p, Rule& rule) {
  if (!metric.drift) {
    if (metric.feature)
      r.fail(r.path_of("feature"), "applies to drift statistics (psi, ks_pvalue, ...), not to " + quoted_excerpt(metric.name));
    return;
  }
  if (!p.drift.enabled)
    r.fail(r.path_of("metric"), quoted_excerpt(metric.name) + " is a drift statistic; add a \"drift\" block with the "
                                "reference sample and its features");
  if (!metric.feature)
    r.fail(r.path(), "uses the drift statistic " + quoted_excerpt(metric.name) + "; add \"feature\": the column it compares");
  rule.drift = metric.drift;
  rule.feature = r.string("feature", *metric.feature);
  if (!p.drift.find(rule.feature)) {
    std::vector<std::string> names;
    for (const auto& f : p.drift.features) names.push_back(f.name);
    r.fail(r.path_of("feature"), quoted_excerpt(rule.feature) + " is not a drift feature (declared: " +
                                     declared_list(names) + ")" + did_you_mean(rule.feature, names));
  }
  const DriftFeature& f = *p.drift.find(rule.feature);
  const std::string_view needs = drift_statistic_needs(*metric.drift);
  if (!needs.empty() && f.type != FeatureType::automatic && name_of(f.type) != needs)
    r.fail(r.path_of("metric"), quoted_excerpt(metric.name) + " needs a " + std::string(needs) + " feature, but \"" +
                                    rule.feature + "\" is declared " + std::string(name_of(f.type)));
  if (v.contains("subject"))
    r.fail(r.path_of("subject"), "does not apply to a drift rule, which compares the reference sample with the "
                                 "evaluation data");
  if (v.contains("decide_on") && v["decide_on"] != "point")
    r.fail(r.path_of("decide_on"), "must be \"point\" for a drift rule: drift statistics are judged on their value");
  rule.decide_on = DecideOn::point;
}

// k: a whole number from 1 to 1000000, in the name ("ndcg@10") or as "k", not both.
std::size_t parse_k(ObjectReader& r, const RuleMetric& metric) {
  const json* k = r.find("k");
  if (k && metric.k_in_name)
    r.fail(r.path_of("k"), "repeats the k that " + quoted_excerpt(metric.name) + " already names");
  if (metric.k_in_name) {
    const std::string& text = *metric.k_in_name;
    const bool digits = !text.empty() && text.size() <= 7 && text[0] != '0' &&
                        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoul(text) > 1000000)
      r.fail(r.path_of("metric"), quoted_excerpt(metric.name) + " needs a whole number from 1 to 1000000 after '@'");
    return std::stoul(text);
  }
  if (!k->is_number_integer() || k->get<std::int64_t>() < 1 || k->get<std::int64_t>() > 1000000)
    r.fail(r.path_of("k"), "must be a whole number from 1 to 1000000");
  return static_cast<std::size_t>(k->get<std::int64_t>());
}

// The figure a model-metric rule names: its metric and the parameters the metric takes
// ("average" or "class" for a multiclass precision, recall or f1; "average" for a
// multiclass roc_auc; "k" for top_k_accuracy and the ranking metrics).
MetricInstance parse_metric_parameters(ObjectReader& r, const RuleMetric& metric, Task task) {
  const Metric m = *metric.model;
  const unsigned takes = metric_info(m).parameters;
  const json* average = r.find("average");
  const json* class_name = r.find("class");
  const std::pair<const json*, std::string_view> given[] = {{average, "average"}, {class_name, "class"},
                                                             {r.find("k"), "k"}};
  const unsigned flags[] = {kTakesAverage, kTakesClass, kTakesK};
  for (std::size_t i = 0; i < 3; ++i)
    if (given[i].first && (takes & flags[i]) == 0)
      r.fail(r.path_of(given[i].second), "does not apply to " + quoted_excerpt(metric.name) + " in the \"" +
                                             std::string(task_name(task)) + "\" task");
  if (average && class_name) r.fail(r.path(), "sets both \"average\" and \"class\"; a figure is one or the other");
  if ((metric.average_in_name || metric.class_in_name) && (average || class_name))
    r.fail(r.path(), "sets \"average\" or \"class\", which " + quoted_excerpt(metric.name) + " already names");
  MetricInstance out = metric_instance(m);
  if (average) out = metric_instance(m, r.choice<Average>("average", *average));
  if (metric.average_in_name) out = metric_instance(m, metric.average_in_name);
  if (metric.class_in_name) {
    if (metric.class_in_name->empty()) r.fail(r.path_of("metric"), quoted_excerpt(metric.name) + " names no class");
    out = metric_instance(m, std::nullopt, std::nullopt, *metric.class_in_name);
  }
  if (m == Metric::mc_roc_auc && out.average == Average::micro)
    r.fail(average ? r.path_of("average") : r.path_of("metric"),
           std::string(average ? "is \"micro\"" : quoted_excerpt(metric.name) + " averages \"micro\"") +
               "; a one-vs-rest roc_auc averages \"macro\" or \"weighted\"");
  if (class_name) {
    const std::string text = r.string("class", *class_name);
    if (text.empty()) r.fail(r.path_of("class"), "must name a class");
    out = metric_instance(m, std::nullopt, std::nullopt, text);
  }
  if ((takes & kTakesAverage) && !out.average && !out.class_name) {
    if (m == Metric::mc_roc_auc) out = metric_instance(m, Average::macro);
    else r.fail(r.path(), "judges " + quoted_excerpt(metric.name) + " of several classes; add \"average\" "
                          "(macro, micro or weighted) or \"class\"");
  }
  if (takes & kTakesK) {
    if (r.find("k") || metric.k_in_name) out = metric_instance(m, std::nullopt, parse_k(r, metric));
    else if (m == Metric::top_k_accuracy) out = metric_instance(m, std::nullopt, std::size_t{2});
  }
  return out;
}

// A model metric rule: the metric must be one of the policy task's.
void parse_metric_rule(ObjectReader& r, const RuleMetric& metric, const Policy& p, Rule& rule) {
  const Task task = p.task;
  if (!metric.model) {
    for (std::string_view key : {"average", "class", "k"})
      if (r.find(key)) r.fail(r.path_of(key), "applies to a model metric, not to " + quoted_excerpt(metric.name));
    return;
  }
  const Metric m = *metric.model;
  if (metric_info(m).needs_probabilities && p.columns.scores == ScoreKind::decision)
    r.fail(r.path_of("metric"), quoted_excerpt(metric.name) + " needs probabilities, but $.columns.scores is "
                                    "\"decision\"; judge a rank or threshold metric (roc_auc, accuracy, ...)");
  rule.metric = parse_metric_parameters(r, metric, task);
}

// A budget rule: latency, cost or error rate, measured for the models its subject involves.
void parse_budget_rule(const ObjectReader& r, const RuleMetric& metric, const Policy& p, Rule& rule) {
  if (!metric.budget) return;
  rule.budget = metric.budget;
  check_budget_source(r, rule, p);
}

// "min", "max" or both, in order.
void parse_bound(ObjectReader& r, const json& v, Rule& rule) {
  if (const json* x = r.find("min")) rule.min = r.number("min", *x);
  if (const json* x = r.find("max")) rule.max = r.number("max", *x);
  if (!rule.min && !rule.max) r.fail(r.path(), "needs \"min\", \"max\" or both");
  if (rule.min && rule.max && *rule.min > *rule.max)
    r.fail(r.path(), "has min " + json_excerpt(v["min"]) + " above max " + json_excerpt(v["max"]) + ": no value can pass");
}

// Which rows the rule judges, and, for each segment, how: the multiple-testing correction
// and what an insufficient segment means. Fairness, budget and drift rules have no scope.
void parse_rule_scope(ObjectReader& r, const Policy& p, const JsonSource& origin, Rule& rule) {
  if (const json* x = r.find("scope")) {
    if (rule.disparity) r.fail(r.path_of("scope"), "does not apply to a fairness rule, which compares groups");
    if (rule.budget || rule.drift)
      r.fail(r.path_of("scope"), "does not apply to a " + std::string(rule.budget ? "budget" : "drift") +
                                     " rule, which judges the whole sample");
    rule.scope = parse_scope(r, *x, p, origin);
  }
  if (const json* x = r.find("correction")) {
    if (rule.scope.kind != ScopeKind::each_segment)
      r.fail(r.path_of("correction"), "applies only to a rule with \"scope\": {\"each_segment\": ...}");
    if (rule.decide_on == DecideOn::point)
      r.fail(r.path_of("correction"), "adjusts confidence intervals; it has no effect with \"decide_on\": \"point\"");
    rule.correction = r.choice<Correction>("correction", *x);
  }
  if (const json* x = r.find("on_insufficient")) {
    if (rule.scope.kind == ScopeKind::overall)
      r.fail(r.path_of("on_insufficient"), "applies only to a rule scoped to segments");
    rule.on_insufficient = r.choice<OnInsufficient>("on_insufficient", *x);
  }
}

}  // namespace

// The families' checks run in a fixed order, so that a rule with several faults reports
// the same one every time: metric, fairness, drift, task, subject, budget, bound,
// decision, scope; keys are looked up in that order too (did-you-mean lists them so).
Rule parse_rule(const json& v, std::size_t index, const Policy& p, const JsonSource& origin) {
  ObjectReader r(v, "$.rules[" + std::to_string(index) + "]", origin);
  Rule rule;
  rule.id = r.string("id", r.require("id"));
  if (rule.id.empty()) r.fail(r.path_of("id"), "must not be empty");
  const RuleMetric metric = read_rule_metric(r, p.task);
  parse_fairness_rule(r, v, metric, p, rule);
  parse_drift_rule(r, v, metric, p, rule);
  parse_metric_rule(r, metric, p, rule);
  if (!rule.drift) rule.subject = r.choice<Subject>("subject", r.require("subject"));
  parse_budget_rule(r, metric, p, rule);
  parse_bound(r, v, rule);
  if (const json* x = r.find("decide_on"); x && !rule.drift)
    rule.decide_on = r.choice<DecideOn>("decide_on", *x);
  if (const json* x = r.find("severity"))
    rule.severity = r.choice<Severity>("severity", *x);
  parse_rule_scope(r, p, origin, rule);
  r.reject_unknown_keys();
  return rule;
}

}  // namespace referee
