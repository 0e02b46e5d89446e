#pragma once
// Internal to sim/io: the TOML helpers scenario_reader.cpp defines and experiment_reader.cpp
// reuses, so both report mistakes the same way (file:line:column, the key, what is allowed, the
// closest known keys). Not a public interface.

#include <toml++/toml.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "core/params.hpp"

namespace cxsim::detail {

/// Where a problem is: the file, 1-based line and column (0 when unknown) and the key.
struct Site {
  std::string file;
  int line = 0, column = 0;
  std::string key;
  InputError error(const std::string& message) const { return InputError(message, file, line, column, key); }
};

Site site_at(const std::string& file, const toml::source_region& where, std::string key);

/// Shortest text that reads back to x; whole numbers in plain digits.
std::string number_text(double x);
/// A TOML basic string, quoted and escaped.
std::string toml_string(std::string_view s);
/// What a node holds, for "got ..." in messages ("the string \"x\"", "a table", ...).
std::string found_text(const toml::node& n);
/// "a number in [0, 1] (probability)" and the like.
std::string expected_text(const ParamSpec& spec);
/// `options` ordered by edit distance to `word`, closest first (at most `count`).
std::vector<std::string> closest(std::string_view word, std::vector<std::string> options, std::size_t count);
/// "did you mean 'a'? Other close <what>: 'b', 'c'." ("" when `near` is empty)
std::string did_you_mean(const std::vector<std::string>& near, std::string_view what);
/// Sets a parameter from a TOML value, checking type and range.
/// @throws InputError at `at` when the value is of the wrong type or out of range
void set_param(Params& p, const ParamSpec& spec, const toml::node& n, const Site& at);
/// The parameter sections in registry order ("run", "market", ...).
std::vector<std::string> sections();
/// 'a', 'b', 'c' (each item between `open` and `close`).
std::string quoted_list(const std::vector<std::string>& items, std::string_view open = "'",
                        std::string_view close = "'");
/// A real number as a TOML float literal (always with a '.' or an exponent).
std::string real_literal(double x);
/// What a key allows: "a number in [0, 1]", "one of 'a', 'b'", ...
std::string allowed(const ParamSpec& spec);
/// "a number in [0, 1]" for a segment key.
std::string segment_allowed_text(const SegmentParamSpec& spec);
/// What a segment key expects, for "expected ..." in messages.
std::string expected_text(const SegmentParamSpec& spec);
/// `--set` assignments applied in order, each checked alone (type, range); the checks between keys
/// are the caller's (apply_overrides, parse_scenario).
void assign_overrides(Params& params, const std::vector<std::string>& assignments);
/// "unknown segment key; did you mean ...?"
std::string unknown_segment_key_message(std::string_view name);
/// Sets a segment's key from a TOML value, checking type and range.
void set_segment_value(Segment& seg, std::string_view name, const toml::node& n, const Site& at);
/// A relative edge-list path is read from `base`; the result is absolute.
void resolve_edge_list(Params& p, const std::filesystem::path& base);
/// Checks what validate() cannot: the edge-list file exists when it will be needed.
void check_files(const Params& p, const Site& at);

/// Top-level tables parse_scenario() leaves to read_experiment().
inline bool is_experiment_table(std::string_view name) {
  return name == "strategy" || name == "intervention" || name == "sweep";
}

/// The part of docs/scenarios.md on strategies, interventions and sweeps.
std::string experiment_syntax_markdown();

}  // namespace cxsim::detail
