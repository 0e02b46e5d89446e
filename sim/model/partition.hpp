#pragma once
// One population split over several processes (`cxsim run --partition` under mpirun,
// docs/cluster.md): what a Model needs from the others to step its own block of customers so that
// the day's results are the single process's, bit for bit. The model layer knows nothing of MPI;
// sim/mpi implements this interface over MPI_COMM_WORLD.
//
// The blocks are contiguous runs of whole chunks (Model::kChunk customers), in rank order, so the
// single process's chunk order is rank order then local chunk order. Every call is collective:
// every rank makes the same calls in the same order.

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "core/results.hpp"
#include "service/contact_centre.hpp"

namespace cxsim {

struct Message;

/// Which customers each rank holds: chunks [chunk_start[r], chunk_start[r + 1]) of the population.
struct Blocks {
  std::uint32_t population = 0;
  std::uint32_t chunk = 1;                 ///< customers per chunk
  std::vector<std::uint32_t> chunk_start;  ///< ranks + 1 entries

  /// `ranks` blocks of whole chunks, as equal as chunks allow (a rank may hold none).
  static Blocks even(std::uint32_t population, std::uint32_t chunk, int ranks);
  int ranks() const { return static_cast<int>(chunk_start.size()) - 1; }
  std::uint32_t first(int rank) const;  ///< first customer of the rank's block
  std::uint32_t count(int rank) const;  ///< customers in the rank's block
  /// The rank holding customer i.
  int owner(std::uint32_t i) const;
};

class PartitionLink {
 public:
  virtual ~PartitionLink() = default;
  virtual int rank() const = 0;
  virtual const Blocks& blocks() const = 0;
  bool is_root() const { return rank() == 0; }

  /// Adds rows (`chunks` rows of row.size() values each: this rank's chunks in order) to `row`,
  /// rank after rank: the left fold row += chunk 0, += chunk 1, ... of the single process over the
  /// whole population. With skip_zero, zero values are not added (a NaN stays NaN). `row` is read
  /// on rank 0 and the result is left on rank 0 (elsewhere `row` is scratch).
  virtual void fold(std::span<double> row, std::span<const double> rows, bool skip_zero) = 0;
  /// Each contact to rank rank_of(contact): `received` is every rank's contacts for this one, in
  /// rank order, each rank's in its order.
  virtual void route_contacts(const std::vector<Contact>& mine, std::vector<Contact>& received,
                              const std::function<int(const Contact&)>& rank_of) = 0;
  /// Every rank's `mine` (the same count on every rank) in rank order, on rank 0 (`all` is left
  /// empty elsewhere).
  virtual void gather_stats(std::span<const ChannelDayStats> mine, std::vector<ChannelDayStats>& all) = 0;
  /// Every rank's completed episode rows (run.episodes) in rank order, on rank 0 (`all` is left
  /// empty elsewhere).
  virtual void gather_episodes(const std::vector<EpisodeRow>& mine, std::vector<EpisodeRow>& all) = 0;
  /// The outcomes (read on rank `root`) of this rank's customers, in the order they came, appended
  /// to `mine`.
  virtual void scatter_outcomes(std::span<const ContactOutcome> all, std::vector<ContactOutcome>& mine,
                                int root) = 0;
  /// The messages to this rank's customers, from every rank in rank order, each rank's in the
  /// order it sent them.
  virtual void route_messages(const std::vector<Message>& sent, std::vector<Message>& received) = 0;
  /// Asks the ranks holding them: questions[k] names customer questions[k] / 2's story tag of a
  /// kind (2 j + 0 good, 2 j + 1 bad), never one of this rank's customers; the rank holding j
  /// answers answer(questions[k]) there, and the answers come back to answers[k].
  virtual void ask(const std::vector<std::uint32_t>& questions, std::vector<std::uint16_t>& answers,
                   const std::function<std::uint16_t(std::uint32_t)>& answer) = 0;
  /// Rank 0's `values` on every rank.
  virtual void broadcast(std::span<double> values) = 0;
};

}  // namespace cxsim
