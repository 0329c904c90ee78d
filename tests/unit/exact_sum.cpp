// ExactSum against outside oracles: Boost.Multiprecision's cpp_int holds each sum exactly
// (every finite double is an integer times 2^-1074), and the definition of round to
// nearest, ties to even, is checked against that integer directly; Python's math.fsum
// (correctly rounded) gives a second oracle through tests/fixtures/exact_sum_cases.json.

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <boost/multiprecision/cpp_int.hpp>

#include "accumulate/exact_sum.hpp"
#include "test_support.hpp"

using boost::multiprecision::cpp_int;
using referee::ExactSum;

namespace {

using Bytes = std::array<unsigned char, ExactSum::kBytes>;

// x * 2^1074 as an integer, through frexp (not ExactSum's bit decomposition).
cpp_int scaled(double x) {
  int e = 0;
  const double f = std::frexp(x, &e);  // x = f * 2^e, |f| in [0.5, 1)
  cpp_int n = static_cast<std::int64_t>(std::ldexp(f, 53));
  const int shift = e - 53 + 1074;
  return shift >= 0 ? cpp_int(n << shift) : cpp_int(n / (cpp_int(1) << -shift));
}

cpp_int exact(const std::vector<double>& terms) {
  cpp_int n = 0;
  for (double t : terms) n += scaled(t);
  return n;
}

// Whether r is the exact sum n * 2^-1074 rounded to nearest, ties to even (+0.0 for 0).
bool correctly_rounded(const cpp_int& n, double r) {
  if (n == 0) return r == 0.0 && !std::signbit(r);
  if ((n < 0) != std::signbit(r)) return false;
  const cpp_int m = n < 0 ? cpp_int(-n) : n;
  const double a = std::abs(r);
  // Past DBL_MAX the next value up is 2^1024, which rounds to +inf.
  const cpp_int two_1024 = cpp_int(1) << (1024 + 1074);
  const cpp_int here = std::isinf(a) ? two_1024 : scaled(a);
  const cpp_int up = std::isinf(a) ? two_1024 : a == DBL_MAX ? two_1024 : scaled(std::nextafter(a, INFINITY));
  const cpp_int down = a == 0.0 ? cpp_int(0) : scaled(std::nextafter(a, 0.0));
  if (std::isinf(a)) {
    // Inf iff m >= DBL_MAX + half its ulp (the tie goes to 2^1024's even significand).
    return m >= (scaled(DBL_MAX) + two_1024) / 2;
  }
  const cpp_int d = abs(m - here), d_up = abs(up - m), d_down = abs(m - down);
  if (d > d_up || d > d_down) return false;
  const bool tie = d == d_up || d == d_down;
  return !tie || d == 0 || (std::bit_cast<std::uint64_t>(a) & 1) == 0;
}

double sum_of(const std::vector<double>& terms, ExactSum* out = nullptr) {
  ExactSum s;
  for (double t : terms) s.add(t);
  if (out) *out = s;
  return s.value();
}

Bytes bytes_of(const ExactSum& s) {
  Bytes b{};
  s.write(b.data());
  return b;
}

double random_double(std::mt19937_64& rng, int lo_exp, int hi_exp) {
  std::uniform_int_distribution<int> exponent(lo_exp, hi_exp);
  const auto significand = static_cast<double>((rng() >> 11) | (std::uint64_t{1} << 52));
  const double x = std::ldexp(significand, exponent(rng) - 52);  // subnormal below -1022
  return rng() & 1 ? -x : x;
}

void check(const std::vector<double>& terms) {
  const double r = sum_of(terms);
  const cpp_int n = exact(terms);
  INFO("terms " << terms.size() << ", value " << r);
  CHECK(correctly_rounded(n, r));
}

}  // namespace

