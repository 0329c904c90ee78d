// The rows digest ($.data.sha256): one SHA-256 of the rows the gate read, whatever the
// door. The encoding, "referee rows v1", is the one docs/audit.md documents so that an
// auditor can recompute it without referee; every integer and double is little-endian:
//
//   S(x)  = u64(byte length of x) || x                       (UTF-8 text)
//   input = S("referee rows v1") || u64(rows) || u64(columns)
//           then per column, in requested_columns() order:
//             S(name) || kind || rows values
//   kind  = 'n': each value an IEEE-754 binary64 (the double the core uses)
//           't': each value S(text) ("" for a missing cell)
//
// Text is length-prefixed rather than terminated: a cell may hold a NUL byte. The values
// are those the table holds, not the door's encoding of them: a categorical column's codes
// and dictionary order do not matter, integers read as doubles hash as those doubles, and a
// text label mapped by positive_label hashes as the 0/1 the table holds (kind 'n').
//
// A table with row ids ($.columns.id, "rows_by_id") is hashed as "referee keyed rows v1",
// which row order does not change:
//
//   input  = S("referee keyed rows v1") || u64(rows) || u64(columns)
//            || per column, in requested_columns() order: S(name) || kind
//            || per non-empty bucket b, ascending: u64(b) || u64(rows in b) || SHA-256(rows of b)
//   bucket = key_bucket(unit key, key_bucket_bits(rows))   (resample/canonical_buckets.hpp)
//            the unit key is hash_key(id) when the rows are the units, else the unit's
//            (its cluster's or query's) hash_key, so a unit's rows share a bucket
//   rows of b, in ascending (hash_key(id), id bytes) order, each:
//            S(id) || each column's value in requested_columns() order, encoded as above
//
// A table keyed by units but without row ids (a cluster column, or the ranking task's
// queries; "rows_by_unit") is hashed as "referee unit rows v1": the same, with no S(id) in
// a row, and the rows of a bucket in ascending (unit key, values) order, the values
// compared column by column in requested_columns() order (a number by its binary64 bits
// as an unsigned integer, a text by its bytes). Rows that tie are equal in every hashed
// value, so their order does not change a byte.
//
// A bucket's 32-byte hash depends only on its own rows, so partitions holding whole
// buckets hash theirs apart (keyed_bucket_digests) and the finish joins them
// (keyed_digest; docs/partitioned.md).

#include <referee/table.hpp>

#include <algorithm>
#include <array>
#include <numeric>
#include <bit>
#include <cstring>
#include <string>

#include <referee/error.hpp>

#include "common/quoted.hpp"
#include "data/keyed_digest.hpp"
#include "io/sha256.hpp"
#include "resample/canonical_buckets.hpp"

namespace referee {

namespace {

constexpr std::string_view kFormat = "referee rows v1";
constexpr std::string_view kKeyedFormat = "referee keyed rows v1";
constexpr std::string_view kUnitFormat = "referee unit rows v1";

// Feeds SHA-256 through a buffer: a row's value is a few bytes, a call per value is slow.
class DigestWriter {
 public:
  void u64(std::uint64_t v) {
    unsigned char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(v >> (8 * i));
    put(bytes, sizeof bytes);
  }
  void text(std::string_view s) {
    u64(s.size());
    put(s.data(), s.size());
  }
  void byte(char c) { put(&c, 1); }
  void numbers(std::span<const double> values) {
    if constexpr (std::endian::native == std::endian::little) {
      put(values.data(), values.size_bytes());
    } else {
      for (double v : values) u64(std::bit_cast<std::uint64_t>(v));
    }
  }
  // Bytes written as they are: a bucket's 32-byte SHA-256.
  void raw(const std::array<std::uint8_t, 32>& bytes) { put(bytes.data(), bytes.size()); }
  std::string finish() {
    flush();
    return hash_.hex_digest();
  }
  std::array<std::uint8_t, 32> finish_bytes() {
    flush();
    return hash_.finish();
  }

