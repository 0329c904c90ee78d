#pragma once
// The policy parser's reader of one JSON object: every message names the JSON path, and
// a key nobody asked for is an error. Shared by the policy's sections (policy.cpp) and
// its rules (rule_parser.cpp).

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/did_you_mean.hpp"
#include "common/quoted.hpp"
#include "policy/json_text.hpp"
#include <referee/error.hpp>
#include <referee/vocabulary.hpp>

namespace referee {

// Reads one JSON object, remembering its path for messages, and rejects keys that
// nobody asked for: a misspelt optional key would otherwise be silently ignored.
class ObjectReader {
 public:
  const JsonSource& source() const { return origin_; }
  ObjectReader(const nlohmann::json& object, std::string path, const JsonSource& origin)
      : object_(object), path_(std::move(path)), origin_(origin) {
    if (!object_.is_object()) fail(path_, "must be an object");
  }

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw PolicyError(origin_.locate(path) + path + " " + what);
  }
  const std::string& path() const { return path_; }
  std::string path_of(std::string_view key) const { return json_member_path(path_, key); }

  const nlohmann::json* find(std::string_view key) {
    known_.emplace_back(key);
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  const nlohmann::json& require(std::string_view key) {
    const nlohmann::json* v = find(key);
    if (!v) fail(path_of(key), "is required");
    return *v;
  }

  std::string string(std::string_view key, const nlohmann::json& v) const {
    if (!v.is_string()) fail(path_of(key), "must be a string");
    return v.get<std::string>();
  }
  double number(std::string_view key, const nlohmann::json& v) const {
    if (!v.is_number()) fail(path_of(key), "must be a number");
    return v.get<double>();
  }

  // One of an enum's policy words (its one name table, vocabulary.hpp), from `first` on.
  template <class Enum>
  Enum choice(std::string_view key, const nlohmann::json& v, std::size_t first = 0) const {
    const std::string word = string(key, v);
    const auto& all = EnumNames<Enum>::names;
    for (std::size_t i = first; i < all.size(); ++i)
      if (all[i] == word) return static_cast<Enum>(i);
    const std::vector<std::string_view> names(all.begin() + static_cast<std::ptrdiff_t>(first), all.end());
    std::string list;
    for (auto name : names) list += (list.empty() ? "" : ", ") + std::string(name);
    fail(path_of(key), "is " + quoted_excerpt(word) + ", expected one of " + list + did_you_mean(word, names));
  }

  // Call after every find/require: anything left is unknown.
  void reject_unknown_keys() const {
    for (const auto& [key, value] : object_.items()) {
      if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
      fail(path_of(key), "is not a known key" + did_you_mean(key, known_));
    }
  }

 private:
  const nlohmann::json& object_;
  std::string path_;
  const JsonSource& origin_;
  std::vector<std::string> known_;
};

}  // namespace referee
