#include "io/targets_reader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "core/errors.hpp"
#include "io/limits.hpp"
#include "io/reader_support.hpp"
#include "io/scenario_reader.hpp"
#include "kpi/key_figures.hpp"

namespace cxsim {

namespace {

using detail::Site;

SourceRef ref(const std::string& file, const toml::source_region& r) {
  return {file, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}

InputError error_at(const SourceRef& where, const std::string& key, const std::string& message) {
  return InputError(message, where.file, where.line, where.column, key);
}

void check_keys(const toml::table& t, const std::string& file, const std::string& table,
                const std::vector<std::string>& allowed) {
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    bool ok = false;
    for (const auto& a : allowed) ok = ok || a == key;
    if (!ok) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw error_at(ref(file, v.source()), table + "." + key,
                     "unknown key in [[" + table + "]]; allowed: " + list);
    }
  }
}

double number(const toml::table& t, const std::string& file, const std::string& table, const std::string& key,
              bool required, double fallback) {
  const toml::node* n = t.get(key);
  if (!n) {
    if (required) throw error_at(ref(file, t.source()), table + "." + key, "[[" + table + "]] needs " + key);
    return fallback;
  }
  if (auto v = n->value<double>()) {
    if (!std::isfinite(*v))
      throw error_at(ref(file, n->source()), table + "." + key, "must be a finite number");
    return *v;
  }
  throw error_at(ref(file, n->source()), table + "." + key,
                 "must be a number, got " + detail::found_text(*n));
}

int day(const toml::table& t, const std::string& file, const std::string& key, int horizon) {
  const toml::node* n = t.get(key);
  if (!n) return 0;
  // A whole number, also when written 31.0 (as an integer key of a scenario may be).
  std::optional<double> v;
  if (auto i = n->value_exact<std::int64_t>()) v = static_cast<double>(*i);
  if (auto x = n->value_exact<double>(); x && std::trunc(*x) == *x) v = *x;
  if (!v)
    throw error_at(ref(file, n->source()), "target." + key,
                   "must be a whole day number, got " + detail::found_text(*n));
  if (*v < 1 || *v > horizon)
    throw error_at(ref(file, n->source()), "target." + key,
                   key + " " +
                       (n->is_integer() ? std::to_string(n->as_integer()->get()) : detail::number_text(*v)) +
                       " must be a day in [1, " + std::to_string(horizon) + "] (run.horizon_days is " +
                       std::to_string(horizon) + ")");
  return static_cast<int>(*v);
}

/// Whether a line opens a table: `[name]` (not `[[name]]`), after any spaces.
bool is_table_header(const std::string& line) {
  const auto start = line.find_first_not_of(" \t");
  return start != std::string::npos && line[start] == '[' && line.compare(start, 2, "[[") != 0;
}

std::string text(const toml::table& t, const std::string& file, const std::string& table,
                 const std::string& key) {
  const toml::node* n = t.get(key);
  if (!n) throw error_at(ref(file, t.source()), table + "." + key, "[[" + table + "]] needs " + key);
  if (auto v = n->value_exact<std::string>()) return *v;
  throw error_at(ref(file, n->source()), table + "." + key,
                 "must be a string, got " + detail::found_text(*n));
}

}  // namespace

