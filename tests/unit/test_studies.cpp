// The statistical core of `cxsim select`, `sensitivity` and `calibrate` on functions whose answers
// are known, through the same code paths the simulator uses (the evaluator/sampler callbacks).

#include <catch2/catch.hpp>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>

#include <cmath>
#include <numbers>

#include "experiment/calibrate.hpp"
#include "experiment/select.hpp"
#include "experiment/sensitivity.hpp"
#include "experiment/study_runs.hpp"

using namespace cxsim;

namespace {

double ishigami(const std::vector<double>& u) {
  const double pi = std::numbers::pi;
  const double x1 = -pi + 2 * pi * u[0], x2 = -pi + 2 * pi * u[1], x3 = -pi + 2 * pi * u[2];
  return std::sin(x1) + 7 * std::sin(x2) * std::sin(x2) + 0.1 * std::pow(x3, 4) * std::sin(x1);
}

const std::vector<double> kGA = {0, 1, 4.5, 9, 99, 99};

double g_function(const std::vector<double>& u) {
  double f = 1;
  for (std::size_t i = 0; i < kGA.size(); ++i) f *= (std::abs(4 * u[i] - 2) + kGA[i]) / (1 + kGA[i]);
  return f;
}

BatchEvaluator scalar(double (*f)(const std::vector<double>&)) {
  return [f](const std::vector<std::vector<double>>& points) {
    std::vector<std::vector<double>> out;
    for (const auto& x : points) out.push_back({f(x)});
    return out;
  };
}

/// A standard normal that is a pure function of (seed, a, b): common random numbers by index.
double normal(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  boost::random::mt19937_64 gen(seed * 1000003 + a * 7919 + b * 104729 + 1);
  return boost::random::normal_distribution<double>(0, 1)(gen);
}

}  // namespace

TEST_CASE("Sobol' indices of the Ishigami function match the analytic values", "[sensitivity]") {
  // Ishigami and Homma (1990), a = 7, b = 0.1: V = 13.8446; analytic indices from Saltelli et al. (2008).
  SobolSpec spec;
  spec.samples = 8192;
  spec.bootstrap.resamples = 200;
  const SobolResult r = sobol(3, spec, scalar(ishigami));
  REQUIRE(r.points.size() == 8192u * 5);
  const double first[] = {0.3139, 0.4424, 0.0}, total[] = {0.5576, 0.4424, 0.2437};
  for (int i = 0; i < 3; ++i) {
    const auto& s = r.indices[0][static_cast<std::size_t>(i)];
    INFO("factor " << i << " S1 " << s.first.value << " [" << s.first.low << ", " << s.first.high << "] ST "
                   << s.total.value << " [" << s.total.low << ", " << s.total.high << "]");
    CHECK(s.first.value == Approx(first[i]).margin(0.03));
    CHECK(s.total.value == Approx(total[i]).margin(0.03));
    // The bootstrap interval covers the truth (with a little slack for the bootstrap's own noise).
    CHECK(s.first.low - 0.01 <= first[i]);
    CHECK(s.first.high + 0.01 >= first[i]);
    CHECK(s.total.low - 0.01 <= total[i]);
    CHECK(s.total.high + 0.01 >= total[i]);
    CHECK(s.first.low <= s.first.value);
    CHECK(s.first.value <= s.first.high);
  }
  CHECK(r.variance[0] == Approx(13.8446).epsilon(0.03));
}

TEST_CASE("Sobol' indices of Sobol's G function match the analytic values", "[sensitivity]") {
  // V_i = 1 / (3 (1 + a_i)^2), V = prod(1 + V_i) - 1 (Saltelli et al. 2010).
  const std::size_t k = kGA.size();
  std::vector<double> vi(k);
  double prod = 1;
  for (std::size_t i = 0; i < k; ++i) {
    vi[i] = 1 / (3 * (1 + kGA[i]) * (1 + kGA[i]));
    prod *= 1 + vi[i];
  }
  const double v = prod - 1;
  SobolSpec spec;
  spec.samples = 8192;
  spec.bootstrap.resamples = 200;
  const SobolResult r = sobol(static_cast<int>(k), spec, scalar(g_function));
  for (std::size_t i = 0; i < k; ++i) {
    const double s1 = vi[i] / v, st = vi[i] * prod / (1 + vi[i]) / v;
    const auto& s = r.indices[0][i];
    INFO("factor " << i << " S1 " << s.first.value << " vs " << s1 << ", ST " << s.total.value << " vs "
                   << st);
    CHECK(s.first.value == Approx(s1).margin(0.03));
    CHECK(s.total.value == Approx(st).margin(0.03));
  }
}

