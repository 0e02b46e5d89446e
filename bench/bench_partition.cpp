// Question: if one population were split over R ranks (`--partition`, docs/cluster.md), what share
// of the social ties would cross ranks? Contiguous blocks of customer ids, for each generator at
// its default parameters (mean degree 10; Barabasi-Albert m = 5). Word-of-mouth messages along a
// cross-rank tie are the traffic a partitioned day would exchange. The network generators are used
// as they are; nothing of the model runs.
//
//   cxsim_bench_partition [--population 1000000] [--ranks 2,4,16,64]

#include <cstdio>
#include <string>

#include "bench_support.hpp"
#include "model/network.hpp"

int main(int argc, char** argv) {
  const cxsim::bench::Args args(argc, argv, {"population", "ranks"});
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
  return 0;
}
