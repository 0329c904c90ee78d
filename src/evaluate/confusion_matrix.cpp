// The multiclass confusion matrix: one pass per model over the rows, with the predicted
// class the accumulator uses (multiclass_rows: the first of equal maxima), so the cells
// agree with the accuracy, precision and recall in the report.

#include "evaluate/confusion_matrix.hpp"

#include <cstddef>

#include "accumulate/multiclass_accumulator.hpp"

namespace referee {

ConfusionMatrix confusion_matrix(const Table& table) {
  ConfusionMatrix out;
  out.classes = table.columns.classes;
  out.weighted = !table.weight.empty();
  const std::size_t K = out.classes.size();
  for (std::size_t m = 0; m < 2; ++m) {
    const MulticlassRows rows = multiclass_rows({table.label, table.class_scores[m], table.weight}, {});
    std::vector<double>& cells = out.cells[m];
    cells.assign(K * K, 0.0);
    for (std::size_t r = 0; r < table.rows; ++r) {
      const auto actual = static_cast<std::size_t>(table.label[r]);
      cells[actual * K + rows.predicted[r]] += out.weighted ? table.weight[r] : 1.0;
    }
  }
  return out;
}

}  // namespace referee
