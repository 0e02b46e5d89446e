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
constexpr Metric kWholeOnly[] = {Metric::asa_s,
                                 Metric::offered,
                                 Metric::answered,
                                 Metric::abandoned,
                                 Metric::answered_within_target,
                                 Metric::queue_outcomes,
                                 Metric::turned_away,
                                 Metric::service_level,
                                 Metric::abandonment_rate,
                                 Metric::aht_s,
                                 Metric::occupancy,
                                 Metric::agent_hours,
                                 Metric::transfers,
                                 Metric::chatbot_contained,
                                 Metric::chatbot_escalated,
                                 Metric::phone_offered,
                                 Metric::phone_answered,
                                 Metric::phone_abandoned,
                                 Metric::phone_service_level,
                                 Metric::phone_asa_s,
                                 Metric::phone_aht_s,
                                 Metric::phone_occupancy,
                                 Metric::chat_offered,
                                 Metric::chat_answered,
                                 Metric::chat_abandoned,
                                 Metric::chat_service_level,
                                 Metric::chat_asa_s,
                                 Metric::chat_aht_s,
                                 Metric::chat_occupancy,
                                 Metric::email_offered,
                                 Metric::email_answered,
                                 Metric::email_abandoned,
                                 Metric::email_service_level,
                                 Metric::email_asa_s,
                                 Metric::email_aht_s,
                                 Metric::email_occupancy,
                                 Metric::service_cost,
                                 Metric::profit};

// What the per-customer mechanisms (phases 1, 3 and 4) count: only these are read back after each
// customer or item, not the whole row. A metric counted per customer but missing here would be
// missing from the split; tests/determinism/test_segments.cpp checks that every split flow and
// stock adds up to its total.
constexpr Metric kCustomerMetrics[] = {Metric::new_customers,
                                       Metric::new_customers_external,
                                       Metric::new_customers_wom,
                                       Metric::churned,
                                       Metric::orders,
                                       Metric::revenue,
                                       Metric::cost_of_goods,
                                       Metric::acquisition_spend,
                                       Metric::issues_opened,
                                       Metric::contacts,
                                       Metric::contacts_failure,
                                       Metric::contacts_value,
                                       Metric::contacts_repeat,
                                       Metric::contacts_phone,
                                       Metric::contacts_chat,
                                       Metric::contacts_email,
                                       Metric::contacts_chatbot,
                                       Metric::contacts_resolved,
                                       Metric::notifications_sent,
                                       Metric::notifications_reached,
                                       Metric::csat_responses,
                                       Metric::csat_satisfied,
                                       Metric::nps_responses,
                                       Metric::nps_promoters,
                                       Metric::nps_detractors,
                                       Metric::stories_positive,
                                       Metric::stories_negative};

// Word of mouth told: counted where it is delivered (phase 4, by the listener), split by the
// teller when it is queued (phase 1).
constexpr Metric kToldMetrics[] = {Metric::wom_positive, Metric::wom_negative,
                                   Metric::story_messages_positive, Metric::story_messages_negative};

}  // namespace

Model::Counts Model::counts_of(const Row& acc) {
  static_assert(std::size(kCustomerMetrics) == std::tuple_size_v<Counts>);
  Counts out;
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = acc[static_cast<int>(kCustomerMetrics[k])];
  return out;
}

void Model::split_customer(Chunk& chunk, std::uint32_t i, const Counts& before,
                           std::size_t messages_before) const {
  double* const seg = chunk.by_segment.data() + static_cast<std::size_t>(c_.segment[i]) * kMetricCount;
  for (std::size_t k = 0; k < before.size(); ++k) {
    const int m = static_cast<int>(kCustomerMetrics[k]);
    seg[m] += chunk.acc[m] - before[k];
  }
  split_told(chunk, i, chunk.messages.data() + messages_before,
             chunk.messages.data() + chunk.messages.size());
}

