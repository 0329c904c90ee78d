// referee._core: the thin binding layer. Policies are parsed and arrays checked while the
// GIL is held; referee::evaluate runs with the GIL released and touches no Python object.
// float64 C-contiguous arrays are read in place (noconvert: the Python layer converts
// anything else explicitly, so a copy is never silent). Arguments a caller controls (seed,
// threads, threshold, limits, paths) are taken as Python objects and checked here against
// the core's own rules, so a wrong one is a UsageError, never pybind11's TypeError.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "accumulate/replicate_engine.hpp"
#include "data/row_units.hpp"
#include "evaluate/paired_columns.hpp"
#include "io/atomic_file.hpp"
#include <referee/error.hpp>
#include <referee/evaluate.hpp>
#include <referee/partitioned.hpp>
#include <referee/render.hpp>
#include <referee/table.hpp>
#include <referee/version.h>

#include "cases/policy_cases.hpp"
#include "common/exit_codes.hpp"
#include "common/option_ranges.hpp"
#include "io/csv_reader.hpp"
#include "io/input_file.hpp"
#include "render/attestation.hpp"
#include "render/escape.hpp"
#include "render/report_diff.hpp"
#include "render/palette.hpp"

namespace py = pybind11;

namespace {

using F64Array = py::array_t<double, py::array::c_style>;
using U32Array = py::array_t<std::uint32_t, py::array::c_style>;
// A numeric id column's texts (one per row: an integer's digits), made and kept in the core.
// A Python list of them, made and then read back, cost more per row than a partition's
// whole ranked pass on Spark (benchmarks/RESULTS.md), so Python holds this handle instead.
struct EncodedIds {
  std::vector<std::string> dictionary;
};
// A dictionary: Python's texts, or the core's for a numeric id column.
using Dictionary = std::variant<std::vector<std::string>, std::shared_ptr<EncodedIds>>;
// A dictionary-encoded column (a segment, a sensitive attribute, a drift feature, the row
// ids): its name, codes and dictionary.
using EncodedInput = std::tuple<std::string, U32Array, Dictionary>;

const std::vector<std::string>& texts_of(const Dictionary& dictionary) {
  if (const auto* held = std::get_if<std::shared_ptr<EncodedIds>>(&dictionary)) return (*held)->dictionary;
  return std::get<std::vector<std::string>>(dictionary);
}
// A serving figure's per-row columns, (champion, challenger); None = not given.
using ModelArrays = std::tuple<std::optional<F64Array>, std::optional<F64Array>>;
// Latency samples of a load test, (champion, challenger), one array per model.
using LatencyArrays = std::tuple<F64Array, F64Array>;

// --- arguments from Python objects, checked by the core's rules (common/option_ranges.hpp,
// limits.hpp); called with the GIL held ---

// An integer in [0, 2^64) from an int or a numpy integer; nullopt for anything else (a bool,
// a float, a negative or too large number), so the caller raises its rule's UsageError.
std::optional<std::uint64_t> unsigned_integer(const py::handle& v) {
  if (PyBool_Check(v.ptr()) || PyFloat_Check(v.ptr()) || !PyIndex_Check(v.ptr())) return std::nullopt;
  const auto index = py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr()));
  if (!index) {
    PyErr_Clear();
    return std::nullopt;
  }
  const unsigned long long n = PyLong_AsUnsignedLongLong(index.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    return std::nullopt;
  }
  return n;
}

std::optional<std::uint64_t> seed_from(const py::handle& seed) {
  if (seed.is_none()) return std::nullopt;
  if (const auto n = unsigned_integer(seed)) return n;
  throw referee::UsageError("seed " + std::string(referee::kSeedRange));
}

// None is the core's default, all hardware threads.
unsigned threads_from(const py::handle& threads) {
  if (threads.is_none()) return 0;
  const auto n = unsigned_integer(threads);
  if (!n || !referee::threads_in_range(*n)) throw referee::UsageError("threads " + std::string(referee::kThreadsRange));
  return static_cast<unsigned>(*n);
}

double threshold_from(const py::handle& threshold) {
  double t = -1.0;
  if (!PyBool_Check(threshold.ptr()) && !PyUnicode_Check(threshold.ptr()) && !PyBytes_Check(threshold.ptr())) {
    t = PyFloat_AsDouble(threshold.ptr());  // a float, an int, a numpy scalar
    if (PyErr_Occurred()) {
      PyErr_Clear();
      t = -1.0;
    }
  }
  if (!referee::threshold_in_range(t)) throw referee::UsageError("threshold " + std::string(referee::threshold_range()));
  return t;
}

// A str as the UTF-8 bytes the core reads: a lone surrogate goes through as such bytes, so
// the core refuses it as it refuses bad bytes from a file (never a UnicodeEncodeError).
std::string utf8_of(const py::handle& text) {
  if (PyBytes_Check(text.ptr())) return text.cast<std::string>();
  if (!PyUnicode_Check(text.ptr())) throw py::type_error("expected str or bytes");
  return py::reinterpret_borrow<py::str>(text).attr("encode")("utf-8", "surrogatepass").cast<std::string>();
}

// {name: positive int} by the core's one name table: an unknown name or a value that is not
// a positive integer is the core's own UsageError (the value goes through set_limit's text form).
referee::Limits limits_from(const py::handle& given) {
  referee::Limits limits;
  if (given.is_none()) return limits;
  if (!PyDict_Check(given.ptr())) throw referee::UsageError("limits must be a dict {name: positive integer}");
  for (const auto& [key, value] : py::reinterpret_borrow<py::dict>(given)) {
    if (!PyUnicode_Check(key.ptr())) throw referee::UsageError("limits: each name must be a str");
    const std::string name = py::reinterpret_borrow<py::str>(key).attr("encode")("utf-8", "backslashreplace").cast<std::string>();
    referee::limit_value(limits, name);  // the unknown-name message, with its suggestion
    const auto n = unsigned_integer(value);
    referee::set_limit(limits, name + "=" + (n ? std::to_string(*n) : std::string("?")));
  }
  return limits;
}

// A path as str, bytes or os.PathLike, as the file system's bytes (os.fsencode): a name
// that is not UTF-8 reaches the file it names.
std::filesystem::path path_from(const py::handle& path) {
  const py::object bytes = py::module_::import("os").attr("fsencode")(path);
  return std::filesystem::path(bytes.cast<std::string>());
}

std::optional<std::filesystem::path> optional_path(const py::handle& path) {
  if (path.is_none()) return std::nullopt;
  return path_from(path);
}

