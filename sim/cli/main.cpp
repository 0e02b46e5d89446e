// cxsim: the command line. A thin shell: parse flags, load the scenario, run, write, and map
// error types to exit codes (0 success, 1 internal error, 2 bad input, 130 interrupted).

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <thread>

#include "app/study.hpp"
#include "calibrate_command.hpp"
#include "core/errors.hpp"
#include "cxsim/version.hpp"
#include "erlang_command.hpp"
#include "io/compare_format.hpp"
#include "io/facts_format.hpp"
#include "io/figure_text.hpp"
#include "io/limits.hpp"
#include "io/output_path.hpp"
#include "io/results_reader.hpp"
#include "io/summary.hpp"
#include "kpi/compare.hpp"
#include "model/model.hpp"
#include "model/partition.hpp"
#include "progress.hpp"
#include "select_command.hpp"
#include "sensitivity_command.hpp"
#include "service/erlang.hpp"
#include "signals.hpp"
#include "study_support.hpp"

#ifdef CXSIM_WITH_MPI
#include "mpi/ensemble.hpp"
#include "mpi/partition.hpp"
#endif

namespace {

/// Under mpirun/srun with several ranks: runs `step` on every rank and makes them agree on any
/// error (sim/mpi/ensemble.hpp); otherwise just runs it.
void on_every_rank(const std::function<void()>& step) {
#ifdef CXSIM_WITH_MPI
  cxsim::mpi::together(step);
#else
  step();
#endif
}

/// This process's MPI rank (0 without MPI) and the job's ranks (1 without MPI).
int mpi_rank() {
  return cxsim::cli::job_place().rank;
}
int mpi_ranks() {
  return cxsim::cli::job_place().ranks;
}

constexpr int kExitInternal = 1;
constexpr int kExitInput = 2;

struct ScenarioOptions {
  std::string file;
  std::vector<std::string> sets;
  std::optional<std::string> seed;  // as typed: checked as run.seed and run.replications are
  std::optional<std::string> replications;
};

cxsim::Scenario load(const ScenarioOptions& o) {
  return cxsim::load_study_scenario(o.file, o.sets, o.seed, o.replications);
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

#ifdef CXSIM_WITH_MPI
/// What `--partition` moved between ranks and held (printed with the run's figures).
std::string describe_partition(const cxsim::mpi::PartitionReport& r) {
  const double per_day = r.customer_days > 0 ? 1.0 / static_cast<double>(r.customer_days) : 0.0;
  char line[640];
  std::snprintf(
      line, sizeof line,
      "partition: %d ranks; %s between ranks, %.3g bytes per customer-day (sums %.3g, contacts "
      "%.3g, outcomes %.3g, messages %.3g, story questions %.3g), customer columns and episodes %s, "
      "network ties %s; largest rank holds %s (customers, network rows)\n",
      r.ranks, cxsim::human_bytes(static_cast<double>(r.total())).c_str(),
      static_cast<double>(r.total() - r.columns - r.network) * per_day, static_cast<double>(r.sums) * per_day,
      static_cast<double>(r.contacts) * per_day, static_cast<double>(r.outcomes) * per_day,
      static_cast<double>(r.messages) * per_day, static_cast<double>(r.queries) * per_day,
      cxsim::human_bytes(static_cast<double>(r.columns)).c_str(),
      cxsim::human_bytes(static_cast<double>(r.network)).c_str(),
      cxsim::human_bytes(static_cast<double>(r.state_bytes_max)).c_str());
  return line;
}
#endif

int cmd_run(const ScenarioOptions& so, std::string output, int threads, bool quiet,
            const PrecisionOptions& po, const std::string& command_line, bool force, bool partition) {
  cxsim::StudySelection selection;
  selection.precision = po.precision;
  selection.max_replications = po.max_replications;
  selection.precision_figures = po.figures;
  selection.check_memory = mpi_ranks() == 1;  // else below, the ranks on each machine together
  std::optional<cxsim::Study> prepared;
  on_every_rank(
      [&] { prepared.emplace(cxsim::prepare_study(load(so), selection, threads)); });  // every check first
  cxsim::Study& study = *prepared;
  const bool root = mpi_rank() == 0;  // under MPI, rank 0 alone writes and prints
  // The output path before any work (docs/reliability.md): exit 2 within milliseconds.
  if (output.empty()) output = cxsim::default_output_path(so.file);
  std::optional<cxsim::OutputTarget> output_target;
  on_every_rank([&] {
    if (root)
      output_target = cxsim::check_output(output, force ? cxsim::Replace::results : cxsim::Replace::never,
                                          cxsim::estimate_study_results_bytes(study));
  });
#ifdef CXSIM_WITH_MPI
  // --partition: every run split over the ranks (docs/cluster.md); else runs spread over them.
  // Without a launcher, or in a build without MPI, --partition just runs in this process.
  const bool partitioned = partition && cxsim::mpi::world().active;
  // A rank of a partitioned run reads only its customers' ties of an edge-list file.
  const std::pair<std::uint32_t, std::uint32_t> rows =
      partitioned ? cxsim::mpi::partition_block(
                        static_cast<std::uint32_t>(study.experiment.baseline.market_population))
                  : std::pair<std::uint32_t, std::uint32_t>{0, UINT32_MAX};
  if (!selection.check_memory) {
    // Each rank's need, summed over the ranks that share a machine's memory (docs/cluster.md).
    cxsim::RankShare share;
    share.ranks = mpi_ranks();
    share.root = root;
    share.partition = partitioned;
    share.block = rows.second;
    cxsim::cli::check_machine_memory(
        cxsim::estimate_rank_memory(study.plans, study.replications, study.threads, share), so.file,
        partitioned, "run");
  }
#else
  (void)partition;
  const std::pair<std::uint32_t, std::uint32_t> rows{0, UINT32_MAX};
#endif
  on_every_rank([&] { cxsim::read_study_network(study, rows.first, rows.second); });
  cxsim::cli::throw_if_cancelled();

  std::vector<std::string> run_names;
  for (const auto& plan : study.plans) run_names.push_back(plan.name);
  cxsim::cli::ProgressBar bar(root && !quiet && isatty(STDERR_FILENO), run_names,
                              study.precision ? 0 : static_cast<int>(study.replications));
  cxsim::RunOptions options;
  options.cancel = &cxsim::cli::cancel_flag_mutable();
  options.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
  options.task_started = [&bar](int run, int replication) { bar.task_started(run, replication); };
#ifdef CXSIM_WITH_MPI
  if (partitioned)
    options.distribute = cxsim::mpi::run_plans_partitioned;
  else if (cxsim::mpi::world().size > 1)
    options.distribute = cxsim::mpi::run_plans_on_ranks;
#endif
  bar.start();
  cxsim::StudyOutcome outcome;
  on_every_rank([&] { outcome = cxsim::run_study(study, options); });
  bar.finish();
  on_every_rank([&] {
    if (!root) return;
    cxsim::cli::throw_if_cancelled();
    cxsim::WriteOptions write_options;
    write_options.target = &*output_target;
    write_options.cancel = &cxsim::cli::cancel_flag();
    cxsim::save_study(output, study, outcome, command_line, write_options);  // the commit: exit 0 from here
  });
  std::string partition_text;
#ifdef CXSIM_WITH_MPI
  if (partitioned) partition_text = describe_partition(cxsim::mpi::partition_report());  // collective
#endif
  if (!root) return 0;
  if (!quiet) {
    const cxsim::ExperimentResult& result = outcome.result;
    std::vector<cxsim::RunSeries> runs;
    for (const auto& r : result.runs)
      runs.push_back({r.plan.name, r.plan.description, r.plan.sweep_values, &r.series});
    std::cout << cxsim::key_figure_table(runs);
    if (runs.size() > 1)
      std::cout << "\n"
                << cxsim::format_comparison(cxsim::compare(runs, {}), cxsim::CompareFormat::table) << "\n";
    if (outcome.precision) std::cout << cxsim::describe_precision(*outcome.precision, *study.precision);
    std::cout << partition_text << std::flush;
    std::printf(
        "%llu customer-days in %.2f s on %d threads (%.3g customer-days/s)\n",
        static_cast<unsigned long long>(result.stats.customer_days), result.stats.seconds_simulating,
        result.stats.threads,
        static_cast<double>(result.stats.customer_days) / std::max(1e-9, result.stats.seconds_simulating));
  }
  std::cout << "results: " << output << "\n";
  return 0;
}

int cmd_validate(const ScenarioOptions& so, int threads, int partition_ranks) {
  cxsim::StudySelection selection;
  selection.check_memory = partition_ranks == 0;  // a population for several machines is the point
  cxsim::Study study = cxsim::prepare_study(load(so), selection, threads);
  cxsim::read_study_network(study);  // the edge-list file is checked too
  std::cout << "# " << so.file << ": valid\n" << cxsim::resolved_toml(study.scenario.params);
  const auto& p = study.experiment.baseline;
  const int runs = static_cast<int>(study.plans.size());
  if (runs > 1) {
    std::printf("\n# %d runs, each with %lld replications on the same random numbers:\n", runs,
                static_cast<long long>(p.run_replications));
    for (const auto& plan : study.plans)
      std::printf("#   %-20s %s%s\n", plan.name.c_str(), plan.description.c_str(),
                  plan.changes.empty() ? ""
                                       : (" (" + std::to_string(plan.changes.size()) + " intervention day" +
                                          (plan.changes.size() > 1 ? "s" : "") + ")")
                                             .c_str());
  }
  std::printf("\n# estimate: %.3g customer-days, memory about %s, run time about %.0f s on %d threads\n",
              study.customer_days, cxsim::human_bytes(static_cast<double>(study.memory_bytes)).c_str(),
              study.seconds, study.threads);
  if (partition_ranks > 0) {
    // Each rank's share under --partition (estimate_rank_memory): rank 0 also holds the results.
    const cxsim::Blocks blocks = cxsim::Blocks::even(static_cast<std::uint32_t>(p.market_population),
                                                     cxsim::Model::kChunk, partition_ranks);
    cxsim::RankShare share;
    share.ranks = partition_ranks;
    share.partition = true;
    std::uint64_t root = 0, other = 0;
    for (int r = 0; r < partition_ranks; ++r) {
      share.root = r == 0;
      share.block = blocks.count(r);
      const std::uint64_t need = cxsim::estimate_rank_memory(study.plans, study.replications, threads, share);
      (r == 0 ? root : other) = std::max(r == 0 ? root : other, need);
    }
    std::printf(
        "# under mpirun -n %d ... --partition: memory about %s on rank 0 (with the results), %s on "
        "each other rank (one rank a machine; ranks sharing a machine add up)\n",
        partition_ranks, cxsim::human_bytes(static_cast<double>(root)).c_str(),
        cxsim::human_bytes(static_cast<double>(other)).c_str());
  }
  return 0;
}

struct CompareArgs {
  std::string file;
  std::string baseline = "baseline";
  std::vector<std::string> metrics;
  int at_day = 0;
  std::string format = "table";
  bool by_segment = false;
};

/// `cxsim compare --by-segment`: the paired comparison within each segment, one block a segment.
int compare_by_segment(const CompareArgs& a, const cxsim::ResultsFile& file, cxsim::CompareFormat format) {
  if (format == cxsim::CompareFormat::csv || format == cxsim::CompareFormat::json)
    throw cxsim::InputError(
        "--by-segment prints one table a segment: use --format table or markdown (Python's "
        "Results.series(..., by_segment=True) gives the data)",
        a.file);
  cxsim::require_segments(file);
  const auto& names = file.strategies.front().segment_names;
  for (const auto& s : file.strategies)
    if (s.segment_names != names)
      throw cxsim::InputError(
          "strategies '" + file.strategies.front().name + "' and '" + s.name + "' have different segments",
          a.file);
  cxsim::CompareOptions options;
  options.baseline = a.baseline;
  options.figures = a.metrics;
  options.at_day = a.at_day;
  for (std::size_t k = 0; k < names.size(); ++k) {
    std::vector<cxsim::RunSeries> runs;
    for (const auto& s : file.strategies) runs.push_back({s.name, s.description, {}, &s.segment_series[k]});
    std::string text;
    try {
      text = cxsim::format_comparison(cxsim::compare(runs, options), format);
    } catch (const cxsim::InputError& e) {
      throw cxsim::InputError(e.message(), a.file, 0, 0, e.key());
    }
    std::cout << (k ? "\n" : "") << (format == cxsim::CompareFormat::markdown ? "## " : "") << "segment "
              << names[k] << "\n";
    std::cout << cxsim::terminal_text(text);
  }
  return 0;
}

int cmd_compare(const CompareArgs& a) {
  const auto format = cxsim::compare_format(a.format);  // a bad format fails before reading
  const cxsim::ResultsFile file = cxsim::read_results(a.file);
  if (a.by_segment) return compare_by_segment(a, file, format);
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
    std::cout << cxsim::terminal_text(cxsim::format_comparison(cxsim::compare(runs, options), format));
  } catch (const cxsim::InputError& e) {
    throw cxsim::InputError(e.message(), a.file, 0, 0, e.key());
  }
  return 0;
}

struct FactsArgs {
  std::string file;
  std::string strategy = "baseline";
  std::string format = "table";
  bool partial = false;
};

int cmd_facts(const FactsArgs& a) {
  const auto format = cxsim::compare_format(a.format);  // a bad format fails before reading
  const cxsim::FactsInput input = cxsim::read_facts_input(a.file, a.strategy);
  if (!input.has_episodes && !a.partial)
    throw cxsim::InputError(
        "no episode record in strategy '" + a.strategy +
            "': the loyalty-by-complaint-outcome (TARP) and Forrester facts need run.episodes = true (run "
            "again with --set run.episodes=true), or pass --partial for the facts the series give",
        a.file, 0, 0, "run.episodes");
  const std::string title = "Published regularities measured from " + a.file + " (strategy " + a.strategy +
                            ", " + std::to_string(input.series.replications) + " replications of " +
                            std::to_string(input.series.days) + " days)";
  std::cout << cxsim::terminal_text(cxsim::format_facts(cxsim::measure_facts(input), format, title));
  return 0;
}

/// `cxsim report`: the Python package draws the charts (matplotlib), so run `python3 -m cxsim
/// report` with the Python the module was built for and the cxsim package that belongs to this
/// executable on PYTHONPATH: the installed one next to it (<prefix>/bin/../lib/python3/dist-packages)
/// when there is one, else the build tree's. Replaces this process: the exit status is Python's (2
/// on bad input).
#if defined(CXSIM_PYTHON) && defined(CXSIM_PYTHON_PATH)
std::string own_python_package_dir() {
#if defined(CXSIM_PYTHON_INSTALL_REL)
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path() / CXSIM_PYTHON_INSTALL_REL;
    if (std::filesystem::exists(installed / "cxsim" / "__init__.py", ec))
      return installed.lexically_normal().string();
  }
#endif
  return CXSIM_PYTHON_PATH;
}
#endif

