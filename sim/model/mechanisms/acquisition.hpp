#pragma once
// Acquisition: prospects adopt after advertising or recommendations, or reject after
// warnings (the Bass model in discrete time).
//
// Not a standalone header: model.cpp includes it once, so the daily step and its mechanisms stay
// one translation unit and the compiler inlines across them as before the split
// (docs/performance.md). Tests reach the mechanisms directly (tests/unit/test_mechanisms.cpp).

namespace cxsim {

CXSIM_MECHANISM void Model::process_prospect(std::uint32_t i, std::int32_t t, Chunk& chunk) {
  const int heard_good = c_.record[i].inbox_positive;
  const int heard_bad = c_.record[i].inbox_negative;
  c_.record[i].inbox_positive = c_.record[i].inbox_negative = 0;

  // Warnings first: with probability 1 - (1 - b-)^R- the prospect rejects for a while.
  if (heard_bad > 0 && p_.acquisition_warning_impact > 0) {
    Stream rng(key_, Purpose::rejection, i, static_cast<std::uint64_t>(t));
    if (rng.uniform() < reject_given_heard_[static_cast<std::size_t>(heard_bad)]) {
      note_change(i);
      c_.status[i] = Status::rejecter;
      c_.record[i].next_external = add_days(t, p_.acquisition_rejecter_days);  // reconsiders then
      return;
    }
  }
  // Otherwise adopt with probability 1 - exp(-p_d) (1 - b+)^R+: the external part is a
  // scheduled day (drawn once, memoryless), each recommendation converts independently.
  const bool external = c_.record[i].next_external == t;
  bool wom = false;
  if (!external && heard_good > 0) {
    Stream rng(key_, Purpose::wom_adoption, i, static_cast<std::uint64_t>(t));
    wom = rng.uniform() < adopt_given_heard_[static_cast<std::size_t>(heard_good)];
  }
  if (!external && !wom) return;
  adopt(i, t, chunk);
  Row& acc = chunk.acc;
  acc[static_cast<int>(Metric::new_customers)] += 1;
  acc[static_cast<int>(external ? Metric::new_customers_external : Metric::new_customers_wom)] += 1;
  acc[static_cast<int>(Metric::acquisition_spend)] += p_.acquisition_cost_per_customer;
  process_active(i, t, chunk);  // the first order is today
}

CXSIM_MECHANISM void Model::adopt(std::uint32_t i, std::int32_t t, Chunk& chunk) {
  const Segment& s = p_.segments[c_.segment[i]];
  note_change(i);
  c_.status[i] = Status::active;
  c_.record[i].adopted_day = t;
  count_adoption(chunk, i, t);
  c_.attitude[i] = static_cast<float>(s.attitude_baseline);
  c_.attitude_day[i] = t;
  c_.record[i].expectation = static_cast<float>(s.expectation);
  c_.record[i].reference_price = static_cast<float>(p_.purchase_price);
  c_.record[i].next_external = kNever;
  c_.record[i].next_purchase = t;
  Stream talk(key_, Purpose::talk_schedule, i, static_cast<std::uint64_t>(t));
  c_.record[i].next_talk = add_days(t - 1, days_until(talk, talk_daily_));  // may talk today
  Stream question(key_, Purpose::value_demand, i, static_cast<std::uint64_t>(t));
  c_.record[i].next_question = add_days(t, days_until(question, question_daily_));
  Stream survey(key_, Purpose::nps_survey, i, static_cast<std::uint64_t>(t), 1);
  c_.record[i].next_survey = add_days(t, days_until(survey, survey_daily_));
}

}  // namespace cxsim