std::span<const double> span_of(const F64Array& a) {
  if (a.ndim() != 1) throw referee::DataError("memory: columns must be one-dimensional");
  return {a.data(), static_cast<std::size_t>(a.shape(0))};
}

std::span<const double> optional_span(const std::optional<F64Array>& a) {
  return a ? span_of(*a) : std::span<const double>{};
}

// A multiclass model's n x K probabilities (scikit-learn's predict_proba), read in place
// whatever its order (C, Fortran, a column slice): the block keeps the array's strides.
using AnyF64Array = py::array_t<double>;
using ClassArrays = std::optional<std::tuple<AnyF64Array, AnyF64Array>>;

referee::ScoreBlock score_block(const AnyF64Array& a) {
  if (a.ndim() != 2 || a.shape(0) == 0 || a.shape(1) == 0)
    throw referee::DataError("memory: a multiclass model's probabilities must be a 2-D array, rows x classes");
  const auto rows = static_cast<std::size_t>(a.shape(0)), classes = static_cast<std::size_t>(a.shape(1));
  const auto rs = a.strides(0), cs = a.strides(1);
  if (rs < 0 || cs < 0 || rs % 8 != 0 || cs % 8 != 0)
    throw referee::DataError("memory: a multiclass model's probabilities must have positive strides of whole "
                             "doubles (np.ascontiguousarray gives them)");
  const std::size_t row_stride = static_cast<std::size_t>(rs) / 8, class_stride = static_cast<std::size_t>(cs) / 8;
  const std::size_t extent = (rows - 1) * row_stride + (classes - 1) * class_stride + 1;
  return {std::span<const double>(a.data(), extent), classes, row_stride, class_stride};
}

// The policy's class columns resolved against the names the door holds (a DataFrame's
// columns, or prefix + class for a 2-D array), and the blocks bound to the models.
referee::ColumnNames bind_class_scores(referee::TableBuilder& builder, const referee::ColumnNames& columns,
                                       const ClassArrays& class_scores, const std::vector<std::string>& available) {
  if (!columns.multiclass()) return columns;
  referee::ColumnNames resolved = referee::resolve_class_columns(columns, available, "memory");
  if (class_scores) {
    builder.add_class_scores(0, score_block(std::get<0>(*class_scores)));
    builder.add_class_scores(1, score_block(std::get<1>(*class_scores)));
  }
  return resolved;
}

std::size_t rows_of(const ClassArrays& class_scores, std::span<const double> champion) {
  return class_scores ? static_cast<std::size_t>(std::get<0>(*class_scores).shape(0)) : champion.size();
}

// What evaluate() takes besides the table and the policy, read from Python objects while
// the GIL is held: plain C++ values and views, usable without it.
struct GateInputs {
  referee::EvaluateOptions options;
  std::optional<std::filesystem::path> latency_file;    // a load test's CSV
  std::optional<std::array<std::span<const double>, 2>> latency_ms;  // or its samples
  std::optional<std::filesystem::path> drift_reference;  // overrides $.drift.reference
  std::atomic<bool> cancel{false};                      // set on Ctrl-C (run_interruptibly)
};

// The run's settings, as a caller gives them to evaluate_csv and evaluate_arrays.
struct RunArguments {
  py::object seed, threads, limits;
  std::optional<std::function<void(double)>> progress;
  py::object latency_file;
  std::optional<LatencyArrays> latency_ms;
  py::object drift_reference;
};

void gate_inputs(GateInputs& in, const RunArguments& run) {
  in.options.seed = seed_from(run.seed);
  in.options.threads = threads_from(run.threads);
  in.options.limits = limits_from(run.limits);
  in.options.cancel = &in.cancel;
  const auto& progress = run.progress;
  const auto& latency_file = run.latency_file;
  const auto& latency_ms = run.latency_ms;
  if (progress) {
    // Called from worker threads (serialised by the engine), so take the GIL first.
    in.options.progress = [callback = *progress](double fraction) {
      py::gil_scoped_acquire gil;
      callback(fraction);
    };
  }
  if (!latency_file.is_none() && latency_ms) throw referee::UsageError("latency is given both as a file and as arrays");
  in.latency_file = optional_path(latency_file);
  if (latency_ms) {
    const auto& [champion, challenger] = *latency_ms;
    in.latency_ms = {span_of(champion), span_of(challenger)};
  }
  in.drift_reference = optional_path(run.drift_reference);
}

// Runs `work` (which touches no Python object) on a thread of its own, while this thread,
// without the GIL, waits for it and checks for signals every 50 ms: a Ctrl-C sets the
// cancel flag the engine checks between blocks, waits for the work to stop, and raises
// KeyboardInterrupt promptly, with or without a progress callback. Called with the GIL held.
template <class Work>
auto run_interruptibly(std::atomic<bool>& cancel, Work work) -> decltype(work()) {
  std::future<decltype(work())> done;
  {
    py::gil_scoped_release release;
    done = std::async(std::launch::async, std::move(work));
  }
  for (;;) {
    {
      py::gil_scoped_release release;
      if (done.wait_for(std::chrono::milliseconds(50)) == std::future_status::ready) break;
    }
    if (PyErr_CheckSignals() != 0) {
      py::error_already_set interrupt;  // KeyboardInterrupt, or what a signal handler raised
      cancel = true;
      {
        py::gil_scoped_release release;
        done.wait();
      }
      throw interrupt;
    }
  }
  return done.get();
}

// The report as JSON (the record), Markdown, HTML and the CLI summary (for people), and
// the HTML fragment a notebook shows (Report._repr_html_), rendered together so that
// Python never re-derives what the C++ renderers say.
using Rendered = std::tuple<std::string, std::string, std::string, std::string, std::string>;

Rendered rendered(const referee::Evaluation& ev) {
  return {referee::report_text(ev), referee::markdown_report(ev), referee::html_report(ev),
          referee::summary_text(ev), referee::html_fragment(ev)};
}

// Runs the gate without the GIL: the latency samples and the drift reference are read or
// copied here, so that their files are read off the interpreter's thread too.
Rendered run_gate(const referee::Table& table, const referee::Policy& policy, GateInputs& in) {
  std::optional<referee::LatencySamples> samples;
  if (in.latency_file) {
    samples = referee::read_latency_csv(*in.latency_file, in.options.limits);
  } else if (in.latency_ms) {
    samples.emplace();
    for (std::size_t m = 0; m < 2; ++m) samples->ms[m].assign((*in.latency_ms)[m].begin(), (*in.latency_ms)[m].end());
    samples->origin = "memory";
  }
  if (samples) in.options.latency_samples = &*samples;
  std::optional<referee::DriftReference> reference;
  if (policy.drift.enabled) {
    reference = referee::read_drift_reference(policy, in.drift_reference, in.options.limits);
    in.options.drift_reference = &*reference;
  }
  return rendered(referee::evaluate(table, policy, in.options));
}

