// Calibration, sensitivity and selection from Python: the same C++ statistics the CLI uses
// (sim/experiment/{calibrate,sensitivity,select}), driven by Python callables or by the simulator
// (run_points, rerun_strategies), with the GIL released while simulating.

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <tuple>

#include "bind.hpp"
#include "experiment/calibrate.hpp"
#include "experiment/select.hpp"
#include "experiment/sensitivity.hpp"
#include "experiment/study_runs.hpp"
#include "io/edge_list.hpp"
#include "io/experiment_reader.hpp"
#include "io/scenario_reader.hpp"
#include "io/targets_reader.hpp"

namespace cxsim::py_bind {

namespace {

using Values = std::vector<std::vector<std::vector<double>>>;

std::vector<Measure> measures_of(const std::vector<std::tuple<std::string, int, int>>& specs, int horizon) {
  std::vector<Measure> out;
  for (const auto& [metric, from, to] : specs) {
    Measure m;
    m.metric = metric;
    m.from_day = from;
    m.to_day = to;
    check_measure(m, horizon);
    out.push_back(m);
  }
  return out;
}

std::optional<Network> network_of(const Scenario& s) {
  if (s.params.network_kind != "edge_list") return std::nullopt;
  return read_edge_list(s.params.network_edge_list, static_cast<std::uint32_t>(s.params.market_population));
}

Values run_points(const Scenario& scenario, const std::vector<std::string>& keys,
                  const std::vector<std::vector<double>>& points,
                  const std::vector<std::tuple<std::string, int, int>>& measure_specs, int replications,
                  int first, int threads) {
  const auto plans = plan_experiment(read_experiment(scenario));
  const auto measures = measures_of(measure_specs, static_cast<int>(scenario.params.run_horizon_days));
  for (const auto& k : keys) {  // the key itself; its range is check_box's
    if (is_segment_key(k)) {
      (void)study_key_value(scenario.params, k);  // names a number of one of the scenario's segments
      continue;
    }
    const ParamSpec* spec = find_param(k);
    check_study_key(k, spec ? spec->min : 0, spec ? spec->max : 1, {}, true, scenario.params);
  }
  const auto network = network_of(scenario);
  py::gil_scoped_release release;
  StudyRunner runner;
  runner.base = plans.front();
  runner.keys = keys;
  runner.replications = replications > 0 ? replications : static_cast<int>(scenario.params.run_replications);
  runner.options.threads = threads;
  runner.network = network ? &*network : nullptr;
  runner.chunk = 8;
  return runner.run(points, measures, first);
}

// What `cxsim sensitivity --vary` and calibrate's [[free]] check before any simulation: each key
// can be varied over its range, and every corner of the box makes a valid scenario.
void check_box(const Scenario& scenario, const std::vector<std::string>& keys, const std::vector<double>& min,
               const std::vector<double>& max, const std::string& box, const std::string& file) {
  if (min.size() != keys.size() || max.size() != keys.size())
    throw InputError("one (min, max) per key is needed");
  for (std::size_t i = 0; i < keys.size(); ++i) {
    check_study_key(keys[i], min[i], max[i], {}, true, scenario.params);
    for (std::size_t j = 0; j < i; ++j)  // segment[1].expectation and segment.price-driven.expectation
      if (canonical_study_key(scenario.params.segments, keys[j]) ==
          canonical_study_key(scenario.params.segments, keys[i]))
        throw InputError("is given twice (as '" + keys[j] + "' too)", "", 0, 0, keys[i]);
  }
  StudyRunner runner;
  runner.base = plan_experiment(read_experiment(scenario)).front();
  runner.keys = keys;
  try {
    runner.check_corners(min, max);
  } catch (const InputError& e) {
    throw_box_error(e, box, file);
  }
}

Values rerun_strategies(const Scenario& scenario, const std::vector<std::string>& names, int first, int count,
                        const std::vector<std::tuple<std::string, int, int>>& measure_specs, int threads) {
  const auto all = plan_experiment(read_experiment(scenario));
  const auto measures = measures_of(measure_specs, static_cast<int>(scenario.params.run_horizon_days));
  std::vector<RunPlan> chosen;
  for (const auto& name : names) {
    const auto it = std::find_if(all.begin(), all.end(), [&](const RunPlan& p) { return p.name == name; });
    if (it == all.end()) throw InputError("strategy '" + name + "' is not in the scenario", scenario.path);
    chosen.push_back(*it);
  }
  const auto network = network_of(scenario);
  ExperimentResult r;
  {
    py::gil_scoped_release release;
    RunOptions options;
    options.threads = threads;
    r = run_plans(chosen, first, count, options, network ? &*network : nullptr);
  }
  Values out;
  for (const auto& run : r.runs) {
    std::vector<std::vector<double>> v;
    for (const auto& m : measures) v.push_back(measure_values(m, run.series));
    out.push_back(v);
  }
  return out;
}

py::dict estimate(const Estimate& e) {
  return py::dict(py::arg("value") = e.value, py::arg("low") = e.low, py::arg("high") = e.high);
}

}  // namespace

void register_studies(py::module_& m) {
  m.def(
      "run_points", &run_points, py::arg("scenario"), py::arg("keys"), py::arg("points"), py::arg("measures"),
      py::arg("replications") = 0, py::arg("first") = 0, py::arg("threads") = 0,
      "values[point][measure][replication]: the scenario's baseline with `keys` set to each point, every "
      "point "
      "on the same replications (common random numbers). measures: (metric, from_day, to_day), 0 = default");
  m.def("check_box", &check_box, py::arg("scenario"), py::arg("keys"), py::arg("min"), py::arg("max"),
        py::arg("box") = "the ranges", py::arg("file") = "",
        "Raises ScenarioError unless every key can be varied over [min, max] and every corner of the box "
        "makes a valid scenario (what cxsim sensitivity and calibrate check before simulating)");
  m.def("rerun_strategies", &rerun_strategies, py::arg("scenario"), py::arg("names"), py::arg("first"),
        py::arg("count"), py::arg("measures"), py::arg("threads") = 0,
        "values[strategy][measure][replication] of replications [first, first + count) of the named "
        "strategies");
  m.def(
      "load_targets",
      [](const std::string& path, const Scenario& scenario) {
        const TargetsFile t = load_targets(path, scenario.params);
        py::list targets, free;
        for (const auto& x : t.targets)
          targets.append(py::dict(
              py::arg("metric") = x.measure.metric, py::arg("from_day") = x.measure.from_day,
              py::arg("to_day") = x.measure.to_day, py::arg("value") = x.value, py::arg("sd") = x.sd));
        for (const auto& f : t.free)
          free.append(py::dict(py::arg("key") = f.key, py::arg("min") = f.min, py::arg("max") = f.max,
                               py::arg("start") = study_key_value(scenario.params, f.key)));
        return py::make_tuple(targets, free);
      },
      py::arg("path"), py::arg("scenario"), "Reads and checks a calibration targets file: (targets, free)");
  m.def(
      "morris",
      [](int factors, const BatchEvaluator& evaluate, int trajectories, int levels, std::uint64_t seed,
         int resamples, double level) {
        MorrisSpec spec;
        spec.trajectories = trajectories;
        spec.levels = levels;
        spec.seed = spec.bootstrap.seed = seed;
        spec.bootstrap.resamples = resamples;
        spec.bootstrap.level = level;
        const MorrisResult r = morris(factors, spec, evaluate);
        py::list indices;
        for (const auto& out : r.indices) {
          py::list row;
          for (const auto& x : out)
            row.append(py::dict(py::arg("mu_star") = estimate(x.mu_star), py::arg("mu") = x.mu,
                                py::arg("sigma") = x.sigma));
          indices.append(row);
        }
        return py::dict(py::arg("points") = r.points, py::arg("outputs") = r.outputs,
                        py::arg("indices") = indices);
      },
      py::arg("factors"), py::arg("evaluate"), py::arg("trajectories") = 20, py::arg("levels") = 4,
      py::arg("seed") = 1, py::arg("resamples") = 1000, py::arg("level") = 0.95,
      "Morris elementary effects: evaluate(points in [0,1)^k) -> outputs[point][output]");
  m.def(
      "sobol",
      [](int factors, const BatchEvaluator& evaluate, int samples, std::uint64_t seed, int resamples,
         double level) {
        SobolSpec spec;
        spec.samples = samples;
        spec.bootstrap.seed = seed;
        spec.bootstrap.resamples = resamples;
        spec.bootstrap.level = level;
        const SobolResult r = sobol(factors, spec, evaluate);
        py::list indices;
        for (const auto& out : r.indices) {
          py::list row;
          for (const auto& x : out)
            row.append(py::dict(py::arg("first") = estimate(x.first), py::arg("total") = estimate(x.total)));
          indices.append(row);
        }
        return py::dict(py::arg("points") = r.points, py::arg("outputs") = r.outputs,
                        py::arg("variance") = r.variance, py::arg("indices") = indices);
      },
      py::arg("factors"), py::arg("evaluate"), py::arg("samples") = 256, py::arg("seed") = 1,
      py::arg("resamples") = 1000, py::arg("level") = 0.95,
      "Sobol' first-order and total indices (Saltelli 2010, Jansen 1999) with bootstrap intervals");
  m.def(
      "select_best",
      [](int systems, int measures, bool maximize, double indifference, double confidence,
         const std::vector<std::tuple<int, bool, double>>& constraints, int first_stage, int max_replications,
         const SelectionSampler& sampler, int available, bool can_sample_more) {
        SelectionSpec spec;
        spec.maximize = maximize;
        spec.indifference = indifference;
        spec.confidence = confidence;
        spec.first_stage = first_stage;
        spec.max_replications = max_replications;
        for (const auto& [measure, at_least, bound] : constraints)
          spec.constraints.push_back({measure, at_least, bound});
        SelectionResult r;
        try {
          r = select_best(systems, measures, spec, sampler, available, can_sample_more);
        } catch (const std::invalid_argument& e) {
          throw InputError(e.what());
        }
        py::list rows;
        for (const auto& s : r.systems) {
          const char* f = s.feasibility == Feasibility::feasible     ? "feasible"
                          : s.feasibility == Feasibility::infeasible ? "infeasible"
                                                                     : "undetermined";
          rows.append(py::dict(py::arg("replications") = s.replications, py::arg("mean") = s.mean,
                               py::arg("half_width") = s.half_width, py::arg("feasibility") = f,
                               py::arg("constraint_mean") = s.constraint_mean,
                               py::arg("eliminated_at") = s.eliminated_at,
                               py::arg("difference_from_selected") = s.difference_from_selected,
                               py::arg("difference_half_width") = s.difference_half_width));
        }
        return py::dict(py::arg("selected") = r.selected, py::arg("finished") = r.finished,
                        py::arg("probability_correct") = r.probability_correct,
                        py::arg("more_replications_needed") = r.more_replications_needed,
                        py::arg("total_replications") = r.total_replications, py::arg("h2") = r.h2,
                        py::arg("alpha_feasibility") = r.alpha_feasibility,
                        py::arg("alpha_selection") = r.alpha_selection, py::arg("systems") = rows);
      },
      py::arg("systems"), py::arg("measures"), py::arg("maximize"), py::arg("indifference"),
      py::arg("confidence"), py::arg("constraints"), py::arg("first_stage"), py::arg("max_replications"),
      py::arg("sampler"), py::arg("available"), py::arg("can_sample_more"),
      "Kim-Nelson KN selection with Bonferroni feasibility checks; sampler(systems, first, count) -> "
      "values[system][measure][rep]");
  m.def(
      "calibrate",
      [](const std::vector<std::tuple<std::string, double, double>>& targets,
         const std::vector<std::tuple<std::string, double, double, double>>& free,
         const TargetEvaluator& evaluate, int starts, int budget, int threads) {
        std::vector<CalibrationTarget> t;
        for (const auto& [name, value, sd] : targets) t.push_back({name, value, sd});
        std::vector<FreeParameter> f;
        for (const auto& [key, lo, hi, start] : free) f.push_back({key, lo, hi, start});
        CalibrationSpec spec;
        spec.starts = starts;
        spec.budget = budget;
        spec.threads = threads;
        CalibrationResult r;
        try {
          // Starts run on worker threads that call `evaluate` (which takes the GIL): release it.
          py::gil_scoped_release release;
          r = calibrate(t, f, spec, evaluate);
        } catch (const std::invalid_argument& e) {
          throw InputError(e.what());
        }
        py::list fits, params;
        for (const auto& x : r.targets)
          fits.append(py::dict(py::arg("fitted") = x.fitted, py::arg("half_width") = x.half_width,
                               py::arg("z") = x.z));
        for (const auto& x : r.parameters)
          params.append(py::dict(py::arg("value") = x.value, py::arg("se") = x.se, py::arg("low") = x.low,
                                 py::arg("high") = x.high, py::arg("identified") = x.identified));
        return py::dict(py::arg("best") = r.best, py::arg("objective") = r.objective,
                        py::arg("degrees_of_freedom") = r.degrees_of_freedom,
                        py::arg("evaluations") = r.evaluations, py::arg("targets") = fits,
                        py::arg("parameters") = params);
      },
      py::arg("targets"), py::arg("free"), py::arg("evaluate"), py::arg("starts") = 3, py::arg("budget") = 60,
      py::arg("threads") = 0,
      "Fits free values to targets: evaluate(x) -> values[target][replication]; NLopt BOBYQA, several "
      "starts, "
      "Gauss-Newton intervals");
}

}  // namespace cxsim::py_bind
