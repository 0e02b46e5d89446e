#include "experiment/runner.hpp"

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>

#include "core/errors.hpp"
#include "core/fork_join.hpp"
#include "model/customers.hpp"
#include "model/metrics.hpp"
#include "model/model.hpp"
#include "service/contact_config.hpp"

namespace cxsim {

Network network_for(const Params& params, RngKey key, const Network* given, const std::atomic<bool>* cancel) {
  const auto n = static_cast<std::uint32_t>(params.market_population);
  return network_rows_for(params, key, given, 0, n, cancel);
}

Network network_rows_for(const Params& params, RngKey key, const Network* given, std::uint32_t first,
                         std::uint32_t count, const std::atomic<bool>* cancel) {
  const auto n = static_cast<std::uint32_t>(params.market_population);
  if (params.network_kind == "edge_list") {
    if (!given)
      throw InputError("an edge-list network needs the file read first", "", 0, 0, "network.edge_list");
    const bool same = given->first == first && given->offsets.size() == std::size_t{count} + 1;
    return same ? *given : network_rows(*given, first, count);
  }
  return generate_network_rows(network_spec(params), n, key, first, count, cancel);
}

NetworkSpec network_spec(const Params& params) {
  NetworkSpec spec;
  spec.kind = choices_of(params).network_kind;
  spec.mean_degree = params.network_mean_degree;
  spec.rewiring = params.network_rewiring;
  spec.ba_m = params.network_ba_m;
  return spec;
}

std::uint64_t runs_at_once(std::int64_t tasks, int threads) {
  return static_cast<std::uint64_t>(
      std::max<std::int64_t>(1, std::min<std::int64_t>(tasks, std::max(1, threads))));
}

std::uint64_t directed_ties(const Params& params) {
  const auto n = static_cast<std::uint64_t>(params.market_population);
  if (params.network_kind == "barabasi_albert")
    return 2 * n * static_cast<std::uint64_t>(params.network_ba_m);
  if (params.network_kind == "complete") return 0;
  return n * static_cast<std::uint64_t>(params.network_mean_degree);
}

double estimate_network_seconds(const Params& params) {
  const std::string& kind = params.network_kind;
  // Watts-Strogatz checks a rewired tie against both ends' k/2 slots: O(k) a rewiring.
  const double rewirings = params.network_rewiring * static_cast<double>(params.network_mean_degree);
  const double per_tie = kind == "ring"              ? 1.5e-8
                         : kind == "erdos_renyi"     ? 8e-8
                         : kind == "watts_strogatz"  ? 8e-8 + 6.6e-10 * rewirings
                         : kind == "barabasi_albert" ? 1.5e-7
                                                     : 0.0;  // complete: no ties; edge list: read once
  return per_tie * static_cast<double>(directed_ties(params));
}

std::uint64_t estimate_memory_bytes(const Params& params, int threads, int runs) {
  const auto n = static_cast<std::uint64_t>(params.market_population);
  const std::uint64_t ties = directed_ties(params);
  const std::uint64_t per_replication =
      n * Model::state_bytes_per_customer() + (n + 1) * 8 + ties * 4 + n / 8;  // + message buffers
  const auto tasks = params.run_replications * std::max(1, runs);
  return per_replication * runs_at_once(tasks, threads) +
         series_bytes(params) * static_cast<std::uint64_t>(tasks);
}

std::uint64_t series_bytes(const Params& params) {
  return static_cast<std::uint64_t>(kMetricCount) * 8 * static_cast<std::uint64_t>(params.run_horizon_days) *
         (params.output_by_segment ? 1 + params.segments.size() : 1);
}

void record_day(StrategyResult& out, int rep, std::int32_t day, std::span<const double> row,
                std::span<const double> segment_rows) {
  for (int m = 0; m < kMetricCount; ++m)
    out.series.at(static_cast<Metric>(m), rep, day) = row[static_cast<std::size_t>(m)];
  const std::size_t segments = std::min(out.segment_series.size(), segment_rows.size() / kMetricCount);
  for (std::size_t s = 0; s < segments; ++s)
    for (int m = 0; m < kMetricCount; ++m)
      out.segment_series[s].at(static_cast<Metric>(m), rep, day) =
          segment_rows[s * kMetricCount + static_cast<std::size_t>(m)];
}

ExperimentResult shaped_result(const std::vector<RunPlan>& plans, int count, bool with_customers,
                               std::uint64_t& customer_days) {
  const Params& base = plans.front().params;
  const auto days = static_cast<std::int32_t>(base.run_horizon_days);
  ExperimentResult result;
  result.baseline = base;
  result.baseline.run_replications = count;
  for (const auto& [key, value] : plans.back().sweep_values) result.sweep_keys.push_back(key);
  result.runs.resize(plans.size());
  customer_days = 0;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const Params& p = plans[i].params;
    result.runs[i].plan = plans[i];
    result.runs[i].series = SeriesSet(count, days);
    if (p.output_by_segment) result.runs[i].segment_series.assign(p.segments.size(), SeriesSet(count, days));
    if (p.run_save_customers && with_customers)
      result.runs[i].customers.resize(static_cast<std::size_t>(count));
    if (p.run_episodes) result.runs[i].episodes.resize(static_cast<std::size_t>(count));
    customer_days += static_cast<std::uint64_t>(p.market_population) * static_cast<std::uint64_t>(days) *
                     static_cast<std::uint64_t>(count);
  }
  return result;
}

