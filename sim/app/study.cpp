#include "app/study.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "core/errors.hpp"
#include "io/edge_list.hpp"
#include "io/experiment_reader.hpp"
#include "io/results_writer.hpp"

namespace cxsim {

namespace {

std::vector<RunPlan> chosen_plans(std::vector<RunPlan> plans, const std::vector<std::string>& names) {
  if (names.empty()) return plans;
  std::vector<RunPlan> out;
  for (const std::string& name : names) {
    const auto it = std::find_if(plans.begin(), plans.end(), [&](const RunPlan& p) { return p.name == name; });
    if (it == plans.end()) {
      std::string known;
      for (const RunPlan& p : plans) known += (known.empty() ? "" : ", ") + p.name;
      throw InputError("no strategy '" + name + "' in the scenario; it has " + known);
    }
    out.push_back(*it);
  }
  return out;
}

}  // namespace

std::uint64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size) : 0;
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}

Scenario load_study_scenario(const std::string& path, std::vector<std::string> sets,
                             std::optional<std::int64_t> seed, std::optional<std::int64_t> replications) {
  Scenario s = load_scenario(path);
  if (seed) sets.push_back("run.seed=" + std::to_string(*seed));
  if (replications) sets.push_back("run.replications=" + std::to_string(*replications));
  apply_overrides(s, sets);
  return s;
}

Study prepare_study(Scenario scenario, const StudySelection& selection, int threads) {
  Study study;
  study.experiment = read_experiment(scenario);
  study.plans = chosen_plans(plan_experiment(study.experiment), selection.strategies);  // every check first
  study.threads = threads > 0 ? threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const Params& p = study.experiment.baseline;
  Params sized = p;
  if (selection.precision > 0) {
    if (!selection.strategies.empty())
      throw InputError("--precision runs every strategy of the scenario; do not choose strategies");
    PrecisionTarget target;
    target.relative = selection.precision;
    target.max_replications = selection.max_replications;
    if (!selection.precision_figures.empty()) target.figures = selection.precision_figures;
    study.precision = target;
    sized.run_replications = std::max<std::int64_t>(sized.run_replications, selection.max_replications);
  }
  const int runs = static_cast<int>(study.plans.size());
  study.memory_bytes = estimate_memory_bytes(sized, study.threads, runs);
  study.customer_days = static_cast<double>(runs) * static_cast<double>(sized.run_horizon_days) *
                        static_cast<double>(sized.run_replications) * static_cast<double>(sized.market_population);
  const std::uint64_t have = physical_memory_bytes();
  if (have > 0 && study.memory_bytes > have / 10 * 9)
    throw InputError("the run needs about " + human_bytes(static_cast<double>(study.memory_bytes)) +
                         " of memory but this machine has " + human_bytes(static_cast<double>(have)) +
                         "; lower market.population or run.replications, or use fewer threads",
                     scenario.path, 0, 0, "market.population");
  if (p.network_kind == "edge_list")
    study.network = read_edge_list(p.network_edge_list, static_cast<std::uint32_t>(p.market_population));
  study.scenario = std::move(scenario);
  return study;
}

StudyOutcome run_study(const Study& study, RunOptions options) {
  options.threads = study.threads;
  const Network* network = study.network ? &*study.network : nullptr;
  const auto start = std::chrono::steady_clock::now();
  StudyOutcome out;
  if (study.precision) {
    PrecisionReport report;
    out.result = run_to_precision(study.experiment, *study.precision, options, network, report);
    out.precision = std::move(report);
  } else {
    out.result = run_plans(study.plans, 0, static_cast<int>(study.experiment.baseline.run_replications), options,
                           network);
  }
  out.result.stats.seconds_total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

void save_results(const std::string& path, const ExperimentResult& result, const std::string& command_line,
                  const std::string& scenario_path, const std::string& scenario_text) {
  Provenance provenance;
  provenance.command_line = command_line;
  provenance.scenario_path = scenario_path;
  provenance.scenario_text = scenario_text;
  write_results(path, result, provenance);
}

void save_study(const std::string& path, const Study& study, const StudyOutcome& outcome,
                const std::string& command_line) {
  save_results(path, outcome.result, command_line, study.scenario.path, study.scenario.text);
}

}  // namespace cxsim
