// Multiclass columns: which probability column is which class, in which order, and each
// row's label as a class index.

#include "data/class_columns.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include <referee/error.hpp>

#include "common/quoted.hpp"
#include "io/csv_reader.hpp"

namespace referee {

namespace {

std::optional<long long> integer_name(const std::string& name) {
  long long v = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
  if (ec != std::errc() || end != name.data() + name.size() || name.empty()) return std::nullopt;
  return v;
}

bool starts_with(const std::string& name, const std::string& prefix) {
  return !prefix.empty() && name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0;
}

// The suffixes of the available columns that start with the prefix and not with the other
// model's longer prefix ("p_" and "p_new_"), in class order.
std::vector<std::string> suffixes(const std::string& prefix, const std::string& other,
                                  std::span<const std::string> available) {
  const bool shadowed = other.size() > prefix.size() && starts_with(other, prefix);
  std::vector<std::string> out;
  for (const std::string& name : available)
    if (starts_with(name, prefix) && !(shadowed && starts_with(name, other))) out.push_back(name.substr(prefix.size()));
  return ordered_classes(std::move(out));
}

const char* model_name(std::size_t m) { return m == 0 ? "champion" : "challenger"; }

// Listed classes take scikit-learn's class order too (their columns with them), so that
// an argmax tie goes to the class numpy's argmax over predict_proba would pick.
void sort_classes(ColumnNames& c) {
  const std::vector<std::string> sorted = ordered_classes(c.classes);
  for (ClassColumns& columns : c.class_columns) {
    std::vector<std::string> reordered;
    for (const std::string& k : sorted) {
      const auto at = std::find(c.classes.begin(), c.classes.end(), k) - c.classes.begin();
      reordered.push_back(columns.columns[static_cast<std::size_t>(at)]);
    }
    columns.columns = std::move(reordered);
  }
  c.classes = sorted;
}

}  // namespace

std::vector<std::string> ordered_classes(std::vector<std::string> classes) {
  const bool numeric = std::all_of(classes.begin(), classes.end(), [](const std::string& c) {
    return integer_name(c).has_value();
  });
  std::sort(classes.begin(), classes.end(), [&](const std::string& a, const std::string& b) {
    return numeric ? *integer_name(a) < *integer_name(b) : a < b;
  });
  return classes;
}

ColumnNames resolve_class_columns(ColumnNames c, std::span<const std::string> available, const std::string& origin) {
  if (!c.multiclass()) return c;
  const bool listed = !c.classes.empty();
  for (std::size_t m = 0; m < 2; ++m) {
    ClassColumns& columns = c.class_columns[m];
    if (columns.prefix.empty()) continue;
    if (!listed) {
      std::vector<std::string> found = suffixes(columns.prefix, c.class_columns[1 - m].prefix, available);
      if (found.size() < 2)
        throw DataError(origin + ": " + std::to_string(found.size()) + " column(s) start with the " + model_name(m) +
                        "'s prefix " + quoted_excerpt(columns.prefix) + " ($.columns." + model_name(m) +
                        ".prefix); a multiclass model needs one probability column per class, at least 2");
      if (!c.classes.empty() && found != c.classes)
        throw DataError(origin + ": the champion's and the challenger's prefixes name different classes (" +
                        std::to_string(c.classes.size()) + " and " + std::to_string(found.size()) + " columns)");
      c.classes = std::move(found);
    }
  }
  for (ClassColumns& columns : c.class_columns)
    if (!columns.prefix.empty()) {
      columns.columns.clear();
      for (const std::string& k : c.classes) columns.columns.push_back(columns.prefix + k);
    }
  sort_classes(c);
  // Both models must name the same classes: each list column must exist among `available`
  // when the door gave names, which a prefix of the other model may not guarantee.
  for (std::size_t m = 0; m < 2 && !available.empty(); ++m)
    for (const std::string& name : c.class_columns[m].columns)
      if (std::find(available.begin(), available.end(), name) == available.end())
        throw DataError(origin + ": no column " + quoted_excerpt(name) + " for the " + model_name(m) +
                        "'s class probabilities (the classes: " + std::to_string(c.classes.size()) +
                        ", from $.columns.classes or the other model's prefix)");
  return c;
}

std::vector<double> class_labels(std::span<const std::uint32_t> codes, std::span<const std::string> dictionary,
                                 std::span<const std::string> classes, const std::string& origin,
                                 const std::string& column) {
  constexpr double kNoClass = -1.0;
  std::vector<double> index_of(dictionary.size(), kNoClass);
  for (std::size_t d = 0; d < dictionary.size(); ++d)
    for (std::size_t k = 0; k < classes.size() && index_of[d] == kNoClass; ++k) {
      if (dictionary[d] == classes[k]) index_of[d] = static_cast<double>(k);
      const std::optional<double> a = cell_number(dictionary[d]), b = cell_number(classes[k]);
      if (a && b && *a == *b) index_of[d] = static_cast<double>(k);
    }
  std::vector<double> out(codes.size());
  for (std::size_t r = 0; r < codes.size(); ++r) {
    out[r] = index_of[codes[r]];
    if (out[r] == kNoClass)
      throw DataError(origin + ": row " + std::to_string(r + 1) + ", column " + quoted_excerpt(column) +
                      ": the label is " + (dictionary[codes[r]].empty() ? "missing" : "not one of the " +
                      std::to_string(classes.size()) + " classes") + " (the probability columns' classes)");
  }
  return out;
}

}  // namespace referee
