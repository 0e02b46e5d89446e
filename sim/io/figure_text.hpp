#pragma once
// How key figures read as text, the same everywhere: the run summary, `cxsim info`, `cxsim
// compare` and (through the bindings) the Python module and the report. Shares show as
// percentages and their differences in percentage points; a value shows the digits its interval
// supports (two significant digits of the half-width; four of the value when there is none).

#include <string>
#include <vector>

#include "kpi/compare.hpp"
#include "kpi/key_figures.hpp"
#include "kpi/stats.hpp"

namespace cxsim {

struct Display {
  double scale = 1;             ///< 100 for shares
  std::string unit;             ///< "%" for shares, else the figure's unit
  std::string difference_unit;  ///< "pp" for shares, else the figure's unit
};

Display display(const Figure& figure);

/// Decimals that show two significant digits of the half-width (or four of the typical value).
int decimals(double half_width, double typical);

/// `v` with `dec` decimals ("n/a" for NaN, no "-0"); `sign` adds "+" to positive values.
std::string number(double v, int dec, bool sign = false);

/// The mean of an estimate, scaled and rounded as the figure shows it: "66.3".
std::string estimate_text(const Figure& figure, const Interval& estimate);

/// The half-width of an estimate, scaled as the figure shows it ("" when there is none).
std::string half_width_text(const Figure& figure, const Interval& estimate);

/// The key figures of every run at day `at_day` (0: the horizon), one row per figure and for each
/// run a column "mean +/- half-width" (95% Student t interval over replications): the table the run
/// summary and `cxsim info` print.
std::string key_figure_table(const std::vector<RunSeries>& runs, int at_day = 0, double level = 0.95);

/// The key-figure table as Markdown (docs/key-figures.md, `cxsim docs key-figures`).
std::string key_figures_markdown();

}  // namespace cxsim
