#pragma once
// Fitting the model to a firm's own figures (`cxsim calibrate`). Pure: the data come from an
// evaluator callback (the simulator in the CLI, analytic functions in the tests).
//
// Objective: sum over targets of z^2, z = (fitted - observed) / sqrt(sd^2 + se^2), where fitted is
// the mean over replications and se its standard error (the simulation noise). Every candidate is
// run on the same replications (common random numbers), so the surface is smooth, not noisy.
// Search: NLopt's BOBYQA (Powell 2009), derivative-free with bounds, on the unit cube of the free
// parameters, from several starts (the scenario's own values, then Sobol' points), the starts run
// in parallel. Uncertainty: the Gauss-Newton (Laplace) approximation at the optimum, cov =
// (J' W J)^-1 with J the central-difference Jacobian of the fitted means and W = 1/(sd^2 + se^2);
// a parameter whose standard error exceeds a quarter of its range, or whose information matrix is
// singular, is reported as not identified by the targets.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cxsim {

struct CalibrationTarget {
  std::string name;  ///< for messages: "monthly_churn_rate days 366-730"
  double value = 0;  ///< observed
  double sd = 0;     ///< its uncertainty, > 0
};

struct FreeParameter {
  std::string key;
  double min = 0, max = 1;
  double start = 0;  ///< the first start (the scenario's value; clamped into [min, max])
};

/// The most optimiser starts a calibration takes (the command line's --starts, Python's starts=).
inline constexpr int kMaxCalibrationStarts = 64;

struct CalibrationSpec {
  int starts = 4;
  int budget = 200;         ///< evaluations per start
  double tolerance = 1e-4;  ///< relative change of the unit-cube position that ends a start
  int threads = 0;          ///< starts run in parallel on this many threads (0: all)
};

/// values[target][replication] for the parameter values x (one per free parameter). Called
/// concurrently from several threads; must be a pure function of x.
using TargetEvaluator = std::function<std::vector<std::vector<double>>(const std::vector<double>& x)>;

struct TargetFit {
  double fitted = 0;      ///< mean over replications at the best values
  double half_width = 0;  ///< its 95% t interval (simulation noise)
  double z = 0;
};

struct ParameterFit {
  double value = 0;
  double se = 0;             ///< Gauss-Newton standard error; infinity when not identified
  double low = 0, high = 0;  ///< value -/+ 1.96 se, clipped to [min, max]
  bool identified = true;
};

struct StartOutcome {
  std::vector<double> start, best;
  double objective = 0;
  int evaluations = 0;
};

struct CalibrationResult {
  std::vector<double> best;
  double objective = 0;        ///< sum of z^2
  int degrees_of_freedom = 0;  ///< targets - free parameters
  std::vector<TargetFit> targets;
  std::vector<ParameterFit> parameters;
  std::vector<StartOutcome> starts;
  int evaluations = 0;  ///< in all, Jacobian included
};

/// The objective for replication values at one point.
double calibration_objective(const std::vector<CalibrationTarget>& targets,
                             const std::vector<std::vector<double>>& values);

/// Evaluations the calibration may need at most: starts * budget + 2 * free + 1.
inline int calibration_max_evaluations(const CalibrationSpec& s, int free) {
  return s.starts * s.budget + 2 * free + 1;
}

/// @throws std::invalid_argument on a bad spec (no targets or free parameters, sd <= 0,
///         min >= max, starts or budget < 1)
CalibrationResult calibrate(const std::vector<CalibrationTarget>& targets,
                            const std::vector<FreeParameter>& free, const CalibrationSpec& spec,
                            const TargetEvaluator& evaluate);

}  // namespace cxsim
