// Row ids ($.columns.id): a row's key is its id, so the same rows in any order give the
// same report (outside run) and the same rows digest; ids are unique and given; numeric ids
// are their integer's digits. The keyed digest is checked against its documented encoding
// ("referee keyed rows v1", docs/audit.md), written out here byte by byte.

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <referee/error.hpp>
#include <referee/evaluate.hpp>
#include <referee/policy.hpp>
#include <referee/render.hpp>
#include <referee/table.hpp>

#include "digest_bytes.hpp"
#include "io/sha256.hpp"
#include "test_support.hpp"

using namespace referee;
using referee_test::check_error;

namespace {

struct Sample {
  std::vector<double> y, a, b, w;
  std::vector<std::string> id, cluster;
};

// Binary (y in {0, 1}, scores in (0, 1)) or regression (any real y and predictions),
// with unrounded scores, so that any order-dependent sum would show in the last bits.
Sample simulate(std::size_t n, Task task, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int> pick(0, 99);
  Sample s;
  for (std::size_t i = 0; i < n; ++i) {
    const double y = task == Task::binary ? (pick(rng) < 40 ? 1.0 : 0.0) : 3.0 + normal(rng);
    const double na = normal(rng), nb = normal(rng);
    s.y.push_back(y);
    if (task == Task::binary) {
      s.a.push_back(1.0 / (1.0 + std::exp(-(na + y - 0.5))));
      s.b.push_back(1.0 / (1.0 + std::exp(-(nb + 1.5 * y - 0.75))));
    } else {
      s.a.push_back(y + 0.7 * na);
      s.b.push_back(y + 0.6 * nb);
    }
    s.w.push_back(1.0 + pick(rng) % 3);
    s.id.push_back("txn-" + std::to_string(1000 + 7 * i));
    s.cluster.push_back("c" + std::to_string(pick(rng) % 23));
  }
  return s;
}

// The sample's rows in the given order, through the one table builder (as every door).
Table table_of(const Sample& s, const std::vector<std::size_t>& rows, const ColumnNames& names, Task task) {
  std::vector<double> y, a, b, w;
  std::vector<std::string> id, cluster;
  for (std::size_t r : rows) {
    y.push_back(s.y[r]);
    a.push_back(s.a[r]);
    b.push_back(s.b[r]);
    w.push_back(s.w[r]);
    id.push_back(s.id[r]);
    cluster.push_back(s.cluster[r]);
  }
  TableBuilder builder(rows.size());
  builder.add_numeric("y", std::move(y));
  builder.add_numeric("a", std::move(a));
  builder.add_numeric("b", std::move(b));
  builder.add_numeric("w", std::move(w));
  EncodedText ids = encode_text(id), clusters = encode_text(cluster);
  builder.add_text("txn", std::move(ids.codes), std::move(ids.dictionary));
  builder.add_text("cust", std::move(clusters.codes), std::move(clusters.dictionary));
  return std::move(builder).build(names, task);
}

Policy policy_for(Task task, bool id, bool cluster) {
  const std::string rules =
      task == Task::binary
          ? R"({"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.05},
               {"id": "ap", "metric": "average_precision", "subject": "challenger", "min": 0.1},
               {"id": "ll", "metric": "log_loss", "subject": "delta", "max": 0.5},
               {"id": "br", "metric": "brier", "subject": "challenger", "max": 0.5})"
          : R"({"id": "mae", "metric": "mae", "subject": "delta", "max": 0.5},
               {"id": "rmse", "metric": "rmse", "subject": "challenger", "max": 5})";
  return parse_policy_text(std::string(R"({"version": 1, "task": ")") + std::string(task_name(task)) +
                           R"(", "columns": {"label": "y", "champion": "a", "challenger": "b", "weight": "w")" +
                           (id ? R"(, "id": "txn")" : "") + (cluster ? R"(, "cluster": "cust")" : "") + R"(},
    "bootstrap": {"resamples": 200, "interval": "bca", "seed": 9},
    "rules": [)" + rules + "]}");
}

std::string outside_run(const Evaluation& ev) {
  nlohmann::ordered_json j = report_json(ev);
  j.erase("run");
  return j.dump();
}

