// The C API of partitioned evaluation (referee.h, "Partitioned evaluation"): one entry point
// per function of include/referee/partitioned.hpp. Each checks the caller's pointers and
// counts, binds a table handle as referee_evaluate() does, and calls the facade; the protocol,
// the state format and every check on a state's bytes live in the core.

#include <referee/referee.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "c_api/guarded.hpp"
#include "c_api/handles.hpp"
#include <referee/error.hpp>
#include <referee/partitioned.hpp>

using namespace referee::c_api;
namespace rp = referee::partitioned;

namespace {

// A caller's (data, size) bytes: a NULL pointer only with a size of 0.
std::string_view bytes_of(const void* data, std::size_t size, const std::string& what) {
  if (size == 0) return {};
  require(data, what.c_str());
  require_count(size, 1, (what + "'s size").c_str());
  return {static_cast<const char*>(data), size};
}

// `count` states given as arrays of pointers and sizes, copied for the facade's spans.
std::vector<std::string> states_of(const void* const* states, const std::size_t* sizes, std::size_t count) {
  require_count(count, sizeof(void*), "count");
  if (count > 0) {
    require(states, "states");
    require(sizes, "sizes");
  }
  std::vector<std::string> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    out.emplace_back(bytes_of(states[i], sizes[i], "states[" + std::to_string(i) + "]"));
  return out;
}

std::string_view pass_of(const char* pass) {
  require(pass, "pass");
  return pass;
}

referee_buffer* buffer_of(std::string bytes) { return new referee_buffer{std::move(bytes)}; }

// Runs `op` on the core's table for a partition: a CSV table as read, borrowed columns bound
// to the policy's columns as referee_evaluate() binds them.
template <class Op>
auto on_part(const referee_table* part, const referee::Policy& policy, Op&& op) {
  require(part, "part");
  if (part->csv) return op(*part->csv);
  return op(table_of(*part, policy));
}

}  // namespace

extern "C" {

referee_status referee_buffer_data(const referee_buffer* buffer, const void** data, size_t* size) {
  return guarded([&] {
    require(buffer, "buffer");
    require(data, "data");
    require(size, "size");
    *data = buffer->bytes.data();
    *size = buffer->bytes.size();
  });
}

void referee_buffer_free(referee_buffer* buffer) { delete buffer; }

referee_status referee_partition_check(const referee_policy* policy) {
  return guarded([&] {
    require(policy, "policy");
    rp::check_partitionable(policy->policy);
  });
}

referee_status referee_partition_facts(const referee_table* part, const referee_policy* policy,
                                       const referee_options* options, referee_buffer** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    require(policy, "policy");
    rp::check_partitionable(policy->policy);  // before the table: its columns may be ones the path refuses
    const referee::Limits limits = limits_of(options);
    *out = buffer_of(on_part(part, policy->policy, [&](const referee::Table& t) {
      return rp::facts_state(t, policy->policy, limits);
    }));
  });
}

referee_status referee_partition_merge_facts(const void* const* states, const size_t* sizes, size_t count,
                                             const referee_options* options, referee_buffer** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    *out = buffer_of(rp::merge_facts(states_of(states, sizes, count), limits_of(options)));
  });
}

referee_status referee_partition_plan(const referee_policy* policy, const void* facts, size_t facts_size,
                                      const referee_options* options, referee_buffer** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    require(policy, "policy");
    const std::optional<std::uint64_t> seed = options ? options->seed : std::nullopt;
    *out = buffer_of(rp::make_plan(policy->policy, bytes_of(facts, facts_size, "facts"), seed, limits_of(options)));
  });
}

referee_status referee_partition_plan_policy(const void* plan, size_t plan_size, referee_policy** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    *out = new referee_policy{rp::plan_policy(bytes_of(plan, plan_size, "plan"))};
  });
}

referee_status referee_partition_passes(const void* plan, size_t plan_size, referee_buffer** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    std::string names;
    for (const std::string& pass : rp::passes(bytes_of(plan, plan_size, "plan"))) names.append(pass).push_back('\0');
    *out = buffer_of(std::move(names));
  });
}

referee_status referee_partition_ranked(const void* plan, size_t plan_size, const char* pass, int* out) {
  return guarded([&] {
    require(out, "out");
    *out = 0;
    *out = rp::ranked(bytes_of(plan, plan_size, "plan"), pass_of(pass)) ? 1 : 0;
  });
}

