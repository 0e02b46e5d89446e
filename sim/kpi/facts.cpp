#include "kpi/facts.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "kpi/stats.hpp"

namespace cxsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kNeedsEpisodes = "needs run.episodes = true";

double valued(double d, double curvature, double loss_aversion) {
  return d >= 0 ? std::pow(d, curvature) : -loss_aversion * std::pow(-d, curvature);
}

// TARP's columns (loyalty by complaint outcome).
enum Tarp { did_not_complain, not_resolved, resolved, resolved_quickly, tarp_count };

int tarp_cell(const EpisodeRow& r) {
  if (r.notified || r.stay == EpisodeStay::censored) return -1;
  if (r.contacts == 0) return did_not_complain;
  switch (r.outcome) {
    case EpisodeOutcome::resolved_first_contact:
      return resolved_quickly;
    case EpisodeOutcome::resolved_later:
      return resolved;
    case EpisodeOutcome::unresolved:
    case EpisodeOutcome::abandoned:
    case EpisodeOutcome::given_up:
      return not_resolved;
    default:
      return -1;
  }
}

bool unresolved(EpisodeOutcome o) {
  return o == EpisodeOutcome::unresolved || o == EpisodeOutcome::abandoned || o == EpisodeOutcome::given_up;
}

FactRow row(std::string id, std::string fact, std::string unit, std::vector<double> per_rep, double lo,
            double hi, std::string band, std::string source, std::string note) {
  FactRow r{
      std::move(id),     std::move(fact), std::move(unit), kNaN, kNaN, kNaN, 0, lo, hi, std::move(band), "",
      std::move(source), std::move(note)};
  const Interval ci = confidence_interval(per_rep);
  r.replications = ci.n;
  if (ci.n > 0) {
    r.value = ci.mean;
    r.ci_low = ci.mean - ci.half_width;
    r.ci_high = ci.mean + ci.half_width;
  }
  if (std::isnan(r.value))
    r.status = "not measurable";
  else if (std::isnan(lo) && std::isnan(hi))
    r.status = "no band";
  else
    r.status = (std::isnan(lo) || r.value >= lo) && (std::isnan(hi) || r.value <= hi) ? "inside" : "outside";
  return r;
}

FactRow needs_episodes(FactRow r) {
  r.value = r.ci_low = r.ci_high = kNaN;
  r.replications = 0;
  r.status = kNeedsEpisodes;
  return r;
}

std::string percent_band(double lo, double hi) {
  const auto pct = [](double x) {  // one decimal: "1.3"
    const long tenths = std::lround(1000 * x);
    std::string text = std::to_string(tenths / 10);
    if (tenths % 10 != 0) {
      text += '.';
      text += std::to_string(tenths % 10);
    }
    return text;
  };
  return pct(lo) + "%-" + pct(hi) + "%";
}

}  // namespace

double touchpoints_to_offset_failure(const Params& p, double open_days) {
  // The mean valued disconfirmation of a normal touchpoint, by quadrature over the normal law of x
  // (x clamped to [0, 1], as the model clamps it), for each segment's expectation E.
  double gain = 0, loss = 0, shares = 0;
  for (const Segment& s : p.segments) {
    const double e = s.expectation;
    double g = 0, w = 0;
    constexpr int kSteps = 2001;
    for (int k = 0; k < kSteps; ++k) {
      const double z = -8.0 + 16.0 * k / (kSteps - 1);
      const double density = std::exp(-0.5 * z * z);
      const double x = std::clamp(p.quality_performance_normal + p.quality_performance_sd * z, 0.0, 1.0);
      g += density * valued(x - e, p.experience_curvature, p.experience_loss_aversion);
      w += density;
    }
    gain += s.share * g / w;
    loss += s.share *
            -valued(p.quality_performance_moderate - e, p.experience_curvature, p.experience_loss_aversion);
    shares += s.share;
  }
  if (shares <= 0) return kNaN;
  gain = p.experience_attitude_weight * gain / shares;
  loss = p.experience_attitude_weight * loss / shares;
  // An open moderate issue costs 2 x issue_daily_cost a day (severity 2).
  loss += open_days * 2 * p.quality_issue_daily_cost;
  return gain > 0 ? loss / gain : kNaN;
}

