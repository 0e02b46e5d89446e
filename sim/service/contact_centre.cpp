#include "service/contact_centre.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#include "core/errors.hpp"
#include "core/fork_join.hpp"
#include "service/time_sort.hpp"

namespace cxsim {
namespace {

constexpr double kDay = 86400;
constexpr double kInf = std::numeric_limits<double>::infinity();

// A contact attempt's randomness: a fixed layout of uniforms from its own stream, so that
// changing one mechanism (e.g. the handle-time distribution) leaves the others' draws unchanged
// (common random numbers). Words 0-7 serve the queue, 8-11 the chatbot.
enum Word : int {
  w_patience = 0,  // and 1 (lognormal: Box-Muller pair)
  w_handle = 2,    // and 3
  w_routing = 4,
  w_resolution = 5,
  w_retry = 6,
  w_retry_delay = 7,
  w_containment = 8,
  w_bot_time = 9,  // and 10
  w_bot_resolution = 11,
  kQueueWords = 8,
  kAllWords = 12,
};

using Words = std::array<double, kAllWords>;

std::uint64_t entity_of(std::uint64_t customer, int sequence, int attempt) {
  return customer << 8 | static_cast<std::uint64_t>(sequence) << 3 | static_cast<std::uint64_t>(attempt);
}

void draw(RngKey key, std::uint64_t entity, std::uint32_t day, int count, Words& u) {
  Stream s(key, Purpose::queue, entity, day);
  for (int i = 0; i < count; ++i) u[i] = s.uniform();
}

double exponential(double mean, double u) {
  return -mean * std::log1p(-u);
}

double std_normal(double u1, double u2) {  // Box-Muller: exact, two fixed words
  return std::sqrt(-2 * std::log1p(-u1)) * std::cos(2 * std::numbers::pi * u2);
}

double lognormal_sigma(double cv) {
  return std::sqrt(std::log1p(cv * cv));
}

// A lognormal with the given mean: exp(log(mean) - sigma^2 / 2 + sigma z).
double lognormal(double mean, double sigma, double u1, double u2) {
  return mean * std::exp(sigma * std_normal(u1, u2) - 0.5 * sigma * sigma);
}

double sample_handle(const ChannelConfig& c, double sigma, const Words& u, int w) {
  switch (c.handle) {
    case HandleTime::exponential:
      return exponential(c.handle_mean_s, u[w]);
    case HandleTime::lognormal:
      return lognormal(c.handle_mean_s, sigma, u[w], u[w + 1]);
    case HandleTime::fixed:
      break;
  }
  return c.handle_mean_s;
}

double sample_patience(Patience law, double sigma, double mean, double u0, double u1) {
  if (std::isinf(mean)) return kInf;
  switch (law) {
    case Patience::exponential:
      return exponential(mean, u0);
    case Patience::lognormal:
      return lognormal(mean, sigma, u0, u1);
    case Patience::infinite:
      break;
  }
  return kInf;
}

bool open_at_hour(const ChannelConfig& c, int hour) {
  return hour >= c.open_hour && hour < c.close_hour;
}

bool open_at(const ChannelConfig& c, double t_abs) {
  return open_at_hour(c, static_cast<int>(static_cast<std::uint64_t>(t_abs / 3600) % 24));
}

// ---------------------------------------------------------------------------------------------
// Validation

std::string key_of(Channel c, const char* field) {
  return std::string(channel_name(c)) + "." + field;  // the scenario key, e.g. "phone.agents"
}

void require(bool ok, const std::string& key, const std::string& what) {
  if (!ok) throw InputError(what, {}, 0, 0, key);
}

bool is_probability(double p) {
  return p >= 0 && p <= 1;
}
bool positive(double x) {
  return std::isfinite(x) && x > 0;
}

void validate_channel(Channel ch, const ChannelConfig& c) {
  require(c.open_hour >= 0 && c.open_hour <= 23, key_of(ch, "open_hour"), "must be 0-23");
  require(c.close_hour >= 1 && c.close_hour <= 24, key_of(ch, "close_hour"), "must be 1-24");
  require(c.open_hour < c.close_hour, key_of(ch, "close_hour"),
          "must be after open_hour (" + std::to_string(c.open_hour) + ")");
  require(positive(c.handle_mean_s), key_of(ch, "handle_mean_s"), "must be > 0 seconds");
  require(c.handle != HandleTime::lognormal || positive(c.handle_cv), key_of(ch, "handle_cv"),
          "must be > 0 for a lognormal handle time");
  if (ch == Channel::chatbot) return;  // no agents, no queue
  require(c.agents.size() == 24, key_of(ch, "agents"),
          "must have 24 values (agents per hour), got " + std::to_string(c.agents.size()));
  for (int h = 0; h < 24; ++h) {
    require(c.agents[h] >= 0, key_of(ch, "agents"),
            "must be >= 0, got " + std::to_string(c.agents[h]) + " at hour " + std::to_string(h));
    require(!c.enabled || !open_at_hour(c, h) || c.agents[h] > 0, key_of(ch, "agents"),
            "no agents at hour " + std::to_string(h) + " while the channel is open (" +
                std::to_string(c.open_hour) + "-" + std::to_string(c.close_hour) +
                "); allowed: 1 or more agents in every open hour (or change " + key_of(ch, "open_hour") +
                " and " + key_of(ch, "close_hour") + ", or set " + key_of(ch, "enabled") + " = false)");
  }
  require(c.concurrency >= 1 && c.concurrency <= 16, key_of(ch, "concurrency"), "must be 1-16");
  require(std::isfinite(c.target_s) && c.target_s >= 0, key_of(ch, "target_s"), "must be >= 0 seconds");
  require(c.patience != Patience::lognormal || positive(c.patience_cv), key_of(ch, "patience_cv"),
          "must be > 0 for a lognormal patience");
  require(is_probability(c.retry_probability), key_of(ch, "retry_probability"), "must be in [0, 1]");
  require(positive(c.retry_delay_mean_s), key_of(ch, "retry_delay_mean_s"), "must be > 0 seconds");
  require(c.max_attempts >= 1 && c.max_attempts <= 8, key_of(ch, "max_attempts"), "must be 1-8");
  require(std::isfinite(c.wage_per_hour) && c.wage_per_hour >= 0, key_of(ch, "wage_per_hour"),
          "must be >= 0");
}

}  // namespace

std::string_view channel_name(Channel c) {
  switch (c) {
    case Channel::phone:
      return "phone";
    case Channel::chat:
      return "chat";
    case Channel::email:
      return "email";
    case Channel::chatbot:
      return "chatbot";
  }
  return "unknown";
}

std::vector<int> flat_roster(int agents) {
  return std::vector<int>(24, agents);
}

std::array<ChannelConfig, kChannelCount> ContactCentreConfig::defaults() {
  std::array<ChannelConfig, kChannelCount> c{};
  auto& chat = c[static_cast<int>(Channel::chat)];
  chat.handle_mean_s = 360;
  chat.concurrency = 2;
  chat.agents = flat_roster(5);
  chat.target_s = 60;
  auto& email = c[static_cast<int>(Channel::email)];
  email.handle_mean_s = 300;
  email.agents = flat_roster(3);
  email.target_s = 86400;
  email.patience = Patience::infinite;
  auto& bot = c[static_cast<int>(Channel::chatbot)];
  bot.open_hour = 0;
  bot.close_hour = 24;
  bot.agents = flat_roster(0);
  bot.handle_mean_s = 120;
  bot.patience = Patience::infinite;
  bot.target_s = 0;
  bot.wage_per_hour = 0;
  return c;
}

void validate(const ContactCentreConfig& config) {
  for (Channel ch : kAllChannels) validate_channel(ch, config[ch]);
  const std::string g = "contact_centre.";
  require(is_probability(config.containment), g + "chatbot_containment", "must be in [0, 1]");
  require(is_probability(config.contained_resolution), g + "contained_resolution", "must be in [0, 1]");
  require(!config[Channel::chatbot].enabled || config.containment == 1 || config[Channel::chat].enabled,
          "chat.enabled", "the chatbot escalates to chat, so chat must be enabled");
  require(is_probability(config.basic_accuracy), g + "basic_accuracy", "must be in [0, 1]");
  require(is_probability(config.skills_accuracy), g + "skills_accuracy", "must be in [0, 1]");
  require(is_probability(config.transfer_handle_fraction), g + "transfer_handle_fraction",
          "must be in [0, 1]");
  require(is_probability(config.fcr), g + "fcr", "must be in [0, 1]");
  require(config.rush_queue_per_agent >= 0, g + "rush_queue_per_agent",
          "must be >= 0 (infinity: never rushed)");
  require(positive(config.rush_handle_factor) && config.rush_handle_factor <= 1, g + "rush_handle_factor",
          "must be in (0, 1]");
  require(is_probability(config.rush_fcr_drop), g + "rush_fcr_drop", "must be in [0, 1]");
  require(std::isfinite(config.no_context_multiplier) && config.no_context_multiplier >= 1,
          g + "no_context_multiplier", "must be >= 1");
}

// ---------------------------------------------------------------------------------------------
// One queue: phone, chat or email.

namespace {

struct Arrival {
  double t = 0;  // absolute seconds since day 0
  double bot_s = 0;
  Contact contact;
  std::uint32_t day = 0;
  bool escalated = false;
};

struct ArrivalBefore {  // a type, not a function pointer: the sort inlines it
  bool operator()(const Arrival& a, const Arrival& b) const {
    if (a.t != b.t) return a.t < b.t;
    if (a.contact.customer != b.contact.customer) return a.contact.customer < b.contact.customer;
    if (a.contact.sequence != b.contact.sequence) return a.contact.sequence < b.contact.sequence;
    return a.contact.tag < b.contact.tag;
  }
};

enum class JobState : std::uint8_t { free, pending, waiting, serving };

// A contact in the centre, with the draws of its current attempt.
struct Job {
  double arrival_s = 0;  // as given, seconds since its day's midnight
  double queued_at = 0;
  double patience_left = kInf;  // of the current attempt, across a transfer
  double handle_natural = 0;
  double wait_total = 0;
  double agent_s = 0;
  double bot_s = 0;
  double resolve_u = 0, retry_u = 0;
  double patience_mean_s = 0;
  // Drawn at arrival, computed only if needed (most contacts never queue or abandon), from the
  // settings of the arrival: the same values as computing them at once.
  double patience_sigma = 0, patience_u0 = 0, patience_u1 = 0;
  double retry_delay_mean_s = 0, retry_delay_u = 0;
  Patience patience_law = Patience::infinite;
  bool patience_due = false;  // patience_left still to compute (no wait has counted yet)
  std::uint64_t customer = 0;
  std::uint32_t tag = 0, day = 0, gen = 0;
  Channel origin = Channel::phone;
  std::uint8_t sequence = 0, severity = 0, attempt = 0, transfers = 0;
  bool is_repeat = false, is_value_demand = false, escalated = false;
  bool wrong_skill = false, in_transfer = false, rushed = false, within_target = false;
  JobState state = JobState::free;
};

enum class EventKind : std::uint8_t { completion, abandonment, arrival };

struct Event {
  double t;
  std::uint64_t order;  // ties in time: first scheduled, first processed
  std::uint32_t job;
  std::uint32_t gen;
  EventKind kind;
};

struct Later {
  bool operator()(const Event& a, const Event& b) const {
    return a.t > b.t || (a.t == b.t && a.order > b.order);
  }
};

struct QueueEntry {
  std::uint32_t job, gen;
};

// A FIFO ring buffer that keeps its memory across days.
class Fifo {
 public:
  bool empty() const { return size_ == 0; }
  void push(QueueEntry e) {
    if (size_ == buf_.size()) grow();
    buf_[(head_ + size_) & (buf_.size() - 1)] = e;
    ++size_;
  }
  QueueEntry pop() {
    QueueEntry e = buf_[head_];
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
    return e;
  }

