#pragma once
// The multiclass metrics of both models, for a block of replicates: one order-free pass
// over the rows for everything read off the confusion matrix (accuracy, balanced accuracy,
// precision/recall/f1 per class and averaged, Cohen's kappa, MCC), log loss, Brier and
// top-k accuracy; then one ranked pass per model and class for one-vs-rest ROC AUC.
//
// Why these sums: every confusion-matrix figure scikit-learn defines for single-label
// multiclass data is a function of three per-class weights (rows whose label is c, rows
// predicted c, rows both) and the total, so K x 3 lane sums replace the K x K matrix. The
// confusion pass's sums are canonical (docs/partitioned.md): doubles fold only within a key
// bucket, visiting its rows by key and then the row tuple, and each bucket's folds go into
// exact sums (multiclass_state.hpp), so a shuffled file or a partition of whole key buckets
// gives every bit.
//
// One-vs-rest AUC of class c is the binary AUC of (label == c) against p_c, so it needs the
// rows ranked by p_c. With row weights (and in a partition) those passes are the binary
// ranked passes (ovr_passes.hpp). With whole weights the passes below are faster and give
// the same bits (tests/unit/multiclass_fast_pass.cpp): they read the block's Poisson weights
// from a cache filled once per block (CachedWeights, four bits a lane), not from the
// generator 2K times; every one-vs-rest sum is an integer (or a half for ties) below 2^53,
// so it is exact in any order; the ranked pass adds the negative rows between two positives
// as 16-bit integers and credits them at once.

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

#include <referee/table.hpp>
#include <referee/vocabulary.hpp>

#include "accumulate/binary_accumulator.hpp"
#include "accumulate/group_folds.hpp"
#include "accumulate/multiclass_state.hpp"
#include "resample/canonical_buckets.hpp"
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

// The confusion pass's visiting order (docs/partitioned.md): rows by unit key (so by key
// bucket), then by the row tuple (label, weight, both models' probabilities), so a shuffled
// file or a partition of whole key buckets folds the same. Without keys the key is the row
// position: the order is the identity and every row is in bucket 0.
struct MulticlassPlan {
  std::vector<std::uint32_t> order;
  std::vector<std::size_t> bucket_ends;  // where each key bucket ends in `order`
  unsigned bucket_bits = 0;
};

namespace multiclass_detail {

// The row tuple after the key: rows equal in all of it add the same values, in any order.
inline bool row_tuple_less(const MulticlassColumns& c, const ScoreBlock& other, std::uint32_t a, std::uint32_t b) {
  if (c.label[a] != c.label[b]) return c.label[a] < c.label[b];
  if (!c.weight.empty() && c.weight[a] != c.weight[b]) return c.weight[a] < c.weight[b];
  for (const ScoreBlock* s : {&c.scores, &other})
    for (std::size_t k = 0; k < s->classes; ++k)
      if (s->at(a, k) != s->at(b, k)) return s->at(a, k) < s->at(b, k);
  return false;
}

}  // namespace multiclass_detail

// `c` holds the champion's scores, `challenger` the challenger's; `total_rows`: the whole
// evaluation's row count, which sets the bucket width (0: these columns are every row).
inline MulticlassPlan plan_multiclass(const MulticlassColumns& c, const ScoreBlock& challenger, const RowUnits& units,
                                      std::uint64_t total_rows = 0) {
  MulticlassPlan plan;
  plan.order.resize(c.label.size());
  std::iota(plan.order.begin(), plan.order.end(), std::uint32_t{0});
  if (!units.key.empty())
    std::sort(plan.order.begin(), plan.order.end(), [&](std::uint32_t a, std::uint32_t b) {
      if (units.key[a] != units.key[b]) return units.key[a] < units.key[b];
      return multiclass_detail::row_tuple_less(c, challenger, a, b);
    });
  plan.bucket_bits = key_bucket_bits(total_rows != 0 ? total_rows : c.label.size());
  plan.bucket_ends =
      bucket_ends(plan.order, [&](std::uint32_t r) { return key_bucket(units.key_of(r), plan.bucket_bits); });
  return plan;
}

