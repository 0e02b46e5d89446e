#include "app/study.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/errors.hpp"
#include "experiment/runner.hpp"
#include "io/edge_list.hpp"
#include "io/experiment_reader.hpp"
#include "io/limits.hpp"
#include "io/summary.hpp"

namespace cxsim {

namespace {

std::vector<RunPlan> chosen_plans(std::vector<RunPlan> plans, const std::vector<std::string>& names) {
  if (names.empty()) return plans;
  std::vector<RunPlan> out;
  for (const std::string& name : names) {
    const auto it =
        std::find_if(plans.begin(), plans.end(), [&](const RunPlan& p) { return p.name == name; });
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

Scenario load_study_scenario(const std::string& path, std::vector<std::string> sets,
                             const std::optional<std::string>& seed,
                             const std::optional<std::string>& replications) {
  if (seed) sets.push_back("run.seed=" + *seed);
  if (replications) sets.push_back("run.replications=" + *replications);
  return load_scenario(path, sets);
}

Study prepare_study(Scenario scenario, const StudySelection& selection, int threads) {
  Study study;
  study.experiment = read_experiment(scenario);
  study.plans = chosen_plans(plan_experiment(study.experiment), selection.strategies);  // every check first
  check_threads(threads);
  study.threads = threads > 0 ? threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const Params& p = study.experiment.baseline;
  study.replications = p.run_replications;
  if (selection.precision > 0) {
    if (!selection.strategies.empty())
      throw InputError("--precision runs every strategy of the scenario; do not choose strategies");
    PrecisionTarget target;
    target.relative = selection.precision;
    target.max_replications = selection.max_replications;
    if (!selection.precision_figures.empty()) target.figures = selection.precision_figures;
    study.precision = target;
    study.replications = std::max<std::int64_t>(study.replications, selection.max_replications);
  }
  study.memory_bytes = estimate_experiment_memory(study.plans, study.replications, study.threads);
  double network_seconds = 0;
  for (const RunPlan& plan : study.plans) {
    study.customer_days += static_cast<double>(plan.params.run_horizon_days) *
                           static_cast<double>(plan.params.market_population) *
                           static_cast<double>(study.replications);
    network_seconds += estimate_network_seconds(plan.params) * static_cast<double>(study.replications);
  }
  // Runs (replications of strategies) run side by side, each building its own network; the results
  // are written one run after another.
  const auto tasks = static_cast<std::int64_t>(study.plans.size()) * study.replications;
  study.seconds = study.customer_days / (kEstimatedCustomerDaysPerSecondPerThread * study.threads) +
                  network_seconds / static_cast<double>(runs_at_once(tasks, study.threads)) +
                  kEstimatedSecondsWritingPerStrategy * static_cast<double>(study.plans.size()) +
                  kEstimatedSecondsPerReplicationOfAStrategy * static_cast<double>(tasks);
  if (selection.check_memory) check_memory(study.plans, study.replications, study.threads, scenario.path);
  study.scenario = std::move(scenario);
  return study;
}

void read_study_network(Study& study, std::uint32_t first, std::uint32_t count) {
  const Params& p = study.experiment.baseline;
  if (p.network_kind == "edge_list" && !study.network)
    study.network =
        read_edge_list(p.network_edge_list, static_cast<std::uint32_t>(p.market_population), first, count);
}

std::uint64_t estimate_study_results_bytes(const Study& study) {
  return estimate_results_bytes(study.plans, study.replications);
}

StudyOutcome run_study(Study& study, RunOptions options) {
  read_study_network(study);
  options.threads = study.threads;
  const Network* network = study.network ? &*study.network : nullptr;
  const auto start = std::chrono::steady_clock::now();
  StudyOutcome out;
  if (study.precision) {
    PrecisionReport report;
    out.result = run_to_precision(study.experiment, *study.precision, options, network, report);
    out.precision = std::move(report);
  } else {
    out.result = run_plans(study.plans, 0, static_cast<int>(study.experiment.baseline.run_replications),
                           options, network);
  }
  out.result.stats.seconds_total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

void save_results(const std::string& path, const ExperimentResult& result, const std::string& command_line,
                  const std::string& scenario_path, const std::string& scenario_text,
                  const WriteOptions& options) {
  Provenance provenance;
  provenance.command_line = command_line;
  provenance.scenario_path = scenario_path;
  provenance.scenario_text = scenario_text;
  write_results(path, result, provenance, options);
}

void save_study(const std::string& path, const Study& study, const StudyOutcome& outcome,
                const std::string& command_line, const WriteOptions& options) {
  save_results(path, outcome.result, command_line, study.scenario.path, study.scenario.text, options);
}

}  // namespace cxsim
