#pragma once
// The one application facade: "read the scenario, plan the experiment, load the network, check
// memory, run (with or without --precision), collect provenance, write the results file". The
// command line (`cxsim run`, `cxsim validate`) and the Python module (`cxsim.run`) both call it,
// so they check the same things in the same order and produce the same results.
//
//   Study study = prepare_study(load_study_scenario(file, sets), selection, threads);  // all checks
//   StudyOutcome outcome = run_study(study, options);                                  // the work
//   save_study(path, study, outcome, command_line);                                    // atomic file

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "experiment/experiment.hpp"
#include "experiment/precision.hpp"
#include "experiment/runner.hpp"
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
};

/// A study ready to run: every check a run needs has been made.
struct Study {
  Scenario scenario;
  Experiment experiment;
  std::vector<RunPlan> plans;
  std::optional<Network> network;  ///< the edge-list file's network, when network.kind is edge_list
  std::optional<PrecisionTarget> precision;
  int threads = 1;                 ///< worker threads the run will use
  std::uint64_t memory_bytes = 0;  ///< estimated peak memory of the whole study
  double customer_days = 0;        ///< customer-days the study simulates (at the replication cap)
};

/// The scenario file with `--set` assignments, `seed` and `replications` applied (in that order).
/// @throws InputError naming the file, line and key (scenario_reader.hpp)
Scenario load_study_scenario(const std::string& path, std::vector<std::string> sets,
                             std::optional<std::int64_t> seed = std::nullopt,
                             std::optional<std::int64_t> replications = std::nullopt);

/// Plans the experiment, checks the strategies chosen, reads the edge-list network, and checks the
/// memory estimate of every run (at the --precision cap) against this machine's memory.
/// @param threads 0: every core
/// @throws InputError naming the file and key for anything that would fail later
Study prepare_study(Scenario scenario, const StudySelection& selection, int threads);

struct StudyOutcome {
  ExperimentResult result;
  std::optional<PrecisionReport> precision;  ///< with --precision
};

/// Runs the study (progress and cancel hooks in `options`; its thread count is the study's).
/// @throws Cancelled when cancelled, InputError for parameters that cannot run
StudyOutcome run_study(const Study& study, RunOptions options);

/// Writes the results file atomically with the study's provenance.
/// @throws InputError naming the path when it cannot be written
void save_study(const std::string& path, const Study& study, const StudyOutcome& outcome,
                const std::string& command_line);

/// Writes an experiment's results atomically with the given provenance (for results kept in memory
/// and saved later, as the Python module does).
void save_results(const std::string& path, const ExperimentResult& result, const std::string& command_line,
                  const std::string& scenario_path, const std::string& scenario_text);

/// Bytes of memory this machine has (0 when unknown).
std::uint64_t physical_memory_bytes();

/// "1.5 GB"
std::string human_bytes(double bytes);

}  // namespace cxsim
