#include "experiment/select.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace cxsim {

namespace {

double mean_of(const std::vector<double>& v, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += v[static_cast<std::size_t>(i)];
  return s / n;
}

double variance_of(const std::vector<double>& v, int n) {
  const double m = mean_of(v, n);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += (v[static_cast<std::size_t>(i)] - m) * (v[static_cast<std::size_t>(i)] - m);
  return n > 1 ? s / (n - 1) : std::numeric_limits<double>::quiet_NaN();
}

/// Upper `p` quantile of Student's t with df degrees of freedom.
double t_upper(double p, int df) {
  const boost::math::students_t t(df);
  return boost::math::quantile(boost::math::complement(t, p));
}

}  // namespace

double kn_eta(int systems, int first_stage, double alpha) {
  if (systems < 2) return 0;
  return 0.5 * (std::pow(2 * alpha / (systems - 1), -2.0 / (first_stage - 1)) - 1);
}

SelectionResult select_best(int systems, int measures, const SelectionSpec& spec,
                            const SelectionSampler& sampler, int available, bool can_sample_more) {
  if (systems < 1) throw std::invalid_argument("select_best: no strategies");
  if (!(spec.indifference > 0)) throw std::invalid_argument("the indifference zone must be > 0");
  if (!(spec.confidence > 0 && spec.confidence < 1))
    throw std::invalid_argument("the confidence must be in (0, 1)");
  if (spec.first_stage < 2) throw std::invalid_argument("the first stage needs at least 2 replications");
  for (const auto& c : spec.constraints)
    if (c.measure < 1 || c.measure >= measures)
      throw std::invalid_argument("constraint measure out of range");
  const int n0 = available > 0 ? std::min(spec.first_stage, available) : spec.first_stage;
  if (n0 < 2) throw std::invalid_argument("the first stage needs at least 2 replications");
  // The file's replications cost nothing: a cap below them limits only re-runs.
  const int cap = std::max({can_sample_more ? spec.max_replications : 0, available, n0});

  const double alpha = 1 - spec.confidence;
  SelectionResult result;
  result.alpha_feasibility = spec.constraints.empty() ? 0 : alpha / 2;
  result.alpha_selection = alpha - result.alpha_feasibility;
  result.systems.resize(static_cast<std::size_t>(systems));

  // data[system][measure] grows as replications arrive.
  std::vector<std::vector<std::vector<double>>> data(static_cast<std::size_t>(systems));
  std::vector<int> all(static_cast<std::size_t>(systems));
  std::iota(all.begin(), all.end(), 0);
  const auto fetch = [&](const std::vector<int>& which, int first, int count) {
    auto got = sampler(which, first, count);
    if (got.size() != which.size())
      throw std::invalid_argument("select_best: sampler returned the wrong shape");
    for (std::size_t w = 0; w < which.size(); ++w) {
      auto& d = data[static_cast<std::size_t>(which[w])];
      if (d.empty()) d.resize(static_cast<std::size_t>(measures));
      if (got[w].size() != static_cast<std::size_t>(measures))
        throw std::invalid_argument("select_best: sampler returned the wrong number of measures");
      for (int m = 0; m < measures; ++m) {
        if (got[w][m].size() != static_cast<std::size_t>(count))
          throw std::invalid_argument("select_best: sampler returned the wrong number of replications");
        for (double v : got[w][m])
          if (!std::isfinite(v))
            throw std::invalid_argument("measure " + std::to_string(m) + " of strategy " +
                                        std::to_string(which[w]) +
                                        " has no finite value in a replication: nothing to rank");
        auto& column = d[static_cast<std::size_t>(m)];
        column.insert(column.end(), got[w][m].begin(), got[w][m].end());
      }
    }
  };
  fetch(all, 0, n0);
  const double sign = spec.maximize ? 1.0 : -1.0;
  const auto x = [&](int i, int r) {
    return sign * data[static_cast<std::size_t>(i)][0][static_cast<std::size_t>(r)];
  };

  // Feasibility on the first stage, Bonferroni over systems x constraints, one-sided.
  std::vector<int> candidates;
  const int tests = systems * static_cast<int>(spec.constraints.size());
  const double t_feas = tests > 0 ? t_upper(result.alpha_feasibility / tests, n0 - 1) : 0;
  for (int i = 0; i < systems; ++i) {
    SystemOutcome& o = result.systems[static_cast<std::size_t>(i)];
    Feasibility overall = Feasibility::feasible;
    for (const SelectionConstraint& c : spec.constraints) {
      const auto& v = data[static_cast<std::size_t>(i)][static_cast<std::size_t>(c.measure)];
      const double m = mean_of(v, n0), se = std::sqrt(variance_of(v, n0) / n0);
      const double inner = c.at_least ? m - t_feas * se : m + t_feas * se;  // bound towards failure
      const double outer = c.at_least ? m + t_feas * se : m - t_feas * se;
      Feasibility f = Feasibility::undetermined;
      if (c.at_least ? inner >= c.bound : inner <= c.bound)
        f = Feasibility::feasible;
      else if (c.at_least ? outer < c.bound : outer > c.bound)
        f = Feasibility::infeasible;
      o.constraint_status.push_back(f);
      o.constraint_mean.push_back(m);
      o.constraint_bound.push_back(inner);
      if (f == Feasibility::infeasible)
        overall = Feasibility::infeasible;
      else if (f == Feasibility::undetermined && overall == Feasibility::feasible)
        overall = Feasibility::undetermined;
    }
    o.feasibility = overall;
    if (overall == Feasibility::feasible) candidates.push_back(i);
  }
  result.candidates = static_cast<int>(candidates.size());
  std::vector<int> replications(static_cast<std::size_t>(systems), n0);

  // KN (Kim and Nelson 2001) among the candidates.
  std::vector<int> survivors = candidates;
  const int k = static_cast<int>(candidates.size());
  if (k >= 2) {
    const double delta = spec.indifference;
    const double eta = kn_eta(k, n0, result.alpha_selection);
    result.h2 = 2 * eta * (n0 - 1);
    // S^2 of paired differences over the first stage.
    std::vector<std::vector<double>> s2(static_cast<std::size_t>(systems),
                                        std::vector<double>(static_cast<std::size_t>(systems), 0));
    // N = floor(h^2 S^2 / delta^2) replications at most; capped where it is beyond any study
    // (a tiny indifference or a huge spread), so it never overflows.
    constexpr double kNeverFinishes = 1e15;
    std::int64_t big_n = 0;
    for (int a : candidates)
      for (int b : candidates) {
        if (a == b) continue;
        std::vector<double> d(static_cast<std::size_t>(n0));
        for (int r = 0; r < n0; ++r) d[static_cast<std::size_t>(r)] = x(a, r) - x(b, r);
        s2[a][b] = variance_of(d, n0);
        const double need = std::floor(result.h2 * s2[a][b] / (delta * delta));
        big_n = std::max(big_n, static_cast<std::int64_t>(need < kNeverFinishes ? need : kNeverFinishes));
      }
    std::vector<double> sums(static_cast<std::size_t>(systems), 0);
    for (int i : candidates)
      for (int r = 0; r < n0; ++r) sums[static_cast<std::size_t>(i)] += x(i, r);
    int r = n0;
    while (true) {
      // Screening at r replications: eliminate i when its mean falls below another's minus W.
      std::vector<int> next;
      for (int i : survivors) {
        bool out = false;
        for (int l : survivors) {
          if (l == i) continue;
          const double w = std::max(0.0, delta / (2.0 * r) * (result.h2 * s2[i][l] / (delta * delta) - r));
          if (sums[static_cast<std::size_t>(i)] / r < sums[static_cast<std::size_t>(l)] / r - w) {
            out = true;
            break;
          }
        }
        if (out)
          result.systems[static_cast<std::size_t>(i)].eliminated_at = r;
        else
          next.push_back(i);
      }
      survivors = next;
      if (survivors.size() <= 1) break;
      if (r >= big_n + 1) break;  // cannot happen with W = 0 unless exact ties; pick the best mean
      if (r >= cap) {
        result.finished = false;
        result.more_replications_needed = big_n + 1 - r;
        break;
      }
      // One more replication of every survivor (fetched in batches).
      const int have = static_cast<int>(data[static_cast<std::size_t>(survivors.front())][0].size());
      if (r >= have) {
        const int count =
            static_cast<int>(std::min<std::int64_t>({std::max(1, spec.batch), cap - r, big_n + 1 - r}));
        std::vector<int> need;
        for (int i : survivors)
          if (static_cast<int>(data[static_cast<std::size_t>(i)][0].size()) <= r) need.push_back(i);
        if (!need.empty()) fetch(need, r, count);
      }
      for (int i : survivors) sums[static_cast<std::size_t>(i)] += x(i, r);
      ++r;
      for (int i : survivors) replications[static_cast<std::size_t>(i)] = r;
    }
    int best = survivors.empty() ? -1 : survivors.front();
    for (int i : survivors)
      if (sums[static_cast<std::size_t>(i)] > sums[static_cast<std::size_t>(best)]) best = i;
    result.selected = best;
  } else if (k == 1) {
    result.selected = candidates.front();
  }
  result.survivors = static_cast<int>(survivors.size());
  if (result.finished && result.selected >= 0) result.probability_correct = spec.confidence;

  // Summaries over each system's replications used; differences paired on common replications.
  for (int i = 0; i < systems; ++i) {
    SystemOutcome& o = result.systems[static_cast<std::size_t>(i)];
    const int n = replications[static_cast<std::size_t>(i)];
    o.replications = n;
    result.total_replications += n;
    const auto& v = data[static_cast<std::size_t>(i)][0];
    o.mean = mean_of(v, n);
    o.half_width = t_upper(0.025, n - 1) * std::sqrt(variance_of(v, n) / n);
    o.difference_from_selected = o.difference_half_width = std::numeric_limits<double>::quiet_NaN();
    if (result.selected >= 0) {
      const auto& w = data[static_cast<std::size_t>(result.selected)][0];
      const int m = std::min(n, replications[static_cast<std::size_t>(result.selected)]);
      std::vector<double> d(static_cast<std::size_t>(m));
      for (int r = 0; r < m; ++r)
        d[static_cast<std::size_t>(r)] = v[static_cast<std::size_t>(r)] - w[static_cast<std::size_t>(r)];
      o.difference_from_selected = mean_of(d, m);
      o.difference_half_width =
          i == result.selected ? 0 : t_upper(0.025, m - 1) * std::sqrt(variance_of(d, m) / m);
    }
  }
  return result;
}

}  // namespace cxsim