Rendered evaluate_csv(const py::object& path, const referee::Policy& policy, const RunArguments& run) {
  GateInputs in;
  gate_inputs(in, run);
  const std::filesystem::path data = path_from(path);
  return run_interruptibly(in.cancel, [&] {
    const referee::Table table = referee::read_table_csv(data, policy.columns, policy.task, in.options.limits);
    return run_gate(table, policy, in);
  });
}

std::span<const std::uint32_t> codes_of(const U32Array& a, const std::string& name) {
  if (a.ndim() != 1) throw referee::DataError("memory: column \"" + name + "\" must be one-dimensional");
  return {a.data(), static_cast<std::size_t>(a.shape(0))};
}

// A segment or sensitive column as plain C++ views, readable without the GIL.
struct CategoricalView {
  std::string name;
  std::span<const std::uint32_t> codes;
  const std::vector<std::string>* dictionary;
};

// A serving figure's columns as views, [champion, challenger] (empty = not given).
std::array<std::span<const double>, 2> model_spans(const ModelArrays& arrays,
                                                   const referee::ModelColumnNames& names) {
  const std::array<const std::optional<F64Array>*, 2> given{&std::get<0>(arrays), &std::get<1>(arrays)};
  std::array<std::span<const double>, 2> spans;
  for (std::size_t m = 0; m < 2; ++m) {
    if (given[m]->has_value() == names[m].empty())
      throw referee::UsageError("the " + std::string(m == 0 ? "champion" : "challenger") + "'s column \"" +
                                names[m] + "\" must be given exactly when the policy names it");
    spans[m] = optional_span(*given[m]);
  }
  return spans;
}

// A drift feature, copied into the table's text form (the drift check reads it as text;
// the table builder checks its length and codes).
referee::TextColumn drift_column(const EncodedInput& input) {
  const auto& [name, codes, dictionary] = input;
  const auto view = codes_of(codes, name);
  return {name, {view.begin(), view.end()}, texts_of(dictionary)};
}

// The columns of a table as plain C++ views over the caller's arrays, readable without the
// GIL: what every door's TableBuilder takes.
struct ArrayColumns {
  std::span<const double> label, champion, challenger, weight;
  std::span<const std::uint32_t> cluster_codes;
  const std::vector<std::string>* cluster_dictionary = nullptr;
  std::vector<CategoricalView> views;
  std::array<std::span<const double>, 2> latency, cost, error;
  std::vector<referee::TextColumn> features;
  const ClassArrays* class_scores = nullptr;
  const std::vector<std::string>* class_columns = nullptr;
  bool has_label = false;
};

ArrayColumns array_columns(const referee::Policy& policy, const std::optional<F64Array>& label,
                           const F64Array& champion, const F64Array& challenger, const std::optional<F64Array>& weight,
                           const std::optional<U32Array>& cluster_codes,
                           const std::vector<std::string>& cluster_dictionary,
                           const std::vector<EncodedInput>& categorical) {
  ArrayColumns a;
  a.has_label = label.has_value();
  a.label = optional_span(label);
  a.champion = span_of(champion);
  a.challenger = span_of(challenger);
  a.weight = optional_span(weight);
  if (cluster_codes) a.cluster_codes = codes_of(*cluster_codes, policy.columns.cluster);
  a.cluster_dictionary = &cluster_dictionary;
  for (const auto& [name, column_codes, dictionary] : categorical)
    a.views.push_back({name, codes_of(column_codes, name), &texts_of(dictionary)});
  return a;
}

// Builds and validates the table (without the GIL: its data hash, the categorical columns).
referee::Table build_table(const referee::Policy& policy, ArrayColumns& a) {
  static const ClassArrays no_classes;
  static const std::vector<std::string> no_class_columns;
  const ClassArrays& class_scores = a.class_scores ? *a.class_scores : no_classes;
  const referee::ColumnNames& names = policy.columns;
  referee::TableBuilder builder(rows_of(class_scores, a.champion));
  if (a.has_label) builder.add_numeric(names.label, a.label);
  const referee::ColumnNames resolved =
      bind_class_scores(builder, names, class_scores, a.class_columns ? *a.class_columns : no_class_columns);
  if (!names.multiclass()) {
    builder.add_numeric(names.champion, a.champion);
    builder.add_numeric(names.challenger, a.challenger);
  }
  if (!names.weight.empty()) builder.add_numeric(names.weight, a.weight);
  if (!names.cluster.empty())
    builder.add_text(names.cluster, {a.cluster_codes.begin(), a.cluster_codes.end()}, *a.cluster_dictionary);
  for (const auto& view : a.views) builder.add_text(view.name, {view.codes.begin(), view.codes.end()}, *view.dictionary);
  const std::array<std::pair<const referee::ModelColumnNames*, const std::array<std::span<const double>, 2>*>, 3>
      serving{{{&names.latency, &a.latency}, {&names.cost, &a.cost}, {&names.error, &a.error}}};
  for (const auto& [pair, spans] : serving)
    for (std::size_t m = 0; m < 2; ++m)
      if (!(*pair)[m].empty()) builder.add_numeric((*pair)[m], (*spans)[m]);
  for (referee::TextColumn& f : a.features) builder.add_text(f.name, std::move(f.codes), std::move(f.dictionary));
  return std::move(builder).build(resolved, policy.task);
}

