#pragma once
// What the machine offers, for checks before any allocation (docs/reliability.md).

#include <cstdint>

namespace cxsim {

/// Memory this process can still use, in bytes: the smaller of MemAvailable (/proc/meminfo) and
/// the room left under a cgroup (container) limit; physical memory when neither is readable; 0
/// when nothing is known. The environment variable CXSIM_TEST_MEMORY_AVAILABLE (bytes) replaces
/// it, for tests of the memory checks.
std::uint64_t available_memory_bytes();

/// Physical memory of the machine in bytes (0 when unknown).
std::uint64_t physical_memory_bytes();

}  // namespace cxsim
