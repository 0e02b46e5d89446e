#include "model/model.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <chrono>
#include <cmath>
#include <limits>

#include "service/contact_config.hpp"
#include "core/errors.hpp"
#include "model/scan.hpp"

// A mechanism of the daily step. A profiling build (-DCXSIM_PROFILE_MECHANISMS) keeps each one
// out of line, so that callgrind charges its instructions to it (bench/phase_shares.py).
#if defined(CXSIM_PROFILE_MECHANISMS)
#define CXSIM_MECHANISM __attribute__((noinline))
#else
#define CXSIM_MECHANISM
#endif

namespace cxsim {

namespace {

// When in the day contacts arrive (relative weights per hour), until the contact-centre issue
// makes it a scenario setting: quiet nights, peaks late morning and mid-afternoon.
constexpr std::array<double, 24> kArrivalProfile = {0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2.0,
                                                    4.0, 6.0, 7.0, 7.0, 6.0, 6.5, 7.0, 6.5,
                                                    6.0, 5.0, 4.0, 3.5, 3.0, 2.0, 1.0, 0.5};
constexpr double kCsatNoise = 0.5;  // spread of a CSAT answer around 1 + 4x, in points

// Draw sub-streams of Purpose::story_start: the order's two touchpoints, then contacts.
constexpr std::uint32_t kStoryDelivery = 0;
constexpr std::uint32_t kStoryUse = 1;
constexpr std::uint32_t kStoryContact = 2;

std::int32_t add_days(std::int32_t t, std::int64_t k) {
  return k >= static_cast<std::int64_t>(kNever) - t ? kNever : static_cast<std::int32_t>(t + k);
}

double valued(double d, double curvature, double loss_aversion) {
  return d >= 0 ? std::pow(d, curvature) : -loss_aversion * std::pow(-d, curvature);
}

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

template <class T>
void saturating_add(T& slot, std::int64_t n) {
  slot = static_cast<T>(std::min<std::int64_t>(std::numeric_limits<T>::max(), slot + n));
}

int poisson(Stream& rng, double mean) {
  if (mean <= 0) return 0;
  boost::random::poisson_distribution<int, double> dist(mean);
  return dist(rng);
}

}  // namespace

Model::Model(const Params& params, const Network& network, RngKey key)
    : p_(params), net_(network), key_(key), centre_(contact_centre_config(params), key) {
  const auto n = static_cast<std::uint32_t>(p_.market_population);
  if (net_.size != n)
    throw InputError("the network has " + std::to_string(net_.size) + " members but the market has " +
                         std::to_string(n),
                     "", 0, 0, "network.edge_list");

  derive_rates();
  chunks_.resize((n + kChunk - 1) / kChunk);
  initialise();
}


void Model::set_params(const Params& params) {
  p_ = params;
  derive_rates();
  centre_.set_config(contact_centre_config(p_));
}

void Model::derive_rates() {
  if (p_.contacts_arrival_profile.empty()) {
    arrival_profile_ = kArrivalProfile;
  } else {
    for (int h = 0; h < 24; ++h) arrival_profile_[h] = static_cast<double>(p_.contacts_arrival_profile[h]);
  }
  arrival_total_ = 0;
  for (double w : arrival_profile_) arrival_total_ += w;
  external_daily_ = -std::expm1(-p_.acquisition_p_per_year / 365.0);
  const double recommend = recommendations_per_day(p_);
  const double warn = std::min(1.0, recommend * p_.wom_warning_rate_ratio);
  talk_daily_ = std::max(recommend, warn);
  recommend_given_talk_ = talk_daily_ > 0 ? recommend / talk_daily_ : 0;
  warn_given_talk_ = talk_daily_ > 0 ? warn / talk_daily_ : 0;
  question_daily_ = -std::expm1(-p_.contacts_value_demand_per_year / 365.0);
  survey_daily_ = p_.survey_nps_monthly_sample / 30.0;
  purchase_daily_ = 1.0 / p_.purchase_interval_days;
  const auto per_day = [&](double audience) {
    return std::max(1, static_cast<int>(std::ceil(audience / static_cast<double>(p_.wom_story_days))));
  };
  tells_per_day_positive_ = per_day(p_.wom_audience_delight);
  tells_per_day_negative_ = per_day(p_.wom_audience_failure);
  // A survey answer rounds mid + slope * S + noise; its expectation rounds to >= 9 from 8.5 up.
  const double inf = std::numeric_limits<double>::infinity();
  const double slope = p_.survey_ltr_slope;
  promoter_attitude_ = static_cast<float>(slope > 0 ? (8.5 - p_.survey_ltr_mid) / slope
                                                    : (p_.survey_ltr_mid >= 8.5 ? -inf : inf));
  detractor_attitude_ = static_cast<float>(slope > 0 ? (6.5 - p_.survey_ltr_mid) / slope
                                                     : (p_.survey_ltr_mid <= 6.5 ? inf : -inf));

  decay_.resize(static_cast<std::size_t>(p_.run_horizon_days) + 2);
  for (std::size_t k = 0; k < decay_.size(); ++k)
    decay_[k] = static_cast<float>(std::exp(-static_cast<double>(k) / p_.experience_memory_days));
  baseline_.clear();
  for (const Segment& seg : p_.segments) baseline_.push_back(static_cast<float>(seg.attitude_baseline));

}

// ---------------------------------------------------------------------------------------------
// Set-up

void Model::initialise() {
  const auto n = static_cast<std::uint32_t>(p_.market_population);
  c_.resize(n);
  std::vector<double> cumulative;
  for (const auto& s : p_.segments) cumulative.push_back((cumulative.empty() ? 0 : cumulative.back()) + s.share);

  tbb::parallel_for(tbb::blocked_range<std::uint32_t>(0, n, kChunk), [&](const auto& range) {
    for (std::uint32_t i = range.begin(); i < range.end(); ++i) {
      Stream rng(key_, Purpose::initial_state, i, 0);
      const double u = rng.uniform() * cumulative.back();
      std::uint8_t seg = 0;
      while (seg + 1u < cumulative.size() && u >= cumulative[seg]) ++seg;
      c_.segment[i] = seg;
      const Segment& s = p_.segments[seg];
      c_.attitude[i] = static_cast<float>(s.attitude_baseline);
      c_.record[i].expectation = static_cast<float>(s.expectation);
      c_.record[i].reference_price = static_cast<float>(p_.purchase_price);
      if (rng.bernoulli(p_.market_initial_customer_share)) {
        // An existing customer: has bought before. Gaps between orders are memoryless, so in a
        // steady state the time to the next order has the same geometric law (not uniform).
        c_.status[i] = Status::active;
        c_.adopted_day[i] = -1;
        c_.record[i].purchases = 1;
        c_.record[i].next_purchase = add_days(-1, days_until(rng, purchase_daily_));
        c_.record[i].next_talk = add_days(-1, days_until(rng, talk_daily_));
        c_.record[i].next_question = add_days(-1, days_until(rng, question_daily_));
        c_.record[i].next_survey = add_days(-1, days_until(rng, survey_daily_));
      } else {
        c_.record[i].next_external = add_days(-1, days_until(rng, external_daily_));
      }
      c_.wake[i] = next_wake(i, -1);
    }
  });
}

std::int32_t Model::days_until(Stream& rng, double p) const {
  // Days to the next success of a daily Bernoulli(p): geometric on {1, 2, ...}.
  if (p >= 1.0) return 1;
  if (p <= 0.0) return kNever;
  const double u = 1.0 - rng.uniform();  // (0, 1]
  const double k = 1.0 + std::floor(std::log(u) / std::log1p(-p));
  return k >= static_cast<double>(kNever) ? kNever : static_cast<std::int32_t>(k);
}

// ---------------------------------------------------------------------------------------------
// The day

void Model::step(std::int32_t t, std::span<double, kMetricCount> out) {
  const auto n = c_.size;
  using Clock = std::chrono::steady_clock;
  auto mark = Clock::now();
  const auto lap = [&](double& into) {
    const auto now = Clock::now();
    into += std::chrono::duration<double>(now - mark).count();
    mark = now;
  };

  // Phase 1, parallel: each customer updates its own state and proposes contacts and messages.
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunks_.size(), 1), [&](const auto& range) {
    for (std::size_t k = range.begin(); k < range.end(); ++k) {
      const auto lo = static_cast<std::uint32_t>(k * kChunk);
      run_chunk(chunks_[k], lo, std::min<std::uint32_t>(n, lo + kChunk), t);
    }
  });
  lap(times_.customers);

  Row row{};
  for (const Chunk& chunk : chunks_)  // fixed order: deterministic sums
    for (int m = 0; m < kMetricCount; ++m) row[m] += chunk.acc[m];

  // Phase 2, in chunk order: the contact centre's day, a discrete-event queue per channel.
  contacts_today_.clear();
  for (const Chunk& chunk : chunks_)
    contacts_today_.insert(contacts_today_.end(), chunk.contacts.begin(), chunk.contacts.end());
  lap(times_.merge);
  centre_.simulate_day(static_cast<std::uint32_t>(t), contacts_today_, day_);
  record_contact_centre(row);
  lap(times_.contact_centre);

  // Phase 3: what the outcomes do to customers (e-mail may end days later), each customer's in the
  // centre's order. An outcome changes its own customer only, so the chunks take theirs in
  // parallel.
  double first = 0, first_resolved = 0;
  for (const ContactOutcome& outcome : day_.outcomes) {
    if (outcome.severity != 0 && !outcome.is_repeat) {
      first += 1;
      first_resolved += outcome.resolved ? 1 : 0;
    }
  }
  const auto contact_customer = [&](std::size_t k) { return static_cast<std::uint32_t>(day_.outcomes[k].customer); };
  by_chunk(day_.outcomes.size(), contact_customer);
  in_parallel_by_chunk(row, contact_customer, [&](std::uint32_t k, Row& acc) { apply_contact(day_.outcomes[k], t, acc); });
  lap(times_.outcomes);

  // Phase 4: word of mouth reaches its listeners (for tomorrow's decisions), each listener's in the
  // order sent (chunk order, then customer order), the chunks of listeners in parallel.
  messages_today_.clear();
  for (const Chunk& chunk : chunks_)
    messages_today_.insert(messages_today_.end(), chunk.messages.begin(), chunk.messages.end());
  const auto listener = [&](std::size_t k) { return messages_today_[k].target; };
  by_chunk(messages_today_.size(), listener);
  in_parallel_by_chunk(row, listener, [&](std::uint32_t k, Row& acc) { deliver(messages_today_[k], t, acc); });
  lap(times_.word_of_mouth);

  const auto at = [&](Metric m) -> double& { return row[static_cast<int>(m)]; };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double active = at(Metric::active_customers);
  at(Metric::adopted_fraction) = (active + at(Metric::churned_customers)) / n;
  at(Metric::mean_attitude) = active > 0 ? at(Metric::mean_attitude) / active : nan;
  at(Metric::promoter_share) = active > 0 ? at(Metric::promoter_share) / active : nan;
  at(Metric::detractor_share) = active > 0 ? at(Metric::detractor_share) / active : nan;
  at(Metric::fcr) = first > 0 ? first_resolved / first : nan;
  at(Metric::profit) = at(Metric::revenue) - at(Metric::cost_of_goods) - at(Metric::service_cost) -
                       at(Metric::acquisition_spend);
  std::copy(row.begin(), row.end(), out.begin());
}