std::vector<std::size_t> identity(std::size_t n) {
  std::vector<std::size_t> rows(n);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return rows;
}

std::vector<std::size_t> shuffled(std::size_t n, std::uint64_t seed) {
  std::vector<std::size_t> rows = identity(n);
  std::mt19937_64 rng(seed);
  std::shuffle(rows.begin(), rows.end(), rng);
  return rows;
}

// The report of the sample's rows in order and in two shuffled orders.
std::array<std::string, 3> reports(Task task, bool id, bool cluster, std::size_t n) {
  const Sample s = simulate(n, task, 17);
  const Policy p = policy_for(task, id, cluster);
  std::array<std::string, 3> out;
  const std::array<std::vector<std::size_t>, 3> orders{identity(n), shuffled(n, 1), shuffled(n, 2)};
  for (std::size_t i = 0; i < 3; ++i)
    out[i] = outside_run(evaluate(table_of(s, orders[i], p.columns, task), p, {.threads = 2}));
  return out;
}

}  // namespace

TEST_CASE("row ids: a keyed table in any row order gives the same report outside run") {
  for (Task task : {Task::binary, Task::regression}) {
    for (bool cluster : {false, true}) {
      CAPTURE(task_name(task));
      CAPTURE(cluster);
      const auto r = reports(task, true, cluster, 3000);
      CHECK(r[0] == r[1]);
      CHECK(r[0] == r[2]);
      CHECK(r[0].find(R"("sha256_of":"rows_by_id")") != std::string::npos);
    }
  }
}

TEST_CASE("row ids: without an id (and without clusters) row order changes the weights") {
  // The converse, so that the test above could fail: rows keyed by position.
  const auto r = reports(Task::binary, false, false, 3000);
  CHECK(r[0] != r[1]);
  CHECK(r[0].find(R"("sha256_of":"rows")") != std::string::npos);
}

TEST_CASE("row ids: each row is a unit keyed by hash_key(id); a cluster stays the unit") {
  const Sample s = simulate(50, Task::binary, 3);
  const Policy by_id = policy_for(Task::binary, true, false);
  const Table t = table_of(s, identity(50), by_id.columns, Task::binary);
  CHECK(t.keyed());
  CHECK_FALSE(t.clustered());
  CHECK(t.unit_count == 50);
  for (std::size_t r = 0; r < 50; ++r) CHECK(t.unit_key[r] == hash_key(s.id[r]));
  // unit_index is the key's rank.
  for (std::size_t r = 0; r < 50; ++r) {
    const auto smaller = std::count_if(t.unit_key.begin(), t.unit_key.end(), [&](auto k) { return k < t.unit_key[r]; });
    CHECK(t.unit_index[r] == static_cast<std::uint32_t>(smaller));
  }
  const Evaluation ev = evaluate(t, by_id, {.threads = 1});
  CHECK(ev.units == 50);
  CHECK_FALSE(ev.clustered);

  const Policy both = policy_for(Task::binary, true, true);
  const Table c = table_of(s, identity(50), both.columns, Task::binary);
  CHECK(c.clustered());
  CHECK(c.unit_count < 50);
  for (std::size_t r = 0; r < 50; ++r) CHECK(c.unit_key[r] == hash_key(s.cluster[r]));
  for (std::size_t r = 0; r < 50; ++r) CHECK(c.row_id(r) == s.id[r]);
}

