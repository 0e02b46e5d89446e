#include "core/params.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "core/errors.hpp"
#include "core/text.hpp"

namespace cxsim {

std::vector<Segment> Params::default_segments() {
  Segment experience;
  experience.name = "experience-driven";
  experience.share = 2.0 / 3.0;
  experience.price_sensitivity = 2.0;
  Segment price;
  price.name = "price-driven";
  price.share = 1.0 / 3.0;
  price.price_sensitivity = 8.0;
  price.expectation = 0.75;
  price.contact_propensity = 0.8;
  return {experience, price};
}

namespace {

constexpr ParamType type_of(double Params::*) {
  return ParamType::real;
}
constexpr ParamType type_of(std::int64_t Params::*) {
  return ParamType::integer;
}
constexpr ParamType type_of(bool Params::*) {
  return ParamType::boolean;
}

const std::vector<ParamSpec>& table() {
  static const std::vector<ParamSpec> specs = [] {
    std::vector<ParamSpec> v;
#define CXSIM_NUM_SPEC(s, n, T, def, lo, hi, unit, iv, desc, src)                      \
  v.push_back(ParamSpec{#s "." #n, type_of(&Params::s##_##n), static_cast<double>(lo), \
                        static_cast<double>(hi), unit, iv, desc, src, "", 0, &Params::s##_##n});
#define CXSIM_CHOICE_SPEC(s, n, E, def, iv, desc)                                                         \
  v.push_back(ParamSpec{#s "." #n, ParamType::choice, 0, 0, "", iv, desc, "", ChoiceNames<E>::allowed, 0, \
                        &Params::s##_##n});
#define CXSIM_TEXT_SPEC(s, n, def, desc) \
  v.push_back(ParamSpec{#s "." #n, ParamType::text, 0, 0, "", false, desc, "", "", 0, &Params::s##_##n});
#define CXSIM_LIST_SPEC(s, n, len, lo, hi, unit, iv, desc)                                                  \
  v.push_back(ParamSpec{#s "." #n, ParamType::list, static_cast<double>(lo), static_cast<double>(hi), unit, \
                        iv, desc, "", "", len, &Params::s##_##n});
    CXSIM_PARAMETERS(CXSIM_NUM_SPEC, CXSIM_CHOICE_SPEC, CXSIM_TEXT_SPEC, CXSIM_LIST_SPEC)
#undef CXSIM_NUM_SPEC
#undef CXSIM_CHOICE_SPEC
#undef CXSIM_TEXT_SPEC
#undef CXSIM_LIST_SPEC
    return v;
  }();
  return specs;
}

const std::vector<SegmentParamSpec>& segment_table() {
  static const std::vector<SegmentParamSpec> specs = {
#define CXSIM_SEG_SPEC(n, T, def, lo, hi, unit, desc) \
  SegmentParamSpec{#n, static_cast<double>(lo), static_cast<double>(hi), unit, desc, &Segment::n},
      CXSIM_SEGMENT_PARAMETERS(CXSIM_SEG_SPEC)
#undef CXSIM_SEG_SPEC
  };
  return specs;
}

std::string number_to_string(double x) {
  // Whole numbers in plain digits ("200000000", not "2e+08"): these are read by people.
  if (std::isfinite(x) && x == std::trunc(x) && std::abs(x) < 1e15)
    return std::to_string(static_cast<long long>(x));
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, end);
}

}  // namespace

std::span<const ParamSpec> param_specs() {
  return table();
}
std::span<const SegmentParamSpec> segment_param_specs() {
  return segment_table();
}

const ParamSpec* find_param(std::string_view key) {
  for (const auto& s : table())
    if (s.key == key) return &s;
  return nullptr;
}

std::vector<std::string> closest_keys(std::string_view key, std::size_t count) {
  if (key.size() > kMaxSuggestKey) return {};  // edit distance is quadratic: no suggestion
  std::vector<std::pair<std::size_t, std::string>> scored;
  // The name part of what was written ("defect_rate" of "purchase.defect_rate"), so that a key in
  // the wrong section finds its own ("quality.defect_rate").
  const std::string_view key_name =
      key.substr(key.find('.') == std::string_view::npos ? 0 : key.find('.') + 1);
  for (const auto& s : table()) {
    // Compare with the whole key and with its name part, so "pice" finds "purchase.price".
    const auto name = s.key.substr(s.key.find('.') + 1);
    const auto whole = std::min(edit_distance(key, s.key), edit_distance(key, name));
    const auto part = edit_distance(key_name, name);
    if (close_enough(whole, key) || close_enough(part, key_name))
      scored.emplace_back(std::min(whole, part), std::string(s.key));
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && i < count; ++i) out.push_back(scored[i].second);
  return out;
}

const SegmentParamSpec* find_segment_param(std::string_view name) {
  for (const auto& s : segment_param_specs())
    if (s.name == name) return &s;
  return nullptr;
}

bool is_start_date(std::string_view s) {
  return is_calendar_date(s) && s.substr(0, 4) >= "1900" && s.substr(0, 4) <= "2999";
}

std::string canonical_study_key(const std::vector<Segment>& segments, const std::string& key) {
  if (!is_segment_key(key)) return key;
  const SegmentField f = find_segment_field(segments, key);
  return "segment[" + std::to_string(f.segment) + "]." + f.field;
}

bool is_segment_key(std::string_view key) {
  return key.starts_with("segment.") || key.starts_with("segment[");
}

SegmentField find_segment_field(const std::vector<Segment>& segments, const std::string& key) {
  const auto error = [&](const std::string& message) { return InputError(message, "", 0, 0, key); };
  const auto bad_form = [&] {
    return error(
        "expected segment[<i>].<key> or segment.<name>.<key>, e.g. segment.price-driven.expectation");
  };
  std::string names;
  for (const auto& s : segments) names += (names.empty() ? "'" : ", '") + s.name + "'";
  const auto dot = key.rfind('.');
  if (!is_segment_key(key) || dot == std::string::npos || dot + 1 == key.size() || dot < 8) throw bad_form();
  SegmentField out;
  out.field = key.substr(dot + 1);
  if (key[7] == '[') {
    std::size_t i = 0;
    const char* first = key.data() + 8;
    const auto [end, ec] = std::from_chars(first, key.data() + dot, i);
    if (ec != std::errc() || end == first || *end != ']' || end + 1 != key.data() + dot) throw bad_form();
    if (i >= segments.size())
      throw error("there is no segment[" + std::to_string(i) + "]; the scenario has " +
                  std::to_string(segments.size()) + " segments: " + names);
    out.segment = i;
    return out;
  }
  if (dot == 7) throw bad_form();
  const std::string name = key.substr(8, dot - 8);
  for (std::size_t i = 0; i < segments.size(); ++i)
    if (segments[i].name == name) {
      out.segment = i;
      return out;
    }
  // Names are compared byte for byte: an accent typed as a combining mark (e + U+0301) is not the
  // accented letter (U+00E9), though both print alike. Said when either side has such a mark
  // (U+0300..U+036F: UTF-8 CC 80 .. CD AF).
  const auto has_mark = [](const std::string& text) {
    for (std::size_t i = 0; i + 1 < text.size(); ++i) {
      const auto lead = static_cast<unsigned char>(text[i]), next = static_cast<unsigned char>(text[i + 1]);
      if ((lead == 0xCC && next >= 0x80 && next <= 0xBF) || (lead == 0xCD && next >= 0x80 && next <= 0xAF))
        return true;
    }
    return false;
  };
  const bool marks = has_mark(name) || std::any_of(segments.begin(), segments.end(),
                                                   [&](const Segment& s) { return has_mark(s.name); });
  throw error("no segment is named '" + name + "'; the segments are " + names +
              (marks ? " (names are compared character for character: an accent typed as a separate "
                       "combining mark differs from the accented letter, though both print alike; "
                       "copy the name from the scenario, or write segment[i])"
                     : ""));
}

std::string unknown_key_message(std::string_view key) {
  constexpr std::string_view docs = "Every key is listed in docs/scenarios.md.";
  if (key.size() > kMaxSuggestKey) return "unknown key (too long to be one); " + std::string(docs);
  const std::vector<std::string> near = closest_keys(key, 3);
  if (near.empty()) return "unknown key, and no known key is close to it. " + std::string(docs);
  std::string out = "unknown key; did you mean '" + near.front() + "'?";
  for (std::size_t i = 1; i < near.size(); ++i)
    out += (i == 1 ? " Other close keys: '" : ", '") + near[i] + "'" + (i + 1 == near.size() ? "." : "");
  return out + " " + std::string(docs);
}

std::string allowed_text(const ParamSpec& spec) {
  switch (spec.type) {
    case ParamType::boolean:
      return "true or false";
    case ParamType::text:
      return "a string";
    case ParamType::choice: {
      std::string out = "one of ";
      std::string_view rest = spec.allowed;
      while (true) {
        const auto bar = rest.find('|');
        out += std::string(rest.substr(0, bar));
        if (bar == std::string_view::npos) break;
        out += ", ";
        rest.remove_prefix(bar + 1);
      }
      return out;
    }
    case ParamType::list:
      return "a list of " + std::to_string(spec.length) + " whole numbers in [" + number_to_string(spec.min) +
             ", " + number_to_string(spec.max) + "], or an empty list";
    case ParamType::integer:
      return "a whole number in [" + number_to_string(spec.min) + ", " + number_to_string(spec.max) + "]";
    case ParamType::real:
      return "a number in [" + number_to_string(spec.min) + ", " + number_to_string(spec.max) + "]";
  }
  return {};
}

std::string param_to_string(const Params& params, const ParamSpec& spec) {
  return std::visit(
      [&](auto member) -> std::string {
        const auto& value = params.*member;
        using V = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<V, bool>)
          return value ? "true" : "false";
        else if constexpr (std::is_same_v<V, std::string>)
          return value;
        else if constexpr (std::is_same_v<V, std::vector<std::int64_t>>) {
          std::string out = "[";
          for (std::size_t k = 0; k < value.size(); ++k) out += (k ? ", " : "") + std::to_string(value[k]);
          return out + "]";
        } else if constexpr (std::is_same_v<V, std::int64_t>)
          return std::to_string(value);
        else
          return number_to_string(value);
      },
      spec.member);
}

bool is_calendar_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  const auto number = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  const int year = number(0, 4), month = number(5, 2), day = number(8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return day <= days[month - 1] + (month == 2 && leap ? 1 : 0);
}

namespace {

bool in_choice(std::string_view allowed, std::string_view value) {
  while (true) {
    const auto bar = allowed.find('|');
    if (allowed.substr(0, bar) == value) return true;
    if (bar == std::string_view::npos) return false;
    allowed.remove_prefix(bar + 1);
  }
}

void check_range(const ParamSpec& spec, double value) {
  if (!(value >= spec.min && value <= spec.max))  // also rejects NaN
    throw InputError("value " + number_to_string(value) + " is out of range; allowed: " + allowed_text(spec),
                     "", 0, 0, std::string(spec.key));
}

void check_list(const ParamSpec& spec, const std::vector<std::int64_t>& values) {
  if (!values.empty() && values.size() != spec.length)
    throw InputError("has " + std::to_string(values.size()) + " values; allowed: " + allowed_text(spec), "",
                     0, 0, std::string(spec.key));
  for (auto v : values) check_range(spec, static_cast<double>(v));
}

/// "[1, 2, 3]" or "1,2,3" (spaces allowed); "[]" is the empty list.
std::vector<std::int64_t> parse_list(const ParamSpec& spec, std::string_view text) {
  std::string_view rest = text;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (!rest.empty() && rest.front() == '[') {
    if (rest.back() != ']')
      throw InputError(quoted_value(text) + " is not a list; allowed: " + allowed_text(spec), "", 0, 0,
                       std::string(spec.key));
    rest = rest.substr(1, rest.size() - 2);
  }
  std::vector<std::int64_t> values;
  while (true) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    const auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || end != item.data() + item.size())
      throw InputError(quoted_value(item) + " in " + quoted_value(text) +
                           " is not a whole number; allowed: " + allowed_text(spec),
                       "", 0, 0, std::string(spec.key));
    values.push_back(v);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  check_list(spec, values);
  return values;
}

}  // namespace

void set_param_from_string(Params& params, const ParamSpec& spec, std::string_view text) {
  const auto bad = [&] {
    return InputError(quoted_value(text) + " is not valid; allowed: " + allowed_text(spec), "", 0, 0,
                      std::string(spec.key));
  };
  std::visit(
      [&](auto member) {
        auto& value = params.*member;
        using V = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<V, bool>) {
          if (text == "true")
            value = true;
          else if (text == "false")
            value = false;
          else
            throw bad();
        } else if constexpr (std::is_same_v<V, std::string>) {
          if (spec.type == ParamType::choice && !in_choice(spec.allowed, text)) throw bad();
          value = std::string(text);
        } else if constexpr (std::is_same_v<V, std::vector<std::int64_t>>) {
          value = parse_list(spec, text);
        } else {
          V parsed{};
          const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
          if (ec != std::errc() || end != text.data() + text.size()) throw bad();
          check_range(spec, static_cast<double>(parsed));
          value = parsed;
        }
      },
      spec.member);
}

void validate(const Params& params) {
  for (const auto& spec : table()) {
    std::visit(
        [&](auto member) {
          const auto& value = params.*member;
          using V = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<V, std::string>) {
            if (spec.type == ParamType::choice && !in_choice(spec.allowed, value))
              throw InputError(quoted_value(value) + " is not valid; allowed: " + allowed_text(spec), "", 0,
                               0, std::string(spec.key));
          } else if constexpr (std::is_same_v<V, std::vector<std::int64_t>>) {
            check_list(spec, value);
          } else if constexpr (!std::is_same_v<V, bool>) {
            check_range(spec, static_cast<double>(value));
          }
        },
        spec.member);
  }
  if (!params.run_start_date.empty() && !is_start_date(params.run_start_date))
    throw InputError(quoted_value(params.run_start_date) +
                         (is_calendar_date(params.run_start_date) ? " is outside the dates cxsim takes; "
                                                                  : " is not a date; ") +
                         "allowed: YYYY-MM-DD from 1900-01-01 to 2999-12-31 (e.g. 2026-01-01) or empty",
                     "", 0, 0, "run.start_date");
  if (params.finance_currency.size() > 16)
    throw InputError(quoted_value(params.finance_currency) +
                         " is too long for a currency; allowed: up to 16 bytes "
                         "(e.g. EUR, USD)",
                     "", 0, 0, "finance.currency");
  if (params.segments.empty()) throw InputError("at least one segment is needed", "", 0, 0, "segment");
  if (params.segments.size() > 256)  // Customers::segment is 8 bits (io/limits.hpp kMaxSegments)
    throw InputError(std::to_string(params.segments.size()) + " segments; at most 256 are allowed", "", 0, 0,
                     "segment");
  double total = 0;
  for (std::size_t i = 0; i < params.segments.size(); ++i) {
    const auto& seg = params.segments[i];
    // Names are printed in tables, comments of calibrated scenarios and labels: one line of text.
    if (std::any_of(seg.name.begin(), seg.name.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
      throw InputError("a segment's name must not hold control characters (a line break, a tab)", "", 0, 0,
                       "segment[" + std::to_string(i) + "].name");
    for (const auto& s : segment_table()) {
      const double v = seg.*s.member;
      if (!(v >= s.min && v <= s.max))
        throw InputError("value " + number_to_string(v) + " is out of range; allowed: a number in [" +
                             number_to_string(s.min) + ", " + number_to_string(s.max) + "]",
                         "", 0, 0, "segment[" + std::to_string(i) + "]." + std::string(s.name));
    }
    if (seg.phone_weight + seg.chat_weight + seg.email_weight + seg.chatbot_weight <= 0)
      throw InputError("at least one channel weight must be above 0", "", 0, 0,
                       "segment[" + std::to_string(i) + "]");
    total += seg.share;
  }
  if (std::abs(total - 1.0) > 1e-6)
    throw InputError("segment shares add up to " + number_to_string(total) + "; they must add up to 1", "", 0,
                     0, "segment.share");
  if (params.quality_severe_share + params.quality_moderate_share > 1.0 + 1e-12)
    throw InputError("quality.severe_share + quality.moderate_share must not exceed 1", "", 0, 0,
                     "quality.moderate_share");
  if (recommendations_per_day(params) > 1.0)
    throw InputError(
        "q_per_year / recommendation_conversion / 365 must be at most 1 (one "
        "recommendation per promoter per day); lower q or raise the conversion",
        "", 0, 0, "acquisition.q_per_year");
  if (!params.contacts_arrival_profile.empty() &&
      std::all_of(params.contacts_arrival_profile.begin(), params.contacts_arrival_profile.end(),
                  [](std::int64_t w) { return w == 0; }))
    throw InputError("at least one hour needs a weight above 0 (or leave the list empty)", "", 0, 0,
                     "contacts.arrival_profile");
  const NetworkKind kind = choices_of(params).network_kind;
  if (kind == NetworkKind::edge_list && params.network_edge_list.empty())
    throw InputError("network.kind = \"edge_list\" needs network.edge_list, the file to read", "", 0, 0,
                     "network.edge_list");
  const bool lattice = kind == NetworkKind::ring || kind == NetworkKind::watts_strogatz;
  const bool has_degree = lattice || kind == NetworkKind::erdos_renyi;
  if (has_degree && params.network_mean_degree >= params.market_population)
    throw InputError("must be below market.population (" + std::to_string(params.market_population) + ")", "",
                     0, 0, "network.mean_degree");
  if (kind == NetworkKind::barabasi_albert && params.network_ba_m >= params.market_population)
    throw InputError("must be below market.population (" + std::to_string(params.market_population) + ")", "",
                     0, 0, "network.ba_m");
  if (lattice && params.network_mean_degree % 2 != 0)
    throw InputError("must be even for ring and watts_strogatz networks", "", 0, 0, "network.mean_degree");
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

Choices choices_of(const Params& params) {
  Choices c;
#define CXSIM_IGNORE(...)
#define CXSIM_CHOICE_OF(s, n, E, def, ...) \
  if (const auto v = parse_choice<E>(params.s##_##n)) c.s##_##n = *v;
  CXSIM_PARAMETERS(CXSIM_IGNORE, CXSIM_CHOICE_OF, CXSIM_IGNORE, CXSIM_IGNORE)
#undef CXSIM_CHOICE_OF
#undef CXSIM_IGNORE
  return c;
}

std::string_view section_description(std::string_view section) {
#define CXSIM_SECTION_DESCRIPTION(name, text) \
  if (section == #name) return text;
  CXSIM_SECTIONS(CXSIM_SECTION_DESCRIPTION)
#undef CXSIM_SECTION_DESCRIPTION
  return {};
}

}  // namespace cxsim
