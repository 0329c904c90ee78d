#pragma once
// Multiclass columns (resolve_class_columns, in table.hpp, is the doors' entry): the order
// of classes, and labels as class indices. A label matches a class by its text, or, when
// both read as numbers, by number ("3.0" is class "3"); any other label, or a missing one,
// is an error naming its row, never its value (docs/security.md).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <referee/table.hpp>

namespace referee {

// Numeric order when every class name reads as an integer, else UTF-8 byte order: the
// order of scikit-learn's np.unique over integer or string labels.
std::vector<std::string> ordered_classes(std::vector<std::string> classes);

// Each row's class index, as a double (the table's label column).
std::vector<double> class_labels(std::span<const std::uint32_t> codes, std::span<const std::string> dictionary,
                                 std::span<const std::string> classes, const std::string& origin,
                                 const std::string& column);

}  // namespace referee
