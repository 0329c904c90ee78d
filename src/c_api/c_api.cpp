// The C API over referee::evaluate. Each entry point runs inside guarded() (guarded.hpp),
// the one place where C++ exceptions become a status and a thread-local message. The
// partitioned protocol's entry points are in partitioned_c_api.cpp.

#include <referee/referee.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "c_api/guarded.hpp"
#include "c_api/handles.hpp"
#include "common/did_you_mean.hpp"
#include "common/quoted.hpp"
#include "io/atomic_file.hpp"
#include <referee/error.hpp>
#include <referee/evaluate.hpp>
#include <referee/limits.hpp>
#include <referee/render.hpp>

static_assert(static_cast<int>(referee::Verdict::pass) == REFEREE_PASS &&
                  static_cast<int>(referee::Verdict::warn) == REFEREE_WARN &&
                  static_cast<int>(referee::Verdict::fail) == REFEREE_FAIL &&
                  static_cast<int>(referee::Verdict::inconclusive) == REFEREE_INCONCLUSIVE,
              "referee_verdict mirrors referee::Verdict");

using namespace referee::c_api;

namespace {

// A C caller may pass any integer where an enum is declared; reading such a value as a
// C++ enum is undefined behaviour, so the enums that cross the boundary are read as bytes.
template <class Enum>
int raw_value(const Enum& value) noexcept {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized");
  int raw;
  std::memcpy(&raw, &value, sizeof raw);
  return raw;
}

std::size_t element_size(int type) {
  switch (type) {
    case REFEREE_F64:
    case REFEREE_I64:
      return 8;
    case REFEREE_F32:
    case REFEREE_I32:
      return 4;
    case REFEREE_U8:
      return 1;
  }
  throw referee::UsageError("unknown referee_type " + std::to_string(type));
}

// Everything about a new column that can be checked without reading its buffers: the
// table, the name, the length against the table's rows and the size of a buffer of
// `length` elements of `size` bytes. Every referee_table_add_* calls it before it reads
// a byte the caller passed, so a wrong length can never make it read past a buffer.
void check_new_column(const referee_table* table, const char* name, std::size_t length, std::size_t size) {
  require(table, "table");
  require(name, "name");
  if (table->csv) throw referee::UsageError("a table read from CSV cannot take more columns");
  if (length != table->rows)
    throw referee::UsageError("column " + referee::quoted_excerpt(name) + " has " + std::to_string(length) +
                              " values, the table has " + std::to_string(table->rows) + " rows");
  require_count(length, size, "the column's length");
  for (const auto& c : table->columns)
    if (c.name == name) throw referee::UsageError("column " + referee::quoted_excerpt(name) + " is added twice");
}

// The elements a block of `rows` x `classes` doubles at these strides spans (its last
// index + 1), checked to describe a buffer that can exist before a byte of it is read.
std::size_t block_extent(std::size_t rows, std::size_t classes, std::size_t row_stride, std::size_t class_stride) {
  if (row_stride == 0 || class_stride == 0)
    throw referee::UsageError("row_stride and class_stride must be 1 or more (counted in doubles, not bytes)");
  if (rows == 0) return 0;
  constexpr std::size_t most = static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(double);
  if (rows - 1 > most / row_stride || classes - 1 > most / class_stride)
    throw referee::UsageError("the probability block's rows, classes and strides reach past any buffer that can exist");
  const std::size_t last = (rows - 1) * row_stride + (classes - 1) * class_stride;  // each term <= most
  require_count(last + 1, sizeof(double), "the probability block's extent");
  return last + 1;
}

// A block's class names, copied: K of them, none NULL, empty or given twice.
std::vector<std::string> class_names_of(const char* const* names, std::size_t classes, const std::string& who) {
  std::vector<std::string> out;
  out.reserve(classes);
  for (std::size_t k = 0; k < classes; ++k) {
    require(names[k], "a class name");
    out.emplace_back(names[k]);
    if (out.back().empty()) throw referee::UsageError(who + ": class name " + std::to_string(k + 1) + " is empty");
    for (std::size_t j = 0; j < k; ++j)
      if (out[j] == out.back())
        throw referee::UsageError(who + ": class " + referee::quoted_excerpt(out[k]) + " is named twice");
  }
  return out;
}

referee_table::Column& append_column(referee_table* table, const char* name) {
  table->columns.emplace_back();
  table->columns.back().name = name;
  return table->columns.back();
}

// The columns of one evaluation: views of the caller's f64 buffers, or converted copies.
class ColumnResolver {
 public:
  explicit ColumnResolver(const referee_table& table) : table_(table) {}

