#include "io/figure_text.hpp"

#include <algorithm>
#include <cmath>

#include "io/text_format.hpp"

namespace cxsim {

Display display(const Figure& f) {
  if (f.unit == "share") return {100, "%", "pp"};
  return {1, f.unit, f.unit};
}

int decimals(double half_width, double typical) {
  int d = 2;
  // A half-width that is only rounding noise (identical values) says nothing about digits.
  if (half_width <= 1e-9 * std::fabs(typical)) half_width = 0;
  if (std::isfinite(half_width) && half_width > 0)
    d = 1 - static_cast<int>(std::floor(std::log10(half_width)));
  else if (std::isfinite(typical) && typical != 0)
    d = 3 - static_cast<int>(std::floor(std::log10(std::fabs(typical))));
  return std::clamp(d, 0, 6);
}

std::string number(double v, int dec, bool sign) {
  if (std::isnan(v)) return "n/a";
  if (dec == 0 && std::fabs(v) < 0.5) v = 0;  // no "-0"
  return format(sign ? "%+.*f" : "%.*f", dec, v);
}

std::string estimate_text(const Figure& f, const Interval& e) {
  const Display d = display(f);
  return number(e.mean * d.scale, decimals(e.half_width * d.scale, e.mean * d.scale));
}

std::string half_width_text(const Figure& f, const Interval& e) {
  if (!std::isfinite(e.half_width)) return "";
  const Display d = display(f);
  return number(e.half_width * d.scale, decimals(e.half_width * d.scale, e.mean * d.scale));
}

std::string key_figure_table(const std::vector<RunSeries>& runs, int at_day, double level) {
  std::vector<Figure> figures;
  for (const Figure& f : builtin_figures())
    if (f.key) figures.push_back(f);
  std::vector<std::string> header = {"key figure", "unit"};
  std::vector<std::vector<std::string>> rows;
  for (const RunSeries& run : runs) header.push_back(run.name);
  for (const Figure& f : figures) {
    std::vector<std::string> row = {f.label, display(f).unit};
    for (const RunSeries& run : runs) {
      const int day = at_day > 0 ? std::min(at_day, run.series->days) : run.series->days;
      if (day < 1) {
        row.push_back("n/a");
        continue;
      }
      const Interval e = confidence_interval(figure_values(f, *run.series, day), level);
      const std::string hw = half_width_text(f, e);
      row.push_back(estimate_text(f, e) + (hw.empty() ? "" : " +/- " + hw));
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const int w = static_cast<int>(width[c]);
      out += c < 2 ? format("%-*s  ", w, cells[c].c_str()) : format("%*s  ", w, cells[c].c_str());
    }
    out.erase(out.find_last_not_of(' ') + 1);
    return out + "\n";
  };
  std::string out = line(header);
  for (const auto& row : rows) out += line(row);
  return out + format("(mean over replications +/- the half-width of its %g%% interval; shares in %%)\n",
                      level * 100);
}

std::string key_figures_markdown() {
  std::string out =
      "# Key figures\n\n"
      "Generated from the key-figure table in `sim/kpi/key_figures.cpp` (`cxsim docs key-figures`); "
      "do not edit by hand. The run summary, `cxsim info`, `cxsim compare`, the results file's "
      "`/summary` table, the Python module and the report all read this one table. A figure is "
      "read from a daily series (docs/results-format.md) at a day D: `final` is the value at the "
      "end of day D, `total` the sum over days 1 to D, `window_mean` the mean of the last " +
      std::to_string(kFigureWindowDays) +
      " days' values (days without one skipped), `window_ratio` the sum of one series over the "
      "sum of another over the last " +
      std::to_string(kFigureWindowDays) +
      " days. Shares are shown in % and their differences in percentage points.\n\n"
      "| id | label | unit | read as | series | headline | definition |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const KeyFigureDef& d : key_figure_defs()) {
    std::string series = "`";
    series += d.metric;
    series += '`';
    if (!d.denominator.empty()) {
      series += " / `";
      series += d.denominator;
      series += '`';
    }
    out += "| `" + std::string(d.id) + "` | " + std::string(d.label) + " | " + std::string(d.unit) + " | " +
           std::string(aggregate_name(d.how)) + " | " + series + " | " + (d.key ? "yes" : "") + " | " +
           std::string(d.definition) + " |\n";
  }
  return out +
         "\nAny daily series also works as a figure by name (`cxsim compare --metric NAME`): flows "
         "are summed over the days, stocks and ratios read at the day.\n";
}

}  // namespace cxsim
