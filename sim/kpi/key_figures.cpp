#include "kpi/key_figures.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "core/errors.hpp"

namespace cxsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kWindow = kFigureWindowDays;

using A = Aggregate;

// id, /summary column, label, unit, aggregate, metric, denominator, key, definition.
constexpr std::array kTable = {
    KeyFigureDef{"retention", "retention_12m_final", "retention (12 months)", "share", A::final,
                 "retention_12m", "", true,
                 "Of the customers active 365 days before the end (at the start, for a one-year run), the "
                 "share still active at the end; not defined for runs shorter than 365 days"},
    KeyFigureDef{"churn", "monthly_churn_final", "monthly churn (last 30 days)", "share", A::final,
                 "monthly_churn_rate", "", true,
                 "Customers lost in the last 30 days / active customers 30 days before"},
    KeyFigureDef{"nps", "nps_final", "NPS (last 30 days)", "points", A::final, "nps", "", true,
                 "Net promoter score of the last 30 days' survey answers: % promoters - % detractors"},
    KeyFigureDef{"csat", "csat_last30", "CSAT (last 30 days)", "share", A::window_ratio, "csat_satisfied",
                 "csat_responses", true, "CSAT answers of 4 or 5 / all CSAT answers, last 30 days"},
    KeyFigureDef{"asa", "asa_s_last30", "ASA (last 30 days)", "s", A::window_mean, "asa_s", "", true,
                 "Average speed of answer, phone and chat: mean of the daily figures of the last 30 days"},
    KeyFigureDef{"service_level", "service_level_last30", "service level (last 30 days)", "share",
                 A::window_ratio, "answered_within_target", "queue_outcomes", true,
                 "Contacts answered within their channel's target / contacts answered or abandoned, last 30 "
                 "days"},
    KeyFigureDef{"contacts", "contacts_total", "contacts (total)", "contacts", A::total, "contacts", "", true,
                 "Contacts with customer service, all channels, over the run"},
    KeyFigureDef{"revenue", "revenue_total", "revenue (total)", "currency", A::total, "revenue", "", true,
                 "Revenue from orders over the run"},
    KeyFigureDef{"service_cost", "service_cost_total", "service cost (total)", "currency", A::total,
                 "service_cost", "", true, "Paid agent-hours and chatbot costs over the run"},
    KeyFigureDef{"acquisition_spend", "acquisition_spend_total", "acquisition spend (total)", "currency",
                 A::total, "acquisition_spend", "", true, "Spend on acquiring new customers over the run"},
    KeyFigureDef{"profit", "profit_total", "profit (total)", "currency", A::total, "profit", "", true,
                 "Revenue - cost of goods - service cost - acquisition spend, over the run"},
    KeyFigureDef{"clv", "clv_final", "CLV (end)", "currency", A::final, "clv", "", true,
                 "Customer lifetime value m r / (1 + d - r) from the last 30 days' margin and retention"},
    KeyFigureDef{"retention_cumulative", "retention_cumulative_final", "share ever kept (end)", "share",
                 A::final, "retention_cumulative", "", false,
                 "Active customers at the end / everyone who has ever been a customer (falls for ever; "
                 "not a cohort figure)"},
    KeyFigureDef{"active_customers", "active_customers_final", "active customers (end)", "people", A::final,
                 "active_customers", "", false, "Customers who have not churned, at the end"},
    KeyFigureDef{"new_customers", "new_customers_total", "new customers (total)", "people", A::total,
                 "new_customers", "", false, "Adoptions over the run"},
    KeyFigureDef{"churned", "churned_total", "customers lost (total)", "people", A::total, "churned", "",
                 false, "Customers lost over the run"},
    KeyFigureDef{"orders", "orders_total", "orders (total)", "orders", A::total, "orders", "", false,
                 "Orders placed over the run"},
    KeyFigureDef{"issues", "issues_opened_total", "issues opened (total)", "issues", A::total,
                 "issues_opened", "", false, "Problems opened by failed touchpoints over the run"},
    KeyFigureDef{"contacts_failure", "contacts_failure_total", "failure-demand contacts (total)", "contacts",
                 A::total, "contacts_failure", "", false, "Contacts about a problem over the run"},
    KeyFigureDef{"contacts_repeat", "contacts_repeat_total", "repeat contacts (total)", "contacts", A::total,
                 "contacts_repeat", "", false,
                 "Repeat contacts about a problem not yet resolved, over the run"},
    KeyFigureDef{"contacts_per_order", "contacts_per_order_final", "contacts per order (last 30 days)",
                 "contacts/order", A::final, "contacts_per_order", "", false,
                 "Contacts / orders over the last 30 days"},
    KeyFigureDef{"abandoned", "abandoned_total", "abandoned contacts (total)", "contacts", A::total,
                 "abandoned", "", false, "Contacts that gave up waiting (each attempt), over the run"},
    KeyFigureDef{"mean_attitude", "mean_attitude_final", "mean attitude (end)", "attitude", A::final,
                 "mean_attitude", "", false, "Mean attitude of active customers at the end"},
};