  const referee_table::Column& find(const std::string& name) const {
    std::vector<std::string> names;
    for (const auto& c : table_.columns) {
      if (c.name == name) return c;
      names.push_back(c.name);
    }
    throw referee::DataError("memory: no column " + referee::quoted_excerpt(name) + " in the table" +
                             referee::did_you_mean(name, names));
  }

  // Adds a numeric column: the caller's f64 buffer in place, other types as f64 copies.
  void add_numeric(referee::TableBuilder& builder, const std::string& name) const {
    const auto& c = find(name);
    if (c.kind != referee_table::Kind::numeric)
      throw referee::DataError("memory: column " + referee::quoted_excerpt(name) + " holds strings, a number is needed");
    const std::size_t n = table_.rows;
    if (c.type == REFEREE_F64) return builder.add_numeric(name, std::span(static_cast<const double*>(c.data), n));
    std::vector<double> out(n);
    for (std::size_t r = 0; r < n; ++r) out[r] = value(c, r);
    builder.add_numeric(name, std::move(out));
  }

  // Dictionary-encodes a text-valued column (the cluster key, a segment, a sensitive
  // attribute), whatever its kind; `role` names it in messages.
  void dictionary_encode(const std::string& name, const char* role, std::vector<std::uint32_t>& codes,
                         std::vector<std::string>& dictionary) const {
    if (name.empty()) return;
    const auto& c = find(name);
    if (c.kind == referee_table::Kind::dictionary) {
      dictionary = c.dictionary;
      codes.resize(table_.rows);
      for (std::size_t r = 0; r < table_.rows; ++r) codes[r] = dictionary_code(c, r);
      return;
    }
    encode_rows(c, role, false, codes, dictionary);
  }

  // The row ids ($.columns.id): text as dictionary_encode reads it, integers as their
  // digits; a float column through the core's one rule for numeric ids.
  void row_ids(const std::string& name, std::vector<std::uint32_t>& codes, std::vector<std::string>& dictionary) const {
    const auto& c = find(name);
    if (c.kind != referee_table::Kind::numeric || (c.type != REFEREE_F64 && c.type != REFEREE_F32))
      return dictionary_encode(name, "id", codes, dictionary);
    std::vector<double> values(table_.rows);
    for (std::size_t r = 0; r < table_.rows; ++r) values[r] = value(c, r);
    referee::EncodedText ids = referee::numeric_row_ids(values, "memory", name);
    codes = std::move(ids.codes);
    dictionary = std::move(ids.dictionary);
  }

  // A drift feature as the text a CSV cell would hold, dictionary-encoded in first-seen
  // order: as above, and a float is its shortest round-trip text, NaN a missing ("") cell.
  referee::TextColumn text(const std::string& name) const {
    referee::TextColumn out;
    out.name = name;
    encode_rows(find(name), "drift feature", true, out.codes, out.dictionary);
    return out;
  }

 private:
  void encode_rows(const referee_table::Column& c, const char* role, bool floats, std::vector<std::uint32_t>& codes,
                   std::vector<std::string>& dictionary) const {
    const std::size_t n = table_.rows;
    codes.resize(n);
    std::unordered_map<std::string, std::uint32_t> seen;
    for (std::size_t r = 0; r < n; ++r) {
      std::string text = cell_text(c, r, role, floats);
      const auto [it, inserted] = seen.emplace(text, static_cast<std::uint32_t>(dictionary.size()));
      if (inserted) dictionary.push_back(std::move(text));
      codes[r] = it->second;
    }
  }