 private:
  void put(const void* data, std::size_t size) {
    if (buffer_.size() + size > kBuffer) flush();
    if (size >= kBuffer) {
      hash_.update(data, size);
      return;
    }
    buffer_.append(static_cast<const char*>(data), size);
  }
  void flush() {
    hash_.update(buffer_.data(), buffer_.size());
    buffer_.clear();
  }
  static constexpr std::size_t kBuffer = 1 << 16;
  Sha256 hash_;
  std::string buffer_;
};

[[noreturn]] void missing(const Table& t, const std::string& name) {
  throw DataError(t.source.origin + ": the table lacks column " + quoted_excerpt(name) + ", which the policy reads");
}

std::span<const double> numeric_values(const Table& t, const ColumnRequest& c) {
  switch (c.role) {
    case ColumnRole::label: return t.label;
    case ColumnRole::champion: return t.champion;
    case ColumnRole::challenger: return t.challenger;
    case ColumnRole::weight: return t.weight;
    default: break;
  }
  for (const auto& [values, name] : t.serving_columns())
    if (*name == c.name && !values.empty()) return values;
  missing(t, c.name);
}

// A multiclass model's class column, gathered from its block (which may be strided).
std::vector<double> class_values(const Table& t, const ColumnRequest& c) {
  const std::size_t m = c.role == ColumnRole::champion ? 0 : 1;
  const std::vector<std::string>& names = t.columns.class_columns[m].columns;
  const auto k = static_cast<std::size_t>(std::find(names.begin(), names.end(), c.name) - names.begin());
  const ScoreBlock& block = t.class_scores[m];
  if (k == names.size() || k >= block.classes) missing(t, c.name);
  std::vector<double> out(t.rows);
  for (std::size_t r = 0; r < t.rows; ++r) out[r] = block.at(r, k);
  return out;
}

// One requested column as the digest reads it, row by row: numbers (a span, or a
// multiclass column gathered from its block), or text (row r's text is text[index[r]]).
struct ColumnValues {
  char kind = 'n';
  std::vector<double> gathered;
  std::span<const double> numbers;
  std::span<const std::uint32_t> index;
  std::span<const std::string> text;

  std::string_view text_at(std::size_t r) const { return text[index[r]]; }
};

void read_numbers(ColumnValues& v, const Table& t, const ColumnRequest& c) {
  const bool class_column = t.columns.multiclass() && (c.role == ColumnRole::champion || c.role == ColumnRole::challenger);
  if (class_column) v.gathered = class_values(t, c);
  v.numbers = class_column ? std::span<const double>(v.gathered) : numeric_values(t, c);
  if (v.numbers.size() != t.rows) missing(t, c.name);
}

// A text column: the cluster key (by unit), the row id, the ranking task's query, a
// segment or sensitive column, a drift feature.
void read_text(ColumnValues& v, const Table& t, const ColumnRequest& c) {
  v.kind = 't';
  if (c.role == ColumnRole::cluster) {
    v.index = t.unit_index;
    v.text = t.unit_text;
  } else if (c.role == ColumnRole::id) {
    v.index = t.id_index;
    v.text = t.id_text;
  } else if (c.role == ColumnRole::query) {
    v.index = t.query_index;
    v.text = t.query_text;
  } else if (const CategoricalColumn* g = c.role == ColumnRole::group ? t.find_categorical(c.name) : nullptr) {
    v.index = g->codes;
    v.text = g->values;
  } else if (const TextColumn* f = c.role == ColumnRole::drift_feature ? t.find_drift(c.name) : nullptr) {
    v.index = f->codes;
    v.text = f->dictionary;
  }
  if (v.index.size() != t.rows) missing(t, c.name);
  for (std::uint32_t i : v.index)
    if (i >= v.text.size()) missing(t, c.name);
}

ColumnValues column_values(const Table& t, const ColumnRequest& c) {
  ColumnValues v;
  // The label is numbers in the table even when read as text (positive_label).
  if (c.kind == ColumnKind::numeric || c.role == ColumnRole::label)
    read_numbers(v, t, c);
  else
    read_text(v, t, c);
  return v;
}

// The format's name, the row and column counts, and each column's name and kind
// ("referee rows v1" follows each kind with the column's values).
void write_header(DigestWriter& out, std::string_view format, const Table& t, std::span<const ColumnRequest> columns) {
  out.text(format);
  out.u64(t.rows);
  out.u64(columns.size());
}

// "referee rows v1": column by column, each column's rows in row order.
std::string rows_digest(const Table& t, const std::vector<ColumnRequest>& columns) {
  DigestWriter out;
  write_header(out, kFormat, t, columns);
  for (const ColumnRequest& c : columns) {
    const ColumnValues v = column_values(t, c);
    out.text(c.name);
    out.byte(v.kind);
    if (v.kind == 'n') {
      out.numbers(v.numbers);
    } else {
      for (std::size_t r = 0; r < t.rows; ++r) out.text(v.text_at(r));
    }
  }
  return out.finish();
}

// One row as "referee keyed rows v1" encodes it: S(id), then each column's value
// ("referee unit rows v1": no id).
void write_row(DigestWriter& out, const Table& t, const std::vector<ColumnValues>& values, std::size_t r) {
  if (t.has_row_ids()) out.text(t.row_id(r));
  for (const ColumnValues& v : values) {
    if (v.kind == 'n')
      out.numbers(v.numbers.subspan(r, 1));
    else
      out.text(v.text_at(r));
  }
}

// Rows a and b by their hashed values, column by column: the unit rows digest's order
// within a unit.
bool values_before(const std::vector<ColumnValues>& values, std::size_t a, std::size_t b) {
  for (const ColumnValues& v : values) {
    if (v.kind == 'n') {
      const auto x = std::bit_cast<std::uint64_t>(v.numbers[a]), y = std::bit_cast<std::uint64_t>(v.numbers[b]);
      if (x != y) return x < y;
    } else if (v.index[a] != v.index[b]) {
      const std::string_view x = v.text_at(a), y = v.text_at(b);
      if (x != y) return x < y;
    }
  }
  return false;
}

// A row's key bucket: its unit's key's top bits.
std::uint64_t bucket_of(const Table& t, std::size_t r, unsigned bits) { return key_bucket(t.unit_key[r], bits); }

// The rows in the digest's order: by bucket, then (hash_key(id), id bytes) with row ids,
// else (unit key, values).
std::vector<std::size_t> digest_order(const Table& t, const std::vector<ColumnValues>& values, unsigned bits) {
  std::vector<std::uint64_t> keys(t.unit_key.begin(), t.unit_key.end());
  if (t.has_row_ids())
    for (std::size_t r = 0; r < t.rows; ++r) keys[r] = hash_key(t.row_id(r));
  std::vector<std::size_t> order(t.rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const std::uint64_t bucket_a = bucket_of(t, a, bits), bucket_b = bucket_of(t, b, bits);
    if (bucket_a != bucket_b) return bucket_a < bucket_b;
    if (keys[a] != keys[b]) return keys[a] < keys[b];
    return t.has_row_ids() ? t.row_id(a) < t.row_id(b) : values_before(values, a, b);
  });
  return order;
}

}  // namespace