CXSIM_MECHANISM void Model::run_chunk(Chunk& chunk, std::uint32_t lo, std::uint32_t hi, std::int32_t t) {
  chunk.acc.fill(0.0);
  chunk.contacts.clear();
  chunk.messages.clear();
  // Most customers have nothing due on most days: they cost a fraction of an instruction. The
  // due ones are listed first, so that their state can be fetched from memory a few customers
  // ahead of their turn (they are far apart: each would otherwise wait for its own cache misses).
  std::int32_t* const wake = c_.wake.data();
  chunk.due.clear();
  scan::each_due(wake, lo, hi, t, [&](std::uint32_t i) { chunk.due.push_back(i); });
  const std::size_t due = chunk.due.size();
  for (std::size_t k = 0; k < due; ++k) {
    if (k + kPrefetchAhead < due) prefetch(chunk.due[k + kPrefetchAhead]);
    if (k + kPrefetchAhead / 2 < due) prefetch_ties(chunk.due[k + kPrefetchAhead / 2]);
    const std::uint32_t i = chunk.due[k];
    process_customer(i, t, chunk);
    wake[i] = next_wake(i, t);
  }
  // The stocks after everyone's own update (no customer changes another in this phase).
  count_stocks(lo, hi, t, chunk.acc);
}

template <class CustomerOf>
void Model::by_chunk(std::size_t count, CustomerOf&& customer_of) {
  // A stable counting sort of item indices by their customer's chunk.
  bucket_start_.assign(chunks_.size() + 1, 0);
  for (std::size_t k = 0; k < count; ++k) ++bucket_start_[customer_of(k) / kChunk + 1];
  for (std::size_t c = 0; c < chunks_.size(); ++c) bucket_start_[c + 1] += bucket_start_[c];
  bucket_cursor_.assign(bucket_start_.begin(), bucket_start_.end() - 1);
  bucket_items_.resize(count);
  for (std::size_t k = 0; k < count; ++k)
    bucket_items_[bucket_cursor_[customer_of(k) / kChunk]++] = static_cast<std::uint32_t>(k);
}

