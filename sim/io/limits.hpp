#pragma once
// Limits on untrusted input and the memory check every entry point makes before allocating
// (docs/reliability.md). The numbers are chosen to be far above any real use and consistent with
// the types that hold the values.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "experiment/experiment.hpp"

namespace cxsim {

/// A scenario file larger than this is refused before it is read (real ones are a few KB).
inline constexpr std::uint64_t kMaxScenarioBytes = 4 * 1024 * 1024;
/// Deepest nesting of tables and arrays in a scenario ([[a.b.c]] counts its dotted parts; real
/// scenarios use 3). Checked before the TOML library parses, whose parser recurses.
inline constexpr int kMaxScenarioDepth = 32;
/// Segments: the model keeps a segment index in 8 bits (Customers::segment).
inline constexpr std::size_t kMaxSegments = 256;
/// Longest key or name in a message ("did you mean" is only tried up to kMaxSuggestKey bytes,
/// core/text.hpp).
inline constexpr std::size_t kMaxNameInMessage = 120;
/// Longest error message (bytes) before it is cut.
inline constexpr std::size_t kMaxMessageBytes = 2000;

/// Checks TOML text before the TOML library parses it (its parser recurses): at most
/// kMaxScenarioBytes, nesting of arrays and inline tables at most kMaxScenarioDepth, dotted keys
/// and table headers of at most kMaxScenarioDepth parts.
/// @throws InputError naming `file` and the line
void check_toml_limits(std::string_view text, const std::string& file);

/// The text of a small input file (a scenario, a targets file), read without blocking: refused
/// before it is opened unless it is a regular file of at most kMaxScenarioBytes (a FIFO or a device
/// would block or never end). `what` names the file in messages ("scenario file"), `noun` what a
/// non-regular file is not ("scenario").
/// @throws InputError naming the file
std::string read_input_text(const std::string& path, std::string_view what, std::string_view noun);

/// `text` safe to print on a terminal: control characters (and DEL, and C1 controls) escaped as
/// \n, \t, \xNN or \u{NN}, invalid UTF-8 bytes as \xNN, cut to at most `max_bytes` with "...".
std::string printable(std::string_view text, std::size_t max_bytes = kMaxNameInMessage);

/// Whole output text made safe for a terminal: as printable() but newlines and tabs kept and
/// nothing cut.
std::string terminal_text(std::string_view text);

/// The memory an experiment's runs need at once (every plan, with its own population, network and
/// saved customer state), plus its daily series and the in-memory results file.
std::uint64_t estimate_experiment_memory(const std::vector<RunPlan>& plans, std::int64_t replications,
                                         int threads);

/// An upper bound of the results file's size in bytes (uncompressed data plus metadata).
std::uint64_t estimate_results_bytes(const std::vector<RunPlan>& plans, std::int64_t replications);

/// Refuses (InputError naming `file` and market.population) an experiment that does not fit in
/// the memory this machine has available now.
void check_memory(const std::vector<RunPlan>& plans, std::int64_t replications, int threads,
                  const std::string& file);

/// One MPI rank's part of a run (`mpirun`, docs/cluster.md).
struct RankShare {
  int ranks = 1;            ///< ranks in the job
  bool root = true;         ///< rank 0: holds the results and writes the file
  bool partition = false;   ///< --partition: every run's population split over the ranks
  std::uint32_t block = 0;  ///< --partition: the customers this rank holds
};
/// The memory one rank needs. Runs spread over the ranks: up to `threads` whole models at once
/// (estimate_experiment_memory's). --partition: one model of its block at a time (one task after
/// another, every rank together) and what building the network takes on every rank. Rank 0 also
/// holds the results, as a single process does.
std::uint64_t estimate_rank_memory(const std::vector<RunPlan>& plans, std::int64_t replications, int threads,
                                   const RankShare& share);

/// Refuses (InputError naming `file` and market.population) a need of `need` bytes by `processes`
/// processes (the MPI ranks on this machine, or 1) when this machine has less than `have` / 0.9
/// available (`have` 0: unknown, nothing is refused). The message's advice follows `partition`;
/// `what` names what needs it ("run", "study").
void check_memory_need(std::uint64_t need, std::uint64_t have, int processes, const std::string& file,
                       bool partition = false, std::string_view what = "run");

/// "12.3 MB"
std::string human_bytes(double bytes);

}  // namespace cxsim
