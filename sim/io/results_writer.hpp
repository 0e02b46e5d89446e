#pragma once
// Writes a RunResult to a self-describing HDF5 results file (STYLE.md habit 10); the layout is
// documented in docs/results-format.md and readable with plain h5py.

#include <string>
#include <string_view>

#include "experiment/experiment.hpp"
#include "core/results.hpp"

namespace cxsim {

/// Where a run came from, recorded verbatim in the file's root attributes.
struct Provenance {
  std::string command_line;
  std::string scenario_path;
  std::string scenario_text;  ///< the scenario file's bytes, verbatim
  std::string created_utc;    ///< ISO 8601 ("2025-01-31T12:00:00Z"); the writer fills it if empty
};

/// The results-file format this build writes (root attribute `format_version`).
inline constexpr int kResultsFormatVersion = 1;

/// Writes `result` as strategy `strategy` to `path`, with a /summary table, atomically: everything goes to
/// "<path>.tmp.<pid>" in the same directory, which is closed, flushed to disk and then renamed
/// to `path`. On any failure the temporary file is removed and an existing file at `path` is left
/// untouched. (A process killed mid-write can leave the temporary file behind, never a partial
/// `path`.)
/// @throws InputError naming `path` when its directory does not exist or is not writable, or
///         `strategy` is not a valid group name (empty, '.', or containing '/')
/// @throws std::invalid_argument when result.series does not hold kMetricCount x reps x days values
/// @throws h5::Error when HDF5 fails while writing (disk full, ...)
void write_results(const std::string& path, const RunResult& result, const Provenance& prov,
                   const std::string& strategy = "baseline");

/// Writes an experiment's results the same way: one group per run (baseline, strategies, sweep
/// points) under /strategies, each with its kind, description, overrides and interventions as
/// attributes, and the /summary table (docs/results-format.md).
/// @throws as the single-run write_results
void write_results(const std::string& path, const ExperimentResult& result, const Provenance& prov);

/// SHA-256 of `data` as 64 lowercase hex digits (the `scenario_sha256` attribute).
std::string sha256_hex(std::string_view data);

/// The current UTC time as ISO 8601 with seconds, e.g. "2025-01-31T12:00:00Z".
std::string utc_now_iso8601();

}  // namespace cxsim
