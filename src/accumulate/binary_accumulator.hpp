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
#include "accumulate/binary_state.hpp"
#include "resample/canonical_buckets.hpp"
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
  // Where each score bucket ends in `order` (canonical_buckets.hpp): the pass folds within
  // a bucket and merges across buckets exactly.
  std::vector<std::size_t> bucket_ends;
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

// `total_rows` is the row count of the whole evaluation, which sets the bucket width; a
// partition passes the total, not its own count (0: this ranking holds every row).
inline RankedModel rank_model(const BinaryColumns& c, const RowUnits& units, double threshold,
                              std::span<const GroupingSpec> groupings = {}, std::uint64_t total_rows = 0) {
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
  const unsigned bits = score_bucket_bits(total_rows != 0 ? total_rows : c.score.size());
  ranked.bucket_ends = bucket_ends(ranked.order, [&](std::uint32_t r) { return score_bucket(c.score[r], bits); });
  return ranked;
}

// Average precision adds w * (positives ranked so far / rows ranked so far) at each
// positive. A lane where the row has weight 0 may have ranked nothing yet (0 / 0); the
// floor keeps that term 0 * finite = 0 without a branch, so the loop vectorises, and it
// changes nothing where w > 0, since then the count is at least w >= denorm_min.
inline constexpr double kNoRanks = std::numeric_limits<double>::denorm_min();

// scikit-learn (>= 1.5) clips probabilities to [eps, 1 - eps] with eps the dtype's
// machine epsilon before taking logs; so does referee, so that a score of exactly 0 or 1
// gives sklearn's finite log loss rather than infinity.
inline double clipped_log_loss(double y, double p) {
  constexpr double eps = std::numeric_limits<double>::epsilon();
  p = std::clamp(p, eps, 1.0 - eps);
  return y > 0.5 ? -std::log(p) : -std::log1p(-p);
}

// Per-group sums of a pass as doubles, [grouping][group]: what the task reads the group
// metrics from.
struct GroupedBinarySums {
  std::vector<std::vector<BinarySums>> sums;

  explicit GroupedBinarySums(std::span<const GroupingSpec> groupings) {
    for (const GroupingSpec& g : groupings) sums.emplace_back(g.groups);
  }
};

inline std::vector<std::size_t> group_counts(std::span<const GroupingSpec> groupings) {
  std::vector<std::size_t> counts;
  for (const GroupingSpec& g : groupings) counts.push_back(g.groups);
  return counts;
}

// One set of sums within the current bucket (the overall rows', or one group's): the
// bucket's own folds from zero, the open tie group, and the positive and negative weight
// ranked above the bucket (the offsets), which AUC and average precision read.
struct BucketSums {
  BinarySums own;
  LaneWeights pending_pos{}, pending_neg{}, offset_pos{}, offset_neg{};
};

// The positive and negative weight ranked above the current bucket, exactly: what came
// before this pass's first bucket (another partition's share, or nothing), plus every
// bucket this pass has closed.
struct RankedPrefix {
  std::vector<ExactSum> pos, neg;