// The arrays are read (pointers and shapes) while the GIL is held; building the table
// (its data hash, the categorical columns), validating and evaluating run without it.
// The pybind11 argument casters keep every array alive until the call returns.
Rendered evaluate_arrays(const referee::Policy& policy, const std::optional<F64Array>& label,
                         const F64Array& champion, const F64Array& challenger,
                         const std::optional<F64Array>& weight,
                         const std::optional<U32Array>& cluster_codes,
                         const std::vector<std::string>& cluster_dictionary,
                         const std::vector<EncodedInput>& categorical, const ModelArrays& latency_columns,
                         const ModelArrays& cost_columns, const ModelArrays& error_columns,
                         const std::vector<EncodedInput>& drift, const ClassArrays& class_scores,
                         const std::vector<std::string>& class_columns, const RunArguments& run) {
  // A text label (a positive_label policy) comes among the text columns, as the core's
  // requested_columns asks for it; a numeric one comes here.
  ArrayColumns a =
      array_columns(policy, label, champion, challenger, weight, cluster_codes, cluster_dictionary, categorical);
  const referee::ColumnNames& names = policy.columns;
  a.latency = model_spans(latency_columns, names.latency);
  a.cost = model_spans(cost_columns, names.cost);
  a.error = model_spans(error_columns, names.error);
  for (const auto& input : drift) a.features.push_back(drift_column(input));
  a.class_scores = &class_scores;
  a.class_columns = &class_columns;
  GateInputs in;
  gate_inputs(in, run);
  return run_interruptibly(in.cancel, [&] { return run_gate(build_table(policy, a), policy, in); });
}

// Every metric of the policy's task for one model on the data as given: {name: (value,
// reason)}. The policy (built by the caller, parsed and checked by the core) gives the task,
// the threshold, the score kind and the column names; `score` is bound to both model roles,
// `y` to the label (None for the outcome task, which has none) and `weight` to the weight.
py::dict point_metrics(const referee::Policy& policy, const std::optional<F64Array>& y, const F64Array& score,
                       const std::optional<F64Array>& weight, const std::optional<AnyF64Array>& class_scores,
                       const std::vector<std::string>& class_columns,
                       const std::optional<std::tuple<U32Array, std::vector<std::string>>>& label_text) {
  const std::vector<referee::MetricInstance>& names = policy.metrics;
  std::vector<referee::MetricValue> values(names.size());
  {
    const auto y_span = optional_span(y), score_span = span_of(score), weight_span = optional_span(weight);
    const referee::ColumnNames& roles = policy.columns;
    py::gil_scoped_release release;
    const ClassArrays blocks =
        class_scores ? ClassArrays(std::make_tuple(*class_scores, *class_scores)) : ClassArrays(std::nullopt);
    referee::TableBuilder builder(rows_of(blocks, score_span));
    if (label_text) {
      const auto codes = codes_of(std::get<0>(*label_text), roles.label);
      builder.add_text(roles.label, {codes.begin(), codes.end()}, std::get<1>(*label_text));
    } else if (!roles.label.empty()) {
      builder.add_numeric(roles.label, y_span);
    }
    const referee::ColumnNames resolved = bind_class_scores(builder, roles, blocks, class_columns);
    if (!roles.multiclass()) {
      builder.add_numeric(roles.champion, score_span);
      builder.add_numeric(roles.challenger, score_span);
    }
    if (!roles.weight.empty()) builder.add_numeric(roles.weight, weight_span);
    const referee::Table table = std::move(builder).build(resolved, policy.task);
    // The task's own accumulator, through the engine, with no resamples: the point values.
    const referee::PairedColumns columns = referee::paired_columns(table, policy);
    const referee::ReplicateEngine engine(columns);
    referee::ReplicateRequest request;
    request.bootstrap = 0;
    const referee::ReplicateResults results = engine.run(request);
    for (std::size_t k = 0; k < values.size(); ++k) values[k] = results.point[engine.layout().metric(0, k)];
  }
  py::dict out;
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto& v = values[k];
    out[py::str(names[k].name)] =
        py::make_tuple(v.defined ? py::object(py::float_(v.value)) : py::object(py::none()),
                       std::string(v.reason));
  }
  return out;
}

// --- the core's tables and checks, read by the Python layer instead of copies of them ---

// Text cells as numbers, read by the CSV reader's own parser (so "0_1", "nan", "inf" and
// "1e999" are refused here as `referee run` refuses them). Messages name the origin, the
// 1-based row and the column, never the cell. Reads Python strings, so the GIL is held.
F64Array parse_numbers(const py::iterable& values, const std::string& column, const std::string& origin) {
  std::vector<double> numbers;
  const auto place = [&] {
    return origin + ": row " + std::to_string(numbers.size() + 1) + ", column \"" + column + "\": ";
  };
  for (const py::handle cell : values) {
    if (!PyUnicode_Check(cell.ptr()))
      throw py::type_error(place() + "cells must be str, not " +
                           py::type::of(cell).attr("__name__").cast<std::string>());
    Py_ssize_t size = 0;
    const char* text = PyUnicode_AsUTF8AndSize(cell.ptr(), &size);
    if (text == nullptr) throw py::error_already_set();
    double value = 0.0;
    switch (referee::cell_number_status({text, static_cast<std::size_t>(size)}, value)) {
      case referee::NumberStatus::ok:
        numbers.push_back(value);
        break;
      case referee::NumberStatus::missing:
        throw referee::DataError(place() + "missing value");
      case referee::NumberStatus::not_a_number:
        throw referee::DataError(place() + "value is not a number");
      case referee::NumberStatus::not_finite:
        throw referee::DataError(place() + "value is not a finite number");
    }
  }
  return F64Array(static_cast<py::ssize_t>(numbers.size()), numbers.data());
}

referee::Verdict verdict_named(const std::string& name) {
  const auto verdict = referee::enum_from_name<referee::Verdict>(name);
  if (!verdict) throw referee::UsageError("\"" + name + "\" is not a verdict");
  return *verdict;
}

// What referee.testing.assert_verdict checks, by the code `referee test` runs. `expected` is
// a case's {"expect", "rules"} as JSON, read before the data is evaluated (a mistake in it
// is the caller's: a UsageError); `rules` is each rule's (verdict, reason) in policy order.
// The text is read by the reader a cases file goes through (nesting, duplicate keys,
// numbers beyond double range and bad UTF-8 refused under the limits).
referee::CaseExpectation case_expectation(const referee::Policy& policy, const py::object& expected,
                                          const py::object& limits) {
  const std::string text = utf8_of(expected);
  const referee::Limits checked = limits_from(limits);
  try {
    return referee::parse_case_expectation_text(policy, text, "expected", checked);
  } catch (const referee::PolicyError& e) {
    throw referee::UsageError(e.what());
  }
}

std::vector<std::string> case_differences(const referee::Policy& policy, const referee::CaseExpectation& expected,
                                          const std::string& verdict,
                                          const std::vector<std::pair<std::string, std::string>>& rules) {
  if (rules.size() != policy.rules.size())
    throw referee::UsageError("expected " + std::to_string(policy.rules.size()) + " rule verdicts, got " +
                              std::to_string(rules.size()));
  std::vector<std::pair<referee::Verdict, std::string>> got;
  for (const auto& [rule_verdict, reason] : rules) got.emplace_back(verdict_named(rule_verdict), reason);
  return referee::case_differences(policy, expected, verdict_named(verdict), got);
}