  static std::uint32_t dictionary_code(const referee_table::Column& c, std::size_t r) {
    if (c.codes[r] < 0 || static_cast<std::size_t>(c.codes[r]) >= c.dictionary.size())
      throw referee::DataError("memory: row " + std::to_string(r + 1) + ", column " + referee::quoted_excerpt(c.name) + ": code " +
                               std::to_string(c.codes[r]) + " is outside the dictionary");
    return static_cast<std::uint32_t>(c.codes[r]);
  }

  std::string cell_text(const referee_table::Column& c, std::size_t r, const char* role, bool floats) const {
    switch (c.kind) {
      case referee_table::Kind::strings:
        return std::string(c.bytes + c.offsets[r], static_cast<std::size_t>(c.offsets[r + 1] - c.offsets[r]));
      case referee_table::Kind::dictionary:
        return c.dictionary[dictionary_code(c, r)];
      case referee_table::Kind::numeric:
        break;
    }
    if (floats && c.type == REFEREE_F64) return float_text(static_cast<const double*>(c.data)[r]);
    if (floats && c.type == REFEREE_F32) return float_text(static_cast<const float*>(c.data)[r]);
    return integer_text(c, r, role);
  }

  // The shortest text that reads back as the same value (an f32 as the same float).
  template <class Float>
  static std::string float_text(Float v) {
    if (std::isnan(v)) return "";
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, end);
  }

  static double value(const referee_table::Column& c, std::size_t r) {
    switch (c.type) {
      case REFEREE_F64:
        return static_cast<const double*>(c.data)[r];
      case REFEREE_F32:
        return static_cast<const float*>(c.data)[r];
      case REFEREE_I64:
        return static_cast<double>(static_cast<const int64_t*>(c.data)[r]);
      case REFEREE_I32:
        return static_cast<const int32_t*>(c.data)[r];
      case REFEREE_U8:
        return static_cast<const uint8_t*>(c.data)[r];
    }
    return 0.0;
  }

  // The decimal text of an integer column's value, read as an integer: an int64 key above
  // 2^53 would lose its last digits on a trip through double.
  static std::string integer_text(const referee_table::Column& c, std::size_t r, const char* role) {
    switch (c.type) {
      case REFEREE_I64:
        return std::to_string(static_cast<const int64_t*>(c.data)[r]);
      case REFEREE_I32:
        return std::to_string(static_cast<const int32_t*>(c.data)[r]);
      case REFEREE_U8:
        return std::to_string(static_cast<const uint8_t*>(c.data)[r]);
      default:
        throw referee::DataError("memory: " + std::string(role) + " column " + referee::quoted_excerpt(c.name) +
                                 " must hold strings or integers");
    }
  }

  const referee_table& table_;
};

const char* model_name(std::size_t model) { return model == 0 ? "champion" : "challenger"; }

// The column names a model's class block stands for: the prefix followed by each of its
// class names (or the policy's classes), or the policy's list of columns.
std::vector<std::string> block_columns(const referee_table::ClassBlock& block, const referee::ColumnNames& c,
                                       std::size_t m) {
  const referee::ClassColumns& own = c.class_columns[m];
  if (own.prefix.empty()) return own.columns;
  const std::vector<std::string>& classes = block.names.empty() ? c.classes : block.names;
  if (classes.empty())
    throw referee::DataError(std::string("memory: the ") + model_name(m) +
                             "'s probability block has no class_names, which a policy with a prefix ($.columns." +
                             model_name(m) + ".prefix) and no $.columns.classes needs: the names are the classes");
  std::vector<std::string> out;
  for (const std::string& k : classes) out.push_back(own.prefix + k);
  return out;
}

