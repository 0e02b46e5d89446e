// Key figures and strategy comparisons (core/compare.hpp): the very code behind `cxsim compare`
// and the /summary table, so Python's numbers are the CLI's. Runs come in as
// {"name", "description", "sweep_values", "series": {metric: array [replication, day]}} dicts.

#include <pybind11/stl.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "bind.hpp"
#include "io/compare_format.hpp"
#include "io/figure_text.hpp"
#include "kpi/compare.hpp"

namespace cxsim::py_bind {

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

py::dict figure_dict(const Figure& f) {
  py::dict d;
  d["id"] = f.id;
  d["column"] = f.column;
  d["label"] = f.label;
  d["unit"] = f.unit;
  d["how"] = std::string(aggregate_name(f.how));
  d["window_days"] =
      f.how == Aggregate::window_mean || f.how == Aggregate::window_ratio ? kFigureWindowDays : 0;
  d["definition"] = f.definition;
  const Display shown = display(f);
  d["display_scale"] = shown.scale;
  d["display_unit"] = shown.unit;
  d["difference_unit"] = shown.difference_unit;
  d["metric"] = f.metric;
  d["denominator"] = f.denominator;
  d["key"] = f.key;
  return d;
}

// This build's metrics from a {metric: [rep, day]} dict (copied; metrics it lacks are NaN).
SeriesSet series_set(const py::dict& series) {
  int reps = -1, days = -1;
  for (const auto& item : series) {
    const Array a = py::cast<Array>(item.second);
    if (a.ndim() != 2) throw py::value_error("series must be [replication, day] arrays");
    reps = static_cast<int>(a.shape(0));
    days = static_cast<int>(a.shape(1));
    break;
  }
  if (reps < 0) throw py::value_error("no series");
  SeriesSet set(reps, days);
  for (int m = 0; m < kMetricCount; ++m) {
    const py::str name(std::string(metric_defs()[m].name));
    double* out = set.values.data() + static_cast<std::size_t>(m) * reps * days;
    if (!series.contains(name)) {
      std::fill_n(out, static_cast<std::size_t>(reps) * days, std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    const Array a = py::cast<Array>(series[name]);
    if (a.ndim() != 2 || a.shape(0) != reps || a.shape(1) != days)
      throw py::value_error("series '" + std::string(name) + "' is not [" + std::to_string(reps) + ", " +
                            std::to_string(days) + "]");
    std::memcpy(out, a.data(), sizeof(double) * static_cast<std::size_t>(reps) * days);
  }
  return set;
}

struct Runs {
  std::vector<SeriesSet> sets;
  std::vector<RunSeries> runs;
};

Runs to_runs(const py::list& input) {
  Runs r;
  r.sets.reserve(input.size());
  for (const auto& item : input) {
    const py::dict d = py::cast<py::dict>(item);
    r.sets.push_back(series_set(py::cast<py::dict>(d["series"])));
  }
  std::size_t i = 0;
  for (const auto& item : input) {
    const py::dict d = py::cast<py::dict>(item);
    RunSeries run;
    run.name = py::cast<std::string>(d["name"]);
    if (d.contains("description")) run.description = py::cast<std::string>(d["description"]);
    if (d.contains("sweep_values"))
      for (const auto& [key, value] : py::cast<py::dict>(d["sweep_values"]))
        run.sweep_values.emplace_back(py::cast<std::string>(key), py::cast<double>(value));
    run.series = &r.sets[i++];
    r.runs.push_back(std::move(run));
  }
  return r;
}

py::object compare_runs(const py::list& input, const std::string& baseline,
                        const std::vector<std::string>& figures, int at_day, double level,
                        const std::string& format) {
  const Runs r = to_runs(input);
  CompareOptions options;
  options.baseline = baseline;
  options.figures = figures;
  options.at_day = at_day;
  options.level = level;
  const CompareFormat chosen = format.empty() ? CompareFormat::table : compare_format(format);
  const Comparison c = compare(r.runs, options);
  if (!format.empty()) return py::str(format_comparison(c, chosen));
  py::list rows;
  for (const StrategyComparison& s : c.strategies)
    for (const FigureComparison& f : s.figures) {
      py::dict row;
      row["strategy"] = s.name;
      row["description"] = s.description;
      row["figure"] = f.figure.id;
      row["label"] = f.figure.label;
      row["baseline"] = f.baseline_mean;
      row["value"] = f.strategy_mean;
      row["difference"] = f.difference.mean;
      row["half_width"] = f.difference.half_width;
      row["n"] = f.difference.n;
      row["significant"] = f.excludes_zero;
      row["unit"] = f.figure.unit;
      // The difference and its interval as `cxsim compare` prints them (io/figure_text).
      const Display shown = display(f.figure);
      const double hw = f.difference.half_width * shown.scale;
      const int dec = decimals(hw, f.baseline_mean * shown.scale);
      row["difference_text"] = number(f.difference.mean * shown.scale, dec, true);
      std::string interval = "n/a";
      if (std::isfinite(hw)) {
        interval = "[";
        interval += number(f.difference.mean * shown.scale - hw, dec, true);
        interval += ", ";
        interval += number(f.difference.mean * shown.scale + hw, dec, true);
        interval += ']';
      }
      row["interval_text"] = interval;
      row["difference_unit"] = shown.difference_unit;
      rows.append(row);
    }
  py::dict out;
  out["baseline"] = c.baseline;
  out["at_day"] = c.at_day;
  out["days"] = c.days;
  out["replications"] = c.replications;
  out["level"] = c.level;
  out["rows"] = rows;
  return out;
}

py::dict summary(const py::list& input) {
  const Runs r = to_runs(input);
  SummaryTable t = summary_table(r.runs);
  py::dict out;
  out["strategy"] = t.strategy;
  out["replication"] = to_array(std::move(t.replication));
  py::dict sweep;
  for (auto& [key, column] : t.sweep_columns) sweep[py::str(key)] = to_array(std::move(column));
  out["sweep"] = sweep;
  py::list figures;
  for (auto& [figure, column] : t.figure_columns)
    figures.append(py::make_tuple(figure_dict(figure), to_array(std::move(column))));
  out["figures"] = figures;
  return out;
}

}  // namespace

void register_compare(py::module_& m) {
  m.def(
      "builtin_figures",
      [] {
        py::list out;
        for (const Figure& f : builtin_figures()) out.append(figure_dict(f));
        return out;
      },
      "The key-figure table (id, column, label, unit, how, window_days, metric, denominator, key, "
      "definition, display_scale, display_unit, difference_unit)");
  m.def(
      "estimate_text",
      [](const std::string& name, const std::vector<double>& values, double level) {
        const Figure f = find_figure(name);
        const Interval e = confidence_interval(values, level);
        return py::make_tuple(estimate_text(f, e), half_width_text(f, e), display(f).unit);
      },
      py::arg("figure"), py::arg("values"), py::arg("level") = 0.95,
      "(mean text, half-width text, unit) of one value per replication, rounded as every cxsim "
      "output shows the figure (shares in %)");
  m.def(
      "key_figure_table",
      [](const py::list& input, int at_day, double level) {
        const Runs r = to_runs(input);
        return key_figure_table(r.runs, at_day, level);
      },
      py::arg("runs"), py::arg("at_day") = 0, py::arg("level") = 0.95,
      "The key figures of every run as text: the table `cxsim run` and `cxsim info` print");
  m.def(
      "find_figure", [](const std::string& name) { return figure_dict(find_figure(name)); }, py::arg("name"),
      "A figure by id or column, or any metric by name; raises ScenarioError listing the figures");
  m.def(
      "figure_values",
      [](const std::string& name, const py::dict& series, int at_day) {
        const SeriesSet set = series_set(series);
        const Figure& figure = find_figure(name);
        if (set.days < 1) throw InputError("the results have no days, so no figure at any day");
        if (at_day < 0 || at_day > set.days)
          throw InputError("at_day " + std::to_string(at_day) + " is outside the results: 1 to " +
                           std::to_string(set.days) + " (days elapsed), or 0 for the horizon");
        return to_array(figure_values(figure, set, at_day > 0 ? at_day : set.days));
      },
      py::arg("figure"), py::arg("series"), py::arg("at_day") = 0,
      "One value per replication at the end of day at_day (days elapsed; 0: the horizon)");
  m.def("compare", &compare_runs, py::arg("runs"), py::arg("baseline") = "baseline",
        py::arg("figures") = std::vector<std::string>{}, py::arg("at_day") = 0, py::arg("level") = 0.95,
        py::arg("format") = "",
        "Paired differences of every run from the baseline (cxsim compare); a dict, or the text of "
        "format table|markdown|csv|json");
  m.def("summary_table", &summary, py::arg("runs"),
        "The /summary table: strategy, replication, sweep columns and every figure at the horizon");
}

}  // namespace cxsim::py_bind
