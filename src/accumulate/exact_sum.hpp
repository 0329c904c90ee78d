#pragma once
// An exact accumulator of doubles (Kulisch style, after Radford Neal's "small accumulator",
// arXiv:1505.05571). Every finite double is an integer multiple of 2^-1074, so a sum of
// doubles is an integer N times 2^-1074; ExactSum holds N exactly. Partitioned evaluation
// merges bucket sums with it, so a merge is exact, associative and commutative: any
// grouping and order of adds and merges gives the same state, value and bytes.
//
// N is held in base 2^32 in int64 limbs, so an add touches two limbs without carrying;
// carries are deferred and resolved every kAddsBeforeCarry adds, before any limb can
// overflow. The canonical form (after carrying) has limbs 0..kLimbs-2 in [0, 2^32) and a
// signed top limb: one representation per value, which is what write() serialises.
//
// Range: exact while |sum| < 2^1100 (2^76 times DBL_MAX), which no sequence of fewer than
// 2^76 finite adds can leave; read() refuses bytes beyond it.

#include <bit>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include <referee/error.hpp>

namespace referee {

class ExactSum {
 public:
  // Limb i weighs 2^(32 i - 1074). A double's 53-bit significand shifted by its exponent
  // (at most 2045 bits above 2^-1074) lands in limbs 0..64; limbs 65..67 take the carries
  // of large sums, up to 2^1100.
  static constexpr int kLimbs = 68;
  static constexpr std::size_t kBytes = 4 * kLimbs;

  ExactSum() noexcept = default;

  void add(double x) noexcept {
    if (!std::isfinite(x)) [[unlikely]] {
      add_beyond_range(x);
      return;
    }
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const auto biased = static_cast<unsigned>(bits >> 52) & 0x7ffu;
    std::uint64_t significand = bits & ((std::uint64_t{1} << 52) - 1);
    // A subnormal (biased 0) has the scale of biased 1 and no hidden bit; so x is
    // significand * 2^(shift - 1074) with shift = max(biased, 1) - 1.
    if (biased != 0) significand |= std::uint64_t{1} << 52;
    const unsigned shift = biased == 0 ? 0 : biased - 1;
    const unsigned limb = shift >> 5, within = shift & 31u;
    auto low = static_cast<std::int64_t>((significand << within) & 0xffffffffu);
    auto high = static_cast<std::int64_t>(significand >> (32 - within));
    // Branch-free negation: mask is 0 or -1.
    const std::int64_t mask = -static_cast<std::int64_t>(bits >> 63);
    low = (low ^ mask) - mask;
    high = (high ^ mask) - mask;
    limb_[limb] += low;
    limb_[limb + 1] += high;
    if (--adds_left_ == 0) carry();
  }

  // A fold that overflowed to +-inf (a sum of extreme values: mean absolute percentage
  // error over labels near 0, say) adds +-2^1024, the first value past DBL_MAX, so value()
  // reads +-inf, as a double sum would, and the add stays exact, associative and
  // commutative (2^76 such adds stay under the 2^1100 range). NaN counts as +inf. Unlike
  // IEEE sums, +inf and -inf cancel; referee's folds that can overflow are sums of values
  // of one sign.
  void add_beyond_range(double x) noexcept {
    constexpr int kBit = 1024 + 1074;  // 2^1024 in units of 2^-1074
    const std::int64_t one = std::int64_t{1} << (kBit % 32);
    limb_[kBit / 32] += std::signbit(x) && !std::isnan(x) ? -one : one;
    if (--adds_left_ == 0) carry();
  }

  void add(const ExactSum& other) noexcept {
    ExactSum addend = other;
    addend.carry();
    carry();
    // Both canonical: each limb below the top is < 2^32, their sum < 2^33, under the
    // 2^52 one add may move a limb by; count the merge as one add.
    for (int i = 0; i < kLimbs; ++i) limb_[i] += addend.limb_[i];
    --adds_left_;
  }

  // The exact sum rounded to nearest, ties to even; +-inf beyond DBL_MAX; +0.0 for zero.
  double value() const noexcept {
    ExactSum magnitude = canonical();
    const bool negative = magnitude.limb_[kLimbs - 1] < 0;
    if (negative) magnitude.negate();
    const double rounded = magnitude.round_magnitude();
    return negative ? -rounded : rounded;
  }

  bool is_zero() const noexcept {
    const ExactSum c = canonical();
    for (std::int64_t v : c.limb_)
      if (v != 0) return false;
    return true;
  }

  friend bool operator==(const ExactSum& a, const ExactSum& b) noexcept {
    const ExactSum ca = a.canonical(), cb = b.canonical();
    for (int i = 0; i < kLimbs; ++i)
      if (ca.limb_[i] != cb.limb_[i]) return false;
    return true;
  }

