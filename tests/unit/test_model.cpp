// Unit tests of the daily step's mechanisms, each with the others switched off where they would
// blur the check. Statistical checks use tolerances of 4-5 standard deviations of the count.

#include <catch2/catch.hpp>
#include <cmath>

#include "core/errors.hpp"
#include "model/customers.hpp"
#include "model/model.hpp"
#include "support/run_helpers.hpp"

using namespace cxsim;
using namespace cxsim::testing;

TEST_CASE("nobody adopts without influence", "[model]") {
  Params p = small_market();
  p.market_initial_customer_share = 0;
  p.acquisition_p_per_year = 0;
  p.acquisition_q_per_year = 0;
  const auto r = simulate(p);
  CHECK(total(r, Metric::new_customers) == 0);
  CHECK(last(r, Metric::prospects) == p.market_population);
  CHECK(total(r, Metric::orders) == 0);
}

TEST_CASE("external influence alone adopts at 1 - exp(-p t)", "[model][statistical]") {
  Params p = small_market(20000, 365);
  p.market_initial_customer_share = 0;
  p.acquisition_p_per_year = 0.5;
  p.acquisition_q_per_year = 0;
  p.wom_share_after_delight = p.wom_share_after_failure = 0;
  p.acquisition_warning_impact = 0;
  const auto r = simulate(p);
  const double expected = 1 - std::exp(-0.5);
  const double sd = std::sqrt(expected * (1 - expected) / p.market_population);
  CHECK(std::abs(last(r, Metric::adopted_fraction) - expected) < 4 * sd);
  CHECK(total(r, Metric::new_customers_wom) == 0);
  CHECK(total(r, Metric::new_customers_external) == total(r, Metric::new_customers));
}

TEST_CASE("stocks add up and the money adds up, every day", "[model]") {
  Params p = small_market();
  p.run_replications = 2;
  const auto r = simulate(p);
  for (int rep = 0; rep < 2; ++rep)
    for (int d = 0; d < r.series.days; ++d) {
      const auto at = [&](Metric m) { return r.series.at(m, rep, d); };
      CHECK(at(Metric::prospects) + at(Metric::active_customers) + at(Metric::churned_customers) +
                at(Metric::rejecters) ==
            p.market_population);
      CHECK(at(Metric::revenue) == Approx(at(Metric::orders) * p.purchase_price));
      CHECK(at(Metric::cost_of_goods) == Approx(at(Metric::orders) * p.purchase_unit_cost));
      CHECK(at(Metric::acquisition_spend) ==
            Approx(at(Metric::new_customers) * p.acquisition_cost_per_customer));
      CHECK(at(Metric::profit) == Approx(at(Metric::revenue) - at(Metric::cost_of_goods) -
                                         at(Metric::service_cost) - at(Metric::acquisition_spend)));
      CHECK(at(Metric::contacts) == at(Metric::contacts_failure) + at(Metric::contacts_value));
      CHECK(at(Metric::contacts) == at(Metric::contacts_phone) + at(Metric::contacts_chat) +
                                        at(Metric::contacts_email) + at(Metric::contacts_chatbot));
      CHECK(at(Metric::contacts_repeat) <= at(Metric::contacts_failure));
      CHECK(at(Metric::csat_satisfied) <= at(Metric::csat_responses));
      CHECK(at(Metric::nps_promoters) + at(Metric::nps_detractors) <= at(Metric::nps_responses));
    }
  CHECK(total(r, Metric::orders) > 0);
  CHECK(total(r, Metric::contacts_failure) > 0);
  CHECK(total(r, Metric::contacts_repeat) > 0);
  CHECK(total(r, Metric::nps_responses) > 0);
  CHECK(total(r, Metric::wom_positive) > 0);
  CHECK(total(r, Metric::wom_negative) > 0);
}

TEST_CASE("without failures there is no failure demand", "[model]") {
  Params p = small_market();
  no_failures(p);
  const auto r = simulate(p);
  CHECK(total(r, Metric::issues_opened) == 0);
  CHECK(total(r, Metric::contacts_failure) == 0);
  CHECK(total(r, Metric::contacts_value) > 0);
}

TEST_CASE("customers who never complain make no failure contacts", "[model]") {
  Params p = small_market();
  p.contacts_probability_mild = p.contacts_probability_moderate = p.contacts_probability_severe = 0;
  const auto r = simulate(p);
  CHECK(total(r, Metric::issues_opened) > 0);
  CHECK(total(r, Metric::contacts_failure) == 0);
}

