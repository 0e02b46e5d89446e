// Network generators, CSR invariants and the edge-list reader. Statistical checks use fixed keys
// (so they are reproducible) and tolerances derived from the sample, never tuned to the output.

#include <catch2/catch.hpp>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/errors.hpp"
#include "core/rng.hpp"
#include "io/edge_list.hpp"
#include "model/network.hpp"
#include "model/partition.hpp"

using namespace cxsim;

namespace {

const RngKey kKey{20240611, 0};

NetworkSpec spec_of(std::string_view kind, std::int64_t mean_degree = 10, double rewiring = 0.1,
                    std::int64_t ba_m = 5) {
  NetworkSpec spec;
  spec.kind = parse_choice<NetworkKind>(kind).value();
  spec.mean_degree = mean_degree;
  spec.rewiring = rewiring;
  spec.ba_m = ba_m;
  return spec;
}

// Members whose row of `net` is not `rows[member]` (sorted here): the plain-rule tests' verdict.
std::size_t rows_differing(std::vector<std::vector<std::uint32_t>>& rows, const Network& net) {
  std::size_t differing = 0;
  for (std::uint32_t u = 0; u < rows.size(); ++u) {
    std::sort(rows[u].begin(), rows[u].end());
    const auto ties = net.ties(u);
    differing += !std::equal(rows[u].begin(), rows[u].end(), ties.begin(), ties.end());
  }
  return differing;
}

// CSR shape, sorted rows without duplicates or self-loops, and every tie stored both ways.
void check_csr(const Network& net) {
  REQUIRE_FALSE(net.complete);
  REQUIRE(net.offsets.size() == std::size_t{net.size} + 1);
  REQUIRE(net.offsets.front() == 0);
  REQUIRE(net.offsets.back() == net.targets.size());
  REQUIRE(std::is_sorted(net.offsets.begin(), net.offsets.end()));
  std::uint64_t bad_rows = 0, out_of_range = 0, self_loops = 0, one_way = 0;
  for (std::uint32_t i = 0; i < net.size; ++i) {
    const auto row = net.ties(i);
    if (std::adjacent_find(row.begin(), row.end(), std::greater_equal<>()) != row.end()) ++bad_rows;
    for (auto j : row) {
      if (j == i) ++self_loops;
      if (j >= net.size) {
        ++out_of_range;
        continue;
      }
      const auto back = net.ties(j);
      if (!std::binary_search(back.begin(), back.end(), i)) ++one_way;
    }
  }
  CHECK(bad_rows == 0);
  CHECK(out_of_range == 0);
  CHECK(self_loops == 0);
  CHECK(one_way == 0);
}

// Pearson's chi-square of observed counts against expected probabilities (which sum to 1).
double chi_square(const std::vector<double>& observed, const std::vector<double>& probability, double total) {
  double stat = 0;
  for (std::size_t b = 0; b < observed.size(); ++b) {
    const double expected = total * probability[b];
    stat += (observed[b] - expected) * (observed[b] - expected) / expected;
  }
  return stat;
}

double chi_square_quantile(std::size_t bins, double level) {
  return boost::math::quantile(boost::math::chi_squared(static_cast<double>(bins - 1)), level);
}

std::uint32_t ring_distance(std::uint32_t a, std::uint32_t b, std::uint32_t n) {
  const std::uint32_t d = a > b ? a - b : b - a;
  return std::min(d, n - d);
}

// A directory under the system temp dir, removed at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("cxsim_test_network_" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const auto file = path / name;
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
};

}  // namespace

TEST_CASE("complete network stores no ties and has degree n - 1", "[network]") {
  const Network net = generate_network(spec_of("complete"), 100, kKey);
  CHECK(net.complete);
  CHECK(net.size == 100);
  CHECK(net.targets.empty());
  CHECK(net.mean_degree() == 99.0);
  const auto hist = degree_histogram(net);
  REQUIRE(hist.size() == 100);
  CHECK(hist[99] == 100);
  CHECK(clustering_coefficient(net) == 1.0);
}

TEST_CASE("ring ties each member to exactly k/2 neighbours on each side", "[network]") {
  const std::uint32_t n = 1000;
  for (std::int64_t k : {2, 4, 6, 10}) {
    const Network net = generate_network(spec_of("ring", k), n, kKey);
    check_csr(net);
    CHECK(net.mean_degree() == static_cast<double>(k));
    std::uint64_t wrong = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto row = net.ties(i);
      if (row.size() != static_cast<std::size_t>(k)) ++wrong;
      for (auto j : row)
        if (ring_distance(i, j, n) > k / 2) ++wrong;
    }
    CHECK(wrong == 0);
  }
  // Mean degree n - 1 (n odd) is the complete graph, still without duplicates.
  const Network full = generate_network(spec_of("ring", 8), 9, kKey);
  check_csr(full);
  CHECK(full.tie_count() == 9 * 8);
}

