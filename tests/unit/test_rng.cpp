#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "core/rng.hpp"

using namespace cxsim;

TEST_CASE("every stream purpose has its own id", "[rng]") {
  std::set<std::uint32_t> ids;
  for (Purpose p : kAllPurposes) ids.insert(static_cast<std::uint32_t>(p));
  CHECK(ids.size() == kAllPurposes.size());
  // The list covers the enum: the largest id equals the number of purposes (ids are 1..n).
  CHECK(*ids.rbegin() == kAllPurposes.size());
  CHECK(*ids.begin() == 1);
}

TEST_CASE("a stream is a pure function of its identity", "[rng]") {
  const RngKey key{42, 3};
  Stream a(key, Purpose::churn, 17, 100);
  Stream b(key, Purpose::churn, 17, 100);
  for (int k = 0; k < 10; ++k) CHECK(a() == b());

  const auto first = [](RngKey k, Purpose p, std::uint64_t e, std::uint64_t d, std::uint32_t sub = 0) {
    Stream s(k, p, e, d, sub);
    return s();
  };
  const auto base = first(key, Purpose::churn, 17, 100);
  CHECK(first({43, 3}, Purpose::churn, 17, 100) != base);
  CHECK(first({42, 4}, Purpose::churn, 17, 100) != base);
  CHECK(first(key, Purpose::touchpoint, 17, 100) != base);
  CHECK(first(key, Purpose::churn, 18, 100) != base);
  CHECK(first(key, Purpose::churn, 17, 101) != base);
  CHECK(first(key, Purpose::churn, 17, 100, 1) != base);
}

TEST_CASE("uniform draws are uniform", "[rng][statistical]") {
  // Mean of n U(0,1) has sd 1/sqrt(12 n); the share below 0.1 has sd sqrt(0.09 / n).
  const int n = 200000;
  double sum = 0;
  int low = 0;
  for (int i = 0; i < n; ++i) {
    Stream s({7, 0}, Purpose::network, static_cast<std::uint64_t>(i), 0);
    const double u = s.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    low += u < 0.1;
  }
  CHECK(std::abs(sum / n - 0.5) < 5 / std::sqrt(12.0 * n));
  CHECK(std::abs(low / double(n) - 0.1) < 5 * std::sqrt(0.09 / n));
}

TEST_CASE("below(n) stays in range and covers it", "[rng]") {
  Stream s({1, 0}, Purpose::wom_targets, 0, 0);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto v = s.below(7);
    REQUIRE(v < 7);
    seen.insert(v);
  }
  CHECK(seen.size() == 7);
}

TEST_CASE("Boost.Random distributions draw from a stream", "[rng][statistical]") {
  Stream s({5, 0}, Purpose::touchpoint, 1, 1);
  boost::random::normal_distribution<double> normal(2.0, 3.0);
  const int n = 100000;
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += normal(s);
  CHECK(std::abs(sum / n - 2.0) < 5 * 3.0 / std::sqrt(n));
}
