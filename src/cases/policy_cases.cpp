#include "cases/policy_cases.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "decide/decision.hpp"
#include "common/did_you_mean.hpp"
#include "common/quoted.hpp"
#include "policy/json_text.hpp"
#include <referee/error.hpp>
#include <referee/evaluate.hpp>

namespace referee {

namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const JsonSource& origin, const std::string& path, const std::string& what) {
  throw PolicyError(origin.locate(path) + path + " " + what);
}

// A verdict word: the gate's own verdict is never SKIPPED; a rule's may be.
Verdict verdict_from(const JsonSource& origin, const std::string& path, const json& v, bool rule) {
  const auto& names = EnumNames<Verdict>::names;
  const std::size_t count = rule ? names.size() : names.size() - 1;
  if (v.is_string())
    for (std::size_t i = 0; i < count; ++i)
      if (v.get<std::string>() == names[i]) return static_cast<Verdict>(i);
  std::string list;
  for (std::size_t i = 0; i < count; ++i) list += (i ? ", " : "") + std::string(names[i]);
  fail(origin, path, "must be one of " + list);
}

std::vector<double> numbers(const JsonSource& origin, const std::string& path, const json& v) {
  if (!v.is_array()) fail(origin, path, "must be an array");
  std::vector<double> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_number()) fail(origin, path + "[" + std::to_string(i) + "]", "must be a number");
    out.push_back(v[i].get<double>());
  }
  return out;
}

std::vector<std::string> texts(const JsonSource& origin, const std::string& path, const json& v) {
  if (!v.is_array()) fail(origin, path, "must be an array");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i].is_string()) out.push_back(v[i].get<std::string>());
    else if (v[i].is_number_integer() || v[i].is_boolean()) out.push_back(v[i].dump());
    else fail(origin, path + "[" + std::to_string(i) + "]", "must be a string, an integer or a boolean");
  }
  return out;
}

// An inline table: {"column": [values...]}, the policy's columns read by name.
Table inline_table(const Policy& policy, const json& data, const JsonSource& origin, const std::string& path) {
  if (!data.is_object()) fail(origin, path, "must be an object of columns");
  const auto column = [&](const std::string& name) -> const json& {
    const auto it = data.find(name);
    if (it == data.end()) {
      std::vector<std::string> present;
      for (const auto& [key, value] : data.items()) present.push_back(key);
      fail(origin, path, "has no column " + quoted_excerpt(name) + did_you_mean(name, present));
    }
    return *it;
  };
  std::vector<std::string> present;
  for (const auto& item : data.items()) present.push_back(item.key());
  const ColumnNames columns = resolve_class_columns(policy.columns, present, origin.name + " " + path);
  std::optional<TableBuilder> builder;
  for (const ColumnRequest& request : requested_columns(columns)) {
    const std::string at = path + "." + request.name;
    if (request.kind == ColumnKind::numeric) {
      std::vector<double> values = numbers(origin, at, column(request.name));
      if (!builder) builder.emplace(values.size(), origin.name + " " + path);
      builder->add_numeric(request.name, std::move(values));
    } else {
      EncodedText encoded = encode_text(texts(origin, at, column(request.name)));
      if (!builder) builder.emplace(encoded.codes.size(), origin.name + " " + path);
      builder->add_text(request.name, std::move(encoded.codes), std::move(encoded.dictionary));
    }
  }
  return std::move(*builder).build(columns, policy.task);
}

// Summary figures: {"rule-id": {"estimate": x, "ci": [lo, hi]}}, decided by the rule logic.
std::vector<std::pair<Verdict, std::string>> decide_figures(const Policy& policy, const json& figures,
                                                            const JsonSource& origin, const std::string& path) {
  if (!figures.is_object()) fail(origin, path, "must be an object: rule id -> {estimate, ci}");
  // Named, not a structured binding: Clang before 16 cannot capture one in a lambda.
  for (const auto& item : figures.items()) {
    const std::string& id = item.key();
    if (std::none_of(policy.rules.begin(), policy.rules.end(), [&](const Rule& r) { return r.id == id; })) {
      std::vector<std::string> ids;
      for (const Rule& r : policy.rules) ids.push_back(r.id);
      fail(origin, json_member_path(path, id), "is not a rule of the policy" + did_you_mean(id, ids));
    }
  }
  std::vector<std::pair<Verdict, std::string>> out;
  for (const Rule& rule : policy.rules) {
    const std::string rule_path = path + "." + rule.id;
    const auto it = figures.find(rule.id);
    if (it == figures.end()) fail(origin, rule_path, "is missing: give every rule's figures");
    if (!it->is_object() || !it->contains("estimate")) fail(origin, rule_path, "needs \"estimate\" (and \"ci\")");
    Estimate e;
    const json& estimate = (*it)["estimate"];
    if (estimate.is_null()) {
      e.point = MetricValue::undefined("the case gives no estimate");
    } else if (estimate.is_number()) {
      e.point = MetricValue::of(estimate.get<double>());
    } else {
      fail(origin, rule_path + ".estimate", "must be a number or null");
    }
    if (const auto ci = it->find("ci"); ci != it->end() && !ci->is_null()) {
      const auto bounds = numbers(origin, rule_path + ".ci", *ci);
      if (bounds.size() != 2 || bounds[0] > bounds[1]) fail(origin, rule_path + ".ci", "must be [lo, hi] with lo <= hi");
      e.ci = Interval::of(bounds[0], bounds[1]);
    } else {
      e.ci = Interval::undefined("the case gives no interval");
    }
    RuleDecision d = decide_rule(rule, e);
    out.emplace_back(d.verdict, std::move(d.reason));
  }
  return out;
}

