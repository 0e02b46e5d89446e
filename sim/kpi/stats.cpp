#include "kpi/stats.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <vector>

namespace cxsim {

double mean(std::span<const double> values) {
  double sum = 0;
  for (double v : values) sum += v;
  return values.empty() ? std::numeric_limits<double>::quiet_NaN() : sum / static_cast<double>(values.size());
}

double sample_sd(std::span<const double> values) {
  if (values.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  const double m = mean(values);
  double ss = 0;
  for (double v : values) ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(values.size() - 1));
}

double t_quantile(double level, int df) {
  boost::math::students_t_distribution<double> t(df);
  return boost::math::quantile(t, 0.5 + level / 2);
}

Interval confidence_interval(std::span<const double> values, double level) {
  std::vector<double> kept;
  for (double v : values)
    if (!std::isnan(v)) kept.push_back(v);
  Interval out;
  out.n = static_cast<int>(kept.size());
  out.mean = mean(kept);
  out.half_width = kept.size() < 2 ? std::numeric_limits<double>::quiet_NaN()
                                   : t_quantile(level, out.n - 1) * sample_sd(kept) / std::sqrt(out.n);
  return out;
}

}  // namespace cxsim
