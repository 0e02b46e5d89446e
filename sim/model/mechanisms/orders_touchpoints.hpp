#pragma once
// Orders and touchpoints: an order, its touchpoints (a table, one row per touchpoint
// type: touchpoint_table.hpp) and proactive notification.
//
// Not a standalone header: model.cpp includes it once, so the daily step and its mechanisms stay
// one translation unit and the compiler inlines across them as before the split
// (docs/performance.md). Tests reach the mechanisms directly (tests/unit/test_mechanisms.cpp).

namespace cxsim {

CXSIM_MECHANISM void Model::purchase(std::uint32_t i, std::int32_t t, Chunk& chunk) {
  Row& acc = chunk.acc;
  if (c_.record[i].purchases > 0 && p_.churn_enabled && !stays(i, t)) {
    if (episodes_.sampled(i)) {  // the record observes: no draw, no change
      if (c_.issue_severity[i] != Severity::none)
        episodes_.closed(i, t, EpisodeOutcome::unresolved, static_cast<std::uint8_t>(c_.issue_severity[i]),
                         c_.attitude[i]);
      episodes_.purchase_occasion(i, t, false);
    }
    note_change(i);
    c_.status[i] = Status::churned;
    count_churn(chunk, i);
    close_issue(i);
    c_.record[i].next_purchase = c_.record[i].next_question = c_.record[i].next_survey =
        c_.record[i].next_talk = kNever;
    acc[static_cast<int>(Metric::churned)] += 1;
    return;
  }

  if (episodes_.sampled(i)) episodes_.purchase_occasion(i, t, true);
  saturating_add(c_.record[i].purchases, 1);
  c_.record[i].revenue += static_cast<float>(p_.purchase_price);
  acc[static_cast<int>(Metric::orders)] += 1;
  acc[static_cast<int>(Metric::revenue)] += p_.purchase_price;
  acc[static_cast<int>(Metric::cost_of_goods)] += p_.purchase_unit_cost;
  c_.record[i].reference_price += static_cast<float>(p_.purchase_reference_adaptation *
                                                     (p_.purchase_price - c_.record[i].reference_price));
  decay_attitude(i, t);
  touchpoints(i, t, acc);

  Stream interval(key_, Purpose::purchase_interval, i, static_cast<std::uint64_t>(t));
  c_.record[i].next_purchase = add_days(t, days_until(interval, purchase_daily_));
}

CXSIM_MECHANISM void Model::draw_touchpoints(std::uint32_t i, std::int32_t t,
                                             std::span<TouchpointDraw> out) const {
  const auto mode_draws = [&](const TouchpointType& type, Stream& failures, TouchpointDraw& d) {
    double missed = 1;  // chance the firm detects none of the failures that occurred
    for (const FailureMode& mode : type.modes) {
      if (!mode.rate) continue;
      const bool occurred = failures.bernoulli(p_.*mode.rate);
      d.failed = d.failed || occurred;
      missed *= 1 - occurred * (p_.*mode.detection);
    }
    d.detection = 1 - missed;
  };
  boost::random::normal_distribution<double> normal(p_.quality_performance_normal, p_.quality_performance_sd);
  const std::size_t shared = std::min(out.size(), kSharedStreamTouchpoints);
  {  // The first rows share the order's streams: every failure mode, then severities, then performance.
    Stream failures(key_, Purpose::failure, i, static_cast<std::uint64_t>(t));
    Stream performance(key_, Purpose::touchpoint, i, static_cast<std::uint64_t>(t));
    for (std::size_t k = 0; k < shared; ++k) mode_draws(touchpoint_types_[k], failures, out[k]);
    for (std::size_t k = 0; k < shared; ++k) out[k].severity_u = failures.uniform();
    for (std::size_t k = 0; k < shared; ++k) out[k].good = normal(performance);
  }
  for (std::size_t k = shared; k < out.size(); ++k) {  // later rows: streams of their own
    const auto sub = static_cast<std::uint32_t>(k);
    Stream failures(key_, Purpose::failure, i, static_cast<std::uint64_t>(t), sub);
    Stream performance(key_, Purpose::touchpoint, i, static_cast<std::uint64_t>(t), sub);
    mode_draws(touchpoint_types_[k], failures, out[k]);
    out[k].severity_u = failures.uniform();
    out[k].good = normal(performance);
  }
}

CXSIM_MECHANISM void Model::touchpoints(std::uint32_t i, std::int32_t t, Row& acc) {
  // One experience per touchpoint type of the order (touchpoint_table.hpp).
  std::array<TouchpointDraw, kMaxTouchpoints> draws{};
  const std::size_t count = touchpoint_types_.size();
  draw_touchpoints(i, t, std::span(draws.data(), count));

  for (std::size_t k = 0; k < count; ++k) {
    const TouchpointDraw& draw = draws[k];
    Severity severity = Severity::none;
    double x = std::clamp(draw.good, 0.0, 1.0);
    if (draw.failed) {
      const double u = draw.severity_u;
      severity = u < p_.quality_severe_share                               ? Severity::severe
                 : u < p_.quality_severe_share + p_.quality_moderate_share ? Severity::moderate
                                                                           : Severity::mild;
      x = severity == Severity::severe     ? p_.quality_performance_severe
          : severity == Severity::moderate ? p_.quality_performance_moderate
                                           : p_.quality_performance_mild;
    }
    const float before = c_.attitude[i];
    const double stories_before[2] = {acc[static_cast<int>(Metric::stories_positive)],
                                      acc[static_cast<int>(Metric::stories_negative)]};
    Stream story(key_, Purpose::story_start, i, static_cast<std::uint64_t>(t), story_sub_of_touchpoint(k));
    experience(i, x, story, acc);
    if (severity != Severity::none) {
      acc[static_cast<int>(Metric::issues_opened)] += 1;
      const float loss = std::max(0.0f, before - c_.attitude[i]);
      if (c_.issue_severity[i] == Severity::none) {
        c_.record[i].attitude_pre = before;
        const bool notified = p_.proactive_enabled && notify(i, t, static_cast<int>(k), draw.detection, acc);
        float kept = loss;
        if (notified) {  // told before they found out: part of the blow is softened
          const auto softened = static_cast<float>(p_.proactive_loss_softening * loss);
          note_change(i);
          c_.attitude[i] += softened;
          kept -= softened;
        }
        open_issue(i, t, severity, kept, notified);
        if (episodes_.sampled(i)) {
          const bool positive = acc[static_cast<int>(Metric::stories_positive)] != stories_before[0];
          const bool negative = acc[static_cast<int>(Metric::stories_negative)] != stories_before[1];
          episodes_.open(i, t, c_.segment[i], static_cast<std::uint8_t>(k),
                         static_cast<std::uint8_t>(severity), notified, before, positive || negative,
                         positive, positive ? c_.record[i].story_positive : c_.record[i].story_negative);
        }
      } else {  // a second problem while one is open: the issue gets worse
        note_change(i);
        c_.issue_severity[i] = std::max(c_.issue_severity[i], severity);
        c_.record[i].issue_loss += loss;
      }
    }
  }
}

CXSIM_MECHANISM bool Model::notify(std::uint32_t i, std::int32_t t, int touchpoint, double detection,
                                   Row& acc) {
  Stream rng(key_, Purpose::proactive, i, static_cast<std::uint64_t>(t),
             static_cast<std::uint32_t>(touchpoint));
  const double detected = rng.uniform(), reached = rng.uniform();  // both drawn: common random numbers
  if (detected >= detection) return false;
  acc[static_cast<int>(Metric::notifications_sent)] += 1;
  acc[static_cast<int>(Metric::service_cost)] += p_.proactive_cost_per_notification;
  // Seed 004: a message sent when the customer usually reads them gets through more often.
  const double reach = choices_.proactive_timing == ProactiveTiming::preferred_hour
                           ? p_.proactive_reach_preferred_hour
                           : p_.proactive_reach_random_hour;
  if (reached >= reach) return false;
  acc[static_cast<int>(Metric::notifications_reached)] += 1;
  return true;
}

}  // namespace cxsim
