// libFuzzer harness: the CSV reader (io/csv_reader.hpp) and the table readers built on it
// (read_table_csv, read_latency_csv, read_drift_reference), under small caps so that
// max_field_bytes and max_record_bytes are hit as often as not.
//
// Input: three configuration bytes, then the file's bytes.
//   byte 0: bits 0-1 the reader (raw read_csv, read_table_csv, read_latency_csv,
//           read_drift_reference), bit 2 the task for read_table_csv (binary, regression)
//   byte 1: max_field_bytes = byte + 1 (1..256), or the default for 255
//   byte 2: max_record_bytes = 4 * (byte + 1) (4..1024), or the default for 255
// The file is an in-memory file (memfd) the readers open by its /proc path, as a regular
// file: nothing is written to disk.
//
// Invariants: only DataError escapes; its message is fit for a log (fuzz_invariants.hpp);
// a table that is read has one value per row in every column, finite numbers, codes
// inside their dictionary, valid UTF-8 text and a 64-digit hash.

#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <referee/policy.hpp>
#include <referee/table.hpp>

#include "fuzz_invariants.hpp"
#include "io/csv_reader.hpp"

namespace {

using namespace referee;
using fuzz::require;

// The columns of examples/credit_eval.csv, so the seeds read through to the end.
const std::array<CsvColumnRequest, 5> kRawRequests{{
    {"y", CsvColumnKind::numeric, false},
    {"score_prod", CsvColumnKind::numeric, false},
    {"region", CsvColumnKind::text, false},
    {"channel", CsvColumnKind::text, true},
    {"customer_id", CsvColumnKind::text, false},
}};

ColumnNames table_columns() {
  ColumnNames c;
  c.label = "y";
  c.champion = "score_prod";
  c.challenger = "score_new";
  c.weight = "w";
  c.cluster = "customer_id";
  c.categorical = {"region", "channel"};
  c.latency = {"lat_prod_ms", "lat_new_ms"};
  c.cost = {"cost_prod", "cost_new"};
  c.error = {"err_prod", "err_new"};
  c.drift = {"income", "age"};
  return c;
}

Policy drift_policy(const std::string& path) {
  Policy p;
  p.drift.enabled = true;
  p.drift.reference = path;
  p.drift.predictions = true;
  p.drift.features = {{"income", FeatureType::numeric, false},
                      {"region", FeatureType::automatic, false},
                      {"score_prod", FeatureType::automatic, true}};
  return p;
}

// One memfd for the process, rewritten for every input.
const std::string& memory_file() {
  static const std::string path = [] {
    const int fd = ::memfd_create("referee-fuzz.csv", MFD_CLOEXEC);
    if (fd < 0) fuzz::broken("memfd_create works", "");
    return "/proc/self/fd/" + std::to_string(fd);
  }();
  return path;
}

void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  const int fd = std::stoi(path.substr(path.rfind('/') + 1));
  if (::ftruncate(fd, 0) != 0) fuzz::broken("ftruncate works", "");
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) fuzz::broken("pwrite works", "");
    done += static_cast<std::size_t>(n);
  }
}

void check_text(const std::vector<std::uint32_t>& codes, const std::vector<std::string>& dictionary,
                std::size_t rows) {
  require(codes.size() == rows, "a text column has one code per row");
  for (std::uint32_t c : codes) require(c < dictionary.size(), "a code indexes its dictionary");
  for (const std::string& s : dictionary) require(valid_utf8(s), "text read is valid UTF-8");
}

void check_numbers(const std::vector<double>& v, std::size_t rows) {
  require(v.size() == rows, "a numeric column has one value per row");
  for (double x : v) require(std::isfinite(x), "numbers read are finite");
}

void read_raw(const std::string& path, const Limits& limits) {
  const CsvTable t = read_csv(path, kRawRequests, limits);
  require(t.sha256.size() == 64, "the hash has 64 hex digits");
  require(t.columns.size() == kRawRequests.size(), "one column per request");
  for (const std::string& h : t.header) require(valid_utf8(h), "header names are valid UTF-8");
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    const CsvColumn& c = t.columns[i];
    if (c.kind == CsvColumnKind::numeric) {
      check_numbers(c.numbers, t.rows);
    } else {
      check_text(c.codes, c.dictionary, t.rows);
      if (!kRawRequests[i].allow_missing)
        for (const std::string& s : c.dictionary) require(!s.empty(), "a required text cell is not empty");
    }
  }
}

void read_table(const std::string& path, Task task, const Limits& limits) {
  const Table t = read_table_csv(path, table_columns(), task, limits);
  require(t.label.size() == t.rows && t.champion.size() == t.rows && t.challenger.size() == t.rows,
          "the core columns have one value per row");
  require(t.source.file_sha256.size() == 64, "the file's hash has 64 hex digits");
  require(data_digest(t).size() == 64, "the rows digest has 64 hex digits");
  for (const CategoricalColumn& c : t.categorical) check_text(c.codes, c.values, t.rows);
  for (const TextColumn& c : t.drift) check_text(c.codes, c.dictionary, t.rows);
}

void read_latency(const std::string& path, const Limits& limits) {
  const LatencySamples s = read_latency_csv(path, limits);
  for (const auto& v : s.ms) {
    require(!v.empty(), "both models have latency samples");
    for (double x : v) require(std::isfinite(x) && x >= 0.0, "latencies are finite and >= 0");
  }
}

void read_reference(const std::string& path, const Limits& limits) {
  const DriftReference r = read_drift_reference(drift_policy(path), std::nullopt, limits);
  for (const TextColumn& c : r.features) check_text(c.codes, c.dictionary, r.rows);
  for (const auto& s : r.scores) check_numbers(s.values, r.rows);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return -1;  // not a valid input: keep it out of the corpus
  Limits limits;
  if (data[1] != 255) limits.max_field_bytes = std::uint64_t{data[1]} + 1;
  if (data[2] != 255) limits.max_record_bytes = 4 * (std::uint64_t{data[2]} + 1);
  const std::string& path = memory_file();
  write_file(path, data + 3, size - 3);
  const Task task = (data[0] & 4) ? Task::regression : Task::binary;
  fuzz::only_referee_errors({ErrorKind::data}, [&] {
    switch (data[0] & 3) {
      case 0: read_raw(path, limits); break;
      case 1: read_table(path, task, limits); break;
      case 2: read_latency(path, limits); break;
      default: read_reference(path, limits);
    }
  });
  return 0;
}