// A block's classes (its names, or else the policy's $.columns.classes) must be the
// resolved classes, in class order: its columns are read in place, so they cannot be
// reordered.
void check_block_classes(const referee_table::ClassBlock& block, const referee::ColumnNames& listed,
                         const referee::ColumnNames& c, std::size_t m) {
  const std::string who = std::string("memory: the ") + model_name(m) + "'s probability block";
  if (block.classes != c.classes.size())
    throw referee::DataError(who + " has " + std::to_string(block.classes) + " classes, the policy's columns " +
                             std::to_string(c.classes.size()));
  if ((block.names.empty() ? listed.classes : block.names) != c.classes)
    throw referee::DataError(who + "'s classes (its class_names, else $.columns.classes) are not in class order: "
                                   "numeric when every name is an integer, else by UTF-8 bytes, the order of "
                                   "np.unique and of predict_proba's columns");
}

// The policy's columns for this table. A multiclass prefix is resolved against the names
// the caller added, as the CSV reader resolves it against its header; a class block
// stands for its model's columns (block_columns).
referee::ColumnNames columns_of(const referee_table& t, const referee::Policy& policy) {
  if (!policy.columns.multiclass()) return policy.columns;
  std::vector<std::string> available;
  for (const auto& column : t.columns) available.push_back(column.name);
  for (std::size_t m = 0; m < 2; ++m)
    if (t.class_blocks[m])
      for (std::string& name : block_columns(*t.class_blocks[m], policy.columns, m))
        available.push_back(std::move(name));
  referee::ColumnNames resolved = referee::resolve_class_columns(policy.columns, available, "memory");
  for (std::size_t m = 0; m < 2; ++m)
    if (t.class_blocks[m]) check_block_classes(*t.class_blocks[m], policy.columns, resolved, m);
  return resolved;
}

// A model's class columns, which its block (when added) stands for.
bool in_block(const referee_table& t, const referee::ColumnRequest& request) {
  using Role = referee::ColumnRole;
  return (request.role == Role::champion && t.class_blocks[0]) ||
         (request.role == Role::challenger && t.class_blocks[1]);
}

}  // namespace

// The C door binds columns only: it hands the core's table builder each column the policy
// asks for, in the kind asked (numbers as doubles, text dictionary-encoded), and each
// multiclass block as it lies in the caller's memory.
referee::Table referee::c_api::table_of(const referee_table& t, const referee::Policy& policy) {
  ColumnResolver columns(t);
  referee::TableBuilder builder(t.rows);
  const referee::ColumnNames names = columns_of(t, policy);
  for (std::size_t m = 0; m < 2; ++m)
    if (const auto& b = t.class_blocks[m])
      builder.add_class_scores(m, {std::span(b->data, b->extent), b->classes, b->row_stride, b->class_stride});
  for (const referee::ColumnRequest& request : referee::requested_columns(names)) {
    if (in_block(t, request)) continue;
    if (request.kind == referee::ColumnKind::numeric) {
      columns.add_numeric(builder, request.name);
    } else if (request.role == referee::ColumnRole::drift_feature || request.role == referee::ColumnRole::label) {
      referee::TextColumn text = columns.text(request.name);
      builder.add_text(request.name, std::move(text.codes), std::move(text.dictionary));
    } else if (request.role == referee::ColumnRole::id) {
      std::vector<std::uint32_t> codes;
      std::vector<std::string> dictionary;
      columns.row_ids(request.name, codes, dictionary);
      builder.add_text(request.name, std::move(codes), std::move(dictionary));
    } else {
      std::vector<std::uint32_t> codes;
      std::vector<std::string> dictionary;
      const char* role = request.role == referee::ColumnRole::cluster ? "cluster"
                         : request.role == referee::ColumnRole::query ? "query"
                                                                      : "segment or sensitive";
      columns.dictionary_encode(request.name, role, codes, dictionary);
      builder.add_text(request.name, std::move(codes), std::move(dictionary));
    }
  }
  return std::move(builder).build(names, policy.task);
}


