#pragma once
// Ensembles across MPI ranks (`mpirun -n R cxsim run ...`): the (plan, replication) tasks of every
// batch run_plans() is given are handed out by rank 0 in shrinking chunks to whichever rank asks
// (dynamic load balancing), each rank runs its chunks on its own threads through run_plans(), and
// the results are gathered so that every rank holds the same ExperimentResult the single-process
// run would make (series on every rank, so --precision chooses the same batches everywhere;
// customer columns on rank 0, which writes the file). Replication r of plan p is a pure function of
// the inputs (random streams keyed by seed and replication, never by rank), so the file is the same
// bit for bit whatever the rank count. Built only with CXSIM_WITH_MPI.

#include <functional>
#include <utility>
#include <vector>

#include "experiment/runner.hpp"

namespace cxsim::mpi {

/// This process's place in MPI_COMM_WORLD; rank 0 of 1 and inactive when MPI was not started.
struct World {
  int rank = 0;
  int size = 1;
  bool active = false;
};

/// Starts MPI when a launcher (mpirun, srun) started this process, else does nothing, so the same
/// binary runs as an ordinary program. Call once, first thing in main().
World init(int& argc, char**& argv);
/// Ends MPI if init() started it.
void finalize();
const World& world();

/// Runs `step` on every rank and agrees on the outcome: when it threw on any rank, every rank
/// throws the error of the lowest failing rank, of the same kind (InputError, Cancelled, or
/// std::runtime_error), its message naming the rank when there are several. Collective.
void together(const std::function<void()>& step);

/// The sum of `mine` over the ranks on this machine (those that share its memory) and how many
/// they are. Collective; `mine` and 1 without several ranks.
std::pair<std::uint64_t, int> sum_on_this_machine(std::uint64_t mine);

/// Rank 0's `values` on every rank (sizes included). Collective; nothing without several ranks.
void broadcast(std::vector<double>& values);

/// run_plans() over every rank (the RunOptions::distribute hook). Collective.
ExperimentResult run_plans_on_ranks(const std::vector<RunPlan>& plans, int first_replication, int count,
                                    const RunOptions& options, const Network* given_network);

}  // namespace cxsim::mpi
