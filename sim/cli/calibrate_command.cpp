#include "calibrate_command.hpp"

#include <cinttypes>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>

#include "experiment/calibrate.hpp"
#include "experiment/experiment.hpp"
#include "experiment/study_runs.hpp"
#include "io/experiment_reader.hpp"
#include "io/results_writer.hpp"
#include "io/studies_output.hpp"
#include "io/targets_reader.hpp"

namespace cxsim::cli {

namespace {

std::string hex(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", x);
  return buf;
}

/// The progress file: a first line identifying the study (a hash of everything that determines
/// the evaluations), then one line per finished simulation: the point and its replication values
/// in hexadecimal floating point (exact), and a checksum of the line. A resumed calibration replays
/// the same deterministic search, taking finished simulations from here, so a damaged line would
/// silently change the fit: every complete line must have its checksum and its shape (a value per
/// free key; a group of `replications` values per target), or the file is refused, naming the line.
/// A last line without its newline was cut short by a kill: it is dropped.
class EvaluationCache {
 public:
  struct Shape {
    std::size_t keys = 0, targets = 0, replications = 0;
  };
  EvaluationCache(std::string path, std::string identity, Shape shape) : path_(std::move(path)) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(fs::symlink_status(path_, ec))) {
      if (!fs::is_regular_file(fs::symlink_status(path_, ec)))
        throw InputError("the progress file exists and is not a regular file", path_);
      std::ifstream in(path_, std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const std::string first = text.substr(0, text.find('\n'));
      if (first.rfind(kFirstWord, 0) != 0)
        throw InputError("is not a progress file of cxsim calibrate (its first line does not start with '" +
                             std::string(kFirstWord) + "'); give --progress-file a path of its own",
                         path_, 1);
      if (first != kFirstWord + identity)
        throw InputError(
            "the progress file belongs to another calibration (different scenario, targets, "
            "replications or options, or an older cxsim); remove it or choose another with --progress-file",
            path_, 1);
      std::size_t complete = first.size() + 1, line_number = 1;
      for (std::size_t at = complete; at < text.size(); ++line_number) {
        const std::size_t end = text.find('\n', at);
        if (end == std::string::npos) break;  // cut short by a kill
        read_line(text.substr(at, end - at), line_number + 1, shape);
        at = complete = end + 1;
      }
      resumed_ = cache_.size();
      if (complete < text.size()) fs::resize_file(path_, complete, ec);  // drop the cut line
      out_.open(path_, std::ios::app | std::ios::binary);
    } else {
      out_.open(path_, std::ios::trunc | std::ios::binary);
      out_ << kFirstWord << identity << "\n";
      out_.flush();
    }
    if (!out_) throw InputError("cannot write the progress file", path_);
  }
  static std::string key(const std::vector<double>& x) {
    std::string k;
    for (double v : x) k += hex(v) + " ";
    return k;
  }
  std::optional<std::vector<std::vector<double>>> find(const std::vector<double>& x) {
    std::lock_guard lock(mutex_);
    const auto it = cache_.find(key(x));
    if (it == cache_.end()) return std::nullopt;
    return it->second;
  }
  void store(const std::vector<double>& x, const std::vector<std::vector<double>>& v) {
    std::lock_guard lock(mutex_);
    std::string line = key(x) + "|";
    for (const auto& t : v) {
      for (double r : t) {
        line += ' ';
        line += hex(r);
      }
      line += ";";
    }
    out_ << line << kChecksumMark << checksum(line) << "\n";
    out_.flush();
    cache_[key(x)] = v;
  }
  std::size_t resumed() const { return resumed_; }
  void remove() {
    out_.close();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }

 private:
  static constexpr const char* kFirstWord = "cxsim-calibration ";
  static constexpr const char* kChecksumMark = " #";
  static std::string checksum(const std::string& line) { return sha256_hex(line).substr(0, 16); }

  // Whitespace-separated hexadecimal floats (nan where a target had no value), all read whole.
  static bool read_numbers(const std::string& text, std::vector<double>& out) {
    std::istringstream in(text);
    for (std::string token; in >> token;) {
      char* end = nullptr;
      out.push_back(std::strtod(token.c_str(), &end));
      if (end != token.c_str() + token.size()) return false;
    }
    return true;
  }