std::string_view keyed_digest_kind(const ColumnNames& names) { return names.id.empty() ? "rows_by_unit" : "rows_by_id"; }

// "referee keyed rows v1" or "referee unit rows v1" (docs/audit.md), bucket by bucket: each
// non-empty bucket's number, row count and SHA-256 of its rows, in digest_order.
std::vector<BucketDigest> keyed_bucket_digests(const Table& t, unsigned bits) {
  if (t.rows == 0) return {};
  if (!t.keyed() || t.unit_key.size() != t.rows)
    throw UsageError(t.source.origin + ": a keyed digest needs row ids ($.columns.id), clusters or queries");
  std::vector<ColumnValues> values;
  for (const ColumnRequest& c : requested_columns(t.columns)) values.push_back(column_values(t, c));
  const std::vector<std::size_t> order = digest_order(t, values, bits);
  std::vector<BucketDigest> out;
  for (std::size_t begin = 0, end = 0; begin < order.size(); begin = end) {
    const std::uint64_t bucket = bucket_of(t, order[begin], bits);
    DigestWriter rows;
    for (end = begin; end < order.size() && bucket_of(t, order[end], bits) == bucket; ++end)
      write_row(rows, t, values, order[end]);
    out.push_back({bucket, end - begin, rows.finish_bytes()});
  }
  return out;
}

// The column header once, then the buckets in ascending order. `columns` are the policy's
// (requested_columns), `rows` the whole evaluation's.
std::string keyed_digest(const ColumnNames& names, std::uint64_t rows, std::span<const BucketDigest> buckets) {
  const std::vector<ColumnRequest> columns = requested_columns(names);
  DigestWriter out;
  out.text(names.id.empty() ? kUnitFormat : kKeyedFormat);
  out.u64(rows);
  out.u64(columns.size());
  for (const ColumnRequest& c : columns) {
    out.text(c.name);
    // The label is numbers in the table even when read as text (positive_label).
    out.byte(c.kind == ColumnKind::numeric || c.role == ColumnRole::label ? 'n' : 't');
  }
  for (const BucketDigest& b : buckets) {
    out.u64(b.bucket);
    out.u64(b.rows);
    out.raw(b.sha256);
  }
  return out.finish();
}


std::string data_digest(const Table& t) {
  const std::vector<ColumnRequest> columns = requested_columns(t.columns);
  if (!t.keyed()) return rows_digest(t, columns);
  return keyed_digest(t.columns, t.rows, keyed_bucket_digests(t, key_bucket_bits(t.rows)));
}

std::string_view data_digest_kind(const Table& t) { return t.keyed() ? keyed_digest_kind(t.columns) : "rows"; }

}  // namespace referee
