#pragma once
// The one application facade: "read the scenario, plan the experiment, load the network, check
// memory, run (with or without --precision), collect provenance, write the results file". The
// command line (`cxsim run`, `cxsim validate`) and the Python module (`cxsim.run`) both call it,
// so they check the same things in the same order and produce the same results.
//
//   Study study = prepare_study(load_study_scenario(file, sets), selection, threads);  // all checks
//   (check the output path: io/output_path.hpp; the CLI does, before anything slow)
//   read_study_network(study);                           // an edge-list file, when the scenario has one
//   StudyOutcome outcome = run_study(study, options);    // the work
//   save_study(path, study, outcome, command_line);      // atomic file

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "experiment/experiment.hpp"
#include "experiment/precision.hpp"
#include "experiment/runner.hpp"
#include "io/results_writer.hpp"
#include "io/scenario_reader.hpp"
#include "model/network.hpp"

namespace cxsim {

/// Which runs of the scenario's experiment to run, and how many replications.
struct StudySelection {
  /// Run only these strategies (by name, in this order); empty: every run of the experiment.
  std::vector<std::string> strategies;
  /// Add replications until the intervals are this narrow (PrecisionTarget::relative); 0: off.
  double precision = 0;
  int max_replications = 100;
  std::vector<std::string> precision_figures;  ///< empty: PrecisionTarget's default
  /// Refuse a study that does not fit in this machine's memory (off when the caller checks the
  /// ranks of an MPI job together: estimate_rank_memory).
  bool check_memory = true;
};

/// A study ready to run: every check a run needs has been made.
struct Study {
  Scenario scenario;
  Experiment experiment;
  std::vector<RunPlan> plans;
  std::optional<Network> network;  ///< the edge-list file's network (read_study_network)
  std::optional<PrecisionTarget> precision;
  int threads = 1;                 ///< worker threads the run will use
  std::int64_t replications = 0;   ///< replications of each run (the cap with --precision)
  std::uint64_t memory_bytes = 0;  ///< estimated peak memory of the whole study
  double customer_days = 0;        ///< customer-days the study simulates (at the replication cap)
  double seconds = 0;  ///< estimated run time: the customer-days, each run's network, the results written
};

/// The scenario file with `--set` assignments, `seed` and `replications` applied (in that order).
/// `seed` and `replications` are the text as typed (`--seed`, `--replications`), checked as the
/// keys run.seed and run.replications are, so an out-of-range value is quoted as given.
/// @throws InputError naming the file, line and key (scenario_reader.hpp)
Scenario load_study_scenario(const std::string& path, std::vector<std::string> sets,
                             const std::optional<std::string>& seed = std::nullopt,
                             const std::optional<std::string>& replications = std::nullopt);

/// Plans the experiment, checks the strategies chosen and checks the memory estimate of every run
/// (at the --precision cap) against the memory available now (io/limits.hpp). Quick: reads no
/// network file.
/// @param threads 0: every core
/// @throws InputError naming the file and key for anything that would fail later
Study prepare_study(Scenario scenario, const StudySelection& selection, int threads);

/// Reads the edge-list network when the scenario has one (network.kind = edge_list).
/// @throws InputError naming the edge-list file
/// With a block [first, first + count): only its members' rows (a rank of `cxsim run --partition`).
void read_study_network(Study& study, std::uint32_t first = 0, std::uint32_t count = UINT32_MAX);

/// Upper bound of the results file's size, for the free-space check.
std::uint64_t estimate_study_results_bytes(const Study& study);

struct StudyOutcome {
  ExperimentResult result;
  std::optional<PrecisionReport> precision;  ///< with --precision
};

/// Runs the study (progress and cancel hooks in `options`; its thread count is the study's). Reads
/// the network first if read_study_network() was not called.
/// @throws Cancelled when cancelled, InputError for parameters that cannot run
StudyOutcome run_study(Study& study, RunOptions options);

/// Writes the results file atomically with the study's provenance (io/results_writer.hpp: a new
/// path or over a cxsim results file as `options` allow).
/// @throws InputError naming the path when it cannot be written, Cancelled when options.cancel is set
void save_study(const std::string& path, const Study& study, const StudyOutcome& outcome,
                const std::string& command_line, const WriteOptions& options = {});

/// Writes an experiment's results atomically with the given provenance (for results kept in memory
/// and saved later, as the Python module does).
void save_results(const std::string& path, const ExperimentResult& result, const std::string& command_line,
                  const std::string& scenario_path, const std::string& scenario_text,
                  const WriteOptions& options = {});

}  // namespace cxsim
