#include "experiment/experiment.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>

#include "core/errors.hpp"
#include "core/rng.hpp"
#include "service/contact_config.hpp"

namespace cxsim {

namespace {

InputError error_at(const SourceRef& where, const std::string& key, const std::string& message) {
  return InputError(message, where.file, where.line, where.column, key);
}

const ParamSpec& known_param(const std::string& key, const SourceRef& where) {
  const ParamSpec* spec = find_param(key);
  if (!spec) throw error_at(where, key, unknown_key_message(key));
  // Seed, replications and horizon are what makes the runs comparable: one value for them all.
  if (key.rfind("run.", 0) == 0)
    throw error_at(where, key,
                   "run.* keys apply to the whole experiment, not to one strategy, "
                   "intervention or sweep point; set them in [run] or with --set");
  return *spec;
}

/// Shortest text that reads back to x (integer keys: the nearest whole number).
std::string value_text(const ParamSpec& spec, double x) {
  if (spec.type == ParamType::integer) return std::to_string(std::llround(x));
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, end);
}

void check_interventions(const std::vector<Intervention>& interventions, std::int64_t horizon) {
  // (day, key) -> where it was set: one list (the scenario's, or one strategy's own) may not set a
  // key twice on a day (the last would win unseen). A strategy's own change of a key still wins
  // over the scenario's on the same day (make_plan).
  std::map<std::pair<std::int64_t, std::string>, SourceRef> set_on_day;
  for (const Intervention& iv : interventions) {
    if (iv.day < 0 || iv.day >= horizon)
      throw error_at(iv.where, "day",
                     "day " + std::to_string(iv.day) + " is outside the run: run.horizon_days is " +
                         std::to_string(horizon) + ", so an intervention's day must be in [0, " +
                         std::to_string(horizon - 1) + "]");
    if (iv.overrides.empty()) throw error_at(iv.where, "day", "an intervention must change at least one key");
    for (const ParamOverride& o : iv.overrides) {
      const ParamSpec& spec = known_param(o.key, o.where);
      if (!spec.intervenable)
        throw error_at(o.where, o.key,
                       "cannot change during a run (not intervenable: it shapes the whole run, "
                       "like the market, network and horizon); set it from day 0 as a strategy "
                       "override instead. Intervenable keys are marked in docs/scenarios.md");
      const auto [it, fresh] = set_on_day.try_emplace({iv.day, o.key}, o.where);
      if (!fresh)
        throw error_at(
            o.where, o.key,
            "'" + o.key + "' is set twice on day " + std::to_string(iv.day) +
                (it->second.line > 0 ? " (also at line " + std::to_string(it->second.line) + ")" : "") +
                "; give each key one value a day");
    }
  }
}

/// check_scenario(), with the error pointing at the override that set the key it names.
void validate_run(const Params& p, const std::string& run, const std::vector<ParamOverride>& applied,
                  const SourceRef& fallback) {
  try {
    check_scenario(p);
  } catch (const InputError& e) {
    SourceRef where = fallback;
    for (const ParamOverride& o : applied)
      if (o.key == e.key()) where = o.where;
    throw error_at(where, e.key(), run + ": " + e.message());
  }
}

RunPlan make_plan(const Params& baseline, std::string name, std::string description, RunKind kind,
                  const std::vector<ParamOverride>& overrides, std::vector<Intervention> interventions,
                  const SourceRef& where) {
  RunPlan plan;
  plan.name = std::move(name);
  plan.description = std::move(description);
  plan.kind = kind;
  plan.overrides = overrides;
  plan.params = baseline;
  const std::string label = kind == RunKind::baseline ? "the baseline" : "'" + plan.name + "'";
  apply_param_overrides(plan.params, overrides);
  validate_run(plan.params, label, overrides, where);

  // Inherited interventions come first in `interventions`; a stable sort keeps that order within
  // a day, so a strategy's own change of a key wins over an inherited one on the same day.
  std::stable_sort(interventions.begin(), interventions.end(),
                   [](const Intervention& a, const Intervention& b) { return a.day < b.day; });
  Params current = plan.params;
  for (std::size_t i = 0; i < interventions.size();) {
    RunPlan::Change change;
    change.day = static_cast<std::int32_t>(interventions[i].day);
    for (; i < interventions.size() && interventions[i].day == change.day; ++i)
      change.overrides.insert(change.overrides.end(), interventions[i].overrides.begin(),
                              interventions[i].overrides.end());
    apply_param_overrides(current, change.overrides);
    validate_run(current, label + " from day " + std::to_string(change.day), change.overrides, where);
    change.params = current;
    plan.changes.push_back(std::move(change));
  }
  return plan;
}

void check_name(const StrategySpec& s, std::set<std::string>& used) {
  const auto bad = [&](const std::string& why) {
    return error_at(s.where, "strategy.name", "strategy name '" + s.name + "' " + why);
  };
  if (s.name.empty()) throw error_at(s.where, "strategy.name", "a strategy needs a non-empty name");
  if (s.name == "baseline")
    throw bad(
        "is taken: 'baseline' is the scenario as written, run always; name the strategy "
        "after what it changes");
  if (s.name == "." || s.name.find('/') != std::string::npos)
    throw bad("cannot name a results group: it may not be '.' or contain '/'");
  if (std::any_of(s.name.begin(), s.name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    throw bad("contains control characters");
  if (s.name.rfind("sweep-", 0) == 0) throw bad("is reserved: names starting 'sweep-' are sweep points");
  if (!used.insert(s.name).second) throw bad("is used twice; strategy names must differ");
}

}  // namespace

void apply_param_overrides(Params& params, const std::vector<ParamOverride>& overrides) {
  for (const ParamOverride& o : overrides) {
    const ParamSpec& spec = known_param(o.key, o.where);
    try {
      set_param_from_string(params, spec, o.value);
    } catch (const InputError& e) {
      throw error_at(o.where, o.key, e.message());
    }
  }
}

std::string sweep_point_name(std::size_t index, std::size_t count) {
  std::size_t width = 3;
  for (std::size_t n = 1000; n < count; n *= 10) ++width;
  std::string digits = std::to_string(index);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return "sweep-" + digits;
}

std::vector<std::vector<double>> sweep_points(const Sweep& sweep, std::uint64_t seed) {
  if (sweep.parameters.empty())
    throw error_at(sweep.where, "sweep",
                   "empty sweep: add [[sweep.parameter]] tables, each with a key and values (grid) "
                   "or min and max (latin_hypercube)");
  std::set<std::string> keys;
  std::size_t count = 1;
  for (const SweepParameter& sp : sweep.parameters) {
    const ParamSpec& spec = known_param(sp.key, sp.where);
    if (spec.type != ParamType::real && spec.type != ParamType::integer)
      throw error_at(sp.where, sp.key, "cannot be swept: only number and integer keys can");
    if (!keys.insert(sp.key).second)
      throw error_at(sp.where, sp.key, "is swept twice; give each key one [[sweep.parameter]]");
    if (sweep.method == SweepMethod::grid) {
      if (sp.values.empty()) throw error_at(sp.where, sp.key, "empty sweep: the parameter has no values");
      count *= sp.values.size();
      if (count > kMaxSweepPoints)
        throw error_at(sweep.where, "sweep",
                       "the grid has more than " + std::to_string(kMaxSweepPoints) +
                           " points; use latin_hypercube with fewer points");
    } else if (!(sp.min <= sp.max)) {
      throw error_at(sp.where, sp.key, "min must not exceed max");
    }
  }
  std::vector<std::vector<double>> points;
  if (sweep.method == SweepMethod::grid) {
    points.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      std::size_t rest = i;
      points[i].resize(sweep.parameters.size());
      for (std::size_t j = sweep.parameters.size(); j-- > 0;) {  // the last parameter fastest
        const auto& values = sweep.parameters[j].values;
        points[i][j] = values[rest % values.size()];
        rest /= values.size();
      }
    }
    return points;
  }
  if (sweep.points < 1 || static_cast<std::uint64_t>(sweep.points) > kMaxSweepPoints)
    throw error_at(sweep.where, "sweep.points",
                   "a Latin hypercube needs between 1 and " + std::to_string(kMaxSweepPoints) +
                       " points, got " + std::to_string(sweep.points));
  const auto n = static_cast<std::size_t>(sweep.points);
  points.assign(n, std::vector<double>(sweep.parameters.size()));
  for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
    // One stratum of [min, max] per point, in a random order, at a random place in the stratum.
    Stream rng(RngKey{seed, 0}, Purpose::sweep, j, 0);
    std::vector<std::size_t> stratum(n);
    std::iota(stratum.begin(), stratum.end(), std::size_t{0});
    for (std::size_t i = n; i-- > 1;) std::swap(stratum[i], stratum[rng.below(i + 1)]);
    const SweepParameter& sp = sweep.parameters[j];
    const bool integer = find_param(sp.key)->type == ParamType::integer;
    for (std::size_t i = 0; i < n; ++i) {
      const double u = (static_cast<double>(stratum[i]) + rng.uniform()) / static_cast<double>(n);
      const double x = sp.min + u * (sp.max - sp.min);
      points[i][j] = integer ? static_cast<double>(std::llround(x)) : x;
    }
  }
  return points;
}

