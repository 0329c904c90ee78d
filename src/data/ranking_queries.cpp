#include "data/ranking_queries.hpp"

#include <algorithm>
#include <limits>
#include <vector>

#include <referee/error.hpp>

#include "common/quoted.hpp"
#include "data/column_checks.hpp"
#include "data/row_units.hpp"

namespace referee {

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// Every query's rows lie in one cluster: the message names the first row in another.
void check_nested(const Table& t, const std::string& column) {
  std::vector<std::uint32_t> unit_of_query(t.query_text.size(), kNone);
  for (std::size_t r = 0; r < t.rows; ++r) {
    std::uint32_t& unit = unit_of_query[t.query_index[r]];
    if (unit == kNone) unit = t.unit_index[r];
    if (unit != t.unit_index[r])
      throw DataError(where(t, column, r) + "this row's query lies in two clusters (column " +
                      quoted_excerpt(t.columns.cluster) + "): a query must lie within one cluster");
  }
}

// The first row of each query, by query index.
std::vector<std::size_t> first_rows(const Table& t) {
  std::vector<std::size_t> first(t.query_text.size(), t.rows);
  for (std::size_t r = t.rows; r-- > 0;) first[t.query_index[r]] = r;
  return first;
}

}  // namespace

void set_queries(Table& t, const std::string& column, std::span<const std::uint32_t> codes,
                 std::span<const std::string> dictionary) {
  require_rows(t.source.origin, column, codes.size(), t.rows);
  for (std::size_t r = 0; r < codes.size(); ++r)
    if (codes[r] < dictionary.size() && dictionary[codes[r]].empty())
      throw DataError(where(t, column, r) + "the query id is missing");
  // Encoded as a categorical column is (observed ids sorted by their bytes, codes checked),
  // so a query's index is its id's rank, which does not depend on row order.
  add_categorical(t, column, codes, dictionary);
  CategoricalColumn queries = std::move(t.categorical.back());
  t.categorical.pop_back();
  t.query_index = std::move(queries.codes);
  t.query_text = std::move(queries.values);
  if (t.clustered())
    check_nested(t, column);
  else
    set_units(t, column, codes, dictionary);
}

void check_constant_within_queries(const Table& t) {
  const std::vector<std::size_t> first = first_rows(t);
  for (std::size_t r = 0; r < t.rows && !t.weight.empty(); ++r)
    if (t.weight[r] != t.weight[first[t.query_index[r]]])
      throw DataError(where(t, t.columns.weight, r) +
                      "the weight differs from the first row of this row's query: a query has one weight");
  for (const CategoricalColumn& c : t.categorical)
    for (std::size_t r = 0; r < t.rows; ++r)
      if (c.codes[r] != c.codes[first[t.query_index[r]]])
        throw DataError(where(t, c.name, r) +
                        "the segment differs from the first row of this row's query: a query lies in one segment");
}

std::size_t empty_queries(const Table& t) {
  std::vector<char> relevant(t.query_text.size(), 0);
  for (std::size_t r = 0; r < t.query_index.size(); ++r)
    if (t.label[r] > 0.0) relevant[t.query_index[r]] = 1;
  return static_cast<std::size_t>(std::count(relevant.begin(), relevant.end(), 0));
}

}  // namespace referee
