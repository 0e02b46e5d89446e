#include <catch2/catch.hpp>
#include <set>

#include "core/errors.hpp"
#include "core/params.hpp"

using namespace cxsim;

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
  CHECK_THROWS_WITH(set_param_from_string(p, price, "-1"), Catch::Contains("out of range") &&
                                                             Catch::Contains("purchase.price"));
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