 private:
  void grow() {
    std::vector<QueueEntry> bigger(std::max<std::size_t>(64, buf_.size() * 2));
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = buf_[(head_ + i) & (buf_.size() - 1)];
    buf_.swap(bigger);
    head_ = 0;
  }
  std::vector<QueueEntry> buf_;  // size is a power of two
  std::size_t head_ = 0, size_ = 0;
};

class ChannelQueue {
 public:
  void configure(Channel ch, const ContactCentreConfig* cfg) {
    channel_ = ch;
    all_ = cfg;
    c_ = &(*cfg)[ch];
    handle_sigma_ = lognormal_sigma(c_->handle_cv);
    patience_sigma_ = lognormal_sigma(c_->patience_cv);
    drain_ = ch != Channel::email;
  }

  std::vector<Arrival>& arrivals() { return arrivals_; }
  std::size_t in_system() const { return jobs_.size() - free_.size(); }

  void run_day(std::uint32_t day, RngKey key, std::vector<ContactOutcome>& out, ChannelDayStats& st);

 private:
  double next_tick() const { return static_cast<double>(hour_abs_) * 3600; }
  void advance(double t) {
    const double dt = t - now_;
    st_->queue_time_s += waiting_ * dt;
    busy_slot_s_ += busy_ * dt;
    now_ = t;
  }
  void push_event(double t, std::uint32_t job, EventKind kind) {
    heap_.push_back({t, order_++, job, jobs_[job].gen, kind});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }
  std::uint32_t alloc_job();
  void free_job(std::uint32_t j);
  void tick();
  void arrive(std::uint32_t j);
  void enqueue(std::uint32_t j);
  void try_start();
  void start(std::uint32_t j, bool from_queue);
  void complete(std::uint32_t j);
  void abandon(std::uint32_t j);
  void finish(std::uint32_t j, bool answered, bool abandoned, bool closed, bool resolved);