TEST_CASE("watts_strogatz without rewiring has clustering 3(K-2)/(4(K-1))", "[network]") {
  for (std::int64_t k : {4, 6, 10, 20}) {
    const Network ws = generate_network(spec_of("watts_strogatz", k, 0.0), 2000, kKey);
    check_csr(ws);
    const Network ring = generate_network(spec_of("ring", k), 2000, kKey);
    CHECK(ws.targets == ring.targets);
    const double expected = 3.0 * (k - 2) / (4.0 * (k - 1));
    CHECK(clustering_coefficient(ws) == Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE(
    "watts_strogatz rewiring keeps the mean degree, rewires a share p of ties and lowers "
    "clustering but far less than a random graph",
    "[network][statistical]") {
  const std::uint32_t n = 20000;
  const std::int64_t k = 10;
  const double p = 0.1;
  const Network ws = generate_network(spec_of("watts_strogatz", k, p), n, kKey);
  check_csr(ws);
  CHECK(ws.mean_degree() == static_cast<double>(k));  // rewiring moves ties, never adds or drops

  // Each of the nk/2 ties is rewired with probability p: Binomial(nk/2, p). A rewired tie lands
  // back within lattice distance k/2 with probability ~k/n, a bias far below the tolerance.
  const double ties = n * k / 2.0;
  std::uint64_t long_ties = 0;
  for (std::uint32_t i = 0; i < n; ++i)
    for (auto j : ws.ties(i))
      if (i < j && ring_distance(i, j, n) > k / 2) ++long_ties;
  const double sd = std::sqrt(ties * p * (1 - p));
  CHECK(std::abs(static_cast<double>(long_ties) - ties * p) < 5 * sd);

  const double c0 = 3.0 * (k - 2) / (4.0 * (k - 1));
  const double c = clustering_coefficient(ws);
  const Network er = generate_network(spec_of("erdos_renyi", k), n, kKey);
  const double c_er = clustering_coefficient(er);
  CHECK(c < c0 - 0.1);
  // Barrat & Weigt (2000): C(p) ~ C(0)(1-p)^3 (a triangle survives if none of its 3 ties moved).
  CHECK(c == Approx(c0 * std::pow(1 - p, 3)).margin(0.02));
  CHECK(c_er < 3.0 * k / n);  // a random graph's clustering is ~k/n
  CHECK(c > 50 * c_er);
}

TEST_CASE("erdos_renyi mean degree and degree distribution match G(n, p)", "[network][statistical]") {
  const std::uint32_t n = 20000;
  const std::int64_t k = 8;
  const double p = static_cast<double>(k) / (n - 1);
  const Network net = generate_network(spec_of("erdos_renyi", k), n, kKey);
  check_csr(net);

  // The mean degree is 2E/n with E ~ Binomial(n(n-1)/2, p), so its sd is
  // 2 sqrt(n(n-1)/2 p(1-p)) / n = sqrt(2 k (1-p) / n): the sqrt(2) over one member's sd/sqrt(n)
  // is because each tie adds to two degrees (the degrees are not independent). Tolerance 5 sd.
  const double sd_mean = std::sqrt(2.0 * k * (1 - p) / n);
  CHECK(std::abs(net.mean_degree() - k) < 5 * sd_mean);

  // Degrees ~ Binomial(n-1, p): chi-square over bins of consecutive degrees, each closed once its
  // expected count reaches 20 (the chi-square approximation fails for bins expecting < 1, as the
  // far tails do); the last bin takes the rest of the tail. Degrees share ties, so the random
  // total of ties moves all bins together: that adds about Var(k)/k = 1 to the statistic's mean
  // (df ~ 10), small against the 0.999 quantile.
  const auto hist = degree_histogram(net);
  const boost::math::binomial_distribution<double> degree(n - 1, p);
  std::vector<double> observed, probability;
  double bin_observed = 0, bin_probability = 0, cumulative = 0;
  for (std::uint32_t d = 0; 1 - cumulative > 20.0 / n; ++d) {
    bin_observed += d < hist.size() ? static_cast<double>(hist[d]) : 0.0;
    bin_probability += boost::math::pdf(degree, d);
    cumulative += boost::math::pdf(degree, d);
    if (bin_probability * n >= 20) {
      observed.push_back(bin_observed);
      probability.push_back(bin_probability);
      bin_observed = bin_probability = 0;
    }
  }
  observed.push_back(n - std::accumulate(observed.begin(), observed.end(), 0.0));
  probability.push_back(1 - std::accumulate(probability.begin(), probability.end(), 0.0));
  INFO("bins = " << observed.size());
  CHECK(observed.size() > 10);
  CHECK(chi_square(observed, probability, n) < chi_square_quantile(observed.size(), 0.999));
}

TEST_CASE("erdos_renyi includes every pair with the same probability", "[network][statistical]") {
  // Geometric skipping is easy to get off by one at a row's start or end; that would bias the
  // pairs (i, i+1) or (i, n-1). Count each pair over many replications: Binomial(reps, p) each.
  const std::uint32_t n = 31;
  const std::int64_t k = 6;
  const double p = static_cast<double>(k) / (n - 1);
  const int reps = 3000;
  std::vector<double> count(std::size_t{n} * n, 0.0);
  for (int r = 0; r < reps; ++r) {
    const Network net =
        generate_network(spec_of("erdos_renyi", k), n, RngKey{kKey.seed, static_cast<std::uint64_t>(r)});
    for (std::uint32_t i = 0; i < n; ++i)
      for (auto j : net.ties(i))
        if (i < j) count[i * n + j] += 1;
  }
  const double sd = std::sqrt(reps * p * (1 - p));
  double worst = 0, first = 0, last = 0;
  for (std::uint32_t i = 0; i < n; ++i)
    for (std::uint32_t j = i + 1; j < n; ++j) {
      worst = std::max(worst, std::abs(count[i * n + j] - reps * p) / sd);
      if (j == i + 1) first += count[i * n + j];
      if (j == n - 1) last += count[i * n + j];
    }
  // 465 pairs: P(some |z| > 5) ~ 465 * 5.7e-7.
  CHECK(worst < 5.0);
  // The first and last pair of the rows (n-1 = 30 pairs each) pooled: sd is sqrt(30) times larger.
  const double pooled_sd = std::sqrt(30.0) * sd;
  CHECK(std::abs(first - 30 * reps * p) < 4 * pooled_sd);
  CHECK(std::abs(last - 30 * reps * p) < 4 * pooled_sd);

  // p = 1 is the complete graph, stored.
  const Network full = generate_network(spec_of("erdos_renyi", 9), 10, kKey);
  check_csr(full);
  CHECK(full.tie_count() == 90);
}

TEST_CASE("barabasi_albert has mean degree 2m and P(k) = 2m(m+1)/(k(k+1)(k+2))", "[network][statistical]") {
  const std::uint32_t n = 50000;
  for (std::int64_t m : {2, 4}) {
    const Network net = generate_network(spec_of("barabasi_albert", 10, 0.1, m), n, kKey);
    check_csr(net);
    // The core of m+1 members has m(m+1)/2 ties, each newcomer m: 2E/n = 2m - m(m+1)/n exactly.
    CHECK(net.mean_degree() == Approx(2.0 * m - m * (m + 1.0) / n).epsilon(1e-12));
    const auto hist = degree_histogram(net);
    for (std::int64_t d = 0; d < m; ++d) CHECK(hist[d] == 0);

    // Chi-square over k = m .. k_max (expected count >= 20 each) plus a tail bin k > k_max, whose
    // share is m(m+1)/((k_max+1)(k_max+2)). Degrees of distinct members are nearly independent,
    // so Pearson's statistic is ~chi-square(bins - 1); threshold at its 0.999 quantile.
    auto pk = [m](double d) { return 2.0 * m * (m + 1) / (d * (d + 1) * (d + 2)); };
    std::vector<double> observed, probability;
    std::int64_t d = m;
    for (; n * pk(static_cast<double>(d)) >= 20; ++d) {
      const bool seen = d < static_cast<std::int64_t>(hist.size());
      observed.push_back(seen ? static_cast<double>(hist[d]) : 0.0);
      probability.push_back(pk(static_cast<double>(d)));
    }
    observed.push_back(n - std::accumulate(observed.begin(), observed.end(), 0.0));
    probability.push_back(m * (m + 1.0) / (static_cast<double>(d) * (d + 1)));
    INFO("m = " << m << ", bins = " << observed.size());
    CHECK(chi_square(observed, probability, n) < chi_square_quantile(observed.size(), 0.999));
  }
}

TEST_CASE("every kind yields valid CSR; a key gives one graph, another replication another", "[network]") {
  const std::uint32_t n = 3000;
  for (const char* kind : {"ring", "erdos_renyi", "watts_strogatz", "barabasi_albert"}) {
    INFO(kind);
    const NetworkSpec spec = spec_of(kind, 6, 0.2, 3);
    const Network a = generate_network(spec, n, kKey);
    const Network b = generate_network(spec, n, kKey);
    check_csr(a);
    CHECK(a.offsets == b.offsets);
    CHECK(a.targets == b.targets);
    if (std::string(kind) == "ring") continue;  // deterministic
    const Network other_rep = generate_network(spec, n, RngKey{kKey.seed, kKey.replication + 1});
    const Network other_seed = generate_network(spec, n, RngKey{kKey.seed + 1, kKey.replication});
    CHECK(a.targets != other_rep.targets);
    CHECK(a.targets != other_seed.targets);
  }
}

TEST_CASE("a set cancel flag ends a generator's work with Cancelled; an unset one changes nothing",
          "[network]") {
  const std::uint32_t n = 20000;
  for (const char* kind : {"erdos_renyi", "watts_strogatz", "barabasi_albert"}) {
    INFO(kind);
    const NetworkSpec spec = spec_of(kind, 6, 0.2, 3);
    std::atomic<bool> cancel{false};
    const Network a = generate_network(spec, n, kKey, &cancel);
    const Network b = generate_network(spec, n, kKey);
    CHECK(a.offsets == b.offsets);
    CHECK(a.targets == b.targets);
    cancel = true;
    CHECK_THROWS_AS(generate_network(spec, n, kKey, &cancel), Cancelled);
    CHECK_THROWS_AS(generate_network_rows(spec, n, kKey, n / 2, n / 4, &cancel), Cancelled);
  }
}

TEST_CASE("impossible specs throw InputError naming the key", "[network]") {
  auto key_of = [](const NetworkSpec& spec, std::uint32_t n) -> std::string {
    try {
      generate_network(spec, n, kKey);
    } catch (const InputError& e) {
      return e.key();
    }
    return "(no error)";
  };
  CHECK(key_of(spec_of("ring", 10), 10) == "network.mean_degree");
  CHECK(key_of(spec_of("ring", 5), 100) == "network.mean_degree");
  CHECK(key_of(spec_of("watts_strogatz", 7), 100) == "network.mean_degree");
  CHECK(key_of(spec_of("watts_strogatz", 12), 12) == "network.mean_degree");
  CHECK(key_of(spec_of("erdos_renyi", 50), 50) == "network.mean_degree");
  CHECK(key_of(spec_of("erdos_renyi", -1), 50) == "network.mean_degree");
  CHECK(key_of(spec_of("watts_strogatz", 4, 1.5), 100) == "network.rewiring");
  CHECK(key_of(spec_of("barabasi_albert", 4, 0.1, 20), 20) == "network.ba_m");
  CHECK(key_of(spec_of("barabasi_albert", 4, 0.1, 0), 20) == "network.ba_m");
  CHECK(key_of(spec_of("edge_list"), 100) == "network.kind");
  // An unknown kind is no NetworkKind: the registry refuses the text, listing the kinds.
  Params p;
  CHECK_THROWS_WITH(set_param_from_string(p, *find_param("network.kind"), "small_world"),
                    Catch::Contains("small_world") && Catch::Contains("watts_strogatz"));
  // The largest possible specs are fine.
  CHECK(key_of(spec_of("erdos_renyi", 49), 50) == "(no error)");
  CHECK(key_of(spec_of("barabasi_albert", 4, 0.1, 19), 20) == "(no error)");
  CHECK(key_of(spec_of("watts_strogatz", 10, 1.0), 11) == "(no error)");
}

TEST_CASE("network_from_edges drops duplicates and self-loops", "[network]") {
  const Network net = network_from_edges(5, {{0, 1}, {1, 0}, {0, 1}, {2, 2}, {3, 1}, {4, 0}, {1, 3}});
  check_csr(net);
  CHECK(net.tie_count() == 6);  // {0,1}, {1,3}, {0,4}
  CHECK(std::vector<std::uint32_t>(net.ties(0).begin(), net.ties(0).end()) ==
        std::vector<std::uint32_t>{1, 4});
  CHECK(std::vector<std::uint32_t>(net.ties(1).begin(), net.ties(1).end()) ==
        std::vector<std::uint32_t>{0, 3});
  CHECK(net.ties(2).empty());
  CHECK_THROWS_AS(network_from_edges(5, {{0, 5}}), InputError);
  CHECK_THROWS_WITH(network_from_edges(5, {{0, 1}, {7, 2}}),
                    Catch::Contains("tie 2") && Catch::Contains("7") && Catch::Contains("5 members"));
}

TEST_CASE("clustering, degree histogram and bytes on a hand-made graph", "[network]") {
  // Triangle 0-1-2 with a pendant 3 on 2: C = 1, 1, 1/3, 0.
  const Network net = network_from_edges(4, {{0, 1}, {1, 2}, {0, 2}, {2, 3}});
  CHECK(clustering_coefficient(net) == Approx((1 + 1 + 1.0 / 3) / 4));
  CHECK(degree_histogram(net) == std::vector<std::uint64_t>{0, 1, 2, 1});
  CHECK(net.mean_degree() == 2.0);
  CHECK(network_bytes(net) >= 5 * sizeof(std::uint64_t) + 8 * sizeof(std::uint32_t));
  const Network empty = network_from_edges(0, {});
  CHECK(empty.mean_degree() == 0.0);
  CHECK(degree_histogram(empty).empty());
}

TEST_CASE("read_edge_list reads ids, comments, blank lines, commas and CRLF", "[network][io]") {
  TempDir dir;
  const std::string path = dir.write("ok.txt",
                                     "# a small network\n"
                                     "0 1\n"
                                     "\n"
                                     "1,2\r\n"
                                     "  2 ,\t3   # trailing comment\n"
                                     "3\t0\n"
                                     "1 0\n"  // duplicate, other direction
                                     "4 4\n"  // self-loop
                                     "   # indented comment\n"
                                     "0, 2");  // no final newline
  const Network net = read_edge_list(path, 6);
  check_csr(net);
  CHECK(net.size == 6);
  CHECK(net.tie_count() == 10);  // {0,1} {1,2} {2,3} {0,3} {0,2}
  CHECK(std::vector<std::uint32_t>(net.ties(0).begin(), net.ties(0).end()) ==
        std::vector<std::uint32_t>{1, 2, 3});
  CHECK(net.ties(4).empty());
  CHECK(net.ties(5).empty());
}

// A rank of a partitioned run reads only its block's rows of an edge-list file: they must be those
// of the whole file, whatever the duplicates, reversed pairs and self-loops, and every line is
// still checked (a bad line outside the block is an error on every rank alike).
TEST_CASE("read_edge_list of a block gives the whole file's rows of the block", "[network][io]") {
  TempDir dir;
  const std::uint32_t n = 3000;
  std::string text = "# ties, some twice, some reversed, some self-loops\n";
  std::uint64_t x = 12345;
  for (int e = 0; e < 12000; ++e) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const auto a = static_cast<std::uint32_t>((x >> 33) % n);
    const auto b = e % 97 == 0 ? a : static_cast<std::uint32_t>((x >> 13) % n);
    text += std::to_string(a) + (e % 3 == 0 ? ", " : " ") + std::to_string(b) + "\n";
    if (e % 11 == 0) text += std::to_string(b) + " " + std::to_string(a) + "\n";
  }
  const std::string path = dir.write("big.txt", text);
  const Network whole = read_edge_list(path, n);
  check_csr(whole);
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks = {{0, n},      {0, 1000}, {1000, 1200},
                                                                       {2200, 800}, {2999, 1}, {1500, 0}};
  for (const auto& [first, count] : blocks) {
    CAPTURE(first, count);
    const Network rows = read_edge_list(path, n, first, count);
    const Network expected = network_rows(whole, first, count);
    CHECK(rows.size == n);
    CHECK(rows.first == first);
    CHECK(rows.offsets == expected.offsets);
    CHECK(rows.targets == expected.targets);
    // network_rows also takes a sub-block of a block's rows.
    if (count >= 2) {
      const Network inner = network_rows(rows, first + 1, count - 2);
      const Network inner_expected = network_rows(whole, first + 1, count - 2);
      CHECK(inner.offsets == inner_expected.offsets);
      CHECK(inner.targets == inner_expected.targets);
    }
  }
  CHECK_THROWS(network_rows(read_edge_list(path, n, 1000, 1200), 900, 200));
  const std::string bad = dir.write("bad_far.txt", "0 1\n2900 x\n");
  CHECK_THROWS_AS(read_edge_list(bad, n, 0, 100), InputError);
}

TEST_CASE("read_edge_list errors name the file, line and column", "[network][io]") {
  TempDir dir;
  struct Case {
    std::string text;
    int line, column;
    std::vector<std::string> says;
  };
  const std::vector<Case> cases = {
      {"0 1\n1 x\n", 2, 3, {"found \"x\"", "expected two member ids"}},
      {"0 1\n\n# c\n7\n", 4, 1, {"found only one", "\"7\""}},
      {"0 1 2\n", 1, 5, {"found more after the second id", "\"0 1 2\""}},
      {"-1 2\n", 1, 1, {"found \"-1\""}},
      {"1;2\n", 1, 1, {"found \"1;2\""}},
      {"0 1\n2 10\n", 2, 3, {"member id 10 is out of range", "10 members (ids 0..9)"}},
      {"99999999999999999999 1\n", 1, 1, {"out of range"}},
  };
  for (std::size_t c = 0; c < cases.size(); ++c) {
    const std::string path = dir.write("bad" + std::to_string(c) + ".txt", cases[c].text);
    INFO("case " << c << ": " << cases[c].text);
    try {
      read_edge_list(path, 10);
      FAIL("no error thrown");
    } catch (const InputError& e) {
      CHECK(e.file() == path);
      CHECK(e.line() == cases[c].line);
      CHECK(e.column() == cases[c].column);
      CHECK(e.key() == "network.edge_list");
      const std::string what = e.what();
      CHECK_THAT(what, Catch::StartsWith(path + ":" + std::to_string(cases[c].line) + ":"));
      for (const auto& s : cases[c].says) CHECK_THAT(what, Catch::Contains(s));
    }
  }

  const std::string missing = (dir.path / "missing.txt").string();
  CHECK_THROWS_WITH(read_edge_list(missing, 10), Catch::StartsWith(missing + ": ") &&
                                                     Catch::Contains("cannot open") &&
                                                     Catch::Contains("No such file"));
  CHECK_THROWS_WITH(read_edge_list(dir.path.string(), 10), Catch::Contains("directory"));
}

// Hidden (run with `test_network "[perf]"`): the build-time budget for a large population.
TEST_CASE("watts_strogatz with 10^6 members builds in under 2 s", "[.][perf]") {
  const auto start = std::chrono::steady_clock::now();
  const Network net = generate_network(spec_of("watts_strogatz", 10, 0.1), 1'000'000, kKey);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN("watts_strogatz n=1e6 k=10 p=0.1: " << seconds << " s, " << network_bytes(net) / 1e6 << " MB");
  CHECK(net.mean_degree() == 10.0);
  CHECK(seconds < 2.0);
}

// A rank of a partitioned run builds only its block's rows (generate_network_rows): they must be
// exactly those of the whole graph, for every generator, block layout and rewiring.
TEST_CASE("watts_strogatz is the sequential rewiring rule, written plainly", "[network]") {
  // The rule of model/network.cpp, without its speed-ups: member u, in order, slot by slot, draws
  // whether the slot's far end moves and, unless u is tied to everyone, new far ends w until one is
  // neither u nor tied to u. Dense and tiny graphs (everyone tied to everyone, refusals every
  // time) and sparse ones (refusals rare) must give the same ties, and so must graphs of several
  // of the rule's blocks of 2^16 picks (the last two: 5 and 16 blocks).
  struct Case {
    std::uint32_t n;
    std::int64_t k;
    double p;
  };
  for (const Case& c : {Case{5, 4, 1.0}, Case{7, 4, 0.5}, Case{9, 6, 1.0}, Case{30, 4, 0.3},
                        Case{50, 48, 0.9}, Case{200, 10, 0.1}, Case{1000, 20, 1.0}, Case{3000, 10, 0.1},
                        Case{20000, 6, 0.02}, Case{60000, 10, 0.3}, Case{50000, 40, 0.5}}) {
    CAPTURE(c.n, c.k, c.p);
    const auto h = static_cast<std::uint32_t>(c.k / 2);
    std::vector<std::uint32_t> far(std::size_t{c.n} * h), degree(c.n, 2 * h);
    for (std::uint32_t u = 0; u < c.n; ++u)
      for (std::uint32_t s = 0; s < h; ++s) far[std::size_t{u} * h + s] = (u + s + 1) % c.n;
    const auto owns = [&](std::uint32_t a, std::uint32_t b) {
      return std::find(far.begin() + std::size_t{a} * h, far.begin() + std::size_t{a + 1} * h, b) !=
             far.begin() + std::size_t{a + 1} * h;
    };
    for (std::uint32_t u = 0; u < c.n; ++u) {
      Stream rng(kKey, Purpose::network, u, 0);
      for (std::uint32_t s = 0; s < h; ++s) {
        if (!rng.bernoulli(c.p) || degree[u] >= c.n - 1) continue;
        std::uint32_t w = 0;
        do {
          w = static_cast<std::uint32_t>(rng.below(c.n));
        } while (w == u || owns(u, w) || owns(w, u));
        --degree[far[std::size_t{u} * h + s]];
        ++degree[w];
        far[std::size_t{u} * h + s] = w;
      }
    }
    std::vector<std::vector<std::uint32_t>> rows(c.n);
    for (std::uint32_t u = 0; u < c.n; ++u)
      for (std::uint32_t s = 0; s < h; ++s) {
        rows[u].push_back(far[std::size_t{u} * h + s]);
        rows[far[std::size_t{u} * h + s]].push_back(u);
      }
    const Network net = generate_network(spec_of("watts_strogatz", c.k, c.p), c.n, kKey);
    CHECK(rows_differing(rows, net) == 0);
    for (std::uint32_t u = 0; u < c.n; ++u) CHECK(degree[u] == net.ties(u).size());
  }
}

TEST_CASE("erdos_renyi is geometric skipping over each member's higher ids, written plainly", "[network]") {
  // Member i, in its own stream: gap Geometric(p) to the next tie above i, until past n - 1.
  for (const auto& [n, k] : {std::pair<std::uint32_t, std::int64_t>{2, 1}, {10, 9}, {300, 40}, {20000, 8}}) {
    CAPTURE(n, k);
    const double p = static_cast<double>(k) / (n - 1), log_q = std::log1p(-p);
    std::vector<std::vector<std::uint32_t>> rows(n);
    for (std::uint32_t i = 0; i + 1 < n; ++i) {
      Stream rng(kKey, Purpose::network, i, 0);
      for (double j = i;;) {
        const double u = 1.0 - rng.uniform();
        j += 1.0 + (p >= 1 ? 0.0 : std::floor(std::log(u) / log_q));
        if (j >= n) break;
        rows[i].push_back(static_cast<std::uint32_t>(j));
        rows[static_cast<std::uint32_t>(j)].push_back(i);
      }
    }
    CHECK(rows_differing(rows, generate_network(spec_of("erdos_renyi", k), n, kKey)) == 0);
  }
}

TEST_CASE("barabasi_albert is preferential attachment with the endpoints list, written plainly",
          "[network]") {
  // A complete core of m + 1 members, then newcomer t ties to m distinct members, each drawn from
  // every tie end so far (both ends of every tie listed) with t's own stream.
  for (const auto& [n, m] :
       {std::pair<std::uint32_t, std::uint32_t>{2, 1}, {40, 39}, {300, 150}, {5000, 1}, {5000, 5}}) {
    CAPTURE(n, m);
    std::vector<std::uint32_t> ends;
    for (std::uint32_t a = 0; a <= m; ++a)
      for (std::uint32_t b = a + 1; b <= m; ++b) ends.insert(ends.end(), {a, b});
    for (std::uint32_t t = m + 1; t < n; ++t) {
      Stream rng(kKey, Purpose::network, t, 0);
      const std::size_t pool = ends.size();
      std::vector<std::uint32_t> mine;
      for (std::uint32_t r = 0; r < m; ++r) {
        std::uint32_t x = 0;
        do {
          x = ends[rng.below(pool)];
        } while (std::find(mine.begin(), mine.end(), x) != mine.end());
        mine.push_back(x);
        ends.insert(ends.end(), {t, x});
      }
    }
    std::vector<std::vector<std::uint32_t>> rows(n);
    for (std::size_t e = 0; e < ends.size(); e += 2) {
      rows[ends[e]].push_back(ends[e + 1]);
      rows[ends[e + 1]].push_back(ends[e]);
    }
    CHECK(rows_differing(rows, generate_network(spec_of("barabasi_albert", 10, 0.1, m), n, kKey)) == 0);
  }
}

TEST_CASE("generate_network_rows gives the whole graph's rows of the block, tie for tie", "[network]") {
  const std::uint32_t n = 5000;
  const std::vector<NetworkSpec> specs = {spec_of("ring"), spec_of("watts_strogatz", 10, 0.1),
                                          spec_of("watts_strogatz", 6, 0.9), spec_of("erdos_renyi", 8),
                                          spec_of("barabasi_albert", 10, 0.1, 3)};
  for (const NetworkSpec& spec : specs) {
    const Network whole = generate_network(spec, n, kKey);
    const std::vector<std::pair<std::uint32_t, std::uint32_t>> blocks = {
        {0, n}, {0, 1200}, {1200, 2000}, {3200, 1800}, {4999, 1}, {2500, 0}, {0, 0}};
    for (const auto& [first, count] : blocks) {
      CAPTURE(choice_name(spec.kind), spec.rewiring, first, count);
      const Network rows = generate_network_rows(spec, n, kKey, first, count);
      const Network expected = network_rows(whole, first, count);
      CHECK(rows.size == n);
      CHECK(rows.first == first);
      CHECK(rows.offsets == expected.offsets);
      CHECK(rows.targets == expected.targets);
      if (count > 0) {
        const std::uint32_t last = first + count - 1;
        CHECK(std::equal(rows.ties(last).begin(), rows.ties(last).end(), whole.ties(last).begin(),
                         whole.ties(last).end()));
      }
    }
  }
  CHECK_THROWS(generate_network_rows(spec_of("ring"), n, kKey, 4000, 1001));
}

// Erdos-Renyi over the ranks of a partitioned run: each rank draws only its own members' ties and
// sends the later ranks those ending among their members. Routed here as MPI_Alltoallv would
// (each rank receives the groups sent to it, in rank order), every rank's rows must be those of
// the whole graph, tie for tie: dense and sparse graphs, ranks holding nobody, one rank.
TEST_CASE("erdos_renyi over ranks gives each rank the whole graph's rows", "[network]") {
  struct Case {
    std::uint32_t n, chunk;
    std::int64_t k;
    int ranks;
  };
  for (const Case& c :
       {Case{5000, 100, 8, 1}, Case{5000, 100, 8, 2}, Case{5000, 128, 8, 5}, Case{5000, 700, 12, 4},
        Case{300, 40, 299, 3}, Case{300, 50, 0, 3}, Case{200, 100, 6, 4}}) {
    CAPTURE(c.n, c.chunk, c.k, c.ranks);
    const NetworkSpec spec = spec_of("erdos_renyi", c.k);
    const Network whole = generate_network(spec, c.n, kKey);
    const Blocks blocks = Blocks::even(c.n, c.chunk, c.ranks);
    std::vector<DrawnTies> drawn;
    std::uint64_t all = 0, crossing = 0;
    for (int r = 0; r < c.ranks; ++r) {
      drawn.push_back(erdos_renyi_drawn(spec, c.n, kKey, blocks, r));
      const DrawnTies& d = drawn.back();
      REQUIRE(d.per_rank.size() == static_cast<std::size_t>(c.ranks));
      REQUIRE(std::accumulate(d.per_rank.begin(), d.per_rank.end(), std::uint64_t{0}) == d.ties.size());
      std::size_t k = 0;
      for (int to = 0; to < c.ranks; ++to) {
        if (to < r) CHECK(d.per_rank[static_cast<std::size_t>(to)] == 0);
        for (std::uint64_t e = 0; e < d.per_rank[static_cast<std::size_t>(to)]; ++e, ++k) {
          const Tie& t = d.ties[k];
          CHECK(blocks.owner(t.drawer) == r);
          CHECK(blocks.owner(t.far) == to);
          CHECK(t.far > t.drawer);
          CHECK(std::binary_search(whole.ties(t.drawer).begin(), whole.ties(t.drawer).end(), t.far));
        }
      }
      all += d.ties.size();
      crossing += d.ties.size() - d.per_rank[static_cast<std::size_t>(r)];
    }
    // Every tie was drawn once, and every tie between two ranks' members is sent once.
    std::uint64_t expected_crossing = 0;
    for (std::uint32_t i = 0; i < c.n; ++i)
      for (std::uint32_t j : whole.ties(i)) expected_crossing += j > i && blocks.owner(j) != blocks.owner(i);
    CHECK(2 * all == whole.targets.size());
    CHECK(crossing == expected_crossing);
    for (int r = 0; r < c.ranks; ++r) {
      std::vector<Tie> below;
      for (int from = 0; from < r; ++from) {
        const DrawnTies& d = drawn[static_cast<std::size_t>(from)];
        const auto begin = std::accumulate(d.per_rank.begin(), d.per_rank.begin() + r, std::uint64_t{0});
        const auto end = begin + d.per_rank[static_cast<std::size_t>(r)];
        below.insert(below.end(), d.ties.begin() + static_cast<std::ptrdiff_t>(begin),
                     d.ties.begin() + static_cast<std::ptrdiff_t>(end));
      }
      const Network rows =
          erdos_renyi_rows(c.n, blocks.first(r), blocks.count(r), below, drawn[static_cast<std::size_t>(r)]);
      const Network expected = network_rows(whole, blocks.first(r), blocks.count(r));
      CHECK(rows.first == blocks.first(r));
      CHECK(rows.offsets == expected.offsets);
      CHECK(rows.targets == expected.targets);
    }
  }
  CHECK_THROWS_AS(erdos_renyi_drawn(spec_of("erdos_renyi", 300), 300, kKey, Blocks::even(300, 40, 2), 0),
                  InputError);
}
