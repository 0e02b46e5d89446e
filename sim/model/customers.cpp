#include "model/customers.hpp"

namespace cxsim {

void Customers::resize(std::uint32_t first_id, std::uint32_t n) {
  size = n;
  first = first_id;
  status.assign(first_id, n, Status::prospect);
  wake.assign(first_id, n, kNever);
  segment.assign(first_id, n, 0);
  issue_severity.assign(first_id, n, Severity::none);
  attitude.assign(first_id, n, 0.0f);
  attitude_day.assign(first_id, n, 0);
  record.assign(first_id, n, CustomerRecord{});
}

}  // namespace cxsim