// Latency samples given as arrays, checked by the core's own check before anything runs.
void validate_latency(const F64Array& champion, const F64Array& challenger, const std::string& origin) {
  referee::LatencySamples samples;
  samples.origin = origin;
  const std::array<const F64Array*, 2> given{&champion, &challenger};
  for (std::size_t m = 0; m < 2; ++m) {
    const auto values = span_of(*given[m]);
    samples.ms[m].assign(values.begin(), values.end());
  }
  referee::validate_latency_samples(samples);
}

int exit_code_of_kind(referee::ErrorKind kind) { return referee::exit_code(referee::exit_code_of(kind)); }

// The vocabulary's tables as Python values: metrics in catalogue order, verdict names,
// verdict colours, and each verdict's exit code.
void bind_vocabulary(py::module_& m) {
  py::list catalogue;
  for (const referee::MetricInfo& info : referee::kMetricCatalogue)
    catalogue.append(py::make_tuple(std::string(info.name), std::string(referee::task_name(info.task)),
                                    info.higher_is_better));
  m.attr("METRIC_CATALOGUE") = py::tuple(catalogue);
  py::list verdicts;
  py::dict colours;
  py::dict exit_codes;
  const auto& names = referee::EnumNames<referee::Verdict>::names;
  for (std::size_t v = 0; v < names.size(); ++v) {
    const auto verdict = static_cast<referee::Verdict>(v);
    const py::str name(std::string(names[v]));
    verdicts.append(name);
    colours[name] = std::string(referee::verdict_colour(verdict));
    exit_codes[name] = referee::exit_code(referee::exit_code_of(verdict));
  }
  m.attr("VERDICTS") = py::tuple(verdicts);
  m.attr("VERDICT_COLOURS") = colours;
  m.attr("MUTED_COLOUR") = std::string(referee::kMutedColour);
  m.attr("VERDICT_EXIT_CODES") = exit_codes;
}

// Outputs through the core's OutputSet: every destination checked, all files staged, then
// renamed in the order given; an IoError names the destination, never a temporary file.
void write_outputs(const std::vector<std::tuple<std::string, py::object, std::string>>& files,
                   const py::object& limits) {
  const referee::Limits checked = limits_from(limits);
  referee::OutputSet outputs;
  std::vector<std::string> contents;
  for (const auto& [what, path, text] : files) {
    outputs.add(what, path_from(path));
    contents.push_back(text);
  }
  py::gil_scoped_release release;
  outputs.write_all(contents, checked);
}

// referee.verify: reads the stored report (capped, checked: render/report_diff.hpp), asks
// `rerun(seed)` for the fresh report's JSON text (referee.evaluate with the stored seed) and
// compares them. Returns (None, or (path, stored, now, message) for the first difference;
// the stored report's exact bytes).
py::tuple verify_report(const py::object& path, const py::function& rerun, const py::object& limits) {
  const referee::StoredReport stored = referee::read_stored_report(path_from(path), limits_from(limits));
  const std::string now = py::cast<std::string>(rerun(referee::stored_seed(stored)));
  py::object difference = py::none();
  if (const auto d = referee::first_report_difference(stored, now))
    difference = py::make_tuple(d->path, d->stored, d->now, d->message());
  return py::make_tuple(difference, py::bytes(stored.text));
}

// An in-toto statement over a report's exact bytes (render/attestation.hpp): the data file
// from the report, then the policy file (when there is one) and each "NAME=sha256:HEX".
std::string attestation_text(const std::string& report, const py::object& report_path, const py::object& policy_file,
                             const std::vector<std::string>& subjects, bool reproduced, const py::object& limits) {
  std::vector<referee::AttestationSubject> all;
  if (!policy_file.is_none()) all.push_back(referee::file_subject(path_from(policy_file), limits_from(limits), "policy"));
  for (const std::string& s : subjects) all.push_back(referee::parse_subject_option(s));
  return referee::attestation_text({path_from(report_path).filename().string(), report, all, reproduced});
}

// The CLI's --limit NAME=VALUE, read by the core's parser: {name: value}.
py::dict parse_limits(const py::iterable& assignments) {
  referee::Limits limits;
  py::dict out;
  for (const py::handle item : assignments) {
    const std::string assignment = utf8_of(item);
    referee::set_limit(limits, assignment);
    const std::string name = assignment.substr(0, assignment.find('='));
    out[py::str(name)] = referee::limit_value(limits, name);
  }
  return out;
}

// Numeric row ids ($.columns.id) as text by the core's one rule (numeric_row_ids):
// (uint32 codes, dictionary). Floats must be whole numbers; integers are their digits.
py::tuple encoded_ids(referee::EncodedText ids) {
  U32Array codes(static_cast<py::ssize_t>(ids.codes.size()), ids.codes.data());
  return py::make_tuple(std::move(codes), std::make_shared<EncodedIds>(EncodedIds{std::move(ids.dictionary)}));
}

py::tuple float_row_ids(const F64Array& values, const std::string& column) {
  return encoded_ids(referee::numeric_row_ids(std::span(values.data(), static_cast<std::size_t>(values.size())),
                                              "memory", column));
}

py::tuple integer_row_ids(const py::array_t<std::int64_t, py::array::c_style>& values) {
  return encoded_ids(referee::numeric_row_ids(std::span(values.data(), static_cast<std::size_t>(values.size()))));
}

