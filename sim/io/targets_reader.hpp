#pragma once
// The targets file of `cxsim calibrate` (TOML; syntax in docs/scenarios.md): the firm's observed
// figures ([[target]]: metric, window, value, sd) and the keys to fit ([[free]]: key, min, max),
// checked against the scenario with file:line:column errors.

#include <string>
#include <string_view>
#include <vector>

#include "core/params.hpp"
#include "experiment/study_runs.hpp"

namespace cxsim {

struct TargetSpec {
  Measure measure;  ///< metric and window (where: the [[target]] table)
  double value = 0;
  double sd = 0;
};

struct FreeSpec {
  std::string key;
  double min = 0, max = 0;
  SourceRef where;
};

struct TargetsFile {
  std::string path;
  std::string text;  ///< as read: what the study's identity hashes (read once, so it is what was parsed)
  std::vector<TargetSpec> targets;
  std::vector<FreeSpec> free;
};

/// Reads and checks a targets file against the scenario's parameters (for the horizon).
/// @throws InputError naming the file, line and key: unreadable file or TOML, an unknown table
///         or key, a missing or non-numeric value, sd <= 0, an unknown metric, a window outside
///         the horizon, an unknown or non-real key, min >= max, a key given twice, no targets or
///         no free keys
TargetsFile load_targets(const std::string& path, const Params& params);
TargetsFile parse_targets(std::string_view text, const std::string& path, const Params& params);

/// The scenario text with `keys` set to `values` (replacing their lines, or adding them to their
/// section), a comment on each changed line and `header` (comment lines) at the top. Reads back
/// (parse_scenario) to the same values. Line endings follow the text's: a text whose every line
/// ends in CRLF is written with CRLF throughout (the header and added lines too).
/// @param asked_at where each key was asked for (a targets file's [[free]] line), or empty: a key
///        the scenario has no line for is refused there, naming the scenario
/// @throws InputError when the text cannot be rewritten that way (a key in an inline table, a
///         segment key of a scenario on the default segments)
std::string rewrite_scenario(const std::string& text, const std::string& path,
                             const std::vector<std::string>& keys, const std::vector<double>& values,
                             const std::string& line_comment, const std::string& header,
                             const std::vector<SourceRef>& asked_at = {});

/// The targets-file section of docs/scenarios.md.
std::string targets_syntax_markdown();

}  // namespace cxsim
