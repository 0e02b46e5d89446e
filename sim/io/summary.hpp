#pragma once
// Texts `cxsim run` and `cxsim validate` print besides the key-figure table (io/figure_text.hpp):
// the --precision report and the run-time estimate.

#include <string>

#include "core/results.hpp"
#include "experiment/precision.hpp"

namespace cxsim {

/// Customer-days per second per thread assumed for `cxsim validate`'s run-time estimate
/// (measured on the baseline; docs/performance.md).
inline constexpr double kEstimatedCustomerDaysPerSecondPerThread = 2.0e7;
/// Seconds writing one strategy's results (about 100 small datasets of its daily series), one at a
/// time, and more for each of its replications (setting up the run, its rows of the datasets).
inline constexpr double kEstimatedSecondsWritingPerStrategy = 0.02;
inline constexpr double kEstimatedSecondsPerReplicationOfAStrategy = 0.0035;

/// What --precision achieved, in a few lines for the terminal.
std::string describe_precision(const PrecisionReport& report, const PrecisionTarget& target);

}  // namespace cxsim
