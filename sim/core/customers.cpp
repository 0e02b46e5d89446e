#include "customers.hpp"

namespace cxsim {

void Customers::resize(std::uint32_t n) {
  size = n;
  status.assign(n, Status::prospect);
  segment.assign(n, 0);
  issue_severity.assign(n, Severity::none);
  issue_contacts.assign(n, 0);
  heard.assign(n, 0);
  inbox_positive.assign(n, 0);
  inbox_negative.assign(n, 0);
  attitude.assign(n, 0.0f);
  attitude_pre.assign(n, std::numeric_limits<float>::infinity());
  expectation.assign(n, 0.0f);
  reference_price.assign(n, 0.0f);
  issue_loss.assign(n, 0.0f);
  revenue.assign(n, 0.0f);
  attitude_day.assign(n, 0);
  adopted_day.assign(n, kNever);
  rejecter_until.assign(n, kNever);
  issue_opened.assign(n, kNever);
  next_external.assign(n, kNever);
  next_purchase.assign(n, kNever);
  next_contact.assign(n, kNever);
  next_question.assign(n, kNever);
  next_survey.assign(n, kNever);
  next_talk.assign(n, kNever);
  wake.assign(n, kNever);
  purchases.assign(n, 0);
  tells_positive.assign(n, 0);
  tells_negative.assign(n, 0);
}

}  // namespace cxsim