  Channel channel_ = Channel::phone;
  const ContactCentreConfig* all_ = nullptr;
  const ChannelConfig* c_ = nullptr;
  double handle_sigma_ = 0, patience_sigma_ = 0;
  bool drain_ = true;  // serve the queue after closing (phone, chat) or leave it (email)

  // State carried across days.
  bool started_ = false;
  double now_ = 0;
  std::uint64_t hour_abs_ = 0;  // the next hour boundary to process
  bool open_ = false;
  double close_at_ = 0;
  int shift_agents_ = 0;
  std::int64_t cap_ = 0;  // sessions that may be busy
  std::int64_t busy_ = 0, waiting_ = 0;
  std::uint64_t order_ = 0;
  std::vector<Job> jobs_;
  std::vector<std::uint32_t> free_;
  std::vector<Event> heap_;
  Fifo fifo_;

  // Per day.
  std::vector<Arrival> arrivals_;
  TimeSort<Arrival> sort_;  // std::sort's order of arrivals_, by a radix sort of their times
  RngKey key_{};
  double day_start_ = 0;
  double busy_slot_s_ = 0, overtime_slot_s_ = 0;
  ChannelDayStats* st_ = nullptr;
  std::vector<ContactOutcome>* out_ = nullptr;
  Words u_{};
};

std::uint32_t ChannelQueue::alloc_job() {
  std::uint32_t j;
  if (!free_.empty()) {
    j = free_.back();
    free_.pop_back();
  } else {
    j = static_cast<std::uint32_t>(jobs_.size());
    jobs_.emplace_back();
  }
  const std::uint32_t gen = jobs_[j].gen + 1;
  jobs_[j] = Job{};
  jobs_[j].gen = gen;
  return j;
}

void ChannelQueue::free_job(std::uint32_t j) {
  jobs_[j].state = JobState::free;
  ++jobs_[j].gen;
  free_.push_back(j);
}

void ChannelQueue::run_day(std::uint32_t day, RngKey key, std::vector<ContactOutcome>& out,
                           ChannelDayStats& st) {
  key_ = key;
  st_ = &st;
  out_ = &out;
  day_start_ = day * kDay;
  busy_slot_s_ = overtime_slot_s_ = 0;
  if (!started_) {
    started_ = true;
    now_ = close_at_ = day_start_;
    hour_abs_ = static_cast<std::uint64_t>(day) * 24;
  }
  if (!std::is_sorted(arrivals_.begin(), arrivals_.end(), ArrivalBefore{}))
    sort_(
        arrivals_, [](const Arrival& a) { return a.t; }, ArrivalBefore{});

  const double end = day_start_ + kDay;
  std::size_t next = 0;
  auto new_job = [&](const Arrival& a) {
    const std::uint32_t j = alloc_job();
    Job& job = jobs_[j];
    const Contact& c = a.contact;
    job.arrival_s = c.arrival_s;
    job.customer = c.customer;
    job.tag = c.tag;
    job.day = a.day;
    job.origin = c.channel;
    job.sequence = c.sequence;
    job.severity = c.severity;
    job.is_repeat = c.is_repeat;
    job.is_value_demand = c.is_value_demand;
    job.patience_mean_s = c.patience_mean_s;
    job.escalated = a.escalated;
    job.bot_s = a.bot_s;
    return j;
  };
  for (;;) {
    const double ta = next < arrivals_.size() ? arrivals_[next].t : kInf;
    const double te = heap_.empty() ? kInf : heap_.front().t;
    const double tt = next_tick();
    const double t = std::min({ta, te, tt});
    if (t >= end) break;
    advance(t);
    if (tt <= te && tt <= ta) {
      tick();
    } else if (te <= ta) {
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      const Event e = heap_.back();
      heap_.pop_back();
      if (jobs_[e.job].gen != e.gen) continue;  // superseded (e.g. answered before abandoning)
      switch (e.kind) {
        case EventKind::completion:
          complete(e.job);
          break;
        case EventKind::abandonment:
          abandon(e.job);
          break;
        case EventKind::arrival:
          arrive(e.job);
          break;
      }
    } else {
      arrive(new_job(arrivals_[next++]));
    }
  }
  advance(end);
  // Escalations whose bot session ends after midnight arrive tomorrow.
  for (; next < arrivals_.size(); ++next) {
    const std::uint32_t j = new_job(arrivals_[next]);
    jobs_[j].state = JobState::pending;
    push_event(arrivals_[next].t, j, EventKind::arrival);
  }
  arrivals_.clear();

  // Sessions still busy after closing are paid until midnight today, the rest tomorrow.
  if (!open_) overtime_slot_s_ += busy_ * (end - std::max(close_at_, day_start_));
  if (!open_) close_at_ = std::max(close_at_, end);
  const double conc = c_->concurrency;
  st.busy_agent_s = busy_slot_s_ / conc;
  st.overtime_agent_s = overtime_slot_s_ / conc;
  st.paid_agent_s += st.overtime_agent_s;
  st.cost = st.paid_agent_s / 3600 * c_->wage_per_hour;
  st.in_system_end = in_system();
}

void ChannelQueue::tick() {
  const int hour = static_cast<int>(hour_abs_ % 24);
  ++hour_abs_;
  if (open_at_hour(*c_, hour)) {
    if (!open_) {  // opening: sessions still busy from overtime were paid until now
      overtime_slot_s_ += busy_ * (now_ - std::max(close_at_, day_start_));
      open_ = true;
    }
    shift_agents_ = c_->agents[hour];
    cap_ = static_cast<std::int64_t>(shift_agents_) * c_->concurrency;
    st_->paid_agent_s += shift_agents_ * 3600.0;
    try_start();  // sessions above a smaller roster finish their contact, then stop
  } else if (open_) {
    open_ = false;
    close_at_ = now_;
    cap_ = drain_ ? busy_ : 0;  // idle agents go home
  }
}

void ChannelQueue::arrive(std::uint32_t j) {
  Job& job = jobs_[j];
  draw(key_, entity_of(job.customer, job.sequence, job.attempt), job.day, kQueueWords, u_);
  job.handle_natural = sample_handle(*c_, handle_sigma_, u_, w_handle);
  job.patience_left = kInf;
  job.patience_due = channel_ != Channel::email;
  job.patience_law = c_->patience;
  job.patience_sigma = patience_sigma_;
  job.patience_u0 = u_[w_patience];
  job.patience_u1 = u_[w_patience + 1];
  job.wrong_skill = u_[w_routing] >= all_->routing_accuracy();
  job.resolve_u = u_[w_resolution];
  job.retry_u = u_[w_retry];
  job.retry_delay_mean_s = c_->retry_delay_mean_s;
  job.retry_delay_u = u_[w_retry_delay];
  job.in_transfer = false;
  if (!open_ && drain_) {  // phone and chat turn contacts away while closed
    ++st_->closed;
    finish(j, false, false, true, false);
    return;
  }
  ++st_->offered;
  if (busy_ < cap_ && waiting_ == 0) {
    job.queued_at = now_;
    start(j, false);
  } else {
    enqueue(j);
  }
}

void ChannelQueue::enqueue(std::uint32_t j) {
  Job& job = jobs_[j];
  job.state = JobState::waiting;
  job.queued_at = now_;
  ++waiting_;
  fifo_.push({j, job.gen});
  if (job.patience_due) {
    job.patience_left = sample_patience(job.patience_law, job.patience_sigma, job.patience_mean_s,
                                        job.patience_u0, job.patience_u1);
    job.patience_due = false;
  }
  if (std::isfinite(job.patience_left)) push_event(now_ + job.patience_left, j, EventKind::abandonment);
}

void ChannelQueue::try_start() {
  while (busy_ < cap_ && waiting_ > 0) {
    const QueueEntry e = fifo_.pop();
    const Job& job = jobs_[e.job];
    if (job.gen == e.gen && job.state == JobState::waiting) start(e.job, true);
  }
}

void ChannelQueue::start(std::uint32_t j, bool from_queue) {
  Job& job = jobs_[j];
  ++job.gen;  // cancels the pending abandonment
  if (from_queue) --waiting_;
  const double wait = now_ - job.queued_at;
  job.wait_total += wait;
  if (!job.patience_due) job.patience_left -= wait;  // still due: answered at once, wait 0
  if (!job.in_transfer) {
    ++st_->answered;
    st_->wait_answered_s += wait;
    job.within_target = wait <= c_->target_s;
    if (job.within_target) ++st_->answered_within_target;
  } else {
    st_->wait_transfer_s += wait;
  }
  // Rushed: a long queue pushes the agent below the natural handle time (see the header).
  job.rushed = static_cast<double>(waiting_) > all_->rush_queue_per_agent * shift_agents_;
  if (job.rushed) ++st_->rushed;
  double handle = job.handle_natural;
  if ((job.is_repeat || job.in_transfer) && !all_->omnichannel_context) handle *= all_->no_context_multiplier;
  if (job.rushed) handle *= all_->rush_handle_factor;
  if (job.wrong_skill && !job.in_transfer) handle *= all_->transfer_handle_fraction;
  job.agent_s += handle;
  job.state = JobState::serving;
  ++busy_;
  push_event(now_ + handle, j, EventKind::completion);
}

void ChannelQueue::complete(std::uint32_t j) {
  Job& job = jobs_[j];
  --busy_;
  if (job.wrong_skill && !job.in_transfer) {  // the wrong agent transfers it: queue again
    ++st_->transfers;
    ++job.transfers;
    job.in_transfer = true;
    enqueue(j);
  } else {
    ++st_->completed;
    st_->handle_s += job.agent_s;
    const double fcr = job.rushed ? all_->fcr - all_->rush_fcr_drop : all_->fcr;
    const bool resolved = job.resolve_u < fcr;
    if (resolved) ++st_->resolved;
    finish(j, true, false, false, resolved);
  }
  try_start();
  if (!open_ && (!drain_ || busy_ < cap_)) {  // after closing, a session with no work leaves
    overtime_slot_s_ += now_ - std::max(close_at_, day_start_);
    if (drain_) cap_ = busy_;
  }
}

void ChannelQueue::abandon(std::uint32_t j) {
  Job& job = jobs_[j];
  ++job.gen;
  --waiting_;
  const double wait = now_ - job.queued_at;
  job.wait_total += wait;
  ++st_->abandoned;
  st_->wait_abandoned_s += wait;
  const double retry_delay_s = exponential(job.retry_delay_mean_s, job.retry_delay_u);
  if (job.attempt + 1 < c_->max_attempts && job.retry_u < c_->retry_probability &&
      open_at(*c_, now_ + retry_delay_s)) {
    ++st_->retries;
    ++job.attempt;
    job.state = JobState::pending;
    push_event(now_ + retry_delay_s, j, EventKind::arrival);
    return;
  }
  finish(j, false, true, false, false);
}

void ChannelQueue::finish(std::uint32_t j, bool answered, bool abandoned, bool closed, bool resolved) {
  const Job& job = jobs_[j];
  ContactOutcome& o = out_->emplace_back();
  o.customer = job.customer;
  o.tag = job.tag;
  o.day = job.day;
  o.arrival_s = job.arrival_s;
  o.end_s = now_ - day_start_;
  o.wait_s = job.wait_total;
  o.handle_s = job.agent_s + job.bot_s;
  o.channel = job.origin;
  o.sequence = job.sequence;
  o.severity = job.severity;
  o.attempts = static_cast<std::uint8_t>(job.attempt + 1);
  o.transfers = job.transfers;
  o.is_repeat = job.is_repeat;
  o.is_value_demand = job.is_value_demand;
  o.answered = answered;
  o.abandoned = abandoned;
  o.closed = closed;
  o.escalated = job.escalated;
  o.resolved = resolved;
  o.within_target = answered && job.within_target;
  o.rushed = answered && job.rushed;
  free_job(j);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The centre: the chatbot in front of chat, then each queue on its own.

struct ContactCentre::Impl {
  ContactCentreConfig config;
  RngKey key;
  std::array<ChannelQueue, 3> queues;                   // phone, chat, email
  std::array<std::vector<ContactOutcome>, 3> outcomes;  // each queue's day, before merging
  bool started = false;
  std::uint32_t last_day = 0;

  ChannelQueue& queue(Channel c) { return queues[static_cast<int>(c)]; }
  void configure() {
    for (Channel c : {Channel::phone, Channel::chat, Channel::email}) queue(c).configure(c, &config);
  }
  void chatbot(std::uint32_t day, const Contact& c, DayResult& out);
};

void ContactCentre::Impl::chatbot(std::uint32_t day, const Contact& c, DayResult& out) {
  const ChannelConfig& bot = config[Channel::chatbot];
  ChannelDayStats& st = out.stats[static_cast<int>(Channel::chatbot)];
  Words u;
  draw(key, entity_of(c.customer, c.sequence, 0), day, kAllWords, u);
  const double bot_s = sample_handle(bot, lognormal_sigma(bot.handle_cv), u, w_bot_time);
  const bool open = open_at_hour(bot, static_cast<int>(c.arrival_s / 3600));
  const bool contained = open && u[w_containment] < config.containment;
  if (open && !contained) {  // escalated: joins the chat queue when the bot session ends
    ++st.offered;
    ++st.escalated;
    st.handle_s += bot_s;
    queue(Channel::chat).arrivals().push_back({day * kDay + c.arrival_s + bot_s, bot_s, c, day, true});
    return;
  }
  ContactOutcome& o = out.outcomes.emplace_back();
  o.customer = c.customer;
  o.tag = c.tag;
  o.day = day;
  o.arrival_s = c.arrival_s;
  o.channel = Channel::chatbot;
  o.sequence = c.sequence;
  o.severity = c.severity;
  o.is_repeat = c.is_repeat;
  o.is_value_demand = c.is_value_demand;
  if (!open) {
    ++st.closed;
    o.closed = true;
    o.end_s = c.arrival_s;
    return;
  }
  ++st.offered;
  ++st.contained;
  ++st.completed;
  st.handle_s += bot_s;
  o.contained = true;
  o.handle_s = bot_s;
  o.end_s = c.arrival_s + bot_s;  // may pass midnight; reported today all the same
  o.resolved = u[w_bot_resolution] < config.contained_resolution;
  if (o.resolved) ++st.resolved;
}

ContactCentre::ContactCentre(const ContactCentreConfig& config, RngKey key)
    : impl_(std::make_unique<Impl>()) {
  validate(config);
  impl_->config = config;
  impl_->key = key;
  impl_->configure();
}

ContactCentre::~ContactCentre() = default;
ContactCentre::ContactCentre(ContactCentre&&) noexcept = default;
ContactCentre& ContactCentre::operator=(ContactCentre&&) noexcept = default;

void ContactCentre::set_config(const ContactCentreConfig& config) {
  validate(config);
  impl_->config = config;
  impl_->configure();
}

const ContactCentreConfig& ContactCentre::config() const {
  return impl_->config;
}

std::size_t ContactCentre::in_system(Channel c) const {
  return c == Channel::chatbot ? 0 : impl_->queue(c).in_system();
}

void ContactCentre::simulate_day(std::uint32_t day, std::span<const Contact> contacts, DayResult& out) {
  simulate_day(day, contacts, out, kAllQueues);
}

void ContactCentre::simulate_day(std::uint32_t day, std::span<const Contact> contacts, DayResult& out,
                                 unsigned queues) {
  Impl& m = *impl_;
  const auto runs = [&](int queue) { return ((queues >> queue) & 1u) != 0; };
  if (m.started && day != m.last_day + 1)
    throw std::logic_error("contact centre: day " + std::to_string(day) + " after day " +
                           std::to_string(m.last_day) + " (days must follow each other)");
  for (const Contact& c : contacts) {  // check all first: a bad contact leaves the state intact
    if (!(c.arrival_s >= 0 && c.arrival_s < kDay))
      throw std::invalid_argument("contact arrival must be in [0, 86400) s");
    if (c.customer >> 56 != 0 || c.sequence >= 32 || c.severity > 3 ||
        static_cast<int>(c.channel) >= kChannelCount)
      throw std::invalid_argument(
          "contact with customer >= 2^56, sequence >= 32, severity > 3 "
          "or an unknown channel");
    if (!(c.patience_mean_s > 0))
      throw InputError("mean patience must be > 0 seconds", {}, 0, 0, "segment.patience_s");
    if (!runs(queue_of(c.channel))) throw std::invalid_argument("contact on a queue this call does not run");
    if (!m.config[c.channel].enabled)
      throw InputError("a contact arrived on a disabled channel", {}, 0, 0, key_of(c.channel, "enabled"));
  }
  out.outcomes.clear();
  out.stats = {};
  for (const Contact& c : contacts) {
    if (c.channel == Channel::chatbot)
      m.chatbot(day, c, out);
    else
      m.queue(c.channel).arrivals().push_back({day * kDay + c.arrival_s, 0, c, day, false});
  }
  // Contained contacts were met in input order: report them by end time and identity instead.
  std::sort(out.outcomes.begin(), out.outcomes.end(), [](const auto& a, const auto& b) {
    if (a.end_s != b.end_s) return a.end_s < b.end_s;
    if (a.customer != b.customer) return a.customer < b.customer;
    if (a.sequence != b.sequence) return a.sequence < b.sequence;
    return a.tag < b.tag;
  });
  // The three queues are independent once the chatbot has escalated: they run in parallel, each
  // into its own buffer, and their outcomes are appended in channel order.
  out.part[0] = 0;
  out.part[1] = out.outcomes.size();
  fork_join::parallel_for(0, 3, [&](int q) {
    m.outcomes[q].clear();
    if (runs(q)) m.queues[q].run_day(day, m.key, m.outcomes[q], out.stats[q]);
  });
  for (std::size_t q = 0; q < m.outcomes.size(); ++q) {
    out.outcomes.insert(out.outcomes.end(), m.outcomes[q].begin(), m.outcomes[q].end());
    out.part[q + 2] = out.outcomes.size();
  }
  m.started = true;
  m.last_day = day;
}

}  // namespace cxsim
