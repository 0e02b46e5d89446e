// Text forms of a Comparison: an aligned table for the terminal, Markdown for reports, CSV and
// JSON for programs. Table and Markdown round each figure to two significant digits of its
// interval's half-width; CSV and JSON keep every digit.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/errors.hpp"
#include "io/compare_format.hpp"
#include "io/figure_text.hpp"
#include "io/text_format.hpp"

namespace cxsim {

namespace {

struct Cells {
  std::string label, unit, baseline, strategy, difference, interval, mark;
};

Cells cells(const FigureComparison& fc) {
  const Display s = display(fc.figure);
  const Interval& d = fc.difference;
  const double hw = d.half_width * s.scale;
  const int dec = decimals(hw, fc.baseline_mean * s.scale);
  Cells c;
  c.label = fc.figure.label;
  c.unit = s.unit;
  c.baseline = estimate_text(fc.figure, fc.baseline);
  c.strategy = estimate_text(fc.figure, fc.strategy);
  c.difference =
      number(d.mean * s.scale, dec, true) + (s.difference_unit == s.unit ? "" : " " + s.difference_unit);
  c.interval = std::isfinite(hw) ? "[" + number(d.mean * s.scale - hw, dec, true) + ", " +
                                       number(d.mean * s.scale + hw, dec, true) + "]"
                                 : "n/a";
  c.mark = fc.excludes_zero ? "*" : "";
  return c;
}

std::string intro(const Comparison& c) {
  return format(
      "%d replications; difference = strategy - baseline, paired by replication (common "
      "random numbers), with its %g%% Student t interval; * marks an interval that "
      "excludes zero. Flows are totals over days 1-%d; 'last 30 days' figures end on day "
      "%d.",
      c.replications, c.level * 100, c.at_day, c.at_day);
}

/// A sweep's points as one table: a row per point with its swept values, then each figure's
/// paired difference from the baseline (* when its interval excludes zero). Strategies that are
/// not sweep points keep their own blocks (strategy_blocks).
std::string sweep_table(const Comparison& c) {
  std::vector<const StrategyComparison*> points;
  for (const auto& s : c.strategies)
    if (!s.sweep_values.empty()) points.push_back(&s);
  if (points.empty()) return {};
  const auto& keys = points.front()->sweep_values;
  const auto& figures = points.front()->figures;
  // header rows: figure label, then its unit of difference; one column per key and figure.
  std::vector<std::vector<std::string>> grid;
  std::vector<std::string> head{"point"}, units{"(difference in)"}, base{"baseline value"};
  for (const auto& [key, value] : keys) {
    head.push_back(key);
    units.push_back("");
    base.push_back("");
  }
  for (const auto& fc : figures) {
    const Display d = display(fc.figure);
    head.push_back(
        fc.figure.label.substr(0, fc.figure.label.find(" (")));  // "retention (12 months)" -> "retention"
    units.push_back(d.difference_unit);
    base.push_back(estimate_text(fc.figure, fc.baseline));
  }
  grid.push_back(head);
  grid.push_back(units);
  grid.push_back(base);
  for (const auto* p : points) {
    std::vector<std::string> row{p->name};
    for (const auto& [key, value] : keys) {
      std::string v = "n/a";
      for (const auto& [k, x] : p->sweep_values)
        if (k == key) v = format("%g", x);
      row.push_back(v);
    }
    for (const auto& fc : p->figures) {
      Cells cell = cells(fc);
      std::string diff = cell.difference;
      const Display d = display(fc.figure);
      if (d.difference_unit != d.unit && diff.size() > d.difference_unit.size() + 1)
        diff.resize(diff.size() - d.difference_unit.size() - 1);  // the unit is in the header
      row.push_back(diff + (cell.mark.empty() ? " " : "*"));
    }
    grid.push_back(row);
  }
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto& row : grid)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out = format(
      "\nSweep: %zu points, each the baseline with the values shown: the baseline's figures, "
      "then each point's difference from '%s' in the unit below the figure (* its interval "
      "excludes zero; intervals and definitions: --format markdown or csv)\n",
      points.size(), c.baseline.c_str());
  for (std::size_t r = 0; r < grid.size(); ++r) {
    std::string line = " ";
    for (std::size_t i = 0; i < grid[r].size(); ++i) {
      const bool left = i == 0;
      line += " " + (left ? grid[r][i] + std::string(width[i] - grid[r][i].size(), ' ')
                          : std::string(width[i] - grid[r][i].size(), ' ') + grid[r][i]);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

std::string table(const Comparison& c) {
  std::string out = format("Strategies vs '%s' at day %d of %d\n", c.baseline.c_str(), c.at_day, c.days);
  out += intro(c) + "\n";
  out += sweep_table(c);
  for (const auto& s : c.strategies) {
    if (!s.sweep_values.empty()) continue;  // in the sweep table
    out += "\n" + s.name + (s.description.empty() ? "" : ": " + s.description) + "\n";
    std::vector<Cells> rows;
    for (const auto& fc : s.figures) rows.push_back(cells(fc));
    std::size_t w = 6, u = 4, iw = 12;
    for (const auto& r : rows) {
      w = std::max(w, r.label.size());
      u = std::max(u, r.unit.size());
      iw = std::max(iw, r.interval.size());
    }
    out += format("  %-*s  %-*s %13s %13s %14s  95%% interval\n", static_cast<int>(w), "figure",
                  static_cast<int>(u), "unit", "baseline", "strategy", "difference");
    for (const auto& r : rows) {
      std::string line =
          format("  %-*s  %-*s %13s %13s %14s  %-*s %s", static_cast<int>(w), r.label.c_str(),
                 static_cast<int>(u), r.unit.c_str(), r.baseline.c_str(), r.strategy.c_str(),
                 r.difference.c_str(), static_cast<int>(iw), r.interval.c_str(), r.mark.c_str());
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + "\n";
    }
  }
  return out;
}

std::string markdown(const Comparison& c) {
  std::string out = format("## Strategies vs `%s` at day %d of %d\n\n", c.baseline.c_str(), c.at_day, c.days);
  std::string text = intro(c);
  const auto star = text.find("* marks");
  if (star != std::string::npos) text.replace(star, 1, "\\*");
  out += text + "\n";
  for (const auto& s : c.strategies) {
    out += "\n### " + md_escape(s.name) + "\n\n";
    if (!s.description.empty()) out += md_escape(s.description) + "\n\n";
    out +=
        "| figure | unit | baseline | strategy | difference | 95% interval | |\n"
        "|---|---|--:|--:|--:|---|---|\n";
    for (const auto& fc : s.figures) {
      const Cells r = cells(fc);
      out += "| " + md_escape(r.label) + " | " + r.unit + " | " + r.baseline + " | " + r.strategy + " | " +
             r.difference + " | " + r.interval + " | " + (r.mark.empty() ? "" : "\\*") + " |\n";
    }
  }
  return out;
}

std::string csv(const Comparison& c) {
  std::string out =
      "strategy,figure,column,unit,at_day,n_pairs,baseline_mean,strategy_mean,difference,"
      "ci_low,ci_high,half_width,excludes_zero\n";
  for (const auto& s : c.strategies)
    for (const auto& fc : s.figures) {
      const Interval& d = fc.difference;
      out += csv_field(s.name) + "," + fc.figure.id + "," + fc.figure.column + "," +
             csv_field(fc.figure.unit) + "," + std::to_string(c.at_day) + "," + std::to_string(d.n) + "," +
             exact(fc.baseline_mean, "") + "," + exact(fc.strategy_mean, "") + "," + exact(d.mean, "") + "," +
             exact(d.mean - d.half_width, "") + "," + exact(d.mean + d.half_width, "") + "," +
             exact(d.half_width, "") + "," + (fc.excludes_zero ? "true" : "false") + "\n";
    }
  return out;
}

std::string json(const Comparison& c) {
  std::string out = "{\n  \"baseline\": " + json_string(c.baseline) +
                    ",\n  \"at_day\": " + std::to_string(c.at_day) +
                    ",\n  \"days\": " + std::to_string(c.days) +
                    ",\n  \"replications\": " + std::to_string(c.replications) +
                    ",\n  \"level\": " + exact(c.level, "null") + ",\n  \"strategies\": [";
  for (std::size_t i = 0; i < c.strategies.size(); ++i) {
    const auto& s = c.strategies[i];
    out += std::string(i ? "," : "") + "\n    {\"name\": " + json_string(s.name) +
           ", \"description\": " + json_string(s.description) + ", \"figures\": [";
    for (std::size_t k = 0; k < s.figures.size(); ++k) {
      const auto& fc = s.figures[k];
      const Interval& d = fc.difference;
      out += std::string(k ? "," : "") + "\n      {\"id\": " + json_string(fc.figure.id) +
             ", \"column\": " + json_string(fc.figure.column) +
             ", \"label\": " + json_string(fc.figure.label) + ", \"unit\": " + json_string(fc.figure.unit) +
             ", \"baseline_mean\": " + exact(fc.baseline_mean, "null") +
             ", \"strategy_mean\": " + exact(fc.strategy_mean, "null") +
             ", \"difference\": " + exact(d.mean, "null") +
             ", \"half_width\": " + exact(d.half_width, "null") +
             ", \"ci_low\": " + exact(d.mean - d.half_width, "null") +
             ", \"ci_high\": " + exact(d.mean + d.half_width, "null") + ", \"n\": " + std::to_string(d.n) +
             ", \"excludes_zero\": " + (fc.excludes_zero ? "true" : "false") + "}";
    }
    out += "\n    ]}";
  }
  return out + "\n  ]\n}\n";
}

}  // namespace

CompareFormat compare_format(const std::string& name) {
  if (name == "table") return CompareFormat::table;
  if (name == "markdown") return CompareFormat::markdown;
  if (name == "csv") return CompareFormat::csv;
  if (name == "json") return CompareFormat::json;
  throw InputError("unknown format; allowed: table, markdown, csv, json", "", 0, 0, "--format " + name);
}

std::string format_comparison(const Comparison& c, CompareFormat f) {
  switch (f) {
    case CompareFormat::table:
      return table(c);
    case CompareFormat::markdown:
      return markdown(c);
    case CompareFormat::csv:
      return csv(c);
    case CompareFormat::json:
      return json(c);
  }
  return {};
}

}  // namespace cxsim
