// The Bass reduction (MODEL.md section 8): complete mixing, adopters are permanent promoters, no
// churn, no failures, no warnings, daily steps. The adopted fraction must follow
// F(t) = (1 - exp(-(p+q)t)) / (1 + (q/p) exp(-(p+q)t)).
//
// Tolerance: the run-to-run spread of F is at most about 1.1/sqrt(N) (largest near the peak), so
// the mean of R replications has sd <= 1.1/sqrt(N R); we allow 4 of those. The daily step adds a
// deterministic lag of one day in word of mouth (today's recommendations convert tomorrow), which
// shifts F by at most q F' / 365 ~ 1e-4: negligible against the tolerance.

#include <catch2/catch.hpp>
#include <cmath>

#include "io/scenario_reader.hpp"
#include "support/run_helpers.hpp"

using namespace cxsim;
using namespace cxsim::testing;

namespace {

double bass_f(double p, double q, double t) {
  const double e = std::exp(-(p + q) * t);
  return (1 - e) / (1 + (q / p) * e);
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
  for (double years : {1.0, 2.0, 5.0, 7.0, 10.0}) {
    const int day = static_cast<int>(std::lround(years * 365)) - 1;  // end of that day
    double mean = 0;
    for (int rep = 0; rep < p.run_replications; ++rep) mean += r.series.at(Metric::adopted_fraction, rep, day);
    mean /= p.run_replications;
    const double expected = bass_f(p.acquisition_p_per_year, p.acquisition_q_per_year, years);
    INFO("t = " << years << " years: simulated " << mean << ", Bass " << expected << ", tolerance " << tolerance);
    CHECK(std::abs(mean - expected) < tolerance);
  }
  CHECK(total(r, Metric::churned) == 0);
  CHECK(total(r, Metric::rejecters) == 0);
}
