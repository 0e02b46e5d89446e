#pragma once
// The contact centre inside one simulated day: a discrete-event simulation in seconds of each
// channel's queue (docs/model.md). Pure library: no I/O; every random draw of a
// contact comes from Stream(key, Purpose::queue, entity, arrival day) with
// entity = customer << 8 | sequence << 3 | attempt, so a contact's fate depends on its identity
// and on the queue it meets, never on the order of the input or on threads.
//
// Mechanisms, in the order a contact meets them:
//   chatbot: contained with probability `containment` (resolved with `contained_resolution`),
//            otherwise escalated to the chat queue after its bot session;
//   queue:   FIFO per channel; agents on shift per hour (roster), `concurrency` sessions each;
//            phone and chat contacts abandon when their patience runs out and may retry;
//            email never abandons and its backlog carries over to the next day(s);
//   routing: the first agent has the right skill with probability `routing_accuracy()`; else
//            they handle `transfer_handle_fraction` of the handle time, then the contact queues
//            again (same patience budget) and the right agent handles it in full;
//   handle:  natural time x `no_context_multiplier` for a repeat contact or after a transfer when
//            there is no omnichannel context, x `rush_handle_factor` when rushed;
//   rushed:  when, at answer, more than `rush_queue_per_agent` x agents on shift are waiting;
//   resolve: first-contact resolution with probability fcr - (rushed ? rush_fcr_drop : 0).
// Opening hours: phone and chat contacts arriving while closed are turned away (`closed`); at
// closing time the agents of the last hour serve the queue until it is empty (paid overtime);
// email agents finish the email in hand and leave the rest for the next opening.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/params.hpp"
#include "core/rng.hpp"

namespace cxsim {

enum class Channel : std::uint8_t { phone, chat, email, chatbot };
inline constexpr int kChannelCount = 4;
inline constexpr std::array kAllChannels = {Channel::phone, Channel::chat, Channel::email, Channel::chatbot};
std::string_view channel_name(Channel c);
/// The agent queue a channel's contacts end in (0 phone, 1 chat, 2 e-mail): the chatbot's are
/// escalated to chat.
constexpr int queue_of(Channel c) {
  return static_cast<int>(c == Channel::chatbot ? Channel::chat : c);
}

// HandleTime, Patience and Routing are generated from the parameter registry (core/params.hpp).

/// Settings of one channel. For the chatbot only `enabled`, the hours and the handle time (the
/// bot session before containment or escalation) matter.
struct ChannelConfig {
  bool enabled = true;
  int open_hour = 8;    ///< first open hour, 0-23
  int close_hour = 20;  ///< first closed hour, 1-24 (0 and 24: open all day, no closing)
  std::vector<int> agents = std::vector<int>(24, 10);  ///< roster: agents on shift per hour
  HandleTime handle = HandleTime::lognormal;
  double handle_mean_s = 240;
  double handle_cv = 1.0;                     ///< lognormal only (Brown et al. 2005)
  int concurrency = 1;                        ///< simultaneous sessions per agent (chat: 2)
  double target_s = 20;                       ///< answer target of the service level
  Patience patience = Patience::exponential;  ///< the mean comes with each contact
  double patience_cv = 1.0;                   ///< lognormal only
  double retry_probability = 0.0;             ///< after abandoning
  double retry_delay_mean_s = 600;            ///< exponential delay before the retry
  int max_attempts = 3;                       ///< attempts per contact including the first, 1-8
  double wage_per_hour = 25;                  ///< per paid agent-hour (overtime alike)
};

struct ContactCentreConfig {
  std::array<ChannelConfig, kChannelCount> channels = defaults();
  double containment = 0.30;          ///< chatbot: share of its contacts it contains
  double contained_resolution = 1.0;  ///< chance a contained contact is resolved
  Routing routing = Routing::basic;
  double basic_accuracy = 0.80;            ///< right skill at first answer, basic routing
  double skills_accuracy = 0.95;           ///< right skill at first answer, skills-based routing
  double transfer_handle_fraction = 0.33;  ///< of the handle time, spent by the wrong agent
  double fcr = 0.70;                       ///< first-contact resolution when not rushed
  double rush_queue_per_agent = 1.0;       ///< rushed when waiting > this x agents on shift
  double rush_handle_factor = 0.85;        ///< handle time multiplier when rushed (1: off)
  double rush_fcr_drop = 0.10;             ///< FCR lost when rushed (0: off)
  bool omnichannel_context = false;
  double no_context_multiplier = 1.25;  ///< handle time when the story is told again

