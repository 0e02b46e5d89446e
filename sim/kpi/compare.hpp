#pragma once
// Comparing strategies (docs/model.md, "Comparing strategies"): for each strategy the mean paired difference
// of each key figure (kpi/key_figures.hpp) from the baseline with a Student t interval. Pure: the CLI's
// `cxsim compare`, the results file's /summary table and the Python side share this code.

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/results.hpp"
#include "kpi/key_figures.hpp"
#include "kpi/stats.hpp"

namespace cxsim {

/// One run's series as compare() needs it (not owned).
struct RunSeries {
  std::string name;
  std::string description;
  std::vector<std::pair<std::string, double>> sweep_values;
  const SeriesSet* series = nullptr;
};

struct CompareOptions {
  std::string baseline = "baseline";
  std::vector<std::string> figures;  ///< ids; empty: the key figures
  int at_day = 0;                    ///< days elapsed, 1..horizon; 0: the horizon
  double level = 0.95;
};

struct FigureComparison {
  Figure figure;
  double baseline_mean = 0;
  double strategy_mean = 0;
  Interval baseline;    ///< the baseline's figure over replications
  Interval strategy;    ///< the strategy's figure over replications
  Interval difference;  ///< of the per-replication differences strategy - baseline
  bool excludes_zero = false;
};

struct StrategyComparison {
  std::string name;
  std::string description;
  std::vector<FigureComparison> figures;
  std::vector<std::pair<std::string, double>> sweep_values;  ///< empty unless a sweep point
};

struct Comparison {
  std::string baseline;
  int at_day = 0;
  int days = 0;
  int replications = 0;
  double level = 0.95;
  std::vector<StrategyComparison> strategies;  ///< every run but the baseline, in order
};

/// Compares every run with the baseline, replication by replication (replication r of a strategy
/// with replication r of the baseline: the same random numbers).
/// @throws InputError when the baseline is not among the runs (listing them), there is nothing to
///         compare it with, a figure is unknown, or at_day is outside 1..days
Comparison compare(const std::vector<RunSeries>& runs, const CompareOptions& options);

/// The /summary table: one row per (run, replication), columns of equal length.
struct SummaryTable {
  std::vector<std::string> strategy;
  std::vector<std::int64_t> replication;
  /// Sweep parameters by key (NaN for runs that are not sweep points).
  std::vector<std::pair<std::string, std::vector<double>>> sweep_columns;
  /// Every built-in figure at the horizon, by column name.
  std::vector<std::pair<Figure, std::vector<double>>> figure_columns;
};

SummaryTable summary_table(const std::vector<RunSeries>& runs);

}  // namespace cxsim
