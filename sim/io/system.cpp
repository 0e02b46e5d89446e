#include "io/system.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cxsim {

namespace {

// The first number in a small text file, or 0 ("max" and unreadable files give 0).
std::uint64_t read_number(const char* path, const char* label = nullptr) {
  std::FILE* f = std::fopen(path, "re");
  if (!f) return 0;
  char line[256];
  std::uint64_t value = 0;
  while (std::fgets(line, sizeof line, f)) {
    const char* p = line;
    if (label) {
      if (std::strncmp(line, label, std::strlen(label)) != 0) continue;
      p += std::strlen(label);
    }
    unsigned long long v = 0;
    if (std::sscanf(p, " %llu", &v) == 1) value = v;
    break;
  }
  std::fclose(f);
  return value;
}

}  // namespace

std::uint64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size) : 0;
}

std::uint64_t available_memory_bytes() {
  // Test hook: a machine with this many bytes available (tests/mpi/test_mpi.sh, memory checks).
  if (const char* fake = std::getenv("CXSIM_TEST_MEMORY_AVAILABLE")) return std::strtoull(fake, nullptr, 10);
  std::uint64_t available = read_number("/proc/meminfo", "MemAvailable:") * 1024;
  if (available == 0) available = physical_memory_bytes();
  // cgroup v2, then v1: the limit minus what the group uses.
  std::uint64_t limit = read_number("/sys/fs/cgroup/memory.max");
  std::uint64_t used = read_number("/sys/fs/cgroup/memory.current");
  if (limit == 0) {
    limit = read_number("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    used = read_number("/sys/fs/cgroup/memory/memory.usage_in_bytes");
  }
  if (limit > 0 && limit < (std::uint64_t{1} << 60)) {
    const std::uint64_t room = limit > used ? limit - used : 0;
    available = available == 0 ? room : std::min(available, room);
  }
  return available;
}

}  // namespace cxsim
