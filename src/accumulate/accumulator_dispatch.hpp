#pragma once
// The accumulator passes, compiled twice and chosen at run time: once for the x86-64
// baseline (SSE2) and once for AVX2. The lane loops are independent per lane and the AVX2
// clone is built without FMA, so both give the same bits; only the speed differs.
// The point estimate (one lane) calls the templates directly.

#include <span>
#include <vector>

#include "accumulate/binary_accumulator.hpp"
#include "accumulate/binary_totals.hpp"
#include "accumulate/multiclass_accumulator.hpp"
#include "accumulate/outcome_accumulator.hpp"
#include "accumulate/regression_accumulator.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

void binary_pass(const BinaryColumns& c, const RankedModel& ranked, const PoissonWeights& weights,
                 std::span<const GroupingSpec> groupings, const BinaryTotalsState* above, BinaryPassState& out);
void binary_pass(const BinaryColumns& c, const RankedModel& ranked, const MultinomialWeights& weights,
                 std::span<const GroupingSpec> groupings, const BinaryTotalsState* above, BinaryPassState& out);
void binary_pass(const BinaryColumns& c, const RankedModel& ranked, const JackknifeWeights& weights,
                 std::span<const GroupingSpec> groupings, const BinaryTotalsState* above, BinaryPassState& out);

// Round 1 of a partitioned ranked pass: the totals only (binary_totals.hpp).
void binary_totals(const BinaryColumns& c, const RankedModel* ranked, const PoissonWeights& weights,
                   std::span<const GroupingSpec> groupings, BinaryTotalsState& out);
void binary_totals(const BinaryColumns& c, const RankedModel* ranked, const JackknifeWeights& weights,
                   std::span<const GroupingSpec> groupings, BinaryTotalsState& out);

void regression_pass(const RegressionColumns& c, const RegressionPlan& plan, const PoissonWeights& weights,
                     std::span<const std::span<const std::uint32_t>> group_of_row, RegressionParts parts,
                     RegressionPassState& out);
void regression_pass(const RegressionColumns& c, const RegressionPlan& plan, const MultinomialWeights& weights,
                     std::span<const std::span<const std::uint32_t>> group_of_row, RegressionParts parts,
                     RegressionPassState& out);
void regression_pass(const RegressionColumns& c, const RegressionPlan& plan, const JackknifeWeights& weights,
                     std::span<const std::span<const std::uint32_t>> group_of_row, RegressionParts parts,
                     RegressionPassState& out);
// The outcome task's sums pass and both models' quantile walks, for lanes [0, used).
OutcomeSums outcome_pass(const OutcomeColumns& c, const OutcomePlan& plan, const PoissonWeights& weights,
                         std::size_t used, std::span<const std::span<const std::uint32_t>> group_of_row,
                         std::vector<std::vector<OutcomeSums>>& grouped);
OutcomeSums outcome_pass(const OutcomeColumns& c, const OutcomePlan& plan, const MultinomialWeights& weights,
                         std::size_t used, std::span<const std::span<const std::uint32_t>> group_of_row,
                         std::vector<std::vector<OutcomeSums>>& grouped);
OutcomeSums outcome_pass(const OutcomeColumns& c, const OutcomePlan& plan, const JackknifeWeights& weights,
                         std::size_t used, std::span<const std::span<const std::uint32_t>> group_of_row,
                         std::vector<std::vector<OutcomeSums>>& grouped);

// The multiclass task's confusion pass (each weight source, and a block's cached Poisson
// weights) and its one-vs-rest ranked pass of whole weights (rows with weights run the
// binary ranked passes, ovr_passes.hpp).
#define REFEREE_DECLARE_CONFUSION_PASS(Weights)                                                          \
  void multiclass_confusion_pass(const MulticlassColumns& c, const std::array<MulticlassRows, 2>& rows,  \
                                 const MulticlassPlan& plan, const Weights& weights,                    \
                                 std::span<const GroupingSpec> groupings,                               \
                                 const std::array<MulticlassPassState*, 2>& out);
REFEREE_DECLARE_CONFUSION_PASS(PoissonWeights)
REFEREE_DECLARE_CONFUSION_PASS(MultinomialWeights)
REFEREE_DECLARE_CONFUSION_PASS(JackknifeWeights)
REFEREE_DECLARE_CONFUSION_PASS(CachedWeights)
#undef REFEREE_DECLARE_CONFUSION_PASS
// A one-vs-rest binary pass reading a block's cached Poisson weights (ovr_passes.hpp).
void binary_pass(const BinaryColumns& c, const RankedModel& ranked, const CachedWeights& weights,
                 std::span<const GroupingSpec> groupings, const BinaryTotalsState* above, BinaryPassState& out);
void multiclass_ovr_pass_whole(const RankedClass& ranked, const CachedWeights& cache,
                               std::span<const GroupingSpec> groupings, OvrSums& out,
                               std::vector<std::vector<OvrSums>>& grouped);


// Whether the passes run their AVX2 clone on this machine (for the benchmark's record).
bool accumulators_use_avx2();

}  // namespace referee
