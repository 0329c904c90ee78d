#pragma once
// Where each replicate's row weights come from. Every source is a pure function of
// (seed, unit, replicate index): no B x N matrix is stored, and a weight is the same
// whichever thread asks for it and in whatever order the rows are visited.
//
// A "unit" is what gets resampled: a cluster when a cluster column is given (all rows of
// one customer share a weight), otherwise a single row. Units carry a 64-bit key (the
// cluster key's hash, or the row's position) and a dense index (the key's rank).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <referee/vocabulary.hpp>

#include "resample/philox.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

namespace referee {


// Replicates are computed in blocks of this many lanes; the accumulators of a block
// stay in L1 and the inner loops vectorise across lanes.
inline constexpr std::size_t kLanes = 64;
static_assert(kLanes % 32 == 0, "a Philox call yields four lanes; SIMD runs four or eight calls");

using LaneWeights = std::array<double, kLanes>;

// Identifies the unit of a row. Empty spans mean "no clusters": key = unit = row.
struct RowUnits {
  std::span<const std::uint64_t> key;   // per row
  std::span<const std::uint32_t> unit;  // per row, rank of key among distinct keys
  std::size_t unit_count = 0;

  std::uint64_t key_of(std::size_t row) const noexcept { return key.empty() ? row : key[row]; }
  std::uint32_t unit_of(std::size_t row) const noexcept {
    return unit.empty() ? static_cast<std::uint32_t>(row) : unit[row];
  }
};

// Philox streams, so that the schemes never share random numbers.
enum class RandomStream : std::uint32_t { poisson = 0, multinomial = 1 };

// floor(2^32 * P(X <= m)) for X ~ Poisson(1), m = 0..11, computed with 60-digit decimal
// arithmetic; tests/unit/resample_weights.cpp checks them against Boost.Math. A weight
// is the number of thresholds a uniform 32-bit draw reaches, which makes P(w = m) equal
// the Poisson(1) mass to within 2^-32 (the tail beyond 12 has mass 9e-10).
inline constexpr std::array<std::uint32_t, 12> kPoissonOneThresholds{
    1580030168u, 3160060337u, 3950075421u, 4213413783u, 4279248373u, 4292415291u,
    4294609777u, 4294923276u, 4294962463u, 4294966817u, 4294967252u, 4294967292u};

inline double poisson_one_from_uniform(std::uint32_t u) noexcept {
  unsigned w = 0;
  for (std::uint32_t t : kPoissonOneThresholds) w += u >= t ? 1u : 0u;
  return static_cast<double>(w);
}

// The high 64 bits of a 64 x 64-bit product, portably (no __int128 in ISO C++).
inline std::uint64_t multiply_high(std::uint64_t a, std::uint64_t b) noexcept {
  const std::uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
  const std::uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
  const std::uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi;
  const std::uint64_t middle = (lo_lo >> 32) + (hi_lo & 0xffffffffu) + lo_hi;
  return a_hi * b_hi + (hi_lo >> 32) + (middle >> 32);
}

// Every weight is 1: the point estimate on the data as given.
struct UnitWeights {
  static constexpr std::size_t lanes = 1;
  void fill(std::size_t, LaneWeights& w) const noexcept { w[0] = 1.0; }
};

// Poisson(1) bootstrap: unit weights are independent Poisson(1) draws, so the resample
// size varies around n. Lane l of a block starting at `first` is replicate first + l.
struct PoissonWeights {
  static constexpr std::size_t lanes = kLanes;
  PhiloxKey seed;
  std::uint32_t first_quad;  // first replicate / 4
  RowUnits units;

  PoissonWeights(std::uint64_t seed_value, std::size_t first_replicate, RowUnits u)
      : seed(philox_key(seed_value)),
        first_quad(static_cast<std::uint32_t>(first_replicate / 4)),
        units(u) {}

  void fill(std::size_t row, LaneWeights& w) const noexcept {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (cpu_has_avx2()) return fill_avx2(units.key_of(row), w);
#endif
#if defined(__SSE2__)
    fill_sse2(units.key_of(row), w);
#else
    fill_scalar(units.key_of(row), w);
#endif
  }

