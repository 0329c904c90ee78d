#include <referee/table.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

#include "common/quoted.hpp"

#include "data/column_checks.hpp"
#include "data/row_units.hpp"
#include "io/csv_reader.hpp"
#include "tasks/task_definition.hpp"
#include "io/utf8.hpp"
#include <referee/error.hpp>

namespace referee {

// FNV-1a, then the splitmix64 finaliser so that similar keys ("C001", "C002") spread
// over all 64 bits before they feed the Philox counter.
std::uint64_t hash_key(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 0x100000001b3ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

void set_units(Table& table, const std::string& column, std::span<const std::uint32_t> codes,
               std::span<const std::string> dictionary) {
  std::vector<std::uint64_t> code_key(dictionary.size());
  for (std::size_t i = 0; i < dictionary.size(); ++i) code_key[i] = hash_key(dictionary[i]);

  std::vector<std::uint64_t> sorted_keys = code_key;
  std::sort(sorted_keys.begin(), sorted_keys.end());
  if (std::adjacent_find(sorted_keys.begin(), sorted_keys.end()) != sorted_keys.end())
    throw DataError(table.source.origin + ": two distinct values of column " + quoted_excerpt(column) +
                    " hash to the same 64-bit key; rename one");

  // A unit's index is its key's rank, which does not depend on row order.
  std::vector<std::uint32_t> code_unit(dictionary.size());
  for (std::size_t i = 0; i < dictionary.size(); ++i)
    code_unit[i] = static_cast<std::uint32_t>(
        std::lower_bound(sorted_keys.begin(), sorted_keys.end(), code_key[i]) - sorted_keys.begin());

  table.unit_key.resize(codes.size());
  table.unit_index.resize(codes.size());
  for (std::size_t r = 0; r < codes.size(); ++r) {
    table.unit_key[r] = code_key[codes[r]];
    table.unit_index[r] = code_unit[codes[r]];
  }
  table.unit_count = dictionary.size();
  table.unit_text.assign(dictionary.size(), std::string());
  for (std::size_t i = 0; i < dictionary.size(); ++i) table.unit_text[code_unit[i]] = dictionary[i];
}

void set_clusters(Table& table, std::span<const std::uint32_t> codes, std::span<const std::string> dictionary) {
  set_units(table, table.columns.cluster, codes, dictionary);
}

const CategoricalColumn* Table::find_categorical(std::string_view name) const {
  for (const auto& c : categorical)
    if (c.name == name) return &c;
  return nullptr;
}

const TextColumn* Table::find_drift(std::string_view name) const {
  for (const auto& c : drift)
    if (c.name == name) return &c;
  return nullptr;
}

void add_categorical(Table& table, std::string name, std::span<const std::uint32_t> codes,
                     std::span<const std::string> dictionary) {
  require_rows(table.source.origin, name, codes.size(), table.rows);
  std::vector<bool> used(dictionary.size(), false);
  for (std::size_t r = 0; r < codes.size(); ++r) {
    if (codes[r] >= dictionary.size())
      throw DataError(table.source.origin + ": row " + std::to_string(r + 1) + ", column " + quoted_excerpt(name) +
                      ": code " + std::to_string(codes[r]) + " is outside the dictionary");
    used[codes[r]] = true;
  }
  CategoricalColumn column;
  column.name = std::move(name);
  for (std::size_t i = 0; i < dictionary.size(); ++i)
    if (used[i]) column.values.push_back(dictionary[i]);
  std::sort(column.values.begin(), column.values.end());
  if (std::adjacent_find(column.values.begin(), column.values.end()) != column.values.end())
    throw DataError(table.source.origin + ": column " + quoted_excerpt(column.name) +
                    ": the dictionary holds the same value twice");
  std::vector<std::uint32_t> remap(dictionary.size(), 0);
  for (std::size_t i = 0; i < dictionary.size(); ++i)
    if (used[i])
      remap[i] = static_cast<std::uint32_t>(
          std::lower_bound(column.values.begin(), column.values.end(), dictionary[i]) - column.values.begin());
  column.codes.resize(codes.size());
  for (std::size_t r = 0; r < codes.size(); ++r) column.codes[r] = remap[codes[r]];
  table.categorical.push_back(std::move(column));
}

namespace {

// A dictionary-encoded text column: one code per row, each inside the dictionary, and
// every value well-formed UTF-8 (it reaches the report, JSON and Python strings). The
// message names the first row holding a bad value, never the value itself.
void check_text_column(const Table& t, const std::string& name, std::span<const std::uint32_t> codes,
                       std::span<const std::string> dictionary) {
  require_rows(t.source.origin, name, codes.size(), t.rows);
  std::vector<char> checked(dictionary.size(), 0);
  for (std::size_t r = 0; r < codes.size(); ++r) {
    const std::uint32_t code = codes[r];
    if (code >= dictionary.size())
      throw DataError(where(t, name, r) + "code " + std::to_string(code) + " is outside the dictionary");
    if (checked[code]) continue;
    if (!valid_utf8(dictionary[code])) throw DataError(where(t, name, r) + "the value is not valid UTF-8");
    checked[code] = 1;
  }
}

// A multiclass model's block holds K probabilities for every row: a hand-built table
// cannot point past its data.
void check_class_blocks(const Table& t) {
  for (std::size_t m = 0; m < 2; ++m) {
    const ScoreBlock& s = t.class_scores[m];
    const std::string& name = m == 0 ? t.columns.champion : t.columns.challenger;
    if (s.classes != t.columns.classes.size())
      throw DataError(t.source.origin + ": " + quoted_excerpt(name) + " has " + std::to_string(s.classes) +
                      " probability columns for " + std::to_string(t.columns.classes.size()) + " classes");
    if (!s.covers(t.rows))
      throw DataError(t.source.origin + ": the probabilities of " + quoted_excerpt(name) + " do not cover every row");
  }
}

// The core columns span every row: a hand-built table cannot point past its data.
// An unlabelled task (outcome) has no label column; a labelled one must have one.
void check_core_lengths(const Table& t, bool labelled) {
  const ColumnNames& n = t.columns;
  const std::array<std::pair<std::span<const double>, const std::string*>, 3> core{
      {{t.label, &n.label}, {t.champion, &n.champion}, {t.challenger, &n.challenger}}};
  for (const auto& [values, name] : core) {
    if (name != &n.label && n.multiclass()) continue;  // the class blocks: check_class_blocks
    if (labelled || name != &n.label || !values.empty()) require_rows(t.source.origin, *name, values.size(), t.rows);
  }
  if (n.multiclass()) check_class_blocks(t);
  if (!t.weight.empty()) require_rows(t.source.origin, n.weight, t.weight.size(), t.rows);
  if (t.has_row_ids()) {
    require_rows(t.source.origin, n.id, t.id_index.size(), t.rows);
    for (std::size_t r = 0; r < t.rows; ++r)
      if (t.id_index[r] >= t.id_text.size()) throw DataError(where(t, n.id, r) + "the id is outside the dictionary");
  }
  if (!t.keyed()) return;
  const std::string& units = !n.cluster.empty() ? n.cluster : !n.query.empty() ? n.query : n.id;
  if (t.unit_key.size() != t.rows || t.unit_index.size() != t.rows)
    throw DataError(t.source.origin + ": column " + quoted_excerpt(units) + " does not cover every row");
  for (std::size_t r = 0; r < t.rows; ++r)
    if (t.unit_index[r] >= t.unit_count)
      throw DataError(where(t, units, r) + "unit " + std::to_string(t.unit_index[r]) +
                      " is outside the unit count");
}

}  // namespace

void validate_table(const Table& t, Task task) {
  if (t.rows == 0) throw DataError(t.source.origin + ": the table has no data rows");
  check_core_lengths(t, task_definition(task).labelled);
  for (const CategoricalColumn& c : t.categorical) check_text_column(t, c.name, c.codes, c.values);
  constexpr double inf = std::numeric_limits<double>::infinity();
  const ColumnNames& n = t.columns;
  task_definition(task).validate(t);
  if (!t.weight.empty()) {
    check_column(t, t.weight, n.weight, 0.0, inf, "[0, inf) (weights cannot be negative)");
    double total = 0.0;
    for (double w : t.weight) total += w;
    if (!(total > 0.0))
      throw DataError(t.source.origin + ": column " + quoted_excerpt(n.weight) + ": the weights sum to zero");
  }
  // Tables built in memory (Python, C) attach these columns after the core ones.
  for (const auto& [values, name] : t.serving_columns())
    if (!values.empty()) require_rows(t.source.origin, *name, values.size(), t.rows);
  for (const TextColumn& f : t.drift) check_text_column(t, f.name, f.codes, f.dictionary);
  for (std::size_t m = 0; m < 2; ++m) {
    if (!t.latency[m].empty())
      check_column(t, t.latency[m], n.latency[m], 0.0, inf, "[0, inf) (a latency is milliseconds >= 0)");
    if (!t.cost[m].empty()) check_column(t, t.cost[m], n.cost[m], 0.0, inf, "[0, inf) (a cost cannot be negative)");
    if (!t.error[m].empty())
      for (std::size_t r = 0; r < t.rows; ++r)
        if (t.error[m][r] != 0.0 && t.error[m][r] != 1.0)
          throw DataError(where(t, n.error[m], r) + "the error flag is not 0 or 1 (1 = the prediction failed)");
  }
}

Table borrowed_table(std::span<const double> label, std::span<const double> champion,
                     std::span<const double> challenger, std::span<const double> weight,
                     std::span<const std::uint32_t> cluster_codes,
                     std::span<const std::string> cluster_dictionary, ColumnNames columns) {
  Table t;
  t.rows = champion.size();
  if (champion.size() != t.rows || challenger.size() != t.rows ||
      (!weight.empty() && weight.size() != t.rows) ||
      (!cluster_codes.empty() && cluster_codes.size() != t.rows))
    throw DataError("memory: the columns have different lengths");
  for (std::size_t r = 0; r < cluster_codes.size(); ++r)
    if (cluster_codes[r] >= cluster_dictionary.size())
      throw DataError("memory: row " + std::to_string(r + 1) + ", column " + quoted_excerpt(columns.cluster) +
                      ": code " + std::to_string(cluster_codes[r]) + " is outside the dictionary");
  if (!weight.empty() && columns.weight.empty()) columns.weight = "weight";
  if (!cluster_codes.empty() && columns.cluster.empty()) columns.cluster = "cluster";
  t.columns = std::move(columns);
  t.label = label;
  t.champion = champion;
  t.challenger = challenger;
  t.weight = weight;
  t.source.origin = "memory";
  if (!cluster_codes.empty()) set_clusters(t, cluster_codes, cluster_dictionary);
  return t;
}

EncodedText encode_text(std::span<const std::string> values) {
  EncodedText out;
  out.codes.resize(values.size());
  std::unordered_map<std::string, std::uint32_t> seen;
  for (std::size_t r = 0; r < values.size(); ++r) {
    const auto [it, inserted] = seen.emplace(values[r], static_cast<std::uint32_t>(out.dictionary.size()));
    if (inserted) out.dictionary.push_back(values[r]);
    out.codes[r] = it->second;
  }
  return out;
}

Table owned_table(std::vector<double> label, std::vector<double> champion,
                  std::vector<double> challenger, std::vector<double> weight,
                  const std::vector<std::string>& cluster, ColumnNames columns) {
  const EncodedText clusters = encode_text(cluster);
  std::vector<std::vector<double>> storage{std::move(label), std::move(champion),
                                           std::move(challenger), std::move(weight)};
  Table t = borrowed_table(storage[0], storage[1], storage[2], storage[3], clusters.codes, clusters.dictionary,
                           std::move(columns));
  t.storage = std::move(storage);  // moving the vectors keeps their buffers, so the spans hold
  return t;
}

Table read_table_csv(const std::filesystem::path& path, const ColumnNames& columns, Task task,
                     const Limits& limits) {
  // Multiclass probability columns named by a prefix are known once the header is read.
  ColumnNames resolved = columns;
  const auto requests_for = [&](std::span<const std::string> header) {
    resolved = resolve_class_columns(columns, header, path.string());
    std::vector<CsvColumnRequest> requests;
    for (const ColumnRequest& w : requested_columns(resolved))
      requests.push_back({w.name, w.kind == ColumnKind::numeric ? CsvColumnKind::numeric : CsvColumnKind::text,
                          w.role == ColumnRole::drift_feature});
    return requests;
  };
  CsvTable csv = read_csv(path, {}, limits, requests_for);
  TableBuilder builder(csv.rows);
  builder.set_file_source(path.string(), csv.sha256);
  for (CsvColumn& c : csv.columns) {
    if (c.kind == CsvColumnKind::numeric)
      builder.add_numeric(std::move(c.name), std::move(c.numbers));
    else
      builder.add_text(std::move(c.name), std::move(c.codes), std::move(c.dictionary));
  }
  return std::move(builder).build(resolved, task);
}

}  // namespace referee
