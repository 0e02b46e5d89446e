// Running a scenario from Python, as `cxsim run` does: the experiment (baseline, strategies, sweep
// points) is planned, then run on a C++ thread with the GIL released while the calling thread
// polls (holding the GIL only briefly) for Ctrl-C and reports progress. On KeyboardInterrupt, or
// an exception from the progress callback, it sets the run's cancel flag, waits for the workers
// to stop and re-raises: nothing is returned and nothing is written.

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "app/study.hpp"
#include "bind.hpp"
#include "cxsim/version.hpp"
#include "io/summary.hpp"
#include "kpi/facts.hpp"

namespace cxsim::py_bind {

namespace {

const char* kind_name(RunKind kind) {
  switch (kind) {
    case RunKind::baseline:
      return "baseline";
    case RunKind::strategy:
      return "strategy";
    case RunKind::sweep_point:
      return "sweep_point";
  }
  return "?";
}

py::dict overrides_dict(const std::vector<ParamOverride>& overrides) {
  py::dict out;
  for (const ParamOverride& o : overrides) out[py::str(o.key)] = o.value;
  return out;
}

}  // namespace

py::dict plan_dict(const RunPlan& plan) {
  py::dict d;
  d["name"] = plan.name;
  d["kind"] = kind_name(plan.kind);
  d["description"] = plan.description;
  d["overrides"] = overrides_dict(plan.overrides);
  py::list interventions;
  for (const RunPlan::Change& change : plan.changes) {
    py::dict c;
    c["day"] = change.day;
    c["values"] = overrides_dict(change.overrides);
    interventions.append(c);
  }
  d["interventions"] = interventions;
  py::dict sweep;
  for (const auto& [key, value] : plan.sweep_values) sweep[py::str(key)] = value;
  d["sweep_values"] = sweep;
  return d;
}

namespace {

using Shared = std::shared_ptr<const ExperimentResult>;

/// A finished experiment, shared by the arrays that view its series (their capsules hold a
/// reference), so no series is ever copied.
class RunData {
 public:
  RunData(ExperimentResult&& result, std::string precision)
      : result_(std::make_shared<ExperimentResult>(std::move(result))), precision_(std::move(precision)) {}

  py::dict to_dict() const {
    const ExperimentResult& r = *result_;
    py::dict attributes;
    attributes["cxsim_version"] = kVersion;
    attributes["git_sha"] = kGitSha;
    attributes["seed"] = r.baseline.run_seed;
    attributes["replications"] = r.baseline.run_replications;
    attributes["horizon_days"] = r.baseline.run_horizon_days;
    attributes["population"] = r.baseline.market_population;
    attributes["threads"] = r.stats.threads;
    attributes["customer_days"] = r.stats.customer_days;
    attributes["seconds_total"] = r.stats.seconds_total;
    attributes["seconds_simulating"] = r.stats.seconds_simulating;
    if (!precision_.empty()) attributes["precision"] = precision_;

    const py::capsule owner(new Shared(result_), [](void* p) { delete static_cast<Shared*>(p); });
    py::list strategies;
    for (const StrategyResult& run : r.runs) {
      const SeriesSet& s = run.series;
      py::dict series;
      py::list metrics;
      for (int m = 0; m < kMetricCount; ++m) {
        const MetricDef& def = metric_defs()[m];
        const double* data = s.metric(static_cast<Metric>(m)).data();
        series[py::str(std::string(def.name))] = array_view<double>(data, {s.replications, s.days}, owner);
        py::dict info;
        info["name"] = std::string(def.name);
        info["unit"] = std::string(def.unit);
        info["kind"] = def.kind == MetricKind::stock  ? "stock"
                       : def.kind == MetricKind::flow ? "flow"
                                                      : "ratio";
        info["description"] = std::string(def.description);
        metrics.append(info);
      }
      py::dict d = plan_dict(run.plan);
      d["replications"] = s.replications;
      d["days"] = s.days;
      d["metrics"] = metrics;
      d["series"] = series;
      d["customer_replications"] = run.customers.size();
      d["has_episodes"] = !run.episodes.empty();
      d["series_by_segment"] = segment_series_dict(run.segment_series);
      strategies.append(d);
    }
    py::list sweep_keys;
    for (const std::string& key : r.sweep_keys) sweep_keys.append(key);

    py::dict out;
    out["attributes"] = attributes;
    out["parameters"] = params_dict(r.baseline);
    out["segments"] = segments_list(r.baseline);
    out["strategies"] = strategies;
    out["sweep_keys"] = sweep_keys;
    return out;
  }

