#include "model/customers.hpp"

namespace cxsim {

void Customers::resize(std::uint32_t n) {
  size = n;
  status.assign(n, Status::prospect);
  wake.assign(n, kNever);
  segment.assign(n, 0);
  issue_severity.assign(n, Severity::none);
  attitude.assign(n, 0.0f);
  attitude_day.assign(n, 0);
  record.assign(n, CustomerRecord{});
  adopted_day.assign(n, kNever);
}

}  // namespace cxsim
