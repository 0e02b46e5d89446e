// Scenarios: read from a file or text, overridden, validated, printed as resolved TOML.
// The Python class cxsim.Scenario wraps this one.

#include <pybind11/stl.h>

#include "app/study.hpp"
#include "bind.hpp"
#include "io/experiment_reader.hpp"
#include "io/scenario_reader.hpp"
#include "io/summary.hpp"

namespace cxsim::py_bind {

namespace {

// The checks `cxsim validate` makes (the facade's prepare_study): the experiment, the edge-list
// file, memory; returns the size estimate.
py::dict validate_scenario(const Scenario& s, int threads) {
  Study study = prepare_study(s, {}, threads);
  read_study_network(study);
  py::dict out;
  out["customer_days"] = study.customer_days;
  out["memory_bytes"] = study.memory_bytes;
  out["threads"] = study.threads;
  out["runs"] = static_cast<int>(study.plans.size());
  out["seconds_estimate"] = study.customer_days / (kEstimatedCustomerDaysPerSecondPerThread * study.threads);
  return out;
}

}  // namespace

void register_scenario(py::module_& m) {
  py::class_<Scenario>(m, "Scenario", "A scenario as read: resolved parameters, source path and text")
      .def_static(
          "from_file", [](const std::string& path) { return load_scenario(path); }, py::arg("path"),
          "Reads and checks a scenario file")
      .def_static(
          "from_string",
          [](const std::string& text, const std::string& path) { return parse_scenario(text, path); },
          py::arg("text"), py::arg("path") = "<string>", "Reads and checks scenario text")
      .def(
          "with_overrides",
          [](const Scenario& s, const std::vector<std::string>& assignments) {
            Scenario copy = s;
            apply_overrides(copy, assignments);
            return copy;
          },
          py::arg("assignments"), "A copy with `key=value` assignments applied, as `--set`")
      .def("validate", &validate_scenario, py::arg("threads") = 0,
           "Checks as `cxsim validate`; returns the size estimate")
      .def_property_readonly("params", [](const Scenario& s) { return params_dict(s.params); })
      .def_property_readonly("segments", [](const Scenario& s) { return segments_list(s.params); })
      .def_property_readonly("params_value", [](const Scenario& s) { return s.params; })
      .def_readonly("path", &Scenario::path)
      .def_readonly("text", &Scenario::text)
      .def("resolved_toml", [](const Scenario& s) { return resolved_toml(s.params); })
      .def(
          "plans",
          [](const Scenario& s) {
            py::list out;
            for (const RunPlan& plan : plan_experiment(read_experiment(s))) out.append(plan_dict(plan));
            return out;
          },
          "The runs the scenario declares (baseline, strategies, sweep points), checked as `cxsim run` does");
  m.def("scenarios_markdown", &scenarios_markdown, "The parameter reference (docs/scenarios.md)");
}

}  // namespace cxsim::py_bind
