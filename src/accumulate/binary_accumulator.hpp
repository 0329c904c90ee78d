#pragma once
// All 13 binary metrics of one model, for a block of replicates, in one pass over the
// rows in descending score order.
//
// Why descending score order: ROC AUC and average precision are functions of cumulative
// positive and negative weight along the ranking, and the threshold metrics are the same
// cumulative sums read at one fixed cut (score >= threshold is a prefix of the ranking).
// So one ordered pass gives every metric, for every lane, with no per-resample sort and
// no stored weights. Rows of equal score form a tie group that is credited half, as
// scikit-learn's trapezoidal roc_auc_score does, and average precision steps only at the
// end of a tie group, as sklearn's precision_recall_curve does.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

#include <referee/vocabulary.hpp>
#include "resample/resample_weights.hpp"

namespace referee {

struct BinaryColumns {
  std::span<const double> label;   // 0 or 1
  std::span<const double> score;   // in [0, 1]
  std::span<const double> weight;  // empty: every row weighs 1
};

// A partition of the rows that the pass also accumulates per group (segments, sensitive
// attributes). Confusion-only groupings keep the label and threshold sums (the fairness
// rates); the others keep every metric.
struct GroupingSpec {
  std::span<const std::uint32_t> group_of_row;
  std::size_t groups = 0;
  bool confusion_only = false;
};

// One model's rows ranked by score, descending. Ties are broken by unit key, then label,
// then weight, so the summation order (and so every bit of the result) is the same
// whatever order the rows arrived in.
struct RankedModel {
  std::vector<std::uint32_t> order;
  std::size_t threshold_cut = 0;  // how many rows have score >= threshold
  // Per grouping (empty for confusion-only ones), per ranked position: whether the row
  // starts (bit 0) or ends (bit 1) a run of equal scores within its own group. A group's
  // rows keep their relative order in the global ranking, so its tie groups are these runs.
  std::vector<std::vector<std::uint8_t>> group_ties;
};

inline constexpr std::uint8_t kTieStarts = 1, kTieEnds = 2;

// The tie marks of a ranking (`order`, by `score_of(row)`) within each group of a grouping;
// an empty `group_of_row` is one group of every row.
template <class ScoreOf>
std::vector<std::uint8_t> tie_marks(std::span<const std::uint32_t> order, ScoreOf&& score_of,
                                    std::span<const std::uint32_t> group_of_row, std::size_t groups) {
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::vector<std::uint8_t> marks(order.size(), 0);
  std::vector<std::size_t> last(std::max<std::size_t>(groups, 1), none);
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::uint32_t r = order[i];
    const std::size_t j = group_of_row.empty() ? 0 : group_of_row[r];
    if (last[j] == none || score_of(order[last[j]]) != score_of(r)) {
      marks[i] |= kTieStarts;
      if (last[j] != none) marks[last[j]] |= kTieEnds;
    }
    last[j] = i;
  }
  for (std::size_t i : last)
    if (i != none) marks[i] |= kTieEnds;
  return marks;
}

inline std::vector<std::uint8_t> group_tie_marks(const BinaryColumns& c, const RankedModel& ranked,
                                                 const GroupingSpec& g) {
  return tie_marks(ranked.order, [&](std::uint32_t r) { return c.score[r]; }, g.group_of_row, g.groups);
}

inline RankedModel rank_model(const BinaryColumns& c, const RowUnits& units, double threshold,
                              std::span<const GroupingSpec> groupings = {}) {
  RankedModel ranked;
  ranked.order.resize(c.score.size());
  std::iota(ranked.order.begin(), ranked.order.end(), std::uint32_t{0});
  const bool weighted = !c.weight.empty();
  std::sort(ranked.order.begin(), ranked.order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (c.score[a] != c.score[b]) return c.score[a] > c.score[b];
    const std::uint64_t ka = units.key_of(a), kb = units.key_of(b);
    if (ka != kb) return ka < kb;
    if (c.label[a] != c.label[b]) return c.label[a] < c.label[b];
    if (weighted && c.weight[a] != c.weight[b]) return c.weight[a] < c.weight[b];
    return false;  // identical rows: interchangeable, any order sums the same
  });
  ranked.threshold_cut = static_cast<std::size_t>(
      std::partition_point(ranked.order.begin(), ranked.order.end(),
                           [&](std::uint32_t r) { return c.score[r] >= threshold; }) -
      ranked.order.begin());
  for (const GroupingSpec& g : groupings)
    ranked.group_ties.push_back(g.confusion_only ? std::vector<std::uint8_t>{} : group_tie_marks(c, ranked, g));
  return ranked;
}