CaseExpectation parse_expectation(const Policy& policy, const json& c, const JsonSource& origin, const std::string& path) {
  CaseExpectation expected;
  if (c.contains("expect")) expected.verdict = verdict_from(origin, path + ".expect", c["expect"], false);
  if (!c.contains("rules")) return expected;
  const json& rules = c["rules"];
  if (!rules.is_object()) fail(origin, path + ".rules", "must be an object: rule id -> verdict");
  for (const auto& item : rules.items()) {
    const std::string& id = item.key();
    const json& value = item.value();
    const auto at = std::find_if(policy.rules.begin(), policy.rules.end(), [&](const Rule& r) { return r.id == id; });
    if (at == policy.rules.end()) {
      std::vector<std::string> ids;
      for (const Rule& r : policy.rules) ids.push_back(r.id);
      fail(origin, json_member_path(path + ".rules", id), "is not a rule of the policy" + did_you_mean(id, ids));
    }
    expected.rules.emplace_back(static_cast<std::size_t>(at - policy.rules.begin()),
                                verdict_from(origin, json_member_path(path + ".rules", id), value, true));
  }
  return expected;
}

}  // namespace

std::vector<std::string> case_differences(const Policy& policy, const CaseExpectation& expected, Verdict got,
                                          std::span<const std::pair<Verdict, std::string>> rules) {
  std::vector<std::string> differences;
  if (expected.verdict && got != *expected.verdict)
    differences.push_back("verdict: expected " + std::string(verdict_name(*expected.verdict)) + ", got " +
                          std::string(verdict_name(got)));
  for (const auto& [k, want] : expected.rules) {
    const auto& [have, reason] = rules[k];
    if (want != have)
      differences.push_back("rule " + policy.rules[k].id + ": expected " + std::string(verdict_name(want)) +
                            ", got " + std::string(verdict_name(have)) + " (" + reason + ")");
  }
  return differences;
}

namespace {

std::vector<PolicyCaseResult> run_cases(const Policy& policy, const json& document, const JsonSource& origin) {
  if (!document.is_object() || !document.contains("cases") || !document["cases"].is_array() ||
      document["cases"].empty())
    fail(origin, "$", "must be {\"cases\": [...]} with at least one case");
  std::vector<PolicyCaseResult> results;
  std::optional<DriftReference> reference;  // read once, at the first case with data
  const json& cases = document["cases"];
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string path = "$.cases[" + std::to_string(i) + "]";
    const json& c = cases[i];
    if (!c.is_object()) fail(origin, path, "must be an object");
    for (const auto& [key, value] : c.items())
      if (key != "name" && key != "data" && key != "figures" && key != "expect" && key != "rules")
        fail(origin, json_member_path(path, key), "is not a known key" +
                                           did_you_mean(key, std::vector<std::string>{"name", "data", "figures",
                                                                                      "expect", "rules"}));
    PolicyCaseResult result;
    result.name = c.contains("name") && c["name"].is_string() ? c["name"].get<std::string>() : path;
    if (!c.contains("expect")) fail(origin, path, "needs \"expect\": the expected verdict");
    const CaseExpectation expected = parse_expectation(policy, c, origin, path);
    if (c.contains("data") == c.contains("figures"))
      fail(origin, path, "needs exactly one of \"data\" (an inline table) or \"figures\" (estimates and CIs per rule)");

    std::vector<std::pair<Verdict, std::string>> rules;
    Verdict got;
    if (c.contains("data")) {
      const Table table = inline_table(policy, c["data"], origin, path + ".data");
      EvaluateOptions options;
      options.threads = 1;
      if (policy.drift.enabled) {
        if (!reference) reference = read_drift_reference(policy);
        options.drift_reference = &*reference;
      }
      const Evaluation ev = evaluate(table, policy, options);
      for (const RuleResult& r : ev.rules) rules.emplace_back(r.verdict, r.reason);
      got = ev.verdict;
    } else {
      rules = decide_figures(policy, c["figures"], origin, path + ".figures");
      std::vector<RuleOutcome> outcomes;
      for (std::size_t k = 0; k < rules.size(); ++k) outcomes.push_back({policy.rules[k].severity, rules[k].first});
      got = overall_verdict(outcomes, policy.on_inconclusive);
    }
    result.verdict = std::string(verdict_name(got));
    result.differences = case_differences(policy, expected, got, rules);
    result.held = result.differences.empty();
    results.push_back(std::move(result));
  }
  return results;
}

JsonSource in_memory(std::string_view origin) {
  JsonSource source;
  source.name = std::string(origin);
  return source;
}

}  // namespace

CaseExpectation parse_case_expectation(const Policy& policy, const json& c, std::string_view origin,
                                       const std::string& path) {
  return parse_expectation(policy, c, in_memory(origin), path);
}

CaseExpectation parse_case_expectation_text(const Policy& policy, std::string_view text, std::string_view origin,
                                            const Limits& limits) {
  const JsonText parsed = read_json_text(text, std::string(origin), limits);
  return parse_expectation(policy, parsed.document, parsed.source, "$");
}

std::vector<PolicyCaseResult> run_policy_cases(const Policy& policy, const json& cases, std::string_view origin) {
  return run_cases(policy, cases, in_memory(origin));
}

std::vector<PolicyCaseResult> run_policy_cases_text(const Policy& policy, std::string_view text,
                                                    std::string_view origin, const Limits& limits) {
  const JsonText parsed = read_json_text(text, std::string(origin), limits);
  return run_cases(policy, parsed.document, parsed.source);
}

}  // namespace referee