template <class CustomerOf, class Apply>
void Model::in_parallel_by_chunk(Row& row, CustomerOf&& customer_of, Apply&& apply) {
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunks_.size(), 8), [&](const auto& range) {
    for (std::size_t c = range.begin(); c < range.end(); ++c) {
      Row& acc = chunks_[c].acc;  // phase 1's figures are in `row` already
      acc.fill(0.0);
      const std::uint32_t lo = bucket_start_[c], hi = bucket_start_[c + 1];
      for (std::uint32_t k = lo; k < hi; ++k) {
        if (k + kPrefetchAhead < hi) prefetch(customer_of(bucket_items_[k + kPrefetchAhead]));
        apply(bucket_items_[k], acc);
      }
    }
  });
  // These phases only count (stories, messages, resolutions, answers): sums of whole numbers are
  // exact in any order. Untouched figures are left alone (a NaN ratio stays NaN).
  for (const Chunk& chunk : chunks_)
    for (int m = 0; m < kMetricCount; ++m)
      if (chunk.acc[m] != 0) row[m] += chunk.acc[m];
}

void Model::prefetch(std::uint32_t i) const {
  __builtin_prefetch(&c_.record[i], 1);
  __builtin_prefetch(&c_.status[i], 1);
  __builtin_prefetch(&c_.attitude[i], 1);
  __builtin_prefetch(&c_.attitude_day[i], 1);
  __builtin_prefetch(&c_.issue_severity[i], 1);
  __builtin_prefetch(&c_.segment[i]);
  if (!net_.complete) __builtin_prefetch(&net_.offsets[i]);
}

void Model::prefetch_ties(std::uint32_t i) const {
  // The row's offsets were asked for a few customers earlier: now the row itself, which a
  // customer who talks today reads to pick a listener.
  if (!net_.complete && !net_.targets.empty())
    __builtin_prefetch(&net_.targets[std::min<std::uint64_t>(net_.offsets[i], net_.targets.size() - 1)]);
}

CXSIM_MECHANISM std::int32_t Model::next_wake(std::uint32_t i, std::int32_t t) const {
  if (c_.record[i].tells_positive > 0 || c_.record[i].tells_negative > 0) return t + 1;
  switch (c_.status[i]) {
    case Status::prospect: return c_.record[i].next_external;  // or when word of mouth arrives
    case Status::rejecter: return c_.record[i].rejecter_until;
    case Status::active:
      if (c_.issue_severity[i] != Severity::none) return t + 1;  // costs attitude every day
      return std::min({c_.record[i].next_purchase, c_.record[i].next_question, c_.record[i].next_survey, c_.record[i].next_talk});
    case Status::churned: break;
  }
  return kNever;
}

CXSIM_MECHANISM void Model::count_stocks(std::uint32_t lo, std::uint32_t hi, std::int32_t t, Row& acc) const {
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
}