void Model::split_told(Chunk& chunk, std::uint32_t i, const Message* from, const Message* to) const {
  double* const seg = chunk.by_segment.data() + static_cast<std::size_t>(c_.segment[i]) * kMetricCount;
  const auto add = [&](Metric m) { seg[static_cast<int>(m)] += 1; };
  for (const Message* message = from; message != to; ++message) {
    switch (message->kind) {
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

void Model::split_item(Chunk& chunk, std::uint32_t i, const Counts& before, const Row& acc) const {
  // Word of mouth told (kToldMetrics) is not among kCustomerMetrics: split_customer counted it.
  double* const seg = chunk.by_segment.data() + static_cast<std::size_t>(c_.segment[i]) * kMetricCount;
  for (std::size_t k = 0; k < before.size(); ++k) {
    const int m = static_cast<int>(kCustomerMetrics[k]);
    seg[m] += acc[m] - before[k];
  }
}

void Model::count_stocks_by_segment(std::uint32_t lo, std::uint32_t hi, std::int32_t t, Chunk& chunk) const {
  // count_stocks() by segment: whole-number counts per (segment, status) and per (segment,
  // figure) of the active customers, added once; the attitude sum in customer order.
  const std::size_t segments = p_.segments.size();
  const StockView v = stock_view();
  std::vector<std::uint32_t> by_status(segments * 4, 0);
  for (std::uint32_t i = lo; i < hi; ++i) ++by_status[v.segment[i] * 4u + v.status[i]];
  enum { promoters, detractors, open, kFigures };
  std::vector<std::uint32_t> counts(segments * kFigures, 0);
  std::vector<double> attitude_sum(segments, 0.0);
  scan::each_equal(v.status, lo, hi, static_cast<std::uint8_t>(Status::active), [&](std::uint32_t i) {
    const std::uint8_t s = v.segment[i];
    const float a = v.decayed(v.attitude[i], v.attitude_day[i], s, t);
    attitude_sum[s] += a;
    std::uint32_t* const c = counts.data() + static_cast<std::size_t>(s) * kFigures;
    c[promoters] += v.promoter(a);
    c[detractors] += v.detractor(a);
    c[open] += v.severity[i] != Severity::none;
  });
  for (std::size_t s = 0; s < segments; ++s) {
    double* const row = chunk.by_segment.data() + s * kMetricCount;
    const auto add = [&](Metric m, double v) { row[static_cast<int>(m)] += v; };
    const std::uint32_t* const n = by_status.data() + s * 4;
    const std::uint32_t* const c = counts.data() + s * kFigures;
    add(Metric::prospects, n[static_cast<int>(Status::prospect)]);
    add(Metric::active_customers, n[static_cast<int>(Status::active)]);
    add(Metric::churned_customers, n[static_cast<int>(Status::churned)]);
    add(Metric::rejecters, n[static_cast<int>(Status::rejecter)]);
    add(Metric::mean_attitude, attitude_sum[s]);
    add(Metric::promoter_share, c[promoters]);
    add(Metric::detractor_share, c[detractors]);
    add(Metric::open_issues, c[open]);
    add(Metric::retention_12m, static_cast<double>(chunk.tenure_by_segment[s].year));
    add(Metric::retention_1m, static_cast<double>(chunk.tenure_by_segment[s].month));
  }
}

void Model::start_segments() {
  by_segment_ = p_.output_by_segment;
  if (!by_segment_) return;
  for (Chunk& chunk : chunks_) chunk.by_segment.assign(p_.segments.size() * kMetricCount, 0.0);
  segment_rows_.assign(p_.segments.size() * kMetricCount, 0.0);
}

void Model::count_initial_segments() {
  // Each segment's customers at the start: its cohort base on day 365 and day 30. Whole numbers,
  // so the ranks' counts add up exactly in any order.
  if (!by_segment_) return;
  std::vector<double> mine(p_.segments.size(), 0.0);
  for (std::uint32_t i = c_.first; i < c_.first + c_.size; ++i)
    if (c_.status[i] == Status::active) mine[c_.segment[i]] += 1;
  segment_initial_active_.assign(mine.size(), 0.0);
  if (link_)
    link_->fold(segment_initial_active_, mine, false);
  else
    segment_initial_active_ = std::move(mine);
}

void Model::finish_segments(std::int32_t t, std::span<const ContactOutcome> outcomes) {
  const std::size_t segments = p_.segments.size();
  // First-contact resolution of the segment's first contacts about a problem, as step() counts it
  // (first contacts, then those resolved, per segment: whole numbers).
  const std::size_t cells = segment_rows_.size();
  std::vector<double> firsts(2 * segments, 0.0);
  for (const ContactOutcome& outcome : outcomes) {
    if (is_first_contact(outcome)) {
      const std::uint8_t s = c_.segment[static_cast<std::uint32_t>(outcome.customer)];
      firsts[2 * s] += 1;
      firsts[2 * s + 1] += outcome.resolved ? 1 : 0;
    }
  }
  std::fill(segment_rows_.begin(), segment_rows_.end(), 0.0);
  if (!link_) {
    for (const Chunk& chunk : chunks_)  // fixed order: deterministic sums
      for (std::size_t k = 0; k < cells; ++k) segment_rows_[k] += chunk.by_segment[k];
  } else {
    // One fold across the ranks for both: each chunk's segment rows (then zeros) in chunk order, the
    // same additions as the single process's loop above, then this rank's first contacts. Adding a
    // zero leaves a sum unchanged (the running sums start at +0).
    const std::size_t width = cells + firsts.size();
    segment_fold_.assign((chunks_.size() + 1) * width, 0.0);
    for (std::size_t c = 0; c < chunks_.size(); ++c)
      std::copy(chunks_[c].by_segment.begin(), chunks_[c].by_segment.end(),
                segment_fold_.begin() + c * width);
    std::copy(firsts.begin(), firsts.end(), segment_fold_.end() - static_cast<std::ptrdiff_t>(firsts.size()));
    std::vector<double> total(width, 0.0);
    link_->fold(total, segment_fold_, false);
    if (!link_->is_root()) return;  // the rows are made and kept on rank 0
    std::copy(total.begin(), total.begin() + static_cast<std::ptrdiff_t>(cells), segment_rows_.begin());
    std::copy(total.begin() + static_cast<std::ptrdiff_t>(cells), total.end(), firsts.begin());
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
    const double first = firsts[2 * s], first_resolved = firsts[2 * s + 1];
    at(Metric::fcr) = first > 0 ? first_resolved / first : nan;
    segment_active_by_day_[static_cast<std::size_t>(t) * segments + s] = active;
    const auto cohort = [&](Metric m, std::int32_t k) {
      const double then = t >= k ? segment_active_by_day_[static_cast<std::size_t>(t - k) * segments + s]
                          : t == k - 1 ? segment_initial_active_[s]
                                       : 0.0;  // as step(): day -1 is the start
      at(m) = then > 0 ? at(m) / then : nan;
    };
    cohort(Metric::retention_12m, kRetentionYearDays);
    cohort(Metric::retention_1m, kRetentionMonthDays);
  }
}

}  // namespace cxsim
