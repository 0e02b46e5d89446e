#include "experiment/calibrate.hpp"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <boost/math/distributions/students_t.hpp>
#include <boost/random/sobol.hpp>
#include <nlopt.hpp>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <stdexcept>

#include "core/fork_join.hpp"
#include "experiment/runner.hpp"

namespace cxsim {

namespace {

struct Moments {
  double mean = 0, se = 0, sd = 0;
  int n = 0;
};

Moments moments(const std::vector<double>& v) {
  Moments m;
  m.n = static_cast<int>(v.size());
  if (m.n == 0) return m;
  for (double x : v) m.mean += x;
  m.mean /= m.n;
  if (m.n > 1) {
    double ss = 0;
    for (double x : v) ss += (x - m.mean) * (x - m.mean);
    m.sd = std::sqrt(ss / (m.n - 1));
    m.se = m.sd / std::sqrt(static_cast<double>(m.n));
  }
  return m;
}

/// Inverse of a symmetric positive definite matrix by Gauss-Jordan with partial pivoting; false
/// when a pivot is below `tiny` relative to the largest diagonal entry (singular).
bool invert(std::vector<std::vector<double>> a, std::vector<std::vector<double>>& inv) {
  const std::size_t n = a.size();
  inv.assign(n, std::vector<double>(n, 0));
  for (std::size_t i = 0; i < n; ++i) inv[i][i] = 1;
  double scale = 0;
  for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::abs(a[i][i]));
  if (!(scale > 0)) return false;
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::abs(a[r][c]) > std::abs(a[p][c])) p = r;
    if (std::abs(a[p][c]) < 1e-12 * scale) return false;
    std::swap(a[p], a[c]);
    std::swap(inv[p], inv[c]);
    const double d = a[c][c];
    for (std::size_t j = 0; j < n; ++j) {
      a[c][j] /= d;
      inv[c][j] /= d;
    }
    for (std::size_t r = 0; r < n; ++r) {
      if (r == c) continue;
      const double f = a[r][c];
      for (std::size_t j = 0; j < n; ++j) {
        a[r][j] -= f * a[c][j];
        inv[r][j] -= f * inv[c][j];
      }
    }
  }
  return true;
}

}  // namespace

double calibration_objective(const std::vector<CalibrationTarget>& targets,
                             const std::vector<std::vector<double>>& values) {
  if (values.size() != targets.size())
    throw std::invalid_argument("the evaluator returned the wrong number of targets");
  double sum = 0;
  for (std::size_t t = 0; t < targets.size(); ++t) {
    const Moments m = moments(values[t]);
    if (m.n == 0 || !std::isfinite(m.mean)) return std::numeric_limits<double>::max();
    const double z = (m.mean - targets[t].value) / std::sqrt(targets[t].sd * targets[t].sd + m.se * m.se);
    sum += z * z;
  }
  return sum;
}

