#pragma once
// Small helpers the model tests share: quiet scenarios and sums over series.

#include <cmath>

#include "core/params.hpp"
#include "experiment/runner.hpp"

namespace cxsim::testing {

/// A small market with every mechanism on, sized for tests that also run under sanitizers.
inline Params small_market(std::int64_t population = 5000, std::int64_t days = 120) {
  Params p;
  p.market_population = population;
  p.run_horizon_days = days;
  p.market_initial_customer_share = 0.3;
  p.network_kind = "watts_strogatz";
  return p;
}

/// Turns every failure off.
inline void no_failures(Params& p) {
  p.quality_defect_rate = p.quality_late_delivery_rate = p.quality_confusion_rate =
      p.quality_billing_error_rate = 0;
}

inline RunResult simulate(const Params& p, int threads = 2) {
  RunOptions o;
  o.threads = threads;
  return run(p, o);
}

/// Sum of a flow over all days and replications.
inline double total(const RunResult& r, Metric m) {
  double sum = 0;
  for (double v : r.series.metric(m)) sum += v;
  return sum;
}

/// The value of a metric on the last day, replication `rep`.
inline double last(const RunResult& r, Metric m, int rep = 0) {
  return r.series.at(m, rep, r.series.days - 1);
}

}  // namespace cxsim::testing