  ChannelConfig& operator[](Channel c) { return channels[static_cast<int>(c)]; }
  const ChannelConfig& operator[](Channel c) const { return channels[static_cast<int>(c)]; }
  double routing_accuracy() const { return routing == Routing::basic ? basic_accuracy : skills_accuracy; }
  /// Phone 240 s, chat 360 s x 2 sessions (target 60 s), email 300 s (target 24 h, no
  /// abandonment), chatbot sessions of 120 s all day; 8:00-20:00, lognormal cv 1 (an assumption).
  static std::array<ChannelConfig, kChannelCount> defaults();
};

/// A roster with the same number of agents every hour.
std::vector<int> flat_roster(int agents);

/// @throws InputError naming the key, e.g. "contact_centre.phone.agents", when a setting is out of
///         range: roster not 24 values, negative agents, no agents in an open hour of an enabled
///         channel, handle mean <= 0, bad hours, probabilities outside [0, 1], and so on.
void validate(const ContactCentreConfig& config);

/// One contact offered to the centre.
struct Contact {
  std::uint64_t customer = 0;  ///< < 2^56
  std::uint32_t tag = 0;       ///< opaque, returned in the outcome (e.g. the issue it is about)
  Channel channel = Channel::phone;
  std::uint8_t sequence = 0;  ///< the customer's contact number today, < 32 (keeps draws apart)
  std::uint8_t severity = 0;  ///< 0-3, passed through
  bool is_repeat = false;     ///< repeat contact about the same issue
  bool is_value_demand = false;
  double arrival_s = 0;          ///< seconds since midnight, [0, 86400)
  double patience_mean_s = 300;  ///< the customer's mean patience (> 0; +infinity allowed)
};

/// How a contact ended. One per contact, reported the day it ends (email: maybe a later day).
struct ContactOutcome {
  std::uint64_t customer = 0;
  std::uint32_t tag = 0;
  std::uint32_t day = 0;             ///< day the contact arrived
  double arrival_s = 0;              ///< its first arrival, seconds since that day's midnight
  double end_s = 0;                  ///< when it ended, seconds since the reporting day's midnight
  double wait_s = 0;                 ///< total time queued, all attempts and transfers
  double handle_s = 0;               ///< total agent time (a transfer's first part included) or bot time
  Channel channel = Channel::phone;  ///< where it started
  std::uint8_t sequence = 0, severity = 0;
  std::uint8_t attempts = 1, transfers = 0;
  bool is_repeat = false, is_value_demand = false;
  bool answered = false;       ///< handled to the end by an agent
  bool abandoned = false;      ///< gave up in a queue, no retry left
  bool closed = false;         ///< arrived (or was escalated, or would retry) while closed
  bool contained = false;      ///< ended in the chatbot
  bool escalated = false;      ///< chatbot handed it to the chat queue
  bool resolved = false;       ///< the issue was resolved
  bool within_target = false;  ///< first answer of the answered attempt within the target
  bool rushed = false;         ///< the final agent was rushed
};

/// One channel's figures for one day; events are counted on the day they happen.
struct ChannelDayStats {
  std::uint64_t offered = 0;    ///< arrivals while open (retries and escalations included)
  std::uint64_t answered = 0;   ///< first answers
  std::uint64_t abandoned = 0;  ///< abandonments (each attempt)
  std::uint64_t answered_within_target = 0;
  std::uint64_t closed = 0;     ///< turned away while closed
  std::uint64_t completed = 0;  ///< handled to the end by the right agent
  std::uint64_t transfers = 0;
  std::uint64_t resolved = 0;
  std::uint64_t rushed = 0;
  std::uint64_t retries = 0;        ///< retries scheduled
  std::uint64_t contained = 0;      ///< chatbot
  std::uint64_t escalated = 0;      ///< chatbot
  std::uint64_t in_system_end = 0;  ///< queued or in service at midnight (email backlog)
  double wait_answered_s = 0;       ///< sum of waits before first answers (ASA numerator)
  double wait_abandoned_s = 0;      ///< sum of waits of abandonments
  double wait_transfer_s = 0;       ///< sum of waits after transfers
  double queue_time_s = 0;          ///< integral of the number waiting over the day (Little's law)
  double handle_s = 0;              ///< agent (or bot) time of contacts completed
  double busy_agent_s = 0;          ///< integral of busy sessions / concurrency
  double paid_agent_s = 0;          ///< roster hours while open, plus overtime
  double overtime_agent_s = 0;      ///< part of paid_agent_s after closing
  double cost = 0;                  ///< paid_agent_s x wage
};

struct DayResult {
  /// Chatbot-contained first, then phone, chat (escalations included), email; each by end time.
  std::vector<ContactOutcome> outcomes;
  /// outcomes[part[k], part[k + 1]) are part k of that order: 0 the chatbot's, 1 phone, 2 chat,
  /// 3 email.
  std::array<std::size_t, 5> part{};
  std::array<ChannelDayStats, kChannelCount> stats{};
  const ChannelDayStats& operator[](Channel c) const { return stats[static_cast<int>(c)]; }
};

/// The centre's state across days: queues, contacts in service, the email backlog.
class ContactCentre {
 public:
  /// @throws InputError when the configuration is invalid (see validate)
  ContactCentre(const ContactCentreConfig& config, RngKey key);
  ~ContactCentre();
  ContactCentre(ContactCentre&&) noexcept;
  ContactCentre& operator=(ContactCentre&&) noexcept;

  /// Simulates day `day` (days in increasing order, without gaps after the first) with that day's
  /// contacts, in any order. `out` is overwritten; its buffers are reused.
  /// @throws InputError for a contact on a disabled channel or with a patience mean <= 0
  /// @throws std::invalid_argument for a malformed contact (arrival outside the day, ids too large)
  /// @throws std::logic_error when days go backwards or skip
  void simulate_day(std::uint32_t day, std::span<const Contact> contacts, DayResult& out);
  /// The same for some of the queues only (a partitioned run spreads them over its ranks): bit q
  /// of `queues` runs the queue of Channel(q), q < 3 (phone, chat, email); the chatbot goes with
  /// chat, whose queue it escalates to. `contacts` must all be on those channels; the other
  /// queues are not run (their statistics stay zero, and they keep no state), so each queue must
  /// be run by one ContactCentre every day.
  /// @throws std::invalid_argument for a contact on a queue not run, and as simulate_day()
  void simulate_day(std::uint32_t day, std::span<const Contact> contacts, DayResult& out, unsigned queues);
  static constexpr unsigned kAllQueues = 0b111;

  /// Replaces the settings from the next simulated day on (an intervention); contacts already in
  /// the centre keep the draws they were given.
  /// @throws InputError when the configuration is invalid
  void set_config(const ContactCentreConfig& config);
  const ContactCentreConfig& config() const;

  /// Contacts queued or in service now (after the last simulated day).
  std::size_t in_system(Channel c) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cxsim
