#pragma once
// Shared declarations of the Python bindings: one register_* per domain (docs/architecture.md), and
// the helpers that hand C++ buffers to NumPy without copying.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <memory>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/params.hpp"
#include "experiment/experiment.hpp"
#include "kpi/facts.hpp"

namespace cxsim::py_bind {

namespace py = pybind11;

void register_errors(py::module_& m);
void register_params(py::module_& m);
void register_scenario(py::module_& m);
void register_run(py::module_& m);
void register_results(py::module_& m);
void register_stats(py::module_& m);
void register_erlang(py::module_& m);
void register_compare(py::module_& m);
void register_studies(py::module_& m);
void register_facts(py::module_& m);

/// A results file that cannot be read: translated to cxsim.ResultsError rather than ScenarioError.
class ResultsFileError : public InputError {
 public:
  explicit ResultsFileError(const InputError& e)
      : InputError(e.message(), e.file(), e.line(), e.column(), e.key()) {}
};

/// Runs `body` (a read of a results file), turning its InputError into a ResultsFileError.
template <class F>
auto results_file(F&& body) {
  try {
    return body();
  } catch (const ResultsFileError&) {
    throw;
  } catch (const InputError& e) {
    throw ResultsFileError(e);
  }
}

/// Moves `values` to the heap, owned by a capsule that frees it when the last array using it goes.
template <class T>
py::capsule owning_capsule(std::vector<T>&& values, const T** data) {
  auto* owned = new std::vector<T>(std::move(values));
  *data = owned->data();
  return py::capsule(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
}

/// A C-contiguous array over `data` whose memory `owner` keeps alive (no copy; pybind11 #1042).
template <class T>
py::array_t<T> array_view(const T* data, std::vector<py::ssize_t> shape, const py::capsule& owner) {
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t stride = sizeof(T);
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return py::array_t<T>(std::move(shape), std::move(strides), data, owner);
}

/// A 1-D array that takes over `values` without copying them.
template <class T>
py::array_t<T> to_array(std::vector<T>&& values) {
  const auto n = static_cast<py::ssize_t>(values.size());
  const T* data = nullptr;
  py::capsule owner = owning_capsule(std::move(values), &data);
  return array_view<T>(data, {n}, owner);
}

/// One parameter's value as a Python object of its type (float, int, bool or str).
py::object param_value(const Params& params, const ParamSpec& spec);

/// Every parameter as {"section.name": value} in registry order.
py::dict params_dict(const Params& params);

/// The segments as a list of {"name": ..., key: value} dicts.
py::list segments_list(const Params& params);

/// output.by_segment: {metric: float64 array [replication, day, segment]} (copies); an empty dict
/// without the split.
py::dict segment_series_dict(const std::vector<SeriesSet>& by_segment);

/// A run plan as {name, kind, description, overrides, interventions, sweep_values}.
py::dict plan_dict(const RunPlan& plan);

/// An episode table as {columns: {name: array}, categories: {name: [labels]}, replications, sample,
/// max_rows, rows_dropped} (bind_facts.cpp).
py::object episodes_dict(const std::vector<std::int32_t>& replication, const std::vector<EpisodeRow>& rows,
                         int replications, std::int64_t sample, std::int64_t max_rows, std::int64_t dropped,
                         const std::vector<std::string>& segments);

/// The facts (kpi/facts.hpp) as a list of dicts, one per fact.
py::list facts_list(const FactsInput& input);

}  // namespace cxsim::py_bind
