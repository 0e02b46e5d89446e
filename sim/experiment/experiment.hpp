#pragma once
// What-if experiments as plain data (docs/architecture.md): a baseline, named strategies that override
// some of its parameters from day 0 or from a given day (interventions), and sweeps over
// parameters. plan_experiment() resolves them to run plans, one per strategy and sweep point;
// the runner (runner.hpp) executes the plans with common random numbers.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/params.hpp"
#include "core/results.hpp"

namespace cxsim {

/// Where something was declared, so errors found later can point at it (file "" when unknown).
struct SourceRef {
  std::string file;
  int line = 0, column = 0;
};

/// One parameter set to one value. The value is text as set_param_from_string() reads it ("45",
/// "0.015", "true", "ring"), so any parameter type works and the value prints as written.
struct ParamOverride {
  std::string key;  ///< "purchase.price"
  std::string value;
  SourceRef where;
};

/// Changes that take effect at the start of day `day` (0-based) and hold until another changes
/// them. Only parameters declared intervenable may change.
struct Intervention {
  std::int64_t day = 0;
  std::vector<ParamOverride> overrides;
  SourceRef where;
};

/// A named what-if: the baseline with `overrides` from day 0, then its interventions.
struct StrategySpec {
  std::string name;
  std::string description;
  std::vector<ParamOverride> overrides;
  std::vector<Intervention> interventions;
  SourceRef where;
};

enum class SweepMethod { grid, latin_hypercube };

/// A swept parameter (number or integer keys): `values` for a grid, [min, max] for a Latin
/// hypercube (integer keys are rounded to the nearest whole number).
struct SweepParameter {
  std::string key;
  std::vector<double> values;
  double min = 0, max = 0;
  SourceRef where;
};

/// Every combination of the values (grid, first parameter slowest) or `points` Latin hypercube
/// points drawn from run.seed. Each point runs as the baseline with the point's values.
struct Sweep {
  SweepMethod method = SweepMethod::grid;
  std::int64_t points = 0;  ///< Latin hypercube only
  std::vector<SweepParameter> parameters;
  SourceRef where;
};

/// A scenario's experiment. The baseline runs as written, with `interventions`; every strategy and
/// sweep point starts from it (so inherits those interventions, which apply before its own).
struct Experiment {
  Params baseline;
  std::vector<Intervention> interventions;
  std::vector<StrategySpec> strategies;
  std::optional<Sweep> sweep;
};

enum class RunKind { baseline, strategy, sweep_point };

/// One run of the experiment, resolved: parameters from day 0 and the parameters from each day
/// something changes.
struct RunPlan {
  struct Change {
    std::int32_t day = 0;
    Params params;                         ///< in force from the start of `day`
    std::vector<ParamOverride> overrides;  ///< what the interventions of that day set
  };
  std::string name;  ///< "baseline", the strategy's name, or "sweep-007"
  std::string description;
  RunKind kind = RunKind::baseline;
  Params params;                                             ///< from day 0
  std::vector<ParamOverride> overrides;                      ///< what differs from the baseline from day 0
  std::vector<std::pair<std::string, double>> sweep_values;  ///< sweep points: key -> value
  std::vector<Change> changes;                               ///< by day, one per day with interventions
};

/// The name of the `index`-th sweep point of `count` ("sweep-000"; wider beyond 1000 points).
std::string sweep_point_name(std::size_t index, std::size_t count);

/// The sweep's points, [point][parameter]: the grid's combinations (first parameter slowest) or
/// a Latin hypercube drawn from `seed` (Stream purpose `sweep`, so the same seed gives the same
/// points). Integer keys are rounded.
/// @throws InputError (with the sweep's location) when the sweep is empty, a key is unknown or not
///         a number, a range is empty, or there would be more than kMaxSweepPoints points
std::vector<std::vector<double>> sweep_points(const Sweep& sweep, std::uint64_t seed);
inline constexpr std::size_t kMaxSweepPoints = 10000;

/// Resolves the experiment: the baseline first, then the strategies in order, then the sweep
/// points. Checks everything a run needs: strategy names (unique, not "baseline", no '/', not
/// "sweep-..."), keys (known, not run.*), intervention keys (intervenable) and days (within the
/// horizon), and check_scenario() of every resolved parameter set.
/// @throws InputError naming the key, with the file and line where it was declared when known
std::vector<RunPlan> plan_experiment(const Experiment& experiment);

/// Sets each override on `params` in order (no cross-parameter validation).
/// @throws InputError naming the key and where it was declared on an unknown key or a bad value
void apply_param_overrides(Params& params, const std::vector<ParamOverride>& overrides);

/// The results of one run plan: its daily series and, with run.save_customers, customer state.
struct StrategyResult {
  RunPlan plan;
  SeriesSet series;
  /// With output.by_segment: the same series for each customer segment ([segment]); else empty.
  std::vector<SeriesSet> segment_series;
  std::vector<std::vector<CustomerColumn>> customers;  ///< [rep][column]
  std::vector<EpisodeTable> episodes;                  ///< [rep]; empty unless run.episodes
};

/// Everything an experiment produces, before any file is written.
struct ExperimentResult {
  Params baseline;  ///< the baseline's resolved parameters (run.replications = replications run)
  std::vector<std::string> sweep_keys;
  std::vector<StrategyResult> runs;  ///< the baseline first
  RunStats stats;
};

/// Appends `more`'s replications (the same plans, later replications) to `into`.
/// @throws std::invalid_argument when the plans or days differ
void append_replications(ExperimentResult& into, ExperimentResult&& more);

}  // namespace cxsim