  void fill_scalar(std::uint64_t key, LaneWeights& w) const noexcept {
    for (std::size_t q = 0; q < kLanes / 4; ++q) {
      const PhiloxCounter out = philox4x32_10(
          {first_quad + static_cast<std::uint32_t>(q),
           static_cast<std::uint32_t>(RandomStream::poisson), static_cast<std::uint32_t>(key),
           static_cast<std::uint32_t>(key >> 32)},
          seed);
      for (std::size_t j = 0; j < 4; ++j) w[4 * q + j] = poisson_one_from_uniform(out[j]);
    }
  }

#if defined(__SSE2__)
  // Four Philox streams per 128-bit register, structure of arrays: word j of calls
  // q..q+3 share a register. It computes exactly philox4x32_10 (the tests compare every
  // lane with fill_scalar); only the schedule differs.
  void fill_sse2(std::uint64_t key, LaneWeights& w) const noexcept {
    const __m128i m0 = _mm_set1_epi32(static_cast<int>(philox_detail::kMultiplier0));
    const __m128i m1 = _mm_set1_epi32(static_cast<int>(philox_detail::kMultiplier1));
    const __m128i sign = _mm_set1_epi32(static_cast<int>(0x80000000u));
    for (std::size_t group = 0; group < kLanes / 16; ++group) {
      const auto first = static_cast<int>(first_quad + 4 * group);
      __m128i c0 = _mm_setr_epi32(first, first + 1, first + 2, first + 3);
      __m128i c1 = _mm_set1_epi32(static_cast<int>(RandomStream::poisson));
      __m128i c2 = _mm_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(key)));
      __m128i c3 = _mm_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(key >> 32)));
      std::uint32_t k0 = seed[0], k1 = seed[1];
      for (int round = 0; round < 10; ++round) {
        __m128i hi0, lo0, hi1, lo1;
        multiply_wide(c0, m0, hi0, lo0);
        multiply_wide(c2, m1, hi1, lo1);
        c0 = _mm_xor_si128(_mm_xor_si128(hi1, c1), _mm_set1_epi32(static_cast<int>(k0)));
        c1 = lo1;
        c2 = _mm_xor_si128(_mm_xor_si128(hi0, c3), _mm_set1_epi32(static_cast<int>(k1)));
        c3 = lo0;
        k0 += philox_detail::kWeyl0;
        k1 += philox_detail::kWeyl1;
      }
      // Poisson counts: u >= t, unsigned, is (u ^ sign) > (t - 1 ^ sign), signed.
      __m128i words[4] = {c0, c1, c2, c3};
      for (auto& word : words) {
        const __m128i u = _mm_xor_si128(word, sign);
        __m128i count = _mm_setzero_si128();
        for (std::uint32_t t : kPoissonOneThresholds)
          count = _mm_sub_epi32(count, _mm_cmpgt_epi32(u, _mm_set1_epi32(static_cast<int>((t - 1) ^ 0x80000000u))));
        word = count;
      }
      // Transpose so that lane 4q + j holds word j of call q.
      const __m128i t0 = _mm_unpacklo_epi32(words[0], words[1]);
      const __m128i t1 = _mm_unpacklo_epi32(words[2], words[3]);
      const __m128i t2 = _mm_unpackhi_epi32(words[0], words[1]);
      const __m128i t3 = _mm_unpackhi_epi32(words[2], words[3]);
      const __m128i calls[4] = {_mm_unpacklo_epi64(t0, t1), _mm_unpackhi_epi64(t0, t1),
                                _mm_unpacklo_epi64(t2, t3), _mm_unpackhi_epi64(t2, t3)};
      double* out = w.data() + 16 * group;
      for (std::size_t q = 0; q < 4; ++q) {
        _mm_storeu_pd(out + 4 * q, _mm_cvtepi32_pd(calls[q]));
        _mm_storeu_pd(out + 4 * q + 2, _mm_cvtepi32_pd(_mm_shuffle_epi32(calls[q], 0xEE)));
      }
    }
  }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static bool cpu_has_avx2() noexcept {
    static const bool has = __builtin_cpu_supports("avx2");
    return has;
  }

  // fill_sse2 with eight streams per 256-bit register, for CPUs that have AVX2 (checked
  // at run time, so the library still runs on any x86-64). Integer operations only, so
  // the weights are bit-for-bit those of fill_sse2 and fill_scalar.
  __attribute__((target("avx2"))) void fill_avx2(std::uint64_t key, LaneWeights& w) const noexcept {
    const __m256i m0 = _mm256_set1_epi32(static_cast<int>(philox_detail::kMultiplier0));
    const __m256i m1 = _mm256_set1_epi32(static_cast<int>(philox_detail::kMultiplier1));
    const __m256i sign = _mm256_set1_epi32(static_cast<int>(0x80000000u));
    const __m256i lane_offsets = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (std::size_t group = 0; group < kLanes / 32; ++group) {
      __m256i c0 = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(first_quad + 8 * group)), lane_offsets);
      __m256i c1 = _mm256_set1_epi32(static_cast<int>(RandomStream::poisson));
      __m256i c2 = _mm256_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(key)));
      __m256i c3 = _mm256_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(key >> 32)));
      std::uint32_t k0 = seed[0], k1 = seed[1];
      for (int round = 0; round < 10; ++round) {
        const __m256i even0 = _mm256_mul_epu32(c0, m0), odd0 = _mm256_mul_epu32(_mm256_srli_epi64(c0, 32), m0);
        const __m256i even1 = _mm256_mul_epu32(c2, m1), odd1 = _mm256_mul_epu32(_mm256_srli_epi64(c2, 32), m1);
        // lo words sit in the even 32-bit slots, hi words in the odd ones.
        const __m256i lo0 = _mm256_blend_epi32(even0, _mm256_slli_epi64(odd0, 32), 0xAA);
        const __m256i hi0 = _mm256_blend_epi32(_mm256_srli_epi64(even0, 32), odd0, 0xAA);
        const __m256i lo1 = _mm256_blend_epi32(even1, _mm256_slli_epi64(odd1, 32), 0xAA);
        const __m256i hi1 = _mm256_blend_epi32(_mm256_srli_epi64(even1, 32), odd1, 0xAA);
        c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32(static_cast<int>(k0)));
        c1 = lo1;
        c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32(static_cast<int>(k1)));
        c3 = lo0;
        k0 += philox_detail::kWeyl0;
        k1 += philox_detail::kWeyl1;
      }
      __m256i words[4] = {c0, c1, c2, c3};
      for (auto& word : words) {
        const __m256i u = _mm256_xor_si256(word, sign);
        __m256i count = _mm256_setzero_si256();
        for (std::uint32_t t : kPoissonOneThresholds)
          count = _mm256_sub_epi32(count, _mm256_cmpgt_epi32(u, _mm256_set1_epi32(static_cast<int>((t - 1) ^ 0x80000000u))));
        word = count;
      }
      // Per 128-bit half, transpose 4 x 4 so that lane 4q + j holds word j of call q.
      const __m256i t0 = _mm256_unpacklo_epi32(words[0], words[1]);
      const __m256i t1 = _mm256_unpacklo_epi32(words[2], words[3]);
      const __m256i t2 = _mm256_unpackhi_epi32(words[0], words[1]);
      const __m256i t3 = _mm256_unpackhi_epi32(words[2], words[3]);
      const __m256i calls[4] = {_mm256_unpacklo_epi64(t0, t1), _mm256_unpackhi_epi64(t0, t1),
                                _mm256_unpacklo_epi64(t2, t3), _mm256_unpackhi_epi64(t2, t3)};
      double* out = w.data() + 32 * group;
      for (std::size_t q = 0; q < 4; ++q) {
        // The low half holds call q of streams 0-3, the high half call q of streams 4-7.
        _mm256_storeu_pd(out + 4 * q, _mm256_cvtepi32_pd(_mm256_castsi256_si128(calls[q])));
        _mm256_storeu_pd(out + 16 + 4 * q, _mm256_cvtepi32_pd(_mm256_extracti128_si256(calls[q], 1)));
      }
    }
  }
