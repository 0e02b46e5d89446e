// Experiments as plain data: plan_experiment() resolves strategies, interventions and sweeps to
// run plans and refuses what cannot run, naming the key and where it was declared.

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "core/errors.hpp"
#include "experiment/experiment.hpp"

using namespace cxsim;
using Catch::Matchers::Contains;

namespace {

ParamOverride set(std::string key, std::string value, int line = 0) {
  return {std::move(key), std::move(value), SourceRef{"exp.toml", line, 1}};
}

Experiment small_experiment() {
  Experiment e;
  e.baseline.run_horizon_days = 100;
  return e;
}

InputError plan_error(const Experiment& e) {
  try {
    plan_experiment(e);
  } catch (const InputError& error) {
    return error;
  }
  FAIL("plan_experiment accepted an experiment it should refuse");
  throw;
}

}  // namespace

TEST_CASE("the baseline comes first, then strategies with their overrides", "[experiment]") {
  Experiment e = small_experiment();
  e.strategies.push_back({"cut", "10% off", {set("purchase.price", "45")}, {}, {}});
  e.strategies.push_back({"fewer-defects", "", {set("quality.defect_rate", "0.015")}, {}, {}});
  const auto plans = plan_experiment(e);
  REQUIRE(plans.size() == 3);
  CHECK(plans[0].name == "baseline");
  CHECK(plans[0].kind == RunKind::baseline);
  CHECK(plans[0].params.purchase_price == Params{}.purchase_price);
  CHECK(plans[1].name == "cut");
  CHECK(plans[1].kind == RunKind::strategy);
  CHECK(plans[1].description == "10% off");
  CHECK(plans[1].params.purchase_price == 45);
  CHECK(plans[1].params.quality_defect_rate == Params{}.quality_defect_rate);
  CHECK(plans[2].params.quality_defect_rate == 0.015);
  CHECK(plans[2].params.purchase_price == Params{}.purchase_price);
  for (const auto& p : plans) CHECK(p.changes.empty());
}

TEST_CASE("interventions become one change per day, inherited ones first", "[experiment]") {
  Experiment e = small_experiment();
  e.interventions.push_back(
      {50, {set("purchase.price", "55"), set("acquisition.cost_per_customer", "40")}, {}});
  StrategySpec s{"later-rise", "", {set("quality.defect_rate", "0.01")}, {}, {}};
  s.interventions.push_back({80, {set("purchase.price", "60")}, {}});
  s.interventions.push_back({50, {set("purchase.price", "57")}, {}});  // same day: wins
  e.strategies.push_back(s);
  const auto plans = plan_experiment(e);

  const RunPlan& base = plans[0];
  REQUIRE(base.changes.size() == 1);
  CHECK(base.changes[0].day == 50);
  CHECK(base.changes[0].params.purchase_price == 55);
  CHECK(base.changes[0].params.acquisition_cost_per_customer == 40);

  const RunPlan& strategy = plans[1];
  REQUIRE(strategy.changes.size() == 2);
  CHECK(strategy.changes[0].day == 50);
  CHECK(strategy.changes[0].params.purchase_price == 57);
  CHECK(strategy.changes[0].params.acquisition_cost_per_customer == 40);
  CHECK(strategy.changes[0].params.quality_defect_rate == 0.01);  // day-0 override kept
  CHECK(strategy.changes[1].day == 80);
  CHECK(strategy.changes[1].params.purchase_price == 60);
  CHECK(strategy.changes[1].params.acquisition_cost_per_customer == 40);  // still in force
  CHECK(strategy.params.purchase_price == Params{}.purchase_price);       // before day 50
}

