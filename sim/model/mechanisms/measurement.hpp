#pragma once
// Measurement: the daily stocks, NPS surveys and the contact centre's figures.
//
// Not a standalone header: model.cpp includes it once, so the daily step and its mechanisms stay
// one translation unit and the compiler inlines across them as before the split
// (docs/performance.md). Tests reach the mechanisms directly (tests/unit/test_mechanisms.cpp).

namespace cxsim {

CXSIM_MECHANISM void Model::count_stocks(std::uint32_t lo, std::uint32_t hi, std::int32_t t,
                                         const Tenure& tenure, Row& acc) const {
  // Counted in registers and added once: sums of ones are exact, and the attitude sum keeps the
  // customer order, so the figures are bit-identical to adding customer by customer.
  static_assert(static_cast<int>(Status::prospect) == 0 && static_cast<int>(Status::active) == 1 &&
                static_cast<int>(Status::churned) == 2 && static_cast<int>(Status::rejecter) == 3);
  const auto* status = reinterpret_cast<const std::uint8_t*>(c_.status.data());
  std::uint64_t by_status[4] = {};
  scan::count_codes(status, lo, hi, by_status);

  // Attitude of the active customers (as attitude_at, with what it reads held in registers).
  std::uint64_t promoters = 0, detractors = 0, open = 0;
  double attitude_sum = 0;
  const float* const attitude = c_.attitude.data();
  const std::int32_t* const attitude_day = c_.attitude_day.data();
  const std::uint8_t* const segment = c_.segment.data();
  const Severity* const severity = c_.issue_severity.data();
  const Decay decayed = decay();
  const bool all_promote = p_.wom_all_adopters_promote;
  const float promoter_from = promoter_attitude_, detractor_to = detractor_attitude_;
  scan::each_equal(status, lo, hi, static_cast<std::uint8_t>(Status::active), [&](std::uint32_t i) {
    const float a = decayed(attitude[i], attitude_day[i], segment[i], t);
    attitude_sum += a;
    const bool promoter = all_promote || a >= promoter_from;
    promoters += promoter;
    detractors += !promoter && a <= detractor_to;
    open += severity[i] != Severity::none;
  });
  const auto add = [&](Metric m, double v) { acc[static_cast<int>(m)] += v; };
  add(Metric::prospects, static_cast<double>(by_status[0]));
  add(Metric::active_customers, static_cast<double>(by_status[1]));
  add(Metric::churned_customers, static_cast<double>(by_status[2]));
  add(Metric::rejecters, static_cast<double>(by_status[3]));
  add(Metric::mean_attitude, attitude_sum);
  add(Metric::promoter_share, static_cast<double>(promoters));
  add(Metric::detractor_share, static_cast<double>(detractors));
  add(Metric::open_issues, static_cast<double>(open));
  // Active today and already active 365 / 30 days ago: churn is final, so "active then and now"
  // is "active now and adopted by then", which the chunk's Tenure counts as customers come and go.
  add(Metric::retention_12m, static_cast<double>(tenure.year));  // divided in step()
  add(Metric::retention_1m, static_cast<double>(tenure.month));
}

CXSIM_MECHANISM void Model::survey(std::uint32_t i, std::int32_t t, Row& acc) {
  Stream rng(key_, Purpose::nps_survey, i, static_cast<std::uint64_t>(t));
  boost::random::normal_distribution<double> noise(0.0, p_.survey_ltr_noise);
  const double answer = p_.survey_ltr_mid + p_.survey_ltr_slope * attitude_at(i, t) +
                        (p_.survey_ltr_noise > 0 ? noise(rng) : 0.0);
  const long ltr = std::clamp(std::lround(answer), 0L, 10L);
  acc[static_cast<int>(Metric::nps_responses)] += 1;
  acc[static_cast<int>(Metric::nps_promoters)] += ltr >= 9 ? 1 : 0;
  acc[static_cast<int>(Metric::nps_detractors)] += ltr <= 6 ? 1 : 0;
  Stream next(key_, Purpose::nps_survey, i, static_cast<std::uint64_t>(t), 1);
  c_.record[i].next_survey = add_days(t, days_until(next, survey_daily_));
}

void Model::record_contact_centre(Row& row) const {
  const auto add = [&](Metric m, double v) { row[static_cast<int>(m)] += v; };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto ratio = [&](double a, double b) { return b > 0 ? a / b : nan; };
  double offered = 0, answered = 0, within = 0, handle = 0, completed = 0, busy = 0, paid = 0;
  double live_wait = 0, live_answered = 0;  // phone and chat: ASA is a real-time figure
  struct PerChannel {
    Channel channel;
    Metric offered, answered, abandoned, service_level, asa, aht, occupancy;
  };
  static constexpr PerChannel kAgentChannels[] = {
      {Channel::phone, Metric::phone_offered, Metric::phone_answered, Metric::phone_abandoned,
       Metric::phone_service_level, Metric::phone_asa_s, Metric::phone_aht_s, Metric::phone_occupancy},
      {Channel::chat, Metric::chat_offered, Metric::chat_answered, Metric::chat_abandoned,
       Metric::chat_service_level, Metric::chat_asa_s, Metric::chat_aht_s, Metric::chat_occupancy},
      {Channel::email, Metric::email_offered, Metric::email_answered, Metric::email_abandoned,
       Metric::email_service_level, Metric::email_asa_s, Metric::email_aht_s, Metric::email_occupancy},
  };
  for (const PerChannel& c : kAgentChannels) {
    const ChannelDayStats& st = day_[c.channel];
    row[static_cast<int>(c.offered)] = static_cast<double>(st.offered);
    row[static_cast<int>(c.answered)] = static_cast<double>(st.answered);
    row[static_cast<int>(c.abandoned)] = static_cast<double>(st.abandoned);
    // Service level over the day's outcomes (answered or abandoned today), so an e-mail backlog
    // answered today cannot push it above 1.
    row[static_cast<int>(c.service_level)] = ratio(static_cast<double>(st.answered_within_target),
                                                   static_cast<double>(st.answered + st.abandoned));
    row[static_cast<int>(c.asa)] = ratio(st.wait_answered_s, static_cast<double>(st.answered));
    row[static_cast<int>(c.aht)] = ratio(st.handle_s, static_cast<double>(st.completed));
    row[static_cast<int>(c.occupancy)] = ratio(st.busy_agent_s, st.paid_agent_s);
    offered += static_cast<double>(st.offered);
    answered += static_cast<double>(st.answered);
    within += static_cast<double>(st.answered_within_target);
    if (c.channel != Channel::email) {
      live_wait += st.wait_answered_s;
      live_answered += static_cast<double>(st.answered);
    }
    handle += st.handle_s;
    completed += static_cast<double>(st.completed);
    busy += st.busy_agent_s;
    paid += st.paid_agent_s;
    add(Metric::abandoned, static_cast<double>(st.abandoned));
    add(Metric::transfers, static_cast<double>(st.transfers));
  }
  double turned_away = 0, cost = 0;
  for (Channel c : kAllChannels) {
    turned_away += static_cast<double>(day_[c].closed);
    cost += day_[c].cost;
  }
  add(Metric::offered, offered);
  add(Metric::answered, answered);
  add(Metric::answered_within_target, within);
  add(Metric::turned_away, turned_away);
  add(Metric::agent_hours, paid / 3600.0);
  add(Metric::service_cost, cost);
  add(Metric::chatbot_contained, static_cast<double>(day_[Channel::chatbot].contained));
  add(Metric::chatbot_escalated, static_cast<double>(day_[Channel::chatbot].escalated));
  const double abandoned = row[static_cast<int>(Metric::abandoned)];
  add(Metric::queue_outcomes, answered + abandoned);
  row[static_cast<int>(Metric::service_level)] = ratio(within, answered + abandoned);
  row[static_cast<int>(Metric::abandonment_rate)] = ratio(abandoned, answered + abandoned);
  row[static_cast<int>(Metric::asa_s)] = ratio(live_wait, live_answered);
  row[static_cast<int>(Metric::aht_s)] = ratio(handle, completed);
  row[static_cast<int>(Metric::occupancy)] = ratio(busy, paid);
}

}  // namespace cxsim
