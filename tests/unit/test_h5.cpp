// The HDF5 layer, the results writer and the results reader: round trips bit for bit, typed
// attributes, chunking, atomic writes, reader errors, and a check that plain h5py reads the file.

#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "io/h5.hpp"
#include "io/results_reader.hpp"
#include "io/results_writer.hpp"

namespace fs = std::filesystem;
using namespace cxsim;

namespace {

// A fresh directory per test, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("cxsim_test_h5_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path)) names.push_back(e.path().filename().string());
    return names;
  }
};

constexpr int kReps = 3;
constexpr int kDays = 400;
constexpr int kCustomers = 5000;

// Values that exercise every bit: irrational-ish fractions, negatives, huge, tiny, NaN and inf.
double synthetic(std::size_t i) {
  const double x = std::sin(static_cast<double>(i) * 0.7071) * 1e3 + static_cast<double>(i) * 1e-9;
  if (i % 997 == 0) return std::numeric_limits<double>::quiet_NaN();
  if (i % 1009 == 0) return -std::numeric_limits<double>::infinity();
  if (i % 1013 == 0) return 1e-310;  // subnormal
  return i % 2 ? x : -x * 1e12;
}

RunResult make_result(bool with_customers) {
  RunResult r;
  r.params.run_seed = 42;
  r.params.run_replications = kReps;
  r.params.run_horizon_days = kDays;
  r.params.market_population = kCustomers;
  r.params.purchase_price = 49.99;
  r.params.network_kind = "ring";
  r.params.run_save_customers = with_customers;
  r.series = SeriesSet(kReps, kDays);
  for (std::size_t i = 0; i < r.series.values.size(); ++i) r.series.values[i] = synthetic(i);
  r.stats = RunStats{4, 1.25, 1.0, 6000000};
  if (with_customers) {
    for (int rep = 0; rep < 2; ++rep) {
      std::vector<std::uint8_t> state(kCustomers);
      std::vector<std::int32_t> orders(kCustomers);
      std::vector<float> attitude(kCustomers);
      for (int c = 0; c < kCustomers; ++c) {
        state[c] = static_cast<std::uint8_t>((c * 7 + rep) % 5);
        orders[c] = c * 13 - 1000 * rep;
        attitude[c] = static_cast<float>(std::cos(c * 0.1 + rep));
      }
      r.customers.push_back({{"state", "", "0 prospect, 1 active, 2 churned, 3 rejecter", state},
                             {"orders", "orders", "Orders placed", orders},
                             {"attitude", "attitude", "Final attitude", attitude}});
    }
  }
  return r;
}

Provenance make_provenance() {
  Provenance p;
  p.command_line = "cxsim run scenarios/test.toml -o out.h5";
  p.scenario_path = "scenarios/test.toml";
  p.scenario_text =
      "# Kundenzufriedenheit \xe2\x80\x93 gr\xc3\xbc\xc3\x9f"
      "e\n[run]\nseed = 42\n";
  p.created_utc = "2025-01-31T12:00:00Z";
  return p;
}

bool same_bits(const std::vector<double>& a, std::span<const double> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// Every handle this layer opened has been closed again.
long open_hdf5_objects() {
  return static_cast<long>(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL));
}

template <class F>
std::string input_error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace

TEST_CASE("sha256 matches the FIPS 180-4 test vectors", "[h5]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(utc_now_iso8601().size() == 20);
}

TEST_CASE("chunk shapes hold thousands of elements, whole rows first", "[h5]") {
  using V = std::vector<hsize_t>;
  CHECK(h5::chunk_shape(V{1000, 730}, 8) == V{11, 730});
  CHECK(h5::chunk_shape(V{100, 36500}, 8) == V{1, 8192});
  CHECK(h5::chunk_shape(V{3, 400}, 8) == V{3, 400});
  CHECK(h5::chunk_shape(V{300, 1}, 8) == V{300, 1});
  CHECK(h5::chunk_shape(V{200000000}, 1) == V{65536});
  CHECK(h5::chunk_shape(V{200000000}, 4) == V{16384});
  CHECK(h5::chunk_shape(V{10}, 8).empty());  // tiny: contiguous
  CHECK(h5::chunk_shape(V{0, 730}, 8).empty());
}

