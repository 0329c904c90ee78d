#pragma once
// The checks a table's numeric columns go through, shared by table validation and the
// tasks' own label and score checks. Messages name the origin, column and 1-based row.

#include <cmath>
#include <cstdio>
#include <span>
#include <string>

#include <referee/error.hpp>
#include <referee/table.hpp>

#include "common/quoted.hpp"

namespace referee {

// A column must hold one value per row; the message names the origin and column.
inline void require_rows(const std::string& origin, const std::string& column, std::size_t values,
                         std::size_t rows) {
  if (values != rows)
    throw DataError(origin + ": column " + quoted_excerpt(column) + " has " + std::to_string(values) + " values for " +
                    std::to_string(rows) + " rows");
}

// A cell's place: origin, 1-based row, column. Never its value: a message can reach a log
// whose readers may not see the data (docs/security.md).
inline std::string where(const Table& t, const std::string& column, std::size_t row) {
  return t.source.origin + ": row " + std::to_string(row + 1) + ", column " + quoted_excerpt(column) + ": ";
}

inline void check_column(const Table& t, std::span<const double> values, const std::string& name,
                  double lo, double hi, const char* range_text) {
  for (std::size_t r = 0; r < values.size(); ++r) {
    const double v = values[r];
    if (!std::isfinite(v)) throw DataError(where(t, name, r) + "value is not a finite number");
    if (v < lo || v > hi)
      throw DataError(where(t, name, r) + "the value is outside " + range_text);
  }
}

}  // namespace referee
