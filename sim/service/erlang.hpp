#pragma once
// Analytic queueing formulas for one contact-centre channel: Erlang B, Erlang C (M/M/n) and
// Erlang A (M/M/n+M, exponential patience), plus staffing for a service-level target.
// They are the reference the discrete-event simulation is validated against (docs/validation.md)
// and the calculator planners expect (a future `cxsim erlang`).
//
// Units: load in Erlangs (arrival rate x mean handle time), times in seconds.
// Service level is the share of all offered contacts answered within the target time; with
// abandonment, contacts that abandon count as not answered within the target.

namespace cxsim {

/// Agents beyond this are not a contact centre: the functions refuse them and staffing stops there.
inline constexpr int kMaxErlangAgents = 10'000'000;

/// Erlang C (M/M/n, infinite patience).
struct ErlangC {
  double p_wait = 0;         ///< probability an arrival waits (all agents busy)
  double service_level = 0;  ///< P(wait <= target)
  double asa_s = 0;          ///< mean wait over all arrivals (average speed of answer)
  double mean_queue = 0;     ///< mean number waiting (Little: arrival rate x ASA)
  double occupancy = 0;      ///< load / agents; 1 when unstable (agents <= load)
};

/// Erlang A (M/M/n+M): exponential patience, abandonment.
struct ErlangA {
  double p_wait = 0;         ///< probability an arrival finds all agents busy
  double p_abandon = 0;      ///< probability an arrival abandons
  double mean_wait_s = 0;    ///< mean time in queue over all arrivals (served and abandoned)
  double service_level = 0;  ///< P(answered within target), over all arrivals
  double mean_queue = 0;     ///< mean number waiting
  double occupancy = 0;      ///< served load / agents
};

/// Erlang B blocking probability B(n, a) by the stable recursion B_k = a B_{k-1} / (k + a B_{k-1}).
/// @throws InputError when load < 0 or agents < 0
double erlang_b(double load, int agents);

/// Erlang C figures. With agents <= load the queue is unstable: p_wait = 1, service_level = 0,
/// occupancy = 1 and asa_s = mean_queue = +infinity (no throw: it is a valid answer to "what if").
/// @throws InputError when load < 0, agents < 0, handle_s <= 0 or target_s < 0
ErlangC erlang_c(double load, int agents, double handle_s, double target_s);

/// Erlang A figures from the birth-death chain in closed form (series and incomplete gamma functions,
/// nothing truncated: any load and patience; see erlang.cpp and docs/validation.md).
/// patience_s = +infinity gives the Erlang C figures (infinite only when agents <= load).
/// @throws InputError when load < 0, agents < 0, handle_s <= 0, patience_s <= 0 or target_s < 0
ErlangA erlang_a(double load, int agents, double handle_s, double patience_s, double target_s);

/// Fewest agents whose Erlang C service level is at least `service_level`.
/// @throws InputError for the erlang_c errors, or service_level outside [0, 1)
int erlang_c_staffing(double load, double handle_s, double target_s, double service_level);

/// Fewest agents whose Erlang A service level is at least `service_level` (may be below the load).
/// @throws InputError for the erlang_a errors, or service_level outside [0, 1) or unreachable
///         (with abandonment the service level tends to 1 as agents grow, so only rounding stops it)
int erlang_a_staffing(double load, double handle_s, double patience_s, double target_s, double service_level);

}  // namespace cxsim
