#pragma once
// The evaluation table: label, both models' scores, an optional sample weight and an
// optional cluster key. Columns are borrowed spans, so a caller's buffers (numpy, C API)
// are used in place; a table read from CSV owns its buffers and lends spans to itself.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <referee/limits.hpp>
#include <referee/vocabulary.hpp>

namespace referee {

// A per-model pair of columns (latency, cost, error); "" = not given for that model.
struct ModelColumnNames {
  std::string champion, challenger;
  bool empty() const { return champion.empty() && challenger.empty(); }
  const std::string& operator[](std::size_t model) const { return model == 0 ? champion : challenger; }
};

// The label value that is the positive class (scikit-learn's pos_label), as the policy
// wrote it: a string matches a cell's text exactly; a number matches a cell that reads as
// that number ("1", "1.0"); a boolean matches true/True/TRUE/1 (or false/False/FALSE/0).
struct LabelValue {
  enum class Kind { text, number, boolean };
  Kind kind = Kind::text;
  std::string text;     // kind text
  double number = 0.0;  // kind number; kind boolean: 1 for true, 0 for false

  bool matches(std::string_view cell) const;
  // As the policy wrote it, for messages: "benign", 2, true.
  std::string spelling() const;
};

// Multiclass: one model's probability columns, one per class. The policy gives either a
// prefix (each column named prefix + class; the classes are the suffixes) or the columns in
// the order of $.columns.classes. resolve_class_columns() turns a prefix into the list.
struct ClassColumns {
  std::string prefix;
  std::vector<std::string> columns;
  bool empty() const { return prefix.empty() && columns.empty(); }
};

// A model's n x K class probabilities, borrowed: row r, class k is
// values[r * row_stride + k * class_stride]. A numpy predict_proba array (C or Fortran
// order) or a C array is read in place; separate columns are gathered into one block.
struct ScoreBlock {
  std::span<const double> values;
  std::size_t classes = 0, row_stride = 0, class_stride = 0;
  double at(std::size_t row, std::size_t k) const { return values[row * row_stride + k * class_stride]; }
  bool empty() const { return classes == 0; }
  // Whether the block holds `rows` rows of its classes: a block handed over by a door
  // cannot point past its buffer.
  bool covers(std::size_t rows) const {
    return classes > 0 && (rows == 0 || (rows - 1) * row_stride + (classes - 1) * class_stride < values.size());
  }
};

// Which input column plays which role. weight, cluster and id are optional ("" = none).
// `id` names each row (unique, read as text): the row's key, so that the resampling
// weights and the rows digest do not depend on row order (docs/policy.md, $.columns.id).
// `categorical` lists the segment and sensitive-attribute columns to load, each once;
// `drift` the features compared with a reference sample (read as text, then typed).
// Binary only: `scores` says what the score columns hold, and `positive_label`, when set,
// makes the label column text, mapped to 1 (that value) and 0 (the one other value).
struct ColumnNames {
  std::string label, champion, challenger, weight, cluster;
  std::string id{};
  std::vector<std::string> categorical;
  ModelColumnNames latency, cost, error;
  std::vector<std::string> drift;
  ScoreKind scores = ScoreKind::probability;
  std::optional<LabelValue> positive_label;
  // Multiclass only: each model's probability columns ([champion, challenger]) and the
  // classes, in class order (numeric when every name reads as an integer, else by UTF-8
  // bytes: scikit-learn's np.unique order). `champion`/`challenger` then hold the prefix
  // or the first column, for messages.
  std::array<ClassColumns, 2> class_columns{};
  std::vector<std::string> classes;
  bool multiclass() const { return !class_columns[0].empty(); }
  // Ranking only: each row's query id, read as text (the resampling unit, docs/ranking.md).
  std::string query{};
};

// Multiclass: a prefix names every available column that starts with it, one class per
// suffix, put in class order (ColumnNames::classes); both models must name the same
// classes. A list is checked against the classes. `available` are the door's column names
// (a CSV header, a DataFrame's columns); `origin` names the data in messages. Returns the
// columns unchanged for other tasks.
ColumnNames resolve_class_columns(ColumnNames columns, std::span<const std::string> available,
                                  const std::string& origin);

// The role columns alone (label, champion, challenger, an optional weight), every other
// field its default: built field by field, so that adding a field to ColumnNames changes
// no caller (aggregate initializers would each need it).
inline ColumnNames role_columns(std::string label, std::string champion, std::string challenger,
                                std::string weight = "") {
  ColumnNames c;
  c.label = std::move(label);
  c.champion = std::move(champion);
  c.challenger = std::move(challenger);
  c.weight = std::move(weight);
  return c;
}

// A column read as text, dictionary-encoded in first-seen order ("" = a missing cell).
struct TextColumn {
  std::string name;
  std::vector<std::uint32_t> codes;
  std::vector<std::string> dictionary;
};

// A categorical column (a segment or a sensitive attribute), dictionary-encoded. Values
// are sorted by their UTF-8 bytes and only observed values are kept, so a group's index
// depends on the data's values, not on row order or on how the caller encoded them.
struct CategoricalColumn {
  std::string name;
  std::vector<std::uint32_t> codes;  // per row, an index into values
  std::vector<std::string> values;
};

// Where the data came from, for the report's data section. `sha256` is the rows digest
// (data_digest): the same for the same rows whatever the door (CSV, DataFrame, Arrow, C).
// A file's own bytes are hashed too, as a second field: `sha256sum` gives it.
struct DataSource {
  std::string origin;          // a file path, or "memory"
  std::string sha256;          // the rows digest (data_digest), set by evaluate()
  std::string hashed = "rows";  // what `sha256` is of: "rows", "rows_by_id" or "rows_by_unit" (docs/audit.md)
  std::string file_sha256;     // of the file's bytes; empty for data handed over in memory
};

class Table {
 public:
  Table() = default;
  Table(Table&&) = default;
  Table& operator=(Table&&) = default;
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  std::size_t rows = 0;
  std::span<const double> label, champion, challenger, weight;
  ColumnNames columns;
  // Multiclass: `label` holds each row's class index (into columns.classes), and these
  // each model's K probabilities; champion/challenger are empty.
  std::array<ScoreBlock, 2> class_scores{};
  DataSource source;