TEST_CASE("with churn off nobody leaves", "[model]") {
  Params p = small_market();
  p.churn_enabled = false;
  const auto r = simulate(p);
  CHECK(total(r, Metric::churned) == 0);
  CHECK(last(r, Metric::retention_cumulative) == 1.0);
}

TEST_CASE("cohort retention follows the customers of a year ago, from the start on day 365", "[model]") {
  Params p = small_market(4000, 365);
  p.run_save_customers = true;
  const auto r = simulate(p);
  const int days = r.series.days;
  for (int d = 0; d < 364; ++d) CHECK(std::isnan(r.series.at(Metric::retention_12m, 0, d)));
  // Of the customers at the start (adopted before day 0), the share still active at the end.
  const auto& columns = r.customers.at(0);
  const auto column = [&](const char* name) -> const CustomerColumn& {
    for (const CustomerColumn& c : columns)
      if (c.name == name) return c;
    FAIL("no column " << name);
    throw;
  };
  const auto& status = std::get<std::vector<std::uint8_t>>(column("status").data);
  const auto& adopted = std::get<std::vector<std::int32_t>>(column("adopted_day").data);
  double start = 0, kept = 0, kept_month = 0, month_base = 0;
  for (std::size_t i = 0; i < status.size(); ++i) {
    const bool active = status[i] == static_cast<std::uint8_t>(Status::active);
    start += adopted[i] == -1;
    kept += adopted[i] == -1 && active;
    kept_month += adopted[i] <= days - 31 && active;  // adopted by the end of day t - 30
  }
  REQUIRE(start > 0);
  CHECK(last(r, Metric::retention_12m) == kept / start);
  CHECK(last(r, Metric::retention_12m) < 1.0);  // churn is on
  // The monthly figure's base is the active count 30 days before the end.
  month_base = r.series.at(Metric::active_customers, 0, days - 31);
  CHECK(last(r, Metric::retention_1m) == kept_month / month_base);
  // Monthly churn also counts customers who joined within the month and left again; the cohort
  // figure follows only those already there, so it keeps at least 1 - churn.
  CHECK(last(r, Metric::retention_1m) >= 1 - last(r, Metric::monthly_churn_rate) - 1e-12);
}

TEST_CASE("orders and questions arrive at their configured rates", "[model][statistical]") {
  Params p = small_market(10000, 300);
  p.market_initial_customer_share = 1.0;
  p.acquisition_p_per_year = p.acquisition_q_per_year = 0;
  p.churn_enabled = false;
  no_failures(p);
  p.purchase_interval_days = 30;
  p.contacts_value_demand_per_year = 3.65;
  const auto r = simulate(p);
  // A renewal process with geometric gaps of mean 30 days started uniformly: N/30 orders a day.
  const double orders = p.market_population * 300 / 30.0;
  CHECK(std::abs(total(r, Metric::orders) - orders) < 5 * std::sqrt(orders));
  // Questions: a daily Bernoulli with p = 1 - exp(-0.01); the first day has none scheduled yet.
  const double questions = p.market_population * 299 * -std::expm1(-0.01);
  CHECK(std::abs(total(r, Metric::contacts_value) - questions) < 5 * std::sqrt(questions));
}

TEST_CASE("stories need a teller: no sharing, no stories", "[model]") {
  Params p = small_market();
  p.wom_share_after_delight = p.wom_share_after_failure = 0;
  p.wom_warning_rate_ratio = 0;
  const auto r = simulate(p);
  CHECK(total(r, Metric::stories_positive) == 0);
  CHECK(total(r, Metric::stories_negative) == 0);
  CHECK(total(r, Metric::wom_negative) == 0);
  CHECK(total(r, Metric::wom_positive) > 0);  // promoters still recommend
}

TEST_CASE("a network of the wrong size is refused", "[model]") {
  Params p = small_market(100, 10);
  Network net;
  net.size = 50;
  net.complete = true;
  CHECK_THROWS_AS(Model(p, net, RngKey{1, 0}), InputError);
}

TEST_CASE("the saved customer state describes every customer", "[model]") {
  Params p = small_market(3000, 60);
  p.run_save_customers = true;
  const auto r = simulate(p);
  REQUIRE(r.customers.size() == 1);
  const auto& columns = r.customers[0];
  REQUIRE_FALSE(columns.empty());
  std::uint64_t active = 0;
  for (const auto& col : columns) {
    std::visit([&](const auto& v) { CHECK(v.size() == 3000u); }, col.data);
    if (col.name == "status")
      for (auto s : std::get<std::vector<std::uint8_t>>(col.data)) active += s == 1;
  }
  CHECK(active == last(r, Metric::active_customers));
}

