#pragma once
// What a run produces: daily series of every key figure (docs/key-figures.md) per replication,
// and optionally each customer's final state. Plain data, no I/O.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/params.hpp"

namespace cxsim {

// Queue figures of one agent channel.
#define CXSIM_CHANNEL_METRICS(M, ch)                                                               \
  M(ch##_offered, "contacts/day", flow, "Contacts offered to the " #ch " queue while open")        \
  M(ch##_answered, "contacts/day", flow, "Contacts answered on " #ch)                              \
  M(ch##_abandoned, "contacts/day", flow, "Contacts that gave up waiting on " #ch)                 \
  M(ch##_service_level, "share", ratio, "Answered within target / (answered + abandoned) on " #ch) \
  M(ch##_asa_s, "s", ratio, "Average speed of answer on " #ch)                                     \
  M(ch##_aht_s, "s", ratio, "Average handle time on " #ch)                                         \
  M(ch##_occupancy, "share", ratio, "Busy / paid agent time on " #ch)

// M(name, unit, kind, description); kind: stock (level at the end of the day), flow (per day),
// ratio (a share or average, its window in the description).
#define CXSIM_METRICS(M)                                                                              \
  M(prospects, "people", stock, "People not (yet) customers and not rejecting")                       \
  M(active_customers, "people", stock, "Customers who have not churned")                              \
  M(churned_customers, "people", stock, "Former customers")                                           \
  M(rejecters, "people", stock, "Prospects refusing to adopt after warnings")                         \
  M(adopted_fraction, "share", stock, "Share of the population that has ever adopted")                \
  M(new_customers, "people/day", flow, "Adoptions")                                                   \
  M(new_customers_external, "people/day", flow, "Adoptions from external influence")                  \
  M(new_customers_wom, "people/day", flow, "Adoptions from recommendations")                          \
  M(churned, "people/day", flow, "Customers lost")                                                    \
  M(orders, "orders/day", flow, "Orders placed")                                                      \
  M(revenue, "currency/day", flow, "Revenue from orders")                                             \
  M(cost_of_goods, "currency/day", flow, "Cost of goods sold")                                        \
  M(service_cost, "currency/day", flow, "Cost of customer service")                                   \
  M(acquisition_spend, "currency/day", flow, "Spend on acquiring new customers")                      \
  M(profit, "currency/day", flow, "Revenue - cost of goods - service cost - acquisition spend")       \
  M(issues_opened, "issues/day", flow, "Problems opened by failed touchpoints")                       \
  M(open_issues, "issues", stock, "Problems not yet resolved or given up")                            \
  M(contacts, "contacts/day", flow, "Contacts with customer service, all channels")                   \
  M(contacts_failure, "contacts/day", flow, "Contacts about a problem (failure demand)")              \
  M(contacts_value, "contacts/day", flow, "Questions with nothing wrong (value demand)")              \
  M(contacts_repeat, "contacts/day", flow, "Repeat contacts about a problem not yet resolved")        \
  M(contacts_phone, "contacts/day", flow, "Contacts by phone")                                        \
  M(contacts_chat, "contacts/day", flow, "Contacts by chat")                                          \
  M(contacts_email, "contacts/day", flow, "Contacts by e-mail")                                       \
  M(contacts_chatbot, "contacts/day", flow, "Contacts starting with the chatbot")                     \
  M(contacts_resolved, "contacts/day", flow, "Contacts that resolved the customer's problem")         \
  M(fcr, "share", ratio, "First-contact resolution: first contacts about a problem resolved")         \
  M(asa_s, "s", ratio, "Average speed of answer: mean wait before an agent answers, phone and chat")  \
  M(offered, "contacts/day", flow,                                                                    \
    "Contacts offered to agent queues while open (retries and chatbot escalations included)")         \
  M(answered, "contacts/day", flow, "Contacts answered by an agent")                                  \
  M(abandoned, "contacts/day", flow, "Contacts that gave up waiting (each attempt)")                  \
  M(answered_within_target, "contacts/day", flow, "Contacts answered within their channel's target")  \
  M(queue_outcomes, "contacts/day", flow,                                                             \
    "Contacts answered or abandoned today, agent channels (the service level's denominator)")         \
  M(turned_away, "contacts/day", flow, "Contacts that arrived while their channel was closed")        \
  M(service_level, "share", ratio, "Answered within target / (answered + abandoned), agent channels") \
  M(abandonment_rate, "share", ratio, "Abandoned / (answered + abandoned), agent channels")           \
  M(aht_s, "s", ratio, "Average handle time of completed contacts, agent channels")                   \
  M(occupancy, "share", ratio, "Busy agent time / paid agent time")                                   \
  M(agent_hours, "hours/day", flow, "Paid agent-hours, overtime included")                            \
  M(transfers, "contacts/day", flow, "Transfers after a wrong-skill first answer")                    \
  M(chatbot_contained, "contacts/day", flow, "Contacts the chatbot handled itself")                   \
  M(chatbot_escalated, "contacts/day", flow, "Chatbot contacts handed to the chat queue")             \
  M(notifications_sent, "notifications/day", flow, "Proactive notifications of detected problems")    \
  M(notifications_reached, "notifications/day", flow, "Notifications that reached the customer")      \
  CXSIM_CHANNEL_METRICS(M, phone)                                                                     \
  CXSIM_CHANNEL_METRICS(M, chat)                                                                      \
  CXSIM_CHANNEL_METRICS(M, email)                                                                     \
  M(csat_responses, "answers/day", flow, "CSAT survey answers")                                       \
  M(csat_satisfied, "answers/day", flow, "CSAT answers of 4 or 5")                                    \
  M(csat, "share", ratio, "Share of CSAT answers of 4 or 5 (NaN on days without answers)")            \
  M(nps_responses, "answers/day", flow, "NPS survey answers")                                         \
  M(nps_promoters, "answers/day", flow, "NPS answers of 9 or 10")                                     \
  M(nps_detractors, "answers/day", flow, "NPS answers of 0 to 6")                                     \
  M(nps, "points", ratio, "Net promoter score over the last 30 days (-100 to 100)")                   \
  M(mean_attitude, "attitude", ratio, "Mean attitude of active customers")                            \
  M(promoter_share, "share", ratio, "Share of active customers who are promoters")                    \
  M(detractor_share, "share", ratio, "Share of active customers who are detractors")                  \
  M(stories_positive, "stories/day", flow, "Positive stories started (delight, retelling)")           \
  M(stories_negative, "stories/day", flow, "Negative stories started (failure, retelling)")           \
  M(wom_positive, "messages/day", flow, "Positive word of mouth told: stories and recommendations")   \
  M(wom_negative, "messages/day", flow, "Negative word of mouth told: stories and warnings")          \
  M(story_messages_positive, "messages/day", flow, "Positive stories told to a listener")             \
  M(story_messages_negative, "messages/day", flow, "Negative stories told to a listener")             \
  M(retention_cumulative, "share", ratio,                                                             \
    "Active customers / everyone who has ever been a customer (cumulative, not a cohort figure)")     \
  M(retention_12m, "share", ratio,                                                                    \
    "Cohort retention: of the customers active 365 days ago (on day 365, the customers at the "       \
    "start), the share active today; NaN on the first 364 days")                                      \
  M(retention_1m, "share", ratio,                                                                     \
    "Cohort retention: of the customers active 30 days ago (on day 30, the customers at the start), " \
    "the share active today; NaN on the first 29 days")                                               \
  M(monthly_churn_rate, "share/month", ratio,                                                         \
    "Customers lost in the last 30 days / active customers 30 days ago")                              \
  M(contacts_per_order, "contacts/order", ratio, "Contacts / orders over the last 30 days")           \
  M(clv, "currency", ratio,                                                                           \
    "Customer lifetime value m r / (1 + d - r): m margin per active customer-year and r annual "      \
    "retention over the last 30 days, d the discount rate")

enum class Metric : int {
#define CXSIM_METRIC_ENUM(name, unit, kind, desc) name,
  CXSIM_METRICS(CXSIM_METRIC_ENUM)
#undef CXSIM_METRIC_ENUM
      count
};

inline constexpr int kMetricCount = static_cast<int>(Metric::count);

enum class MetricKind { stock, flow, ratio };

struct MetricDef {
  std::string_view name;
  std::string_view unit;
  MetricKind kind;
  std::string_view description;
};

/// In the order of `Metric`.
std::span<const MetricDef> metric_defs();

/// -1 when no metric has this name.
int find_metric(std::string_view name);

/// Days of history the cohort retentions compare with (retention_12m, retention_1m), and the
/// window of the "last 30 days" series (nps, monthly_churn_rate, clv, ...).
inline constexpr int kRetentionYearDays = 365;
inline constexpr int kRetentionMonthDays = 30;
inline constexpr int kMetricWindowDays = 30;

/// The first day (1-based) on which `metric` can have a value in any run, NaN on every day before:
/// 365 for retention_12m, 30 for retention_1m (day 365 and day 30 compare with the start), 31 for
/// monthly_churn_rate and clv (a 30-day window and the day before it); 1 for every other metric
/// (which may still be NaN on a day without its events, as csat on a day without answers).
int metric_first_day(Metric metric);

/// Daily series of every metric: values[(metric * replications + rep) * days + day], so that one
/// metric is a contiguous [replication, day] block.
struct SeriesSet {
  int replications = 0;
  int days = 0;
  std::vector<double> values;

  SeriesSet() = default;
  SeriesSet(int reps, int n_days)
      : replications(reps),
        days(n_days),
        values(static_cast<std::size_t>(kMetricCount) * reps * n_days, 0.0) {}

  double& at(Metric m, int rep, int day) {
    return values[(static_cast<std::size_t>(m) * replications + rep) * days + day];
  }
  double at(Metric m, int rep, int day) const {
    return values[(static_cast<std::size_t>(m) * replications + rep) * days + day];
  }
  /// One metric's [replication, day] block.
  std::span<const double> metric(Metric m) const {
    return {values.data() + static_cast<std::size_t>(m) * replications * days,
            static_cast<std::size_t>(replications) * days};
  }
};

/// One column of the optional per-customer final state.
struct CustomerColumn {
  std::string name;
  std::string unit;
  std::string description;
  std::variant<std::vector<std::uint8_t>, std::vector<std::int32_t>, std::vector<float>> data;
};

/// How a problem episode ended (docs/results-format.md, /strategies/NAME/episodes).
enum class EpisodeOutcome : std::uint8_t {
  resolved_first_contact = 0,  ///< the customer's first contact about it resolved it
  resolved_later = 1,          ///< a later contact resolved it
  resolved_proactively = 2,    ///< the firm fixed a problem it had notified
  unresolved = 3,              ///< closed unresolved: given up after quality.issue_give_up_days, or the
                               ///< customer left while it was open
  abandoned = 4,               ///< the last contact was abandoned (or turned away), then no repeat
  given_up = 5,                ///< the last contact was answered without resolving it, then no repeat
  open_at_end = 6,             ///< still open when the run ended (censored)
};
inline constexpr std::string_view kEpisodeOutcomeNames[] = {"resolved_first_contact",
                                                            "resolved_later",
                                                            "resolved_proactively",
                                                            "unresolved",
                                                            "abandoned",
                                                            "given_up",
                                                            "open_at_end"};

/// What the customer did at the first purchase occasion after the episode ended.
enum class EpisodeStay : std::uint8_t { stayed = 0, churned = 1, censored = 2 };
inline constexpr std::string_view kEpisodeStayNames[] = {"stayed", "churned", "censored"};

/// Channel of an episode's first contact: the contact centre's channels, then none.
inline constexpr std::string_view kEpisodeChannelNames[] = {"phone", "chat", "email", "chatbot", "none"};
inline constexpr std::uint8_t kEpisodeNoChannel = 4;

/// One problem episode of one customer: from the failed touchpoint that opened an issue to the
/// customer's next purchase occasion after it closed. The model fills it by observing only.
struct EpisodeRow {
  std::uint32_t customer = 0;
  std::int32_t day_opened = 0;
  std::int32_t day_closed = -1;          ///< -1 while open (open_at_end)
  std::int32_t days_to_resolution = -1;  ///< resolved outcomes only, else -1
  std::int32_t next_order_day = -1;      ///< day of the stay-or-churn decision; -1 censored
  float attitude_before = 0;             ///< attitude S just before the failure
  float attitude_after = 0;              ///< S when the episode closed (at the run's end if open)
  std::uint16_t stories_told = 0;        ///< new stories the customer started during the episode
  std::uint16_t people_reached = 0;      ///< listeners the customer told those stories to
  std::uint8_t segment = 0;
  std::uint8_t touchpoint = 0;               ///< row of the touchpoint table (0 delivery, 1 use)
  std::uint8_t severity = 0;                 ///< 1 mild, 2 moderate, 3 severe (the worst while open)
  std::uint8_t notified = 0;                 ///< a proactive notification reached the customer
  std::uint8_t contacts = 0;                 ///< contacts the customer made about it
  std::uint8_t channel = kEpisodeNoChannel;  ///< channel of the first contact
  EpisodeOutcome outcome = EpisodeOutcome::open_at_end;
  EpisodeStay stay = EpisodeStay::censored;
};

static_assert(sizeof(EpisodeRow) == 40,
              "docs/results-format.md and run.episode_max_rows state 40 bytes a row");

/// The episodes of one replication, in the order they were completed (deterministic).
struct EpisodeTable {
  std::vector<EpisodeRow> rows;
  std::int64_t sample = 1;         ///< 1 customer in `sample` recorded
  std::int64_t max_rows = 0;       ///< run.episode_max_rows
  std::uint64_t rows_dropped = 0;  ///< completed beyond max_rows: counted, not kept
};

/// Wall-clock seconds spent in each part of the daily step, summed over days (and over the
/// replications of a run). A few clock reads a day: cheap enough to be always on.
struct StepTimes {
  double customers = 0;       ///< phase 1: the parallel pass over customers
  double merge = 0;           ///< summing the chunks' figures, gathering their contacts
  double contact_centre = 0;  ///< phase 2: the discrete-event day of every channel
  double outcomes = 0;        ///< phase 3: contact outcomes applied to customers (single-process runs:
                              ///< grouping outcomes and messages by chunk; phase 4 applies both)
  double word_of_mouth = 0;   ///< phase 4: messages delivered to their listeners
  double total() const { return customers + merge + contact_centre + outcomes + word_of_mouth; }
  StepTimes& operator+=(const StepTimes& o) {
    customers += o.customers;
    merge += o.merge;
    contact_centre += o.contact_centre;
    outcomes += o.outcomes;
    word_of_mouth += o.word_of_mouth;
    return *this;
  }
};

/// Timings and figures about the run itself.
struct RunStats {
  int threads = 1;
  double seconds_total = 0;
  double seconds_simulating = 0;
  std::uint64_t customer_days = 0;
  StepTimes step{};  ///< where the daily steps spent their time
};

/// Everything a run produces, before any file is written.
struct RunResult {
  Params params;
  SeriesSet series;
  /// With output.by_segment: the same series for each customer segment ([segment]); else empty.
  std::vector<SeriesSet> segment_series;
  /// Final customer state per replication ([rep][column]); empty unless run.save_customers.
  std::vector<std::vector<CustomerColumn>> customers;
  /// Problem episodes per replication; empty unless run.episodes.
  std::vector<EpisodeTable> episodes;
  RunStats stats;
};

}  // namespace cxsim
