#pragma once
// The facts of round 0 and the plan built from them (docs/partitioned.md), with the serial
// header every partial state starts with.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <referee/limits.hpp>
#include <referee/partitioned.hpp>
#include <referee/policy.hpp>
#include <referee/table.hpp>

#include "accumulate/exact_sum.hpp"
#include "common/byte_stream.hpp"
#include "estimate/quantities.hpp"

namespace referee::partitioned {

// What no partition knows alone. Units are kept while there are at most
// kMaxJackknifeGroups of them (the jackknife then leaves one out, by rank of key).
struct Facts {
  std::uint64_t rows = 0;
  double max_weight = 0.0;
  // The largest |label| and |prediction| and the exact sum of the labels: regression scales
  // its values by the one and centres its labels by the other (regression_accumulator.hpp).
  double max_value = 0.0;
  // The largest |label|: the ranking task scales relevance by it (ranking_task.cpp).
  double max_label = 0.0;
  ExactSum label_sum;
  // The multiclass task's classes, in class order (every partition names the same ones).
  std::vector<std::string> classes;
  std::vector<std::uint64_t> unit_keys;  // sorted, distinct; cleared once more_units
  bool more_units = false;
  struct GroupingValues {
    std::string name;
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> values;  // sorted, distinct
  };
  std::vector<GroupingValues> groupings;  // segments, then sensitive attributes
};

Facts facts_of(const Table& part, const Policy& policy, const Limits& limits);
void add_facts(Facts& into, const Facts& other, const Limits& limits);
void write_facts(ByteWriter& out, const Facts& f);
Facts read_facts(ByteReader& in, const Limits& limits);

// A parsed plan.
struct Plan {
  std::string bytes;                 // as made: plans compare by their bytes
  std::array<std::uint8_t, 32> id{};  // SHA-256 of the bytes: every state names it
  Policy policy;
  std::optional<std::uint64_t> seed;
  Facts facts;

  BootstrapSettings bootstrap() const;
  std::size_t jackknife_groups() const;
  std::size_t jackknife_units() const;  // the units the jackknife counts (257 stands for "more")
};

Plan read_plan(std::string_view bytes, const Limits& limits = {});


// The header of every state: format, kind, plan (or, for facts, policy) id. A model pass's
// share is `ranked` (whether or not the pass ranks its rows); `totals` is round 1 of a
// ranked pass, and the above round 2 reads; `budget` a serving-budget pass's state.
enum class StateKind : std::uint8_t { facts = 1, ranked = 2, rows = 3, totals = 4, budget = 5 };
void write_header(ByteWriter& out, StateKind kind, const std::array<std::uint8_t, 32>& id);
StateKind read_header(ByteReader& in, std::array<std::uint8_t, 32>& id);
// Refuses a state whose header names another plan than `plan` (a DataError at its byte).
void check_plan(const Plan& plan, const std::array<std::uint8_t, 32>& id, ByteReader& in);

// A ranked pass's partition: its place among round 1's states, its first and last bucket.
struct RankedRange {
  std::size_t index;
  std::uint64_t first, last;
};
// The partitions in rank order (by first bucket), for aboves(): two that share a bucket are
// refused (a UsageError: "two partitions of the <pass> pass share <kind> bucket N").
std::vector<RankedRange> rank_order(std::vector<RankedRange> ranges, std::string_view pass, std::string_view kind);

// The 32 raw bytes of a hex SHA-256.
std::array<std::uint8_t, 32> raw_digest(std::string_view hex);

}  // namespace referee::partitioned
