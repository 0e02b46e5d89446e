#pragma once
// Issues and contacts: an open issue costs attitude each day; customers contact the
// firm about it (TARP selection); the contact's outcome resolves it or not.
//
// Not a standalone header: model.cpp includes it once, so the daily step and its mechanisms stay
// one translation unit and the compiler inlines across them as before the split
// (docs/performance.md). Tests reach the mechanisms directly (tests/unit/test_mechanisms.cpp).

namespace cxsim {

CXSIM_MECHANISM void Model::issue_cost(std::uint32_t i, std::int32_t t) {
  // An open issue costs attitude every day it stays open.
  decay_attitude(i, t);
  const float cost = static_cast<float>(p_.quality_issue_daily_cost * static_cast<int>(c_.issue_severity[i]));
  c_.attitude[i] -= cost;
  c_.record[i].issue_loss += cost;
}

CXSIM_MECHANISM void Model::open_issue(std::uint32_t i, std::int32_t t, Severity severity, float loss,
                                       bool notified) {
  note_change(i);
  c_.issue_severity[i] = severity;
  c_.record[i].issue_opened = t;
  c_.record[i].issue_contacts = 0;
  c_.record[i].issue_loss = loss;
  if (notified) c_.record[i].flags |= notified_issue;
  // TARP selection: loyal customers complain, disloyal ones leave silently.
  const double base = severity == Severity::severe     ? p_.contacts_probability_severe
                      : severity == Severity::moderate ? p_.contacts_probability_moderate
                                                       : p_.contacts_probability_mild;
  const Segment& s = p_.segments[c_.segment[i]];
  const double chance = std::min(1.0, base * s.contact_propensity *
                                          std::exp(p_.contacts_loyalty_effect * c_.record[i].attitude_pre)) *
                        (notified ? 1.0 - p_.proactive_contacts_avoided : 1.0);
  Stream rng(key_, Purpose::contact_decision, i, static_cast<std::uint64_t>(t));
  c_.record[i].next_contact =
      rng.bernoulli(chance) ? add_days(t - 1, days_until(rng, 1.0 / (1.0 + p_.contacts_delay_days))) : kNever;
}

CXSIM_MECHANISM void Model::resolve_issue(std::uint32_t i, std::int32_t t) {
  decay_attitude(i, t);
  const double days = t - c_.record[i].issue_opened;
  const double restored = p_.experience_recovery_max * std::exp(-days / p_.experience_recovery_fast_days);
  c_.attitude[i] += static_cast<float>(restored * c_.record[i].issue_loss);
  close_remembered(i, restored);  // above 1 (the recovery paradox) counts as 1 for retention
}

CXSIM_MECHANISM void Model::close_issue(std::uint32_t i) {
  c_.record[i].flags &= static_cast<std::uint8_t>(~(notified_issue | issue_weighed));
  note_change(i);
  c_.issue_severity[i] = Severity::none;
  c_.record[i].issue_contacts = 0;
  c_.record[i].issue_loss = 0;
  c_.record[i].next_contact = kNever;
}

CXSIM_MECHANISM void Model::close_remembered(std::uint32_t i, double made_good) {
  auto& flags = c_.record[i].flags;
  if (!(flags & issue_weighed)) {
    const auto fifteenths = static_cast<unsigned>(std::lround(15 * std::clamp(made_good, 0.0, 1.0)));
    flags = static_cast<std::uint8_t>((flags & ~(grievance | grievance_made_good)) | (fifteenths << 4) |
                                      static_cast<unsigned>(c_.issue_severity[i]));
  }
  close_issue(i);
}

CXSIM_MECHANISM void Model::emit_contact(std::uint32_t i, std::int32_t t, Severity severity, bool repeat,
                                         std::uint8_t sub, Chunk& chunk) {
  const Segment& s = p_.segments[c_.segment[i]];
  Stream rng(key_, Purpose::contact_channel, i, static_cast<std::uint64_t>(t), sub);
  // The segment's channel preferences among the channels offered.
  const double weights[kChannelCount] = {
      p_.phone_enabled ? s.phone_weight : 0.0, p_.chat_enabled ? s.chat_weight : 0.0,
      p_.email_enabled ? s.email_weight : 0.0, p_.chatbot_enabled ? s.chatbot_weight : 0.0};
  const double total_weight = weights[0] + weights[1] + weights[2] + weights[3];
  double u = rng.uniform() * total_weight;
  double h = rng.uniform() * arrival_total_;
  const double within_hour = rng.uniform();
  if (total_weight <= 0) {  // no channel offered: the customer cannot reach the firm
    if (severity != Severity::none) c_.record[i].next_contact = kNever;
    return;
  }
  int channel = 0;
  while (channel + 1 < kChannelCount && (u >= weights[channel] || weights[channel] <= 0))
    u -= weights[channel++];
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
  if (severity != Severity::none && episodes_.sampled(i))
    episodes_.contacted(i, static_cast<std::uint8_t>(channel));

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

CXSIM_MECHANISM void Model::apply_contact(const ContactOutcome& outcome, std::int32_t t, Row& row) {
  const auto i = static_cast<std::uint32_t>(outcome.customer);
  if (outcome.resolved) row[static_cast<int>(Metric::contacts_resolved)] += 1;
  if (c_.status[i] != Status::active) return;
  wake_by(i, t + 1);  // it may have a story to tell or a repeat contact to make

  // The contact is a touchpoint of its own: fast resolution pleases; waiting, being cut off and
  // not getting an answer hurt.
  decay_attitude(i, t);
  // A contact that does not fix the problem is a mild failure of its own: the problem itself has
  // counted already, and what is left unresolved weighs on the next purchase (churn.trigger_*).
  const double base = outcome.resolved ? p_.quality_performance_normal : p_.quality_performance_mild;
  const double waited_min = std::min(outcome.wait_s, 1800.0) / 60.0;
  const double x = std::clamp(base - p_.contact_centre_wait_penalty_per_minute * waited_min, 0.0, 1.0);
  // Draws about this contact are keyed by its arrival day: unique even for e-mail answered later.
  Stream story(key_, Purpose::story_start, i, outcome.day, kStoryContact + outcome.sequence);
  experience(i, x, story, row);

  const bool about_open_issue = !outcome.is_value_demand && c_.issue_severity[i] != Severity::none &&
                                static_cast<std::uint32_t>(c_.record[i].issue_opened) == outcome.tag;
  if (about_open_issue) {
    const auto severity = static_cast<std::uint8_t>(c_.issue_severity[i]);
    if (outcome.resolved) {
      const bool first_contact = c_.record[i].issue_contacts <= 1;
      resolve_issue(i, t);
      if (episodes_.sampled(i))
        episodes_.closed(
            i, t, first_contact ? EpisodeOutcome::resolved_first_contact : EpisodeOutcome::resolved_later,
            severity, c_.attitude[i]);
    } else {
      Stream rng(key_, Purpose::repeat_contact, i, outcome.day, outcome.sequence);
      if (c_.record[i].issue_contacts < p_.contacts_max_contacts &&
          rng.bernoulli(p_.contacts_repeat_probability)) {
        c_.record[i].next_contact = add_days(t, days_until(rng, 1.0 / (1.0 + p_.contacts_delay_days)));
      } else {
        if (episodes_.sampled(i))
          episodes_.closed(
              i, t,
              outcome.answered || outcome.contained ? EpisodeOutcome::given_up : EpisodeOutcome::abandoned,
              severity, c_.attitude[i]);
        close_remembered(i, 0);  // gives up, unresolved
      }
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

}  // namespace cxsim
