#include "experiment/sensitivity.hpp"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/sobol.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace cxsim {

namespace {

/// Percentile interval of `stat` over bootstrap resamples of the rows 0..n-1.
template <class Stat>
Estimate bootstrap(int n, const BootstrapSpec& spec, std::uint64_t stream, double value, Stat stat) {
  Estimate e{value, value, value};
  if (spec.resamples < 1 || n < 2) return e;
  // One generator per (seed, stream): the intervals do not depend on evaluation order.
  boost::random::mt19937_64 gen(spec.seed * 0x9E3779B97F4A7C15ull + stream);
  boost::random::uniform_int_distribution<int> pick(0, n - 1);
  std::vector<double> values(static_cast<std::size_t>(spec.resamples));
  std::vector<int> rows(static_cast<std::size_t>(n));
  for (double& v : values) {
    for (int& r : rows) r = pick(gen);
    v = stat(rows);
  }
  std::sort(values.begin(), values.end());
  const auto at = [&](double q) {
    const double pos = q * (spec.resamples - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
  };
  e.low = at((1 - spec.level) / 2);
  e.high = at((1 + spec.level) / 2);
  return e;
}

void check_outputs(const std::vector<std::vector<double>>& outputs, std::size_t points) {
  if (outputs.size() != points)
    throw std::invalid_argument("the evaluator returned the wrong number of points");
  for (const auto& o : outputs)
    if (o.size() != outputs.front().size())
      throw std::invalid_argument("the evaluator returned ragged outputs");
}

}  // namespace

std::vector<std::vector<double>> morris_design(int factors, const MorrisSpec& spec) {
  if (factors < 1) throw std::invalid_argument("Morris needs at least one factor");
  if (spec.trajectories < 2) throw std::invalid_argument("Morris needs at least 2 trajectories");
  if (spec.levels < 2 || spec.levels % 2)
    throw std::invalid_argument("Morris needs an even number of levels >= 2");
  const int p = spec.levels;
  const double delta = p / (2.0 * (p - 1));
  boost::random::mt19937_64 gen(spec.seed);
  boost::random::uniform_int_distribution<int> start_level(0, p / 2 - 1), coin(0, 1);
  std::vector<std::vector<double>> points;
  for (int t = 0; t < spec.trajectories; ++t) {
    std::vector<double> x(static_cast<std::size_t>(factors));
    std::vector<int> dir(static_cast<std::size_t>(factors));
    for (int i = 0; i < factors; ++i) {
      const double base = start_level(gen) / static_cast<double>(p - 1);
      dir[static_cast<std::size_t>(i)] = coin(gen) ? 1 : -1;
      x[static_cast<std::size_t>(i)] = dir[static_cast<std::size_t>(i)] > 0 ? base : base + delta;
    }
    std::vector<int> order(static_cast<std::size_t>(factors));
    std::iota(order.begin(), order.end(), 0);
    for (int i = factors - 1; i > 0; --i) {  // Fisher-Yates with a portable distribution
      boost::random::uniform_int_distribution<int> pick(0, i);
      std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(pick(gen))]);
    }
    points.push_back(x);
    for (int i : order) {
      x[static_cast<std::size_t>(i)] += dir[static_cast<std::size_t>(i)] * delta;
      points.push_back(x);
    }
  }
  return points;
}

std::vector<std::vector<MorrisIndices>> morris_analyze(int factors, const MorrisSpec& spec,
                                                       const std::vector<std::vector<double>>& points,
                                                       const std::vector<std::vector<double>>& outputs) {
  const auto per = static_cast<std::size_t>(factors + 1);
  check_outputs(outputs, points.size());
  if (points.size() % per) throw std::invalid_argument("the Morris design has the wrong size");
  const int r = static_cast<int>(points.size() / per);
  const std::size_t outs = outputs.empty() ? 0 : outputs.front().size();
  std::vector<std::vector<MorrisIndices>> result(
      outs, std::vector<MorrisIndices>(static_cast<std::size_t>(factors)));
  for (std::size_t o = 0; o < outs; ++o) {
    // ee[factor][trajectory]
    std::vector<std::vector<double>> ee(static_cast<std::size_t>(factors),
                                        std::vector<double>(static_cast<std::size_t>(r)));
    for (int t = 0; t < r; ++t)
      for (std::size_t s = 0; s + 1 < per; ++s) {
        const auto& a = points[t * per + s];
        const auto& b = points[t * per + s + 1];
        for (int i = 0; i < factors; ++i) {
          const double step = b[static_cast<std::size_t>(i)] - a[static_cast<std::size_t>(i)];
          if (step != 0)
            ee[static_cast<std::size_t>(i)][static_cast<std::size_t>(t)] =
                (outputs[t * per + s + 1][o] - outputs[t * per + s][o]) / step;
        }
      }
    for (int i = 0; i < factors; ++i) {
      const auto& e = ee[static_cast<std::size_t>(i)];
      const auto mean_abs = [&](const std::vector<int>& rows) {
        double s = 0;
        for (int row : rows) s += std::abs(e[static_cast<std::size_t>(row)]);
        return s / static_cast<double>(rows.size());
      };
      std::vector<int> all(static_cast<std::size_t>(r));
      std::iota(all.begin(), all.end(), 0);
      MorrisIndices& m = result[o][static_cast<std::size_t>(i)];
      m.mu = std::accumulate(e.begin(), e.end(), 0.0) / r;
      double ss = 0;
      for (double v : e) ss += (v - m.mu) * (v - m.mu);
      m.sigma = std::sqrt(ss / (r - 1));
      m.mu_star =
          bootstrap(r, spec.bootstrap, o * 1000003 + static_cast<std::uint64_t>(i), mean_abs(all), mean_abs);
    }
  }
  return result;
}

