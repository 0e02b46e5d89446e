// `--set key=value` assignments (apply_overrides, io/scenario_reader.hpp): the value read as TOML,
// set through the registry with the TOML reader's checks and messages.

#include <toml++/toml.h>

#include <charconv>
#include <filesystem>

#include "core/errors.hpp"
#include "io/limits.hpp"
#include "io/reader_support.hpp"
#include "io/scenario_reader.hpp"
#include "service/contact_config.hpp"

namespace cxsim {

using namespace detail;
namespace fs = std::filesystem;

namespace {

// ---- --set -----------------------------------------------------------------------------------

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return std::string(s.substr(b, s.find_last_not_of(" \t") - b + 1));
}

/// The right side of `--set key=value` as a one-key table {v = value}; for choice and text keys
/// (`text_key`) a bare word that is not a TOML string is taken as the string itself.
toml::table override_value(const std::string& value, bool text_key, const Site& at,
                           const std::string& expected) {
  toml::table doc;
  try {
    check_toml_limits(value, "");
  } catch (const InputError& e) {
    throw at.error(e.message());
  }
  try {
    doc = toml::parse("v = " + value);
    if (doc.size() == 1 && doc.contains("v") && (!text_key || doc["v"].is_string())) return doc;
  } catch (const toml::parse_error&) {
  }
  if (!text_key) throw at.error("expected " + expected + ", got " + quoted_value(value));
  try {
    return toml::parse("v = " + toml_string(value));  // also checks the text is valid UTF-8
  } catch (const toml::parse_error& e) {
    throw at.error(quoted_value(value) + " is not valid text: " + std::string(e.description()));
  }
}

/// The segment and key named by "segment[<i>].<key>" or "segment.<name>.<key>".
std::pair<Segment*, std::string> find_segment(Params& p, const std::string& key, const Site& at) {
  try {
    SegmentField f = find_segment_field(p.segments, key);
    return {&p.segments[f.segment], std::move(f.field)};
  } catch (const InputError& e) {
    throw at.error(e.message());
  }
}

void apply_one(Params& p, const std::string& assignment) {
  const auto eq = assignment.find('=');
  const std::string key = trim(std::string_view(assignment).substr(0, eq));
  if (eq == std::string::npos || key.empty())
    throw InputError("expected key=value, e.g. purchase.price=45, got '" + assignment + "'");
  const std::string value = trim(std::string_view(assignment).substr(eq + 1));
  const Site at{"", 0, 0, key};
  if (is_segment_key(key)) {
    auto [seg, field] = find_segment(p, key, at);
    const auto* spec = find_segment_param(field);
    if (field != "name" && !spec) throw at.error(unknown_segment_key_message(field));
    const auto doc = override_value(value, field == "name", at, spec ? expected_text(*spec) : "a string");
    set_segment_value(*seg, field, *doc.get("v"), at);
    for (const auto& other : p.segments)
      if (&other != seg && other.name == seg->name)
        throw at.error("two segments are named '" + seg->name + "'; names must differ");
    return;
  }
  const ParamSpec* spec = find_param(key);
  if (!spec) throw at.error(unknown_key_message(key));
  const bool text_key = spec->type == ParamType::choice || spec->type == ParamType::text;
  const auto doc = override_value(value, text_key, at, expected_text(*spec));
  set_param(p, *spec, *doc.get("v"), at);
  if (spec->key == "network.edge_list") resolve_edge_list(p, fs::path());
}

}  // namespace

void detail::assign_overrides(Params& params, const std::vector<std::string>& assignments) {
  for (const auto& a : assignments) apply_one(params, a);
}

void apply_overrides(Scenario& s, const std::vector<std::string>& assignments) {
  assign_overrides(s.params, assignments);
  try {
    check_scenario(s.params);
  } catch (const InputError& e) {
    throw InputError(e.message() + " (after the --set overrides)", "", 0, 0, e.key());
  }
  check_files(s.params, Site{"", 0, 0, "network.edge_list"});
}

}  // namespace cxsim
