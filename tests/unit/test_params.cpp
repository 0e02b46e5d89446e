#include <catch2/catch.hpp>
#include <set>

#include "core/errors.hpp"
#include "core/params.hpp"

using namespace cxsim;

namespace {
/// "|text|", so that a find() matches whole items of a "|"-separated list.
std::string between_bars(std::string_view text) {
  std::string out = "|";
  out += text;
  out += '|';
  return out;
}
}  // namespace

TEST_CASE("the defaults are valid and every key is declared once", "[params]") {
  Params p;
  CHECK_NOTHROW(validate(p));
  std::set<std::string_view> keys;
  for (const auto& spec : param_specs()) {
    CHECK(keys.insert(spec.key).second);
    CHECK(spec.key.find('.') != std::string_view::npos);
    CHECK_FALSE(spec.description.empty());
  }
  CHECK(find_param("purchase.price") != nullptr);
  CHECK(find_param("purchase.pice") == nullptr);
}

TEST_CASE("every parameter survives a round trip through text", "[params]") {
  Params a;
  a.purchase_price = 47.25;
  a.network_kind = "ring";
  a.run_seed = 123456789;
  Params b;
  for (const auto& spec : param_specs()) set_param_from_string(b, spec, param_to_string(a, spec));
  for (const auto& spec : param_specs()) CHECK(param_to_string(a, spec) == param_to_string(b, spec));
  CHECK(b.purchase_price == 47.25);
}

TEST_CASE("values are checked against type and range", "[params]") {
  Params p;
  const ParamSpec& price = *find_param("purchase.price");
  CHECK_THROWS_AS(set_param_from_string(p, price, "cheap"), InputError);
  CHECK_THROWS_WITH(set_param_from_string(p, price, "-1"),
                    Catch::Contains("out of range") && Catch::Contains("purchase.price"));
  const ParamSpec& population = *find_param("market.population");
  CHECK_THROWS_WITH(set_param_from_string(p, population, "1.5"), Catch::Contains("whole number"));
  const ParamSpec& kind = *find_param("network.kind");
  CHECK_THROWS_WITH(set_param_from_string(p, kind, "star"), Catch::Contains("watts_strogatz"));
  const ParamSpec& churn = *find_param("churn.enabled");
  CHECK_THROWS_WITH(set_param_from_string(p, churn, "yes"), Catch::Contains("true or false"));
  set_param_from_string(p, churn, "false");
  CHECK_FALSE(p.churn_enabled);
}

TEST_CASE("a misspelt key gets the closest keys", "[params]") {
  CHECK(closest_keys("purchase.pice").front() == "purchase.price");
  CHECK(closest_keys("defect_rat").front() == "quality.defect_rate");
}

TEST_CASE("cross-parameter rules", "[params]") {
  Params p;
  p.segments[0].share = 0.5;
  CHECK_THROWS_WITH(validate(p), Catch::Contains("add up to 1"));
  p = Params{};
  p.quality_severe_share = 0.8;
  p.quality_moderate_share = 0.3;
  CHECK_THROWS_AS(validate(p), InputError);
  p = Params{};
  p.network_kind = "edge_list";
  CHECK_THROWS_WITH(validate(p), Catch::Contains("network.edge_list"));
  p = Params{};
  p.network_mean_degree = 5;
  CHECK_THROWS_WITH(validate(p), Catch::Contains("even"));
  p = Params{};
  p.acquisition_q_per_year = 18;
  p.acquisition_recommendation_conversion = 0.01;
  CHECK_THROWS_WITH(validate(p), Catch::Contains("at most 1"));
}

TEST_CASE("every section of the registry has a description", "[params]") {
  std::set<std::string> sections;
  for (const auto& spec : param_specs()) sections.insert(std::string(spec.key.substr(0, spec.key.find('.'))));
  REQUIRE(sections.size() >= 18);
  for (const auto& section : sections) {
    INFO(section);
    CHECK(section_description(section).size() > 10);
  }
  CHECK(section_description("no_such_section").empty());
}

TEST_CASE("choice parameters are enums generated from the registry", "[params]") {
  // The registry's allowed text is the enum's value list, in enumerator order.
  CHECK(find_param("network.kind")->allowed ==
        "complete|ring|erdos_renyi|watts_strogatz|barabasi_albert|edge_list");
  CHECK(find_param("phone.handle_time")->allowed == "exponential|lognormal|fixed");
  CHECK(parse_choice<NetworkKind>("ring") == NetworkKind::ring);
  CHECK_FALSE(parse_choice<NetworkKind>("rnig").has_value());
  CHECK(choice_name(Routing::skills_based) == "skills_based");
  // Every choice key's default text parses, and choices_of follows the text.
  Params p;
  for (const auto& spec : param_specs())
    if (spec.type == ParamType::choice)
      CHECK(between_bars(spec.allowed).find(between_bars(param_to_string(p, spec))) != std::string::npos);
  const Choices defaults = choices_of(p);
  CHECK(defaults.network_kind == NetworkKind::watts_strogatz);
  CHECK(defaults.phone_patience == Patience::exponential);
  CHECK(defaults.email_patience == Patience::infinite);
  set_param_from_string(p, *find_param("network.kind"), "barabasi_albert");
  set_param_from_string(p, *find_param("chat.handle_time"), "fixed");
  set_param_from_string(p, *find_param("proactive.timing"), "random_hour");
  const Choices c = choices_of(p);
  CHECK(c.network_kind == NetworkKind::barabasi_albert);
  CHECK(c.chat_handle_time == HandleTime::fixed);
  CHECK(c.phone_handle_time == HandleTime::lognormal);
  CHECK(c.proactive_timing == ProactiveTiming::random_hour);
}

TEST_CASE("a segment name is found as written, and a near miss in accents is explained", "[params]") {
  std::vector<Segment> segments = Params{}.segments;
  REQUIRE(segments.size() == 2);
  segments[1].name = "pr\xc3\xa9";  // "pré", the accented letter U+00E9
  CHECK(find_segment_field(segments, "segment.pr\xc3\xa9.expectation").segment == 1);
  // "pré" with a combining acute accent (e + U+0301) prints alike but is another name.
  CHECK_THROWS_WITH(find_segment_field(segments, "segment.pre\xcc\x81.expectation"),
                    Catch::Contains("no segment is named") && Catch::Contains("combining mark"));
  // ... and so is the accented letter against a scenario that wrote it with a combining mark.
  std::vector<Segment> decomposed = segments;
  decomposed[1].name = "pre\xcc\x81";
  CHECK_THROWS_WITH(find_segment_field(decomposed, "segment.pr\xc3\xa9.expectation"),
                    Catch::Contains("combining mark"));
  // A near miss of another kind (a trailing space) gets no such note.
  CHECK_THROWS_WITH(find_segment_field(segments, "segment.pr\xc3\xa9 .expectation"),
                    Catch::Contains("no segment is named") && !Catch::Contains("combining"));
  // Plain ASCII names get no such note.
  CHECK_THROWS_WITH(find_segment_field(Params{}.segments, "segment.nobody.expectation"),
                    Catch::Contains("no segment is named 'nobody'") && !Catch::Contains("combining"));
}