TEST_CASE("exact sum: known values, cancellation, ties to even, overflow") {
  const double ulp1 = std::ldexp(1.0, -52), tiny = std::numeric_limits<double>::denorm_min();
  CHECK(ExactSum().is_zero());
  CHECK(std::bit_cast<std::uint64_t>(ExactSum().value()) == 0);  // +0.0
  CHECK(sum_of({1e300, 1.0, -1e300}) == 1.0);
  CHECK(sum_of({1e308, 1e308, -1e308, -1e308, 1e-320}) == 1e-320);
  CHECK(std::bit_cast<std::uint64_t>(sum_of({-0.0, -0.0})) == 0);
  CHECK(std::bit_cast<std::uint64_t>(sum_of({-2.5, 2.5})) == 0);
  CHECK(sum_of({1.0, ulp1 / 2}) == 1.0);                          // tie: 1 is even
  CHECK(sum_of({1.0, 3 * ulp1 / 2}) == 1.0 + 2 * ulp1);           // tie: 1 + 2 ulp is even
  CHECK(sum_of({1.0, ulp1 / 2, tiny}) == 1.0 + ulp1);             // sticky bit 1073 below
  CHECK(sum_of({-1.0, -ulp1 / 2, -tiny}) == -(1.0 + ulp1));
  CHECK(sum_of({1.0, ulp1 / 2, -tiny}) == 1.0);
  CHECK(sum_of({tiny, tiny, tiny}) == 3 * tiny);
  CHECK(sum_of({DBL_MIN, -tiny}) == std::nextafter(DBL_MIN, 0.0));
  CHECK(sum_of({DBL_MAX, DBL_MAX}) == INFINITY);
  CHECK(sum_of({-DBL_MAX, -DBL_MAX}) == -INFINITY);
  CHECK(sum_of({DBL_MAX, DBL_MAX, -DBL_MAX}) == DBL_MAX);         // exact past the range
  CHECK(sum_of({DBL_MAX, std::ldexp(1.0, 970)}) == INFINITY);     // tie: 2^1024 is even
  CHECK(sum_of({DBL_MAX, std::ldexp(1.0, 969)}) == DBL_MAX);
  CHECK(sum_of({DBL_MAX, std::ldexp(1.0, 970), -tiny}) == DBL_MAX);
}

TEST_CASE("exact sum: an overflowed fold reads as infinity, as a double sum would") {
  // An order-free pass folds doubles per bucket; a fold of extreme values can reach +-inf
  // (IEEE: 2 * DBL_MAX), and its bucket sum must then read +-inf, exactly and in any order.
  const double overflowed = DBL_MAX * 2.0;
  REQUIRE(std::isinf(overflowed));
  CHECK(sum_of({1.0, overflowed, 2.0}) == INFINITY);
  CHECK(sum_of({-1.0, -overflowed}) == -INFINITY);
  CHECK(sum_of({std::nan(""), 1.0}) == INFINITY);                  // NaN counts as +inf
  ExactSum a, b, whole;
  for (double x : {overflowed, 3.0, -5.0}) whole.add(x);
  a.add(-5.0);
  b.add(3.0);
  b.add(overflowed);
  a.add(b);
  std::array<unsigned char, ExactSum::kBytes> left{}, right{};
  a.write(left.data());
  whole.write(right.data());
  CHECK(left == right);
  CHECK(a.value() == INFINITY);
}

TEST_CASE("exact sum: random wide-exponent terms against cpp_int") {
  std::mt19937_64 rng(1);
  for (int round = 0; round < 400; ++round) {
    std::vector<double> terms;
    const int n = 1 + static_cast<int>(rng() % 60);
    const int lo = round % 2 ? -1074 : -1074 + static_cast<int>(rng() % 2000);
    const int hi = std::min(1023, lo + static_cast<int>(rng() % 200) + (round % 4 == 0 ? 2000 : 0));
    for (int i = 0; i < n; ++i) terms.push_back(random_double(rng, lo, hi));
    // Cancellation: most terms meet their negation, so the low bits decide.
    if (round % 3 == 0) {
      const std::size_t half = terms.size();
      for (std::size_t i = 0; i < half; ++i)
        if (rng() % 8) terms.push_back(-terms[i]);
      std::shuffle(terms.begin(), terms.end(), rng);
    }
    check(terms);
  }
}

