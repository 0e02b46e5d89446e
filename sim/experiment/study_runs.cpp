#include "experiment/study_runs.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "kpi/compare.hpp"
#include "service/contact_config.hpp"

namespace cxsim {

std::string shortest_text(double x) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, end);
}

namespace {

InputError error_at(const SourceRef& where, const std::string& key, const std::string& message) {
  return InputError(message, where.file, where.line, where.column, key);
}

}  // namespace

void check_measure(const Measure& m, int horizon) {
  const auto at = [&](const SourceRef& key) -> const SourceRef& { return key.file.empty() ? m.where : key; };
  // A measure from an option ("--metric", line 0) has no keys of its own: the option names it.
  const bool option = m.where.line == 0 && m.where.file.rfind("--", 0) == 0;
  const auto error_at = [&](const SourceRef& where, const std::string& key, const std::string& message) {
    return InputError(message, where.file, where.line, where.column, option ? std::string() : key);
  };
  int first_day = 1;  // the first day the figure can have a value
  if (m.from_day == 0) {
    Figure figure;
    try {
      figure = find_figure(m.metric);
    } catch (const InputError& e) {
      throw error_at(at(m.where_metric), "metric", "'" + m.metric + "': " + e.message());
    }
    for (const std::string& name : {figure.metric, figure.denominator})
      if (const int metric = find_metric(name); metric >= 0)
        first_day = std::max(first_day, metric_first_day(static_cast<Metric>(metric)));
  } else if (const int metric = find_metric(m.metric); metric >= 0) {
    first_day = metric_first_day(static_cast<Metric>(metric));
  } else {
    throw error_at(
        at(m.where_metric), "metric",
        "'" + m.metric +
            "' is not a daily series, so it has no window mean (from_day); daily series "
            "are the metric names cxsim info lists. Give only to_day to read a key figure at that day");
  }
  const int to = m.to_day == 0 ? horizon : m.to_day;
  const int from = m.from_day == 0 ? 1 : m.from_day;
  const std::string allowed = " must be a day in [1, " + std::to_string(horizon) + "] (run.horizon_days is " +
                              std::to_string(horizon) + ")";
  if (to < 1 || to > horizon)
    throw error_at(at(m.where_to_day), "to_day", "to_day " + std::to_string(to) + allowed);
  if (from < 1 || from > horizon)
    throw error_at(at(m.where_from_day), "from_day", "from_day " + std::to_string(from) + allowed);
  if (from > to) throw error_at(at(m.where_from_day), "from_day", "from_day must not be after to_day");
  // Read before its series can have a value, the figure is NaN in every simulation: a study would
  // fit or rank nothing (a window mean skips the days without a value, so its last day counts).
  if (to < first_day)
    throw error_at(
        at(m.to_day == 0 ? m.where : m.where_to_day), "to_day",
        "'" + m.metric + "' has no value at day " + std::to_string(to) +
            (m.to_day == 0 ? " (the horizon, run.horizon_days)" : "") + ": it is not defined before day " +
            std::to_string(first_day) + " of a run; allowed: a day of at least " + std::to_string(first_day) +
            (horizon < first_day ? " in a run of at least " + std::to_string(first_day) + " days" : ""));
}

std::vector<double> measure_values(const Measure& m, const SeriesSet& series) {
  const int to = m.to_day == 0 ? series.days : m.to_day;
  if (m.from_day == 0) return figure_values(find_figure(m.metric), series, to);
  const int metric = find_metric(m.metric);
  const int from = m.from_day == 0 ? 1 : m.from_day;
  std::vector<double> out;
  for (int r = 0; r < series.replications; ++r) {
    double sum = 0;
    int n = 0;
    for (int d = from - 1; d < to; ++d) {
      const double v = series.at(static_cast<Metric>(metric), r, d);
      if (std::isfinite(v)) {
        sum += v;
        ++n;
      }
    }
    out.push_back(n ? sum / n : std::numeric_limits<double>::quiet_NaN());
  }
  return out;
}

std::string study_value_text(const ParamSpec& spec, double x) {
  if (spec.type == ParamType::integer) return std::to_string(std::llround(x));
  return shortest_text(x);
}

namespace {

// The segment and field spec of a segment key a study varies.
// @throws InputError at `where`: another form, a segment the scenario lacks, a field that is not a number
std::pair<std::size_t, const SegmentParamSpec*> study_segment_key(const Params& params,
                                                                  const std::string& key,
                                                                  const SourceRef& where) {
  SegmentField f;
  try {
    f = find_segment_field(params.segments, key);
  } catch (const InputError& e) {
    throw error_at(where, key, e.message());
  }
  const SegmentParamSpec* spec = find_segment_param(f.field);
  if (!spec) {
    std::string fields;
    for (const SegmentParamSpec& s : segment_param_specs())
      if (s.name != "share") fields += (fields.empty() ? "" : ", ") + std::string(s.name);
    throw error_at(where, key,
                   (f.field == "name" ? std::string("a segment's name is text")
                                      : "'" + f.field + "' is not a segment key") +
                       "; a study can vary a segment's " + fields);
  }
  return {f.segment, spec};
}

}  // namespace

double study_key_value(const Params& params, const std::string& key) {
  if (is_segment_key(key)) {
    const auto [segment, spec] = study_segment_key(params, key, {});
    return params.segments[segment].*(spec->member);
  }
  const ParamSpec* spec = find_param(key);
  if (!spec) throw InputError(unknown_key_message(key), "", 0, 0, key);
  return std::stod(param_to_string(params, *spec));
}