TEST_CASE("row ids: duplicate and missing ids are refused by row, never by value") {
  const Policy p = policy_for(Task::binary, true, false);
  const auto build = [&](std::vector<std::string> ids, bool split_dictionary) {
    const std::size_t n = ids.size();
    TableBuilder builder(n);
    builder.add_numeric("y", std::vector<double>{0, 1, 0, 1, 1, 0});
    builder.add_numeric("a", std::vector<double>{0.1, 0.8, 0.3, 0.6, 0.9, 0.2});
    builder.add_numeric("b", std::vector<double>{0.2, 0.7, 0.4, 0.5, 0.8, 0.1});
    builder.add_numeric("w", std::vector<double>(n, 1.0));
    EncodedText e = encode_text(ids);
    if (split_dictionary) {  // a door's dictionary may hold one text twice, under two codes
      e.dictionary.push_back(ids[4]);
      e.codes[4] = static_cast<std::uint32_t>(e.dictionary.size() - 1);
    }
    builder.add_text("txn", std::move(e.codes), std::move(e.dictionary));
    return std::move(builder).build(p.columns, Task::binary);
  };
  check_error<DataError>([&] { build({"k1", "secret-7", "k3", "k4", "secret-7", "k6"}, false); },
                         {"rows 2 and 5", "\"txn\"", "same id"});
  check_error<DataError>([&] { build({"k1", "k2", "k3", "k4", "k2", "k6"}, true); }, {"rows 2 and 5"});
  check_error<DataError>([&] { build({"k1", "k2", "", "k4", "k5", "k6"}, false); },
                         {"row 3", "\"txn\"", "missing"});
  try {
    build({"k1", "secret-7", "k3", "k4", "secret-7", "k6"}, false);
  } catch (const DataError& e) {
    CHECK(std::string(e.what()).find("secret-7") == std::string::npos);
  }
  CHECK(build({"k1", "k2", "k3", "k4", "k5", "k6"}, false).id_index.size() == 6);
}

TEST_CASE("row ids: a numeric id is its integer's digits; a fraction or NaN is refused") {
  const std::vector<double> whole{42.0, -7.0, -0.0, 9007199254740993.0, 1e18};
  const EncodedText e = numeric_row_ids(whole, "memory", "txn");
  std::vector<std::string> texts;
  for (std::uint32_t c : e.codes) texts.push_back(e.dictionary[c]);
  CHECK(texts == std::vector<std::string>{"42", "-7", "0", "9007199254740992", "1000000000000000000"});
  const std::vector<std::int64_t> integers{42, -7, 9007199254740993};
  const EncodedText i = numeric_row_ids(integers);
  CHECK(i.dictionary == std::vector<std::string>{"42", "-7", "9007199254740993"});
  // Repeated ids code as encode_text codes their digits: first-seen order.
  std::vector<std::int64_t> repeated;
  std::vector<std::string> digits;
  for (std::int64_t r = 0; r < 5000; ++r) {
    repeated.push_back((r * 7919) % 1733 - 800);
    digits.push_back(std::to_string(repeated.back()));
  }
  const EncodedText fast = numeric_row_ids(repeated), slow = encode_text(digits);
  CHECK(fast.codes == slow.codes);
  CHECK(fast.dictionary == slow.dictionary);
  check_error<DataError>([] { numeric_row_ids(std::vector<double>{1.0, 2.5}, "memory", "txn"); },
                         {"row 2", "\"txn\"", "whole number"});
  check_error<DataError>([] { numeric_row_ids(std::vector<double>{std::nan(""), 2.0}, "memory", "txn"); },
                         {"row 1", "missing"});
  check_error<DataError>([] { numeric_row_ids(std::vector<double>{1e19}, "memory", "txn"); }, {"row 1"});
  check_error<DataError>(
      [] { numeric_row_ids(std::vector<double>{std::numeric_limits<double>::infinity()}, "memory", "txn"); },
      {"row 1"});
}

TEST_CASE("row ids: the policy reads $.columns.id as a role column") {
  const auto policy = [](const std::string& columns) {
    return parse_policy_text(R"({"version": 1, "task": "binary", "columns": {"label": "y", "champion": "a",
      "challenger": "b", )" + columns + R"(}, "rules": [{"id": "r", "metric": "roc_auc", "subject": "challenger",
      "min": 0.5}]})");
  };
  CHECK(policy(R"("id": "txn")").columns.id == "txn");
  CHECK(policy(R"("cluster": "c")").columns.id.empty());
  check_error<PolicyError>([&] { policy(R"("id": "")"); }, {"$.columns.id", "must not be empty"});
  check_error<PolicyError>([&] { policy(R"("cluster": "c", "id": "c")"); }, {"$.columns.id", "cluster column"});
  check_error<PolicyError>([&] { policy(R"("id": "y")"); }, {"$.columns.id", "label column"});
  check_error<PolicyError>([&] { policy(R"("ids": "txn")"); }, {"$.columns.ids", "did you mean \"id\""});
  check_error<PolicyError>([&] { policy(R"("id": 7)"); }, {"$.columns.id"});
  const auto requests = requested_columns(policy(R"("id": "txn", "cluster": "c")").columns);
  REQUIRE(requests.size() == 5);
  CHECK((requests[4].name == "txn" && requests[4].kind == ColumnKind::text && requests[4].role == ColumnRole::id));
}

