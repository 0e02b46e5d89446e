#include "io/summary.hpp"

#include <cstdio>

#include "io/figure_text.hpp"

namespace cxsim {

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
