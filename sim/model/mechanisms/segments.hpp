#pragma once
// The day's figures by customer segment (output.by_segment), beside the totals. The totals are
// computed exactly as without the split (the same additions in the same order); the split only
// reads what each customer or item added to its chunk's row and adds that to the customer's
// segment. Whole-number counts therefore split exactly; a sum of amounts (revenue, attitude)
// splits to within rounding. Off, none of this runs.
//
// Not a standalone header: model.cpp includes it once, so the daily step and its mechanisms stay
// one translation unit and the compiler inlines across them as before the split
// (docs/performance.md). Tests reach the mechanisms directly (tests/unit/test_mechanisms.cpp).

namespace cxsim {

namespace {

// Figures of the contact centre's queues as a whole: they have no customer, so a segment's row
// holds NaN for them (docs/results-format.md). service_cost includes the centre's wages, and so
// profit (and the window figure clv, from the margin) are NaN too.
constexpr Metric kWholeOnly[] = {
    Metric::asa_s, Metric::offered, Metric::answered, Metric::abandoned, Metric::answered_within_target,
    Metric::queue_outcomes, Metric::turned_away, Metric::service_level, Metric::abandonment_rate,
    Metric::aht_s, Metric::occupancy, Metric::agent_hours, Metric::transfers, Metric::chatbot_contained,
    Metric::chatbot_escalated, Metric::phone_offered, Metric::phone_answered, Metric::phone_abandoned,
    Metric::phone_service_level, Metric::phone_asa_s, Metric::phone_aht_s, Metric::phone_occupancy,
    Metric::chat_offered, Metric::chat_answered, Metric::chat_abandoned, Metric::chat_service_level,
    Metric::chat_asa_s, Metric::chat_aht_s, Metric::chat_occupancy, Metric::email_offered,
    Metric::email_answered, Metric::email_abandoned, Metric::email_service_level, Metric::email_asa_s,
    Metric::email_aht_s, Metric::email_occupancy, Metric::service_cost, Metric::profit};

// Word of mouth told: counted where it is delivered (phase 4, by the listener), split by the
// teller when it is queued (phase 1).
constexpr Metric kToldMetrics[] = {Metric::wom_positive, Metric::wom_negative, Metric::story_messages_positive,
                                   Metric::story_messages_negative};

}  // namespace

void Model::split_customer(Chunk& chunk, std::uint32_t i, const Row& before, std::size_t messages_before) const {
  double* const seg = chunk.by_segment.data() + static_cast<std::size_t>(c_.segment[i]) * kMetricCount;
  for (int m = 0; m < kMetricCount; ++m) seg[m] += chunk.acc[m] - before[m];
  const auto add = [&](Metric m) { seg[static_cast<int>(m)] += 1; };
  for (std::size_t k = messages_before; k < chunk.messages.size(); ++k) {
    switch (chunk.messages[k].kind) {
      case Message::recommendation:
        add(Metric::wom_positive);
        break;
      case Message::warning:
        add(Metric::wom_negative);
        break;
      case Message::good_story:
        add(Metric::wom_positive);
        add(Metric::story_messages_positive);
        break;
      case Message::bad_story:
        add(Metric::wom_negative);
        add(Metric::story_messages_negative);
        break;
    }
  }
}

void Model::split_item(Chunk& chunk, std::uint32_t i, const Row& before, const Row& acc) const {
  double* const seg = chunk.by_segment.data() + static_cast<std::size_t>(c_.segment[i]) * kMetricCount;
  for (int m = 0; m < kMetricCount; ++m) seg[m] += acc[m] - before[m];
  for (Metric m : kToldMetrics) seg[static_cast<int>(m)] -= acc[static_cast<int>(m)] - before[static_cast<int>(m)];
}

void Model::count_stocks_by_segment(std::uint32_t lo, std::uint32_t hi, std::int32_t t, Chunk& chunk) const {
  // count_stocks(), customer by customer into the customer's segment.
  const Decay decayed = decay();
  const auto add = [&](std::uint8_t s, Metric m, double v) {
    chunk.by_segment[static_cast<std::size_t>(s) * kMetricCount + static_cast<std::size_t>(m)] += v;
  };
  for (std::uint32_t i = lo; i < hi; ++i) {
    const std::uint8_t s = c_.segment[i];
    switch (c_.status[i]) {
      case Status::prospect:
        add(s, Metric::prospects, 1);
        break;
      case Status::churned:
        add(s, Metric::churned_customers, 1);
        break;
      case Status::rejecter:
        add(s, Metric::rejecters, 1);
        break;
      case Status::active: {
        add(s, Metric::active_customers, 1);
        const float a = decayed(c_.attitude[i], c_.attitude_day[i], s, t);
        add(s, Metric::mean_attitude, a);
        const bool promoter = p_.wom_all_adopters_promote || a >= promoter_attitude_;
        add(s, Metric::promoter_share, promoter ? 1 : 0);
        add(s, Metric::detractor_share, !promoter && a <= detractor_attitude_ ? 1 : 0);
        add(s, Metric::open_issues, c_.issue_severity[i] != Severity::none ? 1 : 0);
        add(s, Metric::retention_12m, c_.adopted_day[i] <= t - 365 ? 1 : 0);
        add(s, Metric::retention_1m, c_.adopted_day[i] <= t - 30 ? 1 : 0);
        break;
      }
    }
  }
}

void Model::finish_segments(std::int32_t t) {
  const std::size_t segments = p_.segments.size();
  std::fill(segment_rows_.begin(), segment_rows_.end(), 0.0);
  for (const Chunk& chunk : chunks_)  // fixed order: deterministic sums
    for (std::size_t k = 0; k < segment_rows_.size(); ++k) segment_rows_[k] += chunk.by_segment[k];

  // First-contact resolution of the segment's first contacts about a problem, as step() counts it.
  std::vector<double> first(segments, 0.0), first_resolved(segments, 0.0);
  for (const ContactOutcome& outcome : day_.outcomes) {
    if (outcome.severity != 0 && !outcome.is_repeat) {
      const std::uint8_t s = c_.segment[static_cast<std::uint32_t>(outcome.customer)];
      first[s] += 1;
      first_resolved[s] += outcome.resolved ? 1 : 0;
    }
  }

  const double nan = std::numeric_limits<double>::quiet_NaN();
  segment_active_by_day_.resize((static_cast<std::size_t>(t) + 1) * segments);
  for (std::size_t s = 0; s < segments; ++s) {
    double* const row = segment_rows_.data() + s * kMetricCount;
    const auto at = [&](Metric m) -> double& { return row[static_cast<int>(m)]; };
    for (Metric m : kWholeOnly) at(m) = nan;
    // The ratios of step(), over the segment's customers.
    const double active = at(Metric::active_customers);
    const double people =
        at(Metric::prospects) + active + at(Metric::churned_customers) + at(Metric::rejecters);
    at(Metric::adopted_fraction) = people > 0 ? (active + at(Metric::churned_customers)) / people : nan;
    at(Metric::mean_attitude) = active > 0 ? at(Metric::mean_attitude) / active : nan;
    at(Metric::promoter_share) = active > 0 ? at(Metric::promoter_share) / active : nan;
    at(Metric::detractor_share) = active > 0 ? at(Metric::detractor_share) / active : nan;
    at(Metric::fcr) = first[s] > 0 ? first_resolved[s] / first[s] : nan;
    segment_active_by_day_[static_cast<std::size_t>(t) * segments + s] = active;
    const auto cohort = [&](Metric m, std::int32_t k) {
      const double then =
          t >= k ? segment_active_by_day_[static_cast<std::size_t>(t - k) * segments + s] : 0.0;
      at(m) = then > 0 ? at(m) / then : nan;
    };
    cohort(Metric::retention_12m, 365);
    cohort(Metric::retention_1m, 30);
  }
}

}  // namespace cxsim
