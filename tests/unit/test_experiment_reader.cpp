// The what-if part of scenario files: [[strategy]], [[strategy.intervention]], [[intervention]]
// and [sweep] read into an Experiment, and each kind of mistake reported with file:line, the key
// and what is allowed.

#include <catch2/catch.hpp>

#include <filesystem>

#include "core/errors.hpp"
#include "experiment/experiment.hpp"
#include "io/experiment_reader.hpp"
#include "io/scenario_reader.hpp"

using namespace cxsim;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

Experiment read(const std::string& text, const std::vector<std::string>& sets = {}) {
  Scenario s = parse_scenario(text, "exp.toml");
  apply_overrides(s, sets);
  return read_experiment(s);
}

/// The error reading `text` gives (fails the test when there is none).
InputError read_error(const std::string& text, const std::vector<std::string>& sets = {}) {
  try {
    read(text, sets);
  } catch (const InputError& e) {
    return e;
  }
  FAIL("no InputError for:\n" << text);
  throw;
}

constexpr const char* kHeader = "[run]\nhorizon_days = 365\n";

}  // namespace

TEST_CASE("strategies, interventions and dotted overrides", "[experiment][scenario]") {
  const Experiment e = read(std::string(kHeader) + R"(
[purchase]
price = 50

[[intervention]]
day = 30
acquisition.cost_per_customer = 40

[[strategy]]
name = "cut"
description = "10% off"
purchase.price = 45
quality.defect_rate = 0.015

[[strategy.intervention]]
day = 180
purchase.price = 47.25

[[strategy.intervention]]
day = 200.0
"quality.defect_rate" = 0.02

[[strategy]]
name = "same"

[[strategy]]
name = "table-form"
[strategy.quality]
defect_rate = 0.05
)");
  CHECK(e.baseline.purchase_price == 50);
  REQUIRE(e.interventions.size() == 1);
  CHECK(e.interventions[0].day == 30);
  CHECK(e.interventions[0].overrides[0].key == "acquisition.cost_per_customer");
  CHECK(e.interventions[0].overrides[0].value == "40");
  REQUIRE(e.strategies.size() == 3);
  const StrategySpec& cut = e.strategies[0];
  CHECK(cut.name == "cut");
  CHECK(cut.description == "10% off");
  REQUIRE(cut.overrides.size() == 2);
  CHECK(cut.overrides[0].key == "purchase.price");
  CHECK(cut.overrides[0].value == "45");
  CHECK(cut.overrides[0].where.file == "exp.toml");
  CHECK(cut.overrides[0].where.line == 14);
  CHECK(cut.overrides[1].value == "0.015");
  REQUIRE(cut.interventions.size() == 2);
  CHECK(cut.interventions[0].day == 180);
  CHECK(cut.interventions[0].overrides[0].value == "47.25");
  CHECK(cut.interventions[1].day == 200);
  CHECK(cut.interventions[1].overrides[0].key == "quality.defect_rate");
  CHECK(e.strategies[1].overrides.empty());
  CHECK(e.strategies[2].overrides[0].key == "quality.defect_rate");
  CHECK_FALSE(e.sweep);

  const auto plans = plan_experiment(e);
  REQUIRE(plans.size() == 4);
  CHECK(plans[1].params.purchase_price == 45);
  REQUIRE(plans[1].changes.size() == 3);  // days 30 (inherited), 180, 200
  CHECK(plans[1].changes[1].params.purchase_price == 47.25);
}

TEST_CASE("overrides from the command line reach every strategy that does not set the key",
          "[experiment][scenario]") {
  const auto e = read(std::string(kHeader) + "[[strategy]]\nname = \"a\"\npurchase.price = 45\n",
                      {"purchase.price=60", "quality.defect_rate=0.05"});
  const auto plans = plan_experiment(e);
  CHECK(plans[0].params.purchase_price == 60);
  CHECK(plans[1].params.purchase_price == 45);  // the strategy's own override wins
  CHECK(plans[1].params.quality_defect_rate == 0.05);
}