TEST_CASE("results round trip bit for bit", "[h5]") {
  const TempDir dir;
  const std::string path = dir.file("results.h5");
  const RunResult result = make_result(false);
  write_results(path, result, make_provenance());
  CHECK(dir.entries() == std::vector<std::string>{"results.h5"});

  const ResultsFile f = read_results(path);
  SECTION("provenance and run size") {
    CHECK(f.path == path);
    CHECK(f.format_version == 1);
    CHECK(f.attributes.at("format") == "cxsim-results");
    CHECK(!f.cxsim_version.empty());
    CHECK(!f.git_sha.empty());
    CHECK(f.created_utc == "2025-01-31T12:00:00Z");
    CHECK(f.command_line == make_provenance().command_line);
    CHECK(f.scenario_path == "scenarios/test.toml");
    CHECK(f.scenario_text == make_provenance().scenario_text);
    CHECK(f.scenario_sha256 == sha256_hex(make_provenance().scenario_text));
    CHECK(f.rng_scheme.find("Philox4x64-10") == 0);
    CHECK(f.seed == 42);
    CHECK(f.replications == kReps);
    CHECK(f.horizon_days == kDays);
    CHECK(f.population == kCustomers);
    CHECK(f.threads == 4);
    CHECK(f.seconds_total == 1.25);
    CHECK(f.seconds_simulating == 1.0);
    CHECK(f.customer_days == 6000000);
    CHECK(f.attributes.at("seconds_total") == "1.25");
  }
  SECTION("every parameter, as param_to_string writes it") {
    for (const ParamSpec& spec : param_specs()) {
      INFO(spec.key);
      REQUIRE(f.parameters.count(std::string(spec.key)) == 1);
      CHECK(f.parameters.at(std::string(spec.key)) == param_to_string(result.params, spec));
    }
    CHECK(f.parameters.size() == param_specs().size());
    REQUIRE(f.segments.size() == result.params.segments.size());
    CHECK(f.segments[1].at("name") == "price-driven");
    CHECK(f.segments[1].at("price_sensitivity") == "8");
    CHECK(f.segments[0].at("share") == "0.6666666666666666");
  }
  SECTION("every series, bit for bit, in registry order") {
    REQUIRE(f.strategies.size() == 1);
    const StrategyResults& s = f.strategies[0];
    CHECK(s.name == "baseline");
    CHECK(f.strategy("baseline") == &s);
    CHECK(f.strategy("other") == nullptr);
    CHECK(s.replications == kReps);
    CHECK(s.days == kDays);
    REQUIRE(s.metrics.size() == static_cast<std::size_t>(kMetricCount));
    for (int m = 0; m < kMetricCount; ++m) {
      const MetricDef& def = metric_defs()[m];
      INFO(def.name);
      CHECK(s.metrics[m].name == def.name);
      CHECK(s.metrics[m].unit == def.unit);
      CHECK(s.metrics[m].description == def.description);
      CHECK(same_bits(s.values[m], result.series.metric(static_cast<Metric>(m))));
    }
    CHECK(s.metrics[find_metric("csat")].kind == "ratio");
    CHECK(s.metrics[find_metric("revenue")].kind == "flow");
    CHECK(same_bits(s.to_series_set().values, result.series.values));
    CHECK(s.customer_replications == 0);
    CHECK(s.customer_columns.empty());
    CHECK(read_customers(path).empty());
  }
  SECTION("attributes are typed") {
    const h5::File file = h5::File::open(path);
    for (const char* name : {"format", "cxsim_version", "git_sha", "created_utc", "command_line",
                             "scenario_path", "scenario_text", "scenario_sha256", "rng_scheme"}) {
      INFO(name);
      CHECK(file.attr_type(name) == h5::AttrType::string);
    }
    for (const char* name : {"format_version", "seed", "replications", "horizon_days", "population",
                             "threads", "customer_days"}) {
      INFO(name);
      CHECK(file.attr_type(name) == h5::AttrType::integer);
    }
    for (const char* name : {"seconds_total", "seconds_simulating"})
      CHECK(file.attr_type(name) == h5::AttrType::real);
    const h5::Group params = file.open_group("parameters");
    CHECK(params.attr_type("purchase.price") == h5::AttrType::real);
    CHECK(params.read_attr<double>("purchase.price") == 49.99);
    CHECK(params.attr_type("run.seed") == h5::AttrType::integer);
    CHECK(params.attr_type("churn.enabled") == h5::AttrType::boolean);
    CHECK(params.read_attr<bool>("churn.enabled"));
    CHECK_FALSE(params.read_attr<bool>("wom.all_adopters_promote"));
    CHECK(params.attr_type("network.kind") == h5::AttrType::string);
    const h5::Dataset ds = file.open_dataset("strategies/baseline/series/active_customers");
    CHECK(ds.element_type() == h5::ElementType::float64);
    CHECK(ds.dims() == std::vector<hsize_t>{kReps, kDays});
    CHECK(ds.chunk() == std::vector<hsize_t>{kReps, kDays});
    CHECK(ds.read_attr<std::string>("unit") == "people");
    CHECK(ds.read_attr<std::string>("kind") == "stock");
    CHECK_THROWS_AS(ds.read_attr<std::string>("no_such_attribute"), h5::Error);
    CHECK_THROWS_WITH(file.open_group("no_such_group"), Catch::Contains("no_such_group"));
  }
  SECTION("describe_results, as cxsim info prints it") {
    const std::string text = describe_results(f);
    for (const char* expected :
         {"2025-01-31T12:00:00Z", "scenarios/test.toml", "baseline", "active_customers", "currency/day",
          "revenue (total)", "retention (12 months)", "42", "6000000 customer-days"}) {
      INFO(expected);
      CHECK(text.find(expected) != std::string::npos);
    }
  }
  CHECK(open_hdf5_objects() == 0);
}

