#pragma once
// Churn: whether a customer stays at a purchase occasion (a logit in attitude and price).
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
  const double logit = p_.churn_base_logit + p_.churn_attitude_weight * effective - price_term;
  if (c_.issue_severity[i] == Severity::none)
    c_.record[i].attitude_pre = std::numeric_limits<float>::infinity();  // the failure episode is judged
  return rng.uniform() < logistic(logit);
}

}  // namespace cxsim
