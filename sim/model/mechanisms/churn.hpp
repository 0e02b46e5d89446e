#pragma once
// Churn: whether a customer stays at a purchase occasion (a logit in attitude, price and an
// unresolved problem).
//
// Not a standalone header: model.cpp includes it once, so the daily step and its mechanisms stay
// one translation unit and the compiler inlines across them as before the split
// (docs/performance.md). Tests reach the mechanisms directly (tests/unit/test_mechanisms.cpp).

namespace cxsim {

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
  // A problem is a switching trigger (Keaveney 1995): it weighs on the next decision once, by the
  // share of its loss not made good (all of it while open and not being fixed, or unresolved).
  auto& flags = c_.record[i].flags;
  int severity = flags & grievance;
  double not_made_good = 1 - ((flags & grievance_made_good) >> 4) / 15.0;
  if (c_.issue_severity[i] != Severity::none && !(flags & (notified_issue | issue_weighed))) {
    severity = std::max(severity, static_cast<int>(c_.issue_severity[i]));
    not_made_good = 1;
    flags |= issue_weighed;
  }
  flags &= static_cast<std::uint8_t>(~(grievance | grievance_made_good));
  const double trigger = severity == 3   ? p_.churn_trigger_severe
                         : severity == 2 ? p_.churn_trigger_moderate
                         : severity == 1 ? p_.churn_trigger_mild
                                         : 0.0;
  const double logit =
      p_.churn_base_logit + p_.churn_attitude_weight * effective - price_term - trigger * not_made_good;
  if (c_.issue_severity[i] == Severity::none)
    c_.record[i].attitude_pre = std::numeric_limits<float>::infinity();  // the failure episode is judged
  return rng.uniform() < logistic(logit);
}

}  // namespace cxsim
