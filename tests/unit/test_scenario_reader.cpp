// The scenario reader: every shipped scenario reads, defaults fill gaps, each kind of mistake is
// reported with file:line:column, the key and a helpful message, overrides, round trip, docs.

#include <catch2/catch.hpp>

#include <toml++/toml.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/errors.hpp"
#include "io/scenario_reader.hpp"
#include "io/targets_reader.hpp"

using namespace cxsim;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const fs::path source_dir = CXSIM_SOURCE_DIR;

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Differences between two parameter sets, one "key: a vs b" a line ("" when identical).
std::string differences(const Params& a, const Params& b) {
  std::string out;
  for (const auto& spec : param_specs()) {
    const auto x = param_to_string(a, spec), y = param_to_string(b, spec);
    if (x != y) out += std::string(spec.key) + ": " + x + " vs " + y + "\n";
  }
  if (a.segments.size() != b.segments.size()) return out + "segment count differs\n";
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    if (a.segments[i].name != b.segments[i].name) out += "segment name differs\n";
    for (const auto& spec : segment_param_specs())
      if (a.segments[i].*spec.member != b.segments[i].*spec.member)
        out += "segment[" + std::to_string(i) + "]." + std::string(spec.name) + " differs\n";
  }
  return out;
}

/// The InputError that parsing `text` throws (fails the test when none is thrown).
InputError parse_error(const std::string& text, const std::string& path = "test.toml") {
  try {
    parse_scenario(text, path);
  } catch (const InputError& e) {
    return e;
  }
  FAIL("no InputError for:\n" << text);
  throw;  // unreachable
}

InputError override_error(const std::vector<std::string>& assignments) {
  Scenario s = parse_scenario("", "");
  try {
    apply_overrides(s, assignments);
  } catch (const InputError& e) {
    return e;
  }
  FAIL("no InputError for --set " << assignments.front());
  throw;
}

std::vector<fs::path> shipped_scenarios() {
  std::vector<fs::path> files;
  for (const auto* dir : {"scenarios", "scenarios/validation"})
    for (const auto& entry : fs::directory_iterator(source_dir / dir))
      if (entry.path().extension() == ".toml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("every shipped scenario reads and validates", "[scenario]") {
  const auto files = shipped_scenarios();
  CHECK(files.size() >= 7);
  for (const auto& file : files) {
    INFO(file.string());
    CHECK_NOTHROW(load_scenario(file.string()));
  }
}

TEST_CASE("baseline.toml states every key, at the registry default", "[scenario]") {
  const auto file = source_dir / "scenarios/baseline.toml";
  const Scenario s = load_scenario(file.string());
  INFO("baseline.toml must state every registry default; if a default changed, update the file");
  CHECK(differences(s.params, Params{}) == "");
  const auto root = toml::parse_file(file.string());
  for (const auto& spec : param_specs()) {
    INFO(spec.key);
    CHECK(root.at_path(spec.key));
  }
  REQUIRE(root["segment"].as_array());
  for (const auto& segment : *root["segment"].as_array())
    for (const auto& spec : segment_param_specs()) {
      INFO(spec.name);
      CHECK(segment.as_table()->contains(spec.name));
    }
}

TEST_CASE("validation scenarios set what their names promise", "[scenario]") {
  const auto dir = source_dir / "scenarios/validation";
  const auto bass = load_scenario((dir / "bass_complete.toml").string()).params;
  CHECK(bass.network_kind == "complete");
  CHECK(bass.market_population == 20000);
  CHECK(bass.run_horizon_days == 3650);
  CHECK(bass.market_initial_customer_share == 0);
  CHECK(bass.wom_all_adopters_promote);
  CHECK_FALSE(bass.churn_enabled);
  CHECK(bass.quality_defect_rate + bass.quality_late_delivery_rate + bass.quality_confusion_rate +
            bass.quality_billing_error_rate ==
        0);
  CHECK(bass.contacts_value_demand_per_year == 0);
  CHECK(bass.acquisition_warning_impact == 0);
  CHECK(bass.wom_share_after_delight + bass.wom_share_after_failure == 0);
  CHECK(bass.acquisition_p_per_year == 0.03);
  CHECK(bass.acquisition_q_per_year == 0.38);
  for (const std::string kind : {"ring", "erdos_renyi", "watts_strogatz", "barabasi_albert"}) {
    const auto p = load_scenario((dir / (kind + ".toml")).string()).params;
    CHECK(p.network_kind == kind);
    CHECK(p.market_population == 2000);
    CHECK(p.run_horizon_days == 60);
  }
  const auto edges = load_scenario((dir / "edge_list.toml").string()).params;
  CHECK(edges.network_kind == "edge_list");
  CHECK(fs::path(edges.network_edge_list).is_absolute());
  CHECK(fs::equivalent(edges.network_edge_list, dir / "small_edges.txt"));
}

TEST_CASE("keys left out keep their defaults; segments are read", "[scenario]") {
  CHECK(differences(parse_scenario("", "x.toml").params, Params{}).empty());
  const auto p = parse_scenario(R"(
[purchase]
price = 45            # an integer is fine for a number key
[market]
population = 1e3      # a float with no fraction is fine for an integer key
[[segment]]
name = "loyal"
share = 0.25
expectation = 0.9
[[segment]]
name = "everyone else"
share = 0.75
)",
                                "x.toml")
                     .params;
  CHECK(p.purchase_price == 45.0);
  CHECK(p.market_population == 1000);
  CHECK(p.purchase_unit_cost == Params{}.purchase_unit_cost);
  REQUIRE(p.segments.size() == 2);
  CHECK(p.segments[0].name == "loyal");
  CHECK(p.segments[0].expectation == 0.9);
  CHECK(p.segments[1].name == "everyone else");
  CHECK(p.segments[1].expectation == Segment{}.expectation);
  CHECK(p.segments[1].share == 0.75);
}