CXSIM_MECHANISM void Model::process_customer(std::uint32_t i, std::int32_t t, Chunk& chunk) {
  switch (c_.status[i]) {
    case Status::rejecter:
      c_.record[i].inbox_positive = c_.record[i].inbox_negative = 0;
      if (t < c_.record[i].rejecter_until) break;
      c_.status[i] = Status::prospect;
      {
        Stream rng(key_, Purpose::external_adoption, i, static_cast<std::uint64_t>(t));
        c_.record[i].next_external = add_days(t - 1, days_until(rng, external_daily_));
      }
      process_prospect(i, t, chunk);
      break;
    case Status::prospect: process_prospect(i, t, chunk); break;
    case Status::active: process_active(i, t, chunk); break;
    case Status::churned: break;
  }
  if (c_.record[i].tells_positive > 0 || c_.record[i].tells_negative > 0) tell(i, t, chunk);
}

CXSIM_MECHANISM void Model::process_prospect(std::uint32_t i, std::int32_t t, Chunk& chunk) {
  const int heard_good = c_.record[i].inbox_positive;
  const int heard_bad = c_.record[i].inbox_negative;
  c_.record[i].inbox_positive = c_.record[i].inbox_negative = 0;

  // Warnings first: with probability 1 - (1 - b-)^R- the prospect rejects for a while.
  if (heard_bad > 0 && p_.acquisition_warning_impact > 0) {
    Stream rng(key_, Purpose::rejection, i, static_cast<std::uint64_t>(t));
    if (rng.uniform() < 1.0 - std::pow(1.0 - p_.acquisition_warning_impact, heard_bad)) {
      c_.status[i] = Status::rejecter;
      c_.record[i].rejecter_until = add_days(t, p_.acquisition_rejecter_days);
      c_.record[i].next_external = kNever;
      return;
    }
  }
  // Otherwise adopt with probability 1 - exp(-p_d) (1 - b+)^R+: the external part is a
  // scheduled day (drawn once, memoryless), each recommendation converts independently.
  const bool external = c_.record[i].next_external == t;
  bool wom = false;
  if (!external && heard_good > 0) {
    Stream rng(key_, Purpose::wom_adoption, i, static_cast<std::uint64_t>(t));
    wom = rng.uniform() < 1.0 - std::pow(1.0 - p_.acquisition_recommendation_conversion, heard_good);
  }
  if (!external && !wom) return;
  adopt(i, t);
  Row& acc = chunk.acc;
  acc[static_cast<int>(Metric::new_customers)] += 1;
  acc[static_cast<int>(external ? Metric::new_customers_external : Metric::new_customers_wom)] += 1;
  acc[static_cast<int>(Metric::acquisition_spend)] += p_.acquisition_cost_per_customer;
  process_active(i, t, chunk);  // the first order is today
}

CXSIM_MECHANISM void Model::adopt(std::uint32_t i, std::int32_t t) {
  const Segment& s = p_.segments[c_.segment[i]];
  c_.status[i] = Status::active;
  c_.adopted_day[i] = t;
  c_.attitude[i] = static_cast<float>(s.attitude_baseline);
  c_.attitude_day[i] = t;
  c_.record[i].expectation = static_cast<float>(s.expectation);
  c_.record[i].reference_price = static_cast<float>(p_.purchase_price);
  c_.record[i].next_external = kNever;
  c_.record[i].next_purchase = t;
  Stream talk(key_, Purpose::talk_schedule, i, static_cast<std::uint64_t>(t));
  c_.record[i].next_talk = add_days(t, days_until(talk, talk_daily_));
  Stream question(key_, Purpose::value_demand, i, static_cast<std::uint64_t>(t));
  c_.record[i].next_question = add_days(t, days_until(question, question_daily_));
  Stream survey(key_, Purpose::nps_survey, i, static_cast<std::uint64_t>(t), 1);
  c_.record[i].next_survey = add_days(t, days_until(survey, survey_daily_));
}

CXSIM_MECHANISM void Model::process_active(std::uint32_t i, std::int32_t t, Chunk& chunk) {
  Row& acc = chunk.acc;
  if (c_.record[i].next_purchase == t) {
    purchase(i, t, chunk);
    if (c_.status[i] != Status::active) return;
  }

  std::uint8_t contacts_today = 0;
  if (c_.issue_severity[i] != Severity::none) {
    if (t > c_.record[i].issue_opened) issue_cost(i, t);
    if ((c_.record[i].heard & notified_issue) && t - c_.record[i].issue_opened >= p_.proactive_fix_days) {
      resolve_issue(i, t);  // the firm fixed the problem it told the customer about
    } else if (t - c_.record[i].issue_opened >= p_.quality_issue_give_up_days) {
      close_issue(i);  // nobody resolved it: the customer lives with it
    } else if (c_.record[i].next_contact == t) {
      emit_contact(i, t, c_.issue_severity[i], c_.record[i].issue_contacts > 0, contacts_today++, chunk);
    }
  }

  if (c_.record[i].next_question == t) {
    emit_contact(i, t, Severity::none, false, contacts_today++, chunk);
    Stream rng(key_, Purpose::value_demand, i, static_cast<std::uint64_t>(t));
    c_.record[i].next_question = add_days(t, days_until(rng, question_daily_));
  }

  if (c_.record[i].next_survey == t) survey(i, t, acc);
  if (c_.record[i].next_talk == t) talk(i, t, chunk);
}

