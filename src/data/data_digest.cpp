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

#include <referee/table.hpp>

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include <referee/error.hpp>

#include "common/quoted.hpp"
#include "io/sha256.hpp"

namespace referee {

namespace {

constexpr std::string_view kFormat = "referee rows v1";

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
  std::string finish() {
    flush();
    return hash_.hex_digest();
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

void hash_numbers(DigestWriter& out, const Table& t, const ColumnRequest& c) {
  const bool class_column = t.columns.multiclass() && (c.role == ColumnRole::champion || c.role == ColumnRole::challenger);
  const std::vector<double> gathered = class_column ? class_values(t, c) : std::vector<double>{};
  const std::span<const double> values = class_column ? std::span<const double>(gathered) : numeric_values(t, c);
  if (values.size() != t.rows) missing(t, c.name);
  out.byte('n');
  out.numbers(values);
}

// A text column: the cluster key (by unit), the ranking task's query, a segment or
// sensitive column, a drift feature.
void hash_text(DigestWriter& out, const Table& t, const ColumnRequest& c) {
  out.byte('t');
  if (c.role == ColumnRole::cluster) {
    if (t.unit_index.size() != t.rows) missing(t, c.name);
    for (std::uint32_t unit : t.unit_index) out.text(t.unit_text.at(unit));
  } else if (c.role == ColumnRole::query) {
    if (t.query_index.size() != t.rows) missing(t, c.name);
    for (std::uint32_t q : t.query_index) out.text(t.query_text.at(q));
  } else if (c.role == ColumnRole::group) {
    const CategoricalColumn* g = t.find_categorical(c.name);
    if (g == nullptr || g->codes.size() != t.rows) missing(t, c.name);
    for (std::uint32_t code : g->codes) out.text(g->values.at(code));
  } else {
    const TextColumn* f = t.find_drift(c.name);
    if (f == nullptr || f->codes.size() != t.rows) missing(t, c.name);
    for (std::uint32_t code : f->codes) out.text(f->dictionary.at(code));
  }
}

}  // namespace

std::string data_digest(const Table& t) {
  const std::vector<ColumnRequest> columns = requested_columns(t.columns);
  DigestWriter out;
  out.text(kFormat);
  out.u64(t.rows);
  out.u64(columns.size());
  for (const ColumnRequest& c : columns) {
    out.text(c.name);
    // The label is numbers in the table even when read as text (positive_label).
    if (c.kind == ColumnKind::numeric || c.role == ColumnRole::label)
      hash_numbers(out, t, c);
    else
      hash_text(out, t, c);
  }
  return out.finish();
}

}  // namespace referee
