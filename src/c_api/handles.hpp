#pragma once
// The structs behind the C API's opaque handles (include/referee/referee.h), shared by the
// files of the C door, and the one binding of a table handle to the core's table.

#include <referee/referee.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <referee/evaluate.hpp>
#include <referee/evaluation.hpp>
#include <referee/limits.hpp>
#include <referee/policy.hpp>
#include <referee/table.hpp>

struct referee_policy {
  referee::Policy policy;
};

struct referee_table {
  enum class Kind { numeric, strings, dictionary };
  struct Column {
    std::string name;
    Kind kind = Kind::numeric;
    const void* data = nullptr;  // numeric
    referee_type type = REFEREE_F64;
    const char* bytes = nullptr;  // strings
    const int64_t* offsets = nullptr;
    const int32_t* codes = nullptr;  // dictionary
    std::vector<std::string> dictionary;
  };
  // A multiclass model's n x K probabilities, borrowed (referee_table_add_class_scores):
  // row r, class k at data[r * row_stride + k * class_stride]; `names` the classes, when given.
  struct ClassBlock {
    const double* data = nullptr;
    std::size_t classes = 0, row_stride = 0, class_stride = 0, extent = 0;
    std::vector<std::string> names;
  };
  std::size_t rows = 0;
  std::vector<Column> columns;
  std::array<std::optional<ClassBlock>, 2> class_blocks;  // [champion, challenger]
  std::optional<referee::Table> csv;  // set by referee_table_read_csv, which owns its data
};

struct referee_options {
  unsigned threads = 0;
  std::optional<std::uint64_t> seed;
  void (*progress)(double, void*) = nullptr;
  void* progress_user = nullptr;
  std::atomic<bool> cancel{false};
  std::optional<referee::LatencySamples> latency;          // a load test's samples
  std::optional<std::filesystem::path> drift_reference;  // overrides $.drift.reference
  referee::Limits limits;                                 // referee_options_set_limit
};

struct referee_report {
  referee::Evaluation evaluation;
  std::string json;
  referee::Limits limits;  // those it was evaluated under, which referee_report_write honours
};

// Bytes referee hands out (a partial state, a plan, a list of pass names): never changed
// after they are made, so any number of threads may read them at once.
struct referee_buffer {
  std::string bytes;
};

namespace referee::c_api {

// The caps of `options`, or the defaults when it is NULL (as referee_evaluate reads NULL).
inline Limits limits_of(const referee_options* options) { return options ? options->limits : Limits{}; }

// The core's table for a table handle's borrowed columns, bound to `policy`'s columns by
// name (c_api.cpp). A table read from CSV is its own `csv` and needs no binding.
Table table_of(const referee_table& table, const Policy& policy);

// A report handle for an evaluation: its JSON rendered once, and the caps it was made under
// (which referee_report_write honours).
std::unique_ptr<referee_report> report_of(Evaluation evaluation, const Limits& limits);

}  // namespace referee::c_api
