// output.by_segment: the split never changes the totals, is the same on any thread count, survives
// the results file, and adds up to the totals (whole-number counts exactly, amounts to rounding).

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "experiment/experiment.hpp"
#include "io/results_reader.hpp"
#include "io/results_writer.hpp"
#include "support/run_helpers.hpp"

using namespace cxsim;
using namespace cxsim::testing;

namespace {

bool bit_identical(std::span<const double> a, std::span<const double> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// Three segments of different sizes and behaviour, every mechanism on, several chunks of the
// parallel phase (so that a segment's customers are spread over chunks and threads).
Params three_segments(std::int64_t population, std::int64_t days) {
  Params p = small_market(population, days);
  p.run_replications = 2;
  p.proactive_enabled = true;
  p.segments.resize(3);
  p.segments[0].name = "loyal";
  p.segments[0].share = 0.5;
  p.segments[0].attitude_baseline = 0.5;
  p.segments[1].name = "fickle";
  p.segments[1].share = 0.3;
  p.segments[1].price_sensitivity = 8;
  p.segments[1].attitude_baseline = -0.5;
  p.segments[2].name = "vocal";
  p.segments[2].share = 0.2;
  p.segments[2].contact_propensity = 3;
  return p;
}

// Metrics that have no segment: NaN in every segment's series.
bool whole_only(std::string_view name) {
  static constexpr std::string_view kPrefixes[] = {"phone_", "chat_", "email_"};
  for (auto p : kPrefixes)
    if (name.substr(0, p.size()) == p) return true;
  static constexpr std::string_view kNames[] = {"asa_s",
                                                "offered",
                                                "answered",
                                                "abandoned",
                                                "answered_within_target",
                                                "queue_outcomes",
                                                "turned_away",
                                                "service_level",
                                                "abandonment_rate",
                                                "aht_s",
                                                "occupancy",
                                                "agent_hours",
                                                "transfers",
                                                "chatbot_contained",
                                                "chatbot_escalated",
                                                "service_cost",
                                                "profit",
                                                "clv"};
  for (auto n : kNames)
    if (name == n) return true;
  return false;
}

}  // namespace

TEST_CASE("output.by_segment leaves every total bit-identical and splits alike on 1 and 3 threads",
          "[determinism][segments]") {
  Params off = three_segments(2 * 8192 + 777, 75);
  Params on = off;
  on.output_by_segment = true;
  const RunResult plain = simulate(off, 2);
  REQUIRE(plain.segment_series.empty());
  const RunResult split1 = simulate(on, 1);
  const RunResult split3 = simulate(on, 3);
  CHECK(bit_identical(plain.series.values, split1.series.values));
  CHECK(bit_identical(plain.series.values, split3.series.values));
  REQUIRE(split1.segment_series.size() == 3);
  REQUIRE(split3.segment_series.size() == 3);
  for (std::size_t s = 0; s < 3; ++s) {
    INFO("segment " << s);
    CHECK(bit_identical(split1.segment_series[s].values, split3.segment_series[s].values));
  }

  // Through the results file: the totals as without the split, the split as simulated.
  const auto dir = std::filesystem::temp_directory_path() / ("cxsim-segments-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  write_results((dir / "off.h5").string(), plain, Provenance{"test", "", "", ""});
  write_results((dir / "on.h5").string(), split3, Provenance{"test", "", "", ""});
  const ResultsFile a = read_results((dir / "off.h5").string());
  const ResultsFile b = read_results((dir / "on.h5").string());
  const StrategyResults& sa = *a.strategy("baseline");
  const StrategyResults& sb = *b.strategy("baseline");
  CHECK(sa.segment_series.empty());
  for (const auto& m : sa.metrics) {
    INFO("metric " << m.name);
    CHECK(bit_identical(*sa.series(m.name), *sb.series(m.name)));
  }
  REQUIRE(sb.segment_names == std::vector<std::string>{"loyal", "fickle", "vocal"});
  REQUIRE(sb.segment_series.size() == 3);
  for (std::size_t s = 0; s < 3; ++s)
    CHECK(bit_identical(sb.segment_series[s].values, split3.segment_series[s].values));
  for (std::size_t c = 0; c < a.summary.columns.size(); ++c)
    CHECK(bit_identical(a.summary.columns[c].second, b.summary.columns[c].second));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the segments' flows and stocks add up to the totals, and ratios are per segment", "[segments]") {
  Params p = three_segments(6000, 400);  // past a year: cohort retention over 365 days
  p.output_by_segment = true;
  const RunResult r = simulate(p, 2);
  const auto& segs = r.segment_series;
  REQUIRE(segs.size() == 3);
  const int reps = r.series.replications, days = r.series.days;
  int exact = 0, approximate = 0;
  for (int m = 0; m < kMetricCount; ++m) {
    const MetricDef& def = metric_defs()[m];
    const auto metric = static_cast<Metric>(m);
    INFO("metric " << def.name);
    if (whole_only(def.name)) {
      for (const SeriesSet& s : segs)
        for (double v : s.metric(metric)) REQUIRE(std::isnan(v));
      continue;
    }
    if (def.kind == MetricKind::ratio || metric == Metric::adopted_fraction) continue;
    for (int rep = 0; rep < reps; ++rep)
      for (int d = 0; d < days; ++d) {
        const double total = r.series.at(metric, rep, d);
        double sum = 0;
        for (const SeriesSet& s : segs) sum += s.at(metric, rep, d);
        if (total == std::round(total)) {
          REQUIRE(sum == total);  // whole numbers: exact
          ++exact;
        } else {
          REQUIRE(sum == Approx(total).epsilon(1e-9));
          ++approximate;
        }
      }
  }
  CHECK(exact > 0);
  // Every segment churns and talks (the sums above are not all zeros).
  for (const SeriesSet& s : segs) {
    double churned = 0, wom = 0;
    for (double v : s.metric(Metric::churned)) churned += v;
    for (double v : s.metric(Metric::wom_negative)) wom += v;
    CHECK(churned > 0);
    CHECK(wom > 0);
  }

  // Ratios: each segment's own, so that weighting them by their denominators gives the total.
  const auto weighted = [&](Metric ratio, Metric weight, int rep, int d, int weight_day) {
    double num = 0, den = 0;
    for (const SeriesSet& s : segs) {
      const double w = s.at(weight, rep, weight_day);
      if (w > 0) {
        num += s.at(ratio, rep, d) * w;
        den += w;
      }
    }
    return num / den;
  };
  for (int rep = 0; rep < reps; ++rep) {
    const int d = days - 1;
    CHECK(weighted(Metric::mean_attitude, Metric::active_customers, rep, d, d) ==
          Approx(r.series.at(Metric::mean_attitude, rep, d)).epsilon(1e-9));
    CHECK(weighted(Metric::promoter_share, Metric::active_customers, rep, d, d) ==
          Approx(r.series.at(Metric::promoter_share, rep, d)).epsilon(1e-12));
    CHECK(weighted(Metric::retention_12m, Metric::active_customers, rep, d, d - 365) ==
          Approx(r.series.at(Metric::retention_12m, rep, d)).epsilon(1e-12));
    CHECK(weighted(Metric::retention_1m, Metric::active_customers, rep, d, d - 30) ==
          Approx(r.series.at(Metric::retention_1m, rep, d)).epsilon(1e-12));
    CHECK(weighted(Metric::monthly_churn_rate, Metric::active_customers, rep, d, d - 30) ==
          Approx(r.series.at(Metric::monthly_churn_rate, rep, d)).epsilon(1e-12));
  }
  // The segments differ where the scenario makes them differ: the price-sensitive leave more.
  double lost[3] = {}, base[3] = {};
  for (int s = 0; s < 3; ++s)
    for (int rep = 0; rep < reps; ++rep) {
      for (int d = 0; d < days; ++d) lost[s] += segs[s].at(Metric::churned, rep, d);
      base[s] += segs[s].at(Metric::active_customers, rep, 0);
    }
  CHECK(lost[1] / base[1] > lost[0] / base[0]);
}

TEST_CASE("an experiment keeps its split per strategy and when replications are appended", "[segments]") {
  Experiment e;
  e.baseline = three_segments(3000, 40);
  e.baseline.output_by_segment = true;
  e.strategies.push_back({"cut", "", {{"purchase.price", "45", {}}}, {}, {}});
  RunOptions o;
  o.threads = 2;
  ExperimentResult first = run_plans(plan_experiment(e), 0, 2, o, nullptr);
  REQUIRE(first.runs.size() == 2);
  for (const auto& run : first.runs) REQUIRE(run.segment_series.size() == 3);
  ExperimentResult more = run_plans(plan_experiment(e), 2, 1, o, nullptr);
  append_replications(first, std::move(more));
  const ExperimentResult all = run_plans(plan_experiment(e), 0, 3, o, nullptr);
  for (std::size_t k = 0; k < all.runs.size(); ++k)
    for (std::size_t s = 0; s < 3; ++s)
      CHECK(bit_identical(first.runs[k].segment_series[s].values, all.runs[k].segment_series[s].values));
}
