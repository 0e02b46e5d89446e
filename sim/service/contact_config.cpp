#include "service/contact_config.hpp"

#include "core/errors.hpp"

namespace cxsim {

namespace {

ChannelConfig channel_config(bool enabled, std::int64_t open_hour, std::int64_t close_hour,
                             std::int64_t agents, const std::vector<std::int64_t>& roster,
                             HandleTime handle_time, double handle_mean_s, double handle_cv,
                             std::int64_t concurrency, double target_s, Patience patience, double patience_cv,
                             double retry_probability, double retry_delay_mean_s, std::int64_t max_attempts,
                             double wage_per_hour) {
  ChannelConfig c;
  c.enabled = enabled;
  c.open_hour = static_cast<int>(open_hour);
  c.close_hour = static_cast<int>(close_hour);
  if (roster.empty())
    c.agents = flat_roster(static_cast<int>(agents));
  else
    c.agents.assign(roster.begin(), roster.end());
  c.handle = handle_time;
  c.handle_mean_s = handle_mean_s;
  c.handle_cv = handle_cv;
  c.concurrency = static_cast<int>(concurrency);
  c.target_s = target_s;
  c.patience = patience;
  c.patience_cv = patience_cv;
  c.retry_probability = retry_probability;
  c.retry_delay_mean_s = retry_delay_mean_s;
  c.max_attempts = static_cast<int>(max_attempts);
  c.wage_per_hour = wage_per_hour;
  return c;
}

// One channel's registry fields ([phone], [chat], ...) in channel_config's order.
#define CXSIM_CHANNEL_CONFIG(p, ch)                                                                   \
  channel_config(p.ch##_enabled, p.ch##_open_hour, p.ch##_close_hour, p.ch##_agents, p.ch##_roster,   \
                 choice.ch##_handle_time, p.ch##_handle_mean_s, p.ch##_handle_cv, p.ch##_concurrency, \
                 p.ch##_target_s, choice.ch##_patience, p.ch##_patience_cv, p.ch##_retry_probability, \
                 p.ch##_retry_delay_mean_s, p.ch##_max_attempts, p.ch##_wage_per_hour)

}  // namespace

ContactCentreConfig contact_centre_config(const Params& p) {
  const Choices choice = choices_of(p);
  ContactCentreConfig c;
  c[Channel::phone] = CXSIM_CHANNEL_CONFIG(p, phone);
  c[Channel::chat] = CXSIM_CHANNEL_CONFIG(p, chat);
  c[Channel::email] = CXSIM_CHANNEL_CONFIG(p, email);
  c[Channel::chatbot] = CXSIM_CHANNEL_CONFIG(p, chatbot);
  c.containment = p.contact_centre_chatbot_containment;
  c.contained_resolution = p.contact_centre_contained_resolution;
  c.routing = choice.contact_centre_routing;
  c.basic_accuracy = p.contact_centre_basic_accuracy;
  c.skills_accuracy = p.contact_centre_skills_accuracy;
  c.transfer_handle_fraction = p.contact_centre_transfer_handle_fraction;
  c.fcr = p.contact_centre_fcr;
  c.rush_queue_per_agent = p.contact_centre_rush_queue_per_agent;
  c.rush_handle_factor = p.contact_centre_rush_handle_factor;
  c.rush_fcr_drop = p.contact_centre_rush_fcr_drop;
  c.omnichannel_context = p.contact_centre_omnichannel_context;
  c.no_context_multiplier = p.contact_centre_no_context_multiplier;
  return c;
}

void check_scenario(const Params& params) {
  validate(params);
  try {
    validate(contact_centre_config(params));
  } catch (const InputError& e) {
    // A staffing error points at the roster when one is given, else at the flat number.
    std::string key = e.key();
    const auto dot = key.find('.');
    if (dot != std::string::npos && key.substr(dot + 1) == "agents") {
      const auto* roster = find_param(key.substr(0, dot) + ".roster");
      if (roster && !(params.*std::get<std::vector<std::int64_t> Params::*>(roster->member)).empty())
        key = key.substr(0, dot) + ".roster";
    }
    throw InputError(e.message(), "", 0, 0, key);
  }
}

}  // namespace cxsim
