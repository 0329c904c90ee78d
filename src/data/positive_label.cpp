#include "data/positive_label.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include <referee/error.hpp>

#include "common/quoted.hpp"
#include "io/csv_reader.hpp"

namespace referee {

bool LabelValue::matches(std::string_view cell) const {
  switch (kind) {
    case Kind::text:
      return cell == text;
    case Kind::number: {
      const std::optional<double> v = cell_number(cell);
      return v && *v == number;
    }
    case Kind::boolean: {
      // The spellings of a boolean that CSV writers use: pandas and numpy print True,
      // Spark and JSON true, spreadsheets TRUE; and the digit, as a bool column cast to int.
      static constexpr std::array<std::string_view, 4> yes{"true", "True", "TRUE", "1"};
      static constexpr std::array<std::string_view, 4> no{"false", "False", "FALSE", "0"};
      const auto& words = number != 0.0 ? yes : no;
      return std::find(words.begin(), words.end(), cell) != words.end();
    }
  }
  return false;
}

std::string LabelValue::spelling() const {
  switch (kind) {
    case Kind::text:
      return quoted_excerpt(text);
    case Kind::number: {
      char buffer[32];
      const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, number);
      return std::string(buffer, end);
    }
    case Kind::boolean:
      return number != 0.0 ? "true" : "false";
  }
  return {};
}

namespace {

// Two spellings of the negative class are one value when the policy's label is a number
// ("0" and "0.0"); otherwise the text must be the same.
bool same_value(const LabelValue& positive, const std::string& a, const std::string& b) {
  if (a == b) return true;
  if (positive.kind != LabelValue::Kind::number) return false;
  const std::optional<double> x = cell_number(a), y = cell_number(b);
  return x && y && *x == *y;
}

std::string row_of(const std::string& origin, const std::string& column, std::size_t row) {
  return origin + ": row " + std::to_string(row + 1) + ", column " + quoted_excerpt(column) + ": ";
}

}  // namespace

std::vector<double> binary_labels(std::span<const std::uint32_t> codes, std::span<const std::string> dictionary,
                                  const LabelValue& positive, const std::string& origin, const std::string& column) {
  // Per dictionary entry: 1 (positive), 0 (the negative value), or not yet seen.
  std::vector<signed char> class_of(dictionary.size(), -1);
  std::optional<std::uint32_t> negative;
  bool any_positive = false;
  std::vector<double> out(codes.size());
  for (std::size_t r = 0; r < codes.size(); ++r) {
    const std::uint32_t code = codes[r];
    if (code >= dictionary.size())
      throw DataError(row_of(origin, column, r) + "code " + std::to_string(code) + " is outside the dictionary");
    if (class_of[code] < 0) {
      if (dictionary[code].empty()) throw DataError(row_of(origin, column, r) + "the label is missing");
      if (positive.matches(dictionary[code])) {
        class_of[code] = 1;
      } else if (!negative || same_value(positive, dictionary[*negative], dictionary[code])) {
        negative = code;
        class_of[code] = 0;
      } else {
        throw DataError(row_of(origin, column, r) + "a third label value: the binary task's labels are the "
                        "positive label " + positive.spelling() + " ($.columns.positive_label) and one other value");
      }
    }
    out[r] = class_of[code];
    any_positive = any_positive || class_of[code] == 1;
  }
  if (!any_positive && !codes.empty())
    throw DataError(origin + ": column " + quoted_excerpt(column) + ": no row holds the positive label " +
                    positive.spelling() + " ($.columns.positive_label)");
  return out;
}

}  // namespace referee