namespace {

/// Story messages per story started over days [from, to), both kinds, mean over replications.
std::pair<double, double> listeners_per_story(const RunResult& r, int reps, int from, int to) {
  double told[2] = {0, 0}, started[2] = {0, 0};
  for (int rep = 0; rep < reps; ++rep)
    for (int d = from; d < to; ++d) {
      told[0] += r.series.at(Metric::story_messages_positive, rep, d);
      told[1] += r.series.at(Metric::story_messages_negative, rep, d);
      started[0] += r.series.at(Metric::stories_positive, rep, d);
      started[1] += r.series.at(Metric::stories_negative, rep, d);
    }
  return {told[0] / started[0], told[1] / started[1]};
}

}  // namespace

TEST_CASE("word of mouth per story is steady over the run (stories are episodes)", "[model][statistical]") {
  // A steady mix of experiences: everyone a customer from day 0, nobody leaves or joins, so
  // delights and failures arrive at a constant rate. Stifling by "heard any story of the kind"
  // used to make each story reach fewer listeners as the run went on (2.2 -> 0.3 positive).
  Params p = small_market(20000, 540);
  p.market_initial_customer_share = 1.0;
  p.churn_enabled = false;
  p.run_replications = 2;
  const auto r = simulate(p);
  const auto early = listeners_per_story(r, 2, 30, 120);
  const auto late = listeners_per_story(r, 2, 450, 540);
  INFO("positive " << early.first << " -> " << late.first << ", negative " << early.second << " -> "
                   << late.second);
  // Stories number in the thousands per window; a story's reach has sd below its mean audience
  // (16), so 4 standard errors of the window mean are a few percent. Allow 10%.
  CHECK(late.first == Approx(early.first).epsilon(0.10));
  CHECK(late.second == Approx(early.second).epsilon(0.10));
  // A story reaches several listeners before stifling ends it (with one mark per kind it fell to
  // 0.3-0.8 within two years).
  CHECK(late.first > 2);
  CHECK(late.second > 2);
}

TEST_CASE("a new customer may recommend on its adoption day", "[model]") {
  // Everyone adopts on day 0 by advertising, and every adopter talks every day: the
  // recommendations of day 0 come from the day's adopters.
  Params p = small_market(2000, 2);
  p.market_initial_customer_share = 0;
  p.acquisition_p_per_year = 5;  // 1 - exp(-5/365): a few adopt on day 0
  p.wom_all_adopters_promote = true;
  p.acquisition_recommendation_conversion = 0.05;
  p.acquisition_q_per_year = 18;                              // 18 / 0.05 / 365 = 0.99 talks a day each
  p.wom_share_after_delight = p.wom_share_after_failure = 0;  // no stories: only recommendations
  const auto r = simulate(p);
  const double adopted = r.series.at(Metric::new_customers, 0, 0);
  REQUIRE(adopted > 0);
  // Each of the day's adopters talks on day 0 with chance 0.99 (none did when the first talk came
  // the day after adoption).
  CHECK(r.series.at(Metric::wom_positive, 0, 0) > 0.8 * adopted);
}

TEST_CASE("metric_first_day is the first day each series can have a value", "[model][metrics]") {
  // Studies refuse a figure read before this day (check_measure), so it must match what the model
  // writes: NaN on every earlier day, a value on that day in a busy market. The other metrics,
  // declared from day 1, have a value within the first month here (a late one would be NaN before
  // day 31 and fail: a window figure added without its first day).
  Params p;  // the defaults: every mechanism on
  p.market_population = 20000;
  p.run_horizon_days = 400;
  p.run_replications = 2;
  const auto r = simulate(p);
  for (int m = 0; m < kMetricCount; ++m) {
    const int first = metric_first_day(static_cast<Metric>(m));
    INFO(metric_defs()[static_cast<std::size_t>(m)].name << " declared from day " << first);
    for (int rep = 0; rep < r.series.replications; ++rep) {
      bool defined_early = false;
      for (int day = 1; day < first; ++day)
        defined_early = defined_early || !std::isnan(r.series.at(static_cast<Metric>(m), rep, day - 1));
      CHECK_FALSE(defined_early);
      if (first > 1) {
        CHECK_FALSE(std::isnan(r.series.at(static_cast<Metric>(m), rep, first - 1)));
      } else {
        bool defined = false;
        for (int day = 1; day <= kMetricWindowDays; ++day)
          defined = defined || !std::isnan(r.series.at(static_cast<Metric>(m), rep, day - 1));
        CHECK(defined);
      }
    }
  }
}
