#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "io/sha256.hpp"

using referee::Sha256;
using referee::sha256_hex;

namespace {

// Bytes 0..250 repeating: every byte value a hash might mishandle (sign, high bit), and
// a period prime to 64 so no two blocks are alike.
std::string pattern(std::size_t length) {
  std::string s(length, '\0');
  for (std::size_t i = 0; i < length; ++i) s[i] = static_cast<char>(i % 251);
  return s;
}

std::string hash_in_pieces(const std::string& text, std::mt19937& rng, std::size_t max_piece) {
  std::uniform_int_distribution<std::size_t> piece(0, max_piece);
  Sha256 hash;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t n = std::min(piece(rng), text.size() - at);
    hash.update(text.data() + at, n);
    at += n;
  }
  return hash.hex_digest();
}

}  // namespace

// FIPS 180-4 examples (NIST CSRC "SHA256.pdf"); digests confirmed with Python's hashlib.
TEST_CASE("SHA-256 matches the NIST example vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
                   "lmnopqrsmnopqrstnopqrstu") ==
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("one million 'a' fed in 7-byte pieces") {
  // 7 is prime to 64, so pieces straddle every block boundary position.
  Sha256 hash;
  const std::string piece(7, 'a');
  for (int i = 0; i < 1000000 / 7; ++i) hash.update(piece);
  hash.update(std::string(1000000 % 7, 'a'));
  CHECK(hash.hex_digest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("lengths around the padding boundaries match hashlib") {
  // 55 is the longest message whose padding fits in one block; 56..63 need a second.
  const std::pair<std::size_t, const char*> expected[] = {
      {1, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"},
      {55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"},
      {56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"},
      {57, "2fe741af801cc238602ac0ec6a7b0c3a8a87c7fc7d7f02a3fe03d1c12eac4d8f"},
      {63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"},
      {64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"},
      {65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"},
      {119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"},
      {120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"},
      {128, "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5"},
  };
  for (const auto& [length, digest] : expected) {
    CAPTURE(length);
    CHECK(sha256_hex(pattern(length)) == digest);
  }
}

TEST_CASE("chunked updates equal a single update") {
  std::mt19937 rng(20240611);
  const std::string text = pattern(300);
  std::uniform_int_distribution<std::size_t> near_boundary(0, 9);
  for (int trial = 0; trial < 400; ++trial) {
    // Half the lengths sit within a few bytes of 55/56/63/64 (or a block later), where
    // the padding spills into an extra block; the rest are anywhere up to 300.
    std::size_t length = rng() % 301;
    if (trial % 2 == 0) {
      const std::size_t bases[] = {50, 59, 114, 123};
      length = bases[trial / 2 % 4] + near_boundary(rng);
    }
    const std::string message = text.substr(0, length);
    CAPTURE(length);
    CHECK(hash_in_pieces(message, rng, 1 + trial % 70) == sha256_hex(message));
  }
}

TEST_CASE("empty updates change nothing, and finish returns the raw digest") {
  Sha256 hash;
  hash.update("", 0);
  hash.update("ab");
  hash.update(std::string_view());
  hash.update("c");
  const auto digest = hash.finish();
  CHECK(digest[0] == 0xba);
  CHECK(digest[31] == 0xad);
}
