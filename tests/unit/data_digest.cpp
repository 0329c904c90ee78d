// The rows digest ($.data.sha256) against its documented encoding, "referee rows v1" (and
// "referee unit rows v1" with a cluster key)
// (docs/audit.md): the expected bytes are written out here by hand, byte by byte, from the
// document, and hashed with SHA-256; the digest must not depend on how a door encoded a
// column, and must change with any cell or with the row order.

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <referee/error.hpp>
#include <referee/table.hpp>

#include "digest_bytes.hpp"
#include "io/sha256.hpp"

using namespace referee;

namespace {

// The documented encoding, written independently of src/data/data_digest.cpp.
struct Expected : referee_test::DigestBytes {
  void numbers(const std::string& name, const std::vector<double>& values) {
    text(name);
    bytes.push_back('n');
    for (double v : values) number(v);
  }
  void texts(const std::string& name, const std::vector<std::string>& values) {
    text(name);
    bytes.push_back('t');
    for (const auto& v : values) text(v);
  }
};

const std::vector<double> kY{0, 1, 1, 0}, kA{0.1, 0.8, 0.6, 0.3}, kB{0.2, 0.9, 0.4, 0.35};
const std::vector<std::string> kRegion{"north", "south", "north", ""};

ColumnNames names(bool with_region) {
  ColumnNames c;
  c.label = "y";
  c.champion = "a";
  c.challenger = "b";
  if (with_region) c.categorical = {"region"};
  return c;
}

// A table through the one assembler, the region column given with these codes and dictionary.
Table built(const std::vector<std::uint32_t>& codes, const std::vector<std::string>& dictionary,
            std::vector<double> a = kA) {
  TableBuilder builder(kY.size());
  builder.add_numeric("y", kY);
  builder.add_numeric("a", std::move(a));
  builder.add_numeric("b", kB);
  builder.add_text("region", codes, dictionary);
  return std::move(builder).build(names(true), Task::binary);
}

}  // namespace

TEST_CASE("the rows digest is SHA-256 of the documented encoding") {
  Expected e;
  e.text("referee rows v1");
  e.u64(4);  // rows
  e.u64(4);  // columns: y, a, b, region
  e.numbers("y", kY);
  e.numbers("a", kA);
  e.numbers("b", kB);
  e.texts("region", kRegion);
  CHECK(data_digest(built({0, 1, 0, 2}, {"north", "south", ""})) == sha256_hex(e.bytes));
}

TEST_CASE("the rows digest does not depend on how a door encoded a text column") {
  const std::string first_seen = data_digest(built({0, 1, 0, 2}, {"north", "south", ""}));
  CHECK(data_digest(built({1, 2, 1, 0}, {"", "north", "south"})) == first_seen);
  CHECK(data_digest(built({2, 0, 2, 3}, {"south", "unused", "north", ""})) == first_seen);  // as a category would
}

TEST_CASE("the rows digest changes with any cell and with the row order") {
  const std::string digest = data_digest(built({0, 1, 0, 2}, {"north", "south", ""}));
  CHECK(data_digest(built({0, 1, 0, 2}, {"north", "south", ""}, {0.1, 0.8, 0.6, 0.31})) != digest);
  CHECK(data_digest(built({0, 1, 1, 2}, {"north", "south", ""})) != digest);
  CHECK(data_digest(built({0, 1, 0, 2}, {"north", "south", ""}, {0.1, 0.6, 0.8, 0.3})) != digest);
}

TEST_CASE("a cluster key keys the rows by unit, its text hashed, and a NUL inside a value is not a separator") {
  ColumnNames c = names(false);
  c.cluster = "k";
  const auto digest_of = [&](const std::vector<std::string>& keys) {
    return data_digest(owned_table(kY, kA, kB, {}, keys, c));
  };
  // "referee unit rows v1": four rows make one bucket (0); the rows go by (hash_key of
  // their cluster, values), so c1's two rows by their label, 0 before 1.
  const std::vector<std::string> keys{"c1", "c2", "c1", "c3"};
  std::vector<std::size_t> order{0, 2, 1, 3};
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return hash_key(keys[x]) < hash_key(keys[y]); });
  referee_test::DigestBytes rows;
  for (std::size_t r : order) {
    for (double v : {kY[r], kA[r], kB[r]}) rows.number(v);
    rows.text(keys[r]);
  }
  Sha256 bucket;
  bucket.update(rows.bytes);
  const std::array<std::uint8_t, 32> bucket_hash = bucket.finish();
  Expected e;
  e.text("referee unit rows v1");
  e.u64(4);
  e.u64(4);  // y, a, b, k
  for (const char* name : {"y", "a", "b"}) {
    e.text(name);
    e.bytes.push_back('n');
  }
  e.text("k");
  e.bytes.push_back('t');
  e.u64(0);
  e.u64(4);
  e.bytes.append(bucket_hash.begin(), bucket_hash.end());
  CHECK(digest_of(keys) == sha256_hex(e.bytes));
  using namespace std::string_literals;
  CHECK(digest_of({"a\0b"s, "c"s, "d"s, "e"s}) != digest_of({"a"s, "b\0c"s, "d"s, "e"s}));
}

TEST_CASE("a table without a column the policy reads has no rows digest") {
  const Table t = owned_table(kY, kA, kB, {}, {}, names(true));  // no region attached
  CHECK_THROWS_AS(data_digest(t), DataError);
}