void check_threads(int threads) {
  if (threads < 0 || threads > kMaxThreads)
    throw InputError("got " + std::to_string(threads) + "; allowed: a whole number from 0 (all cores) to " +
                         std::to_string(kMaxThreads),
                     "", 0, 0, "threads");
}

ExperimentResult run_plans(const std::vector<RunPlan>& plans, int first_replication, int count,
                           const RunOptions& options, const Network* given_network) {
  if (plans.empty()) throw std::invalid_argument("run_plans: no plans");
  check_threads(options.threads);
  if (options.distribute) {
    RunOptions here = options;
    here.distribute = nullptr;
    return options.distribute(plans, first_replication, count, here, given_network);
  }
  const auto start = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  const Params& base = plans.front().params;
  const auto days = static_cast<std::int32_t>(base.run_horizon_days);
  const auto runs = static_cast<int>(plans.size());

  for (const RunPlan& plan : plans)
    if (plan.params.run_seed != base.run_seed || plan.params.run_horizon_days != days)
      throw std::invalid_argument("run_plans: plans differ in seed or horizon");
  std::uint64_t total = 0;
  ExperimentResult result = shaped_result(plans, count, true, total);
  std::atomic<std::uint64_t> done{0};
  std::vector<StepTimes> step_times(static_cast<std::size_t>(runs) * count);  // per task, summed below

  // One task per (plan, replication). isolate() keeps a thread that waits inside its model's
  // parallel phase from starting another task meanwhile, so at most `threads` models are alive.
  const auto task = [&](int index) {
    const int run = index % runs, rep = index / runs;
    if (options.task_started) options.task_started(run, first_replication + rep);
    const RunPlan& plan = plans[static_cast<std::size_t>(run)];
    StrategyResult& out = result.runs[static_cast<std::size_t>(run)];
    const Params& p = plan.params;
    const auto population = static_cast<std::uint64_t>(p.market_population);
    // The key depends on the replication only, never on the strategy: common random numbers.
    const RngKey key{static_cast<std::uint64_t>(p.run_seed),
                     static_cast<std::uint64_t>(first_replication + rep)};
    const Network network = network_for(p, key, given_network, options.cancel);
    Model model(p, network, key);
    const Model::RowSink record = [&](std::int32_t day, std::span<const double, kMetricCount> row) {
      record_day(out, rep, day, row, model.segment_rows());
    };
    auto change = plan.changes.begin();
    for (std::int32_t day = 0; day < days; ++day) {
      if (options.cancel && options.cancel->load(std::memory_order_relaxed)) throw Cancelled();
      for (; change != plan.changes.end() && change->day == day; ++change)
        model.set_params(change->params, record);
      model.step(day, record);
      const auto now = done.fetch_add(population) + population;
      if (options.progress) options.progress(now, total);
    }
    step_times[static_cast<std::size_t>(index)] = model.step_times();
    derive_window_metrics(out.series, rep, p);
    for (SeriesSet& s : out.segment_series) derive_window_metrics(s, rep, p);
    if (p.run_save_customers) out.customers[static_cast<std::size_t>(rep)] = model.customer_columns(days);
    if (p.run_episodes) out.episodes[static_cast<std::size_t>(rep)] = model.take_episodes(days);
  };

  // More threads than cores is allowed (the determinism test runs 8 on 2 cores).
  std::optional<tbb::global_control> allow;
  if (threads > tbb::info::default_concurrency())
    allow.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  fork_join::execute(arena, [&] {
    fork_join::parallel_for(0, runs * count,
                            [&](int index) { tbb::this_task_arena::isolate([&] { task(index); }); });
  });

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.stats.threads = threads;
  result.stats.seconds_simulating = seconds;
  result.stats.seconds_total = seconds;
  result.stats.customer_days = total;
  for (const StepTimes& s : step_times) result.stats.step += s;
  return result;
}

ExperimentResult run_experiment(const Experiment& experiment, const RunOptions& options,
                                const Network* given_network) {
  const auto plans = plan_experiment(experiment);
  return run_plans(plans, 0, static_cast<int>(experiment.baseline.run_replications), options, given_network);
}

RunResult run(const Params& params, const RunOptions& options, const Network* given_network) {
  Experiment experiment;
  experiment.baseline = params;
  ExperimentResult r = run_experiment(experiment, options, given_network);
  RunResult result;
  result.params = params;
  result.series = std::move(r.runs.front().series);
  result.segment_series = std::move(r.runs.front().segment_series);
  result.customers = std::move(r.runs.front().customers);
  result.episodes = std::move(r.runs.front().episodes);
  result.stats = r.stats;
  return result;
}

}  // namespace cxsim