TEST_CASE("load_scenario names a missing file", "[scenario][errors]") {
  try {
    load_scenario("/no/such/dir/scenario.toml");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.file() == "/no/such/dir/scenario.toml");
    CHECK_THAT(e.message(), Contains("cannot read"));
  }
  CHECK_THROWS_AS(load_scenario(source_dir.string()), InputError);  // a directory
}

TEST_CASE("errors carry file, line, column, key and a helpful message", "[scenario][errors]") {
  SECTION("TOML syntax") {
    const auto e = parse_error("[run]\nseed = 1\nhorizon_days = = 3\n");
    CHECK(e.file() == "test.toml");
    CHECK(e.line() == 3);
    CHECK(e.column() > 0);
    CHECK_THAT(e.message(), Contains("TOML syntax error"));
    CHECK_THAT(std::string(e.what()), Contains("test.toml:3:"));
  }
  SECTION("misspelt key") {
    const auto e = parse_error("[purchase]\n  pice = 45\n");
    CHECK(e.line() == 2);
    CHECK(e.column() == 3);
    CHECK(e.key() == "purchase.pice");
    CHECK_THAT(e.message(), Contains("did you mean 'purchase.price'?"));
    CHECK_THAT(e.message(), Contains("docs/scenarios.md"));
  }
  SECTION("key in the wrong section") {
    const auto e = parse_error("[purchase]\ndefect_rate = 0.1\n");
    CHECK_THAT(e.message(), Contains("did you mean 'quality.defect_rate'?"));
  }
  SECTION("key outside any section") {
    const auto e = parse_error("population = 1000\n");
    CHECK(e.line() == 1);
    CHECK(e.key() == "population");
    CHECK_THAT(e.message(), Contains("'market.population'"));
  }
  SECTION("misspelt section") {
    const auto e = parse_error("# comment\n[purchse]\nprice = 45\n");
    CHECK(e.line() == 2);
    CHECK(e.column() == 2);
    CHECK(e.key() == "purchse");
    CHECK_THAT(e.message(), Contains("did you mean 'purchase'?"));
  }
  SECTION("a section that is not a table") {
    const auto e = parse_error("market = 5\n");
    CHECK(e.key() == "market");
    CHECK_THAT(e.message(), Contains("[market]"));
  }
  SECTION("string for a number") {
    const auto e = parse_error("[purchase]\nprice = \"fifty\"\n");
    CHECK(e.line() == 2);
    CHECK(e.column() == 9);
    CHECK(e.key() == "purchase.price");
    CHECK_THAT(e.message(), Contains("expected a number in [0, "));
    CHECK_THAT(e.message(), Contains("the string \"fifty\""));
  }
  SECTION("fraction for an integer") {
    const auto e = parse_error("[run]\nhorizon_days = 100.5\n");
    CHECK(e.key() == "run.horizon_days");
    CHECK_THAT(e.message(), Contains("expected a whole number in [1, 36500] (days)"));
  }
  SECTION("integer or string for a boolean") {
    CHECK_THAT(parse_error("[churn]\nenabled = 1\n").message(), Contains("true or false"));
    CHECK(parse_error("[churn]\nenabled = \"true\"\n").key() == "churn.enabled");
  }
  SECTION("number out of range") {
    const auto e = parse_error("[quality]\n\ndefect_rate = 1.5\n");
    CHECK(e.line() == 3);
    CHECK(e.column() == 15);
    CHECK(e.key() == "quality.defect_rate");
    CHECK_THAT(e.message(), Contains("1.5"));
    CHECK_THAT(e.message(), Contains("[0, 1]"));
    CHECK_THAT(parse_error("[quality]\ndefect_rate = nan\n").message(), Contains("out of range"));
  }
  SECTION("integer too large") {
    const auto e = parse_error("[market]\npopulation = 9000000000\n");
    CHECK_THAT(e.message(), Contains("9000000000 is out of range"));
    CHECK_THAT(e.message(), Contains("a whole number in [1, 200000000] (people)"));
    CHECK(parse_error("[market]\npopulation = 99999999999999999999\n").line() == 2);
    CHECK(parse_error("[market]\npopulation = 1e300\n").key() == "market.population");
  }
  SECTION("choice not allowed") {
    const auto e = parse_error("[network]\nkind = \"rnig\"\n");
    CHECK(e.key() == "network.kind");
    CHECK(e.line() == 2);
    CHECK_THAT(e.message(), Contains("one of complete, ring"));
    CHECK_THAT(e.message(), Contains("did you mean 'ring'?"));
  }
  SECTION("segment mistakes") {
    CHECK_THAT(parse_error("[[segment]]\nname = \"a\"\nshare = 1\nexpectaton = 0.5\n").message(),
               Contains("did you mean 'expectation'?"));
    const auto e = parse_error("[[segment]]\nname = \"a\"\nshare = 1\n[[segment]]\nshare = 0\n");
    CHECK(e.line() == 4);
    CHECK(e.key() == "segment[1]");
    CHECK_THAT(e.message(), Contains("needs a name"));
    CHECK(parse_error("segment = 3\n").key() == "segment");
    CHECK_THAT(
        parse_error("[[segment]]\nname = \"a\"\nshare = 1\n[[segment]]\nname = \"a\"\nshare = 0\n").message(),
        Contains("two segments"));
    CHECK(parse_error("[[segment]]\nname = \"a\"\nshare = 2\n").key() == "segment[0].share");
  }
  SECTION("cross-parameter checks from validate() get the file and the key's line") {
    const auto e = parse_error("[[segment]]\nname = \"a\"\nshare = 0.5\n");
    CHECK(e.key() == "segment.share");
    CHECK(e.line() == 3);
    CHECK_THAT(e.message(), Contains("add up to"));
    const auto q = parse_error(
        "[acquisition]\np_per_year = 0.03\nq_per_year = 18\n"
        "recommendation_conversion = 0.01\n");
    CHECK(q.key() == "acquisition.q_per_year");
    CHECK(q.line() == 3);
    CHECK(q.file() == "test.toml");
    const auto d = parse_error("[network]\nkind = \"ring\"\nmean_degree = 5\n");
    CHECK(d.line() == 3);
    CHECK(d.key() == "network.mean_degree");
  }
  SECTION("edge-list file that does not exist") {
    const auto e =
        parse_error("[network]\nkind = \"edge_list\"\nedge_list = \"nope.txt\"\n", "/tmp/dir/s.toml");
    CHECK(e.key() == "network.edge_list");
    CHECK(e.line() == 3);
    CHECK_THAT(e.message(), Contains("/tmp/dir/nope.txt"));
  }
}

