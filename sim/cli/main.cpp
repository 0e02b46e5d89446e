// cxsim: the command line. A thin shell: parse flags, load the scenario, run, write, and map
// error types to exit codes (0 success, 1 internal error, 2 bad input, 130 interrupted).

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>

#include "kpi/compare.hpp"
#include "io/compare_format.hpp"
#include "io/figure_text.hpp"
#include "core/errors.hpp"
#include "experiment/precision.hpp"
#include "experiment/runner.hpp"
#include "cxsim/version.hpp"
#include "io/edge_list.hpp"
#include "io/experiment_reader.hpp"
#include "io/results_reader.hpp"
#include "io/results_writer.hpp"
#include "io/scenario_reader.hpp"
#include "io/summary.hpp"
#include "erlang_command.hpp"
#include "progress.hpp"

namespace {

std::atomic<bool> g_cancel{false};
extern "C" void on_signal(int) { g_cancel.store(true); }

constexpr int kExitInternal = 1;
constexpr int kExitInput = 2;
constexpr int kExitInterrupted = 130;

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

std::uint64_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size) : 0;
}

/// Refuses a population that would not fit in memory (exit 2, before anything is allocated).
void check_memory(const cxsim::Params& params, int threads, const std::string& file, int runs = 1) {
  const auto need = cxsim::estimate_memory_bytes(params, threads, runs);
  const auto have = physical_memory();
  if (have > 0 && need > have / 10 * 9)
    throw cxsim::InputError("the run needs about " + human_bytes(static_cast<double>(need)) +
                                " of memory but this machine has " + human_bytes(static_cast<double>(have)) +
                                "; lower market.population or run.replications, or use fewer threads",
                            file, 0, 0, "market.population");
}

struct ScenarioOptions {
  std::string file;
  std::vector<std::string> sets;
  std::optional<std::int64_t> seed;
  std::optional<std::int64_t> replications;
};

cxsim::Scenario load(const ScenarioOptions& o) {
  cxsim::Scenario s = cxsim::load_scenario(o.file);
  std::vector<std::string> sets = o.sets;
  if (o.seed) sets.push_back("run.seed=" + std::to_string(*o.seed));
  if (o.replications) sets.push_back("run.replications=" + std::to_string(*o.replications));
  cxsim::apply_overrides(s, sets);
  return s;
}

std::optional<cxsim::Network> read_network(const cxsim::Scenario& s) {
  if (s.params.network_kind != "edge_list") return std::nullopt;
  return cxsim::read_edge_list(s.params.network_edge_list,
                               static_cast<std::uint32_t>(s.params.market_population));
}

std::string joined_command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    if (i) out += ' ';
    out += argv[i];
  }
  return out;
}

/// `cxsim run --precision`: the target and cap (precision 0: off).
struct PrecisionOptions {
  double precision = 0;
  int max_replications = 100;
  std::vector<std::string> figures;
};

int cmd_run(const ScenarioOptions& so, std::string output, int threads, bool quiet,
            const PrecisionOptions& po, const std::string& command_line) {
  cxsim::Scenario scenario = load(so);
  const cxsim::Experiment experiment = cxsim::read_experiment(scenario);
  const auto plans = cxsim::plan_experiment(experiment);  // every check before any work
  const int used_threads = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
  cxsim::Params sized = scenario.params;
  if (po.precision > 0)
    sized.run_replications = std::max<std::int64_t>(sized.run_replications, po.max_replications);
  check_memory(sized, used_threads, so.file, static_cast<int>(plans.size()));
  const auto network = read_network(scenario);
  if (output.empty()) output = std::filesystem::path(so.file).stem().string() + ".h5";

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::vector<std::string> run_names;
  for (const auto& plan : plans) run_names.push_back(plan.name);
  cxsim::cli::ProgressBar bar(!quiet && isatty(STDERR_FILENO), run_names,
                              po.precision > 0 ? 0 : static_cast<int>(scenario.params.run_replications));
  cxsim::RunOptions options;
  options.threads = threads;
  options.cancel = &g_cancel;
  options.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
  options.task_started = [&bar](int run, int replication) { bar.task_started(run, replication); };
  bar.start();
  const auto start = std::chrono::steady_clock::now();
  cxsim::PrecisionTarget target;
  cxsim::PrecisionReport report;
  cxsim::ExperimentResult result;
  if (po.precision > 0) {
    target.relative = po.precision;
    target.max_replications = po.max_replications;
    if (!po.figures.empty()) target.figures = po.figures;
    result = cxsim::run_to_precision(experiment, target, options, network ? &*network : nullptr, report);
  } else {
    result = cxsim::run_plans(plans, 0, static_cast<int>(scenario.params.run_replications), options,
                              network ? &*network : nullptr);
  }
  bar.finish();

  cxsim::Provenance provenance;
  provenance.command_line = command_line;
  provenance.scenario_path = so.file;
  provenance.scenario_text = scenario.text;
  result.stats.seconds_total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  cxsim::write_results(output, result, provenance);
  if (!quiet) {
    std::vector<cxsim::RunSeries> runs;
    for (const auto& r : result.runs) runs.push_back({r.plan.name, r.plan.description, r.plan.sweep_values, &r.series});
    std::cout << cxsim::key_figure_table(runs);
    if (runs.size() > 1)
      std::cout << "\n" << cxsim::format_comparison(cxsim::compare(runs, {}), cxsim::CompareFormat::table) << "\n";
    if (po.precision > 0) std::cout << cxsim::describe_precision(report, target);
    std::printf("%llu customer-days in %.2f s on %d threads (%.3g customer-days/s)\n",
                static_cast<unsigned long long>(result.stats.customer_days), result.stats.seconds_simulating,
                result.stats.threads,
                static_cast<double>(result.stats.customer_days) / std::max(1e-9, result.stats.seconds_simulating));
  }
  std::cout << "results: " << output << "\n";
  return 0;
}

