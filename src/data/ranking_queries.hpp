#pragma once
// The ranking task's queries: each row's query from the query column, the resampling units
// they make, and the columns that must not change within a query.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include <referee/table.hpp>

namespace referee {

// Sets table.query_index and query_text from the query column, dictionary-encoded (codes
// index `dictionary`). Without a cluster column the queries become the resampling units;
// with one (set first), a query whose rows lie in two clusters is a DataError naming the
// row. A missing query id ("") is a DataError naming the row.
void set_queries(Table& table, const std::string& column, std::span<const std::uint32_t> codes,
                 std::span<const std::string> dictionary);

// The weight column and every segment column hold one value per query (a query's weight,
// a query's segment): a row that differs from its query's first row is a DataError naming
// the row and column.
void check_constant_within_queries(const Table& table);

// The queries none of whose documents is relevant (label > 0); 0 without queries.
std::size_t empty_queries(const Table& table);

}  // namespace referee
