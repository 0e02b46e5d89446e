#include "service/erlang.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <boost/math/special_functions/gamma.hpp>

#include "core/errors.hpp"

namespace cxsim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void require(bool ok, const char* key, const std::string& what) {
  if (!ok) throw InputError(what, {}, 0, 0, key);
}

void check_load_and_agents(double load, int agents) {
  require(std::isfinite(load) && load >= 0, "load", "must be a finite number of Erlangs >= 0");
  require(agents >= 0 && agents <= kMaxErlangAgents, "agents",
          "must be between 0 and " + std::to_string(kMaxErlangAgents));
}

void check_common(double load, int agents, double handle_s, double target_s) {
  check_load_and_agents(load, agents);
  require(std::isfinite(handle_s) && handle_s > 0, "handle_time_s", "must be > 0 seconds");
  require(std::isfinite(target_s) && target_s >= 0, "target_s", "must be >= 0 seconds");
}

void check_patience(double patience_s) {
  require(patience_s > 0 && !std::isnan(patience_s), "patience_s",
          "must be > 0 seconds (+infinity: no abandonment)");
}

[[noreturn]] void throw_unreachable_level() {
  throw InputError("no staffing up to " + std::to_string(kMaxErlangAgents) + " agents reaches it", {}, 0, 0,
                   "service_level");
}

void check_service_level(double service_level) {
  require(service_level >= 0 && service_level < 1, "service_level", "must be in [0, 1): a share of contacts");
}

// One step of the Erlang B recursion: B(k) from B(k-1).
double erlang_b_step(double load, int k, double b_prev) {
  return load * b_prev / (k + load * b_prev);
}

ErlangC erlang_c_from_b(double load, int n, double b, double handle_s, double target_s) {
  ErlangC r;
  if (load == 0) {
    r.service_level = 1;
    return r;
  }
  r.occupancy = n > 0 ? std::min(load / n, 1.0) : kInf;
  if (n <= load) {  // unstable: the queue grows without bound and every agent is always busy
    r.p_wait = 1;
    r.asa_s = kInf;
    r.mean_queue = kInf;
    return r;
  }
  // C = n B / (n - a (1 - B)); the wait of those who wait is exponential with rate (n - a) / h.
  r.p_wait = n * b / (n - load * (1 - b));
  r.service_level = 1 - r.p_wait * std::exp(-(n - load) * target_s / handle_s);
  r.asa_s = r.p_wait * handle_s / (n - load);
  r.mean_queue = r.asa_s * load / handle_s;
  return r;
}

// Boost's incomplete gamma functions with overflow and underflow returned as +inf and 0, not thrown.
using GammaPolicy = boost::math::policies::policy<
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::underflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>>;

// P(s, y) - P(s, z) for z <= y (P: the regularised lower incomplete gamma function), from the tail
// that keeps the difference exact.
double gamma_p_difference(double s, double y, double z) {
  if (!(z < y)) return 0;
  if (boost::math::gamma_p(s, z, GammaPolicy()) > 0.5)
    return boost::math::gamma_q(s, z, GammaPolicy()) - boost::math::gamma_q(s, y, GammaPolicy());
  return boost::math::gamma_p(s, y, GammaPolicy()) - boost::math::gamma_p(s, z, GammaPolicy());
}

// M(s, y) = sum_k y^k / ((s+1)(s+2)...(s+k)), and sum_k k y^k / (...), for y < s + 1, where the
// terms fall at least geometrically: they stop below 1e-17 of the sum.
struct KummerSums {
  double sum = 0, weighted = 0;
};
KummerSums kummer_series(double s, double y) {
  KummerSums r{1, 0};
  double term = 1;
  for (double k = 1;; ++k) {
    term *= y / (s + k);
    r.sum += term;
    r.weighted += k * term;
    if (term < 1e-17 * r.sum && y < s + k) return r;
  }
}

