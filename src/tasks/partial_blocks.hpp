#pragma once
// The partial blocks of the tasks' passes (docs/partitioned.md): a pass's share is its state
// of exact sums, which adds exactly and writes in the state's serial form. An order-free
// pass's point-estimate block also lists the key buckets it folded (8 bytes each), so that a
// merge refuses two shares of one bucket: each would have folded a piece of it in doubles,
// which one pass over every row does not.

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include <referee/error.hpp>

#include "common/byte_stream.hpp"
#include "tasks/task_definition.hpp"

namespace referee {

// A pass's share as its state (`write_state(out, state)` is the state's serial form).
template <class State>
struct StatePartial : PartialBlock {
  State state;
  void add(const PartialBlock& other) override { state.add(static_cast<const StatePartial&>(other).state); }
  void write(ByteWriter& out) const override { write_state(out, state); }
};

// The key buckets two shares of a pass folded, joined (sorted); a bucket in both is refused.
inline std::vector<std::uint64_t> joined_buckets(const std::vector<std::uint64_t>& a,
                                                 const std::vector<std::uint64_t>& b) {
  std::vector<std::uint64_t> joined;
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(joined));
  for (std::size_t i = 1; i < joined.size(); ++i)
    if (joined[i] == joined[i - 1])
      throw UsageError("two partitions of an order-free pass hold rows of key bucket " + std::to_string(joined[i]) +
                       "; partition the pass by buckets()");
  return joined;
}

inline void write_buckets(ByteWriter& out, const std::vector<std::uint64_t>& buckets) {
  out.u64(buckets.size());
  for (std::uint64_t b : buckets) out.u64(b);
}

// At most 2^24 key buckets (canonical_buckets.hpp), strictly increasing.
inline std::vector<std::uint64_t> read_buckets(ByteReader& in) {
  std::vector<std::uint64_t> buckets(in.count(std::uint64_t{1} << 24, "key bucket"));
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    buckets[i] = in.u64();
    if (i > 0 && buckets[i] <= buckets[i - 1]) in.fail("the key buckets are not strictly increasing");
  }
  return buckets;
}

// An order-free pass's share: its state and, in the point estimate's block only, the key
// buckets it folded (the resample blocks cover the same rows).
template <class State>
struct KeyedPartial : PartialBlock {
  State state;
  std::vector<std::uint64_t> buckets;
  void add(const PartialBlock& other) override {
    const auto& o = static_cast<const KeyedPartial&>(other);
    state.add(o.state);
    buckets = joined_buckets(buckets, o.buckets);
  }
  void write(ByteWriter& out) const override {
    write_state(out, state);
    write_buckets(out, buckets);
  }
};

}  // namespace referee
