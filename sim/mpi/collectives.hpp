#pragma once
// The byte collectives over MPI_COMM_WORLD that the ensembles (mpi/ensemble.cpp) and the
// partitioned run (mpi/partition.cpp) share. Items travel as bytes: they are trivially copyable and
// every rank runs the same binary. MPI counts are ints, so every count and displacement is checked
// against 2 GB. Internal to the mpi layer; built only with CXSIM_WITH_MPI.

#include <mpi.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace cxsim::mpi::detail {

/// `n` bytes (or, with `items`, items) as an MPI count, or an error naming `what` when it does not
/// fit an int: 2 GB (2^31 items).
inline int checked_int(std::size_t n, const char* what, bool items = false) {
  if (n > static_cast<std::size_t>(INT_MAX))
    throw std::runtime_error(std::string("MPI: more than ") + (items ? "2^31 " : "2 GB of ") + what +
                             " in one exchange");
  return static_cast<int>(n);
}

/// The sum of counts (bytes, or items of an MPI type).
inline std::size_t total_count(const std::vector<int>& counts) {
  std::size_t total = 0;
  for (int c : counts) total += static_cast<std::size_t>(c);
  return total;
}

/// Displacements of `counts` (bytes, or with `items` items) laid end to end.
inline std::vector<int> displacements(const std::vector<int>& counts, const char* what, bool items = false) {
  std::vector<int> at(counts.size());
  std::size_t total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    at[r] = checked_int(total, what, items);
    total += static_cast<std::size_t>(counts[r]);
  }
  checked_int(total, what, items);
  return at;
}

/// Every rank's items, in rank order, in `all` on rank 0 (cleared elsewhere). Returns the bytes this
/// rank sent to another rank. Collective.
template <class T>
std::uint64_t gather_to_root(std::span<const T> mine, std::vector<T>& all, int rank, int size,
                             const char* what) {
  static_assert(std::is_trivially_copyable_v<T>);
  const int bytes = checked_int(mine.size() * sizeof(T), what);
  std::vector<int> counts(static_cast<std::size_t>(size));
  MPI_Gather(&bytes, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> at;
  all.clear();
  if (rank == 0) {
    at = displacements(counts, what);
    all.resize(total_count(counts) / sizeof(T));
  }
  MPI_Gatherv(mine.data(), bytes, MPI_BYTE, all.data(), counts.data(), at.data(), MPI_BYTE, 0,
              MPI_COMM_WORLD);
  return rank == 0 ? 0 : static_cast<std::uint64_t>(bytes);
}

/// Each rank sends out_counts[r] bytes of `out` (grouped by rank, in rank order) to rank r and
/// receives in_counts[r] bytes from rank r, in rank order, into `in` (resized to fit). Both
/// counts must be known on each side (see alltoallv_counted). Collective.
template <class T, class U>
void alltoallv(std::span<const T> out, const std::vector<int>& out_counts, std::vector<U>& in,
               const std::vector<int>& in_counts, const char* what) {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_copyable_v<U>);
  in.resize(total_count(in_counts) / sizeof(U));
  MPI_Alltoallv(out.data(), out_counts.data(), displacements(out_counts, what).data(), MPI_BYTE, in.data(),
                in_counts.data(), displacements(in_counts, what).data(), MPI_BYTE, MPI_COMM_WORLD);
}

/// alltoallv() counted in items of T rather than bytes (an MPI type of sizeof(T) bytes), for
/// exchanges that may pass 2 GB: up to 2^31 items from or to each rank. Collective.
template <class T>
void alltoallv_items(std::span<const T> out, const std::vector<int>& out_items, std::vector<T>& in,
                     const std::vector<int>& in_items, const char* what) {
  static_assert(std::is_trivially_copyable_v<T>);
  in.resize(total_count(in_items));
  MPI_Datatype item = MPI_DATATYPE_NULL;
  MPI_Type_contiguous(static_cast<int>(sizeof(T)), MPI_BYTE, &item);
  MPI_Type_commit(&item);
  MPI_Alltoallv(out.data(), out_items.data(), displacements(out_items, what, true).data(), item, in.data(),
                in_items.data(), displacements(in_items, what, true).data(), item, MPI_COMM_WORLD);
  MPI_Type_free(&item);
}

/// alltoallv() when only the sending side knows its counts: one MPI_Alltoall of the counts first.
/// Returns the bytes received from each rank. Collective.
template <class T>
std::vector<int> alltoallv_counted(std::span<const T> out, const std::vector<int>& out_counts,
                                   std::vector<T>& in, const char* what) {
  std::vector<int> in_counts(out_counts.size());
  MPI_Alltoall(out_counts.data(), 1, MPI_INT, in_counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
  alltoallv(out, out_counts, in, in_counts, what);
  return in_counts;
}

}  // namespace cxsim::mpi::detail
