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
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "accumulate/replicate_layout.hpp"
#include "resample/block_scheduler.hpp"
#include <referee/error.hpp>
#include "estimate/fairness.hpp"
#include <referee/vocabulary.hpp>
#include "resample/resample_weights.hpp"
#include "tasks/task_definition.hpp"

namespace referee {


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

class ReplicateEngine {
 public:
  explicit ReplicateEngine(const PairedColumns& columns)
      : c_(columns),
        task_(task_definition(columns.task)),
        layout_(columns.metrics.size(), task_.classes, columns.groupings) {
    if (task_.default_metrics == catalogue_instances && c_.metrics.size() != task_.metrics().size())
      throw UsageError("the " + std::string(task_name(task_.id)) + " task computes its " +
                       std::to_string(task_.metrics().size()) + " metrics, not " + std::to_string(c_.metrics.size()));
    for (const GroupingSpec& g : c_.groupings) {
      if (g.group_of_row.size() != rows())
        throw DataError("memory: a grouping has " + std::to_string(g.group_of_row.size()) + " rows, not " +
                        std::to_string(rows()));
      if (g.confusion_only && !task_.classes) throw PolicyError("fairness rates need the binary task");
    }
    accumulator_ = task_.accumulator(c_, layout_);
  }
  // The accumulator keeps references to the columns and the layout held here.
  ReplicateEngine(const ReplicateEngine&) = delete;
  ReplicateEngine& operator=(const ReplicateEngine&) = delete;

  std::size_t metric_count() const { return layout_.metrics; }
  // A multiclass table keeps its scores in class blocks, and its class indices in `label`.
  std::size_t rows() const { return c_.task == Task::multiclass ? c_.label.size() : c_.champion.size(); }
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
  // Accumulates one block and writes lanes [0, used) to rows [first_row, first_row+used).
  // `keep` receives every column's MetricValue, reasons included (the point estimate).
  template <class Weights>
  void compute_block(const Weights& weights, std::size_t used, ReplicateMatrix& out, std::size_t first_row,
                     std::vector<MetricValue>* keep = nullptr) const {
    if (keep) keep->assign(layout_.columns, MetricValue::undefined("not computed"));
    accumulator_->block(weights, used, BlockWriter{out, first_row, keep});
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
  const TaskDefinition& task_;
  ReplicateLayout layout_;
  std::unique_ptr<TaskAccumulator> accumulator_;
};

}  // namespace referee