  RankedPrefix(const BinaryTotals* above, std::size_t lanes)
      : pos(above ? above->pos() : std::vector<ExactSum>(lanes)), neg(above ? above->neg() : std::vector<ExactSum>(lanes)) {}
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

// In the three updates below, a lane's positive weight ranked so far is offset + own, and
// likewise for the negatives. With whole weights both are exact integers, so this is the
// running sum of the whole ranking, bit for bit.
template <std::size_t L>
inline void add_lone_positive(BinarySums& s, BucketSums& b, const double* __restrict w) {
  double* __restrict pos = s.pos.data();
  double* __restrict ap = s.ap.data();
  const double* __restrict neg = s.neg.data();
  const double* __restrict off_pos = b.offset_pos.data();
  const double* __restrict off_neg = b.offset_neg.data();
  for (std::size_t l = 0; l < L; ++l) {
    pos[l] += w[l];
    const double pos_above = off_pos[l] + pos[l];
    const double ranked_above = pos_above + (off_neg[l] + neg[l]);
    ap[l] += w[l] * (pos_above / std::max(ranked_above, kNoRanks));
  }
}

template <std::size_t L>
inline void add_lone_negative(BinarySums& s, BucketSums& b, const double* __restrict w) {
  const double* __restrict pos = s.pos.data();
  double* __restrict neg = s.neg.data();
  double* __restrict auc = s.auc.data();
  const double* __restrict off_pos = b.offset_pos.data();
  for (std::size_t l = 0; l < L; ++l) {
    auc[l] += w[l] * (off_pos[l] + pos[l]);
    neg[l] += w[l];
  }
}

template <std::size_t L>
inline void close_tie_group(BinarySums& s, BucketSums& b) {
  double* __restrict pos = s.pos.data();
  double* __restrict neg = s.neg.data();
  double* __restrict auc = s.auc.data();
  double* __restrict ap = s.ap.data();
  double* __restrict pending_pos = b.pending_pos.data();
  double* __restrict pending_neg = b.pending_neg.data();
  const double* __restrict off_pos = b.offset_pos.data();
  const double* __restrict off_neg = b.offset_neg.data();
  for (std::size_t l = 0; l < L; ++l) {
    auc[l] += pending_neg[l] * ((off_pos[l] + pos[l]) + 0.5 * pending_pos[l]);
    pos[l] += pending_pos[l];
    neg[l] += pending_neg[l];
    const double pos_above = off_pos[l] + pos[l];
    const double ranked_above = pos_above + (off_neg[l] + neg[l]);
    ap[l] += pending_pos[l] * (pos_above / std::max(ranked_above, kNoRanks));
    pending_pos[l] = 0.0;
    pending_neg[l] = 0.0;
  }
}

// The ranked update of one row in one set of sums (the overall rows' or a group's). Rows
// of equal score form a tie group, credited half in AUC, with one average-precision step.
template <std::size_t L>
inline void ranked_update(BucketSums& b, const LaneWeights& w, bool positive, bool starts, bool ends,
                          double row_loss, double row_brier) {
  BinarySums& s = b.own;
  add_scaled_lanes<L>(s.loss.data(), s.brier.data(), w.data(), row_loss, row_brier);
  if (starts && ends) {
    // A lone score (the common case for continuous scores): the tie-group update,
    // specialised; the results are bit-for-bit the same.
    if (positive)
      add_lone_positive<L>(s, b, w.data());
    else
      add_lone_negative<L>(s, b, w.data());
    return;
  }
  add_lanes<L>((positive ? b.pending_pos : b.pending_neg).data(), w.data());
  if (ends) close_tie_group<L>(s, b);
}

}  // namespace binary_detail

// The state of one ranked pass while it runs: the bucket's sums for the overall rows and
// every group, the exact prefixes the offsets come from, and the exact result.
template <std::size_t L>
class BinaryPass {
 public:
  BinaryPass(std::span<const GroupingSpec> groupings, const BinaryTotalsState* above, bool weighted,
             BinaryPassState& out)
      : groupings_(groupings), weighted_(weighted), out_(out),
        prefix_(above ? &above->overall : nullptr, L) {
    out_ = binary_pass_state(L, group_counts(groupings));
    for (std::size_t g = 0; g < groupings.size(); ++g) {
      groups_.emplace_back(groupings[g].groups);
      group_prefix_.emplace_back();
      for (std::size_t j = 0; j < groupings[g].groups; ++j)
        group_prefix_.back().emplace_back(above ? &above->groups[g][j] : nullptr, L);
    }
  }

  // Offsets for the next bucket. Whole weights keep exact integer offsets as a running
  // sum; fractional weights take the exact prefix, rounded, so that a partition starting
  // at this bucket reads the same offsets from the partitions before it.
  void open_bucket(bool first) {
    if (!weighted_ && !first) return;
    set_offsets(overall_, prefix_);
    for (std::size_t g = 0; g < groups_.size(); ++g)
      if (!groupings_[g].confusion_only)
        for (std::size_t j = 0; j < groups_[g].size(); ++j) set_offsets(groups_[g][j], group_prefix_[g][j]);
  }

  void update(std::size_t i, std::uint32_t r, const RankedModel& ranked, const LaneWeights& w, bool positive,
              bool starts, bool ends, double row_loss, double row_brier) {
    binary_detail::ranked_update<L>(overall_, w, positive, starts, ends, row_loss, row_brier);
    for (std::size_t g = 0; g < groupings_.size(); ++g) {
      BucketSums& b = groups_[g][groupings_[g].group_of_row[r]];
      if (groupings_[g].confusion_only) {
        binary_detail::add_lanes<L>((positive ? b.own.pos : b.own.neg).data(), w.data());
        continue;
      }
      const std::uint8_t marks = ranked.group_ties[g][i];
      binary_detail::ranked_update<L>(b, w, positive, (marks & kTieStarts) != 0, (marks & kTieEnds) != 0, row_loss,
                                      row_brier);
    }
  }

  // The threshold cut: the weight at or above it is everything closed so far plus the
  // current bucket's own sums (a tie never straddles the cut, so no tie group is open).
  void snapshot_threshold() {
    snapshot(out_.overall, overall_.own);
    for (std::size_t g = 0; g < groups_.size(); ++g)
      for (std::size_t j = 0; j < groups_[g].size(); ++j) snapshot(out_.groups[g][j], groups_[g][j].own);
  }

  void close_bucket() {
    flush(overall_, out_.overall, &prefix_, false);
    for (std::size_t g = 0; g < groups_.size(); ++g)
      for (std::size_t j = 0; j < groups_[g].size(); ++j)
        flush(groups_[g][j], out_.groups[g][j], groupings_[g].confusion_only ? nullptr : &group_prefix_[g][j],
              groupings_[g].confusion_only);
  }