TEST_CASE("bad strategies are refused with the key and where it was written", "[experiment]") {
  SECTION("unknown key, with the closest known key") {
    Experiment e = small_experiment();
    e.strategies.push_back({"typo", "", {set("purchase.pice", "45", 7)}, {}, {}});
    const auto error = plan_error(e);
    CHECK(error.key() == "purchase.pice");
    CHECK(error.line() == 7);
    CHECK_THAT(error.message(), Contains("purchase.price"));
  }
  SECTION("run.* keys") {
    Experiment e = small_experiment();
    e.strategies.push_back({"more", "", {set("run.replications", "4")}, {}, {}});
    CHECK_THAT(plan_error(e).message(), Contains("whole experiment"));
  }
  SECTION("a value out of range") {
    Experiment e = small_experiment();
    e.strategies.push_back({"bad", "", {set("quality.defect_rate", "1.5", 3)}, {}, {}});
    const auto error = plan_error(e);
    CHECK(error.key() == "quality.defect_rate");
    CHECK(error.line() == 3);
  }
  SECTION("duplicate, reserved and unusable names") {
    for (const std::string name : {"baseline", "sweep-001", "a/b", "", "."}) {
      Experiment e = small_experiment();
      e.strategies.push_back({name, "", {}, {}, {}});
      INFO(name);
      CHECK_THROWS_AS(plan_experiment(e), InputError);
    }
    Experiment e = small_experiment();
    e.strategies.push_back({"twice", "", {}, {}, {}});
    e.strategies.push_back({"twice", "", {}, {}, {}});
    CHECK_THAT(plan_error(e).message(), Contains("twice"));
  }
  SECTION("an intervention on a key that is not intervenable") {
    Experiment e = small_experiment();
    StrategySpec s{"grow", "", {}, {}, {}};
    s.interventions.push_back({10, {set("market.population", "5000", 12)}, {}});
    e.strategies.push_back(s);
    const auto error = plan_error(e);
    CHECK(error.key() == "market.population");
    CHECK(error.line() == 12);
    CHECK_THAT(error.message(), Contains("intervenable"));
    // The same key from day 0 is fine.
    e.strategies.back() = {"grow", "", {set("market.population", "5000")}, {}, {}};
    CHECK_NOTHROW(plan_experiment(e));
  }
  SECTION("an intervention after the horizon, or changing nothing") {
    for (const std::int64_t day : {std::int64_t{100}, std::int64_t{365}, std::int64_t{-1}}) {
      Experiment e = small_experiment();
      e.interventions.push_back({day, {set("purchase.price", "55")}, SourceRef{"exp.toml", 4, 1}});
      const auto error = plan_error(e);
      CHECK(error.line() == 4);
      CHECK_THAT(error.message(), Contains(std::to_string(day)) && Contains("horizon_days is 100"));
    }
    Experiment e = small_experiment();
    e.interventions.push_back({99, {set("purchase.price", "55")}, {}});
    CHECK_NOTHROW(plan_experiment(e));
    e.interventions.push_back({20, {}, {}});
    CHECK_THAT(plan_error(e).message(), Contains("at least one key"));
  }
  SECTION("a cross-key rule broken by the resolved strategy") {
    Experiment e = small_experiment();
    e.strategies.push_back({"shares", "", {set("quality.severe_share", "0.8", 9)}, {}, {}});
    const auto error = plan_error(e);  // severe + moderate shares above 1
    CHECK_THAT(error.message(), Contains("'shares'"));
  }
}

TEST_CASE("a grid sweep runs every combination, the first parameter slowest", "[experiment][sweep]") {
  Experiment e = small_experiment();
  Sweep sweep;
  sweep.parameters.push_back({"quality.defect_rate", {0.01, 0.03}, 0, 0, {}});
  sweep.parameters.push_back({"purchase.price", {45, 50, 55}, 0, 0, {}});
  sweep.parameters.push_back({"wom.story_days", {3}, 0, 0, {}});
  e.sweep = sweep;
  const auto plans = plan_experiment(e);
  REQUIRE(plans.size() == 1 + 6);
  for (std::size_t i = 1; i < plans.size(); ++i) {
    const RunPlan& p = plans[i];
    CHECK(p.kind == RunKind::sweep_point);
    CHECK(p.name == sweep_point_name(i - 1, 6));
    CHECK(p.params.quality_defect_rate == (i <= 3 ? 0.01 : 0.03));
    CHECK(p.params.purchase_price == std::vector<double>{45, 50, 55}[(i - 1) % 3]);
    CHECK(p.params.wom_story_days == 3);
    REQUIRE(p.sweep_values.size() == 3);
    CHECK(p.sweep_values[1].first == "purchase.price");
    CHECK(p.sweep_values[1].second == p.params.purchase_price);
  }
  CHECK(plans[1].name == "sweep-000");
  CHECK(plans[1].description == "quality.defect_rate = 0.01, purchase.price = 45, wom.story_days = 3");
}

TEST_CASE("sweep point names sort in order", "[experiment][sweep]") {
  CHECK(sweep_point_name(7, 20) == "sweep-007");
  CHECK(sweep_point_name(999, 1000) == "sweep-999");
  CHECK(sweep_point_name(42, 1001) == "sweep-0042");
  CHECK(sweep_point_name(0, 10000) == "sweep-0000");
}

