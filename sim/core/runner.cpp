#include "runner.hpp"

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "contact_config.hpp"
#include "customers.hpp"
#include "errors.hpp"
#include "metrics.hpp"
#include "model.hpp"

namespace cxsim {

Network network_for(const Params& params, RngKey key, const Network* given) {
  if (params.network_kind == "edge_list") {
    if (!given) throw InputError("an edge-list network needs the file read first", "", 0, 0, "network.edge_list");
    return *given;
  }
  NetworkSpec spec;
  spec.kind = params.network_kind;
  spec.mean_degree = params.network_mean_degree;
  spec.rewiring = params.network_rewiring;
  spec.ba_m = params.network_ba_m;
  return generate_network(spec, static_cast<std::uint32_t>(params.market_population), key);
}

std::uint64_t estimate_memory_bytes(const Params& params, int threads) {
  const auto n = static_cast<std::uint64_t>(params.market_population);
  std::uint64_t ties = 0;
  if (params.network_kind == "barabasi_albert") ties = 2 * n * static_cast<std::uint64_t>(params.network_ba_m);
  else if (params.network_kind != "complete") ties = n * static_cast<std::uint64_t>(params.network_mean_degree);
  const std::uint64_t per_replication =
      n * Customers::bytes_per_customer() + (n + 1) * 8 + ties * 4 + n / 8;  // + message buffers
  const auto concurrent = static_cast<std::uint64_t>(
      std::max<std::int64_t>(1, std::min<std::int64_t>(params.run_replications, std::max(1, threads))));
  const std::uint64_t series = static_cast<std::uint64_t>(kMetricCount) * 8 *
                               static_cast<std::uint64_t>(params.run_replications * params.run_horizon_days);
  return per_replication * concurrent + series;
}

RunResult run(const Params& params, const RunOptions& options, const Network* given_network) {
  check_scenario(params);
  const auto start = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  const int reps = static_cast<int>(params.run_replications);
  const auto days = static_cast<std::int32_t>(params.run_horizon_days);

  RunResult result;
  result.params = params;
  result.series = SeriesSet(reps, days);
  if (params.run_save_customers) result.customers.resize(static_cast<std::size_t>(reps));
  const std::uint64_t total = static_cast<std::uint64_t>(params.market_population) * days * reps;
  std::atomic<std::uint64_t> done{0};

  // More threads than cores is allowed (the determinism test runs 8 on 2 cores).
  std::optional<tbb::global_control> allow;
  if (threads > tbb::info::default_concurrency())
    allow.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(0, reps, [&](int rep) {
      const RngKey key{static_cast<std::uint64_t>(params.run_seed), static_cast<std::uint64_t>(rep)};
      const Network network = network_for(params, key, given_network);
      Model model(params, network, key);
      std::array<double, kMetricCount> row{};
      for (std::int32_t day = 0; day < days; ++day) {
        if (options.cancel && options.cancel->load(std::memory_order_relaxed)) throw Cancelled();
        model.step(day, row);
        for (int m = 0; m < kMetricCount; ++m) result.series.at(static_cast<Metric>(m), rep, day) = row[m];
        const auto now = done.fetch_add(static_cast<std::uint64_t>(params.market_population)) +
                         static_cast<std::uint64_t>(params.market_population);
        if (options.progress) options.progress(now, total);
      }
      derive_window_metrics(result.series, rep, params);
      if (params.run_save_customers)
        result.customers[static_cast<std::size_t>(rep)] = model.customer_columns(days);
    });
  });

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.stats.threads = threads;
  result.stats.seconds_simulating = seconds;
  result.stats.seconds_total = seconds;
  result.stats.customer_days = total;
  return result;
}

}  // namespace cxsim