std::unique_ptr<referee_report> referee::c_api::report_of(referee::Evaluation evaluation, const referee::Limits& limits) {
  auto report = std::make_unique<referee_report>();
  report->evaluation = std::move(evaluation);
  report->json = referee::report_text(report->evaluation);
  report->limits = limits;
  return report;
}

extern "C" {

const char* referee_version(void) { return REFEREE_VERSION_STRING; }
unsigned referee_version_number(void) { return REFEREE_VERSION_NUMBER; }

const char* referee_status_name(referee_status status) {
  switch (raw_value(status)) {
    case REFEREE_OK:
      return "REFEREE_OK";
    case REFEREE_INVALID_ARGUMENT:
      return "REFEREE_INVALID_ARGUMENT";
    case REFEREE_POLICY_ERROR:
      return "REFEREE_POLICY_ERROR";
    case REFEREE_DATA_ERROR:
      return "REFEREE_DATA_ERROR";
    case REFEREE_IO_ERROR:
      return "REFEREE_IO_ERROR";
    case REFEREE_CANCELLED:
      return "REFEREE_CANCELLED";
    case REFEREE_INTERNAL:
      return "REFEREE_INTERNAL";
  }
  return "REFEREE_UNKNOWN_STATUS";
}

const char* referee_verdict_name(referee_verdict verdict) {
  // The gate's verdicts, read from the core's one name table (whose entries are string
  // literals, so .data() is NUL-terminated). SKIPPED is a rule's, never the gate's.
  const int raw = raw_value(verdict);
  if (raw < REFEREE_PASS || raw > REFEREE_INCONCLUSIVE) return "UNKNOWN";
  return referee::verdict_name(static_cast<referee::Verdict>(raw)).data();
}

const char* referee_last_error(void) { return last_error().c_str(); }

referee_status referee_policy_create_with_options(const char* json, size_t length, const referee_options* options,
                                                  referee_policy** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    require(json, "json");
    require_count(length, 1, "length");
    *out = new referee_policy{
        referee::parse_policy_text(std::string_view(json, length), "policy", limits_of(options))};
  });
}

referee_status referee_policy_create(const char* json, size_t length, referee_policy** out) {
  return referee_policy_create_with_options(json, length, nullptr, out);
}

referee_status referee_policy_load_with_options(const char* path, const referee_options* options,
                                                referee_policy** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    require(path, "path");
    *out = new referee_policy{referee::load_policy(path, limits_of(options))};
  });
}

referee_status referee_policy_load(const char* path, referee_policy** out) {
  return referee_policy_load_with_options(path, nullptr, out);
}

void referee_policy_free(referee_policy* policy) { delete policy; }

referee_status referee_table_create(size_t rows, referee_table** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    auto table = std::make_unique<referee_table>();
    table->rows = rows;
    *out = table.release();
  });
}

referee_status referee_table_add_numeric(referee_table* table, const char* name, const void* data,
                                         size_t length, referee_type type) {
  return guarded([&] {
    check_new_column(table, name, length, element_size(raw_value(type)));
    require(data, "data");
    auto& c = append_column(table, name);
    c.data = data;
    c.type = type;
  });
}

referee_status referee_table_add_strings(referee_table* table, const char* name, const char* bytes,
                                         const int64_t* offsets, size_t length) {
  return guarded([&] {
    // `offsets` holds length + 1 entries: the length is checked against the table before
    // a single offset is read.
    check_new_column(table, name, length, sizeof(int64_t));
    require_count(length + 1, sizeof(int64_t), "the column's length + 1");
    require(bytes, "bytes");
    require(offsets, "offsets");
    for (size_t i = 0; i < length; ++i)
      if (offsets[i] < 0 || offsets[i + 1] < offsets[i])
        throw referee::UsageError("offsets of column " + referee::quoted_excerpt(name) +
                                  " must start at 0 or more and never decrease");
    auto& c = append_column(table, name);
    c.kind = referee_table::Kind::strings;
    c.bytes = bytes;
    c.offsets = offsets;
  });
}