  void read_line(const std::string& line, std::size_t number, const Shape& shape) {
    const auto fault = [&](const std::string& what) {
      return InputError("line " + std::to_string(number) + " is damaged (" + what +
                            "); remove the file to start the calibration over",
                        path_, static_cast<int>(number));
    };
    const std::size_t mark = line.rfind(kChecksumMark);
    if (mark == std::string::npos) throw fault("no checksum");
    const std::string body = line.substr(0, mark);
    if (line.substr(mark + 2) != checksum(body)) throw fault("its checksum does not match");
    const std::size_t bar = body.find('|');
    std::vector<double> point;
    if (bar == std::string::npos || !read_numbers(body.substr(0, bar), point) || point.size() != shape.keys)
      throw fault("not a point of " + std::to_string(shape.keys) + " free keys");
    std::vector<std::vector<double>> values;
    std::istringstream groups(body.substr(bar + 1));
    for (std::string group; std::getline(groups, group, ';');) {
      if (!read_numbers(group, values.emplace_back()) || values.back().size() != shape.replications)
        throw fault("not " + std::to_string(shape.replications) + " replications a target");
    }
    if (values.size() != shape.targets || body.back() != ';')
      throw fault("not " + std::to_string(shape.targets) + " targets");
    cache_[key(point)] = std::move(values);
  }

  std::string path_;
  std::mutex mutex_;
  std::map<std::string, std::vector<std::vector<double>>> cache_;
  std::ofstream out_;
  std::size_t resumed_ = 0;
};

}  // namespace

CalibrateArgs& add_calibrate_command(CLI::App& app) {
  static CalibrateArgs a;
  a.app = app.add_subcommand("calibrate",
                             "Fit free keys of a scenario to observed figures (a targets file) and write the "
                             "calibrated scenario, with a fit table and an interval for each fitted value");
  a.app->add_option("FILE", a.scenario.file, "Scenario file (TOML)")->required();
  a.app
      ->add_option("TARGETS", a.targets,
                   "Targets file (TOML: [[target]] and [[free]] tables, docs/scenarios.md)")
      ->required();
  a.app
      ->add_option("-o,--output", a.output,
                   "Calibrated scenario (TOML): a new path, or one calibrate wrote with --force")
      ->required();
  a.app->add_flag("--force", a.force,
                  "Replace an existing scenario that cxsim calibrate wrote (never anything else)");
  a.app
      ->add_option("--replications", a.replications,
                   "Replications per candidate (default: the scenario's run.replications), common to all")
      ->check(whole_range(2, 100000));
  a.app->add_option("--budget", a.budget, "Simulations per start at most (default 60)")
      ->check(whole_range(5, 100000));
  a.app
      ->add_option("--starts", a.starts,
                   "Optimiser starts: the scenario's values, then Sobol' points (default 3)")
      ->check(whole_range(1, kMaxCalibrationStarts));
  a.app->add_option(
      "--progress-file", a.progress_file,
      "Where finished simulations are kept so a killed calibration resumes (default: OUTPUT.progress)");
  a.scenario.add_to(a.app);
  return a;
}