TargetsFile parse_targets(std::string_view input, const std::string& path, const Params& params) {
  toml::table root;
  try {
    root = toml::parse(input, std::string_view(path));
  } catch (const toml::parse_error& e) {
    const auto& s = e.source();
    throw InputError(std::string(e.description()), path, static_cast<int>(s.begin.line),
                     static_cast<int>(s.begin.column));
  }
  TargetsFile out;
  out.path = path;
  out.text = input;
  for (const auto& [k, v] : root) {
    const std::string key(k.str());
    if (key != "target" && key != "free")
      throw error_at(ref(path, v.source()), key,
                     "unknown table; a targets file has [[target]] and [[free]] tables");
    if (!v.is_array_of_tables())
      throw error_at(ref(path, v.source()), key, "must be an array of tables: write [[" + key + "]]");
  }
  const int horizon = static_cast<int>(params.run_horizon_days);
  if (const toml::array* targets = root["target"].as_array()) {
    for (const toml::node& n : *targets) {
      const toml::table& t = *n.as_table();
      check_keys(t, path, "target", {"metric", "from_day", "to_day", "value", "sd"});
      TargetSpec spec;
      spec.measure.where = ref(path, t.source());
      if (const toml::node* n = t.get("metric")) spec.measure.where_metric = ref(path, n->source());
      if (const toml::node* n = t.get("from_day")) spec.measure.where_from_day = ref(path, n->source());
      if (const toml::node* n = t.get("to_day")) spec.measure.where_to_day = ref(path, n->source());
      spec.measure.metric = text(t, path, "target", "metric");
      spec.measure.from_day = day(t, path, "from_day", horizon);
      spec.measure.to_day = day(t, path, "to_day", horizon);
      spec.value = number(t, path, "target", "value", true, 0);
      spec.sd = number(t, path, "target", "sd", true, 0);
      // Beyond 1e100 a z^2 overflows to infinity and every candidate fits equally badly.
      if (!(std::abs(spec.value) < 1e100))
        throw error_at(ref(path, t.get("value")->source()), "target.value", "must be below 1e100 in size");
      if (!(spec.sd > 0 && spec.sd < 1e100))
        throw error_at(ref(path, t.get("sd")->source()), "target.sd",
                       "sd must be > 0 (the observed value's uncertainty) and below 1e100");
      check_measure(spec.measure, horizon);
      // The same figure twice would count twice in the fit and in its degrees of freedom. A figure
      // read at a day may go by two names (its id and its column: profit, profit_total).
      const auto to = [&](const Measure& m) { return m.to_day ? m.to_day : horizon; };
      const auto computed = [](const Measure& m) {
        if (m.from_day != 0) return m.metric;
        const Figure f = find_figure(m.metric);
        return std::string(aggregate_name(f.how)) + " " + f.metric + " " + f.denominator;
      };
      for (const TargetSpec& other : out.targets)
        if (computed(other.measure) == computed(spec.measure) &&
            other.measure.from_day == spec.measure.from_day && to(other.measure) == to(spec.measure))
          throw error_at(spec.measure.where, "target",
                         "'" + spec.measure.metric + "' over the same days is already a target at line " +
                             std::to_string(other.measure.where.line) +
                             (other.measure.metric == spec.measure.metric
                                  ? std::string()
                                  : " (as '" + other.measure.metric + "', the same figure)") +
                             "; give each figure once (combine the observations into one value and sd)");
      out.targets.push_back(std::move(spec));
    }
  }
  std::set<std::string> seen;
  if (const toml::array* free = root["free"].as_array()) {
    for (const toml::node& n : *free) {
      const toml::table& t = *n.as_table();
      check_keys(t, path, "free", {"key", "min", "max"});
      FreeSpec f;
      f.where = ref(path, t.source());
      f.key = text(t, path, "free", "key");
      if (const toml::node* kn = t.get("key")) f.where = ref(path, kn->source());
      f.min = number(t, path, "free", "min", true, 0);
      f.max = number(t, path, "free", "max", true, 0);
      check_study_key(f.key, f.min, f.max, f.where, false, params);
      // segment[1].expectation and segment.price-driven.expectation are one key.
      if (!seen.insert(canonical_study_key(params.segments, f.key)).second)
        throw error_at(f.where, f.key,
                       "is given twice (perhaps spelt another way); one [[free]] table per key");
      out.free.push_back(std::move(f));
    }
  }
  if (out.targets.empty())
    throw InputError("no [[target]] tables: nothing to calibrate to", path, 0, 0, "target");
  if (out.free.empty()) throw InputError("no [[free]] tables: nothing to fit", path, 0, 0, "free");
  return out;
}

TargetsFile load_targets(const std::string& path, const Params& params) {
  return parse_targets(read_input_text(path, "targets file", "targets file"), path, params);
}