TEST_CASE("grid and Latin hypercube sweeps", "[experiment][scenario][sweep]") {
  const auto grid = read(std::string(kHeader) + R"(
[sweep]
[[sweep.parameter]]
key = "quality.defect_rate"
values = [0.01, 0.03]
[[sweep.parameter]]
key = "wom.story_days"
values = [3, 7.0, 14]
)");
  REQUIRE(grid.sweep);
  CHECK(grid.sweep->method == SweepMethod::grid);
  CHECK(grid.sweep->parameters[1].values == std::vector<double>{3, 7, 14});
  CHECK(plan_experiment(grid).size() == 1 + 6);

  const auto lhs = read(std::string(kHeader) + R"(
[sweep]
method = "latin_hypercube"
points = 8
[[sweep.parameter]]
key = "purchase.price"
min = 40
max = 60.5
)");
  CHECK(lhs.sweep->method == SweepMethod::latin_hypercube);
  CHECK(lhs.sweep->points == 8);
  CHECK(lhs.sweep->parameters[0].max == 60.5);
  CHECK(plan_experiment(lhs).size() == 9);
}

TEST_CASE("a scenario without what-ifs is an experiment of one run", "[experiment][scenario]") {
  const auto e = read("[purchase]\nprice = 45\n");
  CHECK(e.strategies.empty());
  CHECK(e.interventions.empty());
  CHECK_FALSE(e.sweep);
  CHECK(plan_experiment(e).size() == 1);
}

TEST_CASE("what-if mistakes are reported with the line and key", "[experiment][scenario]") {
  const std::string h = kHeader;  // lines 1-2

  auto e = read_error(h + "[[strategy]]\nname = \"a\"\npurchase.pice = 45\n");
  CHECK(e.line() == 5);
  CHECK(e.key() == "purchase.pice");
  CHECK_THAT(e.message(), Contains("did you mean 'purchase.price'"));

  e = read_error(h + "[[strategy]]\nname = \"a\"\nprice = 45\n");
  CHECK(e.line() == 5);
  CHECK_THAT(e.message(), Contains("section.key = value"));

  e = read_error(h + "[[strategy]]\nname = \"a\"\nquality.defect_rate = 2\n");
  CHECK(e.line() == 5);
  CHECK_THAT(e.message(), Contains("[0, 1]"));

  e = read_error(h +
                 "[[strategy]]\nname = \"a\"\n[[strategy.intervention]]\nday = 400\npurchase.price = 45\n");
  CHECK(e.line() == 6);
  CHECK_THAT(e.message(), Contains("day 400") && Contains("horizon_days is 365"));

  // The horizon as changed by --set counts.
  e = read_error(h + "[[intervention]]\nday = 100\npurchase.price = 45\n", {"run.horizon_days=90"});
  CHECK_THAT(e.message(), Contains("horizon_days is 90"));

  e = read_error(h +
                 "[[strategy]]\nname = \"a\"\n[[strategy.intervention]]\nday = 10\nmarket.population = 5\n");
  CHECK(e.line() == 7);
  CHECK(e.key() == "market.population");
  CHECK_THAT(e.message(), Contains("intervenable"));

  e = read_error(h + "[[strategy]]\nname = \"a\"\n[[strategy.intervention]]\npurchase.price = 45\n");
  CHECK_THAT(e.message(), Contains("needs a day"));
  e = read_error(h + "[[intervention]]\nday = 10\n");
  CHECK_THAT(e.message(), Contains("changes nothing"));
  e = read_error(h + "[[intervention]]\nday = \"monday\"\npurchase.price = 45\n");
  CHECK_THAT(e.message(), Contains("whole number"));

  // One list of interventions may not set a key twice on a day (the last would win unseen); a
  // strategy's own change still wins over the scenario's (below). Planning checks it.
  const auto plan_error = [](const std::string& text) {
    try {
      plan_experiment(read(text));
    } catch (const InputError& error) {
      return error;
    }
    FAIL("no InputError planning:\n" << text);
    throw;
  };
  e = plan_error(
      h +
      "[[intervention]]\nday = 10\npurchase.price = 45\n[[intervention]]\nday = 10\npurchase.price = 46\n");
  CHECK(e.line() == 8);
  CHECK(e.key() == "purchase.price");
  CHECK_THAT(e.message(), Contains("'purchase.price' is set twice on day 10 (also at line 5)"));
  e = plan_error(h +
                 "[[strategy]]\nname = \"a\"\n[[strategy.intervention]]\nday = 10\npurchase.price = 45\n"
                 "[[strategy.intervention]]\nday = 10\npurchase.price = 45\n");
  CHECK_THAT(e.message(), Contains("set twice on day 10"));
  CHECK(
      plan_experiment(read(h + "[[intervention]]\nday = 10\npurchase.price = 45\n[[strategy]]\nname = \"a\"\n"
                               "[[strategy.intervention]]\nday = 10\npurchase.price = 46\n"))[1]
          .changes[0]
          .params.purchase_price == 46);

  e = read_error(h + "[[strategy]]\nname = \"a\"\n[[strategy]]\nname = \"a\"\n");
  CHECK(e.line() == 6);
  CHECK_THAT(e.message(), Contains("two strategies"));
  CHECK_THAT(read_error(h + "[[strategy]]\nname = \"baseline\"\n").message(), Contains("always runs"));
  CHECK_THAT(read_error(h + "[[strategy]]\ndescription = \"x\"\n").message(), Contains("needs a name"));
  CHECK_THAT(read_error(h + "[[strategy]]\nname = 3\n").message(), Contains("expected a string"));
  CHECK_THAT(read_error(h + "[[strategy]]\nname = \"sweep-1\"\n").message(), Contains("reserved"));
  CHECK_THAT(read_error(h + "[[strategy]]\nname = \"a\"\nrun.seed = 3\n").message(),
             Contains("whole experiment"));
  CHECK_THAT(read_error(h + "[[strategy]]\nname = \"a\"\n[[strategy.segment]]\nname = \"x\"\n").message(),
             Contains("segment"));
  CHECK_THAT(read_error("strategy = 3\n" + h).message(), Contains("[[strategy]]"));
}

