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
#include <span>
#include <thread>
#include <tuple>
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

// One model's share of a partitioned evaluation: its partial blocks for the point estimate,
// then the request's bootstrap and jackknife blocks, over `rows` rows whose canonical buckets
// run from first_bucket to last_bucket (first > last: no rows).
struct ModelPartial {
  std::size_t model = 0;
  std::uint64_t rows = 0;
  std::uint64_t first_bucket = 1, last_bucket = 0;
  std::vector<std::unique_ptr<PartialBlock>> blocks;

  bool empty() const { return first_bucket > last_bucket; }
};

// Adds `other` into `into`: the same model's partials of disjoint rows. Exact, so the order
// of merging never changes a bit.
inline void add_partial(ModelPartial& into, const ModelPartial& other) {
  if (into.model != other.model || into.blocks.size() != other.blocks.size())
    throw UsageError("partial states of different models or requests cannot merge");
  for (std::size_t i = 0; i < into.blocks.size(); ++i) into.blocks[i]->add(*other.blocks[i]);
  into.rows += other.rows;
  if (other.empty()) return;
  if (into.empty()) {
    into.first_bucket = other.first_bucket;
    into.last_bucket = other.last_bucket;
  } else {
    into.first_bucket = std::min(into.first_bucket, other.first_bucket);
    into.last_bucket = std::max(into.last_bucket, other.last_bucket);
  }
}

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

  // Partitioned evaluation (docs/partitioned.md): one model's exact sums, for the point
  // estimate and every block of the request, over these rows (whole canonical buckets).
  // `above` is the merged totals (totals()) of every bucket ranked above them, or null.
  ModelPartial partial(const ReplicateRequest& request, std::size_t model, const ModelPartial* above) const {
    auto above_block = [&](std::size_t i) { return above ? above->blocks.at(i).get() : nullptr; };
    return model_blocks(request, model, [&](const auto& weights, std::size_t i) {
      return accumulator_->partial(weights, model, above_block(i));
    });
  }

  // Round 1 of a ranked pass: the same blocks holding only what the partitions ranked below
  // these rows offset by (their totals), at a fraction of partial()'s work.
  ModelPartial totals(const ReplicateRequest& request, std::size_t model) const {
    return model_blocks(request, model,
                        [&](const auto& weights, std::size_t) { return accumulator_->totals(weights, model); });
  }

  // The replicates from every model pass's partials (in pass order: champion, challenger,
  // then any the task adds), merged over every partition: bit for bit what run() gives on
  // every row.
  ReplicateResults finish(const ReplicateRequest& request, std::span<const ModelPartial* const> passes) const {
    const std::vector<Block> blocks = block_list(request);
    for (const ModelPartial* p : passes)
      if (p->blocks.size() != 1 + blocks.size())
        throw UsageError("a partial state holds " + std::to_string(p->blocks.size()) +
                         " blocks, not the request's " + std::to_string(1 + blocks.size()));
    const auto block_of = [&](std::size_t i) {
      std::vector<const PartialBlock*> out;
      for (const ModelPartial* p : passes) out.push_back(p->blocks[i].get());
      return out;
    };
    ReplicateResults out;
    const auto columns = static_cast<Eigen::Index>(layout_.columns);
    ReplicateMatrix point(1, columns);
    out.point.assign(layout_.columns, MetricValue::undefined("not computed"));
    accumulator_->write_partials(block_of(0), 1, BlockWriter{point, 0, &out.point});
    out.bootstrap.resize(static_cast<Eigen::Index>(request.bootstrap), columns);
    out.jackknife.resize(static_cast<Eigen::Index>(request.jackknife_groups), columns);
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      ReplicateMatrix& m = blocks[i].jackknife ? out.jackknife : out.bootstrap;
      accumulator_->write_partials(block_of(i + 1), blocks[i].count, BlockWriter{m, blocks[i].first, nullptr});
    }
    return out;
  }

  ReplicateResults finish(const ReplicateRequest& request, const ModelPartial& champion,
                          const ModelPartial& challenger) const {
    const ModelPartial* both[] = {&champion, &challenger};
    return finish(request, both);
  }

  // Gives every block of an above the pass's total (merged round-1 partials), for a task
  // whose round 2 reads it; false (and `above` unchanged) for the others.
  bool attach_total(ModelPartial& above, const ModelPartial& total) const {
    bool attached = false;
    for (std::size_t i = 0; i < above.blocks.size(); ++i)
      attached = accumulator_->attach_total(*above.blocks[i], *total.blocks.at(i)) || attached;
    return attached;
  }

  // Reads one block's partial (or, `totals`, its round-1 totals) in the accumulator's serial form.
  std::unique_ptr<PartialBlock> read_block(ByteReader& in, std::size_t lanes, std::size_t model,
                                           bool totals = false) const {
    return totals ? accumulator_->read_totals(in, lanes, model) : accumulator_->read_partial(in, lanes, model);
  }

  struct Block {
    bool jackknife;
    std::size_t first, count;
  };

  // The blocks of a request after the point estimate: bootstrap, then jackknife.
  static std::vector<Block> block_list(const ReplicateRequest& request) {
    std::vector<Block> blocks;
    for (std::size_t b = 0; b < request.bootstrap; b += kLanes)
      blocks.push_back({false, b, std::min(kLanes, request.bootstrap - b)});
    for (std::size_t g = 0; g < request.jackknife_groups; g += kLanes)
      blocks.push_back({true, g, std::min(kLanes, request.jackknife_groups - g)});
    return blocks;
  }

 private:
  // One model's blocks (the point estimate, then the request's), each made by
  // `make(weights, index)`, the request's blocks on its threads.
  template <class Make>
  ModelPartial model_blocks(const ReplicateRequest& request, std::size_t model, Make&& make) const {
    if (request.scheme != ResamplingScheme::poisson && request.bootstrap > 0)
      throw UsageError("partitioned evaluation resamples with the Poisson scheme; the multinomial scheme draws "
                       "every unit's count at once and needs every unit in one process");
    ModelPartial out;
    out.model = model;
    out.rows = rows();
    std::tie(out.first_bucket, out.last_bucket) = accumulator_->bucket_range(model);
    const std::vector<Block> blocks = block_list(request);
    out.blocks.resize(1 + blocks.size());
    out.blocks[0] = make(UnitWeights{}, 0);
    run_tasks(
        blocks.size(), request.threads,
        [&](std::size_t i) {
          const Block& b = blocks[i];
          out.blocks[i + 1] = b.jackknife ? make(JackknifeWeights{b.first, request.jackknife_groups, c_.units}, i + 1)
                                          : make(PoissonWeights(request.seed, b.first, c_.units), i + 1);
        },
        request.cancel, request.progress);
    return out;
  }

  // Accumulates one block and writes lanes [0, used) to rows [first_row, first_row+used).
  // `keep` receives every column's MetricValue, reasons included (the point estimate).
  template <class Weights>
  void compute_block(const Weights& weights, std::size_t used, ReplicateMatrix& out, std::size_t first_row,
                     std::vector<MetricValue>* keep = nullptr) const {
    if (keep) keep->assign(layout_.columns, MetricValue::undefined("not computed"));
    accumulator_->block(weights, used, BlockWriter{out, first_row, keep});
  }

  void run_blocks(const ReplicateRequest& request, ReplicateResults& out) const {
    const std::vector<Block> blocks = block_list(request);
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