std::vector<RunPlan> plan_experiment(const Experiment& e) {
  check_scenario(e.baseline);
  const std::int64_t horizon = e.baseline.run_horizon_days;
  check_interventions(e.interventions, horizon);

  std::vector<RunPlan> plans;
  plans.push_back(make_plan(e.baseline, "baseline", "The scenario as written", RunKind::baseline, {},
                            e.interventions, SourceRef{}));
  std::set<std::string> used{"baseline"};
  for (const StrategySpec& s : e.strategies) {
    check_name(s, used);
    for (const ParamOverride& o : s.overrides) known_param(o.key, o.where);
    check_interventions(s.interventions, horizon);
    std::vector<Intervention> all = e.interventions;
    all.insert(all.end(), s.interventions.begin(), s.interventions.end());
    plans.push_back(make_plan(e.baseline, s.name, s.description, RunKind::strategy, s.overrides,
                              std::move(all), s.where));
  }
  if (e.sweep) {
    const auto points = sweep_points(*e.sweep, static_cast<std::uint64_t>(e.baseline.run_seed));
    for (std::size_t i = 0; i < points.size(); ++i) {
      std::vector<ParamOverride> overrides;
      std::vector<std::pair<std::string, double>> values;
      std::string description;
      for (std::size_t j = 0; j < points[i].size(); ++j) {
        const SweepParameter& sp = e.sweep->parameters[j];
        const std::string text = value_text(*find_param(sp.key), points[i][j]);
        overrides.push_back({sp.key, text, sp.where});
        values.emplace_back(sp.key, points[i][j]);
        description += (j ? ", " : "") + sp.key + " = " + text;
      }
      RunPlan plan = make_plan(e.baseline, sweep_point_name(i, points.size()), description,
                               RunKind::sweep_point, overrides, e.interventions, e.sweep->where);
      plan.sweep_values = std::move(values);
      plans.push_back(std::move(plan));
    }
  }
  return plans;
}

