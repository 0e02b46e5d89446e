#include "model/model.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/errors.hpp"
#include "core/fork_join.hpp"
#include "core/prefetch.hpp"
#include "model/partition.hpp"
#include "model/scan.hpp"
#include "service/contact_config.hpp"

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

// Draw sub-streams of Purpose::story_start: the order's first two touchpoints (0, 1), contacts
// (2 + the contact's sequence of the day, below 258), later touchpoint rows (512 + row).
constexpr std::uint32_t kStoryContact = 2;
constexpr std::uint32_t kStoryLaterTouchpoint = 512;

std::uint32_t story_sub_of_touchpoint(std::size_t k) {
  return k < kSharedStreamTouchpoints ? static_cast<std::uint32_t>(k)
                                      : kStoryLaterTouchpoint + static_cast<std::uint32_t>(k);
}

std::int32_t add_days(std::int32_t t, std::int64_t k) {
  return k >= static_cast<std::int64_t>(kNever) - t ? kNever : static_cast<std::int32_t>(t + k);
}

double valued(double d, double curvature, double loss_aversion) {
  return d >= 0 ? std::pow(d, curvature) : -loss_aversion * std::pow(-d, curvature);
}

double logistic(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

template <class T>
void saturating_add(T& slot, std::int64_t n) {
  slot = static_cast<T>(std::min<std::int64_t>(std::numeric_limits<T>::max(), slot + n));
}

int poisson(Stream& rng, double mean) {
  if (mean <= 0) return 0;
  boost::random::poisson_distribution<int, double> dist(mean);
  return dist(rng);
}

// Whom an item of phases 3 and 4 changes: the contact's customer, the message's listener.
std::uint32_t contact_customer(const ContactOutcome& outcome) {
  return static_cast<std::uint32_t>(outcome.customer);
}
std::uint32_t listener(const Message& message) {
  return message.target;
}

}  // namespace

}  // namespace cxsim

// The mechanisms of the daily step, one file per family.
#include "model/mechanisms/acquisition.hpp"
#include "model/mechanisms/churn.hpp"
#include "model/mechanisms/experience.hpp"
#include "model/mechanisms/issues_contacts.hpp"
#include "model/mechanisms/measurement.hpp"
#include "model/mechanisms/orders_touchpoints.hpp"
#include "model/mechanisms/segments.hpp"
#include "model/mechanisms/word_of_mouth.hpp"
// The daily step of a partitioned run.
#include "model/partition_step.hpp"

