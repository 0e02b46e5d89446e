// Erlang B, C and A against published values (docs/validation.md) and known identities.

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "core/errors.hpp"
#include "service/erlang.hpp"

using namespace cxsim;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {
// docs/validation.md: 100 calls per 30 min, AHT 180 s -> 10 Erlangs, target 20 s.
constexpr double kLoad = 10, kAht = 180, kTarget = 20, kPatience = 120;
}  // namespace

TEST_CASE("Erlang B matches known values", "[erlang]") {
  CHECK(erlang_b(1, 1) == Approx(0.5));
  CHECK(erlang_b(2, 2) == Approx(0.4));
  CHECK(erlang_b(5, 0) == 1.0);
  CHECK(erlang_b(0, 3) == 0.0);
  // Exact sums a^n/n! / sum_k a^k/k! (computed with rationals).
  CHECK_THAT(erlang_b(10, 10), WithinRel(0.2145823431073474, 1e-12));
  CHECK_THAT(erlang_b(10, 15), WithinRel(0.0364969454723708, 1e-12));
  // The recursion stays finite where a^n/n! overflows a double.
  const double big = erlang_b(1000, 1100);
  CHECK(std::isfinite(big));
  CHECK(big > 0);
  CHECK(big < 1e-3);
}

TEST_CASE("Erlang C reproduces the published table for 11 to 14 agents", "[erlang]") {
  struct Row {
    int agents;
    double p_wait, service_level, asa;
  };
  const Row rows[] = {{11, 0.6821, 0.3896, 122.78},
                      {12, 0.4494, 0.6402, 40.44},
                      {13, 0.2853, 0.7956, 17.12},
                      {14, 0.1741, 0.8884, 7.836}};
  for (const Row& r : rows) {
    INFO("agents " << r.agents);
    const ErlangC c = erlang_c(kLoad, r.agents, kAht, kTarget);
    // Table digits: 4 decimals for probabilities, the ASA to its last printed digit.
    CHECK_THAT(c.p_wait, WithinAbs(r.p_wait, 0.00005));
    CHECK_THAT(c.service_level, WithinAbs(r.service_level, 0.00005));
    const double asa_digit = r.asa < 10 ? 0.0005 : 0.005;
    CHECK_THAT(c.asa_s, WithinAbs(r.asa, asa_digit));
    CHECK_THAT(c.mean_queue, WithinRel(c.asa_s * kLoad / kAht, 1e-12));  // Little
    CHECK_THAT(c.occupancy, WithinRel(kLoad / r.agents, 1e-12));
  }
}

TEST_CASE("Erlang C edge cases", "[erlang]") {
  const ErlangC unstable = erlang_c(10, 10, kAht, kTarget);
  CHECK(unstable.p_wait == 1.0);
  CHECK(unstable.service_level == 0.0);
  CHECK(std::isinf(unstable.asa_s));
  const ErlangC idle = erlang_c(0, 3, kAht, kTarget);
  CHECK(idle.p_wait == 0.0);
  CHECK(idle.service_level == 1.0);
  // Target 0: service level = answered at once = 1 - P(wait).
  const ErlangC c0 = erlang_c(kLoad, 12, kAht, 0);
  CHECK_THAT(c0.service_level, WithinAbs(1 - c0.p_wait, 1e-15));
  // One agent: M/M/1, P(wait) = rho, ASA = rho h / (1 - rho).
  const ErlangC mm1 = erlang_c(0.5, 1, 100, 0);
  CHECK_THAT(mm1.p_wait, WithinRel(0.5, 1e-12));
  CHECK_THAT(mm1.asa_s, WithinRel(100.0, 1e-12));
}

TEST_CASE("Erlang A reproduces the two published cases", "[erlang]") {
  const ErlangA a10 = erlang_a(kLoad, 10, kAht, kPatience, kTarget);
  CHECK_THAT(a10.p_wait, WithinAbs(0.4969, 0.00005));
  CHECK_THAT(a10.p_abandon, WithinAbs(0.1375, 0.00005));
  CHECK_THAT(a10.mean_wait_s, WithinAbs(16.5, 0.05));
  const ErlangA a11 = erlang_a(kLoad, 11, kAht, kPatience, kTarget);
  CHECK_THAT(a11.p_wait, WithinAbs(0.3828, 0.00005));
  CHECK_THAT(a11.p_abandon, WithinAbs(0.0942, 0.00005));
  CHECK_THAT(a11.mean_wait_s, WithinAbs(11.3, 0.05));
  for (const ErlangA& a : {a10, a11}) {
    // The exact invariant P(abandon) = E[wait] / mean patience.
    CHECK_THAT(a.p_abandon, WithinRel(a.mean_wait_s / kPatience, 1e-12));
    CHECK(a.service_level > 1 - a.p_wait);  // some of those who wait are answered in 20 s
    CHECK(a.service_level < 1 - a.p_abandon);
  }
}

