#include "data/grouping.hpp"
#include "tasks/task_definition.hpp"

#include <algorithm>
#include <map>

#include <referee/error.hpp>

#include "common/limit_text.hpp"
#include "common/quoted.hpp"

namespace referee {

std::vector<std::string> split_segment_spec(std::string_view spec) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t star = spec.find('*', start);
    parts.emplace_back(spec.substr(start, star == std::string_view::npos ? spec.npos : star - start));
    if (star == std::string_view::npos) break;
    start = star + 1;
  }
  return parts;
}

std::size_t Grouping::find(std::span<const std::string> wanted) const {
  const auto it = std::lower_bound(values.begin(), values.end(), wanted,
                                   [](const std::vector<std::string>& a, std::span<const std::string> b) {
                                     return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
                                   });
  if (it != values.end() && std::equal(it->begin(), it->end(), wanted.begin(), wanted.end()))
    return static_cast<std::size_t>(it - values.begin());
  return values.size();
}

std::string joined_values(std::span<const std::string> values) {
  std::string text;
  for (const auto& v : values) text += (text.empty() ? "" : "*") + v;
  return text;
}

std::string Grouping::value_text(std::size_t group) const { return joined_values(values[group]); }

namespace {

[[noreturn]] void too_many_groups(const Table& table, const Grouping& g, const Limits& limits) {
  throw DataError(table.source.origin + ": the segment " + quoted_excerpt(g.name) + " has more than " +
                  limit_text(limits, "max_segment_values") + " distinct values");
}

}  // namespace

Grouping make_grouping(const Table& table, std::string_view spec, Task task, const Limits& limits) {
  const std::uint64_t max_groups = limits.max_segment_values;
  Grouping g;
  g.name = std::string(spec);
  g.columns = split_segment_spec(spec);
  std::vector<const CategoricalColumn*> sources;
  for (const auto& name : g.columns) {
    const CategoricalColumn* c = table.find_categorical(name);
    if (!c) throw DataError(table.source.origin + ": column \"" + name + "\" (in \"" + g.name + "\") was not loaded");
    if (c->values.size() > max_groups) too_many_groups(table, g, limits);
    sources.push_back(c);
  }

  // Each column's values are already sorted, so a tuple of codes orders like the tuple
  // of values; a map from code tuples assigns each observed combination its rank.
  std::map<std::vector<std::uint32_t>, std::uint32_t> combos;
  std::vector<std::uint32_t> key(sources.size());
  for (std::size_t r = 0; r < table.rows; ++r) {
    for (std::size_t k = 0; k < sources.size(); ++k) key[k] = sources[k]->codes[r];
    combos.emplace(key, 0);
    if (combos.size() > max_groups) too_many_groups(table, g, limits);
  }
  std::uint32_t rank = 0;
  for (auto& [codes, index] : combos) {
    index = rank++;
    std::vector<std::string> values;
    for (std::size_t k = 0; k < sources.size(); ++k) values.push_back(sources[k]->values[codes[k]]);
    g.values.push_back(std::move(values));
  }
  g.group_of_row.resize(table.rows);
  g.rows.assign(g.size(), 0);
  g.positives.assign(g.size(), 0);
  const bool classes = task_definition(task).classes;
  for (std::size_t r = 0; r < table.rows; ++r) {
    std::uint32_t id;
    if (sources.size() == 1) {
      id = sources[0]->codes[r];  // single columns hold only observed values: codes are ranks
    } else {
      for (std::size_t k = 0; k < sources.size(); ++k) key[k] = sources[k]->codes[r];
      id = combos.find(key)->second;
    }
    g.group_of_row[r] = id;
    ++g.rows[id];
    if (classes && table.label[r] == 1.0) ++g.positives[id];
  }
  return g;
}

}  // namespace referee