std::string rewrite_scenario(const std::string& input, const std::string& path,
                             const std::vector<std::string>& keys, const std::vector<double>& values,
                             const std::string& line_comment, const std::string& header,
                             const std::vector<SourceRef>& asked_at) {
  toml::table root;
  try {
    root = toml::parse(input, std::string_view(path));
  } catch (const toml::parse_error& e) {
    throw InputError(std::string(e.description()), path);
  }
  // A text whose every line break is CRLF is written back with CRLF; otherwise lines keep what they
  // had and new lines get LF.
  const std::size_t breaks = static_cast<std::size_t>(std::count(input.begin(), input.end(), '\n'));
  std::size_t crlf = 0;
  for (std::size_t at = input.find("\r\n"); at != std::string::npos; at = input.find("\r\n", at + 2)) ++crlf;
  const bool windows = breaks > 0 && crlf == breaks;
  // A byte-order mark stays first, before the header (TOML readers skip it only there).
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";
  const bool bom = input.compare(0, kBom.size(), kBom) == 0;
  std::vector<std::string> lines;
  {
    std::istringstream in(bom ? input.substr(kBom.size()) : input);
    for (std::string line; std::getline(in, line);) {
      if (windows && !line.empty() && line.back() == '\r') line.pop_back();
      lines.push_back(line);
    }
  }
  // A key the scenario has no line for is refused where it was asked for, if known.
  const auto refuse = [&](std::size_t i, const std::string& what, const std::string& why) -> InputError {
    if (i < asked_at.size() && !asked_at[i].file.empty())
      return InputError(what + " into " + path + ": " + why, asked_at[i].file, asked_at[i].line,
                        asked_at[i].column, keys[i]);
    return InputError(what + ": " + why, path, 0, 0, keys[i]);
  };
  std::vector<std::pair<std::string, std::string>> appended;  // new [section] blocks: (section, text)
  // Insertions after a line: (line index, text), applied from the bottom up.
  std::vector<std::pair<std::size_t, std::string>> inserts;
  // A segment's key goes into its [[segment]] table (the i-th, as the scenario lists them).
  std::optional<Scenario> as_read;
  const toml::array* segment_tables = root["segment"].as_array();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const bool segment_key = is_segment_key(keys[i]);
    const auto dot = segment_key ? keys[i].rfind('.') : keys[i].find('.');
    const std::string section = keys[i].substr(0, dot), name = keys[i].substr(dot + 1);
    const std::string assignment = name + " = " + detail::number_text(values[i]) +
                                   (std::trunc(values[i]) == values[i] ? ".0" : "") + "  # " + line_comment;
    const toml::table* table = nullptr;
    std::string header_text = "[" + section + "]";
    if (segment_key) {
      if (!as_read) as_read = parse_scenario(input, path);
      const std::size_t index = find_segment_field(as_read->params.segments, keys[i]).segment;
      if (!segment_tables || index >= segment_tables->size() || !(*segment_tables)[index].is_table())
        throw refuse(i, "cannot be written back",
                     "the scenario's segments are the defaults, not [[segment]] tables of its own; to fit "
                     "a segment's key, write its segments out as [[segment]] tables (as "
                     "scenarios/baseline.toml does)");
      table = (*segment_tables)[index].as_table();
      header_text = "[[segment]] number " + std::to_string(index + 1);
    } else {
      table = root[section].as_table();
    }
    if (table && table->get(name)) {
      const auto line = table->get(name)->source().begin.line;
      std::string& text = lines.at(line - 1);
      const auto eq = text.find('=');
      const auto start = text.find_first_not_of(" \t");
      if (eq == std::string::npos || text.compare(start, name.size(), name) != 0)
        throw InputError("cannot rewrite '" + keys[i] + "': write it as `" + name +
                             " = value` on its own line in " + header_text,
                         path, static_cast<int>(line), 0, keys[i]);
      // The line keeps its own ending (a CR before the LF in a file of mixed endings).
      text = text.substr(0, start) + assignment + (!text.empty() && text.back() == '\r' ? "\r" : "");
    } else if (table && !table->is_inline() && table->source().begin.line > 0 &&
               is_table_header(lines.at(table->source().begin.line - 1))) {
      inserts.emplace_back(table->source().begin.line, assignment);  // after the [section] line
    } else if (table && !table->is_inline()) {
      throw refuse(i, "cannot be written back",
                   "[" + section + "] is written as dotted keys (" + section +
                       ".key = ...), not as a table of its own; write it as [" + section + "]");
    } else if (table) {
      throw refuse(i, "cannot be written back",
                   "[" + section + "] is an inline table; write it as a table of its own");
    } else {
      const auto block =
          std::find_if(appended.begin(), appended.end(), [&](const auto& b) { return b.first == section; });
      if (block == appended.end())
        appended.emplace_back(section, "\n[" + section + "]\n" + assignment);
      else
        block->second += "\n" + assignment;  // a second key of the same new section
    }
  }
  std::sort(inserts.begin(), inserts.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [after, text] : inserts)
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(after), text);
  std::string out = bom ? std::string(kBom) + header : header;
  for (const auto& l : lines) out += l + "\n";
  for (const auto& a : appended) out += a.second + "\n";
  if (windows) {
    std::string converted;
    converted.reserve(out.size() + out.size() / 16);
    for (const char c : out) {
      if (c == '\n') converted += '\r';
      converted += c;
    }
    out = std::move(converted);
  }
  // It must read back to the fitted values. A failure here is the rewrite's, not a line of the
  // user's file: said as such (the pre-check before a calibration's search finds it first).
  std::optional<Scenario> check;
  try {
    check = parse_scenario(out, path);
  } catch (const InputError& e) {
    throw InputError("cannot be written back: the rewritten copy would not read (its line " +
                         std::to_string(e.line()) + ": " + e.message() + ")",
                     path, 0, 0, e.key());
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (study_key_value(check->params, keys[i]) != values[i])
      throw InputError("the rewritten scenario does not read back to the fitted value", path, 0, 0, keys[i]);
  }
  return out;
}

}  // namespace cxsim

