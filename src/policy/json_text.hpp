#pragma once
// Reads the JSON text of a policy or a policy-cases file under the caps of limits.hpp:
// well-formed UTF-8 only, nesting bounded (nlohmann's DOM copy and dump recurse), every
// number within double range, no key given twice in one object (last-one-wins would let
// a reviewer read one threshold while the gate enforces another). Every error is a
// PolicyError that names the file, line and column, and quotes policy text only
// escaped and truncated (common/quoted.hpp).

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include <referee/limits.hpp>

namespace referee {

// Where a parsed document came from, and where in its text each JSON path begins, so
// that a message about "$.rules[2].min" can also say line 14, column 7.
struct JsonSource {
  struct Position {
    std::size_t line = 0, column = 0;
  };
  std::string name;  // the file, or "policy" for text handed over in memory
  std::unordered_map<std::string, Position> positions;

  // "name:line:column: " for `path` or its nearest enclosing path found in the text;
  // "name: " for a document built in memory.
  std::string locate(const std::string& path) const;
};

struct JsonText {
  nlohmann::json document;
  JsonSource source;
};

JsonText read_json_text(std::string_view text, std::string name, const Limits& limits);

// The nesting check of read_json_text for a document built in memory (parse_policy):
// the DOM's copy and dump recurse, so depth is bounded before either runs.
void check_json_depth(const nlohmann::json& document, const JsonSource& source, const Limits& limits);

// "$.parent.key", or "$.parent[\"odd key\"]" for a key that is not a plain word: the one
// spelling of a member's path, shared by the reader above and every policy message.
std::string json_member_path(const std::string& parent, std::string_view key);

// A JSON value for a message: a scalar as written (escaped, truncated), a container by
// its kind only.
std::string json_excerpt(const nlohmann::json& value);

}  // namespace referee
