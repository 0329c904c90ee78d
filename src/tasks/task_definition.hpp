#pragma once
// What a task is, in one place: its metrics (the catalogue rows of its Task value), whether
// its labels are classes, how its columns are checked, and the accumulator that computes
// every metric of a block of replicates in one pass. The policy parser, table validation,
// groupings, the engine and the renderers ask the definition, never `task == ...`.
//
// Adding a task (docs/design.md): a Task value with its name (vocabulary.hpp) and its
// metrics in the catalogue; one file in src/tasks/ defining its checks and its accumulator;
// one line in task_definition() (task_registry.cpp).

#include <cstddef>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include <referee/table.hpp>
#include <referee/vocabulary.hpp>

#include "accumulate/replicate_layout.hpp"
#include "common/byte_stream.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

// One task's pass over the rows, prepared once per evaluation (a ranking, a plan), then
// run per block. One virtual call per block of 64 replicates; the row loops inside are the
// task's own templates, compiled per weight source.
// Partitioned evaluation (docs/partitioned.md): one model's exact sums of one block over
// the rows at hand, which hold whole canonical buckets. Partial blocks of the same block
// and model add exactly, in any order; the sum over every partition is what a single pass
// over every row gives.
class PartialBlock {
 public:
  virtual ~PartialBlock() = default;
  virtual void add(const PartialBlock& other) = 0;
  virtual void write(ByteWriter& out) const = 0;
};

class TaskAccumulator {
 public:
  virtual ~TaskAccumulator() = default;
  // Partitioned evaluation. `above`: the merged partial block of every bucket ranked above
  // these rows in this model's pass (round 1 of docs/partitioned.md), or null. A task that
  // cannot partition yet throws UsageError naming itself.
  virtual std::unique_ptr<PartialBlock> partial(const UnitWeights& w, std::size_t model,
                                                const PartialBlock* above) const = 0;
  virtual std::unique_ptr<PartialBlock> partial(const PoissonWeights& w, std::size_t model,
                                                const PartialBlock* above) const = 0;
  virtual std::unique_ptr<PartialBlock> partial(const JackknifeWeights& w, std::size_t model,
                                                const PartialBlock* above) const = 0;
  // Model passes are numbered by the task: 0 champion, 1 challenger, then any the task adds
  // (the multiclass task's one-vs-rest passes).
  virtual std::unique_ptr<PartialBlock> read_partial(ByteReader& in, std::size_t lanes, std::size_t model) const = 0;
  // Round 1 of a ranked pass: only what the partitions ranked below offset by (for a binary
  // ranked pass, the positive and negative weight), which is what `above` holds in round 2.
  // A task with no smaller round 1 gives its full partial block (no above).
  virtual std::unique_ptr<PartialBlock> totals(const UnitWeights& w, std::size_t model) const = 0;
  virtual std::unique_ptr<PartialBlock> totals(const PoissonWeights& w, std::size_t model) const = 0;
  virtual std::unique_ptr<PartialBlock> totals(const JackknifeWeights& w, std::size_t model) const = 0;
  virtual std::unique_ptr<PartialBlock> read_totals(ByteReader& in, std::size_t lanes, std::size_t model) const = 0;
  // Writes lanes [0, used) of every model pass's merged block (in pass order), as block()
  // does for a pass.
  virtual void write_partials(std::span<const PartialBlock* const> passes, std::size_t used,
                              const BlockWriter& writer) const = 0;
  // Gives an above (round 2's input) the pass's total, for a task whose round 2 reads it;
  // false for a task that reads only the weight ranked above.
  virtual bool attach_total(PartialBlock& above, const PartialBlock& total) const = 0;
  // The first and last canonical bucket of this model's rows (partition order and checks).
  virtual std::pair<std::uint64_t, std::uint64_t> bucket_range(std::size_t model) const = 0;
  // Accumulates lanes [0, used) for both models, every metric and every grouping, and
  // writes them through `writer` at the layout's columns.
  virtual void block(const UnitWeights& weights, std::size_t used, const BlockWriter& writer) const = 0;
  virtual void block(const PoissonWeights& weights, std::size_t used, const BlockWriter& writer) const = 0;
  virtual void block(const MultinomialWeights& weights, std::size_t used, const BlockWriter& writer) const = 0;
  virtual void block(const JackknifeWeights& weights, std::size_t used, const BlockWriter& writer) const = 0;
};