// Average precision adds w * (positives ranked so far / rows ranked so far) at each
// positive. A lane where the row has weight 0 may have ranked nothing yet (0 / 0); the
// floor keeps that term 0 * finite = 0 without a branch, so the loop vectorises, and it
// changes nothing where w > 0, since then the count is at least w >= denorm_min.
inline constexpr double kNoRanks = std::numeric_limits<double>::denorm_min();

// Per-lane sums after a pass. pos/neg are the total positive and negative weight;
// tp/fp are the positive and negative weight at or above the threshold.
struct BinarySums {
  LaneWeights pos{}, neg{}, tp{}, fp{}, auc{}, ap{}, loss{}, brier{};
};

// scikit-learn (>= 1.5) clips probabilities to [eps, 1 - eps] with eps the dtype's
// machine epsilon before taking logs; so does referee, so that a score of exactly 0 or 1
// gives sklearn's finite log loss rather than infinity.
inline double clipped_log_loss(double y, double p) {
  constexpr double eps = std::numeric_limits<double>::epsilon();
  p = std::clamp(p, eps, 1.0 - eps);
  return y > 0.5 ? -std::log(p) : -std::log1p(-p);
}

// Per-group sums of a pass, [grouping][group]. For groups, pos/neg are updated as the
// running cumulative sums (the tie-group logic reads them) and end as the totals.
struct GroupedBinarySums {
  std::vector<std::vector<BinarySums>> sums;
  std::vector<std::vector<LaneWeights>> pending_pos, pending_neg;  // open tie groups

  explicit GroupedBinarySums(std::span<const GroupingSpec> groupings) {
    for (const GroupingSpec& g : groupings) {
      sums.emplace_back(g.groups);
      pending_pos.emplace_back(g.confusion_only ? 0 : g.groups, LaneWeights{});
      pending_neg.emplace_back(g.confusion_only ? 0 : g.groups, LaneWeights{});
    }
  }
};

namespace binary_detail {

// The lane loops below take restrict-qualified pointers: a group's sums live on the heap
// and the weights on the stack, and without the promise that they do not overlap the
// compiler keeps these loops scalar.
template <std::size_t L>
inline void add_lanes(double* __restrict sum, const double* __restrict w) {
  for (std::size_t l = 0; l < L; ++l) sum[l] += w[l];
}

template <std::size_t L>
inline void add_scaled_lanes(double* __restrict loss, double* __restrict brier, const double* __restrict w,
                             double row_loss, double row_brier) {
  for (std::size_t l = 0; l < L; ++l) {
    loss[l] += w[l] * row_loss;
    brier[l] += w[l] * row_brier;
  }
}

template <std::size_t L>
inline void add_lone_positive(double* __restrict pos, const double* __restrict neg, double* __restrict ap,
                              const double* __restrict w) {
  for (std::size_t l = 0; l < L; ++l) {
    pos[l] += w[l];
    const double ranked_above = pos[l] + neg[l];
    ap[l] += w[l] * (pos[l] / std::max(ranked_above, kNoRanks));
  }
}

template <std::size_t L>
inline void add_lone_negative(const double* __restrict pos, double* __restrict neg, double* __restrict auc,
                              const double* __restrict w) {
  for (std::size_t l = 0; l < L; ++l) {
    auc[l] += w[l] * pos[l];
    neg[l] += w[l];
  }
}

template <std::size_t L>
inline void close_tie_group(double* __restrict pos, double* __restrict neg, double* __restrict auc,
                            double* __restrict ap, double* __restrict pending_pos, double* __restrict pending_neg) {
  for (std::size_t l = 0; l < L; ++l) {
    auc[l] += pending_neg[l] * (pos[l] + 0.5 * pending_pos[l]);
    pos[l] += pending_pos[l];
    neg[l] += pending_neg[l];
    const double ranked_above = pos[l] + neg[l];
    ap[l] += pending_pos[l] * (pos[l] / std::max(ranked_above, kNoRanks));
    pending_pos[l] = 0.0;
    pending_neg[l] = 0.0;
  }
}

// The ranked update of one row in one group's sums: the same arithmetic, in the same
// order, as the overall pass, so a group's metrics are exactly what the whole pass gives
// on the group alone.
template <std::size_t L>
inline void ranked_update(BinarySums& s, LaneWeights& pending_pos, LaneWeights& pending_neg,
                          const LaneWeights& w, bool positive, bool starts, bool ends,
                          double row_loss, double row_brier) {
  add_scaled_lanes<L>(s.loss.data(), s.brier.data(), w.data(), row_loss, row_brier);
  if (starts && ends) {
    if (positive)
      add_lone_positive<L>(s.pos.data(), s.neg.data(), s.ap.data(), w.data());
    else
      add_lone_negative<L>(s.pos.data(), s.neg.data(), s.auc.data(), w.data());
    return;
  }
  add_lanes<L>((positive ? pending_pos : pending_neg).data(), w.data());
  if (ends)
    close_tie_group<L>(s.pos.data(), s.neg.data(), s.auc.data(), s.ap.data(), pending_pos.data(),
                       pending_neg.data());
}

template <std::size_t L>
inline void update_groups(std::span<const GroupingSpec> groupings, const RankedModel& ranked,
                          GroupedBinarySums& out, std::size_t i, std::uint32_t r, const LaneWeights& w,
                          bool positive, double row_loss, double row_brier) {
  for (std::size_t g = 0; g < groupings.size(); ++g) {
    const std::uint32_t j = groupings[g].group_of_row[r];
    BinarySums& s = out.sums[g][j];
    if (groupings[g].confusion_only) {
      add_lanes<L>((positive ? s.pos : s.neg).data(), w.data());
      continue;
    }
    const std::uint8_t marks = ranked.group_ties[g][i];
    ranked_update<L>(s, out.pending_pos[g][j], out.pending_neg[g][j], w, positive,
                     (marks & kTieStarts) != 0, (marks & kTieEnds) != 0, row_loss, row_brier);
  }
}

inline void snapshot_group_thresholds(GroupedBinarySums& out) {
  for (auto& grouping : out.sums)
    for (BinarySums& s : grouping) {
      s.tp = s.pos;
      s.fp = s.neg;
    }
}

}  // namespace binary_detail

