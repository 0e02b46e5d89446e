#pragma once
// The short KPI summary `cxsim run` prints: end-of-horizon figures with 95% intervals over
// replications.

#include <string>

#include "core/results.hpp"
#include "experiment/precision.hpp"

namespace cxsim {

/// Customer-days per second per thread assumed for `cxsim validate`'s run-time estimate
/// (measured on the baseline; docs/performance.md).
inline constexpr double kEstimatedCustomerDaysPerSecondPerThread = 2.0e7;

/// A table of key figures at the end of the horizon (or totals over it), one line each.
std::string kpi_summary(const RunResult& result);

/// What --precision achieved, in a few lines for the terminal.
std::string describe_precision(const PrecisionReport& report, const PrecisionTarget& target);

}  // namespace cxsim