#endif

  // 32 x 32 -> 64-bit products of four lanes, split into high and low words.
  static void multiply_wide(__m128i a, __m128i m, __m128i& hi, __m128i& lo) noexcept {
    const __m128i even = _mm_shuffle_epi32(_mm_mul_epu32(a, m), _MM_SHUFFLE(3, 1, 2, 0));
    const __m128i odd =
        _mm_shuffle_epi32(_mm_mul_epu32(_mm_srli_epi64(a, 32), m), _MM_SHUFFLE(3, 1, 2, 0));
    lo = _mm_unpacklo_epi32(even, odd);
    hi = _mm_unpackhi_epi32(even, odd);
  }
#endif
};

// The classic bootstrap: n units drawn with replacement. The counts of one block are
// tabulated up front (unit-major, so a row reads one contiguous run of lanes): this
// costs kLanes * 4 bytes per unit per worker thread, which is why the scheme is meant
// for small n and Poisson is the default.
class MultinomialWeights {
 public:
  static constexpr std::size_t lanes = kLanes;

  MultinomialWeights(std::uint64_t seed_value, std::size_t first_replicate, std::size_t count,
                     RowUnits u)
      : units_(u), counts_(u.unit_count * kLanes, 0u) {
    const PhiloxKey seed = philox_key(seed_value);
    const std::uint64_t n = u.unit_count;
    for (std::size_t lane = 0; lane < count; ++lane) {
      const auto replicate = static_cast<std::uint32_t>(first_replicate + lane);
      for (std::uint64_t pair = 0; 2 * pair < n; ++pair) {
        const PhiloxCounter out = philox4x32_10(
            {static_cast<std::uint32_t>(pair), static_cast<std::uint32_t>(pair >> 32), replicate,
             static_cast<std::uint32_t>(RandomStream::multinomial)},
            seed);
        draw(out[0], out[1], n, lane);
        if (2 * pair + 1 < n) draw(out[2], out[3], n, lane);
      }
    }
  }

