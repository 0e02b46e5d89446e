#pragma once
// Which levers matter (`cxsim sensitivity`): Morris elementary effects for screening and Sobol'
// first-order and total indices, with bootstrap confidence intervals. Pure statistics on the unit
// cube: the caller maps [0, 1) to each factor's [min, max] and evaluates the points (the
// simulator, or an analytic function in the tests) through one batch callback, so the same code
// path is tested on functions with known indices.
//
// Morris (1991) with the mu* of Campolongo, Cariboni and Saltelli (2007): `trajectories` one-at-a-
// time paths on a grid of `levels` levels, step Delta = levels / (2 (levels - 1)); elementary
// effects are per unit of the factor's range (f(x + Delta e_i) - f(x)) / Delta.
// Sobol': matrices A and B from a Sobol' sequence (Boost.Random, first point skipped), the
// radial sample A_B^i (A with column i from B); first order by Saltelli et al. (2010),
// V_i = mean(f(B) (f(A_B^i) - f(A))), total by Jansen (1999), mean((f(A) - f(A_B^i))^2) / 2, both
// divided by the variance of f over A and B; percentile bootstrap over the rows.

#include <cstdint>
#include <functional>
#include <vector>

namespace cxsim {

/// outputs[point][output] for points[point][factor] in the unit cube [0, 1)^k. Must not depend
/// on the order the points come in (each point is a pure function of its coordinates).
using BatchEvaluator =
    std::function<std::vector<std::vector<double>>(const std::vector<std::vector<double>>& points)>;

struct BootstrapSpec {
  int resamples = 1000;
  double level = 0.95;
  std::uint64_t seed = 1;
};

/// An index with its bootstrap interval.
struct Estimate {
  double value = 0, low = 0, high = 0;
};

struct MorrisSpec {
  int trajectories = 20;
  int levels = 4;  ///< even, >= 2
  std::uint64_t seed = 1;
  BootstrapSpec bootstrap;
};

struct MorrisIndices {
  Estimate mu_star;  ///< mean |EE|, with its bootstrap interval
  double mu = 0;     ///< mean EE
  double sigma = 0;  ///< standard deviation of EE
};

struct MorrisResult {
  std::vector<std::vector<double>> points;          ///< the design, trajectories * (factors + 1)
  std::vector<std::vector<double>> outputs;         ///< outputs[point][output]
  std::vector<std::vector<MorrisIndices>> indices;  ///< [output][factor]
};

/// The Morris design in the unit cube: `trajectories` paths of factors + 1 points each.
std::vector<std::vector<double>> morris_design(int factors, const MorrisSpec& spec);
/// Elementary effects analysis of outputs on that design.
std::vector<std::vector<MorrisIndices>> morris_analyze(int factors, const MorrisSpec& spec,
                                                       const std::vector<std::vector<double>>& points,
                                                       const std::vector<std::vector<double>>& outputs);
/// Design, evaluate (one batch), analyse. @throws std::invalid_argument on a bad spec
MorrisResult morris(int factors, const MorrisSpec& spec, const BatchEvaluator& evaluate);

struct SobolSpec {
  int samples = 512;  ///< N base rows; N (factors + 2) evaluations
  BootstrapSpec bootstrap;
};

struct SobolIndices {
  Estimate first;  ///< S_i
  Estimate total;  ///< S_Ti
};

struct SobolResult {
  std::vector<std::vector<double>> points;  ///< A (N rows), B (N rows), then A_B^i for each i
  std::vector<std::vector<double>> outputs;
  std::vector<double> variance;                    ///< per output
  std::vector<std::vector<SobolIndices>> indices;  ///< [output][factor]
};

/// The Saltelli design: rows 0..N-1 are A, N..2N-1 are B, then N rows of A_B^i per factor i.
std::vector<std::vector<double>> sobol_design(int factors, const SobolSpec& spec);
std::vector<std::vector<SobolIndices>> sobol_analyze(int factors, const SobolSpec& spec,
                                                     const std::vector<std::vector<double>>& outputs,
                                                     std::vector<double>* variance = nullptr);
/// Design, evaluate (one batch), analyse. @throws std::invalid_argument on a bad spec
SobolResult sobol(int factors, const SobolSpec& spec, const BatchEvaluator& evaluate);

/// Evaluations each method needs.
inline int morris_evaluations(int factors, const MorrisSpec& s) {
  return s.trajectories * (factors + 1);
}
inline int sobol_evaluations(int factors, const SobolSpec& s) {
  return s.samples * (factors + 2);
}

}  // namespace cxsim
