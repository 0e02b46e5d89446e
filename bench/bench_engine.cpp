// Benchmark of the full engine on a scenario (default: the baseline): customer-days per second,
// peak memory per customer and the time to build the network. It prints figures; it is never a
// timed test. bench/run_benchmarks.sh runs the configurations docs/performance.md records.
//
//   cxsim_bench [--scenario FILE] [--population N] [--days D] [--threads T] [--replications R]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "core/customers.hpp"
#include "core/runner.hpp"
#include "io/scenario_reader.hpp"

namespace {

long peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6) * 1024L;
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string scenario = std::string(CXSIM_SOURCE_DIR) + "/scenarios/baseline.toml";
  std::vector<std::string> sets;
  int threads = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--scenario") scenario = value;
    else if (flag == "--population") sets.push_back("market.population=" + value);
    else if (flag == "--days") sets.push_back("run.horizon_days=" + value);
    else if (flag == "--replications") sets.push_back("run.replications=" + value);
    else if (flag == "--set") sets.push_back(value);
    else if (flag == "--threads") threads = std::atoi(value.c_str());
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  cxsim::Scenario s = cxsim::load_scenario(scenario);
  cxsim::apply_overrides(s, sets);
  const auto& p = s.params;

  // Network construction alone, to separate it from the daily steps.
  const auto t0 = std::chrono::steady_clock::now();
  const auto net = cxsim::network_for(p, cxsim::RngKey{static_cast<std::uint64_t>(p.run_seed), 0}, nullptr);
  const double network_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto ties = net.tie_count();

  cxsim::RunOptions options;
  options.threads = threads;
  const auto result = cxsim::run(p, options);
  const double seconds = result.stats.seconds_simulating;
  const double customer_days = static_cast<double>(result.stats.customer_days);
  const long rss = peak_rss_bytes();
  std::printf(
      "population=%lld days=%lld replications=%lld threads=%d seconds=%.3f network_seconds=%.3f "
      "customer_days_per_s=%.4g peak_rss_bytes=%ld rss_bytes_per_customer=%.1f "
      "state_bytes_per_customer=%llu ties_per_customer=%.2f\n",
      static_cast<long long>(p.market_population), static_cast<long long>(p.run_horizon_days),
      static_cast<long long>(p.run_replications), result.stats.threads, seconds, network_s,
      customer_days / seconds, rss, static_cast<double>(rss) / static_cast<double>(p.market_population),
      static_cast<unsigned long long>(cxsim::Customers::bytes_per_customer()),
      static_cast<double>(ties) / static_cast<double>(p.market_population));
  return 0;
}