  void fill(std::size_t row, LaneWeights& w) const noexcept {
    const std::uint32_t* c = counts_.data() + std::size_t{units_.unit_of(row)} * kLanes;
    for (std::size_t l = 0; l < kLanes; ++l) w[l] = static_cast<double>(c[l]);
  }

 private:
  // A 64-bit uniform scaled to [0, n) by multiply-high: the bias is below n / 2^64.
  void draw(std::uint32_t lo, std::uint32_t hi, std::uint64_t n, std::size_t lane) {
    const std::uint64_t u = (std::uint64_t{hi} << 32) | lo;
    const std::uint64_t unit = multiply_high(u, n);
    ++counts_[unit * kLanes + lane];
  }

  RowUnits units_;
  std::vector<std::uint32_t> counts_;
};

// Delete-a-group jackknife for the BCa acceleration: lane l drops group first + l.
// Groups are contiguous runs of units in key order, so they do not depend on row order.
// Jackknife groups for the BCa acceleration: leave-one-unit-out up to this many units
// (exactly scipy.stats.bootstrap's jackknife), delete-a-group beyond it.
inline constexpr std::size_t kMaxJackknifeGroups = 256;

struct JackknifeWeights {
  static constexpr std::size_t lanes = kLanes;
  std::size_t first_group;
  std::size_t group_count;
  RowUnits units;

  // Leave one unit out while there are no more units than groups (scipy's jackknife).
  // Beyond that, a keyed unit's group is read from its key, a 64-bit hash, so it is known
  // without ranking every key (a partition sees only its own); unkeyed rows (unit = row
  // position) form equal groups by position.
  std::size_t group_of(std::size_t row) const noexcept {
    const std::size_t units_total = std::max<std::size_t>(units.unit_count, 1);
    if (units_total <= group_count) return units.unit_of(row);
    if (!units.key.empty()) return static_cast<std::size_t>(multiply_high(units.key[row], group_count));
    return static_cast<std::size_t>((std::uint64_t{units.unit_of(row)} * group_count) / units_total);
  }
  void fill(std::size_t row, LaneWeights& w) const noexcept {
    const std::size_t g = group_of(row);
    for (std::size_t l = 0; l < kLanes; ++l) w[l] = (first_group + l == g) ? 0.0 : 1.0;
  }
};

}  // namespace referee
