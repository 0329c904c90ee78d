#pragma once
// Little-endian bytes in and out, for the serial format of partial states
// (docs/partitioned.md): fixed-width integers and IEEE-754 doubles, whatever the host.
// A reader refuses to run past its end, so a truncated or hostile state is a DataError,
// never a read out of bounds.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <referee/error.hpp>

namespace referee {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}

  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) { fixed(v, 2); }
  void u32(std::uint32_t v) { fixed(v, 4); }
  void u64(std::uint64_t v) { fixed(v, 8); }
  void f64(double v) { fixed(std::bit_cast<std::uint64_t>(v), 8); }
  void bytes(const void* data, std::size_t n) { out_.append(static_cast<const char*>(data), n); }
  void text(std::string_view s) {
    u64(s.size());
    bytes(s.data(), s.size());
  }

 private:
  void fixed(std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
  }
  std::string& out_;
};

class ByteReader {
 public:
  // `what` names the bytes in messages ("partial state").
  ByteReader(std::string_view bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}

  std::uint8_t u8() { return static_cast<std::uint8_t>(fixed(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(fixed(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(fixed(4)); }
  std::uint64_t u64() { return fixed(8); }
  double f64() { return std::bit_cast<double>(fixed(8)); }
  std::span<const unsigned char> bytes(std::size_t n) {
    need(n);
    const auto* p = reinterpret_cast<const unsigned char*>(bytes_.data() + at_);
    at_ += n;
    return {p, n};
  }
  std::string text(std::size_t max_bytes) {
    const std::uint64_t n = u64();
    if (n > max_bytes) fail("a text field longer than " + std::to_string(max_bytes) + " bytes");
    const auto b = bytes(static_cast<std::size_t>(n));
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }
  // A count read from the bytes, checked before anything is allocated for it.
  std::size_t count(std::uint64_t max, std::string_view of) {
    const std::uint64_t n = u64();
    if (n > max) fail(std::string(of) + " count " + std::to_string(n) + " exceeds " + std::to_string(max));
    return static_cast<std::size_t>(n);
  }
  bool done() const { return at_ == bytes_.size(); }
  std::size_t offset() const { return at_; }

  [[noreturn]] void fail(const std::string& why) const {
    throw DataError(what_ + ": " + why + " (at byte " + std::to_string(at_) + ")");
  }

 private:
  void need(std::size_t n) const {
    if (bytes_.size() - at_ < n) fail("truncated");
  }
  std::uint64_t fixed(int width) {
    need(static_cast<std::size_t>(width));
    std::uint64_t v = 0;
    for (int i = 0; i < width; ++i)
      v |= std::uint64_t{static_cast<unsigned char>(bytes_[at_ + static_cast<std::size_t>(i)])} << (8 * i);
    at_ += static_cast<std::size_t>(width);
    return v;
  }
  std::string_view bytes_;
  std::string what_;
  std::size_t at_ = 0;
};

}  // namespace referee
