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

/// Gives an empty vector room for n elements and asks for huge pages for that room before it is
/// first touched. A hint: ignored where unsupported, and for small arrays (below 4 MB).
template <class T>
void reserve_huge(std::vector<T>& v, std::size_t n) {
  if (v.capacity() >= n) return;
  std::vector<T>().swap(v);
  v.reserve(n);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kPage = 4096;
  const std::size_t bytes = n * sizeof(T);
  if (bytes < (std::size_t{4} << 20)) return;
  const auto start = reinterpret_cast<std::uintptr_t>(v.data());
  const std::uintptr_t lo = (start + kPage - 1) & ~(kPage - 1), hi = (start + bytes) & ~(kPage - 1);
  if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
#endif
}

}  // namespace cxsim
