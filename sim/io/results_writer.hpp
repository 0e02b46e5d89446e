#pragma once
// Writes a RunResult to a self-describing HDF5 results file (docs/architecture.md); the layout is
// documented in docs/results-format.md and readable with plain h5py.

#include <atomic>
#include <string>
#include <string_view>

#include "core/results.hpp"
#include "experiment/experiment.hpp"
#include "io/output_path.hpp"

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

/// How write_results treats the output path.
struct WriteOptions {
  /// Used when `target` is null: what an existing file may be (Replace::results: a cxsim results
  /// file is replaced, anything else refused).
  Replace replace = Replace::results;
  /// The result of check_output() made before the run (the CLI checks before simulating).
  const OutputTarget* target = nullptr;
  /// Set by a signal: checked between strategies and right before the commit (Cancelled).
  const std::atomic<bool>* cancel = nullptr;
};

/// Writes `result` as strategy `strategy` to `path`, with a /summary table, atomically: the file
/// is built in memory, written to an exclusively created temporary file in the same directory
/// (".<name>.cxsim-tmp-<pid>-<random>"), flushed to disk and renamed to `path` (publish_file()).
/// Only a new path or a regular cxsim results file is ever replaced, keeping its permissions. On any
/// failure the temporary file is removed and an existing file at `path` is left untouched. (A
/// process killed mid-write can leave the temporary file behind, never a partial `path`; the
/// next write to the same path removes it.)
/// @throws InputError naming `path` when its directory does not exist or is not writable, the
///         path is a special file, a symlink, a directory or a file that is not a cxsim results
///         file, or `strategy` is not a valid group name (empty, '.', or containing '/')
/// @throws Cancelled when options.cancel was set before the commit
/// @throws std::invalid_argument when result.series does not hold kMetricCount x reps x days values
/// @throws h5::Error when HDF5 fails while writing (disk full, ...)
void write_results(const std::string& path, const RunResult& result, const Provenance& prov,
                   const std::string& strategy = "baseline", const WriteOptions& options = {});

/// Writes an experiment's results the same way: one group per run (baseline, strategies, sweep
/// points) under /strategies, each with its kind, description, overrides and interventions as
/// attributes, and the /summary table (docs/results-format.md).
/// @throws as the single-run write_results
void write_results(const std::string& path, const ExperimentResult& result, const Provenance& prov,
                   const WriteOptions& options = {});

/// SHA-256 of `data` as 64 lowercase hex digits (the `scenario_sha256` attribute).
std::string sha256_hex(std::string_view data);

/// The current UTC time as ISO 8601 with seconds, e.g. "2025-01-31T12:00:00Z".
std::string utc_now_iso8601();

}  // namespace cxsim
