#pragma once
// Experience: expectation-disconfirmation with a loss-averse value function (Oliver
// 1980; Tversky & Kahneman 1992) and the decay of attitude toward the segment baseline.
//
// Not a standalone header: model.cpp includes it once, so the daily step and its mechanisms stay
// one translation unit and the compiler inlines across them as before the split
// (docs/performance.md). Tests reach the mechanisms directly (tests/unit/test_mechanisms.cpp).

namespace cxsim {

CXSIM_MECHANISM double Model::experience(std::uint32_t i, double x, Stream& rng, Row& acc) {
  // Expectation-disconfirmation with a loss-averse value function (Oliver 1980; T&K 1992).
  const double e = c_.record[i].expectation;
  const double d = x - e;
  const double v =
      p_.experience_attitude_weight * valued(d, p_.experience_curvature, p_.experience_loss_aversion);
  note_change(i);
  c_.attitude[i] += static_cast<float>(v);
  c_.record[i].expectation = static_cast<float>(e + p_.experience_expectation_adaptation * (x - e));
  const double u = rng.uniform();  // drawn always: later draws do not shift with the outcome
  if (d > p_.experience_delight_threshold && u < p_.wom_share_after_delight)
    start_story(i, true, p_.wom_audience_delight, rng, acc);
  else if (d < -p_.experience_failure_threshold && u < p_.wom_share_after_failure)
    start_story(i, false, p_.wom_audience_failure, rng, acc);
  return v;
}

CXSIM_MECHANISM void Model::decay_attitude(std::uint32_t i, std::int32_t t) {
  note_change(i);
  c_.attitude[i] = attitude_at(i, t);
  c_.attitude_day[i] = t;
}

float Model::attitude_at(std::uint32_t i, std::int32_t t) const {
  return decay()(c_.attitude[i], c_.attitude_day[i], c_.segment[i], t);
}

}  // namespace cxsim