TEST_CASE("overrides (--set) are read as TOML values and checked", "[scenario][overrides]") {
  Scenario s = parse_scenario("", "");
  apply_overrides(s, {"purchase.price=45", "network.kind=ring", "network.kind = \"erdos_renyi\"",
                      "churn.enabled=false", "market.population=5000", "segment.price-driven.expectation=0.7",
                      "segment[0].patience_s=200", "segment[1].name=bargain hunters"});
  CHECK(s.params.purchase_price == 45.0);
  CHECK(s.params.network_kind == "erdos_renyi");
  CHECK_FALSE(s.params.churn_enabled);
  CHECK(s.params.market_population == 5000);
  CHECK(s.params.segments[1].expectation == 0.7);
  CHECK(s.params.segments[0].patience_s == 200);
  CHECK(s.params.segments[1].name == "bargain hunters");

  const auto unknown = override_error({"purchase.pice=45"});
  CHECK(unknown.file() == "");
  CHECK(unknown.key() == "purchase.pice");
  CHECK_THAT(unknown.message(), Contains("did you mean 'purchase.price'?"));
  CHECK_THAT(override_error({"pice=45"}).message(), Contains("'purchase.price'"));
  CHECK_THAT(override_error({"purchase.price=fifty"}).message(), Contains("expected a number in"));
  CHECK_THAT(override_error({"quality.defect_rate=2"}).message(), Contains("[0, 1]"));
  CHECK_THAT(override_error({"churn.enabled=yes"}).message(), Contains("true or false"));
  CHECK_THAT(override_error({"network.kind=rnig"}).message(), Contains("did you mean 'ring'?"));
  CHECK_THAT(override_error({"purchase.price"}).message(), Contains("key=value"));
  CHECK_THAT(override_error({"purchase.price=45\nfoo=1"}).message(), Contains("expected"));
  CHECK_THAT(override_error({"segment.nobody.share=1"}).message(), Contains("experience-driven"));
  CHECK_THAT(override_error({"segment[7].share=1"}).message(), Contains("2 segments"));
  CHECK_THAT(override_error({"segment[x].share=1"}).message(), Contains("segment[<i>]"));
  CHECK_THAT(override_error({"segment.share=1"}).message(), Contains("segment.<name>"));
  CHECK_THAT(override_error({"segment[0].shar=1"}).message(), Contains("did you mean 'share'?"));
  CHECK_THAT(override_error({"network.edge_list=\xff"}).message(), Contains("not valid text"));
  Scenario edges = parse_scenario("", "");
  apply_overrides(edges, {"network.edge_list=some/edges.txt"});
  CHECK(fs::path(edges.params.network_edge_list) == fs::current_path() / "some/edges.txt");
  const auto cross = override_error({"segment[0].share=0.5"});
  CHECK(cross.key() == "segment.share");
  CHECK_THAT(cross.message(), Contains("--set"));
}