 private:
  static void set_offsets(BucketSums& b, const RankedPrefix& p) {
    for (std::size_t l = 0; l < L; ++l) {
      b.offset_pos[l] = p.pos[l].value();
      b.offset_neg[l] = p.neg[l].value();
    }
  }

  static void snapshot(BinaryExact& e, const BinarySums& own) {
    for (std::size_t l = 0; l < L; ++l) {
      e[BinaryQuantity::tp][l] = e[BinaryQuantity::pos][l];
      e[BinaryQuantity::tp][l].add(own.pos[l]);
      e[BinaryQuantity::fp][l] = e[BinaryQuantity::neg][l];
      e[BinaryQuantity::fp][l].add(own.neg[l]);
    }
  }

  // The bucket's folds go into the exact sums (and the prefix), and start again from zero.
  void flush(BucketSums& b, BinaryExact& e, RankedPrefix* prefix, bool confusion_only) {
    for (std::size_t l = 0; l < L; ++l) {
      e[BinaryQuantity::pos][l].add(b.own.pos[l]);
      e[BinaryQuantity::neg][l].add(b.own.neg[l]);
      if (confusion_only) continue;
      e[BinaryQuantity::auc][l].add(b.own.auc[l]);
      e[BinaryQuantity::ap][l].add(b.own.ap[l]);
      e[BinaryQuantity::loss][l].add(b.own.loss[l]);
      e[BinaryQuantity::brier][l].add(b.own.brier[l]);
    }
    if (prefix != nullptr) {
      for (std::size_t l = 0; l < L; ++l) {
        if (weighted_) {
          prefix->pos[l].add(b.own.pos[l]);
          prefix->neg[l].add(b.own.neg[l]);
        } else {
          b.offset_pos[l] += b.own.pos[l];
          b.offset_neg[l] += b.own.neg[l];
        }
      }
    }
    b.own = BinarySums{};
  }

  std::span<const GroupingSpec> groupings_;
  bool weighted_;
  BinaryPassState& out_;
  BucketSums overall_;
  RankedPrefix prefix_;
  std::vector<std::vector<BucketSums>> groups_;
  std::vector<std::vector<RankedPrefix>> group_prefix_;
};

// One ranked pass over whole score buckets: the exact sums of the overall rows and of every
// group of every grouping, from the same weights. `above` holds the positive and negative
// weight of every bucket ranked above this pass's rows (another partition's totals), or is
// null when this pass starts at the top of the ranking.
template <class Weights>
void binary_exact_pass(const BinaryColumns& c, const RankedModel& ranked, const Weights& weights,
                       std::span<const GroupingSpec> groupings, const BinaryTotalsState* above,
                       BinaryPassState& out) {
  constexpr std::size_t L = Weights::lanes;
  const bool weighted = !c.weight.empty();
  BinaryPass<L> pass(groupings, above, weighted, out);
  LaneWeights w{};
  const std::size_t n = ranked.order.size();
  const std::uint32_t* order = ranked.order.data();
  std::size_t start = 0;
  for (std::size_t end : ranked.bucket_ends) {
    pass.open_bucket(start == 0);
    for (std::size_t i = start; i < end; ++i) {
      if (i == ranked.threshold_cut) pass.snapshot_threshold();
      if (i + 16 < n) {
        // The ranking visits rows in random memory order; fetch ahead.
        __builtin_prefetch(&c.score[order[i + 16]]);
        __builtin_prefetch(&c.label[order[i + 16]]);
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
      const bool starts = i == 0 || c.score[order[i - 1]] != score;
      const bool ends = i + 1 == n || c.score[order[i + 1]] != score;
      pass.update(i, r, ranked, w, y > 0.5, starts, ends, clipped_log_loss(y, score), (score - y) * (score - y));
    }
    pass.close_bucket();
    start = end;
  }
  if (ranked.threshold_cut == n) pass.snapshot_threshold();
}

// The sums of one ranked pass over every row, rounded to doubles: the overall rows', and
// each group's in `grouped` when there are groupings.
template <class Weights>
BinarySums accumulate_binary(const BinaryColumns& c, const RankedModel& ranked, const Weights& weights,
                             std::span<const GroupingSpec> groupings = {}, GroupedBinarySums* grouped = nullptr) {
  BinaryPassState state;
  binary_exact_pass(c, ranked, weights, grouped ? groupings : std::span<const GroupingSpec>{}, nullptr, state);
  if (grouped)
    for (std::size_t g = 0; g < state.groups.size(); ++g)
      for (std::size_t j = 0; j < state.groups[g].size(); ++j) grouped->sums[g][j] = state.groups[g][j].rounded();
  return state.overall.rounded();
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
