#include "io/studies_output.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>

#include "core/errors.hpp"
#include "io/h5.hpp"
#include "io/text_format.hpp"

namespace cxsim {

namespace {

std::string bar(double fraction, int width) {
  const int n = static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * width));
  return std::string(static_cast<std::size_t>(n), '#') +
         std::string(static_cast<std::size_t>(width - n), ' ');
}

const char* feasibility_text(Feasibility f) {
  switch (f) {
    case Feasibility::feasible:
      return "feasible";
    case Feasibility::infeasible:
      return "infeasible";
    case Feasibility::undetermined:
      return "undetermined";
  }
  return "?";
}

}  // namespace

std::string format_calibration(const CalibrationResult& r, const std::vector<std::string>& names,
                               const std::vector<CalibrationTarget>& targets,
                               const std::vector<FreeParameter>& free, int replications) {
  std::string out =
      "Fit (" + std::to_string(replications) +
      " replications per candidate, common random numbers; fitted +/- 95% simulation interval):\n";
  out += format("  %-40s %12s %12s %24s %7s\n", "target", "observed", "sd", "fitted", "z");
  for (std::size_t t = 0; t < targets.size(); ++t)
    out += format("  %-40s %12.6g %12.4g %12.6g +/- %-8.3g %7.2f\n", names[t].c_str(), targets[t].value,
                  targets[t].sd, r.targets[t].fitted, r.targets[t].half_width, r.targets[t].z);
  const std::string left =
      r.degrees_of_freedom >= 0
          ? std::to_string(r.degrees_of_freedom) + " degrees of freedom"
          : "underdetermined: " + std::to_string(-r.degrees_of_freedom) + " keys more than targets";
  out += format("  sum of z^2 = %.4g with %d targets and %zu free keys (%s)\n", r.objective,
                static_cast<int>(targets.size()), free.size(), left.c_str());
  if (targets.size() < free.size())
    out += format(
        "  warning: fewer targets than free keys: the targets cannot pin down all %zu keys, and "
        "the fit is one of many that match as well; add targets or fix keys from other evidence\n",
        free.size());
  out += "\n";
  out += "Fitted values (95% intervals from the Gauss-Newton approximation, J'WJ inverse):\n";
  out += format("  %-40s %12s %12s %27s  %s\n", "key", "fitted", "se", "95% interval", "range");
  bool unidentified = false;
  for (std::size_t i = 0; i < free.size(); ++i) {
    const ParameterFit& p = r.parameters[i];
    out += format("  %-40s %12.6g %12.4g   [%11.6g, %11.6g]  [%g, %g]%s\n", free[i].key.c_str(), p.value,
                  p.se, p.low, p.high, free[i].min, free[i].max, p.identified ? "" : "  NOT IDENTIFIED");
    unidentified = unidentified || !p.identified;
  }
  if (unidentified)
    out +=
        "\nwarning: keys marked NOT IDENTIFIED are not pinned down by the targets (their standard error "
        "exceeds a quarter of their range, or the targets do not move them): fix them from other "
        "evidence or add targets that depend on them.\n";
  out +=
      format("\nSearch: BOBYQA (NLopt) from %zu starts, %d simulations in all (each of %d replications):\n",
             r.starts.size(), r.evaluations, replications);
  for (std::size_t s = 0; s < r.starts.size(); ++s) {
    std::string from, to;
    for (std::size_t i = 0; i < free.size(); ++i) {
      from += format("%s%.4g", i ? ", " : "", r.starts[s].start[i]);
      to += format("%s%.4g", i ? ", " : "", r.starts[s].best[i]);
    }
    out += format("  start %zu: (%s) -> (%s), sum of z^2 %.4g, %d simulations\n", s + 1, from.c_str(),
                  to.c_str(), r.starts[s].objective, r.starts[s].evaluations);
  }
  return out;
}

