#pragma once
// Small statistics used to summarise replications: mean, standard deviation, Student t
// confidence intervals.

#include <span>

namespace cxsim {

struct Interval {
  double mean = 0;
  double half_width = 0;  ///< NaN with fewer than two values
  int n = 0;
};

double mean(std::span<const double> values);
/// Sample standard deviation (n - 1); NaN with fewer than two values.
double sample_sd(std::span<const double> values);
/// The (1 + level)/2 quantile of Student's t with `df` degrees of freedom.
double t_quantile(double level, int df);
/// Mean and half-width of the two-sided `level` Student t interval; NaN values are skipped.
Interval confidence_interval(std::span<const double> values, double level = 0.95);

}  // namespace cxsim
