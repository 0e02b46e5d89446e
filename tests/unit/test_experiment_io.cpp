// Multi-strategy results files: one group per run with its kind, description, overrides and
// interventions, and the /summary table, written and read back.

#include <catch2/catch.hpp>

#include <unistd.h>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/errors.hpp"
#include "experiment/experiment.hpp"
#include "io/h5.hpp"
#include "io/limits.hpp"
#include "io/results_reader.hpp"
#include "io/results_writer.hpp"
#include "kpi/compare.hpp"

using namespace cxsim;
namespace fs = std::filesystem;

namespace {

fs::path temp_file(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("cxsim-exp-io-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

/// Plans of a small experiment with fake series (no simulation: the file layout is the subject).
ExperimentResult fake_result() {
  Experiment e;
  e.baseline.run_horizon_days = 20;
  e.baseline.run_replications = 3;
  StrategySpec s{"price-cut", "10% off", {{"purchase.price", "45", {}}}, {}, {}};
  s.interventions.push_back({10, {{"purchase.price", "47.5", {}}, {"wom.story_days", "5", {}}}, {}});
  e.strategies.push_back(s);
  Sweep sweep;
  sweep.parameters.push_back({"quality.defect_rate", {0.01, 0.05}, 0, 0, {}});
  e.sweep = sweep;
  ExperimentResult r;
  r.baseline = e.baseline;
  r.sweep_keys = {"quality.defect_rate"};
  double x = 0;
  for (const RunPlan& plan : plan_experiment(e)) {
    StrategyResult run;
    run.plan = plan;
    run.series = SeriesSet(3, 20);
    for (double& v : run.series.values) v = (x += 0.25);
    r.runs.push_back(std::move(run));
  }
  return r;
}

}  // namespace

TEST_CASE("h5 string and int64 datasets round-trip", "[h5]") {
  const auto path = temp_file("strings.h5");
  {
    h5::File f = h5::File::create(path.string());
    const std::vector<std::string> words = {"baseline", "price-cut", "", "ünïcødé"};
    f.write_strings("words", words);
    const std::vector<std::int64_t> ints = {0, -1, std::int64_t{1} << 40};
    const std::array<hsize_t, 1> dims = {3};
    f.write_dataset("ints", std::span<const std::int64_t>(ints), dims);
    f.close();
  }
  const h5::File f = h5::File::open(path.string());
  CHECK(f.open_dataset("words").read_strings() ==
        std::vector<std::string>{"baseline", "price-cut", "", "ünïcødé"});
  CHECK(f.open_dataset("ints").read<std::int64_t>() ==
        std::vector<std::int64_t>{0, -1, std::int64_t{1} << 40});
  CHECK(f.open_dataset("ints").element_type() == h5::ElementType::int64);
  CHECK_THROWS_AS(f.open_dataset("ints").read_strings(), h5::Error);
}

TEST_CASE("an experiment's file holds every run, what made it, and the summary", "[results]") {
  const ExperimentResult r = fake_result();
  const auto path = temp_file("experiment.h5");
  write_results(path.string(), r, Provenance{"test", "exp.toml", "[run]\n", ""});
  const ResultsFile f = read_results(path.string());
  REQUIRE(f.strategies.size() == 4);
  CHECK(f.replications == 3);

  const StrategyResults& base = f.strategies[0];
  CHECK(base.name == "baseline");
  CHECK(base.kind == "baseline");
  CHECK(base.overrides.empty());

  const StrategyResults& cut = f.strategies[1];
  CHECK(cut.name == "price-cut");
  CHECK(cut.kind == "strategy");
  CHECK(cut.description == "10% off");
  CHECK(cut.overrides == std::map<std::string, std::string>{{"purchase.price", "45"}});
  REQUIRE(cut.interventions.size() == 1);
  CHECK(cut.interventions[0].day == 10);
  CHECK(cut.interventions[0].values ==
        std::map<std::string, std::string>{{"purchase.price", "47.5"}, {"wom.story_days", "5"}});

  const StrategyResults& point = f.strategies[3];
  CHECK(point.name == "sweep-001");
  CHECK(point.kind == "sweep_point");
  CHECK(point.overrides.at("quality.defect_rate") == "0.05");

  // Series come back bit for bit.
  for (std::size_t i = 0; i < r.runs.size(); ++i) {
    const SeriesSet s = f.strategies[i].to_series_set();
    CHECK(std::memcmp(s.values.data(), r.runs[i].series.values.data(), s.values.size() * sizeof(double)) ==
          0);
  }

  // The summary equals summary_table() of the same runs: 4 runs x 3 replications.
  const SummaryColumns& t = f.summary;
  REQUIRE(t.strategy.size() == 12);
  CHECK(t.strategy[3] == "price-cut");
  CHECK(t.replication[5] == 2);
  const auto* defects = t.column("quality.defect_rate");
  REQUIRE(defects);
  CHECK(std::isnan((*defects)[0]));
  CHECK((*defects)[6] == 0.01);
  CHECK((*defects)[11] == 0.05);
  std::vector<RunSeries> runs;
  for (const auto& run : r.runs) runs.push_back({run.plan.name, "", run.plan.sweep_values, &run.series});
  const SummaryTable expected = summary_table(runs);
  for (const auto& [figure, column] : expected.figure_columns) {
    INFO(figure.column);
    const auto* read = t.column(figure.column);
    REQUIRE(read);
    CHECK(std::memcmp(read->data(), column.data(), column.size() * sizeof(double)) == 0);
  }
  fs::remove_all(path.parent_path());
}

TEST_CASE("a planned strategy is compared with the one a file recorded", "[results]") {
  const ExperimentResult r = fake_result();
  const auto path = temp_file("recorded.h5");
  write_results(path.string(), r, Provenance{"test", "exp.toml", "[run]\n", ""});
  const ResultsFile f = read_results(path.string());
  REQUIRE(f.strategies.size() == r.runs.size());
  // Every run against its own record: the same (sweep values and integers read back alike).
  for (std::size_t i = 0; i < r.runs.size(); ++i)
    CHECK_FALSE(recorded_plan_difference(r.runs[i].plan, f.strategies[i]));

  const RunPlan& cut = r.runs[1].plan;
  const StrategyResults& recorded = f.strategies[1];
  // The baseline is not the price cut, nor the price cut the baseline.
  CHECK(recorded_plan_difference(r.runs[0].plan, recorded)->key == "purchase.price");
  CHECK(recorded_plan_difference(cut, f.strategies[0])->what ==
        "'purchase.price' is set to 45 here, not in the file");
  {  // a day-0 value changed
    RunPlan changed = cut;
    changed.params.purchase_price = 44;
    const auto d = recorded_plan_difference(changed, recorded);
    REQUIRE(d);
    CHECK(d->key == "purchase.price");
    CHECK(d->what == "'purchase.price' is 44 here, 45 in the file");
  }
  {  // an intervention's value, its day, and one intervention more
    RunPlan changed = cut;
    changed.changes[0].params.wom_story_days = 6;
    CHECK(recorded_plan_difference(changed, recorded)->what ==
          "'wom.story_days' is 6 from day 10 here, 5 in the file");
    changed = cut;
    changed.changes[0].day = 11;
    CHECK(recorded_plan_difference(changed, recorded)->what ==
          "an intervention falls on day 11 here, on day 10 in the file");
    changed = cut;
    changed.changes.push_back(cut.changes[0]);
    changed.changes.back().day = 15;
    CHECK(recorded_plan_difference(changed, recorded)->what ==
          "an intervention on day 15 is here, not in the file");
    changed = cut;
    changed.changes.clear();
    CHECK(recorded_plan_difference(changed, recorded)->what ==
          "an intervention on day 10 is in the file, not here");
  }
  {  // a value recorded in another text form of the same number is the same value
    StrategyResults other = recorded;
    other.overrides["purchase.price"] = "4.5e1";
    other.interventions[0].values["purchase.price"] = "47.50";
    CHECK_FALSE(recorded_plan_difference(cut, other));
    other.overrides["purchase.price"] = "not a price";
    CHECK(recorded_plan_difference(cut, other)->what ==
          "'purchase.price' is 45 here, not a price in the file");
  }
  fs::remove_all(path.parent_path());
}

TEST_CASE("a single run's file has a summary too, and reads as before", "[results]") {
  RunResult single;
  single.params.run_replications = 2;
  single.params.run_horizon_days = 5;  // the root attributes describe the series (read_results checks)
  single.series = SeriesSet(2, 5);
  const auto path = temp_file("single.h5");
  write_results(path.string(), single, Provenance{"test", "", "", ""});
  const ResultsFile f = read_results(path.string());
  REQUIRE(f.strategies.size() == 1);
  CHECK(f.strategies[0].kind == "baseline");
  CHECK(f.summary.strategy == std::vector<std::string>{"baseline", "baseline"});
  fs::remove_all(path.parent_path());
}

// The memory checks of an MPI job (docs/cluster.md): each rank's need, summed over the ranks that
// share a machine. Runs spread over the ranks hold whole models, and only rank 0 the results;
// --partition holds one block of each model at a time, plus what building the network takes.
TEST_CASE("an MPI rank's memory: whole models, or its block under --partition", "[limits]") {
  Experiment e;
  e.baseline.market_population = 1000000;
  e.baseline.run_horizon_days = 365;
  e.baseline.run_replications = 4;
  e.baseline.run_save_customers = true;
  const std::vector<RunPlan> plans = plan_experiment(e);
  const std::uint64_t single = estimate_experiment_memory(plans, 4, 2);

  RankShare root;
  root.ranks = 4;
  CHECK(estimate_rank_memory(plans, 4, 2, root) == single);  // as a single process
  RankShare other = root;
  other.root = false;
  const std::uint64_t models = estimate_rank_memory(plans, 4, 2, other);
  // Rank 0 adds the saved customer columns of 4 replications (24 bytes a customer) and the file.
  CHECK(single - models > 4 * 24 * 1000000ULL);

  // --partition on 4 ranks: a quarter of one model each (two threads or one: one task at a time).
  RankShare part = other;
  part.partition = true;
  part.block = 250000;
  const std::uint64_t quarter = estimate_rank_memory(plans, 4, 2, part);
  const std::uint64_t one_model = estimate_rank_memory(plans, 4, 1, other);
  CHECK(quarter < one_model / 3);
  CHECK(quarter > one_model / 5);
  // What building the network takes grows with the population, not the block.
  part.block = 1;
  CHECK(estimate_rank_memory(plans, 4, 1, part) > 3000000);  // Watts-Strogatz: 3.1 bytes a customer
  part.root = true;
  part.block = 250000;
  CHECK(estimate_rank_memory(plans, 4, 1, part) - quarter == single - models);  // rank 0's results
}

// Barabasi-Albert keeps every tie's ends while it builds (4 (m + 1) bytes a customer), in each run
// building at once: measured 597 MB at 5 x 10^4 people with m = 1,000, against 410 MB for
// Erdos-Renyi with as many ties.
TEST_CASE("a single process's memory counts what building a Barabasi-Albert network takes", "[limits]") {
  Experiment e;
  e.baseline.market_population = 50000;
  e.baseline.run_horizon_days = 10;
  e.baseline.run_replications = 4;
  e.baseline.network_kind = "erdos_renyi";
  e.baseline.network_mean_degree = 2000;
  const std::uint64_t er = estimate_experiment_memory(plan_experiment(e), 4, 2);
  e.baseline.network_kind = "barabasi_albert";
  e.baseline.network_ba_m = 1000;
  const std::uint64_t ba_two = estimate_experiment_memory(plan_experiment(e), 4, 2);
  const std::uint64_t ba_one = estimate_experiment_memory(plan_experiment(e), 4, 1);
  const std::uint64_t list = 4ULL * 1001 * 50000;
  CHECK(ba_two - er == 2 * list);  // two runs build at once on two threads
  CHECK(ba_two - ba_one > list);   // one thread: one model and one list fewer
}

TEST_CASE("a need above 90% of what the machine has is refused, naming the ranks", "[limits]") {
  const auto message = [](std::uint64_t need, std::uint64_t have, int processes) -> std::string {
    try {
      check_memory_need(need, have, processes, "big.toml");
    } catch (const InputError& err) {
      CHECK(err.key() == "market.population");
      return err.what();
    }
    return "";
  };
  CHECK(message(900, 1000, 1).empty());
  CHECK(message(901, 1000, 1).find("the run needs about") != std::string::npos);
  CHECK(message(901, 1000, 1).find("big.toml") != std::string::npos);
  CHECK(message(5000, 1000, 4).find("the 4 MPI ranks on this machine need about") != std::string::npos);
  CHECK(message(1ULL << 50, 0, 1).empty());  // unknown: nothing is refused
}