std::string format_sensitivity(const SensitivityReport& rep) {
  const bool morris = rep.method == "morris";
  std::string out =
      format("%s sensitivity: %zu keys, %zu simulations of %d replications (common random numbers)\n",
             morris ? "Morris" : "Sobol'", rep.keys.size(), rep.points.size(), rep.replications);
  const int pct = static_cast<int>(std::lround(rep.level * 100));
  for (std::size_t m = 0; m < rep.metrics.size(); ++m) {
    out += "\n" + rep.metrics[m] +
           (morris ? " (mu*: mean |elementary effect| per full range of the key)\n"
                   : " (S1: first-order, ST: total Sobol' index)\n");
    std::vector<std::size_t> order(rep.keys.size());
    std::iota(order.begin(), order.end(), 0);
    const auto score = [&](std::size_t k) {
      return morris ? rep.morris[m][k].mu_star.value : rep.sobol[m][k].total.value;
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return score(a) > score(b); });
    double top = 0;
    for (std::size_t k : order) top = std::max(top, std::abs(score(k)));
    if (morris) {
      out += format("  %-36s %12s %25s %12s %12s  tornado (mu*)\n", "key", "mu*",
                    (std::to_string(pct) + "% interval").c_str(), "mu", "sigma");
      for (std::size_t k : order) {
        const MorrisIndices& x = rep.morris[m][k];
        out += format("  %-36s %12.4g  [%10.4g, %10.4g] %12.4g %12.4g  |%s|\n", rep.keys[k].c_str(),
                      x.mu_star.value, x.mu_star.low, x.mu_star.high, x.mu, x.sigma,
                      bar(top > 0 ? x.mu_star.value / top : 0, 24).c_str());
      }
    } else {
      out += format("  %-36s %8s %19s %8s %19s  index chart (ST)\n", "key", "S1",
                    (std::to_string(pct) + "% interval").c_str(), "ST",
                    (std::to_string(pct) + "% interval").c_str());
      for (std::size_t k : order) {
        const SobolIndices& x = rep.sobol[m][k];
        out += format("  %-36s %8.3f  [%7.3f, %7.3f] %8.3f  [%7.3f, %7.3f]  |%s|\n", rep.keys[k].c_str(),
                      x.first.value, x.first.low, x.first.high, x.total.value, x.total.low, x.total.high,
                      bar(x.total.value, 24).c_str());
      }
    }
  }
  return out;
}

void write_sensitivity(const OutputTarget& target, const SensitivityReport& rep,
                       const std::atomic<bool>* cancel) {
  TempOutput temp(target);  // removed unless committed
  {
    h5::File file;
    try {
      file = h5::File::create(temp.file());
    } catch (const h5::Error& e) {
      throw InputError(std::string("cannot write: ") + e.what(), target.path);
    }
    file.write_attr("format", kSensitivityFormat);
    file.write_attr("format_version", std::int64_t{1});
    file.write_attr("method", rep.method);
    file.write_attr("scenario_path", rep.scenario_path);
    file.write_attr("scenario_text", rep.scenario_text);
    file.write_attr("command_line", rep.command_line);
    file.write_attr("replications", std::int64_t{rep.replications});
    file.write_attr("samples", std::int64_t{rep.samples});
    file.write_attr("seed", static_cast<std::int64_t>(rep.seed));
    file.write_attr("level", rep.level);
    file.write_strings("keys", rep.keys);
    file.write_strings("metrics", rep.metrics);
    const auto vec = [&](const h5::Location& at, const std::string& name, const std::vector<double>& v) {
      const hsize_t dims[] = {v.size()};
      at.write_dataset<double>(name, v, dims);
    };
    const auto mat = [&](const h5::Location& at, const std::string& name,
                         const std::vector<std::vector<double>>& v, std::size_t cols) {
      std::vector<double> flat;
      for (const auto& row : v) flat.insert(flat.end(), row.begin(), row.end());
      const hsize_t dims[] = {v.size(), cols};
      at.write_dataset<double>(name, flat, dims);
    };
    vec(file, "min", rep.min);
    vec(file, "max", rep.max);
    mat(file, "points", rep.points, rep.keys.size());
    mat(file, "outputs", rep.outputs, rep.metrics.size());
    {
      const h5::Group indices = file.create_group("indices");
      const std::size_t nm = rep.metrics.size(), nk = rep.keys.size();
      const auto table = [&](const std::string& name, auto get) {
        std::vector<std::vector<double>> v(nm, std::vector<double>(nk));
        for (std::size_t m = 0; m < nm; ++m)
          for (std::size_t k = 0; k < nk; ++k) v[m][k] = get(m, k);
        mat(indices, name, v, nk);
      };
      if (rep.method == "morris") {
        table("mu_star", [&](auto m, auto k) { return rep.morris[m][k].mu_star.value; });
        table("mu_star_low", [&](auto m, auto k) { return rep.morris[m][k].mu_star.low; });
        table("mu_star_high", [&](auto m, auto k) { return rep.morris[m][k].mu_star.high; });
        table("mu", [&](auto m, auto k) { return rep.morris[m][k].mu; });
        table("sigma", [&](auto m, auto k) { return rep.morris[m][k].sigma; });
      } else {
        table("S1", [&](auto m, auto k) { return rep.sobol[m][k].first.value; });
        table("S1_low", [&](auto m, auto k) { return rep.sobol[m][k].first.low; });
        table("S1_high", [&](auto m, auto k) { return rep.sobol[m][k].first.high; });
        table("ST", [&](auto m, auto k) { return rep.sobol[m][k].total.value; });
        table("ST_low", [&](auto m, auto k) { return rep.sobol[m][k].total.low; });
        table("ST_high", [&](auto m, auto k) { return rep.sobol[m][k].total.high; });
      }
    }
    file.close();
  }
  try {
    h5::seal_global_heaps(temp.file());
  } catch (const h5::Error& e) {
    throw InputError(std::string("cannot write: ") + e.what(), target.path);
  }
  temp.commit(cancel);
}

