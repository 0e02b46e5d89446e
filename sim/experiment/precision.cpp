#include "experiment/precision.hpp"

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"

namespace cxsim {

namespace {

std::vector<RunSeries> run_series(const ExperimentResult& r) {
  std::vector<RunSeries> out;
  for (const StrategyResult& s : r.runs) out.push_back({s.plan.name, s.plan.description, {}, &s.series});
  return out;
}

double ratio(const PrecisionCheck& c) {
  return c.half_width / c.target;
}

/// Every checkable (strategy, figure) interval; `worst` the widest relative to its target.
void evaluate(const ExperimentResult& result, const PrecisionTarget& target, PrecisionReport& report) {
  CompareOptions options;
  options.figures = precision_figures(target, result.baseline.run_horizon_days);
  const Comparison c = compare(run_series(result), options);
  // A figure the run does not define at its horizon (12-month retention of a shorter run) could
  // never be checked: say so rather than report a target "reached" without it.
  for (std::size_t f = 0; f < options.figures.size(); ++f) {
    bool defined = false;
    for (const auto& s : c.strategies) defined = defined || !std::isnan(s.figures[f].baseline_mean);
    if (!defined)
      throw InputError("figure '" + options.figures[f] + "' has no value at the horizon (day " +
                           std::to_string(result.baseline.run_horizon_days) +
                           "): " + c.strategies.front().figures[f].figure.definition +
                           "; choose another with --precision-metric",
                       "", 0, 0, "--precision-metric");
  }
  report.checks.clear();
  report.worst = {};
  double worst = -1;
  for (const auto& s : c.strategies)
    for (const auto& fc : s.figures) {
      const double goal = target.relative * std::fabs(fc.baseline_mean);
      if (!(goal > 0) || std::isnan(fc.difference.half_width)) continue;
      report.checks.push_back({s.name, fc.figure.id, fc.difference.half_width, goal});
      if (ratio(report.checks.back()) > worst) {
        worst = ratio(report.checks.back());
        report.worst = report.checks.back();
      }
    }
  report.replications = result.runs.front().series.replications;
  report.reached = worst <= 1;
}

}  // namespace

std::vector<std::string> precision_figures(const PrecisionTarget& target, std::int64_t horizon_days) {
  if (!target.figures.empty()) return target.figures;
  if (horizon_days >= 365) return {"profit", "retention"};
  if (horizon_days > 30) return {"profit", "churn"};  // monthly churn needs 30 days before the end
  return {"profit"};
}

ExperimentResult run_to_precision(const Experiment& experiment, const PrecisionTarget& target,
                                  const RunOptions& options, const Network* given_network,
                                  PrecisionReport& report) {
  if (!(target.relative > 0))
    throw InputError(
        "the precision must be a positive fraction, e.g. 0.01 for +/- 1% of the "
        "baseline's value",
        "", 0, 0, "--precision");
  if (target.max_replications < 3)
    throw InputError("at least 3 replications are needed for an interval", "", 0, 0, "--max-replications");
  for (const std::string& f : target.figures) find_figure(f);
  const auto plans = plan_experiment(experiment);
  if (plans.size() < 2)
    throw InputError(
        "--precision narrows the intervals of strategies' differences from the "
        "baseline, but the scenario has no [[strategy]] or [sweep]",
        "", 0, 0, "--precision");
  const int first = static_cast<int>(std::min<std::int64_t>(
      std::max<std::int64_t>(experiment.baseline.run_replications, 3), target.max_replications));
  ExperimentResult result = run_plans(plans, 0, first, options, given_network);
  report = {};
  report.batches = 1;
  for (;;) {
    evaluate(result, target, report);
    const int n = report.replications;
    if (report.reached || n >= target.max_replications || report.checks.empty()) break;
    // The half-width shrinks as 1/sqrt(n): n (w / target)^2 replications would do.
    const double needed = std::ceil(n * std::pow(ratio(report.worst), 2));
    int more = static_cast<int>(std::clamp(needed - n, 2.0, static_cast<double>(n)));
    more = std::min(more, target.max_replications - n);
    append_replications(result, run_plans(plans, n, more, options, given_network));
    ++report.batches;
  }
  return result;
}

}  // namespace cxsim