void bind_checks(py::module_& m) {
  py::class_<EncodedIds, std::shared_ptr<EncodedIds>>(m, "EncodedIds")
      .def("__len__", [](const EncodedIds& ids) { return ids.dictionary.size(); });
  m.def("parse_limits", &parse_limits, py::arg("assignments"));
  m.def("escape_message", [](std::string_view text) { return referee::escape::message(text); }, py::arg("text"),
        "An error message made safe for a terminal or a log: hidden characters as \\xNN.");
  m.def(
      "check_arguments",
      [](const py::object& seed, const py::object& threads, const py::object& threshold) {
        seed_from(seed);
        threads_from(threads);
        threshold_from(threshold);
      },
      py::arg("seed") = py::none(), py::arg("threads") = py::none(), py::arg("threshold") = 0.5);
  m.def("write_outputs", &write_outputs, py::arg("files"), py::arg("limits") = py::none());
  m.def("verify_report", &verify_report, py::arg("path"), py::arg("rerun"), py::arg("limits") = py::none());
  m.def("attestation_text", &attestation_text, py::arg("report"), py::arg("report_path"), py::arg("policy_file"),
        py::arg("subjects"), py::arg("reproduced"), py::arg("limits") = py::none());
  m.def("check_output", [](const py::object& path) { referee::check_output_destination(path_from(path)); },
        py::arg("path"));
  m.def("parse_numbers", &parse_numbers, py::arg("values"), py::arg("column"), py::arg("origin"));
  m.def("float_row_ids", &float_row_ids, py::arg("values").noconvert(), py::arg("column"));
  m.def("integer_row_ids", &integer_row_ids, py::arg("values").noconvert());
  py::class_<referee::CaseExpectation>(m, "CaseExpectation");
  m.def("parse_case_expectation", &case_expectation, py::arg("policy"), py::arg("expected"),
        py::arg("limits") = py::none());
  m.def("case_differences", &case_differences, py::arg("policy"), py::arg("expected"), py::arg("verdict"),
        py::arg("rules"));
  m.def("validate_latency_samples", &validate_latency, py::arg("champion").noconvert(),
        py::arg("challenger").noconvert(), py::arg("origin"));
}

// Sets a Python exception from a core message. A message can carry bytes that are not UTF-8
// (a path's, say): they are written as \xNN escapes, never a UnicodeDecodeError instead.
void set_decoded_error(const py::handle& type, const char* what) {
  const auto text = py::reinterpret_steal<py::object>(
      PyUnicode_DecodeUTF8(what, static_cast<Py_ssize_t>(std::strlen(what)), "backslashreplace"));
  if (!text) return;  // only on memory exhaustion: that error stays set
  PyErr_SetObject(type.ptr(), text.ptr());
}

// One Python exception class per error kind, each carrying its exit code from the one table.
void bind_errors(py::module_& m) {
  static py::exception<referee::Error> base(m, "RefereeError");
  static py::exception<referee::PolicyError> policy_error(m, "PolicyError", base.ptr());
  static py::exception<referee::DataError> data_error(m, "DataError", base.ptr());
  static py::exception<referee::IoError> io_error(m, "IoError", base.ptr());
  static py::exception<referee::CancelledError> cancelled(m, "CancelledError", base.ptr());
  // A ValueError too, so that `except ValueError` written before it existed still holds.
  static py::exception<referee::UsageError> usage_error(m, "UsageError",
                                                        py::make_tuple(base, py::handle(PyExc_ValueError)));
  // Each kind's exit code, from the one table: what the CLI exits with for it.
  base.attr("exit_code") = referee::exit_code(referee::ExitCode::internal);
  policy_error.attr("exit_code") = exit_code_of_kind(referee::ErrorKind::policy);
  data_error.attr("exit_code") = exit_code_of_kind(referee::ErrorKind::data);
  io_error.attr("exit_code") = exit_code_of_kind(referee::ErrorKind::io);
  cancelled.attr("exit_code") = exit_code_of_kind(referee::ErrorKind::cancelled);
  usage_error.attr("exit_code") = exit_code_of_kind(referee::ErrorKind::usage);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const referee::PolicyError& e) {
      set_decoded_error(policy_error, e.what());
    } catch (const referee::DataError& e) {
      set_decoded_error(data_error, e.what());
    } catch (const referee::IoError& e) {
      set_decoded_error(io_error, e.what());
    } catch (const referee::CancelledError& e) {
      set_decoded_error(cancelled, e.what());
    } catch (const referee::UsageError& e) {
      set_decoded_error(usage_error, e.what());
    } catch (const referee::Error& e) {
      set_decoded_error(base, e.what());
    } catch (const nlohmann::json::exception& e) {
      // A bug, never the caller's: the internal kind (exit 70), as the CLI reports it.
      set_decoded_error(base, (std::string("internal error: ") + e.what()).c_str());
    }
  });
}

void bind_policy(py::module_& m) {
  py::class_<referee::Policy>(m, "Policy")
      .def_static(
          "from_json",
          [](const py::object& text, const py::object& origin, const py::object& limits) {
            return referee::parse_policy_text(utf8_of(text), utf8_of(origin), limits_from(limits));
          },
          py::arg("text"), py::arg("origin") = "policy", py::arg("limits") = py::none())
      .def_static(
          "load",
          [](const py::object& path, const py::object& limits) {
            return referee::load_policy(path_from(path), limits_from(limits));
          },
          py::arg("path"), py::arg("limits") = py::none())
      .def_property_readonly("task", [](const referee::Policy& p) { return std::string(referee::task_name(p.task)); })
      .def_property_readonly("name", [](const referee::Policy& p) { return p.name; })
      .def_property_readonly("sha256", [](const referee::Policy& p) { return p.sha256; })
      .def_property_readonly("json", [](const referee::Policy& p) { return p.source.dump(); })
      // Whether a label value, as text, is the policy's positive class (scikit-learn's
      // pos_label): the door asks it to pick predict_proba's column, never matches itself.
      .def("is_positive_label",
           [](const referee::Policy& p, const std::string& text) {
             return p.columns.positive_label && p.columns.positive_label->matches(text);
           })
      .def_property_readonly("columns", [](const referee::Policy& p) {
        py::dict c;
        c["label"] = p.columns.label;
        // "text" when the label is read as text (a positive_label policy), "numeric", or
        // "none" (the outcome task): the core's requested_columns decides, the door follows.
        const auto requests = referee::requested_columns(p.columns);
        const auto label = std::find_if(requests.begin(), requests.end(), [](const referee::ColumnRequest& q) {
          return q.role == referee::ColumnRole::label;
        });
        c["label_kind"] = label == requests.end()                     ? "none"
                          : label->kind == referee::ColumnKind::text ? "text"
                                                                      : "numeric";
        c["champion"] = p.columns.champion;
        c["challenger"] = p.columns.challenger;
        c["weight"] = p.columns.weight.empty() ? py::object(py::none()) : py::str(p.columns.weight);
        c["cluster"] = p.columns.cluster.empty() ? py::object(py::none()) : py::str(p.columns.cluster);
        c["id"] = p.columns.id.empty() ? py::object(py::none()) : py::str(p.columns.id);
        c["query"] = p.columns.query.empty() ? py::object(py::none()) : py::str(p.columns.query);
        c["categorical"] = p.columns.categorical;
        // latency, cost, error: {"champion": str or None, "challenger": str or None}
        const auto pair = [](const referee::ModelColumnNames& names) {
          py::dict d;
          for (std::size_t model = 0; model < 2; ++model)
            d[model == 0 ? "champion" : "challenger"] =
                names[model].empty() ? py::object(py::none()) : py::str(names[model]);
          return d;
        };
        c["latency"] = pair(p.columns.latency);
        c["cost"] = pair(p.columns.cost);
        c["error"] = pair(p.columns.error);
        c["drift"] = p.columns.drift;
        // multiclass: the classes (from $.columns.classes, else known once resolved) and each
        // model's probability columns, {"prefix": str, "columns": [str]}.
        c["classes"] = p.columns.classes;
        py::dict classes;
        for (std::size_t model = 0; model < 2; ++model) {
          py::dict d;
          d["prefix"] = p.columns.class_columns[model].prefix;
          d["columns"] = p.columns.class_columns[model].columns;
          classes[model == 0 ? "champion" : "challenger"] = d;
        }
        c["class_columns"] = classes;
        return c;
      })
      // The multiclass columns a door's names stand for: (classes, champion columns,
      // challenger columns), resolved by the core (resolve_class_columns).
      // The evaluation's figures (Policy::metrics) by name, in report order, and the index
      // of rule i's figure among them.
      .def_property_readonly("metrics",
                             [](const referee::Policy& p) {
                               std::vector<std::string> names;
                               for (const auto& metric : p.metrics) names.push_back(metric.name);
                               return names;
                             })
      .def("rule_metric_index", [](const referee::Policy& p, std::size_t i) { return p.rules.at(i).metric_index; })
      .def("resolve_class_columns", [](const referee::Policy& p, const std::vector<std::string>& available) {
        const referee::ColumnNames c = referee::resolve_class_columns(p.columns, available, "memory");
        return py::make_tuple(c.classes, c.class_columns[0].columns, c.class_columns[1].columns);
      });
}

