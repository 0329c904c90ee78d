#pragma once
// One query's ranking metrics for one model: DCG and NDCG as scikit-learn's dcg_score and
// ndcg_score define them (linear gain, log2 discount, ignore_ties=False), and average
// precision, reciprocal rank, precision and recall as ranx defines them (relevant means
// relevance > 0). docs/ranking.md states each definition.
//
// Ties. A model that gives documents the same score does not order them, so every
// metric here is its expectation over the orders of the tied documents, each order
// equally likely. For DCG that is exactly scikit-learn's tie-averaged DCG (the block's
// mean gain times the sum of its positions' discounts); the binary metrics follow the same
// rule, so no metric depends on the order the rows arrived in. ranx instead breaks ties
// by its own sort (numba's unstable argsort of the negated scores): on tie-free queries
// the two agree exactly.
//
// The bootstrap moves whole queries, so a query's values are fixed: the ranking task
// computes them once per query and model, and a resample is a weighted mean over queries.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <numeric>
#include <optional>
#include <span>
#include <vector>

namespace referee {

// The top k documents; nullopt = every document of the query.
using RankCutoff = std::optional<std::size_t>;

// scikit-learn's discount at 0-based position i: 1 / (log(i + 2) / log(2)).
inline double rank_discount(std::size_t i) {
  return 1.0 / (std::log(static_cast<double>(i) + 2.0) / std::log(2.0));
}

// A query's documents in one model's order, best score first, tied scores kept together
// as one block.
class RankedQuery {
 public:
  // One relevance (finite, >= 0) and one score per document; at least one document.
  // Reuses its buffers, so one RankedQuery serves every query of a table.
  void rank(std::span<const double> relevance, std::span<const double> score) {
    const std::size_t n = relevance.size();
    order_.resize(n);
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    // Within a tie, by relevance: the block's gain is then summed in an order that depends
    // on the values alone, not on the order the rows arrived in.
    std::sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
      return score[a] > score[b] || (score[a] == score[b] && relevance[a] < relevance[b]);
    });
    blocks_.clear();
    relevant_ = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t d = order_[i];
      if (i == 0 || score[d] != score[order_[i - 1]]) blocks_.push_back({i, 0, 0.0, 0});
      Block& b = blocks_.back();
      ++b.size;
      b.gain += relevance[d];
      b.relevant += relevance[d] > 0.0 ? 1 : 0;
      relevant_ += relevance[d] > 0.0 ? 1 : 0;
    }
    ideal_.assign(relevance.begin(), relevance.end());
    std::sort(ideal_.begin(), ideal_.end(), std::greater<>());
  }

  std::size_t documents() const { return ideal_.size(); }
  // Documents with relevance > 0: none makes a query "empty" (docs/ranking.md).
  std::size_t relevant() const { return relevant_; }

  // sklearn.metrics.dcg_score of this one query (ignore_ties=False).
  double dcg(RankCutoff k) const {
    const std::size_t cut = cutoff(k);
    double sum = 0.0;
    for (const Block& b : blocks_) {
      if (b.start >= cut) break;
      double discounts = 0.0;
      for (std::size_t i = b.start; i < b.start + covered(b, cut); ++i) discounts += rank_discount(i);
      sum += b.gain / static_cast<double>(b.size) * discounts;
    }
    return sum;
  }

  // The DCG of the best order (scikit-learn's normalizing gain).
  double ideal_dcg(RankCutoff k) const {
    double sum = 0.0;
    for (std::size_t i = 0; i < cutoff(k); ++i) sum += ideal_[i] * rank_discount(i);
    return sum;
  }

  // sklearn.metrics.ndcg_score of this one query: 0 when no document has any gain.
  double ndcg(RankCutoff k) const {
    const double ideal = ideal_dcg(k);
    return ideal > 0.0 ? dcg(k) / ideal : 0.0;
  }

  // ranx's precision@k: relevant documents among the top min(k, n), over k (over n when k
  // is absent), so a query shorter than k cannot reach 1.
  double precision(RankCutoff k) const {
    return hits(cutoff(k)) / static_cast<double>(k ? *k : documents());
  }

  // ranx's recall@k: relevant documents among the top k, over all relevant ones; 0 with none.
  double recall(RankCutoff k) const {
    return relevant_ == 0 ? 0.0 : hits(cutoff(k)) / static_cast<double>(relevant_);
  }

  // ranx's reciprocal rank (mrr per query): 1 / the rank of the first relevant document
  // within the top k, else 0. Within the block holding the first relevant documents (m
  // documents, r relevant), the first of them is at its p-th place with probability
  // C(m - p, r - 1) / C(m, r).
  double reciprocal_rank(RankCutoff k) const {
    const std::size_t cut = cutoff(k);
    for (const Block& b : blocks_) {
      if (b.start >= cut) break;
      if (b.relevant == 0) continue;
      const double m = static_cast<double>(b.size), r = static_cast<double>(b.relevant);
      double first_here = r / m, sum = 0.0;
      for (std::size_t p = 1; p <= covered(b, cut); ++p) {
        const double place = static_cast<double>(p);
        sum += first_here / static_cast<double>(b.start + p);
        if (place < m) first_here *= (m - place - r + 1.0) / (m - place);
      }
      return sum;
    }
    return 0.0;
  }

  // ranx's average precision@k: the precision at the rank of each relevant document within
  // the top k, summed over all relevant documents (those below k count 0); 0 with none.
  // At place p of a block (m documents, r relevant) after H relevant ones, a relevant
  // document comes with probability r / m and then has, on average, H + 1 + (p - 1)(r - 1)
  // / (m - 1) relevant documents at or above it.
  double average_precision(RankCutoff k) const {
    if (relevant_ == 0) return 0.0;
    const std::size_t cut = cutoff(k);
    double sum = 0.0, above = 0.0;
    for (const Block& b : blocks_) {
      if (b.start >= cut) break;
      const double m = static_cast<double>(b.size), r = static_cast<double>(b.relevant);
      if (b.relevant > 0)
        for (std::size_t p = 1; p <= covered(b, cut); ++p) {
          const double others = b.size > 1 ? static_cast<double>(p - 1) * (r - 1.0) / (m - 1.0) : 0.0;
          sum += r / m * (above + 1.0 + others) / static_cast<double>(b.start + p);
        }
      above += r;
    }
    return sum / static_cast<double>(relevant_);
  }

 private:
  struct Block {
    std::size_t start = 0, size = 0;  // first 0-based position, documents
    double gain = 0.0;                // sum of relevance
    std::size_t relevant = 0;         // documents with relevance > 0
  };

  std::size_t cutoff(RankCutoff k) const { return k ? std::min(*k, documents()) : documents(); }
  // How many of the block's positions lie within the top `cut`.
  static std::size_t covered(const Block& b, std::size_t cut) {
    return cut <= b.start ? 0 : std::min(b.size, cut - b.start);
  }
  // Expected relevant documents among the top `cut`.
  double hits(std::size_t cut) const {
    double sum = 0.0;
    for (const Block& b : blocks_)
      sum += static_cast<double>(b.relevant) * static_cast<double>(covered(b, cut)) / static_cast<double>(b.size);
    return sum;
  }

  std::vector<std::size_t> order_;
  std::vector<Block> blocks_;
  std::vector<double> ideal_;  // relevance, descending
  std::size_t relevant_ = 0;
};

}  // namespace referee
