#pragma once
// `cxsim facts`: the published regularities measured from a results file (kpi/facts.hpp) as text:
// an aligned table, Markdown, CSV or JSON.

#include <string>
#include <vector>

#include "io/compare_format.hpp"
#include "kpi/facts.hpp"

namespace cxsim {

/// What kpi/facts.hpp measures from, read from strategy `strategy` of the results file at `path`
/// (its parameters rebuilt from /parameters and the strategy's day-0 overrides).
/// @throws InputError as read_results(), naming the strategy when there is none of that name
FactsInput read_facts_input(const std::string& path, const std::string& strategy = "baseline");

/// The facts as text (CompareFormat: table, markdown, csv, json). `title` heads table and Markdown.
std::string format_facts(const std::vector<FactRow>& facts, CompareFormat format, const std::string& title);

}  // namespace cxsim
