#include "model/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cxsim {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kWindow = kMetricWindowDays;  // days in a "month" for rolling figures
}  // namespace

double net_promoter_score(double promoters, double passives, double detractors) {
  const double n = promoters + passives + detractors;
  if (n <= 0) return kNaN;
  return 100.0 * (promoters - detractors) / n;
}

double csat_share(std::span<const double, 5> counts) {
  double n = 0;
  for (double c : counts) n += c;
  if (n <= 0) return kNaN;
  return (counts[3] + counts[4]) / n;
}

double customer_lifetime_value(double margin, double retention, double discount) {
  return margin * retention / (1.0 + discount - retention);
}

void derive_window_metrics(SeriesSet& s, int rep, const Params& params) {
  const int days = s.days;
  auto window_sum = [&](Metric m, int day) {
    double sum = 0;
    for (int d = std::max(0, day - kWindow + 1); d <= day; ++d) sum += s.at(m, rep, d);
    return sum;
  };
  for (int day = 0; day < days; ++day) {
    const double responses = s.at(Metric::csat_responses, rep, day);
    s.at(Metric::csat, rep, day) = responses > 0 ? s.at(Metric::csat_satisfied, rep, day) / responses : kNaN;

    const double nps_n = window_sum(Metric::nps_responses, day);
    const double promoters = window_sum(Metric::nps_promoters, day);
    const double detractors = window_sum(Metric::nps_detractors, day);
    s.at(Metric::nps, rep, day) = net_promoter_score(promoters, nps_n - promoters - detractors, detractors);

    const double active = s.at(Metric::active_customers, rep, day);
    const double churned_stock = s.at(Metric::churned_customers, rep, day);
    s.at(Metric::retention_cumulative, rep, day) =
        active + churned_stock > 0 ? active / (active + churned_stock) : kNaN;

    // Monthly churn: lost over the window / active at the window's start.
    const int start = day - kWindow;
    const double active_start = start >= 0 ? s.at(Metric::active_customers, rep, start) : kNaN;
    const double lost = window_sum(Metric::churned, day);
    const double monthly_churn = active_start > 0 ? lost / active_start : kNaN;
    s.at(Metric::monthly_churn_rate, rep, day) = monthly_churn;

    const double orders = window_sum(Metric::orders, day);
    s.at(Metric::contacts_per_order, rep, day) =
        orders > 0 ? window_sum(Metric::contacts, day) / orders : kNaN;

    // CLV per active customer: annual margin per active customer, annual retention from the
    // monthly churn, annual discount rate.
    const int span = std::min(day + 1, kWindow);
    double active_sum = 0;
    for (int d = day - span + 1; d <= day; ++d) active_sum += s.at(Metric::active_customers, rep, d);
    const double margin = window_sum(Metric::revenue, day) - window_sum(Metric::cost_of_goods, day) -
                          window_sum(Metric::service_cost, day);
    const double annual_margin = active_sum > 0 ? margin / (active_sum / span) * (365.0 / span) : kNaN;
    const double annual_retention =
        std::isnan(monthly_churn) ? kNaN : std::pow(std::max(0.0, 1.0 - monthly_churn), 365.0 / kWindow);
    s.at(Metric::clv, rep, day) =
        customer_lifetime_value(annual_margin, annual_retention, params.finance_discount_rate);
  }
}

}  // namespace cxsim