TEST_CASE("exact sum: constructed ties and near-ties at every scale") {
  std::mt19937_64 rng(2);
  for (int round = 0; round < 2000; ++round) {
    const double x = random_double(rng, -1021, 1023);
    const double quarter = std::abs(x - std::nextafter(x, 0.0)) / 4;  // may be inexact: fine
    std::vector<double> terms = {x, quarter, quarter};
    if (round % 3 == 1) terms.push_back(round % 2 ? -quarter : quarter * 2);
    if (round % 5 == 0) terms.push_back(round % 2 ? std::numeric_limits<double>::denorm_min()
                                                   : -std::numeric_limits<double>::denorm_min());
    std::shuffle(terms.begin(), terms.end(), rng);
    check(terms);
  }
}

TEST_CASE("exact sum: 10^6 adds exercise the deferred carries") {
  std::mt19937_64 rng(3);
  // All-ones significands at the top of a limb: each add moves two limbs by the most it can.
  const double heavy = std::ldexp(static_cast<double>((std::uint64_t{1} << 53) - 1), 31 - 1074 - 0);
  for (double sign : {1.0, -1.0}) {
    std::vector<double> terms(1000000, sign * std::ldexp(heavy, 32 * 20));
    check(terms);
  }
  std::vector<double> mixed;
  for (int i = 0; i < 1000000; ++i)
    mixed.push_back(i % 2 ? random_double(rng, -1074, 1023) : random_double(rng, 400, 460));
  check(mixed);
  std::vector<double> positive;
  for (int i = 0; i < 1000000; ++i) positive.push_back(std::abs(random_double(rng, 900, 1000)));
  check(positive);
}

TEST_CASE("exact sum: any partition, merged in any order, gives the same bytes") {
  std::mt19937_64 rng(4);
  for (int round = 0; round < 50; ++round) {
    std::vector<double> terms;
    for (int i = 0; i < 5000; ++i) terms.push_back(random_double(rng, -1074, round % 2 ? 1023 : 10));
    ExactSum whole;
    const double v = sum_of(terms, &whole);
    const std::size_t parts = 1 + rng() % 64;
    std::vector<ExactSum> part(parts);
    for (double t : terms) part[rng() % parts].add(t);
    std::shuffle(part.begin(), part.end(), rng);
    // Merge as a random tree: repeatedly fold two random states into one.
    while (part.size() > 1) {
      const std::size_t i = rng() % part.size();
      const std::size_t j = (i + 1 + rng() % (part.size() - 1)) % part.size();
      part[i].add(part[j]);
      part.erase(part.begin() + static_cast<std::ptrdiff_t>(j));
    }
    CHECK(part[0] == whole);
    CHECK(bytes_of(part[0]) == bytes_of(whole));
    CHECK(std::bit_cast<std::uint64_t>(part[0].value()) == std::bit_cast<std::uint64_t>(v));
    CHECK(correctly_rounded(exact(terms), v));
  }
}

TEST_CASE("exact sum: repeated merges, a merge with itself, adds after a merge") {
  std::mt19937_64 rng(6);
  std::vector<double> terms;
  for (int i = 0; i < 3000; ++i) terms.push_back(random_double(rng, 1000, 1020));  // 2t stays finite
  ExactSum part;
  sum_of(terms, &part);
  const cpp_int n = exact(terms);
  // 5000 merges with no add between them: the merge's own carry budget.
  ExactSum total;
  for (int i = 0; i < 5000; ++i) total.add(part);
  CHECK(correctly_rounded(n * 5000, total.value()));
  CHECK(total.value() == (std::signbit(total.value()) ? -INFINITY : INFINITY));
  ExactSum doubled = part;
  doubled.add(doubled);  // the addend is copied before the state changes
  CHECK(correctly_rounded(n * 2, doubled.value()));
  ExactSum back = part;
  back.add(doubled);
  for (double t : terms) back.add(-t);
  for (double t : terms) back.add(-2 * t);
  CHECK(back.is_zero());
  CHECK(std::bit_cast<std::uint64_t>(back.value()) == 0);
}