void check_study_key(const std::string& key, double min, double max, const SourceRef& where,
                     bool allow_integer, const Params& params) {
  if (is_segment_key(key)) {
    const auto [segment, spec] = study_segment_key(params, key, where);
    (void)segment;
    if (spec->name == "share")
      throw error_at(where, key,
                     "the segments' shares sum to 1, so one share cannot be varied alone; vary the other "
                     "segment keys, or run a scenario per split");
    if (!(min < max))
      throw error_at(where, key,
                     "min (" + shortest_text(min) + ") must be less than max (" + shortest_text(max) + ")");
    if (min < spec->min || max > spec->max)
      throw error_at(where, key,
                     "[" + shortest_text(min) + ", " + shortest_text(max) +
                         "] is outside the key's allowed range, a number in [" + shortest_text(spec->min) +
                         ", " + shortest_text(spec->max) + "]");
    return;
  }
  const ParamSpec* spec = find_param(key);
  if (!spec) throw error_at(where, key, unknown_key_message(key));
  if (key.rfind("run.", 0) == 0) throw error_at(where, key, "run.* keys cannot be varied by a study");
  if (spec->type != ParamType::real && !(allow_integer && spec->type == ParamType::integer))
    throw error_at(where, key,
                   std::string("is not a real number (") +
                       (spec->type == ParamType::integer ? "an integer" : "not a number") +
                       "); only real-valued keys" + (allow_integer ? " and integer keys" : "") +
                       " can be varied");
  if (!(min < max))
    throw error_at(where, key,
                   "min (" + shortest_text(min) + ") must be less than max (" + shortest_text(max) + ")");
  // The points of an integer key are rounded: [1, 1.5] gave 1 almost everywhere and "no effect".
  if (spec->type == ParamType::integer && (std::trunc(min) != min || std::trunc(max) != max))
    throw error_at(where, key,
                   "[" + shortest_text(min) + ", " + shortest_text(max) +
                       "]: an integer key's range runs from one whole number to another (its points are "
                       "rounded to whole numbers)");
  if (min < spec->min || max > spec->max)
    throw error_at(where, key,
                   "[" + shortest_text(min) + ", " + shortest_text(max) +
                       "] is outside the key's allowed range " + allowed_text(*spec));
}

void throw_box_error(const InputError& e, const std::string& box, const std::string& file) {
  if (!e.file().empty()) throw e;
  throw InputError(box + " allow a scenario that is not valid: '" + e.key() + "': " + e.message() +
                       "; narrow the ranges so that every combination is valid",
                   file);
}

std::vector<RunPlan> StudyRunner::plans(const std::vector<std::vector<double>>& points) const {
  std::vector<RunPlan> out;
  for (std::size_t i = 0; i < points.size(); ++i) {
    RunPlan plan = base;
    plan.name = "point-" + std::to_string(i);
    plan.kind = RunKind::sweep_point;
    plan.sweep_values.clear();
    std::vector<ParamOverride> overrides;
    for (std::size_t k = 0; k < keys.size(); ++k) {
      if (is_segment_key(keys[k])) {  // checked by check_study_key: a number field of a segment
        const auto [segment, field] = study_segment_key(plan.params, keys[k], {});
        plan.params.segments[segment].*(field->member) = points[i][k];
        plan.sweep_values.emplace_back(keys[k], points[i][k]);
        continue;
      }
      const ParamSpec& spec = *find_param(keys[k]);
      const double v = spec.type == ParamType::integer ? std::round(points[i][k]) : points[i][k];
      overrides.push_back({keys[k], study_value_text(spec, v), {}});
      plan.sweep_values.emplace_back(keys[k], v);
    }
    apply_param_overrides(plan.params, overrides);
    // Interventions of the base plan keep holding on top of the point's values.
    for (auto& change : plan.changes) {
      change.params = plan.params;
      apply_param_overrides(change.params, change.overrides);
    }
    check_scenario(plan.params);
    out.push_back(std::move(plan));
  }
  return out;
}

void StudyRunner::check_corners(const std::vector<double>& min, const std::vector<double>& max) const {
  const std::size_t k = keys.size();
  if (k > 12 || min.size() != k || max.size() != k) return;
  for (std::uint32_t corner = 0; corner < (1u << k); ++corner) {
    std::vector<double> x(k);
    for (std::size_t i = 0; i < k; ++i) x[i] = (corner >> i) & 1u ? max[i] : min[i];
    (void)plans({x});
  }
}

std::uint64_t StudyRunner::customer_days_per_point() const {
  return static_cast<std::uint64_t>(base.params.market_population) *
         static_cast<std::uint64_t>(base.params.run_horizon_days) * static_cast<std::uint64_t>(replications);
}

std::vector<std::vector<std::vector<double>>> StudyRunner::run(const std::vector<std::vector<double>>& points,
                                                               const std::vector<Measure>& measures,
                                                               int first) const {
  std::vector<std::vector<std::vector<double>>> out;
  const std::size_t step = static_cast<std::size_t>(std::max(1, chunk));
  for (std::size_t begin = 0; begin < points.size(); begin += step) {
    const std::vector<std::vector<double>> part(
        points.begin() + static_cast<std::ptrdiff_t>(begin),
        points.begin() + static_cast<std::ptrdiff_t>(std::min(points.size(), begin + step)));
    RunOptions o = options;
    o.progress = nullptr;  // progress is reported per chunk, across concurrent callers
    ExperimentResult r = run_plans(plans(part), first, replications, o, network);
    for (const StrategyResult& s : r.runs) {
      std::vector<std::vector<double>> values;
      for (const Measure& m : measures) values.push_back(measure_values(m, s.series));
      out.push_back(std::move(values));
    }
    const auto now = done_.fetch_add(r.stats.customer_days) + r.stats.customer_days;
    if (progress) progress(now, std::max(planned_customer_days, now));
  }
  return out;
}

}  // namespace cxsim