void append_replications(ExperimentResult& into, ExperimentResult&& more) {
  if (into.runs.size() != more.runs.size())
    throw std::invalid_argument("append_replications: different numbers of runs");
  for (std::size_t i = 0; i < into.runs.size(); ++i) {
    StrategyResult& a = into.runs[i];
    StrategyResult& b = more.runs[i];
    if (a.plan.name != b.plan.name || a.series.days != b.series.days)
      throw std::invalid_argument("append_replications: runs differ");
    if (a.segment_series.size() != b.segment_series.size())
      throw std::invalid_argument("append_replications: runs differ in their segment split");
    const auto append = [](SeriesSet& into_set, const SeriesSet& more_set) {
      SeriesSet merged(into_set.replications + more_set.replications, into_set.days);
      for (int m = 0; m < kMetricCount; ++m) {
        const auto x = into_set.metric(static_cast<Metric>(m));
        const auto y = more_set.metric(static_cast<Metric>(m));
        auto out = merged.values.begin() + static_cast<std::ptrdiff_t>(m) * merged.replications * merged.days;
        out = std::copy(x.begin(), x.end(), out);
        std::copy(y.begin(), y.end(), out);
      }
      into_set = std::move(merged);
    };
    append(a.series, b.series);
    for (std::size_t s = 0; s < a.segment_series.size(); ++s)
      append(a.segment_series[s], b.segment_series[s]);
    for (auto& c : b.customers) a.customers.push_back(std::move(c));
    for (auto& e : b.episodes) a.episodes.push_back(std::move(e));
  }
  into.baseline.run_replications += more.baseline.run_replications;
  into.stats.seconds_simulating += more.stats.seconds_simulating;
  into.stats.seconds_total += more.stats.seconds_total;
  into.stats.customer_days += more.stats.customer_days;
}

}  // namespace cxsim
