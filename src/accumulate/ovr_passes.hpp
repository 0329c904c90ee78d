#pragma once
// The multiclass task's one-vs-rest passes as binary ranked passes (docs/partitioned.md):
// the pass of model m and class k is the binary task's pass over (label == k, p_k), so it
// ranks, buckets by score, folds within a bucket, offsets by the exact weight above and
// merges exactly as binary_accumulator.hpp does. That is what makes it partition: a
// partition holding a range of p_k's score buckets computes its share from the `above`
// of the partitions ranked before it.
//
// Each pass's columns (the 0/1 label, the contiguous p_k, the ranking) are built the first
// time the pass runs: a partition runs one pass of 2K, and a single process needs them only
// where the whole-weight passes of multiclass_accumulator.hpp are not exact.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "accumulate/accumulator_dispatch.hpp"
#include "accumulate/binary_accumulator.hpp"
#include "accumulate/binary_state.hpp"
#include "accumulate/multiclass_accumulator.hpp"
#include "resample/canonical_buckets.hpp"

namespace referee {

// The one-vs-rest sums of one set of exact sums (the overall rows or one group), rounded.
inline OvrSums ovr_sums(const BinaryExact& e) {
  const BinarySums b = e.rounded();
  OvrSums o;
  o.pos = b.pos;
  o.neg = b.neg;
  o.auc = b.auc;
  return o;
}

class OvrPasses {
 public:
  // `columns[m]`: model m's label, probabilities and (scaled) weights; `total_rows`: the
  // whole evaluation's row count (0: these rows are every row).
  OvrPasses(std::array<MulticlassColumns, 2> columns, const RowUnits& units, std::span<const GroupingSpec> groupings,
            std::uint64_t total_rows)
      : columns_(columns), units_(units), groupings_(groupings), total_rows_(total_rows),
        classes_(columns[0].scores.classes), built_(2 * classes_), once_(new std::once_flag[2 * classes_]) {}

  // The exact sums of the pass of model m and class k; `above` as binary_exact_pass takes it.
  template <class Weights>
  void run(const Weights& weights, std::size_t m, std::size_t k, const BinaryTotalsState* above,
           BinaryPassState& out) const {
    const Pass& p = pass(m, k);
    const BinaryColumns c{p.positive, p.score, columns_[m].weight};
    if constexpr (std::is_same_v<Weights, UnitWeights>)
      binary_exact_pass(c, p.ranked, weights, groupings_, above, out);
    else
      binary_pass(c, p.ranked, weights, groupings_, above, out);
  }

  // Round 1 of the pass of model m and class k: its positive and negative weight only
  // (binary_totals.hpp), what round 2's `above` is made of.
  template <class Weights>
  void totals(const Weights& weights, std::size_t m, std::size_t k, BinaryTotalsState& out) const {
    const Pass& p = pass(m, k);
    const BinaryColumns c{p.positive, p.score, columns_[m].weight};
    if constexpr (std::is_same_v<Weights, UnitWeights>)
      binary_totals_pass(c, &p.ranked, weights, groupings_, out);
    else
      binary_totals(c, &p.ranked, weights, groupings_, out);
  }

  // The first and last score bucket of the pass's rows ({1, 0}: none).
  std::pair<std::uint64_t, std::uint64_t> bucket_range(std::size_t m, std::size_t k) const {
    const Pass& p = pass(m, k);
    if (p.ranked.order.empty()) return {1, 0};
    const unsigned bits = score_bucket_bits(total_rows_ != 0 ? total_rows_ : p.score.size());
    return {score_bucket(p.score[p.ranked.order.front()], bits), score_bucket(p.score[p.ranked.order.back()], bits)};
  }

 private:
  struct Pass {
    std::vector<double> positive, score;
    RankedModel ranked;
  };

  const Pass& pass(std::size_t m, std::size_t k) const {
    const std::size_t i = m * classes_ + k;
    std::call_once(once_[i], [&] { built_[i] = build(m, k); });
    return *built_[i];
  }

  std::unique_ptr<Pass> build(std::size_t m, std::size_t k) const {
    auto p = std::make_unique<Pass>();
    const MulticlassColumns& c = columns_[m];
    const std::size_t n = c.label.size();
    const auto target = static_cast<double>(k);
    p->positive.resize(n);
    p->score.resize(n);
    for (std::size_t r = 0; r < n; ++r) {
      p->positive[r] = c.label[r] == target ? 1.0 : 0.0;
      p->score[r] = c.scores.at(r, k);
    }
    // No threshold figure reads the cut; 0.5 is any cut.
    p->ranked = rank_model({p->positive, p->score, c.weight}, units_, 0.5, groupings_, total_rows_);
    return p;
  }

  std::array<MulticlassColumns, 2> columns_;
  const RowUnits& units_;
  std::span<const GroupingSpec> groupings_;
  std::uint64_t total_rows_;
  std::size_t classes_;
  mutable std::vector<std::unique_ptr<Pass>> built_;
  std::unique_ptr<std::once_flag[]> once_;
};

}  // namespace referee