int cmd_validate(const ScenarioOptions& so, int threads) {
  cxsim::Scenario scenario = load(so);
  const auto plans = cxsim::plan_experiment(cxsim::read_experiment(scenario));
  const int runs = static_cast<int>(plans.size());
  const int used_threads = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
  const auto network = read_network(scenario);  // the edge-list file is checked too
  std::cout << "# " << so.file << ": valid\n" << cxsim::resolved_toml(scenario.params);
  const auto& p = scenario.params;
  if (runs > 1) {
    std::printf("\n# %d runs, each with %lld replications on the same random numbers:\n", runs,
                static_cast<long long>(p.run_replications));
    for (const auto& plan : plans)
      std::printf("#   %-20s %s%s\n", plan.name.c_str(), plan.description.c_str(),
                  plan.changes.empty() ? ""
                                       : (" (" + std::to_string(plan.changes.size()) +
                                          " intervention day" + (plan.changes.size() > 1 ? "s" : "") + ")")
                                             .c_str());
  }
  double customer_days = static_cast<double>(runs) * p.run_horizon_days * p.run_replications;
  customer_days *= static_cast<double>(p.market_population);
  const auto memory = cxsim::estimate_memory_bytes(p, used_threads, runs);
  std::printf("\n# estimate: %.3g customer-days, memory about %s, run time about %.0f s on %d threads\n",
              customer_days, human_bytes(static_cast<double>(memory)).c_str(),
              customer_days / (cxsim::kEstimatedCustomerDaysPerSecondPerThread * used_threads),
              used_threads);
  check_memory(p, used_threads, so.file, runs);
  return 0;
}

struct CompareArgs {
  std::string file;
  std::string baseline = "baseline";
  std::vector<std::string> metrics;
  int at_day = 0;
  std::string format = "table";
};

int cmd_compare(const CompareArgs& a) {
  const auto format = cxsim::compare_format(a.format);  // a bad format fails before reading
  const cxsim::ResultsFile file = cxsim::read_results(a.file);
  std::vector<cxsim::SeriesSet> series;
  series.reserve(file.strategies.size());
  for (const auto& s : file.strategies) series.push_back(s.to_series_set());
  // Sweep keys: the /summary columns that are parameters; a sweep point's values are its overrides.
  std::vector<std::string> sweep_keys;
  for (const auto& [name, column] : file.summary.columns)
    if (cxsim::find_param(name)) sweep_keys.push_back(name);
  std::vector<cxsim::RunSeries> runs;
  for (std::size_t i = 0; i < file.strategies.size(); ++i) {
    const auto& s = file.strategies[i];
    cxsim::RunSeries run{s.name, s.description, {}, &series[i]};
    if (s.kind == "sweep_point")
      for (const auto& key : sweep_keys)
        if (const auto it = s.overrides.find(key); it != s.overrides.end())
          run.sweep_values.emplace_back(key, std::strtod(it->second.c_str(), nullptr));
    runs.push_back(std::move(run));
  }
  cxsim::CompareOptions options;
  options.baseline = a.baseline;
  options.figures = a.metrics;
  options.at_day = a.at_day;
  try {
    std::cout << cxsim::format_comparison(cxsim::compare(runs, options), format);
  } catch (const cxsim::InputError& e) {
    throw cxsim::InputError(e.message(), a.file, 0, 0, e.key());
  }
  return 0;
}

