// Results files: read one (series handed to NumPy without copies), its saved customer state, a
// description, and re-writing a file with the C++ writer (Results.save on loaded results).

#include <pybind11/stl.h>

#include <cstdlib>

#include "bind.hpp"
#include "io/h5.hpp"
#include "io/results_reader.hpp"
#include "io/results_writer.hpp"

namespace cxsim::py_bind {

namespace {

// Text as written by param_to_string() back to a typed Python value, through the registry's own
// parser; unknown keys (from newer files) and unparsable text stay text.
py::object typed_parameter(const std::string& key, const std::string& text) {
  const ParamSpec* spec = find_param(key);
  if (!spec) return py::str(text);
  try {
    Params scratch;
    set_param_from_string(scratch, *spec, text);
    return param_value(scratch, *spec);
  } catch (const InputError&) {
    return py::str(text);
  }
}

// The parameters as the file records them (for re-writing a loaded file).
Params params_from_file(const ResultsFile& f) {
  Params p;
  for (const auto& [key, text] : f.parameters)
    if (const ParamSpec* spec = find_param(key)) set_param_from_string(p, *spec, text);
  if (!f.segments.empty()) {
    p.segments.clear();
    for (const auto& fields : f.segments) {
      Segment s;
      for (const auto& [key, text] : fields) {
        if (key == "name") s.name = text;
        for (const SegmentParamSpec& spec : segment_param_specs())
          if (key == spec.name) s.*spec.member = std::strtod(text.c_str(), nullptr);
      }
      p.segments.push_back(std::move(s));
    }
  }
  return p;
}

}  // namespace

py::dict segment_series_dict(const std::vector<SeriesSet>& by_segment) {
  py::dict out;
  if (by_segment.empty()) return out;
  const SeriesSet& first = by_segment.front();
  const std::size_t count = by_segment.size(),
                    cells = static_cast<std::size_t>(first.replications) * first.days;
  for (int m = 0; m < kMetricCount; ++m) {
    std::vector<double> values(cells * count);
    for (std::size_t s = 0; s < count; ++s) {
      const auto block = by_segment[s].metric(static_cast<Metric>(m));
      for (std::size_t k = 0; k < cells; ++k) values[k * count + s] = block[k];
    }
    const double* data = nullptr;
    const py::capsule owner = owning_capsule(std::move(values), &data);
    out[py::str(std::string(metric_defs()[m].name))] =
        array_view<double>(data, {first.replications, first.days, static_cast<py::ssize_t>(count)}, owner);
  }
  return out;
}

namespace {

py::dict read(const std::string& path) {
  ResultsFile f = results_file([&] {
    py::gil_scoped_release nogil;
    return read_results(path);
  });
  py::dict attributes;
  for (const auto& [key, text] : f.attributes) attributes[py::str(key)] = text;  // newer ones as text
  attributes["format_version"] = f.format_version;
  attributes["cxsim_version"] = f.cxsim_version;
  attributes["git_sha"] = f.git_sha;
  attributes["created_utc"] = f.created_utc;
  attributes["command_line"] = f.command_line;
  attributes["scenario_path"] = f.scenario_path;
  attributes["scenario_text"] = f.scenario_text;
  attributes["scenario_sha256"] = f.scenario_sha256;
  attributes["rng_scheme"] = f.rng_scheme;
  attributes["seed"] = f.seed;
  attributes["replications"] = f.replications;
  attributes["horizon_days"] = f.horizon_days;
  attributes["population"] = f.population;
  attributes["threads"] = f.threads;
  attributes["customer_days"] = f.customer_days;
  attributes["seconds_total"] = f.seconds_total;
  attributes["seconds_simulating"] = f.seconds_simulating;

  py::dict parameters;
  for (const ParamSpec& spec : param_specs()) {  // registry order first
    const auto it = f.parameters.find(std::string(spec.key));
    if (it != f.parameters.end()) parameters[py::str(it->first)] = typed_parameter(it->first, it->second);
  }
  for (const auto& [key, text] : f.parameters)
    if (!find_param(key)) parameters[py::str(key)] = text;

  py::list segments;
  for (const auto& fields : f.segments) {
    py::dict d;
    d["name"] = fields.count("name") ? fields.at("name") : std::string();
    for (const auto& [key, text] : fields)
      if (key != "name") d[py::str(key)] = std::strtod(text.c_str(), nullptr);
    segments.append(d);
  }

  // Sweep keys: the /summary columns that are parameters.
  std::vector<std::string> sweep_keys;
  for (const auto& [name, column] : f.summary.columns)
    if (find_param(name)) sweep_keys.push_back(name);

  py::list strategies;
  for (StrategyResults& s : f.strategies) {
    py::dict series;
    py::list metrics;
    for (std::size_t i = 0; i < s.metrics.size(); ++i) {
      const SeriesInfo& info = s.metrics[i];
      const double* data = nullptr;
      const py::capsule owner = owning_capsule(std::move(s.values[i]), &data);
      series[py::str(info.name)] = array_view<double>(data, {s.replications, s.days}, owner);
      py::dict d;
      d["name"] = info.name;
      d["unit"] = info.unit;
      d["kind"] = info.kind;
      d["description"] = info.description;
      metrics.append(d);
    }
    py::dict d;
    d["name"] = s.name;
    d["kind"] = s.kind;
    d["description"] = s.description;
    py::dict overrides;
    for (const auto& [key, text] : s.overrides) overrides[py::str(key)] = text;
    d["overrides"] = overrides;
    py::list interventions;
    for (const InterventionRecord& rec : s.interventions) {
      py::dict c;
      c["day"] = rec.day;
      py::dict values;
      for (const auto& [key, text] : rec.values) values[py::str(key)] = text;
      c["values"] = values;
      interventions.append(c);
    }
    d["interventions"] = interventions;
    py::dict sweep;
    if (s.kind == "sweep_point")
      for (const std::string& key : sweep_keys)
        if (const auto it = s.overrides.find(key); it != s.overrides.end())
          sweep[py::str(key)] = std::strtod(it->second.c_str(), nullptr);
    d["sweep_values"] = sweep;
    d["replications"] = s.replications;
    d["days"] = s.days;
    d["metrics"] = metrics;
    d["series"] = series;
    d["customer_replications"] = s.customer_replications;
    d["has_episodes"] = s.has_episodes;
    d["series_by_segment"] = segment_series_dict(s.segment_series);
    strategies.append(d);
  }

  py::dict out;
  out["path"] = f.path;
  out["attributes"] = attributes;
  out["parameters"] = parameters;
  out["segments"] = segments;
  out["strategies"] = strategies;
  out["sweep_keys"] = sweep_keys;
  return out;
}

py::list customers(const std::string& path, const std::string& strategy) {
  auto all = results_file([&] {
    py::gil_scoped_release nogil;
    return read_customers(path, strategy);
  });
  py::list out;
  for (auto& rep : all) {
    py::dict columns;
    for (CustomerColumn& c : rep) {
      py::object array = std::visit([](auto& v) -> py::object { return to_array(std::move(v)); }, c.data);
      columns[py::str(c.name)] = py::make_tuple(array, c.unit, c.description);
    }
    out.append(columns);
  }
  return out;
}

// The plan a file records for one strategy, enough for the writer: kind, description, the keys
// set from day 0 and by each intervention (values through the registry's parser), sweep values.
RunPlan plan_from_file(const StrategyResults& s, const Params& baseline,
                       const std::vector<std::string>& sweep_keys) {
  RunPlan plan;
  plan.name = s.name;
  plan.description = s.description;
  plan.kind = s.kind == "strategy"      ? RunKind::strategy
              : s.kind == "sweep_point" ? RunKind::sweep_point
                                        : RunKind::baseline;
  plan.params = baseline;
  for (const auto& [key, text] : s.overrides) plan.overrides.push_back({key, text, {}});
  apply_param_overrides(plan.params, plan.overrides);
  Params current = plan.params;
  for (const InterventionRecord& rec : s.interventions) {
    RunPlan::Change change;
    change.day = static_cast<std::int32_t>(rec.day);
    for (const auto& [key, text] : rec.values) change.overrides.push_back({key, text, {}});
    apply_param_overrides(current, change.overrides);
    change.params = current;
    plan.changes.push_back(std::move(change));
  }
  if (plan.kind == RunKind::sweep_point)
    for (const std::string& key : sweep_keys)
      if (const auto it = s.overrides.find(key); it != s.overrides.end())
        plan.sweep_values.emplace_back(key, std::strtod(it->second.c_str(), nullptr));
  return plan;
}

// Re-writes a results file through the C++ writer, every strategy and the provenance kept.
void copy(const std::string& source, const std::string& destination) {
  py::gil_scoped_release nogil;
  const ResultsFile f = results_file([&] { return read_results(source); });
  ExperimentResult r;
  r.baseline = params_from_file(f);
  for (const auto& [name, column] : f.summary.columns)
    if (find_param(name)) r.sweep_keys.push_back(name);
  for (const StrategyResults& s : f.strategies) {
    StrategyResult run;
    run.plan = plan_from_file(s, r.baseline, r.sweep_keys);
    run.series = s.to_series_set();
    run.segment_series = s.segment_series;
    if (s.customer_replications > 0)
      run.customers = results_file([&] { return read_customers(source, s.name); });
    if (s.has_episodes) {
      if (auto e = results_file([&] { return read_episodes(source, s.name); })) {
        run.episodes.resize(static_cast<std::size_t>(e->replications));
        for (std::size_t k = 0; k < e->rows.size(); ++k)
          run.episodes[static_cast<std::size_t>(e->replication[k])].rows.push_back(e->rows[k]);
        if (!run.episodes.empty())
          run.episodes.front().rows_dropped = static_cast<std::uint64_t>(e->rows_dropped);
      }
    }
    r.runs.push_back(std::move(run));
  }
  r.stats.threads = static_cast<int>(f.threads);
  r.stats.seconds_total = f.seconds_total;
  r.stats.seconds_simulating = f.seconds_simulating;
  r.stats.customer_days = static_cast<std::uint64_t>(f.customer_days);
  Provenance prov;
  prov.command_line = f.command_line;
  prov.scenario_path = f.scenario_path;
  prov.scenario_text = f.scenario_text;
  prov.created_utc = f.created_utc;
  results_file([&] {
    write_results(destination, r, prov);
    return 0;
  });
}

}  // namespace

void register_results(py::module_& m) {
  m.def(
      "check_hdf5_heaps",
      [](const std::string& path) {
        // What read_results checks before HDF5 opens a file, for the readers that open it with h5py.
        try {
          return h5::verify_global_heaps(path);
        } catch (const h5::Error& e) {
          throw ResultsFileError(InputError(std::string("damaged HDF5 file: ") + e.what(), path));
        }
      },
      py::arg("path"),
      "Checks the raw structure of the file's HDF5 global heaps (where variable-length strings live; "
      "HDF5 does not checksum them, and a damaged size overruns memory inside the library): "
      "cxsim.ResultsError naming the file when damaged or when they do not give the digest cxsim "
      "recorded in the root attribute heaps_sha256; else that SHA-256 (hex)");
  m.def("read_results", &read, py::arg("path"),
        "Reads a results file: attributes, parameters, segments, strategies with series arrays");
  m.def("read_customers", &customers, py::arg("path"), py::arg("strategy") = "baseline",
        "Saved final customer state: one {column: (array, unit, description)} per replication");
  m.def(
      "describe_results",
      [](const std::string& path) {
        return describe_results(results_file([&] { return read_results(path); }));
      },
      py::arg("path"), "The text `cxsim info` prints");
  m.def(
      "describe_segments",
      [](const std::string& path) {
        return results_file([&] { return describe_segments(read_results(path)); });
      },
      py::arg("path"), "The text `cxsim info --by-segment` prints");
  m.def("copy_results", &copy, py::arg("source"), py::arg("destination"),
        "Re-writes a results file (every strategy) with the C++ writer");
}

}  // namespace cxsim::py_bind
