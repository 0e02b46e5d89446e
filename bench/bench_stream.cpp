// Question: how much memory bandwidth does this machine give, on 1 and 2 threads? A STREAM-like
// loop (McCalpin's copy, scale, add, triad, plus a read-only sum) over arrays far larger than
// the caches; the best of several repetitions, bytes counted as STREAM counts them (a write
// counts once, though the hardware also reads the line first). It bounds what a memory-bound
// pass over the customers can reach.
//
//   cxsim_bench_stream [--doubles 33554432] [--threads 1,2] [--repeat 7]

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "bench_support.hpp"

int main(int argc, char** argv) {
  using namespace cxsim;
  const bench::Args args(argc, argv, {"doubles", "threads", "repeat"});
  const auto n = static_cast<std::size_t>(args.num("doubles", 1 << 25));
  const auto thread_counts = args.list("threads", "1,2");
  const int repeat = static_cast<int>(args.num("repeat", 7));
  bench::print_machine();
  std::optional<tbb::global_control> allow;
  int most = 1;
  for (double t : thread_counts) most = std::max(most, static_cast<int>(t));
  if (most > tbb::info::default_concurrency())
    allow.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(most));

  std::vector<double> a(n, 1.0), b(n, 2.0), c(n, 0.0);
  const double scalar = 3.0;
  double sink = 0;
  for (double threads : thread_counts) {
    const int th = static_cast<int>(threads);
    tbb::task_arena arena(th);
    // One contiguous part per thread, as a pass over customer chunks would split them.
    const auto each = [&](auto&& body) {
      const auto t0 = std::chrono::steady_clock::now();
      arena.execute([&] {
        tbb::parallel_for(0, th, [&](int part) {
          const std::size_t lo = n * static_cast<std::size_t>(part) / static_cast<std::size_t>(th);
          const std::size_t hi = n * static_cast<std::size_t>(part + 1) / static_cast<std::size_t>(th);
          body(static_cast<std::size_t>(part), lo, hi);
        });
      });
      return bench::seconds_since(t0);
    };
    double best[5] = {1e30, 1e30, 1e30, 1e30, 1e30};
    std::vector<double> sums(static_cast<std::size_t>(th));
    for (int r = 0; r < repeat; ++r) {
      best[0] = std::min(best[0], each([&](std::size_t, std::size_t lo, std::size_t hi) {
                           for (std::size_t i = lo; i < hi; ++i) c[i] = a[i];
                         }));
      best[1] = std::min(best[1], each([&](std::size_t, std::size_t lo, std::size_t hi) {
                           for (std::size_t i = lo; i < hi; ++i) b[i] = scalar * c[i];
                         }));
      best[2] = std::min(best[2], each([&](std::size_t, std::size_t lo, std::size_t hi) {
                           for (std::size_t i = lo; i < hi; ++i) c[i] = a[i] + b[i];
                         }));
      best[3] = std::min(best[3], each([&](std::size_t, std::size_t lo, std::size_t hi) {
                           for (std::size_t i = lo; i < hi; ++i) a[i] = b[i] + scalar * c[i];
                         }));
      best[4] =
          std::min(best[4], each([&](std::size_t part, std::size_t lo, std::size_t hi) {
                     double s[8] = {};  // eight sums: one would be bound by the add latency, not by memory
                     std::size_t i = lo;
                     for (; i + 8 <= hi; i += 8)
                       for (int k = 0; k < 8; ++k) s[k] += a[i + static_cast<std::size_t>(k)];
                     for (; i < hi; ++i) s[0] += a[i];
                     sums[part] = s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
                   }));
      for (double s : sums) sink += s;
    }
    const double mb = static_cast<double>(n) * 8 / 1e9;  // GB per array pass
    std::printf(
        "stream threads=%d array_mb=%.0f copy_gb_s=%.2f scale_gb_s=%.2f add_gb_s=%.2f triad_gb_s=%.2f "
        "read_gb_s=%.2f\n",
        th, mb * 1e3, 2 * mb / best[0], 2 * mb / best[1], 3 * mb / best[2], 3 * mb / best[3], mb / best[4]);
    std::fflush(stdout);
  }
  return sink == 42 ? 1 : 0;  // keeps the sums alive
}
