// scripts/tsan.sh's check that ThreadSanitizer sees races in the engine's loops despite oneTBB being
// uninstrumented (sim/core/fork_join.hpp, scripts/tsan.supp). `canary clean` does what the engine
// does, each body writing its own items, the caller reading them after the loop and writing before
// the next, and must run without a report; `canary race` has every body add to one shared counter
// and must be reported. Built only in the tsan preset.

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "core/fork_join.hpp"

int main(int argc, char** argv) {
  const bool race = argc > 1 && std::strcmp(argv[1], "race") == 0;
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 4);
  std::vector<long> items(1 << 14, 0);
  long shared = 0;
  for (int round = 0; round < 20; ++round) {
    for (std::size_t k = 0; k < items.size(); k += 97) items[k] += round;  // the caller, between loops
    cxsim::fork_join::parallel_for(tbb::blocked_range<std::size_t>(0, items.size(), 256), [&](const auto& r) {
      for (std::size_t k = r.begin(); k < r.end(); ++k) {
        items[k] += static_cast<long>(k);
        if (race) shared += 1;
      }
    });
    cxsim::fork_join::parallel_for(0, 8, [&](int part) { items[static_cast<std::size_t>(part)] *= 2; });
  }
  long sum = shared;
  for (long v : items) sum += v;
  std::printf("canary %s: %ld\n", race ? "race" : "clean", sum);
  return 0;
}
