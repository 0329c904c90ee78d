#pragma once
// How a message names a cap it enforces: the cap's value and how to raise it, in one
// wording for every cap (limits.hpp).

#include <string>
#include <string_view>

#include <referee/limits.hpp>

namespace referee {

inline std::string limit_text(const Limits& limits, std::string_view name) {
  const std::string n(name);
  return n + " = " + std::to_string(limit_value(limits, name)) + " (raise it with --limit " + n + "=N)";
}

}  // namespace referee