int cmd_report(std::vector<std::string> args) {
#if defined(CXSIM_PYTHON) && defined(CXSIM_PYTHON_PATH)
  const char* python = std::getenv("CXSIM_PYTHON");
  if (!python || !*python) python = CXSIM_PYTHON;
  std::string path = own_python_package_dir();
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
  throw cxsim::InputError(
      "cxsim report needs the Python module: configure with -DCXSIM_BUILD_PYTHON=ON "
      "(the release preset does) and build");
#endif
}

int cmd_info(const std::string& file, bool by_segment) {
  const cxsim::ResultsFile results = cxsim::read_results(file);
  // info is what a user runs to see whether a file is whole: the episode records are read (and
  // checked) too, though only their size is shown.
  std::string episodes;
  for (const cxsim::StrategyResults& s : results.strategies) {
    if (!s.has_episodes) continue;
    const auto e = cxsim::read_episodes(file, s.name);
    if (!e) continue;
    episodes +=
        "  " + s.name + ": " + std::to_string(e->rows.size()) + " rows over " +
        std::to_string(e->replications) + " replications, " +
        (e->sample > 1 ? "one customer in " + std::to_string(e->sample) : std::string("every customer")) +
        (e->rows_dropped > 0 ? ", " + std::to_string(e->rows_dropped) + " rows past the cap of " +
                                   std::to_string(e->max_rows) + " a replication dropped"
                             : std::string()) +
        "\n";
  }
  std::cout << (by_segment ? cxsim::describe_segments(results) : cxsim::describe_results(results));
  if (!episodes.empty())
    std::cout << "episode records (cxsim facts " << file << "; Results.episodes() in Python)\n" << episodes;
  return 0;
}

}  // namespace

