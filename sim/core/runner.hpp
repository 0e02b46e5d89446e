#pragma once
// Runs a scenario: replications in parallel, each a Model stepped day by day, results gathered
// in a RunResult. The thread count and the progress and cancel hooks are passed in.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>

#include "network.hpp"
#include "params.hpp"
#include "results.hpp"

namespace cxsim {

struct RunOptions {
  /// Worker threads; 0 means all the machine has. Results do not depend on it.
  int threads = 0;
  /// Called now and then from a worker thread with (customer-days done, customer-days in all).
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  /// When it becomes true the run stops soon and throws Cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

/// Builds a replication's network from the parameters (the given one for edge lists).
Network network_for(const Params& params, RngKey key, const Network* given);

/// Runs every replication of `params`. `given_network` (an edge-list file read by the caller)
/// is used by every replication when network.kind is edge_list.
/// @throws InputError for parameters that cannot be run, Cancelled when cancelled
RunResult run(const Params& params, const RunOptions& options, const Network* given_network = nullptr);

/// Rough bytes a run needs: customers, network, series (for `cxsim validate`).
std::uint64_t estimate_memory_bytes(const Params& params, int threads);

}  // namespace cxsim
