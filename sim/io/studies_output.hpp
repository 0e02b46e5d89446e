#pragma once
// Text and files of `cxsim calibrate`, `sensitivity` and `select`: the fit table, the index
// tables with a text tornado chart, the selection report, the sensitivity HDF5 file
// (docs/studies.md) and an atomic text-file writer.

#include <atomic>
#include <string>
#include <vector>

#include "experiment/calibrate.hpp"
#include "experiment/select.hpp"
#include "experiment/sensitivity.hpp"
#include "io/output_path.hpp"

namespace cxsim {

std::string format_calibration(const CalibrationResult& result, const std::vector<std::string>& target_names,
                               const std::vector<CalibrationTarget>& targets,
                               const std::vector<FreeParameter>& free, int replications);

/// A sensitivity study as saved and shown.
struct SensitivityReport {
  std::string method;  ///< "morris" or "sobol"
  std::vector<std::string> keys;
  std::vector<double> min, max;
  std::vector<std::string> metrics;
  int replications = 0;
  int samples = 0;  ///< trajectories (Morris) or base samples N (Sobol')
  std::uint64_t seed = 0;
  double level = 0.95;
  std::vector<std::vector<double>> points;         ///< [point][key], in the keys' units
  std::vector<std::vector<double>> outputs;        ///< [point][metric], replication means
  std::vector<std::vector<MorrisIndices>> morris;  ///< [metric][key]
  std::vector<std::vector<SobolIndices>> sobol;    ///< [metric][key]
  std::string scenario_path, scenario_text, command_line;
};

/// Per metric: the keys ranked by mu* (Morris) or total index (Sobol'), with intervals, and a
/// text tornado chart.
std::string format_sensitivity(const SensitivityReport& report);

/// Writes the study to HDF5 at `target` (check_output(..., OutputKind::sensitivity), made before
/// the study) atomically (io/output_path.hpp: TempOutput, then commit): root attributes (format
/// "cxsim-sensitivity", method, scenario, command line, replications, samples, seed, level),
/// /keys, /min, /max, /metrics, /points, /outputs, and /indices/<name> arrays [metric, key]
/// (mu_star, mu_star_low, mu_star_high, mu, sigma; or S1, S1_low, S1_high, ST, ST_low, ST_high).
/// @throws InputError naming the path when it cannot be written
/// @throws Cancelled when `cancel` (may be null) is set before the commit
void write_sensitivity(const OutputTarget& target, const SensitivityReport& report,
                       const std::atomic<bool>* cancel);

struct SelectionReport {
  std::vector<std::string> names;
  std::string objective;                 ///< figure label
  std::vector<std::string> constraints;  ///< as given, "service_level>=0.8"
  SelectionSpec spec;
  SelectionResult result;
  int available = 0;  ///< replications in the results file
  bool reran = false;
  bool rerun_allowed = true;  ///< false with --no-rerun
};

std::string format_selection(const SelectionReport& report);

/// Writes `text` at `target` (checked by check_output() before the work) atomically (TempOutput,
/// then commit).
/// @throws InputError naming the path when it cannot be written
/// @throws Cancelled when `cancel` (may be null) is set before the commit
void write_text_file(const OutputTarget& target, const std::string& text, const std::atomic<bool>* cancel);

}  // namespace cxsim
