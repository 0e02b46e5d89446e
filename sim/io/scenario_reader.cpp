#include "io/scenario_reader.hpp"
#include "io/targets_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/limits.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/errors.hpp"
#include "core/text.hpp"
#include "io/reader_support.hpp"
#include "service/contact_config.hpp"

namespace cxsim {
// Helpers shared with io/experiment_reader.cpp (declared in io/reader_support.hpp).
namespace detail {

namespace fs = std::filesystem;

constexpr std::string_view docs_hint = "Every key is listed in docs/scenarios.md.";

Site site_at(const std::string& file, const toml::source_region& where, std::string key) {
  return {file, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column), std::move(key)};
}

// ---- text helpers ----------------------------------------------------------------------------

/// Shortest text that reads back to x; whole numbers in plain digits ("200000000", not "2e+08").
std::string number_text(double x) {
  char buf[64];
  const bool whole = std::abs(x) < 1e15 && std::trunc(x) == x;
  const auto [end, ec] = whole ? std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed)
                               : std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, end);
}

/// A TOML float literal that reads back to exactly `x` ("50.0", "0.15", "1e+09").
std::string real_literal(double x) {
  std::string s = number_text(x);
  if (s.find_first_of(".eni") == std::string::npos) s += ".0";
  return s;
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
std::string toml_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(u));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + '"';
}

std::string quoted_list(const std::vector<std::string>& items, std::string_view open,
                        std::string_view close) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? ", " : "") + std::string(open) + items[i] + std::string(close);
  return out;
}

/// What a node holds, for "got ..." in messages.
std::string found_text(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: {
      std::string s = n.as_string()->get();
      if (s.size() > 40) s = s.substr(0, 40) + "...";
      return "the string " + toml_string(s);
    }
    case toml::node_type::integer:
      return "the integer " + std::to_string(n.as_integer()->get());
    case toml::node_type::floating_point: {
      // 31.0 where a whole number is wanted: "the number 31" would read as what was asked for.
      const double v = n.as_floating_point()->get();
      if (std::isfinite(v) && std::trunc(v) == v && std::abs(v) < 1e15)
        return "the decimal number " + number_text(v) + ".0 (a whole number is written without '.0')";
      return "the number " + number_text(v);
    }
    case toml::node_type::boolean:
      return std::string("the boolean ") + (n.as_boolean()->get() ? "true" : "false");
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

/// allowed_text(), with ranges in plain digits where the registry's shortest form would say 2e+08.
std::string allowed(const ParamSpec& spec) {
  const std::string range = "[" + number_text(spec.min) + ", " + number_text(spec.max) + "]";
  if (spec.type == ParamType::integer) return "a whole number in " + range;
  if (spec.type == ParamType::real) return "a number in " + range;
  return allowed_text(spec);
}

std::string expected_text(const ParamSpec& spec) {
  return allowed(spec) + (spec.unit.empty() ? "" : " (" + std::string(spec.unit) + ")");
}

std::string segment_allowed_text(const SegmentParamSpec& spec) {
  return "a number in [" + number_text(spec.min) + ", " + number_text(spec.max) + "]";
}

std::string expected_text(const SegmentParamSpec& spec) {
  return segment_allowed_text(spec) + (spec.unit.empty() ? "" : " (" + std::string(spec.unit) + ")");
}

// ---- suggestions -----------------------------------------------------------------------------

/// The `options` close enough to `word` to be what was meant, closest first (at most `count`).
std::vector<std::string> closest(std::string_view word, std::vector<std::string> options, std::size_t count) {
  if (word.size() > kMaxSuggestKey) return {};  // edit distance is quadratic: no suggestion
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (auto& o : options)
    if (const std::size_t d = edit_distance(word, o); close_enough(d, word))
      scored.emplace_back(d, std::move(o));
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && i < count; ++i) out.push_back(std::move(scored[i].second));
  return out;
}