bool has_metric(std::string_view name) {
  return find_metric(name) >= 0;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", '" : "'") + items[i] + "'";
  return out;
}

Figure from_def(const KeyFigureDef& d) {
  return {std::string(d.id),
          std::string(d.column),
          std::string(d.label),
          std::string(d.unit),
          d.how,
          std::string(d.metric),
          std::string(d.denominator),
          d.key,
          std::string(d.definition)};
}

}  // namespace

std::span<const KeyFigureDef> key_figure_defs() {
  return kTable;
}

std::string_view aggregate_name(Aggregate how) {
  switch (how) {
    case Aggregate::final:
      return "final";
    case Aggregate::total:
      return "total";
    case Aggregate::window_mean:
      return "window_mean";
    case Aggregate::window_ratio:
      return "window_ratio";
  }
  return "?";
}

std::vector<Figure> builtin_figures() {
  std::vector<Figure> all;
  for (const KeyFigureDef& d : kTable)
    if (has_metric(d.metric) && (d.denominator.empty() || has_metric(d.denominator)))
      all.push_back(from_def(d));
  return all;
}

Figure find_figure(const std::string& name) {
  const auto figures = builtin_figures();
  for (const Figure& f : figures)
    if (f.id == name || f.column == name) return f;
  if (const int m = find_metric(name); m >= 0) {
    const MetricDef& def = metric_defs()[m];
    const bool flow = def.kind == MetricKind::flow;
    std::string unit(def.unit);
    if (flow && unit.size() > 4 && unit.substr(unit.size() - 4) == "/day") unit.resize(unit.size() - 4);
    return {name,
            name + (flow ? "_total" : "_final"),
            name + (flow ? " (total)" : " (end)"),
            unit,
            flow ? Aggregate::total : Aggregate::final,
            name,
            "",
            false,
            std::string(def.description) + (flow ? ", summed over the days" : ", at the day")};
  }
  std::vector<std::string> ids;
  for (const Figure& f : figures) ids.push_back(f.id);
  throw InputError(
      "unknown figure; figures: " + quoted_list(ids) + ", or any metric name (listed by cxsim info)", "", 0,
      0, name);
}

std::vector<double> figure_values(const Figure& figure, const SeriesSet& s, int at_day) {
  const auto metric = static_cast<Metric>(find_metric(figure.metric));
  const int last = at_day - 1;
  const int first = std::max(0, at_day - kWindow);
  std::vector<double> out(static_cast<std::size_t>(s.replications), kNaN);
  for (int rep = 0; rep < s.replications; ++rep) {
    double& value = out[static_cast<std::size_t>(rep)];
    switch (figure.how) {
      case Aggregate::final:
        value = s.at(metric, rep, last);
        break;
      case Aggregate::total: {
        double sum = 0;
        for (int d = 0; d <= last; ++d) sum += s.at(metric, rep, d);
        value = sum;
        break;
      }
      case Aggregate::window_mean: {
        double sum = 0;
        int n = 0;
        for (int d = first; d <= last; ++d)
          if (const double v = s.at(metric, rep, d); !std::isnan(v)) sum += v, ++n;
        value = n ? sum / n : kNaN;
        break;
      }
      case Aggregate::window_ratio: {
        const auto den = static_cast<Metric>(find_metric(figure.denominator));
        double a = 0, b = 0;
        for (int d = first; d <= last; ++d) a += s.at(metric, rep, d), b += s.at(den, rep, d);
        value = b > 0 ? a / b : kNaN;
        break;
      }
    }
  }
  return out;
}

}  // namespace cxsim
