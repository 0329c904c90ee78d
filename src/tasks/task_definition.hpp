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
#include <vector>

#include <referee/table.hpp>
#include <referee/vocabulary.hpp>

#include "accumulate/replicate_layout.hpp"
#include "resample/resample_weights.hpp"

namespace referee {

// One task's pass over the rows, prepared once per evaluation (a ranking, a plan), then
// run per block. One virtual call per block of 64 replicates; the row loops inside are the
// task's own templates, compiled per weight source.
class TaskAccumulator {
 public:
  virtual ~TaskAccumulator() = default;
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

 private:
  template <class Weights>
  void run(const Weights& w, std::size_t used, const BlockWriter& out) const {
    static_cast<const Derived&>(*this).compute(w, used, out);
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

  std::span<const MetricInfo> metrics() const { return task_metrics(id); }
};

const TaskDefinition& task_definition(Task task);

}  // namespace referee
