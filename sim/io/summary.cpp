#include "io/summary.hpp"

#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

#include "kpi/stats.hpp"

namespace cxsim {

namespace {

constexpr int kWindow = 30;

// One value per replication.
using PerReplication = std::function<double(const SeriesSet&, int rep)>;

PerReplication final_value(Metric m) {
  return [m](const SeriesSet& s, int rep) { return s.at(m, rep, s.days - 1); };
}

PerReplication total(Metric m) {
  return [m](const SeriesSet& s, int rep) {
    double sum = 0;
    for (int d = 0; d < s.days; ++d) sum += s.at(m, rep, d);
    return sum;
  };
}

PerReplication window_mean(Metric m) {
  return [m](const SeriesSet& s, int rep) {
    double sum = 0;
    int n = 0;
    for (int d = std::max(0, s.days - kWindow); d < s.days; ++d) {
      const double v = s.at(m, rep, d);
      if (!std::isnan(v)) {
        sum += v;
        ++n;
      }
    }
    return n ? sum / n : std::nan("");
  };
}

PerReplication window_ratio(Metric num, Metric den) {
  return [num, den](const SeriesSet& s, int rep) {
    double a = 0, b = 0;
    for (int d = std::max(0, s.days - kWindow); d < s.days; ++d) {
      a += s.at(num, rep, d);
      b += s.at(den, rep, d);
    }
    return b > 0 ? a / b : std::nan("");
  };
}

}  // namespace

std::string kpi_summary(const RunResult& result) {
  struct Line {
    const char* label;
    PerReplication value;
    double scale;
    const char* unit;
  };
  const std::vector<Line> lines = {
      {"active customers (end)", final_value(Metric::active_customers), 1, ""},
      {"ever adopted (end)", final_value(Metric::adopted_fraction), 100, "%"},
      {"retention (end)", final_value(Metric::retention), 100, "%"},
      {"monthly churn (last 30 days)", final_value(Metric::monthly_churn_rate), 100, "%"},
      {"NPS (last 30 days)", final_value(Metric::nps), 1, "points"},
      {"CSAT (last 30 days)", window_ratio(Metric::csat_satisfied, Metric::csat_responses), 100, "%"},
      {"contacts per day (last 30 days)", window_mean(Metric::contacts), 1, ""},
      {"contacts per order (last 30 days)", final_value(Metric::contacts_per_order), 1, ""},
      {"ASA (last 30 days)", window_mean(Metric::asa_s), 1, "s"},
      {"revenue (total)", total(Metric::revenue), 1, ""},
      {"service cost (total)", total(Metric::service_cost), 1, ""},
      {"profit (total)", total(Metric::profit), 1, ""},
      {"CLV (end)", final_value(Metric::clv), 1, ""},
  };
  const auto& s = result.series;
  std::string out;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%-34s %14s %12s\n", "key figure", "mean", "95% CI +/-");
  out += buf;
  for (const Line& line : lines) {
    std::vector<double> values;
    for (int rep = 0; rep < s.replications; ++rep) values.push_back(line.value(s, rep) * line.scale);
    const Interval ci = confidence_interval(values);
    char ci_text[32] = "";
    if (!std::isnan(ci.half_width)) std::snprintf(ci_text, sizeof ci_text, "%.4g", ci.half_width);
    std::snprintf(buf, sizeof buf, "%-34s %14.6g %12s %s\n", line.label, ci.mean, ci_text, line.unit);
    out += buf;
  }
  return out;
}

std::string describe_precision(const PrecisionReport& r, const PrecisionTarget& target) {
  char buf[512];
  std::string out;
  if (r.checks.empty()) {
    std::snprintf(buf, sizeof buf,
                  "precision: nothing to check (every chosen figure's baseline mean is zero or "
                  "undefined); %d replications\n",
                  r.replications);
    return buf;
  }
  std::snprintf(buf, sizeof buf,
                "precision: %s after %d replications in %d batches: the widest 95%% interval is "
                "'%s' of '%s', +/- %.4g = %.3g x the target +/- %.4g (%g of the baseline mean)\n",
                r.reached ? "target reached" : "cap reached, target NOT reached", r.replications, r.batches,
                r.worst.figure.c_str(), r.worst.strategy.c_str(), r.worst.half_width,
                r.worst.half_width / r.worst.target, r.worst.target, target.relative);
  out += buf;
  return out;
}

}  // namespace cxsim
