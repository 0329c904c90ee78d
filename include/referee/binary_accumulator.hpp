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

#include <referee/metric.hpp>
#include <referee/resample_weights.hpp>

namespace referee {

struct BinaryColumns {
  std::span<const double> label;   // 0 or 1
  std::span<const double> score;   // in [0, 1]
  std::span<const double> weight;  // empty: every row weighs 1
};

// One model's rows ranked by score, descending. Ties are broken by unit key, then label,
// then weight, so the summation order (and so every bit of the result) is the same
// whatever order the rows arrived in.
struct RankedModel {
  std::vector<std::uint32_t> order;
  std::size_t threshold_cut = 0;  // how many rows have score >= threshold
};

inline RankedModel rank_model(const BinaryColumns& c, const RowUnits& units, double threshold) {
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
  return ranked;
}

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

template <class Weights>
BinarySums accumulate_binary(const BinaryColumns& c, const RankedModel& ranked,
                             const Weights& weights) {
  constexpr std::size_t L = Weights::lanes;
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
  };

  for (std::size_t i = 0; i < n; ++i) {
    if (i == ranked.threshold_cut) snapshot_threshold();
    if (i + 16 < n) {
      // The ranking visits rows in random memory order; fetch ahead.
      __builtin_prefetch(&c.score[order[i + 16]]);
      __builtin_prefetch(&c.label[order[i + 16]]);
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

    const bool group_starts = i == 0 || c.score[order[i - 1]] != score;
    const bool group_ends = i + 1 == n || c.score[order[i + 1]] != score;
    if (group_starts && group_ends) {
      // A lone score (the common case for continuous scores): the tie-group update
      // below, specialised; the results are bit-for-bit the same.
      if (y > 0.5) {
        for (std::size_t l = 0; l < L; ++l) {
          cum_pos[l] += w[l];
          const double ranked_above = cum_pos[l] + cum_neg[l];
          s.ap[l] += w[l] > 0.0 ? w[l] * (cum_pos[l] / ranked_above) : 0.0;
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
        s.ap[l] += grp_pos[l] > 0.0 ? grp_pos[l] * (cum_pos[l] / ranked_above) : 0.0;
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
