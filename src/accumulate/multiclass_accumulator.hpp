#pragma once
// The multiclass metrics of both models, for a block of replicates: one pass over the rows
// in row order for everything read off the confusion matrix (accuracy, balanced accuracy,
// precision/recall/f1 per class and averaged, Cohen's kappa, MCC), log loss, Brier and
// top-k accuracy; then one ranked pass per model and class for one-vs-rest ROC AUC.
//
// Why these sums: every confusion-matrix figure scikit-learn defines for single-label
// multiclass data is a function of three per-class weights (rows whose label is c, rows
// predicted c, rows both) and the total, so K x 3 lane sums replace the K x K matrix. One-
// vs-rest AUC of class c is the binary AUC of (label == c) against p_c, so it needs the
// rows ranked by p_c; those passes read the block's Poisson weights from a byte cache
// filled once per block (CachedWeights), not from the generator 2K times over.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <span>
#include <vector>

#include <referee/table.hpp>
#include <referee/vocabulary.hpp>

#include "accumulate/binary_accumulator.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

struct MulticlassColumns {
  std::span<const double> label;   // the class index
  ScoreBlock scores;               // n x K probabilities
  std::span<const double> weight;  // empty: every row weighs 1
};

// One model's per-row facts, computed once: the predicted class (the first of equal
// maxima, as numpy's argmax and scikit-learn's predict), the log loss and Brier terms, and
// whether the label is among the top k for each k a figure asks for.
struct MulticlassRows {
  std::vector<std::uint32_t> predicted;
  std::vector<double> loss, brier;
  std::vector<std::vector<std::uint8_t>> top_k_hit;  // [k slot][row]
};

// The label's position in scikit-learn's top_k_accuracy_score order: classes by
// descending probability, equal probabilities by descending class index (a stable
// ascending argsort, reversed).
inline std::size_t label_position(const ScoreBlock& s, std::size_t row, std::size_t label) {
  const double p = s.at(row, label);
  std::size_t above = 0;
  for (std::size_t k = 0; k < s.classes; ++k) {
    const double q = s.at(row, k);
    above += (q > p || (q == p && k > label)) ? 1 : 0;
  }
  return above;
}

inline MulticlassRows multiclass_rows(const MulticlassColumns& c, std::span<const std::size_t> top_ks) {
  const std::size_t n = c.label.size(), K = c.scores.classes;
  // scikit-learn clips to [eps, 1 - eps] before the log; it halves the Brier score of two
  // classes (scale_by_half="auto"), so a two-class multiclass Brier reads as the binary one.
  constexpr double eps = std::numeric_limits<double>::epsilon();
  const double brier_scale = K < 3 ? 0.5 : 1.0;
  MulticlassRows out;
  out.predicted.resize(n);
  out.loss.resize(n);
  out.brier.resize(n);
  out.top_k_hit.assign(top_ks.size(), std::vector<std::uint8_t>(n));
  for (std::size_t r = 0; r < n; ++r) {
    const auto y = static_cast<std::size_t>(c.label[r]);
    std::size_t best = 0;
    double brier = 0.0;
    for (std::size_t k = 0; k < K; ++k) {
      const double p = c.scores.at(r, k);
      if (p > c.scores.at(r, best)) best = k;
      const double d = (k == y ? 1.0 : 0.0) - p;
      brier += d * d;
    }
    out.predicted[r] = static_cast<std::uint32_t>(best);
    out.loss[r] = -std::log(std::clamp(c.scores.at(r, y), eps, 1.0 - eps));
    out.brier[r] = brier * brier_scale;
    const std::size_t position = label_position(c.scores, r, y);
    for (std::size_t j = 0; j < top_ks.size(); ++j) out.top_k_hit[j][r] = position < top_ks[j] ? 1 : 0;
  }
  return out;
}

// Per-lane sums of the row-order pass, for one model (overall or one group).
struct ConfusionSums {
  std::vector<LaneWeights> truth, predicted, correct;  // per class
  std::vector<LaneWeights> top_k;                      // per k slot
  LaneWeights loss{}, brier{};

