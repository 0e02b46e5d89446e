#pragma once
// Small text helpers shared by the reports (compare, info) and the parameter messages.

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>

namespace cxsim {

/// printf-style formatting into a std::string.
template <class... Args>
std::string format(const char* fmt, Args... args) {
  const int size = std::snprintf(nullptr, 0, fmt, args...);
  std::string out(static_cast<std::size_t>(std::max(size, 0)), '\0');
  std::snprintf(out.data(), out.size() + 1, fmt, args...);
  return out;
}

/// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace cxsim
