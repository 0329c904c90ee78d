#pragma once
// The keyed rows digest ("referee keyed rows v1" with row ids, "referee unit rows v1" with
// clusters or queries and no ids; docs/audit.md) in its two halves: each
// key bucket's hash, which a partition holding whole buckets computes alone, and the join
// of every bucket's hash under the column header, which the finish computes.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <referee/table.hpp>

namespace referee {

struct BucketDigest {
  std::uint64_t bucket = 0;
  std::uint64_t rows = 0;
  std::array<std::uint8_t, 32> sha256{};
};

// "rows_by_id" with row ids ($.columns.id), else "rows_by_unit" (clusters or queries).
std::string_view keyed_digest_kind(const ColumnNames& names);

// The non-empty key buckets of a table keyed by row ids or units, ascending; `bits` from
// key_bucket_bits(the whole evaluation's row count).
std::vector<BucketDigest> keyed_bucket_digests(const Table& t, unsigned bits);

// The digest: the policy's column header, the whole evaluation's row count, then the buckets
// (ascending, none twice).
std::string keyed_digest(const ColumnNames& names, std::uint64_t rows, std::span<const BucketDigest> buckets);

}  // namespace referee
