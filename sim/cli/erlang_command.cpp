#include "erlang_command.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/errors.hpp"
#include "service/erlang.hpp"

namespace cxsim {

namespace {

// The calculator's option for a key of the Erlang functions (their errors name their arguments).
const char* option_of(const std::string& key) {
  if (key == "load") return "--arrivals-per-hour";
  if (key == "agents") return "--agents";
  if (key == "handle_time_s") return "--aht";
  if (key == "target_s") return "--target";
  if (key == "service_level") return "--service-level";
  if (key == "patience_s") return "--patience";
  return "";
}

}  // namespace

std::string erlang_report(const ErlangOptions& o) {
  if (!(o.arrivals_per_hour > 0 && std::isfinite(o.arrivals_per_hour)))
    throw InputError("must be a finite number above 0", "", 0, 0, "--arrivals-per-hour");
  if (!(o.handle_s > 0 && std::isfinite(o.handle_s)))
    throw InputError("must be a finite number of seconds above 0", "", 0, 0, "--aht");
  if (!(o.target_s >= 0 && std::isfinite(o.target_s)))
    throw InputError("must be a finite number of seconds, 0 or more", "", 0, 0, "--target");
  if (!(o.service_level > 0 && o.service_level < 1))
    throw InputError("must be a share in (0, 1), e.g. 0.8", "", 0, 0, "--service-level");
  if (!(o.patience_s >= 0 && std::isfinite(o.patience_s)))
    throw InputError("must be 0 (none: Erlang C) or a finite number of seconds above 0", "", 0, 0,
                     "--patience");
  if (o.agents < 0 || o.agents > kMaxErlangAgents)
    throw InputError("must be 1 to " + std::to_string(kMaxErlangAgents) +
                         " (or 0: around the fewest agents that meet the target)",
                     "", 0, 0, "--agents");
  const double load = o.arrivals_per_hour * o.handle_s / 3600.0;
  const bool with_patience = o.patience_s > 0;
  // Erlang C needs more agents than the load; with patience, abandonment keeps any load stable.
  if (!(with_patience ? load <= kMaxErlangAgents : load < kMaxErlangAgents) || load == 0) {
    char text[240];
    std::snprintf(text, sizeof text,
                  load == 0
                      ? "with --aht %.4g s the load is %.4g Erlangs: too small to compute (it rounds to 0)"
                      : "with --aht %.4g s the load is %.4g Erlangs; the calculator staffs at most %d "
                        "agents, so the load must be below that (at most that with --patience)",
                  o.handle_s, load, kMaxErlangAgents);
    throw InputError(text, "", 0, 0, "--arrivals-per-hour");
  }
  int needed = 0;
  try {
    needed = with_patience ? erlang_a_staffing(load, o.handle_s, o.patience_s, o.target_s, o.service_level)
                           : erlang_c_staffing(load, o.handle_s, o.target_s, o.service_level);
  } catch (const InputError& e) {
    throw InputError(e.message(), "", 0, 0, option_of(e.key()));
  }
  const int centre = o.agents > 0 ? o.agents : needed;
  // Rows below the load are answers too (Erlang C: unstable, an endless wait), so --agents is shown
  // whatever it is.
  const int first = std::max(1, centre - 3);
  // Times in seconds; beyond a million in the shortest form that fits the column.
  const auto seconds = [](double s) {
    char text[32];
    std::snprintf(text, sizeof text, s < 1e6 ? "%10.2f" : "%10.3g", s);
    return std::string(text);
  };

  // The service level rounded down to as many decimals as the target has (4 at least, 9 at most),
  // so that a row below the target never reads as meeting it (0.79997 shows as 0.7999, not 0.8000
  // above the row marked as the fewest that meet 0.8) and the marked row never reads below it. A
  // row where some contacts wait is below 1 (the computed value can round up to 1.0).
  int decimals = 4;
  while (decimals < 9 && std::abs(o.service_level * std::pow(10.0, decimals) -
                                  std::round(o.service_level * std::pow(10.0, decimals))) > 1e-6)
    ++decimals;
  const double scale = std::pow(10.0, decimals);
  const double target_code = std::round(o.service_level * scale);
  const auto level = [&](double sl, double p_wait) {
    double code = std::floor(sl * scale);
    if (sl >= o.service_level) code = std::max(code, target_code);
    if (sl < o.service_level) code = std::min(code, target_code - 1);
    if (p_wait > 0) code = std::min(code, scale - 1);
    return code / scale;
  };

  std::string out;
  char line[200];
  char patience[64] = "";
  if (with_patience) std::snprintf(patience, sizeof patience, ", mean patience %.4g s", o.patience_s);
  std::snprintf(line, sizeof line, "%s: %.4g arrivals/hour x %.4g s = %.4g Erlangs%s\n",
                with_patience ? "Erlang A (M/M/n+M)" : "Erlang C (M/M/n)", o.arrivals_per_hour, o.handle_s,
                load, patience);
  out += line;
  const int sl_width = decimals + 5;
  std::snprintf(line, sizeof line, "%7s %8s %*s %10s %10s%s\n", "agents", "P(wait)", sl_width, "SL",
                "ASA (s)", "occupancy", with_patience ? "  P(abandon)" : "");
  out += line;
  for (int n = first; n <= std::min(centre + 3, kMaxErlangAgents); ++n) {
    if (with_patience) {
      const ErlangA a = erlang_a(load, n, o.handle_s, o.patience_s, o.target_s);
      std::snprintf(line, sizeof line, "%7d %8.4f %*.*f %s %10.3f %11.4f%s\n", n, a.p_wait, sl_width,
                    decimals, level(a.service_level, a.p_wait), seconds(a.mean_wait_s).c_str(), a.occupancy,
                    a.p_abandon, n == needed ? "  <- fewest meeting the target" : "");
    } else {
      const ErlangC c = erlang_c(load, n, o.handle_s, o.target_s);
      std::snprintf(line, sizeof line, "%7d %8.4f %*.*f %s %10.3f%s\n", n, c.p_wait, sl_width, decimals,
                    level(c.service_level, c.p_wait), seconds(c.asa_s).c_str(), c.occupancy,
                    n == needed ? "  <- fewest meeting the target" : "");
    }
    out += line;
  }
  std::snprintf(line, sizeof line, "fewest agents for %.*g%% answered within %.6g s: %d\n", decimals,
                100 * o.service_level, o.target_s + 0.0, needed);
  out += line;
  return out;
}

}  // namespace cxsim
