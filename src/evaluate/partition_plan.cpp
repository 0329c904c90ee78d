#include "evaluate/partition_plan.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <referee/error.hpp>

#include "accumulate/exact_sum_serial.hpp"
#include "accumulate/power_of_two_scale.hpp"
#include "common/limit_text.hpp"
#include "common/quoted.hpp"
#include "evaluate/estimation.hpp"
#include "io/sha256.hpp"
#include "resample/resample_weights.hpp"
#include "tasks/task_definition.hpp"

namespace referee::partitioned {

namespace {

constexpr std::string_view kStateFormat = "referee partial v3";  // v3: pass numbers, classes, totals (kind 4)
constexpr std::string_view kPlanFormat = "referee plan v3";
// Text fields of a state or plan: a policy, a segment value, a column name.
constexpr std::size_t kMaxText = 1 << 24;
// Classes of a multiclass task.
constexpr std::size_t kMaxClasses = 1 << 16;
// Segment specs and sensitive attributes of one policy.
constexpr std::size_t kMaxGroupings = 4096;

[[noreturn]] void refuse(const std::string& feature) {
  throw PolicyError("partitioned evaluation does not compute " + feature +
                    " yet; evaluate in one process, or drop it (docs/partitioned.md)");
}

void merge_keys(Facts& f, const std::vector<std::uint64_t>& keys) {
  if (f.more_units) return;
  std::vector<std::uint64_t> joined;
  std::set_union(f.unit_keys.begin(), f.unit_keys.end(), keys.begin(), keys.end(), std::back_inserter(joined));
  f.unit_keys = std::move(joined);
  if (f.unit_keys.size() > kMaxJackknifeGroups) {
    f.more_units = true;
    f.unit_keys.clear();
  }
}

void merge_values(Facts::GroupingValues& into, const Facts::GroupingValues& other, const Limits& limits) {
  std::vector<std::vector<std::string>> joined;
  std::set_union(into.values.begin(), into.values.end(), other.values.begin(), other.values.end(),
                 std::back_inserter(joined));
  if (joined.size() > limits.max_segment_values)
    throw DataError("the segment " + quoted_excerpt(into.name) + " has more than " +
                    limit_text(limits, "max_segment_values") + " distinct values");
  into.values = std::move(joined);
}

void write_texts(ByteWriter& out, const std::vector<std::string>& texts) {
  out.u64(texts.size());
  for (const std::string& t : texts) out.text(t);
}

std::vector<std::string> read_texts(ByteReader& in, std::size_t max) {
  std::vector<std::string> out(in.count(max, "text"));
  for (std::string& t : out) t = in.text(kMaxText);
  return out;
}

}  // namespace

void check_partitionable(const Policy& policy) {
  const TaskDefinition& task = task_definition(policy.task);
  if (policy.task != Task::binary && !task.order_free && !task.ascending)
    refuse("the " + std::string(task_name(policy.task)) + " task");
  if (policy.columns.id.empty() && policy.columns.cluster.empty() && !task_definition(policy.task).queries)
    throw PolicyError("partitioned evaluation needs $.columns.id or $.columns.cluster: with no file order to key "
                      "on, each row's resampling weight and its place in the rows digest come from its id or its "
                      "cluster's key");
  if (policy.bootstrap.scheme == ResamplingScheme::multinomial)
    throw PolicyError("partitioned evaluation cannot resample with the multinomial scheme: it draws every unit's "
                      "count at once, so it needs every unit in one process; use \"poisson\" (docs/partitioned.md)");
  if (policy.drift.enabled) refuse("drift ($.drift)");
  // Latency named by a budget rule but not by $.columns.latency comes as separate samples
  // (--latency, a latency CSV): independent samples, not columns of the partitioned rows.
  for (const Rule& r : policy.rules)
    if (r.budget && is_latency(*r.budget) && policy.columns.latency.empty())
      throw PolicyError("partitioned evaluation does not take latency as separate samples (a latency CSV, "
                        "--latency; rule " + quoted_excerpt(r.id) + "): they are independent samples, not columns "
                        "of the rows; give $.columns.latency, or evaluate in one process (docs/partitioned.md)");
}

Facts facts_of(const Table& part, const Policy& policy, const Limits& limits) {
  Facts f;
  f.rows = part.rows;
  for (double w : part.weight) f.max_weight = std::max(f.max_weight, std::abs(w));
  f.max_value = max_magnitude({part.label, part.champion, part.challenger});
  f.max_label = max_magnitude({part.label});
  for (double y : part.label) f.label_sum.add(y);
  f.classes = part.columns.classes;
  std::vector<std::uint64_t> keys(part.unit_key.begin(), part.unit_key.end());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  merge_keys(f, keys);
  for (Grouping& g : build_groupings(part, policy, limits).groupings)
    f.groupings.push_back({g.name, g.columns, std::move(g.values)});
  return f;
}

void add_facts(Facts& into, const Facts& other, const Limits& limits) {
  if (into.groupings.size() != other.groupings.size()) throw UsageError("facts of different policies cannot merge");
  into.rows += other.rows;
  into.max_weight = std::max(into.max_weight, other.max_weight);
  into.max_value = std::max(into.max_value, other.max_value);
  into.max_label = std::max(into.max_label, other.max_label);
  into.label_sum.add(other.label_sum);
  if (into.classes != other.classes) throw UsageError("facts of partitions with different classes cannot merge");
  if (other.more_units) {
    into.more_units = true;
    into.unit_keys.clear();
  }
  merge_keys(into, other.unit_keys);
  for (std::size_t g = 0; g < into.groupings.size(); ++g) merge_values(into.groupings[g], other.groupings[g], limits);
}

void write_facts(ByteWriter& out, const Facts& f) {
  out.u64(f.rows);
  out.f64(f.max_weight);
  out.f64(f.max_value);
  out.f64(f.max_label);
  write_exact(out, f.label_sum);
  write_texts(out, f.classes);
  out.u8(f.more_units ? 1 : 0);
  out.u64(f.unit_keys.size());
  for (std::uint64_t k : f.unit_keys) out.u64(k);
  out.u64(f.groupings.size());
  for (const Facts::GroupingValues& g : f.groupings) {
    out.text(g.name);
    write_texts(out, g.columns);
    out.u64(g.values.size());
    for (const auto& v : g.values) write_texts(out, v);
  }
}

Facts read_facts(ByteReader& in, const Limits& limits) {
  Facts f;
  f.rows = in.u64();
  f.max_weight = in.f64();
  if (!(f.max_weight >= 0.0) || !std::isfinite(f.max_weight)) in.fail("the largest weight is not a finite number");
  f.max_value = in.f64();
  if (!(f.max_value >= 0.0) || !std::isfinite(f.max_value)) in.fail("the largest value is not a finite number");
  f.max_label = in.f64();
  if (!(f.max_label >= 0.0) || !std::isfinite(f.max_label)) in.fail("the largest label is not a finite number");
  f.label_sum = read_exact(in);
  f.classes = read_texts(in, kMaxClasses);
  f.more_units = in.u8() != 0;
  f.unit_keys.resize(in.count(kMaxJackknifeGroups, "unit key"));
  for (std::uint64_t& k : f.unit_keys) k = in.u64();
  if (!std::is_sorted(f.unit_keys.begin(), f.unit_keys.end())) in.fail("the unit keys are not sorted");
  f.groupings.resize(in.count(kMaxGroupings, "grouping"));
  for (Facts::GroupingValues& g : f.groupings) {
    g.name = in.text(kMaxText);
    g.columns = read_texts(in, 64);
    g.values.resize(in.count(limits.max_segment_values, "segment value"));
    for (auto& v : g.values) {
      v = read_texts(in, 64);
      if (v.size() != g.columns.size()) in.fail("a segment value has the wrong number of columns");
    }
    if (!std::is_sorted(g.values.begin(), g.values.end())) in.fail("segment values are not sorted");
  }
  return f;
}

BootstrapSettings Plan::bootstrap() const {
  BootstrapSettings b = policy.bootstrap;
  if (seed) b.seed = *seed;
  return b;
}

std::size_t Plan::jackknife_units() const { return facts.more_units ? kMaxJackknifeGroups + 1 : facts.unit_keys.size(); }

std::size_t Plan::jackknife_groups() const {
  return policy.bootstrap.interval == IntervalMethod::bca ? std::min(jackknife_units(), kMaxJackknifeGroups) : 0;
}

void write_header(ByteWriter& out, StateKind kind, const std::array<std::uint8_t, 32>& id) {
  out.text(kStateFormat);
  out.u8(static_cast<std::uint8_t>(kind));
  out.bytes(id.data(), id.size());
}

StateKind read_header(ByteReader& in, std::array<std::uint8_t, 32>& id) {
  if (in.text(64) != kStateFormat) in.fail("not a referee partial state (or another version of the format)");
  const std::uint8_t kind = in.u8();
  if (kind < 1 || kind > 5) in.fail("unknown state kind " + std::to_string(kind));
  const auto bytes = in.bytes(id.size());
  std::copy(bytes.begin(), bytes.end(), id.begin());
  return static_cast<StateKind>(kind);
}

void check_plan(const Plan& plan, const std::array<std::uint8_t, 32>& id, ByteReader& in) {
  if (id != plan.id) in.fail("the state belongs to another plan");
}

std::vector<RankedRange> rank_order(std::vector<RankedRange> ranges, std::string_view pass, std::string_view kind) {
  std::sort(ranges.begin(), ranges.end(), [](const RankedRange& a, const RankedRange& b) { return a.first < b.first; });
  for (std::size_t k = 1; k < ranges.size(); ++k)
    if (ranges[k - 1].last >= ranges[k].first)
      throw UsageError("two partitions of the " + std::string(pass) + " pass share " + std::string(kind) + " bucket " +
                       std::to_string(ranges[k].first) + "; range-partition the rows by buckets()");
  return ranges;
}

std::array<std::uint8_t, 32> raw_digest(std::string_view hex) {
  std::array<std::uint8_t, 32> out{};
  if (hex.size() != 64) throw UsageError("a SHA-256 digest has 64 hex digits");
  for (std::size_t i = 0; i < 32; ++i) out[i] = static_cast<std::uint8_t>(std::stoul(std::string(hex.substr(2 * i, 2)), nullptr, 16));
  return out;
}

std::string make_plan(const Policy& policy, std::string_view facts, std::optional<std::uint64_t> seed,
                      const Limits& limits) {
  check_partitionable(policy);
  ByteReader in(facts, "facts state");
  std::array<std::uint8_t, 32> id{};
  if (read_header(in, id) != StateKind::facts) in.fail("not a facts state");
  if (id != raw_digest(policy.sha256)) throw UsageError("the facts were gathered under another policy");
  const Facts f = read_facts(in, limits);
  if (!in.done()) in.fail("trailing bytes");
  std::string bytes;
  ByteWriter out(bytes);
  out.text(kPlanFormat);
  out.text(policy.source.dump());
  out.u8(seed ? 1 : 0);
  out.u64(seed.value_or(0));
  write_facts(out, f);
  return bytes;
}

Plan read_plan(std::string_view bytes, const Limits& limits) {
  Plan p;
  p.bytes = std::string(bytes);
  ByteReader in(bytes, "plan");
  if (in.text(64) != kPlanFormat) in.fail("not a referee plan (or another version of the format)");
  p.policy = parse_policy_text(in.text(kMaxText), "plan", limits);
  check_partitionable(p.policy);
  const bool has_seed = in.u8() != 0;
  const std::uint64_t seed = in.u64();
  if (has_seed) p.seed = seed;
  p.facts = read_facts(in, limits);
  if (!in.done()) in.fail("trailing bytes");
  Sha256 sha;
  sha.update(bytes);
  p.id = sha.finish();
  return p;
}

}  // namespace referee::partitioned
