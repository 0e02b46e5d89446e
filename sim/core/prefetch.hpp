#pragma once
// Prefetching a cache line that is about to be written.
//
// GCC's __builtin_prefetch(p, 1) asks for a write, but for generic x86-64 it emits PREFETCHT0,
// which fetches the line to be read: a line another core holds (a story tag that tellers on the
// other core read the same day) then comes over shared and needs a second trip to be written.
// PREFETCHW fetches it owned, invalidating the other copies ahead of the write. It is used when
// the processor says it has it (CPUID 0x80000001, ECX bit 8: every x86-64 AMD processor, Intel
// from Broadwell); otherwise, and off x86, the builtin's own write prefetch. A hint either way:
// results do not depend on it.

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define CXSIM_PREFETCHW 1
#endif

namespace cxsim {

#ifdef CXSIM_PREFETCHW
namespace detail {
inline bool processor_has_prefetchw() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid(0x80000001u, &a, &b, &c, &d) != 0 && (c & bit_PRFCHW) != 0;
}
inline const bool kHasPrefetchW = processor_has_prefetchw();
}  // namespace detail
#endif

/// Asks for the line holding *p, to be written soon.
inline void prefetch_for_write(const void* p) {
#ifdef CXSIM_PREFETCHW
  if (detail::kHasPrefetchW) {
    asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(p)));
    return;
  }
#endif
  __builtin_prefetch(p, 1);
}

}  // namespace cxsim
