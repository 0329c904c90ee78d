// The multiclass confusion matrix: one pass per model over the rows, with the predicted
// class the accumulator uses (multiclass_rows: the first of equal maxima), so the cells
// agree with the accuracy, precision and recall in the report. Weights add exactly, so the
// cells do not depend on the rows' order or partitioning.

#include "evaluate/confusion_matrix.hpp"

#include <cstddef>

#include "accumulate/multiclass_accumulator.hpp"

namespace referee {

ConfusionMatrixCells confusion_matrix_cells(const Table& table) {
  const std::size_t K = table.columns.classes.size();
  ConfusionMatrixCells cells;
  for (std::size_t m = 0; m < 2; ++m) {
    const MulticlassRows rows = multiclass_rows({table.label, table.class_scores[m], table.weight}, {});
    cells[m].assign(K * K, ExactSum{});
    for (std::size_t r = 0; r < table.rows; ++r) {
      const auto actual = static_cast<std::size_t>(table.label[r]);
      cells[m][actual * K + rows.predicted[r]].add(table.weight.empty() ? 1.0 : table.weight[r]);
    }
  }
  return cells;
}

ConfusionMatrix confusion_matrix(const std::vector<std::string>& classes, bool weighted,
                                 const ConfusionMatrixCells& cells) {
  ConfusionMatrix out;
  out.classes = classes;
  out.weighted = weighted;
  for (std::size_t m = 0; m < 2; ++m)
    for (const ExactSum& cell : cells[m]) out.cells[m].push_back(cell.value());
  return out;
}

}  // namespace referee