  ConfusionSums(std::size_t classes, std::size_t top_k_slots)
      : truth(classes, LaneWeights{}), predicted(classes, LaneWeights{}), correct(classes, LaneWeights{}),
        top_k(top_k_slots, LaneWeights{}) {}
};

namespace multiclass_detail {

template <std::size_t L>
inline void add(double* __restrict sum, const double* __restrict w) {
  for (std::size_t l = 0; l < L; ++l) sum[l] += w[l];
}

template <std::size_t L>
inline void add_scaled(double* __restrict sum, const double* __restrict w, double x) {
  for (std::size_t l = 0; l < L; ++l) sum[l] += w[l] * x;
}

template <std::size_t L>
inline void add_row(ConfusionSums& s, const MulticlassRows& rows, std::size_t r, std::size_t y,
                    const LaneWeights& w) {
  const std::size_t predicted = rows.predicted[r];
  add<L>(s.truth[y].data(), w.data());
  add<L>(s.predicted[predicted].data(), w.data());
  if (predicted == y) add<L>(s.correct[y].data(), w.data());
  add_scaled<L>(s.loss.data(), w.data(), rows.loss[r]);
  add_scaled<L>(s.brier.data(), w.data(), rows.brier[r]);
  for (std::size_t j = 0; j < s.top_k.size(); ++j)
    if (rows.top_k_hit[j][r]) add<L>(s.top_k[j].data(), w.data());
}

}  // namespace multiclass_detail

// Weights times the sample weight, for one row.
template <class Weights>
inline void row_weights(const Weights& weights, std::span<const double> sample_weight, std::size_t r,
                        LaneWeights& w) {
  weights.fill(r, w);
  if (!sample_weight.empty()) {
    const double sw = sample_weight[r];
    for (std::size_t l = 0; l < Weights::lanes; ++l) w[l] *= sw;
  }
}

// The row-order pass: both models' confusion sums, overall and per group of each grouping.
// `grouped[g][j][m]` receives group j of grouping g for model m.
template <class Weights>
void confusion_pass(const MulticlassColumns& c, const std::array<MulticlassRows, 2>& rows, const Weights& weights,
                    std::span<const GroupingSpec> groupings, std::array<ConfusionSums, 2>& out,
                    std::vector<std::vector<std::array<ConfusionSums, 2>>>& grouped) {
  constexpr std::size_t L = Weights::lanes;
  LaneWeights w{};
  for (std::size_t r = 0; r < c.label.size(); ++r) {
    row_weights(weights, c.weight, r, w);
    const auto y = static_cast<std::size_t>(c.label[r]);
    for (std::size_t m = 0; m < 2; ++m) {
      multiclass_detail::add_row<L>(out[m], rows[m], r, y, w);
      for (std::size_t g = 0; g < groupings.size(); ++g)
        multiclass_detail::add_row<L>(grouped[g][groupings[g].group_of_row[r]][m], rows[m], r, y, w);
    }
  }
}

// One-vs-rest ROC AUC sums of one class: positive and negative weight and the Mann-
// Whitney sum, credited half for ties, as binary_accumulator.hpp does.
struct OvrSums {
  LaneWeights pos{}, neg{}, auc{};
  LaneWeights pending_pos{}, pending_neg{};  // an open tie group
};

// One model's rows ranked by p_c, descending, ties by unit key then row, with the tie
// marks of each grouping (group_tie_marks's meaning).
struct RankedClass {
  std::vector<std::uint32_t> order;
  std::vector<std::uint8_t> ties;                   // kTieStarts / kTieEnds, overall
  std::vector<std::vector<std::uint8_t>> group_ties;  // per grouping
};