// Erlang A without truncating the chain, in O(1) beyond Erlang B (the queue at any load).
// With a = n mu / theta and x = lambda / theta, the weights of the states with all agents busy and
// j waiting, relative to j = 0 (pi_n), are t_j = x^j / ((a+1)...(a+j)): they sum to S = M(a, x).
// A contact that finds j waiting is answered after j + 1 moves (a service ends or one ahead
// abandons) at rates theta (a + i), i = j..0, if its own Exp(theta) patience lasts: with V that
// wait, U = exp(-theta V) is Beta(a, j + 1), so P(answered within T | j) = E[U; U >= u0],
// u0 = exp(-theta T). Mixed over j with the weights t_j, U has density a u^(a-1) e^(x(1-u)), so
//   answered within T = pi_n a/(a+1) [M(a+1, x) - u0^(a+1) e^(x(1-u0)) M(a+1, x u0)]
//                     = pi_n (a/x) R [P(a+1, x) - P(a+1, x u0)],  R = S / P(a, x).
// Below x < a the sums M are summed; above, where they grow like e^x, Boost's P(a, x) carries them.
ErlangA erlang_a_from_b(double load, int n, double b, double handle_s, double patience_s, double target_s) {
  const double a = n * (patience_s / handle_s), x = load * (patience_s / handle_s);
  if (std::isinf(patience_s) || !std::isfinite(x) || !std::isfinite(a)) {
    // Patience beyond what a double can scale against the handle time: no abandonment.
    const ErlangC c = erlang_c_from_b(load, n, b, handle_s, target_s);
    return {c.p_wait, 0, c.asa_s, c.service_level, c.mean_queue, c.occupancy};
  }
  ErlangA r;
  if (load == 0) {
    r.service_level = 1;
    return r;
  }
  const double lambda = load / handle_s, theta = 1 / patience_s;
  if (n == 0) {  // everyone waits and abandons: the queue is Poisson(x)
    r.p_wait = 1;
    r.mean_queue = x;
  } else if (b > 0) {
    const double below = 1 / b - 1;  // sum_{k<n} pi_k / pi_n
    double answered = 0;
    if (x < a) {
      const KummerSums s = kummer_series(a, x);
      const double pi_n = 1 / (below + s.sum);
      r.p_wait = pi_n * s.sum;
      r.mean_queue = pi_n * s.weighted;
      if (target_s > 0) {
        const double u0 = std::exp(-theta * target_s);
        const double scale = std::exp(-(a + 1) * theta * target_s - x * std::expm1(-theta * target_s));
        answered = pi_n * a / (a + 1) *
                   (kummer_series(a + 1, x).sum - (scale > 0 ? scale * kummer_series(a + 1, x * u0).sum : 0));
      }
    } else {
      // pi_n R = 1 / den, with 1 / R = x P'(a, x) / a computed without overflow.
      const double p = boost::math::gamma_p(a, x, GammaPolicy());
      const double r_inv = x * boost::math::gamma_p_derivative(a, x, GammaPolicy()) / a;
      const double den = below * r_inv + p;
      r.p_wait = p / den;
      r.mean_queue = std::max(0.0, r.p_wait * (x - a) + a * r_inv / den);
      if (target_s > 0)
        answered = (a / x) * gamma_p_difference(a + 1, x, x * std::exp(-theta * target_s)) / den;
    }
    r.service_level = std::clamp(1 - r.p_wait + std::max(0.0, answered), 0.0, 1.0);
  } else {  // pi_n underflows: nobody waits
    r.service_level = 1;
  }
  r.mean_wait_s = r.mean_queue / lambda;        // Little's law over all arrivals
  r.p_abandon = theta * r.mean_queue / lambda;  // abandonment flow = theta x E[queue]
  r.occupancy = n > 0 ? load * (1 - r.p_abandon) / n : 0;
  return r;
}

}  // namespace

double erlang_b(double load, int agents) {
  check_load_and_agents(load, agents);
  double b = 1;
  for (int k = 1; k <= agents; ++k) b = erlang_b_step(load, k, b);
  return b;
}

ErlangC erlang_c(double load, int agents, double handle_s, double target_s) {
  check_common(load, agents, handle_s, target_s);
  return erlang_c_from_b(load, agents, erlang_b(load, agents), handle_s, target_s);
}

ErlangA erlang_a(double load, int agents, double handle_s, double patience_s, double target_s) {
  check_common(load, agents, handle_s, target_s);
  check_patience(patience_s);
  return erlang_a_from_b(load, agents, erlang_b(load, agents), handle_s, patience_s, target_s);
}

int erlang_c_staffing(double load, double handle_s, double target_s, double service_level) {
  check_common(load, 0, handle_s, target_s);
  check_service_level(service_level);
  double b = 1;  // B(0)
  for (int n = 0; n <= kMaxErlangAgents; ++n) {
    if (n > 0) b = erlang_b_step(load, n, b);
    if (erlang_c_from_b(load, n, b, handle_s, target_s).service_level >= service_level) return n;
  }
  throw_unreachable_level();
}

int erlang_a_staffing(double load, double handle_s, double patience_s, double target_s,
                      double service_level) {
  check_common(load, 0, handle_s, target_s);
  check_patience(patience_s);
  check_service_level(service_level);
  // The service level grows with the agents: gallop to a bracket, then bisect (each look costs
  // the O(n) Erlang B recursion, so a load of 10^5 Erlangs takes milliseconds).
  const auto meets = [&](int n) {
    return erlang_a_from_b(load, n, erlang_b(load, n), handle_s, patience_s, target_s).service_level >=
           service_level;
  };
  if (meets(0)) return 0;
  int fails = 0, passes = 1;
  while (!meets(passes)) {
    if (passes == kMaxErlangAgents) throw_unreachable_level();
    fails = passes;
    passes = std::min(kMaxErlangAgents, 2 * passes);
  }
  while (passes - fails > 1) {
    const int mid = fails + (passes - fails) / 2;
    (meets(mid) ? passes : fails) = mid;
  }
  return passes;
}

}  // namespace cxsim
