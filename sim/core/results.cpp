#include "core/results.hpp"

namespace cxsim {

namespace {
constexpr MetricDef kMetricDefs[] = {
#define CXSIM_METRIC_DEF(name, unit, kind, desc) {#name, unit, MetricKind::kind, desc},
    CXSIM_METRICS(CXSIM_METRIC_DEF)
#undef CXSIM_METRIC_DEF
};
static_assert(sizeof(kMetricDefs) / sizeof(kMetricDefs[0]) == kMetricCount);
}  // namespace

std::span<const MetricDef> metric_defs() {
  return kMetricDefs;
}

int metric_first_day(Metric metric) {
  switch (metric) {
    case Metric::retention_12m:
      return kRetentionYearDays;
    case Metric::retention_1m:
      return kRetentionMonthDays;
    case Metric::monthly_churn_rate:
    case Metric::clv:
      return kMetricWindowDays + 1;
    default:
      return 1;
  }
}

int find_metric(std::string_view name) {
  for (int i = 0; i < kMetricCount; ++i)
    if (kMetricDefs[i].name == name) return i;
  return -1;
}

}  // namespace cxsim
