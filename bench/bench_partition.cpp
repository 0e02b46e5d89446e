// Question: if one population were split over R ranks (`--partition`, docs/cluster.md), what share
// of the social ties would cross ranks? Contiguous blocks of customer ids, for each generator at
// its default parameters (mean degree 10; Barabasi-Albert m = 5). Word-of-mouth messages along a
// cross-rank tie are the traffic a partitioned day would exchange. The network generators are used
// as they are; nothing of the model runs.
//
// Second question: how long does the slowest rank take to build its rows of an Erdos-Renyi network?
// Until 2026-12-01 every rank replayed the draws of every member below its block's end (the last
// rank: the whole graph's); now each rank draws its own members' ties and receives those the
// earlier ranks draw into its block (erdos_renyi_drawn, erdos_renyi_rows). Both are timed rank by
// rank in this process, on --threads threads (one rank's), the exchange itself left out (its bytes
// are printed: 8 a tie sent).
//
//   cxsim_bench_partition [--population 1000000] [--ranks 2,4,16,64] [--threads 1]

#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "model/network.hpp"
#include "model/partition.hpp"

int main(int argc, char** argv) {
  const cxsim::bench::Args args(argc, argv, {"population", "ranks", "threads"});
  const auto n = static_cast<std::uint32_t>(args.num("population", 1000000));
  const auto ranks = args.list("ranks", "2,4,16,64");
  cxsim::bench::print_machine();
  for (const char* kind : {"ring", "watts_strogatz", "erdos_renyi", "barabasi_albert"}) {
    cxsim::NetworkSpec spec;
    spec.kind = *cxsim::parse_choice<cxsim::NetworkKind>(kind);
    const cxsim::Network net = cxsim::generate_network(spec, n, cxsim::RngKey{1, 0});
    for (double r : ranks) {
      const auto R = static_cast<std::uint64_t>(r);
      const auto block = [&](std::uint64_t i) { return i * R / n; };  // contiguous blocks
      std::uint64_t cross = 0;
      for (std::uint32_t i = 0; i < n; ++i)
        for (std::uint32_t j : net.ties(i)) cross += block(i) != block(j);
      std::printf(
          "partition network=%s population=%u ranks=%llu mean_degree=%.2f cross_rank_tie_fraction=%.5f\n",
          kind, n, static_cast<unsigned long long>(R), net.mean_degree(),
          static_cast<double>(cross) / static_cast<double>(net.tie_count()));
    }
  }
  const auto threads = static_cast<std::size_t>(args.num("threads", 1));
  const tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  cxsim::NetworkSpec spec;
  spec.kind = cxsim::NetworkKind::erdos_renyi;
  const cxsim::RngKey key{1, 0};
  for (double r : ranks) {
    const auto R = static_cast<int>(r);
    const cxsim::Blocks blocks = cxsim::Blocks::even(n, 8192, R);  // Model::kChunk
    double replay_max = 0, draw_max = 0;
    std::vector<cxsim::DrawnTies> drawn;
    std::vector<double> draw_s;
    std::uint64_t sent = 0;
    for (int k = 0; k < R; ++k) {
      auto t0 = std::chrono::steady_clock::now();
      drawn.push_back(cxsim::erdos_renyi_drawn(spec, n, key, blocks, k));
      draw_s.push_back(cxsim::bench::seconds_since(t0));
      sent += drawn.back().ties.size() - drawn.back().per_rank[static_cast<std::size_t>(k)];
    }
    for (int k = 0; k < R; ++k) {
      std::vector<cxsim::Tie> below;  // what the earlier ranks send rank k, in rank order
      for (int from = 0; from < k; ++from) {
        const cxsim::DrawnTies& d = drawn[static_cast<std::size_t>(from)];
        std::uint64_t at = 0;
        for (int to = 0; to < k; ++to) at += d.per_rank[static_cast<std::size_t>(to)];
        below.insert(
            below.end(), d.ties.begin() + static_cast<std::ptrdiff_t>(at),
            d.ties.begin() + static_cast<std::ptrdiff_t>(at + d.per_rank[static_cast<std::size_t>(k)]));
      }
      auto t0 = std::chrono::steady_clock::now();
      const cxsim::Network own = cxsim::erdos_renyi_rows(n, blocks.first(k), blocks.count(k), below,
                                                         drawn[static_cast<std::size_t>(k)]);
      const double rows_s = cxsim::bench::seconds_since(t0);
      t0 = std::chrono::steady_clock::now();
      const cxsim::Network replayed =
          cxsim::generate_network_rows(spec, n, key, blocks.first(k), blocks.count(k));
      replay_max = std::max(replay_max, cxsim::bench::seconds_since(t0));
      if (own.targets != replayed.targets || own.offsets != replayed.offsets) {
        std::fprintf(stderr, "rank %d of %d: the two ways give different rows\n", k, R);
        return 1;
      }
      draw_max = std::max(draw_max, draw_s[static_cast<std::size_t>(k)] + rows_s);
    }
    std::printf(
        "partition_build network=erdos_renyi population=%u ranks=%d threads=%zu replay_slowest_rank_s=%.3f "
        "draw_and_send_slowest_rank_s=%.3f ties_sent_bytes_per_customer=%.2f\n",
        n, R, threads, replay_max, draw_max, 8.0 * static_cast<double>(sent) / n);
  }
  return 0;
}
