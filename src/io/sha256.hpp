#pragma once
// SHA-256 (FIPS 180-4), incremental, so the CSV reader can hash a file's bytes while
// it streams them: the report's data.sha256 ties a verdict to the exact input.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace referee {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  // Finishes the digest; the object must not be updated afterwards.
  std::array<std::uint8_t, 32> finish();
  // Finishes and returns the lowercase hex digest (64 characters).
  std::string hex_digest();

 private:
  void compress(const std::uint8_t* block);
  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_;
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::string_view bytes);

}  // namespace referee
