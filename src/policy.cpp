#include <referee/policy.hpp>

#include <array>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <referee/did_you_mean.hpp>
#include <referee/error.hpp>
#include <referee/sha256.hpp>

namespace referee {

std::string_view subject_name(Subject s) {
  constexpr std::array<std::string_view, 4> names{"champion", "challenger", "delta",
                                                  "relative_delta"};
  return names[static_cast<std::size_t>(s)];
}
std::string_view interval_name(IntervalMethod m) {
  constexpr std::array<std::string_view, 3> names{"percentile", "basic", "bca"};
  return names[static_cast<std::size_t>(m)];
}
std::string_view scheme_name(ResamplingScheme s) {
  return s == ResamplingScheme::poisson ? "poisson" : "multinomial";
}
std::string_view on_inconclusive_name(OnInconclusive o) {
  constexpr std::array<std::string_view, 3> names{"fail", "warn", "pass"};
  return names[static_cast<std::size_t>(o)];
}

namespace {

using json = nlohmann::json;

// Reads one JSON object, remembering its path for messages, and rejects keys that
// nobody asked for: a misspelt optional key would otherwise be silently ignored.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string path, std::string_view origin)
      : object_(object), path_(std::move(path)), origin_(origin) {
    if (!object_.is_object()) fail(path_, "must be an object");
  }

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw PolicyError(std::string(origin_) + ": " + path + " " + what);
  }
  std::string path_of(std::string_view key) const { return path_ + "." + std::string(key); }

  const json* find(std::string_view key) {
    known_.emplace_back(key);
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  const json& require(std::string_view key) {
    const json* v = find(key);
    if (!v) fail(path_of(key), "is required");
    return *v;
  }

  std::string string(std::string_view key, const json& v) const {
    if (!v.is_string()) fail(path_of(key), "must be a string");
    return v.get<std::string>();
  }
  double number(std::string_view key, const json& v) const {
    if (!v.is_number()) fail(path_of(key), "must be a number");
    return v.get<double>();
  }

  // One of a fixed set of words.
  template <class Enum, std::size_t N>
  Enum choice(std::string_view key, const json& v,
              const std::array<std::pair<std::string_view, Enum>, N>& options) const {
    const std::string word = string(key, v);
    std::vector<std::string_view> names;
    for (const auto& [name, value] : options) {
      if (name == word) return value;
      names.push_back(name);
    }
    std::string list;
    for (auto name : names) list += (list.empty() ? "" : ", ") + std::string(name);
    fail(path_of(key), "is \"" + word + "\", expected one of " + list + did_you_mean(word, names));
  }

  // Call after every find/require: anything left is unknown.
  void reject_unknown_keys() const {
    for (const auto& [key, value] : object_.items()) {
      if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
      fail(path_of(key), "is not a known key" + did_you_mean(key, known_));
    }
  }

 private:
  const json& object_;
  std::string path_;
  std::string_view origin_;
  std::vector<std::string> known_;
};

ColumnNames parse_columns(const json& v, std::string_view origin) {
  ObjectReader r(v, "$.columns", origin);
  ColumnNames c;
  c.label = r.string("label", r.require("label"));
  c.champion = r.string("champion", r.require("champion"));
  c.challenger = r.string("challenger", r.require("challenger"));
  if (const json* w = r.find("weight")) c.weight = r.string("weight", *w);
  if (const json* k = r.find("cluster")) c.cluster = r.string("cluster", *k);
  r.reject_unknown_keys();

  const std::array<std::pair<std::string_view, const std::string*>, 5> roles{
      {{"label", &c.label},
       {"champion", &c.champion},
       {"challenger", &c.challenger},
       {"weight", &c.weight},
       {"cluster", &c.cluster}}};
  for (std::size_t i = 0; i < roles.size(); ++i) {
    if (roles[i].second->empty()) {
      if (i < 3 || v.contains(roles[i].first))
        r.fail(r.path_of(roles[i].first), "must not be empty");
      continue;
    }
    for (std::size_t j = 0; j < i; ++j)
      if (*roles[j].second == *roles[i].second)
        r.fail(r.path_of(roles[i].first), "names column \"" + *roles[i].second +
                                              "\", which is already the " +
                                              std::string(roles[j].first) + " column");
  }
  return c;
}

BootstrapSettings parse_bootstrap(const json& v, std::string_view origin) {
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
    b.interval = r.choice<IntervalMethod, 3>("interval", *x,
                                              {{{"percentile", IntervalMethod::percentile},
                                                {"basic", IntervalMethod::basic},
                                                {"bca", IntervalMethod::bca}}});
  if (const json* x = r.find("scheme"))
    b.scheme = r.choice<ResamplingScheme, 2>("scheme", *x,
                                             {{{"poisson", ResamplingScheme::poisson},
                                               {"multinomial", ResamplingScheme::multinomial}}});
  if (const json* x = r.find("seed")) {
    if (!x->is_number_unsigned() && !(x->is_number_integer() && x->get<std::int64_t>() >= 0))
      r.fail(r.path_of("seed"), "must be a non-negative integer");
    b.seed = x->get<std::uint64_t>();
  }
  r.reject_unknown_keys();
  return b;
}

std::vector<std::string> metric_names(Task task) {
  std::vector<std::string> names;
  for (const auto& info : task_metrics(task)) names.emplace_back(info.name);
  return names;
}

Rule parse_rule(const json& v, std::size_t index, Task task, std::string_view origin) {
  const std::string path = "$.rules[" + std::to_string(index) + "]";
  ObjectReader r(v, path, origin);
  Rule rule;
  rule.id = r.string("id", r.require("id"));
  if (rule.id.empty()) r.fail(r.path_of("id"), "must not be empty");

  const std::string metric = r.string("metric", r.require("metric"));
  const auto m = metric_from_name(metric);
  if (!m) {
    std::vector<std::string> all;
    for (const auto& info : kMetricCatalogue) all.emplace_back(info.name);
    r.fail(r.path_of("metric"), "\"" + metric + "\" is not a known metric" +
                                    did_you_mean(metric, all));
  }
  if (metric_info(*m).task != task) {
    std::string list;
    for (const auto& name : metric_names(task)) list += (list.empty() ? "" : ", ") + name;
    r.fail(r.path_of("metric"), "\"" + metric + "\" is a " +
                                    std::string(task_name(metric_info(*m).task)) +
                                    " metric, but the task is \"" + std::string(task_name(task)) +
                                    "\" (its metrics: " + list + ")");
  }
  rule.metric = *m;
  rule.subject = r.choice<Subject, 4>("subject", r.require("subject"),
                                      {{{"champion", Subject::champion},
                                        {"challenger", Subject::challenger},
                                        {"delta", Subject::delta},
                                        {"relative_delta", Subject::relative_delta}}});
  if (const json* x = r.find("min")) rule.min = r.number("min", *x);
  if (const json* x = r.find("max")) rule.max = r.number("max", *x);
  if (!rule.min && !rule.max) r.fail(path, "needs \"min\", \"max\" or both");
  if (rule.min && rule.max && *rule.min > *rule.max)
    r.fail(path, "has min " + v["min"].dump() + " above max " + v["max"].dump() +
                     ": no value can pass");
  if (const json* x = r.find("decide_on"))
    rule.decide_on = r.choice<DecideOn, 2>(
        "decide_on", *x, {{{"interval", DecideOn::interval}, {"point", DecideOn::point}}});
  if (const json* x = r.find("severity"))
    rule.severity = r.choice<Severity, 2>("severity", *x,
                                          {{{"block", Severity::block}, {"warn", Severity::warn}}});
  r.reject_unknown_keys();
  return rule;
}

}  // namespace

