#pragma once
// Reads a cxsim results file (docs/results-format.md) back: provenance, parameters and the daily
// series of every strategy; `cxsim info` prints describe_results().

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/results.hpp"
#include "experiment/experiment.hpp"

namespace cxsim {

/// One series dataset's description.
struct SeriesInfo {
  std::string name;
  std::string unit;
  std::string kind;  ///< stock, flow or ratio
  std::string description;
};

/// An intervention as recorded: its day and the keys it set (values as text).
struct InterventionRecord {
  std::int64_t day = 0;
  std::map<std::string, std::string> values;
};

/// The results of one strategy (/strategies/<name>).
struct StrategyResults {
  std::string name;
  std::string kind;  ///< baseline, strategy or sweep_point ("baseline" in older files)
  std::string description;
  /// Keys the run sets from day 0, values as text (a sweep point's values).
  std::map<std::string, std::string> overrides;
  std::vector<InterventionRecord> interventions;
  int replications = 0;
  int days = 0;
  /// Metrics this build knows in registry order, then any others (newer files) by name.
  std::vector<SeriesInfo> metrics;
  /// values[i][rep * days + day] is metrics[i] on `day` of replication `rep`.
  std::vector<std::vector<double>> values;
  /// Replications with saved customer state (0 when none) and their column names (rep_0's).
  int customer_replications = 0;
  std::vector<std::string> customer_columns;
  /// Whether the strategy has an episode table (run.episodes) and its rows.
  bool has_episodes = false;
  std::int64_t episode_rows = 0;
  /// With output.by_segment (/series_by_segment): the segments' names and, for each, its series
  /// as a SeriesSet of this build's metrics (any the file lacks are NaN); both empty otherwise.
  std::vector<std::string> segment_names;
  std::vector<SeriesSet> segment_series;

  /// A metric's [rep, day] block; nullptr when the file does not have it.
  const std::vector<double>* series(std::string_view metric) const;
  /// As a SeriesSet of this build's metrics; any the file lacks are NaN.
  SeriesSet to_series_set() const;
};

/// The /summary table: one row per (strategy, replication); empty in files without one.
struct SummaryColumns {
  std::vector<std::string> strategy;
  std::vector<std::int64_t> replication;
  /// Every other column (sweep values, then figures) in file order, as float64.
  std::vector<std::pair<std::string, std::vector<double>>> columns;
  /// nullptr when there is no such column.
  const std::vector<double>* column(std::string_view name) const;
};

/// What read_results() returns: everything in the file except per-customer state.
struct ResultsFile {
  std::string path;
  /// Every root attribute as text (numbers in shortest round-trip form).
  std::map<std::string, std::string> attributes;

  int format_version = 0;
  std::string cxsim_version, git_sha, created_utc, command_line;
  std::string scenario_path, scenario_text, scenario_sha256, rng_scheme;
  std::int64_t seed = 0, replications = 0, horizon_days = 0, population = 0, threads = 0;
  std::int64_t customer_days = 0;
  double seconds_total = 0, seconds_simulating = 0;

  /// "section.name" -> value as text, as param_to_string() writes it.
  std::map<std::string, std::string> parameters;
  /// One map per segment: "name" and each segment key -> value as text.
  std::vector<std::map<std::string, std::string>> segments;

  /// In the order they were written.
  std::vector<StrategyResults> strategies;
  SummaryColumns summary;

  /// nullptr when there is no such strategy.
  const StrategyResults* strategy(std::string_view name) const;
};

/// Largest shape of a series a reader accepts (the registry's maxima are far lower).
inline constexpr std::uint64_t kMaxReplicationsInFile = 1000000;
inline constexpr std::uint64_t kMaxDaysInFile = 1000000;

/// Reads the results file at `path`. Untrusted files are checked before anything is allocated
/// (docs/reliability.md): regular file, checksummed format (superblock >= 2), hard links only, no
/// external storage or virtual datasets, overflow-safe shapes within the file's size and memory.
/// @throws InputError naming `path` when it is missing, not HDF5, not a cxsim results file (no
///         `format` = "cxsim-results"), written by a newer format version, truncated or damaged
ResultsFile read_results(const std::string& path);

/// The saved final customer state of one strategy, [rep][column]; empty when none was saved.
/// @throws InputError as read_results(), or when there is no such strategy
std::vector<std::vector<CustomerColumn>> read_customers(const std::string& path,
                                                        const std::string& strategy = "baseline");

/// A strategy's episode table (/strategies/NAME/episodes), every replication's rows.
struct EpisodeData {
  int replications = 0;
  std::int64_t sample = 1, max_rows = 0, rows_dropped = 0;
  std::vector<std::int32_t> replication;  ///< per row, in [0, replications)
  std::vector<EpisodeRow> rows;
};

/// The episode table of one strategy; nullopt when the run did not record episodes.
/// @throws InputError as read_results() (the same checks before anything is allocated), when there
///         is no such strategy, or when the table is inconsistent (columns of different lengths,
///         codes outside their categories, replications outside the file's)
std::optional<EpisodeData> read_episodes(const std::string& path, const std::string& strategy = "baseline");

/// Where a strategy planned from a scenario differs from the one a results file recorded.
struct RecordedPlanDifference {
  std::string key;   ///< the parameter key, or "interventions"
  std::string what;  ///< e.g. "'service.agents' is 12 here, 10 in the file"
};

/// Compares `plan` with the strategy as `recorded` (its keys set from day 0, and its interventions
/// by day: days, keys and values, each value read into the plan's parameters so that 10 and 10.0
/// agree). nullopt when they are the same strategy; else the first difference.
std::optional<RecordedPlanDifference> recorded_plan_difference(const RunPlan& plan,
                                                               const StrategyResults& recorded);

/// The summary `cxsim info results.h5` prints: provenance, run size, timings, strategies, metrics
/// with units, and key figures (final-day means over replications; revenue and profit summed over
/// days).
std::string describe_results(const ResultsFile& results);

/// `cxsim info --by-segment`: the key figures of each strategy, one column per customer segment
/// (the same table as describe_results(), read from /series_by_segment).
/// @throws InputError naming the file when it has no split by segment
std::string describe_segments(const ResultsFile& results);

/// Throws the InputError describe_segments() throws when `results` has no split by segment.
void require_segments(const ResultsFile& results);

}  // namespace cxsim
