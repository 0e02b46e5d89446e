#pragma once
// One population across MPI ranks (`mpirun -n R cxsim run FILE --partition`, docs/cluster.md):
// every (plan, replication) task runs on all ranks together, one after another, each rank holding
// a contiguous block of whole chunks of customers (Model::kChunk) and its customers' rows of the
// social network, and exchanging at the daily step's merge points what the single process would
// see there (model/partition_step.hpp). Every rank ends with the same series; the customer
// columns are gathered to rank 0, which writes the file. The results are the single process's,
// bit for bit, for any rank count. Built only with CXSIM_WITH_MPI.

#include <cstdint>
#include <utility>
#include <vector>

#include "experiment/runner.hpp"

namespace cxsim::mpi {

/// run_plans() with each task's population split over the ranks (the RunOptions::distribute hook).
/// Without a launcher (MPI not started) it is run_plans(). Collective.
ExperimentResult run_plans_partitioned(const std::vector<RunPlan>& plans, int first_replication, int count,
                                       const RunOptions& options, const Network* given_network);

/// The customers [first, first + count) this rank holds in a partitioned run of `population`
/// (contiguous blocks of whole chunks, as equal as chunks allow; everyone without MPI).
std::pair<std::uint32_t, std::uint32_t> partition_block(std::uint32_t population);

/// What the partitioned runs of this process moved between ranks and held, summed or maximised
/// over the ranks since the start. Collective; the same on every rank.
struct PartitionReport {
  int ranks = 1;
  std::uint64_t customer_days = 0;
  std::uint64_t days = 0;  ///< days stepped (all tasks)
  /// Bytes sent from one rank to another, all ranks: the running sums (fold and broadcast), contacts
  /// to rank 0, outcomes back, word-of-mouth messages, tellers' questions about listeners' story
  /// tags and their answers; `columns`: results gathered to rank 0 (customer columns at the end,
  /// episode rows each day).
  std::uint64_t sums = 0, contacts = 0, outcomes = 0, messages = 0, queries = 0, columns = 0;
  /// Erdos-Renyi's ties sent to the ranks holding their far ends while each replication's network
  /// is built (once a replication, not a day).
  std::uint64_t network = 0;
  std::uint64_t state_bytes_max = 0;  ///< largest rank: customers + network rows
  std::uint64_t total() const { return sums + contacts + outcomes + messages + queries + columns + network; }
};
PartitionReport partition_report();

}  // namespace cxsim::mpi
