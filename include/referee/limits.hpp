#pragma once
// The caps on everything a caller controls (SQLite's SQLITE_MAX_* in spirit): a hostile or
// mistaken input fails fast with an error naming the cap, instead of exhausting the
// stack, the memory or the disk. Each has a documented default (docs/security.md) and one
// name, read by the CLI's --limit, Python's limits=, the C API and SageMaker alike.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace referee {

struct Limits {
  std::uint64_t max_policy_bytes = std::uint64_t{16} << 20;  // a policy or cases file
  std::uint64_t max_json_depth = 64;                         // nesting of arrays and objects
  std::uint64_t max_rules = 10'000;                          // rules in one policy
  std::uint64_t max_segment_values = 1'000;  // distinct values of one segment/sensitive column
  std::uint64_t max_field_bytes = std::uint64_t{1} << 20;     // one CSV cell
  std::uint64_t max_record_bytes = std::uint64_t{16} << 20;   // one CSV record (line)
  std::uint64_t max_report_bytes = std::uint64_t{256} << 20;  // one rendered output
};

// The limits by name, in declaration order ("max_rules", ...).
const std::vector<std::string_view>& limit_names();

// Sets the limit called `name` (UsageError naming it, with a suggestion, when unknown or
// when value is zero). `text` forms parse "name=value" as the CLI's --limit takes it.
void set_limit(Limits& limits, std::string_view name, std::uint64_t value);
void set_limit(Limits& limits, std::string_view assignment);

// The value of the limit called `name` (UsageError when unknown).
std::uint64_t limit_value(const Limits& limits, std::string_view name);

}  // namespace referee
