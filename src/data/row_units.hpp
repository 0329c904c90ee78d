#pragma once
// A table's resampling units, as the resampler sees them: clusters when the table has a
// cluster key, the queries of a ranking table, the rows keyed by their ids, else one unit
// per row keyed by its position.

#include <span>
#include <string>

#include <referee/table.hpp>

#include "resample/resample_weights.hpp"

namespace referee {

// Sets the table's resampling units from dictionary-encoded keys (the cluster column's, or
// the ranking task's query column's when it has no clusters): a unit's key is a 64-bit
// hash of its text, so the weights depend on the key, not on where it appears.
void set_units(Table& table, const std::string& column, std::span<const std::uint32_t> codes,
               std::span<const std::string> dictionary);

inline RowUnits row_units(const Table& table) {
  return {table.unit_key, table.unit_index, table.keyed() ? table.unit_count : table.rows};
}

}  // namespace referee
