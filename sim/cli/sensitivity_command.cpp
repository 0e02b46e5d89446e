#include "sensitivity_command.hpp"

#include <charconv>
#include <filesystem>
#include <iostream>

#include "experiment/experiment.hpp"
#include "experiment/study_runs.hpp"
#include "io/experiment_reader.hpp"
#include "io/studies_output.hpp"

namespace cxsim::cli {

namespace {

double parse_number(const std::string& text, const std::string& what) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    throw InputError("--vary " + what + ": '" + text +
                         "' is not a number; write KEY:MIN:MAX, e.g. experience.attitude_weight:0.2:1.0",
                     "", 0, 0, "--vary");
  return v;
}

}  // namespace

SensitivityArgs& add_sensitivity_command(CLI::App& app) {
  static SensitivityArgs a;
  a.app = app.add_subcommand("sensitivity",
                             "Which levers matter: Morris screening or Sobol' indices of chosen figures, "
                             "with bootstrap intervals (writes HDF5)");
  a.app->add_option("FILE", a.scenario.file, "Scenario file (TOML)")->required();
  a.app->add_option("--vary", a.vary, "A key and its range, KEY:MIN:MAX (repeatable; real or integer keys)")
      ->required();
  a.app
      ->add_option("--metric", a.metrics,
                   "Figure or metric to explain (repeatable): profit, retention, nps, ... or a metric name")
      ->required();
  a.app->add_option("--method", a.method, "morris (screening, default) or sobol (variance-based indices)")
      ->check(CLI::IsMember({"morris", "sobol"}));
  a.app
      ->add_option("--samples", a.samples,
                   "Morris trajectories (default 20) or Sobol' base samples N (default 256; N (k + 2) runs)")
      ->check(whole_range(2, 1000000));
  a.app
      ->add_option("--replications", a.replications,
                   "Replications per point (default: the scenario's run.replications), common to every point")
      ->check(whole_range(1, 100000));
  a.app->add_option("--bootstrap", a.bootstrap, "Bootstrap resamples of the intervals (default 1000)")
      ->check(whole_range(0, 100000));
  a.app->add_option("-o,--output", a.output,
                    "HDF5 file: a new path, or a sensitivity file cxsim wrote with --force (default: the "
                    "scenario's name with -sensitivity.h5, here)");
  a.app->add_flag("--force", a.force, "Replace an existing cxsim sensitivity file (never anything else)");
  a.scenario.add_to(a.app);
  return a;
}