TEST_CASE("Morris screening ranks the factors of known functions", "[sensitivity]") {
  SECTION("linear: mu* is the effect of the whole range, sigma zero") {
    MorrisSpec spec;
    spec.trajectories = 10;
    const auto f = [](const std::vector<std::vector<double>>& pts) {
      std::vector<std::vector<double>> out;
      for (const auto& x : pts) out.push_back({5 * x[0] - 2 * x[1] + 0 * x[2], x[2]});
      return out;
    };
    const MorrisResult r = morris(3, spec, f);
    REQUIRE(r.points.size() == 40u);
    CHECK(r.indices[0][0].mu_star.value == Approx(5));
    CHECK(r.indices[0][0].mu == Approx(5));
    CHECK(r.indices[0][1].mu_star.value == Approx(2));
    CHECK(r.indices[0][1].mu == Approx(-2));
    CHECK(r.indices[0][2].mu_star.value == Approx(0).margin(1e-12));
    CHECK(r.indices[0][0].sigma == Approx(0).margin(1e-9));
    CHECK(r.indices[1][2].mu_star.value == Approx(1));  // a second output
  }
  SECTION("G function: the order of importance follows a_i") {
    MorrisSpec spec;
    spec.trajectories = 40;
    const MorrisResult r = morris(6, spec, scalar(g_function));
    const auto& m = r.indices[0];
    CHECK(m[0].mu_star.value > m[1].mu_star.value);
    CHECK(m[1].mu_star.value > m[2].mu_star.value);
    CHECK(m[2].mu_star.value > m[4].mu_star.value);
    CHECK(m[3].mu_star.value > m[5].mu_star.value);
    CHECK(m[0].mu_star.low <= m[0].mu_star.value);
    CHECK(m[0].mu_star.high >= m[0].mu_star.value);
  }
  SECTION("the design is a function of the seed") {
    MorrisSpec a, b;
    b.seed = 2;
    CHECK(morris_design(4, a) == morris_design(4, a));
    CHECK(morris_design(4, a) != morris_design(4, b));
  }
}

namespace {

/// Strategies with normal outputs of the given means, sd 1 each, positively correlated through a
/// common replication effect (common random numbers), and a second measure (a constraint).
SelectionSampler synthetic(std::vector<double> means, std::vector<double> second, std::uint64_t seed) {
  return [=](const std::vector<int>& systems, int first, int count) {
    std::vector<std::vector<std::vector<double>>> out;
    for (int s : systems) {
      std::vector<double> obj, con;
      for (int r = first; r < first + count; ++r) {
        const double common = normal(seed, 999, static_cast<std::uint64_t>(r));
        obj.push_back(means[static_cast<std::size_t>(s)] + 0.8 * common +
                      0.6 * normal(seed, static_cast<std::uint64_t>(s), static_cast<std::uint64_t>(r)));
        con.push_back(second[static_cast<std::size_t>(s)] +
                      0.05 * normal(seed + 1, static_cast<std::uint64_t>(s), static_cast<std::uint64_t>(r)));
      }
      out.push_back({obj, con});
    }
    return out;
  };
}

}  // namespace

TEST_CASE("KN selects the best strategy with at least the stated probability", "[select]") {
  SelectionSpec spec;
  spec.indifference = 0.5;
  spec.confidence = 0.95;
  spec.first_stage = 10;
  const std::vector<double> means = {0, 0.5, 1.0, 1.5}, second = {1, 1, 1, 1};
  const int trials = 300;
  int correct = 0, more = 0;
  for (int t = 0; t < trials; ++t) {
    const auto r = select_best(4, 2, spec, synthetic(means, second, static_cast<std::uint64_t>(t)), 0, true);
    REQUIRE(r.finished);
    CHECK(r.probability_correct == 0.95);
    correct += r.selected == 3;
    more += r.total_replications > 40;
  }
  // PCS >= 0.95; the observed share may fall below by sampling noise: 3 binomial sd.
  CHECK(correct >= trials * (0.95 - 3 * std::sqrt(0.95 * 0.05 / trials)));
  CHECK(more > 0);  // the sequential stage did add replications
}

