#pragma once
// Running replications until the comparison is precise enough (`cxsim run --precision`): batches
// of replications are added until the 95% interval of every chosen figure's difference from the
// baseline is narrow enough, or a cap is reached. Replication r is always the same (its random
// numbers are keyed by r), so stopping early or late never changes the replications already run.

#include <string>
#include <vector>

#include "experiment/experiment.hpp"
#include "experiment/runner.hpp"
#include "kpi/compare.hpp"
#include "model/network.hpp"

namespace cxsim {

struct PrecisionTarget {
  /// Wanted half-width of each difference's 95% interval, as a fraction of the figure's baseline
  /// mean: 0.01 asks for profit differences known to +/- 1% of the baseline's profit.
  double relative = 0.01;
  int max_replications = 100;
  /// The figures checked; empty: profit and 12-month retention, or profit and monthly churn when
  /// the horizon is shorter than a year (12-month retention is not defined there), or profit
  /// alone for 30 days or fewer.
  std::vector<std::string> figures;
};

/// The figures `target` checks for a run of `horizon_days`.
std::vector<std::string> precision_figures(const PrecisionTarget& target, std::int64_t horizon_days);

/// One (strategy, figure) interval after the last batch.
struct PrecisionCheck {
  std::string strategy;
  std::string figure;
  double half_width = 0;
  double target = 0;  ///< relative * |baseline mean|
};

struct PrecisionReport {
  int replications = 0;
  int batches = 0;
  bool reached = false;
  std::vector<PrecisionCheck> checks;
  PrecisionCheck worst;  ///< the check with the largest half_width / target
};

/// Runs the experiment in batches: first max(run.replications, 3) replications (at most the cap),
/// then more, about as many as the widest interval says are needed (at least 2, at most doubling),
/// until every check is within its target or max_replications are run. Checks whose baseline mean
/// is zero or undefined are skipped. The batch sizes depend on the results only, never on threads.
/// @throws InputError when there is nothing to compare with the baseline, a figure is unknown, or
///         the target or cap is invalid; as run_plans() otherwise
ExperimentResult run_to_precision(const Experiment& experiment, const PrecisionTarget& target,
                                  const RunOptions& options, const Network* given_network,
                                  PrecisionReport& report);

}  // namespace cxsim