void bind_gate(py::module_& m) {
  m.def(
      "evaluate_csv",
      [](const py::object& path, const referee::Policy& policy, const py::object& seed, const py::object& threads,
         std::optional<std::function<void(double)>> progress, const py::object& latency_file,
         std::optional<LatencyArrays> latency_ms, const py::object& drift_reference, const py::object& limits) {
        return evaluate_csv(path, policy,
                            {seed, threads, limits, std::move(progress), latency_file, std::move(latency_ms),
                             drift_reference});
      },
      py::arg("path"), py::arg("policy"), py::arg("seed"), py::arg("threads"), py::arg("progress"),
      py::arg("latency_file") = py::none(), py::arg("latency_ms").noconvert() = py::none(),
      py::arg("drift_reference") = py::none(), py::arg("limits") = py::none());
  m.def(
      "evaluate_arrays",
      [](const referee::Policy& policy, const std::optional<F64Array>& label, const F64Array& champion,
         const F64Array& challenger,
         const std::optional<F64Array>& weight, const std::optional<U32Array>& cluster_codes,
         const std::vector<std::string>& cluster_dictionary, const py::object& seed, const py::object& threads,
         std::optional<std::function<void(double)>> progress, const std::vector<EncodedInput>& categorical,
         const ModelArrays& latency_columns, const ModelArrays& cost_columns, const ModelArrays& error_columns,
         const std::vector<EncodedInput>& drift, const py::object& latency_file,
         std::optional<LatencyArrays> latency_ms, const py::object& drift_reference, const py::object& limits,
         const ClassArrays& class_scores, const std::vector<std::string>& class_columns) {
        return evaluate_arrays(policy, label, champion, challenger, weight, cluster_codes, cluster_dictionary,
                               categorical, latency_columns, cost_columns, error_columns, drift, class_scores,
                               class_columns,
                               {seed, threads, limits, std::move(progress), latency_file, std::move(latency_ms),
                                drift_reference});
      },
      py::arg("policy"), py::arg("label").noconvert(), py::arg("champion").noconvert(),
      py::arg("challenger").noconvert(), py::arg("weight").noconvert(), py::arg("cluster_codes").noconvert(),
      py::arg("cluster_dictionary"), py::arg("seed"), py::arg("threads"), py::arg("progress"),
      py::arg("categorical") = std::vector<EncodedInput>{},
      py::arg("latency_columns").noconvert() = py::make_tuple(py::none(), py::none()),
      py::arg("cost_columns").noconvert() = py::make_tuple(py::none(), py::none()),
      py::arg("error_columns").noconvert() = py::make_tuple(py::none(), py::none()),
      py::arg("drift") = std::vector<EncodedInput>{}, py::arg("latency_file") = py::none(),
      py::arg("latency_ms").noconvert() = py::none(), py::arg("drift_reference") = py::none(),
      py::arg("limits") = py::none(), py::arg("class_scores").noconvert() = py::none(),
      py::arg("class_columns") = std::vector<std::string>{});
  m.def("point_metrics", &point_metrics, py::arg("policy"), py::arg("y").noconvert(),
        py::arg("score").noconvert(), py::arg("weight").noconvert(), py::arg("class_scores").noconvert() = py::none(),
        py::arg("class_columns") = std::vector<std::string>{}, py::arg("label_text") = py::none());
}

// Partitioned evaluation (include/referee/partitioned.hpp, docs/partitioned.md): the
// protocol's steps, each over one partition's arrays or over states (bytes). The table is
// built and the state computed without the GIL.
std::vector<std::string> strings_of(const std::vector<py::bytes>& states) {
  std::vector<std::string> out;
  for (const py::bytes& b : states) out.emplace_back(b);
  return out;
}

template <class Op>
auto on_partition(const referee::Policy& policy, const std::optional<F64Array>& label, const F64Array& champion,
                  const F64Array& challenger, const std::optional<F64Array>& weight,
                  const std::optional<U32Array>& cluster_codes, const std::vector<std::string>& cluster_dictionary,
                  const std::vector<EncodedInput>& categorical, const ClassArrays& class_scores,
                  const std::vector<std::string>& class_columns, const ModelArrays& latency_columns,
                  const ModelArrays& cost_columns, const ModelArrays& error_columns, Op&& op) {
  ArrayColumns a =
      array_columns(policy, label, champion, challenger, weight, cluster_codes, cluster_dictionary, categorical);
  a.class_scores = &class_scores;  // the multiclass task's probability blocks
  a.class_columns = &class_columns;
  a.latency = model_spans(latency_columns, policy.columns.latency);  // serving budgets' columns
  a.cost = model_spans(cost_columns, policy.columns.cost);
  a.error = model_spans(error_columns, policy.columns.error);
  py::gil_scoped_release release;
  return op(build_table(policy, a));
}

