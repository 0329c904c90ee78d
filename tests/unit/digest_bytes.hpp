#pragma once
// The rows digests' byte encoding as docs/audit.md writes it (little-endian u64, S(text),
// IEEE-754 doubles), written independently of src/data/data_digest.cpp, for the tests
// that rebuild a digest's input by hand.

#include <cstdint>
#include <cstring>
#include <string>

namespace referee_test {

struct DigestBytes {
  std::string bytes;
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void text(const std::string& s) {
    u64(s.size());
    bytes += s;
  }
  void number(double d) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &d, sizeof bits);
    u64(bits);
  }
};

}  // namespace referee_test
