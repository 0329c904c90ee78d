// The policy reader under hostile text (issue 14, class 1): nesting, numbers beyond
// double range, duplicate keys, non-UTF-8 bytes, control characters and sheer size all
// give a PolicyError with file, line and column, and quote policy text only escaped and
// truncated. The same reader serves the policy-cases file.

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include <referee/error.hpp>
#include <referee/limits.hpp>
#include <referee/policy.hpp>

#include "cases/policy_cases.hpp"
#include "test_support.hpp"

using namespace referee;
using referee_test::check_error;

namespace {

std::string example_policy() {
  std::ifstream in(std::string(REFEREE_SOURCE_DIR) + "/examples/gate.json", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The example policy with its first `from` replaced by `to`.
std::string example_with(const std::string& from, const std::string& to) {
  std::string text = example_policy();
  const auto at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  return text.replace(at, from.size(), to);
}

void rejected(const std::string& text, std::initializer_list<std::string> fragments, const Limits& limits = {}) {
  check_error<PolicyError>([&] { parse_policy_text(text, "gate.json", limits); }, fragments);
}

std::string message_of(const std::string& text) {
  try {
    parse_policy_text(text, "gate.json");
  } catch (const PolicyError& e) {
    return e.what();
  }
  FAIL("the policy was accepted");
  return {};
}

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("the example policy still parses under the default limits") {
  CHECK(parse_policy_text(example_policy(), "gate.json").rules.size() == 4);
}

TEST_CASE("nesting is bounded: 100,000 levels is a policy error, not a stack overflow") {
  rejected("{\"version\": " + nested(100000) + "}", {"gate.json:1:77:", "deeper than max_json_depth = 64"});
  rejected("{\"version\": 1, \"x\": " + nested(64) + "}", {"deeper than max_json_depth = 64"});
  Limits deeper;
  deeper.max_json_depth = 200;
  // 100 levels pass the reader with the limit raised; the policy is then wrong in shape.
  rejected("{\"version\": " + nested(100) + "}", {"$.version is an array"}, deeper);
  // A document built in memory is checked without recursion too.
  nlohmann::json deep = nlohmann::json::array();
  for (int i = 0; i < 100000; ++i) deep = nlohmann::json::array({std::move(deep)});
  check_error<PolicyError>([&] { parse_policy(nlohmann::json{{"version", std::move(deep)}}); }, {"max_json_depth"});
}

TEST_CASE("a number beyond double range is a policy error with its position") {
  rejected(example_with("\"resamples\": 2000", "\"resamples\": 1e400"),
           {"gate.json:", "the number \"1e400\" is beyond the range of a double"});
  rejected("{\n  \"version\": 1e999\n}", {"gate.json:2:", "\"1e999\""});
  rejected("{\"version\": -1e999}", {"beyond the range"});
}

TEST_CASE("a key given twice is refused with its JSON path, line and column") {
  const std::string text = example_with("\"min\": -0.005", "\"min\": -0.05, \"min\": 0.99");
  rejected(text, {"$.rules[0].min is given twice"});
  // Line and column are those of the second key, where an editor should jump.
  const auto at = text.find("\"min\": 0.99");
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  const auto column = at - text.rfind('\n', at);
  rejected(text, {"gate.json:" + std::to_string(line) + ":" + std::to_string(column) + ": $.rules[0].min"});
  rejected("{\"version\": 1, \"version\": 1}", {"$.version is given twice"});
}

TEST_CASE("a policy that is not UTF-8 is a policy error naming the byte's position, never the byte") {
  const std::string message = message_of("{\n  \"name\": \"caf\xE9\",\n  \"version\": 1}");
  CHECK(message.find("gate.json:2:15: is not valid UTF-8") != std::string::npos);
  CHECK(message.find('\xE9') == std::string::npos);
  // A truncated sequence at the very end, and an overlong form.
  rejected("{\"version\": 1}\xE2\x82", {"not valid UTF-8"});
  rejected("{\"name\": \"\xC0\xAF\"}", {"not valid UTF-8"});
}

TEST_CASE("policy text in a message is escaped and truncated") {
  const std::string message = message_of(example_with("\"binary\"", "\"\\u001b]0;pwned\\u0007" + std::string(5000, 'x') + "\""));
  CHECK(message.find('\x1b') == std::string::npos);
  CHECK(message.find('\x07') == std::string::npos);
  CHECK(message.find("\\x1B]0;pwned\\x07") != std::string::npos);
  CHECK(message.find("(5010 bytes)") != std::string::npos);
  CHECK(message.size() < 400);
  // A bidirectional override (U+202E) cannot reorder the message around it.
  const std::string bidi = message_of(example_with("\"binary\"", "\"bin\\u202Eary\""));
  CHECK(bidi.find("\xE2\x80\xAE") == std::string::npos);
  CHECK(bidi.find("\\xE2\\x80\\xAE") != std::string::npos);
  // An unknown key with control characters appears in its path escaped.
  rejected(example_with("\"name\"", "\"na\\nme\""), {"$[\"na\\x0Ame\"] is not a known key"});
  // A scalar in the wrong place is quoted as written, not dumped whole.
  rejected("{\"version\": \"" + std::string(100000, 'v') + "\"}", {"$.version is \"vvvv", "(100000 bytes)"});
}

TEST_CASE("the size and rule caps fail fast and name the cap") {
  Limits small;
  small.max_policy_bytes = 100;
  rejected(example_policy(), {"bytes, larger than max_policy_bytes = 100", "--limit max_policy_bytes"}, small);
  Limits few;
  few.max_rules = 2;
  rejected(example_policy(), {"$.rules has 4 rules, more than max_rules = 2", "--limit max_rules"}, few);
  few.max_rules = 4;
  CHECK(parse_policy_text(example_policy(), "gate.json", few).rules.size() == 4);
}

TEST_CASE("semantic errors carry the line and column of the member they name") {
  const std::string text = example_with("\"roc_auc\"", "\"roc_acu\"");
  const auto at = text.find("\"metric\": \"roc_acu\"");
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  rejected(text, {"gate.json:" + std::to_string(line) + ":", "$.rules[0].metric", "did you mean \"roc_auc\""});
  // A required key that is missing points at its enclosing object.
  rejected("{\n\"version\": 1,\n\"task\": \"binary\",\n\"columns\": {\"champion\": \"a\", \"challenger\": \"b\"}}",
           {"gate.json:4:1: $.columns.label is required"});
}

TEST_CASE("the limits have one name table, and a bad name or value is a usage error") {
  Limits limits;
  set_limit(limits, "max_rules=5");
  CHECK(limits.max_rules == 5);
  set_limit(limits, "max_json_depth", 10);
  CHECK(limit_value(limits, "max_json_depth") == 10);
  CHECK(limit_names().size() == 7);
  check_error<UsageError>([&] { set_limit(limits, "max_rule=5"); }, {"unknown limit \"max_rule\"", "did you mean \"max_rules\""});
  check_error<UsageError>([&] { set_limit(limits, "max_rules=0"); }, {"positive integer"});
  check_error<UsageError>([&] { set_limit(limits, "max_rules=-1"); }, {"positive integer"});
  check_error<UsageError>([&] { set_limit(limits, "max_rules"); }, {"NAME=VALUE"});
  check_error<UsageError>([&] { set_limit(limits, "max_rules=99999999999999999999999"); }, {"positive integer"});
}

TEST_CASE("the policy-cases file is read by the same reader") {
  const Policy policy = parse_policy_text(example_policy(), "gate.json");
  check_error<PolicyError>([&] { run_policy_cases_text(policy, "{\"cases\": " + nested(1000) + "}", "gate.cases.json"); },
                           {"gate.cases.json:1:", "max_json_depth"});
  check_error<PolicyError>(
      [&] { run_policy_cases_text(policy, "{\"cases\": [{\"expect\": \"PASS\", \"expect\": \"FAIL\"}]}", "c.json"); },
      {"c.json:1:", "$.cases[0].expect is given twice"});
  check_error<PolicyError>([&] { run_policy_cases_text(policy, "{\"cases\": [1e999]}", "c.json"); }, {"beyond the range"});
  check_error<PolicyError>([&] { run_policy_cases_text(policy, "{\"cases\": [{\"expect\": \"PASS\", \"rules\": {\"\\u001b\": \"PASS\"}}]}", "c.json"); },
                           {"$.cases[0].rules[\"\\x1B\"] is not a rule of the policy"});
  check_error<PolicyError>([&] { parse_case_expectation_text(policy, "{\"expect\": \"PAS\"", "expected"); },
                           {"expected:1:", "invalid JSON"});
}
