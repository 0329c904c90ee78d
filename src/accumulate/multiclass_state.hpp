#pragma once
// The exact sums of a multiclass confusion pass over whole key buckets: what a partition of
// the rows contributes to one model's confusion sums, and, merged over every partition,
// what the figures are read from.
//
// Within a bucket the pass folds doubles in the canonical row order (multiclass_accumulator.hpp);
// each bucket's fold then goes into an ExactSum, so adding two states is exact and the
// result does not depend on how the buckets were split or in which order they merge.

#include <cstddef>
#include <span>
#include <vector>

#include "accumulate/exact_sum.hpp"
#include "accumulate/exact_sum_serial.hpp"
#include "accumulate/grouped_state.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

// Per-lane sums of the row-order pass, for one model (overall or one group).
struct ConfusionSums {
  std::vector<LaneWeights> truth, predicted, correct;  // per class
  std::vector<LaneWeights> top_k;                      // per k slot
  LaneWeights loss{}, brier{};

  ConfusionSums(std::size_t classes, std::size_t top_k_slots)
      : truth(classes, LaneWeights{}), predicted(classes, LaneWeights{}), correct(classes, LaneWeights{}),
        top_k(top_k_slots, LaneWeights{}) {}
};

// The quantities of one lane of ConfusionSums, in this order: truth, predicted and correct
// weight of each class, then each top-k slot, then log loss and Brier.
inline std::size_t confusion_quantities(std::size_t classes, std::size_t slots) { return 3 * classes + slots + 2; }

inline LaneWeights& confusion_quantity(ConfusionSums& s, std::size_t q) {
  const std::size_t K = s.truth.size(), S = s.top_k.size();
  if (q < K) return s.truth[q];
  if (q < 2 * K) return s.predicted[q - K];
  if (q < 3 * K) return s.correct[q - 2 * K];
  if (q < 3 * K + S) return s.top_k[q - 3 * K];
  return q == 3 * K + S ? s.loss : s.brier;
}

// One set of exact sums (the overall rows, or one group), [quantity][lane].
struct MulticlassExact {
  std::size_t classes = 0, slots = 0;
  std::vector<std::vector<ExactSum>> q;

  MulticlassExact() = default;
  MulticlassExact(std::size_t classes_, std::size_t slots_, std::size_t lanes)
      : classes(classes_), slots(slots_), q(confusion_quantities(classes_, slots_), std::vector<ExactSum>(lanes)) {}
  std::size_t lanes() const { return q.empty() ? 0 : q[0].size(); }

  void add(const MulticlassExact& other) {
    for (std::size_t k = 0; k < q.size(); ++k)
      for (std::size_t l = 0; l < q[k].size(); ++l) q[k][l].add(other.q[k][l]);
  }

  // A bucket's double fold, added exactly (GroupFolds passes a tag: every quantity).
  template <class Parts = bool>
  void add(const ConfusionSums& fold, Parts = {}) {
    for (std::size_t k = 0; k < q.size(); ++k) {
      const LaneWeights& v = confusion_quantity(const_cast<ConfusionSums&>(fold), k);
      for (std::size_t l = 0; l < q[k].size(); ++l) q[k][l].add(v[l]);
    }
  }

  // The sums rounded to doubles (each correctly rounded from its exact value).
  ConfusionSums rounded() const {
    ConfusionSums s(classes, slots);
    for (std::size_t k = 0; k < q.size(); ++k)
      for (std::size_t l = 0; l < q[k].size(); ++l) confusion_quantity(s, k)[l] = q[k][l].value();
    return s;
  }
};

// One model's confusion pass: the overall rows, and every group of every grouping.
using MulticlassPassState = GroupedState<MulticlassExact>;

// The serial form: classes, top-k slots, the shape (grouped_state.hpp), then every exact
// sum. The reader is told the shape the plan expects and refuses any other.
inline void write_state(ByteWriter& out, const MulticlassPassState& s) {
  out.u64(s.overall.classes);
  out.u64(s.overall.slots);
  write_shape(out, s);
  write_sums(out, s);
}

inline MulticlassPassState read_multiclass_state(ByteReader& in, std::size_t classes, std::size_t slots,
                                                 std::size_t lanes, std::span<const std::size_t> group_counts) {
  if (in.u64() != classes) in.fail("the class count differs from the plan's");
  if (in.u64() != slots) in.fail("the top-k count differs from the plan's");
  check_shape(in, lanes, group_counts);
  MulticlassPassState s(MulticlassExact(classes, slots, lanes), group_counts);
  read_sums(in, s);
  return s;
}

}  // namespace referee
