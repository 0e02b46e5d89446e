// compare(): figures read from series at a day, paired differences with Student t intervals, the
// text formats, and the /summary table, on series whose answers are known by construction.

#include <catch2/catch.hpp>

#include <cmath>

#include "core/errors.hpp"
#include "io/compare_format.hpp"
#include "kpi/compare.hpp"

using namespace cxsim;
using Catch::Matchers::Contains;

namespace {

constexpr int kDays = 60;

/// Every metric 0, except revenue = scale * (1 + rep) per day and 12-month retention = level + rep / 100
/// (so differences between two such sets are known exactly).
SeriesSet synthetic(int reps, double scale, double level) {
  SeriesSet s(reps, kDays);
  for (int rep = 0; rep < reps; ++rep)
    for (int d = 0; d < kDays; ++d) {
      s.at(Metric::revenue, rep, d) = scale * (1 + rep);
      s.at(Metric::retention_12m, rep, d) = level + rep / 100.0 + d / 1000.0;
      s.at(Metric::csat_satisfied, rep, d) = d % 2 ? 3 : 1;
      s.at(Metric::csat_responses, rep, d) = 4;
      s.at(Metric::asa_s, rep, d) = d % 3 == 0 ? std::nan("") : 20.0 + rep;
    }
  return s;
}

InputError compare_error(const std::vector<RunSeries>& runs, const CompareOptions& o) {
  try {
    compare(runs, o);
  } catch (const InputError& e) {
    return e;
  }
  FAIL("compare accepted bad input");
  throw;
}

}  // namespace

TEST_CASE("figures read stocks at the day, flows summed to it, windows over 30 days", "[compare]") {
  const SeriesSet s = synthetic(3, 10, 0.8);
  const auto revenue = figure_values(find_figure("revenue"), s, 20);
  REQUIRE(revenue.size() == 3);
  CHECK(revenue[0] == 200);  // 20 days x 10
  CHECK(revenue[2] == 600);
  const auto retention = figure_values(find_figure("retention_12m_final"), s, 60);  // by column name
  CHECK(retention[1] == Approx(0.81 + 0.059));
  const auto csat = figure_values(find_figure("csat"), s, kDays);  // days 30..59: 15 odd, 15 even
  CHECK(csat[0] == Approx((15 * 3 + 15 * 1) / 120.0));
  const auto asa = figure_values(find_figure("asa"), s, kDays);  // NaN days skipped
  CHECK(asa[2] == 22.0);
  // Any metric by name: a flow sums, a stock is read at the day.
  CHECK(find_figure("orders").how == Aggregate::total);
  CHECK(find_figure("active_customers").how == Aggregate::final);
  CHECK_THROWS_AS(find_figure("profitt"), InputError);
}

TEST_CASE("paired differences, intervals and marks", "[compare]") {
  const SeriesSet base = synthetic(4, 10, 0.80), same = synthetic(4, 10, 0.80), more = synthetic(4, 11, 0.80);
  SeriesSet noisy = synthetic(4, 10, 0.80);
  for (int d = 0; d < kDays; ++d)  // revenue +/- 1 a day, alternately: interval includes 0
    for (int rep = 0; rep < 4; ++rep) noisy.at(Metric::revenue, rep, d) += rep % 2 ? 1 : -1;
  const std::vector<RunSeries> runs = {{"baseline", "", {}, &base},
                                       {"same", "", {}, &same},
                                       {"more", "x", {}, &more},
                                       {"noisy", "", {}, &noisy}};
  CompareOptions o;
  o.figures = {"revenue", "retention"};
  const Comparison c = compare(runs, o);
  CHECK(c.at_day == kDays);
  CHECK(c.replications == 4);
  REQUIRE(c.strategies.size() == 3);

  const auto& same_revenue = c.strategies[0].figures[0];
  CHECK(same_revenue.difference.mean == 0);
  CHECK(same_revenue.difference.half_width == 0);
  CHECK_FALSE(same_revenue.excludes_zero);

  // more - base = 60 days x 1 x (1 + rep): 60, 120, 180, 240.
  const auto& more_revenue = c.strategies[1].figures[0];
  CHECK(more_revenue.baseline_mean == Approx(600 * 2.5));
  CHECK(more_revenue.strategy_mean == Approx(660 * 2.5));
  CHECK(more_revenue.difference.mean == Approx(150));
  const std::vector<double> diffs = {60, 120, 180, 240};
  CHECK(more_revenue.difference.half_width == Approx(confidence_interval(diffs).half_width));
  CHECK(more_revenue.excludes_zero);
  CHECK(c.strategies[1].description == "x");

  const auto& noisy_revenue = c.strategies[2].figures[0];  // -60, +60, -60, +60
  CHECK(noisy_revenue.difference.mean == Approx(0).margin(1e-9));
  CHECK_FALSE(noisy_revenue.excludes_zero);

  // At day 10 the flows are summed over days 1-10.
  o.at_day = 10;
  CHECK(compare(runs, o).strategies[1].figures[0].difference.mean == Approx(25));
}