TEST_CASE("resolved_toml reads back to identical parameters", "[scenario][roundtrip]") {
  for (const auto& file : shipped_scenarios()) {
    INFO(file.string());
    const auto p = load_scenario(file.string()).params;
    CHECK(differences(parse_scenario(resolved_toml(p), "elsewhere/x.toml").params, p).empty());
  }
  // Awkward values: full-precision numbers in every range, odd strings.
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 50; ++round) {
    Params p;
    for (const auto& spec : param_specs()) {
      const auto ends_with = [&](std::string_view tail) {
        return spec.key.size() >= tail.size() && spec.key.substr(spec.key.size() - tail.size()) == tail;
      };
      if (spec.key == "quality.severe_share" || spec.key == "quality.moderate_share" ||
          spec.key == "acquisition.q_per_year" || spec.key == "network.mean_degree" ||
          spec.key == "chat.enabled" || ends_with(".open_hour") || ends_with(".close_hour"))
        continue;  // kept at defaults so the cross-parameter checks pass
      const double u = std::uniform_real_distribution<double>(0, 1)(rng);
      if (auto m = std::get_if<double Params::*>(&spec.member))
        p.*(*m) = spec.min + u * (spec.max - spec.min);
      else if (auto i = std::get_if<std::int64_t Params::*>(&spec.member))
        p.*(*i) = static_cast<std::int64_t>(spec.min + u * (spec.max - spec.min));
      else if (auto b = std::get_if<bool Params::*>(&spec.member))
        p.*(*b) = u < 0.5;
    }
    p.network_edge_list = "/abs/path with \"quotes\" \\ and \t tab/é.txt";
    p.segments[0].name = "loyal \"fans\" ☺";
    p.segments[0].share = 0.1 + 0.5 * std::uniform_real_distribution<double>(0, 1)(rng);
    p.segments[1].share = 1 - p.segments[0].share;
    p.segments[1].patience_s = std::uniform_real_distribution<double>(1, 3600)(rng);
    const std::string text = resolved_toml(p);
    INFO(text);
    CHECK(differences(parse_scenario(text, "").params, p).empty());
  }
}

