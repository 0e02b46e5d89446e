#pragma once
// Text for the reports (compare, facts, info, the run summary): printf-style formatting, exact
// numbers, and escaping for CSV, JSON and Markdown.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

namespace cxsim {

/// printf-style formatting into a std::string.
template <class... Args>
std::string format(const char* fmt, Args... args) {
  const int size = std::snprintf(nullptr, 0, fmt, args...);
  std::string out(static_cast<std::size_t>(std::max(size, 0)), '\0');
  std::snprintf(out.data(), out.size() + 1, fmt, args...);
  return out;
}

/// Shortest round-trip text; NaN as `nan_text`.
inline std::string exact(double v, const char* nan_text) {
  if (!std::isfinite(v)) return nan_text;
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

/// A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
inline std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (const char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

/// A JSON string literal, quotes included.
inline std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\')
      out += '\\', out += ch;
    else if (ch == '\n')
      out += "\\n";
    else if (u < 0x20)
      out += format("\\u%04x", static_cast<unsigned>(u));
    else
      out += ch;
  }
  return out + "\"";
}

/// Markdown text with the characters that would start a cell, emphasis or code escaped.
inline std::string md_escape(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    if (ch == '|' || ch == '*' || ch == '_' || ch == '`') out += '\\';
    out += ch;
  }
  return out;
}

}  // namespace cxsim