// Implements the four virtuals with one template, Derived::compute<Weights>().
template <class Derived>
class TaskAccumulatorFor : public TaskAccumulator {
 public:
  void block(const UnitWeights& w, std::size_t used, const BlockWriter& out) const override { run(w, used, out); }
  void block(const PoissonWeights& w, std::size_t used, const BlockWriter& out) const override { run(w, used, out); }
  void block(const MultinomialWeights& w, std::size_t used, const BlockWriter& out) const override {
    run(w, used, out);
  }
  void block(const JackknifeWeights& w, std::size_t used, const BlockWriter& out) const override {
    run(w, used, out);
  }
  std::unique_ptr<PartialBlock> partial(const UnitWeights& w, std::size_t m, const PartialBlock* a) const override {
    return partial_of(w, m, a);
  }
  std::unique_ptr<PartialBlock> partial(const PoissonWeights& w, std::size_t m, const PartialBlock* a) const override {
    return partial_of(w, m, a);
  }
  std::unique_ptr<PartialBlock> partial(const JackknifeWeights& w, std::size_t m,
                                        const PartialBlock* a) const override {
    return partial_of(w, m, a);
  }
  std::unique_ptr<PartialBlock> read_partial(ByteReader& in, std::size_t lanes, std::size_t m) const override {
    if constexpr (requires(const Derived& d, ByteReader& r, std::size_t n) { d.read_partial_block(r, n, n); })
      return derived().read_partial_block(in, lanes, m);
    else if constexpr (requires(const Derived& d, ByteReader& r, std::size_t n) { d.read_partial_block(r, n); })
      return derived().read_partial_block(in, lanes);
    else
      not_partitioned();
  }
  std::unique_ptr<PartialBlock> totals(const UnitWeights& w, std::size_t m) const override { return totals_of(w, m); }
  std::unique_ptr<PartialBlock> totals(const PoissonWeights& w, std::size_t m) const override { return totals_of(w, m); }
  std::unique_ptr<PartialBlock> totals(const JackknifeWeights& w, std::size_t m) const override {
    return totals_of(w, m);
  }
  // Round 1 is read back the way it was written: a task with a smaller round 1 (totals_block)
  // must read it with read_totals_block (a compile error if it has none); one without takes
  // its whole share as round 1, both ways.
  std::unique_ptr<PartialBlock> read_totals(ByteReader& in, std::size_t lanes, std::size_t m) const override {
    if constexpr (has_totals_block())
      return derived().read_totals_block(in, lanes, m);
    else
      return read_partial(in, lanes, m);
  }
  // A task of two model passes writes from both; one with more takes them all.
  void write_partials(std::span<const PartialBlock* const> passes, std::size_t used,
                      const BlockWriter& out) const override {
    if constexpr (requires(const Derived& d, std::span<const PartialBlock* const> p, std::size_t n,
                           const BlockWriter& o) { d.write_partial_blocks(p, n, o); })
      derived().write_partial_blocks(passes, used, out);
    else if constexpr (requires(const Derived& d, const PartialBlock& p, std::size_t n, const BlockWriter& o) {
                         d.write_partial_blocks(p, p, n, o);
                       })
      derived().write_partial_blocks(*passes[0], *passes[1], used, out);
    else
      not_partitioned();
  }
  bool attach_total(PartialBlock& above, const PartialBlock& total) const override {
    if constexpr (requires(const Derived& d, PartialBlock& a, const PartialBlock& t) { d.attach_partial_total(a, t); })
      return derived().attach_partial_total(above, total);
    else
      return false;
  }
  std::pair<std::uint64_t, std::uint64_t> bucket_range(std::size_t m) const override {
    if constexpr (requires(const Derived& d, std::size_t n) { d.model_bucket_range(n); })
      return derived().model_bucket_range(m);
    else
      not_partitioned();
  }

 private:
  template <class Weights>
  void run(const Weights& w, std::size_t used, const BlockWriter& out) const {
    derived().compute(w, used, out);
  }
  template <class Weights>
  std::unique_ptr<PartialBlock> partial_of(const Weights& w, std::size_t m, const PartialBlock* a) const {
    if constexpr (requires(const Derived& d, const Weights& ww, std::size_t n, const PartialBlock* p) {
                    d.partial_block(ww, n, p);
                  })
      return derived().partial_block(w, m, a);
    else
      not_partitioned();
  }
  static constexpr bool has_totals_block() {
    return requires(const Derived& d, const UnitWeights& w, std::size_t n) { d.totals_block(w, n); };
  }
  template <class Weights>
  std::unique_ptr<PartialBlock> totals_of(const Weights& w, std::size_t m) const {
    if constexpr (has_totals_block())
      return derived().totals_block(w, m);
    else
      return partial_of(w, m, nullptr);
  }
  const Derived& derived() const { return static_cast<const Derived&>(*this); }
  [[noreturn]] static void not_partitioned() {
    throw UsageError("partitioned evaluation does not support this task yet (docs/partitioned.md)");
  }
};

// One instance per catalogue metric of the task, in catalogue order: the default figures of
// a task whose metrics take no parameter.
std::vector<MetricInstance> catalogue_instances(Task task);

struct TaskDefinition {
  Task id;
  // Labels are the classes 0 and 1: the policy has a threshold, segments count positives
  // (segments_min.positives), and sensitive attributes get confusion cells for fairness.
  bool classes = false;
  // The metric a summary leads with when no rule names one.
  Metric headline = Metric::roc_auc;
  // Checks the label and score columns against the task; messages name column and row.
  void (*validate)(const Table& table) = nullptr;
  // Prepares the task's pass over the paired columns.
  std::unique_ptr<TaskAccumulator> (*accumulator)(const PairedColumns& columns, const ReplicateLayout& layout) =
      nullptr;
  // The table has a label column (the outcome task has none: each model's column is its
  // own result).
  bool labelled = true;
  // $.threshold applies: the binary decision cut (in score units), or the outcome task's
  // pass mark (any finite number: a result >= it passes).
  bool threshold = false;
  bool pass_mark = false;
  // The figures every report of the task carries (rules may add parameterised ones).
  std::vector<MetricInstance> (*default_metrics)(Task task) = catalogue_instances;
  // Rows are documents of queries: $.columns.query is required and $.ranking applies.
  bool queries = false;
  // Partitioned evaluation: every sum of a model's pass is order-free (no ranking by score),
  // so the pass buckets rows by key and runs in one round (docs/partitioned.md).
  bool order_free = false;
  // Partitioned evaluation: the ranked passes walk results upward (the outcome task's
  // quantiles read the weight below a value): buckets number in ascending value order, and
  // round 2 reads the pass's total as well as the weight below (docs/partitioned.md).
  bool ascending = false;

  std::span<const MetricInfo> metrics() const { return task_metrics(id); }
};

const TaskDefinition& task_definition(Task task);

}  // namespace referee