  /// Final customer state of one replication of one strategy as {column: (array, unit, description)}.
  py::dict customers(const std::string& strategy, int rep) const {
    for (const StrategyResult& run : result_->runs) {
      if (run.plan.name != strategy) continue;
      if (run.customers.empty()) return py::dict();
      if (rep < 0 || rep >= static_cast<int>(run.customers.size()))
        throw py::index_error("no such replication");
      const py::capsule owner(new Shared(result_), [](void* p) { delete static_cast<Shared*>(p); });
      py::dict out;
      for (const CustomerColumn& c : run.customers[static_cast<std::size_t>(rep)]) {
        py::object array = std::visit(
            [&](const auto& v) -> py::object {
              using T = typename std::decay_t<decltype(v)>::value_type;
              return array_view<T>(v.data(), {static_cast<py::ssize_t>(v.size())}, owner);
            },
            c.data);
        out[py::str(c.name)] = py::make_tuple(array, c.unit, c.description);
      }
      return out;
    }
    throw py::key_error("no strategy '" + strategy + "'");
  }

  /// The episode table of one strategy (see episodes_dict), None when not recorded.
  py::object episodes(const std::string& strategy) const {
    const StrategyResult& run = find(strategy);
    if (run.episodes.empty()) return py::none();
    std::vector<std::int32_t> rep;
    std::vector<EpisodeRow> rows;
    std::int64_t dropped = 0;
    for (std::size_t r = 0; r < run.episodes.size(); ++r) {
      rows.insert(rows.end(), run.episodes[r].rows.begin(), run.episodes[r].rows.end());
      rep.insert(rep.end(), run.episodes[r].rows.size(), static_cast<std::int32_t>(r));
      dropped += static_cast<std::int64_t>(run.episodes[r].rows_dropped);
    }
    std::vector<std::string> segments;
    for (const Segment& s : run.plan.params.segments) segments.push_back(s.name);
    return episodes_dict(rep, rows, static_cast<int>(run.episodes.size()), run.plan.params.run_episode_sample,
                         run.plan.params.run_episode_max_rows, dropped, segments);
  }

  /// The published facts measured from one strategy (kpi/facts.hpp).
  py::dict facts(const std::string& strategy) const {
    const StrategyResult& run = find(strategy);
    FactsInput input;
    input.params = run.plan.params;
    input.series = run.series;
    input.has_episodes = !run.episodes.empty();
    input.episode_replications = static_cast<int>(run.episodes.size());
    for (std::size_t r = 0; r < run.episodes.size(); ++r) {
      input.episodes.insert(input.episodes.end(), run.episodes[r].rows.begin(), run.episodes[r].rows.end());
      input.episode_replication.insert(input.episode_replication.end(), run.episodes[r].rows.size(),
                                       static_cast<std::int32_t>(r));
    }
    py::dict out;
    out["facts"] = facts_list(input);
    out["has_episodes"] = input.has_episodes;
    return out;
  }

  void save(const std::string& path, const std::string& command_line, const std::string& scenario_path,
            const std::string& scenario_text) const {
    py::gil_scoped_release nogil;
    results_file([&] {  // a new path or over a results file
      save_results(path, *result_, command_line, scenario_path, scenario_text);
    });
  }

 private:
  const StrategyResult& find(const std::string& strategy) const {
    for (const StrategyResult& run : result_->runs)
      if (run.plan.name == strategy) return run;
    throw py::key_error("no strategy '" + strategy + "'");
  }

