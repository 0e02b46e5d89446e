// docs/scenarios.md, generated from the parameter registry (scenarios_markdown,
// io/scenario_reader.hpp), so the reference cannot drift from the code.

#include <string>

#include "io/reader_support.hpp"
#include "io/scenario_reader.hpp"
#include "io/targets_reader.hpp"

namespace cxsim {

using namespace detail;

namespace {

/// One plain sentence per section for the docs (the keys themselves live in the registry).
std::string_view section_blurb(std::string_view section) {
  return section_description(section);
}

std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string_view type_name(ParamType t) {
  switch (t) {
    case ParamType::real:
      return "number";
    case ParamType::integer:
      return "integer";
    case ParamType::boolean:
      return "boolean";
    case ParamType::choice:
      return "choice";
    case ParamType::text:
      return "text";
    case ParamType::list:
      return "list of integers";
  }
  return {};
}

constexpr std::string_view docs_intro = R"(# Scenario parameters

<!-- Generated from the parameter registry (sim/core/params.hpp) by scenarios_markdown() in
sim/io/scenario_reader.cpp. Do not edit by hand: regenerate with
`cxsim docs scenarios > docs/scenarios.md`. -->

A scenario is a [TOML](https://toml.io) file that says which market, firm and customers to
simulate. `scenarios/baseline.toml` is a commented example with every key; copy it and change
what you want to study.

## How a scenario file is laid out

- One table per section: `[run]`, `[market]`, `[acquisition]`, ... The key `purchase.price` is
  written `price = 50` under `[purchase]`. Keys may come in any order.
- Any key left out keeps its default (the tables below). An unknown section or key is an error
  that names the known keys close enough to be what was meant (a few edits away), so a misspelt
  key is never silently ignored.
- Customer segments are `[[segment]]` tables, one per segment, each with a `name` and any of the
  segment keys; a key left out of a segment takes the "new segment" default below. When a file has
  no `[[segment]]` at all, the two default segments are used. The shares must add up to 1.
- Types: a *number* may be written `50` or `50.0`; an *integer* is a whole number (`100000`,
  and `1e5` or `100000.0` are accepted too); a *boolean* is `true` or `false` without quotes;
  *choice* and *text* values are strings in quotes (`kind = "ring"`).
- `network.edge_list` is a path relative to the scenario file's directory (given with `--set`,
  relative to the working directory).
- From the command line, `--set key=value` changes one key after the file is read, with the same
  checks: `--set purchase.price=45`, `--set network.kind=ring` (a bare word is taken as text),
  `--set segment.price-driven.expectation=0.7` or `--set segment[1].expectation=0.7` (segments by
  name or by 0-based position).

## Units

Shares and probabilities are fractions from 0 to 1 (0.15 means 15%). Rates say their time unit
(`1/year`). Durations are in days unless the unit says `s` (seconds). Money (`currency`) is in
whatever currency you choose; the model never converts. A `score` is the performance of a
touchpoint, from 0 (worst) to 1 (perfect); `attitude` is a customer's latent satisfaction, 0
being neutral.

## Intervenable keys

A key marked *yes* in the *intervenable* column is a lever a strategy may change in the middle of
a run (for example "hire more agents from day 200"). The others (population, network, horizon,
...) shape the whole run and are fixed from day 0.
)";

}  // namespace

std::string scenarios_markdown() {
  std::string out(docs_intro);
  const Params defaults;
  for (const auto& section : sections()) {
    out += "\n## [" + section + "]\n\n";
    if (const auto blurb = section_blurb(section); !blurb.empty()) out += std::string(blurb) + "\n\n";
    out +=
        "| key | type | default | unit | allowed | intervenable | description | source |\n"
        "|---|---|---|---|---|---|---|---|\n";
    for (const auto& spec : param_specs()) {
      if (spec.key.substr(0, spec.key.find('.')) != section) continue;
      std::string value = param_to_string(defaults, spec);
      if (spec.type == ParamType::choice || spec.type == ParamType::text) value = toml_string(value);
      out += "| `" + std::string(spec.key.substr(section.size() + 1)) + "` | " +
             std::string(type_name(spec.type)) + " | `" + cell(value) + "` | " + cell(spec.unit) + " | " +
             cell(allowed(spec)) + " | " + (spec.intervenable ? "yes" : "no") + " | " +
             cell(spec.description) + " | " + cell(spec.source) + " |\n";
    }
  }
  const Segment fresh;
  const auto segments = Params::default_segments();
  out +=
      "\n## [[segment]]\n\nCustomer segments. Every segment key is a number; each segment also "
      "needs a `name` (text, unique).\n\n| key | unit | allowed | description | new segment |";
  std::string rule = "|---|---|---|---|---|";
  for (const auto& seg : segments) {
    out += " default `";  // appended piecewise: GCC 12 warns (-Wrestrict) on "literal" + string&&
    out += cell(seg.name);
    out += "` |";
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  for (const auto& spec : segment_param_specs()) {
    out += "| `" + std::string(spec.name) + "` | " + cell(spec.unit) + " | " + segment_allowed_text(spec) +
           " | " + cell(spec.description) + " | " + number_text(fresh.*spec.member) + " |";
    for (const auto& seg : segments) {
      out += ' ';
      out += number_text(seg.*spec.member);
      out += " |";
    }
    out += "\n";
  }
  out +=
      "\nThe default segments are used when a scenario has no `[[segment]]` table; a "
      "`[[segment]]` key left out takes the *new segment* value.\n";
  return out + experiment_syntax_markdown() + targets_syntax_markdown();
}

}  // namespace cxsim