  // N as a kBytes-byte two's complement integer, little-endian: limb i's 32 bits at bytes
  // 4i..4i+3 (the top limb's as a signed 32-bit value). Canonical: equal sums, equal bytes.
  void write(unsigned char* out) const noexcept {
    const ExactSum c = canonical();
    assert(in_serial_range(c.limb_[kLimbs - 1]));
    for (int i = 0; i < kLimbs; ++i) {
      const auto v = static_cast<std::uint32_t>(c.limb_[i]);  // mod 2^32: two's complement
      for (int b = 0; b < 4; ++b) out[4 * i + b] = static_cast<unsigned char>(v >> (8 * b));
    }
  }

  // Throws DataError when the bytes hold a sum no accumulator can reach (|sum| >= 2^1100).
  static ExactSum read(const unsigned char* in) {
    ExactSum s;
    for (int i = 0; i < kLimbs; ++i) {
      std::uint32_t v = 0;
      for (int b = 0; b < 4; ++b) v |= std::uint32_t{in[4 * i + b]} << (8 * b);
      s.limb_[i] = i == kLimbs - 1 ? static_cast<std::int64_t>(static_cast<std::int32_t>(v))
                                   : static_cast<std::int64_t>(v);
    }
    if (!in_serial_range(s.limb_[kLimbs - 1]))
      throw DataError("exact sum: serialised value out of range (|sum| >= 2^1100)");
    return s;
  }

 private:
  // An add moves one limb by at most 2^32 - 1 (the low part) and the next by at most
  // 2^52 - 1 (the high part: a 53-bit significand shifted by at most 31, less 32 bits), so
  // from canonical limbs (< 2^32) 2047 adds keep every limb within int64, as in xsum. A
  // merge moves each limb by less than 2^33 and counts as one add. The top limb is never
  // added to directly.
  static constexpr int kAddsBeforeCarry = 2047;
  static constexpr std::int64_t kDigit = std::int64_t{1} << 32;

  // The top limb weighs 2^1070; |sum| < 2^1100 keeps it in [-2^30, 2^30).
  static bool in_serial_range(std::int64_t top) noexcept {
    return top >= -(std::int64_t{1} << 30) && top < (std::int64_t{1} << 30);
  }

  // Resolves the deferred carries: limbs below the top into [0, 2^32), the rest to the
  // top. Arithmetic right shift of a negative int64 is floor division (C++20).
  void carry() noexcept {
    std::int64_t c = 0;
    for (int i = 0; i < kLimbs - 1; ++i) {
      const std::int64_t v = limb_[i] + c;
      limb_[i] = v & (kDigit - 1);
      c = v >> 32;
    }
    limb_[kLimbs - 1] += c;
    adds_left_ = kAddsBeforeCarry;
  }

  ExactSum canonical() const noexcept {
    ExactSum c = *this;
    c.carry();
    return c;
  }

  void negate() noexcept {
    for (std::int64_t& v : limb_) v = -v;
    carry();
  }

  // Bits [from, from + count) of a canonical non-negative N, count <= 53.
  std::uint64_t bits_at(int from, int count) const noexcept {
    const int i = from >> 5, within = from & 31;
    auto digit = [this](int k) {
      return k < kLimbs ? static_cast<std::uint64_t>(limb_[k]) & 0xffffffffu : 0;
    };
    const std::uint64_t lo = digit(i) | (digit(i + 1) << 32);
    std::uint64_t v = lo >> within;
    if (within != 0) v |= digit(i + 2) << (64 - within);
    return v & ((std::uint64_t{1} << count) - 1);
  }

  // Whether any of bits [0, below) of a canonical non-negative N is set.
  bool any_bit_below(int below) const noexcept {
    const int whole = below >> 5;
    for (int k = 0; k < whole; ++k)
      if (limb_[k] != 0) return true;
    const int rest = below & 31;
    return rest != 0 && (limb_[whole] & ((std::int64_t{1} << rest) - 1)) != 0;
  }

  // Correct rounding of a canonical non-negative N times 2^-1074.
  double round_magnitude() const noexcept {
    int top = kLimbs - 1;
    while (top >= 0 && limb_[top] == 0) --top;
    if (top < 0) return 0.0;
    // A top limb beyond 32 bits is a sum past 2^1100: far beyond DBL_MAX.
    if (limb_[top] >= kDigit) return HUGE_VAL;
    const int msb = 32 * top + 31 - std::countl_zero(static_cast<std::uint32_t>(limb_[top]));
    // Fewer than 54 bits: exact (a subnormal or a small normal, multiple of 2^-1074).
    if (msb <= 52) return std::ldexp(static_cast<double>(bits_at(0, msb + 1)), -1074);
    int drop = msb - 52;  // bits below the 53 kept
    std::uint64_t kept = bits_at(drop, 53);
    const bool half = bits_at(drop - 1, 1) != 0;
    if (half && (any_bit_below(drop - 1) || (kept & 1) != 0)) ++kept;
    if (kept == std::uint64_t{1} << 53) {
      kept >>= 1;
      ++drop;
    }
    // Exact when representable; past DBL_MAX, ldexp gives +inf.
    return std::ldexp(static_cast<double>(kept), drop - 1074);
  }

  std::int64_t limb_[kLimbs] = {};
  int adds_left_ = kAddsBeforeCarry;
};

}  // namespace referee