referee_status referee_partition_buckets(const void* plan, size_t plan_size, const char* pass,
                                         const referee_table* part, uint64_t* out, size_t length) {
  return guarded([&] {
    require(part, "part");
    require(out, "out");
    if (length != part->rows)
      throw referee::UsageError("out has " + std::to_string(length) + " entries, the table has " +
                                std::to_string(part->rows) + " rows");
    const std::string_view p = bytes_of(plan, plan_size, "plan");
    const std::string_view name = pass_of(pass);
    const std::vector<std::uint64_t> buckets =
        on_part(part, rp::plan_policy(p), [&](const referee::Table& t) { return rp::buckets(p, name, t); });
    std::copy(buckets.begin(), buckets.end(), out);
  });
}

referee_status referee_partition_pass_state(const void* plan, size_t plan_size, const char* pass,
                                            const referee_table* part, const void* above, size_t above_size,
                                            const referee_options* options, referee_buffer** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    const std::string_view p = bytes_of(plan, plan_size, "plan");
    const std::string_view name = pass_of(pass);
    const std::string_view a = bytes_of(above, above_size, "above");
    const unsigned threads = options ? options->threads : 0;
    const referee::Limits limits = limits_of(options);
    *out = buffer_of(on_part(part, rp::plan_policy(p, limits), [&](const referee::Table& t) {
      return rp::pass_state(p, name, t, a, threads, limits);
    }));
  });
}

referee_status referee_partition_totals(const void* plan, size_t plan_size, const char* pass, const referee_table* part,
                                        const referee_options* options, referee_buffer** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    const std::string_view p = bytes_of(plan, plan_size, "plan");
    const std::string_view name = pass_of(pass);
    const unsigned threads = options ? options->threads : 0;
    const referee::Limits limits = limits_of(options);
    *out = buffer_of(on_part(part, rp::plan_policy(p, limits), [&](const referee::Table& t) {
      return rp::totals_state(p, name, t, threads, limits);
    }));
  });
}

referee_status referee_partition_merge(const void* plan, size_t plan_size, const char* pass,
                                       const void* const* states, const size_t* sizes, size_t count,
                                       referee_buffer** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    *out = buffer_of(rp::merge(bytes_of(plan, plan_size, "plan"), pass_of(pass), states_of(states, sizes, count)));
  });
}

referee_status referee_partition_mergeable_totals(const void* plan, size_t plan_size, const char* pass, int* out) {
  return guarded([&] {
    require(out, "out");
    *out = 0;
    *out = rp::mergeable_totals(bytes_of(plan, plan_size, "plan"), pass_of(pass)) ? 1 : 0;
  });
}

referee_status referee_partition_merge_totals(const void* plan, size_t plan_size, const char* pass,
                                              const void* const* states, const size_t* sizes, size_t count,
                                              referee_buffer** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    *out = buffer_of(
        rp::merge_totals(bytes_of(plan, plan_size, "plan"), pass_of(pass), states_of(states, sizes, count)));
  });
}

referee_status referee_partition_aboves(const void* plan, size_t plan_size, const char* pass,
                                        const void* const* states, const size_t* sizes, size_t count,
                                        referee_buffer** out) {
  return guarded([&] {
    require_count(count, sizeof(referee_buffer*), "count");
    if (count > 0) require(out, "out");
    for (std::size_t i = 0; i < count; ++i) out[i] = nullptr;
    std::vector<std::unique_ptr<referee_buffer>> made;
    for (std::string& above : rp::aboves(bytes_of(plan, plan_size, "plan"), pass_of(pass), states_of(states, sizes, count)))
      made.push_back(std::make_unique<referee_buffer>(referee_buffer{std::move(above)}));
    // Handed out only once every one is made, so a failure leaves every out[i] NULL.
    for (std::size_t i = 0; i < count; ++i) out[i] = made[i].release();
  });
}

referee_status referee_partition_first_bucket(const void* state, size_t size, int* has, uint64_t* bucket) {
  return guarded([&] {
    require(has, "has");
    require(bucket, "bucket");
    *has = 0;
    *bucket = 0;
    const std::optional<std::uint64_t> first = rp::first_bucket(bytes_of(state, size, "state"));
    if (first) {
      *has = 1;
      *bucket = *first;
    }
  });
}

referee_status referee_partition_finish(const void* plan, size_t plan_size, const void* const* states,
                                        const size_t* sizes, size_t count, const char* origin,
                                        const referee_options* options, referee_report** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    const std::string_view p = bytes_of(plan, plan_size, "plan");
    const std::size_t passes = rp::passes(p).size();
    if (count != passes)
      throw referee::UsageError("count is " + std::to_string(count) + ", the plan has " + std::to_string(passes) +
                                " passes: one merged state per pass, in the order of referee_partition_passes()");
    // In passes()' order; a state given in the wrong place is refused by the core as a
    // state of another pass.
    const std::vector<std::string> merged = states_of(states, sizes, count);
    const referee::Limits limits = limits_of(options);
    *out = report_of(rp::finish(p, merged, origin ? origin : "memory", limits), limits).release();
  });
}

}  // extern "C"
