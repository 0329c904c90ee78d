#pragma once
// The exact sums of a ranking pass over whole key buckets: what a partition of the queries
// contributes, and, merged over every partition, what the figures are read from.
//
// Within a bucket the pass folds doubles over its queries in the canonical order
// (ranking_accumulator.hpp); each bucket's fold then goes into an ExactSum, so adding two
// states is exact and the result does not depend on how the buckets were split or in which
// order they merge.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "accumulate/exact_sum.hpp"
#include "accumulate/exact_sum_serial.hpp"
#include "accumulate/grouped_state.hpp"
#include "common/byte_stream.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

// One sample's (the whole table's, or one group's) weighted sums per lane: the counted
// queries' weight, and per [model][figure] their weighted values.
struct RankingSums {
  LaneWeights weight{};
  std::vector<LaneWeights> value;  // 2F
  explicit RankingSums(std::size_t figures = 0) : value(2 * figures, LaneWeights{}) {}
};

// Which quantities a pass folds: the single process folds all; the partitioned champion
// pass folds the weight and model 0's values, the challenger pass model 1's. A quantity's
// fold never reads another's, so the split changes no bit.
struct RankingParts {
  bool weight = true;
  bool model[2] = {true, true};

  static RankingParts all() { return {}; }
  static RankingParts of_model(std::size_t m) { return {m == 0, {m == 0, m == 1}}; }
};

// One set of exact sums (the overall queries, or one group's): [quantity][lane], quantity
// 0 the weight, then [model][figure] the values.
struct RankingExact {
  std::vector<std::vector<ExactSum>> q;

  RankingExact() = default;
  RankingExact(std::size_t figures, std::size_t lanes) : q(1 + 2 * figures, std::vector<ExactSum>(lanes)) {}
  std::size_t lanes() const { return q.empty() ? 0 : q[0].size(); }

  void add(const RankingExact& other) {
    for (std::size_t k = 0; k < q.size(); ++k)
      for (std::size_t l = 0; l < q[k].size(); ++l) q[k][l].add(other.q[k][l]);
  }

  // A bucket's double folds of the quantities `parts` names, added exactly.
  void add(const RankingSums& fold, RankingParts parts) {
    const std::size_t figures = (q.size() - 1) / 2;
    for (std::size_t k = 0; k < q.size(); ++k) {
      if (k == 0 ? !parts.weight : !parts.model[(k - 1) / figures]) continue;
      const LaneWeights& v = k == 0 ? fold.weight : fold.value[k - 1];
      for (std::size_t l = 0; l < q[k].size(); ++l) q[k][l].add(v[l]);
    }
  }

  // The sums rounded to doubles (each correctly rounded from its exact value).
  RankingSums rounded() const {
    RankingSums s((q.size() - 1) / 2);
    for (std::size_t k = 0; k < q.size(); ++k)
      for (std::size_t l = 0; l < q[k].size(); ++l) (k == 0 ? s.weight : s.value[k - 1])[l] = q[k][l].value();
    return s;
  }
};

// A pass's exact sums: the overall queries and every group of every grouping, and how many
// queries (counted or not) the pass saw whole: a query split across partitions shows as
// more queries than the rows pass counts.
struct RankingPassState : GroupedState<RankingExact> {
  std::uint64_t queries = 0;

  RankingPassState() = default;
  RankingPassState(std::size_t figures, std::size_t lanes, std::span<const std::size_t> group_counts)
      : GroupedState(RankingExact(figures, lanes), group_counts) {}

  void add(const RankingPassState& other) {
    GroupedState::add(other);
    queries += other.queries;
  }
};

// The serial form: the quantity count, the shape (grouped_state.hpp), the query count, then
// every exact sum. The reader is told the shape the plan expects and refuses any other.
inline void write_state(ByteWriter& out, const RankingPassState& s) {
  out.u64(s.overall.q.size());
  write_shape(out, s);
  out.u64(s.queries);
  write_sums(out, s);
}

inline RankingPassState read_ranking_state(ByteReader& in, std::size_t figures, std::size_t lanes,
                                           std::span<const std::size_t> group_counts) {
  if (in.u64() != 1 + 2 * figures) in.fail("a block's quantity count differs from the plan's");
  check_shape(in, lanes, group_counts);
  RankingPassState s(figures, lanes, group_counts);
  s.queries = in.u64();
  read_sums(in, s);
  return s;
}

}  // namespace referee
