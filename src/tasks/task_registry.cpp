// The registry: one line per task.

#include <referee/error.hpp>

#include "tasks/task_definition.hpp"

namespace referee {

extern const TaskDefinition kBinaryTask;
extern const TaskDefinition kRegressionTask;
extern const TaskDefinition kOutcomeTask;

const TaskDefinition& task_definition(Task task) {
  switch (task) {
    case Task::binary:
      return kBinaryTask;
    case Task::regression:
      return kRegressionTask;
    case Task::outcome:
      return kOutcomeTask;
  }
  throw UsageError("unknown task " + std::to_string(static_cast<int>(task)));
}

}  // namespace referee
