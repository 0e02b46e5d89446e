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

int find_metric(std::string_view name) {
  for (int i = 0; i < kMetricCount; ++i)
    if (kMetricDefs[i].name == name) return i;
  return -1;
}

}  // namespace cxsim