/// `cxsim report`: the Python package draws the charts (matplotlib), so run `python3 -m cxsim
/// report` with the Python the module was built for and this checkout's package on PYTHONPATH.
/// Replaces this process: the exit status is Python's (2 on bad input).
int cmd_report(std::vector<std::string> args) {
#if defined(CXSIM_PYTHON) && defined(CXSIM_PYTHON_PATH)
  const char* python = std::getenv("CXSIM_PYTHON");
  if (!python || !*python) python = CXSIM_PYTHON;
  std::string path = CXSIM_PYTHON_PATH;
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) path += std::string(":") + old;
  setenv("PYTHONPATH", path.c_str(), 1);
  args.insert(args.begin(), {python, "-m", "cxsim", "report"});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  execvp(python, argv.data());
  throw std::runtime_error("cannot run " + std::string(python) + ": " + std::strerror(errno));
#else
  (void)args;
  throw cxsim::InputError("cxsim report needs the Python module: configure with -DCXSIM_BUILD_PYTHON=ON "
                          "(the release preset does) and build");
#endif
}

int cmd_info(const std::string& file) {
  std::cout << cxsim::describe_results(cxsim::read_results(file));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cxsim: agent-based customer-experience simulation (service speed, quality and price "
               "-> loyalty and revenue)"};
  app.set_version_flag("--version", std::string("cxsim ") + cxsim::kVersion + " (" + cxsim::kGitSha + ")");
  app.require_subcommand(1);

  ScenarioOptions so;
  std::string output;
  int threads = 0;
  bool quiet = false;
  const auto add_scenario_options = [&](CLI::App* sub) {
    sub->add_option("FILE", so.file, "Scenario file (TOML)")->required();
    sub->add_option("--set", so.sets, "Override a parameter: key=value (repeatable), e.g. purchase.price=45");
    sub->add_option("--seed", so.seed, "Master seed (same as --set run.seed=N)");
    sub->add_option("--replications", so.replications, "Replications (same as --set run.replications=N)");
    sub->add_option("--threads", threads, "Worker threads (default: all cores); results do not depend on it")
        ->check(CLI::Range(0, 1024));
  };

  CLI::App* run = app.add_subcommand("run", "Run a scenario and write the results to HDF5");
  add_scenario_options(run);
  run->add_option("-o,--output", output, "Results file (default: the scenario's name with .h5, here)");
  run->add_flag("-q,--quiet", quiet, "Print only the results path");
  PrecisionOptions po;
  run->add_option("--precision", po.precision,
                  "Add replications until the 95% interval of each strategy's difference from the "
                  "baseline is within +/- this fraction of the baseline's value (e.g. 0.01)")
      ->check(CLI::PositiveNumber);
  run->add_option("--max-replications", po.max_replications, "Cap for --precision (default 100)")
      ->check(CLI::Range(3, 100000));
  run->add_option("--precision-metric", po.figures,
                  "Figures --precision checks (repeatable; default: profit and retention)");
  run->footer(
      "Examples:\n"
      "  cxsim run scenarios/service_speed.toml                  the baseline and every strategy\n"
      "  cxsim run scenarios/baseline.toml --set purchase.price=45 --replications 10 -o price45.h5\n"
      "  cxsim run scenarios/price.toml --precision 0.01        replications until +/- 1%\n"
      "Then: cxsim info FILE.h5, cxsim compare FILE.h5, cxsim report FILE.h5 -o report.html");

  CLI::App* validate = app.add_subcommand("validate", "Check a scenario, print it resolved with a memory and time estimate");
  add_scenario_options(validate);
  validate->footer(
      "Examples:\n"
      "  cxsim validate scenarios/baseline.toml\n"
      "  cxsim validate scenarios/baseline.toml --set market.population=1000000 --threads 8");

  std::string results_file;
  CLI::App* info = app.add_subcommand("info", "Describe a results file");
  info->add_option("FILE", results_file, "Results file (HDF5)")->required();
  info->footer("Example:\n  cxsim info service_speed.h5      provenance, strategies and key figures");

  std::string report_file, report_output, report_title, report_baseline, report_level, report_objective;
  CLI::App* report = app.add_subcommand(
      "report", "Write the decision report of a results file (HTML, or PDF via chromium): question, decision, "
      "strategies, comparison, charts, assumptions, definitions");
  report->add_option("FILE", report_file, "Results file (HDF5)")->required();
  report->add_option("-o,--output", report_output, "HTML or .pdf file (default: the results file's name with .html, here)");
  report->add_option("--title", report_title, "Page title");
  report->add_option("--baseline", report_baseline, "Strategy the others are compared with");
  report->add_option("--level", report_level, "Confidence level of the intervals (default 0.95)");
  report->add_option("--objective", report_objective, "Key figure the decision maximises (default profit)");
  report->footer(
      "Examples:\n"
      "  cxsim report service_speed.h5 -o report.html          question, decision, charts\n"
      "  cxsim report service_speed.h5 -o report.pdf           the same, printed by headless Chromium\n"
      "  cxsim report sweep_quality_staffing.h5 --title \"Defects and staffing\" --level 0.9");

  cxsim::ErlangOptions erlang_options;
  CLI::App* erlang = app.add_subcommand(
      "erlang", "Staffing calculator: Erlang C (or Erlang A with --patience) for a load and a service-level target");
  erlang->add_option("--arrivals-per-hour", erlang_options.arrivals_per_hour, "Contacts arriving per hour")->required();
  erlang->add_option("--aht", erlang_options.handle_s, "Average handle time, seconds")->required();
  erlang->add_option("--target", erlang_options.target_s, "Answer target, seconds (default 20)");
  erlang->add_option("--service-level", erlang_options.service_level, "Share to answer within the target (default 0.8)");
  erlang->add_option("--patience", erlang_options.patience_s, "Mean patience, seconds: Erlang A (default: none, Erlang C)");
  erlang->add_option("--agents", erlang_options.agents, "Show the table around this many agents");
  erlang->footer(
      "Examples:\n"
      "  cxsim erlang --arrivals-per-hour 40 --aht 240                    agents for 80% in 20 s\n"
      "  cxsim erlang --arrivals-per-hour 40 --aht 240 --patience 120 --agents 4");

  CompareArgs ca;
  CLI::App* cmp = app.add_subcommand(
      "compare", "Compare strategies with the baseline: mean paired differences with 95% intervals");
  cmp->add_option("FILE", ca.file, "Results file (HDF5) with several strategies")->required();
  cmp->add_option("--baseline", ca.baseline, "Strategy to compare with (default: baseline)");
  cmp->add_option("--metric", ca.metrics,
                  "Figure to show (repeatable): retention, churn, nps, csat, asa, service_level, "
                  "contacts, revenue, service_cost, acquisition_spend, profit, clv, ... or any "
                  "metric name; default: the key figures");
  cmp->add_option("--at-day", ca.at_day,
                  "Day of the figures, as days elapsed (1 to the horizon; default: the horizon); "
                  "flows are summed up to it");
  cmp->add_option("--format", ca.format, "table (default), markdown, csv or json");
  cmp->footer(
      "Examples:\n"
      "  cxsim compare service_speed.h5                           every strategy vs baseline\n"
      "  cxsim compare service_speed.h5 --metric profit --metric retention --at-day 180\n"
      "  cxsim compare sweep_quality_staffing.h5                  a sweep: one row per point\n"
      "  cxsim compare price.h5 --format csv > price.csv");

  std::string doc_name;
  CLI::App* docs = app.add_subcommand(
      "docs", "Print generated documentation (scenarios: the parameter reference; key-figures: the key-figure table)");
  docs->add_option("NAME", doc_name, "Which document")->required()->check(CLI::IsMember({"scenarios", "key-figures"}));
  docs->footer(
      "Examples:\n"
      "  cxsim docs scenarios > docs/scenarios.md\n"
      "  cxsim docs key-figures > docs/key-figures.md");

  const auto subcommands = app.get_subcommands([](CLI::App*) { return true; });
  const bool known = std::any_of(subcommands.begin(), subcommands.end(),
                                 [&](const CLI::App* sub) { return argc > 1 && sub->get_name() == argv[1]; });
  if (argc > 1 && argv[1][0] != '-' && !known) {
    std::string names;
    for (const auto* sub : subcommands) names += (names.empty() ? "" : ", ") + sub->get_name();
    std::cerr << "cxsim: error: unknown command '" << argv[1] << "'; commands: " << names
              << " (see cxsim --help)\n";
    return kExitInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitInput;
  }

  try {
    if (*run) return cmd_run(so, output, threads, quiet, po, joined_command_line(argc, argv));
    if (*cmp) return cmd_compare(ca);
    if (*validate) return cmd_validate(so, threads);
    if (*info) return cmd_info(results_file);
    if (*report) {
      std::vector<std::string> args = {report_file};
      for (const auto& [flag, value] : {std::pair{"-o", &report_output}, {"--title", &report_title},
                                        {"--baseline", &report_baseline}, {"--level", &report_level},
                                        {"--objective", &report_objective}})
        if (!value->empty()) args.insert(args.end(), {flag, *value});
      return cmd_report(std::move(args));
    }
    if (*erlang) {
      std::cout << cxsim::erlang_report(erlang_options);
      return 0;
    }
    if (*docs) {
      std::cout << (doc_name == "key-figures" ? cxsim::key_figures_markdown() : cxsim::scenarios_markdown());
      return 0;
    }
  } catch (const cxsim::InputError& e) {
    std::cerr << "cxsim: error: " << e.what() << "\n";
    return kExitInput;
  } catch (const cxsim::Cancelled&) {
    std::cerr << "\ncxsim: interrupted; no results written\n";
    return kExitInterrupted;
  } catch (const std::exception& e) {
    std::cerr << "cxsim: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return 0;
}