namespace cxsim {

std::uint32_t Model::population_of(const Params& p, const Network& network) {
  const auto n = static_cast<std::uint32_t>(p.market_population);
  if (network.size != n)
    throw InputError("the network has " + std::to_string(network.size) + " members but the market has " +
                         std::to_string(n),
                     "", 0, 0, "network.edge_list");
  return n;
}

Model::Model(const Params& params, const Network& network, RngKey key)
    : p_(params), net_(network), key_(key), centre_(contact_centre_config(params), key) {
  const std::uint32_t n = population_of(p_, net_);

  population_ = n;
  derive_rates();
  chunks_.resize((n + kChunk - 1) / kChunk);
  episodes_.configure(p_.run_episodes, p_.run_episode_sample, p_.run_episode_max_rows, n, kChunk);
  start_segments();
  initialise();
  count_initial_segments();
  // Stocks over windows of days: the single process without the split by segment (which
  // counts its own stocks daily: count_stocks_by_segment()).
  window_ = !by_segment_;
  if (window_)
    for (Chunk& chunk : chunks_) chunk.changed.assign(kChunk / 64, 0);
}

Model::Model(const Params& params, const Network& network, RngKey key, PartitionLink& link)
    : p_(params), net_(network), key_(key), centre_(contact_centre_config(params), key) {
  const std::uint32_t n = population_of(p_, net_);
  link_ = &link;
  const Blocks& blocks = link.blocks();
  const int rank = link.rank();
  if (blocks.population != n || blocks.chunk != kChunk || rank < 0 || rank >= blocks.ranks())
    throw std::invalid_argument("Model: the blocks do not match the population or the chunk size");
  const std::uint32_t first = blocks.first(rank), count = blocks.count(rank);
  if (!net_.complete &&
      (first < net_.first || std::uint64_t{first} + count + 1 > net_.first + net_.offsets.size()))
    throw std::invalid_argument("Model: the network lacks rows of this rank's customers");
  population_ = n;
  first_chunk_ = blocks.chunk_start[static_cast<std::size_t>(rank)];
  derive_rates();
  chunks_.resize((count + kChunk - 1) / kChunk);
  episodes_.configure(p_.run_episodes, p_.run_episode_sample, p_.run_episode_max_rows, count, kChunk, first);
  start_segments();
  initialise();
  count_initial_segments();
}

EpisodeTable Model::take_episodes(std::int32_t day) {
  const auto attitude_of = [&](std::uint32_t i) { return attitude_at(i, day); };
  if (!link_) return episodes_.finish(attitude_of);
  if (!episodes_.on()) return {};
  // As finish(): the episodes still current, completed as censored, after the days' (each day's
  // were gathered at its end), in customer order: rank after rank.
  gather_episodes(episodes_.take_current(attitude_of));
  return episodes_.take_table();
}

void Model::gather_episodes(const std::vector<EpisodeRow>& mine) {
  std::vector<EpisodeRow> all;
  link_->gather_episodes(mine, all);
  if (link_->is_root()) episodes_.keep(all);
}

std::uint64_t Model::state_bytes() const {
  return std::uint64_t{c_.size} * state_bytes_per_customer();  // heard_ holds c_.size customers too
}

void Model::set_params(const Params& params, const RowSink& done) {
  complete_rows(done);  // under the parameters of their days
  p_ = params;
  derive_rates();
  centre_.set_config(contact_centre_config(p_));
}

void Model::derive_rates() {
  choices_ = choices_of(p_);
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
  // A story is told to its audience over about story_days: a Poisson number of tellings a day.
  tells_per_day_positive_ = p_.wom_audience_delight / static_cast<double>(p_.wom_story_days);
  tells_per_day_negative_ = p_.wom_audience_failure / static_cast<double>(p_.wom_story_days);
  if (tells_per_day_positive_ > 0) tells_positive_law_ = PoissonLaw(tells_per_day_positive_);
  if (tells_per_day_negative_ > 0) tells_negative_law_ = PoissonLaw(tells_per_day_negative_);
  for (std::size_t k = 0; k < adopt_given_heard_.size(); ++k) {  // std::pow(x, int), as before
    adopt_given_heard_[k] =
        1.0 - std::pow(1.0 - p_.acquisition_recommendation_conversion, static_cast<int>(k));
    reject_given_heard_[k] = 1.0 - std::pow(1.0 - p_.acquisition_warning_impact, static_cast<int>(k));
  }
  // A survey answer rounds mid + slope * S + noise; its expectation rounds to >= 9 from 8.5 up.
  const double inf = std::numeric_limits<double>::infinity();
  const double slope = p_.survey_ltr_slope;
  promoter_attitude_ = static_cast<float>(slope > 0 ? (8.5 - p_.survey_ltr_mid) / slope
                                                    : (p_.survey_ltr_mid >= 8.5 ? -inf : inf));
  detractor_attitude_ = static_cast<float>(slope > 0 ? (6.5 - p_.survey_ltr_mid) / slope
                                                     : (p_.survey_ltr_mid <= 6.5 ? inf : -inf));

  // Every elapsed time of the run, and kStockDays more for count_window()'s whole windows.
  decay_.resize(static_cast<std::size_t>(p_.run_horizon_days) + 2 + kStockDays);
  for (std::size_t k = 0; k < decay_.size(); ++k)
    decay_[k] = static_cast<float>(std::exp(-static_cast<double>(k) / p_.experience_memory_days));
  baseline_.clear();
  for (const Segment& seg : p_.segments) baseline_.push_back(static_cast<float>(seg.attitude_baseline));
}

// ---------------------------------------------------------------------------------------------
// Set-up

void Model::initialise() {
  const std::uint32_t first = link_ ? link_->blocks().first(link_->rank()) : 0;
  const std::uint32_t n = first + (link_ ? link_->blocks().count(link_->rank()) : population_);
  c_.resize(first, n - first);
  heard_.assign(first, n - first, {});
  std::vector<double> cumulative;
  for (const auto& s : p_.segments)
    cumulative.push_back((cumulative.empty() ? 0 : cumulative.back()) + s.share);

  fork_join::parallel_for(tbb::blocked_range<std::uint32_t>(first, n, kChunk), [&](const auto& range) {
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
        c_.record[i].adopted_day = -1;
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
  start_tenure();
  const auto status = c_.status.local();
  initial_active_ = static_cast<double>(std::count(status.begin(), status.end(), Status::active));
  if (link_) {  // the whole population's count, on rank 0 (where the day's figures are finished)
    std::array<double, 1> total{}, mine{initial_active_};
    link_->fold(total, mine, false);
    initial_active_ = total[0];
  }
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

void Model::step(std::int32_t t, const RowSink& done) {
  if (link_) {
    Row row{};
    step_partitioned(t, row);
    done(t, row);
    return;
  }
  using Clock = std::chrono::steady_clock;
  auto mark = Clock::now();
  const auto lap = [&](double& into) {
    const auto now = Clock::now();
    into += std::chrono::duration<double>(now - mark).count();
    mark = now;
  };

  // Phase 1, parallel: each customer updates its own state and proposes contacts and messages.
  fork_join::parallel_for(tbb::blocked_range<std::size_t>(0, chunks_.size(), 1), [&](const auto& range) {
    for (std::size_t k = range.begin(); k < range.end(); ++k) {
      const auto [lo, hi] = chunk_bounds(k);
      run_chunk(chunks_[k], lo, hi, t);
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
  // centre's order. Phase 4: word of mouth reaches its listeners (for tomorrow's decisions), each
  // listener's in the order sent (chunk order, then customer order). Both change only their own
  // customer, so one parallel pass over the chunks does both: a chunk takes its outcomes, then its
  // messages, so each customer still sees phase 3 before phase 4 (one synchronisation less a day).
  const auto [first, first_resolved] = count_first_contacts(day_.outcomes);
  by_chunk(day_.outcomes, contact_customer, by_contact_);
  messages_today_.clear();
  for (const Chunk& chunk : chunks_)
    messages_today_.insert(messages_today_.end(), chunk.messages.begin(), chunk.messages.end());
  by_chunk(messages_today_, listener, by_listener_);
  lap(times_.outcomes);
  stock_day_ = t;  // what changes from here to the end of tomorrow's phase 1 changes day t's stocks
  fork_join::parallel_for(tbb::blocked_range<std::size_t>(0, chunks_.size(), 1), [&](const auto& range) {
    for (std::size_t c = range.begin(); c < range.end(); ++c) {
      chunks_[c].acc.fill(0.0);  // phase 1's figures are in `row` already
      std::fill(chunks_[c].changed.begin(), chunks_[c].changed.end(), 0);  // a new stock day
      apply_by_chunk(c, day_.outcomes, by_contact_, contact_customer,
                     [&](const ContactOutcome& outcome, Row& acc) { apply_contact(outcome, t, acc); });
      apply_by_chunk(c, messages_today_, by_listener_, listener,
                     [&](const Message& message, Row& acc) { deliver(message, t, acc); });
    }
  });
  // These phases only count (stories, messages, resolutions, answers): sums of whole numbers are
  // exact in any order and grouping. Untouched figures are left alone (a NaN ratio stays NaN).
  add_chunks(row, true);
  lap(times_.word_of_mouth);

  if (!window_) {
    finish_row(t, row, first, first_resolved);
    if (by_segment_) finish_segments(t, day_.outcomes);
    episodes_.end_day();
    done(t, row);
    return;
  }
  episodes_.end_day();
  waiting_.push_back({row, first, first_resolved});
  // A window also ends early when a chunk has recorded many changes, which bounds their memory:
  // at most kChunk / 4 + 2 kChunk records of 20 bytes a chunk (a day adds at most one a customer
  // in phase 1 and one in phases 3 and 4), 50 bytes a customer, and 5 until the day that passes
  // the quarter.
  bool crowded = false;
  for (const Chunk& chunk : chunks_) crowded = crowded || chunk.changes.size() > kChunk / 4;
  if (static_cast<std::int32_t>(waiting_.size()) == kStockDays || t + 1 >= p_.run_horizon_days || crowded) {
    complete_rows(done);
    lap(times_.customers);
  }
}

void Model::complete_rows(const RowSink& done) {
  if (waiting_.empty()) return;
  const auto days = static_cast<std::int32_t>(waiting_.size());
  std::atomic<std::uint64_t> changed{0};
  fork_join::parallel_for(tbb::blocked_range<std::size_t>(0, chunks_.size(), 1), [&](const auto& range) {
    for (std::size_t k = range.begin(); k < range.end(); ++k) {
      const auto [lo, hi] = chunk_bounds(k);
      changed += count_window(chunks_[k], lo, hi, window_first_, days);
    }
  });
  double active = 0;
  for (const Chunk& chunk : chunks_) active += chunk.window[static_cast<std::size_t>(days - 1)].by_status[1];
  for (std::int32_t k = 0; k < days; ++k) {
    Row& row = waiting_[static_cast<std::size_t>(k)].row;
    const auto add = [&](Metric m, double v) { row[static_cast<int>(m)] += v; };
    for (const Chunk& chunk : chunks_) {  // chunk order, as step() adds count_stocks()' figures
      const StockFigures& f = chunk.window[static_cast<std::size_t>(k)];
      add(Metric::prospects, f.by_status[0]);
      add(Metric::active_customers, f.by_status[1]);
      add(Metric::churned_customers, f.by_status[2]);
      add(Metric::rejecters, f.by_status[3]);
      add(Metric::mean_attitude, f.attitude);
      add(Metric::promoter_share, f.promoters);
      add(Metric::detractor_share, f.detractors);
      add(Metric::open_issues, f.open);
    }
    const WaitingRow& w = waiting_[static_cast<std::size_t>(k)];
    finish_row(window_first_ + k, row, w.first, w.first_resolved);
    done(window_first_ + k, row);
  }
  window_first_ += days;
  waiting_.clear();
  // Counting a window costs a pass over the customers (every status, the active ones' columns)
  // plus, for each customer changed in it, the changes recorded and a day-by-day count; counting
  // daily costs that pass every day. Where the changed customers weigh more than the pass, the
  // stocks are counted day by day from here on. The weight is an estimate from two runs at 10^6
  // (docs/performance.md): in the calibrated baseline four times the changed customers exceed the
  // active plus a tenth of everyone from the first window on, and windows were slower there; in
  // the Bass reduction they stay below 0.82 of it over ten years, and windows are faster. Either
  // way the figures are the same.
  if (!keep_windows_ && 4.0 * static_cast<double>(changed.load()) > active + 0.1 * population_) {
    window_ = false;
    for (Chunk& chunk : chunks_) {
      std::vector<std::uint64_t>().swap(chunk.changed);
      std::vector<StockChange>().swap(chunk.changes);
    }
  }
}

void Model::record_change(std::uint32_t i) {
  Chunk& chunk = chunks_[i / kChunk - first_chunk_];
  std::uint64_t& word = chunk.changed[(i % kChunk) / 64];
  const std::uint64_t bit = std::uint64_t{1} << (i % 64);
  if (word & bit) return;
  word |= bit;
  chunk.changes.push_back(
      {i, stock_day_, {c_.attitude[i], c_.attitude_day[i], c_.status[i], c_.issue_severity[i]}});
}

std::array<double, 2> Model::count_first_contacts(std::span<const ContactOutcome> outcomes) {
  std::array<double, 2> counts{};
  for (const ContactOutcome& outcome : outcomes) {
    if (is_first_contact(outcome)) {
      counts[0] += 1;
      counts[1] += outcome.resolved ? 1 : 0;
    }
  }
  return counts;
}

void Model::finish_row(std::int32_t t, Row& row, double first, double first_resolved) {
  const auto at = [&](Metric m) -> double& { return row[static_cast<int>(m)]; };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double active = at(Metric::active_customers);
  at(Metric::adopted_fraction) = (active + at(Metric::churned_customers)) / population_;
  at(Metric::mean_attitude) = active > 0 ? at(Metric::mean_attitude) / active : nan;
  at(Metric::promoter_share) = active > 0 ? at(Metric::promoter_share) / active : nan;
  at(Metric::detractor_share) = active > 0 ? at(Metric::detractor_share) / active : nan;
  at(Metric::fcr) = first > 0 ? first_resolved / first : nan;
  // Cohort retention: of those active on day t - k, the share still active today. Day -1 is the
  // start (the initial customers), so a one-year run has its 12-month figure on its last day.
  active_by_day_.resize(static_cast<std::size_t>(t) + 1);
  active_by_day_[static_cast<std::size_t>(t)] = active;
  const auto cohort = [&](Metric m, std::int32_t k) {
    const double then = t >= k       ? active_by_day_[static_cast<std::size_t>(t - k)]
                        : t == k - 1 ? initial_active_
                                     : 0.0;
    at(m) = then > 0 ? at(m) / then : nan;
  };
  cohort(Metric::retention_12m, kRetentionYearDays);
  cohort(Metric::retention_1m, kRetentionMonthDays);
  at(Metric::profit) = at(Metric::revenue) - at(Metric::cost_of_goods) - at(Metric::service_cost) -
                       at(Metric::acquisition_spend);
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
  if (by_segment_) std::fill(chunk.by_segment.begin(), chunk.by_segment.end(), 0.0);
  for (std::size_t k = 0; k < due; ++k) {
    if (k + kPrefetchAhead < due) prefetch(chunk.due[k + kPrefetchAhead]);
    if (k + kPrefetchAhead / 2 < due) prefetch_ties(chunk.due[k + kPrefetchAhead / 2]);
    const std::uint32_t i = chunk.due[k];
    if (by_segment_) {
      const Counts before = counts_of(chunk.acc);
      const std::size_t messages = chunk.messages.size();
      process_customer(i, t, chunk);
      split_customer(chunk, i, before, messages);
    } else {
      process_customer(i, t, chunk);
    }
    wake[i] = next_wake(i, t);
  }
  // The stocks after everyone's own update (no customer changes another in this phase).
  chunk.tenure.count(t);
  for (Tenure& s : chunk.tenure_by_segment) s.count(t);
  count_tenure(chunk.tenure, chunk.acc);
  if (!window_) count_stocks(lo, hi, t, chunk.acc);  // else complete_rows() counts them
  if (by_segment_) count_stocks_by_segment(lo, hi, t, chunk);
}

void Model::start_tenure() {
  // Chunks in parallel, as initialise(): a scan of every customer, at 10^8 not negligible.
  fork_join::parallel_for(tbb::blocked_range<std::size_t>(0, chunks_.size(), 1), [&](const auto& range) {
    for (std::size_t k = range.begin(); k < range.end(); ++k) {
      Chunk& chunk = chunks_[k];
      chunk.tenure = Tenure{};
      chunk.tenure_by_segment.assign(by_segment_ ? p_.segments.size() : 0, Tenure{});
      const auto [lo, hi] = chunk_bounds(k);
      for (std::uint32_t i = lo; i < hi; ++i)
        if (c_.status[i] == Status::active) count_adoption(chunk, i, c_.record[i].adopted_day);
    }
  });
}

void Model::count_adoption(Chunk& chunk, std::uint32_t i, std::int32_t t) {
  chunk.tenure.adopted(t);
  if (!chunk.tenure_by_segment.empty()) chunk.tenure_by_segment[c_.segment[i]].adopted(t);
}

void Model::count_churn(Chunk& chunk, std::uint32_t i) {
  const std::int32_t adopted = c_.record[i].adopted_day;
  chunk.tenure.churned(adopted);
  if (!chunk.tenure_by_segment.empty()) chunk.tenure_by_segment[c_.segment[i]].churned(adopted);
}

template <class Item, class CustomerOf>
void Model::by_chunk(const std::vector<Item>& all, CustomerOf&& customer_of, Grouping& into) const {
  into.start.assign(chunks_.size() + 1, 0);
  for (const Item& item : all) ++into.start[customer_of(item) / kChunk - first_chunk_ + 1];
  for (std::size_t c = 0; c < chunks_.size(); ++c) into.start[c + 1] += into.start[c];
  into.cursor.assign(into.start.begin(), into.start.end() - 1);
  into.items.resize(all.size());
  for (std::size_t k = 0; k < all.size(); ++k)
    into.items[into.cursor[customer_of(all[k]) / kChunk - first_chunk_]++] = static_cast<std::uint32_t>(k);
}

template <class Item, class CustomerOf, class Apply>
void Model::apply_by_chunk(std::size_t c, const std::vector<Item>& all, const Grouping& grouped,
                           CustomerOf&& customer_of, Apply&& apply) {
  Row& acc = chunks_[c].acc;
  const std::vector<std::uint32_t>& items = grouped.items;
  const std::uint32_t lo = grouped.start[c], hi = grouped.start[c + 1];
  for (std::uint32_t k = lo; k < hi; ++k) {
    // Two stages ahead: a chunk's items lie scattered over `all` (in the senders' order), often
    // in lines another thread wrote, so the item itself first, then its customer's state.
    if (k + 2 * kPrefetchAhead < hi) __builtin_prefetch(&all[items[k + 2 * kPrefetchAhead]]);
    if (k + kPrefetchAhead < hi) {
      const std::uint32_t ahead = customer_of(all[items[k + kPrefetchAhead]]);
      if constexpr (std::is_same_v<Item, Message>)
        prefetch_listener(ahead);
      else
        prefetch(ahead);
    }
    const Item& item = all[items[k]];
    if (by_segment_) {
      const Counts before = counts_of(acc);
      apply(item, acc);
      split_item(chunks_[c], customer_of(item), before, acc);
    } else {
      apply(item, acc);
    }
  }
}

template <class Item, class CustomerOf, class Apply>
void Model::in_parallel_by_chunk(Row& row, const std::vector<Item>& all, const Grouping& grouped,
                                 CustomerOf&& customer_of, Apply&& apply) {
  fork_join::parallel_for(tbb::blocked_range<std::size_t>(0, chunks_.size(), 1), [&](const auto& range) {
    for (std::size_t c = range.begin(); c < range.end(); ++c) {
      chunks_[c].acc.fill(0.0);  // phase 1's figures are in `row` already
      apply_by_chunk(c, all, grouped, customer_of, apply);
    }
  });
  // These phases only count (stories, messages, resolutions, answers): sums of whole numbers are
  // exact in any order. Untouched figures are left alone (a NaN ratio stays NaN).
  add_chunks(row, true);
}

void Model::add_chunks(Row& row, bool skip_zero) {
  if (link_) {
    chunk_rows_.resize(chunks_.size() * kMetricCount);
    for (std::size_t c = 0; c < chunks_.size(); ++c)
      std::copy(chunks_[c].acc.begin(), chunks_[c].acc.end(), chunk_rows_.begin() + c * kMetricCount);
    link_->fold(row, chunk_rows_, skip_zero);
    return;
  }
  for (const Chunk& chunk : chunks_)
    for (int m = 0; m < kMetricCount; ++m)
      if (!skip_zero || chunk.acc[m] != 0) row[m] += chunk.acc[m];
}

void Model::prefetch(std::uint32_t i) const {
  __builtin_prefetch(&c_.record[i], 1);
  __builtin_prefetch(&c_.status[i], 1);
  __builtin_prefetch(&c_.attitude[i], 1);
  __builtin_prefetch(&c_.attitude_day[i], 1);
  __builtin_prefetch(&c_.issue_severity[i], 1);
  __builtin_prefetch(&c_.segment[i]);
  if (!net_.complete) __builtin_prefetch(&net_.offsets[i - net_.first]);
}

void Model::prefetch_listener(std::uint32_t j) const {
  prefetch(j);
  prefetch_for_write(&heard_[j]);  // tellers on the other core may have read it today
  __builtin_prefetch(&c_.wake[j], 1);
}

void Model::prefetch_ties(std::uint32_t i) const {
  // The row's offsets were asked for a few customers earlier: now the row itself, which a
  // customer who talks today reads to pick a listener.
  if (!net_.complete && !net_.targets.empty())
    __builtin_prefetch(
        &net_.targets[std::min<std::uint64_t>(net_.offsets[i - net_.first], net_.targets.size() - 1)]);
}

CXSIM_MECHANISM std::int32_t Model::next_wake(std::uint32_t i, std::int32_t t) const {
  if (c_.record[i].tells_positive > 0 || c_.record[i].tells_negative > 0) return t + 1;
  switch (c_.status[i]) {
    case Status::prospect:
      return c_.record[i].next_external;  // or when word of mouth arrives
    case Status::rejecter:
      return c_.record[i].next_external;
    case Status::active:
      if (c_.issue_severity[i] != Severity::none) return t + 1;  // costs attitude every day
      return std::min({c_.record[i].next_purchase, c_.record[i].next_question, c_.record[i].next_survey,
                       c_.record[i].next_talk});
    case Status::churned:
      break;
  }
  return kNever;
}

CXSIM_MECHANISM void Model::process_customer(std::uint32_t i, std::int32_t t, Chunk& chunk) {
  switch (c_.status[i]) {
    case Status::rejecter:
      c_.record[i].inbox_positive = c_.record[i].inbox_negative = 0;
      if (t < c_.record[i].next_external) break;
      note_change(i);
      c_.status[i] = Status::prospect;
      {
        Stream rng(key_, Purpose::external_adoption, i, static_cast<std::uint64_t>(t));
        c_.record[i].next_external = add_days(t - 1, days_until(rng, external_daily_));
      }
      process_prospect(i, t, chunk);
      break;
    case Status::prospect:
      process_prospect(i, t, chunk);
      break;
    case Status::active:
      process_active(i, t, chunk);
      break;
    case Status::churned:
      break;
  }
  if (c_.record[i].tells_positive > 0 || c_.record[i].tells_negative > 0) tell(i, t, chunk);
}

// The day of an active customer: one call per mechanism family that has something due.
CXSIM_MECHANISM void Model::process_active(std::uint32_t i, std::int32_t t, Chunk& chunk) {
  Row& acc = chunk.acc;
  if (c_.record[i].next_purchase == t) {
    purchase(i, t, chunk);
    if (c_.status[i] != Status::active) return;
  }

  std::uint8_t contacts_today = 0;
  if (c_.issue_severity[i] != Severity::none) {
    if (t > c_.record[i].issue_opened) issue_cost(i, t);
    if ((c_.record[i].flags & notified_issue) && t - c_.record[i].issue_opened >= p_.proactive_fix_days) {
      const auto severity = static_cast<std::uint8_t>(c_.issue_severity[i]);
      resolve_issue(i, t);  // the firm fixed the problem it told the customer about
      if (episodes_.sampled(i))
        episodes_.closed(i, t, EpisodeOutcome::resolved_proactively, severity, c_.attitude[i]);
    } else if (t - c_.record[i].issue_opened >= p_.quality_issue_give_up_days) {
      if (episodes_.sampled(i))
        episodes_.closed(i, t, EpisodeOutcome::unresolved, static_cast<std::uint8_t>(c_.issue_severity[i]),
                         attitude_at(i, t));
      close_remembered(i, 0);  // nobody resolved it: the customer lives with it
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

// ---------------------------------------------------------------------------------------------

std::vector<CustomerColumn> Model::customer_columns(std::int32_t day) const {
  const auto n = c_.size, first = c_.first;  // the customers held: [first, first + n)
  std::vector<std::uint8_t> status(n), segment(c_.segment.local().begin(), c_.segment.local().end()),
      severity(n);
  std::vector<float> attitude(n), expectation(n), revenue(n);
  std::vector<std::int32_t> purchases(n), adopted(n);
  for (std::uint32_t k = 0; k < n; ++k) {
    const std::uint32_t i = first + k;
    status[k] = static_cast<std::uint8_t>(c_.status[i]);
    severity[k] = static_cast<std::uint8_t>(c_.issue_severity[i]);
    attitude[k] = attitude_at(i, day);
    expectation[k] = c_.record[i].expectation;
    revenue[k] = c_.record[i].revenue;
    purchases[k] = c_.record[i].purchases;
    adopted[k] = c_.record[i].adopted_day == kNever ? -2 : c_.record[i].adopted_day;
  }
  std::vector<CustomerColumn> out;
  out.push_back({"status", "", "0 prospect, 1 active, 2 churned, 3 rejecter", std::move(status)});
  out.push_back({"segment", "", "index into /parameters/segments", std::move(segment)});
  out.push_back({"attitude", "attitude", "attitude S at the end of the run", std::move(attitude)});
  out.push_back({"expectation", "score", "expectation E at the end of the run", std::move(expectation)});
  out.push_back({"purchases", "orders", "orders placed (an initial customer counts 1 before day 0)",
                 std::move(purchases)});
  out.push_back({"revenue", "currency", "revenue from this customer during the run", std::move(revenue)});
  out.push_back(
      {"adopted_day", "day", "day of adoption; -1 customer before day 0; -2 never", std::move(adopted)});
  out.push_back({"open_issue", "", "severity of the open issue: 0 none, 1 mild, 2 moderate, 3 severe",
                 std::move(severity)});
  return out;
}

}  // namespace cxsim
