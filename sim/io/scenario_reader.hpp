#pragma once
// Scenario files: TOML in, resolved Params out, with errors that say file:line:column, the key,
// what was found and what is allowed (docs/architecture.md). Every key comes from the one registry in
// core/params.hpp (habit 8), and so does the generated docs/scenarios.md.

#include <string>
#include <string_view>
#include <vector>

#include "core/params.hpp"

namespace cxsim {

/// A scenario as read: its resolved parameters and the file it came from, verbatim (provenance).
struct Scenario {
  Params params;
  std::string path;  ///< as given; "" when the text did not come from a file
  std::string text;  ///< the file's text, unchanged
};

/// Reads and checks a scenario file, with `--set` assignments (as apply_overrides) applied before
/// the checks between keys, so that an override can repair a combination the file gets wrong.
/// @throws InputError naming the file when it cannot be read, and as parse_scenario otherwise
Scenario load_scenario(const std::string& path, const std::vector<std::string>& sets = {});

/// Reads and checks scenario text. Layout: one table per section (`[purchase]` holds
/// `purchase.price` as `price = 50`), `[[segment]]` tables for the customer segments (when none is
/// given the default segments stay), any key left out keeps its default. Integer keys also accept
/// a float with no fraction (`population = 1e5`); number keys accept integers. A relative
/// `network.edge_list` is resolved against the directory of `path` and stored as an absolute path.
/// @param path used in error messages and to resolve relative paths
/// @throws InputError with file, line, column and key on a TOML syntax error, an unknown section
///         or key (with the closest known keys), a wrong type, a value out of range, a choice not
///         allowed, or a failed cross-parameter check of validate()
Scenario parse_scenario(std::string_view text, const std::string& path,
                        const std::vector<std::string>& sets = {});

/// Applies `--set` assignments in order, then validates the result. Forms: `key=value`,
/// `segment.<name>.<key>=value`, `segment[<i>].<key>=value` (i 0-based). The value is read as a
/// TOML value where it parses as one (`45`, `true`, `"ring"`); for a choice or text key a bare
/// word is taken as a string (`network.kind=ring`). A relative `network.edge_list` given here is
/// resolved against the working directory.
/// @throws InputError (file "", the key named) on a malformed assignment, an unknown key (with the
///         closest known keys), a wrong type or range, or a failed cross-parameter check
void apply_overrides(Scenario& s, const std::vector<std::string>& assignments);

/// Every parameter with its value as TOML: one table per section in registry order, then one
/// `[[segment]]` table per segment. parse_scenario reads it back to identical Params.
std::string resolved_toml(const Params& p);

/// The text of docs/scenarios.md, generated from the registry (so the docs cannot drift).
std::string scenarios_markdown();

}  // namespace cxsim