namespace {

// "referee keyed rows v1" as docs/audit.md writes it, independently of data_digest.cpp.
using KeyedExpected = referee_test::DigestBytes;

std::string hex(const std::array<std::uint8_t, 32>& d) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : d) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

std::array<std::uint8_t, 32> sha256_of(const std::string& bytes) {
  Sha256 h;
  h.update(bytes);
  return h.finish();
}

// y, a, b, w (numbers), then the cluster and the id (text), as requested_columns orders them.
std::string expected_keyed_digest(const Sample& s) {
  const std::size_t n = s.id.size();
  // bits = clamp(bit_width(rows) - 11, 0, 24); a row's bucket is its unit key's top bits:
  // the sample is clustered, so the cluster's key.
  const int bits = std::clamp(static_cast<int>(std::bit_width(n)) - 11, 0, 24);
  KeyedExpected out;
  out.text("referee keyed rows v1");
  out.u64(n);
  out.u64(6);
  for (const char* name : {"y", "a", "b", "w"}) {
    out.text(name);
    out.bytes.push_back('n');
  }
  for (const char* name : {"cust", "txn"}) {
    out.text(name);
    out.bytes.push_back('t');
  }
  const auto bucket_of = [&](std::size_t r) { return bits == 0 ? 0 : hash_key(s.cluster[r]) >> (64 - bits); };
  std::vector<std::size_t> order = identity(n);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (bucket_of(a) != bucket_of(b)) return bucket_of(a) < bucket_of(b);
    const std::uint64_t ka = hash_key(s.id[a]), kb = hash_key(s.id[b]);
    return ka != kb ? ka < kb : s.id[a] < s.id[b];
  });
  for (std::size_t begin = 0, end = 0; begin < n; begin = end) {
    KeyedExpected rows;
    for (end = begin; end < n && bucket_of(order[end]) == bucket_of(order[begin]); ++end) {
      const std::size_t r = order[end];
      rows.text(s.id[r]);
      for (double v : {s.y[r], s.a[r], s.b[r], s.w[r]}) rows.number(v);
      rows.text(s.cluster[r]);
      rows.text(s.id[r]);
    }
    out.u64(bucket_of(order[begin]));
    out.u64(end - begin);
    const auto d = sha256_of(rows.bytes);
    out.bytes.append(reinterpret_cast<const char*>(d.data()), d.size());
  }
  return hex(sha256_of(out.bytes));
}

}  // namespace

TEST_CASE("row ids: the keyed rows digest is the documented encoding, whatever the row order") {
  const Policy p = policy_for(Task::binary, true, true);
  for (std::size_t n : {std::size_t{40}, std::size_t{5000}}) {  // one bucket; four buckets
    CAPTURE(n);
    const Sample s = simulate(n, Task::binary, 5);
    const Table t = table_of(s, identity(n), p.columns, Task::binary);
    CHECK(data_digest_kind(t) == "rows_by_id");
    CHECK(data_digest(t) == expected_keyed_digest(s));
    CHECK(data_digest(table_of(s, shuffled(n, 8), p.columns, Task::binary)) == data_digest(t));
  }
  // Any cell changes it.
  Sample s = simulate(40, Task::binary, 5);
  const std::string before = data_digest(table_of(s, identity(40), p.columns, Task::binary));
  s.a[7] = std::nextafter(s.a[7], 1.0);
  CHECK(data_digest(table_of(s, identity(40), p.columns, Task::binary)) != before);
  s = simulate(40, Task::binary, 5);
  s.id[3] = "another";
  CHECK(data_digest(table_of(s, identity(40), p.columns, Task::binary)) != before);
}
