#include "kpi/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/errors.hpp"

namespace cxsim {

namespace {

constexpr int kWindow = 30;  // days of the "last 30 days" figures, as the window metrics
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool has_metric(const std::string& name) {
  return find_metric(name) >= 0;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", '" : "'") + items[i] + "'";
  return out;
}

}  // namespace

std::vector<Figure> builtin_figures() {
  using A = Aggregate;
  std::vector<Figure> all = {
      {"retention", "retention_final", "retention (end)", "share", A::final, "retention", "", true},
      {"churn", "monthly_churn_final", "monthly churn (last 30 days)", "share", A::final,
       "monthly_churn_rate", "", true},
      {"nps", "nps_final", "NPS (last 30 days)", "points", A::final, "nps", "", true},
      {"csat", "csat_last30", "CSAT (last 30 days)", "share", A::window_ratio, "csat_satisfied",
       "csat_responses", true},
      {"asa", "asa_s_last30", "ASA (last 30 days)", "s", A::window_mean, "asa_s", "", true},
  };
  // Service level: from the contact centre's counts when this build has them.
  if (has_metric("answered_within_target") && has_metric("queue_outcomes"))
    all.push_back({"service_level", "service_level_last30", "service level (last 30 days)", "share",
                   A::window_ratio, "answered_within_target", "queue_outcomes", true});
  else if (has_metric("service_level"))
    all.push_back({"service_level", "service_level_last30", "service level (last 30 days)", "share",
                   A::window_mean, "service_level", "", true});
  const std::vector<Figure> rest = {
      {"contacts", "contacts_total", "contacts (total)", "contacts", A::total, "contacts", "", true},
      {"revenue", "revenue_total", "revenue (total)", "currency", A::total, "revenue", "", true},
      {"service_cost", "service_cost_total", "service cost (total)", "currency", A::total, "service_cost", "",
       true},
      {"acquisition_spend", "acquisition_spend_total", "acquisition spend (total)", "currency", A::total,
       "acquisition_spend", "", true},
      {"profit", "profit_total", "profit (total)", "currency", A::total, "profit", "", true},
      {"clv", "clv_final", "CLV (end)", "currency", A::final, "clv", "", true},
      {"active_customers", "active_customers_final", "active customers (end)", "people", A::final,
       "active_customers", "", false},
      {"new_customers", "new_customers_total", "new customers (total)", "people", A::total, "new_customers",
       "", false},
      {"churned", "churned_total", "customers lost (total)", "people", A::total, "churned", "", false},
      {"orders", "orders_total", "orders (total)", "orders", A::total, "orders", "", false},
      {"issues", "issues_opened_total", "issues opened (total)", "issues", A::total, "issues_opened", "",
       false},
      {"contacts_failure", "contacts_failure_total", "failure-demand contacts (total)", "contacts", A::total,
       "contacts_failure", "", false},
      {"contacts_repeat", "contacts_repeat_total", "repeat contacts (total)", "contacts", A::total,
       "contacts_repeat", "", false},
      {"contacts_per_order", "contacts_per_order_final", "contacts per order (last 30 days)",
       "contacts/order", A::final, "contacts_per_order", "", false},
      {"abandoned", "abandoned_total", "abandoned contacts (total)", "contacts", A::total, "abandoned", "",
       false},
      {"mean_attitude", "mean_attitude_final", "mean attitude (end)", "attitude", A::final, "mean_attitude",
       "", false},
  };
  all.insert(all.end(), rest.begin(), rest.end());
  std::erase_if(all, [](const Figure& f) {
    return !has_metric(f.metric) || (!f.denominator.empty() && !has_metric(f.denominator));
  });
  return all;
}

Figure find_figure(const std::string& name) {
  const auto figures = builtin_figures();
  for (const Figure& f : figures)
    if (f.id == name || f.column == name) return f;
  if (const int m = find_metric(name); m >= 0) {
    const MetricDef& def = metric_defs()[m];
    const bool flow = def.kind == MetricKind::flow;
    std::string unit(def.unit);
    if (flow && unit.size() > 4 && unit.substr(unit.size() - 4) == "/day") unit.resize(unit.size() - 4);
    return {name,
            name + (flow ? "_total" : "_final"),
            name + (flow ? " (total)" : " (end)"),
            unit,
            flow ? Aggregate::total : Aggregate::final,
            name,
            "",
            false};
  }
  std::vector<std::string> ids;
  for (const Figure& f : figures) ids.push_back(f.id);
  throw InputError(
      "unknown figure; figures: " + quoted_list(ids) + ", or any metric name (listed by cxsim info)", "", 0,
      0, name);
}

std::vector<double> figure_values(const Figure& figure, const SeriesSet& s, int at_day) {
  const auto metric = static_cast<Metric>(find_metric(figure.metric));
  const int last = at_day - 1;
  const int first = std::max(0, at_day - kWindow);
  std::vector<double> out(static_cast<std::size_t>(s.replications), kNaN);
  for (int rep = 0; rep < s.replications; ++rep) {
    double& value = out[static_cast<std::size_t>(rep)];
    switch (figure.how) {
      case Aggregate::final:
        value = s.at(metric, rep, last);
        break;
      case Aggregate::total: {
        double sum = 0;
        for (int d = 0; d <= last; ++d) sum += s.at(metric, rep, d);
        value = sum;
        break;
      }
      case Aggregate::window_mean: {
        double sum = 0;
        int n = 0;
        for (int d = first; d <= last; ++d)
          if (const double v = s.at(metric, rep, d); !std::isnan(v)) sum += v, ++n;
        value = n ? sum / n : kNaN;
        break;
      }
      case Aggregate::window_ratio: {
        const auto den = static_cast<Metric>(find_metric(figure.denominator));
        double a = 0, b = 0;
        for (int d = first; d <= last; ++d) a += s.at(metric, rep, d), b += s.at(den, rep, d);
        value = b > 0 ? a / b : kNaN;
        break;
      }
    }
  }
  return out;
}

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
    StrategyComparison sc{run.name, run.description, {}};
    const int n = std::min(run.series->replications, out.replications);
    for (const Figure& figure : figures) {
      const auto a = figure_values(figure, *base->series, out.at_day);
      const auto b = figure_values(figure, *run.series, out.at_day);
      std::vector<double> diff(static_cast<std::size_t>(n));
      for (int r = 0; r < n; ++r)
        diff[static_cast<std::size_t>(r)] = b[static_cast<std::size_t>(r)] - a[static_cast<std::size_t>(r)];
      FigureComparison fc;
      fc.figure = figure;
      fc.baseline_mean = confidence_interval(a, options.level).mean;
      fc.strategy_mean = confidence_interval(b, options.level).mean;
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
      if (std::none_of(t.sweep_columns.begin(), t.sweep_columns.end(),
                       [&key = key](const auto& c) { return c.first == key; }))  // clang 14: no implicit capture of a binding
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
