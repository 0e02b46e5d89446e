#pragma once
// Choosing the best strategy with a stated confidence (`cxsim select`): ranking and selection on
// one objective subject to constraints, using common random numbers. Pure statistics: the data
// come from a sampler callback, so tests drive it with synthetic strategies and the CLI with the
// simulator (or a results file).
//
// Method (docs/studies.md):
// - Feasibility: for each strategy and constraint a one-sided Student t test on the first-stage
//   replications, Bonferroni-adjusted over all strategies x constraints at level alpha_f: declared
//   feasible when the bound lies inside the constraint, infeasible when it lies outside,
//   undetermined otherwise (undetermined strategies are not candidates).
// - Selection among the feasible ones: the fully sequential procedure KN of Kim and Nelson (2001)
//   at level alpha_s, valid with common random numbers (its variances are those of paired
//   differences). Replications are added one at a time (fetched in batches) until one strategy
//   is left. With probability at least 1 - alpha_s the strategy selected is the best, or within
//   the indifference zone delta of it.
// alpha = 1 - confidence is split alpha_f = alpha_s = alpha / 2 when there are constraints
// (Bonferroni), alpha_s = alpha otherwise.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cxsim {

/// A constraint on a measure's mean: mean >= bound (at_least) or mean <= bound.
struct SelectionConstraint {
  int measure = 1;  ///< index into the sampler's measures (0 is the objective)
  bool at_least = true;
  double bound = 0;
};

/// The largest cap of the sequential stage the command line accepts (--max-replications).
inline constexpr int kMaxSelectionReplications = 100000;

struct SelectionSpec {
  bool maximize = true;
  double indifference = 0;  ///< delta > 0, in the objective's unit
  double confidence = 0.95;
  std::vector<SelectionConstraint> constraints;
  int first_stage = 10;  ///< n0 >= 2 replications of every strategy
  int max_replications =
      1000;       ///< per strategy, cap of the sequential stage (at least the replications available)
  int batch = 5;  ///< replications fetched per sampler call in the sequential stage
};

/// values[system][measure][k] = measure of `systems[system]` in replication first + k. Every
/// call for the same (system, replication) must return the same numbers (common random numbers:
/// replication r of every strategy shares its random numbers).
using SelectionSampler = std::function<std::vector<std::vector<std::vector<double>>>(
    const std::vector<int>& systems, int first, int count)>;

enum class Feasibility { feasible, infeasible, undetermined };

struct SystemOutcome {
  int replications = 0;                        ///< replications used by the procedure
  double mean = 0;                             ///< objective mean over them
  double half_width = 0;                       ///< 95% t interval of that mean
  std::vector<Feasibility> constraint_status;  ///< per constraint
  std::vector<double> constraint_mean;         ///< per constraint, first stage
  std::vector<double> constraint_bound;        ///< the one-sided confidence bound used
  Feasibility feasibility = Feasibility::feasible;
  int eliminated_at = 0;  ///< replication count when KN eliminated it (0: not eliminated)
  /// Per-replication objective minus the selected strategy's (paired), 95% t interval; NaN when
  /// nothing was selected.
  double difference_from_selected = 0, difference_half_width = 0;
};

struct SelectionResult {
  int selected = -1;     ///< index of the selected system, -1 when none is declared feasible
  bool finished = true;  ///< false when the cap or the data ran out before one was left
  int candidates = 0;    ///< declared feasible
  int survivors = 0;     ///< left when the procedure stopped
  /// When not finished: at most this many more replications per surviving strategy finish it.
  std::int64_t more_replications_needed = 0;
  int total_replications = 0;  ///< sum over strategies
  double alpha_feasibility = 0, alpha_selection = 0;
  double h2 = 0;  ///< KN's h^2
  /// At least this probability that every feasibility call is right and the selected strategy is
  /// within `indifference` of the best declared-feasible one (only when finished).
  double probability_correct = 0;
  std::vector<SystemOutcome> systems;
};

/// KN's eta for k systems, n0 first-stage replications, level alpha: h^2 = 2 eta (n0 - 1).
double kn_eta(int systems, int first_stage, double alpha);

/// Runs the procedure on `systems` strategies with `measures` = 1 + constraints' measures.
/// Replications [0, available) can be had without new runs (a results file's); the sampler is
/// asked beyond them only when `can_sample_more` (otherwise the result says how many more would
/// be needed). The first stage is min(first_stage, available) when `available` > 0.
/// @throws std::invalid_argument on a bad spec (delta <= 0, confidence not in (0, 1), n0 < 2,
///         fewer than one system, a constraint measure out of range)
SelectionResult select_best(int systems, int measures, const SelectionSpec& spec,
                            const SelectionSampler& sampler, int available, bool can_sample_more);

}  // namespace cxsim
