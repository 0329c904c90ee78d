#pragma once
// Runs the replicates: the point estimate, the bootstrap resamples and (for BCa) the
// jackknife, for both models and every metric of the task.
//
// Work is cut into blocks of kLanes replicates. A block is one pass over the rows (for
// binary: one ranked pass per model) that updates kLanes accumulators per metric. Blocks
// go to worker threads through an atomic counter and each writes only its own rows of
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
#include <vector>

#include <Eigen/Core>

#include <referee/binary_accumulator.hpp>
#include <referee/error.hpp>
#include <referee/metric.hpp>
#include <referee/regression_accumulator.hpp>
#include <referee/resample_weights.hpp>

namespace referee {

enum class ResamplingScheme { poisson, multinomial };

// The columns of a paired evaluation, borrowed from the caller.
struct PairedColumns {
  Task task = Task::binary;
  std::span<const double> label, champion, challenger, weight;
  double threshold = 0.5;  // binary only
  RowUnits units;
};

// Replicate values, one column per (model, metric): column model * M + k holds metric k
// of model 0 (champion) or 1 (challenger). NaN marks a replicate where the metric is
// undefined; it never leaves the engine (estimates count and drop such replicates).
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
  std::array<std::vector<MetricValue>, 2> point;  // [model][metric]
  ReplicateMatrix bootstrap;                      // bootstrap x (2 M)
  ReplicateMatrix jackknife;                      // groups x (2 M)
};

class ReplicateEngine {
 public:
  explicit ReplicateEngine(const PairedColumns& columns) : c_(columns) {
    metric_count_ = task_metrics(c_.task).size();
    if (c_.task == Task::binary) {
      for (std::size_t m = 0; m < 2; ++m)
        ranked_[m] = rank_model(binary_columns(m), c_.units, c_.threshold);
    } else {
      plan_ = plan_regression(regression_columns(), c_.units);
    }
  }

  std::size_t metric_count() const { return metric_count_; }

  ReplicateResults run(const ReplicateRequest& request) const {
    ReplicateResults out;
    ReplicateMatrix point(1, 2 * metric_count_);
    compute_block(UnitWeights{}, 1, point, 0, &out.point);

    out.bootstrap.resize(static_cast<Eigen::Index>(request.bootstrap),
                         static_cast<Eigen::Index>(2 * metric_count_));
    out.jackknife.resize(static_cast<Eigen::Index>(request.jackknife_groups),
                         static_cast<Eigen::Index>(2 * metric_count_));
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
  // `keep` receives the full MetricValues, reasons included (the point estimate).
  template <class Weights>
  void compute_block(const Weights& weights, std::size_t used, ReplicateMatrix& out,
                     std::size_t first_row,
                     std::array<std::vector<MetricValue>, 2>* keep = nullptr) const {
    std::vector<MetricValue> values(metric_count_);
    for (std::size_t m = 0; m < 2; ++m) {
      if (c_.task == Task::binary) {
        const BinarySums sums = accumulate_binary(binary_columns(m), ranked_[m], weights);
        write_lanes(m, used, out, first_row, values, keep, [&](std::size_t lane) {
          binary_metrics(sums, lane, std::span<MetricValue, kBinaryMetricCount>(values));
        });
      } else {
        if (m == 1) continue;  // one regression pass serves both models
        const RegressionSums sums = accumulate_regression(regression_columns(), plan_, weights);
        for (std::size_t model = 0; model < 2; ++model)
          write_lanes(model, used, out, first_row, values, keep, [&](std::size_t lane) {
            regression_metrics(sums, model, lane,
                               std::span<MetricValue, kRegressionMetricCount>(values));
          });
      }
    }
  }

  template <class Finalize>
  void write_lanes(std::size_t model, std::size_t used, ReplicateMatrix& out,
                   std::size_t first_row, std::vector<MetricValue>& values,
                   std::array<std::vector<MetricValue>, 2>* keep, Finalize&& finalize) const {
    for (std::size_t lane = 0; lane < used; ++lane) {
      finalize(lane);
      for (std::size_t k = 0; k < metric_count_; ++k)
        out(static_cast<Eigen::Index>(first_row + lane),
            static_cast<Eigen::Index>(model * metric_count_ + k)) =
            values[k].defined ? values[k].value : std::numeric_limits<double>::quiet_NaN();
      if (keep) (*keep)[model] = values;
    }
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

    std::atomic<std::size_t> next{0}, done{0};
    std::mutex progress_mutex;
    std::exception_ptr failure;
    std::atomic<bool> stop{false};

    auto worker = [&] {
      try {
        for (std::size_t i = next++; i < blocks.size() && !stop; i = next++) {
          if (request.cancel && request.cancel->load(std::memory_order_relaxed)) {
            stop = true;
            break;
          }
          run_block(blocks[i], request, out);
          const std::size_t finished = ++done;
          if (request.progress) {
            std::lock_guard lock(progress_mutex);
            request.progress(static_cast<double>(finished) / static_cast<double>(blocks.size()));
          }
        }
      } catch (...) {
        std::lock_guard lock(progress_mutex);
        if (!failure) failure = std::current_exception();
        stop = true;
      }
    };
    const unsigned threads = std::max(1u, std::min<unsigned>(request.threads,
                                                             static_cast<unsigned>(blocks.size())));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
    if (done != blocks.size()) throw CancelledError();
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
  std::size_t metric_count_ = 0;
  std::array<RankedModel, 2> ranked_;
  RegressionPlan plan_;
};

}  // namespace referee