inline RankedClass rank_class(const ScoreBlock& s, std::size_t rows, std::size_t k, const RowUnits& units,
                              std::span<const GroupingSpec> groupings) {
  RankedClass ranked;
  ranked.order.resize(rows);
  std::iota(ranked.order.begin(), ranked.order.end(), std::uint32_t{0});
  std::sort(ranked.order.begin(), ranked.order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const double pa = s.at(a, k), pb = s.at(b, k);
    if (pa != pb) return pa > pb;
    const std::uint64_t ka = units.key_of(a), kb = units.key_of(b);
    return ka != kb ? ka < kb : a < b;
  });
  const auto score_of = [&](std::uint32_t r) { return s.at(r, k); };
  ranked.ties = tie_marks(ranked.order, score_of, {}, 1);
  for (const GroupingSpec& g : groupings)
    ranked.group_ties.push_back(tie_marks(ranked.order, score_of, g.group_of_row, g.groups));
  return ranked;
}

namespace multiclass_detail {

template <std::size_t L>
inline void ovr_update(OvrSums& s, const LaneWeights& w, bool positive, std::uint8_t marks) {
  if (marks == (kTieStarts | kTieEnds)) {
    if (positive) {
      add<L>(s.pos.data(), w.data());
    } else {
      for (std::size_t l = 0; l < L; ++l) {
        s.auc[l] += w[l] * s.pos[l];
        s.neg[l] += w[l];
      }
    }
    return;
  }
  add<L>((positive ? s.pending_pos : s.pending_neg).data(), w.data());
  if (marks & kTieEnds)
    for (std::size_t l = 0; l < L; ++l) {
      s.auc[l] += s.pending_neg[l] * (s.pos[l] + 0.5 * s.pending_pos[l]);
      s.pos[l] += s.pending_pos[l];
      s.neg[l] += s.pending_neg[l];
      s.pending_pos[l] = 0.0;
      s.pending_neg[l] = 0.0;
    }
}

}  // namespace multiclass_detail

// The ranked pass of class k for one model: overall and per group of each grouping
// (`grouped[g][j]`).
template <class Weights>
void ovr_pass(const MulticlassColumns& c, const RankedClass& ranked, std::size_t k, const Weights& weights,
              std::span<const GroupingSpec> groupings, OvrSums& out, std::vector<std::vector<OvrSums>>& grouped) {
  constexpr std::size_t L = Weights::lanes;
  LaneWeights w{};
  const std::size_t n = ranked.order.size();
  const auto target = static_cast<double>(k);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + 16 < n) __builtin_prefetch(&c.label[ranked.order[i + 16]]);
    const std::uint32_t r = ranked.order[i];
    row_weights(weights, c.weight, r, w);
    const bool positive = c.label[r] == target;
    multiclass_detail::ovr_update<L>(out, w, positive, ranked.ties[i]);
    for (std::size_t g = 0; g < groupings.size(); ++g)
      multiclass_detail::ovr_update<L>(grouped[g][groupings[g].group_of_row[r]], w, positive, ranked.group_ties[g][i]);
  }
}

// A block's Poisson weights, generated once per row into bytes (a Poisson(1) count is at
// most 12) and read back by every ranked pass: N x kLanes bytes per worker thread.
class CachedWeights {
 public:
  static constexpr std::size_t lanes = kLanes;
  template <class Weights>
  CachedWeights(const Weights& source, std::size_t rows) : bytes_(new std::uint8_t[rows * kLanes]) {
    LaneWeights w{};
    for (std::size_t r = 0; r < rows; ++r) {
      source.fill(r, w);
      for (std::size_t l = 0; l < kLanes; ++l) bytes_[r * kLanes + l] = static_cast<std::uint8_t>(w[l]);
    }
  }
  void fill(std::size_t row, LaneWeights& w) const noexcept {
    const std::uint8_t* b = bytes_.get() + row * kLanes;
    for (std::size_t l = 0; l < kLanes; ++l) w[l] = static_cast<double>(b[l]);
  }

 private:
  std::unique_ptr<std::uint8_t[]> bytes_;
};

}  // namespace referee
