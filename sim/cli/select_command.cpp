#include "select_command.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iostream>
#include <mutex>

#include "experiment/experiment.hpp"
#include "experiment/select.hpp"
#include "experiment/study_runs.hpp"
#include "io/experiment_reader.hpp"
#include "io/results_reader.hpp"
#include "io/studies_output.hpp"
#include "kpi/compare.hpp"

namespace cxsim::cli {

namespace {

struct ParsedConstraint {
  std::string text, metric;
  bool at_least = true;
  double bound = 0;
};

ParsedConstraint parse_constraint(const std::string& text) {
  ParsedConstraint c;
  c.text = text;
  std::size_t at = text.find(">=");
  if (at == std::string::npos) {
    at = text.find("<=");
    c.at_least = false;
  }
  const auto bad = [&](const std::string& why) {
    return InputError("--constraint '" + text + "': " + why +
                      "; write FIGURE>=VALUE or FIGURE<=VALUE, e.g. service_level>=0.8");
  };
  if (at == std::string::npos) throw bad("no >= or <=");
  const auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t") + 1);
    return s;
  };
  c.metric = trim(text.substr(0, at));
  const std::string value = trim(text.substr(at + 2));
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), c.bound);
  if (c.metric.empty() || value.empty() || ec != std::errc() || end != value.data() + value.size() ||
      !std::isfinite(c.bound))
    throw bad("'" + value + "' is not a finite number");
  return c;
}

}  // namespace

SelectArgs& add_select_command(CLI::App& app) {
  static SelectArgs a;
  a.app = app.add_subcommand("select",
                             "Choose the best strategy on one figure, subject to constraints, with a stated "
                             "probability of correct selection (Kim-Nelson KN on common random numbers)");
  a.app->add_option("FILE", a.file, "Results file (HDF5) with several strategies")->required();
  a.app->add_option("--objective", a.objective, "Figure to optimise (default profit)");
  a.app->add_flag("--maximize", a.maximize, "Larger is better (default)");
  a.app->add_flag("--minimize", a.minimize, "Smaller is better");
  a.app->add_option("--constraint", a.constraints, "FIGURE>=VALUE or FIGURE<=VALUE on the mean (repeatable)");
  a.app
      ->add_option("--confidence", a.confidence,
                   "Probability of correct selection to guarantee (default 0.95)")
      ->check(
          real_option([](double x) { return x >= 0.5 && x <= 0.9999; }, "a probability in [0.5, 0.9999]"));
  a.app
      ->add_option(
          "--indifference", a.indifference,
          "Smallest difference of the objective worth telling apart, in its unit (e.g. 10000 for profit)")
      ->required()
      ->check(positive_number());
  a.app
      ->add_option("--first-stage", a.first_stage,
                   "First-stage replications n0 (default 10; at most the file's)")
      ->check(whole_range(2, 10000));
  a.app
      ->add_option("--max-replications", a.max_replications,
                   "Cap per strategy of the sequential stage (default 200)")
      ->check(whole_range(2, kMaxSelectionReplications));
  a.app->add_flag("--no-rerun", a.no_rerun,
                  "Use only the file's replications; say how many more are needed instead of running them");
  a.app
      ->add_option("--scenario", a.scenario,
                   "Re-run extra replications from this scenario file (default: the scenario stored in the "
                   "results file)")
      ->check(kNotEmpty);
  a.app->add_option("--strategy", a.strategies,
                    "Only these strategies (repeatable; default: every run in the file)");
  a.app->add_option("--threads", a.threads, "Worker threads for re-runs (default: all cores)")
      ->check(whole_range(0, cxsim::kMaxThreads));
  a.app->add_flag("-q,--quiet", a.quiet, "No progress line");
  return a;
}