TEST_CASE("exact sum: equal values give equal bytes, whatever the history") {
  ExactSum a, b, c;
  a.add(1.0);
  a.add(2.0);
  b.add(3.0);
  c.add(5.0);
  c.add(-2.0);
  CHECK(a == b);
  CHECK(bytes_of(a) == bytes_of(b));
  CHECK(bytes_of(a) == bytes_of(c));
  ExactSum zero, cancelled;
  cancelled.add(1e300);
  cancelled.add(-1e300);
  CHECK(cancelled.is_zero());
  CHECK(cancelled == zero);
  CHECK(bytes_of(cancelled) == bytes_of(zero));
  CHECK(bytes_of(zero) == Bytes{});
  ExactSum m;
  m.add(-1.0);  // N = -2^1074: two's complement, all ones above bit 1074
  const Bytes bm = bytes_of(m);
  CHECK(bm[0] == 0);
  CHECK(bm[ExactSum::kBytes - 1] == 0xff);
  CHECK(!(m == a));
}

TEST_CASE("exact sum: write/read round trip and malformed bytes") {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 200; ++round) {
    ExactSum s;
    for (int i = 0; i < 100; ++i) s.add(random_double(rng, -1074, 1023));
    const Bytes b = bytes_of(s);
    const ExactSum back = ExactSum::read(b.data());
    CHECK(back == s);
    CHECK(bytes_of(back) == b);
    CHECK(std::bit_cast<std::uint64_t>(back.value()) == std::bit_cast<std::uint64_t>(s.value()));
    // Any bytes within range are a canonical value: read then write gives them back.
    Bytes noise{};
    for (auto& byte : noise) byte = static_cast<unsigned char>(rng());
    noise[ExactSum::kBytes - 1] = static_cast<unsigned char>(rng() % 2 ? 0x3f & noise.back() : 0xc0 | noise.back());
    CHECK(bytes_of(ExactSum::read(noise.data())) == noise);
  }
  // The top limb (bytes 268..271, signed) must lie in [-2^30, 2^30): |sum| < 2^1100.
  auto with_top = [](std::uint32_t top) {
    Bytes b{};
    for (int k = 0; k < 4; ++k) b[ExactSum::kBytes - 4 + k] = static_cast<unsigned char>(top >> (8 * k));
    return b;
  };
  CHECK_NOTHROW(ExactSum::read(with_top(0x3fffffffu).data()));
  CHECK_NOTHROW(ExactSum::read(with_top(0xc0000000u).data()));
  CHECK_THROWS_AS(ExactSum::read(with_top(0x40000000u).data()), referee::DataError);
  CHECK_THROWS_AS(ExactSum::read(with_top(0xbfffffffu).data()), referee::DataError);
  CHECK_THROWS_AS(ExactSum::read(with_top(0x7fffffffu).data()), referee::DataError);
  CHECK(ExactSum::read(with_top(0x3fffffffu).data()).value() == INFINITY);
  CHECK(ExactSum::read(with_top(0xc0000000u).data()).value() == -INFINITY);
}

TEST_CASE("exact sum: Python's math.fsum, correctly rounded, agrees") {
  const nlohmann::json fixture = referee_test::load_fixture("exact_sum_cases.json");
  REQUIRE(fixture.at("cases").size() > 400);
  for (const auto& c : fixture.at("cases")) {
    std::vector<double> terms;
    for (const auto& t : c.at(1)) terms.push_back(std::strtod(t.get<std::string>().c_str(), nullptr));
    const double expected = std::strtod(c.at(0).get<std::string>().c_str(), nullptr);
    const double got = sum_of(terms);
    INFO("fsum " << c.at(0).get<std::string>() << ", terms " << terms.size());
    CHECK(std::bit_cast<std::uint64_t>(got) == std::bit_cast<std::uint64_t>(expected));
  }
}