// The confusion pass over whole key buckets: the exact confusion sums of each model m with
// out[m] set, overall and per group of each grouping. Doubles fold only within a bucket.
template <class Weights>
void confusion_exact_pass(const MulticlassColumns& c, const std::array<MulticlassRows, 2>& rows,
                          const MulticlassPlan& plan, const Weights& weights, std::span<const GroupingSpec> groupings,
                          const std::array<MulticlassPassState*, 2>& out) {
  constexpr std::size_t L = Weights::lanes;
  const std::size_t K = c.scores.classes, slots = rows[0].top_k_hit.size();
  const ConfusionSums zero(K, slots);
  std::array<ConfusionSums, 2> fold{zero, zero};
  std::vector<std::unique_ptr<GroupFolds<ConfusionSums>>> grouped(2);
  for (std::size_t m = 0; m < 2; ++m)
    if (out[m]) grouped[m] = std::make_unique<GroupFolds<ConfusionSums>>(out[m]->groups, zero);
  LaneWeights w{};
  std::size_t start = 0;
  for (std::size_t end : plan.bucket_ends) {
    for (std::size_t i = start; i < end; ++i) {
      const std::uint32_t r = plan.order[i];
      row_weights(weights, c.weight, r, w);
      const auto y = static_cast<std::size_t>(c.label[r]);
      for (std::size_t m = 0; m < 2; ++m) {
        if (!out[m]) continue;
        multiclass_detail::add_row<L>(fold[m], rows[m], r, y, w);
        for (std::size_t g = 0; g < groupings.size(); ++g)
          multiclass_detail::add_row<L>(grouped[m]->at(g, groupings[g].group_of_row[r]), rows[m], r, y, w);
      }
    }
    for (std::size_t m = 0; m < 2; ++m)
      if (out[m]) {
        out[m]->overall.add(fold[m]);
        fold[m] = zero;
        grouped[m]->flush(out[m]->groups, true);
      }
    start = end;
  }
}

// One-vs-rest ROC AUC sums of one class: positive and negative weight and the Mann-
// Whitney sum, credited half for ties, as binary_accumulator.hpp does.
struct OvrSums {
  LaneWeights pos{}, neg{}, auc{};
  LaneWeights pending_pos{}, pending_neg{};  // an open tie group
};

// One model's rows ranked by p_c, descending, ties by unit key then row, with the tie
// marks of each grouping (group_tie_marks's meaning) and whether each row is of class c.
struct RankedClass {
  std::vector<std::uint32_t> order;
  std::vector<std::uint8_t> ties;                   // kTieStarts / kTieEnds, overall
  std::vector<std::vector<std::uint8_t>> group_ties;  // per grouping
  std::vector<std::uint8_t> positive;               // per ranked position: label == c
};

namespace multiclass_detail {

// A row to rank: its probability of the class (as a key that orders descending
// probabilities ascending, for the radix sort), or, when rows are clustered, the
// probability and the unit key; and whether it is of the class.
struct RankRecord {
  std::uint64_t key;
  std::uint32_t row, positive;
};
struct ClusteredRankRecord {
  double p;
  std::uint64_t key;
  std::uint32_t row, positive;
};

// A probability is finite and >= 0, so its bits order like its value once -0 reads as +0
// (they compare equal, so they tie); the complement orders descending.
inline std::uint64_t descending_key(double p) { return ~std::bit_cast<std::uint64_t>(p == 0.0 ? 0.0 : p); }
inline double score_of(const RankRecord& r) { return std::bit_cast<double>(~r.key); }
inline double score_of(const ClusteredRankRecord& r) { return r.p; }

// Rows by descending probability, ties by row: a stable radix sort of the records in row
// order, 11 bits a pass (six passes; the counts of every pass taken in one read), a pass
// whose digit is the same in every record skipped. It gives the one order the comparison
// (p descending, then row) defines.
inline void sort_records(std::vector<RankRecord>& records) {
  constexpr unsigned bits = 11, passes = (64 + bits - 1) / bits;
  constexpr std::uint64_t mask = (1u << bits) - 1;
  if (records.empty()) return;
  std::vector<std::array<std::uint32_t, mask + 1>> start(passes);
  for (const RankRecord& r : records)
    for (unsigned pass = 0; pass < passes; ++pass) ++start[pass][(r.key >> (pass * bits)) & mask];
  std::vector<RankRecord> scratch(records.size());
  for (unsigned pass = 0; pass < passes; ++pass) {
    const unsigned shift = pass * bits;
    auto& next = start[pass];
    if (next[(records.front().key >> shift) & mask] == records.size()) continue;
    std::uint32_t sum = 0;
    for (std::uint32_t& s : next) sum += std::exchange(s, sum);
    for (const RankRecord& r : records) scratch[next[(r.key >> shift) & mask]++] = r;
    records.swap(scratch);
  }
}

// Clustered rows: probability descending, then unit key, then row. The comparison is a
// strict total order, so the ranking is the same whatever the sort. Records are sorted in
// place, not row indices through a comparator that reads the n x K block, which would miss
// the cache at every step.
inline void sort_records(std::vector<ClusteredRankRecord>& records) {
  std::sort(records.begin(), records.end(), [](const ClusteredRankRecord& a, const ClusteredRankRecord& b) {
    if (a.p != b.p) return a.p > b.p;
    return a.key != b.key ? a.key < b.key : a.row < b.row;
  });
}

// Fills the ranking from sorted records; the tie marks compare neighbours in rank order
// (tie_marks over rank positions), not rows scattered over the block.
template <class Record>
void fill_ranked(const std::vector<Record>& records, std::span<const GroupingSpec> groupings, RankedClass& ranked) {
  const std::size_t rows = records.size();
  ranked.order.resize(rows);
  ranked.positive.resize(rows);
  std::vector<double> p(rows);
  std::vector<std::uint32_t> position(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    ranked.order[i] = records[i].row;
    ranked.positive[i] = static_cast<std::uint8_t>(records[i].positive);
    p[i] = score_of(records[i]);
    position[i] = static_cast<std::uint32_t>(i);
  }
  const auto score_at = [&](std::uint32_t i) { return p[i]; };
  ranked.ties = tie_marks(position, score_at, {}, 1);
  std::vector<std::uint32_t> group_at(rows);
  for (const GroupingSpec& g : groupings) {
    for (std::size_t i = 0; i < rows; ++i) group_at[i] = g.group_of_row[ranked.order[i]];
    ranked.group_ties.push_back(tie_marks(position, score_at, group_at, g.groups));
  }
}

}  // namespace multiclass_detail

