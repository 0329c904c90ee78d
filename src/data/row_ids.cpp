// Row ids ($.columns.id): each row's name, unique, read as text. An id makes a row's key a
// pure function of the row (hash_key of its id), never of its position, so the resampling
// weights and the rows digest stay the same however the rows are ordered or partitioned.

#include <referee/table.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include <referee/error.hpp>

#include "common/quoted.hpp"
#include "data/column_checks.hpp"

namespace referee {

namespace {

// Every row's code indexes the dictionary and names a non-empty id.
void check_codes(const Table& t, std::span<const std::uint32_t> codes, std::span<const std::string> dictionary) {
  const std::string& column = t.columns.id;
  require_rows(t.source.origin, column, codes.size(), t.rows);
  for (std::size_t r = 0; r < codes.size(); ++r) {
    if (codes[r] >= dictionary.size())
      throw DataError(where(t, column, r) + "code " + std::to_string(codes[r]) + " is outside the dictionary");
    if (dictionary[codes[r]].empty()) throw DataError(where(t, column, r) + "the id is missing");
  }
}

// Rows in ascending (key, id bytes) order: the canonical order of a keyed table.
std::vector<std::size_t> key_order(const Table& t, const std::vector<std::uint64_t>& key) {
  std::vector<std::size_t> order(key.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (key[a] != key[b]) return key[a] < key[b];
    const int bytes = t.row_id(a).compare(t.row_id(b));
    return bytes != 0 ? bytes < 0 : a < b;
  });
  return order;
}

// Two rows with one id, or two ids with one key: neighbours in key order. The message
// names the rows (1-based, the earlier first), never the id.
void check_unique(const Table& t, const std::vector<std::uint64_t>& key, const std::vector<std::size_t>& order) {
  for (std::size_t i = 1; i < order.size(); ++i) {
    const std::size_t a = order[i - 1], b = order[i];
    if (key[a] != key[b]) continue;
    if (t.row_id(a) != t.row_id(b))
      throw DataError(t.source.origin + ": two distinct values of column " + quoted_excerpt(t.columns.id) +
                      " hash to the same 64-bit key; rename one");
    throw DataError(t.source.origin + ": rows " + std::to_string(std::min(a, b) + 1) + " and " +
                    std::to_string(std::max(a, b) + 1) + " have the same id (column " +
                    quoted_excerpt(t.columns.id) + "); an id names one row");
  }
}

}  // namespace

void set_row_ids(Table& t, std::vector<std::uint32_t> codes, std::vector<std::string> dictionary) {
  check_codes(t, codes, dictionary);
  t.id_index = std::move(codes);
  t.id_text = std::move(dictionary);
  std::vector<std::uint64_t> keys(t.rows);
  for (std::size_t r = 0; r < t.rows; ++r) keys[r] = hash_key(t.row_id(r));
  const std::vector<std::size_t> order = key_order(t, keys);
  check_unique(t, keys, order);
  // A table keyed by its clusters or queries keeps those units; the ids are checked and
  // carried for the digest. Without them each row is its own unit, keyed by its id, and
  // its index is its key's rank, which does not depend on row order.
  if (t.keyed()) return;
  t.unit_index.resize(t.rows);
  for (std::size_t i = 0; i < order.size(); ++i) t.unit_index[order[i]] = static_cast<std::uint32_t>(i);
  t.unit_key = std::move(keys);
  t.unit_count = t.rows;
  t.units_are_rows = true;
}

namespace {

// Integer ids dictionary-encoded in first-seen order, as encode_text() would encode their
// digits, without a hash map of texts: sorting (value, row) pairs finds each distinct id and
// its first row. A map of one text per row cost about a microsecond a row, the largest cost
// of a Spark partition's table (every stage builds its partition's table again).
EncodedText encode_integers(std::span<const std::int64_t> values) {
  const std::size_t n = values.size();
  std::vector<std::pair<std::int64_t, std::uint32_t>> sorted(n);
  for (std::size_t r = 0; r < n; ++r) sorted[r] = {values[r], static_cast<std::uint32_t>(r)};
  std::sort(sorted.begin(), sorted.end());
  // The first row holding each row's value (ties sort by row, so a run starts with it).
  std::vector<std::uint32_t> first(n);
  for (std::size_t i = 0; i < n; ++i)
    first[sorted[i].second] = i > 0 && sorted[i - 1].first == sorted[i].first ? first[sorted[i - 1].second]
                                                                               : sorted[i].second;
  EncodedText out;
  out.codes.resize(n);
  for (std::size_t r = 0; r < n; ++r) {
    if (first[r] != r) {
      out.codes[r] = out.codes[first[r]];  // an earlier row: already coded
      continue;
    }
    out.codes[r] = static_cast<std::uint32_t>(out.dictionary.size());
    out.dictionary.push_back(std::to_string(values[r]));
  }
  return out;
}

}  // namespace

EncodedText numeric_row_ids(std::span<const double> values, const std::string& origin, const std::string& column) {
  // Integral doubles inside the int64 range read back exactly as their digits.
  constexpr double kLimit = 9223372036854775808.0;  // 2^63
  std::vector<std::int64_t> integers(values.size());
  for (std::size_t r = 0; r < values.size(); ++r) {
    const double v = values[r];
    const auto place = [&] { return origin + ": row " + std::to_string(r + 1) + ", column " + quoted_excerpt(column) + ": "; };
    if (std::isnan(v)) throw DataError(place() + "the id is missing");
    if (std::trunc(v) != v || !(v >= -kLimit && v < kLimit))
      throw DataError(place() + "a numeric id must be a whole number within the 64-bit integer range "
                              "(an id names a row, it is not a measurement)");
    integers[r] = static_cast<std::int64_t>(v);
  }
  return encode_integers(integers);
}

EncodedText numeric_row_ids(std::span<const std::int64_t> values) { return encode_integers(values); }

}  // namespace referee
