#pragma once
// Round 1 of a ranked binary pass (docs/partitioned.md): a partition's exact positive and
// negative weight per lane, for the overall rows and every group, which is all that
// aboves() adds up for the partitions ranked below it. The values are the full pass's pos
// and neg (binary_exact_pass), bit for bit, for a fraction of its work:
//
// - With whole weights (no weight column) every weight is an integer, and so is every fold
//   (far below 2^53), so any order of summation gives the same exact sum: the rows are
//   visited in memory order, and the model's ranking is never built.
// - With a weight column a fold rounds, so the pass walks the ranking bucket by bucket and
//   folds as binary_exact_pass does: a tie group's weight is summed apart and added at the
//   group's end (within each group by its own tie runs), and each bucket's fold goes into
//   the exact sums. Only the AUC, average-precision, loss and Brier work is left out.

#include <cstddef>
#include <span>
#include <vector>

#include "accumulate/binary_accumulator.hpp"
#include "accumulate/binary_state.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

namespace totals_detail {

// One set's fold within a bucket (or, with whole weights, within the partition).
template <std::size_t L>
struct TotalsFold {
  LaneWeights pos{}, neg{}, pending_pos{}, pending_neg{};

  // The same additions, in the same order, as ranked_update's on pos and neg.
  void add(const LaneWeights& w, bool positive, bool starts, bool ends) {
    if (starts && ends) {
      binary_detail::add_lanes<L>((positive ? pos : neg).data(), w.data());
      return;
    }
    binary_detail::add_lanes<L>((positive ? pending_pos : pending_neg).data(), w.data());
    if (!ends) return;
    binary_detail::add_lanes<L>(pos.data(), pending_pos.data());
    binary_detail::add_lanes<L>(neg.data(), pending_neg.data());
    pending_pos = LaneWeights{};
    pending_neg = LaneWeights{};
  }

  void flush(BinaryTotals& into) {
    for (std::size_t l = 0; l < L; ++l) {
      into.q[0][l].add(pos[l]);
      into.q[1][l].add(neg[l]);
    }
    pos = LaneWeights{};
    neg = LaneWeights{};
  }
};

template <std::size_t L>
struct TotalsFolds {
  TotalsFold<L> overall;
  std::vector<std::vector<TotalsFold<L>>> groups;

  explicit TotalsFolds(std::span<const GroupingSpec> groupings) {
    for (const GroupingSpec& g : groupings) groups.emplace_back(g.groups);
  }

  void flush(BinaryTotalsState& out) {
    overall.flush(out.overall);
    for (std::size_t g = 0; g < groups.size(); ++g)
      for (std::size_t j = 0; j < groups[g].size(); ++j) groups[g][j].flush(out.groups[g][j]);
  }
};

// Whole weights: every row in memory order, each a lone score (the order changes nothing).
template <class Weights>
void totals_in_row_order(const BinaryColumns& c, const Weights& weights, std::span<const GroupingSpec> groupings,
                         TotalsFolds<Weights::lanes>& folds) {
  LaneWeights w{};
  for (std::size_t r = 0; r < c.label.size(); ++r) {
    weights.fill(r, w);
    const bool positive = c.label[r] > 0.5;
    folds.overall.add(w, positive, true, true);
    for (std::size_t g = 0; g < groupings.size(); ++g)
      folds.groups[g][groupings[g].group_of_row[r]].add(w, positive, true, true);
  }
}

// A weight column: the ranking, bucket by bucket, folded as the full pass folds it.
template <class Weights>
void totals_in_rank_order(const BinaryColumns& c, const RankedModel& ranked, const Weights& weights,
                          std::span<const GroupingSpec> groupings, TotalsFolds<Weights::lanes>& folds,
                          BinaryTotalsState& out) {
  constexpr std::size_t L = Weights::lanes;
  LaneWeights w{};
  const std::size_t n = ranked.order.size();
  const std::uint32_t* order = ranked.order.data();
  std::size_t start = 0;
  for (std::size_t end : ranked.bucket_ends) {
    for (std::size_t i = start; i < end; ++i) {
      if (i + 16 < n) __builtin_prefetch(&c.score[order[i + 16]]);  // rows in random memory order
      const std::uint32_t r = order[i];
      weights.fill(r, w);
      for (std::size_t l = 0; l < L; ++l) w[l] *= c.weight[r];
      const bool positive = c.label[r] > 0.5;
      const bool starts = i == 0 || c.score[order[i - 1]] != c.score[r];
      const bool ends = i + 1 == n || c.score[order[i + 1]] != c.score[r];
      folds.overall.add(w, positive, starts, ends);
      for (std::size_t g = 0; g < groupings.size(); ++g) {
        const std::uint8_t marks = groupings[g].confusion_only ? kTieStarts | kTieEnds : ranked.group_ties[g][i];
        folds.groups[g][groupings[g].group_of_row[r]].add(w, positive, (marks & kTieStarts) != 0,
                                                          (marks & kTieEnds) != 0);
      }
    }
    folds.flush(out);
    start = end;
  }
}

}  // namespace totals_detail

// A partition's totals for one block of lanes. `ranked` may be null when the rows carry no
// weight column (the row order is then irrelevant).
template <class Weights>
void binary_totals_pass(const BinaryColumns& c, const RankedModel* ranked, const Weights& weights,
                        std::span<const GroupingSpec> groupings, BinaryTotalsState& out) {
  out = binary_totals_state(Weights::lanes, group_counts(groupings));
  totals_detail::TotalsFolds<Weights::lanes> folds(groupings);
  if (c.weight.empty()) {
    totals_detail::totals_in_row_order(c, weights, groupings, folds);
    folds.flush(out);
  } else {
    totals_detail::totals_in_rank_order(c, *ranked, weights, groupings, folds, out);
  }
}

}  // namespace referee