int run_sensitivity(const SensitivityArgs& a, const std::string& command_line) {
  Scenario scenario = a.scenario.load(a.replications);
  const Experiment experiment = read_experiment(scenario);
  const std::vector<RunPlan> plans = plan_experiment(experiment);
  const int horizon = static_cast<int>(scenario.params.run_horizon_days);

  SensitivityReport rep;
  rep.method = a.method;
  for (const std::string& v : a.vary) {
    const auto c2 = v.rfind(':');
    const auto c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : v.rfind(':', c2 - 1);
    if (c1 == std::string::npos || v.substr(0, c1).find(':') != std::string::npos)
      throw InputError("--vary '" + v + "': write KEY:MIN:MAX, e.g. experience.attitude_weight:0.2:1.0", "",
                       0, 0, "--vary");
    const std::string key = v.substr(0, c1);
    const double lo = parse_number(v.substr(c1 + 1, c2 - c1 - 1), key),
                 hi = parse_number(v.substr(c2 + 1), key);
    check_study_key(key, lo, hi, SourceRef{"--vary", 0, 0}, true, scenario.params);
    // segment[1].expectation and segment.price-driven.expectation are one key.
    for (const std::string& other : rep.keys)
      if (canonical_study_key(scenario.params.segments, other) ==
          canonical_study_key(scenario.params.segments, key))
        throw InputError("is given twice" + (other == key ? std::string() : " (as '" + other + "' too)"),
                         "--vary", 0, 0, key);
    rep.keys.push_back(key);
    rep.min.push_back(lo);
    rep.max.push_back(hi);
  }
  std::vector<Measure> measures;
  for (const std::string& m : a.metrics) {
    Measure measure;
    measure.metric = m;
    measure.where = SourceRef{"--metric", 0, 0};
    check_measure(measure, horizon);
    measures.push_back(measure);
    rep.metrics.push_back(m);
  }
  const int k = static_cast<int>(rep.keys.size());
  MorrisSpec morris;
  SobolSpec sobol;
  morris.seed = static_cast<std::uint64_t>(scenario.params.run_seed);
  morris.bootstrap.seed = sobol.bootstrap.seed = static_cast<std::uint64_t>(scenario.params.run_seed);
  morris.bootstrap.resamples = sobol.bootstrap.resamples = a.bootstrap;
  morris.trajectories = a.samples > 0 ? a.samples : 20;
  sobol.samples = a.samples > 0 ? a.samples : 256;
  const bool is_morris = a.method == "morris";
  if (!is_morris && sobol.samples < 4)
    throw InputError("--samples must be at least 4 for sobol", "", 0, 0, "--samples");
  const int evaluations = is_morris ? morris_evaluations(k, morris) : sobol_evaluations(k, sobol);
  rep.samples = is_morris ? morris.trajectories : sobol.samples;
  rep.seed = static_cast<std::uint64_t>(scenario.params.run_seed);
  rep.level = 0.95;
  rep.replications = static_cast<int>(scenario.params.run_replications);
  rep.scenario_path = a.scenario.file;
  rep.scenario_text = scenario.text;
  rep.command_line = command_line;

  const int threads = a.scenario.used_threads();
  const int chunk = std::max(4, threads * 2);  // points per batch of runs
  std::vector<std::pair<std::string, double>> largest;
  for (std::size_t i = 0; i < rep.keys.size(); ++i) largest.emplace_back(rep.keys[i], rep.max[i]);
  check_study_memory(scenario.params, threads, std::int64_t{chunk} * rep.replications, a.scenario.file,
                     largest);
  const auto network = study_network(scenario);
  const std::string output = a.output.empty()
                                 ? std::filesystem::path(a.scenario.file).stem().string() + "-sensitivity.h5"
                                 : a.output;
  OutputTarget target;  // writable, and anything there replaceable, before the work
  study_on_root([&] {
    target = check_output(output, a.force ? Replace::results : Replace::never, 0, OutputKind::sensitivity);
  });

  install_study_signals();
  StudyProgress progress(!a.scenario.quiet);
  StudyRunner runner;
  runner.base = plans.front();
  runner.keys = rep.keys;
  runner.replications = rep.replications;
  runner.options.threads = a.scenario.threads;
  runner.options.cancel = &cancel_flag();
  distribute_study_runs(runner.options);
  runner.network = network ? &*network : nullptr;
  runner.chunk = chunk;
  runner.planned_customer_days = runner.customer_days_per_point() * static_cast<std::uint64_t>(evaluations);
  runner.progress = [&progress](std::uint64_t d, std::uint64_t t) { progress.update(d, t); };
  if (!a.scenario.quiet && study_root())
    std::fprintf(stderr, "%s: %d simulations of %d replications (%zu keys)\n", a.method.c_str(), evaluations,
                 rep.replications, rep.keys.size());

  // The unit cube to each key's range; outputs are replication means.
  const BatchEvaluator evaluate = [&](const std::vector<std::vector<double>>& unit) {
    std::vector<std::vector<double>> points;
    for (const auto& u : unit) {
      std::vector<double> x(u.size());
      for (std::size_t i = 0; i < u.size(); ++i) x[i] = rep.min[i] + u[i] * (rep.max[i] - rep.min[i]);
      points.push_back(x);
    }
    rep.points = points;
    const auto values = runner.run(points, measures);
    std::vector<std::vector<double>> out;
    for (const auto& point : values) {
      std::vector<double> means;
      for (const auto& v : point) {
        double s = 0;
        for (double x : v) s += x;
        means.push_back(s / static_cast<double>(v.size()));
      }
      out.push_back(means);
    }
    return out;
  };
  progress.start();
  try {
    runner.check_corners(rep.min, rep.max);
    if (is_morris) {
      MorrisResult r = cxsim::morris(k, morris, evaluate);
      rep.outputs = r.outputs;
      rep.morris = r.indices;
    } else {
      SobolResult r = cxsim::sobol(k, sobol, evaluate);
      rep.outputs = r.outputs;
      rep.sobol = r.indices;
    }
  } catch (const InputError& e) {
    throw_box_error(e, "the --vary ranges", "--vary");  // e.g. open_hour 22 with close_hour 22
  }
  progress.finish();
  study_on_root([&] {
    write_sensitivity(target, rep, &cancel_flag());
    std::cout << format_sensitivity(rep) << "results: " << output << "\n";
  });
  return 0;
}

}  // namespace cxsim::cli
