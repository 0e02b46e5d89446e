#pragma once
// Measurement: the daily stocks, NPS surveys and the contact centre's figures.
//
// Not a standalone header: model.cpp includes it once, so the daily step and its mechanisms stay
// one translation unit and the compiler inlines across them as before the split
// (docs/performance.md). Tests reach the mechanisms directly (tests/unit/test_mechanisms.cpp).

namespace cxsim {

CXSIM_MECHANISM void Model::count_stocks(std::uint32_t lo, std::uint32_t hi, std::int32_t t, Row& acc) const {
  // Counted in registers and added once: sums of ones are exact, and the attitude sum keeps the
  // customer order, so the figures are bit-identical to adding customer by customer.
  static_assert(static_cast<int>(Status::prospect) == 0 && static_cast<int>(Status::active) == 1 &&
                static_cast<int>(Status::churned) == 2 && static_cast<int>(Status::rejecter) == 3);
  const StockView v = stock_view();
  std::uint64_t by_status[4] = {};
  scan::count_codes(v.status, lo, hi, by_status);

  // Attitude of the active customers (as attitude_at, with what it reads held in registers).
  std::uint64_t promoters = 0, detractors = 0, open = 0;
  double attitude_sum = 0;
  scan::each_equal(v.status, lo, hi, static_cast<std::uint8_t>(Status::active), [&](std::uint32_t i) {
    const float a = v.decayed(v.attitude[i], v.attitude_day[i], v.segment[i], t);
    attitude_sum += a;
    promoters += v.promoter(a);
    detractors += v.detractor(a);
    open += v.severity[i] != Severity::none;
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
}

void Model::count_tenure(const Tenure& tenure, Row& acc) {
  const auto add = [&](Metric m, double v) { acc[static_cast<int>(m)] += v; };
  // Active today and already active 365 / 30 days ago: churn is final, so "active then and now"
  // is "active now and adopted by then", which the chunk's Tenure counts as customers come and go.
  add(Metric::retention_12m, static_cast<double>(tenure.year));  // divided in step()
  add(Metric::retention_1m, static_cast<double>(tenure.month));
}

CXSIM_MECHANISM std::uint32_t Model::count_window(Chunk& chunk, std::uint32_t lo, std::uint32_t hi,
                                                  std::int32_t first, std::int32_t days) const {
  // count_stocks() for each day of the window, in one pass: the customers in order, each adding to
  // every day's figures, so each day's attitude sum keeps the customer order of count_stocks().
  constexpr int W = kStockDays;
  const StockView v = stock_view();
  const Decay& decayed = v.decayed;

  // The changed customers' first changes by customer, each one's in day order: a stable radix
  // sort of what was recorded in the order made, on the customer's place in the chunk (13 bits).
  static_assert(kChunk == 1u << 13);
  thread_local std::vector<StockChange> buffer;
  std::vector<StockChange>& changes = chunk.changes;
  buffer.resize(changes.size());
  for (const unsigned shift : {0u, 7u}) {
    std::array<std::uint32_t, 129> start{};
    for (const StockChange& c : changes) ++start[((c.customer >> shift) & 127u) + 1];
    for (std::size_t b = 0; b < 128; ++b) start[b + 1] += start[b];
    for (const StockChange& c : changes) buffer[start[(c.customer >> shift) & 127u]++] = c;
    changes.swap(buffer);
  }

  double sum[W] = {};
  std::uint32_t promoters[W] = {}, detractors[W] = {}, open[W] = {};
  std::int64_t by_status[W][4] = {};  // beyond the counts of the current state, below
  std::uint32_t open_now = 0;

  // A customer unchanged over the window: the same state every day.
  const auto steady = [&](std::uint32_t i) {
    const float a = v.attitude[i];
    const std::int32_t d = v.attitude_day[i];
    const float base = decayed.baseline[v.segment[i]];
    const std::int32_t elapsed = first - d;
    float day[W];
    if (elapsed >= 1 && static_cast<std::size_t>(elapsed) + W <= decayed.size) {
      const float diff = a - base;  // as Decay: base + (a - base) * factor
      const float* factor = decayed.table + elapsed;
      for (int k = 0; k < W; ++k) day[k] = base + diff * factor[k];
    } else {
      for (int k = 0; k < W; ++k) day[k] = decayed(a, d, v.segment[i], first + k);
    }
    for (int k = 0; k < W; ++k) {
      sum[k] += day[k];
      promoters[k] += v.promoter(day[k]);
      detractors[k] += v.detractor(day[k]);
    }
    open_now += v.severity[i] != Severity::none;
  };
  // A changed customer: its state each day, from the last day back to the first.
  const auto changed = [&](std::uint32_t i, const StockChange* from, const StockChange* to) {
    StockState s{v.attitude[i], v.attitude_day[i], static_cast<Status>(v.status[i]), v.severity[i]};
    const auto now = static_cast<Status>(v.status[i]);
    for (std::int32_t k = days - 1; k >= 0; --k) {
      if (to != from && to[-1].day == first + k) s = (--to)->before;
      if (s.status != now) {  // counted as its status now, below
        --by_status[k][static_cast<std::size_t>(now)];
        ++by_status[k][static_cast<std::size_t>(s.status)];
      }
      if (s.status != Status::active) continue;
      const float a = decayed(s.attitude, s.attitude_day, v.segment[i], first + k);
      sum[k] += a;
      promoters[k] += v.promoter(a);
      detractors[k] += v.detractor(a);
      open[k] += s.severity != Severity::none;
    }
  };
  std::uint32_t changed_customers = 0;
  const StockChange* next = changes.data();
  const StockChange* const last = next + changes.size();
  // The changed customers before i, in order (whatever their state now).
  const auto changed_before = [&](std::uint32_t i) {
    while (next != last && next->customer < i) {
      const StockChange* to = next;
      while (to != last && to->customer == next->customer) ++to;
      changed(next->customer, next, to);
      ++changed_customers;
      next = to;
    }
  };
  scan::each_equal(v.status, lo, hi, static_cast<std::uint8_t>(Status::active), [&](std::uint32_t i) {
    changed_before(i);
    if (next != last && next->customer == i) return;  // changed_before(i + 1) takes it
    steady(i);
  });
  changed_before(hi);

  std::uint64_t now[4] = {};
  scan::count_codes(v.status, lo, hi, now);
  for (std::int32_t k = 0; k < days; ++k) {
    StockFigures& f = chunk.window[static_cast<std::size_t>(k)];
    for (std::size_t s = 0; s < 4; ++s)
      f.by_status[s] = static_cast<double>(static_cast<std::int64_t>(now[s]) + by_status[k][s]);
    f.attitude = sum[k];
    f.promoters = static_cast<double>(promoters[k]);
    f.detractors = static_cast<double>(detractors[k]);
    f.open = static_cast<double>(open[k] + open_now);
  }
  changes.clear();
  return changed_customers;
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