CXSIM_MECHANISM void Model::issue_cost(std::uint32_t i, std::int32_t t) {
  // An open issue costs attitude every day it stays open.
  decay_attitude(i, t);
  const float cost = static_cast<float>(p_.quality_issue_daily_cost * static_cast<int>(c_.issue_severity[i]));
  c_.attitude[i] -= cost;
  c_.record[i].issue_loss += cost;
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

CXSIM_MECHANISM void Model::talk(std::uint32_t i, std::int32_t t, Chunk& chunk) {
  // Promoters recommend and detractors warn at base rates (a thinned daily Bernoulli).
  Stream rng(key_, Purpose::talk_schedule, i, static_cast<std::uint64_t>(t));
  const float s = attitude_at(i, t);
  const bool promoter = p_.wom_all_adopters_promote || s >= promoter_attitude_;
  const bool detractor = !promoter && s <= detractor_attitude_;
  const double u = rng.uniform();
  if ((promoter && u < recommend_given_talk_) || (detractor && u < warn_given_talk_)) {
    Stream targets(key_, Purpose::wom_targets, i, static_cast<std::uint64_t>(t), 1);
    const std::uint32_t j = pick_listener(i, targets);
    if (j != i) chunk.messages.push_back({j, promoter ? Message::recommendation : Message::warning});
  }
  c_.record[i].next_talk = add_days(t, days_until(rng, talk_daily_));
}

CXSIM_MECHANISM bool Model::stays(std::uint32_t i, std::int32_t t) {
  Stream rng(key_, Purpose::churn, i, static_cast<std::uint64_t>(t));
  decay_attitude(i, t);
  const Segment& s = p_.segments[c_.segment[i]];
  // Recovery may lift attitude above its pre-failure level, but not retention.
  const double effective = std::min(c_.attitude[i], c_.record[i].attitude_pre);
  const double reference = c_.record[i].reference_price;
  const double change = reference > 0 ? (p_.purchase_price - reference) / reference : 0.0;
  // Loss-averse price response: a rise hurts lambda times more than an equal cut helps.
  const double price_term =
      s.price_sensitivity * (change > 0 ? change : change / p_.experience_loss_aversion);
  const double logit = p_.churn_base_logit + p_.churn_attitude_weight * effective - price_term;
  if (c_.issue_severity[i] == Severity::none)
    c_.record[i].attitude_pre = std::numeric_limits<float>::infinity();  // the failure episode is judged
  return rng.uniform() < logistic(logit);
}

CXSIM_MECHANISM void Model::purchase(std::uint32_t i, std::int32_t t, Chunk& chunk) {
  Row& acc = chunk.acc;
  if (c_.record[i].purchases > 0 && p_.churn_enabled && !stays(i, t)) {
    c_.status[i] = Status::churned;
    close_issue(i);
    c_.record[i].next_purchase = c_.record[i].next_question = c_.record[i].next_survey = c_.record[i].next_talk = kNever;
    acc[static_cast<int>(Metric::churned)] += 1;
    return;
  }

  saturating_add(c_.record[i].purchases, 1);
  c_.record[i].revenue += static_cast<float>(p_.purchase_price);
  acc[static_cast<int>(Metric::orders)] += 1;
  acc[static_cast<int>(Metric::revenue)] += p_.purchase_price;
  acc[static_cast<int>(Metric::cost_of_goods)] += p_.purchase_unit_cost;
  c_.record[i].reference_price +=
      static_cast<float>(p_.purchase_reference_adaptation * (p_.purchase_price - c_.record[i].reference_price));
  decay_attitude(i, t);
  touchpoints(i, t, acc);

  Stream interval(key_, Purpose::purchase_interval, i, static_cast<std::uint64_t>(t));
  c_.record[i].next_purchase = add_days(t, days_until(interval, purchase_daily_));
}

CXSIM_MECHANISM void Model::touchpoints(std::uint32_t i, std::int32_t t, Row& acc) {
  // Two touchpoints per order: delivery (late, wrong bill) and use (defect, confusion).
  Stream failures(key_, Purpose::failure, i, static_cast<std::uint64_t>(t));
  Stream performance(key_, Purpose::touchpoint, i, static_cast<std::uint64_t>(t));
  const bool late = failures.bernoulli(p_.quality_late_delivery_rate);
  const bool billing = failures.bernoulli(p_.quality_billing_error_rate);
  const bool defect = failures.bernoulli(p_.quality_defect_rate);
  const bool confusing = failures.bernoulli(p_.quality_confusion_rate);
  const bool failed[2] = {late || billing, defect || confusing};
  // Chance the firm detects the touchpoint's problem (for proactive notification).
  const auto either = [](bool a, double pa, bool b, double pb) { return 1 - (1 - a * pa) * (1 - b * pb); };
  const double detection[2] = {
      either(late, p_.proactive_detect_late_delivery, billing, p_.proactive_detect_billing_error),
      either(defect, p_.proactive_detect_defect, confusing, p_.proactive_detect_confusion)};
  const double severity_draw[2] = {failures.uniform(), failures.uniform()};
  boost::random::normal_distribution<double> normal(p_.quality_performance_normal, p_.quality_performance_sd);
  const double good[2] = {normal(performance), normal(performance)};

  for (int k = 0; k < 2; ++k) {
    Severity severity = Severity::none;
    double x = std::clamp(good[k], 0.0, 1.0);
    if (failed[k]) {
      const double u = severity_draw[k];
      severity = u < p_.quality_severe_share ? Severity::severe
                 : u < p_.quality_severe_share + p_.quality_moderate_share ? Severity::moderate
                                                                          : Severity::mild;
      x = severity == Severity::severe     ? p_.quality_performance_severe
          : severity == Severity::moderate ? p_.quality_performance_moderate
                                           : p_.quality_performance_mild;
    }
    const float before = c_.attitude[i];
    Stream story(key_, Purpose::story_start, i, static_cast<std::uint64_t>(t), k == 0 ? kStoryDelivery : kStoryUse);
    experience(i, x, story, acc);
    if (severity != Severity::none) {
      acc[static_cast<int>(Metric::issues_opened)] += 1;
      const float loss = std::max(0.0f, before - c_.attitude[i]);
      if (c_.issue_severity[i] == Severity::none) {
        c_.record[i].attitude_pre = before;
        const bool notified = p_.proactive_enabled && notify(i, t, k, detection[k], acc);
        float kept = loss;
        if (notified) {  // told before they found out: part of the blow is softened
          const auto softened = static_cast<float>(p_.proactive_loss_softening * loss);
          c_.attitude[i] += softened;
          kept -= softened;
        }
        open_issue(i, t, severity, kept, notified);
      } else {  // a second problem while one is open: the issue gets worse
        c_.issue_severity[i] = std::max(c_.issue_severity[i], severity);
        c_.record[i].issue_loss += loss;
      }
    }
  }
}

CXSIM_MECHANISM bool Model::notify(std::uint32_t i, std::int32_t t, int touchpoint, double detection, Row& acc) {
  Stream rng(key_, Purpose::proactive, i, static_cast<std::uint64_t>(t), static_cast<std::uint32_t>(touchpoint));
  const double detected = rng.uniform(), reached = rng.uniform();  // both drawn: common random numbers
  if (detected >= detection) return false;
  acc[static_cast<int>(Metric::notifications_sent)] += 1;
  acc[static_cast<int>(Metric::service_cost)] += p_.proactive_cost_per_notification;
  // Seed 004: a message sent when the customer usually reads them gets through more often.
  const double reach = p_.proactive_timing == "preferred_hour" ? p_.proactive_reach_preferred_hour
                                                               : p_.proactive_reach_random_hour;
  if (reached >= reach) return false;
  acc[static_cast<int>(Metric::notifications_reached)] += 1;
  return true;
}

CXSIM_MECHANISM void Model::open_issue(std::uint32_t i, std::int32_t t, Severity severity, float loss, bool notified) {
  c_.issue_severity[i] = severity;
  c_.record[i].issue_opened = t;
  c_.record[i].issue_contacts = 0;
  c_.record[i].issue_loss = loss;
  if (notified) c_.record[i].heard |= notified_issue;
  // TARP selection: loyal customers complain, disloyal ones leave silently.
  const double base = severity == Severity::severe     ? p_.contacts_probability_severe
                      : severity == Severity::moderate ? p_.contacts_probability_moderate
                                                       : p_.contacts_probability_mild;
  const Segment& s = p_.segments[c_.segment[i]];
  const double chance =
      std::min(1.0, base * s.contact_propensity * std::exp(p_.contacts_loyalty_effect * c_.record[i].attitude_pre)) *
      (notified ? 1.0 - p_.proactive_contacts_avoided : 1.0);
  Stream rng(key_, Purpose::contact_decision, i, static_cast<std::uint64_t>(t));
  c_.record[i].next_contact = rng.bernoulli(chance)
                           ? add_days(t - 1, days_until(rng, 1.0 / (1.0 + p_.contacts_delay_days)))
                           : kNever;
}

CXSIM_MECHANISM void Model::resolve_issue(std::uint32_t i, std::int32_t t) {
  decay_attitude(i, t);
  const double days = t - c_.record[i].issue_opened;
  const double restored = p_.experience_recovery_max * std::exp(-days / p_.experience_recovery_fast_days);
  c_.attitude[i] += static_cast<float>(restored * c_.record[i].issue_loss);
  close_issue(i);
}

CXSIM_MECHANISM void Model::close_issue(std::uint32_t i) {
  c_.record[i].heard &= static_cast<std::uint8_t>(~notified_issue);
  c_.issue_severity[i] = Severity::none;
  c_.record[i].issue_contacts = 0;
  c_.record[i].issue_loss = 0;
  c_.record[i].next_contact = kNever;
}

CXSIM_MECHANISM void Model::emit_contact(std::uint32_t i, std::int32_t t, Severity severity, bool repeat,
                         std::uint8_t sub, Chunk& chunk) {
  const Segment& s = p_.segments[c_.segment[i]];
  Stream rng(key_, Purpose::contact_channel, i, static_cast<std::uint64_t>(t), sub);
  // The segment's channel preferences among the channels offered.
  const double weights[kChannelCount] = {p_.phone_enabled ? s.phone_weight : 0.0,
                                         p_.chat_enabled ? s.chat_weight : 0.0,
                                         p_.email_enabled ? s.email_weight : 0.0,
                                         p_.chatbot_enabled ? s.chatbot_weight : 0.0};
  const double total_weight = weights[0] + weights[1] + weights[2] + weights[3];
  double u = rng.uniform() * total_weight;
  double h = rng.uniform() * arrival_total_;
  const double within_hour = rng.uniform();
  if (total_weight <= 0) {  // no channel offered: the customer cannot reach the firm
    if (severity != Severity::none) c_.record[i].next_contact = kNever;
    return;
  }
  int channel = 0;
  while (channel + 1 < kChannelCount && (u >= weights[channel] || weights[channel] <= 0)) u -= weights[channel++];
  int hour = 0;
  while (hour + 1 < 24 && h >= arrival_profile_[hour]) h -= arrival_profile_[hour++];

  Contact contact;
  contact.customer = i;
  contact.tag = severity == Severity::none ? 0u : static_cast<std::uint32_t>(c_.record[i].issue_opened);
  contact.channel = static_cast<Channel>(channel);
  contact.sequence = sub;
  contact.severity = static_cast<std::uint8_t>(severity);
  contact.is_repeat = repeat;
  contact.is_value_demand = severity == Severity::none;
  contact.arrival_s = 3600.0 * hour + 3600.0 * within_hour;
  contact.patience_mean_s = s.patience_s;
  chunk.contacts.push_back(contact);

  Row& acc = chunk.acc;
  const auto add = [&](Metric m) { acc[static_cast<int>(m)] += 1; };
  add(Metric::contacts);
  add(severity == Severity::none ? Metric::contacts_value : Metric::contacts_failure);
  if (repeat) add(Metric::contacts_repeat);
  constexpr Metric by_channel[kChannelCount] = {Metric::contacts_phone, Metric::contacts_chat,
                                                Metric::contacts_email, Metric::contacts_chatbot};
  add(by_channel[channel]);
  if (severity != Severity::none) {
    saturating_add(c_.record[i].issue_contacts, 1);
    c_.record[i].next_contact = kNever;  // the outcome decides whether there is another
  }
}

CXSIM_MECHANISM std::uint32_t Model::pick_listener(std::uint32_t i, Stream& rng) const {
  const std::uint32_t n = net_.size;
  if (n <= 1) return i;
  if (net_.complete || rng.bernoulli(p_.network_weak_tie_share) || net_.ties(i).empty()) {
    const auto r = static_cast<std::uint32_t>(rng.below(n - 1));  // a random other member
    return r >= i ? r + 1 : r;
  }
  const auto ties = net_.ties(i);
  return ties[rng.below(ties.size())];
}

CXSIM_MECHANISM void Model::tell(std::uint32_t i, std::int32_t t, Chunk& chunk) {
  // Stories go to one listener after another; a teller stops on meeting someone who already
  // knows a story of the kind (Maki-Thompson stifling, as of the start of the day).
  Stream rng(key_, Purpose::wom_targets, i, static_cast<std::uint64_t>(t), 0);
  const auto run = [&](std::uint16_t& left, int per_day, std::uint8_t bit, Message::Kind kind) {
    for (int k = 0; k < per_day && left > 0; ++k) {
      const std::uint32_t j = pick_listener(i, rng);
      if (j == i) {
        left = 0;
        break;
      }
      if (c_.record[j].heard & bit) {
        left = 0;
        break;
      }
      chunk.messages.push_back({j, kind});
      --left;
    }
  };
  run(c_.record[i].tells_positive, tells_per_day_positive_, heard_positive, Message::good_story);
  run(c_.record[i].tells_negative, tells_per_day_negative_, heard_negative, Message::bad_story);
}

CXSIM_MECHANISM double Model::experience(std::uint32_t i, double x, Stream& rng, Row& acc) {
  // Expectation-disconfirmation with a loss-averse value function (Oliver 1980; T&K 1992).
  const double e = c_.record[i].expectation;
  const double d = x - e;
  const double v = p_.experience_attitude_weight *
                   valued(d, p_.experience_curvature, p_.experience_loss_aversion);
  c_.attitude[i] += static_cast<float>(v);
  c_.record[i].expectation = static_cast<float>(e + p_.experience_expectation_adaptation * (x - e));
  const double u = rng.uniform();  // drawn always: later draws do not shift with the outcome
  if (d > p_.experience_delight_threshold && u < p_.wom_share_after_delight)
    start_story(i, true, p_.wom_audience_delight, rng, acc);
  else if (d < -p_.experience_failure_threshold && u < p_.wom_share_after_failure)
    start_story(i, false, p_.wom_audience_failure, rng, acc);
  return v;
}

CXSIM_MECHANISM void Model::start_story(std::uint32_t i, bool positive, double audience_mean, Stream& rng, Row& acc) {
  const int audience = poisson(rng, audience_mean);
  if (positive) {
    saturating_add(c_.record[i].tells_positive, audience);
    acc[static_cast<int>(Metric::stories_positive)] += 1;
  } else {
    saturating_add(c_.record[i].tells_negative, audience);
    acc[static_cast<int>(Metric::stories_negative)] += 1;
  }
}

CXSIM_MECHANISM void Model::decay_attitude(std::uint32_t i, std::int32_t t) {
  c_.attitude[i] = attitude_at(i, t);
  c_.attitude_day[i] = t;
}

float Model::attitude_at(std::uint32_t i, std::int32_t t) const {
  return decay()(c_.attitude[i], c_.attitude_day[i], c_.segment[i], t);
}

// ---------------------------------------------------------------------------------------------
// Contacts and word of mouth

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

CXSIM_MECHANISM void Model::apply_contact(const ContactOutcome& outcome, std::int32_t t, Row& row) {
  const auto i = static_cast<std::uint32_t>(outcome.customer);
  if (outcome.resolved) row[static_cast<int>(Metric::contacts_resolved)] += 1;
  if (c_.status[i] != Status::active) return;
  wake_by(i, t + 1);  // it may have a story to tell or a repeat contact to make

  // The contact is a touchpoint of its own: fast resolution pleases; waiting, being cut off and
  // not getting an answer hurt.
  decay_attitude(i, t);
  const double base = outcome.resolved          ? p_.quality_performance_normal
                      : outcome.is_value_demand ? p_.quality_performance_mild
                                                : p_.quality_performance_moderate;
  const double waited_min = std::min(outcome.wait_s, 1800.0) / 60.0;
  const double x = std::clamp(base - p_.contact_centre_wait_penalty_per_minute * waited_min, 0.0, 1.0);
  // Draws about this contact are keyed by its arrival day: unique even for e-mail answered later.
  Stream story(key_, Purpose::story_start, i, outcome.day, kStoryContact + outcome.sequence);
  experience(i, x, story, row);

  const bool about_open_issue = !outcome.is_value_demand && c_.issue_severity[i] != Severity::none &&
                                static_cast<std::uint32_t>(c_.record[i].issue_opened) == outcome.tag;
  if (about_open_issue) {
    if (outcome.resolved) {
      resolve_issue(i, t);
    } else {
      Stream rng(key_, Purpose::repeat_contact, i, outcome.day, outcome.sequence);
      if (c_.record[i].issue_contacts < p_.contacts_max_contacts && rng.bernoulli(p_.contacts_repeat_probability))
        c_.record[i].next_contact = add_days(t, days_until(rng, 1.0 / (1.0 + p_.contacts_delay_days)));
      else
        close_issue(i);  // gives up, unresolved
    }
  }

  // CSAT asks those who were served (by an agent or the bot), not those who gave up.
  if (!outcome.answered && !outcome.contained) return;
  Stream survey(key_, Purpose::csat_survey, i, outcome.day, outcome.sequence);
  if (survey.bernoulli(p_.survey_csat_response_rate)) {
    boost::random::normal_distribution<double> noise(0.0, kCsatNoise);
    const long score = std::clamp(std::lround(1.0 + 4.0 * x + noise(survey)), 1L, 5L);
    row[static_cast<int>(Metric::csat_responses)] += 1;
    if (score >= 4) row[static_cast<int>(Metric::csat_satisfied)] += 1;
  }
}

CXSIM_MECHANISM void Model::deliver(const Message& message, std::int32_t t, Row& row) {
  const std::uint32_t j = message.target;
  const bool positive = message.kind == Message::recommendation || message.kind == Message::good_story;
  row[static_cast<int>(positive ? Metric::wom_positive : Metric::wom_negative)] += 1;
  switch (c_.status[j]) {
    case Status::prospect:
      saturating_add(positive ? c_.record[j].inbox_positive : c_.record[j].inbox_negative, 1);
      wake_by(j, t + 1);  // decides tomorrow
      break;
    case Status::active:
      decay_attitude(j, t);
      c_.attitude[j] += static_cast<float>(positive ? p_.wom_attitude_effect
                                                    : -p_.wom_attitude_effect * p_.experience_loss_aversion);
      break;
    default: break;
  }
  if (message.kind == Message::good_story || message.kind == Message::bad_story) {
    const std::uint8_t bit = positive ? heard_positive : heard_negative;
    const bool first_time = !(c_.record[j].heard & bit);
    c_.record[j].heard |= bit;
    if (first_time && p_.wom_retell_probability > 0) {
      Stream rng(key_, Purpose::retell, j, static_cast<std::uint64_t>(t), positive ? 0 : 1);
      if (rng.bernoulli(p_.wom_retell_probability)) {
        const double mean = p_.wom_retell_audience_share *
                            (positive ? p_.wom_audience_delight : p_.wom_audience_failure);
        start_story(j, positive, mean, rng, row);
        wake_by(j, t + 1);  // starts telling tomorrow
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------

std::vector<CustomerColumn> Model::customer_columns(std::int32_t day) const {
  const auto n = c_.size;
  std::vector<std::uint8_t> status(n), segment(c_.segment), severity(n);
  std::vector<float> attitude(n), expectation(n), revenue(n);
  std::vector<std::int32_t> purchases(n), adopted(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    status[i] = static_cast<std::uint8_t>(c_.status[i]);
    severity[i] = static_cast<std::uint8_t>(c_.issue_severity[i]);
    attitude[i] = attitude_at(i, day);
    expectation[i] = c_.record[i].expectation;
    revenue[i] = c_.record[i].revenue;
    purchases[i] = c_.record[i].purchases;
    adopted[i] = c_.adopted_day[i] == kNever ? -2 : c_.adopted_day[i];
  }
  std::vector<CustomerColumn> out;
  out.push_back({"status", "", "0 prospect, 1 active, 2 churned, 3 rejecter", std::move(status)});
  out.push_back({"segment", "", "index into /parameters/segments", std::move(segment)});
  out.push_back({"attitude", "attitude", "attitude S at the end of the run", std::move(attitude)});
  out.push_back({"expectation", "score", "expectation E at the end of the run", std::move(expectation)});
  out.push_back({"purchases", "orders", "orders placed (an initial customer counts 1 before day 0)", std::move(purchases)});
  out.push_back({"revenue", "currency", "revenue from this customer during the run", std::move(revenue)});
  out.push_back({"adopted_day", "day", "day of adoption; -1 customer before day 0; -2 never", std::move(adopted)});
  out.push_back({"open_issue", "", "severity of the open issue: 0 none, 1 mild, 2 moderate, 3 severe", std::move(severity)});
  return out;
}

}  // namespace cxsim