// One ranked pass: the overall sums, and (when `groupings` is not empty) every group's
// sums in `grouped`, from the same weights.
template <class Weights>
BinarySums accumulate_binary(const BinaryColumns& c, const RankedModel& ranked,
                             const Weights& weights, std::span<const GroupingSpec> groupings = {},
                             GroupedBinarySums* grouped = nullptr) {
  constexpr std::size_t L = Weights::lanes;
  const bool with_groups = grouped != nullptr && !groupings.empty();
  BinarySums s;
  LaneWeights cum_pos{}, cum_neg{}, grp_pos{}, grp_neg{}, w{};
  const std::size_t n = ranked.order.size();
  const std::uint32_t* order = ranked.order.data();
  const bool weighted = !c.weight.empty();

  auto snapshot_threshold = [&] {
    for (std::size_t l = 0; l < L; ++l) {
      s.tp[l] = cum_pos[l];
      s.fp[l] = cum_neg[l];
    }
    if (with_groups) binary_detail::snapshot_group_thresholds(*grouped);
  };

  for (std::size_t i = 0; i < n; ++i) {
    if (i == ranked.threshold_cut) snapshot_threshold();
    if (i + 16 < n) {
      // The ranking visits rows in random memory order; fetch ahead.
      __builtin_prefetch(&c.score[order[i + 16]]);
      __builtin_prefetch(&c.label[order[i + 16]]);
      if (with_groups)
        for (const GroupingSpec& g : groupings) __builtin_prefetch(&g.group_of_row[order[i + 16]]);
    }
    const std::uint32_t r = order[i];
    const double score = c.score[r];
    const double y = c.label[r];
    weights.fill(r, w);
    if (weighted) {
      const double sw = c.weight[r];
      for (std::size_t l = 0; l < L; ++l) w[l] *= sw;
    }
    const double row_loss = clipped_log_loss(y, score);
    const double row_brier = (score - y) * (score - y);
    for (std::size_t l = 0; l < L; ++l) {
      s.loss[l] += w[l] * row_loss;
      s.brier[l] += w[l] * row_brier;
    }
    if (with_groups)
      binary_detail::update_groups<L>(groupings, ranked, *grouped, i, r, w, y > 0.5, row_loss, row_brier);

    const bool group_starts = i == 0 || c.score[order[i - 1]] != score;
    const bool group_ends = i + 1 == n || c.score[order[i + 1]] != score;
    if (group_starts && group_ends) {
      // A lone score (the common case for continuous scores): the tie-group update
      // below, specialised; the results are bit-for-bit the same.
      if (y > 0.5) {
        for (std::size_t l = 0; l < L; ++l) {
          cum_pos[l] += w[l];
          const double ranked_above = cum_pos[l] + cum_neg[l];
          s.ap[l] += w[l] * (cum_pos[l] / std::max(ranked_above, kNoRanks));
        }
      } else {
        for (std::size_t l = 0; l < L; ++l) {
          s.auc[l] += w[l] * cum_pos[l];
          cum_neg[l] += w[l];
        }
      }
      continue;
    }
    if (y > 0.5) {
      for (std::size_t l = 0; l < L; ++l) grp_pos[l] += w[l];
    } else {
      for (std::size_t l = 0; l < L; ++l) grp_neg[l] += w[l];
    }
    if (group_ends) {
      for (std::size_t l = 0; l < L; ++l) {
        s.auc[l] += grp_neg[l] * (cum_pos[l] + 0.5 * grp_pos[l]);
        cum_pos[l] += grp_pos[l];
        cum_neg[l] += grp_neg[l];
        const double ranked_above = cum_pos[l] + cum_neg[l];
        s.ap[l] += grp_pos[l] * (cum_pos[l] / std::max(ranked_above, kNoRanks));
        grp_pos[l] = 0.0;
        grp_neg[l] = 0.0;
      }
    }
  }
  if (ranked.threshold_cut == n) snapshot_threshold();
  s.pos = cum_pos;
  s.neg = cum_neg;
  return s;
}

