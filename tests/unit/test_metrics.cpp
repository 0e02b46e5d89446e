#include <catch2/catch.hpp>
#include <cmath>

#include "kpi/stats.hpp"
#include "model/metrics.hpp"

using namespace cxsim;

TEST_CASE("NPS, CSAT and CLV arithmetic (docs/validation.md)", "[metrics]") {
  CHECK(net_promoter_score(40, 35, 25) == Approx(15.0));
  const double answers[5] = {5, 5, 10, 20, 10};  // 5x1, 5x2, 10x3, 20x4, 10x5
  CHECK(csat_share(std::span<const double, 5>(answers)) == Approx(0.60));
  CHECK(customer_lifetime_value(100, 0.8, 0.1) == Approx(266.6667).epsilon(1e-5));
  CHECK(std::isnan(net_promoter_score(0, 0, 0)));
}

TEST_CASE("window metrics from daily flows", "[metrics]") {
  const int days = 61;
  SeriesSet s(1, days);
  for (int d = 0; d < days; ++d) {
    s.at(Metric::active_customers, 0, d) = 1000;
    s.at(Metric::churned, 0, d) = 1;  // 30 a month out of 1000
    s.at(Metric::churned_customers, 0, d) = d + 1;
    s.at(Metric::orders, 0, d) = 10;
    s.at(Metric::contacts, 0, d) = 2;
    s.at(Metric::nps_responses, 0, d) = 10;
    s.at(Metric::nps_promoters, 0, d) = 5;
    s.at(Metric::nps_detractors, 0, d) = 2;
    s.at(Metric::csat_responses, 0, d) = d % 2 ? 4 : 0;
    s.at(Metric::csat_satisfied, 0, d) = d % 2 ? 3 : 0;
    s.at(Metric::revenue, 0, d) = 100;
    s.at(Metric::cost_of_goods, 0, d) = 60;
  }
  Params p;
  derive_window_metrics(s, 0, p);
  CHECK(s.at(Metric::monthly_churn_rate, 0, 60) == Approx(0.03));
  CHECK(std::isnan(s.at(Metric::monthly_churn_rate, 0, 10)));  // no full window yet
  CHECK(s.at(Metric::contacts_per_order, 0, 60) == Approx(0.2));
  CHECK(s.at(Metric::nps, 0, 60) == Approx(30.0));
  CHECK(s.at(Metric::csat, 0, 1) == Approx(0.75));
  CHECK(std::isnan(s.at(Metric::csat, 0, 2)));
  CHECK(s.at(Metric::retention_cumulative, 0, 60) == Approx(1000.0 / 1061.0));
  // CLV: margin 40/day over 1000 customers = 14.6 a customer-year, r = 0.97^(365/30).
  const double r = std::pow(0.97, 365.0 / 30.0);
  CHECK(s.at(Metric::clv, 0, 60) == Approx(customer_lifetime_value(14.6, r, p.finance_discount_rate)));
}

TEST_CASE("Student t intervals", "[metrics]") {
  CHECK(t_quantile(0.95, 9) == Approx(2.262157).epsilon(1e-5));
  const double v[4] = {1, 2, 3, 4};
  const auto ci = confidence_interval(v);
  CHECK(ci.mean == Approx(2.5));
  CHECK(ci.half_width == Approx(3.182446 * std::sqrt(5.0 / 3.0) / 2).epsilon(1e-5));
  const double one[1] = {1};
  CHECK(std::isnan(confidence_interval(one).half_width));
}
