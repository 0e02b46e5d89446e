// Running a scenario from Python: the simulation runs on a C++ thread with the GIL released,
// while the calling thread polls (holding the GIL only briefly) for Ctrl-C and reports progress.
// On KeyboardInterrupt, or an exception from the progress callback, it sets the run's cancel flag,
// waits for the workers to stop and re-raises: nothing is returned and nothing is written.

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "bind.hpp"
#include "core/runner.hpp"
#include "cxsim/version.hpp"
#include "io/edge_list.hpp"
#include "io/results_writer.hpp"
#include "io/scenario_reader.hpp"

namespace cxsim::py_bind {

namespace {

/// A finished run, shared by the arrays that view its series (their capsules hold a reference).
class RunData {
 public:
  explicit RunData(RunResult&& result) : result_(std::make_shared<RunResult>(std::move(result))) {}

  py::dict to_dict() const {
    const RunResult& r = *result_;
    py::dict attributes;
    attributes["cxsim_version"] = kVersion;
    attributes["git_sha"] = kGitSha;
    attributes["seed"] = r.params.run_seed;
    attributes["replications"] = r.params.run_replications;
    attributes["horizon_days"] = r.params.run_horizon_days;
    attributes["population"] = r.params.market_population;
    attributes["threads"] = r.stats.threads;
    attributes["customer_days"] = r.stats.customer_days;
    attributes["seconds_total"] = r.stats.seconds_total;
    attributes["seconds_simulating"] = r.stats.seconds_simulating;

    // One capsule keeps the whole RunResult alive for every array viewing it (no copy).
    const py::capsule owner(new std::shared_ptr<const RunResult>(result_),
                            [](void* p) { delete static_cast<std::shared_ptr<const RunResult>*>(p); });
    const SeriesSet& s = r.series;
    py::dict series;
    py::list metrics;
    for (int m = 0; m < kMetricCount; ++m) {
      const MetricDef& def = metric_defs()[m];
      const double* data = s.metric(static_cast<Metric>(m)).data();
      series[py::str(std::string(def.name))] = array_view<double>(data, {s.replications, s.days}, owner);
      py::dict info;
      info["name"] = std::string(def.name);
      info["unit"] = std::string(def.unit);
      info["kind"] = def.kind == MetricKind::stock ? "stock" : def.kind == MetricKind::flow ? "flow" : "ratio";
      info["description"] = std::string(def.description);
      metrics.append(info);
    }
    py::dict strategy;
    strategy["name"] = "baseline";
    strategy["replications"] = s.replications;
    strategy["days"] = s.days;
    strategy["metrics"] = metrics;
    strategy["series"] = series;

    py::dict out;
    out["attributes"] = attributes;
    out["parameters"] = params_dict(r.params);
    out["segments"] = segments_list(r.params);
    out["strategies"] = py::make_tuple(strategy);
    return out;
  }

  /// Final customer state of one replication as {column: (array, unit, description)}.
  py::dict customers(int rep) const {
    const auto& all = result_->customers;
    if (all.empty()) return py::dict();
    if (rep < 0 || rep >= static_cast<int>(all.size())) throw py::index_error("no such replication");
    const py::capsule owner(new std::shared_ptr<const RunResult>(result_),
                            [](void* p) { delete static_cast<std::shared_ptr<const RunResult>*>(p); });
    py::dict out;
    for (const CustomerColumn& c : all[static_cast<std::size_t>(rep)]) {
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

  void save(const std::string& path, const std::string& command_line, const std::string& scenario_path,
            const std::string& scenario_text, const std::string& strategy) const {
    Provenance prov;
    prov.command_line = command_line;
    prov.scenario_path = scenario_path;
    prov.scenario_text = scenario_text;
    py::gil_scoped_release nogil;
    write_results(path, *result_, prov, strategy);
  }

 private:
  std::shared_ptr<const RunResult> result_;
};

struct Shared {
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  std::atomic<bool> cancel{false};
  std::atomic<std::uint64_t> done{0}, total{0};
  std::optional<RunResult> result;
  std::exception_ptr error;
};

RunData run_scenario(const Scenario& scenario, int threads, const py::object& progress, double poll_seconds) {
  const Params params = scenario.params;
  std::optional<Network> network;
  if (params.network_kind == "edge_list")
    network = read_edge_list(params.network_edge_list, static_cast<std::uint32_t>(params.market_population));

  auto shared = std::make_shared<Shared>();
  RunOptions options;
  options.threads = threads;
  options.cancel = &shared->cancel;
  options.progress = [s = shared.get()](std::uint64_t done, std::uint64_t total) {
    s->done.store(done, std::memory_order_relaxed);
    s->total.store(total, std::memory_order_relaxed);
  };
  const auto start = std::chrono::steady_clock::now();
  std::thread worker([shared, params, options, net = network ? &*network : nullptr] {
    try {
      shared->result.emplace(cxsim::run(params, options, net));
    } catch (...) {
      shared->error = std::current_exception();
    }
    {
      std::lock_guard lock(shared->mutex);
      shared->finished = true;
    }
    shared->finished_cv.notify_all();
  });

  std::exception_ptr caller_error;  // KeyboardInterrupt, or whatever progress() raised
  const auto poll = std::chrono::duration<double>(std::max(0.001, poll_seconds));
  while (true) {
    bool finished = false;
    {
      py::gil_scoped_release nogil;
      std::unique_lock lock(shared->mutex);
      finished = shared->finished_cv.wait_for(lock, poll, [&] { return shared->finished; });
    }
    if (finished) break;
    if (caller_error) continue;  // cancelling: wait for the workers to stop
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // KeyboardInterrupt, usually
      if (!progress.is_none()) progress(shared->done.load(), shared->total.load());
    } catch (...) {
      caller_error = std::current_exception();
      shared->cancel.store(true);
    }
  }
  {
    py::gil_scoped_release nogil;
    worker.join();
  }
  if (caller_error) std::rethrow_exception(caller_error);
  if (shared->error) std::rethrow_exception(shared->error);
  if (!progress.is_none()) progress(shared->total.load(), shared->total.load());
  RunResult result = std::move(*shared->result);
  result.stats.seconds_total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return RunData(std::move(result));
}

}  // namespace

void register_run(py::module_& m) {
  py::class_<RunData>(m, "RunData", "A finished run held in C++ memory (arrays view it without copies)")
      .def("to_dict", &RunData::to_dict, "attributes, parameters, segments and strategies with series arrays")
      .def("customers", &RunData::customers, py::arg("replication"),
           "Final customer state of one replication as {column: (array, unit, description)}")
      .def("save", &RunData::save, py::arg("path"), py::arg("command_line"), py::arg("scenario_path"),
           py::arg("scenario_text"), py::arg("strategy") = "baseline",
           "Writes the results file atomically with the C++ writer");
  m.def("run", &run_scenario, py::arg("scenario"), py::arg("threads") = 0, py::arg("progress") = py::none(),
        py::arg("poll_seconds") = 0.1,
        "Runs every replication with the GIL released; progress(done, total) is called from this "
        "thread every poll_seconds; Ctrl-C cancels the run and raises KeyboardInterrupt");
}

}  // namespace cxsim::py_bind