CalibrationResult calibrate(const std::vector<CalibrationTarget>& targets,
                            const std::vector<FreeParameter>& free, const CalibrationSpec& spec,
                            const TargetEvaluator& evaluate) {
  if (targets.empty()) throw std::invalid_argument("calibration needs at least one target");
  if (free.empty()) throw std::invalid_argument("calibration needs at least one free parameter");
  // Beyond 1e100 a z^2 overflows to infinity and every candidate fits equally badly.
  for (const auto& t : targets) {
    if (!(std::abs(t.value) < 1e100))
      throw std::invalid_argument("target '" + t.name +
                                  "': the value must be a finite number below 1e100 in size");
    if (!(t.sd > 0 && t.sd < 1e100))
      throw std::invalid_argument("target '" + t.name + "': sd must be > 0 and below 1e100");
  }
  for (const auto& f : free)
    if (!(f.min < f.max)) throw std::invalid_argument("free parameter '" + f.key + "': min must be < max");
  if (spec.starts < 1 || spec.starts > kMaxCalibrationStarts || spec.budget < 1)
    throw std::invalid_argument("starts must be from 1 to " + std::to_string(kMaxCalibrationStarts) +
                                " and budget >= 1");
  check_threads(spec.threads);
  const std::size_t p = free.size();
  const auto to_x = [&](const std::vector<double>& u) {
    std::vector<double> x(p);
    for (std::size_t i = 0; i < p; ++i)
      x[i] = free[i].min + std::clamp(u[i], 0.0, 1.0) * (free[i].max - free[i].min);
    return x;
  };

  // Starts: the scenario's values, then Sobol' points (deterministic).
  std::vector<std::vector<double>> starts;
  {
    std::vector<double> u(p);
    for (std::size_t i = 0; i < p; ++i)
      u[i] = std::clamp((free[i].start - free[i].min) / (free[i].max - free[i].min), 0.0, 1.0);
    starts.push_back(u);
    boost::random::sobol qrng(p);
    qrng.discard(p);  // skip the all-zero point
    const double scale = 1.0 / (static_cast<double>(boost::random::sobol::max()) + 1.0);
    while (static_cast<int>(starts.size()) < spec.starts) {
      for (std::size_t i = 0; i < p; ++i) u[i] = static_cast<double>(qrng()) * scale;
      starts.push_back(u);
    }
  }

  CalibrationResult result;
  result.starts.resize(starts.size());
  struct Context {
    const std::vector<CalibrationTarget>* targets;
    const TargetEvaluator* evaluate;
    const std::vector<FreeParameter>* free;
    int evaluations = 0;
    std::exception_ptr error;  ///< thrown by the evaluator: NLopt would report only "nlopt failure"
  };
  const auto objective = [](unsigned n, const double* u, double*, void* data) {
    auto* c = static_cast<Context*>(data);
    ++c->evaluations;
    std::vector<double> x(n);
    for (unsigned i = 0; i < n; ++i) {
      const FreeParameter& f = (*c->free)[i];
      x[i] = f.min + std::clamp(u[i], 0.0, 1.0) * (f.max - f.min);
    }
    try {
      return calibration_objective(*c->targets, (*c->evaluate)(x));
    } catch (...) {
      c->error = std::current_exception();
      throw nlopt::forced_stop();
    }
  };
  const auto run_start = [&](std::size_t s) {
    StartOutcome& out = result.starts[s];
    out.start = to_x(starts[s]);
    nlopt::opt opt(nlopt::LN_BOBYQA, static_cast<unsigned>(p));
    opt.set_lower_bounds(std::vector<double>(p, 0.0));
    opt.set_upper_bounds(std::vector<double>(p, 1.0));
    opt.set_maxeval(spec.budget);
    opt.set_xtol_rel(spec.tolerance);
    opt.set_initial_step(std::vector<double>(p, 0.1));
    Context ctx{&targets, &evaluate, &free, 0, nullptr};
    opt.set_min_objective(objective, &ctx);
    std::vector<double> u = starts[s];
    double best = 0;
    try {
      opt.optimize(u, best);
    } catch (const nlopt::roundoff_limited&) {
      best = opt.last_optimum_value();  // u holds the best point found
    } catch (...) {
      if (ctx.error) std::rethrow_exception(ctx.error);  // the evaluator's own error (an InputError)
      throw;
    }
    out.best = to_x(u);
    out.objective = best;
    out.evaluations = ctx.evaluations;
  };
  {
    const int threads = spec.threads > 0 ? spec.threads : tbb::this_task_arena::max_concurrency();
    if (threads == 1) {  // in this thread, one start after another (as a study across MPI ranks needs)
      for (std::size_t s = 0; s < starts.size(); ++s) run_start(s);
    } else {
      tbb::task_arena arena(std::max(1, std::min(threads, static_cast<int>(starts.size()))));
      fork_join::execute(arena, [&] {
        fork_join::parallel_for(std::size_t{0}, starts.size(), [&](std::size_t s) { run_start(s); });
      });
    }
  }
  // The best start (ties: the earlier one), independent of the order the starts finished in.
  std::size_t best = 0;
  for (std::size_t s = 1; s < result.starts.size(); ++s)
    if (result.starts[s].objective < result.starts[best].objective) best = s;
  result.best = result.starts[best].best;
  result.objective = result.starts[best].objective;
  for (const auto& s : result.starts) result.evaluations += s.evaluations;
  result.degrees_of_freedom = static_cast<int>(targets.size()) - static_cast<int>(p);

  // The fit at the best values. A target without a value there (a figure whose window holds no
  // survey or no customer) fits nothing: a table of "fitted nan" and a scenario left as it was
  // would read as a calibration.
  const auto at_best = evaluate(result.best);
  ++result.evaluations;
  std::vector<double> weight(targets.size());
  for (std::size_t t = 0; t < targets.size(); ++t) {
    const Moments m = moments(at_best[t]);
    if (m.n == 0 || !std::isfinite(m.mean))
      throw std::invalid_argument(
          "target '" + targets[t].name +
          "' has no value in the simulations (nothing to measure in its window, e.g. no survey answered or "
          "no customer yet by its day): give it a later day or a wider window");
    TargetFit fit;
    fit.fitted = m.mean;
    fit.half_width =
        m.n > 1
            ? boost::math::quantile(boost::math::complement(boost::math::students_t(m.n - 1), 0.025)) * m.se
            : std::numeric_limits<double>::quiet_NaN();
    const double var = targets[t].sd * targets[t].sd + m.se * m.se;
    fit.z = (m.mean - targets[t].value) / std::sqrt(var);
    weight[t] = 1 / var;
    result.targets.push_back(fit);
  }

  // Gauss-Newton covariance from the central-difference Jacobian of the fitted means.
  std::vector<std::vector<double>> jac(targets.size(), std::vector<double>(p, 0));
  for (std::size_t i = 0; i < p; ++i) {
    const double h = 0.01 * (free[i].max - free[i].min);
    std::vector<double> lo = result.best, hi = result.best;
    hi[i] = std::min(free[i].max, hi[i] + h);
    lo[i] = std::max(free[i].min, lo[i] - h);
    const auto vhi = evaluate(hi), vlo = evaluate(lo);
    result.evaluations += 2;
    for (std::size_t t = 0; t < targets.size(); ++t)
      jac[t][i] = (moments(vhi[t]).mean - moments(vlo[t]).mean) / (hi[i] - lo[i]);
  }
  std::vector<std::vector<double>> info(p, std::vector<double>(p, 0)), cov;
  for (std::size_t a = 0; a < p; ++a)
    for (std::size_t b = 0; b < p; ++b)
      for (std::size_t t = 0; t < targets.size(); ++t) info[a][b] += jac[t][a] * weight[t] * jac[t][b];
  // Keys the targets do not move at all (no information) are left out of the inversion, so they
  // do not hide the uncertainty of the others; the rest is inverted together.
  double largest = 0;
  for (std::size_t i = 0; i < p; ++i) largest = std::max(largest, info[i][i]);
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < p; ++i)
    if (info[i][i] > 1e-12 * largest) kept.push_back(i);
  std::vector<std::vector<double>> sub(kept.size(), std::vector<double>(kept.size()));
  for (std::size_t a = 0; a < kept.size(); ++a)
    for (std::size_t b = 0; b < kept.size(); ++b) sub[a][b] = info[kept[a]][kept[b]];
  std::vector<std::vector<double>> sub_cov;
  const bool invertible = !kept.empty() && invert(sub, sub_cov);
  cov.assign(p, std::vector<double>(p, 0));
  if (invertible)
    for (std::size_t a = 0; a < kept.size(); ++a)
      for (std::size_t b = 0; b < kept.size(); ++b) cov[kept[a]][kept[b]] = sub_cov[a][b];
  for (std::size_t i = 0; i < p; ++i) {
    ParameterFit f;
    f.value = result.best[i];
    const double range = free[i].max - free[i].min;
    f.se = invertible && cov[i][i] > 0 ? std::sqrt(cov[i][i]) : std::numeric_limits<double>::infinity();
    f.identified = std::isfinite(f.se) && f.se <= range / 4;
    f.low = std::max(free[i].min, f.value - 1.96 * f.se);
    f.high = std::min(free[i].max, f.value + 1.96 * f.se);
    result.parameters.push_back(f);
  }
  return result;
}

}  // namespace cxsim