TEST_CASE("sweep mistakes are reported", "[experiment][scenario][sweep]") {
  const std::string h = kHeader;
  auto e = read_error(h + "[sweep]\nmethod = \"grid\"\n");
  CHECK(e.line() == 3);
  CHECK_THAT(e.message(), Contains("empty sweep"));
  CHECK_THAT(
      read_error(h + "[sweep]\n[[sweep.parameter]]\nkey = \"purchase.price\"\nvalues = []\n").message(),
      Contains("empty sweep"));
  e = read_error(h + "[sweep]\n[[sweep.parameter]]\nkey = \"purchase.prize\"\nvalues = [1]\n");
  CHECK(e.line() == 5);
  CHECK_THAT(e.message(), Contains("purchase.price"));
  CHECK_THAT(read_error(h + "[sweep]\n[[sweep.parameter]]\nkey = \"network.kind\"\nvalues = [1]\n").message(),
             Contains("only number"));
  e = read_error(h + "[sweep]\n[[sweep.parameter]]\nkey = \"quality.defect_rate\"\nvalues = [0.1, 3]\n");
  CHECK(e.line() == 6);
  CHECK_THAT(e.message(), Contains("[0, 1]"));
  CHECK_THAT(read_error(h + "[sweep]\nmethod = \"random\"\n").message(), Contains("latin_hypercube"));
  CHECK_THAT(read_error(h + "[sweep]\nmethod = \"latin_hypercube\"\n[[sweep.parameter]]\nkey = "
                            "\"purchase.price\"\nmin = 1\nmax = 2\n")
                 .message(),
             Contains("points"));
  CHECK_THAT(read_error(h + "[sweep]\npoints = 3\n").message(), Contains("latin_hypercube"));
  CHECK_THAT(read_error(h + "[sweep]\nmethod = \"latin_hypercube\"\npoints = 3\n[[sweep.parameter]]\n"
                            "key = \"purchase.price\"\nvalues = [1]\n")
                 .message(),
             Contains("min and max"));
  CHECK_THAT(read_error(h + "[sweep]\nmethd = \"grid\"\n").message(), Contains("did you mean 'method'"));
  CHECK_THAT(read_error(h + "[sweep]\nmethod = \"latin_hypercube\"\npoints = 3\n[[sweep.parameter]]\n"
                            "key = \"purchase.price\"\nmin = 60\nmax = 40\n")
                 .message(),
             Contains("min must not exceed max"));
}

TEST_CASE("every shipped scenario's experiment reads and plans", "[experiment][scenario]") {
  for (const auto& entry : fs::directory_iterator(fs::path(CXSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    INFO(entry.path().string());
    const Scenario s = load_scenario(entry.path().string());
    CHECK_NOTHROW(plan_experiment(read_experiment(s)));
  }
}
