// libFuzzer harness: the cell parser, cell_number_status() (io/csv_reader.hpp), which reads
// every numeric CSV cell, every Python string cell and every drift feature value.
//
// Invariants, against the C library's strtod as an outside oracle:
//   - a cell is ok exactly when, blanks trimmed and one leading '+' allowed, it is a
//     decimal number ([-]digits[.digits][e[+-]digits]) whose value is finite;
//   - an ok value is strtod's, bit for bit, except that an underflow reads as a zero of
//     the same sign (strtod may return a subnormal and ERANGE);
//   - a decimal number that is not ok overflows (strtod returns HUGE_VAL and ERANGE);
//   - cell_number() agrees with cell_number_status().
// Nothing here throws; any exception is a bug.

#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_invariants.hpp"
#include "io/csv_reader.hpp"

namespace {

using referee::NumberStatus;
using referee::fuzz::require;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::size_t digits(std::string_view s, std::size_t i) {
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i;
}

// The grammar a numeric cell is held to, written out independently of the parser.
bool is_decimal(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  const std::size_t whole_end = digits(s, i);
  bool any = whole_end > i;
  i = whole_end;
  if (i < s.size() && s[i] == '.') {
    const std::size_t frac_end = digits(s, i + 1);
    any = any || frac_end > i + 1;
    i = frac_end;
  }
  if (!any) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < s.size() && (s[j] == '-' || s[j] == '+')) ++j;
    const std::size_t exp_end = digits(s, j);
    if (exp_end == j) return false;
    i = exp_end;
  }
  return i == s.size();
}

struct Oracle {
  double value;
  bool range_error;
};

Oracle strtod_of(std::string_view s) {
  const std::string text(s);
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  require(end == text.c_str() + text.size(), "strtod reads all of a decimal number", text);
  return {v, errno == ERANGE};
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::setlocale(LC_ALL, "C");  // strtod's decimal point
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  double value = 0.0;
  NumberStatus status = NumberStatus::missing;
  referee::fuzz::only_referee_errors({}, [&] { status = referee::cell_number_status(text, value); });
  const std::optional<double> number = referee::cell_number(text);
  require(number.has_value() == (status == NumberStatus::ok), "cell_number agrees with cell_number_status");
  if (number) require(same_bits(*number, value), "cell_number agrees with cell_number_status");

  const std::string_view cell = trim(text);
  const bool decimal = is_decimal(cell) && !(cell.size() > 1 && cell[0] == '+' && cell[1] == '+');
  require((status == NumberStatus::missing) == cell.empty(), "missing means blank", text);
  if (!decimal) {
    // from_chars also reads "inf" and "nan", which are numbers but not finite.
    require(status != NumberStatus::ok, "only a decimal number is ok", text);
    return 0;
  }
  require(status == NumberStatus::ok || status == NumberStatus::not_finite, "a decimal number is a number", text);
  const Oracle o = strtod_of(cell);
  if (status == NumberStatus::not_finite) {
    require(o.range_error && std::isinf(o.value), "a decimal number is not finite only when it overflows", text);
    return 0;
  }
  require(std::isfinite(value), "an ok value is finite", text);
  // glibc reports ERANGE for a result that is tiny before rounding, even one that rounds
  // up to the smallest normal double (2.2250738585072012e-308).
  if (o.range_error && std::fabs(o.value) <= 2.2250738585072014e-308) {
    const bool zero = value == 0.0 && std::signbit(value) == std::signbit(o.value);
    require(zero || same_bits(value, o.value), "an underflow reads as strtod's subnormal or a signed zero", text);
  } else {
    require(!o.range_error, "an ok value does not overflow", text);
    require(same_bits(value, o.value), "an ok value is strtod's, bit for bit", text);
  }
  return 0;
}