referee_status referee_table_add_dictionary(referee_table* table, const char* name, const int32_t* codes,
                                            size_t length, const char* const* dictionary,
                                            size_t dictionary_size) {
  return guarded([&] {
    check_new_column(table, name, length, sizeof(int32_t));
    require_count(dictionary_size, sizeof(const char*), "dictionary_size");
    require(codes, "codes");
    require(dictionary, "dictionary");
    std::vector<std::string> words;
    words.reserve(dictionary_size);
    for (size_t i = 0; i < dictionary_size; ++i) {
      require(dictionary[i], "a dictionary entry");
      words.emplace_back(dictionary[i]);
    }
    auto& c = append_column(table, name);
    c.kind = referee_table::Kind::dictionary;
    c.codes = codes;
    c.dictionary = std::move(words);
  });
}

referee_status referee_table_add_class_scores(referee_table* table, int model, const double* data, size_t rows,
                                              size_t classes, size_t row_stride, size_t class_stride,
                                              const char* const* class_names) {
  return guarded([&] {
    require(table, "table");
    if (table->csv) throw referee::UsageError("a table read from CSV cannot take more columns");
    if (model != 0 && model != 1)
      throw referee::UsageError("model is " + std::to_string(model) + ": 0 is the champion, 1 the challenger");
    const std::string who = std::string("the ") + model_name(static_cast<std::size_t>(model)) + "'s probability block";
    if (table->class_blocks[model]) throw referee::UsageError(who + " is added twice");
    if (rows != table->rows)
      throw referee::UsageError(who + " has " + std::to_string(rows) + " rows, the table has " +
                                std::to_string(table->rows));
    if (classes < 2)
      throw referee::UsageError(who + " has " + std::to_string(classes) + " classes; a multiclass model has 2 or more");
    require_count(classes, sizeof(const char*), "classes");
    referee_table::ClassBlock block{data, classes, row_stride, class_stride,
                                    block_extent(rows, classes, row_stride, class_stride), {}};
    require(data, "data");
    if (class_names) block.names = class_names_of(class_names, classes, who);
    table->class_blocks[model] = std::move(block);
  });
}

referee_status referee_table_read_csv_with_options(const char* path, const referee_policy* policy,
                                                   const referee_options* options, referee_table** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    require(path, "path");
    require(policy, "policy");
    auto table = std::make_unique<referee_table>();
    table->csv = referee::read_table_csv(path, policy->policy.columns, policy->policy.task, limits_of(options));
    table->rows = table->csv->rows;
    *out = table.release();
  });
}

referee_status referee_table_read_csv(const char* path, const referee_policy* policy, referee_table** out) {
  return referee_table_read_csv_with_options(path, policy, nullptr, out);
}

void referee_table_free(referee_table* table) { delete table; }

referee_status referee_options_create(referee_options** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    *out = new referee_options;
  });
}

referee_status referee_options_set_threads(referee_options* options, unsigned threads) {
  return guarded([&] {
    require(options, "options");
    options->threads = threads;
  });
}

referee_status referee_options_set_seed(referee_options* options, uint64_t seed) {
  return guarded([&] {
    require(options, "options");
    options->seed = seed;
  });
}

referee_status referee_options_set_progress(referee_options* options, void (*callback)(double, void*),
                                            void* user) {
  return guarded([&] {
    require(options, "options");
    options->progress = callback;
    options->progress_user = user;
  });
}

referee_status referee_options_cancel(referee_options* options) {
  return guarded([&] {
    require(options, "options");
    options->cancel.store(true);
  });
}

referee_status referee_options_set_limit(referee_options* options, const char* name, uint64_t value) {
  return guarded([&] {
    require(options, "options");
    require(name, "name");
    referee::set_limit(options->limits, name, value);
  });
}

