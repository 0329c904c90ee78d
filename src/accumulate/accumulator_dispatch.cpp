#include "accumulate/accumulator_dispatch.hpp"

namespace referee {

// GCC's function multi-versioning: target_clones emits both bodies and an ifunc resolver
// that picks one when the library loads. `flatten` inlines the whole pass (the template
// and its lane loops) into each clone, so the loops are compiled for the clone's target.
// "avx2" does not enable FMA: no multiply-add is fused, and the bits match the baseline.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define REFEREE_PASS __attribute__((target_clones("avx2", "default"), flatten))
#else
#define REFEREE_PASS
#endif

// One clone pair per weight source; the bodies are the header templates.
#define REFEREE_DEFINE_PASSES(Weights)                                                                   \
  REFEREE_PASS void binary_pass(const BinaryColumns& c, const RankedModel& ranked, const Weights& weights, \
                                std::span<const GroupingSpec> groupings, const BinaryTotalsState* above, \
                                BinaryPassState& out) {                                                  \
    binary_exact_pass(c, ranked, weights, groupings, above, out);                                        \
  }                                                                                                      \
  REFEREE_PASS void regression_pass(const RegressionColumns& c, const RegressionPlan& plan, const Weights& weights, \
                                    std::span<const std::span<const std::uint32_t>> group_of_row,        \
                                    RegressionParts parts, RegressionPassState& out) {                   \
    regression_exact_pass(c, plan, weights, group_of_row, parts, out);                                   \
  }                                                                                                      \
  REFEREE_PASS OutcomeSums outcome_pass(const OutcomeColumns& c, const OutcomePlan& plan, const Weights& weights, \
                                        std::size_t used,                                                \
                                        std::span<const std::span<const std::uint32_t>> group_of_row,   \
                                        std::vector<std::vector<OutcomeSums>>& grouped) {                \
    return accumulate_outcome(c, plan, weights, used, group_of_row, grouped);                            \
  }

// Round 1 of a partitioned ranked pass (no multinomial: the partitioned path refuses it).
#define REFEREE_DEFINE_TOTALS(Weights)                                                                    \
  REFEREE_PASS void binary_totals(const BinaryColumns& c, const RankedModel* ranked, const Weights& weights, \
                                  std::span<const GroupingSpec> groupings, BinaryTotalsState& out) {       \
    binary_totals_pass(c, ranked, weights, groupings, out);                                                \
  }

REFEREE_DEFINE_PASSES(PoissonWeights)
REFEREE_DEFINE_PASSES(MultinomialWeights)
REFEREE_DEFINE_PASSES(JackknifeWeights)
REFEREE_DEFINE_TOTALS(PoissonWeights)
REFEREE_DEFINE_TOTALS(JackknifeWeights)

#define REFEREE_DEFINE_CONFUSION_PASS(Weights)                                                             \
  REFEREE_PASS void multiclass_confusion_pass(const MulticlassColumns& c, const std::array<MulticlassRows, 2>& rows, \
                                              const MulticlassPlan& plan, const Weights& weights,        \
                                              std::span<const GroupingSpec> groupings,                   \
                                              const std::array<MulticlassPassState*, 2>& out) {          \
    confusion_exact_pass(c, rows, plan, weights, groupings, out);                                        \
  }
REFEREE_DEFINE_CONFUSION_PASS(PoissonWeights)
REFEREE_DEFINE_CONFUSION_PASS(MultinomialWeights)
REFEREE_DEFINE_CONFUSION_PASS(JackknifeWeights)
REFEREE_DEFINE_CONFUSION_PASS(CachedWeights)

REFEREE_PASS void binary_pass(const BinaryColumns& c, const RankedModel& ranked, const CachedWeights& weights,
                              std::span<const GroupingSpec> groupings, const BinaryTotalsState* above,
                              BinaryPassState& out) {
  binary_exact_pass(c, ranked, weights, groupings, above, out);
}

REFEREE_PASS void multiclass_ovr_pass_whole(const RankedClass& ranked, const CachedWeights& cache,
                                            std::span<const GroupingSpec> groupings, OvrSums& out,
                                            std::vector<std::vector<OvrSums>>& grouped) {
  ovr_pass_whole(ranked, cache, groupings, out, grouped);
}


bool accumulators_use_avx2() {
#if defined(__x86_64__) && defined(__GNUC__)
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

}  // namespace referee
