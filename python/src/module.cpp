// referee._core: the thin binding layer. Policies are parsed and arrays checked while the
// GIL is held; referee::evaluate runs with the GIL released and touches no Python object.
// float64 C-contiguous arrays are read in place (noconvert: the Python layer converts
// anything else explicitly, so a copy is never silent).

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <referee/binary_accumulator.hpp>
#include <referee/error.hpp>
#include <referee/evaluate.hpp>
#include <referee/regression_accumulator.hpp>
#include <referee/html_report.hpp>
#include <referee/markdown_report.hpp>
#include <referee/report.hpp>
#include <referee/version.h>

namespace py = pybind11;

namespace {

using F64Array = py::array_t<double, py::array::c_style>;
using U32Array = py::array_t<std::uint32_t, py::array::c_style>;
// A segment or sensitive column: its name, dictionary codes and dictionary.
using CategoricalInput = std::tuple<std::string, U32Array, std::vector<std::string>>;

std::span<const double> span_of(const F64Array& a) {
  if (a.ndim() != 1) throw referee::DataError("memory: columns must be one-dimensional");
  return {a.data(), static_cast<std::size_t>(a.shape(0))};
}

std::span<const double> optional_span(const std::optional<F64Array>& a) {
  return a ? span_of(*a) : std::span<const double>{};
}

referee::EvaluateOptions options_for(std::optional<std::uint64_t> seed, unsigned threads,
                                     const std::optional<std::function<void(double)>>& progress) {
  referee::EvaluateOptions options;
  options.seed = seed;
  options.threads = threads;
  if (progress) {
    // Called from worker threads (serialised by the engine), so take the GIL first.
    options.progress = [callback = *progress](double fraction) {
      py::gil_scoped_acquire gil;
      callback(fraction);
    };
  }
  return options;
}

// The report as JSON (the record), Markdown and HTML (for people), rendered together so
// that Python never re-derives what the C++ renderers say.
using Rendered = std::tuple<std::string, std::string, std::string>;

Rendered rendered(const referee::Evaluation& ev) {
  return {referee::report_text(ev), referee::markdown_report(ev), referee::html_report(ev)};
}

Rendered evaluate_csv(const std::string& path, const referee::Policy& policy,
                         std::optional<std::uint64_t> seed, unsigned threads,
                         std::optional<std::function<void(double)>> progress) {
  const auto options = options_for(seed, threads, progress);
  py::gil_scoped_release release;
  const referee::Table table = referee::read_table_csv(path, policy.columns, policy.task);
  return rendered(referee::evaluate(table, policy, options));
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

// The arrays are read (pointers and shapes) while the GIL is held; building the table
// (its data hash, the categorical columns), validating and evaluating run without it.
// The pybind11 argument casters keep every array alive until the call returns.
Rendered evaluate_arrays(const referee::Policy& policy, const F64Array& label,
                         const F64Array& champion, const F64Array& challenger,
                         const std::optional<F64Array>& weight,
                         const std::optional<U32Array>& cluster_codes,
                         const std::vector<std::string>& cluster_dictionary,
                         std::optional<std::uint64_t> seed, unsigned threads,
                         std::optional<std::function<void(double)>> progress,
                         const std::vector<CategoricalInput>& categorical) {
  const auto label_span = span_of(label), champion_span = span_of(champion),
             challenger_span = span_of(challenger), weight_span = optional_span(weight);
  const auto codes = cluster_codes ? codes_of(*cluster_codes, policy.columns.cluster)
                                   : std::span<const std::uint32_t>{};
  std::vector<CategoricalView> views;
  for (const auto& [name, column_codes, dictionary] : categorical)
    views.push_back({name, codes_of(column_codes, name), &dictionary});
  const auto options = options_for(seed, threads, progress);

  py::gil_scoped_release release;
  referee::Table table = referee::borrowed_table(label_span, champion_span, challenger_span, weight_span,
                                                 codes, cluster_dictionary, policy.columns);
  for (const auto& view : views) referee::add_categorical(table, view.name, view.codes, *view.dictionary);
  referee::validate_table(table, policy.task);
  return rendered(referee::evaluate(table, policy, options));
}

// Every metric of a task for one model on the data as given: {name: (value, reason)}.
py::dict point_metrics(const std::string& task_name, const F64Array& y, const F64Array& score,
                       const std::optional<F64Array>& weight, double threshold) {
  const referee::Task task = task_name == "binary" ? referee::Task::binary : referee::Task::regression;
  const auto names = referee::task_metrics(task);
  std::vector<referee::MetricValue> values(names.size());
  {
    const auto y_span = span_of(y), score_span = span_of(score), weight_span = optional_span(weight);
    py::gil_scoped_release release;
    referee::Table table = referee::borrowed_table(y_span, score_span, score_span, weight_span, {}, {},
                                                   {"y_true", "y_score", "y_score", "", ""});
    if (!weight_span.empty()) table.columns.weight = "weight";
    referee::validate_table(table, task);
    if (task == referee::Task::binary) {
      const referee::BinaryColumns c{table.label, table.champion, table.weight};
      const referee::RankedModel ranked = referee::rank_model(c, referee::RowUnits{}, threshold);
      referee::binary_metrics(referee::accumulate_binary(c, ranked, referee::UnitWeights{}), 0,
                              std::span<referee::MetricValue, referee::kBinaryMetricCount>(values));
    } else {
      const referee::RegressionColumns c{table.label, table.champion, table.challenger, table.weight};
      const referee::RegressionPlan plan = referee::plan_regression(c, referee::RowUnits{});
      referee::regression_metrics(referee::accumulate_regression(c, plan, referee::UnitWeights{}), 0, 0,
                                  std::span<referee::MetricValue, referee::kRegressionMetricCount>(values));
    }
  }
  py::dict out;
  for (std::size_t k = 0; k < names.size(); ++k) {
    const auto& v = values[k];
    out[py::str(std::string(names[k].name))] =
        py::make_tuple(v.defined ? py::object(py::float_(v.value)) : py::object(py::none()),
                       std::string(v.reason));
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "referee's compiled core; use the referee package, not this module";
  m.attr("__version__") = REFEREE_VERSION_STRING;

  static py::exception<referee::Error> base(m, "RefereeError");
  static py::exception<referee::PolicyError> policy_error(m, "PolicyError", base.ptr());
  static py::exception<referee::DataError> data_error(m, "DataError", base.ptr());
  static py::exception<referee::IoError> io_error(m, "IoError", base.ptr());
  static py::exception<referee::CancelledError> cancelled(m, "CancelledError", base.ptr());
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const referee::PolicyError& e) {
      py::set_error(policy_error, e.what());
    } catch (const referee::DataError& e) {
      py::set_error(data_error, e.what());
    } catch (const referee::IoError& e) {
      py::set_error(io_error, e.what());
    } catch (const referee::CancelledError& e) {
      py::set_error(cancelled, e.what());
    } catch (const referee::UsageError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const referee::Error& e) {
      py::set_error(base, e.what());
    }
  });