TEST_CASE("Erlang A tends to Erlang C as patience grows", "[erlang]") {
  for (int n : {11, 12, 14}) {
    INFO("agents " << n);
    const ErlangC c = erlang_c(kLoad, n, kAht, kTarget);
    const ErlangA a = erlang_a(kLoad, n, kAht, 1e9, kTarget);
    CHECK_THAT(a.p_wait, WithinRel(c.p_wait, 1e-5));
    CHECK_THAT(a.mean_wait_s, WithinRel(c.asa_s, 1e-5));
    CHECK_THAT(a.service_level, WithinRel(c.service_level, 1e-5));
    const ErlangA inf = erlang_a(kLoad, n, kAht, std::numeric_limits<double>::infinity(), kTarget);
    CHECK(inf.p_wait == c.p_wait);
    CHECK(inf.p_abandon == 0.0);
  }
  // Abandonment keeps an overloaded queue stable.
  const ErlangA over = erlang_a(kLoad, 8, kAht, kPatience, kTarget);
  CHECK(std::isfinite(over.mean_wait_s));
  CHECK(over.p_abandon > 0.2);
  CHECK_THAT(over.p_abandon, WithinRel(over.mean_wait_s / kPatience, 1e-12));
}

TEST_CASE("Erlang A service level: exponential patience longer than the target", "[erlang]") {
  // Target far beyond every wait: the answered share, 1 - P(abandon).
  const ErlangA a = erlang_a(kLoad, 11, kAht, kPatience, 20000);
  CHECK_THAT(a.service_level, WithinAbs(1 - a.p_abandon, 1e-9));
  // Target 0: only those answered at once.
  const ErlangA a0 = erlang_a(kLoad, 11, kAht, kPatience, 0);
  CHECK_THAT(a0.service_level, WithinAbs(1 - a0.p_wait, 1e-15));
}

TEST_CASE("Staffing: the fewest agents meeting 80% in 20 s", "[erlang]") {
  // 13 agents reach 79.56%, just short of 80%: 14 is the answer, as pyworkforce's
  // required_positions and the ErlangC R package's calculate_agents give for this case.
  CHECK(erlang_c(kLoad, 13, kAht, kTarget).service_level < 0.80);
  CHECK(erlang_c_staffing(kLoad, kAht, kTarget, 0.80) == 14);
  CHECK(erlang_c_staffing(kLoad, kAht, kTarget, 0.795) == 13);
  CHECK(erlang_c_staffing(kLoad, kAht, kTarget, 0.75) == 13);
  CHECK(erlang_c_staffing(kLoad, kAht, kTarget, 0.60) == 12);
  CHECK(erlang_c_staffing(0, kAht, kTarget, 0.80) == 0);
  // Abandonment helps the service level of those who stay, never hurts staffing below Erlang C.
  const int a = erlang_a_staffing(kLoad, kAht, kPatience, kTarget, 0.80);
  CHECK(a <= 14);
  CHECK(erlang_a(kLoad, a, kAht, kPatience, kTarget).service_level >= 0.80);
  CHECK(erlang_a(kLoad, a - 1, kAht, kPatience, kTarget).service_level < 0.80);
}

TEST_CASE("Erlang input errors name the input", "[erlang]") {
  auto key_of = [](auto&& f) {
    try {
      f();
    } catch (const InputError& e) {
      return e.key();
    }
    return std::string("no error");
  };
  CHECK(key_of([] { erlang_b(-1, 3); }) == "load");
  CHECK(key_of([] { erlang_b(1, -3); }) == "agents");
  CHECK(key_of([] { erlang_c(std::nan(""), 3, kAht, kTarget); }) == "load");
  CHECK(key_of([] { erlang_c(10, 12, 0, kTarget); }) == "handle_time_s");
  CHECK(key_of([] { erlang_c(10, 12, kAht, -1); }) == "target_s");
  CHECK(key_of([] { erlang_a(10, 12, kAht, 0, kTarget); }) == "patience_s");
  CHECK(key_of([] { erlang_a(10, 12, kAht, -5, kTarget); }) == "patience_s");
  CHECK(key_of([] { erlang_c_staffing(10, kAht, kTarget, 1.0); }) == "service_level");
  CHECK(key_of([] { erlang_a_staffing(10, kAht, kPatience, kTarget, -0.1); }) == "service_level");
}