inline RankedClass rank_class(const ScoreBlock& s, std::span<const double> label, std::size_t k,
                              const RowUnits& units, std::span<const GroupingSpec> groupings) {
  using namespace multiclass_detail;
  const std::size_t rows = label.size();
  const auto target = static_cast<double>(k);
  RankedClass ranked;
  const auto positive = [&](std::size_t r) { return label[r] == target ? 1u : 0u; };
  if (units.key.empty()) {
    std::vector<RankRecord> records(rows);
    for (std::size_t r = 0; r < rows; ++r)
      records[r] = {descending_key(s.at(r, k)), static_cast<std::uint32_t>(r), positive(r)};
    sort_records(records);
    fill_ranked(records, groupings, ranked);
  } else {
    std::vector<ClusteredRankRecord> records(rows);
    for (std::size_t r = 0; r < rows; ++r)
      records[r] = {s.at(r, k), units.key[r], static_cast<std::uint32_t>(r), positive(r)};
    sort_records(records);
    fill_ranked(records, groupings, ranked);
  }
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

// A block's Poisson weights, four bits per lane (a Poisson(1) count is at most 12), read
// back by every ranked pass: N x 32 bytes per worker thread, half of what bytes would take,
// so twice as many rows stay in cache for the ranked passes' random reads. Byte l of a row
// holds lane l in its low half and lane l + 32 in its high half, so that unpacking a row
// is two vector loops.
class CachedWeights {
 public:
  static constexpr std::size_t lanes = kLanes;
  static constexpr std::size_t kRowBytes = kLanes / 2;
  static constexpr std::size_t kLargest = kPoissonOneThresholds.size();  // the largest count
  static_assert(kLargest < 16, "a count fits four bits");

  explicit CachedWeights(std::size_t rows)
      : bytes_(static_cast<std::uint8_t*>(::operator new[](rows * kRowBytes, std::align_val_t{64}))) {}

  void store(std::size_t row, const LaneWeights& w) noexcept {
    std::uint8_t* __restrict b = bytes_.get() + row * kRowBytes;
    for (std::size_t l = 0; l < kRowBytes; ++l)
      b[l] = static_cast<std::uint8_t>(static_cast<unsigned>(w[l]) | (static_cast<unsigned>(w[l + kRowBytes]) << 4));
  }
  const std::uint8_t* row(std::size_t r) const noexcept { return bytes_.get() + r * kRowBytes; }
  // Calls f(lane, count) for every lane of a packed row.
  template <class F>
  static void unpack(const std::uint8_t* __restrict b, F&& f) noexcept {
    for (std::size_t l = 0; l < kRowBytes; ++l) f(l, static_cast<unsigned>(b[l] & 15u));
    for (std::size_t l = 0; l < kRowBytes; ++l) f(l + kRowBytes, static_cast<unsigned>(b[l] >> 4));
  }
  void fill(std::size_t r, LaneWeights& w) const noexcept {
    unpack(row(r), [&w](std::size_t l, unsigned count) { w[l] = static_cast<double>(count); });
  }

 private:
  struct Free {
    void operator()(std::uint8_t* p) const noexcept { ::operator delete[](p, std::align_val_t{64}); }
  };
  std::unique_ptr<std::uint8_t[], Free> bytes_;
};

// Fills `cache` with a block's Poisson weights, in row order.
template <class Weights>
void fill_cache(const Weights& weights, std::size_t rows, CachedWeights& cache) {
  LaneWeights w{};
  for (std::size_t r = 0; r < rows; ++r) {
    weights.fill(r, w);
    cache.store(r, w);
  }
}

// Whether the whole-weight ranked pass is exact for a block: no row weights (so every
// lane weight is a count) and every lane's total W small enough that each sum of the pass,
// at most W^2 / 4 and a multiple of 1/2, is exact in a double (W < 2^26).
inline bool whole_weight_ranking_exact(const MulticlassColumns& c, const ConfusionSums& overall) {
  if (!c.weight.empty()) return false;
  for (std::size_t l = 0; l < kLanes; ++l) {
    double total = 0.0;
    for (const LaneWeights& t : overall.truth) total += t[l];
    if (!(total < 67108864.0)) return false;  // 2^26
  }
  return true;
}

namespace multiclass_detail {

// Lone negative rows since the last positive, per lane, as integers: each credits the
// positive weight ranked above it, which does not change until the next positive.
struct NegativeRun {
  alignas(64) std::array<std::uint16_t, kLanes> weight{};
  std::uint32_t rows = 0;
};
// A run is credited before its 16-bit sums could overflow.
inline constexpr std::uint32_t kMaxRunRows = 65535 / CachedWeights::kLargest;

template <std::size_t L>
inline void credit_run(OvrSums& s, NegativeRun& run) {
  if (run.rows == 0) return;
  double* __restrict auc = s.auc.data();
  double* __restrict neg = s.neg.data();
  const double* __restrict pos = s.pos.data();
  std::uint16_t* __restrict weight = run.weight.data();
  for (std::size_t l = 0; l < L; ++l) {
    const double n = weight[l];
    auc[l] += n * pos[l];
    neg[l] += n;
    weight[l] = 0;
  }
  run.rows = 0;
}

// ovr_update for whole weights: a lone negative joins the run; anything else credits the
// run first and then does what ovr_update does.
template <std::size_t L>
inline void ovr_update_whole(OvrSums& s, NegativeRun& run, const std::uint8_t* __restrict packed, bool positive,
                             std::uint8_t marks) {
  static_assert(L == kLanes, "a cached row holds every lane");
  if (marks == (kTieStarts | kTieEnds) && !positive) {
    std::uint16_t* __restrict weight = run.weight.data();
    CachedWeights::unpack(packed, [weight](std::size_t l, unsigned count) {
      weight[l] = static_cast<std::uint16_t>(weight[l] + count);
    });
    if (++run.rows == kMaxRunRows) credit_run<L>(s, run);
    return;
  }
  credit_run<L>(s, run);
  if (marks == (kTieStarts | kTieEnds)) {
    double* __restrict pos = s.pos.data();
    CachedWeights::unpack(packed, [pos](std::size_t l, unsigned count) { pos[l] += static_cast<double>(count); });
    return;
  }
  LaneWeights w;
  CachedWeights::unpack(packed, [&w](std::size_t l, unsigned count) { w[l] = static_cast<double>(count); });
  ovr_update<L>(s, w, positive, marks);
}

}  // namespace multiclass_detail

// ovr_pass for whole weights (whole_weight_ranking_exact), reading the cache: the same
// sums, bit for bit.
inline void ovr_pass_whole(const RankedClass& ranked, const CachedWeights& cache,
                           std::span<const GroupingSpec> groupings, OvrSums& out,
                           std::vector<std::vector<OvrSums>>& grouped) {
  using multiclass_detail::NegativeRun;
  constexpr std::size_t L = kLanes, ahead = 16;
  NegativeRun run;
  std::vector<std::vector<NegativeRun>> group_runs;
  for (const GroupingSpec& g : groupings) group_runs.emplace_back(g.groups);
  const std::size_t n = ranked.order.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i + ahead < n) {
      const std::uint32_t later = ranked.order[i + ahead];
      __builtin_prefetch(cache.row(later));
      for (const GroupingSpec& g : groupings) __builtin_prefetch(&g.group_of_row[later]);
    }
    const std::uint32_t r = ranked.order[i];
    const std::uint8_t* bytes = cache.row(r);
    const bool positive = ranked.positive[i] != 0;
    multiclass_detail::ovr_update_whole<L>(out, run, bytes, positive, ranked.ties[i]);
    for (std::size_t g = 0; g < groupings.size(); ++g) {
      const std::uint32_t j = groupings[g].group_of_row[r];
      multiclass_detail::ovr_update_whole<L>(grouped[g][j], group_runs[g][j], bytes, positive, ranked.group_ties[g][i]);
    }
  }
  multiclass_detail::credit_run<L>(out, run);
  for (std::size_t g = 0; g < groupings.size(); ++g)
    for (std::size_t j = 0; j < groupings[g].groups; ++j) multiclass_detail::credit_run<L>(grouped[g][j], group_runs[g][j]);
}

}  // namespace referee