TEST_CASE("customer columns round trip", "[h5]") {
  const TempDir dir;
  const std::string path = dir.file("customers.h5");
  const RunResult result = make_result(true);
  write_results(path, result, make_provenance(), "what_if");
  const ResultsFile f = read_results(path);
  REQUIRE(f.strategy("what_if"));
  CHECK(f.strategy("what_if")->customer_replications == 2);
  CHECK(f.strategy("what_if")->customer_columns == std::vector<std::string>{"state", "orders", "attitude"});
  const auto customers = read_customers(path, "what_if");
  REQUIRE(customers.size() == result.customers.size());
  for (std::size_t r = 0; r < customers.size(); ++r) {
    REQUIRE(customers[r].size() == result.customers[r].size());
    for (std::size_t c = 0; c < customers[r].size(); ++c) {
      INFO(customers[r][c].name);
      CHECK(customers[r][c].name == result.customers[r][c].name);
      CHECK(customers[r][c].unit == result.customers[r][c].unit);
      CHECK(customers[r][c].description == result.customers[r][c].description);
      CHECK(customers[r][c].data == result.customers[r][c].data);
    }
  }
  const h5::File file = h5::File::open(path);
  const h5::Dataset state = file.open_dataset("strategies/what_if/customers/rep_1/state");
  CHECK(state.element_type() == h5::ElementType::uint8);
  CHECK(state.chunk() == std::vector<hsize_t>{kCustomers});
  CHECK_THROWS_AS(read_customers(path, "baseline"), InputError);
}