TEST_CASE("compare refuses what it cannot do, listing what exists", "[compare]") {
  const SeriesSet a = synthetic(2, 1, 0.8), b = synthetic(2, 2, 0.8);
  const std::vector<RunSeries> runs = {{"baseline", "", {}, &a}, {"b", "", {}, &b}};
  CompareOptions o;
  o.baseline = "today";
  auto e = compare_error(runs, o);
  CHECK_THAT(e.message(), Contains("'baseline'") && Contains("'b'"));
  o = {};
  o.at_day = kDays + 1;
  CHECK_THAT(compare_error(runs, o).message(), Contains("1 to 60"));
  o.at_day = -3;
  CHECK_THROWS_AS(compare(runs, o), InputError);
  o = {};
  o.figures = {"revenue", "happiness"};
  CHECK_THAT(compare_error(runs, o).message(), Contains("retention"));
  CHECK_THROWS_AS(compare({runs[0]}, {}), InputError);  // nothing to compare with
  CHECK_THROWS_AS(compare_format("html"), InputError);
}

TEST_CASE("the text formats carry the same numbers", "[compare]") {
  const SeriesSet base = synthetic(3, 10, 0.80), more = synthetic(3, 11, 0.82);
  const std::vector<RunSeries> runs = {{"baseline", "", {}, &base}, {"more|money", "a, b", {}, &more}};
  CompareOptions o;
  o.figures = {"revenue", "retention", "csat"};
  const Comparison c = compare(runs, o);

  const std::string csv = format_comparison(c, CompareFormat::csv);
  CHECK_THAT(csv, Contains("more|money,revenue,revenue_total,currency,60,3,1200,1320,120,"));
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 3);

  const std::string json = format_comparison(c, CompareFormat::json);
  CHECK_THAT(json, Contains("\"name\": \"more|money\"") && Contains("\"difference\": 120") &&
                       Contains("\"excludes_zero\": true"));
  CHECK(std::count(json.begin(), json.end(), '{') == std::count(json.begin(), json.end(), '}'));

  const std::string md = format_comparison(c, CompareFormat::markdown);
  CHECK_THAT(md,
             Contains("### more\\|money") && Contains("| revenue (total) | currency | 1200 | 1320 | +120 |"));
  CHECK_THAT(md, Contains("| retention (12 months) | % |") && Contains("+2.00 pp"));  // shares in points

  const std::string table = format_comparison(c, CompareFormat::table);
  CHECK_THAT(table, Contains("more|money: a, b") && Contains("+2.00 pp"));
}

TEST_CASE("the summary table has one row per run and replication", "[compare]") {
  const SeriesSet a = synthetic(2, 1, 0.8), b = synthetic(3, 2, 0.8);
  const std::vector<RunSeries> runs = {{"baseline", "", {}, &a},
                                       {"sweep-000", "", {{"purchase.price", 45}}, &b}};
  const SummaryTable t = summary_table(runs);
  REQUIRE(t.strategy.size() == 5);
  CHECK(t.strategy ==
        std::vector<std::string>{"baseline", "baseline", "sweep-000", "sweep-000", "sweep-000"});
  CHECK(t.replication == std::vector<std::int64_t>{0, 1, 0, 1, 2});
  REQUIRE(t.sweep_columns.size() == 1);
  CHECK(std::isnan(t.sweep_columns[0].second[1]));
  CHECK(t.sweep_columns[0].second[4] == 45);
  for (const auto& [figure, column] : t.figure_columns) CHECK(column.size() == 5);
  const auto revenue = std::find_if(t.figure_columns.begin(), t.figure_columns.end(),
                                    [](const auto& c) { return c.first.column == "revenue_total"; });
  REQUIRE(revenue != t.figure_columns.end());
  CHECK(revenue->second[4] == 2 * 3 * kDays);
}