  // The resampling units, keyed: clusters, the ranking task's queries, or the rows by
  // their ids. Empty when rows are resampled one by one, keyed by their position.
  std::vector<std::uint64_t> unit_key;
  std::vector<std::uint32_t> unit_index;
  std::size_t unit_count = 0;
  // The units are the rows themselves, keyed by their ids ($.columns.id without a cluster
  // or query column): keyed, yet not clustered.
  bool units_are_rows = false;

  // Each row has a key that does not depend on its position.
  bool keyed() const { return !unit_key.empty(); }
  // A unit groups rows (a cluster, a query).
  bool clustered() const { return keyed() && !units_are_rows; }
  // Each cluster's or query's key text, by unit index: the rows digest hashes a row's key
  // as text (rows keyed by their ids leave it empty: the ids are below).
  std::vector<std::string> unit_text;

  // Each row's id ($.columns.id), unique: row r's is id_text[id_index[r]]. Empty without an
  // id column. With ids the rows digest is "referee keyed rows v1", free of row order.
  std::vector<std::uint32_t> id_index;
  std::vector<std::string> id_text;
  bool has_row_ids() const { return !id_index.empty(); }
  const std::string& row_id(std::size_t row) const { return id_text[id_index[row]]; }

  // Ranking: each row's query, an index into query_text (the query ids sorted by their
  // UTF-8 bytes); empty for the other tasks. Without a cluster column the queries are
  // also the resampling units; with one, every query lies within one cluster.
  std::vector<std::uint32_t> query_index;
  std::vector<std::string> query_text;

  std::vector<CategoricalColumn> categorical;
  const CategoricalColumn* find_categorical(std::string_view name) const;

  // Serving figures per model, [champion, challenger]; empty spans = not given.
  std::array<std::span<const double>, 2> latency, cost, error;
  struct ServingColumn {
    std::span<const double> values;
    const std::string* name;
  };
  // (latency, cost, error) x (champion, challenger), given or not, with their column names.
  std::array<ServingColumn, 6> serving_columns() const {
    return {{{latency[0], &columns.latency[0]}, {cost[0], &columns.cost[0]}, {error[0], &columns.error[0]},
             {latency[1], &columns.latency[1]}, {cost[1], &columns.cost[1]}, {error[1], &columns.error[1]}}};
  }
  // Drift features, as read; typed (numeric or categorical) by the drift check.
  std::vector<TextColumn> drift;
  const TextColumn* find_drift(std::string_view name) const;