/// "did you mean 'a'? Other close keys: 'b', 'c'"
std::string did_you_mean(const std::vector<std::string>& near, std::string_view what = "keys") {
  if (near.empty()) return {};
  std::string out = "did you mean '" + near.front() + "'?";
  if (near.size() > 1)
    out += " Other close " + std::string(what) + ": " +
           quoted_list(std::vector<std::string>(near.begin() + 1, near.end())) + ".";
  return out;
}

std::vector<std::string> sections() {
  std::vector<std::string> out;
  for (const auto& spec : param_specs()) {
    std::string s(spec.key.substr(0, spec.key.find('.')));
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> choices(std::string_view allowed) {
  std::vector<std::string> out;
  std::istringstream in{std::string(allowed)};
  for (std::string c; std::getline(in, c, '|');) out.push_back(c);
  return out;
}

std::string unknown_segment_key_message(std::string_view name) {
  std::vector<std::string> keys{"name"};
  for (const auto& s : segment_param_specs()) keys.emplace_back(s.name);
  return "unknown segment key; " + did_you_mean(closest(name, keys, 3)) + " " + std::string(docs_hint);
}

// ---- setting values from TOML nodes ----------------------------------------------------------

void set_param(Params& p, const ParamSpec& spec, const toml::node& n, const Site& at) {
  const auto wrong_type = [&] {
    return at.error("expected " + expected_text(spec) + ", got " + found_text(n));
  };
  const auto out_of_range = [&](const std::string& v) {
    return at.error("value " + v + " is out of range; allowed: " + expected_text(spec));
  };
  std::visit(
      [&](auto member) {
        auto& value = p.*member;
        using V = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<V, bool>) {
          const auto* b = n.as_boolean();
          if (!b) throw wrong_type();
          value = b->get();
        } else if constexpr (std::is_same_v<V, std::string>) {
          const auto* s = n.as_string();
          if (!s) throw wrong_type();
          if (spec.type == ParamType::choice) {
            const auto options = choices(spec.allowed);
            if (std::find(options.begin(), options.end(), s->get()) == options.end())
              throw at.error(quoted_value(s->get()) + " is not valid; allowed: " + allowed_text(spec) + "; " +
                             did_you_mean(closest(s->get(), options, 1)));
          }
          value = s->get();
        } else if constexpr (std::is_same_v<V, std::vector<std::int64_t>>) {
          const auto* array = n.as_array();
          if (!array) throw wrong_type();
          std::vector<std::int64_t> values;
          for (const toml::node& item : *array) {
            const auto* i = item.as_integer();
            if (!i) throw wrong_type();
            if (static_cast<double>(i->get()) < spec.min || static_cast<double>(i->get()) > spec.max)
              throw out_of_range(std::to_string(i->get()));
            values.push_back(i->get());
          }
          if (!values.empty() && values.size() != spec.length)
            throw at.error("has " + std::to_string(values.size()) +
                           " values; allowed: " + expected_text(spec));
          value = std::move(values);
        } else if constexpr (std::is_same_v<V, std::int64_t>) {
          // A float with no fraction (1e5, 100000.0) is accepted for an integer key.
          if (const auto* i = n.as_integer()) {
            const auto v = i->get();
            if (static_cast<double>(v) < spec.min || static_cast<double>(v) > spec.max)
              throw out_of_range(std::to_string(v));
            value = v;
          } else if (const auto* f = n.as_floating_point();
                     f && std::isfinite(f->get()) && std::trunc(f->get()) == f->get()) {
            const double d = f->get();
            if (d < spec.min || d > spec.max) throw out_of_range(number_text(d));
            value = static_cast<std::int64_t>(d);
          } else {
            throw wrong_type();
          }
        } else {
          double d = 0;
          if (const auto* i = n.as_integer())
            d = static_cast<double>(i->get());
          else if (const auto* f = n.as_floating_point())
            d = f->get();
          else
            throw wrong_type();
          if (!(d >= spec.min && d <= spec.max)) throw out_of_range(number_text(d));  // and NaN
          value = d;
        }
      },
      spec.member);
}

void set_segment_value(Segment& seg, std::string_view name, const toml::node& n, const Site& at) {
  if (name == "name") {
    const auto* s = n.as_string();
    if (!s || s->get().empty())
      throw at.error("expected the segment's name as a non-empty string, got " + found_text(n));
    seg.name = s->get();
    return;
  }
  const auto* spec = find_segment_param(name);
  if (!spec) throw at.error(unknown_segment_key_message(name));
  double d = 0;
  if (const auto* i = n.as_integer())
    d = static_cast<double>(i->get());
  else if (const auto* f = n.as_floating_point())
    d = f->get();
  else
    throw at.error("expected " + expected_text(*spec) + ", got " + found_text(n));
  if (!(d >= spec->min && d <= spec->max))
    throw at.error("value " + number_text(d) + " is out of range; allowed: " + expected_text(*spec));
  seg.*spec->member = d;
}

// ---- paths -----------------------------------------------------------------------------------

/// A relative edge-list path is read from `base`; the result is absolute, so it survives a
/// round trip through resolved_toml whatever the reader's directory.
void resolve_edge_list(Params& p, const fs::path& base) {
  if (p.network_edge_list.empty()) return;
  fs::path file(p.network_edge_list);
  if (file.is_relative()) file = base / file;
  std::error_code ec;
  const fs::path absolute = fs::absolute(file, ec);
  if (!ec) file = absolute;
  p.network_edge_list = file.lexically_normal().string();
}

/// Checks what validate() cannot: the edge-list file exists when it will be needed.
void check_files(const Params& p, const Site& at) {
  if (p.network_kind != "edge_list") return;
  std::error_code ec;
  const fs::file_status status = fs::status(p.network_edge_list, ec);
  if (!fs::exists(status))
    throw at.error("edge-list file '" + p.network_edge_list +
                   "' not found (a relative path is read from the scenario file's directory)");
  if (!fs::is_regular_file(status))
    throw at.error(
        "edge-list file '" + p.network_edge_list +
        "' is not a regular file (a directory, FIFO, socket or device); allowed: a text file of ties");
}

// ---- reading a document ----------------------------------------------------------------------

}  // namespace detail