TEST_CASE("docs/scenarios.md is generated from the registry", "[scenario][docs]") {
  const std::string generated = scenarios_markdown();
  CHECK_THAT(generated, Contains("| `price` |"));
  CHECK_THAT(generated, Contains("## [[segment]]"));
  const auto on_disk = read_text(source_dir / "docs/scenarios.md");
  INFO(
      "docs/scenarios.md is out of date: regenerate it with "
      "`cxsim docs scenarios > docs/scenarios.md`");
  CHECK(on_disk == generated);
}

TEST_CASE("random damage to baseline.toml gives InputError or success, nothing else", "[scenario][fuzz]") {
  const auto baseline = read_text(source_dir / "scenarios/baseline.toml");
  REQUIRE(!baseline.empty());
  std::mt19937_64 rng(2024);
  int syntax_errors = 0, value_errors = 0, successes = 0, other = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = baseline;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      const auto at = rng() % text.size();
      switch (rng() % 4) {
        case 0:
          text[at] = static_cast<char>(rng() % 256);
          break;  // any byte
        case 1:
          text[at] = "=[]\"'.#\n0-e{},x "[rng() % 17];
          break;  // TOML punctuation
        case 2:
          text.insert(at, 1, "0123456789.e+-"[rng() % 14]);
          break;  // digits
        default:
          text.erase(at, 1 + rng() % 8);
          break;
      }
      if (text.empty()) text.assign(1, 'x');
    }
    try {
      parse_scenario(text, "fuzz.toml");
      ++successes;
    } catch (const InputError& e) {
      ++(e.message().rfind("TOML syntax error", 0) == 0 ? syntax_errors : value_errors);
    } catch (const std::exception& e) {
      ++other;
      FAIL_CHECK("not an InputError: " << e.what() << "\n" << text);
    }
  }
  CHECK(other == 0);
  CHECK(syntax_errors > 100);
  CHECK(value_errors > 100);  // the damage reaches the reader's own checks, not only toml++
  CHECK(successes > 100);
}

