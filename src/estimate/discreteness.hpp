#pragma once
// What the bootstrap of a paired difference of proportions has to work with (issue 18).
//
// Five threshold metrics of the binary task are the share of a row subset in which a model
// has an event: accuracy (all rows, correct), recall and fnr (positive labels, predicted
// positive or negative), specificity and fpr (negative labels, predicted negative or
// positive). Their paired delta moves only with the discordant rows, where exactly one model
// has the event; every other row adds the same to both models. So the bootstrap's
// distribution of the delta is made of as many atoms as there are discordant rows, however
// many distinct replicate values Poisson weights spread them over. These cells are counted
// here from the table's columns at the point estimate, per group of a grouping, with their
// Kish effective counts (sum w)^2 / sum w^2 when the rows are weighted.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "accumulate/exact_sum.hpp"
#include "estimate/paired_proportion_interval.hpp"
#include <referee/vocabulary.hpp>

namespace referee {

// Fewer discordant rows (Kish effective rows, when weighted) than this and the bootstrap
// interval of the delta is marked and, by default, replaced by the score interval. In the
// simulation behind the choice (benchmarks/paired_proportions/threshold_simulation.py,
// table in docs/intervals.md: n = 5000, B = 1000, 2000 datasets per cell) the Poisson-
// bootstrap percentile interval covered 78.8%, 91.1%, 94.0%, 94.4%, 94.0%, 95.3% at 3, 5,
// 10, 15, 20, 30 expected discordant rows, and Tango's interval 94.4% to 97.5% throughout:
// below 20 the bootstrap falls short by a point or more.
inline constexpr double kMinDiscordantRows = 20.0;

// Fewer distinct bootstrap values than this and an interval's ends are read off a coarse
// lattice: the interval is marked (a note; its method is kept).
inline constexpr std::size_t kMinDistinctReplicates = 20;

// The row subset a proportion divides by, and the event it counts.
struct ProportionDefinition {
  Metric metric;
  int label;        // -1: every row; 0 or 1: rows with that label
  bool correct;     // the event is a correct prediction (accuracy)
  bool predicted;   // otherwise: the event is predicting this class
};

inline constexpr std::array<ProportionDefinition, 6> kPairedProportions{{
    {Metric::accuracy, -1, true, false},
    {Metric::recall, 1, false, true},
    {Metric::specificity, 0, false, false},
    {Metric::fpr, 0, false, true},
    {Metric::fnr, 1, false, false},
    {Metric::pass_rate, -1, false, true},  // the outcome task: a result at or above the pass mark
}};

// Whether the proportion reads the label (the outcome task has none).
inline bool needs_label(const ProportionDefinition& def) { return def.label >= 0 || def.correct; }

// Whether a model predicting `positive` on a row of label `y` has the proportion's event.
inline bool has_event(const ProportionDefinition& def, int y, bool positive) {
  return def.correct ? positive == (y == 1) : positive == def.predicted;
}

// A cell: its rows, their weight and squared weight.
struct CellSums {
  std::size_t rows = 0;
  double weight = 0.0, weight_squared = 0.0;
  void add(double w) {
    ++rows;
    weight += w;
    weight_squared += w * w;
  }
  double effective() const { return weight_squared > 0.0 ? weight * weight / weight_squared : 0.0; }
};

// One proportion's paired cells within one group.
struct ProportionCells {
  CellSums denominator, challenger_only, champion_only;
  CellSums discordant() const {
    CellSums d = challenger_only;
    d.rows += champion_only.rows;
    d.weight += champion_only.weight;
    d.weight_squared += champion_only.weight_squared;
    return d;
  }
};

using ProportionCellSet = std::array<ProportionCells, kPairedProportions.size()>;

struct PairedRows {
  std::span<const double> label, champion, challenger, weight;  // weight empty: 1 each
  double threshold = 0.5;
};

// A cell as it is counted: its weights summed exactly, so the cells of a table split into
// partitions add up to the bits of the whole (docs/partitioned.md), whatever the row order.
struct ExactCellSums {
  std::uint64_t rows = 0;
  ExactSum weight, weight_squared;
  void add(double w) {
    ++rows;
    weight.add(w);
    weight_squared.add(w * w);
  }
  void add(const ExactCellSums& other) {
    rows += other.rows;
    weight.add(other.weight);
    weight_squared.add(other.weight_squared);
  }
  CellSums rounded() const {
    return {static_cast<std::size_t>(rows), weight.value(), weight_squared.value()};
  }
};

struct ExactProportionCells {
  ExactCellSums denominator, challenger_only, champion_only;
};
using ExactProportionCellSet = std::array<ExactProportionCells, kPairedProportions.size()>;

inline void add_cells(ExactProportionCellSet& into, const ExactProportionCellSet& other) {
  for (std::size_t p = 0; p < into.size(); ++p) {
    into[p].denominator.add(other[p].denominator);
    into[p].challenger_only.add(other[p].challenger_only);
    into[p].champion_only.add(other[p].champion_only);
  }
}

inline ProportionCellSet rounded_cells(const ExactProportionCellSet& exact) {
  ProportionCellSet out;
  for (std::size_t p = 0; p < exact.size(); ++p)
    out[p] = {exact[p].denominator.rounded(), exact[p].challenger_only.rounded(), exact[p].champion_only.rounded()};
  return out;
}

// One row (label y, if `labelled`; each model's prediction at the threshold) into every
// proportion whose denominator holds it.
inline void add_row(ExactProportionCellSet& cells, int y, bool labelled, bool first, bool second, double w) {
  for (std::size_t p = 0; p < kPairedProportions.size(); ++p) {
    const ProportionDefinition& def = kPairedProportions[p];
    if ((needs_label(def) && !labelled) || (def.label >= 0 && def.label != y)) continue;
    const bool a = has_event(def, y, first), b = has_event(def, y, second);
    cells[p].denominator.add(w);
    if (b && !a) cells[p].challenger_only.add(w);
    if (a && !b) cells[p].champion_only.add(w);
  }
}

// Kish's count does not change with the weights' scale; scaling by the power of two that
// brings the largest into [1, 2) is exact (accumulate/power_of_two_scale.hpp) and keeps
// w^2 from overflowing or underflowing at the extremes a weight column may hold.
// `largest`: the largest weight of the whole evaluation (a partition's plan gives it), or
// 0 to take these rows'.
inline int cell_weight_exponent(std::span<const double> weight, double largest = 0.0) {
  if (!(largest > 0.0))
    for (double w : weight) largest = std::max(largest, w);
  return largest > 0.0 && std::isfinite(largest) ? std::ilogb(largest) : 0;
}

// cells[group][p], exactly, p indexing kPairedProportions; group_of_row empty means one
// group. A table without labels (the outcome task) leaves the label's proportions empty.
inline std::vector<ExactProportionCellSet> exact_proportion_cells(const PairedRows& t,
                                                                   std::span<const std::uint32_t> group_of_row,
                                                                   std::size_t groups, int exponent) {
  std::vector<ExactProportionCellSet> cells(groups);
  for (std::size_t r = 0; r < t.champion.size(); ++r) {
    const int y = t.label.empty() ? 0 : t.label[r] != 0.0 ? 1 : 0;
    const bool first = t.champion[r] >= t.threshold, second = t.challenger[r] >= t.threshold;
    const double w = t.weight.empty() ? 1.0 : std::ldexp(t.weight[r], -exponent);
    add_row(cells[group_of_row.empty() ? 0 : group_of_row[r]], y, !t.label.empty(), first, second, w);
  }
  return cells;
}

inline std::vector<ProportionCellSet> paired_proportion_cells(const PairedRows& t,
                                                              std::span<const std::uint32_t> group_of_row,
                                                              std::size_t groups) {
  std::vector<ProportionCellSet> out;
  for (const auto& exact : exact_proportion_cells(t, group_of_row, groups, cell_weight_exponent(t.weight)))
    out.push_back(rounded_cells(exact));
  return out;
}

// The discordant cells as Tango's interval takes them: rows, or with weights the cells'
// shares of the denominator's weight times its Kish effective count.
inline PairedDiscordance tango_counts(const ProportionCells& c, bool weighted) {
  if (!weighted)
    return {static_cast<double>(c.challenger_only.rows), static_cast<double>(c.champion_only.rows),
            static_cast<double>(c.denominator.rows)};
  const double n = c.denominator.effective();
  const double total = c.denominator.weight;
  if (!(total > 0.0)) return {0.0, 0.0, 0.0};
  return {n * c.challenger_only.weight / total, n * c.champion_only.weight / total, n};
}

}  // namespace referee