std::vector<FactRow> measure_facts(const FactsInput& in) {
  std::vector<FactRow> out;
  const SeriesSet& s = in.series;
  const int reps = s.replications, days = s.days;
  const auto sum = [&](Metric m, int rep) {
    double total = 0;
    for (int d = 0; d < days; ++d) {
      const double v = s.at(m, rep, d);
      if (!std::isnan(v)) total += v;
    }
    return total;
  };
  const auto per_rep = [&](auto&& f) {
    std::vector<double> v;
    for (int r = 0; r < reps; ++r) v.push_back(f(r));
    return v;
  };
  const auto ratio = [](double a, double b) { return b > 0 ? a / b : kNaN; };

  // --- loyalty by complaint outcome (TARP), from the episodes -----------------------------------
  // stays[rep][severity 2/3 -> 0/1][cell], counts likewise.
  const int ereps = in.has_episodes ? std::max(in.episode_replications, 0) : 0;
  std::vector<std::array<std::array<double, tarp_count>, 2>> stays(ereps), counts(ereps);
  std::vector<double> quick_stay(ereps), quick_n(ereps), unres_stay(ereps), unres_n(ereps);
  for (std::size_t k = 0; k < in.episodes.size() && in.has_episodes; ++k) {
    const EpisodeRow& e = in.episodes[k];
    const int rep = in.episode_replication[k];
    if (rep < 0 || rep >= ereps) continue;
    const double stayed = e.stay == EpisodeStay::stayed ? 1 : 0;
    if (e.stay != EpisodeStay::censored && !e.notified) {
      if (e.contacts > 0 && e.outcome == EpisodeOutcome::resolved_first_contact) {
        quick_stay[rep] += stayed;
        quick_n[rep] += 1;
      } else if (unresolved(e.outcome)) {
        unres_stay[rep] += stayed;
        unres_n[rep] += 1;
      }
    }
    const int cell = tarp_cell(e);
    if (cell < 0 || e.severity < 2) continue;
    stays[rep][e.severity - 2][cell] += stayed;
    counts[rep][e.severity - 2][cell] += 1;
  }
  static constexpr const char* kCell[] = {"did not complain", "complained, not resolved", "resolved",
                                          "resolved quickly"};
  static constexpr const char* kCellId[] = {"did_not_complain", "not_resolved", "resolved",
                                            "resolved_quickly"};
  static constexpr int kTarp[2][tarp_count] = {{37, 46, 70, 95}, {9, 19, 54, 82}};  // percent
  static constexpr const char* kSize[] = {"moderate", "severe"};
  static constexpr const char* kLoss[] = {"potential loss < $5", "potential loss > $100"};
  for (int size = 0; size < 2; ++size) {
    std::array<double, tarp_count> means{};
    for (int cell = 0; cell < tarp_count; ++cell) {
      const int band = kTarp[size][cell];
      FactRow r =
          row(std::string("tarp_") + kSize[size] + "_" + kCellId[cell],
              std::string("Stayed at the next order after a ") + kSize[size] + " problem: " + kCell[cell],
              "share", {}, (band - 5) / 100.0, (band + 5) / 100.0,
              std::to_string(band) + "% +/- 5 points (TARP, " + kLoss[size] + ")",
              "TARP, as summarised in Fast Company 2003",
              std::string("episodes of severity ") + kSize[size] +
                  ", not notified, not censored; quickly = at the first contact");
      if (!in.has_episodes) {
        out.push_back(needs_episodes(std::move(r)));
        means[cell] = kNaN;
        continue;
      }
      std::vector<double> v;
      double n = 0;
      for (int rep = 0; rep < ereps; ++rep) {
        v.push_back(ratio(stays[rep][size][cell], counts[rep][size][cell]));
        n += counts[rep][size][cell];
      }
      FactRow measured = row(r.id, r.fact, r.unit, v, r.band_low, r.band_high, r.band, r.source,
                             r.note + "; " + std::to_string(static_cast<long long>(n)) + " episodes");
      means[cell] = measured.value;
      out.push_back(std::move(measured));
    }
    FactRow order = row(std::string("tarp_") + kSize[size] + "_order",
                        std::string("TARP order after a ") + kSize[size] +
                            " problem: did not complain < not resolved < resolved < resolved quickly",
                        "holds (1) or not (0)", {}, 1, 1, "holds", "TARP, as summarised in Fast Company 2003",
                        "on the means above");
    if (!in.has_episodes) {
      out.push_back(needs_episodes(std::move(order)));
    } else {
      bool any_nan = false, holds = true;
      for (int c = 0; c < tarp_count; ++c) any_nan = any_nan || std::isnan(means[c]);
      for (int c = 0; c + 1 < tarp_count; ++c) holds = holds && means[c] < means[c + 1];
      out.push_back(row(order.id, order.fact, order.unit, {any_nan ? kNaN : (holds ? 1.0 : 0.0)}, 1, 1,
                        order.band, order.source, order.note));
    }
  }

  // --- quick resolution vs unresolved (Forrester) ------------------------------------------------
  {
    FactRow r =
        row("retention_ratio_quick_vs_unresolved",
            "Stayed at the next order: resolved at the first contact / ended unresolved", "ratio", {}, 2.0,
            2.8, "about 2.4x (2.0-2.8: our reading of 'about')", "Forrester (seed 000)",
            "all severities, not notified, not censored; unresolved = unresolved, abandoned or given up, "
            "silent or not");
    if (!in.has_episodes) {
      out.push_back(needs_episodes(std::move(r)));
    } else {
      std::vector<double> v;
      for (int rep = 0; rep < ereps; ++rep)
        v.push_back(ratio(ratio(quick_stay[rep], quick_n[rep]), ratio(unres_stay[rep], unres_n[rep])));
      out.push_back(row(r.id, r.fact, r.unit, v, r.band_low, r.band_high, r.band, r.source, r.note));
    }
  }

  // --- good touchpoints to offset one failure, from the parameters ------------------------------
  out.push_back(
      row("touchpoints_offset_moderate_failure",
          "Good touchpoints that offset one moderate failure (its disconfirmation alone)", "touchpoints",
          {touchpoints_to_offset_failure(in.params, 0)}, kNaN, kNaN,
          "none: a part of the next fact (Newell-Legner's figure is for a failure nobody fixes)", "-",
          "computed from the parameters, not measured: lambda (E - x_moderate)^a / E[v(x - E)] over "
          "normal touchpoints, segments weighted by share"));
  out.push_back(row(
      "touchpoints_offset_unresolved_moderate",
      "Good touchpoints that offset one unresolved moderate failure (plus its open-issue cost until "
      "quality.issue_give_up_days)",
      "touchpoints",
      {touchpoints_to_offset_failure(in.params, static_cast<double>(in.params.quality_issue_give_up_days))},
      10, 14, "about 12 (10-14: our reading)", "Newell-Legner 2008 (seed 002)",
      "computed from the parameters: as above, plus 2 x quality.issue_daily_cost a day while open "
      "(decay toward the baseline ignored)"));

  // --- word of mouth (East, Hammond & Wright 2007) -----------------------------------------------
  out.push_back(row("wom_reach_negative_vs_positive", "Listeners per negative story / per positive story",
                    "ratio", per_rep([&](int r) {
                      return ratio(
                          ratio(sum(Metric::story_messages_negative, r), sum(Metric::stories_negative, r)),
                          ratio(sum(Metric::story_messages_positive, r), sum(Metric::stories_positive, r)));
                    }),
                    1.5, 2.0, "1.5-2x", "East, Hammond & Wright 2007",
                    "story_messages / stories started, each kind summed over the run (retellings included)"));
  out.push_back(
      row("wom_frequency_positive_vs_negative",
          "Positive / negative word of mouth (messages: stories, recommendations, warnings)", "ratio",
          per_rep([&](int r) { return ratio(sum(Metric::wom_positive, r), sum(Metric::wom_negative, r)); }),
          2.5, 3.5, "about 3x (2.5-3.5: our reading)", "East, Hammond & Wright 2007",
          "wom_positive / wom_negative summed over the run"));

  // --- churn and retention -----------------------------------------------------------------------
  const double keep_hi = 0.85, keep_lo = 0.75;
  out.push_back(row("monthly_churn", "Monthly churn (mean of monthly_churn_rate over the last 365 days)",
                    "share/month", per_rep([&](int r) {
                      double total = 0, n = 0;
                      for (int d = std::max(30, days - 365); d < days; ++d) {
                        const double v = s.at(Metric::monthly_churn_rate, r, d);
                        if (!std::isnan(v)) total += v, n += 1;
                      }
                      return n > 0 ? total / n : kNaN;
                    }),
                    1 - std::pow(keep_hi, 1.0 / 12), 1 - std::pow(keep_lo, 1.0 / 12),
                    percent_band(1 - std::pow(keep_hi, 1.0 / 12), 1 - std::pow(keep_lo, 1.0 / 12)) +
                        " (75%-85% kept a year)",
                    "assumption: the churn calibration's target, about 80% kept a year",
                    "1 - 0.85^(1/12) to 1 - 0.75^(1/12)"));
  out.push_back(
      row("retention_12m", "12-month cohort retention on the last day", "share",
          per_rep([&](int r) { return days > 0 ? s.at(Metric::retention_12m, r, days - 1) : kNaN; }), keep_lo,
          keep_hi, percent_band(keep_lo, keep_hi),
          "assumption: the churn calibration's target, about 80% kept a year",
          "retention_12m: of the customers active 365 days before the last day (the customers at the "
          "start, for a one-year run), the share active on it (NaN for runs shorter than 365 days)"));

  // --- contacts ----------------------------------------------------------------------------------
  out.push_back(row("contacts_per_order", "Contacts per order", "contacts/order",
                    per_rep([&](int r) { return ratio(sum(Metric::contacts, r), sum(Metric::orders, r)); }),
                    kNaN, kNaN, "none published", "-", "contacts / orders summed over the run"));
  out.push_back(
      row("failure_demand_share", "Failure demand: share of contacts about a problem", "share",
          per_rep([&](int r) { return ratio(sum(Metric::contacts_failure, r), sum(Metric::contacts, r)); }),
          kNaN, kNaN, "none published", "-", "contacts_failure / contacts summed over the run"));

  // --- CLV (Reichheld & Sasser 1990) -------------------------------------------------------------
  const double d = in.params.finance_discount_rate;
  out.push_back(row("clv_change_5_points_less_defection", "CLV change when defection falls by 5 points",
                    "change", per_rep([&](int r) {
                      const double keep = days > 0 ? s.at(Metric::retention_12m, r, days - 1) : kNaN;
                      if (std::isnan(keep) || keep + 0.05 >= 1 + d) return kNaN;
                      const double now = keep / (1 + d - keep),
                                   better = (keep + 0.05) / (1 + d - keep - 0.05);
                      return better / now - 1;
                    }),
                    0.25, 0.40, "+25% to +40%", "Reichheld & Sasser 1990",
                    "CLV = m r / (1 + d - r) with r the measured 12-month cohort retention and d = "
                    "finance.discount_rate; r -> r + 0.05; the margin m cancels in the ratio"));
  return out;
}

}  // namespace cxsim
