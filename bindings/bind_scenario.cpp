// Scenarios: read from a file or text, overridden, validated, printed as resolved TOML.
// The Python class cxsim.Scenario wraps this one.

#include <pybind11/stl.h>
#include <unistd.h>

#include <thread>

#include "bind.hpp"
#include "io/limits.hpp"
#include "experiment/runner.hpp"
#include "io/summary.hpp"
#include "io/edge_list.hpp"
#include "io/experiment_reader.hpp"
#include "io/scenario_reader.hpp"

namespace cxsim::py_bind {

namespace {

// The checks `cxsim validate` makes: ranges and cross-parameter rules, the edge-list file, memory.
py::dict validate_scenario(const Scenario& s, int threads) {
  const Params& p = s.params;
  validate(p);
  const auto plans = plan_experiment(read_experiment(s));
  const auto runs = static_cast<int>(plans.size());
  if (p.network_kind == "edge_list")
    (void)read_edge_list(p.network_edge_list, static_cast<std::uint32_t>(p.market_population));
  const int used = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const auto memory = estimate_experiment_memory(plans, p.run_replications, used);
  check_memory(plans, p.run_replications, used, s.path);
  const double customer_days = runs * static_cast<double>(p.market_population) * static_cast<double>(p.run_horizon_days) *
                               static_cast<double>(p.run_replications);
  py::dict out;
  out["customer_days"] = customer_days;
  out["memory_bytes"] = memory;
  out["threads"] = used;
  out["runs"] = runs;
  out["seconds_estimate"] = customer_days / (kEstimatedCustomerDaysPerSecondPerThread * used);
  return out;
}

}  // namespace

void register_scenario(py::module_& m) {
  py::class_<Scenario>(m, "Scenario", "A scenario as read: resolved parameters, source path and text")
      .def_static("from_file", &load_scenario, py::arg("path"), "Reads and checks a scenario file")
      .def_static(
          "from_string", [](const std::string& text, const std::string& path) { return parse_scenario(text, path); },
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
