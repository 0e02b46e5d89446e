#pragma once
// The key-figure table: every headline figure (retention, churn, NPS, CSAT, ASA, service level,
// contacts, revenue, costs, profit, CLV, ...) declared once, with its label, unit, how it is read
// from a daily series over which window, and a one-line definition. The run summary, `cxsim info`,
// `cxsim compare`, the /summary table of results files, the Python module, the report and
// docs/key-figures.md all read this table (docs/architecture.md: "Adding a key figure").

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/results.hpp"

namespace cxsim {

/// How a figure is read from a metric's daily series at day D (days elapsed, 1..horizon).
enum class Aggregate {
  final,         ///< the value at the end of day D
  total,         ///< summed over days 1..D (flows)
  window_mean,   ///< mean over the kFigureWindowDays days up to D, days without a value skipped
  window_ratio,  ///< sum of `metric` / sum of `denominator` over the kFigureWindowDays days up to D
};

/// Days of the "last 30 days" figures (as the window metrics nps, monthly_churn_rate, ...).
inline constexpr int kFigureWindowDays = kMetricWindowDays;

/// One row of the key-figure table, as declared.
struct KeyFigureDef {
  std::string_view id;      ///< "retention", for --metric and Python
  std::string_view column;  ///< "retention_final": its column in the results file's /summary table
  std::string_view label;   ///< "retention (end)": how tables and charts name it
  std::string_view unit;    ///< "share" (shown in %), "points", "s", "currency", "people", ...
  Aggregate how;
  std::string_view metric;       ///< the daily series it is read from
  std::string_view denominator;  ///< window_ratio only
  bool key;                      ///< a headline figure, shown by default
  std::string_view definition;   ///< one line, for tables, reports and docs
};

/// The table, key figures first, in the order reports show them.
std::span<const KeyFigureDef> key_figure_defs();

/// A key figure, or a metric read as one (see find_figure).
struct Figure {
  std::string id;
  std::string column;
  std::string label;
  std::string unit;
  Aggregate how = Aggregate::final;
  std::string metric;
  std::string denominator;
  bool key = false;
  std::string definition;
};

/// "final", "total", "window_mean" or "window_ratio".
std::string_view aggregate_name(Aggregate how);

/// The table's figures whose metrics this build has, in table order.
std::vector<Figure> builtin_figures();

/// A figure by id or column name, or any metric by name (stocks and ratios at the day, flows
/// summed). @throws InputError listing the figures when there is none of that name
Figure find_figure(const std::string& name);

/// One value per replication at the end of day `at_day` (1..series.days).
std::vector<double> figure_values(const Figure& figure, const SeriesSet& series, int at_day);

}  // namespace cxsim