using namespace detail;

namespace {

std::vector<Segment> read_segments(const toml::key& k, const toml::node& v, const std::string& file) {
  const auto* array = v.as_array();
  if (!array)
    throw site_at(file, k.source(), "segment")
        .error("expected [[segment]] tables (an array of tables), got " + found_text(v));
  if (array->size() > kMaxSegments)
    throw site_at(file, k.source(), "segment")
        .error(std::to_string(array->size()) + " segments; at most " + std::to_string(kMaxSegments) +
               " are allowed");
  std::vector<Segment> segments;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = (*array)[i];
    const std::string where = "segment[" + std::to_string(i) + "]";
    const auto* table = element.as_table();
    if (!table)
      throw site_at(file, element.source(), where)
          .error("expected a [[segment]] table of segment keys, got " + found_text(element));
    Segment seg;
    bool named = false;
    for (auto&& [key, value] : *table) {
      const std::string name(key.str());
      if (name != "name" && !find_segment_param(name))
        throw site_at(file, key.source(), where + "." + name).error(unknown_segment_key_message(name));
      set_segment_value(seg, name, value, site_at(file, value.source(), where + "." + name));
      if (name == "name") {
        named = true;
        for (const auto& other : segments)
          if (other.name == seg.name)
            throw site_at(file, value.source(), where + ".name")
                .error("two segments are named '" + seg.name + "'; names must differ");
      }
    }
    if (!named)
      throw site_at(file, element.source(), where).error("a [[segment]] needs a name, e.g. name = \"loyal\"");
    segments.push_back(std::move(seg));
  }
  return segments;
}