int run_calibrate(const CalibrateArgs& a, const std::string& command_line) {
  Scenario scenario = a.scenario.load(a.replications);
  const int replications = static_cast<int>(scenario.params.run_replications);
  if (replications < 2)
    throw InputError(
        "calibration needs at least 2 replications per candidate (their spread is the simulation "
        "noise); use --replications",
        a.scenario.file, 0, 0, "run.replications");
  const std::vector<RunPlan> plans = plan_experiment(read_experiment(scenario));
  const TargetsFile targets = load_targets(a.targets, scenario.params);

  std::vector<Measure> measures;
  std::vector<CalibrationTarget> cal_targets;
  std::vector<std::string> names;
  for (const TargetSpec& t : targets.targets) {
    measures.push_back(t.measure);
    std::string name = t.measure.metric;
    if (t.measure.from_day != 0)
      name += " days " + std::to_string(t.measure.from_day ? t.measure.from_day : 1) + "-" +
              std::to_string(t.measure.to_day ? t.measure.to_day : scenario.params.run_horizon_days);
    else
      name +=
          " at day " + std::to_string(t.measure.to_day ? t.measure.to_day : scenario.params.run_horizon_days);
    names.push_back(name);
    cal_targets.push_back({name, t.value, t.sd});
  }
  std::vector<FreeParameter> free;
  std::vector<std::string> keys;
  for (const FreeSpec& f : targets.free) {
    const double start = study_key_value(plans.front().params, f.key);
    free.push_back({f.key, f.min, f.max, start});
    keys.push_back(f.key);
  }
  CalibrationSpec spec;
  spec.starts = a.starts;
  spec.budget = a.budget;
  spec.threads = several_ranks() ? 1 : a.scenario.threads;  // one start at a time across ranks
  const int threads = a.scenario.used_threads();
  // Up to min(threads, starts) starts at once, each simulating one point of `replications`.
  const int starts_at_once = std::min(threads, spec.starts);
  std::vector<std::pair<std::string, double>> largest;
  for (const FreeParameter& f : free) largest.emplace_back(f.key, f.max);
  check_study_memory(scenario.params, threads * starts_at_once, std::int64_t{starts_at_once} * replications,
                     a.scenario.file, largest);
  const auto network = study_network(scenario);

  // Identity of the study for the progress file: scenario as resolved, targets, replications, options.
  // "progress 2": lines with checksums (files of older builds are another calibration's).
  const std::string identity = sha256_hex(
      "progress 2\n" + resolved_toml(scenario.params) + "\n" + scenario.text + "\n" + targets.text + "\n" +
      std::to_string(replications) + " " + std::to_string(spec.starts) + " " + std::to_string(spec.budget));
  // Paths and the command line go into comments of the calibrated scenario: one line each (a
  // newline in a file name would end the comment and break the TOML).
  const auto one_line = [](const std::string& text) { return InputError::clean(text, 4096, false); };
  const std::string how = "calibrated by cxsim calibrate to " + one_line(a.targets);
  {
    // The scenario must take the fitted keys (a new section, a line to rewrite): found out now, before a
    // progress file or any simulation. The scenario's own values stand in for the fitted ones.
    std::vector<double> start;
    for (const FreeParameter& f : free) start.push_back(f.start);
    std::vector<SourceRef> asked_at;
    for (const FreeSpec& f : targets.free) asked_at.push_back(f.where);
    (void)rewrite_scenario(scenario.text, a.scenario.file, keys, start, how, "", asked_at);
  }
  // Rank 0 alone keeps the progress file and writes the output.
  std::optional<EvaluationCache> cache;
  OutputTarget target;
  study_on_root([&] {
    // The output must be writable, and anything there replaceable, before hours of work: fail now.
    target = check_output(a.output, a.force ? Replace::results : Replace::never, 0,
                          OutputKind::calibrated_scenario);
    const std::string progress_path = a.progress_file.empty() ? a.output + ".progress" : a.progress_file;
    std::error_code progress_error, output_error;
    const auto progress_where = std::filesystem::weakly_canonical(progress_path, progress_error);
    const auto output_where = std::filesystem::weakly_canonical(a.output, output_error);
    if (!progress_error && !output_error && progress_where == output_where)
      throw InputError("is also the output (-o): the progress file needs a path of its own", progress_path, 0,
                       0, "--progress-file");
    cache.emplace(
        progress_path, identity,
        EvaluationCache::Shape{free.size(), cal_targets.size(), static_cast<std::size_t>(replications)});
  });

  install_study_signals();
  StudyProgress progress(!a.scenario.quiet);
  StudyRunner runner;
  runner.base = plans.front();
  runner.keys = keys;
  runner.replications = replications;
  runner.options.threads = a.scenario.threads;
  runner.options.cancel = &cancel_flag();
  distribute_study_runs(runner.options);
  runner.network = network ? &*network : nullptr;
  runner.chunk = 1;
  const int max_evaluations = calibration_max_evaluations(spec, static_cast<int>(free.size()));
  runner.planned_customer_days =
      runner.customer_days_per_point() * static_cast<std::uint64_t>(max_evaluations);
  runner.progress = [&progress](std::uint64_t d, std::uint64_t t) { progress.update(d, t); };
  if (!a.scenario.quiet && study_root())
    std::fprintf(
        stderr, "calibrate: %zu keys to %zu targets, at most %d simulations of %d replications%s\n",
        free.size(), cal_targets.size(), max_evaluations, replications,
        cache->resumed() ? (", resuming with " + std::to_string(cache->resumed()) + " done").c_str() : "");
  if (!a.scenario.quiet && study_root() && cal_targets.size() < free.size())
    std::fprintf(stderr,
                 "calibrate: warning: %zu free keys and %zu targets: the targets cannot pin down every key; "
                 "add targets or fix keys from other evidence\n",
                 free.size(), cal_targets.size());
  const TargetEvaluator evaluate = [&](const std::vector<double>& x) {
    // A simulation the progress file already holds (rank 0's, sent to every rank: [rows, columns,
    // values...], empty when there is none).
    std::vector<double> hit;
    if (study_root())
      if (auto found = cache->find(x); found && !found->empty()) {
        hit = {static_cast<double>(found->size()), static_cast<double>(found->front().size())};
        for (const auto& row : *found) hit.insert(hit.end(), row.begin(), row.end());
      }
    study_broadcast(hit);
    if (!hit.empty()) {
      const auto rows = static_cast<std::size_t>(hit[0]), cols = static_cast<std::size_t>(hit[1]);
      std::vector<std::vector<double>> values(rows);
      for (std::size_t r = 0; r < rows; ++r)
        values[r].assign(hit.begin() + static_cast<std::ptrdiff_t>(2 + r * cols),
                         hit.begin() + static_cast<std::ptrdiff_t>(2 + (r + 1) * cols));
      return values;
    }
    auto values = runner.run({x}, measures).front();
    study_on_root([&] { cache->store(x, values); });
    return values;
  };
  progress.start();
  CalibrationResult result;
  try {
    try {
      std::vector<double> lows, highs;
      for (const FreeParameter& f : free) {
        lows.push_back(f.min);
        highs.push_back(f.max);
      }
      runner.check_corners(lows, highs);
      result = calibrate(cal_targets, free, spec, evaluate);
    } catch (const std::invalid_argument& e) {  // the targets' fault (a target without a value)
      throw InputError(e.what(), a.targets);
    }
  } catch (const InputError& e) {
    // Bad input found during the search: nothing to resume, so no progress file left behind
    // (unless an earlier, interrupted run wrote it).
    study_on_root([&] {
      if (cache->resumed() == 0) cache->remove();
    });
    throw_box_error(e, "the [[free]] ranges", a.targets);  // the box is the targets file's
  }
  progress.finish();

  std::string header = std::string(kCalibratedHeader) + one_line(a.scenario.file) + " to the targets in " +
                       one_line(a.targets) + "\n# (" + std::to_string(replications) +
                       " replications per candidate, common random numbers; "
                       "NLopt BOBYQA from " +
                       std::to_string(spec.starts) +
                       " starts; sum of z^2 = " + shortest_text(result.objective) +
                       ").\n# Fitted values, 95% intervals (Gauss-Newton):\n";
  for (std::size_t i = 0; i < free.size(); ++i)
    header += "#   " + free[i].key + " = " + shortest_text(result.parameters[i].value) + "  [" +
              shortest_text(result.parameters[i].low) + ", " + shortest_text(result.parameters[i].high) +
              "]" + (result.parameters[i].identified ? "" : "  NOT IDENTIFIED by the targets") + "\n";
  header += "# Command: " + one_line(command_line) + "\n\n";
  const std::string text = rewrite_scenario(scenario.text, a.scenario.file, keys, result.best, how, header);
  study_on_root([&] {
    write_text_file(target, text, &cancel_flag());
    cache->remove();
    std::cout << format_calibration(result, names, cal_targets, free, replications)
              << "calibrated scenario: " << a.output << "\n";
  });
  return 0;
}

}  // namespace cxsim::cli
