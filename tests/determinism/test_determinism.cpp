// Same scenario and seed give bit-identical results whatever the thread count: the runs are
// written to HDF5 and every dataset of every metric is compared bit for bit.

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>

#include "io/results_reader.hpp"
#include "io/results_writer.hpp"
#include "support/run_helpers.hpp"

using namespace cxsim;
using namespace cxsim::testing;

namespace {

bool bit_identical(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

Params determinism_market() {
  // Every mechanism on, enough customers for several chunks of the parallel phase.
  Params p = small_market(3 * 8192 + 1234, 90);
  p.run_replications = 2;
  p.run_save_customers = true;
  return p;
}

}  // namespace

TEST_CASE("bit-identical results on 1, 2 and 8 threads, compared in the HDF5 files", "[determinism]") {
  const Params p = determinism_market();
  const auto dir =
      std::filesystem::temp_directory_path() / ("cxsim-determinism-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<ResultsFile> files;
  for (int threads : {1, 2, 8}) {
    const auto result = simulate(p, threads);
    REQUIRE(result.stats.threads == threads);
    const auto path = (dir / ("t" + std::to_string(threads) + ".h5")).string();
    write_results(path, result, Provenance{"test", "", "", ""});
    files.push_back(read_results(path));
  }
  const StrategyResults& one = *files[0].strategy("baseline");
  REQUIRE(one.metrics.size() == static_cast<std::size_t>(kMetricCount));
  for (std::size_t f = 1; f < files.size(); ++f) {
    const StrategyResults& other = *files[f].strategy("baseline");
    for (const auto& m : one.metrics) {
      INFO("metric " << m.name << ", file " << f);
      REQUIRE(other.series(m.name) != nullptr);
      CHECK(bit_identical(*one.series(m.name), *other.series(m.name)));
    }
  }
  // The saved customer state too.
  const auto c1 = read_customers((dir / "t1.h5").string());
  const auto c8 = read_customers((dir / "t8.h5").string());
  REQUIRE(c1.size() == 2);
  REQUIRE(c1.size() == c8.size());
  for (std::size_t rep = 0; rep < c1.size(); ++rep)
    for (std::size_t k = 0; k < c1[rep].size(); ++k) CHECK(c1[rep][k].data == c8[rep][k].data);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a different seed gives different results; the same seed the same", "[determinism]") {
  Params p = small_market(4000, 60);
  const auto a = simulate(p, 2), b = simulate(p, 2);
  CHECK(bit_identical(a.series.values, b.series.values));
  p.run_seed = 2;
  const auto c = simulate(p, 2);
  CHECK_FALSE(bit_identical(a.series.values, c.series.values));
}

TEST_CASE("replication r does not change when more replications are run", "[determinism]") {
  Params p = small_market(4000, 60);
  p.run_replications = 1;
  const auto one = simulate(p, 2);
  p.run_replications = 3;
  const auto three = simulate(p, 2);
  for (int m = 0; m < kMetricCount; ++m)
    for (int d = 0; d < 60; ++d) {
      const double x = one.series.at(static_cast<Metric>(m), 0, d);
      const double y = three.series.at(static_cast<Metric>(m), 0, d);
      CHECK(std::memcmp(&x, &y, sizeof x) == 0);
    }
}

TEST_CASE("an experiment's runs are bit-identical on 1, 2 and 8 threads", "[determinism][experiment]") {
  // Strategies, interventions and a sweep: (run, replication) tasks in parallel, each model's
  // customers in parallel inside, results placed by index. Compared through the files, summary too.
  Experiment e;
  e.baseline = small_market(8192 + 1000, 60);
  e.baseline.run_replications = 3;
  e.interventions.push_back({20, {{"acquisition.cost_per_customer", "40", {}}}, {}});
  StrategySpec cut{"cut", "", {{"purchase.price", "45", {}}}, {}, {}};
  cut.interventions.push_back({30, {{"quality.defect_rate", "0.06", {}}}, {}});
  e.strategies.push_back(cut);
  Sweep sweep;
  sweep.method = SweepMethod::latin_hypercube;
  sweep.points = 3;
  sweep.parameters.push_back({"quality.defect_rate", {}, 0.01, 0.05, {}});
  e.sweep = sweep;
  const auto dir =
      std::filesystem::temp_directory_path() / ("cxsim-determinism-exp-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<ResultsFile> files;
  for (int threads : {1, 2, 8}) {
    RunOptions o;
    o.threads = threads;
    const auto result = run_experiment(e, o);
    REQUIRE(result.runs.size() == 5);
    const auto path = (dir / ("t" + std::to_string(threads) + ".h5")).string();
    write_results(path, result, Provenance{"test", "", "", ""});
    files.push_back(read_results(path));
  }
  for (std::size_t f = 1; f < files.size(); ++f) {
    REQUIRE(files[f].strategies.size() == files[0].strategies.size());
    for (std::size_t s = 0; s < files[0].strategies.size(); ++s) {
      const auto& a = files[0].strategies[s];
      const auto& b = files[f].strategies[s];
      CHECK(a.name == b.name);
      for (const auto& m : a.metrics) {
        INFO("strategy " << a.name << ", metric " << m.name << ", file " << f);
        CHECK(bit_identical(*a.series(m.name), *b.series(m.name)));
      }
    }
    for (std::size_t c = 0; c < files[0].summary.columns.size(); ++c)
      CHECK(bit_identical(files[0].summary.columns[c].second, files[f].summary.columns[c].second));
  }
  // The strategies really differ from the baseline (the test would be empty otherwise).
  CHECK_FALSE(
      bit_identical(*files[0].strategies[0].series("revenue"), *files[0].strategies[1].series("revenue")));
  std::filesystem::remove_all(dir);
}