  // Owned storage behind the spans (a CSV read); moves keep the spans valid.
  std::vector<std::vector<double>> storage;
};

// Sets the cluster structure from dictionary-encoded keys: a unit's key is a 64-bit hash
// of its text, so the resampling weights depend on the key, not on where it appears.
void set_clusters(Table& table, std::span<const std::uint32_t> codes,
                  std::span<const std::string> dictionary);

// Sets the row ids from dictionary-encoded text ($.columns.id): each row's id must be
// given and unique (a DataError names the column and the two rows, never the value).
// Without a cluster or query column the rows become the units, keyed by hash_key(id).
void set_row_ids(Table& table, std::vector<std::uint32_t> codes, std::vector<std::string> dictionary);

// Text values dictionary-encoded in first-seen order (codes index dictionary).
struct EncodedText {
  std::vector<std::uint32_t> codes;
  std::vector<std::string> dictionary;
};
EncodedText encode_text(std::span<const std::string> values);

// A numeric row id as text, once for every door: an integral value is its decimal digits
// ("42", as a CSV would hold it); a NaN is missing, and a fractional or out-of-range value
// is refused (an id is a name, not a measurement). The DataError names the column and the
// 1-based row. Returns the ids dictionary-encoded in first-seen order.
EncodedText numeric_row_ids(std::span<const double> values, const std::string& origin, const std::string& column);
// Integers (numpy int64, a C int64 column) are their decimal digits, exactly.
EncodedText numeric_row_ids(std::span<const std::int64_t> values);

// Adds a categorical column from codes into a caller's dictionary (codes must index it).
void add_categorical(Table& table, std::string name, std::span<const std::uint32_t> codes,
                     std::span<const std::string> dictionary);

// The rows digest the report records ($.data.sha256, "rows"): SHA-256 of the columns the
// policy reads (requested_columns, in that order), each by its name and its values as the
// table holds them, in an endian-defined encoding (src/data/data_digest.cpp, docs/audit.md):
// numbers as little-endian IEEE-754 doubles, text as length-prefixed UTF-8. So it is the same
// for the same rows whatever the door and however the door encoded a column (dictionary
// codes, first-seen order, integers the core reads as doubles). Row order is part of it.
// A text label mapped by positive_label is hashed as the 0/1 the table holds. Throws
// DataError when the table lacks a column the policy reads. A table with row ids
// ($.columns.id) is hashed as "referee keyed rows v1" instead: rows in the order of their
// ids' keys, grouped by canonical bucket, so that row order is not part of it; a table
// keyed by clusters (or the ranking task's queries) without ids as "referee unit rows v1":
// rows by unit key and then by their values, so neither is row order.
std::string data_digest(const Table& table);
// What data_digest hashed ($.data.sha256_of): "rows", "rows_by_id" for a table with row
// ids, or "rows_by_unit" for a table keyed by clusters or queries without ids.
std::string_view data_digest_kind(const Table& table);

// Checks the values against the task: finite numbers; binary labels in {0, 1} and scores
// in [0, 1]; weights finite and >= 0 with a positive total; latencies and costs >= 0;
// errors in {0, 1}. Messages name the origin, column and 1-based row.
void validate_table(const Table& table, Task task);

// A table that owns copies of the given columns (tests, small in-memory data). The caller
// validates it against its task with validate_table().
Table owned_table(std::vector<double> label, std::vector<double> champion,
                  std::vector<double> challenger, std::vector<double> weight = {},
                  const std::vector<std::string>& cluster = {},
                  ColumnNames columns = role_columns("label", "champion", "challenger"));

// A table over the caller's buffers, copying nothing: they must outlive the table. The
// cluster column, if any, comes dictionary-encoded (codes index `dictionary`). Not
// validated: see validate_table().
Table borrowed_table(std::span<const double> label, std::span<const double> champion,
                     std::span<const double> challenger, std::span<const double> weight,
                     std::span<const std::uint32_t> cluster_codes,
                     std::span<const std::string> cluster_dictionary, ColumnNames columns);

// What a policy reads from a table, each column once, in a fixed order (numeric columns,
// then text): label, champion, challenger, weight, the serving columns; then the cluster
// key, the row id, the ranking task's query, the segment and sensitive columns, the drift features. Every door asks for exactly
// these, in the kind given, so the CSV reader, the C API, Python and policy cases read the
// same columns the same way.
enum class ColumnKind { numeric, text };
enum class ColumnRole { label, champion, challenger, weight, serving, cluster, group, drift_feature, query, id };
struct ColumnRequest {
  std::string name;
  ColumnKind kind = ColumnKind::numeric;
  ColumnRole role = ColumnRole::label;
};
std::vector<ColumnRequest> requested_columns(const ColumnNames& columns);

// The one table assembler. A door adds the requested columns by name (numeric ones as
// doubles, borrowed or owned; text ones dictionary-encoded) and build() binds them to the
// policy's roles and validates the table (validate_table), so a table is checked (and
// later hashed, data_digest) the same way whatever its origin.
class TableBuilder {
 public:
  explicit TableBuilder(std::size_t rows, std::string origin = "memory");

