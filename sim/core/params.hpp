#pragma once
// Every scenario parameter is declared once, here: type, default, range, unit, whether an
// intervention may change it mid-run, description and source. The TOML reader, the
// `cxsim validate` printout, docs/scenarios.md, the Python side and the HDF5 provenance all read
// this one table (docs/architecture.md).

#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cxsim {

// The values of every choice parameter, declared once: each list generates the enum the model
// uses (no string comparisons past the reader), the "a|b|c" text of the registry and the parser.
#define CXSIM_CHOICE_VALUES_HandleTime(V) V(exponential) V(lognormal) V(fixed)
#define CXSIM_CHOICE_VALUES_Patience(V) V(exponential) V(lognormal) V(infinite)
#define CXSIM_CHOICE_VALUES_Routing(V) V(basic) V(skills_based)
#define CXSIM_CHOICE_VALUES_NetworkKind(V) \
  V(complete) V(ring) V(erdos_renyi) V(watts_strogatz) V(barabasi_albert) V(edge_list)
#define CXSIM_CHOICE_VALUES_ProactiveTiming(V) V(preferred_hour) V(random_hour)
#define CXSIM_CHOICE_TYPES(E) E(HandleTime) E(Patience) E(Routing) E(NetworkKind) E(ProactiveTiming)

#define CXSIM_CHOICE_ENUMERATOR(v) v,
#define CXSIM_CHOICE_ENUM(E) enum class E : std::uint8_t { CXSIM_CHOICE_VALUES_##E(CXSIM_CHOICE_ENUMERATOR) };
CXSIM_CHOICE_TYPES(CXSIM_CHOICE_ENUM)
#undef CXSIM_CHOICE_ENUM
#undef CXSIM_CHOICE_ENUMERATOR