TEST_CASE("a Latin hypercube puts one point in each stratum, reproducibly", "[experiment][sweep]") {
  Sweep sweep;
  sweep.method = SweepMethod::latin_hypercube;
  sweep.points = 40;
  sweep.parameters.push_back({"quality.defect_rate", {}, 0.01, 0.05, {}});
  sweep.parameters.push_back({"purchase.price", {}, 40, 60, {}});
  const auto a = sweep_points(sweep, 1);
  REQUIRE(a.size() == 40);
  for (std::size_t j = 0; j < 2; ++j) {
    const double lo = sweep.parameters[j].min, hi = sweep.parameters[j].max;
    std::set<int> strata;
    for (const auto& point : a) {
      CHECK(point[j] >= lo);
      CHECK(point[j] <= hi);
      strata.insert(static_cast<int>((point[j] - lo) / (hi - lo) * 40));
    }
    CHECK(strata.size() == 40);  // every stratum exactly once
  }
  CHECK(sweep_points(sweep, 1) == a);
  CHECK(sweep_points(sweep, 2) != a);
  // The two parameters are not in the same order (independent permutations).
  std::vector<std::size_t> order_a(40), order_b(40);
  for (std::size_t i = 0; i < 40; ++i) order_a[i] = order_b[i] = i;
  std::sort(order_a.begin(), order_a.end(), [&](auto x, auto y) { return a[x][0] < a[y][0]; });
  std::sort(order_b.begin(), order_b.end(), [&](auto x, auto y) { return a[x][1] < a[y][1]; });
  CHECK(order_a != order_b);

  // Integer keys are rounded.
  Sweep integers;
  integers.method = SweepMethod::latin_hypercube;
  integers.points = 5;
  integers.parameters.push_back({"wom.story_days", {}, 2, 20, {}});
  for (const auto& point : sweep_points(integers, 1)) CHECK(point[0] == std::round(point[0]));
}

TEST_CASE("bad sweeps are refused", "[experiment][sweep]") {
  Sweep empty;
  empty.where = {"exp.toml", 30, 1};
  const auto error = [](const Sweep& s) {
    try {
      sweep_points(s, 1);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error(empty), Contains("exp.toml:30") && Contains("empty sweep"));
  Sweep no_values;
  no_values.parameters.push_back({"purchase.price", {}, 0, 0, {}});
  CHECK_THAT(error(no_values), Contains("empty sweep"));
  Sweep unknown;
  unknown.parameters.push_back({"purchase.pric", {45}, 0, 0, {}});
  CHECK_THAT(error(unknown), Contains("purchase.price"));
  Sweep text;
  text.parameters.push_back({"network.kind", {1}, 0, 0, {}});
  CHECK_THAT(error(text), Contains("only number and integer"));
  Sweep twice;
  twice.parameters.push_back({"purchase.price", {45}, 0, 0, {}});
  twice.parameters.push_back({"purchase.price", {50}, 0, 0, {}});
  CHECK_THAT(error(twice), Contains("twice"));
  Sweep backwards;
  backwards.method = SweepMethod::latin_hypercube;
  backwards.points = 3;
  backwards.parameters.push_back({"purchase.price", {}, 60, 40, {}});
  CHECK_THAT(error(backwards), Contains("min"));
  Sweep no_points = backwards;
  no_points.parameters[0].min = 40;
  no_points.points = 0;
  CHECK_THAT(error(no_points), Contains("points"));
  Sweep huge;
  for (const char* key : {"purchase.price", "purchase.unit_cost", "quality.defect_rate"})
    huge.parameters.push_back({key, std::vector<double>(30, 0.5), 0, 0, {}});
  CHECK_THAT(error(huge), Contains("10000"));
}

TEST_CASE("appending replications keeps earlier ones and stacks the later ones", "[experiment]") {
  const auto make = [](int reps, double offset) {
    ExperimentResult r;
    r.baseline.run_replications = reps;
    StrategyResult s;
    s.plan.name = "baseline";
    s.series = SeriesSet(reps, 3);
    for (int m = 0; m < kMetricCount; ++m)
      for (int rep = 0; rep < reps; ++rep)
        for (int d = 0; d < 3; ++d)
          s.series.at(static_cast<Metric>(m), rep, d) = offset + m * 100 + rep * 10 + d;
    r.runs.push_back(std::move(s));
    return r;
  };
  ExperimentResult a = make(2, 0);
  append_replications(a, make(3, 0.5));
  const SeriesSet& s = a.runs[0].series;
  REQUIRE(s.replications == 5);
  CHECK(a.baseline.run_replications == 5);
  CHECK(s.at(Metric::revenue, 1, 2) == static_cast<int>(Metric::revenue) * 100 + 10 + 2);
  CHECK(s.at(Metric::revenue, 2, 0) == 0.5 + static_cast<int>(Metric::revenue) * 100);
  CHECK(s.at(Metric::profit, 4, 1) == 0.5 + static_cast<int>(Metric::profit) * 100 + 20 + 1);
  ExperimentResult other = make(1, 0);
  other.runs[0].plan.name = std::string("x");
  CHECK_THROWS_AS(append_replications(a, std::move(other)), std::invalid_argument);
}
