#pragma once
// An ExactSum in a partial state, compactly: its canonical bytes (ExactSum::write) with the
// zero bytes at either end left out, as u16 first byte, u16 byte count, then the bytes.
// A bucket sum spans a few limbs of the 68, so this is a tenth of the fixed form, and it is
// still canonical: equal sums give equal bytes.

#include <array>

#include "accumulate/exact_sum.hpp"
#include "common/byte_stream.hpp"

namespace referee {

inline void write_exact(ByteWriter& out, const ExactSum& s) {
  std::array<unsigned char, ExactSum::kBytes> b{};
  s.write(b.data());
  std::size_t first = 0, last = b.size();
  while (first < last && b[first] == 0) ++first;
  while (last > first && b[last - 1] == 0) --last;
  out.u16(static_cast<std::uint16_t>(first));
  out.u16(static_cast<std::uint16_t>(last - first));
  out.bytes(b.data() + first, last - first);
}

inline ExactSum read_exact(ByteReader& in) {
  const std::size_t first = in.u16(), count = in.u16();
  if (first + count > ExactSum::kBytes) in.fail("an exact sum runs past its " + std::to_string(ExactSum::kBytes) + " bytes");
  std::array<unsigned char, ExactSum::kBytes> b{};
  const auto bytes = in.bytes(count);
  std::copy(bytes.begin(), bytes.end(), b.begin() + static_cast<std::ptrdiff_t>(first));
  return ExactSum::read(b.data());
}

}  // namespace referee