TEST_CASE("KN with ties inside the indifference zone selects one of them", "[select]") {
  SelectionSpec spec;
  spec.indifference = 0.5;
  spec.first_stage = 10;
  // 1.0, 1.2 and 1.1 are within delta of the best (1.2): any of them is a correct selection.
  const std::vector<double> means = {1.0, 1.2, 1.1, 0.0}, second = {1, 1, 1, 1};
  const int trials = 200;
  int good = 0;
  for (int t = 0; t < trials; ++t) {
    const auto r =
        select_best(4, 2, spec, synthetic(means, second, 5000 + static_cast<std::uint64_t>(t)), 0, true);
    REQUIRE(r.finished);
    good += r.selected >= 0 && r.selected <= 2;
    CHECK(r.systems[3].eliminated_at > 0);
  }
  CHECK(good >= trials * (0.95 - 3 * std::sqrt(0.95 * 0.05 / trials)));
  // Exact ties: the procedure still ends (at N + 1 with W = 0) and picks one.
  const auto tie = select_best(3, 2, spec, synthetic({2, 2, 2}, {1, 1, 1}, 7), 0, true);
  CHECK(tie.finished);
  CHECK(tie.selected >= 0);
}

TEST_CASE("Constraints exclude infeasible strategies; minimisation; reproducible", "[select]") {
  SelectionSpec spec;
  spec.indifference = 0.5;
  spec.constraints = {{1, true, 0.8}};  // measure 1 >= 0.8
  // The best objective (system 2) fails the constraint clearly; system 1 is best among feasible.
  const auto sampler = synthetic({0, 1, 3}, {0.9, 0.95, 0.5}, 11);
  const auto r = select_best(3, 2, spec, sampler, 0, true);
  CHECK(r.selected == 1);
  CHECK(r.systems[2].feasibility == Feasibility::infeasible);
  CHECK(r.candidates == 2);
  CHECK(r.alpha_feasibility == Approx(0.025));
  // Undetermined: the mean sits on the bound.
  spec.constraints = {{1, true, 0.95}};
  const auto u = select_best(3, 2, spec, sampler, 0, true);
  CHECK(u.systems[1].feasibility == Feasibility::undetermined);
  // Minimising the objective picks the smallest mean.
  SelectionSpec low;
  low.indifference = 0.5;
  low.maximize = false;
  const auto m = select_best(3, 2, low, sampler, 0, true);
  CHECK(m.selected == 0);
  const auto again = select_best(3, 2, low, sampler, 0, true);
  CHECK(again.selected == m.selected);
  CHECK(again.total_replications == m.total_replications);
}

TEST_CASE("Without more replications KN says how many more it needs", "[select]") {
  SelectionSpec spec;
  spec.indifference = 0.05;  // hard: close strategies, small delta
  spec.first_stage = 10;
  const auto r = select_best(3, 2, spec, synthetic({0, 0.05, 0.1}, {1, 1, 1}, 3), 10, false);
  CHECK_FALSE(r.finished);
  CHECK(r.more_replications_needed > 0);
  CHECK(r.probability_correct == 0);
  CHECK(r.total_replications == 30);
  CHECK_THROWS_AS(select_best(3, 2, spec, synthetic({0, 0, 0}, {1, 1, 1}, 3), 1, false),
                  std::invalid_argument);
  spec.indifference = 0;
  CHECK_THROWS_AS(select_best(3, 2, spec, synthetic({0, 0, 0}, {1, 1, 1}, 3), 0, true),
                  std::invalid_argument);
}

