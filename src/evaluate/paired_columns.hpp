#pragma once
// The engine's view of a validated table under its policy: the columns, the resampling
// units and the figures to compute. One place, so the evaluation and the point metrics of
// the Python door bind the same roles.

#include <referee/policy.hpp>
#include <referee/table.hpp>

#include "accumulate/replicate_layout.hpp"
#include "data/row_units.hpp"

namespace referee {

inline PairedColumns paired_columns(const Table& table, const Policy& policy) {
  PairedColumns c;
  c.task = policy.task;
  c.label = table.label;
  c.champion = table.champion;
  c.challenger = table.challenger;
  c.weight = table.weight;
  c.threshold = policy.threshold;
  c.units = row_units(table);
  c.scores = policy.columns.scores;
  c.metrics = policy.metrics;
  c.class_scores = table.class_scores;
  c.classes = table.columns.classes;
  c.query = table.query_index;
  c.queries = table.query_text.size();
  c.skip_empty_queries = policy.empty_queries == EmptyQueries::skip;
  return c;
}

}  // namespace referee