  Shared result_;
  std::string precision_;
};

struct Worker {
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  std::atomic<bool> cancel{false};
  std::atomic<std::uint64_t> done{0}, total{0};
  std::atomic<int> run{-1}, replication{-1};  ///< the task started last
  std::optional<StudyOutcome> result;
  std::exception_ptr error;
};

RunData run_scenario(const Scenario& scenario, int threads, const py::object& progress, double poll_seconds,
                     const std::optional<std::vector<std::string>>& strategies, double precision,
                     int max_replications, const std::vector<std::string>& precision_figures,
                     const py::object& task) {
  // Every check before any work, the CLI's: the experiment, its plans, the edge-list file, memory.
  StudySelection selection;
  if (strategies) {
    if (strategies->empty()) throw InputError("no strategies chosen to run");
    selection.strategies = *strategies;
  }
  selection.precision = precision;
  selection.max_replications = max_replications;
  selection.precision_figures = precision_figures;
  if (precision > 0 && strategies)
    throw InputError("precision= runs every strategy of the scenario; leave strategies= out");
  Study study = prepare_study(scenario, selection, threads);
  read_study_network(study);

  auto worker = std::make_shared<Worker>();
  RunOptions options;
  options.cancel = &worker->cancel;
  options.progress = [w = worker.get()](std::uint64_t done, std::uint64_t total) {
    w->done.store(done, std::memory_order_relaxed);
    w->total.store(total, std::memory_order_relaxed);
  };
  options.task_started = [w = worker.get()](int run, int replication) {
    w->replication.store(replication, std::memory_order_relaxed);
    w->run.store(run, std::memory_order_relaxed);
  };
  int shown_run = -1, shown_replication = -1;
  std::thread thread([&, worker] {
    try {
      worker->result.emplace(run_study(study, options));
    } catch (...) {
      worker->error = std::current_exception();
    }
    {
      std::lock_guard lock(worker->mutex);
      worker->finished = true;
    }
    worker->finished_cv.notify_all();
  });

  std::exception_ptr caller_error;  // KeyboardInterrupt, or whatever progress() raised
  const auto poll = std::chrono::duration<double>(std::max(0.001, poll_seconds));
  while (true) {
    bool finished = false;
    {
      py::gil_scoped_release nogil;
      std::unique_lock lock(worker->mutex);
      finished = worker->finished_cv.wait_for(lock, poll, [&] { return worker->finished; });
    }
    if (finished) break;
    if (caller_error) continue;  // cancelling: wait for the workers to stop
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // KeyboardInterrupt, usually
      const int run = worker->run.load(), replication = worker->replication.load();
      if (!task.is_none() && run >= 0 && static_cast<std::size_t>(run) < study.plans.size() &&
          (run != shown_run || replication != shown_replication)) {
        shown_run = run;
        shown_replication = replication;
        task(study.plans[static_cast<std::size_t>(run)].name, replication);
      }
      if (!progress.is_none()) progress(worker->done.load(), worker->total.load());
    } catch (...) {
      caller_error = std::current_exception();
      worker->cancel.store(true);
    }
  }
  {
    py::gil_scoped_release nogil;
    thread.join();
  }
  if (caller_error) std::rethrow_exception(caller_error);
  if (worker->error) std::rethrow_exception(worker->error);
  if (!progress.is_none()) progress(worker->total.load(), worker->total.load());
  StudyOutcome outcome = std::move(*worker->result);
  const std::string precision_text =
      outcome.precision ? describe_precision(*outcome.precision, *study.precision) : std::string();
  return RunData(std::move(outcome.result), precision_text);
}

}  // namespace

void register_run(py::module_& m) {
  py::class_<RunData>(m, "RunData",
                      "A finished experiment held in C++ memory (arrays view it without copies)")
      .def("to_dict", &RunData::to_dict,
           "attributes, parameters, segments, sweep_keys and strategies with their plans and series arrays")
      .def("customers", &RunData::customers, py::arg("strategy"), py::arg("replication"),
           "Final customer state of one replication as {column: (array, unit, description)}")
      .def("episodes", &RunData::episodes, py::arg("strategy"),
           "The episode table of one strategy (None when run.episodes was off)")
      .def("facts", &RunData::facts, py::arg("strategy"), "The published facts measured from one strategy")
      .def("save", &RunData::save, py::arg("path"), py::arg("command_line"), py::arg("scenario_path"),
           py::arg("scenario_text"), "Writes the results file atomically with the C++ writer");
  m.def("run", &run_scenario, py::arg("scenario"), py::arg("threads") = 0, py::arg("progress") = py::none(),
        py::arg("poll_seconds") = 0.1, py::arg("strategies") = py::none(), py::arg("precision") = 0.0,
        py::arg("max_replications") = 100, py::arg("precision_figures") = std::vector<std::string>{},
        py::arg("task") = py::none(),
        "Runs the scenario's experiment with the GIL released; progress(done, total) is called from "
        "this thread every poll_seconds, and task(strategy, replication) (0-based) when the run last "
        "started changed; Ctrl-C cancels the run and raises KeyboardInterrupt");
}

}  // namespace cxsim::py_bind
