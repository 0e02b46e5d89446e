// Question: how fast is the full model, where does a day's time go, and how much memory does a
// customer cost? Runs a scenario (default: the baseline) and prints customer-days per second,
// the share of each phase of the daily step (RunStats::step), peak memory per customer and per
// social tie, and optionally the bytes and time of writing the HDF5 results.
//
//   cxsim_bench [--scenario FILE] [--population N] [--days D] [--threads T] [--replications R]
//               [--set key=value ...] [--staffing scaled|fixed] [--output FILE.h5]
//
// --staffing scaled (the default) multiplies every channel's agents by population / 100,000, so
// that a larger market meets the same service as the 100,000-person baseline instead of one
// agent per channel facing a hundred times the calls. Run one configuration per process: the
// peak resident set is then that configuration's own (bench/run_benchmarks.sh does).

#include <cmath>
#include <filesystem>

#include "bench_support.hpp"
#include "experiment/runner.hpp"
#include "io/results_writer.hpp"
#include "io/scenario_reader.hpp"
#include "model/model.hpp"

namespace {

void scale_staffing(cxsim::Params& p, double factor) {
  const auto scale = [&](std::int64_t& agents, std::vector<std::int64_t>& roster) {
    agents = static_cast<std::int64_t>(std::ceil(static_cast<double>(agents) * factor));
    for (auto& a : roster) a = static_cast<std::int64_t>(std::ceil(static_cast<double>(a) * factor));
  };
  scale(p.phone_agents, p.phone_roster);
  scale(p.chat_agents, p.chat_roster);
  scale(p.email_agents, p.email_roster);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cxsim;
  const bench::Args args(
      argc, argv, {"scenario", "population", "days", "threads", "replications", "set", "staffing", "output"});
  const std::string scenario =
      args.str("scenario", std::string(CXSIM_SOURCE_DIR) + "/scenarios/baseline.toml");
  std::vector<std::string> sets;
  if (args.has("population")) sets.push_back("market.population=" + args.str("population", ""));
  if (args.has("days")) sets.push_back("run.horizon_days=" + args.str("days", ""));
  if (args.has("replications")) sets.push_back("run.replications=" + args.str("replications", ""));
  for (const auto& s : args.all("set")) sets.push_back(s);
  Scenario s = load_scenario(scenario);
  apply_overrides(s, sets);
  Params& p = s.params;
  const auto n = static_cast<double>(p.market_population);
  const bool scaled = args.str("staffing", "scaled") == "scaled" && n > 1e5;
  if (scaled) scale_staffing(p, n / 1e5);

  bench::print_machine();
  const long rss_before = bench::proc_status_bytes("VmRSS");
  RunOptions options;
  options.threads = static_cast<int>(args.num("threads", 0));
  const double cpu0 = bench::cpu_seconds();
  const RunResult result = run(p, options);
  const double cpu = bench::cpu_seconds() - cpu0;
  const long peak = bench::proc_status_bytes("VmHWM");

  // The network again, after the run (so it is not in the peak), to count ties and time it.
  const auto t0 = std::chrono::steady_clock::now();
  const Network net = network_for(p, RngKey{static_cast<std::uint64_t>(p.run_seed), 0}, nullptr);
  const double network_s = bench::seconds_since(t0);
  const double ties = static_cast<double>(net.tie_count()) / 2;  // undirected

  const RunStats& st = result.stats;
  const double cds = static_cast<double>(st.customer_days) / st.seconds_simulating;
  const double model_bytes = static_cast<double>(peak - rss_before);
  std::printf(
      "engine population=%.0f days=%lld replications=%lld threads=%d staffing=%s seconds=%.3f "
      "cpu_seconds=%.3f customer_days_per_s=%.4g network_seconds=%.3f ties_per_customer=%.2f "
      "state_bytes_per_customer=%llu "
      "peak_rss_bytes=%ld rss_before_bytes=%ld bytes_per_customer=%.1f budget_bytes_per_customer=%.1f\n",
      n, static_cast<long long>(p.run_horizon_days), static_cast<long long>(p.run_replications), st.threads,
      scaled ? "scaled" : "fixed", st.seconds_simulating, cpu, cds, network_s, ties / n,
      static_cast<unsigned long long>(Model::state_bytes_per_customer()), peak, rss_before,
      model_bytes / (n * static_cast<double>(std::min<long long>(p.run_replications, st.threads))),
      100.0 + 8.0 * ties / n);
  const StepTimes& t = st.step;
  // Shares of the daily steps' wall-clock time (summed over replications); set-up is the rest
  // of the run: network, initial state, series.
  const double steps = t.total();
  std::printf(
      "phases customers=%.3f merge=%.3f contact_centre=%.3f outcomes=%.3f word_of_mouth=%.3f "
      "steps_seconds=%.3f setup_seconds=%.3f\n",
      t.customers / steps, t.merge / steps, t.contact_centre / steps, t.outcomes / steps,
      t.word_of_mouth / steps, steps, p.run_replications == 1 ? st.seconds_simulating - steps : 0.0);

  if (args.has("output")) {
    const std::string path = args.str("output", "");
    Provenance prov;
    prov.command_line = "cxsim_bench";
    prov.scenario_path = scenario;
    const auto w0 = std::chrono::steady_clock::now();
    write_results(path, result, prov);
    const double write_s = bench::seconds_since(w0);
    const auto bytes = std::filesystem::file_size(path);
    std::printf("output bytes=%llu bytes_per_replication=%.0f write_seconds=%.4f share_of_run=%.4f\n",
                static_cast<unsigned long long>(bytes),
                static_cast<double>(bytes) / static_cast<double>(p.run_replications), write_s,
                write_s / (write_s + st.seconds_simulating));
  }
  return 0;
}
