#pragma once
// Runs a scenario: replications in parallel, each a Model stepped day by day, results gathered
// in a RunResult. The thread count and the progress and cancel hooks are passed in.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "core/params.hpp"
#include "core/results.hpp"
#include "experiment/experiment.hpp"
#include "model/network.hpp"

namespace cxsim {

/// The most worker threads a run may ask for (the command line's --threads, Python's threads=):
/// far more than any machine has, far fewer than would exhaust the threads a process may start.
inline constexpr int kMaxThreads = 1024;

/// @throws InputError (key "threads") unless 0 (all cores) <= threads <= kMaxThreads
void check_threads(int threads);

struct RunOptions {
  /// Worker threads; 0 means all the machine has. Results do not depend on it.
  int threads = 0;
  /// Called now and then from a worker thread with (customer-days done, customer-days in all).
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  /// Called from a worker thread when a (plan, replication) task starts: plan index into the
  /// plans, replication index (0-based, as in the results file).
  std::function<void(int, int)> task_started;
  /// When it becomes true the run stops soon and throws Cancelled.
  const std::atomic<bool>* cancel = nullptr;
  /// When set, run_plans() hands its whole batch to it (with this hook cleared in the options it
  /// passes on) instead of running it here: the MPI layer (sim/mpi) spreads the batch's tasks over
  /// ranks this way, so --precision and every study built on run_plans() scale out unchanged. It
  /// must return exactly what run_plans() would.
  std::function<ExperimentResult(const std::vector<RunPlan>&, int, int, const RunOptions&, const Network*)>
      distribute;
};

/// Builds a replication's network from the parameters (the given one for edge lists); `cancel`
/// (may be null) ends a long build with Cancelled (generate_network()).
Network network_for(const Params& params, RngKey key, const Network* given,
                    const std::atomic<bool>* cancel = nullptr);
/// Its rows of members [first, first + count) (a rank's share of a partitioned run).
Network network_rows_for(const Params& params, RngKey key, const Network* given, std::uint32_t first,
                         std::uint32_t count, const std::atomic<bool>* cancel = nullptr);
/// What to generate (network.* parameters; an edge list is read, not generated).
NetworkSpec network_spec(const Params& params);

/// Runs every replication of `params`. `given_network` (an edge-list file read by the caller)
/// is used by every replication when network.kind is edge_list.
/// @throws InputError for parameters that cannot be run, Cancelled when cancelled
RunResult run(const Params& params, const RunOptions& options, const Network* given_network = nullptr);

/// The result run_plans() fills: one run per plan with zeroed [count, horizon] series, customer
/// slots for plans that save customers (when `with_customers`), and in `customer_days` what the
/// runs will simulate. Shared with the MPI ensemble, which assembles the same result from ranks.
ExperimentResult shaped_result(const std::vector<RunPlan>& plans, int count, bool with_customers,
                               std::uint64_t& customer_days);

/// Records day `day` of replication `rep`: the model's row and its rows by segment
/// (Model::segment_rows(), segment after segment; empty: none recorded).
void record_day(StrategyResult& out, int rep, std::int32_t day, std::span<const double> row,
                std::span<const double> segment_rows);

/// Runs replications [first_replication, first_replication + count) of every plan. Each
/// (plan, replication) pair is one task: tasks run in parallel (and each model's customers in
/// parallel inside it), at most about `threads` models alive at once, and results land by index,
/// so they do not depend on the thread count. Replication r of every plan uses the same random
/// numbers (key (run.seed, r)): common random numbers across strategies.
/// @throws InputError for parameters that cannot be run, Cancelled when cancelled
ExperimentResult run_plans(const std::vector<RunPlan>& plans, int first_replication, int count,
                           const RunOptions& options, const Network* given_network = nullptr);

/// plan_experiment() then run_plans() for run.replications replications.
/// @throws InputError as plan_experiment() and run_plans(), Cancelled when cancelled
ExperimentResult run_experiment(const Experiment& experiment, const RunOptions& options,
                                const Network* given_network = nullptr);

/// Rough bytes a run needs: customers, network, series (for `cxsim validate`); `runs` strategies
/// and sweep points keep their series.
std::uint64_t estimate_memory_bytes(const Params& params, int threads, int runs = 1);

/// Runs (replications of strategies) a study holds at once: `tasks` of them on `threads`, at least 1.
std::uint64_t runs_at_once(std::int64_t tasks, int threads);

/// Directed ties of the social network the parameters build (0 for random mixing).
std::uint64_t directed_ties(const Params& params);

/// Seconds one run (a replication of a strategy) spends building its social network, from the cost
/// of a directed tie of each kind measured on 5 x 10^4 people with 1,000 to 2,000 ties each
/// (docs/performance.md, "validate's run-time estimate"); 0 for random mixing and edge lists.
double estimate_network_seconds(const Params& params);

/// Bytes of one replication's daily series (with output.by_segment, each segment's too).
std::uint64_t series_bytes(const Params& params);

}  // namespace cxsim
