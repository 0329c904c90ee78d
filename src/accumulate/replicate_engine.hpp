#pragma once
// Runs the replicates: the point estimate, the bootstrap resamples and (for BCa) the
// jackknife, for both models and every metric of the task.
//
// Work is cut into blocks of kLanes replicates. A block is one pass over the rows (for
// binary: one ranked pass per model) that updates kLanes accumulators per metric. Blocks
// go to worker threads (block_scheduler.hpp) and each writes only its own rows of
// the result, so the result is the same for any thread count.

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "accumulate/accumulator_dispatch.hpp"
#include "accumulate/binary_accumulator.hpp"
#include "resample/block_scheduler.hpp"
#include <referee/error.hpp>
#include "estimate/fairness.hpp"
#include <referee/vocabulary.hpp>
#include "accumulate/regression_accumulator.hpp"
#include "resample/resample_weights.hpp"

namespace referee {


// The columns of a paired evaluation, borrowed from the caller.
struct PairedColumns {
  Task task = Task::binary;
  std::span<const double> label, champion, challenger, weight;
  double threshold = 0.5;  // binary only
  RowUnits units;
  std::vector<GroupingSpec> groupings;  // segments (all metrics), sensitive (rates only)
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
  ReplicateLayout(Task task, std::span<const GroupingSpec> groupings) {
    metrics = task_metrics(task).size();
    cells = task == Task::binary;
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

struct ReplicateRequest {
  std::size_t bootstrap = 2000;
  std::size_t jackknife_groups = 0;  // 0: no jackknife
  ResamplingScheme scheme = ResamplingScheme::poisson;
  std::uint64_t seed = 0;
  unsigned threads = 1;
  std::function<void(double)> progress;  // fraction done; called serially from workers
  const std::atomic<bool>* cancel = nullptr;
};

struct ReplicateResults {
  std::vector<MetricValue> point;  // per layout column, reasons included
  ReplicateMatrix bootstrap;       // bootstrap x columns
  ReplicateMatrix jackknife;       // jackknife groups x columns
};

// The weighted confusion cells of one lane of binary sums.
inline ConfusionCells confusion_cells(const BinarySums& s, std::size_t lane) {
  return {s.pos[lane], s.neg[lane], s.tp[lane], s.fp[lane]};
}

class ReplicateEngine {
 public:
  explicit ReplicateEngine(const PairedColumns& columns)
      : c_(columns), layout_(columns.task, columns.groupings) {
    metric_count_ = task_metrics(c_.task).size();
    for (const GroupingSpec& g : c_.groupings) {
      if (g.group_of_row.size() != c_.label.size())
        throw DataError("memory: a grouping has " + std::to_string(g.group_of_row.size()) + " rows, not " +
                        std::to_string(c_.label.size()));
      if (g.confusion_only && c_.task != Task::binary)
        throw PolicyError("fairness rates need the binary task");
      group_of_row_.push_back(g.group_of_row);
    }
    if (c_.task == Task::binary) {
      for (std::size_t m = 0; m < 2; ++m)
        ranked_[m] = rank_model(binary_columns(m), c_.units, c_.threshold, c_.groupings);
    } else {
      plan_ = plan_regression(regression_columns(), c_.units);
    }
  }

  std::size_t metric_count() const { return metric_count_; }
  const ReplicateLayout& layout() const { return layout_; }

  ReplicateResults run(const ReplicateRequest& request) const {
    ReplicateResults out;
    const auto columns = static_cast<Eigen::Index>(layout_.columns);
    ReplicateMatrix point(1, columns);
    compute_block(UnitWeights{}, 1, point, 0, &out.point);

    out.bootstrap.resize(static_cast<Eigen::Index>(request.bootstrap), columns);
    out.jackknife.resize(static_cast<Eigen::Index>(request.jackknife_groups), columns);
    run_blocks(request, out);
    return out;
  }

 private:
  BinaryColumns binary_columns(std::size_t model) const {
    return {c_.label, model == 0 ? c_.champion : c_.challenger, c_.weight};
  }
  RegressionColumns regression_columns() const {
    return {c_.label, c_.champion, c_.challenger, c_.weight};
  }

  // Accumulates one block and writes lanes [0, used) to rows [first_row, first_row+used).
  // `keep` receives every column's MetricValue, reasons included (the point estimate).
  template <class Weights>
  void compute_block(const Weights& weights, std::size_t used, ReplicateMatrix& out,
                     std::size_t first_row, std::vector<MetricValue>* keep = nullptr) const {
    Writer writer{out, first_row, keep};
    if (keep) keep->assign(layout_.columns, MetricValue::undefined("not computed"));
    std::vector<MetricValue> values(metric_count_);
    if (c_.task == Task::binary) {
      for (std::size_t m = 0; m < 2; ++m) {
        GroupedBinarySums grouped(c_.groupings);
        const BinarySums sums = pass_binary(binary_columns(m), ranked_[m], weights, &grouped);
        for (std::size_t lane = 0; lane < used; ++lane) {
          binary_metrics(sums, lane, std::span<MetricValue, kBinaryMetricCount>(values));
          for (std::size_t k = 0; k < metric_count_; ++k) writer.put(lane, layout_.metric(m, k), values[k]);
          write_cells(writer, lane, confusion_cells(sums, lane), [&](std::size_t q) { return layout_.cell(m, q); });
          for (std::size_t g = 0; g < c_.groupings.size(); ++g)
            for (std::size_t j = 0; j < c_.groupings[g].groups; ++j) {
              const BinarySums& gs = grouped.sums[g][j];
              const auto column = [&](std::size_t q) { return layout_.group(g, j, m, q); };
              if (c_.groupings[g].confusion_only) {
                write_cells(writer, lane, confusion_cells(gs, lane), column);
              } else {
                binary_metrics(gs, lane, std::span<MetricValue, kBinaryMetricCount>(values));
                for (std::size_t k = 0; k < metric_count_; ++k) writer.put(lane, column(k), values[k]);
              }
            }
        }
      }
      return;
    }
    std::vector<std::vector<RegressionSums>> grouped;
    for (const GroupingSpec& g : c_.groupings) grouped.emplace_back(g.groups);
    const RegressionSums sums = pass_regression(weights, grouped);
    for (std::size_t lane = 0; lane < used; ++lane)
      for (std::size_t m = 0; m < 2; ++m) {
        regression_metrics(sums, m, lane, std::span<MetricValue, kRegressionMetricCount>(values));
        for (std::size_t k = 0; k < metric_count_; ++k) writer.put(lane, layout_.metric(m, k), values[k]);
        for (std::size_t g = 0; g < c_.groupings.size(); ++g)
          for (std::size_t j = 0; j < c_.groupings[g].groups; ++j) {
            regression_metrics(grouped[g][j], m, lane, std::span<MetricValue, kRegressionMetricCount>(values));
            for (std::size_t k = 0; k < metric_count_; ++k) writer.put(lane, layout_.group(g, j, m, k), values[k]);
          }
      }
  }

  // Resamples go through the dispatched passes; the one-lane point estimate inlines.
  template <class Weights>
  BinarySums pass_binary(const BinaryColumns& c, const RankedModel& ranked, const Weights& weights,
                         GroupedBinarySums* grouped) const {
    if constexpr (std::is_same_v<Weights, UnitWeights>)
      return accumulate_binary(c, ranked, weights, c_.groupings, grouped);
    else
      return binary_pass(c, ranked, weights, c_.groupings, grouped);
  }
  template <class Weights>
  RegressionSums pass_regression(const Weights& weights, std::vector<std::vector<RegressionSums>>& grouped) const {
    if constexpr (std::is_same_v<Weights, UnitWeights>)
      return accumulate_regression(regression_columns(), plan_, weights, group_of_row_, &grouped);
    else
      return regression_pass(regression_columns(), plan_, weights, group_of_row_, &grouped);
  }

  struct Writer {
    ReplicateMatrix& out;
    std::size_t first_row;
    std::vector<MetricValue>* keep;
    void put(std::size_t lane, std::size_t column, const MetricValue& v) const {
      out(static_cast<Eigen::Index>(first_row + lane), static_cast<Eigen::Index>(column)) =
          v.defined ? v.value : std::numeric_limits<double>::quiet_NaN();
      if (keep) (*keep)[column] = v;
    }
  };

  template <class Column>
  static void write_cells(const Writer& writer, std::size_t lane, const ConfusionCells& cells, Column&& column) {
    const double values[kCellCount] = {cells.pos, cells.neg, cells.tp, cells.fp};
    for (std::size_t q = 0; q < kCellCount; ++q) writer.put(lane, column(q), MetricValue::of(values[q]));
  }

  struct Block {
    bool jackknife;
    std::size_t first, count;
  };

  void run_blocks(const ReplicateRequest& request, ReplicateResults& out) const {
    std::vector<Block> blocks;
    for (std::size_t b = 0; b < request.bootstrap; b += kLanes)
      blocks.push_back({false, b, std::min(kLanes, request.bootstrap - b)});
    for (std::size_t g = 0; g < request.jackknife_groups; g += kLanes)
      blocks.push_back({true, g, std::min(kLanes, request.jackknife_groups - g)});

    run_tasks(blocks.size(), request.threads, [&](std::size_t i) { run_block(blocks[i], request, out); },
              request.cancel, request.progress);
  }

  void run_block(const Block& block, const ReplicateRequest& request, ReplicateResults& out) const {
    if (block.jackknife) {
      compute_block(JackknifeWeights{block.first, request.jackknife_groups, c_.units}, block.count,
                    out.jackknife, block.first);
    } else if (request.scheme == ResamplingScheme::poisson) {
      compute_block(PoissonWeights(request.seed, block.first, c_.units), block.count,
                    out.bootstrap, block.first);
    } else {
      compute_block(MultinomialWeights(request.seed, block.first, block.count, c_.units),
                    block.count, out.bootstrap, block.first);
    }
  }

  PairedColumns c_;
  ReplicateLayout layout_;
  std::vector<std::span<const std::uint32_t>> group_of_row_;
  std::size_t metric_count_ = 0;
  std::array<RankedModel, 2> ranked_;
  RegressionPlan plan_;
};

}  // namespace referee
