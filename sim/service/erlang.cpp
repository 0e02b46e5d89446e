#include "service/erlang.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/errors.hpp"

namespace cxsim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Agents beyond this are not a contact centre; it bounds the staffing searches.
constexpr int kMaxAgents = 10'000'000;

void require(bool ok, const char* key, const std::string& what) {
  if (!ok) throw InputError(what, {}, 0, 0, key);
}

void check_common(double load, int agents, double handle_s, double target_s) {
  require(std::isfinite(load) && load >= 0, "load", "must be a finite number of Erlangs >= 0");
  require(agents >= 0 && agents <= kMaxAgents, "agents",
          "must be between 0 and " + std::to_string(kMaxAgents));
  require(std::isfinite(handle_s) && handle_s > 0, "handle_time_s", "must be > 0 seconds");
  require(std::isfinite(target_s) && target_s >= 0, "target_s", "must be >= 0 seconds");
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
  r.occupancy = n > 0 ? load / n : kInf;
  if (n <= load) {  // unstable: the queue grows without bound
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

// Share of arrivals that find i = 0..J-1 contacts ahead in the queue (given all agents busy) and
// get answered within `target_s`. A waiting contact with i ahead moves up at rate n mu + i theta
// (a service ends or one ahead abandons), is answered from i = 0 at rate n mu, and abandons at
// rate theta. This pure-death chain with killing is solved by uniformisation in slices short enough
// that exp(-Lambda dt) stays far from underflow.
double answered_within(std::vector<double> v, int n, double mu, double theta, double target_s) {
  const auto tail = v.size();
  const double lambda_u = n * mu + static_cast<double>(tail) * theta;  // >= every state's out-rate
  std::vector<double> w(tail), acc(tail);
  double served = 0;
  double remaining = target_s;
  while (remaining > 0) {
    const double dt = std::min(remaining, 30.0 / lambda_u);
    remaining -= dt;
    const double x = lambda_u * dt;
    double p = std::exp(-x), cumulative = p, served_steps = 0, served_slice = 0;
    w = v;
    for (std::size_t i = 0; i < tail; ++i) acc[i] = p * w[i];
    for (int m = 1; cumulative < 1 - 1e-15 || m < x; ++m) {
      served_steps += w[0] * n * mu / lambda_u;
      for (std::size_t i = 0; i < tail; ++i) {
        const double move = n * mu + static_cast<double>(i) * theta;
        const double from_behind =
            i + 1 < tail ? w[i + 1] * (move + theta) / lambda_u : 0.0;  // i+1 ahead moves to i
        w[i] = w[i] * (1 - (move + theta) / lambda_u) + from_behind;
      }
      p *= x / m;
      cumulative += p;
      for (std::size_t i = 0; i < tail; ++i) acc[i] += p * w[i];
      served_slice += p * served_steps;
      if (m > 100000) break;  // x <= 30: never reached; a guard against a NaN loop
    }
    v.swap(acc);
    served += served_slice;
  }
  return served;
}

ErlangA erlang_a_from_b(double load, int n, double b, double handle_s, double patience_s, double target_s) {
  if (std::isinf(patience_s)) {
    const ErlangC c = erlang_c_from_b(load, n, b, handle_s, target_s);
    return {c.p_wait, 0, c.asa_s, c.service_level, c.mean_queue, c.occupancy};
  }
  ErlangA r;
  if (load == 0) {
    r.service_level = 1;
    return r;
  }
  const double mu = 1 / handle_s, theta = 1 / patience_s, lambda = load * mu;
  // Stationary probabilities relative to pi_n: sum_{k<=n} pi_k / pi_n = 1 / B(n, a); above n,
  // t_j = pi_{n+j} / pi_n = prod_{i=1..j} lambda / (n mu + i theta), which decays faster than
  // geometrically once n mu + j theta > lambda.
  const double below = b > 0 ? 1 / b : kInf;
  std::vector<double> tail{1.0};
  double sum_t = 0, sum_jt = 0, t = 1;
  for (int j = 1;; ++j) {
    t *= lambda / (n * mu + j * theta);
    sum_t += t;
    sum_jt += j * t;
    tail.push_back(t);
    if (t < 1e-18 * (below + sum_t) && n * mu + j * theta > lambda) break;
  }
  const double pi_n = std::isinf(below) ? 0.0 : 1 / (below + sum_t);
  r.p_wait = pi_n * (1 + sum_t);
  r.mean_queue = pi_n * sum_jt;
  r.mean_wait_s = r.mean_queue / lambda;        // Little's law over all arrivals
  r.p_abandon = theta * r.mean_queue / lambda;  // abandonment flow = theta x E[queue]
  r.occupancy = n > 0 ? load * (1 - r.p_abandon) / n : 0;
  for (double& x : tail) x *= pi_n;  // arrivals (PASTA) finding j waiting ahead
  r.service_level =
      (1 - r.p_wait) +
      (pi_n > 0 && target_s > 0 ? answered_within(std::move(tail), n, mu, theta, target_s) : 0.0);
  return r;
}

}  // namespace

double erlang_b(double load, int agents) {
  require(std::isfinite(load) && load >= 0, "load", "must be a finite number of Erlangs >= 0");
  require(agents >= 0 && agents <= kMaxAgents, "agents",
          "must be between 0 and " + std::to_string(kMaxAgents));
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
  require(patience_s > 0 && !std::isnan(patience_s), "patience_s",
          "must be > 0 seconds (+infinity: no abandonment)");
  return erlang_a_from_b(load, agents, erlang_b(load, agents), handle_s, patience_s, target_s);
}

int erlang_c_staffing(double load, double handle_s, double target_s, double service_level) {
  check_common(load, 0, handle_s, target_s);
  check_service_level(service_level);
  double b = 1;  // B(0)
  for (int n = 0; n <= kMaxAgents; ++n) {
    if (n > 0) b = erlang_b_step(load, n, b);
    if (erlang_c_from_b(load, n, b, handle_s, target_s).service_level >= service_level) return n;
  }
  throw InputError("no staffing up to " + std::to_string(kMaxAgents) + " agents reaches it", {}, 0, 0,
                   "service_level");
}

int erlang_a_staffing(double load, double handle_s, double patience_s, double target_s,
                      double service_level) {
  check_common(load, 0, handle_s, target_s);
  require(patience_s > 0 && !std::isnan(patience_s), "patience_s",
          "must be > 0 seconds (+infinity: no abandonment)");
  check_service_level(service_level);
  double b = 1;
  for (int n = 0; n <= kMaxAgents; ++n) {
    if (n > 0) b = erlang_b_step(load, n, b);
    if (erlang_a_from_b(load, n, b, handle_s, patience_s, target_s).service_level >= service_level) return n;
  }
  throw InputError("no staffing up to " + std::to_string(kMaxAgents) + " agents reaches it", {}, 0, 0,
                   "service_level");
}

}  // namespace cxsim