referee_status referee_options_get_limit(const referee_options* options, const char* name, uint64_t* value) {
  return guarded([&] {
    require(value, "value");
    *value = 0;
    require(options, "options");
    require(name, "name");
    *value = referee::limit_value(options->limits, name);
  });
}

referee_status referee_options_set_latency_file(referee_options* options, const char* path) {
  return guarded([&] {
    require(options, "options");
    if (path)
      options->latency = referee::read_latency_csv(path, options->limits);
    else
      options->latency.reset();
  });
}

referee_status referee_options_set_latency_samples(referee_options* options, const double* champion,
                                                   size_t champion_count, const double* challenger,
                                                   size_t challenger_count) {
  return guarded([&] {
    require(options, "options");
    require_count(champion_count, sizeof(double), "champion_count");
    require_count(challenger_count, sizeof(double), "challenger_count");
    if (champion_count > 0) require(champion, "champion");
    if (challenger_count > 0) require(challenger, "challenger");
    referee::LatencySamples samples;
    if (champion_count > 0) samples.ms[0].assign(champion, champion + champion_count);
    if (challenger_count > 0) samples.ms[1].assign(challenger, challenger + challenger_count);
    samples.origin = "memory";
    referee::validate_latency_samples(samples);
    options->latency = std::move(samples);
  });
}

referee_status referee_options_set_drift_reference(referee_options* options, const char* path) {
  return guarded([&] {
    require(options, "options");
    if (path)
      options->drift_reference = std::filesystem::path(path);
    else
      options->drift_reference.reset();
  });
}

void referee_options_free(referee_options* options) { delete options; }

referee_status referee_evaluate(const referee_table* table, const referee_policy* policy,
                                const referee_options* options, referee_report** out) {
  return guarded([&] {
    require(out, "out");
    *out = nullptr;
    require(table, "table");
    require(policy, "policy");
    referee::EvaluateOptions eo;
    eo.limits = limits_of(options);
    if (options) {
      eo.threads = options->threads;
      eo.seed = options->seed;
      eo.cancel = &options->cancel;
      if (options->progress)
        eo.progress = [callback = options->progress, user = options->progress_user](double f) {
          callback(f, user);
        };
      if (options->latency) eo.latency_samples = &*options->latency;
      if (options->cancel.load()) throw referee::CancelledError();
    }
    std::optional<referee::DriftReference> reference;
    if (policy->policy.drift.enabled) {
      reference = referee::read_drift_reference(policy->policy, options ? options->drift_reference : std::nullopt,
                                                eo.limits);
      eo.drift_reference = &*reference;
    }
    *out = report_of(table->csv ? referee::evaluate(*table->csv, policy->policy, eo)
                                : referee::evaluate(table_of(*table, policy->policy), policy->policy, eo),
                     eo.limits)
               .release();
  });
}

referee_status referee_report_json(const referee_report* report, const char** json, size_t* length) {
  return guarded([&] {
    require(report, "report");
    require(json, "json");
    *json = report->json.c_str();
    if (length) *length = report->json.size();
  });
}

referee_status referee_report_verdict(const referee_report* report, referee_verdict* out) {
  return guarded([&] {
    require(report, "report");
    require(out, "out");
    *out = static_cast<referee_verdict>(report->evaluation.verdict);
  });
}

referee_status referee_report_passed(const referee_report* report, int* out) {
  return guarded([&] {
    require(report, "report");
    require(out, "out");
    *out = report->evaluation.passed ? 1 : 0;
  });
}

referee_status referee_report_write(const referee_report* report, const char* path) {
  return guarded([&] {
    require(report, "report");
    require(path, "path");
    // The CLI's writer: the destination checked (absent or a regular file, never a symlink
    // or a device), the size under max_report_bytes, then written whole or not at all.
    referee::OutputSet outputs;
    outputs.add("report", path);
    outputs.write_all({report->json}, report->limits);
  });
}

void referee_report_free(referee_report* report) { delete report; }

}  // extern "C"