#define REFEREE_PARTITION_ARGS                                                                                   \
  const referee::Policy &policy, const std::optional<F64Array>&label, const F64Array &champion,                 \
      const F64Array &challenger, const std::optional<F64Array>&weight, const std::optional<U32Array>&cluster_codes, \
      const std::vector<std::string>&cluster_dictionary, const std::vector<EncodedInput>&categorical,           \
      const ClassArrays &class_scores, const std::vector<std::string>&class_columns, const ModelArrays &latency_columns, \
      const ModelArrays &cost_columns, const ModelArrays &error_columns
#define REFEREE_PARTITION_FORWARD                                                                                \
  policy, label, champion, challenger, weight, cluster_codes, cluster_dictionary, categorical, class_scores, class_columns, \
      latency_columns, cost_columns, error_columns

void bind_partition_steps(py::module_& m) {
  namespace rp = referee::partitioned;
  m.def("partition_facts", [](REFEREE_PARTITION_ARGS, const py::object& limits) {
    const referee::Limits checked = limits_from(limits);
    rp::check_partitionable(policy);  // before the table: its columns may be ones the path refuses
    return py::bytes(on_partition(REFEREE_PARTITION_FORWARD,
                                  [&](const referee::Table& t) { return rp::facts_state(t, policy, checked); }));
  });
  // Every named pass's buckets from one table (the table is built once): passes x rows.
  m.def("partition_buckets", [](const py::bytes& plan, const std::vector<std::string>& passes, REFEREE_PARTITION_ARGS) {
    const std::string p(plan);
    std::vector<std::uint64_t> all;
    std::size_t rows = 0;
    on_partition(REFEREE_PARTITION_FORWARD, [&](const referee::Table& t) {
      rows = t.rows;
      all.reserve(passes.size() * rows);
      for (const std::string& pass : passes) {
        const std::vector<std::uint64_t> b = rp::buckets(p, pass, t);
        all.insert(all.end(), b.begin(), b.end());
      }
      return 0;
    });
    py::array_t<std::uint64_t> out({static_cast<py::ssize_t>(passes.size()), static_cast<py::ssize_t>(rows)});
    std::copy(all.begin(), all.end(), out.mutable_data());
    return out;
  });
  m.def("partition_pass_state", [](const py::bytes& plan, const std::string& pass, REFEREE_PARTITION_ARGS,
                                   const py::object& above, const py::object& threads, const py::object& limits) {
    const std::string p(plan), a = above.is_none() ? std::string() : std::string(py::bytes(above));
    const unsigned n = threads_from(threads);
    const referee::Limits checked = limits_from(limits);
    return py::bytes(on_partition(REFEREE_PARTITION_FORWARD, [&](const referee::Table& t) {
      return rp::pass_state(p, pass, t, a, n, checked);
    }));
  });
  m.def("partition_totals_state", [](const py::bytes& plan, const std::string& pass, REFEREE_PARTITION_ARGS,
                                     const py::object& threads, const py::object& limits) {
    const std::string p(plan);
    const unsigned n = threads_from(threads);
    const referee::Limits checked = limits_from(limits);
    return py::bytes(on_partition(REFEREE_PARTITION_FORWARD, [&](const referee::Table& t) {
      return rp::totals_state(p, pass, t, n, checked);
    }));
  });
}

void bind_partition_driver(py::module_& m) {
  namespace rp = referee::partitioned;
  m.def("partition_merge_facts", [](const std::vector<py::bytes>& states, const py::object& limits) {
    const std::vector<std::string> s = strings_of(states);
    const referee::Limits checked = limits_from(limits);
    py::gil_scoped_release release;
    return py::bytes(rp::merge_facts(s, checked));
  });
  m.def("partition_make_plan", [](const referee::Policy& policy, const py::bytes& facts, const py::object& seed,
                                  const py::object& limits) {
    return py::bytes(rp::make_plan(policy, std::string(facts), seed_from(seed), limits_from(limits)));
  });
  m.def("partition_policy", [](const py::bytes& plan) {
    return referee::partitioned::plan_policy(std::string(plan));
  });
  m.def("partition_passes", [](const py::bytes& plan) { return rp::passes(std::string(plan)); });
  m.def("partition_ranked", [](const py::bytes& plan, const std::string& pass) { return rp::ranked(std::string(plan), pass); });
  m.def("partition_mergeable_totals", [](const py::bytes& plan, const std::string& pass) {
    return rp::mergeable_totals(std::string(plan), pass);
  });
  m.def("partition_merge_totals", [](const py::bytes& plan, const std::string& pass, const std::vector<py::bytes>& states) {
    const std::string p(plan);
    const std::vector<std::string> s = strings_of(states);
    py::gil_scoped_release release;
    return py::bytes(rp::merge_totals(p, pass, s));
  });
  m.def("partition_first_bucket", [](const py::bytes& state) { return rp::first_bucket(std::string(state)); });
  m.def("partition_merge", [](const py::bytes& plan, const std::string& pass, const std::vector<py::bytes>& states) {
    const std::string p(plan);
    const std::vector<std::string> s = strings_of(states);
    py::gil_scoped_release release;
    return py::bytes(rp::merge(p, pass, s));
  });
  m.def("partition_aboves", [](const py::bytes& plan, const std::string& pass, const std::vector<py::bytes>& states) {
    const std::string p(plan);
    const std::vector<std::string> s = strings_of(states);
    std::vector<std::string> out;
    {
      py::gil_scoped_release release;
      out = rp::aboves(p, pass, s);
    }
    py::list result;
    for (const std::string& a : out) result.append(a.empty() ? py::object(py::none()) : py::object(py::bytes(a)));
    return result;
  });
  // The merged states in the order of partition_passes(plan).
  m.def("partition_finish", [](const py::bytes& plan, const std::vector<py::bytes>& states, const std::string& origin,
                               const py::object& limits) {
    const std::vector<std::string> merged = strings_of(states);
    const std::string p(plan);
    const referee::Limits checked = limits_from(limits);
    py::gil_scoped_release release;
    return rendered(rp::finish(p, merged, origin, checked));
  });
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "referee's compiled core; use the referee package, not this module";
  m.attr("__version__") = REFEREE_VERSION_STRING;
  bind_errors(m);
  bind_policy(m);
  bind_gate(m);
  bind_vocabulary(m);
  bind_checks(m);
  bind_partition_steps(m);
  bind_partition_driver(m);
}
