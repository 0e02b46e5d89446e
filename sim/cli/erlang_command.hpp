#pragma once
// `cxsim erlang`: the analytic staffing calculator (Erlang C, or Erlang A with patience).

#include <string>

namespace cxsim {

struct ErlangOptions {
  double arrivals_per_hour = 0;
  double handle_s = 0;
  double target_s = 20;
  double service_level = 0.8;
  double patience_s = 0;  ///< > 0: Erlang A (exponential patience)
  int agents = 0;         ///< > 0: centre the table on this staffing
};

/// The table `cxsim erlang` prints: one row per staffing level around the answer.
/// @throws InputError for loads or times out of range
std::string erlang_report(const ErlangOptions& options);

}  // namespace cxsim
