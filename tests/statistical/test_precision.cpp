// `--precision`: replications are added in batches until every chosen interval is narrow enough
// or the cap is reached; replication r is the same however the batches fall.

#include <catch2/catch.hpp>
#include <cstring>

#include "core/errors.hpp"
#include "experiment/precision.hpp"
#include "io/summary.hpp"
#include "support/run_helpers.hpp"

using namespace cxsim;
using namespace cxsim::testing;

namespace {

Experiment price_experiment() {
  Experiment e;
  e.baseline = small_market(3000, 90);
  e.baseline.run_replications = 2;
  StrategySpec rise{"rise", "", {}, {}, {}};
  rise.interventions.push_back({30, {{"purchase.price", "55", {}}}, {}});
  e.strategies.push_back(rise);
  return e;
}

}  // namespace

TEST_CASE("precision: batches until the target, the same whatever the threads", "[precision]") {
  const Experiment e = price_experiment();
  PrecisionTarget target;
  target.relative = 0.004;
  target.max_replications = 40;
  RunOptions one, two;
  one.threads = 1;
  two.threads = 2;
  PrecisionReport ra, rb;
  const auto a = run_to_precision(e, target, one, nullptr, ra);
  const auto b = run_to_precision(e, target, two, nullptr, rb);
  INFO(describe_precision(ra, target));
  CHECK(ra.replications == rb.replications);
  CHECK(ra.batches == rb.batches);
  for (std::size_t i = 0; i < a.runs.size(); ++i)  // bit for bit (NaN days included)
    CHECK(std::memcmp(a.runs[i].series.values.data(), b.runs[i].series.values.data(),
                      a.runs[i].series.values.size() * sizeof(double)) == 0);
  CHECK(a.runs[0].series.replications == ra.replications);
  CHECK(a.baseline.run_replications == ra.replications);
  CHECK(ra.replications >= 3);
  CHECK(ra.replications <= target.max_replications);
  REQUIRE(ra.checks.size() == 2);  // profit and monthly churn of 'rise' (a run shorter than a year)
  if (ra.reached)
    for (const auto& c : ra.checks) CHECK(c.half_width <= c.target);
  else
    CHECK(ra.replications == target.max_replications);

  // The replications run in batches are those of one plain run.
  const auto plans = plan_experiment(e);
  const auto plain = run_plans(plans, 0, ra.replications, two);
  for (std::size_t i = 0; i < plans.size(); ++i)
    CHECK(std::memcmp(plain.runs[i].series.values.data(), a.runs[i].series.values.data(),
                      plain.runs[i].series.values.size() * sizeof(double)) == 0);
}

TEST_CASE("precision: the cap stops a target that cannot be met", "[precision]") {
  PrecisionTarget target;
  target.relative = 1e-9;
  target.max_replications = 7;
  PrecisionReport report;
  RunOptions o;
  o.threads = 2;
  const auto r = run_to_precision(price_experiment(), target, o, nullptr, report);
  CHECK_FALSE(report.reached);
  CHECK(report.replications == 7);
  CHECK(r.runs[0].series.replications == 7);
  CHECK(report.batches >= 2);
}

TEST_CASE("precision: refused without strategies or with a bad target", "[precision]") {
  RunOptions o;
  PrecisionReport report;
  Experiment alone;
  alone.baseline = small_market(1000, 10);
  CHECK_THROWS_AS(run_to_precision(alone, {}, o, nullptr, report), InputError);
  PrecisionTarget bad;
  bad.relative = 0;
  CHECK_THROWS_AS(run_to_precision(price_experiment(), bad, o, nullptr, report), InputError);
  PrecisionTarget unknown;
  unknown.figures = {"happiness"};
  CHECK_THROWS_AS(run_to_precision(price_experiment(), unknown, o, nullptr, report), InputError);
  // 12-month retention of a 90-day run has no value: refused, not "reached" without it.
  PrecisionTarget yearly;
  yearly.figures = {"profit", "retention"};
  CHECK_THROWS_WITH(run_to_precision(price_experiment(), yearly, o, nullptr, report),
                    Catch::Contains("'retention' has no value at the horizon (day 90)"));
  CHECK(precision_figures({}, 90) == std::vector<std::string>{"profit", "churn"});
  CHECK(precision_figures({}, 365) == std::vector<std::string>{"profit", "retention"});
  CHECK(precision_figures({}, 30) == std::vector<std::string>{"profit"});
}
