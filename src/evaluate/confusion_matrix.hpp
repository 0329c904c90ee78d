#pragma once
// The multiclass confusion matrix of both models (Evaluation::confusion).

#include <array>
#include <string>
#include <vector>

#include <referee/evaluation.hpp>
#include <referee/table.hpp>

#include "accumulate/exact_sum.hpp"

namespace referee {

// Each model's cells, [model][actual * classes + predicted], as exact sums of the rows'
// weights (1 without a weight column): order-free, so the partitioned rows pass adds the
// cells of its partitions and gets the single process's bits (docs/partitioned.md).
using ConfusionMatrixCells = std::array<std::vector<ExactSum>, 2>;

// From a multiclass table: its labels (class indices), each model's argmax and the weight
// column, if any.
ConfusionMatrixCells confusion_matrix_cells(const Table& table);

// The matrix from the cells, each rounded once.
ConfusionMatrix confusion_matrix(const std::vector<std::string>& classes, bool weighted,
                                 const ConfusionMatrixCells& cells);

inline ConfusionMatrix confusion_matrix(const Table& table) {
  return confusion_matrix(table.columns.classes, !table.weight.empty(), confusion_matrix_cells(table));
}

}  // namespace referee
