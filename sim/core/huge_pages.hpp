#pragma once
// Large arrays on huge pages where the system grants them (Linux transparent huge pages in
// "madvise" mode). The daily step reads customers' records and rows of ties scattered over
// arrays of tens of megabytes; with 4 KB pages nearly every such read also misses the TLB and
// waits for a page walk (docs/performance.md). Only the memory's mapping changes, never a value.

#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace cxsim {

/// Gives an empty vector room for n elements and prepares that room before it is first touched
/// (all of it is, by the callers, right after): huge pages asked for from 4 MB, and from 256 KB
/// the pages mapped in one call (MADV_POPULATE_WRITE, Linux 5.14) rather than one fault at a
/// time. A fault costs about 11 microseconds on the virtual machines of docs/performance.md, so an
/// array of 8 MB took 23 ms to fill and 4 ms this way. Hints: ignored where unsupported.
template <class T>
void reserve_huge(std::vector<T>& v, std::size_t n) {
  if (v.capacity() >= n) return;
  std::vector<T>().swap(v);
  v.reserve(n);
#if defined(__linux__)
  constexpr std::uintptr_t kPage = 4096;
  const std::size_t bytes = n * sizeof(T);
  if (bytes < (std::size_t{256} << 10)) return;
  const auto start = reinterpret_cast<std::uintptr_t>(v.data());
  const std::uintptr_t lo = (start + kPage - 1) & ~(kPage - 1), hi = (start + bytes) & ~(kPage - 1);
  if (hi <= lo) return;
#if defined(MADV_HUGEPAGE)
  if (bytes >= (std::size_t{4} << 20)) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
#endif
#if defined(MADV_POPULATE_WRITE)
  madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_POPULATE_WRITE);
#endif
#endif
}

}  // namespace cxsim
