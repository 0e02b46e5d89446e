// Question: does the run time grow linearly with customers, days, social ties and contacts per
// day? A super-linear term would be a bug. Runs the baseline (one thread, staffing scaled with
// the population as in bench_engine, and with the calls when contacts grow) while one factor doubles and the
// others stay put, and fits time = a x^b by least squares on logarithms: b near 1 is linear (for ties, whose
// cost is only the network and the listeners' look-ups, b near 0 says they hardly matter). Times are the
// process's CPU seconds, steady on a busy machine; the contact-centre share comes from
// RunStats::step.
//
//   cxsim_bench_scaling [--factor customers|days|ties|contacts|all] [--base 200000] [--points 5]

#include <cmath>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "experiment/runner.hpp"
#include "io/scenario_reader.hpp"

namespace {

using namespace cxsim;

struct Point {
  double x, cpu_s, steps_s, centre_s, contacts_per_day;
};

double slope(const std::vector<Point>& pts, double Point::*y) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double n = static_cast<double>(pts.size());
  for (const Point& p : pts) {
    const double lx = std::log(p.x), ly = std::log(p.*y);
    sx += lx;
    sy += ly;
    sxx += lx * lx;
    sxy += lx * ly;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

Point measure(Params p, double x, double staff = 1) {
  const double scale = staff * static_cast<double>(p.market_population) / 1e5;
  for (auto* agents : {&p.phone_agents, &p.chat_agents, &p.email_agents})
    *agents = static_cast<std::int64_t>(std::ceil(static_cast<double>(*agents) * std::max(1.0, scale)));
  RunOptions o;
  o.threads = 1;
  const double cpu0 = bench::cpu_seconds();
  const RunResult r = run(p, o);
  const double cpu = bench::cpu_seconds() - cpu0;
  double contacts = 0;
  for (double v : r.series.metric(Metric::contacts)) contacts += v;
  return {x, cpu, r.stats.step.total(), r.stats.step.contact_centre,
          contacts / static_cast<double>(p.run_horizon_days)};
}

void report(const std::string& factor, const std::vector<Point>& pts) {
  for (const Point& p : pts)
    std::printf(
        "scaling factor=%s x=%.6g cpu_seconds=%.3f steps_seconds=%.3f contact_centre_seconds=%.4f "
        "contacts_per_day=%.1f\n",
        factor.c_str(), p.x, p.cpu_s, p.steps_s, p.centre_s, p.contacts_per_day);
  std::printf("fit factor=%s exponent_cpu=%.3f exponent_steps=%.3f exponent_contact_centre=%.3f\n",
              factor.c_str(), slope(pts, &Point::cpu_s), slope(pts, &Point::steps_s),
              slope(pts, &Point::centre_s));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"factor", "base", "points"});
  const std::string factor = args.str("factor", "all");
  const double base = args.num("base", 2e5);
  const int points = static_cast<int>(args.num("points", 5));
  const Scenario s = load_scenario(std::string(CXSIM_SOURCE_DIR) + "/scenarios/baseline.toml");
  bench::print_machine();
  const auto doubling = [&](double from, int k) { return from * std::pow(2.0, k); };

  Params p0 = s.params;
  p0.market_population = static_cast<std::int64_t>(base);
  p0.run_horizon_days = 365;
  if (factor == "customers" || factor == "all") {
    std::vector<Point> pts;
    for (int k = 0; k < points; ++k) {
      Params p = p0;
      p.market_population = static_cast<std::int64_t>(doubling(base / 2, k));
      pts.push_back(measure(p, static_cast<double>(p.market_population)));
    }
    report("customers", pts);
  }
  if (factor == "days" || factor == "all") {
    std::vector<Point> pts;
    for (int k = 0; k < points; ++k) {
      Params p = p0;
      p.run_horizon_days = static_cast<std::int64_t>(doubling(91, k));
      pts.push_back(measure(p, static_cast<double>(p.run_horizon_days)));
    }
    report("days", pts);
  }
  if (factor == "ties" || factor == "all") {
    std::vector<Point> pts;
    for (int k = 0; k < points; ++k) {
      Params p = p0;
      p.network_mean_degree = static_cast<std::int64_t>(doubling(4, k));
      pts.push_back(measure(p, static_cast<double>(p.network_mean_degree) / 2 * static_cast<double>(base)));
    }
    report("ties", pts);
  }
  if (factor == "contacts" || factor == "all") {
    std::vector<Point> pts;
    for (int k = 0; k < points; ++k) {
      Params p = p0;
      p.contacts_value_demand_per_year = doubling(2, k);
      Point pt = measure(p, 0, std::pow(2.0, k));  // staff grows with the calls
      pt.x = pt.contacts_per_day;
      pts.push_back(pt);
    }
    report("contacts", pts);
  }
  return 0;
}
