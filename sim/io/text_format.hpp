#pragma once
// printf-style formatting for the text reports (compare, info, the run summary).

#include <algorithm>
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

}  // namespace cxsim