TEST_CASE("A tiny indifference zone never finishes: no overflow into a false selection", "[select]") {
  // h^2 S^2 / delta^2 beyond the range of an int used to wrap negative, ending the procedure at
  // once with "selected, probability 0.95"; N grows as 1 / delta^2 and is capped at 10^15.
  SelectionSpec spec;
  spec.first_stage = 10;
  spec.max_replications = 20;
  std::int64_t previous = 0;
  for (double delta : {1e-2, 1e-3, 1e-4, 1e-300}) {
    INFO("indifference " << delta);
    spec.indifference = delta;
    for (const bool more : {false, true}) {
      const auto r = select_best(3, 2, spec, synthetic({0, 0.05, 0.1}, {1, 1, 1}, 3), 10, more);
      CHECK_FALSE(r.finished);
      CHECK(r.probability_correct == 0);
      CHECK(r.more_replications_needed > previous);
      CHECK(r.more_replications_needed <= 1'000'000'000'000'000);
      if (more) previous = r.more_replications_needed;
    }
  }
  CHECK(previous > 999'999'999'999'000);  // 1e-300: the cap
}

TEST_CASE("A cap below the replications available limits only re-runs", "[select]") {
  // The file's replications cost nothing: with 12 available and a cap of 5, an unfinished
  // procedure has used all 12 (it used to stop at 5), and a cap of 20 lets it sample to 20.
  SelectionSpec spec;
  spec.first_stage = 3;
  spec.indifference = 1e-6;
  for (const auto& [cap, more, used] : {std::tuple{5, true, 12}, std::tuple{5, false, 12},
                                        std::tuple{20, true, 20}, std::tuple{20, false, 12}}) {
    INFO("cap " << cap << ", re-runs " << more);
    spec.max_replications = cap;
    const auto r = select_best(3, 2, spec, synthetic({0, 0.05, 0.1}, {1, 1, 1}, 3), 12, more);
    CHECK_FALSE(r.finished);
    for (const auto& o : r.systems) CHECK(o.replications == used);
  }
}

TEST_CASE("Calibration refuses what cannot be fitted before it reports a fit", "[calibrate]") {
  // A target without a value (NaN: a window with no survey) gave "fitted nan" and exit 0; a value
  // of 1e308 gave z^2 = inf with every key "identified"; 100,000 threads crashed the process.
  const std::vector<FreeParameter> free = {{"a", 0.0, 1.0, 0.5}};
  const TargetEvaluator nan = [](const std::vector<double>&) {
    return std::vector<std::vector<double>>{{std::nan(""), std::nan("")}, {1.0, 1.1}};
  };
  const TargetEvaluator line = [](const std::vector<double>& x) {
    return std::vector<std::vector<double>>{{x[0], x[0] + 0.01}, {1.0, 1.1}};
  };
  CalibrationSpec spec;
  spec.starts = 1;
  spec.budget = 10;
  spec.threads = 1;
  const std::vector<CalibrationTarget> targets = {{"nps at day 1", 10, 5}, {"other", 1, 0.1}};
  CHECK_THROWS_WITH(calibrate(targets, free, spec, nan),
                    Catch::Contains("target 'nps at day 1' has no value in the simulations"));
  CHECK_NOTHROW(calibrate({{"x", 0.3, 0.1}, {"other", 1, 0.1}}, free, spec, line));
  CHECK_THROWS_WITH(calibrate({{"x", 1e308, 0.1}, {"other", 1, 0.1}}, free, spec, line),
                    Catch::Contains("finite number below 1e100"));
  CHECK_THROWS_WITH(calibrate({{"x", 0.3, 1e200}, {"other", 1, 0.1}}, free, spec, line),
                    Catch::Contains("sd must be > 0 and below 1e100"));
  spec.threads = 100000;
  CHECK_THROWS_AS(calibrate({{"x", 0.3, 0.1}, {"other", 1, 0.1}}, free, spec, line), InputError);
  spec.threads = 1;
  spec.starts = kMaxCalibrationStarts + 1;
  CHECK_THROWS_AS(calibrate({{"x", 0.3, 0.1}, {"other", 1, 0.1}}, free, spec, line), std::invalid_argument);
}

TEST_CASE("Calibration recovers known values within their stated uncertainty", "[calibrate]") {
  // Three targets of two parameters, replication noise common to all candidates (CRN).
  const std::vector<double> truth = {0.7, 1.2};
  const int reps = 20;
  const auto model = [](const std::vector<double>& x, int r) {
    return std::vector<double>{x[0] + x[1] + 0.05 * normal(1, 0, static_cast<std::uint64_t>(r)),
                               x[0] * x[1] + 0.05 * normal(1, 1, static_cast<std::uint64_t>(r)),
                               std::exp(-x[0]) + 0.02 * normal(1, 2, static_cast<std::uint64_t>(r))};
  };
  const auto evaluate = [&](const std::vector<double>& x) {
    std::vector<std::vector<double>> v(3);
    for (int r = 0; r < reps; ++r) {
      const auto y = model(x, r);
      for (int t = 0; t < 3; ++t) v[static_cast<std::size_t>(t)].push_back(y[static_cast<std::size_t>(t)]);
    }
    return v;
  };
  // Observed: the noise-free values at the truth, with stated sds.
  const std::vector<CalibrationTarget> targets = {{"sum", truth[0] + truth[1], 0.02},
                                                  {"product", truth[0] * truth[1], 0.02},
                                                  {"decay", std::exp(-truth[0]), 0.01}};
  const std::vector<FreeParameter> free = {{"a", 0.1, 2.0, 1.8}, {"b", 0.1, 2.0, 0.2}};
  CalibrationSpec spec;
  spec.starts = 3;
  spec.budget = 150;
  spec.threads = 2;
  const CalibrationResult r = calibrate(targets, free, spec, evaluate);
  REQUIRE(r.parameters.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    INFO("parameter " << i << ": " << r.parameters[i].value << " +/- " << r.parameters[i].se);
    CHECK(r.parameters[i].identified);
    CHECK(std::isfinite(r.parameters[i].se));
    CHECK(std::abs(r.parameters[i].value - truth[i]) < 3 * r.parameters[i].se);
    CHECK(r.parameters[i].low <= truth[i]);
    CHECK(r.parameters[i].high >= truth[i]);
    CHECK(r.parameters[i].se < 0.1);
  }
  CHECK(r.starts[0].start == std::vector<double>{1.8, 0.2});
  CHECK(r.objective < 10);
  CHECK(r.degrees_of_freedom == 1);
  for (const auto& t : r.targets) CHECK(std::abs(t.z) < 3);
  // Same inputs, same answer, whatever the thread count.
  spec.threads = 1;
  const CalibrationResult again = calibrate(targets, free, spec, evaluate);
  CHECK(again.best == r.best);
  CHECK(again.objective == r.objective);
}

TEST_CASE("Calibration warns about a parameter the targets do not identify", "[calibrate]") {
  const auto evaluate = [](const std::vector<double>& x) {
    std::vector<std::vector<double>> v(2);
    for (int r = 0; r < 10; ++r) {
      v[0].push_back(2 * x[0] + 0.01 * normal(2, 0, static_cast<std::uint64_t>(r)));
      v[1].push_back(x[0] * x[0] + 0.01 * normal(2, 1, static_cast<std::uint64_t>(r)));  // x[1] unused
    }
    return v;
  };
  CalibrationSpec spec;
  spec.starts = 2;
  spec.budget = 80;
  const auto r = calibrate({{"double", 1.0, 0.01}, {"square", 0.25, 0.01}},
                           {{"used", 0, 1, 0.9}, {"unused", 0, 1, 0.5}}, spec, evaluate);
  CHECK(r.parameters[0].identified);
  CHECK(r.parameters[0].value == Approx(0.5).margin(0.02));
  CHECK_FALSE(r.parameters[1].identified);
  CHECK_THROWS_AS(calibrate({{"x", 1, 0}}, {{"a", 0, 1, 0}}, spec, evaluate), std::invalid_argument);
  CHECK_THROWS_AS(calibrate({{"x", 1, 1}}, {{"a", 1, 1, 0}}, spec, evaluate), std::invalid_argument);
}

TEST_CASE("A study's values read back into their keys, integers in plain digits", "[sensitivity]") {
  // 2 x 10^7 customers: shortest_text writes 2e+07, which an integer key refuses.
  const ParamSpec& population = *find_param("market.population");
  CHECK(study_value_text(population, 2e7) == "20000000");
  CHECK(study_value_text(population, 13333666.6) == "13333667");
  Params p;
  set_param_from_string(p, population, study_value_text(population, 2e7));
  CHECK(p.market_population == 20000000);
  const ParamSpec& price = *find_param("purchase.price");
  CHECK(study_value_text(price, 0.1) == "0.1");
}
