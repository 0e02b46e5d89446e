// The contact centre inside the full model (issue 3): monotonic effects of the levers, checked on
// the same customers (common random numbers) with a 95% Student t interval of the paired
// difference over replications that must exclude zero in the expected direction.

#include <catch2/catch.hpp>
#include <vector>

#include "core/errors.hpp"
#include "kpi/stats.hpp"
#include "service/contact_config.hpp"
#include "support/run_helpers.hpp"

using namespace cxsim;
using namespace cxsim::testing;

namespace {

/// A busy phone line: many questions, half of them by phone, so staffing matters.
Params busy_centre() {
  Params p = small_market(20000, 240);
  p.market_initial_customer_share = 0.5;
  p.run_replications = 4;
  p.contacts_value_demand_per_year = 20;  // ~550 questions a day from 10,000 customers
  p.phone_agents = 2;
  p.chat_agents = 2;
  p.email_agents = 2;
  return p;
}

std::vector<double> per_rep(const RunResult& r, Metric m, bool mean_over_days) {
  std::vector<double> out(static_cast<std::size_t>(r.series.replications), 0.0);
  for (int rep = 0; rep < r.series.replications; ++rep) {
    int n = 0;
    for (int d = 0; d < r.series.days; ++d) {
      const double v = r.series.at(m, rep, d);
      if (std::isnan(v)) continue;
      out[rep] += v;
      ++n;
    }
    if (mean_over_days && n) out[rep] /= n;
  }
  return out;
}

/// 95% interval of a - b over paired replications.
Interval paired(const RunResult& a, const RunResult& b, Metric m, bool mean_over_days = false) {
  const auto x = per_rep(a, m, mean_over_days), y = per_rep(b, m, mean_over_days);
  std::vector<double> diff;
  for (std::size_t i = 0; i < x.size(); ++i) diff.push_back(x[i] - y[i]);
  return confidence_interval(diff);
}

bool above_zero(const Interval& ci) {
  return ci.mean - ci.half_width > 0;
}

}  // namespace

TEST_CASE("more agents: shorter waits, fewer abandoned, higher CSAT, less churn", "[queue][statistical]") {
  Params few = busy_centre();
  Params more = few;
  more.phone_agents = 4;
  more.chat_agents = 3;
  const auto a = simulate(few), b = simulate(more);
  const auto asa = paired(a, b, Metric::asa_s, true);
  const auto abandoned = paired(a, b, Metric::abandoned);
  const auto csat = paired(b, a, Metric::csat_satisfied);
  const auto churn = paired(a, b, Metric::churned);
  const auto cost = paired(b, a, Metric::service_cost);
  INFO("ASA few - more: " << asa.mean << " +/- " << asa.half_width);
  INFO("abandoned few - more: " << abandoned.mean << " +/- " << abandoned.half_width);
  INFO("CSAT satisfied more - few: " << csat.mean << " +/- " << csat.half_width);
  INFO("churned few - more: " << churn.mean << " +/- " << churn.half_width);
  CHECK(above_zero(asa));
  CHECK(above_zero(abandoned));
  CHECK(above_zero(csat));
  CHECK(above_zero(churn));
  CHECK(above_zero(cost));  // staff costs money
}

TEST_CASE("proactive notification: reaches customers as timed, prevents contacts", "[queue][statistical]") {
  Params off = busy_centre();
  off.contacts_value_demand_per_year = 0.5;
  off.quality_late_delivery_rate = 0.15;  // plenty of detectable problems
  Params preferred = off;
  preferred.proactive_enabled = true;
  Params random_hour = preferred;
  random_hour.proactive_timing = "random_hour";
  const auto a = simulate(off), b = simulate(preferred), c = simulate(random_hour);

  CHECK(total(a, Metric::notifications_sent) == 0);
  // Reach follows the timing's probability (binomial, 4 standard errors).
  for (const auto& [r, reach] : {std::pair{&b, preferred.proactive_reach_preferred_hour},
                                 std::pair{&c, preferred.proactive_reach_random_hour}}) {
    const double sent = total(*r, Metric::notifications_sent);
    REQUIRE(sent > 1000);
    const double reached = total(*r, Metric::notifications_reached);
    CHECK(std::abs(reached / sent - reach) < 4 * std::sqrt(reach * (1 - reach) / sent));
  }
  const auto contacts = paired(a, b, Metric::contacts_failure);
  INFO("failure contacts off - on: " << contacts.mean << " +/- " << contacts.half_width);
  CHECK(above_zero(contacts));
  const auto timing = paired(c, b, Metric::contacts_failure);
  INFO("failure contacts random hour - preferred hour: " << timing.mean << " +/- " << timing.half_width);
  CHECK(above_zero(timing));
}