/// The names of a choice enum's values, in enumerator order, and the registry's "a|b|c" text.
template <class E>
struct ChoiceNames;
#define CXSIM_CHOICE_NAME(v) #v,
#define CXSIM_CHOICE_BAR_NAME(v) "|" #v
#define CXSIM_CHOICE_NAMES(E)                                                                 \
  template <>                                                                                 \
  struct ChoiceNames<E> {                                                                     \
    static constexpr std::string_view names[] = {CXSIM_CHOICE_VALUES_##E(CXSIM_CHOICE_NAME)}; \
    static constexpr std::string_view allowed =                                               \
        std::string_view(CXSIM_CHOICE_VALUES_##E(CXSIM_CHOICE_BAR_NAME)).substr(1);           \
  };
CXSIM_CHOICE_TYPES(CXSIM_CHOICE_NAMES)
#undef CXSIM_CHOICE_NAMES
#undef CXSIM_CHOICE_BAR_NAME
#undef CXSIM_CHOICE_NAME

/// The value named `name`, or nullopt.
template <class E>
constexpr std::optional<E> parse_choice(std::string_view name) {
  const auto& names = ChoiceNames<E>::names;
  for (std::size_t k = 0; k < std::size(names); ++k)
    if (names[k] == name) return static_cast<E>(k);
  return std::nullopt;
}

template <class E>
constexpr std::string_view choice_name(E value) {
  return ChoiceNames<E>::names[static_cast<std::size_t>(value)];
}

// The keys of one channel of the contact centre: its own [phone], [chat], [email] or [chatbot]
// section. Arguments: opening hours, agents, mean handle time, sessions per agent, answer
// target, patience law, retry probability, wage.
#define CXSIM_CHANNEL_PARAMETERS(NUM, CHOICE, LIST, ch, open, close, staff, handle, sessions, target,        \
                                 patience_law, retry, wage)                                                  \
  NUM(ch, enabled, bool, true, 0, 1, "", true, "Whether customers can use this channel", "")                 \
  NUM(ch, open_hour, std::int64_t, open, 0, 23, "hour", true, "First open hour (0-23)", "")                  \
  NUM(ch, close_hour, std::int64_t, close, 1, 24, "hour", true,                                              \
      "First closed hour (1-24; 24 with open_hour 0: open all day)", "")                                     \
  NUM(ch, agents, std::int64_t, staff, 0, 1000000, "agents", true,                                           \
      "Agents on shift in every open hour, unless a roster is given", "")                                    \
  LIST(ch, roster, 24, 0, 1000000, "agents", true,                                                           \
       "Agents on shift hour by hour (24 values, hour 0 first); empty: `agents` every hour")                 \
  CHOICE(ch, handle_time, HandleTime, lognormal, true,                                                       \
         "Distribution of handle time (lognormal: Brown et al. 2005)")                                       \
  NUM(ch, handle_mean_s, double, handle, 1, 86400, "s", true, "Mean handle time",                            \
      "assumption (typical contact-centre figures)")                                                         \
  NUM(ch, handle_cv, double, 1.0, 0.01, 10, "", true, "Coefficient of variation of a lognormal handle time", \
      "Brown et al. 2005")                                                                                   \
  NUM(ch, concurrency, std::int64_t, sessions, 1, 16, "sessions", true,                                      \
      "Contacts one agent handles at once", "assumption")                                                    \
  NUM(ch, target_s, double, target, 0, 604800, "s", true,                                                    \
      "Service-level target: answered within this many seconds", "industry convention")                      \
  CHOICE(ch, patience, Patience, patience_law, true,                                                         \
         "Distribution of patience in the queue (its mean comes from the customer's segment)")               \
  NUM(ch, patience_cv, double, 1.0, 0.01, 10, "", true, "Coefficient of variation of a lognormal patience",  \
      "")                                                                                                    \
  NUM(ch, retry_probability, double, retry, 0, 1, "probability", true,                                       \
      "Chance a customer who abandoned tries again the same day", "assumption")                              \
  NUM(ch, retry_delay_mean_s, double, 600, 1, 86400, "s", true, "Mean delay before a retry", "")             \
  NUM(ch, max_attempts, std::int64_t, 3, 1, 8, "attempts", true,                                             \
      "Attempts of one contact the same day, the first included", "")                                        \
  NUM(ch, wage_per_hour, double, wage, 0, 1e6, "currency/hour", true,                                        \
      "Cost of one paid agent-hour (overtime alike)", "")

// NUM(section, name, C++ type, default, min, max, unit, intervenable, description, source)
// CHOICE(section, name, Enum, default, intervenable, description): the allowed values are Enum's,
//      listed once in CXSIM_CHOICE_VALUES_<Enum> below
// TEXT(section, name, default, description)
// LIST(section, name, length, min, max, unit, intervenable, description): whole numbers, either
//      empty or exactly `length` of them
#define CXSIM_PARAMETERS(NUM, CHOICE, TEXT, LIST)                                                           \
  NUM(run, seed, std::int64_t, 1, 0, 9007199254740991, "", false,                                           \
      "Master seed; with the replication index it keys every random draw", "")                              \
  NUM(run, replications, std::int64_t, 1, 1, 100000, "", false,                                             \
      "Independent replications with the same parameters", "")                                              \
  NUM(run, horizon_days, std::int64_t, 730, 1, 36500, "days", false, "Simulated days", "")                  \
  NUM(run, save_customers, bool, false, 0, 1, "", false,                                                    \
      "Also write each customer's final state to the results file", "")                                     \
  NUM(run, episodes, bool, false, 0, 1, "", false,                                                          \
      "Also record every problem episode (what happened to it, whether the customer stayed) in the "        \
      "results file (docs/results-format.md); it only observes: every other result is unchanged",           \
      "")                                                                                                   \
  NUM(run, episode_sample, std::int64_t, 1, 1, 1000000, "customers", false,                                 \
      "Record the episodes of 1 customer in this many: those whose id is a multiple of it", "")             \
  NUM(run, episode_max_rows, std::int64_t, 1000000, 1, 100000000, "rows", false,                            \
      "Most episodes kept per replication (40 bytes each in memory); later ones are only counted, and "     \
      "the table says so",                                                                                  \
      "")                                                                                                   \
  TEXT(run, title, "", "Title of the report and charts; empty: the scenario file's first comment line")     \
  TEXT(run, question, "",                                                                                   \
       "The question the run answers, shown at the top of the report; empty: the rest of the "              \
       "file's header comment")                                                                             \
  TEXT(run, start_date, "",                                                                                 \
       "Calendar date of day 1 (YYYY-MM-DD, 1900-01-01 to 2999-12-31): charts and reports show dates; "     \
       "empty: day numbers")                                                                                \
  NUM(market, population, std::int64_t, 100000, 1, 200000000, "people", false,                              \
      "People in the market, each one agent", "")                                                           \
  NUM(market, initial_customer_share, double, 0.15, 0, 1, "share", false,                                   \
      "Share of the population already customers on day 0", "assumption")                                   \
  NUM(acquisition, p_per_year, double, 0.03, 0, 5, "1/year", true,                                          \
      "Bass coefficient of external influence (advertising, media)",                                        \
      "Sultan, Farley & Lehmann 1990 meta-analysis mean")                                                   \
  NUM(acquisition, q_per_year, double, 0.38, 0, 18, "1/year", true,                                         \
      "Bass coefficient of imitation when every adopter is a promoter; promoters recommend at "             \
      "q / recommendation_conversion per year",                                                             \
      "Sultan, Farley & Lehmann 1990 meta-analysis mean")                                                   \
  NUM(acquisition, recommendation_conversion, double, 0.05, 0.0001, 1, "probability", true,                 \
      "b+: chance that one recommendation converts a prospect", "assumption")                               \
  NUM(acquisition, warning_impact, double, 0.05, 0, 1, "probability", true,                                 \
      "b-: chance that one warning turns a prospect into a rejecter",                                       \
      "East, Hammond & Lomax 2008: negative WOM impact about equal to positive")                            \
  NUM(acquisition, rejecter_days, std::int64_t, 180, 0, 36500, "days", true,                                \
      "How long a warned prospect refuses to adopt", "assumption")                                          \
  NUM(acquisition, cost_per_customer, double, 35, 0, 1e9, "currency", true,                                 \
      "Acquisition spend per new customer", "invesp: acquiring costs 5-25x retaining; TARP 2-20x")          \
  NUM(purchase, price, double, 50, 0, 1e9, "currency/order", true, "Price of one order", "")                \
  NUM(purchase, unit_cost, double, 30, 0, 1e9, "currency/order", true, "Cost of goods of one order", "")    \
  NUM(purchase, interval_days, double, 60, 1, 3650, "days", true,                                           \
      "Mean days between a customer's orders (geometric)", "assumption")                                    \
  NUM(purchase, reference_adaptation, double, 0.3, 0, 1, "share", true,                                     \
      "How far the reference price moves toward the price paid at each order", "assumption")                \
  NUM(quality, defect_rate, double, 0.02, 0, 1, "probability/order", true,                                  \
      "Chance an order's product is defective", "assumption")                                               \
  NUM(quality, late_delivery_rate, double, 0.03, 0, 1, "probability/order", true,                           \
      "Chance an order arrives late", "assumption")                                                         \
  NUM(quality, confusion_rate, double, 0.03, 0, 1, "probability/order", true,                               \
      "Chance the instructions confuse the customer", "assumption")                                         \
  NUM(quality, billing_error_rate, double, 0.01, 0, 1, "probability/order", true,                           \
      "Chance the bill is wrong", "assumption")                                                             \
  NUM(quality, severe_share, double, 0.30, 0, 1, "share", true,                                             \
      "Share of problems that are severe (must-fix)", "makes TARP agree with Forrester's 2.4x")             \
  NUM(quality, moderate_share, double, 0.35, 0, 1, "share", true,                                           \
      "Share of problems that are moderate; the rest are mild", "assumption")                               \
  NUM(quality, performance_normal, double, 0.89, 0, 1, "score", true,                                       \
      "Mean performance x of a touchpoint that goes right",                                                 \
      "Oliver 1980: good service is expected; figure an assumption")                                        \
  NUM(quality, performance_sd, double, 0.05, 0, 1, "score", true,                                           \
      "Spread of the performance of a touchpoint that goes right", "assumption")                            \
  NUM(quality, performance_mild, double, 0.55, 0, 1, "score", true,                                         \
      "Performance of a touchpoint with a mild failure", "assumption")                                      \
  NUM(quality, performance_moderate, double, 0.45, 0, 1, "score", true,                                     \
      "Performance of a touchpoint with a moderate failure",                                                \
      "Newell-Legner 2008: one unresolved failure offsets about 12 good experiences")                       \
  NUM(quality, performance_severe, double, 0.20, 0, 1, "score", true,                                       \
      "Performance of a touchpoint with a severe failure", "assumption")                                    \
  NUM(quality, issue_daily_cost, double, 0.007, 0, 10, "attitude/day", true,                                \
      "Attitude lost each day an issue stays open, times severity (1 mild, 2 moderate, 3 severe)",          \
      "assumption")                                                                                         \
  NUM(quality, issue_give_up_days, std::int64_t, 30, 1, 3650, "days", true,                                 \
      "An issue nobody resolved closes unresolved after this many days", "assumption")                      \
  NUM(experience, loss_aversion, double, 2.25, 1, 10, "", true,                                             \
      "lambda: a shortfall weighs lambda times an equal surplus", "Tversky & Kahneman 1992")                \
  NUM(experience, curvature, double, 0.88, 0.1, 1, "", true,                                                \
      "a: curvature of the value function v(d) = d^a", "Tversky & Kahneman 1992")                           \
  NUM(experience, attitude_weight, double, 0.5, 0, 100, "", true,                                           \
      "w: attitude change per unit of valued disconfirmation", "assumption")                                \
  NUM(experience, expectation_adaptation, double, 0.02, 0, 1, "share", true,                                \
      "How far expectation E moves toward each experienced performance", "Oliver 1980")                     \
  NUM(experience, memory_days, double, 180, 1, 36500, "days", true,                                         \
      "Time constant of attitude decay toward the segment baseline", "assumption")                          \
  NUM(experience, recovery_max, double, 1.05, 0, 2, "share", true,                                          \
      "rho_max: share of a failure's attitude loss a resolution restores when instant; above 1 "            \
      "is the service-recovery paradox (attitude only)",                                                    \
      "de Matos, Henrique & Rossi 2007")                                                                    \
  NUM(experience, recovery_fast_days, double, 2.5, 0.01, 3650, "days", true,                                \
      "tau_fast: restored share decays as exp(-days to resolution / tau_fast)", "assumption")               \
  NUM(experience, delight_threshold, double, 0.05, 0, 1, "score", true,                                     \
      "Disconfirmation d above which an experience delights (may start a positive story)", "assumption")    \
  NUM(experience, failure_threshold, double, 0.28, 0, 1, "score", true,                                     \
      "Disconfirmation d below minus this is a failure (may start a negative story)", "assumption")         \
  NUM(contacts, probability_mild, double, 0.06, 0, 1, "probability", true,                                  \
      "Chance a customer with a mild issue contacts the firm", "Wharton/Verde 2006")                        \
  NUM(contacts, probability_moderate, double, 0.35, 0, 1, "probability", true,                              \
      "Chance a customer with a moderate issue contacts the firm", "assumption")                            \
  NUM(contacts, probability_severe, double, 0.65, 0, 1, "probability", true,                                \
      "Chance a customer with a severe (must-fix) issue contacts the firm", "assumption: 0.5-0.8")          \
  NUM(contacts, loyalty_effect, double, 5, 0, 10, "1/attitude", true,                                       \
      "TARP selection: contact chance is multiplied by exp(loyalty_effect * attitude), capped at "          \
      "1; loyal customers complain, disloyal ones leave silently",                                          \
      "TARP")                                                                                               \
  NUM(contacts, delay_days, double, 1, 0, 365, "days", true,                                                \
      "Mean days from an issue (or an unresolved contact) to the next contact", "assumption")               \
  NUM(contacts, repeat_probability, double, 0.6, 0, 1, "probability", true,                                 \
      "Chance an unresolved contact is followed by a repeat contact", "assumption")                         \
  NUM(contacts, max_contacts, std::int64_t, 4, 1, 100, "contacts", true,                                    \
      "Contacts about one issue before the customer gives up", "assumption")                                \
  LIST(contacts, arrival_profile, 24, 0, 1000000, "weight", true,                                           \
       "When in the day contacts arrive: a relative weight per hour (hour 0 first); empty: the "            \
       "built-in profile (quiet nights, peaks late morning and mid-afternoon)")                             \
  NUM(contacts, value_demand_per_year, double, 2.0, 0, 365, "contacts/customer/year", true,                 \
      "Questions from active customers with nothing wrong (value demand)", "assumption")                    \
  NUM(wom, share_after_delight, double, 0.47, 0, 1, "probability", true,                                    \
      "s+: chance a delighted customer starts telling a positive story", "AmEx 2012")                       \
  NUM(wom, share_after_failure, double, 0.56, 0, 1, "probability", true,                                    \
      "s-: chance a failed customer starts telling a negative story", "AmEx 2012")                          \
  NUM(wom, audience_delight, double, 9, 0, 1000, "people", true, "Mean audience of a positive story",       \
      "AmEx 2011")                                                                                          \
  NUM(wom, audience_failure, double, 16, 0, 1000, "people", true, "Mean audience of a negative story",      \
      "AmEx 2011")                                                                                          \
  NUM(wom, story_days, std::int64_t, 7, 1, 365, "days", true,                                               \
      "Days over which a story is told to its audience", "assumption")                                      \
  NUM(wom, retell_probability, double, 0.03, 0, 1, "probability", true,                                     \
      "Chance a listener retells a story heard for the first time", "assumption")                           \
  NUM(wom, retell_audience_share, double, 0.5, 0, 1, "share", true,                                         \
      "A retold story's mean audience as a share of the original's", "assumption")                          \
  NUM(wom, warning_rate_ratio, double, 1.0, 0, 100, "", true,                                               \
      "Detractors warn at this multiple of the promoters' recommendation rate",                             \
      "East, Hammond & Wright 2007")                                                                        \
  NUM(wom, attitude_effect, double, 0.01, 0, 1, "attitude", true,                                           \
      "Attitude change of a customer who hears a story (negative ones times loss aversion)", "assumption")  \
  NUM(wom, all_adopters_promote, bool, false, 0, 1, "", false,                                              \
      "Every customer recommends, whatever their attitude (the Bass reduction)", "Bass 1969")               \
  CHOICE(network, kind, NetworkKind, watts_strogatz, false, "Social network: complete is random mixing")    \
  NUM(network, mean_degree, std::int64_t, 10, 0, 10000, "ties", false,                                      \
      "Mean number of strong ties (ring, Erdos-Renyi, Watts-Strogatz; even for ring and WS)",               \
      "Goldenberg, Libai & Muller 2001")                                                                    \
  NUM(network, rewiring, double, 0.1, 0, 1, "probability", false, "Watts-Strogatz rewiring probability",    \
      "Goldenberg, Libai & Muller 2001")                                                                    \
  NUM(network, ba_m, std::int64_t, 5, 1, 10000, "ties", false,                                              \
      "Barabasi-Albert: ties each newcomer makes (mean degree 2m)", "")                                     \
  TEXT(network, edge_list, "",                                                                              \
       "Edge-list file (two 0-based ids a line, '#' comments), relative to the scenario file")              \
  NUM(network, weak_tie_share, double, 0.2, 0, 1, "share", true,                                            \
      "Chance a message goes to a random member of the market instead of a strong tie",                     \
      "Goldenberg, Libai & Muller 2001")                                                                    \
  NUM(survey, nps_monthly_sample, double, 0.05, 0, 1, "share/month", true,                                  \
      "Share of active customers asked the NPS question each month", "")                                    \
  NUM(survey, csat_response_rate, double, 0.3, 0, 1, "probability", true,                                   \
      "Chance a customer answers the CSAT survey after a contact", "")                                      \
  NUM(survey, ltr_mid, double, 7.5, 0, 10, "points", true,                                                  \
      "Likelihood to recommend (0-10) of a customer at neutral attitude", "assumption")                     \
  NUM(survey, ltr_slope, double, 4, 0, 100, "points/attitude", true,                                        \
      "Likelihood-to-recommend points per unit of attitude", "assumption")                                  \
  NUM(survey, ltr_noise, double, 1.5, 0, 10, "points", true,                                                \
      "Spread of a survey answer around the customer's mean", "assumption")                                 \
  NUM(churn, base_logit, double, 5.0, -20, 20, "logit", true,                                               \
      "b0: log-odds of staying at a purchase occasion at neutral attitude and price",                       \
      "calibrated with churn.trigger_* to TARP: about 83% kept a year (docs/validation.md)")                \
  NUM(churn, attitude_weight, double, 2.0, 0, 100, "logit/attitude", true,                                  \
      "bS: log-odds of staying per unit of attitude (recovery above the pre-failure level does "            \
      "not count)",                                                                                         \
      "calibrated toward the TARP table")                                                                   \
  NUM(churn, trigger_mild, double, 2.5, 0, 20, "logit", true,                                               \
      "Log-odds of staying lost at the next purchase occasion after a mild problem, times the share "       \
      "of its loss not made good (all of it while open or when never resolved): a switching trigger",       \
      "Keaveney 1995; calibrated to the TARP table")                                                        \
  NUM(churn, trigger_moderate, double, 4.0, 0, 20, "logit", true, "The same after a moderate problem",      \
      "Keaveney 1995; calibrated to the TARP table")                                                        \
  NUM(churn, trigger_severe, double, 5.0, 0, 20, "logit", true, "The same after a severe problem",          \
      "Keaveney 1995; calibrated to the TARP table")                                                        \
  NUM(churn, enabled, bool, true, 0, 1, "", false, "Customers may churn (off for the Bass reduction)", "")  \
  NUM(contact_centre, fcr, double, 0.70, 0, 1, "probability", true,                                         \
      "First-contact resolution of an answered contact when the agent is not rushed", "assumption")         \
  CHOICE(contact_centre, routing, Routing, basic, true,                                                     \
         "Routing: basic or skills-based (right skill first more often)")                                   \
  NUM(contact_centre, basic_accuracy, double, 0.80, 0, 1, "probability", true,                              \
      "Chance the first agent has the right skill with basic routing", "assumption")                        \
  NUM(contact_centre, skills_accuracy, double, 0.95, 0, 1, "probability", true,                             \
      "Chance the first agent has the right skill with skills-based routing",                               \
      "assumption (skills-based routing)")                                                                  \
  NUM(contact_centre, transfer_handle_fraction, double, 0.33, 0, 1, "share", true,                          \
      "Share of the handle time a wrong-skill agent spends before transferring", "assumption")              \
  NUM(contact_centre, rush_queue_per_agent, double, 1.0, 0, 1000, "contacts/agent", true,                   \
      "Agents rush when more than this many contacts wait per agent on shift", "assumption")                \
  NUM(contact_centre, rush_handle_factor, double, 0.85, 0.1, 1, "", true,                                   \
      "Handle time multiplier of a rushed contact (1: no rushing)", "assumption")                           \
  NUM(contact_centre, rush_fcr_drop, double, 0.10, 0, 1, "probability", true,                               \
      "First-contact resolution lost when rushed", "assumption")                                            \
  NUM(contact_centre, omnichannel_context, bool, false, 0, 1, "", true,                                     \
      "Agents see the customer's history: a repeat contact is not longer", "assumption")                    \
  NUM(contact_centre, no_context_multiplier, double, 1.25, 1, 10, "", true,                                 \
      "Handle time multiplier when a customer repeats the story without omnichannel context", "assumption") \
  NUM(contact_centre, chatbot_containment, double, 0.30, 0, 1, "share", true,                               \
      "Share of chatbot contacts the bot handles itself; the rest go to the chat queue", "assumption")      \
  NUM(contact_centre, contained_resolution, double, 1.0, 0, 1, "probability", true,                         \
      "Chance a contact the chatbot contains is resolved", "assumption")                                    \
  NUM(contact_centre, wait_penalty_per_minute, double, 0.05, 0, 1, "score/min", true,                       \
      "A contact's performance drops by this much per minute waited (up to 30 minutes)", "assumption")      \
  CXSIM_CHANNEL_PARAMETERS(NUM, CHOICE, LIST, phone, 8, 20, 1, 240, 1, 20, exponential, 0.3, 25)            \
  CXSIM_CHANNEL_PARAMETERS(NUM, CHOICE, LIST, chat, 8, 20, 1, 360, 2, 60, exponential, 0.2, 25)             \
  CXSIM_CHANNEL_PARAMETERS(NUM, CHOICE, LIST, email, 8, 18, 1, 300, 1, 86400, infinite, 0, 25)              \
  CXSIM_CHANNEL_PARAMETERS(NUM, CHOICE, LIST, chatbot, 0, 24, 0, 120, 1, 0, infinite, 0, 0)                 \
  NUM(proactive, enabled, bool, false, 0, 1, "", true,                                                      \
      "Notify customers of problems the firm detects before they contact", "")                              \
  CHOICE(proactive, timing, ProactiveTiming, preferred_hour, true,                                          \
         "Send at the hour the customer reads messages, or at a random hour")                               \
  NUM(proactive, reach_preferred_hour, double, 0.60, 0, 1, "probability", true,                             \
      "Chance a notification sent at the preferred hour reaches the customer", "assumption")                \
  NUM(proactive, reach_random_hour, double, 0.25, 0, 1, "probability", true,                                \
      "Chance a notification sent at a random hour reaches the customer", "assumption")                     \
  NUM(proactive, detect_late_delivery, double, 0.9, 0, 1, "probability", true,                              \
      "Share of late deliveries the firm detects (tracking)", "assumption")                                 \
  NUM(proactive, detect_billing_error, double, 0.5, 0, 1, "probability", true,                              \
      "Share of wrong bills the firm detects", "assumption")                                                \
  NUM(proactive, detect_defect, double, 0.3, 0, 1, "probability", true,                                     \
      "Share of defects the firm detects (recalls, batch checks)", "assumption")                            \
  NUM(proactive, detect_confusion, double, 0.1, 0, 1, "probability", true,                                  \
      "Share of confusing-instruction problems the firm detects", "assumption")                             \
  NUM(proactive, contacts_avoided, double, 0.7, 0, 1, "share", true,                                        \
      "Share of contacts a notification that reaches the customer prevents", "assumption")                  \
  NUM(proactive, loss_softening, double, 0.3, 0, 1, "share", true,                                          \
      "Share of a problem's attitude loss a notification that reaches the customer avoids", "assumption")   \
  NUM(proactive, fix_days, std::int64_t, 2, 0, 365, "days", true,                                           \
      "Days until the firm fixes a problem it notified (new delivery date, corrected bill); the "           \
      "fix restores attitude as a resolution would",                                                        \
      "assumption")                                                                                         \
  NUM(proactive, cost_per_notification, double, 0.05, 0, 1e6, "currency", true,                             \
      "Cost of sending one notification", "assumption")                                                     \
  NUM(finance, discount_rate, double, 0.10, 0, 10, "1/year", false, "Annual discount rate for CLV",         \
      "CLV convention")                                                                                     \
  TEXT(finance, currency, "",                                                                               \
       "Currency of every amount, as charts and reports label it (e.g. EUR, USD, GBP); empty: "             \
       "'currency'")                                                                                        \
  NUM(output, by_segment, bool, false, 0, 1, "", false,                                                     \
      "Also write every daily series split by customer segment (series_by_segment in the results "          \
      "file), so that who leaves can be read per segment; contact-centre queue figures stay whole (NaN)",   \
      "")

// SECTION(name, description): what each section of a scenario file is about (docs/scenarios.md).
#define CXSIM_SECTIONS(SECTION)                                                                  \
  SECTION(run, "How long to simulate, how many times, and with which random numbers.")           \
  SECTION(market, "Who is in the market on day 0.")                                              \
  SECTION(acquisition,                                                                           \
          "How prospects become customers: advertising (p), recommendations (q, b+) "            \
          "and warnings (b-).")                                                                  \
  SECTION(purchase, "What customers pay and how often they order.")                              \
  SECTION(quality,                                                                               \
          "How often an order goes wrong, how badly, and how well a normal touchpoint "          \
          "performs (0 = worst, 1 = perfect).")                                                  \
  SECTION(experience,                                                                            \
          "How customers turn performance into attitude: expectations, loss "                    \
          "aversion, memory and service recovery.")                                              \
  SECTION(contacts,                                                                              \
          "When customers contact the firm: about issues, again when unresolved, and "           \
          "with plain questions.")                                                               \
  SECTION(wom, "Word of mouth: stories after delight or failure, recommendations and warnings.") \
  SECTION(network, "Who talks to whom.")                                                         \
  SECTION(survey, "How NPS and CSAT answers are collected.")                                     \
  SECTION(churn, "Whether a customer stays at each purchase occasion.")                          \
  SECTION(contact_centre,                                                                        \
          "What happens to a contact once it reaches the firm: resolution, "                     \
          "routing, rushing, the chatbot and what waiting costs in experience.")                 \
  SECTION(phone, "The phone channel: hours, staffing, handle time, patience and wages.")         \
  SECTION(chat, "The chat channel: hours, staffing, concurrent sessions, patience and wages.")   \
  SECTION(email, "The e-mail channel: answered from a backlog; customers do not abandon.")       \
  SECTION(chatbot,                                                                               \
          "The chatbot: always open; contains part of its contacts, passes the rest to "         \
          "chat.")                                                                               \
  SECTION(proactive, "Telling customers about problems the firm detects before they call.")      \
  SECTION(finance, "Money over time.")                                                           \
  SECTION(output, "What the results file holds beyond the daily totals.")

// SEG(name, C++ type, default, min, max, unit, description)
#define CXSIM_SEGMENT_PARAMETERS(SEG)                                                                 \
  SEG(share, double, 1.0, 0, 1, "share", "Share of the population in this segment")                   \
  SEG(expectation, double, 0.80, 0, 1, "score", "Initial expectation E of touchpoint performance")    \
  SEG(attitude_baseline, double, 0.0, -10, 10, "attitude", "Attitude a customer decays toward")       \
  SEG(price_sensitivity, double, 2.0, 0, 1000, "logit/relative price",                                \
      "bP: log-odds of staying lost per relative price rise above the reference (cuts help 1/lambda " \
      "as much)")                                                                                     \
  SEG(contact_propensity, double, 1.0, 0, 10, "", "Multiplier on the chance of contacting")           \
  SEG(phone_weight, double, 0.50, 0, 1, "", "Relative preference for the phone channel")              \
  SEG(chat_weight, double, 0.25, 0, 1, "", "Relative preference for the chat channel")                \
  SEG(email_weight, double, 0.20, 0, 1, "", "Relative preference for e-mail")                         \
  SEG(chatbot_weight, double, 0.05, 0, 1, "", "Relative preference for the chatbot")                  \
  SEG(patience_s, double, 300, 1, 86400, "s", "Mean patience in a phone or chat queue")

struct Segment {
  std::string name = "everyone";
#define CXSIM_SEG_FIELD(n, T, def, lo, hi, unit, desc) T n = def;
  CXSIM_SEGMENT_PARAMETERS(CXSIM_SEG_FIELD)
#undef CXSIM_SEG_FIELD
};

/// The resolved parameters of one scenario (a plain value; copy freely).
struct Params {
#define CXSIM_NUM_FIELD(s, n, T, def, lo, hi, unit, iv, desc, src) T s##_##n = def;
#define CXSIM_STR_FIELD(s, n, def, ...) std::string s##_##n = def;
#define CXSIM_CHOICE_TEXT_FIELD(s, n, E, def, ...) std::string s##_##n = #def;
#define CXSIM_LIST_FIELD(s, n, ...) std::vector<std::int64_t> s##_##n;
  CXSIM_PARAMETERS(CXSIM_NUM_FIELD, CXSIM_CHOICE_TEXT_FIELD, CXSIM_STR_FIELD, CXSIM_LIST_FIELD)
#undef CXSIM_NUM_FIELD
#undef CXSIM_STR_FIELD
#undef CXSIM_CHOICE_TEXT_FIELD
#undef CXSIM_LIST_FIELD
  std::vector<Segment> segments = default_segments();

  /// Two segments: experience-driven (2/3) and price-driven (1/3) (assumption; 41% of UK consumers name
  /// service as the main driver of loyalty: Statista).
  static std::vector<Segment> default_segments();
};

/// Every choice parameter as its enum (the model reads these, never the text).
struct Choices {
#define CXSIM_IGNORE(...)
#define CXSIM_CHOICE_FIELD(s, n, E, def, ...) E s##_##n = E::def;
  CXSIM_PARAMETERS(CXSIM_IGNORE, CXSIM_CHOICE_FIELD, CXSIM_IGNORE, CXSIM_IGNORE)
#undef CXSIM_CHOICE_FIELD
#undef CXSIM_IGNORE
};

/// The choice parameters of `params` as enums (text that is no valid value gives the default;
/// validate() reports it).
Choices choices_of(const Params& params);

enum class ParamType { real, integer, boolean, choice, text, list };

/// The declaration of one parameter, as read from the table above.
struct ParamSpec {
  std::string_view key;  ///< "section.name"
  ParamType type;
  double min = 0, max = 0;  ///< numeric types only
  std::string_view unit;
  bool intervenable = false;  ///< a strategy's intervention may change it mid-run
  std::string_view description;
  std::string_view source;
  std::string_view allowed;  ///< choice only: "a|b|c"
  std::size_t length = 0;    ///< list only: the required number of values (or none)
  std::variant<double Params::*, std::int64_t Params::*, bool Params::*, std::string Params::*,
               std::vector<std::int64_t> Params::*>
      member;
};

/// Same for a segment's keys (`[[segment]]` tables).
struct SegmentParamSpec {
  std::string_view name;
  double min, max;
  std::string_view unit, description;
  double Segment::*member;
};

std::span<const ParamSpec> param_specs();
std::span<const SegmentParamSpec> segment_param_specs();
/// A segment key by name ("expectation"), or nullptr ("name" is not one: it is text).
const SegmentParamSpec* find_segment_param(std::string_view name);

/// A key of one segment: "segment[<i>].<field>" or "segment.<name>.<field>".
struct SegmentField {
  std::size_t segment = 0;  ///< index into Params::segments
  std::string field;        ///< "expectation", "name", ... (not checked here)
};
/// True when `key` is written as a segment's ("segment." or "segment[" first).
bool is_segment_key(std::string_view key);
/// The segment and field `key` names among `segments`.
/// @throws InputError (key named) for another form, or a segment index or name the list lacks
SegmentField find_segment_field(const std::vector<Segment>& segments, const std::string& key);
/// One spelling per key, to find a key given twice: "segment[<i>].<field>" for a segment's key
/// (segment.price-driven.expectation and segment[1].expectation are one key), the key otherwise.
/// @throws InputError as find_segment_field
std::string canonical_study_key(const std::vector<Segment>& segments, const std::string& key);

/// The registry's description of a section ("wom"), empty when it has none.
std::string_view section_description(std::string_view section);

/// nullptr when no parameter has this key.
const ParamSpec* find_param(std::string_view key);

/// Known keys close enough to `key` to be what was meant (core/text.hpp close_enough), closest
/// first (at most `count`; none for a key longer than kMaxSuggestKey).
std::vector<std::string> closest_keys(std::string_view key, std::size_t count = 3);

/// "unknown key; did you mean 'a'? Other close keys: 'b', 'c'. Every key is listed in
/// docs/scenarios.md." (no suggestion when no key is close)
std::string unknown_key_message(std::string_view key);

/// A parameter's value as text (numbers in shortest round-trip form).
std::string param_to_string(const Params& params, const ParamSpec& spec);

/// Sets a parameter from text, as given on the command line (`--set key=value`).
/// @throws InputError when the text is not of the parameter's type or out of range
void set_param_from_string(Params& params, const ParamSpec& spec, std::string_view text);

/// Checks every range and the cross-parameter rules (segment shares sum to 1, ...).
/// @throws InputError naming the key and what is allowed
void validate(const Params& params);

/// YYYY-MM-DD with a real day of a real month (Gregorian leap years): what run.start_date holds
/// when it is not empty.
bool is_calendar_date(std::string_view s);
/// A calendar date from 1900-01-01 to 2999-12-31: what run.start_date may be (a run of up to 100
/// years then ends within the calendar that charts and pandas draw).
bool is_start_date(std::string_view s);

/// "[min, max]" or "one of a, b, c" for error messages and docs.
std::string allowed_text(const ParamSpec& spec);

/// Daily rate of recommendations per promoter, q / b+ / 365.
inline double recommendations_per_day(const Params& p) {
  return p.acquisition_q_per_year / p.acquisition_recommendation_conversion / 365.0;
}

}  // namespace cxsim
