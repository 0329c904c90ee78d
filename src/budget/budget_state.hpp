#pragma once
// A budget pass's share in a partitioned evaluation (docs/partitioned.md, "Budgets"): per
// block of lanes (the point estimate's one lane, then 64 resamples a block), the integer
// weight of the share's rows, the exact sums of the means (the pass that folds them), and
// the latency order statistics its rows hold (a latency pass's round 2). Weights are
// integers (Poisson counts, or 1 for the point estimate: budgets take no sample weights),
// so a rank is exact: the partition whose rows cover rank t reports the value there.

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <referee/error.hpp>

#include "accumulate/exact_sum_serial.hpp"
#include "budget/budget_totals.hpp"
#include "common/byte_stream.hpp"
#include "tasks/partial_blocks.hpp"

namespace referee {

// One block of lanes of a budget pass's share.
struct BudgetBlock {
  std::vector<std::uint64_t> weight;  // [lane] the rows' weight (in an above: the weight below)
  std::vector<std::uint64_t> total;   // [lane] the pass's total weight: an above's only
  MeanSums means;                     // the pass that folds the means; zeros elsewhere
  std::vector<std::vector<std::uint8_t>> found;  // [lane][slot] this share holds the rank
  std::vector<std::vector<double>> value;        // [lane][slot] the value at that rank

  BudgetBlock(std::size_t lanes = 0, std::size_t mean_count = 0, std::size_t slot_count = 0)
      : weight(lanes), means(mean_count, lanes), found(lanes, std::vector<std::uint8_t>(slot_count)),
        value(lanes, std::vector<double>(slot_count)) {}
  std::size_t lanes() const { return weight.size(); }
  std::size_t slots() const { return found.empty() ? 0 : found[0].size(); }
};

struct BudgetPassState {
  std::uint64_t rows = 0, first_bucket = 1, last_bucket = 0;  // first > last: no rows
  bool has_total = false;
  std::vector<BudgetBlock> blocks;
  std::array<std::uint64_t, 2> failures{};  // each model's errors (the means pass)
  std::array<std::uint64_t, 3> cells{};     // paired rows, challenger-only, champion-only errors
  std::vector<std::uint64_t> key_buckets;   // the order-free means pass: the key buckets folded
  bool empty() const { return first_bucket > last_bucket; }
};

// The shape of every block of a pass: its lanes, means and slots per lane (the point
// estimate's lane has the order-statistic intervals' slots as well).
struct BudgetShape {
  std::vector<std::size_t> lanes;
  std::size_t means = 0, slots = 0, point_slots = 0;
};

inline BudgetPassState budget_pass_state(const BudgetShape& shape) {
  BudgetPassState s;
  for (std::size_t b = 0; b < shape.lanes.size(); ++b)
    s.blocks.emplace_back(shape.lanes[b], shape.means, b == 0 ? shape.point_slots : shape.slots);
  return s;
}

// Another share of the same pass: counts and sums add, a rank comes from the one share
// that holds it.
inline void add_budget_state(BudgetPassState& into, const BudgetPassState& other) {
  if (!other.empty()) {
    into.first_bucket = into.empty() ? other.first_bucket : std::min(into.first_bucket, other.first_bucket);
    into.last_bucket = std::max(into.last_bucket, other.last_bucket);
  }
  into.rows += other.rows;
  for (std::size_t b = 0; b < into.blocks.size(); ++b) {
    BudgetBlock& x = into.blocks[b];
    const BudgetBlock& y = other.blocks[b];
    x.means.add(y.means);
    for (std::size_t l = 0; l < x.lanes(); ++l) {
      x.weight[l] += y.weight[l];
      for (std::size_t j = 0; j < x.slots(); ++j) {
        if (!y.found[l][j]) continue;
        if (x.found[l][j])
          throw UsageError("two partitions of a budget latency pass both hold one order statistic; range-partition "
                           "the rows by buckets()");
        x.found[l][j] = 1;
        x.value[l][j] = y.value[l][j];
      }
    }
  }
  for (std::size_t m = 0; m < 2; ++m) into.failures[m] += other.failures[m];
  for (std::size_t c = 0; c < 3; ++c) into.cells[c] += other.cells[c];
  into.key_buckets = joined_buckets(into.key_buckets, other.key_buckets);
}

inline void write_budget_state(ByteWriter& out, const BudgetPassState& s) {
  for (std::uint64_t v : {s.rows, s.first_bucket, s.last_bucket}) out.u64(v);
  out.u8(s.has_total ? 1 : 0);
  out.u64(s.blocks.size());
  for (const BudgetBlock& b : s.blocks) {
    for (std::uint64_t v : {b.lanes(), b.means.sum.size(), b.slots()}) out.u64(v);
    for (std::size_t l = 0; l < b.lanes(); ++l) {
      out.u64(b.weight[l]);
      if (s.has_total) out.u64(b.total[l]);
      if (!b.means.sum.empty()) write_exact(out, b.means.weight[l]);
      for (const auto& sum : b.means.sum) write_exact(out, sum[l]);
      for (std::size_t j = 0; j < b.slots(); ++j) {
        out.u8(b.found[l][j]);
        if (b.found[l][j]) out.f64(b.value[l][j]);
      }
    }
  }
  for (std::uint64_t v : s.failures) out.u64(v);
  for (std::uint64_t v : s.cells) out.u64(v);
  write_buckets(out, s.key_buckets);
}

// Refuses any shape but the plan's.
inline BudgetPassState read_budget_state(ByteReader& in, const BudgetShape& shape) {
  BudgetPassState s = budget_pass_state(shape);
  for (std::uint64_t* v : {&s.rows, &s.first_bucket, &s.last_bucket}) *v = in.u64();
  const std::uint8_t has_total = in.u8();
  if (has_total > 1) in.fail("the total's flag is not 0 or 1");
  s.has_total = has_total == 1;
  if (in.u64() != s.blocks.size()) in.fail("the block count differs from the plan's");
  for (BudgetBlock& b : s.blocks) {
    if (in.u64() != b.lanes() || in.u64() != b.means.sum.size() || in.u64() != b.slots())
      in.fail("a block's shape differs from the plan's");
    if (s.has_total) b.total.resize(b.lanes());
    for (std::size_t l = 0; l < b.lanes(); ++l) {
      b.weight[l] = in.u64();
      if (s.has_total) b.total[l] = in.u64();
      if (!b.means.sum.empty()) b.means.weight[l] = read_exact(in);
      for (auto& sum : b.means.sum) sum[l] = read_exact(in);
      for (std::size_t j = 0; j < b.slots(); ++j) {
        const std::uint8_t f = in.u8();
        if (f > 1) in.fail("an order statistic's flag is not 0 or 1");
        b.found[l][j] = f;
        if (f) b.value[l][j] = in.f64();
      }
    }
  }
  for (std::uint64_t& v : s.failures) v = in.u64();
  for (std::uint64_t& v : s.cells) v = in.u64();
  s.key_buckets = read_buckets(in);
  return s;
}

}  // namespace referee
