#pragma once
// A partition of the rows into groups: the segments of one segment column, of an
// intersection of columns ("region*channel"), or the groups of a sensitive attribute.
// The replicate engine updates one accumulator per group in the pass it already makes,
// so groups cost no extra pass over the data.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <referee/limits.hpp>
#include <referee/table.hpp>

namespace referee {

// "region*channel" -> {"region", "channel"}.
std::vector<std::string> split_segment_spec(std::string_view spec);

// {"north", "web"} -> "north*web": a segment's values as one label.
std::string joined_values(std::span<const std::string> values);

struct Grouping {
  std::string name;                          // the spec: "region" or "region*channel"
  std::vector<std::string> columns;          // the columns it combines
  std::vector<std::vector<std::string>> values;  // per group, one value per column; sorted
  std::vector<std::uint32_t> group_of_row;
  std::vector<std::size_t> rows;       // per group, unweighted row count
  std::vector<std::size_t> positives;  // per group, rows with label 1 (binary)

  std::size_t size() const { return values.size(); }
  // The group whose values are `values` (aligned with columns), or size() if none.
  std::size_t find(std::span<const std::string> values) const;
  // "north" or "north*web", for summaries.
  std::string value_text(std::size_t group) const;
};

// Builds the grouping of `spec` over the table's categorical columns. Groups are the
// observed combinations, ordered by their values, so the order never depends on row order.
// More than limits.max_segment_values groups is a DataError naming the cap,
// raised as soon as the count passes it: every group costs an accumulator per resample and
// a row in the report, so a free-text column must fail fast, not exhaust memory.
Grouping make_grouping(const Table& table, std::string_view spec, Task task, const Limits& limits);

}  // namespace referee
