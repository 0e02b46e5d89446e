#pragma once
// Key-figure arithmetic (docs/key-figures.md) and the metrics computed over windows of days.

#include <cstdint>
#include <span>

#include "core/params.hpp"
#include "core/results.hpp"

namespace cxsim {

/// Net promoter score in points: % promoters - % detractors. NaN when nobody answered.
double net_promoter_score(double promoters, double passives, double detractors);

/// Share of CSAT answers of 4 or 5; counts[k] = answers of k+1 (k = 0..4). NaN without answers.
double csat_share(std::span<const double, 5> counts);

/// Customer lifetime value m r / (1 + d - r) for margin m per period, retention r per period and
/// discount rate d per period.
double customer_lifetime_value(double margin, double retention, double discount);

/// Fills the window metrics of one replication (nps, csat, monthly_churn_rate,
/// contacts_per_order, clv, retention) from its daily flows and stocks.
void derive_window_metrics(SeriesSet& series, int rep, const Params& params);

}  // namespace cxsim
