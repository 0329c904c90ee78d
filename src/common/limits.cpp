#include <referee/limits.hpp>

#include <array>
#include <charconv>
#include <utility>

#include <referee/error.hpp>

#include "common/did_you_mean.hpp"

namespace referee {
namespace {

// The one name table: every door reads it, none keeps its own.
using LimitField = std::uint64_t Limits::*;
constexpr std::array<std::pair<std::string_view, LimitField>, 7> kLimits{{
    {"max_policy_bytes", &Limits::max_policy_bytes},
    {"max_json_depth", &Limits::max_json_depth},
    {"max_rules", &Limits::max_rules},
    {"max_segment_values", &Limits::max_segment_values},
    {"max_field_bytes", &Limits::max_field_bytes},
    {"max_record_bytes", &Limits::max_record_bytes},
    {"max_report_bytes", &Limits::max_report_bytes},
}};

LimitField field_of(std::string_view name) {
  for (const auto& [n, field] : kLimits)
    if (n == name) return field;
  throw UsageError("unknown limit " + quoted_excerpt(name) + did_you_mean(name, limit_names()) +
                   "; the limits are " + [] {
                     std::string all;
                     for (auto n : limit_names()) all += (all.empty() ? "" : ", ") + std::string(n);
                     return all;
                   }());
}

}  // namespace

const std::vector<std::string_view>& limit_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& entry : kLimits) v.push_back(entry.first);
    return v;
  }();
  return names;
}

void set_limit(Limits& limits, std::string_view name, std::uint64_t value) {
  const LimitField field = field_of(name);
  if (value == 0) throw UsageError("limit " + quoted_excerpt(name) + " must be a positive integer");
  limits.*field = value;
}

void set_limit(Limits& limits, std::string_view assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos)
    throw UsageError("--limit takes NAME=VALUE, for example max_segment_values=5000");
  const std::string_view name = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  field_of(name);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0)
    throw UsageError("limit " + quoted_excerpt(name) + " must be a positive integer");
  set_limit(limits, name, value);
}

std::uint64_t limit_value(const Limits& limits, std::string_view name) { return limits.*field_of(name); }

}  // namespace referee