  py::class_<referee::Policy>(m, "Policy")
      .def_static(
          "from_json",
          [](const std::string& text, const std::string& origin) {
            return referee::parse_policy_text(text, origin);
          },
          py::arg("text"), py::arg("origin") = "policy")
      .def_static("load", [](const std::string& path) { return referee::load_policy(path); })
      .def_property_readonly("task", [](const referee::Policy& p) { return std::string(referee::task_name(p.task)); })
      .def_property_readonly("name", [](const referee::Policy& p) { return p.name; })
      .def_property_readonly("sha256", [](const referee::Policy& p) { return p.sha256; })
      .def_property_readonly("json", [](const referee::Policy& p) { return p.source.dump(); })
      .def_property_readonly("columns", [](const referee::Policy& p) {
        py::dict c;
        c["label"] = p.columns.label;
        c["champion"] = p.columns.champion;
        c["challenger"] = p.columns.challenger;
        c["weight"] = p.columns.weight.empty() ? py::object(py::none()) : py::str(p.columns.weight);
        c["cluster"] = p.columns.cluster.empty() ? py::object(py::none()) : py::str(p.columns.cluster);
        c["categorical"] = p.columns.categorical;
        return c;
      });

  m.def("evaluate_csv", &evaluate_csv, py::arg("path"), py::arg("policy"), py::arg("seed"),
        py::arg("threads"), py::arg("progress"));
  m.def("evaluate_arrays", &evaluate_arrays, py::arg("policy"), py::arg("label").noconvert(),
        py::arg("champion").noconvert(), py::arg("challenger").noconvert(),
        py::arg("weight").noconvert(), py::arg("cluster_codes").noconvert(),
        py::arg("cluster_dictionary"), py::arg("seed"), py::arg("threads"), py::arg("progress"),
        py::arg("categorical") = std::vector<CategoricalInput>{});
  m.def("point_metrics", &point_metrics, py::arg("task"), py::arg("y").noconvert(),
        py::arg("score").noconvert(), py::arg("weight").noconvert(), py::arg("threshold"));
}