int run_select(const SelectArgs& a) {
  if (a.maximize && a.minimize)
    throw InputError("give --maximize or --minimize, not both", "", 0, 0, "--minimize");
  if (a.no_rerun && !a.scenario.empty())
    throw InputError("give --scenario (the scenario to re-run from) or --no-rerun (no re-runs), not both", "",
                     0, 0, "--no-rerun");
  const ResultsFile file = read_results(a.file);
  const int days = static_cast<int>(file.horizon_days);
  // The measures: objective, then each constraint's figure, all at the horizon.
  std::vector<Measure> measures;
  std::vector<ParsedConstraint> constraints;
  const auto add_measure = [&](const std::string& metric, const std::string& what) {
    Measure m;
    m.metric = metric;
    m.where = SourceRef{a.file, 0, 0};
    try {
      check_measure(m, days);
    } catch (const InputError& e) {
      throw InputError(what + " " + e.message(), a.file, 0, 0, metric);
    }
    measures.push_back(m);
  };
  add_measure(a.objective, "--objective");
  for (const std::string& text : a.constraints) {
    constraints.push_back(parse_constraint(text));
    add_measure(constraints.back().metric, "--constraint");
  }
  std::vector<const StrategyResults*> runs;
  if (a.strategies.empty()) {
    for (const auto& s : file.strategies) runs.push_back(&s);
  } else {
    for (const std::string& name : a.strategies) {
      const StrategyResults* s = file.strategy(name);
      if (!s) {
        std::string names;
        for (const auto& t : file.strategies) names += (names.empty() ? "" : ", ") + t.name;
        throw InputError("--strategy '" + name + "' is not in the file; it has: " + names, a.file, 0, 0,
                         "--strategy");
      }
      if (std::find(runs.begin(), runs.end(), s) != runs.end())
        throw InputError("--strategy '" + name + "' is given twice", a.file, 0, 0, "--strategy");
      runs.push_back(s);
    }
  }
  if (runs.size() < 2)
    throw InputError(
        a.strategies.empty()
            ? "select needs at least two strategies; the file has " + std::to_string(runs.size())
            : "select needs at least two strategies; --strategy named " + std::to_string(runs.size()),
        a.file, 0, 0, a.strategies.empty() ? "" : "--strategy");
  const int available = runs.front()->replications;
  if (available < 2)
    throw InputError("the file has " + std::to_string(available) +
                         " replication(s); select needs at least 2 "
                         "(cxsim run --replications 10)",
                     a.file, 0, 0, "run.replications");
  std::vector<std::string> names;
  std::vector<SeriesSet> series;
  for (const auto* s : runs) {
    names.push_back(s->name);
    series.push_back(s->to_series_set());
  }
  // A figure the runs do not define at the horizon (12-month retention of a shorter run) cannot
  // rank anything: refuse it by name rather than select on NaN.
  for (const Measure& m : measures) {
    const auto v = measure_values(m, series.front());
    if (std::all_of(v.begin(), v.end(), [](double x) { return std::isnan(x); }))
      throw InputError("'" + m.metric + "' has no value at day " + std::to_string(days) + " of this file" +
                           (m.from_day == 0 ? ": " + find_figure(m.metric).definition : std::string()),
                       a.file, 0, 0, m.metric);
  }

  // Re-runs: the scenario as stored (or given), the file's seed, replication r is reproducible.
  std::vector<RunPlan> plans;
  std::optional<Network> network;
  const bool can_rerun = !a.no_rerun;
  // A --scenario given is read now, even when no re-run turns out to be needed: a wrong path or a
  // bad file is an error whatever the results hold.
  std::optional<Scenario> given;
  if (!a.scenario.empty()) given = load_scenario(a.scenario);
  const auto prepare_rerun = [&] {
    if (!plans.empty()) return;
    Scenario scenario;
    std::vector<RunPlan> all;
    try {
      if (given) {
        scenario = *given;
      } else {
        if (file.scenario_text.empty())
          throw InputError("the results file holds no scenario to re-run; give --scenario or --no-rerun",
                           a.file);
        scenario = parse_scenario(file.scenario_text, file.scenario_path);
      }
      // The file's resolved parameters (its --set overrides included) win over the text's; without
      // them the re-runs would not be the file's replications.
      if (file.parameters.empty())
        throw InputError(
            "the results file holds no stored parameters (/parameters), so re-runs could not "
            "repeat its replications; use --no-rerun",
            a.file, 0, 0, "/parameters");
      for (const auto& [key, value] : file.parameters) {
        const ParamSpec* spec = find_param(key);
        if (!spec || param_to_string(scenario.params, *spec) == value) continue;
        set_param_from_string(scenario.params, *spec, value);
      }
      if (scenario.params.market_population != file.population ||
          scenario.params.run_horizon_days != file.horizon_days)
        throw InputError("re-runs would simulate " + std::to_string(scenario.params.market_population) +
                             " people for " + std::to_string(scenario.params.run_horizon_days) +
                             " days, but the file's replications are of " + std::to_string(file.population) +
                             " people for " + std::to_string(file.horizon_days) +
                             " days (its stored parameters are incomplete); use --no-rerun",
                         a.file, 0, 0, "/parameters");
      all = plan_experiment(read_experiment(scenario));
    } catch (const InputError& e) {
      if (e.file() == a.file) throw;
      // What failed is the stored copy (or the stored parameters applied to --scenario), not the
      // file the results were written from.
      throw InputError(
          std::string(given ? "cannot re-run from --scenario with the parameters stored in"
                            : "cannot re-run from the scenario stored in") +
              " this results file (" + e.what() + "); " +
              (given ? "fix the scenario, or give --no-rerun" : "give --scenario FILE or --no-rerun"),
          a.file, 0, 0, e.key());
    }
    std::vector<RunPlan> chosen;
    for (std::size_t s = 0; s < names.size(); ++s) {
      const std::string& name = names[s];
      const auto it = std::find_if(all.begin(), all.end(), [&](const RunPlan& p) { return p.name == name; });
      if (it == all.end())
        throw InputError("strategy '" + name + "' of the results file " + a.file + " is not in " +
                             (given ? "this scenario" : "its stored scenario") + ", so it cannot be re-run",
                         given ? a.scenario : a.file);
      // Re-runs of a strategy that has changed since the file was written would be averaged with
      // the file's replications of the old one.
      if (const auto d = recorded_plan_difference(*it, *runs[s]))
        throw InputError("strategy '" + name + "' " + (given ? "of --scenario" : "of the stored scenario") +
                             " is not the one the results file " + a.file + " recorded: " + d->what +
                             "; its re-runs would be averaged with replications of another strategy. " +
                             (given ? "Give the scenario the file was run from, or --no-rerun"
                                    : "Give --scenario FILE or --no-rerun"),
                         given ? a.scenario : a.file, 0, 0, d->key);
      chosen.push_back(*it);
    }
    network = study_network(scenario);
    plans = std::move(chosen);
  };

  install_study_signals();
  StudyProgress progress(!a.quiet);
  std::uint64_t done = 0;
  bool reran = false;
  const SelectionSampler sampler = [&](const std::vector<int>& systems, int first, int count) {
    std::vector<std::vector<std::vector<double>>> out(systems.size());
    const int from_file = std::clamp(available - first, 0, count);
    for (std::size_t w = 0; w < systems.size(); ++w) {
      for (const Measure& m : measures) {
        const auto v = measure_values(m, series[static_cast<std::size_t>(systems[w])]);
        out[w].emplace_back(v.begin() + first, v.begin() + first + from_file);
        for (const double value : out[w].back())
          if (!std::isfinite(value))
            throw InputError(
                "strategy '" + names[static_cast<std::size_t>(systems[w])] + "' has " +
                    (std::isnan(value) ? "no value (NaN)" : "an infinite value (a damaged file)") + " of '" +
                    m.metric + "' in a replication: nothing to rank",
                a.file, 0, 0, m.metric);
      }
    }
    if (from_file < count) {
      prepare_rerun();
      reran = true;
      std::vector<RunPlan> chosen;
      for (int s : systems) chosen.push_back(plans[static_cast<std::size_t>(s)]);
      const int extra = count - from_file;
      check_study_memory(chosen.front().params, a.threads > 0 ? a.threads : 2,
                         std::int64_t{extra} * static_cast<std::int64_t>(chosen.size()), a.file);
      RunOptions options;
      options.threads = a.threads;
      options.cancel = &cancel_flag();
      distribute_study_runs(options);
      const std::uint64_t total = static_cast<std::uint64_t>(chosen.front().params.market_population) *
                                  static_cast<std::uint64_t>(days) * static_cast<std::uint64_t>(extra) *
                                  chosen.size();
      options.progress = [&](std::uint64_t d, std::uint64_t) { progress.update(done + d, done + total); };
      const ExperimentResult r =
          run_plans(chosen, first + from_file, extra, options, network ? &*network : nullptr);
      done += total;
      for (std::size_t w = 0; w < systems.size(); ++w)
        for (std::size_t m = 0; m < measures.size(); ++m) {
          const auto v = measure_values(measures[m], r.runs[w].series);
          out[w][m].insert(out[w][m].end(), v.begin(), v.end());
        }
    }
    return out;
  };

  SelectionSpec spec;
  spec.maximize = !a.minimize;
  spec.indifference = a.indifference;
  spec.confidence = a.confidence;
  // The default first stage is at most the file's replications; one given is noted if it was cut.
  const bool first_stage_given = a.app && a.app->count("--first-stage") > 0;
  spec.first_stage = first_stage_given ? a.first_stage : std::min(a.first_stage, available);
  spec.max_replications = a.max_replications;
  spec.batch = 4;  // fixed, so the replications run never depend on the thread count
  for (std::size_t c = 0; c < constraints.size(); ++c)
    spec.constraints.push_back({static_cast<int>(c) + 1, constraints[c].at_least, constraints[c].bound});
  progress.start();
  SelectionReport rep;
  rep.result = select_best(static_cast<int>(runs.size()), static_cast<int>(measures.size()), spec, sampler,
                           available, can_rerun);
  progress.finish();
  rep.names = names;
  rep.objective = find_figure(a.objective).label;
  for (const auto& c : constraints) rep.constraints.push_back(c.text);
  rep.spec = spec;
  rep.available = available;
  rep.reran = reran;
  rep.rerun_allowed = can_rerun;
  if (study_root()) std::cout << format_selection(rep);
  return 0;
}

}  // namespace cxsim::cli