int cxsim_main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "run") == 0) cxsim::cli::install_signal_handlers();
  CLI::App app{
      "cxsim: agent-based customer-experience simulation (service speed, quality and price "
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
    sub->add_option("--seed", so.seed, "Master seed (same as --set run.seed=N)")
        ->check(cxsim::cli::kNotEmpty);
    sub->add_option("--replications", so.replications, "Replications (same as --set run.replications=N)")
        ->check(cxsim::cli::kNotEmpty);
    sub->add_option("--threads", threads, "Worker threads (default: all cores); results do not depend on it")
        ->check(cxsim::cli::whole_range(0, cxsim::kMaxThreads));
  };

  CLI::App* run = app.add_subcommand("run", "Run a scenario and write the results to HDF5");
  add_scenario_options(run);
  run->add_option("-o,--output", output,
                  "Results file: a new path, or an existing cxsim results file with --force (default: the "
                  "scenario's name with .h5 here, or -2.h5, -3.h5, ... when taken)")
      ->check(cxsim::cli::kNotEmpty);
  run->add_flag("-q,--quiet", quiet, "Print only the results path");
  bool force = false;
  run->add_flag("--force", force,
                "Replace an existing cxsim results file at the output path (never "
                "anything else)");
  PrecisionOptions po;
  run->add_option("--precision", po.precision,
                  "Add replications until the 95% interval of each strategy's difference from the "
                  "baseline is within +/- this fraction of the baseline's value (e.g. 0.01)")
      ->check(cxsim::cli::positive_number());
  run->add_option("--max-replications", po.max_replications, "Cap for --precision (default 100)")
      ->check(cxsim::cli::whole_range(3, 100000));
  run->add_option("--precision-metric", po.figures,
                  "Figures --precision checks (repeatable; default: profit and 12-month retention, or "
                  "monthly churn for runs shorter than a year; profit alone up to 30 days)");
  bool partition = false;
  run->add_flag("--partition", partition,
                "Under mpirun: split each run's population over the ranks (memory per rank about "
                "population / ranks; the same results bit for bit). Without mpirun it runs here as usual");
  run->footer(
      "Examples:\n"
      "  cxsim run scenarios/service_speed.toml                  the baseline and every strategy\n"
      "  cxsim run scenarios/baseline.toml --set purchase.price=45 --replications 10 -o price45.h5\n"
      "  cxsim run scenarios/price.toml --precision 0.01        replications until +/- 1%\n"
      "Then: cxsim info FILE.h5, cxsim compare FILE.h5, cxsim report FILE.h5 -o report.html");

  CLI::App* validate =
      app.add_subcommand("validate", "Check a scenario, print it resolved with a memory and time estimate");
  add_scenario_options(validate);
  int partition_ranks = 0;
  validate
      ->add_option("--partition-ranks", partition_ranks,
                   "Also estimate each rank's memory under mpirun -n N ... --partition (one rank a machine)")
      ->check(cxsim::cli::whole_range(2, 100000));
  validate->footer(
      "Examples:\n"
      "  cxsim validate scenarios/baseline.toml\n"
      "  cxsim validate scenarios/baseline.toml --set market.population=1000000 --threads 8\n"
      "  cxsim validate big.toml --set market.population=100000000 --partition-ranks 16");

  std::string results_file;
  CLI::App* info = app.add_subcommand("info", "Describe a results file");
  info->add_option("FILE", results_file, "Results file (HDF5)")->required();
  bool info_by_segment = false;
  info->add_flag(
      "--by-segment", info_by_segment,
      "The key figures of each strategy per customer segment (a run with [output] by_segment = true)");
  info->footer(
      "Examples:\n  cxsim info service_speed.h5                 provenance, strategies and key figures\n"
      "  cxsim info service_speed.h5 --by-segment    who leaves: the key figures per segment");

  std::string report_file, report_output, report_title, report_baseline, report_level, report_objective,
      report_indifference, report_sensitivity;
  CLI::App* report = app.add_subcommand(
      "report",
      "Write the decision report of a results file (HTML, or PDF via chromium): question, decision, "
      "strategies, comparison, charts, assumptions, definitions; or the report of a sensitivity file");
  report->add_option("FILE", report_file, "Results file (HDF5) of cxsim run, or of cxsim sensitivity")
      ->required();
  report->add_option("-o,--output", report_output,
                     "HTML or .pdf file: a new path, or an existing cxsim report with --force (default: the "
                     "results file's name with .html here, or -2.html, -3.html, ... when taken)");
  bool report_force = false;
  report->add_flag("--force", report_force,
                   "Replace an existing report that cxsim wrote (never anything else)");
  report->add_option("--title", report_title, "Page title");
  report->add_option("--baseline", report_baseline, "Strategy the others are compared with");
  report->add_option("--level", report_level, "Confidence level of the intervals (default 0.95)");
  report->add_option("--objective", report_objective, "Key figure the decision maximises (default profit)");
  report->add_option("--indifference", report_indifference,
                     "Smallest difference in the objective worth acting on, for the confidence of the choice "
                     "(default: 1% of the baseline's value; 0.01 for a share)");
  report->add_option("--sensitivity", report_sensitivity,
                     "A cxsim sensitivity file: adds 'Which assumptions matter' (tornado and index charts)");
  report->footer(
      "Examples:\n"
      "  cxsim report service_speed.h5 -o report.html          question, decision, charts\n"
      "  cxsim report service_speed.h5 -o report.pdf           the same, printed by headless Chromium\n"
      "  cxsim report sweep_quality_staffing.h5 --title \"Defects and staffing\" --level 0.9\n"
      "  cxsim report service_speed.h5 --sensitivity levers.h5  adds the tornado charts of a study\n"
      "  cxsim report levers.h5 -o levers.html                   the report of a sensitivity study");

  cxsim::ErlangOptions erlang_options;
  CLI::App* erlang = app.add_subcommand(
      "erlang",
      "Staffing calculator: Erlang C (or Erlang A with --patience) for a load and a service-level target");
  // Text that is not a number is named with the option; the range is erlang's to check.
  erlang->add_option("--arrivals-per-hour", erlang_options.arrivals_per_hour, "Contacts arriving per hour")
      ->required()
      ->check(cxsim::cli::number_text());
  erlang->add_option("--aht", erlang_options.handle_s, "Average handle time, seconds")
      ->required()
      ->check(cxsim::cli::number_text());
  erlang->add_option("--target", erlang_options.target_s, "Answer target, seconds (default 20)")
      ->check(cxsim::cli::number_text());
  erlang
      ->add_option("--service-level", erlang_options.service_level,
                   "Share to answer within the target (default 0.8)")
      ->check(cxsim::cli::number_text());
  erlang
      ->add_option("--patience", erlang_options.patience_s,
                   "Mean patience, seconds: Erlang A (default: none, Erlang C)")
      ->check(cxsim::cli::number_text());
  erlang
      ->add_option("--agents", erlang_options.agents,
                   "Show the table around this many agents (default 0: around the fewest meeting the target)")
      ->check(cxsim::cli::whole_range(0, cxsim::kMaxErlangAgents));
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
                  "flows are summed up to it")
      ->check(cxsim::cli::whole_range(1, 1000000));
  cmp->add_option("--format", ca.format, "table (default), markdown, csv or json");
  cmp->add_flag("--by-segment", ca.by_segment,
                "Compare within each customer segment (a run with [output] by_segment = true)");
  cmp->footer(
      "Examples:\n"
      "  cxsim compare service_speed.h5                           every strategy vs baseline\n"
      "  cxsim compare service_speed.h5 --metric profit --metric churn --at-day 180\n"
      "  cxsim compare sweep_quality_staffing.h5                  a sweep: one row per point\n"
      "  cxsim compare price.h5 --format csv > price.csv\n"
      "  cxsim compare service_speed.h5 --by-segment --metric churn   the change per segment");

  FactsArgs fa;
  CLI::App* facts = app.add_subcommand(
      "facts", "The published regularities of customer experience measured from a run, beside their bands");
  facts->add_option("FILE", fa.file, "Results file (HDF5), ideally run with run.episodes = true")->required();
  facts->add_option("--strategy", fa.strategy, "Strategy to measure (default: baseline)");
  facts->add_option("--format", fa.format, "table (default), markdown, csv or json");
  facts->add_flag("--partial", fa.partial,
                  "Without an episode record, print the facts the daily series give (the others say "
                  "'needs run.episodes = true') instead of failing");
  facts->footer(
      "Examples:\n"
      "  cxsim run scenarios/baseline.toml --set run.episodes=true --set run.replications=5 -o base.h5\n"
      "  cxsim facts base.h5\n"
      "  cxsim facts base.h5 --format csv > facts.csv");

  std::string doc_name;
  CLI::App* docs = app.add_subcommand("docs",
                                      "Print generated documentation (scenarios: the parameter reference; "
                                      "key-figures: the key-figure table)");
  docs->add_option("NAME", doc_name, "Which document")
      ->required()
      ->check(CLI::IsMember({"scenarios", "key-figures"}));
  docs->footer(
      "Examples:\n"
      "  cxsim docs scenarios > docs/scenarios.md\n"
      "  cxsim docs key-figures > docs/key-figures.md");

  auto& calibrate_args = cxsim::cli::add_calibrate_command(app);
  auto& sensitivity_args = cxsim::cli::add_sensitivity_command(app);
  auto& select_args = cxsim::cli::add_select_command(app);

  const auto subcommands = app.get_subcommands([](CLI::App*) { return true; });
  const bool known = std::any_of(subcommands.begin(), subcommands.end(),
                                 [&](const CLI::App* sub) { return argc > 1 && sub->get_name() == argv[1]; });
  if (argc > 1 && argv[1][0] != '-' && !known) {
    std::string names;
    for (const auto* sub : subcommands) names += (names.empty() ? "" : ", ") + sub->get_name();
    if (mpi_rank() == 0)
      std::cerr << "cxsim: error: unknown command '" << argv[1] << "'; commands: " << names
                << " (see cxsim --help)\n";
    return kExitInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Under mpirun every rank parses the same command line: rank 0 alone prints.
    if (e.get_exit_code() == 0) return mpi_rank() == 0 ? app.exit(e) : 0;  // --help
    // A value an option refused says what is allowed; a command line of the wrong shape (an
    // unknown option, one missing) points to --help.
    const bool value =
        dynamic_cast<const CLI::ValidationError*>(&e) || dynamic_cast<const CLI::ConversionError*>(&e);
    if (mpi_rank() == 0)
      std::cerr << "cxsim: error: " << e.what()
                << (value ? "\n" : "\nRun with --help for more information.\n");
    return kExitInput;
  }

  try {
    if (*run)
      return cmd_run(so, output, threads, quiet, po, joined_command_line(argc, argv), force, partition);
    // The studies run on every rank, their simulations spread over the ranks (study_support.hpp).
    int status = 0;
    if (*calibrate_args.app) {
      on_every_rank(
          [&] { status = cxsim::cli::run_calibrate(calibrate_args, joined_command_line(argc, argv)); });
      return status;
    }
    if (*sensitivity_args.app) {
      on_every_rank(
          [&] { status = cxsim::cli::run_sensitivity(sensitivity_args, joined_command_line(argc, argv)); });
      return status;
    }
    if (*select_args.app) {
      on_every_rank([&] { status = cxsim::cli::run_select(select_args); });
      return status;
    }
    if (mpi_rank() != 0) return 0;  // under mpirun, the other commands run on rank 0 only
    if (*cmp) return cmd_compare(ca);
    if (*facts) return cmd_facts(fa);
    if (*validate) return cmd_validate(so, threads, partition_ranks);
    if (*info) return cmd_info(results_file, info_by_segment);
    if (*report) {
      std::vector<std::string> args = {report_file};
      for (const auto& [flag, value] : {std::pair{"-o", &report_output},
                                        {"--title", &report_title},
                                        {"--baseline", &report_baseline},
                                        {"--level", &report_level},
                                        {"--objective", &report_objective},
                                        {"--indifference", &report_indifference},
                                        {"--sensitivity", &report_sensitivity}})
        if (!value->empty()) args.insert(args.end(), {flag, *value});
      if (report_force) args.emplace_back("--force");
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
    if (mpi_rank() != 0) return kExitInput;  // the ranks agreed on the error; rank 0 reports it
    std::cerr << "cxsim: error: " << e.what() << "\n";
    return kExitInput;
  } catch (const cxsim::Cancelled&) {
    if (mpi_rank() != 0) return cxsim::cli::interrupted_exit_status();
    std::cerr << "\ncxsim: interrupted; no results written\n";
    return cxsim::cli::interrupted_exit_status();
  } catch (const std::exception& e) {
    if (mpi_rank() != 0) return kExitInternal;
    std::cerr << "cxsim: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return 0;
}

int main(int argc, char** argv) {
#ifdef CXSIM_WITH_MPI
  cxsim::mpi::init(argc, argv);  // only when started by mpirun or srun
  const int status = cxsim_main(argc, argv);
  cxsim::mpi::finalize();
  return status;
#else
  return cxsim_main(argc, argv);
#endif
}
