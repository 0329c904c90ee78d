#pragma once
// The multiclass confusion matrix of both models (Evaluation::confusion).

#include <referee/evaluation.hpp>
#include <referee/table.hpp>

namespace referee {

// From a multiclass table: its labels (class indices), each model's argmax and the weight
// column, if any.
ConfusionMatrix confusion_matrix(const Table& table);

}  // namespace referee
