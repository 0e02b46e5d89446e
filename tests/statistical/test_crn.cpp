// Common random numbers (docs/model.md, "Comparing strategies"): every strategy runs replication r with the
// same random numbers, so a strategy identical to the baseline gives bit-identical results, a change that
// touches no customer's behaviour changes no behaviour, and the paired difference of two strategies varies
// far less than the difference of independent runs.

#include <catch2/catch.hpp>
#include <cstring>

#include "experiment/experiment.hpp"
#include "kpi/compare.hpp"
#include "kpi/stats.hpp"
#include "support/run_helpers.hpp"

using namespace cxsim;
using namespace cxsim::testing;

namespace {

ParamOverride set(std::string key, std::string value) {
  return {std::move(key), std::move(value), {}};
}

ExperimentResult run_it(const Experiment& e, int threads = 2) {
  RunOptions o;
  o.threads = threads;
  return run_experiment(e, o);
}

bool same_bits(std::span<const double> a, std::span<const double> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

double sample_variance(const std::vector<double>& v) {
  const double sd = sample_sd(v);
  return sd * sd;
}

}  // namespace

TEST_CASE("a strategy identical to the baseline gives bit-identical series", "[crn]") {
  Experiment e;
  e.baseline = small_market(6000, 120);
  e.baseline.run_replications = 2;
  e.strategies.push_back({"nothing", "", {}, {}, {}});
  // The baseline's own values, set explicitly, and re-set mid-run through set_params.
  StrategySpec restated{"restated", "", {set("purchase.price", "50")}, {}, {}};
  restated.interventions.push_back(
      {40, {set("quality.defect_rate", "0.02"), set("purchase.price", "50")}, {}});
  e.strategies.push_back(restated);
  REQUIRE(e.baseline.purchase_price == 50);
  REQUIRE(e.baseline.quality_defect_rate == 0.02);
  const auto r = run_it(e);
  REQUIRE(r.runs.size() == 3);
  for (std::size_t i = 1; i < r.runs.size(); ++i) {
    INFO(r.runs[i].plan.name);
    CHECK(same_bits(r.runs[i].series.values, r.runs[0].series.values));
  }
}

TEST_CASE("a change no customer reacts to changes only the figures it enters", "[crn]") {
  // Acquisition spend is money only: nobody adopts, buys or churns differently, so with common
  // random numbers every other series is bit-identical.
  Experiment e;
  e.baseline = small_market(6000, 120);
  e.strategies.push_back({"dearer-acquisition", "", {set("acquisition.cost_per_customer", "70")}, {}, {}});
  const auto r = run_it(e);
  for (int m = 0; m < kMetricCount; ++m) {
    const auto metric = static_cast<Metric>(m);
    const bool money = metric == Metric::acquisition_spend || metric == Metric::profit;
    INFO(metric_defs()[m].name);
    CHECK(same_bits(r.runs[0].series.metric(metric), r.runs[1].series.metric(metric)) != money);
  }
}

TEST_CASE("paired differences vary much less than unpaired ones", "[crn][statistical]") {
  // Replications 0..n-1 of the strategy minus those of the baseline (paired: same random numbers),
  // against the strategy run with another seed minus the baseline (unpaired: independent).
  // Var(unpaired) = Var(A) + Var(B); Var(paired) = Var(A) + Var(B) - 2 Cov(A, B). With n = 12 each
  // variance has 11 degrees of freedom; F(11, 11) exceeds 5 with probability under 0.5%, so a
  // ratio above 5 is no accident of sampling.
  const int n = 12;
  struct Case {
    const char* name;
    StrategySpec strategy;
  };
  StrategySpec price{"price+10%", "", {}, {}, {}};
  price.interventions.push_back({60, {set("purchase.price", "55")}, {}});
  const std::vector<Case> cases = {
      {"price +10% from day 60", price},
      {"defect rate 3% -> 4.5%", {"defects", "", {set("quality.defect_rate", "0.045")}, {}, {}}},
  };
  for (const Case& c : cases) {
    Experiment paired;
    paired.baseline = small_market(5000, 180);
    paired.baseline.run_replications = n;
    paired.strategies.push_back(c.strategy);
    Experiment independent = paired;
    independent.baseline.run_seed = 1001;
    const auto a = run_it(paired);
    const auto b = run_it(independent);
    for (const char* figure : {"profit", "retention_cumulative"}) {
      const Figure f = find_figure(figure);
      const auto base = figure_values(f, a.runs[0].series, 180);
      const auto same_seed = figure_values(f, a.runs[1].series, 180);
      const auto other_seed = figure_values(f, b.runs[1].series, 180);
      std::vector<double> d_paired, d_unpaired;
      for (int r = 0; r < n; ++r) {
        d_paired.push_back(same_seed[r] - base[r]);
        d_unpaired.push_back(other_seed[r] - base[r]);
      }
      const double ratio = sample_variance(d_unpaired) / sample_variance(d_paired);
      WARN(c.name << ", " << figure << ": Var(unpaired) / Var(paired) = " << ratio
                  << " (sd of the difference " << std::sqrt(sample_variance(d_paired)) << " paired, "
                  << std::sqrt(sample_variance(d_unpaired)) << " unpaired)");
      CHECK(ratio > 5);
    }
  }
}