MorrisResult morris(int factors, const MorrisSpec& spec, const BatchEvaluator& evaluate) {
  MorrisResult r;
  r.points = morris_design(factors, spec);
  r.outputs = evaluate(r.points);
  r.indices = morris_analyze(factors, spec, r.points, r.outputs);
  return r;
}

std::vector<std::vector<double>> sobol_design(int factors, const SobolSpec& spec) {
  if (factors < 1) throw std::invalid_argument("Sobol' indices need at least one factor");
  if (spec.samples < 4) throw std::invalid_argument("Sobol' indices need at least 4 samples");
  const auto n = static_cast<std::size_t>(spec.samples), k = static_cast<std::size_t>(factors);
  boost::random::sobol qrng(2 * k);
  qrng.discard(2 * k);  // the first point is all zeros
  const double scale = 1.0 / (static_cast<double>(boost::random::sobol::max()) + 1.0);
  std::vector<std::vector<double>> a(n, std::vector<double>(k)), b(n, std::vector<double>(k));
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t i = 0; i < k; ++i) a[j][i] = static_cast<double>(qrng()) * scale;
    for (std::size_t i = 0; i < k; ++i) b[j][i] = static_cast<double>(qrng()) * scale;
  }
  std::vector<std::vector<double>> points = a;
  points.insert(points.end(), b.begin(), b.end());
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      auto row = a[j];
      row[i] = b[j][i];
      points.push_back(std::move(row));
    }
  return points;
}

std::vector<std::vector<SobolIndices>> sobol_analyze(int factors, const SobolSpec& spec,
                                                     const std::vector<std::vector<double>>& outputs,
                                                     std::vector<double>* variance) {
  const auto n = static_cast<std::size_t>(spec.samples), k = static_cast<std::size_t>(factors);
  check_outputs(outputs, n * (k + 2));
  const std::size_t outs = outputs.empty() ? 0 : outputs.front().size();
  std::vector<std::vector<SobolIndices>> result(outs, std::vector<SobolIndices>(k));
  if (variance) variance->assign(outs, 0);
  for (std::size_t o = 0; o < outs; ++o) {
    const auto fa = [&](std::size_t j) { return outputs[j][o]; };
    const auto fb = [&](std::size_t j) { return outputs[n + j][o]; };
    // Variance over A and B together, for a given set of rows.
    const auto var = [&](const std::vector<int>& rows) {
      double s = 0, ss = 0;
      for (int j : rows) s += fa(static_cast<std::size_t>(j)) + fb(static_cast<std::size_t>(j));
      const double m = s / (2.0 * static_cast<double>(rows.size()));
      for (int j : rows) {
        ss += (fa(static_cast<std::size_t>(j)) - m) * (fa(static_cast<std::size_t>(j)) - m);
        ss += (fb(static_cast<std::size_t>(j)) - m) * (fb(static_cast<std::size_t>(j)) - m);
      }
      return ss / (2.0 * static_cast<double>(rows.size()) - 1);
    };
    std::vector<int> all(n);
    std::iota(all.begin(), all.end(), 0);
    if (variance) (*variance)[o] = var(all);
    for (std::size_t i = 0; i < k; ++i) {
      const auto fab = [&](std::size_t j) { return outputs[(2 + i) * n + j][o]; };
      const auto first = [&](const std::vector<int>& rows) {
        double s = 0;
        for (int j : rows)
          s += fb(static_cast<std::size_t>(j)) *
               (fab(static_cast<std::size_t>(j)) - fa(static_cast<std::size_t>(j)));
        const double v = var(rows);
        return v > 0 ? s / static_cast<double>(rows.size()) / v : 0.0;
      };
      const auto total = [&](const std::vector<int>& rows) {
        double s = 0;
        for (int j : rows) {
          const double d = fa(static_cast<std::size_t>(j)) - fab(static_cast<std::size_t>(j));
          s += d * d;
        }
        const double v = var(rows);
        return v > 0 ? s / (2.0 * static_cast<double>(rows.size())) / v : 0.0;
      };
      const std::uint64_t stream = o * 1000003 + i * 2;
      result[o][i].first = bootstrap(static_cast<int>(n), spec.bootstrap, stream, first(all), first);
      result[o][i].total = bootstrap(static_cast<int>(n), spec.bootstrap, stream + 1, total(all), total);
    }
  }
  return result;
}

SobolResult sobol(int factors, const SobolSpec& spec, const BatchEvaluator& evaluate) {
  SobolResult r;
  r.points = sobol_design(factors, spec);
  r.outputs = evaluate(r.points);
  r.indices = sobol_analyze(factors, spec, r.outputs, &r.variance);
  return r;
}

}  // namespace cxsim
