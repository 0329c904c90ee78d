// The registry: one line per task.

#include <referee/error.hpp>

#include "tasks/task_definition.hpp"

namespace referee {

std::vector<MetricInstance> catalogue_instances(Task task) {
  std::vector<MetricInstance> out;
  for (const MetricInfo& info : task_metrics(task)) out.push_back(metric_instance(info.id));
  return out;
}

extern const TaskDefinition kBinaryTask;
extern const TaskDefinition kRegressionTask;
extern const TaskDefinition kOutcomeTask;
extern const TaskDefinition kMulticlassTask;
extern const TaskDefinition kRankingTask;

const TaskDefinition& task_definition(Task task) {
  switch (task) {
    case Task::binary:
      return kBinaryTask;
    case Task::regression:
      return kRegressionTask;
    case Task::outcome:
      return kOutcomeTask;
    case Task::multiclass:
      return kMulticlassTask;
    case Task::ranking:
      return kRankingTask;
  }
  throw UsageError("unknown task " + std::to_string(static_cast<int>(task)));
}

}  // namespace referee
