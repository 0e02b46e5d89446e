// The Bass reduction (docs/validation.md): complete mixing, adopters are permanent promoters, no
// churn, no failures, no warnings, daily steps. The adopted fraction must follow
// F(t) = (1 - exp(-(p+q)t)) / (1 + (q/p) exp(-(p+q)t)).
//
// Tolerance: the run-to-run spread of F is at most about 1.1/sqrt(N) (largest near the peak), so
// the mean of R replications has sd <= 1.1/sqrt(N R); we allow 4 of those. The daily step is
// also checked against its exact discrete-time expectation (bass_discrete below): an adopter
// recommends from its adoption day, and today's recommendations convert tomorrow.

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "io/scenario_reader.hpp"
#include "support/run_helpers.hpp"

using namespace cxsim;
using namespace cxsim::testing;

namespace {

double bass_f(double p, double q, double t) {
  const double e = std::exp(-(p + q) * t);
  return (1 - e) / (1 + (q / p) * e);
}

/// The daily step's expected adopted fraction at the end of each day (mean field, exact up to
/// O(1/N)): day 0 has external adoption only; on day t + 1 a prospect adopts unless neither the
/// external hazard 1 - exp(-p/365) nor any of yesterday's recommendations converts it. Each of the
/// N F_t adopters recommends with chance r = q / b / 365 to one of the N - 1 others, converting
/// with chance b.
std::vector<double> bass_discrete(double p, double q, double b, double n, int days) {
  std::vector<double> f(static_cast<std::size_t>(days));
  const double stay_external = std::exp(-p / 365);
  const double miss = 1 - (q / b / 365) * b / (n - 1);  // one adopter fails to convert a given prospect
  double F = 1 - stay_external;
  for (int t = 0; t < days; ++t) {
    f[static_cast<std::size_t>(t)] = F;
    F += (1 - F) * (1 - stay_external * std::pow(miss, n * F));
  }
  return f;
}

}  // namespace

TEST_CASE("Bass: published values of F for p = 0.03, q = 0.38", "[bass]") {
  CHECK(bass_f(0.03, 0.38, 1) == Approx(0.035758).epsilon(1e-4));
  CHECK(bass_f(0.03, 0.38, 2) == Approx(0.085056).epsilon(1e-4));
  CHECK(bass_f(0.03, 0.38, 5) == Approx(0.331199).epsilon(1e-4));
  CHECK(bass_f(0.03, 0.38, 10) == Approx(0.812803).epsilon(1e-4));
  CHECK(bass_f(0.03, 0.38, 20) == Approx(0.996259).epsilon(1e-4));
  // Peak adoption at ln(q/p)/(p+q).
  CHECK(std::log(0.38 / 0.03) / 0.41 == Approx(6.1926).epsilon(1e-4));
}

TEST_CASE("Bass reduction: the simulated adopted fraction follows F(t)", "[bass][statistical]") {
  Scenario s = load_scenario(std::string(CXSIM_SOURCE_DIR) + "/scenarios/validation/bass_complete.toml");
  Params p = s.params;
  REQUIRE(p.network_kind == "complete");
  REQUIRE(p.wom_all_adopters_promote);
  REQUIRE_FALSE(p.churn_enabled);
  // Sized for the sanitizer build too: 3 x 10,000 agents x 10 years.
  p.market_population = 10000;
  p.run_replications = 3;
  p.run_horizon_days = 3650;
  const auto r = simulate(p);
  const double n = static_cast<double>(p.market_population) * p.run_replications;
  const double tolerance = 4 * 1.1 / std::sqrt(n);
  const auto discrete = bass_discrete(
      p.acquisition_p_per_year, p.acquisition_q_per_year, p.acquisition_recommendation_conversion,
      static_cast<double>(p.market_population), static_cast<int>(p.run_horizon_days));
  for (double years : {1.0, 2.0, 5.0, 7.0, 10.0}) {
    const int day = static_cast<int>(std::lround(years * 365)) - 1;  // end of that day
    double mean = 0;
    for (int rep = 0; rep < p.run_replications; ++rep)
      mean += r.series.at(Metric::adopted_fraction, rep, day);
    mean /= p.run_replications;
    const double expected = bass_f(p.acquisition_p_per_year, p.acquisition_q_per_year, years);
    const double exact = discrete[static_cast<std::size_t>(day)];
    INFO("t = " << years << " years: simulated " << mean << ", Bass " << expected << ", discrete-time "
                << exact << ", tolerance " << tolerance);
    CHECK(std::abs(mean - expected) < tolerance);
    CHECK(std::abs(mean - exact) < tolerance);
    // The discrete-time bias against the continuous curve, as docs/validation.md states it.
    CHECK(std::abs(exact - expected) < 0.002);
  }
  CHECK(total(r, Metric::churned) == 0);
  CHECK(total(r, Metric::rejecters) == 0);
}