TEST_CASE("writes are atomic", "[h5]") {
  const TempDir dir;
  const std::string path = dir.file("results.h5");
  RunResult bad = make_result(true);
  bad.customers[1].push_back(bad.customers[1][0]);  // a second "state": fails mid-write

  SECTION("a failed write leaves neither the file nor a temporary") {
    CHECK_THROWS_AS(write_results(path, bad, make_provenance()), h5::Error);
    CHECK(dir.entries().empty());
  }
  SECTION("a failed write leaves an existing file intact") {
    const RunResult good = make_result(false);
    write_results(path, good, make_provenance());
    const auto before = fs::file_size(path);
    CHECK_THROWS(write_results(path, bad, make_provenance()));
    CHECK(dir.entries() == std::vector<std::string>{"results.h5"});
    CHECK(fs::file_size(path) == before);
    const ResultsFile f = read_results(path);
    CHECK(same_bits(f.strategies.at(0).values.at(0), good.series.metric(Metric::prospects)));
  }
  SECTION("a good write replaces an existing results file, keeping its permissions") {
    write_results(path, make_result(false), make_provenance());
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    write_results(path, make_result(false), make_provenance());
    CHECK(read_results(path).seed == 42);
    CHECK(dir.entries() == std::vector<std::string>{"results.h5"});
    CHECK(fs::status(path).permissions() ==
          (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
  }
  SECTION("a file that is not a results file is never replaced (docs/reliability.md)") {
    std::ofstream(path) << "old";
    CHECK_THAT(input_error_of([&] { write_results(path, make_result(false), make_provenance()); }),
               Catch::Contains("not a cxsim results file"));
    std::ifstream in(path);
    std::string text;
    in >> text;
    CHECK(text == "old");
    CHECK(dir.entries() == std::vector<std::string>{"results.h5"});
  }
  SECTION("a symlink or FIFO at the path is refused and left as it is") {
    fs::create_symlink(dir.file("elsewhere.h5"), path);
    CHECK_THAT(input_error_of([&] { write_results(path, make_result(false), make_provenance()); }),
               Catch::Contains("symbolic link"));
    CHECK(fs::is_symlink(path));
    CHECK(!fs::exists(dir.file("elsewhere.h5")));
    const std::string fifo = dir.file("fifo.h5");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THAT(input_error_of([&] { write_results(fifo, make_result(false), make_provenance()); }),
               Catch::Contains("special file"));
    CHECK(fs::is_fifo(fifo));
  }
  SECTION("a missing directory is an InputError naming the path") {
    const std::string missing = dir.file("no/such/dir/results.h5");
    CHECK_THAT(input_error_of([&] { write_results(missing, make_result(false), {}); }),
               Catch::Contains(missing));
  }
  SECTION("a path that is a directory is an InputError, and no temporary is left") {
    fs::create_directory(dir.path / "taken");
    const std::string taken = dir.file("taken");
    CHECK_THAT(input_error_of([&] { write_results(taken, make_result(false), {}); }), Catch::Contains(taken));
    CHECK(dir.entries() == std::vector<std::string>{"taken"});
  }
  SECTION("a strategy name that cannot be a group is an InputError") {
    CHECK_THROWS_AS(write_results(path, make_result(false), {}, "a/b"), InputError);
    CHECK_THROWS_AS(write_results(path, make_result(false), {}, ""), InputError);
  }
  SECTION("an inconsistent series is a programming error") {
    RunResult wrong = make_result(false);
    wrong.series.values.pop_back();
    CHECK_THROWS_AS(write_results(path, wrong, {}), std::invalid_argument);
    CHECK(dir.entries().empty());
  }
  CHECK(open_hdf5_objects() == 0);
}

TEST_CASE("the reader says what is wrong and where", "[h5]") {
  const TempDir dir;
  const auto expect_input_error = [](const std::string& path, const char* what) {
    INFO(path);
    const std::string message = input_error_of([&] { read_results(path); });
    CHECK_THAT(message, Catch::Contains(path) && Catch::Contains(what));
  };

  expect_input_error(dir.file("missing.h5"), "no such file");

  std::ofstream(dir.file("text.h5")) << "not HDF5 at all\n";
  expect_input_error(dir.file("text.h5"), "not an HDF5 file");

  {
    const h5::File other = h5::File::create(dir.file("other.h5"));
    other.write_attr("title", "someone else's data");
  }
  expect_input_error(dir.file("other.h5"), "not a cxsim results file");

  {
    const h5::File newer = h5::File::create(dir.file("newer.h5"));
    newer.write_attr("format", "cxsim-results");
    newer.write_attr("format_version", std::int64_t{99});
  }
  expect_input_error(dir.file("newer.h5"), "version 99");

  const std::string good = dir.file("good.h5");
  write_results(good, make_result(true), make_provenance());
  const std::string truncated = dir.file("truncated.h5");
  fs::copy_file(good, truncated);
  fs::resize_file(truncated, fs::file_size(good) / 2);
  expect_input_error(truncated, "truncated");
  CHECK_THROWS_AS(read_customers(truncated), InputError);

  expect_input_error(dir.path.string(), "directory");
  CHECK(open_hdf5_objects() == 0);
}

TEST_CASE("HDF5 failures become exceptions and print nothing", "[h5]") {
  const TempDir dir;
  std::ofstream(dir.file("text.h5")) << "text";
  const std::string missing = dir.file("missing.h5");
  std::fflush(stderr);
  const int saved = ::dup(2);
  const int sink = ::open(dir.file("stderr.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(sink, 2);
  CHECK_THROWS_AS(h5::File::open(dir.file("text.h5")), h5::Error);
  CHECK_THROWS_WITH(h5::File::open(missing), Catch::Contains(missing));
  CHECK_THROWS_AS(read_results(dir.file("text.h5")), InputError);
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  ::close(sink);
  CHECK(fs::file_size(dir.file("stderr.txt")) == 0);
  CHECK(open_hdf5_objects() == 0);
}

TEST_CASE("plain h5py reads the file", "[h5][python]") {
  if (std::system("/usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1") != 0) {
    WARN("h5py is not available to /usr/bin/python3: skipping the h5py check");
    return;
  }
  const TempDir dir;
  const std::string path = dir.file("results.h5");
  const RunResult result = make_result(true);
  write_results(path, result, make_provenance());
  {
    const auto active = result.series.metric(Metric::active_customers);
    std::ofstream(dir.file("active.f64"), std::ios::binary)
        .write(reinterpret_cast<const char*>(active.data()),
               static_cast<std::streamsize>(active.size_bytes()));
  }
  std::ofstream(dir.file("check.py")) << R"(
import hashlib, sys
import h5py, numpy as np
path, expected_path = sys.argv[1], sys.argv[2]
with h5py.File(path, "r") as f:
    a = f.attrs
    for name in ("format", "cxsim_version", "created_utc", "scenario_text", "rng_scheme"):
        assert isinstance(a[name], str), (name, type(a[name]))
    assert a["format"] == "cxsim-results"
    assert a["format_version"] == 1 and a["seed"] == 42 and a["seed"].dtype == np.int64
    assert a["scenario_sha256"] == hashlib.sha256(a["scenario_text"].encode()).hexdigest()
    p = f["parameters"].attrs
    assert isinstance(p["churn.enabled"], np.bool_) and bool(p["churn.enabled"]), type(p["churn.enabled"])
    assert isinstance(p["network.kind"], str) and p["network.kind"] == "ring"
    assert p["purchase.price"] == 49.99
    assert f["parameters/segments/1"].attrs["name"] == "price-driven"
    s = f["strategies/baseline/series"]
    assert list(s)[:2] == ["prospects", "active_customers"], list(s)[:2]
    ds = s["active_customers"]
    assert ds.dtype == np.float64 and ds.shape == (3, 400), (ds.dtype, ds.shape)
    assert ds.compression == "gzip" and ds.compression_opts == 4 and ds.shuffle
    assert isinstance(ds.attrs["unit"], str) and ds.attrs["kind"] == "stock"
    expected = np.fromfile(expected_path, dtype="<f8").reshape(3, 400)
    assert np.array_equal(ds[()], expected, equal_nan=True)
    c = f["strategies/baseline/customers/rep_0"]
    assert c["state"].dtype == np.uint8 and c["orders"].dtype == np.int32
    assert c["attitude"].dtype == np.float32 and c["attitude"].shape == (5000,)
print("h5py ok")
)";
  const std::string command =
      "/usr/bin/python3 " + dir.file("check.py") + " " + path + " " + dir.file("active.f64");
  CHECK(std::system(command.c_str()) == 0);
}