namespace cxsim {

std::string targets_syntax_markdown() {
  return R"(
## Calibration targets (`cxsim calibrate`)

`cxsim calibrate SCENARIO TARGETS -o calibrated.toml` fits keys of the scenario so that it
reproduces a firm's own figures. The targets file is TOML with two kinds of tables:

```toml
[[target]]
metric = "monthly_churn_rate"   # a daily series (window mean) or a key figure (see below)
from_day = 366                  # the window the observed value covers (1-based, inclusive)
to_day = 730
value = 0.021                   # the firm's observed figure
sd = 0.002                      # its uncertainty (> 0)

[[target]]
metric = "retention"            # no from_day: a key figure (cxsim compare's), read at to_day
to_day = 365                    # (default: the horizon)
value = 0.82
sd = 0.01

[[free]]
key = "experience.attitude_weight"   # any real-valued scenario key
min = 0.1                            # the search range, inside the key's allowed range
max = 1.5
```

- With `from_day`, `metric` must be a daily series (the metric names `cxsim info` lists) and the
  target is its mean over days `from_day`..`to_day` (days without a value, such as survey days
  with no answers, are skipped). Without `from_day`, `metric` is a key figure or any metric read
  as `cxsim compare` reads it (stocks and ratios at the day, flows summed up to it) at `to_day`.
- Days are whole numbers (31 or 31.0) within `run.horizon_days`; `sd` must be positive; a figure
  over the same days is a target once; each `[[free]]` key must be a real-valued key (not an
  integer, choice or `run.*` key) with `min` < `max` inside its allowed range, and appear once.
  A segment's number is one too: `segment.price-driven.price_sensitivity` or
  `segment[0].expectation` (any segment key but `share`, since the shares sum to 1); the fitted
  value is written into that segment's `[[segment]]` table, so the scenario must list its segments
  as tables (a scenario on the default segments is refused before any simulation). Fewer targets
  than free keys is allowed with a warning: the fit is then one of many. Mistakes are reported
  with the file, line and key (exit status 2).
- The objective, the search and the intervals are described in docs/studies.md.
)";
}

}  // namespace cxsim