std::string format_selection(const SelectionReport& rep) {
  const SelectionResult& r = rep.result;
  const SelectionSpec& s = rep.spec;
  std::string out = format("Selection: %s %s, indifference zone %g, confidence %g%s\n",
                           s.maximize ? "maximise" : "minimise", rep.objective.c_str(), s.indifference,
                           s.confidence, rep.constraints.empty() ? "" : ", subject to:");
  for (const auto& c : rep.constraints) out += "  " + c + "\n";
  const int first_stage = std::min(s.first_stage, rep.available > 0 ? rep.available : s.first_stage);
  out += format(
      "Procedure: %sKN (Kim and Nelson 2001) on paired replications (common random numbers), first stage "
      "%d%s, "
      "h^2 = %.4g; %d replications in all%s\n",
      rep.constraints.empty() ? "" : "Bonferroni one-sided feasibility checks, then ", first_stage,
      first_stage < s.first_stage
          ? format(" (the file's replications; --first-stage %d is more than the file has)", s.first_stage)
                .c_str()
          : "",
      r.h2, r.total_replications, rep.reran ? " (some re-run beyond the results file's)" : "");
  if (rep.rerun_allowed && rep.available > s.max_replications)
    out += format(
        "The results file has %d replications, more than --max-replications %d: all of the file's are used, "
        "and none is re-run.\n",
        rep.available, s.max_replications);
  out += format("\n  %-24s %6s %14s %12s %22s  %s\n", "strategy", "reps", "mean", "+/- 95%",
                "vs selected (paired)", "status");
  for (std::size_t i = 0; i < rep.names.size(); ++i) {
    const SystemOutcome& o = r.systems[i];
    std::string status;
    if (static_cast<int>(i) == r.selected)
      status = r.finished ? "SELECTED" : "best so far, still in contention";
    else if (o.feasibility != Feasibility::feasible)
      status = feasibility_text(o.feasibility);
    else if (o.eliminated_at > 0)
      status = "eliminated at " + std::to_string(o.eliminated_at) + " reps";
    else
      status = "still in contention";
    for (std::size_t c = 0; c < o.constraint_status.size(); ++c)
      if (o.constraint_status[c] != Feasibility::feasible)
        status += format("; %s: mean %.4g, bound %.4g (%s)", rep.constraints[c].c_str(), o.constraint_mean[c],
                         o.constraint_bound[c], feasibility_text(o.constraint_status[c]));
    const std::string diff =
        std::isnan(o.difference_from_selected)
            ? ""
            : format("%+.4g +/- %.3g", o.difference_from_selected, o.difference_half_width);
    out += format("  %-24s %6d %14.6g %12.4g %22s  %s\n", rep.names[i].c_str(), o.replications, o.mean,
                  o.half_width, diff.c_str(), status.c_str());
  }
  out += "\n";
  if (r.selected < 0) {
    out +=
        "No strategy is declared feasible: none can be selected. Undetermined strategies need more "
        "replications "
        "(cxsim run --replications) or a constraint with more room.\n";
  } else if (r.finished) {
    const std::string name = rep.names[static_cast<std::size_t>(r.selected)];
    if (rep.constraints.empty())
      out += format(
          "Selected: %s. With probability at least %g it is the best strategy or within %g of the best "
          "(Kim and Nelson 2001, with common random numbers).\n",
          name.c_str(), r.probability_correct, s.indifference);
    else
      out += format(
          "Selected: %s. With probability at least %g, every feasibility call above is right and %s is the "
          "best feasible strategy or within %g of it (alpha %g for feasibility, %g for selection, "
          "Bonferroni).\n",
          name.c_str(), r.probability_correct, name.c_str(), s.indifference, r.alpha_feasibility,
          r.alpha_selection);
  } else {
    // What can finish it: re-runs if they were not allowed; a higher cap if one the command line
    // accepts is enough; a wider indifference zone always.
    const std::int64_t needed_in_all =
        rep.result.systems[static_cast<std::size_t>(r.selected)].replications + r.more_replications_needed;
    const std::string advice =
        !rep.rerun_allowed ? "allow re-runs (drop --no-rerun), or widen --indifference"
        : needed_in_all <= kMaxSelectionReplications
            ? format("raise --max-replications (to %lld at most), or widen --indifference",
                     static_cast<long long>(needed_in_all))
            : format("widen --indifference (more than --max-replications allows, %d, would be needed)",
                     kMaxSelectionReplications);
    out += format(
        "NOT FINISHED: %d strategies are still in contention after %d replications. At most %lld more "
        "replications of each would finish the procedure: %s. Best mean so far: %s (no probability of "
        "correct selection can be stated).\n",
        r.survivors, rep.result.systems[static_cast<std::size_t>(r.selected)].replications,
        static_cast<long long>(r.more_replications_needed), advice.c_str(),
        rep.names[static_cast<std::size_t>(r.selected)].c_str());
  }
  return out;
}

void write_text_file(const OutputTarget& target, const std::string& text, const std::atomic<bool>* cancel) {
  TempOutput temp(target);  // removed unless committed
  std::ofstream out(temp.file(), std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw InputError("cannot write the file", target.path);
  temp.commit(cancel);
}

}  // namespace cxsim