  // A numeric column over the caller's buffer, which must outlive the table ...
  void add_numeric(std::string name, std::span<const double> values);
  // ... or one the table owns.
  void add_numeric(std::string name, std::vector<double> values);
  // Multiclass: a model's (0 champion, 1 challenger) K probabilities in one block, over
  // the caller's buffer, in the order of the resolved columns' classes. It stands for the
  // model's class columns, which the door then need not add one by one.
  void add_class_scores(std::size_t model, ScoreBlock block);
  // A text column: codes index dictionary (checked by build()).
  void add_text(std::string name, std::vector<std::uint32_t> codes, std::vector<std::string> dictionary);
  // A table read from a file: its path, and the digest of its bytes ($.data.file_sha256).
  void set_file_source(std::string path, std::string sha256);

  // Throws DataError naming the origin and column when a requested column is missing, of
  // the wrong kind or of the wrong length, and whatever validate_table() finds.
  Table build(const ColumnNames& columns, Task task) &&;

 private:
  struct Column {
    std::string name;
    ColumnKind kind = ColumnKind::numeric;
    std::span<const double> numbers;
    std::vector<std::uint32_t> codes;
    std::vector<std::string> dictionary;
  };
  const Column& find(const std::string& name, ColumnKind kind) const;
  Column& find(const std::string& name, ColumnKind kind);
  ScoreBlock class_block(std::size_t model, const ColumnNames& columns);
  Column& added(std::string name, ColumnKind kind, std::size_t length);

  std::size_t rows_;
  std::string origin_;
  std::string file_sha256_;
  std::vector<Column> columns_;
  std::vector<std::vector<double>> storage_;
  std::array<ScoreBlock, 2> class_scores_{};
};

// Reads and validates a CSV evaluation table. The file must be a regular file; fields and
// records are read under limits.max_field_bytes and limits.max_record_bytes.
Table read_table_csv(const std::filesystem::path& path, const ColumnNames& columns, Task task,
                     const Limits& limits = {});

// Latency measured apart from the evaluation table (a load test): two independent samples.
struct LatencySamples {
  std::array<std::vector<double>, 2> ms;  // [champion, challenger]
  std::string origin;                     // file path, or "memory"
  std::string sha256;                     // of the file's bytes (empty for memory)
};

// Reads a CSV with the columns model (champion | challenger) and latency_ms, as
// read_table_csv reads (a regular file, under the same limits).
LatencySamples read_latency_csv(const std::filesystem::path& path, const Limits& limits = {});
// Checks every latency is finite and >= 0 and both models have samples; messages name the
// origin, model and 1-based position.
void validate_latency_samples(const LatencySamples& samples);

// The drift reference: the sample the model was validated on, read apart from the
// evaluation table (as LatencySamples are), so that evaluate() reads no file. One column per
// drift feature of the policy, as the drift check compares them.
struct DriftReference {
  struct Scores {
    std::string name;
    std::vector<double> values;
  };
  std::vector<TextColumn> features;  // the features, read as text ("" = a missing cell)
  std::vector<Scores> scores;        // the score columns, when $.drift.predictions is true
  std::string origin;                // the file's path
  std::string sha256;                // of the file's bytes
  std::size_t rows = 0;              // data rows

  const TextColumn* find_feature(std::string_view name) const;
  const Scores* find_scores(std::string_view name) const;
};

struct Policy;

// Reads the policy's drift reference: `override` when given, else $.drift.reference, which
// is resolved against policy.base_directory when relative. The policy must enable drift.
// The file is read as read_table_csv reads (a regular file, under the same limits).
DriftReference read_drift_reference(const Policy& policy,
                                    std::optional<std::filesystem::path> override = std::nullopt,
                                    const Limits& limits = {});

std::uint64_t hash_key(std::string_view text);

}  // namespace referee