Policy parse_policy(const json& document, std::string_view origin) {
  ObjectReader r(document, "$", origin);
  Policy p;
  const json& version = r.require("version");
  if (!version.is_number_integer() || version.get<std::int64_t>() != 1)
    r.fail("$.version", "is " + version.dump() + "; this referee reads policy version 1");
  if (const json* x = r.find("name")) p.name = r.string("name", *x);
  p.task = r.choice<Task, 2>("task", r.require("task"),
                             {{{"binary", Task::binary}, {"regression", Task::regression}}});
  p.columns = parse_columns(r.require("columns"), origin);
  if (const json* x = r.find("threshold")) {
    if (p.task != Task::binary) r.fail("$.threshold", "applies only to the binary task");
    p.threshold = r.number("threshold", *x);
    if (!(p.threshold >= 0.0 && p.threshold <= 1.0))
      r.fail("$.threshold", "must be within [0, 1]");
  }
  if (const json* x = r.find("bootstrap")) p.bootstrap = parse_bootstrap(*x, origin);
  if (const json* x = r.find("on_inconclusive"))
    p.on_inconclusive = r.choice<OnInconclusive, 3>("on_inconclusive", *x,
                                                    {{{"fail", OnInconclusive::fail},
                                                      {"warn", OnInconclusive::warn},
                                                      {"pass", OnInconclusive::pass}}});
  const json& rules = r.require("rules");
  if (!rules.is_array() || rules.empty())
    r.fail("$.rules", "must be a non-empty array: a gate without rules cannot decide");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    Rule rule = parse_rule(rules[i], i, p.task, origin);
    if (!ids.insert(rule.id).second)
      r.fail("$.rules[" + std::to_string(i) + "].id", "\"" + rule.id + "\" is used twice");
    p.rules.push_back(std::move(rule));
  }
  r.reject_unknown_keys();
  p.source = document;
  p.sha256 = sha256_hex(document.dump());
  return p;
}

Policy parse_policy_text(std::string_view text, std::string_view origin) {
  json document;
  try {
    document = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // nlohmann reports a byte offset; a line and column are what an editor shows.
    const std::size_t offset = std::min<std::size_t>(e.byte, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < offset; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = e.what();
    const auto colon = what.rfind(": ");
    throw PolicyError(std::string(origin) + ":" + std::to_string(line) + ":" +
                      std::to_string(column) + ": invalid JSON: " +
                      (colon == std::string::npos ? what : what.substr(colon + 2)));
  }
  return parse_policy(document, origin);
}

Policy load_policy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path))
    throw IoError(path.string() + ": cannot open the policy file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_policy_text(text.str(), path.string());
}

}  // namespace referee