TEST_CASE("random --set assignments give InputError or success, nothing else", "[scenario][fuzz]") {
  const std::vector<std::string> keys = {"purchase.price",    "network.kind",     "churn.enabled",
                                         "market.population", "segment[0].share", "segment.price-driven.name",
                                         "segment[",          "segment.",         ""};
  const std::string alphabet = "0123456789.e+-=[]\"'#\n xyz_trueflsinf\xff\x01";
  std::mt19937_64 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string assignment = keys[rng() % keys.size()];
    const auto length = rng() % 12;
    for (std::size_t i = 0; i < length; ++i) assignment += alphabet[rng() % alphabet.size()];
    Scenario s = parse_scenario("", "");
    try {
      apply_overrides(s, {assignment});
    } catch (const InputError&) {
    } catch (const std::exception& e) {
      FAIL_CHECK("not an InputError: " << e.what() << " for --set " << assignment);
    }
  }
}

TEST_CASE("a calibrated scenario keeps the line ends of the one it was written from",
          "[scenario][calibrate]") {
  const std::vector<std::string> keys = {"experience.attitude_weight", "churn.base_logit"};
  const std::vector<double> values = {0.75, 3.25};
  // attitude_weight is on a line of its own (rewritten); base_logit is added under [churn].
  const std::string lf = "# a scenario\n[experience]\nattitude_weight = 0.5\n[churn]\n";
  std::string crlf;
  for (const char c : lf) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const std::string out_lf = rewrite_scenario(lf, "lf.toml", keys, values, "fitted", "# header\n");
  const std::string out_crlf = rewrite_scenario(crlf, "crlf.toml", keys, values, "fitted", "# header\n");
  CHECK(out_lf.find('\r') == std::string::npos);
  std::string expected_crlf;
  for (const char c : out_lf) expected_crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  CHECK(out_crlf == expected_crlf);
  CHECK_THAT(out_lf,
             Contains("attitude_weight = 0.75  # fitted\n") && Contains("base_logit = 3.25  # fitted\n"));
  // Mixed line ends: the lines keep theirs, new and rewritten lines get LF.
  const std::string mixed = "[experience]\r\nattitude_weight = 0.5\n[churn]\n";
  const std::string out_mixed = rewrite_scenario(mixed, "mixed.toml", keys, values, "fitted", "");
  CHECK(out_mixed ==
        "[experience]\r\nattitude_weight = 0.75  # fitted\n[churn]\nbase_logit = 3.25  # fitted\n");
  // A rewritten line keeps its own ending.
  CHECK(rewrite_scenario("[experience]\nattitude_weight = 0.5\r\n[churn]\n", "mixed.toml", keys, values,
                         "fitted", "") ==
        "[experience]\nattitude_weight = 0.75  # fitted\r\n[churn]\nbase_logit = 3.25  # fitted\n");
  // A byte-order mark stays first, before the header (it was put after it, where TOML refuses it).
  const std::string out_bom =
      rewrite_scenario("\xEF\xBB\xBF" + lf, "bom.toml", keys, values, "fitted", "# header\n");
  CHECK(out_bom == "\xEF\xBB\xBF" + out_lf);
  // A section written as dotted keys has no line to add a key under: refused where the key was asked for.
  const std::vector<SourceRef> asked_at = {{"targets.toml", 6, 7}, {"targets.toml", 11, 7}};
  CHECK_THROWS_WITH(
      rewrite_scenario("experience.loss_aversion = 2.0\n[churn]\n", "dotted.toml", keys, values, "fitted", "",
                       asked_at),
      "targets.toml:6:7: 'experience.attitude_weight': cannot be written back into dotted.toml: "
      "[experience] is written as dotted keys (experience.key = ...), not as a table of its own; "
      "write it as [experience]");
}
