#pragma once
// A table's resampling units, as the resampler sees them: clusters when the table has a
// cluster key, else one unit per row.

#include <referee/table.hpp>

#include "resample/resample_weights.hpp"

namespace referee {

inline RowUnits row_units(const Table& table) {
  return {table.unit_key, table.unit_index, table.clustered() ? table.unit_count : table.rows};
}

}  // namespace referee