// The 13 binary metrics of one lane, in catalogue order, each defined exactly as
// scikit-learn defines it, or undefined with the reason where sklearn would divide by
// zero (and warn, and return 0).
inline void binary_metrics(const BinarySums& s, std::size_t lane,
                           std::span<MetricValue, kBinaryMetricCount> out) {
  const double P = s.pos[lane], N = s.neg[lane];
  const double tp = s.tp[lane], fp = s.fp[lane];
  const double fn = P - tp, tn = N - fp;
  const double W = P + N;
  auto at = [&](Metric m) -> MetricValue& { return out[static_cast<std::size_t>(m)]; };

  if (!(W > 0.0)) {
    for (auto& v : out) v = MetricValue::undefined("the sample has no weight");
    return;
  }
  constexpr auto no_pos = "no positive labels";
  constexpr auto no_neg = "no negative labels";
  at(Metric::accuracy) = MetricValue::of((tp + tn) / W);
  at(Metric::precision) = tp + fp > 0.0 ? MetricValue::of(tp / (tp + fp))
                                        : MetricValue::undefined("no predicted positives");
  at(Metric::recall) = P > 0.0 ? MetricValue::of(tp / P) : MetricValue::undefined(no_pos);
  at(Metric::fnr) = P > 0.0 ? MetricValue::of(fn / P) : MetricValue::undefined(no_pos);
  at(Metric::specificity) = N > 0.0 ? MetricValue::of(tn / N) : MetricValue::undefined(no_neg);
  at(Metric::fpr) = N > 0.0 ? MetricValue::of(fp / N) : MetricValue::undefined(no_neg);
  at(Metric::balanced_accuracy) =
      P > 0.0 && N > 0.0 ? MetricValue::of(0.5 * (tp / P + tn / N))
                         : MetricValue::undefined("only one class present");
  const double f1_denominator = 2.0 * tp + fp + fn;
  at(Metric::f1) = f1_denominator > 0.0
                       ? MetricValue::of(2.0 * tp / f1_denominator)
                       : MetricValue::undefined("no positive labels and no predicted positives");
  const double marginals = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn);
  at(Metric::mcc) = marginals > 0.0
                        ? MetricValue::of((tp * tn - fp * fn) / std::sqrt(marginals))
                        : MetricValue::undefined("a row or column of the confusion matrix is empty");
  at(Metric::roc_auc) = P > 0.0 && N > 0.0 ? MetricValue::of(s.auc[lane] / (P * N))
                                           : MetricValue::undefined("only one class present");
  at(Metric::average_precision) =
      P > 0.0 ? MetricValue::of(s.ap[lane] / P) : MetricValue::undefined(no_pos);
  at(Metric::log_loss) = MetricValue::of(s.loss[lane] / W);
  at(Metric::brier) = MetricValue::of(s.brier[lane] / W);
}

}  // namespace referee
