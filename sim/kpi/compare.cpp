#include "kpi/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.hpp"

namespace cxsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", '" : "'") + items[i] + "'";
  return out;
}

}  // namespace

Comparison compare(const std::vector<RunSeries>& runs, const CompareOptions& options) {
  std::vector<std::string> names;
  for (const RunSeries& r : runs) names.push_back(r.name);
  const auto base =
      std::find_if(runs.begin(), runs.end(), [&](const RunSeries& r) { return r.name == options.baseline; });
  if (base == runs.end())
    throw InputError("no strategy of that name in the results; strategies: " + quoted_list(names), "", 0, 0,
                     "--baseline " + options.baseline);
  if (runs.size() < 2)
    throw InputError("nothing to compare: the results hold only '" + options.baseline +
                     "'; add [[strategy]] tables or a [sweep] to the scenario");
  Comparison out;
  out.baseline = options.baseline;
  out.days = base->series->days;
  out.replications = base->series->replications;
  out.level = options.level;
  out.at_day = options.at_day == 0 ? out.days : options.at_day;
  if (out.at_day < 1 || out.at_day > out.days)
    throw InputError("day " + std::to_string(out.at_day) + " is outside the run; allowed: 1 to " +
                         std::to_string(out.days) + " (days elapsed; the default is the horizon)",
                     "", 0, 0, "--at-day");

  std::vector<Figure> figures;
  if (options.figures.empty()) {
    for (const Figure& f : builtin_figures())
      if (f.key) figures.push_back(f);
  } else {
    for (const std::string& name : options.figures) figures.push_back(find_figure(name));
  }

  for (const RunSeries& run : runs) {
    if (run.name == options.baseline) continue;
    if (run.series->days != out.days)
      throw InputError("strategy '" + run.name + "' has " + std::to_string(run.series->days) +
                       " days but the baseline " + std::to_string(out.days) + "; they cannot be compared");
    StrategyComparison sc{run.name, run.description, {}, run.sweep_values};
    const int n = std::min(run.series->replications, out.replications);
    for (const Figure& figure : figures) {
      const auto a = figure_values(figure, *base->series, out.at_day);
      const auto b = figure_values(figure, *run.series, out.at_day);
      std::vector<double> diff(static_cast<std::size_t>(n));
      for (int r = 0; r < n; ++r)
        diff[static_cast<std::size_t>(r)] = b[static_cast<std::size_t>(r)] - a[static_cast<std::size_t>(r)];
      FigureComparison fc;
      fc.figure = figure;
      fc.baseline = confidence_interval(a, options.level);
      fc.strategy = confidence_interval(b, options.level);
      fc.baseline_mean = fc.baseline.mean;
      fc.strategy_mean = fc.strategy.mean;
      fc.difference = confidence_interval(diff, options.level);
      const Interval& d = fc.difference;
      fc.excludes_zero =
          d.n >= 2 && std::isfinite(d.half_width) && (d.mean - d.half_width > 0 || d.mean + d.half_width < 0);
      sc.figures.push_back(std::move(fc));
    }
    out.strategies.push_back(std::move(sc));
  }
  return out;
}

SummaryTable summary_table(const std::vector<RunSeries>& runs) {
  SummaryTable t;
  for (const RunSeries& run : runs)
    for (const auto& [key, value] : run.sweep_values)
      if (std::none_of(t.sweep_columns.begin(), t.sweep_columns.end(), [&key = key](const auto& c) {
            return c.first == key;
          }))  // clang 14: no implicit capture of a binding
        t.sweep_columns.emplace_back(key, std::vector<double>());
  for (const Figure& f : builtin_figures()) t.figure_columns.emplace_back(f, std::vector<double>());
  for (const RunSeries& run : runs) {
    const SeriesSet& s = *run.series;
    for (int rep = 0; rep < s.replications; ++rep) {
      t.strategy.push_back(run.name);
      t.replication.push_back(rep);
    }
    for (auto& [key, column] : t.sweep_columns) {
      double value = kNaN;
      for (const auto& [k, v] : run.sweep_values)
        if (k == key) value = v;
      column.insert(column.end(), static_cast<std::size_t>(s.replications), value);
    }
    for (auto& [figure, column] : t.figure_columns) {
      if (s.days == 0) {
        column.insert(column.end(), static_cast<std::size_t>(s.replications), kNaN);
        continue;
      }
      const auto values = figure_values(figure, s, s.days);
      column.insert(column.end(), values.begin(), values.end());
    }
  }
  return t;
}

}  // namespace cxsim
