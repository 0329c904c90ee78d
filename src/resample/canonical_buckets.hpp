#pragma once
// Canonical buckets: the unit of work that makes an evaluation partitionable.
//
// Every sum that is not an exact integer is folded in doubles only within a bucket, in
// the canonical row order, and bucket results are merged exactly (ExactSum). A bucket is
// a pure function of one row (its key, or one model's score) and of the total row count,
// never of where the row sits or which partition holds it. So any partitioning that keeps
// buckets whole, and any order of merging, gives the bits a single process gives.
//
// The row count sets the bucket width, so a bucket holds about 2^11 rows on average:
// small tables get one or a few buckets (no merge cost), large ones enough buckets to
// spread over many partitions.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace referee {

// Order-free sums bucket by the row key, a 64-bit hash, so its top bits are uniform.
inline unsigned key_bucket_bits(std::uint64_t rows) noexcept {
  const int width = static_cast<int>(std::bit_width(rows)) - 11;
  return static_cast<unsigned>(std::clamp(width, 0, 24));
}

inline std::uint64_t key_bucket(std::uint64_t key, unsigned bits) noexcept {
  return bits == 0 ? 0 : key >> (64 - bits);
}

// A score's image in unsigned order: a larger score gives a larger image; -0 and +0 are
// one score, as the ranking treats them.
inline std::uint64_t ordered_bits(double score) noexcept {
  const std::uint64_t u = std::bit_cast<std::uint64_t>(score == 0.0 ? 0.0 : score);
  return (u >> 63) != 0 ? ~u : u | (std::uint64_t{1} << 63);
}

// Rank passes bucket by the score: sign and exponent (12 bits), then as many mantissa
// bits as the row count asks for. Equal scores share a bucket, so a tie never straddles
// two; buckets are numbered in descending score order, the order of the ranked pass.
inline unsigned score_bucket_bits(std::uint64_t rows) noexcept {
  const int mantissa = static_cast<int>(std::bit_width(rows)) - 15;
  return 12u + static_cast<unsigned>(std::clamp(mantissa, 0, 16));
}

inline std::uint64_t score_bucket(double score, unsigned bits) noexcept {
  return ~ordered_bits(score) >> (64 - bits);
}

// The outcome task's ranked passes walk results upward (its quantiles read the weight
// below a value): the same buckets as score_bucket, numbered in ascending order.
inline std::uint64_t value_bucket(double value, unsigned bits) noexcept { return ordered_bits(value) >> (64 - bits); }

// The ends of the runs of one bucket in a visiting order (a ranking, or rows by key), by `bucket_of(row)`.
template <class BucketOf>
std::vector<std::size_t> bucket_ends(std::span<const std::uint32_t> order, BucketOf&& bucket_of) {
  std::vector<std::size_t> ends;
  for (std::size_t i = 1; i < order.size(); ++i)
    if (bucket_of(order[i]) != bucket_of(order[i - 1])) ends.push_back(i);
  if (!order.empty()) ends.push_back(order.size());
  return ends;
}

}  // namespace referee
