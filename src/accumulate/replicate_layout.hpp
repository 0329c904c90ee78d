#pragma once
// What the engine and a task's accumulator share: the columns of a paired evaluation, where
// each replicated quantity lives among the result columns, and the writer a block fills.

#include <cstddef>
#include <limits>
#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <referee/table.hpp>
#include <referee/vocabulary.hpp>

#include "accumulate/binary_accumulator.hpp"
#include "accumulate/exact_sum.hpp"
#include "estimate/fairness.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

// The columns of a paired evaluation, borrowed from the caller.
struct PairedColumns {
  Task task = Task::binary;
  std::span<const double> label, champion, challenger, weight;
  double threshold = 0.5;  // binary only, in score units
  RowUnits units;
  std::vector<GroupingSpec> groupings;  // segments (all metrics), sensitive (rates only)
  ScoreKind scores = ScoreKind::probability;  // binary only
  // The figures to compute, one result column each per model (Policy::metrics).
  std::vector<MetricInstance> metrics;
  // Multiclass: each model's K class probabilities; `label` holds the class index.
  std::array<ScoreBlock, 2> class_scores{};
  std::span<const std::string> classes;
  // Ranking: each row's query index (of `queries`), and the rule for queries with no
  // relevant document (docs/ranking.md).
  std::span<const std::uint32_t> query;
  std::size_t queries = 0;
  bool skip_empty_queries = true;
  // Partitioned evaluation: the whole evaluation's row count, which sets the canonical
  // bucket widths (canonical_buckets.hpp); 0 when these columns are every row.
  std::uint64_t total_rows = 0;
  // Partitioned evaluation: the largest |weight| of every row, so that every partition
  // scales its weights by the same power of two (power_of_two_scale.hpp); 0: its own.
  double weight_magnitude = 0.0;
  // Partitioned evaluation (regression): the largest |label| and |prediction| of every row,
  // so that every partition scales values by the same power of two (0: its own), and the
  // exact sum of every row's label, which sets the label centre (none: these columns').
  double value_magnitude = 0.0;
  std::optional<ExactSum> label_sum;
  // Partitioned evaluation (ranking): the largest |relevance| of every row (0: its own).
  double label_magnitude = 0.0;
};

// Where each replicated quantity lives among the result columns:
//   overall metric k of model m             at m * M + k
//   overall confusion cell q of model m      at 2 M + m * 4 + q   (binary)
//   grouping g, group j, model m, quantity q at grouping_offset[g] + (2 j + m) Q_g + q,
// where Q_g is M for a segment grouping and 4 (the weighted confusion cells pos, neg,
// tp, fp) for a sensitive attribute. Fairness rates and disparities are ratios of cells,
// so the evaluation derives them per replicate from these columns.
inline constexpr std::size_t kCellCount = 4;

struct ReplicateLayout {
  std::size_t metrics = 0;  // M
  bool cells = false;       // binary: overall confusion cells present
  std::vector<std::size_t> grouping_offset, grouping_width;
  std::size_t columns = 0;

  ReplicateLayout() = default;
  // `with_cells`: the task has classes, so the overall confusion cells are kept for fairness.
  ReplicateLayout(std::size_t metric_count, bool with_cells, std::span<const GroupingSpec> groupings) {
    metrics = metric_count;
    cells = with_cells;
    columns = 2 * metrics + (cells ? 2 * kCellCount : 0);
    for (const GroupingSpec& g : groupings) {
      grouping_offset.push_back(columns);
      grouping_width.push_back(g.confusion_only ? kCellCount : metrics);
      columns += 2 * g.groups * grouping_width.back();
    }
  }
  std::size_t metric(std::size_t model, std::size_t k) const { return model * metrics + k; }
  std::size_t cell(std::size_t model, std::size_t q) const { return 2 * metrics + model * kCellCount + q; }
  std::size_t group(std::size_t g, std::size_t j, std::size_t model, std::size_t q) const {
    return grouping_offset[g] + (2 * j + model) * grouping_width[g] + q;
  }
};

// Replicate values, one column per quantity (see ReplicateLayout). NaN marks a replicate
// where the quantity is undefined; it never leaves the engine (estimates count and drop
// such replicates).
using ReplicateMatrix = Eigen::ArrayXXd;

// The weighted confusion cells of one lane of binary sums.
inline ConfusionCells confusion_cells(const BinarySums& s, std::size_t lane) {
  return {s.pos[lane], s.neg[lane], s.tp[lane], s.fp[lane]};
}

// Writes one block's lanes into rows [first_row, first_row + used) of the result; `keep`
// receives every column's MetricValue, reasons included (the point estimate).
struct BlockWriter {
  ReplicateMatrix& out;
  std::size_t first_row;
  std::vector<MetricValue>* keep;
  void put(std::size_t lane, std::size_t column, const MetricValue& v) const {
    out(static_cast<Eigen::Index>(first_row + lane), static_cast<Eigen::Index>(column)) =
        v.defined ? v.value : std::numeric_limits<double>::quiet_NaN();
    if (keep) (*keep)[column] = v;
  }
  template <class Column>
  void put_cells(std::size_t lane, const ConfusionCells& cells, Column&& column) const {
    const double values[kCellCount] = {cells.pos, cells.neg, cells.tp, cells.fp};
    for (std::size_t q = 0; q < kCellCount; ++q) put(lane, column(q), MetricValue::of(values[q]));
  }
};

}  // namespace referee
