#include <doctest/doctest.h>

#include <string>

#include <referee/sha256.hpp>

using referee::Sha256;
using referee::sha256_hex;

// FIPS 180-4 / NIST CAVP example vectors.
TEST_CASE("SHA-256 matches the NIST vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 million;
  const std::string piece(7, 'a');  // uneven pieces exercise the block buffer
  for (int i = 0; i < 1000000 / 7; ++i) million.update(piece);
  million.update(std::string(1000000 % 7, 'a'));
  CHECK(million.hex_digest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("chunked updates equal one update across the padding boundaries") {
  std::string text;
  for (int i = 0; i < 200; ++i) text += static_cast<char>('a' + i % 26);
  for (std::size_t length : {55u, 56u, 57u, 63u, 64u, 65u, 119u, 120u, 128u, 200u}) {
    const std::string prefix = text.substr(0, length);
    for (std::size_t split = 0; split <= length; split += 13) {
      Sha256 h;
      h.update(prefix.substr(0, split));
      h.update(prefix.substr(split));
      CHECK(h.hex_digest() == sha256_hex(prefix));
    }
  }
}