void read_document(const toml::table& root, Params& p, const std::string& file) {
  const auto known = sections();
  for (auto&& [k, v] : root) {
    const std::string section(k.str());
    if (section == "segment") {
      p.segments = read_segments(k, v, file);
      continue;
    }
    if (is_experiment_table(section)) continue;  // read by read_experiment()
    if (std::find(known.begin(), known.end(), section) == known.end()) {
      if (!v.is_table())  // a key outside any section
        throw site_at(file, k.source(), section)
            .error("unknown key at the top level (keys belong in a section such as [market]); " +
                   did_you_mean(closest_keys(section, 3)) + " " + std::string(docs_hint));
      throw site_at(file, k.source(), section)
          .error("unknown section [" + section + "]; " +
                 did_you_mean(closest(section, known, 1), "sections") + " The sections are " +
                 quoted_list(known, "[", "]") +
                 ", [[segment]], [[strategy]], [[intervention]] and [sweep]. " + std::string(docs_hint));
    }
    const auto* table = v.as_table();
    if (!table)
      throw site_at(file, k.source(), section)
          .error("expected the section table [" + section + "], got " + found_text(v));
    for (auto&& [name, value] : *table) {
      const std::string key = section + "." + std::string(name.str());
      const ParamSpec* spec = find_param(key);
      if (!spec) throw site_at(file, name.source(), key).error(unknown_key_message(key));
      set_param(p, *spec, value, site_at(file, value.source(), key));
    }
  }
}

/// Where in the document the key a validation error names was written ({0, 0} when nowhere).
toml::source_position locate(const toml::table& root, std::string_view key) {
  const auto key_position = [](const toml::table& t, std::string_view name) {
    const auto it = t.find(name);
    return it == t.end() ? toml::source_position{} : it->first.source().begin;
  };
  if (key.substr(0, 7) == "segment") {
    const auto* array = root["segment"].as_array();
    if (!array || array->empty()) return key_position(root, "segment");
    std::string_view rest = key.substr(7);
    if (!rest.empty() && rest.front() == '[') {  // segment[i] or segment[i].name
      std::size_t i = 0;
      std::from_chars(rest.data() + 1, rest.data() + rest.size(), i);
      const auto* element = i < array->size() ? (*array)[i].as_table() : nullptr;
      if (!element) return {};
      const auto dot = rest.find('.');
      if (dot != std::string_view::npos) {
        const auto pos = key_position(*element, rest.substr(dot + 1));
        if (pos.line) return pos;
      }
      return element->source().begin;
    }
    if (!rest.empty() && rest.front() == '.')  // segment.share: the first segment that sets it
      for (const auto& element : *array)
        if (const auto* t = element.as_table(); t && key_position(*t, rest.substr(1)).line)
          return key_position(*t, rest.substr(1));
    return key_position(root, "segment");
  }
  const auto dot = key.find('.');
  if (dot == std::string_view::npos) return {};
  // The key itself, else its section (a missing network.edge_list points at [network]).
  const auto* section = root[key.substr(0, dot)].as_table();
  const auto pos = section ? key_position(*section, key.substr(dot + 1)) : toml::source_position{};
  return pos.line ? pos : key_position(root, key.substr(0, dot));
}

}  // namespace

Scenario load_scenario(const std::string& path, const std::vector<std::string>& sets) {
  return parse_scenario(read_input_text(path, "scenario file", "scenario"), path, sets);
}

Scenario parse_scenario(std::string_view text, const std::string& path,
                        const std::vector<std::string>& sets) {
  check_toml_limits(text, path);
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw InputError("TOML syntax error: " + std::string(e.description()), path, static_cast<int>(where.line),
                     static_cast<int>(where.column));
  }
  Scenario s;
  s.path = path;
  s.text = std::string(text);
  read_document(root, s.params, path);
  resolve_edge_list(s.params, fs::path(path).parent_path());
  assign_overrides(s.params, sets);
  try {
    check_scenario(s.params);
  } catch (const InputError& e) {
    const auto where = locate(root, e.key());
    throw InputError(e.message() + (sets.empty() ? "" : " (with the --set overrides)"), path,
                     static_cast<int>(where.line), static_cast<int>(where.column), e.key());
  }
  const auto where = locate(root, "network.edge_list");
  check_files(s.params,
              Site{path, static_cast<int>(where.line), static_cast<int>(where.column), "network.edge_list"});
  return s;
}

}  // namespace cxsim
