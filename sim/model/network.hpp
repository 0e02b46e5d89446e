#pragma once
// Social networks as compressed sparse rows (CSR): the ties of customer i are
// targets[offsets[i] .. offsets[i+1]). Undirected graphs store each tie in both directions.

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/params.hpp"
#include "core/rng.hpp"

namespace cxsim {

struct Blocks;  // model/partition.hpp

struct Network {
  std::uint32_t size = 0;
  /// Random mixing: no ties are stored; a message goes to a uniformly random other member.
  bool complete = false;
  std::vector<std::uint64_t> offsets;  ///< rows + 1 entries (empty when complete)
  std::vector<std::uint32_t> targets;  ///< sorted within each customer's row, no duplicates
  /// The rows held are those of members [first, first + offsets.size() - 1): everyone's (first 0)
  /// except on a rank of a partitioned run, which holds its own customers' rows (network_rows()).
  std::uint32_t first = 0;

  /// Member i's ties (i among the rows held).
  std::span<const std::uint32_t> ties(std::uint32_t i) const {
    const std::size_t r = i - first;
    return {targets.data() + offsets[r], static_cast<std::size_t>(offsets[r + 1] - offsets[r])};
  }
  /// Stored directed ties (twice the undirected count).
  std::uint64_t tie_count() const { return targets.size(); }
  double mean_degree() const;
};

/// What to generate (network.* parameters).
struct NetworkSpec {
  NetworkKind kind = NetworkKind::watts_strogatz;  ///< not edge_list (read by the I/O layer)
  std::int64_t mean_degree = 10;                   ///< ring, erdos_renyi, watts_strogatz
  double rewiring = 0.1;                           ///< watts_strogatz
  std::int64_t ba_m = 5;                           ///< barabasi_albert
};

/// Generates a network of n members; a pure function of (spec, n, key). `cancel` (may be null) is
/// polled between blocks of the work: a dense graph can take minutes.
/// @throws InputError when the spec cannot be met (e.g. mean degree >= n)
/// @throws Cancelled when `cancel` is set before the network is built
Network generate_network(const NetworkSpec& spec, std::uint32_t n, RngKey key,
                         const std::atomic<bool>* cancel = nullptr);

/// The rows of members [first, first + count) of generate_network(spec, n, key), the same ties in
/// the same order, built without the other rows where the generator allows: ring and Watts-Strogatz
/// keep every member's own slots (4 bytes a tie / 2, plus 4 a member) while they build the rows;
/// Erdos-Renyi replays every member's stream and keeps the ties of the block (no more memory than
/// the rows, time of the whole graph; across ranks, erdos_renyi_drawn below draws only the block's);
/// Barabasi-Albert draws everyone's ties (8 bytes a tie, plus 4 a member, while it builds: its preferential
/// attachment is sequential) and builds the block's rows.
/// `cancel` as in generate_network().
Network generate_network_rows(const NetworkSpec& spec, std::uint32_t n, RngKey key, std::uint32_t first,
                              std::uint32_t count, const std::atomic<bool>* cancel = nullptr);

/// A tie drawn by member `drawer` to member `far` (trivially copyable: it travels between ranks).
struct Tie {
  std::uint32_t drawer, far;
};

/// Erdos-Renyi on the ranks of a partitioned run without replaying the other ranks' draws (the
/// same rows as generate_network_rows, tie for tie). Each member draws its ties to higher ids from
/// its own stream, so a rank draws only its own members' ties (erdos_renyi_drawn), sends each later
/// rank the ties that end among its members, and builds its rows from the ties it received and its
/// own (erdos_renyi_rows).
struct DrawnTies {
  std::vector<Tie> ties;                ///< grouped by the far end's rank, in rank order
  std::vector<std::uint64_t> per_rank;  ///< the groups' sizes (none before the drawing rank)
};
/// Every tie that rank `rank`'s members draw: grouped by the rank holding the far end (its own
/// first, then the later ranks'), in drawing order (drawer, then far end, ascending) within a group.
/// @throws InputError when the spec cannot be met (generate_network's checks)
DrawnTies erdos_renyi_drawn(const NetworkSpec& spec, std::uint32_t n, RngKey key, const Blocks& blocks,
                            int rank);
/// The rows of members [first, first + count) from every tie with an end among them: those that
/// members below `first` draw into the block (`drawn_below`, in drawing order: what the earlier
/// ranks sent, in rank order) and the block's own (`drawn`, from erdos_renyi_drawn).
Network erdos_renyi_rows(std::uint32_t n, std::uint32_t first, std::uint32_t count,
                         const std::vector<Tie>& drawn_below, const DrawnTies& drawn);

/// Builds an undirected CSR graph from an edge list: drops self-loops and duplicates. With a block
/// [first, first + count), only the rows of its members, as network_rows() of the whole graph
/// would keep them (`edges` then needs only the ties with an end in the block).
/// @throws InputError when an id is >= n
Network network_from_edges(std::uint32_t n, std::vector<std::pair<std::uint32_t, std::uint32_t>> edges,
                           std::uint32_t first = 0, std::uint32_t count = UINT32_MAX);

/// The rows of members [first, first + count) of a network that holds them (every row, or a block
/// around them): what a rank of a partitioned run keeps (a complete network has no rows and is
/// copied as it is).
Network network_rows(const Network& net, std::uint32_t first, std::uint32_t count);

/// Mean local clustering coefficient (members with degree < 2 count as 0).
double clustering_coefficient(const Network& net);

/// histogram[k] = members with degree k.
std::vector<std::uint64_t> degree_histogram(const Network& net);

/// Bytes the network holds (for memory estimates).
std::uint64_t network_bytes(const Network& net);

}  // namespace cxsim