TEST_CASE("skills-based routing: fewer transfers", "[queue][statistical]") {
  Params basic = busy_centre();
  Params skills = basic;
  skills.contact_centre_routing = "skills_based";
  const auto a = simulate(basic), b = simulate(skills);
  const auto transfers = paired(a, b, Metric::transfers);
  INFO("transfers basic - skills: " << transfers.mean << " +/- " << transfers.half_width);
  CHECK(above_zero(transfers));
  // With 80% vs 95% right first time, transfers per answered contact are about 0.20 vs 0.05.
  const double share = total(a, Metric::transfers) / total(a, Metric::answered);
  CHECK(share == Approx(0.20).margin(0.03));
}

TEST_CASE("the contact centre's figures add up every day", "[queue]") {
  Params p = busy_centre();
  p.run_replications = 1;
  p.run_horizon_days = 60;
  const auto r = simulate(p);
  for (int d = 0; d < r.series.days; ++d) {
    const auto at = [&](Metric m) { return r.series.at(m, 0, d); };
    CHECK(at(Metric::offered) ==
          at(Metric::phone_offered) + at(Metric::chat_offered) + at(Metric::email_offered));
    CHECK(at(Metric::answered) <= at(Metric::offered) + at(Metric::email_offered));  // e-mail backlog
    CHECK(at(Metric::answered_within_target) <= at(Metric::answered));
    CHECK_FALSE(at(Metric::service_level) > 1.0);  // NaN on a day without outcomes
    CHECK(at(Metric::queue_outcomes) == at(Metric::answered) + at(Metric::abandoned));
    CHECK(at(Metric::occupancy) <= 1.0 + 1e-12);
    // Paid hours: 2 phone, 2 chat agents for 12 h, 2 e-mail agents for 10 h, plus overtime.
    CHECK(at(Metric::agent_hours) >= 2 * 12 + 2 * 12 + 2 * 10 - 1e-9);
    CHECK(at(Metric::service_cost) >= 25.0 * (2 * 12 + 2 * 12 + 2 * 10) - 1e-6);
  }
  CHECK(total(r, Metric::chatbot_contained) > 0);
  CHECK(total(r, Metric::chatbot_escalated) > 0);
}

TEST_CASE("bad staffing is refused with the scenario key", "[queue]") {
  Params p;
  p.phone_agents = 0;  // no agents while the phone line is open
  CHECK_THROWS_WITH(check_scenario(p), Catch::Contains("phone") && Catch::Contains("agents"));
  try {
    check_scenario(p);
  } catch (const InputError& e) {
    CHECK(e.key() == "phone.agents");
  }
  p = Params{};
  p.phone_roster = std::vector<std::int64_t>(24, 3);
  p.phone_roster[12] = 0;  // a gap in the roster at noon
  try {
    check_scenario(p);
    FAIL("a roster with no agent at noon was accepted");
  } catch (const InputError& e) {
    CHECK(e.key() == "phone.roster");
  }
  p = Params{};
  p.phone_open_hour = 20;
  p.phone_close_hour = 8;
  CHECK_THROWS_AS(check_scenario(p), InputError);
  p = Params{};
  p.phone_agents = 0;
  p.phone_enabled = false;  // a closed channel needs nobody
  CHECK_NOTHROW(check_scenario(p));
}

TEST_CASE("contacts arrive by the scenario's hourly profile", "[queue]") {
  Params p = busy_centre();
  p.run_replications = 1;
  p.run_horizon_days = 30;
  p.contacts_arrival_profile = std::vector<std::int64_t>(24, 0);
  p.contacts_arrival_profile[3] = 1;  // everyone calls at 3 a.m., when phone and chat are closed
  const auto r = simulate(p);
  CHECK(total(r, Metric::phone_offered) == 0);
  CHECK(total(r, Metric::chat_offered) == 0);  // the all-night bot's escalations meet a closed chat too
  CHECK(total(r, Metric::turned_away) == total(r, Metric::contacts_phone) + total(r, Metric::contacts_chat) +
                                             total(r, Metric::chatbot_escalated));
  CHECK(total(r, Metric::contacts_phone) > 0);

  p.contacts_arrival_profile.assign(24, 0);
  CHECK_THROWS_WITH(check_scenario(p), Catch::Contains("contacts.arrival_profile"));
}
